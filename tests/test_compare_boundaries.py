"""A comparison re-weights a rule's totals between boundaries that include the same entities instead of running
the rule again (compare/boundaries.py), only for rules whose calculators read the boundary weight only in
passthrough: the result is the same, to the last digit, as running it."""

from __future__ import annotations

from collections import Counter

from conftest import ACME_DATA, REPO
from test_compare_reweight import same_results
import tanso.compare
from tanso.compare import Change, boundaries, compare, dependencies
from tanso.run import prepare
from tanso.run.execute import plan_rules
from tanso.run.session import Session

RULESETS = (REPO / "rulesets" / "ghgp-current", REPO / "rulesets" / "ghgp-draft-2026")
# On Acme the same entities either way; the joint venture weighs 1 under operational control, 0.5 under financial
# (under the 2004 basis: the draft's `financial_statements` leaves the joint venture out under financial control).
APPROACHES = ("operational_control", "financial_control")
GHGP_2004 = {"boundary.financial_control_basis": "ghgp_2004"}


def ledgers_by_approach(path, rule_ids, registry) -> dict[str, dict[str, tuple[list[tuple], list[tuple]]]]:
    """Each rule's ledger rows without their boundary_weight, and with it (both sorted), under each approach,
    planned as a scenario plans them."""
    session = Session(registry, ACME_DATA)
    found: dict[str, dict[str, tuple[list[tuple], list[tuple]]]] = {}
    for approach in APPROACHES:
        prepared = prepare(path, registry=registry, overrides={"boundary.approach": approach, **GHGP_2004})
        planner = plan_rules(prepared.ruleset, prepared.graph, session, rule_ids, approach)
        found[approach] = {r: tuple(planner.query(f"SELECT {columns} FROM {planner.rule_ledgers[r]} ORDER BY ALL")
                                    for columns in ("* EXCLUDE (boundary_weight)", "*")) for r in rule_ids}
    return found


def test_a_calculator_declaring_weight_only_in_passthrough_gives_the_same_rows_under_other_weights(registry):
    """Every such calculator, in every rule of ghgp-current and the draft using it (also on derived rows): its
    ledger rows on Acme under operational and under financial control are the same but for boundary_weight
    (and some rows of each ruleset do differ in it). investee_share, which weighs by the boundary itself, is not
    declared, and its rows do differ otherwise: the check can tell."""
    declared = {name for name, calculator in registry.calculators.items() if calculator.weight_only_in_passthrough}
    covered: set[str] = set()
    for path in RULESETS:
        ruleset = prepare(path, registry=registry, overrides=GHGP_2004).ruleset
        approach = [Change("policy:boundary.approach", "policy", "boundary.approach", None, None)]
        # the rules a comparison re-weighs (such calculators, also in the rules they derive from) whose rows the
        # approach reaches only through the boundary (a rule whose `where` reads it takes other rows under each)
        rule_ids = sorted(r for r, rule in ruleset.rules.items()
                          if (boundaries.reweighable(ruleset, r, registry)
                              or "investee_share" in {s.calculator for s in rule.steps})
                          and not dependencies(r, ruleset, ruleset, registry, approach, through_boundary=False))
        ledgers = ledgers_by_approach(path, rule_ids, registry)
        weights_differ = False
        for rule_id in rule_ids:
            (operational, operational_weighted), (financial, financial_weighted) = (ledgers[a][rule_id]
                                                                                    for a in APPROACHES)
            calculators = {s.calculator for s in ruleset.rules[rule_id].steps}
            if boundaries.reweighable(ruleset, rule_id, registry):
                assert operational == financial, rule_id
                weights_differ |= operational_weighted != financial_weighted
                covered |= calculators if operational else set()
            else:
                assert operational != financial, rule_id   # investee_share's rows change with the weights
        assert weights_differ
    assert covered == declared   # each declared calculator has rows in some rule


def test_a_rule_under_a_boundary_including_the_same_entities_is_reweighted_not_run_again(tmp_path, registry,
                                                                                         monkeypatch):
    """ghgp-current → the draft on Acme: boundary.approach and boundary.financial_control_basis change, and three of
    their four combinations include the same entities. Stationary combustion (fuel_combustion) is re-weighted under
    them from the runs, never planned in a scenario, transmission and distribution losses (on the rows of location-based
    Scope 2) less often; equity investments (investee_share, which weighs by the
    boundary itself) are planned as before; every figure is the one running each scenario gives."""
    current = prepare(RULESETS[0], registry=registry)
    draft = prepare(RULESETS[1], registry=registry)
    selected = {"rule:s1.stationary", "rule:s2.location", "rule:s3.cat3.td", "rule:s3.cat15.equity_investments"}
    planned: Counter = Counter()
    plan = tanso.compare.plan_rules

    def counted(ruleset, graph, session, rule_ids, label):
        planned.update(rule_ids)
        return plan(ruleset, graph, session, rule_ids, label)

    monkeypatch.setattr(tanso.compare, "plan_rules", counted)
    made = compare(current.ruleset, draft.ruleset, registry, ACME_DATA, tmp_path / "made", selected=selected)
    made_planned = dict(planned)
    planned.clear()
    monkeypatch.setattr(boundaries, "reweighable", lambda ruleset, rule_id, registry: False)
    run = compare(current.ruleset, draft.ruleset, registry, ACME_DATA, tmp_path / "run", selected=selected)
    same_results(made, run)
    assert made.scenarios_evaluated == run.scenarios_evaluated
    assert planned["s1.stationary"] == 2 and "s1.stationary" not in made_planned
    # transmission and distribution losses (loss_share on the rows of s2.location, also activity): planned once per
    # location hierarchy and set of included entities, not per boundary
    assert made_planned["s3.cat3.td"] < planned["s3.cat3.td"]
    assert made_planned["s3.cat15.equity_investments"] == planned["s3.cat15.equity_investments"] > 0
