"""Unit conversion at plan time: one exact scalar per (from, to) unit pair, never per row.

pint works on Decimal here, so 1 gal → 3.785411784 L exactly. Three-letter upper-case codes are
currencies: they convert only to themselves (exchange rates are data, not units).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import pint

# Spellings found in activity data that pint does not read as we mean them.
ALIASES = {"m3": "m**3", "tkm": "tonne*km", "t.km": "tonne*km", "pkm": "km", "kwh": "kWh", "mwh": "MWh",
           "gwh": "GWh", "MMBtu": "megaBtu", "mmBtu": "megaBtu", "MMBTU": "megaBtu", "litre": "liter", "litres": "liter", "tonnes": "tonne", "scf": "ft**3"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    return pint.UnitRegistry(non_int_type=Decimal)


class UnitProblem(Exception):
    """Why a pair cannot convert; the text goes into the reject reason."""


def is_currency(unit: str) -> bool:
    return bool(_CURRENCY.match(unit))


def conversion_factor(from_unit: str, to_unit: str) -> Decimal:
    """How many `to_unit` one `from_unit` is. Raises UnitProblem with a readable reason."""
    if from_unit == to_unit:
        return Decimal(1)
    if is_currency(from_unit) or is_currency(to_unit):
        raise UnitProblem(f"currency {from_unit} does not match {to_unit}")
    ureg = registry()
    try:
        source = ureg.parse_units(ALIASES.get(from_unit, from_unit))
    except (pint.errors.UndefinedUnitError, AttributeError, ValueError, TypeError):
        raise UnitProblem(f"unknown unit '{from_unit}'") from None
    try:
        target = ureg.parse_units(ALIASES.get(to_unit, to_unit))
    except (pint.errors.UndefinedUnitError, AttributeError, ValueError, TypeError):
        raise UnitProblem(f"unknown unit '{to_unit}' in the factor table") from None
    try:
        magnitude = ureg.Quantity(Decimal(1), source).to(target).magnitude
    except pint.errors.DimensionalityError:
        raise UnitProblem(f"unit '{from_unit}' cannot be converted to '{to_unit}'") from None
    return Decimal(magnitude)
