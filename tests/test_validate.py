"""`tanso validate RULESET --data DIR`: every problem of the files at once, without evaluating."""

from __future__ import annotations

import json

import openpyxl
import pyarrow as pa
from click.testing import CliRunner

from conftest import FUEL_FACTORS, FUEL_INPUT, factor_rows, fuel_row, make_case, write_csv, write_parquet
from tanso.cli import main

CERTIFICATES = ("input certificates\n  key row_id\n"
                "  columns certificate_id: text, entity: text, quantity: decimal(18,6), unit: text\n")


def _ruleset(extra: str = "") -> str:
    return ("ruleset v\n\nset gwp.set = AR5\n\n" + FUEL_INPUT + "\n" + CERTIFICATES + "\n"
            'factors fuels "fuel factors" file "factors/fuels.csv"\n\n'
            'rule s1.fuel "Fuel"\n  scope 1\n  from fuel_use where use = "stationary"\n  calc fuel_combustion(factors: fuels)\n'
            'metric certified "MWh certified" = column_sum(certificates.quantity)\n' + extra)


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _clean(tmp_path):
    return make_case(tmp_path, _ruleset(), {
        "fuel_use": [fuel_row("F1", "100"), fuel_row("F2", "2", unit="gal")],
        "certificates": [{"row_id": "C1", "certificate_id": "GO-1", "entity": "E1", "quantity": "5", "unit": "MWh"}]},
        {"fuels": FUEL_FACTORS})


def test_clean_files_exit_0(tmp_path):
    case = _clean(tmp_path)
    outcome = _cli("validate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.startswith("ok: 3 files read, no problems")
    assert _cli("check", case.ruleset, "--data", case.data).exit_code == 0   # the alias


def test_every_problem_of_csv_files_at_once_grouped_by_file(tmp_path):
    case = _clean(tmp_path)
    write_csv(case.data / "fuel_use.csv", [
        fuel_row("F1", "100"), fuel_row("F2", "abc"), fuel_row("F2", "3"), fuel_row("F2", "4"),
        fuel_row(None, "5"), fuel_row("F6", "1.1234567"), fuel_row("F7", "8", unit="kWhr"),
        fuel_row("F8", "9", unit="ton"), fuel_row("F9", "10", unit="kWh")])
    write_csv(case.data / "certificates.csv", [
        {"row_id": "C1", "certificate_id": "GO-1", "entity": "E1", "quantity": "5", "unit": "MWh"},
        {"row_id": "C2", "certificate_id": "GO-1", "entity": "E2", "quantity": "5", "unit": "MWh"}])
    bad_factors = [{**FUEL_FACTORS[0], "unit": "kgCO2e"}, {**FUEL_FACTORS[1], "per": "Sm3"}, FUEL_FACTORS[2]]
    write_csv(case.data / "factors" / "fuels.csv", factor_rows(bad_factors))
    outcome = _cli("validate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 2
    text = outcome.stdout
    fuel = str(case.data / "fuel_use.csv")
    assert f"\n{fuel}\n" in f"\n{text}" or text.startswith(fuel) or f"{fuel}\n" in text
    assert "row 2, column quantity: 'abc' is not a number — expected a number" in text
    assert "row 3, column row_id: duplicate row id 'F2' (rows 3, 4)" in text
    assert "row 5, column row_id: missing value (the row id)" in text
    assert "row 6, column quantity: '1.1234567' has more than 6 decimal places" in text
    assert "row 7, column unit: unknown unit 'kWhr'" in text
    assert "row 8, column unit: ambiguous unit: 'ton'" in text
    assert "row 9, column unit: 'kWh' converts to no unit that factor set fuels is stated per" in text
    assert "column certificate_id: certificate 'GO-1' is claimed more than once" in text
    assert "row 1, column unit: 'kgCO2e' is not a mass" in text
    assert "row 2, column per: unknown unit 'Sm3'" in text
    # grouped by file: each file's name once, its problems under it
    assert text.count(str(case.data / "factors" / "fuels.csv") + "\n") == 1
    assert text.rstrip().endswith("problems in 3 files")


def test_parquet_and_xlsx_are_read_through_the_same_loaders(tmp_path):
    case = _clean(tmp_path)
    (case.data / "fuel_use.csv").unlink()
    (case.data / "certificates.csv").unlink()
    write_parquet(case.data / "fuel_use.parquet", [
        {**fuel_row("F1", "100"), "quantity": "100"}, {**fuel_row("F2", "7"), "unit": "Sm3"}],
        schema=pa.schema([(c, pa.string()) for c in ("row_id", "entity", "period", "fuel", "use", "quantity", "unit")]))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["row_id", "certificate_id", "entity", "quantity", "unit"])
    sheet.append(["C1", "GO-1", "E1", 5, "MWh"])
    sheet.append(["C2", "GO-2", "E1", "five", "MWh"])
    sheet.append(["C3", "GO-1", "E2", 1, "MWh"])
    workbook.save(case.data / "certificates.xlsx")
    outcome = _cli("validate", case.ruleset, "--data", case.data, "--format", "json")
    assert outcome.exit_code == 2
    report = json.loads(outcome.stdout)
    assert report["format"] == "tanso-validation.v1" and report["ok"] is False
    found = {(p["file"].rsplit("/", 1)[-1], p["row"], p["column"], p["value"]) for p in report["items"]}
    assert ("fuel_use.parquet", 2, "unit", "Sm3") in found
    # a workbook's rows are named as Excel numbers them: the header is sheet row 1
    assert ("certificates.xlsx", 3, "quantity", "five") in found
    assert ("certificates.xlsx", 2, "certificate_id", "GO-1") in found
    assert ("certificates.xlsx", 4, "certificate_id", "GO-1") in found
    assert all({"file", "row", "column", "value", "problem", "expected"} <= set(p) for p in report["items"])


def test_an_unusable_file_is_one_problem_and_the_others_are_still_read(tmp_path):
    case = _clean(tmp_path)
    (case.data / "certificates.csv").write_text("row_id,certificate_id\nC1,GO-1\n")   # columns missing
    write_csv(case.data / "fuel_use.csv", [fuel_row("F1", "x")])
    outcome = _cli("validate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 2
    assert "missing columns entity, quantity, unit" in outcome.stdout
    assert "'x' is not a number" in outcome.stdout


def test_at_most_50_problems_are_printed_then_a_count(tmp_path):
    case = _clean(tmp_path)
    write_csv(case.data / "fuel_use.csv", [fuel_row(f"F{i}", f"n{i}") for i in range(70)])
    outcome = _cli("validate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 2
    assert outcome.stdout.count("is not a number") == 50
    assert "… and 20 more" in outcome.stdout and "70 problems in 1 file" in outcome.stdout


def _several_kinds(tmp_path):
    """A data folder with a bad number, a duplicate key and an unknown unit (CSV), and a missing required value and
    an Excel error cell (a workbook)."""
    ruleset = _ruleset().replace("entity: text, quantity", "entity: text required, quantity")
    case = make_case(tmp_path, ruleset, {"fuel_use": [fuel_row("F1", "abc"), fuel_row("F2", "3"), fuel_row("F2", "4"),
                                                      fuel_row("F3", "8", unit="kWhr")]}, {"fuels": FUEL_FACTORS})
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["row_id", "certificate_id", "entity", "quantity", "unit"])
    sheet.append(["C1", "GO-1", None, 5, "MWh"])
    sheet.append(["C2", "GO-2", "E1", "#DIV/0!", "MWh"])
    workbook.save(case.data / "certificates.xlsx")
    return case


def test_the_listing_in_japanese_says_each_problem_by_its_code_with_files_columns_and_values_as_they_are(tmp_path):
    case = _several_kinds(tmp_path)
    outcome = _cli("validate", case.ruleset, "--data", case.data, "--lang", "ja")
    assert outcome.exit_code == 2
    assert outcome.stdout.splitlines() == [
        str(case.data / "certificates.xlsx"),
        "  2 行目、列 entity：値がない（必須と宣言） — 期待：値",
        "  3 行目、列 quantity：セル D3 は Excel のエラー #DIV/0!。ブックで直す（ルールが読まない列ならセルを空けるか列を削除する）",
        str(case.data / "fuel_use.csv"),
        "  1 行目、列 quantity：'abc' は数値ではない — 期待：数値",
        "  2 行目、列 row_id：行 ID 'F2' が重複（2, 3 行目） — 期待：ほかの行にない行 ID",
        "  3 行目、列 row_id：行 ID 'F2' が重複（2, 3 行目） — 期待：ほかの行にない行 ID",
        "  4 行目、列 unit：不明な単位 'kWhr' — 期待：既知の単位（kWh、l、m3、kg、km …）または通貨（USD、EUR）",
        "2 ファイルに 6 件の問題"]


def test_the_language_comes_from_the_environment_or_tanso_toml_and_check_data_lists_the_same(tmp_path, monkeypatch):
    case = _several_kinds(tmp_path)
    (tmp_path / "tanso.toml").write_text('[validate]\nlang = "ja"\n')
    monkeypatch.setenv("TANSO_CONFIG", str(tmp_path / "tanso.toml"))
    listed = _cli("validate", case.ruleset, "--data", case.data).stdout
    assert listed.endswith("2 ファイルに 6 件の問題\n")
    monkeypatch.setenv("TANSO_CONFIG", "none")
    monkeypatch.setenv("TANSO_VALIDATE_LANG", "ja")
    assert _cli("validate", case.ruleset, "--data", case.data).stdout == listed
    assert _cli("check", case.ruleset, "--data", case.data, "--lang", "ja").stdout == listed


def test_a_reason_reworded_still_lists_under_its_column_with_its_value_and_what_was_expected(tmp_path, monkeypatch):
    """The listing reads the reason's code and parameters, not its English words."""
    from tanso import reasons
    from tanso.i18n import MESSAGES
    monkeypatch.setitem(MESSAGES, "reason.column.not_number",
                        {**MESSAGES["reason.column.not_number"], "en": "cannot read {value} in column {column} as a number"})
    monkeypatch.setattr(reasons, "templates", lambda: reasons._templates.__wrapped__(len(MESSAGES)))   # not the cached
    case = _clean(tmp_path)
    write_csv(case.data / "fuel_use.csv", [fuel_row("F1", "abc")])
    outcome = _cli("validate", case.ruleset, "--data", case.data, "--format", "json")
    (item,) = json.loads(outcome.stdout)["items"]
    assert (item["row"], item["column"], item["value"]) == (1, "quantity", "abc")
    assert (item["problem"], item["expected"], item["code"]) == ("cannot read 'abc' in column quantity as a number",
                                                                 "a number", "column.not_number")
