"""The base year re-run under the current ruleset is compared with the base year as reported: recalculation is
required when a line changes by more than the significance threshold (Corporate Standard 2004, ch. 5)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso_ghgp.base_year import check, main


# Heat bought from a neighbour's boiler, reported under both Scope 2 bases (its diesel's factors stand in for
# the supplier's: enough to give each basis its own line).
BOTH_BASES = ('rule s2.heat.location "Purchased heat, location-based"\n  scope 2\n  basis location\n'
              '  from fuel_use where use = "heat"\n  calc fuel_combustion(factors: fuels)\n'
              'rule s2.heat.market "Purchased heat, market-based"\n  scope 2\n  basis market\n'
              '  from fuel_use where use = "heat"\n  calc fuel_combustion(factors: fuels)\n')


def _run(tmp_path, name: str, litres: str, gwp: str = "AR5", heat: str | None = None, bad_rows: int = 0):
    rows = [fuel_row("F1", litres), *([fuel_row("H1", heat, use="heat")] if heat else []),
            *(fuel_row(f"X{n}", "-1") for n in range(bad_rows))]
    case = make_case(tmp_path / name, fuel_ruleset(gwp, extra=BOTH_BASES if heat else ""), {"fuel_use": rows},
                     {"fuels": FUEL_FACTORS})
    case.run()
    return case.root / "out"


def test_a_change_within_the_threshold_needs_no_recalculation_and_one_beyond_it_does(tmp_path):
    reported = _run(tmp_path, "reported", "100")
    assert check(reported, _run(tmp_path, "small", "104"), D("0.05"))["required"] is False
    verdict = check(reported, _run(tmp_path, "large", "106"), D("0.05"))
    assert verdict["required"] is True
    assert [(line["line"], line["significant"]) for line in verdict["lines"]] == [
        ("Scope 1", True), ("Scope 2 (location-based)", False), ("Scope 3", False), ("Total", True)]


def test_a_methodology_change_is_named_and_the_verdict_printed(tmp_path):
    reported, recalculated = _run(tmp_path, "ar5", "100"), _run(tmp_path, "ar6", "100", gwp="AR6")
    result = CliRunner().invoke(main, [str(reported), str(recalculated), "--threshold", "0.05"])
    assert result.exit_code == 0, result.output
    assert "changed policies: gwp.set" in result.output and "verdict: base-year recalculation" in result.output


@pytest.mark.parametrize("threshold, exit_code, message", [
    ("0", 1, "expected a share between 0 and 1"), ("1.5", 1, "expected a share between 0 and 1"),
    ("five", 2, "'five' is not a number"), ("nan", 2, "'nan' is not a number"), ("sNaN", 2, "'sNaN' is not a number")])
def test_a_threshold_that_is_not_a_share_is_refused(tmp_path, threshold, exit_code, message):
    run = _run(tmp_path, "one", "100")
    result = CliRunner().invoke(main, [str(run), str(run), "--threshold", threshold])
    assert result.exit_code == exit_code and message in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, ArithmeticError)


def test_scope_2_market_based_is_a_line_of_its_own_and_not_in_the_total(tmp_path):
    """Both Scope 2 bases are reported (Scope 2 Guidance 2015), so both are checked; the total counts Scope 2 once,
    location-based."""
    verdict = check(_run(tmp_path, "before", "100", heat="10"), _run(tmp_path, "after", "100", heat="20"), D("0.05"))
    lines = {line["line"]: line for line in verdict["lines"]}
    assert list(lines) == ["Scope 1", "Scope 2 (location-based)", "Scope 2 (market-based)", "Scope 3", "Total"]
    assert lines["Scope 2 (market-based)"]["significant"] and lines["Scope 2 (market-based)"]["change_kg"] > 0
    assert lines["Total"]["recalculated_kg"] == sum(lines[name]["recalculated_kg"]
                                                    for name in ("Scope 1", "Scope 2 (location-based)", "Scope 3"))


def test_an_incomplete_run_makes_the_verdict_provisional_first_line_and_exit_5(tmp_path):
    reported, recalculated = _run(tmp_path, "reported", "100"), _run(tmp_path, "gaps", "100", bad_rows=2)
    result = CliRunner().invoke(main, [str(reported), str(recalculated)])
    assert result.exit_code == 5
    first, *_, last = result.output.splitlines()
    assert first.startswith(f"INCOMPLETE: the recalculated run {recalculated} left 2 rejected rows out of its totals")
    assert last.endswith("provisional: a run is incomplete")
