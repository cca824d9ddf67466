"""Units as practitioners write them, and every unit string Tanso ships, with what each one means.

A new unit string in a shipped pack, an example or a ruleset's test data fails
`test_every_shipped_unit_string_is_listed` until it is added below with its meaning.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from click.testing import CliRunner

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.cli import main
from tanso.plan.units import UnitProblem, conversion_factor, is_currency, is_exact

REPO = Path(__file__).resolve().parents[1]

# Every unit string in a shipped file → (a reference unit, how many of it one is), exactly.
SHIPPED_UNITS = {
    "GJ": ("MJ", "1000"),
    "MWh": ("kWh", "1000"),
    "kWh": ("MJ", "3.6"),
    "megaBtu": ("Btu_it", "1000000"),       # the EPA Hub's mmBtu, in International Table Btu
    "g": ("kg", "0.001"),
    "kg": ("g", "1000"),
    "lb": ("kg", "0.45359237"),
    "t": ("kg", "1000"),
    "short_ton": ("kg", "907.18474"),
    "gal": ("L", "3.785411784"),
    "gallon": ("L", "3.785411784"),
    "l": ("L", "1"),
    "m3": ("L", "1000"),
    "scf": ("m**3", "0.028316846592"),
    "m**2": ("ft**2", "10.76391041670972230833350556"),   # 1 / 0.3048² (a terminating decimal? no: see below)
    "km": ("m", "1000"),
    "mile": ("km", "1.609344"),
    "tonne*km": ("kg*km", "1000"),
    "short_ton*mile": ("tonne*km", "1.45997231821056"),
}
# Counted items: they convert only to themselves.
COUNTED = {"night", "piece"}
# Columns whose name ends in _unit but hold numbers (kg per unit sold, …).
NOT_UNIT_COLUMNS = ("_per_unit",)


def _shipped_unit_strings() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = [*REPO.glob("plugins/*/data/*.csv"), *REPO.glob("examples/**/*.csv"), *REPO.glob("rulesets/**/*.csv")]
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:   # an ERP export in its own encoding (examples/acme-gl: CP932)
            text = data.decode("cp932")
        for row in csv.DictReader(text.splitlines()):
            for column, value in row.items():
                if not column or not value or column.endswith(NOT_UNIT_COLUMNS):
                    continue
                if column in ("unit", "per") or column.endswith("_unit"):
                    found.setdefault(value, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_shipped_unit_string_is_listed():
    strings = {unit for unit in _shipped_unit_strings() if not is_currency(unit)}
    unlisted = strings - set(SHIPPED_UNITS) - COUNTED
    assert not unlisted, f"unit strings with no stated meaning: {sorted(unlisted)}"


@pytest.mark.parametrize("unit", sorted(set(SHIPPED_UNITS) - {"m**2"}))
def test_shipped_unit_converts_exactly(unit):
    reference, expected = SHIPPED_UNITS[unit]
    factor = conversion_factor(unit, reference)
    assert factor == Decimal(expected) and is_exact(factor)


def test_square_metre_to_square_feet_is_the_exact_ratio():
    # 1 m² = 1 / 0.3048² ft², which does not terminate: kept to the working precision, flagged inexact.
    factor = conversion_factor("m**2", "ft**2")
    assert abs(factor * Decimal("0.09290304") - 1) < Decimal("1e-50") and not is_exact(factor)


@pytest.mark.parametrize("unit", sorted(COUNTED))
def test_counted_items_convert_only_to_themselves(unit):
    assert conversion_factor(unit, unit) == 1
    with pytest.raises(UnitProblem, match="unknown unit"):
        conversion_factor(unit, "kg")


# What practitioners write → (reference, exact factor). Utility bills, ERP exports and fuel logs.
SPELLINGS = [
    # an oil barrel is 42 US gallons wherever fuel is measured; pint's barrel (31.5 gal) needs its own name
    ("bbl", "gallon", "42"), ("BBL", "gallon", "42"), ("bbls", "gallon", "42"), ("barrels", "gallon", "42"),
    ("liquid_barrel", "gallon", "31.5"),
    # natural gas volumes: ccf / Mcf / MMcf are 100 / 1,000 / 1,000,000 cubic feet (M = thousand)
    ("ccf", "scf", "100"), ("CCF", "scf", "100"), ("Ccf", "scf", "100"), ("hcf", "scf", "100"),
    ("Mcf", "scf", "1000"), ("MCF", "scf", "1000"), ("mcf", "scf", "1000"), ("MMcf", "scf", "1000000"),
    ("MMCF", "scf", "1000000"), ("cf", "scf", "1"), ("ft3", "scf", "1"),
    # million Btu in its common spellings; therms (100,000 Btu) and dekatherms as billed
    ("MMBtu", "megaBtu", "1"), ("mmBtu", "megaBtu", "1"), ("MMBTU", "megaBtu", "1"), ("mmbtu", "megaBtu", "1"),
    ("MMbtu", "megaBtu", "1"), ("million Btu", "megaBtu", "1"),
    ("therm", "MMBtu", "0.1"), ("therms", "MMBtu", "0.1"), ("Therms", "MMBtu", "0.1"), ("thm", "MMBtu", "0.1"),
    ("Dth", "MMBtu", "1"), ("dekatherms", "MMBtu", "1"), ("decatherm", "MMBtu", "1"), ("kBtu", "Btu", "1000"),
    # short tons as ERPs and the EPA tools write them
    ("short ton", "kg", "907.18474"), ("short tons", "kg", "907.18474"), ("shortTon", "kg", "907.18474"),
    ("short_ton", "kg", "907.18474"), ("Short Tons", "kg", "907.18474"), ("US ton", "kg", "907.18474"),
    ("tonnes", "kg", "1000"), ("metric ton", "kg", "1000"), ("Metric Tons", "kg", "1000"),
    ("gallons", "L", "3.785411784"), ("US gal", "L", "3.785411784"), ("litres", "L", "1"), ("Liters", "L", "1"),
    # the gallon said explicitly: US (3.785411784 L) or imperial, as British and Canadian ledgers mean it (4.54609 L)
    ("US_gal", "L", "3.785411784"), ("US gallons", "L", "3.785411784"), ("imp_gal", "L", "4.54609"),
    ("imperial gallons", "L", "4.54609"), ("UK gal", "L", "4.54609"), ("imp gal", "ml", "4546.09"),
    ("m³", "L", "1000"), ("cubic metres", "L", "1000"),
    ("kwh", "kWh", "1"), ("KWH", "kWh", "1"), ("Kwh", "kWh", "1"), ("mwh", "kWh", "1000"), ("MWH", "kWh", "1000"),
    ("GWH", "MWh", "1000"),
    ("tkm", "tonne*km", "1"), ("t.km", "tonne*km", "1"), ("pkm", "km", "1"),
]


@pytest.mark.parametrize("written, reference, expected", SPELLINGS)
def test_practitioner_spelling(written, reference, expected):
    factor = conversion_factor(written, reference)
    assert factor == Decimal(expected) and is_exact(factor)


@pytest.mark.parametrize("written, hint", [
    ("ton", "short_ton or tonne"), ("tons", "short_ton or tonne"), ("Tons", "short_ton or tonne"),
    ("MBtu", "kBtu or mmBtu"), ("MBTU", "kBtu or mmBtu"), ("MT", "tonne or Mt"),
])
def test_ambiguous_spellings_are_refused_with_the_choices(written, hint):
    with pytest.raises(UnitProblem, match=f"ambiguous unit: .*{hint}"):
        conversion_factor(written, "kg")


def test_case_is_kept_where_it_is_an_si_prefix():
    # mWh is a milliwatt-hour, not a megawatt-hour: it is not "corrected"
    assert conversion_factor("mWh", "kWh") == Decimal("0.000001")


@pytest.mark.parametrize("written", ["kWhr", "bananas", "bananaCO2e", "千", "千bananas", "nm3"])
def test_unknown_units_are_refused(written):
    with pytest.raises(UnitProblem, match=f"unknown unit '{written}'"):
        conversion_factor(written, "kg")


# Japanese reporting forms (SHK: 千kWh, 千Nm3, kL), statements (単位：千円 / 百万円) and spreadsheets typed with
# full-width characters (Unicode NFKC: ｋＷｈ is kWh, ㎥ is m3, ㎘ is kl).
@pytest.mark.parametrize("written, reference, expected", [
    ("千kWh", "kWh", "1000"), ("千kWh", "MWh", "1"), ("百万kWh", "GWh", "1"), ("千m3", "m3", "1000"),
    ("千 m3", "m3", "1000"), ("千t", "kg", "1000000"), ("万t", "t", "10000"), ("億kWh", "GWh", "100"),
    ("kL", "L", "1000"), ("KL", "L", "1000"), ("千kL", "kL", "1000"), ("ｋＷｈ", "kWh", "1"), ("ＫＷＨ", "kWh", "1"),
    ("ｍ３", "L", "1000"), ("㎥", "L", "1000"), ("㎘", "L", "1000"), ("ℓ", "L", "1"), ("ｔ", "kg", "1000"),
    ("千Nm3", "Nm3", "1000"), ("千Ｎｍ３", "Nm3", "1000"), ("Nm³", "Nm3", "1"), ("千kWh", "千kWh", "1"),
    ("kWh", "千kWh", "0.001"), ("千tCO2e", "kgCO2e", "1000000"),
])
def test_japanese_spellings(written, reference, expected):
    factor = conversion_factor(written, reference)
    assert factor == Decimal(expected) and is_exact(factor)


def test_a_normal_cubic_metre_is_not_a_metered_cubic_metre():
    # Nm3 is gas at 0 °C and 101.325 kPa; a bill's m3 is at the meter's conditions, which it does not state:
    # read 1:1 they differ by ~5 % (273.15 K against 288.15 K), so the conversion is refused, never guessed.
    for metered in ("m3", "L", "scf"):
        with pytest.raises(UnitProblem, match=f"'Nm3' cannot be converted to '{metered}'"):
            conversion_factor("Nm3", metered)


@pytest.mark.parametrize("written, reference, expected", [
    ("円", "JPY", "1"), ("千円", "JPY", "1000"), ("百万円", "JPY", "1000000"), ("万円", "JPY", "10000"),
    ("千円", "百万円", "0.001"), ("億円", "百万円", "100"), ("千JPY", "JPY", "1000"), ("JPY", "千円", "0.001"),
    ("百万USD", "USD", "1000000"),
])
def test_yen_and_scaled_currencies_convert_within_their_currency(written, reference, expected):
    assert is_currency(written) and conversion_factor(written, reference) == Decimal(expected)


@pytest.mark.parametrize("written, reference", [("千円", "USD"), ("USD", "円"), ("千円", "kg"), ("kWh", "千円")])
def test_a_scaled_currency_never_converts_to_another_currency_or_a_unit(written, reference):
    # exchange rates are data (spend_based's exchange_rates table), never a unit step
    with pytest.raises(UnitProblem, match="does not match"):
        conversion_factor(written, reference)


def test_the_yen_sign_is_refused_as_ambiguous():
    # ¥ is the sign of the yen and of the yuan (元): a ledger must say which
    for written in ("¥", "￥", "千¥"):
        with pytest.raises(UnitProblem, match="ambiguous unit: .*JPY \\(円\\) or CNY"):
            conversion_factor(written, "JPY")


# CO2-equivalent masses as emissions are reported: AWS's MTCO2e is "metric tons of carbon dioxide-equivalent"
# (AWS Data Exports, carbon emissions columns), never a megatonne; Mt in front of CO2e is the SI megatonne.
@pytest.mark.parametrize("written, reference, expected", [
    ("MTCO2e", "kgCO2e", "1000"), ("MTCO2E", "kgCO2e", "1000"), ("tCO2e", "kgCO2e", "1000"),
    ("t CO2e", "kgCO2e", "1000"), ("kg CO2-eq", "kgCO2e", "1"), ("gCO2e", "kgCO2e", "0.001"),
    ("lbsCO2e", "kgCO2e", "0.45359237"), ("MtCO2e", "tCO2e", "1000000"), ("lbs", "kg", "0.45359237"),
])
def test_co2_equivalent_masses(written, reference, expected):
    assert conversion_factor(written, reference) == Decimal(expected)


def test_a_co2_equivalent_mass_is_not_a_mass_of_one_gas():
    # A factor file's unit is the mass of the gas in its `gas` column: kgCO2e there would be weighted twice.
    with pytest.raises(UnitProblem, match="'kgCO2e' cannot be converted to 'kg'"):
        conversion_factor("kgCO2e", "kg")
    with pytest.raises(UnitProblem, match="ambiguous unit: 'MT'"):
        conversion_factor("mtCO2e", "kgCO2e")


def test_energy_conversions_that_do_not_terminate_are_flagged_inexact():
    kwh_to_mmbtu = conversion_factor("kWh", "MMBtu")
    assert not is_exact(kwh_to_mmbtu)
    # 1 kWh = 3.6 MJ; 1 mmBtu = 1,055.05585262 MJ (International Table Btu)
    assert abs(kwh_to_mmbtu * Decimal("1055.05585262") - Decimal("3.6")) < Decimal("1e-50")


@pytest.mark.parametrize("unit, said", [("gal", True), ("Gallons", True), ("US_gal", False), ("US gallons", False)])
def test_a_run_that_converts_an_unqualified_gallon_says_it_read_the_us_gallon(tmp_path, unit, said):
    """`gal` is read as the US gallon, as before; a run whose conversions rely on that says so first and in
    manifest.json, and one that says which gallon says nothing; each computes the same."""
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "1", unit=unit)]}, {"fuels": FUEL_FACTORS})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    note = f"{unit} read as US gallon (3.785411784 L)"
    manifest = json.loads((out / "manifest.json").read_text())
    assert (result.output.splitlines()[0] == note) is said
    assert manifest.get("unit_conventions") == ([note] if said else None)
    assert (out / "summary.csv").read_text().splitlines()[1].endswith(",10.1786316001154400000000,3")   # one US gallon, however said
