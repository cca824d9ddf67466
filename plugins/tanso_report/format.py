"""Display formatting shared by the reporters: amounts are rounded here, for display only."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

TONNE = Decimal(1000)


def tonnes(kg: Decimal | None, places: int = 3) -> str:
    if kg is None:
        return "—"
    return f"{(kg / TONNE).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN):,}"


def label(scope, category, basis=None) -> str:
    if scope is None:
        return "outside the scopes"
    return (f"Scope {scope}" + (f" · category {category}" if category is not None else "")
            + (f" ({basis}-based)" if basis else ""))
