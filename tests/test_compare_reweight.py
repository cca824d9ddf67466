"""A comparison re-weights a rule's rows for a *weighting* option (the GWP set) instead of running the
rule again, only where that is exact: the result is the same, to the last digit, as running it."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from test_compare import assert_parts_sum, base_case, overlay
from tanso.compare import compare, reweight
from tanso.run import prepare
from tanso.run.execute import plan_rules, planned_totals
from tanso.run.session import Session


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


# LONG with a larger petrol CO2 factor: the petrol row's ledger-range bound is the same under every GWP set
LONG_BOUNDED = [*LONG, {"factor_id": "PETROL-CO2", "fuel": "petrol", "gas": "CO2", "value": "8.78", "unit": "kg",
                        "per": "l"}]


@pytest.mark.parametrize("factors", [FUEL_FACTORS, LONG_BOUNDED], ids=["exact", "long"])
def test_one_scan_gives_what_the_totals_and_each_reweighting_query_give(tmp_path, registry, factors):
    """A planned scenario's totals and its rows re-weighted for other GWP sets come from one scan of its
    rows: the same totals, digit for digit, and the same refusals, as one query each."""
    rows = [fuel_row("F1", "100"), fuel_row("F2", "0.000003"), fuel_row("F3", "0.000003", fuel="petrol", entity="E2")]
    case = make_case(tmp_path, fuel_ruleset("AR5"), {"fuel_use": rows}, {"fuels": factors})
    others = []
    for gwp in ("AR6", "AR4"):
        (tmp_path / gwp).mkdir()
        (tmp_path / gwp / "case.tanso").write_text(fuel_ruleset(gwp))
        others.append(prepare(tmp_path / gwp, registry=registry).ruleset.policy)
    prepared = prepare(case.ruleset, registry=registry)
    session = Session(registry, case.data, reuse=True)
    tables = session.reuse.collect(reweight.plan_time_table)
    planner = plan_rules(prepared.ruleset, prepared.graph, session, ["s1.fuel"], "scenario_1")
    rule, weighting = reweight.planned(planner, "s1.fuel", tables), registry.policy_options["gwp.set"].weighting
    totals, answers = reweight.with_totals(rule, weighting, prepared.ruleset.policy, others)
    separately = [reweight.reweighted(rule, weighting, prepared.ruleset.policy, other) for other in others]
    expected = planned_totals(planner, ["s1.fuel"])["s1.fuel"]
    # keyed, not ordered: a GROUP BY's row order is the engine's (it varies with its threads)
    assert {k: str(v) for k, v in totals.items()} == {k: str(v) for k, v in expected.items()}
    assert [a and {k: str(v) for k, v in a.items()} for a in answers] == \
        [a and {k: str(v) for k, v in a.items()} for a in separately]
    # AR4's CH4 (25) keeps F3's 18 decimals; AR6's (27.9) would need 19: refused, the scenario is run
    assert [a is not None for a in answers] == ([True, True] if factors is FUEL_FACTORS else [False, True])
