"""A policy value as the ruleset language writes it (`true`, `0.5`, `"AR6"`, `["a", "b"]`), for messages that
quote a value back to the methodology owner: never Python's `True`, `Decimal('0.5')` or `'AR6'`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def written(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(written(v) for v in value) + "]"
    return f'"{value}"'
