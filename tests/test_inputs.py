"""Bad input: a bad row becomes a reject naming file, row and column; an unusable file is an
InputError (CLI exit code 2) naming the file, never a traceback."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from click.testing import CliRunner

from conftest import (FUEL_FACTORS, FUEL_INPUT, excluded, factor_rows, fuel_row, fuel_ruleset, ledger, make_case, rejects,
                      write_parquet)
from tanso.cli import main
from tanso.diagnostics import InputError
from tanso.plan.effective_factors import ARROW_FROM_ROWS


def run_with(tmp_path, rows, factors=FUEL_FACTORS):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": rows}, {"fuels": factors})
    result = case.run()
    return case, result, {r["row_id"]: r for r in rejects(result)}


def test_a_non_numeric_quantity_is_rejected_naming_file_row_and_column(tmp_path):
    case, result, by_id = run_with(tmp_path, [fuel_row("F1", "100"), fuel_row("F2", "lots")])
    reason = by_id["F2"]["reason"]
    assert reason.startswith("fuel_use.csv row 2: ")   # the file as it lies under the data folder
    assert "row 2" in reason and "column quantity" in reason and "'lots'" in reason and "not a number" in reason
    assert by_id["F2"]["input_row"] == 2 and by_id["F2"]["input_table"] == "fuel_use"
    assert by_id["F2"]["rule_id"] is None  # refused while reading, before any rule
    assert {r["row_id"] for r in ledger(result)} == {"F1"}


def test_a_quantity_with_more_decimal_places_than_declared_is_rejected_not_rounded(tmp_path):
    _, result, by_id = run_with(tmp_path, [fuel_row("F1", "1.1234567"), fuel_row("F2", "1.123456")])
    assert "column quantity" in by_id["F1"]["reason"]
    assert "more than 6 decimal places" in by_id["F1"]["reason"]
    assert {r["row_id"] for r in ledger(result)} == {"F2"}


def test_a_row_without_a_row_id_is_rejected(tmp_path):
    _, result, _ = run_with(tmp_path, [fuel_row("F1", "1"), fuel_row("", "2")])
    (reject,) = rejects(result)
    assert reject["input_row"] == 2
    assert "row 2" in reject["reason"] and "column row_id" in reject["reason"] and "missing" in reject["reason"]
    assert {r["row_id"] for r in ledger(result)} == {"F1"}


def test_every_copy_of_a_duplicate_row_id_is_rejected_naming_both_rows(tmp_path):
    _, result, _ = run_with(tmp_path, [fuel_row("F1", "1"), fuel_row("F2", "2"), fuel_row("F1", "3")])
    dup = [r for r in rejects(result) if r["row_id"] == "F1"]
    assert sorted(r["input_row"] for r in dup) == [1, 3]
    for reject in dup:
        assert "duplicate row id 'F1'" in reject["reason"] and "rows 1, 3" in reject["reason"]
        assert "column row_id" in reject["reason"]
    assert {r["row_id"] for r in ledger(result)} == {"F2"}


def test_a_negative_quantity_is_rejected_by_the_rule(tmp_path):
    _, result, by_id = run_with(tmp_path, [fuel_row("F1", "-4")])
    assert by_id["F1"]["rule_id"] == "s1.fuel"
    assert by_id["F1"]["rule_source"].endswith(".tanso:" + str(fuel_ruleset().splitlines().index(
        'rule s1.fuel "Fuel combustion"') + 1))
    assert "quantity is negative (-4.000000)" in by_id["F1"]["reason"]
    assert ledger(result) == []


def test_an_unknown_unit_is_rejected_with_the_unit_named(tmp_path):
    _, result, by_id = run_with(tmp_path, [fuel_row("F1", "5", unit="barrelz"), fuel_row("F2", "5", unit="kWh")])
    assert "unknown unit 'barrelz'" in by_id["F1"]["reason"]
    assert "'kWh' cannot be converted to 'l'" in by_id["F2"]["reason"]
    assert ledger(result) == []


def test_a_row_with_no_matching_factor_is_rejected_naming_the_factor_set_and_key(tmp_path):
    _, result, by_id = run_with(tmp_path, [fuel_row("F1", "5", fuel="coal"), fuel_row("F2", "5", fuel=None)])
    assert "no factor in fuels for fuel='coal'" in by_id["F1"]["reason"]
    assert "no factor in fuels for fuel=empty" in by_id["F2"]["reason"]


def test_a_missing_declared_column_is_an_input_error_naming_file_and_column(tmp_path):
    rows = [{k: v for k, v in fuel_row("F1", "1").items() if k != "use"}]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})
    with pytest.raises(InputError) as error:
        case.run()
    assert str(case.data / "fuel_use.csv") in str(error.value)
    assert "missing column use" in str(error.value)
    assert error.value.exit_code == 2


def test_the_cli_exits_2_without_a_traceback_for_a_missing_column(tmp_path):
    rows = [{k: v for k, v in fuel_row("F1", "1").items() if k != "quantity"}]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2
    assert "fuel_use.csv" in outcome.output and "missing column quantity" in outcome.output
    assert "Traceback" not in outcome.output
    assert isinstance(outcome.exception, SystemExit)


def test_the_cli_exits_2_when_an_input_file_is_missing(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2
    assert "input 'fuel_use'" in outcome.output and "no file" in outcome.output
    assert "its header row is row_id,entity,period,fuel,use,quantity,unit " in outcome.output   # what to create
    assert "Traceback" not in outcome.output


def test_an_input_file_named_in_another_case_is_read_as_windows_and_macos_would_open_it(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "1")]}, {"fuels": FUEL_FACTORS})
    (case.data / "fuel_use.csv").rename(case.data / "FUEL_USE.CSV")
    result = case.run()
    assert [r["row_id"] for r in ledger(result)] == ["F1"] * 3
    assert rejects(result) == []


def test_two_files_that_could_each_hold_an_input_are_refused_naming_both_never_one_chosen(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "1")]}, {"fuels": FUEL_FACTORS})
    (case.data / "Fuel_Use.csv").write_bytes((case.data / "fuel_use.csv").read_bytes())
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2 and "Traceback" not in outcome.output
    assert ("input 'fuel_use': 2 files of the data folder could hold it, Fuel_Use.csv, fuel_use.csv; keep one, or "
            "name it on the input with `file \"Fuel_Use.csv\"`") in outcome.output
    japanese = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--lang", "ja"])
    assert "入力 'fuel_use'：データフォルダの 2 個のファイル（Fuel_Use.csv, fuel_use.csv）がこの入力に当たる" in japanese.output


@pytest.mark.parametrize("name, hint", [("fuel_use.xls", "an Excel 97–2003 workbook: save it as .xlsx"),
                                        ("fuel_use.tsv", "a tab-separated file: save it as .csv"),
                                        ("fuel_use.csv.bak", "no reader reads this kind of file")])
def test_a_missing_input_names_the_file_of_its_name_that_no_reader_reads(tmp_path, name, hint):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    (case.data / name).write_text("row_id\n")
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2
    assert f"[.gz]; the data folder has {name} ({hint})" in outcome.output


@pytest.mark.parametrize("problems, said", [(4, "; and 1 more reason\n"), (5, "; and 2 more reasons\n")])
def test_the_first_lines_count_the_reasons_they_do_not_show(tmp_path, problems, said):
    bad = [fuel_row(row_id, quantity) for row_id, quantity in
           zip("ABCDE", ["x", "1,5", "1.1234567", "\u22121", "1234567890123"])][:problems]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": bad}, {"fuels": FUEL_FACTORS})
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 5 and said in outcome.output


def test_the_cli_exits_2_when_a_factor_file_is_missing(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "1")]}, {})
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2
    assert "factor set 'fuels'" in outcome.output and "Traceback" not in outcome.output


PARQUET_SCHEMA = pa.schema([("row_id", pa.string()), ("entity", pa.string()), ("period", pa.string()),
                            ("fuel", pa.string()), ("use", pa.string()), ("quantity", pa.decimal128(18, 6)),
                            ("unit", pa.string())])


def test_parquet_input_gives_the_same_result_as_the_same_data_in_csv(tmp_path):
    rows = [fuel_row("F1", "100.5"), fuel_row("F2", "0.000001", unit="gal"), fuel_row("F3", "-1"),
            fuel_row("F4", "3", fuel="coal"), fuel_row("F5", None), fuel_row("F6", "12.345678", unit="m3")]
    csv_case = make_case(tmp_path / "csv", fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})
    pq_case = make_case(tmp_path / "pq", fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    typed = [{**r, "quantity": None if r["quantity"] is None else Decimal(r["quantity"])} for r in rows]
    write_parquet(pq_case.data / "fuel_use.parquet", typed, PARQUET_SCHEMA)

    from_csv, from_parquet = csv_case.run(), pq_case.run()
    assert from_parquet.digest == from_csv.digest
    assert from_parquet.summary == from_csv.summary
    assert [(r["row_id"], r["input_row"]) for r in rejects(from_parquet)] == \
           [(r["row_id"], r["input_row"]) for r in rejects(from_csv)]
    assert from_parquet.manifest["inputs"]["fuel_use"]["file"].endswith("fuel_use.parquet")


def test_parquet_with_text_quantities_is_checked_like_csv(tmp_path):
    rows = [fuel_row("F1", "1.5"), fuel_row("F2", "abc"), fuel_row("F3", "1.0000001")]
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    write_parquet(case.data / "fuel_use.parquet", rows)
    result = case.run()
    by_id = {r["row_id"]: r["reason"] for r in rejects(result)}
    assert "not a number" in by_id["F2"] and "fuel_use.parquet row 2" in by_id["F2"]
    assert "more than 6 decimal places" in by_id["F3"]
    assert {r["row_id"] for r in ledger(result)} == {"F1"}


# ------------------------------------------------------------------ issue #10: nothing silent, nothing lost

BOUNDARY_RULESET = """ruleset case
set gwp.set = AR5
set boundary.approach = operational_control
input entities
  key entity
  columns equity_share: decimal(18,6), financial_control: boolean, operational_control: boolean
boundary consolidation(entities: entities)
""" + FUEL_INPUT + """
factors fuels "fuel factors" file "factors/fuels.csv"
rule s1.fuel "Fuel combustion"
  scope 1
  from fuel_use
  calc fuel_combustion(factors: fuels)
"""


def entity(name, control="true", share="1"):
    return {"entity": name, "equity_share": share, "financial_control": "true", "operational_control": control}


def test_a_refused_row_of_the_boundarys_table_is_a_reject_and_its_entitys_rows_name_the_real_cause(tmp_path):
    case = make_case(tmp_path, BOUNDARY_RULESET,
                     {"entities": [entity("E1"), entity("ACME-DE", control="maybe")],
                      "fuel_use": [fuel_row("F1", "1", entity="E1"), fuel_row("F2", "1", entity="ACME-DE"),
                                   fuel_row("F3", "1", entity="E9")]},
                     {"fuels": FUEL_FACTORS})
    result = case.run()
    by_table = {(r["input_table"], r["row_id"]): r for r in rejects(result)}
    refused = by_table["entities", "ACME-DE"]
    assert refused["input_row"] == 2 and refused["rule_id"] is None
    assert "entities.csv row 2" in refused["reason"] and "column operational_control: 'maybe' is not a boolean" in refused["reason"]
    assert by_table["fuel_use", "F2"]["reason"] == (
        "entity 'ACME-DE' is in entities.csv but its row 2 was rejected: column operational_control: 'maybe' is not "
        "a boolean (true or false)")
    assert by_table["fuel_use", "F3"]["reason"] == "entity 'E9' is not in the boundary's entities table"
    assert {r["row_id"] for r in ledger(result)} == {"F1"}


def test_conservation_covers_every_table_the_run_reads(tmp_path, monkeypatch):
    from tanso.diagnostics import InvariantError
    from tanso.run import inputs, planner

    real = inputs.load_input

    def losing(con, registry, table, data_dir):  # a loader that loses a refused row of the entities table
        loaded = real(con, registry, table, data_dir)
        return dataclasses.replace(loaded, rejected=0) if table.name == "entities" else loaded
    monkeypatch.setattr(planner, "load_input", losing)
    case = make_case(tmp_path, BOUNDARY_RULESET, {"entities": [entity("E1"), entity("E2", control="maybe")],
                                                  "fuel_use": [fuel_row("F1", "1", entity="E1")]},
                     {"fuels": FUEL_FACTORS})
    with pytest.raises(InvariantError) as error:
        case.run()
    assert "input entities: 2 rows read, 1 valid + 1 rejected (the load counted 0 rejected)" in str(error.value)
    assert error.value.exit_code == 3


def typed_case(tmp_path, columns, rows, extra="", numbers=None, encoding=None):
    """An input `t` of the given columns, read by a rule that computes nothing (no factor matches)."""
    clauses = (f'\n  numbers "{numbers}"' if numbers else "") + (f'\n  encoding "{encoding}"' if encoding else "")
    text = (f"ruleset case\nset gwp.set = AR5\ninput t\n  key row_id\n  columns {columns}{clauses}\n"
            'factors fuels "fuel factors" file "factors/fuels.csv"\n'
            f"rule s1.t \"t\"\n  scope 1\n  from t{extra}\n  calc fuel_combustion(factors: fuels, quantity: q, unit: unit)\n")
    return make_case(tmp_path, text, {"t": rows}, {"fuels": FUEL_FACTORS})


def read_rejects(result, table="t"):
    return {r["row_id"]: r["reason"] for r in rejects(result) if r["rule_id"] is None and r["input_table"] == table}


def test_an_integer_column_refuses_fractions_and_keeps_whole_numbers_exactly(tmp_path):
    rows = [{"row_id": i, "hour": v, "fuel": "diesel", "q": "1", "unit": "l"}
            for i, v in [("A", "2.5"), ("B", "3.0"), ("C", "0x10"), ("D", "1_000"), ("E", "12"), ("F", "1e3"),
                         ("G", "99999999999999999999")]]
    case = typed_case(tmp_path, "hour: integer, fuel: text, q: decimal(18,6), unit: text", rows)
    result = case.run()
    refused = read_rejects(result)
    assert "column hour: '2.5' is not a whole number" in refused["A"]
    assert "not a number" in refused["C"] and "not a number" in refused["D"] and "not a number" in refused["F"]
    assert "out of range for an integer" in refused["G"]
    values = dict(result.connection.execute(f"SELECT row_id, hour FROM {result.inputs['t']}").fetchall())
    assert values == {"B": 3, "E": 12}


def test_decimals_are_never_rounded_and_out_of_range_is_named(tmp_path):
    rows = [{"row_id": i, "fuel": "diesel", "q": v, "unit": "l"}
            for i, v in [("A", "1.1234565"), ("B", "1.1234560000"), ("C", "1234567890123"), ("D", " 7 "),
                         ("E", "+1.5"), ("F", ".5"), ("G", "3,400.00")]]
    result = typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text", rows).run()
    refused = read_rejects(result)
    assert "has more than 6 decimal places" in refused["A"]
    assert "out of range for decimal(18,6): at most 12 digits before the decimal point" in refused["C"]
    assert "not a number" in refused["F"]
    assert "not a number" in refused["G"] and 'numbers "1,234.56"' in refused["G"]
    values = dict(result.connection.execute(f"SELECT row_id, q FROM {result.inputs['t']}").fetchall())
    assert values == {"B": Decimal("1.123456"), "D": Decimal("7"), "E": Decimal("1.5")}


def test_booleans_and_dates_accept_only_what_they_say(tmp_path):
    rows = [{"row_id": i, "fuel": "diesel", "q": "1", "unit": "l", "flag": f, "day": d}
            for i, f, d in [("A", "TRUE", "2025-01-05"), ("B", "no", "2025-02-30"), ("C", "maybe", "2025-01-05T10:00"),
                            ("D", "1", "infinity"), ("E", None, "2025-1-5")]]
    result = typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text, flag: boolean, day: date", rows).run()
    refused = read_rejects(result)
    assert "column day: '2025-02-30' is not a date" in refused["B"]
    assert "column flag: 'maybe' is not a boolean" in refused["C"]
    assert "column day: 'infinity' is not a date" in refused["D"]
    assert "column day: '2025-1-5' is not a date" in refused["E"]
    values = {r[0]: r[1:] for r in result.connection.execute(f"SELECT row_id, flag, day FROM {result.inputs['t']}").fetchall()}
    assert values == {"A": (True, __import__("datetime").date(2025, 1, 5))}


def test_declared_constraints_reject_rows_naming_the_constraint(tmp_path):
    columns = ('hour: integer 0..8759, fuel: text in ("diesel", "petrol") required, q: decimal(18,6) >= 0, '
               'unit: text, share: decimal(5,4) > 0')
    rows = [{"row_id": i, "hour": h, "fuel": f, "q": q, "unit": "l", "share": s}
            for i, h, f, q, s in [("A", "8760", "diesel", "1", "1"), ("B", "1", "coal", "1", "1"),
                                  ("C", "1", None, "1", "1"), ("D", "1", "diesel", "-2", "1"),
                                  ("E", "1", "diesel", "1", "0"), ("F", None, "diesel", "1", "0.5"),
                                  ("G", "0", "petrol", "0", "1")]]
    result = typed_case(tmp_path, columns, rows).run()
    refused = read_rejects(result)
    assert "column hour: '8760' is outside 0..8759" in refused["A"]
    assert "column fuel: 'coal' is not one of the values declared: in (\"diesel\", \"petrol\")" in refused["B"]
    assert "column fuel: missing value (declared required)" in refused["C"]
    assert "column q: '-2.000000' is not >= 0" in refused["D"]
    assert "column share: '0.0000' is not > 0" in refused["E"]
    assert set(refused) == {"A", "B", "C", "D", "E"}


def test_a_declared_value_written_in_another_case_is_refused_naming_the_value_it_resembles(tmp_path):
    rows = [{"row_id": i, "fuel": f, "q": "1", "unit": "l"} for i, f in [("A", "Diesel"), ("B", " PETROL "),
                                                                         ("C", "coal"), ("D", "diesel")]]
    refused = read_rejects(typed_case(tmp_path, 'fuel: text in ("diesel", "petrol"), q: decimal(18,6), unit: text',
                                      rows).run())
    assert refused["A"].endswith("column fuel: 'Diesel' is not one of the values declared: in (\"diesel\", \"petrol\") "
                                 "(did you mean 'diesel'? values are matched exactly)")
    assert "' PETROL ' is not one of the values declared" in refused["B"] and "did you mean 'petrol'?" in refused["B"]
    assert "did you mean" not in refused["C"]
    assert set(refused) == {"A", "B", "C"}


@pytest.mark.parametrize("numbers", ["1234.56", "1,234.56"])
def test_a_negative_amount_written_with_a_sign_other_than_the_hyphen_minus_is_refused_saying_how_to_write_it(
        tmp_path, numbers):
    rows = [{"row_id": i, "fuel": "diesel", "q": q, "unit": "l"}
            for i, q in [("A", "\u22125"), ("B", "\uff0d5"), ("C", "\u25b25"), ("D", "\u25b35"), ("E", "-5")]]
    refused = read_rejects(typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text", rows, numbers=numbers).run())
    assert set(refused) == {"A", "B", "C", "D"}
    for row in refused.values():
        assert "is not a number (this input writes a negative number with '-', not −, －, ▲ or △" in row


@pytest.mark.parametrize("mark", ["▲", "△"])
def test_negatives_after_a_triangle_are_read_where_the_input_declares_them_and_only_that_triangle(tmp_path, mark):
    other = "△" if mark == "▲" else "▲"
    rows = [{"row_id": i, "fuel": "diesel", "q": q, "unit": "l"}
            for i, q in [("A", f"{mark}1,200"), ("B", "3,400.50"), ("C", f"{other}5"), ("D", "-5"), ("E", f"{mark} 5")]]
    result = typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text", rows, numbers=f"{mark}1,234.56").run()
    read = dict(result.connection.execute(f"SELECT row_id, q FROM {result.inputs['t']}").fetchall())
    assert read == {"A": Decimal("-1200"), "B": Decimal("3400.5")}
    refused = read_rejects(result)
    assert set(refused) == {"C", "D", "E"}
    assert f"'{other}5' is not a number written as 1,234.56 or, negative, {mark}1,234.56" in refused["C"]


def test_a_constraint_that_does_not_fit_the_column_and_unknown_formats_are_ruleset_errors(tmp_path):
    from tanso.diagnostics import RulesetError
    case = typed_case(tmp_path, "fuel: text 0..5, q: decimal(18,6), unit: text", [], numbers="1;234.56",
                      encoding="shift-jiss")
    with pytest.raises(RulesetError) as error:
        case.prepare()
    text = error.value.diagnostics.render()
    assert "a range or comparison needs an integer or decimal column" in text
    assert "unknown encoding 'shift-jiss'" in text and "shift_jis" in text
    assert 'numbers "1;234.56" is not an example of a number format' in text


@pytest.mark.parametrize("numbers, delimiter, values, expected, refused", [
    ("1,234.56", ",", ["3,400.00", "12.5", "1,234,567.5", "34,00.0"], ["3400", "12.5", "1234567.5"], "34,00.0"),
    ("1.234,56", ";", ["3.400,00", "12,5", "1.234.567,5", "1,2,3"], ["3400", "12.5", "1234567.5"], "1,2,3"),
    ("1 234,56", ";", ["3 400,00", "12,5", "1 234 567,5", "1.5"], ["3400", "12.5", "1234567.5"], "1.5"),
])
def test_a_declared_number_format_reads_thousands_separators_and_decimal_commas(tmp_path, numbers, delimiter,
                                                                                values, expected, refused):
    case = typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text", [], numbers=numbers)
    lines = ["row_id" + delimiter + "fuel" + delimiter + "q" + delimiter + "unit"]
    lines += [delimiter.join([f"R{i}", "diesel", f'"{v}"', "l"]) for i, v in enumerate(values)]
    (case.data / "t.csv").write_text("\n".join(lines) + "\n")
    result = case.run()
    values_read = [v for _, v in sorted(result.connection.execute(f"SELECT row_id, q FROM {result.inputs['t']}").fetchall())]
    assert values_read == [Decimal(e) for e in expected]
    (reason,) = read_rejects(result).values()
    assert f"'{refused}' is not a number written as {numbers.replace('1 234', '1 234')}" in reason


def test_an_input_in_cp932_is_read_and_its_undecodable_bytes_are_a_row_reject(tmp_path):
    case = typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text, site: text", [], encoding="cp932")
    text = "row_id,fuel,q,unit,site\nA,diesel,1,l,東京工場\nB,diesel,2,l,大阪\n"
    (case.data / "t.csv").write_bytes(text.encode("cp932") + b"C,diesel,3,l,\x81\x7f\n" + "D,diesel,4,l,名古屋\n".encode("cp932"))
    result = case.run()
    sites = dict(result.connection.execute(f"SELECT row_id, site FROM {result.inputs['t']}").fetchall())
    assert sites == {"A": "東京工場", "B": "大阪", "D": "名古屋"}
    (reason,) = read_rejects(result).values()
    assert "t.csv row 3: the row has bytes that are not valid cp932 (declare the file" in reason


def test_an_empty_column_the_rules_select_by_is_a_missing_value_reject_not_unselected(tmp_path):
    extra = ('\n\nrule s1.mobile "mobile"\n  scope 1\n  from fuel_use where use = "mobile"\n'
             '  calc fuel_combustion(factors: fuels)\n')
    text = fuel_ruleset().replace("  from fuel_use\n", '  from fuel_use where use = "stationary"\n') + extra
    case = make_case(tmp_path, text, {"fuel_use": [fuel_row("F1", "1"), fuel_row("F2", "1", use=None),
                                                   fuel_row("F3", "1", use="flaring")]}, {"fuels": FUEL_FACTORS})
    result = case.run()
    by_id = {r["row_id"]: r for r in rejects(result)}
    assert "row 2: column use: missing value (the rules reading fuel_use select rows by use" in by_id["F2"]["reason"]
    assert {r["row_id"] for r in excluded(result)} == {"F3"}


def test_negative_factors_are_refused_unless_the_set_allows_removals(tmp_path):
    sinks = [{**FUEL_FACTORS[0], "value": "-1.5"}]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "2")]}, {"fuels": sinks})
    with pytest.raises(InputError) as error:
        case.run()
    assert "negative values (row 1: -1.5" in str(error.value) and "allows removals" in str(error.value)
    allowed = fuel_ruleset().replace('file "factors/fuels.csv"', 'file "factors/fuels.csv" allows removals')
    case = make_case(tmp_path / "ok", allowed, {"fuel_use": [fuel_row("F1", "2")]}, {"fuels": sinks})
    (row,) = ledger(case.run())
    assert row["co2e_kg"] == Decimal("-3")


def test_a_product_beyond_the_ledgers_range_is_a_row_reject_not_a_run_abort(tmp_path):
    huge = [{"factor_id": "BIG", "fuel": "diesel", "gas": "CO2", "value": "1000000000", "unit": "t", "per": "l"}]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "999999999999"), fuel_row("F2", "1")]},
                     {"fuels": huge})
    result = case.run()
    by_id = {r["row_id"]: r["reason"] for r in rejects(result)}
    assert "quantity 999999999999.000000 l times its factor in fuels is beyond the ledger's range" in by_id["F1"]
    assert {r["row_id"] for r in ledger(result)} == {"F2"}


def test_a_row_of_10_to_the_16_kg_is_rejected_because_the_inventory_weighs_it_by_its_boundary_share(tmp_path):
    # The ledger's DECIMAL(38,18) would hold 10^17 kg, but co2e × boundary weight (4 places) is DECIMAL(38,22):
    # such a row once passed the factor product and then failed the whole run in the summary.
    huge = [{"factor_id": "BIG", "fuel": "diesel", "gas": "CO2", "value": "1000000000", "unit": "t", "per": "l"}]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100000"), fuel_row("F2", "9999")]},
                     {"fuels": huge})
    result = case.run()
    assert "beyond the ledger's range (under 10^16 kg a row)" in {r["row_id"]: r["reason"] for r in rejects(result)}["F1"]
    assert {r["row_id"] for r in ledger(result)} == {"F2"}


@pytest.mark.parametrize("periods", [1, 12], ids=["one group overflows", "only the totals of the groups would"])
def test_totals_beyond_the_exact_range_reject_the_rows_of_the_rule_that_weighs_most_naming_its_total(tmp_path, periods):
    """Valid rows can add up past what exact totals hold (DECIMAL(38,22): under 10^16 kg), which once stopped the
    run in the summary. The run goes on: the rows of the rule that weighs most are rejects naming its exact total,
    and the other rules are reported."""
    factors = [{"factor_id": "BIG", "fuel": "diesel", "gas": "CO2", "value": "1000000000", "unit": "t", "per": "l"},
               {"factor_id": "PETROL", "fuel": "petrol", "gas": "CO2", "value": "2.3", "unit": "kg", "per": "l"}]
    ruleset = (fuel_ruleset().replace("  from fuel_use\n", '  from fuel_use where fuel = "diesel"\n')
               + 'rule s1.petrol "Petrol"\n  scope 1\n  from fuel_use where fuel = "petrol"\n'
                 '  calc fuel_combustion(factors: fuels)\n')
    rows = [fuel_row(f"F{i}", "9999", period=f"2025-{i % periods + 1:02}") for i in range(12)]  # each under 10^16 kg
    rows.append(fuel_row("P1", "10", fuel="petrol"))
    case = make_case(tmp_path, ruleset, {"fuel_use": rows}, {"fuels": factors})
    out = tmp_path / "out"
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--out", str(out),
                                        "--allow-rejects"])
    assert outcome.exit_code == 0, outcome.output
    refused = {r["row_id"]: r for r in csv.DictReader((out / "rejects.csv").open(encoding="utf-8"))}
    assert sorted(refused) == sorted(f"F{i}" for i in range(12))
    assert refused["F0"]["reason_code"] == "beyond_totals"
    assert ("fuel_combustion: beyond the range of exact totals (under 10^16 kg a run): rule s1.fuel totals "
            "119988000000000000 kg CO2e in absolute value over 12 ledger rows") in refused["F0"]["reason"]
    summary = list(csv.DictReader((out / "summary.csv").open(encoding="utf-8")))
    assert [(r["rule_id"], Decimal(r["co2e_kg"])) for r in summary] == [("s1.petrol", Decimal("23"))]
    assert CliRunner().invoke(main, ["verify", str(out)]).exit_code == 0   # the ledger left sums to the summary


def test_a_parquet_column_of_another_type_is_checked_like_text_and_said(tmp_path):
    schema = pa.schema([("row_id", pa.string()), ("fuel", pa.string()), ("q", pa.decimal128(20, 8)),
                        ("unit", pa.string()), ("flag", pa.bool_()), ("share", pa.float64())])
    rows = [{"row_id": "A", "fuel": "diesel", "q": Decimal("1.5"), "unit": "l", "flag": True, "share": 0.1},
            {"row_id": "B", "fuel": "diesel", "q": Decimal("1.12345678"), "unit": "l", "flag": False, "share": 0.5},
            {"row_id": "C", "fuel": "diesel", "q": Decimal("2"), "unit": "l", "flag": None, "share": 1 / 3},
            {"row_id": "D", "fuel": "diesel", "q": Decimal("2"), "unit": "l", "flag": None, "share": 1e-7}]
    case = typed_case(tmp_path, "fuel: text, q: decimal(18,6), unit: text, flag: text, share: decimal(18,6)", [])
    (case.data / "t.csv").unlink()
    write_parquet(case.data / "t.parquet", rows, schema)
    result = case.run()
    refused = read_rejects(result)
    assert "column q: '1.12345678' has more than 6 decimal places" in refused["B"]
    assert "column share: '0.3333333333333333' has more than 6 decimal places" in refused["C"]
    assert "exponent" in refused["D"]
    values = result.connection.execute(f"SELECT row_id, q, flag, share FROM {result.inputs['t']}").fetchall()
    assert values == [("A", Decimal("1.5"), "true", Decimal("0.1"))]
    session_notes = result.manifest["inputs"]["t"]["notes"]
    assert any("column flag is BOOLEAN" in n for n in session_notes)
    assert any("column share is DOUBLE (floating point)" in n for n in session_notes)


VINTAGE_RULESET = """
ruleset vintages
set gwp.set = AR5
input use
  key row_id
  columns vintage: KIND, quantity: decimal(18,6), unit: text
factors grid "grid factors by vintage" file "factors/grid.parquet"
rule s2.grid "Grid electricity"
  scope 2
  from use
  calc activity(factors: grid, match: [vintage])
"""


@pytest.mark.parametrize("kind, key, arrow_type", [
    ("integer", lambda i: 2000 + i, pa.int64()),
    ("date", lambda i: date(2020, 1, 1) + timedelta(days=i), pa.date32()),
])
@pytest.mark.parametrize("rows", [5, ARROW_FROM_ROWS + 50])   # the Python definition, then the Arrow path
def test_a_parquet_factor_file_keyed_by_a_number_or_a_date_with_integer_ids_prices_every_row(tmp_path, kind, key,
                                                                                             arrow_type, rows):
    schema = pa.schema([("factor_id", pa.int64()), ("vintage", arrow_type), ("gas", pa.string()),
                        ("value", pa.decimal128(10, 3)), ("unit", pa.string()), ("per", pa.string()),
                        *((name, pa.string()) for name in ("publisher", "edition", "licence"))])
    case = make_case(tmp_path, VINTAGE_RULESET.replace("KIND", kind),
                     {"use": [{"row_id": f"U{i}", "vintage": key(i), "quantity": "10", "unit": "kWh"} for i in range(rows)]})
    write_parquet(case.data / "factors" / "grid.parquet", factor_rows(
        [{"factor_id": 1000 + i, "vintage": key(i), "gas": "CO2", "value": Decimal("0.5"), "unit": "kg", "per": "kWh"}
         for i in range(rows)]), schema)
    result = case.run()
    priced = ledger(result)
    assert not rejects(result) and len(priced) == rows
    assert {(r["row_id"], r["factor_id"], r["co2e_kg"]) for r in priced} == \
        {(f"U{i}", str(1000 + i), Decimal("5")) for i in range(rows)}


@pytest.mark.parametrize("column", ["factor_id", "gas", "unit", "per"])
def test_a_factor_row_without_its_id_gas_or_units_makes_the_file_unusable_naming_the_row(tmp_path, column):
    factors = [FUEL_FACTORS[0], {**FUEL_FACTORS[1], column: ""}, FUEL_FACTORS[2]]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "2")]}, {"fuels": factors})
    with pytest.raises(InputError, match=f"fuels.csv: column {column} is empty in row 2; every factor row states"):
        case.run()
