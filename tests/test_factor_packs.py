"""The factor packs shipped by tanso_ghgp (built by scripts/build_factor_packs.py) load, are unique per
(match keys, gas), carry provenance, hold the source's values, and can be named in a ruleset."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from conftest import FUEL_INPUT, fetch, make_case
from tanso.plugins import load_registry
from tanso.run.inputs import load_factor_set
from tanso_ghgp.factor_sets import match_columns

REGISTRY = load_registry()
SHIPPED = {name: s for name, s in REGISTRY.factor_sets.items() if name.startswith(("epa_hub_", "ipcc2006_"))}


def test_packs_are_registered():
    assert set(SHIPPED) >= {"epa_hub_stationary", "epa_hub_stationary_energy", "epa_hub_mobile_co2",
                            "epa_hub_mobile_ch4_n2o", "epa_hub_mobile_ch4_n2o_by_model_year", "epa_hub_egrid",
                            "epa_hub_business_travel", "epa_hub_product_transport", "epa_hub_waste", "ipcc2006_fuel_co2"}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_pack_loads_and_is_consistent(name):
    source = SHIPPED[name]
    assert source.path.exists() and source.path.stat().st_size < 1_000_000
    con = duckdb.connect()
    table = load_factor_set(con, REGISTRY, name, source.path, {"version": source.version})
    assert table.version == source.version and table.publisher == source.publisher
    keys = match_columns(name)
    assert set(keys) <= set(table.columns)
    rel = table.relation
    n, = con.execute(f"SELECT count(*) FROM {rel}").fetchone()
    assert n > 0
    blank = con.execute(f"SELECT count(*) FROM {rel} WHERE coalesce(publisher, '') = '' OR coalesce(edition, '') = '' "
                        f"OR coalesce(licence, '') = '' OR coalesce(source, '') = '' OR coalesce(version, '') = '' "
                        f"OR value IS NULL OR {' OR '.join(f'{k} IS NULL' for k in keys)}").fetchone()[0]
    assert blank == 0
    assert con.execute(f"SELECT DISTINCT publisher, edition, licence, version FROM {rel}").fetchall() == [
        (source.publisher, source.edition, source.licence, source.version)]
    duplicates = con.execute(f"SELECT {', '.join(keys)}, gas, count(*) FROM {rel} GROUP BY ALL HAVING count(*) > 1"
                             ).fetchall()
    assert duplicates == []
    # one `per` unit per key, so an activity unit converts for every gas of the key
    assert con.execute(f"SELECT {', '.join(keys)} FROM {rel} GROUP BY ALL HAVING count(DISTINCT per) > 1").fetchall() == []
    assert con.execute(f"SELECT count(*) FROM {rel} WHERE gas NOT IN ('CO2', 'CH4', 'N2O', 'CO2e')").fetchone()[0] == 0


def value(name: str, where: str) -> tuple:
    con = duckdb.connect()
    table = load_factor_set(con, REGISTRY, name, SHIPPED[name].path, {})
    return con.execute(f"SELECT value, unit, per FROM {table.relation} WHERE {where}").fetchone()


@pytest.mark.parametrize("name, where, expected", [
    # EPA Hub Table 1 (well-known values) and the atomic6ghg JSON they were read from
    ("epa_hub_stationary_energy", "fuel = 'natural_gas' AND gas = 'CO2'", (Decimal("53.06"), "kg", "megaBtu")),
    ("epa_hub_stationary", "fuel = 'distillate_fuel_oil_no2' AND gas = 'CO2'", (Decimal("10.21"), "kg", "gallon")),
    ("epa_hub_stationary", "fuel = 'natural_gas' AND gas = 'CO2'", (Decimal("0.05444"), "kg", "scf")),
    ("epa_hub_stationary", "fuel = 'anthracite_coal' AND gas = 'CH4'", (Decimal("276"), "g", "short_ton")),
    ("epa_hub_stationary", "fuel = 'landfill_gas' AND gas = 'CH4'", (Decimal("0.001552"), "g", "scf")),
    ("epa_hub_mobile_co2", "fuel = 'gasoline'", (Decimal("8.78"), "kg", "gallon")),
    ("epa_hub_egrid", "egrid_subregion = 'CAMX' AND gas = 'CO2'", (Decimal("531.7"), "lb", "MWh")),
    ("epa_hub_egrid", "egrid_subregion = 'RFCE' AND gas = 'N2O'", (Decimal("0.007"), "lb", "MWh")),
    ("epa_hub_business_travel", "mode = 'short_haul' AND gas = 'CO2'", (Decimal("0.207"), "kg", "mile")),
    ("epa_hub_product_transport", "mode = 'medium_and_heavy_duty_truck' AND basis = 'ton_mile' AND gas = 'CO2'",
     (Decimal("0.17"), "kg", "short_ton*mile")),
    ("epa_hub_waste", "waste_type = 'corrugated_containers' AND treatment = 'landfilled'", (Decimal("0.9"), "t", "short_ton")),
    ("epa_hub_mobile_ch4_n2o_by_model_year", "vehicle_type = 'passenger_cars' AND fuel = 'gasoline' "
     "AND model_year = '1973' AND gas = 'CH4'", (Decimal("0.1696"), "g", "mile")),
    ("epa_hub_mobile_ch4_n2o", "vehicle_type = 'ships_and_boats' AND fuel = 'diesel' AND gas = 'CH4'",
     (Decimal("6.41"), "g", "gallon")),
    # IPCC 2006 Vol. 2 Table 1.3: natural gas 15.3 kg C/GJ → 56.1 kg CO2/GJ (Table 1.4: 56 100 kg/TJ)
    ("ipcc2006_fuel_co2", "fuel = 'natural_gas'", (Decimal("56.1"), "kg", "GJ")),
    ("ipcc2006_fuel_co2", "fuel = 'gas_diesel_oil'", (Decimal("74.066666666667"), "kg", "GJ")),
])
def test_spot_values(name, where, expected):
    assert value(name, where) == expected


def test_values_match_source_json():
    """Every eGRID value equals the atomic6ghg JSON read as exact decimals (skipped without atomic6ghg)."""
    json_module = pytest.importorskip("json")
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("atomic6ghg")
    source = resources.files("atomic6ghg") / "factors" / "source_data" / "electricity_emission_factors.json"
    data = json_module.loads(source.read_text(), parse_float=Decimal, parse_int=Decimal)
    con = duckdb.connect()
    table = load_factor_set(con, REGISTRY, "epa_hub_egrid", SHIPPED["epa_hub_egrid"].path, {})
    shipped = {(r, g): v for r, g, v in con.execute(f"SELECT egrid_subregion, gas, value FROM {table.relation}").fetchall()}
    expected = {(region.upper(), gas.upper()): v for region, gases in data.items() for gas, v in gases.items()}
    assert shipped == expected


def test_ruleset_uses_shipped_set_by_name(tmp_path):
    case = make_case(tmp_path, f"""\
        ruleset shipped "uses a shipped factor set"
        set gwp.set = AR5
        {FUEL_INPUT.replace(chr(10), chr(10) + '        ')}
        rule s1.stationary "Stationary combustion"
          scope 1
          from fuel_use
          calc fuel_combustion(factors: epa_hub_stationary)
        """, {"fuel_use": [
        {"row_id": 1, "entity": "e", "period": "2024", "fuel": "distillate_fuel_oil_no2", "use": "s",
         "quantity": "100", "unit": "gallon"},
        {"row_id": 2, "entity": "e", "period": "2024", "fuel": "natural_gas", "use": "s",
         "quantity": "1000", "unit": "scf"}]})
    result = case.run()
    assert fetch(result, "run_rejects") == []
    ledger = {r["factor_id"]: r for r in fetch(result, "run_ledger")}
    assert Decimal(ledger["EPA-HUB-STAT-distillateFuelOilNo2-CO2"]["amount"]) == Decimal("1021")
    assert Decimal(ledger["EPA-HUB-STAT-naturalGas-CO2"]["amount"]) == Decimal("54.44")
    assert ledger["EPA-HUB-STAT-naturalGas-CH4"]["factor_set"] == "epa_hub_stationary"
    assert ledger["EPA-HUB-STAT-naturalGas-CH4"]["factor_version"] == "atomic6ghg-1.1.1"
