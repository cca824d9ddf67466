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
from tanso_ghgp.gwp import gwp_table, normalise_gas

REGISTRY = load_registry()
SHIPPED = {name: s for name, s in REGISTRY.factor_sets.items()
           if name.startswith(("epa_hub_", "ipcc2006_")) or name == "refrigerant_blends"}
FUEL_GASES = ("CO2", "CO2_biogenic", "CH4", "N2O", "CO2e")
# Refrigerant components with no GWP100 in AR4/AR5/AR6 in the globalwarmingpotentials package.
NO_GWP = {"HFO-1234yf", "HFO-1234ze(E)", "propane", "butane", "isobutane", "pentane", "isopentane", "propylene",
          "CH3OCH3"}


def test_packs_are_registered():
    assert set(SHIPPED) >= {"epa_hub_stationary", "epa_hub_stationary_energy", "epa_hub_mobile_co2",
                            "epa_hub_mobile_ch4_n2o", "epa_hub_mobile_ch4_n2o_by_model_year", "epa_hub_egrid",
                            "epa_hub_business_travel", "epa_hub_product_transport", "epa_hub_waste", "ipcc2006_fuel_co2",
                            "refrigerant_blends"}


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
    gases = {g for g, in con.execute(f"SELECT DISTINCT gas FROM {rel}").fetchall()}
    if name == "refrigerant_blends":
        # every component is spelled so that it finds its GWP, or is a known gas without one
        known = set(gwp_table("AR6GWP100"))
        assert {g for g in gases if normalise_gas(g) not in known} <= NO_GWP
    else:
        assert gases <= set(FUEL_GASES)


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
    ("epa_hub_mobile_co2", "fuel = 'ethanol' AND gas = 'CO2_biogenic'", (Decimal("5.75"), "kg", "gallon")),
    ("epa_hub_mobile_co2", "fuel = 'e85' AND gas = 'CO2'", (Decimal("1.317"), "kg", "gallon")),
    ("epa_hub_mobile_co2", "fuel = 'b20' AND gas = 'CO2_biogenic'", (Decimal("1.89"), "kg", "gallon")),
    ("epa_hub_stationary", "fuel = 'wood_and_wood_residuals' AND gas = 'CO2_biogenic'",
     (Decimal("1640"), "kg", "short_ton")),
    # 1640 kg/short ton / 17.48 mmBtu/short ton and 0.025254 kg/scf / 0.000485 mmBtu/scf, 12 decimals
    ("epa_hub_stationary_energy", "fuel = 'wood_and_wood_residuals' AND gas = 'CO2_biogenic'",
     (Decimal("93.821510297483"), "kg", "megaBtu")),
    ("epa_hub_stationary_energy", "fuel = 'landfill_gas' AND gas = 'CO2_biogenic'",
     (Decimal("52.070103092784"), "kg", "megaBtu")),
    ("ipcc2006_fuel_co2", "fuel = 'charcoal' AND gas = 'CO2_biogenic'", (Decimal("111.833333333333"), "kg", "GJ")),
    ("ipcc2006_fuel_co2", "fuel = 'peat' AND gas = 'CO2'", (Decimal("105.966666666667"), "kg", "GJ")),
    ("refrigerant_blends", "refrigerant = 'R-410A' AND gas = 'HFC-32'", (Decimal("0.5"), "kg", "kg")),
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


# --- Biogenic CO2: the invariants scripts/build_factor_packs.py checks (check_biogenic), on the shipped files.
# The build script needs atomic6ghg and bonsai-ipcc, which the test environment lacks; its `--check` (files
# equal a rebuild) is run where they are installed.

FUEL_PACKS = ("epa_hub_stationary", "epa_hub_stationary_energy", "epa_hub_mobile_co2", "ipcc2006_fuel_co2")
# Fuels that are biomass, biogas or biofuel in each pack (EPA: atomic6ghg's StationaryCombustion.non_fossil_fuels
# and MobileSources.non_biomass_co2_fuel_map; IPCC 2006 Vol. 2 Ch. 1 Table 1.1 "Biomass"). Peat is not biomass.
BIOMASS = {
    "epa_hub_stationary": {"wood_and_wood_residuals", "landfill_gas"},
    "epa_hub_stationary_energy": {"wood_and_wood_residuals", "landfill_gas"},
    "epa_hub_mobile_co2": {"ethanol", "biodiesel", "e100", "b100"},
    "ipcc2006_fuel_co2": {"msw_wood", "isw_wood", "black_liquor", "other_prim_solid_biomass", "charcoal",
                          "biogasoline", "biodiesels", "other_liquid_biofuels", "landfill_gas", "sludge_gas",
                          "other_biogas", "msw_biomass"},
}


def rows(name: str) -> list[dict]:
    con = duckdb.connect()
    table = load_factor_set(con, REGISTRY, name, SHIPPED[name].path, {})
    cursor = con.execute(f"SELECT * FROM {table.relation}")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def flag(row) -> bool:
    return str(row["biomass"]).lower() == "true"


@pytest.mark.parametrize("name", FUEL_PACKS)
def test_biomass_fuels_have_biogenic_co2_only(name):
    data = rows(name)
    classified = {r["fuel"] for r in data if flag(r)}
    assert classified == BIOMASS[name]
    assert {str(r["biomass"]).lower() for r in data} <= {"true", "false"}
    fossil_co2_on_biomass = [r["factor_id"] for r in data if r["fuel"] in BIOMASS[name] and r["gas"] == "CO2"]
    assert fossil_co2_on_biomass == []
    # every biomass fuel (and every blend) has a CO2_biogenic factor, and no CO2 factor is zero
    biogenic = {r["fuel"] for r in data if r["gas"] == "CO2_biogenic"}
    blends = {r["fuel"] for r in data if r.get("blend_share") not in (None, "")}
    assert BIOMASS[name] | blends <= biogenic
    assert biogenic <= BIOMASS[name] | blends
    assert [r["factor_id"] for r in data if r["gas"] in ("CO2", "CO2_biogenic") and r["value"] <= 0] == []


def test_no_biomass_named_fuel_is_fossil():
    """A fuel whose name says wood, bio, landfill, sludge, charcoal, ethanol… is classified biomass (or a blend)."""
    pattern = ("wood", "bio", "landfill", "sludge", "charcoal", "liquor", "ethanol")
    for name in FUEL_PACKS:
        for r in rows(name):
            if any(p in r["fuel"] for p in pattern) and r.get("blend_share") in (None, ""):
                assert flag(r), (name, r["factor_id"])


def test_wood_in_megabtu_has_biogenic_factor_close_to_hub_table_1():
    data = {(r["fuel"], r["gas"]): r for r in rows("epa_hub_stationary_energy")}
    wood = data[("wood_and_wood_residuals", "CO2_biogenic")]
    landfill = data[("landfill_gas", "CO2_biogenic")]
    assert ("wood_and_wood_residuals", "CO2") not in data and ("landfill_gas", "CO2") not in data
    # Hub Table 1 prints 93.80 and 52.07 kg CO2/mmBtu; the per-unit factors it also prints are rounded
    assert abs(wood["value"] - Decimal("93.80")) < Decimal("0.03")
    assert abs(landfill["value"] - Decimal("52.07")) < Decimal("0.001")
    assert "1640.0 kg/short_ton" in wood["source"] and "÷ 17.48 mmBtu/short_ton" in wood["source"]
    assert wood["value"] == (Decimal("1640") / Decimal("17.48")).quantize(Decimal("1e-12"))
    assert landfill["value"] == (Decimal("0.025254") / Decimal("0.000485")).quantize(Decimal("1e-12"))


def test_e85_is_exact_volume_share_of_gasoline_and_ethanol():
    data = {(r["fuel"], r["gas"]): r for r in rows("epa_hub_mobile_co2")}
    gasoline, ethanol = data[("gasoline", "CO2")]["value"], data[("ethanol", "CO2_biogenic")]["value"]
    assert data[("e85", "CO2")]["value"] == Decimal("0.15") * gasoline
    assert data[("e85", "CO2_biogenic")]["value"] == Decimal("0.85") * ethanol
    assert data[("e85", "CO2")]["factor_id"] == "EPA-HUB-MOB-E85-CO2"
    assert data[("e85", "CO2_biogenic")]["factor_id"] == "EPA-HUB-MOB-E85-CO2_biogenic"


def test_every_blend_is_its_volume_share():
    data = {(r["fuel"], r["gas"]): r for r in rows("epa_hub_mobile_co2")}
    grades = {"e10", "e15", "e85", "e100", "b2", "b5", "b10", "b20", "b100"}
    assert {f for f, _ in data if data[(f, _)]["blend_share"] not in (None, "")} == grades
    for grade in grades:
        fossil, biofuel = ("gasoline", "ethanol") if grade.startswith("e") else ("diesel", "biodiesel")
        share = Decimal(str(data[(grade, "CO2_biogenic")]["blend_share"]))
        assert share == Decimal(grade[1:]) / 100
        assert data[(grade, "CO2_biogenic")]["value"] == share * data[(biofuel, "CO2_biogenic")]["value"]
        if share == 1:
            assert (grade, "CO2") not in data
        else:
            assert data[(grade, "CO2")]["value"] == (1 - share) * data[(fossil, "CO2")]["value"]


def build_script():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "scripts" / "build_factor_packs.py"
    spec = importlib.util.spec_from_file_location("build_factor_packs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_check_names_pack_factor_and_fuel():
    """check_biogenic (run by the build) refuses fossil CO2 on a biomass fuel and a biomass fuel without
    CO2_biogenic where fossil fuels have CO2."""
    b = build_script()
    pack = b.Pack("p", ["fuel"], ["biomass"])
    common = {"unit": "kg", "per": "gallon"}
    pack.add(factor_id="F-gas-CO2", fuel="gas", gas="CO2", value="1", biomass="false", **common)
    pack.add(factor_id="F-wood-CO2", fuel="wood", gas="CO2", value="2", biomass="true", **common)
    pack.add(factor_id="F-bio-CH4", fuel="bio", gas="CH4", value="2", biomass="true", **common)
    errors = b.check_biogenic([pack])
    assert any("p: F-wood-CO2 (fuel wood): a biomass fuel carries fossil CO2" in e for e in errors)
    assert any("F-bio-CH4 (fuel bio): biomass fuel without a CO2_biogenic factor" in e for e in errors)
    assert any("(fuel wood): biomass fuel without a CO2_biogenic factor" in e for e in errors)
    assert b.check_biogenic([b.Pack("q", ["fuel"], ["biomass"])]) == []


def test_build_refuses_a_blend_not_summing_to_100(tmp_path, monkeypatch):
    b = build_script()
    source = tmp_path / "blends.csv"
    source.write_text("refrigerant,components,mass_percent\nR-434A,R-125/143a/134a/600a,63.2/18.0/16.0/2.6\n")
    monkeypatch.setattr(b, "REFRIGERANT_SOURCE", source)
    monkeypatch.setattr(b, "REPO", tmp_path)
    with pytest.raises(b.BuildError, match=r"R-434A\): mass percentages sum to 99.8, not 100"):
        b.refrigerant_packs()


@pytest.mark.parametrize("gwp_set", ["AR4", "AR5", "AR6"])
def test_every_gas_of_every_pack_has_a_weight(gwp_set):
    """Each gas a shipped pack uses is weighted under every GWP set (biogenic CO2 and non-Kyoto gases at 0,
    outside the scopes), except the HFOs under AR4, which the IPCC's AR4 predates (rows are rejected)."""
    from tanso_ghgp.gwp import gas_weights
    con = duckdb.connect()
    gases = set()
    for name, source in SHIPPED.items():
        table = load_factor_set(con, REGISTRY, name, source.path, {})
        gases |= {row[0] for row in con.execute(f"SELECT DISTINCT gas FROM {table.relation}").fetchall()}
    refrigerants = load_factor_set(con, REGISTRY, "refrigerant_blends", REGISTRY.factor_sets["refrigerant_blends"].path, {})
    gases |= {row[0] for row in con.execute(f"SELECT DISTINCT gas FROM {refrigerants.relation}").fetchall()}
    weighted = gas_weights(gwp_set, sorted(gases - {"CO2e"})).weights
    missing = gases - {"CO2e"} - set(weighted)
    assert missing == ({"HFO-1234yf", "HFO-1234ze(E)"} if gwp_set == "AR4" else set())
