"""Workbooks as companies keep them: a title above the header, a sheet per site or per kind of activity, a
totals row at the bottom, and auditors who look rows up by the number Excel shows. Real .xlsx files written
by openpyxl, read by the real reader, evaluated for real."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import (FUEL_FACTORS, FUEL_INPUT, factor_rows, fuel_row, fuel_ruleset, ledger, make_case,
                      rejects)
from tanso.cli import main
from tanso.diagnostics import InputError
from tanso.reasons import parse, render

HEADER = list(fuel_row("F1", "1"))
TITLE = [["燃料使用量 2025年度"], []]   # a title row and a blank row above the header: the header is sheet row 3


def cells(row_id: str, quantity: Any, **changes) -> list[Any]:
    return list(fuel_row(row_id, quantity, **changes).values())


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook with these sheets in this order, each row appended as it is (from sheet row 1)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def with_clauses(clauses: str, extra: str = "") -> str:
    """The fuel ruleset whose input `fuel_use` has these clauses."""
    return fuel_ruleset(extra=extra).replace(FUEL_INPUT, FUEL_INPUT + f"  {clauses}\n")


def case_with(tmp_path: Path, clauses: str, sheets: dict[str, list[list[Any]]], extra: str = ""):
    case = make_case(tmp_path, with_clauses(clauses, extra), {}, {"fuels": FUEL_FACTORS})
    write_workbook(case.data / "fuel_use.xlsx", sheets)
    return case


def refusal(case) -> str:
    with pytest.raises(InputError) as error:
        case.run()
    return str(error.value)


# ----------------------------------------------------------------------------- sheet "…"

def test_the_sheet_clause_reads_that_sheet_and_no_other(tmp_path):
    case = case_with(tmp_path, 'sheet "燃料"', {"電力": [HEADER, cells("E1", "999")],
                                                 "燃料": [HEADER, cells("F1", "100")]})
    assert {r["row_id"] for r in ledger(case.run())} == {"F1"}


def test_without_a_sheet_clause_the_first_sheet_is_read(tmp_path):
    case = case_with(tmp_path, "", {"電力": [HEADER, cells("E1", "100")], "燃料": [HEADER, cells("F1", "999")]})
    assert {r["row_id"] for r in ledger(case.run())} == {"E1"}


def test_a_missing_sheet_is_refused_naming_the_workbooks_sheets_and_the_closest(tmp_path):
    case = case_with(tmp_path, 'sheet "燃料 "', {"電力": [HEADER], "燃料": [HEADER]})
    assert refusal(case) == (f"{case.data / 'fuel_use.xlsx'}: the workbook has no sheet '燃料 '; its sheets are "
                             f"'電力', '燃料'; did you mean '燃料'?")


def test_two_inputs_read_two_sheets_of_one_workbook(tmp_path):
    ruleset = (fuel_ruleset().replace(FUEL_INPUT, FUEL_INPUT + '  file "energy.xlsx"  sheet "燃料"\n'
                                      + FUEL_INPUT.replace("fuel_use", "fleet")
                                      + '  file "energy.xlsx"  sheet "車両"  header row 3\n')
               + 'rule s1.fleet "Fleet"\n  scope 1\n  from fleet\n  calc fuel_combustion(factors: fuels)\n')
    case = make_case(tmp_path, ruleset, {}, {"fuels": FUEL_FACTORS})
    write_workbook(case.data / "energy.xlsx", {"燃料": [HEADER, cells("F1", "100")],
                                               "車両": [*TITLE, HEADER, cells("V1", "10"), cells("V2", "x")]})
    result = case.run()
    assert {(r["rule_id"], r["row_id"]) for r in ledger(result)} == {("s1.fuel", "F1"), ("s1.fleet", "V1")}
    (reject,) = rejects(result)
    assert (reject["input_table"], reject["input_row"]) == ("fleet", 5)
    assert reject["reason"].startswith("energy.xlsx row 5: column quantity: 'x' is not a number")


# ----------------------------------------------------------------------------- header row N, and row numbers

def test_a_title_above_the_header_is_refused_with_the_row_that_looks_like_the_header(tmp_path):
    case = case_with(tmp_path, "", {"燃料": [*TITLE, HEADER, cells("F1", "100")]})
    assert refusal(case) == (
        f"{case.data / 'fuel_use.xlsx'}: sheet '燃料' row 1: column B has values but no name in the header row; "
        f"row 1 holds one value ('燃料使用量 2025年度'), like a title, and row 3 looks like the header: declare "
        f"`header row 3` on the input (the rows above it are then not read)")


def test_a_header_row_declared_on_the_title_is_refused_with_the_row_that_looks_like_the_header(tmp_path):
    case = case_with(tmp_path, "header row 1", {"燃料": [*TITLE, HEADER, cells("F1", "100")]})
    assert refusal(case).endswith("row 3 looks like the header: declare `header row 3` on the input (the rows above "
                                  "it are then not read)")


def test_with_header_row_the_rows_above_are_not_read_and_rows_are_numbered_as_excel_shows(tmp_path):
    case = case_with(tmp_path, "header row 3", {"燃料": [*TITLE, HEADER, cells("F1", "100"), [],
                                                          cells("F2", "-1,5"), cells("F3", "50")]})
    result = case.run()
    assert {(r["row_id"], r["input_row"]) for r in ledger(result)} == {("F1", 4), ("F3", 7)}
    (reject,) = rejects(result)
    assert (reject["row_id"], reject["input_row"]) == ("F2", 6)   # row 5 is empty: skipped, not renumbered
    assert reject["reason"].startswith("fuel_use.xlsx row 6: column quantity: '-1,5' is not a number")


def test_a_header_row_that_is_empty_is_refused_naming_the_first_row_with_values_below_it(tmp_path):
    case = case_with(tmp_path, "header row 2", {"燃料": [*TITLE, HEADER, cells("F1", "100")]})
    assert refusal(case) == (f"{case.data / 'fuel_use.xlsx'}: sheet '燃料' (the first) row 2 (declared `header row 2`) "
                             f"is empty; it needs the column names; the first row with values below it is row 3")


def test_parts_of_one_input_keep_their_sheet_rows_and_are_numbered_through(tmp_path):
    """Each part's rows are numbered as its sheet shows them, after the last row number of the part before."""
    case = make_case(tmp_path, with_clauses('file "sites/*.xlsx"  header row 3'), {}, {"fuels": FUEL_FACTORS})
    write_workbook(case.data / "sites" / "a.xlsx", {"A": [*TITLE, HEADER, cells("A1", "1"), [], cells("A2", "x")]})
    write_workbook(case.data / "sites" / "b.xlsx", {"B": [*TITLE, HEADER, cells("B1", "y"), cells("B2", "2")]})
    result = case.run()
    assert {(r["row_id"], r["input_row"]) for r in ledger(result)} == {("A1", 4), ("B2", 6 + 5)}
    assert sorted((r["row_id"], r["input_row"], r["reason"].split(":")[0]) for r in rejects(result)) == [
        ("A2", 6, "sites/a.xlsx row 6"), ("B1", 6 + 4, "sites/b.xlsx row 4")]


# ----------------------------------------------------------------------------- totals rows

def test_a_totals_row_of_a_table_without_a_key_is_a_reject_never_summed(tmp_path):
    ruleset = with_clauses("").replace("  key row_id\n", "")
    case = make_case(tmp_path, ruleset, {}, {"fuels": FUEL_FACTORS})
    write_workbook(case.data / "fuel_use.xlsx", {"燃料": [HEADER, cells("F1", "100"), cells("F2", "50"),
                                                          cells(None, 150, entity="合計")]})
    result = case.run()
    assert {r["input_row"] for r in ledger(result)} == {2, 3}
    (reject,) = rejects(result)
    assert reject["reason"] == ("fuel_use.xlsx row 4: a totals row ('合計' in column entity): it sums rows that "
                                "are read themselves, so it is not read as data")
    assert render(reject["reason"], lang="ja") == ("fuel_use.xlsx 4 行目：合計行（列 entity に「合計」）：読み込む行を"
                                                   "合計した行なので、データとして読まない")


def test_a_cell_holding_an_excel_error_or_a_formula_without_its_value_refuses_its_row_naming_the_cell(tmp_path):
    """calamine reads both as empty: a quantity of #DIV/0! would be 'missing', an entity of #N/A nothing at all."""
    case = case_with(tmp_path, "", {"燃料": [HEADER, cells("F1", "#DIV/0!"), cells("F2", "=1/0"), cells("F3", 100),
                                               cells("F4", 5, entity="#N/A"), cells("F5", "#DIV/0!", entity="#REF!")]})
    result = case.run()
    assert [r["row_id"] for r in ledger(result)] == ["F3"] * 3
    reasons = {r["row_id"]: (parse(r["reason"])[0].code, r["reason"]) for r in rejects(result)}
    assert reasons == {
        "F1": ("cell.excel_error", "fuel_use.xlsx row 2: column quantity: cell F2 holds Excel's error #DIV/0!; correct "
                                   "it in the workbook (or clear the cell, or delete the column if no rule reads it)"),
        "F2": ("cell.formula_unsaved", "fuel_use.xlsx row 3: column quantity: cell F3 holds a formula (=1/0) whose "
                                       "value the workbook does not have (it was written by a program that does not "
                                       "calculate); open the workbook in Excel and save it"),
        "F4": ("cell.excel_error", "fuel_use.xlsx row 5: column entity: cell B5 holds Excel's error #N/A; correct it in "
                                   "the workbook (or clear the cell, or delete the column if no rule reads it)"),
        "F5": ("cell.excel_error", "fuel_use.xlsx row 6: column entity: cell B6 holds Excel's error #REF!; correct it in "
                                   "the workbook (or clear the cell, or delete the column if no rule reads it)")}   # B6 before F6: its first marked cell
    assert render(reasons["F1"][1], lang="ja").startswith("fuel_use.xlsx 2 行目：列 quantity：セル F2 は Excel のエラー "
                                                          "#DIV/0!。")


def test_a_macro_enabled_workbook_is_read_as_a_workbook(tmp_path):
    case = case_with(tmp_path, "", {"燃料": [HEADER, cells("F1", 100)]})
    (case.data / "fuel_use.xlsx").rename(case.data / "fuel_use.xlsm")
    assert [r["input_row"] for r in ledger(case.run())] == [2, 2, 2]


@pytest.mark.parametrize("calculated", [True, False])
def test_a_formulas_saved_value_is_read_only_from_a_workbook_a_calculating_program_saved(tmp_path, calculated):
    """xlsxwriter stores a value it did not compute (0 unless told) and asks Excel to calculate on opening
    (fullCalcOnLoad); Excel, saving, computes every value and asks nothing."""
    import xlsxwriter
    case = make_case(tmp_path, with_clauses(""), {}, {"fuels": FUEL_FACTORS})
    path = case.data / "fuel_use.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        sheet = workbook.add_worksheet("燃料")
        for r, row in enumerate([HEADER, cells("F1", 40), cells("F2", None)]):
            sheet.write_row(r, 0, row)
        sheet.write_formula("F3", "=F2*2.5", None, 100)
    if calculated:   # as Excel writes the workbook part: no request to calculate
        _rewrite_part(path, "xl/workbook.xml", lambda xml: xml.replace(' fullCalcOnLoad="1"', ""))
    result = case.run()
    if calculated:
        assert {r["row_id"]: r["quantity"] for r in ledger(result)} == {"F1": Decimal("40"), "F2": Decimal("100")}
    else:
        (reject,) = rejects(result)
        assert reject["row_id"] == "F2" and "cell F3 holds a formula (=F2*2.5) whose value" in reject["reason"]


def _rewrite_part(path: Path, part: str, change) -> None:
    import zipfile
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[part] = change(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("label", ["合計", "Total", " ＴＯＴＡＬ ", "小計", "Grand Total"])
def test_a_totals_row_is_named_whatever_the_label_and_a_tolerance_accepts_it(tmp_path, label):
    extra = 'accept rejects fuel_use up to 1 row "the 合計 row at the bottom of the sheet sums the rows above"\n'
    case = case_with(tmp_path, "", {"燃料": [HEADER, cells("F1", "100"), [None, label, None, None, None, 100]]},
                     extra)
    result = case.run()
    assert [r["row_id"] for r in ledger(result)] == ["F1"] * 3
    (reject,) = rejects(result)
    assert f"a totals row ({label.strip()!r} in column entity)" in reject["reason"]
    assert not result.incomplete


def test_a_cell_reading_total_after_the_rows_own_values_is_a_value_not_a_totals_label(tmp_path):
    """Fuel bought from TOTAL (the oil company), a cost centre 'Total Logistics', an invoice '合計請求書', a note
    '計': data rows, each with its id to the left. Only a row whose first filled cell is the label sums others."""
    extra = 'accept rejects fuel_use up to 1 row "the 合計 row sums the rows above"\n'
    header = [*HEADER, "supplier", "cost_centre", "memo"]
    case = case_with(tmp_path, "", {"燃料": [
        header,
        [*cells("F1", "100"), "TOTAL", "Logistics", None],
        [*cells("F2", "50"), "ENEOS", "Total Logistics", "合計請求書"],
        [*cells("F3", "10", entity="Total"), "Shell", None, "計"],
        [None, "合計", None, None, None, 160, "l", None, None, None]]}, extra)
    result = case.run()
    assert sorted({r["row_id"] for r in ledger(result)}) == ["F1", "F2", "F3"]
    (reject,) = rejects(result)
    assert reject["reason"].startswith("fuel_use.xlsx row 5: a totals row ('合計' in column entity)")


# ----------------------------------------------------------------------------- a sheet per month, read as one table

MONTHS = {"表紙": [["燃料使用量 2025年度"]],
          "2025-04": [*TITLE, HEADER, cells("A1", "100"), cells("A2", "lots")],
          "2025-05": [*TITLE, HEADER, cells("B1", "50"), [None, "合計", None, None, None, 50]],
          "2024-05": [*TITLE, HEADER, cells("C1", "70")]}


def months_case(tmp_path: Path, clauses: str, sheets: dict[str, list[list[Any]]] = MONTHS):
    ruleset = with_clauses(clauses).replace("unit: text\n", "unit: text, sheet: text\n", 1)
    case = make_case(tmp_path, ruleset, {}, {"fuels": FUEL_FACTORS})
    write_workbook(case.data / "fuel_use.xlsx", sheets)
    return case


def test_the_sheets_a_pattern_matches_are_one_table_with_the_sheet_as_a_column_and_rows_named_by_sheet(tmp_path):
    result = months_case(tmp_path, 'sheets "2025-*"  header row 3').run()
    rows = result.connection.execute(f"SELECT row_id, sheet FROM {result.inputs['fuel_use']} ORDER BY 1").fetchall()
    assert rows == [("A1", "2025-04"), ("B1", "2025-05")]   # not the cover, not last year's
    # Rows are numbered through the sheets in the workbook's order (2025-05 follows 2025-04's last row, 5),
    # and every message names the sheet and the row Excel shows on it.
    assert sorted((r["row_id"], r["input_row"]) for r in ledger(result) if r["gas"] == "CO2") == [("A1", 4), ("B1", 9)]
    assert sorted((r["input_row"], r["reason"].split(":")[0]) for r in rejects(result)) == [
        (5, "fuel_use.xlsx sheet '2025-04' row 5"), (10, "fuel_use.xlsx sheet '2025-05' row 5")]
    assert render(rejects(result)[1]["reason"], lang="ja").startswith("fuel_use.xlsx sheet '2025-05' 5 行目：合計行")


def test_sheets_all_reads_every_sheet(tmp_path):
    sheets = {name: rows for name, rows in MONTHS.items() if name != "表紙"}
    result = months_case(tmp_path, "sheets all  header row 3", sheets).run()
    assert {r["row_id"] for r in ledger(result)} == {"A1", "B1", "C1"}


@pytest.mark.parametrize("sheets, expected", [
    ({**MONTHS, "2025-06": [*TITLE, [*HEADER, "memo"], [*cells("D1", "1"), "x"]]},
     "fuel_use.xlsx sheet '2025-06': its columns differ from those of {data}/fuel_use.xlsx sheet '2025-04' (the "
     "parts of one input are pieces of one table): it adds memo"),
    ({"表紙": [["x"]], "2024-05": MONTHS["2024-05"]},
     "fuel_use.xlsx: no sheet matches `sheets \"2025-*\"` of input 'fuel_use'; its sheets are '表紙', '2024-05'"),
])
def test_sheets_that_are_not_one_table_or_none_matching_are_refused_naming_them(tmp_path, sheets, expected):
    case = months_case(tmp_path, 'sheets "2025-*"  header row 3', sheets)
    assert refusal(case) == f"{case.data}/" + expected.format(data=case.data)


def test_validate_names_the_sheet_and_its_row_of_a_unit_it_does_not_know(tmp_path):
    sheets = {**MONTHS, "2025-05": [*TITLE, HEADER, cells("B1", "50", unit="kWhr")]}
    case = months_case(tmp_path, 'sheets "2025-*"  header row 3', sheets)
    outcome = CliRunner().invoke(main, ["validate", str(case.ruleset), "--data", str(case.data), "--format", "json"])
    (problem,) = [p for p in json.loads(outcome.output)["items"] if p["column"] == "unit"]
    assert (problem["file"], problem["row"]) == (f"{case.data / 'fuel_use.xlsx'} sheet '2025-05'", 4)


@pytest.mark.parametrize("clauses, expected", [
    ('file "fuel_use.csv"  sheets all', "`sheets` of input 'fuel_use' does not apply to a csv file"),
    ('sheet "2025-04"  sheets all', "input 'fuel_use' declares both `sheet` (one sheet) and `sheets` (several as one "
                                    "table)"),
])
def test_sheets_where_it_means_nothing_is_a_ruleset_error(tmp_path, clauses, expected):
    case = months_case(tmp_path, clauses)
    outcome = CliRunner().invoke(main, ["check", str(case.ruleset)])
    assert outcome.exit_code == 1 and f"error: {expected}" in outcome.output, outcome.output


# ----------------------------------------------------------------------------- factor sets kept in workbooks

def factor_sheet() -> list[list[Any]]:
    rows = factor_rows(FUEL_FACTORS)
    return [list(rows[0]), *(list(row.values()) for row in rows)]


def factor_workbook_case(tmp_path: Path, clauses: str, sheets: dict[str, list[list[Any]]]):
    """The fuel ruleset whose factor set `fuels` is read from factors/fuels.xlsx with these clauses."""
    ruleset = fuel_ruleset().replace('file "factors/fuels.csv"', f'file "factors/fuels.xlsx"{clauses}')
    case = make_case(tmp_path, ruleset, {"fuel_use": [fuel_row("F1", "100")]})
    write_workbook(case.data / "factors" / "fuels.xlsx", sheets)
    return case


def test_a_factor_set_reads_the_sheet_it_declares(tmp_path):
    case = factor_workbook_case(tmp_path, '  sheet "係数"', {"表紙": [["燃料の排出係数 2025年版"]],
                                                           "係数": factor_sheet()})
    (co2,) = [r for r in ledger(case.run()) if r["gas"] == "CO2"]
    assert co2["co2e_kg"] == Decimal("268.000000")


def test_a_factor_workbook_of_one_sheet_needs_no_sheet_clause(tmp_path):
    case = factor_workbook_case(tmp_path, "", {"係数": factor_sheet()})
    assert {r["gas"] for r in ledger(case.run())} == {"CO2", "CH4", "N2O"}


@pytest.mark.parametrize("clauses, expected", [
    ("", "the workbook has 3 sheets, '表紙', '係数', '2024年版', and the declaration names none: say which holds the "
         "table with `sheet \"…\"` (e.g. sheet \"表紙\")"),
    ('  sheet "係数 "', "the workbook has no sheet '係数 '; its sheets are '表紙', '係数', '2024年版'; did you mean '係数'?"),
])
def test_a_factor_workbook_of_several_sheets_none_named_is_refused_naming_them(tmp_path, clauses, expected):
    """The first sheet is a cover or last year's as often as the factors: a factor set never guesses."""
    case = factor_workbook_case(tmp_path, clauses, {"表紙": [["燃料の排出係数 2025年版"]], "係数": factor_sheet(),
                                                     "2024年版": factor_sheet()})
    assert refusal(case) == f"{case.data / 'factors' / 'fuels.xlsx'}: {expected}"


def test_a_sheet_on_a_csv_factor_set_is_a_ruleset_error_at_the_clause(tmp_path):
    ruleset = fuel_ruleset().replace('file "factors/fuels.csv"', 'file "factors/fuels.csv" allows removals sheet "係数"')
    case = make_case(tmp_path, ruleset, {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    outcome = CliRunner().invoke(main, ["check", str(case.ruleset)])
    assert outcome.exit_code == 1
    assert ("error: `sheet` of factor set 'fuels' does not apply to a csv file (file \"factors/fuels.csv\")\n"
            f"  --> {case.ruleset / 'case.tanso'}:9:71\n") in outcome.output
    assert "expected: `sheet` on a factor set read from .xlsm, .xlsx files" in outcome.output


# ----------------------------------------------------------------------------- where the clauses mean nothing

def test_a_sheet_clause_on_a_csv_input_is_a_ruleset_error_at_the_clause_and_header_row_is_not(tmp_path):
    """A CSV file has no sheets; it may have title lines above its header, so `header row` applies to it."""
    case = make_case(tmp_path, with_clauses('file "fuel_use.csv"  sheet "燃料"  header row 3'),
                     {"fuel_use": [fuel_row("F1", "1")]}, {"fuels": FUEL_FACTORS})
    outcome = CliRunner().invoke(main, ["check", str(case.ruleset)])
    assert outcome.exit_code == 1
    assert ("error: `sheet` of input 'fuel_use' does not apply to a csv file (file \"fuel_use.csv\")\n"
            f"  --> {case.ruleset / 'case.tanso'}:8:24\n") in outcome.output
    assert "expected: `sheet` on an input read from .xlsm, .xlsx files" in outcome.output
    assert "`header row`" not in outcome.output


def test_a_sheet_clause_on_an_input_found_as_csv_is_refused_naming_the_clause(tmp_path):
    case = make_case(tmp_path, with_clauses('sheet "燃料"'), {"fuel_use": [fuel_row("F1", "1")]},
                     {"fuels": FUEL_FACTORS})
    assert refusal(case) == (f"{case.ruleset / 'case.tanso'}:8:3: `sheet` of input 'fuel_use' does not apply to a "
                             f"csv file (fuel_use.csv); expected `sheet` on an input read from .xlsm, .xlsx files")


def test_header_row_counts_from_1(tmp_path):
    case = case_with(tmp_path, "header row 0", {"燃料": [HEADER]})
    outcome = CliRunner().invoke(main, ["check", str(case.ruleset)])
    assert outcome.exit_code == 1 and "header row 0 of input 'fuel_use': rows are numbered from 1" in outcome.output


# ----------------------------------------------------------------------------- end to end

def test_the_cli_evaluates_a_workbook_as_kept_and_names_its_rows_as_excel_does(tmp_path):
    extra = 'accept rejects fuel_use up to 1 row "the 合計 row sums the rows above"\n'
    case = case_with(tmp_path, 'sheet "燃料"  header row 3',
                     {"電力": [["kWh"]], "燃料": [*TITLE, HEADER, cells("F1", 100.0), cells("F2", "lots"),
                                                 [None, "合計", None, None, None, 100]]}, extra)
    out = tmp_path / "out"
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--out", str(out),
                                        "--allow-rejects"])
    assert outcome.exit_code == 0, outcome.output
    reasons = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "fuel_use.xlsx row 5: column quantity: 'lots' is not a number" in reasons
    assert "fuel_use.xlsx row 6: a totals row ('合計' in column entity)" in reasons
    assert "0.269" in outcome.output   # 100 l of diesel, once: 268.891 kg


# ----------------------------------------------------------------------------- ruleset tests

def test_a_ruleset_test_gives_rows_of_an_input_declared_on_a_sheet(tmp_path):
    """Given rows are a CSV file of the test's own: the sheet and header row the ruleset declares for the
    real workbook choose nothing there, whether the input names its file or is found by its name."""
    ruleset = fuel_ruleset(extra='rule s1.fleet "Fleet"\n  scope 1\n  from fleet\n  calc fuel_combustion(factors: fuels)\n')
    ruleset = ruleset.replace(FUEL_INPUT, FUEL_INPUT + '  file "energy.xlsx"  sheet "燃料"  header row 3\n'
                              + FUEL_INPUT.replace("fuel_use", "fleet") + '  sheet "車両"\n')
    case = make_case(tmp_path, ruleset, {}, {"fuels": FUEL_FACTORS})
    (case.ruleset / "tests").mkdir()
    (case.ruleset / "tests" / "sheets.yaml").write_text(
        "- name: 100 l of diesel on each sheet\n"
        "  data: ../../data\n"
        "  given:\n"
        "    fuel_use: [{row_id: F1, entity: E1, period: 2025-01, fuel: diesel, use: stationary, quantity: 100, unit: l}]\n"
        "    fleet: [{row_id: V1, entity: E1, period: 2025-01, fuel: diesel, use: mobile, quantity: 100, unit: l}]\n"
        "  expect:\n"
        "    rules: {s1.fuel: 268.891, s1.fleet: 268.891}\n", encoding="utf-8")
    outcome = CliRunner().invoke(main, ["test", str(case.ruleset)])
    assert outcome.exit_code == 0, outcome.output
