"""Loaders for publisher layouts, on small HAND-MADE files in those layouts (tests/data/loaders/).

The values in those files are typed by hand for the tests; they are not copied from the publishers.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FUEL_INPUT, fetch, make_case
from tanso_io.loaders import LoaderError, convert

DATA = Path(__file__).parent / "data" / "loaders"


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def by(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}


def test_desnz_flat(tmp_path):
    result = convert(DATA / "desnz_flat_2024_handmade.csv", "desnz_flat", tmp_path / "desnz.csv")
    rows = by(read(result.out_path), "desnz_key", "uom")
    assert result.match == ["desnz_key", "uom"] and result.rows == 7
    gas_m3 = rows[("Fuels > Gaseous fuels > Natural gas", "cubic metres")]
    assert (Decimal(gas_m3["value"]), gas_m3["gas"], gas_m3["unit"], gas_m3["per"]) == (Decimal("2.04542"), "CO2e", "kg", "m**3")
    assert rows[("Fuels > Gaseous fuels > Natural gas", "kWh (Net CV)")]["value"] == "0.20270"
    assert rows[("Fuels > Liquid fuels > Diesel (average biofuel blend)", "litres")]["per"] == "l"
    tonnes = rows[("Fuels > Liquid fuels > Diesel (average biofuel blend)", "tonnes")]
    assert (tonnes["value"], tonnes["per"]) == ("3018.79", "tonne")
    assert rows[("UK electricity > Electricity generated > Electricity: UK", "kWh")]["per"] == "kWh"
    assert gas_m3["edition"] == "GHG conversion factors 2024 (flat file)"
    assert gas_m3["publisher"].startswith("UK DESNZ") and "Open Government Licence" in gas_m3["licence"]
    assert gas_m3["source"] == "desnz_flat_2024_handmade.csv row 4 (ID 1001), column 'GHG Conversion Factor 2024'"
    assert len(gas_m3["version"]) == 12
    # the per-gas split (CO2e of CO2) and an unmapped UOM are skipped, and said so
    assert any("kg CO2e of CO2 per unit" in s for s in result.skipped)
    assert any("Room per night" in s for s in result.skipped)
    # bioenergy: the CH4/N2O part counts in Scope 1, the biogenic CO2 is outside the scopes
    assert rows[("Bioenergy > Biofuel > Biodiesel ME", "litres")]["gas"] == "CO2e"
    outside = rows[("Outside of Scopes > Biofuel > Biodiesel ME", "litres")]
    assert (outside["gas"], outside["value"], outside["scope"]) == ("CO2_biogenic", "2.40000", "Outside of Scopes")


def test_desnz_overrides(tmp_path):
    result = convert(DATA / "desnz_flat_2024_handmade.csv", "desnz_flat", tmp_path / "d.csv", publisher="P",
                     edition="E", licence="L", version="v9")
    row = read(result.out_path)[0]
    assert (row["publisher"], row["edition"], row["licence"], row["version"]) == ("P", "E", "L", "v9")


def test_epa_hub_table1(tmp_path):
    result = convert(DATA / "epa_hub_2024_table1_handmade.csv", "epa_hub_stationary", tmp_path / "hub.csv")
    rows = by(read(result.out_path), "fuel", "gas")
    assert result.rows == 15
    co2 = rows[("Natural Gas", "CO2")]
    # the Hub's biomass sections: CO2 is biogenic, CH4 and N2O count
    wood = rows[("Wood and Wood Residuals", "CO2_biogenic")]
    assert (wood["value"], wood["biomass"], wood["fuel_category"]) == ("93.80", "true", "Biomass Fuels - Solid")
    assert ("Wood and Wood Residuals", "CO2") not in rows and rows[("Landfill Gas", "CO2_biogenic")]["value"] == "52.07"
    assert rows[("Landfill Gas", "CH4")]["gas"] == "CH4" and co2["biomass"] == "false"
    assert (Decimal(co2["value"]), co2["unit"], co2["per"]) == (Decimal("53.06"), "kg", "megaBtu")
    assert (rows[("Natural Gas", "N2O")]["value"], rows[("Natural Gas", "N2O")]["unit"]) == ("0.10", "g")
    assert rows[("Anthracite Coal", "CH4")]["fuel_category"] == "Coal and Coke"
    assert co2["edition"] == "GHG Emission Factors Hub 2024" and co2["publisher"] == "US EPA (GHG Emission Factors Hub)"
    assert "public domain" in co2["licence"].lower()
    assert co2["source"].startswith("epa_hub_2024_table1_handmade.csv row 8, column 'CO2 Factor (kg CO2 per mmBtu)'")
    units = by(read(convert(DATA / "epa_hub_2024_table1_handmade.csv", "epa_hub_stationary", tmp_path / "u.csv",
                            basis="unit").out_path), "fuel", "gas")
    diesel = units[("Distillate Fuel Oil No. 2", "CO2")]
    assert (Decimal(diesel["value"]), diesel["per"]) == (Decimal("10.21"), "gallon")
    assert units[("Natural Gas", "CH4")]["per"] == "scf" and units[("Anthracite Coal", "CO2")]["per"] == "short_ton"


def test_useeio(tmp_path):
    result = convert(DATA / "SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022_handmade.csv", "useeio",
                     tmp_path / "useeio.csv")
    rows = by(read(result.out_path), "naics_code")
    steel = rows[("331110",)]
    assert (Decimal(steel["value"]), steel["gas"], steel["unit"], steel["per"]) == (Decimal("1.065"), "CO2e", "kg", "USD")
    assert steel["currency_year"] == "2022" and steel["price_basis"] == "purchaser"
    assert steel["edition"] == "Supply Chain GHG Emission Factors v1.3.0, 2022 USD, purchaser price"
    # more than 12 decimals: rounded half-even, and the source says so
    software = rows[("541511",)]
    assert software["value"] == "0.09023456789" and "rounded half-even" in software["source"]
    producer = by(read(convert(DATA / "SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022_handmade.csv",
                               "useeio", tmp_path / "p.csv", margins=False).out_path), "naics_code")
    assert producer[("331110",)]["value"] == "1.019" and producer[("331110",)]["price_basis"] == "producer"


def test_japan_grid(tmp_path):
    with pytest.raises(LoaderError, match="edition"):
        convert(DATA / "japan_grid_r5_handmade.csv", "japan_grid", tmp_path / "jp.csv")
    result = convert(DATA / "japan_grid_r5_handmade.csv", "japan_grid", tmp_path / "jp.csv", edition="R5 (FY2022 results)")
    rows = by(read(result.out_path), "supplier", "menu")
    test_power = rows[("テスト電力株式会社", "-")]
    assert (Decimal(test_power["value"]), test_power["gas"], test_power["unit"], test_power["per"]) == (
        Decimal("0.000441"), "CO2", "t", "kWh")
    assert rows[("Example Green Power K.K.", "-")]["value"] == "0.000512"
    assert test_power["registration_number"] == "A0001" and test_power["edition"] == "R5 (FY2022 results)"
    adjusted = by(read(convert(DATA / "japan_grid_r5_handmade.csv", "japan_grid", tmp_path / "a.csv",
                               edition="R5", factor="adjusted").out_path), "supplier", "menu")
    assert adjusted[("テスト電力株式会社", "メニューA")]["value"] == "0.000000"
    assert adjusted[("テスト電力株式会社", "-")]["value"] == "0.000433"


def test_japan_grid_for_the_ssbj_shk_rules(tmp_path):
    # one menu per supplier (the rules match the retailer alone), and the national average per area
    whole = read(convert(DATA / "japan_grid_r5_handmade.csv", "japan_grid", tmp_path / "w.csv", edition="R5",
                         menu="-").out_path)
    assert [(r["supplier"], r["menu"], r["value"]) for r in whole] == [
        ("テスト電力株式会社", "-", "0.000441"), ("Example Green Power K.K.", "-", "0.000512")]
    national = by(read(convert(DATA / "japan_grid_r5_handmade.csv", "japan_grid", tmp_path / "n.csv", edition="R5",
                               factor="national").out_path), "grid_region")
    assert len(national) == 10 and national[("JP-TOKYO",)]["value"] == "0.000434"
    assert national[("JP-OKINAWA",)]["unit"] == "t" and national[("JP-OKINAWA",)]["per"] == "kWh"


def test_unknown_layout(tmp_path):
    with pytest.raises(LoaderError, match="unknown layout"):
        convert(DATA / "japan_grid_r5_handmade.csv", "nope", tmp_path / "x.csv")


def _run(tmp_path, converted: str, rule: str, input_text: str, rows: list[dict]):
    case = make_case(tmp_path, f"""\
        ruleset loaded "converted factors"
        {input_text}
        factors conv file "factors/conv.csv"
        {rule}
        """, {"activity": rows})
    (case.data / "factors").mkdir(exist_ok=True)
    Path(case.data / "factors" / "conv.csv").write_bytes(Path(converted).read_bytes())
    result = case.run()
    return fetch(result, "run_ledger"), fetch(result, "run_rejects")


def test_desnz_converted_file_evaluates(tmp_path):
    out = convert(DATA / "desnz_flat_2024_handmade.csv", "desnz_flat", tmp_path / "desnz.csv").out_path
    ledger, rejects = _run(tmp_path / "case", out, """\
rule s1.fuels "Fuels"
          scope 1
          from activity
          calc activity(factors: conv, match: [desnz_key, uom])""",
        "input activity\n  key row_id\n  columns desnz_key: text, uom: text, quantity: decimal(18,6), unit: text",
        [{"row_id": 1, "desnz_key": "Fuels > Liquid fuels > Diesel (average biofuel blend)", "uom": "litres",
          "quantity": "1000", "unit": "l"},
         {"row_id": 2, "desnz_key": "Fuels > Gaseous fuels > Natural gas", "uom": "kWh (Net CV)",
          "quantity": "2", "unit": "MWh"}])
    assert rejects == []
    co2e = {row["row_id"] if "row_id" in row else None: row["co2e_kg"] for row in ledger}
    assert sorted(Decimal(v) for v in co2e.values()) == [Decimal("405.4"), Decimal("2512.79")]


def test_epa_hub_converted_file_evaluates_with_fuel_combustion(tmp_path):
    out = convert(DATA / "epa_hub_2024_table1_handmade.csv", "epa_hub_stationary", tmp_path / "hub.csv",
                  basis="unit").out_path
    case = make_case(tmp_path / "case", f"""\
        ruleset hub "converted EPA Hub"
        set gwp.set = AR5
        {FUEL_INPUT.replace(chr(10), chr(10) + '        ')}
        factors conv file "factors/conv.csv"
        rule s1.stationary "Stationary"
          scope 1
          from fuel_use
          calc fuel_combustion(factors: conv)
        """, {"fuel_use": [{"row_id": 1, "entity": "e", "period": "2024", "fuel": "Natural Gas", "use": "stationary",
                            "quantity": "1000", "unit": "scf"}]})
    Path(case.data / "factors").mkdir(exist_ok=True)
    (case.data / "factors" / "conv.csv").write_bytes(out.read_bytes())
    result = case.run()
    ledger = {row["gas"]: row for row in fetch(result, "run_ledger")}
    assert fetch(result, "run_rejects") == []
    assert Decimal(ledger["CO2"]["amount"]) == Decimal("54.44")
    # CH4 0.00103 g/scf × 1000 scf = 1.03 g = 0.00103 kg, × AR5 28
    assert Decimal(ledger["CH4"]["co2e_kg"]) == Decimal("0.00103") * 28
