"""The base year re-run under the current ruleset is compared with the base year as reported: recalculation is
required when a line changes by more than the significance threshold (Corporate Standard 2004, ch. 5)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso_ghgp.base_year import check, main


def _run(tmp_path, name: str, litres: str, gwp: str = "AR5"):
    case = make_case(tmp_path / name, fuel_ruleset(gwp), {"fuel_use": [fuel_row("F1", litres)]}, {"fuels": FUEL_FACTORS})
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
