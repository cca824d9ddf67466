"""A ruleset's reporting period (`period 2025-04-01 to 2026-03-31`) and each input's `period COLUMN`: every dated
row is inside (computed), wholly outside (excluded, `reporting_period`) or across a boundary / unreadable
(rejected) — never silently in or out. The row-by-row specification is the YAML test
tests/rulesets/fiscal-year/tests/reporting_period.yaml; these are the run's other promises."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, excluded, fuel_row, ledger, make_case, rejects
from tanso.cli import main
from tanso.diagnostics import RulesetError
from tanso.compare import compare
from tanso.run import evaluate, prepare

FISCAL_YEAR = "period 2025-04-01 to 2026-03-31"


def dated_ruleset(period: str = FISCAL_YEAR, column: str = "period: text") -> str:
    return f"""\
        ruleset case "Fuel, fiscal year 2025"
          {period}
        set gwp.set = AR5
        input fuel_use
          key row_id
          columns entity: text, {column}, fuel: text, use: text, quantity: decimal(18,6), unit: text
          period period
        factors fuels "fuel factors" file "factors/fuels.csv"
        rule s1.fuel "Fuel combustion"
          scope 1
          from fuel_use
          calc fuel_combustion(factors: fuels)
        """


def placed(tmp_path, periods: list[str | None], *, period: str = FISCAL_YEAR, column: str = "period: text") -> dict:
    """Where each row (R0, R1, … of 100 l of diesel, dated by `periods`) went: ledger, excluded or a reject's code."""
    rows = [fuel_row(f"R{i}", "100", period=p) for i, p in enumerate(periods)]
    result = make_case(tmp_path, dated_ruleset(period, column), {"fuel_use": rows}, {"fuels": FUEL_FACTORS}).run()
    outcome = {row["row_id"]: "in" for row in ledger(result)}
    outcome |= {row["row_id"]: "excluded" for row in excluded(result)}
    codes = dict(result.connection.execute(
        "SELECT row_id, reason_code FROM (SELECT row_id, reason, " + _codes() + " AS reason_code FROM run_rejects)"
    ).fetchall())
    return {f"R{i}": outcome.get(f"R{i}", codes.get(f"R{i}")) for i in range(len(periods))}


def _codes() -> str:
    from tanso.reasons import codes_sql
    return codes_sql("reason")


def test_a_month_is_inside_only_when_the_period_holds_all_its_days(tmp_path):
    # from 2025-03-15 to 2026-02-28: March 2025 and the year 2025 straddle the start, February 2026 ends on its last day
    assert placed(tmp_path, ["2025-02", "2025-03", "2025-04", "2026-02", "2026-03", "2025-03-14", "2025-03-15", "2025"],
                  period="period 2025-03-15 to 2026-02-28") == {
        "R0": "excluded", "R1": "period_straddles", "R2": "in", "R3": "in", "R4": "excluded", "R5": "excluded",
        "R6": "in", "R7": "period_straddles"}


def test_a_calendar_year_is_inside_a_calendar_period_and_a_month_that_does_not_exist_is_unreadable(tmp_path):
    assert placed(tmp_path, ["2025", "2024", "2025-13", "2025-02-30", " 2025-04", None, "FY2025"],
                  period="period 2025-01-01 to 2025-12-31") == {
        "R0": "in", "R1": "excluded", "R2": "period_unreadable", "R3": "period_unreadable", "R4": "period_unreadable",
        "R5": "period_unreadable", "R6": "period_unreadable"}


def test_an_integer_column_is_a_year_and_a_date_column_a_day(tmp_path):
    assert placed(tmp_path / "year", ["2025", "2026", None], column="period: integer") == {
        "R0": "period_straddles", "R1": "period_straddles", "R2": "period_unreadable"}
    assert placed(tmp_path / "day", ["2025-03-31", "2025-04-01", "2026-03-31", "2026-04-01"], column="period: date") == {
        "R0": "excluded", "R1": "in", "R2": "in", "R3": "excluded"}


def test_a_day_the_calendar_does_not_have_is_a_ruleset_error(tmp_path):
    case = make_case(tmp_path, dated_ruleset("period 2025-04-01 to 2026-02-29"), {})
    with pytest.raises(RulesetError) as raised:
        prepare(case.ruleset)
    assert [d.message for d in raised.value.diagnostics.errors] == ["2026-02-29 is not a day of the calendar"]


def test_a_ruleset_without_a_period_reads_every_row_and_an_inputs_period_clause_is_unused(tmp_path):
    assert placed(tmp_path, ["2019-01", "Q1 2025"], period="") == {"R0": "in", "R1": "in"}


def test_the_run_records_the_period_its_source_and_shows_it_first_in_english_and_japanese(tmp_path):
    case = make_case(tmp_path, dated_ruleset(), {"fuel_use": [fuel_row("F1", "100", period="2025-03"),
                                                              fuel_row("F2", "100", period="2025-04")]},
                     {"fuels": FUEL_FACTORS})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--out", str(out),
                                       "--report", "html"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "reporting period 2025-04-01 – 2026-03-31"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["ruleset"]["reporting_period"] == {"start": "2025-04-01", "end": "2026-03-31",
                                                       "source": "case.tanso:2", "inputs": {"fuel_use": "period"}}
    assert (out / "excluded.csv").read_text().splitlines()[1] == (
        "F1,fuel_use,1,,reporting_period,case.tanso:2,period_outside,column period: '2025-03' is outside the reporting period "
        "2025-04-01 – 2026-03-31")
    assert "reporting period 2025-04-01 – 2026-03-31." in (out / "report.html").read_text()
    japanese = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--lang", "ja"],
                                  catch_exceptions=False)
    assert japanese.output.splitlines()[0] == "報告期間 2025-04-01 – 2026-03-31"


def test_rows_not_placed_in_the_period_are_the_inputs_rejects_that_a_tolerance_may_accept(tmp_path):
    tolerated = dated_ruleset().replace("rule s1.fuel", 'accept rejects fuel_use up to 1 row "the ERP\'s yearly '
                                        'adjustment is split by hand"\nrule s1.fuel')
    case = make_case(tmp_path, tolerated, {"fuel_use": [fuel_row("F1", "100", period="2025")]}, {"fuels": FUEL_FACTORS})
    result = case.run()
    [reject] = rejects(result)
    assert (reject["rule_id"], reject["rule_source"]) == (None, "case.tanso:2")
    [group] = result.completeness["groups"]
    assert group["status"] == "accepted" and group["reporting_period"] is True


@pytest.mark.parametrize("restated, expected", [("period 2025-01-01 to 2025-12-31", "2025-01-01 – 2025-12-31"),
                                                ("", "2025-04-01 – 2026-03-31")])
def test_an_overlay_restates_the_period_and_one_that_does_not_keeps_the_bases(tmp_path, restated, expected):
    case = make_case(tmp_path, dated_ruleset(), {}, name="base")
    overlay = tmp_path / "overlay.tanso"
    overlay.write_text(f"ruleset overlay\n  {restated}\nset gwp.set = AR6\n")
    assert str(prepare(case.ruleset, overlays=(overlay,)).ruleset.period) == expected


def test_a_comparison_of_two_periods_attributes_the_difference_to_the_period(tmp_path):
    rows = [fuel_row("F1", "100", period="2025-03"), fuel_row("F2", "100", period="2025-04"),
            fuel_row("F3", "10", period="2026-02")]
    case = make_case(tmp_path, dated_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS}, name="base")
    case.ruleset = case.ruleset.rename(tmp_path / "base")   # `extends base` finds it beside the overlay
    revised = tmp_path / "calendar.tanso"
    revised.write_text("ruleset calendar \"Calendar year 2025\"\n  extends base\n  period 2025-01-01 to 2025-12-31\n")
    base, calendar = prepare(case.ruleset), prepare(revised)
    comparison = compare(base.ruleset, calendar.ruleset, base.registry, case.data, tmp_path / "cmp")
    [change] = comparison.changes
    assert (change.key, change.base, change.revised) == ("period", "2025-04-01 – 2026-03-31", "2025-01-01 – 2025-12-31")
    assert change.where == "calendar.tanso:3"
    [attribution] = comparison.attributions
    assert attribution.shapley == Fraction("268.891") - Fraction("26.8891")   # F1 in, F3 out (AR5, 268.891 kg per 100 l)
    base_alone = evaluate(base.ruleset, base.registry, base.graph, case.data, tmp_path / "base_alone")
    revised_alone = evaluate(calendar.ruleset, calendar.registry, calendar.graph, case.data, tmp_path / "revised_alone")
    assert (comparison.base.digest, comparison.revised.digest) == (base_alone.digest, revised_alone.digest)
    assert base_alone.digest != revised_alone.digest
    shown = CliRunner().invoke(main, ["compare", str(case.ruleset), str(revised), "--data", str(case.data)],
                               catch_exceptions=False)
    assert shown.exit_code == 0, shown.output   # the rows it moved are caused by "period", a change without a colon
    assert shown.output.startswith("base: reporting period 2025-04-01 – 2026-03-31\n")
    assert "fuel_use:F1" in shown.output and "│ reporting period" in shown.output


def test_an_overlay_dates_an_inherited_input_by_amending_it_and_fmt_and_diff_know_the_amendment(tmp_path):
    undated = dated_ruleset(period="").replace("  period period\n", "")
    case = make_case(tmp_path, undated, {}, name="base")
    case.ruleset = case.ruleset.rename(tmp_path / "base.tanso")
    overlay = tmp_path / "fiscal.tanso"
    overlay.write_text("ruleset fiscal extends base\n  period 2025-04-01 to 2026-03-31\n\namend   input fuel_use\n"
                       "period period\n")
    assert prepare(overlay).ruleset.inputs["fuel_use"].period == "period"
    formatted = CliRunner().invoke(main, ["fmt", str(overlay)])
    assert formatted.exit_code == 0, formatted.output
    assert overlay.read_text().endswith("\namend input fuel_use\n  period period\n")
    diff = CliRunner().invoke(main, ["diff", str(tmp_path / "base.tanso"), str(overlay)])
    assert diff.exit_code == 0, diff.output
    lines = diff.output.splitlines()
    at = next(index for index, line in enumerate(lines) if line.startswith("  ~ fuel_use  ("))
    # where the base declares it and the overlay amends it, and no text diff of a declaration it does not copy
    assert lines[at].endswith("/fiscal.tanso:4)") and "/base.tanso:" in lines[at]
    assert lines[at + 1:at + 3] == ["      period column: — → period", ""]
