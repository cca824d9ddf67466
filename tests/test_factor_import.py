"""Factor databases users already have, read as published: the Japanese MoE emission-intensity
database, the DESNZ flat file and the EPA Hub workbook (.xlsx), each on a small workbook in its layout
(tests/factor_workbooks.py). A malformed variant — a missing sheet, a missing column, a factor that
is not a number — is refused naming file, sheet, row and column; a header moved down and right is
still found. `tanso factors import` writes a factor set with provenance per factor, which a ruleset
then evaluates (the round trip)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ledger, make_case
from factor_workbooks import (DESNZ_ROWS, DESNZ_SHEET, EPA_TABLE_1, MOE_HEADER, MOE_ROWS, MOE_SHEET, desnz_workbook,
                              epa_workbook, moe_workbook)
from tanso.cli import main
from tanso_io.loaders import LoaderError, convert


def read(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["factor_id"]: row for row in csv.DictReader(handle)}


def by(rows: dict[str, dict[str, str]], *keys: str) -> dict[tuple, dict[str, str]]:
    return {tuple(row[k] for k in keys): row for row in rows.values()}


def test_moe_database_per_yen_at_purchaser_price(tmp_path):
    book = moe_workbook(tmp_path / "moe_idb.xlsx")
    result = convert(book, "moe-idb", tmp_path / "moe.csv")
    rows = by(read(result.out_path), "sector")
    assert result.match == ["sector"] and result.rows == 5
    steel = rows[("2611",)]
    # 5.43 t-CO2eq per million yen = 0.00543 kg per yen, exactly
    assert (steel["value"], steel["unit"], steel["per"], steel["gas"]) == ("0.00543", "kg", "JPY", "CO2e")
    assert (steel["sector_name"], steel["published_value"], steel["published_as"]) == ("銑鉄・粗鋼", "5.43",
                                                                                        "t-CO2eq/百万円")
    assert steel["source"] == (f"moe_idb.xlsx sheet '{MOE_SHEET}' row 7, column F '金額ベース 購入者価格ベース"
                               f"（t-CO2eq/百万円）': 5.43 t-CO2eq per million yen = 0.00543 kg per yen")
    assert steel["edition"] == f"排出原単位データベース Ver.3.4, sheet '{MOE_SHEET}', per yen (購入者価格, purchaser price)"
    assert "環境省" in steel["publisher"] and "CC BY 4.0" in steel["licence"] and "PDL1.0" in steel["licence"]
    assert len(steel["version"]) == 12


def test_moe_database_at_producer_price_and_per_physical_unit(tmp_path):
    book = moe_workbook(tmp_path / "moe_idb.xlsx")
    producer = convert(book, "moe_idb", tmp_path / "p.csv", price="producer")
    rows = by(read(producer.out_path), "sector")
    assert rows[("0111",)]["value"] == "0.0021" and rows[("0111",)]["price_basis"] == "producer"
    assert ("6811",) not in rows and "row 10: no factor for '情報サービス'" in producer.skipped
    physical = convert(book, "moe-idb", tmp_path / "q.csv", basis="physical")
    rows = by(read(physical.out_path), "sector")
    assert set(rows) == {("0111",), ("2611",)}   # the sectors with a physical unit
    assert (rows[("2611",)]["value"], rows[("2611",)]["unit"], rows[("2611",)]["per"]) == ("2.05", "t", "tonne")
    assert "row 8: no factor for '電子部品'" in physical.skipped


def test_moe_database_malformed_variants_are_refused_naming_the_place(tmp_path):
    with pytest.raises(LoaderError, match=r"no header row with columns .* in any sheet \(it has: 表紙\)"):
        convert(moe_workbook(tmp_path / "a.xlsx", sheet=False), "moe-idb", tmp_path / "a.csv")
    with pytest.raises(LoaderError, match=f"no sheet '5'; the workbook has: 表紙, {MOE_SHEET}"):
        convert(moe_workbook(tmp_path / "b.xlsx"), "moe-idb", tmp_path / "b.csv", sheet="5")
    no_price = moe_workbook(tmp_path / "c.xlsx", header=MOE_HEADER[:5], rows=[r[:5] for r in MOE_ROWS])
    with pytest.raises(LoaderError, match=rf"c.xlsx sheet '{MOE_SHEET}' row 5: no column matching \.\*購入者\.\*"):
        convert(no_price, "moe-idb", tmp_path / "c.csv")
    bad = [*MOE_ROWS[:2], ["3311", "電子部品", "-", "-", 2.2, "2.8（暫定）"]]
    with pytest.raises(LoaderError) as error:
        convert(moe_workbook(tmp_path / "d.xlsx", rows=bad), "moe-idb", tmp_path / "d.csv")
    assert str(error.value) == (f"d.xlsx sheet '{MOE_SHEET}' row 8, column F '金額ベース 購入者価格ベース（t-CO2eq/百万円）': "
                                f"'2.8（暫定）' is not a number")


@pytest.mark.parametrize("value, shown", [("#N/A", "'#N/A'"),
                                          ("=E8*1.1", "'=E8*1.1 (a formula whose value the workbook does not have)'")])
def test_a_factor_cell_holding_an_excel_error_or_an_unsaved_formula_is_refused_not_read_as_unpublished(
        tmp_path, value, shown):
    """calamine reads both as empty, which a factor column would take for 'this publisher gives none'."""
    bad = [*MOE_ROWS[:2], ["3311", "電子部品", "-", "-", 2.2, value]]
    with pytest.raises(LoaderError) as error:
        convert(moe_workbook(tmp_path / "e.xlsx", rows=bad), "moe-idb", tmp_path / "e.csv")
    assert str(error.value) == (f"e.xlsx sheet '{MOE_SHEET}' row 8, column F '金額ベース 購入者価格ベース（t-CO2eq/百万円）': "
                                f"{shown} is not a number")


def test_moe_database_header_moved_down_and_right_is_still_found(tmp_path):
    result = convert(moe_workbook(tmp_path / "moved.xlsx", moved=True), "moe-idb", tmp_path / "m.csv")
    steel = by(read(result.out_path), "sector")[("2611",)]
    assert steel["value"] == "0.00543" and steel["source"].startswith(f"moved.xlsx sheet '{MOE_SHEET}' row 10, column H ")


def test_desnz_flat_file_as_published(tmp_path):
    result = convert(desnz_workbook(tmp_path / "ghg-conversion-factors-2024-flat-format.xlsx"), "desnz-flat",
                     tmp_path / "desnz.csv")
    rows = by(read(result.out_path), "desnz_key", "uom")
    gas = rows[("Fuels > Gaseous fuels > Natural gas", "cubic metres")]
    assert (gas["value"], gas["unit"], gas["per"], gas["gas"]) == ("2.04542", "kg", "m**3", "CO2e")
    assert gas["source"] == (f"ghg-conversion-factors-2024-flat-format.xlsx sheet '{DESNZ_SHEET}' row 6 (ID 1001), "
                             f"column J 'GHG Conversion Factor 2024'")
    assert gas["edition"] == "GHG conversion factors 2024 (flat file)" and "Open Government Licence" in gas["licence"]
    assert rows[("Outside of Scopes > Biofuel > Biodiesel ME", "litres")]["gas"] == "CO2_biogenic"
    assert any("kg CO2e of CO2 per unit" in s for s in result.skipped)
    moved = convert(desnz_workbook(tmp_path / "moved-2024.xlsx", moved=True), "desnz-flat", tmp_path / "m.csv")
    assert by(read(moved.out_path), "desnz_key", "uom")[("Fuels > Gaseous fuels > Natural gas", "cubic metres")][
        "source"] == f"moved-2024.xlsx sheet '{DESNZ_SHEET}' row 13 (ID 1001), column K 'GHG Conversion Factor 2024'"


def test_desnz_flat_file_malformed_variants(tmp_path):
    with pytest.raises(LoaderError, match=r"no header row with columns level 1, uom, ghg/unit in any sheet "
                                          r"\(it has: Introduction\)"):
        convert(desnz_workbook(tmp_path / "a-2024.xlsx", sheet=False), "desnz-flat", tmp_path / "a.csv")
    bad = [*DESNZ_ROWS[:1], [1004, "Scope 1", "Fuels", "Liquid fuels", "Diesel", None, None, "litres", "kg CO2e",
                             "2.51 (provisional)"]]
    with pytest.raises(LoaderError) as error:
        convert(desnz_workbook(tmp_path / "b-2024.xlsx", rows=bad), "desnz-flat", tmp_path / "b.csv")
    assert str(error.value) == (f"b-2024.xlsx sheet '{DESNZ_SHEET}' row 7, column J 'GHG Conversion Factor 2024': "
                                f"'2.51 (provisional)' is not a number")


def test_epa_hub_workbook_table_1_with_its_unit_rows(tmp_path):
    book = epa_workbook(tmp_path / "ghg-emission-factors-hub-2024.xlsx")
    energy = by(read(convert(book, "epa-hub", tmp_path / "e.csv").out_path), "fuel", "gas")
    gas = energy[("Natural Gas", "CO2")]
    assert (gas["value"], gas["unit"], gas["per"]) == ("53.06", "kg", "megaBtu")
    assert gas["source"] == ("ghg-emission-factors-hub-2024.xlsx sheet 'Emission Factors Hub' row 13, column D "
                             "'CO2 Factor (kg CO2 per mmBtu)'")
    assert energy[("Wood and Wood Residuals", "CO2_biogenic")]["value"] == "93.8"
    assert ("Aviation Gasoline", "CO2") not in energy   # Table 2 is not Table 1
    units = by(read(convert(book, "epa-hub", tmp_path / "u.csv", basis="unit").out_path), "fuel", "gas")
    # each fuel group's per-unit factors are per the unit of the unit row above it
    assert (units[("Anthracite", "CO2")]["value"], units[("Anthracite", "CO2")]["per"]) == ("2602", "short_ton")
    assert (units[("Natural Gas", "CH4")]["value"], units[("Natural Gas", "CH4")]["per"]) == ("0.00103", "scf")
    assert units[("Distillate Fuel Oil No. 2", "CO2")]["per"] == "gallon"
    assert units[("Wood and Wood Residuals", "CO2_biogenic")]["per"] == "short_ton"
    moved = by(read(convert(epa_workbook(tmp_path / "hub-2024.xlsx", moved=True), "epa-hub",
                            tmp_path / "m.csv").out_path), "fuel", "gas")
    assert moved[("Natural Gas", "CO2")]["source"].startswith("hub-2024.xlsx sheet 'Emission Factors Hub' row 18, "
                                                              "column E ")


def test_epa_hub_workbook_malformed_variants(tmp_path):
    broken = [row[:] for row in EPA_TABLE_1]
    broken[4] = ["Anthracite", 25.09, 103.69, "11 (a)", 1.6, 2602, 276, 40]
    with pytest.raises(LoaderError) as error:
        convert(epa_workbook(tmp_path / "hub-2024.xlsx", table=broken), "epa-hub", tmp_path / "x.csv")
    assert str(error.value) == ("hub-2024.xlsx sheet 'Emission Factors Hub' row 8, column E 'CH4 Factor (g CH4 per "
                                "mmBtu)': '11 (a)' is not a number")
    no_ch4 = [[c for i, c in enumerate(row) if i != 3] for row in EPA_TABLE_1]
    with pytest.raises(LoaderError, match=r"hub-2024.xlsx sheet 'Emission Factors Hub' row 5: expected CO2, CH4 and "
                                          r"N2O factor columns per mmbtu; found \['CO2', 'N2O'\]"):
        convert(epa_workbook(tmp_path / "hub-2024.xlsx", table=no_ch4), "epa-hub", tmp_path / "y.csv")


def test_tanso_factors_import_round_trip_into_a_run(tmp_path):
    book = moe_workbook(tmp_path / "moe_idb_v3-4.xlsx")
    out = tmp_path / "case" / "data" / "factors" / "moe.csv"
    runner = CliRunner()
    done = runner.invoke(main, ["factors", "import", "--layout", "moe-idb", str(book), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert f"wrote {out}: 5 factors from {book} (layout moe-idb); match on sector" in done.stdout
    case = make_case(tmp_path / "case", """\
        ruleset case
        set gwp.set = AR5
        input purchases
          key row_id
          columns sector: text, amount: decimal(18,0)
        factors moe "MoE database, per yen" file "factors/moe.csv"
        rule s3.cat1 "purchases"
          scope 3 category 1
          from purchases
          calc spend_based(factors: moe, match: [sector], quantity: amount, quantity_unit: "JPY")
        """, {"purchases": [{"row_id": "P1", "sector": "2611", "amount": "1000000"}]})
    (row,) = ledger(case.run())
    assert (row["co2e_kg"], row["factor_id"], row["factor_set"]) == (Decimal("5430"), "MOE-IDB-2611-purchaser", "moe")


def test_tanso_factors_import_mistakes_exit_with_a_message(tmp_path):
    runner = CliRunner()
    book = moe_workbook(tmp_path / "book.xlsx", sheet=False)
    out = str(tmp_path / "x.csv")
    failed = runner.invoke(main, ["factors", "import", "--layout", "moe-idb", str(book), "--out", out])
    assert failed.exit_code == 2 and "error: " in failed.stderr and "in any sheet (it has: 表紙)" in failed.stderr
    unknown = runner.invoke(main, ["factors", "import", "--layout", "moe", str(book), "--out", out])
    assert unknown.exit_code == 64 and "unknown layout 'moe'; one of desnz-flat, epa-hub, moe-idb" in unknown.stderr
    option = runner.invoke(main, ["factors", "import", "--layout", "moe-idb", str(book), "--out", out,
                                  "--option", "margins=true"])
    assert option.exit_code == 64 and "layout moe-idb has no option margins; its options: basis, price, sheet" \
        in option.stderr
    listing = runner.invoke(main, ["factors", "layouts"])
    assert "moe-idb: Japan Ministry of the Environment" in listing.stdout and "(options: basis, price, sheet)" \
        in listing.stdout
