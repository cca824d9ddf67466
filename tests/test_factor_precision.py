"""Effective factors keep every significant digit of a published factor times an exact unit multiplier;
where a conversion does not terminate they keep at least 12, and the manifest says which were rounded.
Gases outside the scopes (biogenic CO2, non-Kyoto gases) keep their mass and add no CO2e."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import FUEL_INPUT, fuel_row, ledger, make_case, rejects, total_kg
from tanso_ghgp.gwp import GWP_SETS, gas_weights, gwp_table

D = Decimal
LB = D("0.45359237")

GRID_RULESET = f"""\
ruleset precision
set gwp.set = AR5
{FUEL_INPUT}
factors fuels "per-gas factors" file "factors/fuels.csv"
rule s1.fuel "Fuel"
  scope 1
  from fuel_use
  calc fuel_combustion(factors: fuels)
"""


def _case(tmp_path, factors, rows):
    return make_case(tmp_path, GRID_RULESET, {"fuel_use": rows}, {"fuels": factors})


def _by_gas(result):
    return {row["gas"]: row for row in ledger(result)}


def test_a_tiny_factor_keeps_every_digit(tmp_path):
    """0.002 lb N2O per MWh is 9.0718474e-7 kg per kWh: 14 decimals, all kept (at 12, 9.07185e-7)."""
    factors = [{"factor_id": "GRID-N2O", "fuel": "grid", "gas": "N2O", "value": "0.002", "unit": "lb", "per": "MWh"}]
    result = _case(tmp_path, factors, [fuel_row("E1", "123456.789", unit="kWh", fuel="grid")]).run()
    row = _by_gas(result)["N2O"]
    assert row["amount"] == D("123456.789") * D("0.002") * LB / 1000
    assert row["co2e_kg"] == D("123456.789") * D("0.002") * LB / 1000 * 265
    precision = result.manifest["rules"]["s1.fuel"]["effective_factors"]
    assert precision == [{"calculator": "fuel_combustion", "factor_set": "fuels", "scale": 14, "effective_factors": 1,
                          "rounded": [], "rounded_count": 0}]


def test_factors_exact_at_twelve_decimals_stay_at_twelve(tmp_path):
    factors = [{"factor_id": "D-CO2", "fuel": "diesel", "gas": "CO2", "value": "2.68", "unit": "kg", "per": "l"}]
    result = _case(tmp_path, factors, [fuel_row("F1", "100")]).run()
    assert result.manifest["rules"]["s1.fuel"]["effective_factors"][0]["scale"] == 12
    assert _by_gas(result)["CO2"]["amount"] == D("268")


def test_natural_gas_in_kwh_against_a_per_mmbtu_factor_is_computed_to_twelve_significant_digits(tmp_path):
    """kWh → mmBtu does not terminate (3.6 / 1055.05585262): the effective factor is rounded half-even at
    18 decimals, so 0.1 g N2O/mmBtu becomes 3.41214163313e-7 kg/kWh (12 digits) — and the manifest says so.
    Before, the whole key was refused with a message about the conversion."""
    factors = [{"factor_id": "NG-CO2", "fuel": "natural_gas", "gas": "CO2", "value": "53.06", "unit": "kg",
                "per": "megaBtu"},
               {"factor_id": "NG-N2O", "fuel": "natural_gas", "gas": "N2O", "value": "0.1", "unit": "g",
                "per": "megaBtu"}]
    result = _case(tmp_path, factors, [fuel_row("G1", "1000000", unit="kWh", fuel="natural_gas")]).run()
    assert rejects(result) == []
    kwh_per_mmbtu = D("1055.05585262") / D("3.6")
    rows = _by_gas(result)
    assert abs(rows["CO2"]["amount"] - D(1000000) * D("53.06") / kwh_per_mmbtu) < D("1e-9")
    assert abs(rows["N2O"]["amount"] - D(1000000) * D("0.0001") / kwh_per_mmbtu) < D("1e-12")
    precision = result.manifest["rules"]["s1.fuel"]["effective_factors"][0]
    assert precision["scale"] == 18 and precision["rounded_count"] == 3  # CO2 once (CO2e equal), N2O twice
    n2o = next(r for r in precision["rounded"] if r["gas"] == "N2O")
    assert n2o["from_unit"] == "kWh" and n2o["significant_digits"] >= 12
    assert D(n2o["relative_error"]) < D("5e-12")
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest["rules"]["s1.fuel"]["effective_factors"][0]["rounded_count"] == 3


def test_a_factor_that_eighteen_decimals_cannot_carry_is_refused_naming_the_number(tmp_path):
    """1e-12 g per kWh in GWh is 1e-12 kg per GWh... and 1e-12 g per GWh in kWh is 1e-21 kg: nothing left."""
    factors = [{"factor_id": "TINY", "fuel": "x", "gas": "CO2", "value": "0.000000000001", "unit": "g", "per": "GWh"}]
    result = _case(tmp_path, factors, [fuel_row("X1", "5", unit="kWh", fuel="x")]).run()
    [reject] = rejects(result)
    assert "factor TINY (1E-12 g/GWh) is 1.000000e-21 kg per kWh" in reject["reason"]
    assert "state the activity in a unit closer to GWh" in reject["reason"]


def test_the_effective_factor_rounds_half_even_and_the_ledger_keeps_18_decimals(tmp_path):
    """A factor needing more than 18 decimals on an exact conversion: the effective factor is rounded
    half-even at 18 decimals, and the product half-even to the ledger's 18: each at most half a unit of
    the 18th decimal, so the amount is within 3 × 0.5e-18 + 0.5e-18 of the exact product."""
    factors = [{"factor_id": "F", "fuel": "f", "gas": "CO2", "value": "0.000123456789", "unit": "g", "per": "l"}]
    result = _case(tmp_path, factors, [fuel_row("F1", "3", unit="gal", fuel="f")]).run()
    row = _by_gas(result)["CO2"]
    exact = D("3") * D("0.000123456789") * D("3.785411784") / 1000
    assert abs(row["amount"] - exact) <= D("2e-18")
    assert row["amount"] == row["amount"].quantize(D("1e-18"))


# ------------------------------------------------------------------------- gases outside the scopes

def test_biogenic_co2_and_non_kyoto_gases_keep_their_mass_and_add_no_co2e(tmp_path):
    factors = [
        {"factor_id": "WOOD-CO2B", "fuel": "wood", "gas": "CO2_biogenic", "value": "1640", "unit": "kg",
         "per": "short_ton"},
        {"factor_id": "WOOD-CH4", "fuel": "wood", "gas": "CH4", "value": "126", "unit": "g", "per": "short_ton"},
        {"factor_id": "R22", "fuel": "r22", "gas": "HCFC-22", "value": "1", "unit": "kg", "per": "kg"},
        {"factor_id": "R600A", "fuel": "r600a", "gas": "isobutane", "value": "1", "unit": "kg", "per": "kg"},
    ]
    rows = [fuel_row("W1", "31.6", unit="short tons", fuel="wood"), fuel_row("R1", "2", unit="kg", fuel="r22"),
            fuel_row("R2", "1", unit="kg", fuel="r600a")]
    result = _case(tmp_path, factors, rows).run()
    by_factor = {row["factor_id"]: row for row in ledger(result)}
    assert by_factor["WOOD-CO2B"]["amount"] == D("31.6") * 1640 and by_factor["WOOD-CO2B"]["co2e_kg"] == 0
    assert by_factor["R22"]["amount"] == 2 and by_factor["R22"]["co2e_kg"] == 0
    assert "not a Kyoto gas" in by_factor["R22"]["gwp"] and "biogenic" in by_factor["WOOD-CO2B"]["gwp"]
    assert by_factor["R600A"]["co2e_kg"] == 0
    assert total_kg(result) == D("31.6") * D("0.126") * 28


# ------------------------------------------------------------------------- GWPs

AR4_TABLE_2_14 = {"HFC41": 92, "HFC134": 1100, "HFC143": 353, "HFC152": 53, "HFC161": 12, "HFC236CB": 1340,
                  "HFC236EA": 1370, "HFC245CA": 693}


def test_ar4_has_the_hfcs_the_package_lacks_and_they_equal_the_epa_ar4_table():
    atomic = pytest.importorskip("atomic6ghg.factors")
    table = gwp_table(GWP_SETS["AR4"])
    for gas, value in AR4_TABLE_2_14.items():
        assert table[gas] == value
        assert atomic.refrigerants_gwp_factors[gas.lower()] == value


def test_supplemented_weights_say_where_they_come_from():
    weights = gas_weights("AR4", ["HFC-245ca", "HFC-134a"])
    assert weights.weights["HFC-245ca"] == 693
    assert weights.describe("HFC-245ca").endswith("HFC-245ca=693 (IPCC AR4 WG1 Table 2.14)")
    assert "HFC-134a" not in weights.notes and weights.describe("HFC-134a").endswith("HFC-134a=1430")
    ar5 = gas_weights("AR5", ["HFO-1234yf"])
    assert ar5.weights["HFO-1234yf"] == 1 and "upper bound" in ar5.describe("HFO-1234yf")


def test_every_hfc_has_a_weight_in_every_gwp_set():
    for gwp_set, column in GWP_SETS.items():
        table = gwp_table(column)
        missing = [gas for gas in gwp_table("AR5GWP100") if gas.startswith("HFC") and gas not in table]
        assert missing == [], gwp_set


def test_a_rule_with_eighteen_decimal_factors_keeps_the_ledgers_range(tmp_path):
    """A factor past 12 decimals in the rule must not shrink a row's range: 2e9 TJ of gas at 56.1 kg/GJ is
    1.122e14 kg, computed exactly beside a row whose factor needs 18 decimals (found by the IPCC differential)."""
    factors = [{"factor_id": "NG", "fuel": "natural_gas", "gas": "CO2", "value": "56.1", "unit": "kg", "per": "GJ"},
               {"factor_id": "DO", "fuel": "diesel", "gas": "CO2", "value": "74.066666666667", "unit": "kg",
                "per": "GJ"}]
    rows = [fuel_row("A", "1", unit="MMBtu", fuel="diesel"), fuel_row("B", "2000000000", unit="TJ", fuel="natural_gas")]
    result = _case(tmp_path, factors, rows).run()
    assert result.manifest["rules"]["s1.fuel"]["effective_factors"][0]["scale"] == 18
    by_row = {row["row_id"]: row for row in ledger(result)}
    assert by_row["B"]["amount"] == D("2000000000") * 1000 * D("56.1")
    mmbtu_in_gj = D("1.05505585262")
    assert abs(by_row["A"]["amount"] - mmbtu_in_gj * D("74.066666666667")) <= D("1e-18")
