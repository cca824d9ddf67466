"""A comparison re-weights a rule's rows for a *weighting* option (the GWP set) instead of running the
rule again, only where that is exact: the result is the same, to the last digit, as running it."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from conftest import FUEL_FACTORS, fuel_row
from test_compare import assert_parts_sum, base_case, overlay
from tanso.compare import compare
from tanso.run import prepare


def both_ways(case, revised_path, tmp_path):
    """The comparison as made, and as made with no option declared a weighting (every combination run)."""
    base = prepare(case.ruleset)
    revised = prepare(revised_path, registry=base.registry)
    unweighted = copy.copy(base.registry)
    unweighted.__dict__["policy_options"] = {name: dataclasses.replace(option, weighting=None)
                                             for name, option in base.registry.policy_options.items()}
    made = compare(base.ruleset, revised.ruleset, base.registry, case.data, tmp_path / "made")
    run = compare(base.ruleset, revised.ruleset, unweighted, case.data, tmp_path / "run")
    return made, run


def same_results(made, run) -> None:
    assert [(a.change.key, a.one_at_a_time, a.sequential, a.shapley, a.by_group) for a in made.attributions] == \
        [(a.change.key, a.one_at_a_time, a.sequential, a.shapley, a.by_group) for a in run.attributions]
    assert made.deltas == run.deltas
    # the same digits, not only equal values: the JSON of a comparison prints them
    assert [str(r["revised_kg"]) for r in made.deltas["entity"]] == [str(r["revised_kg"]) for r in run.deltas["entity"]]
    assert made.base.digest == run.base.digest and made.revised.digest == run.revised.digest
    assert_parts_sum(made)


def test_a_gwp_change_needs_no_scenario_of_its_own(tmp_path):
    case = base_case(tmp_path)
    made, run = both_ways(case, overlay(tmp_path, "set boundary.approach = equity_share\nset gwp.set = AR6\n"),
                          tmp_path)
    same_results(made, run)
    # Each rule's combinations: {}, {boundary}, {gwp}, {boundary, gwp}. {} and {boundary, gwp} are the two
    # full runs; {gwp} is the base run's rows re-weighted, {boundary, gwp} gives {boundary} the same way.
    assert run.scenarios_evaluated == 2 + 2
    assert made.scenarios_evaluated == 2


# A petrol factor per US gallon, for rows in litres: 1 l = 1/3.785411784 gal does not terminate, so the
# effective factor is rounded at 18 decimals and a row's co2e_kg is not amount × GWP.
ROUNDED = [*FUEL_FACTORS, {"factor_id": "PETROL-CO2", "fuel": "petrol", "gas": "CO2", "value": "8.78", "unit": "kg",
                           "per": "gal"},
           {"factor_id": "PETROL-CH4", "fuel": "petrol", "gas": "CH4", "value": "0.38", "unit": "g", "per": "gal"}]
# Exact at 12 decimals, but a quantity of 6 decimals times it has 18, and times AR6's 27.9 for CH4 19: the
# revised run rounds that row's CO2e at the ledger's 18 decimals, so re-weighting its amount would not be it.
LONG = [*FUEL_FACTORS, {"factor_id": "PETROL-CH4", "fuel": "petrol", "gas": "CH4", "value": "0.123456789012",
                        "unit": "kg", "per": "l"}]


@pytest.mark.parametrize("factors, quantity", [(ROUNDED, "123.456789"), (LONG, "0.000003")], ids=["rounded", "long"])
def test_rows_that_cannot_be_reweighted_exactly_are_run_and_their_parts_stay_exact(tmp_path, factors, quantity):
    rows = [fuel_row("F1", "100", entity="E1"), fuel_row("F2", quantity, fuel="petrol", entity="E2"),
            fuel_row("F3", "7.5", entity="E2", use="mobile")]
    case = base_case(tmp_path, rows, factors)
    made, run = both_ways(case, overlay(tmp_path, "set boundary.approach = equity_share\nset gwp.set = AR6\n"),
                          tmp_path)
    same_results(made, run)
    # s1.mobile (diesel alone) is re-weighted; s1.stationary is run for {gwp}, the one scenario more
    assert run.scenarios_evaluated == 2 + 2
    assert made.scenarios_evaluated == 2 + 1
