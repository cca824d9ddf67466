"""What reports show of a comparison: its reporting bases, and for one basis the totals and each
change's part (`headline`)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from tanso.compare.exact import _exact

if TYPE_CHECKING:
    from tanso.compare import Comparison


def bases(comparison: Comparison) -> list[str | None]:
    """The reporting bases present (e.g. location, market); [None] when no rule declares one."""
    found = sorted({key[2] for a in comparison.attributions for key in a.by_group if key[2]} |
                   {row["basis"] for row in comparison.deltas["scope_category"] if row["basis"]})
    return found or [None]


def in_basis(group_basis: str | None, basis: str | None) -> bool:
    """Rules without a basis count in every basis; a basis's rules only in their own."""
    return group_basis is None or basis is None or group_basis == basis


@_exact
def headline(comparison: Comparison, basis: str | None) -> dict[str, Any]:
    """Totals and attribution for one basis: the parts (Shapley) sum exactly to the difference.
    The inventory is the scopes; what rules report outside them (biogenic CO2, credits, market
    instruments) is shown beside it and never added."""
    rows = [r for r in comparison.deltas["scope_category"] if in_basis(r["basis"], basis)]
    inventory = [r for r in rows if r["scope"] is not None]
    base = sum((r["base_kg"] for r in inventory), Decimal(0))
    revised = sum((r["revised_kg"] for r in inventory), Decimal(0))
    outside = {"base_kg": sum((r["base_kg"] for r in rows if r["scope"] is None), Decimal(0)),
               "revised_kg": sum((r["revised_kg"] for r in rows if r["scope"] is None), Decimal(0))}
    parts = []
    for attribution in (a for a in comparison.attributions if not a.change.structural):  # theirs is zero
        cells = [c for g, c in attribution.by_group.items() if g[0] is not None and in_basis(g[2], basis)]
        parts.append({"change": attribution.change,
                      "one_at_a_time": sum((c["one_at_a_time"] for c in cells), Decimal(0)),
                      "sequential": sum((c["sequential"] for c in cells), Decimal(0)),
                      "shapley": sum((c["shapley"] for c in cells), Fraction(0))})
    one_at_a_time = sum((p["one_at_a_time"] for p in parts), Decimal(0))
    return {"basis": basis, "base_kg": base, "revised_kg": revised, "delta_kg": revised - base, "parts": parts,
            "interaction_kg": (revised - base) - one_at_a_time, "outside_scopes": outside}


def to_decimal(value: Fraction, places: int = 9) -> Decimal:
    """A Shapley share for display (kept exact as a fraction in the comparison)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places))
