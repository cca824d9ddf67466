"""Every ledger row records its data-quality level: the calculator's for its data type (fuel-based is
primary: level 4), unless the row declares its own in a `data_quality` column (a verified "4+")."""

from __future__ import annotations

import pytest

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, ledger, make_case
from tanso.diagnostics import TansoError
from tanso_report.plugin import render_table

DECLARED = fuel_ruleset().replace("unit: text\n", "unit: text, data_quality: text in (\"1\", \"2\", \"3\", \"3+\", \"4\", \"4+\")\n", 1)


def test_a_row_records_its_calculators_level_for_its_data_type(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    rows = ledger(case.run())
    assert rows and {(r["data_type"], r["data_quality"]) for r in rows} == {("primary", "4")}


def test_a_row_declaring_a_level_keeps_it_and_an_empty_one_falls_back(tmp_path):
    verified, plain = fuel_row("F1", "100"), fuel_row("F2", "50")
    verified["data_quality"], plain["data_quality"] = "4+", ""
    case = make_case(tmp_path, DECLARED, {"fuel_use": [verified, plain]}, {"fuels": FUEL_FACTORS})
    levels = {r["row_id"]: r["data_quality"] for r in ledger(case.run())}
    assert levels == {"F1": "4+", "F2": "4"}


SCOPE3 = DECLARED + """
rule s3.cat1 "Purchased fuel, as purchased goods"
  scope 3 category 1
  from fuel_use
  calc fuel_combustion(factors: fuels)

check s3.primary_share "Each Scope 3 category's primary-data share is at least scope3.min_primary_share"
  = lowest_primary_share() >= policy("scope3.min_primary_share")
"""


def _primary_check(tmp_path, minimum: str | None) -> tuple[dict, str]:
    """The check s3.primary_share of a category 25% primary, and the run as the table report prints it."""
    measured, spend = fuel_row("F1", "100"), fuel_row("F2", "300")
    measured["data_quality"], spend["data_quality"] = "", "1"
    case = make_case(tmp_path, SCOPE3, {"fuel_use": [measured, spend]}, {"fuels": FUEL_FACTORS})
    result = case.run(overrides={"scope3.min_primary_share": minimum} if minimum else None)
    return next(c for c in result.checks if c["id"] == "s3.primary_share"), render_table(result, None)


def test_a_category_below_the_minimum_primary_share_fails_naming_the_category_its_share_and_the_minimum(tmp_path):
    check, printed = _primary_check(tmp_path, "0.5")
    assert check["passed"] is False
    assert check["findings"] == ["category 1: primary data 25.0% of its emissions, below the minimum 50.0%"]
    assert check["notes"] == []
    assert "check s3.primary_share: FAIL" in printed
    assert "flagged: category 1: primary data 25.0% of its emissions, below the minimum 50.0%" in printed


def test_a_passing_primary_share_check_reads_as_passing_its_shares_information_not_flags(tmp_path):
    check, printed = _primary_check(tmp_path, "0.25")
    assert check["passed"] is True and check["findings"] == []
    assert check["notes"] == ["category 1: primary data 25.0% of its emissions"]
    assert "check s3.primary_share: PASS" in printed
    assert "information: category 1: primary data 25.0% of its emissions" in printed
    assert "flagged" not in printed


def test_without_a_minimum_the_check_is_not_applicable_and_lists_the_shares_as_information(tmp_path):
    check, printed = _primary_check(tmp_path, None)
    assert check["passed"] is None and check["findings"] == []
    assert check["notes"] == ["category 1: primary data 25.0% of its emissions"]
    assert "flagged" not in printed and "information: category 1" in printed


def test_a_level_column_must_list_the_levels_it_may_hold(tmp_path):
    """Without `in (...)`, a typo such as "level 2" would become a level of its own: the ruleset is refused
    at check, naming the column, and a listed value no calculator declares is named too."""
    for declared, named in (("data_quality: text", None), ('data_quality: text in ("1", "5")', "'5'")):
        case = make_case(tmp_path / declared.replace(" ", "_").replace('"', ""),
                         fuel_ruleset().replace("unit: text\n", f"unit: text, {declared}\n", 1),
                         {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
        with pytest.raises(TansoError) as refused:
            case.run()
        text = refused.value.diagnostics.render()
        assert "column 'data_quality' of input 'fuel_use'" in text and '"4+"' in text
        assert named is None or f"{named} is no calculator's level" in text
