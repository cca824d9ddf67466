"""Incomplete is loud: rejected rows are reported before any total, and exit 5 unless accepted."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.cli import main
from tanso.diagnostics import RulesetError


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _case(tmp_path, extra: str = "", rows=None):
    rows = rows if rows is not None else [
        fuel_row("F1", "100"), fuel_row("F2", "40", unit="kg"), fuel_row("F3", "1200", fuel="coal", unit="kg"),
        fuel_row("F4", "abc")]
    return make_case(tmp_path, fuel_ruleset(extra=extra), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})


def test_rejects_are_the_first_lines_with_rows_activity_and_reasons_and_exit_5(tmp_path):
    case = _case(tmp_path)
    outcome = _cli("evaluate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 5
    lines = outcome.stdout.splitlines()
    assert lines[0] == "INCOMPLETE: 3 input rows rejected, left out of the totals below"
    assert lines[1].startswith("  input fuel_use (refused while reading)") and "1 of 4 rows rejected" in lines[1]
    assert "column quantity: 'abc' is not a number (1)" in lines[2]   # the file and row prefix is left out
    assert "rules reading fuel_use: s1.fuel" in lines[3]
    rule_line = next(line for line in lines if line.startswith("  rule s1.fuel"))
    assert "2 of 3 rows rejected, activity 1,240 kg" in rule_line and "case.tanso:" in rule_line
    assert outcome.stdout.index("INCOMPLETE") < outcome.stdout.index("Scope 1")
    assert "error: totals incomplete: 3 rows rejected" in outcome.stderr and "--allow-rejects" in outcome.stderr


def test_allow_rejects_exits_0_and_still_says_so(tmp_path):
    case = _case(tmp_path)
    outcome = _cli("evaluate", case.ruleset, "--data", case.data, "--allow-rejects")
    assert outcome.exit_code == 0
    assert outcome.stdout.startswith("INCOMPLETE: 3 input rows rejected")
    assert "warning: totals incomplete" in outcome.stderr


def test_the_exit_message_of_an_incomplete_run_is_in_the_runs_language_with_the_row_count_spelled_right(tmp_path):
    case = _case(tmp_path, rows=[fuel_row("F1", "100"), fuel_row("F4", "abc")])
    english = _cli("evaluate", case.ruleset, "--data", case.data)
    assert "error: totals incomplete: 1 row rejected beyond" in english.stderr        # not "1 rows"
    japanese = _cli("evaluate", case.ruleset, "--data", case.data, "--lang", "ja")
    assert japanese.exit_code == 5
    assert japanese.stderr.startswith("エラー：合計は不完全：1 行が許容範囲を超えて不採用")
    allowed = _cli("evaluate", case.ruleset, "--data", case.data, "--lang", "ja", "--allow-rejects")
    assert allowed.exit_code == 0 and allowed.stderr.startswith("警告：合計は不完全（1 行が")


def test_a_clean_run_says_complete_and_exits_0(tmp_path):
    case = _case(tmp_path, rows=[fuel_row("F1", "100")])
    outcome = _cli("evaluate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 0
    assert outcome.stdout.splitlines()[0] == "complete: no row rejected"


@pytest.mark.parametrize("tolerances, accepted", [
    ('accept rejects s1.fuel up to 2 rows "two legacy rows"\naccept rejects fuel_use up to 1 row "a typo"', True),
    ('accept rejects s1.fuel up to 1 row "one"\naccept rejects fuel_use up to 1 row "a typo"', False),
    ('accept rejects s1.fuel up to 70 % "most"\naccept rejects fuel_use up to 25 % "a quarter"', True),
    ('accept rejects s1.fuel up to 50 % "half"\naccept rejects fuel_use up to 25 % "a quarter"', False),
    ('accept rejects s1.fuel up to 1.24 "t" "1.24 t of fuel"\naccept rejects fuel_use up to 1 row "a typo"', True),
    ('accept rejects s1.fuel up to 1239 "kg" "just under"\naccept rejects fuel_use up to 1 row "a typo"', False),
    ('accept rejects s1.fuel up to 5000 "l" "litres"\naccept rejects fuel_use up to 1 row "a typo"', False),
])
def test_a_stated_tolerance_accepts_rows_share_or_activity(tmp_path, tolerances, accepted):
    case = _case(tmp_path, extra="\n" + tolerances + "\n")
    outcome = _cli("evaluate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == (0 if accepted else 5), outcome.output
    first = outcome.stdout.splitlines()[0]
    if accepted:
        assert first.startswith("complete within stated tolerances: 3 input rows rejected")
        assert "case.tanso:16 (up to" in outcome.stdout
    else:
        assert first.startswith("INCOMPLETE") and "NOT accepted" in outcome.stdout
        assert "more than up to" not in outcome.stdout   # "2 rows rejected, over the tolerance (up to 1 row)"


def test_the_tolerance_is_shown_with_its_source_and_recorded_in_json_and_manifest(tmp_path):
    case = _case(tmp_path, extra='\naccept rejects s1.fuel up to 2 rows "supplier data being cleaned"\n'
                                 'accept rejects fuel_use up to 1 row "a typo, fixed next year"\n')
    out = tmp_path / "out"
    outcome = _cli("evaluate", case.ruleset, "--data", case.data, "--out", out)
    assert outcome.exit_code == 0
    line = next(x for x in outcome.stdout.splitlines() if x.startswith("  rule s1.fuel"))
    assert "accepted by" in line and "case.tanso:" in line and "(up to 2 rows)" in line
    assert '"supplier data being cleaned"' in line
    manifest = json.loads((out / "manifest.json").read_text())
    block = manifest["completeness"]
    assert block["status"] == "accepted" and block["rows_rejected"] == 3
    rule = next(g for g in block["groups"] if g["rule"] == "s1.fuel")
    assert rule["tolerance"]["justification"] == "supplier data being cleaned"
    assert rule["tolerance"]["source"].endswith("case.tanso:16")
    assert rule["activity"] == [{"column": "quantity", "unit": "kg", "quantity": "1240.000000",
                                 "magnitude": "1240.000000", "rows": 2, "rows_without_quantity": 0}]
    as_json = _cli("evaluate", case.ruleset, "--data", case.data, "--format", "json")
    document = json.loads(as_json.stdout)   # nothing printed before the JSON
    assert document["completeness"]["status"] == "accepted"
    assert document["completeness"]["groups"][0]["input"] == "fuel_use"


def test_json_of_an_incomplete_run_carries_the_block_and_exits_5(tmp_path):
    case = _case(tmp_path)
    outcome = _cli("evaluate", case.ruleset, "--data", case.data, "--format", "json")
    assert outcome.exit_code == 5
    document = json.loads(outcome.stdout)
    assert document["completeness"]["status"] == "incomplete"
    assert document["completeness"]["rows_not_accepted"] == 3


@pytest.mark.parametrize("statement, message", [
    ('accept rejects s1.fule up to 2 rows "x"', "unknown rule or input table 's1.fule'"),
    ('accept rejects s1.fuel up to 2.5 rows "x"', "a number of rows is whole"),
    ('accept rejects s1.fuel up to 120 % "x"', "at most 100 %"),
    ('accept rejects s1.fuel up to 2 "kWhr" "x"', "unknown unit 'kWhr'"),
    ('accept rejects s1.fuel up to 2 rows ""', "needs its justification"),
    ('accept rejects s1.fuel up to 2 "x"', "unexpected end of statement"),
])
def test_a_wrong_tolerance_is_a_diagnostic_with_its_line(tmp_path, statement, message):
    case = _case(tmp_path, extra="\n" + statement + "\n")
    with pytest.raises(RulesetError) as raised:
        case.prepare()
    rendered = raised.value.diagnostics.render()
    assert message in rendered and "case.tanso:16" in rendered


def test_compare_reports_each_side_and_exits_5(tmp_path):
    case = _case(tmp_path)
    outcome = _cli("compare", case.ruleset, "--data", case.data, "--set", "gwp.set=AR6")
    assert outcome.exit_code == 5
    assert outcome.stdout.startswith("base: INCOMPLETE: 3 input rows rejected")
    assert "revised: INCOMPLETE" in outcome.stdout
    assert _cli("compare", case.ruleset, "--data", case.data, "--set", "gwp.set=AR6", "--allow-rejects").exit_code == 0
    document = json.loads(_cli("compare", case.ruleset, "--data", case.data, "--set", "gwp.set=AR6",
                               "--format", "json", "--allow-rejects").stdout)
    assert document["base"]["completeness"]["status"] == "incomplete"


def test_certificates_a_calculator_refuses_are_their_tables_rejects_not_the_rules_rows(tmp_path):
    from test_scope2_market import BY_ROW, FACTORS, consumption, held
    rows = {"electricity": [consumption("E1", "R1", "100")],
            "certificates": [held("C1", "GO-42", "R1", "60"), held("C2", "GO-7", "R1", "10"),
                             held("C3", "GO-42", "R1", "60")]}
    result = make_case(tmp_path / "a", BY_ROW, rows, FACTORS).run()
    block = result.completeness
    assert block["status"] == "incomplete"
    [group] = block["groups"]
    assert group["input"] == "certificates" and group["rule"] is None and group["refused_by"] == "s2.market"
    assert group["rows_rejected"] == 2 and group["rows_selected"] == 3
    tolerated = make_case(tmp_path / "b", BY_ROW + '\naccept rejects certificates up to 2 rows "GO-42 is being '
                                                   'reissued by the registry"\n', rows, FACTORS).run()
    assert tolerated.completeness["status"] == "accepted"


def test_one_rejection_beyond_the_tolerances_is_counted_in_the_singular(tmp_path):
    # s1.fuel's two rejected rows are accepted; the unreadable fuel_use row is not
    case = _case(tmp_path, extra='\naccept rejects s1.fuel up to 2 rows "two legacy rows"\n')
    outcome = _cli("evaluate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 5
    assert outcome.stdout.splitlines()[0] == ("INCOMPLETE: 3 input rows rejected, left out of the totals below; "
                                              "1 rejection beyond the stated tolerances")
