"""Bad input: a bad row becomes a reject naming file, row and column; an unusable file is an
InputError (CLI exit code 2) naming the file, never a traceback."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, ledger, make_case, rejects, write_parquet
from tanso.cli import main
from tanso.diagnostics import InputError


def run_with(tmp_path, rows, factors=FUEL_FACTORS):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": rows}, {"fuels": factors})
    result = case.run()
    return case, result, {r["row_id"]: r for r in rejects(result)}


def test_a_non_numeric_quantity_is_rejected_naming_file_row_and_column(tmp_path):
    case, result, by_id = run_with(tmp_path, [fuel_row("F1", "100"), fuel_row("F2", "lots")])
    reason = by_id["F2"]["reason"]
    assert str(case.data / "fuel_use.csv") in reason
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
    assert "Traceback" not in outcome.output


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
