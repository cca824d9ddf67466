"""Unit conversion at plan time: one exact scalar per (from, to) unit pair, never per row.

pint works on Decimal here, so 1 gal → 3.785411784 L exactly. Three-letter upper-case codes are
currencies: they convert only to themselves (exchange rates are data, not units).

Activity data and factor files spell units as practitioners do ("MMBtu", "therms", "Mcf", "bbl",
"short tons"). `canonical` maps those spellings to one unit each, explicitly, before pint reads them;
spellings whose meaning differs between industries ("ton", "MBtu", "MT") are refused with the
choices, never guessed. The meanings follow the US EIA / EPA conventions fuel data use:

- a barrel (`bbl`) of fuel is the 42-US-gallon oil barrel (pint's own `barrel` is the 31.5-gallon
  US liquid barrel; write `liquid_barrel` for that one);
- Btu is the International Table Btu; `mmBtu` is a million of them, a `therm` 100,000 (a tenth of an
  mmBtu, as gas bills and the EPA Hub count it), a dekatherm (`Dth`) ten therms;
- `ccf`, `Mcf`, `MMcf` are 100, 1,000 and a million cubic feet (M = thousand, the gas industry's
  Roman numeral); `scf` is a cubic foot at standard conditions, as the factor is stated.

Emissions already weighted into CO2-equivalents, as cloud providers and suppliers report them, name
what is weighed after the mass: `kgCO2e`, `t CO2e`, `lbsCO2e`, and AWS's `MTCO2e`, which AWS defines
as "metric tons of carbon dioxide-equivalent" (AWS Data Exports, carbon emissions columns: "The unit
we currently support is metric tons of carbon dioxide-equivalent (MTCO2e)"). In front of `CO2e`, `MT`
written in capitals is therefore the metric ton, as in US EPA usage, and `Mt` the SI megatonne, as in
national inventories; any other case (`mtCO2e`) is refused as ambiguous. A CO2-equivalent mass is a
quantity of its own, not a mass: 1 MTCO2e converts to 1,000 kgCO2e but never to kg, so a factor
file's `unit` (the mass of the gas its `gas` column names, weighted by the run's GWPs) cannot be
written in CO2e and weighted twice.

A mass of carbon (`t-C`, `kg C`, `tC`), as Japan's SHK system (温対法 算定・報告・公表制度) and the
IPCC's carbon contents state CO2 factors, is the mass of CO2 that carbon oxidises to: 1 t-C converts to
44/12 t of CO2 (molar masses 44 and 12; IPCC 2006 Guidelines, Vol. 2, ch. 1), a unit step rather than
a constant in rules. It is only meaningful for a factor whose gas is CO2; 44/12 does not terminate, so
the conversion carries the engine's working precision and is rounded once, where the factor is.

Japanese reporting forms and statements write units their own way, and these are read as written:
- full-width and compatibility characters are the characters they stand for (Unicode NFKC: `ｋＷｈ` is
  kWh, `㎥` and `ｍ３` are m3, `ℓ` is l, `㎘` is kl);
- 千, 万, 百万 and 億 in front of a unit or a currency multiply it by 10^3, 10^4, 10^6 and 10^8
  (`千kWh`, `千Nm3`, `百万円`), as the SHK forms and financial statements (単位：千円) write them;
- 円 is the yen (JPY), so `千円` is a thousand JPY and converts to JPY and to 百万円, never to another
  currency (exchange rates are data); `¥` is refused, being the sign of both the yen and the yuan;
- `kL`/`KL` is the kilolitre of fuel statistics;
- `Nm3` (normal cubic metre: gas at 0 °C and 101.325 kPa, how city-gas and LPG factors are stated) is a
  quantity of its own: it converts to 千Nm3 but never to m3, whose conditions a bill does not state, so a
  factor per Nm3 needs activity in Nm3 (convert with your gas company's conditions first).
"""

from __future__ import annotations

import re
import unicodedata
from contextvars import ContextVar
from decimal import Decimal, localcontext
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Callable, ParamSpec, TypeVar

from tanso.cache import cache_folder
from tanso.reasons import reason_text

if TYPE_CHECKING:
    import pint

P, R = ParamSpec("P"), TypeVar("R")

# Units pint lacks, with their exact definitions.
DEFINITIONS = (
    "mmBtu = 1e6 * Btu_it",
    "kBtu = 1e3 * Btu_it",
    "gas_therm = 1e5 * Btu_it",
    "dekatherm = 1e6 * Btu_it",
    "ccf = 100 * foot ** 3",
    "Mcf = 1000 * foot ** 3",
    "MMcf = 1e6 * foot ** 3",
    "liquid_barrel = 31.5 * gallon",
    "carbon_dioxide_equivalent = [co2_equivalent]",   # the marker of a CO2e mass (see the module doc)
    "carbon_as_co2 = 44 / 12",   # a mass of carbon, as the CO2 it oxidises to (see the module doc)
    "normal_cubic_meter = [normal_gas_volume]",   # gas at 0 °C and 101.325 kPa (see the module doc)
)

# Spellings found in activity data and factor files → the unit meant. Keys are matched ignoring
# case, spaces, dots and underscores, so only words whose case carries no SI prefix are here.
_SPELLINGS = {
    "mmbtu": "mmBtu", "mmbtus": "mmBtu", "millionbtu": "mmBtu", "megabtu": "mmBtu",
    "btu": "Btu_it", "btus": "Btu_it", "kbtu": "kBtu",
    "therm": "gas_therm", "therms": "gas_therm", "thm": "gas_therm",
    "dth": "dekatherm", "dekatherm": "dekatherm", "dekatherms": "dekatherm", "decatherm": "dekatherm",
    "decatherms": "dekatherm",
    "ccf": "ccf", "hcf": "ccf", "mcf": "Mcf", "mmcf": "MMcf",
    "scf": "foot**3", "cf": "foot**3", "ft3": "foot**3", "cubicfeet": "foot**3", "cubicfoot": "foot**3",
    "bbl": "oil_barrel", "bbls": "oil_barrel", "barrel": "oil_barrel", "barrels": "oil_barrel",
    "oilbarrel": "oil_barrel", "liquidbarrel": "liquid_barrel",
    "lbs": "pound", "lbm": "pound",
    "shortton": "short_ton", "shorttons": "short_ton", "uston": "short_ton", "ustons": "short_ton",
    "tonne": "tonne", "tonnes": "tonne", "metricton": "tonne", "metrictons": "tonne",
    "gallon": "gallon", "gallons": "gallon", "gal": "gallon", "usgal": "gallon", "usgallon": "gallon",
    "usgallons": "gallon",
    "impgal": "imperial_gallon", "imperialgal": "imperial_gallon", "imperialgallon": "imperial_gallon",
    "imperialgallons": "imperial_gallon", "ukgal": "imperial_gallon", "ukgallon": "imperial_gallon",
    "ukgallons": "imperial_gallon",
    "litre": "liter", "litres": "liter", "liter": "liter", "liters": "liter",
    "m3": "m**3", "m³": "m**3", "cubicmeter": "m**3", "cubicmeters": "m**3", "cubicmetre": "m**3",
    "cubicmetres": "m**3",
    "kl": "kiloliter",
    "tkm": "tonne*km", "tonnekm": "tonne*km", "tonkm": "tonne*km", "pkm": "km", "passengerkm": "km",
}
# Case matters for watt-hours (mWh is a milliwatt-hour), so these are listed as written.
_EXACT = {"kwh": "kWh", "KWH": "kWh", "Kwh": "kWh", "kWH": "kWh", "mwh": "MWh", "MWH": "MWh", "Mwh": "MWh",
          "gwh": "GWh", "GWH": "GWh", "Gwh": "GWh", "Nm3": "normal_cubic_meter", "NM3": "normal_cubic_meter"}
# Spellings with more than one meaning in practice: refused with the choices.
_AMBIGUOUS = {
    "ton": "'ton' is a short ton (2,000 lb) in the US and a tonne (1,000 kg) elsewhere: write short_ton or tonne",
    "tons": "'tons' is a short ton (2,000 lb) in the US and a tonne (1,000 kg) elsewhere: write short_ton or tonne",
    "mbtu": "'MBtu' is a thousand Btu in US gas data and a million in SI: write kBtu or mmBtu",
    "mt": "'MT' is a metric ton in trade data and a megatonne in SI: write tonne or Mt",
    "¥": "'¥' is the sign of both the Japanese yen and the Chinese yuan: write JPY (円) or CNY",
}
# Spellings read by a convention, not by what they say: the gallon unqualified is the US gallon (as US fuel data
# and the EPA Hub write it), but a British or Canadian ledger's gallon is the imperial one. A conversion that
# relies on one is noted (`noting_conventions`), so that the run says so; `US gal` and `imp gal` say which.
_BY_CONVENTION = {"gal", "gallon", "gallons"}
_relied_on: ContextVar[set[str] | None] = ContextVar("unit_conventions", default=None)
# Japanese multipliers written in front of a unit or a currency, longest first (百万 before 万).
_JA_SCALES = (("百万", Decimal(10) ** 6), ("億", Decimal(10) ** 8), ("千", Decimal(10) ** 3), ("万", Decimal(10) ** 4))
_YEN = "円"
# A CO2-equivalent mass: a mass, then what it is a mass of.
_CO2E = re.compile(r"^(?P<mass>.*?)[\s_]*(?:CO2|CO₂)[-\s]?(?:e|eq|equivalent)$", re.IGNORECASE)
_CO2E_MASSES = {"MT": "tonne", "Mt": "megatonne"}   # case decides: see the module doc
# A carbon mass: a mass, then an upper-case C (`t-C`, `kgC`, `kg C`).
_CARBON = re.compile(r"^(?P<mass>.+?)[\s_-]*C$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SEPARATORS = re.compile(r"[\s._]+")
# Conversions are computed with this many digits; a result that agrees with a decimal of at most
# EXACT_DIGITS significant digits to within 10^-(PRECISION - 10) is that decimal (pint divides, e.g.
# foot = yard / 3, so an exact 0.3048 m arrives as 0.30479999…); anything else is non-terminating.
PRECISION = 60
EXACT_DIGITS = 30


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """pint's registry with our definitions. pint is imported here, not with the module: `tanso check`
    needs it only for units written in the ruleset. Its parsed definitions are cached on disk
    (`tanso.cache`): 0.3 s → 0.05 s per process."""
    import pint
    with localcontext() as context:
        context.prec = PRECISION
        # pint's cache keys by its definition files and number type, not by the precision they were
        # parsed at: the folder name carries that (and pint's version).
        folder = cache_folder(f"pint-{pint.__version__}-prec{PRECISION}")
        try:
            ureg = pint.UnitRegistry(non_int_type=Decimal, cache_folder=folder)
        except Exception:   # a torn cache file (two first runs at once): it is only a shortcut, so parse without it
            ureg = pint.UnitRegistry(non_int_type=Decimal)
        for definition in DEFINITIONS:
            ureg.define(definition)
    return ureg


class UnitProblem(Exception):
    """Why a pair cannot convert; the text goes into the reject reason."""


def _scaled(unit: str) -> tuple[Decimal, str]:
    """(multiplier, the unit it multiplies): `千kWh` → (1000, kWh); a unit without one → (1, unit)."""
    written = unicodedata.normalize("NFKC", unit).strip()
    for prefix, scale in _JA_SCALES:
        rest = written.removeprefix(prefix).strip()
        if rest != written and rest:
            return scale, rest
    return Decimal(1), written


def noting_conventions(run: Callable[P, R]) -> Callable[P, R]:
    """`run`, noting the spellings read by convention that its conversions rely on (`conventions_relied_on`
    reads them while it runs): each call its own, a comparison's two runs apart."""
    @wraps(run)
    def noting(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _relied_on.set(set())
        try:
            return run(*args, **kwargs)
        finally:
            _relied_on.reset(token)
    return noting


def conventions_relied_on() -> list[str]:
    """The spellings read by convention (`gal`, as written) that the running run's conversions relied on so far."""
    return sorted(_relied_on.get() or ())


def _note_convention(unit: str) -> None:
    noted, written = _relied_on.get(), _scaled(unit)[1]
    if noted is not None and _SEPARATORS.sub("", written).lower() in _BY_CONVENTION:
        noted.add(written)


def currency(unit: str) -> tuple[str, Decimal] | None:
    """(ISO 4217 code, multiplier) of a currency as written — `USD` → (USD, 1), `千円` → (JPY, 1000) — or
    None for a unit. A code is three upper-case letters that are not a unit's spelling (BBL, CCF, KWH …)."""
    scale, code = _scaled(unit)
    if code == _YEN:
        return "JPY", scale
    if not _CURRENCY.match(code):
        return None
    key = _SEPARATORS.sub("", code).lower()
    if code in _EXACT or key in _SPELLINGS or key in _AMBIGUOUS:
        return None
    return code, scale


def is_currency(unit: str) -> bool:
    """A currency, possibly with a Japanese multiplier (`JPY`, `円`, `千円`), not a unit."""
    return currency(unit) is not None


def canonical(unit: str) -> str:
    """The pint expression a practitioner's spelling means; raises UnitProblem for an ambiguous one.
    A Japanese multiplier is not part of it (see `_scaled`)."""
    written = _scaled(unit)[1]
    co2e = _CO2E.match(written)
    if co2e and co2e["mass"]:
        mass = co2e["mass"].strip()
        return f"({_CO2E_MASSES.get(mass) or canonical(mass)}) * carbon_dioxide_equivalent"
    carbon = _CARBON.match(written)
    if carbon and _is_mass(carbon["mass"].strip()):
        return f"({canonical(carbon['mass'].strip())}) * carbon_as_co2"
    key = _SEPARATORS.sub("", written).lower()
    if key in _AMBIGUOUS:
        raise UnitProblem(reason_text("ambiguous_unit", explanation=_AMBIGUOUS[key]))
    if written in _EXACT:
        return _EXACT[written]
    return _SPELLINGS.get(key, written)


def _is_mass(unit: str) -> bool:
    try:
        return _parse(registry(), unit)[1].dimensionality == {"[mass]": 1}
    except UnitProblem:   # a spelling that is no unit is simply not a mass
        return False


def unit_problem(unit: str | None) -> str | None:
    """None for a known unit or currency; otherwise why it is not one (unknown, ambiguous, empty)."""
    if unit is None or not str(unit).strip():
        return "no unit"
    unit = str(unit)
    if is_currency(unit):
        return None
    try:
        _parse(registry(), unit)
    except UnitProblem as problem:
        return str(problem)
    return None


def conversion_factor(from_unit: str, to_unit: str) -> Decimal:
    """How many `to_unit` one `from_unit` is, exact where the conversion is a terminating decimal
    (see `snap`). Raises UnitProblem with a readable reason."""
    if from_unit == to_unit:
        return Decimal(1)
    from_currency, to_currency = currency(from_unit), currency(to_unit)
    if from_currency or to_currency:
        for written, is_money in ((from_unit, from_currency), (to_unit, to_currency)):
            if not is_money:
                canonical(written)   # an ambiguous spelling (¥, ton) says so, not that it is another currency
        if from_currency is None or to_currency is None or from_currency[0] != to_currency[0]:
            raise UnitProblem(reason_text("currency_mismatch", from_unit=from_unit, to_unit=to_unit))
        return from_currency[1] / to_currency[1]
    import pint
    ureg = registry()
    _note_convention(from_unit)
    _note_convention(to_unit)
    with localcontext() as context:
        context.prec = PRECISION
        (from_scale, source), (to_scale, target) = _parse(ureg, from_unit), _parse(ureg, to_unit, in_factor_table=True)
        try:
            magnitude = ureg.Quantity(Decimal(1), source).to(target).magnitude
        except pint.errors.DimensionalityError:
            raise UnitProblem(reason_text("unit_not_convertible", from_unit=from_unit, to_unit=to_unit)) from None
        return snap(Decimal(magnitude) * from_scale / to_scale)


def _parse(ureg: pint.UnitRegistry, unit: str, in_factor_table: bool = False) -> tuple[Decimal, pint.Unit]:
    """(Japanese multiplier, pint unit) of a unit as written."""
    import pint
    try:
        return _scaled(unit)[0], ureg.parse_units(canonical(unit))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, ValueError,
            TypeError, AssertionError):
        raise UnitProblem(reason_text("unknown_factor_unit" if in_factor_table else "unknown_unit", unit=unit)) from None


def snap(value: Decimal) -> Decimal:
    """`value` as the short decimal it is, when it is one to within the working precision's noise."""
    if not value:
        return value
    with localcontext() as context:
        context.prec = PRECISION
        short = value.quantize(Decimal(1).scaleb(value.adjusted() - EXACT_DIGITS + 1)).normalize()
        if abs(short - value) <= abs(value).scaleb(-(PRECISION - 10)):
            return short
        return value


def is_exact(value: Decimal) -> bool:
    """A snapped conversion is exact when it has no more than EXACT_DIGITS significant digits."""
    significant = "".join(map(str, value.as_tuple().digits)).strip("0")
    return len(significant) <= EXACT_DIGITS
