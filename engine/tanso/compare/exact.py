"""Exact decimal arithmetic for a comparison's sums and differences (compare, headline)."""

from __future__ import annotations

import functools
from decimal import Context, localcontext


# Sums and differences of ledger amounts must be exact: a total of DECIMAL(38,22) amounts has more
# than the 28 significant digits of Python's default decimal context, which would round them (and
# the exact Shapley fractions would then not sum to the rounded difference).
_EXACT = Context(prec=200)


def _exact(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with localcontext(_EXACT):
            return function(*args, **kwargs)
    return wrapper
