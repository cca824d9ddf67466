"""A share given on the command line (`--threshold` of engage and base-year): read as an exact decimal,
and refused as a usage error when it is not a finite number (`abc`, `nan`), before any comparison with it
could raise decimal's own exception. The range each command accepts is its own check."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click


class Share(click.ParamType):
    name = "share"

    def convert(self, value, param, ctx) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            share = Decimal(str(value).strip())
        except InvalidOperation:
            share = None
        if share is None or not share.is_finite():
            self.fail(f"{value!r} is not a number (a share, e.g. 0.8 for 80 %)", param, ctx)
        return share


SHARE = Share()
