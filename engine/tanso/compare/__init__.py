"""Compare two rulesets on the same data and attribute the difference to each change between them.

A *change* is one unit the revision makes: a policy value, a rule added / replaced / removed, or the
boundary method. The difference between the two inventories is attributed to the changes three ways:
one at a time (each alone on the base; what they do not explain together is the interaction
remainder), sequentially in declared order, and by Shapley value (exact; the parts sum to the total).

Work is shared. Each rule's result depends only on the changes it reads (the policies its
calculators, conditions and boundary read, its own definition, and those of the rules it derives
from). So a scenario is never evaluated whole: each rule is evaluated once per combination of *its*
changes (usually one or two), and any scenario's total is a sum of those. The base and the revision
are full runs with ledgers; the other combinations are ledger-free aggregations on the same
connection, where inputs and factor sets were read once. A combination that differs from one already
planned only in the changes of a *weighting* option (the GWP set) is, where exact, that one's rows
re-weighted (compare/reweight.py), not planned again; so is, for a rule whose rows read no boundary weight, a
combination under a boundary that includes the same entities as one already known (compare/boundaries.py).

The changes and scenarios are in compare/changes.py, the attribution in compare/attribution.py, the
tables by dimension and row in compare/differences.py, what reports show in compare/views.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from tanso.compare import boundaries, reweight
from tanso.compare.attribution import Attribution, Key, Totals, _attribute
from tanso.compare.changes import Change, dependencies, find_changes, scenario, subsets
from tanso.compare.differences import _deltas, _row_changes
from tanso.compare.exact import _exact
from tanso.compare.memory import COMPARE_MEMORY_LIMIT, finished
from tanso.compare.views import bases, headline, in_basis, to_decimal
from tanso.graph import build_graph
from tanso.i18n import t
from tanso.model.ruleset import Ruleset
from tanso.plugins import Registry
from tanso.run.execute import (RunResult, boundary_weights, evaluate, plan_rules, planned_totals,
                               run_rule_totals)
from tanso.run.session import Session
from tanso.run.totals import within_range

__all__ = ["Attribution", "Change", "Comparison", "Key", "Totals", "bases", "compare", "dependencies", "find_changes",
           "headline", "in_basis", "reweight", "scenario", "to_decimal"]


@dataclass
class Comparison:
    base: RunResult
    revised: RunResult
    changes: list[Change]
    attributions: list[Attribution]
    deltas: dict[str, list[dict[str, Any]]]      # by dimension: scope/category/basis, entity, method, data_type,
    # data_quality (by scope, category and basis)
    row_changes: list[dict[str, Any]]            # the largest row-level differences with their causes
    rule_dependencies: dict[str, list[str]]      # rule → the changes its result depends on
    scenarios_evaluated: int
    # Rules whose totals in some combinations of changes pass the range of exact totals: left out there, as
    # evaluate rejects their rows (`beyond_totals`); each with those combinations
    beyond_range: list[dict[str, Any]] = field(default_factory=list)

    def beyond_range_said(self) -> list[str]:
        """Each `beyond_range` rule as the terminal and the comparison page say it, in the current language."""
        return [t("compare.beyond_range", rule=item["rule_id"], count=len(item["changes"]),
                  s="" if len(item["changes"]) == 1 else "s",
                  scenarios="; ".join(", ".join(changes) or t("compare.base_scenario") for changes in item["changes"]))
                for item in self.beyond_range]


# ------------------------------------------------------------------------------------------- compare


@_exact
def compare(base: Ruleset, revised: Ruleset, registry: Registry, data_dir: Path, out_dir: Path, *,
            selected: set[str] | None = None, threads: int | None = None, memory_limit: str | None = None,
            progress: Callable[..., None] = lambda message, done=None, total=None: None, backend: str = "duckdb",
            spark_master: str | None = None) -> Comparison:
    """Evaluate both versions (only the `selected` graph nodes' rules, where given) and attribute the difference."""
    memory_limit = memory_limit or COMPARE_MEMORY_LIMIT
    session = Session(registry, data_dir, threads, memory_limit, backend, spark_master, reuse=True)
    # A session reads each input once, under the first declaration it meets. Where the revision
    # redeclares an input (e.g. electricity with an `hour` column), the base must read it under its
    # own declaration and the revision and scenarios under the revision's: the base gets a session
    # of its own.
    base_session = session if _same_inputs(base, revised) else Session(registry, data_dir, threads, memory_limit,
                                                                       backend, spark_master, reuse=True)
    base_graph, revised_graph = build_graph(base, registry), build_graph(revised, registry)
    # Each run's effective factors, kept for re-weighting its rows (compare/reweight.py)
    base_tables = base_session.reuse.collect(reweight.plan_time_table) if base_session.reuse is not None else {}
    base_run = evaluate(base, registry, base_graph, data_dir, out_dir / "base", session=base_session, label="base",
                        selected=selected, progress=lambda message, *counts: progress(f"base: {message}", *counts))
    if base_session is not session:  # later read only for its ledger's rows (re-weighting)
        finished(base_session)
    revised_tables = session.reuse.collect(reweight.plan_time_table) if session.reuse is not None else {}
    revised_run = evaluate(revised, registry, revised_graph, data_dir, out_dir / "revised", session=session,
                           label="revised", selected=selected,
                           progress=lambda message, *counts: progress(f"revision: {message}", *counts))
    changes = find_changes(base, revised)
    rule_ids = sorted(r for r in set(base.rules) | set(revised.rules) if selected is None or f"rule:{r}" in selected)
    depends = {r: dependencies(r, base, revised, registry, changes) for r in rule_ids}

    # Each rule's totals for every combination of the changes it depends on.
    known: dict[tuple[str, frozenset[str]], Totals] = {}
    base_totals, revised_totals = run_rule_totals(base_run), run_rule_totals(revised_run)
    # a rule with no ledger row has nothing in the run's totals: it is known empty
    for rule_id in set(base.rules) & set(rule_ids):
        known[rule_id, frozenset()] = base_totals.get(rule_id, {})
    for rule_id in set(revised.rules) & set(rule_ids):
        known[rule_id, depends[rule_id]] = revised_totals.get(rule_id, {})
    evaluated = 0
    beyond: dict[str, list[frozenset[str]]] = defaultdict(list)

    def settle(rule_id: str, combination: frozenset[str], totals: Totals | None) -> None:
        """Keep a rule's totals for a combination of changes; past the range of exact totals (None: a sum
        overflowed) they are left out, as evaluate rejects the rule's rows, and the comparison says so."""
        if totals is None or not within_range(totals):
            beyond[rule_id].append(combination)
            totals = {}
        known[rule_id, combination] = totals

    weightings = {f"policy:{name}": option.weighting for name, option in registry.policy_options.items()
                  if option.weighting is not None and f"policy:{name}" in {c.key for c in changes}}

    def weighting_of(rule_id: str, source: frozenset[str], target: frozenset[str]):
        """The one weighting whose changes tell `target` from `source`, where the rule's totals for
        `target` are still unknown; else None."""
        weighting = {weightings.get(k) for k in source ^ target}
        if (rule_id, target) in known or len(weighting) != 1 or None in weighting:
            return None
        return weighting.pop()

    def derive_one(rule, ruleset: Ruleset, source: frozenset[str], target: frozenset[str]) -> None:
        """Fill `known` for the rule's `target` combination by re-weighting its rows planned in `ruleset`
        for its `source` combination, where the two differ only in changes of one weighting, if exact."""
        weighting = weighting_of(rule.rule_id, source, target)
        if weighting is None:
            return
        totals = reweight.reweighted(rule, weighting, ruleset.policy, scenario(base, revised, target).policy)
        if totals is not None:
            settle(rule.rule_id, target, totals)

    def derive_planned(rule, ruleset: Ruleset, source: frozenset[str], targets: list[frozenset[str]]) -> bool:
        """Fill `known` for the rule's planned `source` combination and, by re-weighting, for its `targets`,
        from one scan of its rows where every target differs by the same weighting; False where that
        scan cannot answer (nothing is filled)."""
        weighting = {weighting_of(rule.rule_id, source, t) for t in targets}
        if len(weighting) != 1 or None in weighting:
            return False
        found = reweight.with_totals(rule, weighting.pop(), ruleset.policy,
                                     [scenario(base, revised, t).policy for t in targets])
        if found is None:
            return False
        settle(rule.rule_id, source, found[0])
        for target, totals in zip(targets, found[1]):
            if totals is not None:
                settle(rule.rule_id, target, totals)
        return True

    # Boundaries: a rule whose rows read no weight has, under another boundary including the same entities, its
    # totals re-weighted (compare/boundaries.py), not planned again.
    through_boundary = {r: depends[r] - dependencies(r, base, revised, registry, changes, through_boundary=False)
                        for r in rule_ids}
    boundary_keys = frozenset({"boundary"} | {f"policy:{p}" for ruleset in (base, revised) if ruleset.boundary
                                              for p in registry.boundary_methods[ruleset.boundary.method].reads_policies})
    included: dict[frozenset[str], boundaries.Weights | None] = {}

    def weights(combination: frozenset[str]) -> boundaries.Weights | None:
        """The entities the boundary includes under the combination's changes, with their weights; None without
        a boundary (every row is in, weighing 1)."""
        key = combination & boundary_keys
        if key not in included:
            ruleset = scenario(base, revised, key)
            included[key] = None if ruleset.boundary is None else boundaries.included(
                boundary_weights(ruleset, session, f"boundary_{len(included)}"))
        return included[key]

    def derive_boundary(ruleset: Ruleset, rule_id: str, target: frozenset[str]) -> bool:
        """Fill `known` for the rule's `target` combination from a known one under a boundary including the same
        entities, where its rows read no weight; False where none can give it."""
        if not boundaries.reweighable(ruleset, rule_id, registry):
            return False
        source = boundaries.mate(lambda c: (rule_id, c) in known, target, through_boundary[rule_id], weights)
        totals = None if source is None else boundaries.reweighed(known[rule_id, source], weights(source),
                                                                  weights(target))
        if totals is not None:
            known[rule_id, target] = totals
        return totals is not None

    def reweigh_boundary(ruleset: Ruleset, rule_id: str, subset: frozenset[str], targets: list[frozenset[str]]) -> bool:
        """derive_boundary for the rule's `subset`, then for the weighting's `targets` its scan would have given."""
        if not derive_boundary(ruleset, rule_id, subset):
            return False
        for target in (t for t in targets if (rule_id, t) not in known):
            derive_boundary(ruleset, rule_id, target)
        return True

    def evaluate_all(wanted: dict[str, list[frozenset[str]]], also: frozenset[str] = frozenset(),
                     derive: dict[str, dict[frozenset[str], list[frozenset[str]]]] | None = None) -> None:
        """Fill `known` for each rule's wanted combinations, one scenario per distinct combination. The
        changes in `also` are applied in every scenario: a rule's totals depend only on the changes it
        depends on (the premise of all sharing here), so rules that want the same combination of other
        changes share one scenario whichever of `also` each depends on. `derive` names, per rule and
        combination, the combinations with weighting changes added that its rows may give by re-weighting
        (compare/reweight.py); those it cannot give stay unknown."""
        nonlocal evaluated
        needed: dict[frozenset[str], dict[str, frozenset[str]]] = defaultdict(dict)  # scenario → rule → its combination
        for rule_id, combinations in wanted.items():
            for subset in combinations:
                if (rule_id, subset) in known:
                    continue
                # a rule added (removed) by the revision is absent where its own change is not (is) applied
                if rule_id in (revised.rules if f"rule:{rule_id}" in subset else base.rules):
                    needed[subset | also][rule_id] = subset
                else:
                    known[rule_id, subset] = {}
        for done, (applied, rules) in enumerate(sorted(needed.items(), key=lambda item: sorted(item[0])), 1):
            evaluated += 1
            progress(f"scenario {evaluated}: {', '.join(sorted(applied)) or 'base'}", done, len(needed))
            ruleset = scenario(base, revised, applied)
            present = [r for r in rules if _computable(ruleset, r)]
            for rule_id in set(rules) - set(present):
                known[rule_id, rules[rule_id]] = {}
            present = [r for r in present if not reweigh_boundary(ruleset, r, rules[r],
                                                                  (derive or {}).get(r, {}).get(rules[r], []))]
            if present:
                tables = session.reuse.collect(reweight.plan_time_table if derive else None) if session.reuse else {}
                planner = plan_rules(ruleset, build_graph(ruleset, registry), session, present, f"scenario_{evaluated}")
                targets = {r: [t for t in (derive or {}).get(r, {}).get(rules[r], []) if (r, t) not in known]
                           for r in present}
                scanned = {r for r in present if targets[r] and derive_planned(
                    reweight.planned(planner, r, tables), ruleset, rules[r], targets[r])}
                computed = planned_totals(planner, [r for r in present if r not in scanned])
                for rule_id in (r for r in present if r not in scanned):
                    settle(rule_id, rules[rule_id], computed[rule_id])
                    for target in targets[rule_id]:
                        derive_one(reweight.planned(planner, rule_id, tables), ruleset, rules[rule_id], target)

    # First each rule change alone, to tell the structural ones; then every combination of the other
    # changes a rule depends on, with the structural changes always applied.
    alone = {r: [frozenset({c}) for c in sorted(d) if c.startswith("rule:")] for r, d in depends.items()}
    evaluate_all({r: [frozenset(), *alone[r]] for r in rule_ids},
                 derive={r: {c: [c | t for t in subsets(depends[r] & set(weightings)) if t] for c in alone[r]}
                         for r in rule_ids})
    for rule_id in rule_ids:  # a rule absent from a version contributes nothing there
        known.setdefault((rule_id, frozenset()), {})
    structural = _structural(changes, rule_ids, depends, known)
    changes = [replace(c, structural=c.key in structural) for c in changes]
    players = {r: d - structural for r, d in depends.items()}

    def combination(rule_id: str, subset: frozenset[str]) -> frozenset[str]:
        return subset | (depends[rule_id] & structural)

    # Weighting changes re-weight a scenario's rows (where exact): first the combinations without them,
    # then, the old way, whatever re-weighting could not give.
    weighted = {r: players[r] & set(weightings) for r in rule_ids}
    for rule_id in (r for r in rule_ids if weighted[r]):  # first from the base and the revised runs
        for run, tables in ((base_run, base_tables), (revised_run, revised_tables)):
            if rule_id in run.ruleset.rules and (run is revised_run or not depends[rule_id] & structural):
                for t in (t for t in subsets(weighted[rule_id]) if t):
                    source = depends[rule_id] if run is revised_run else frozenset()
                    derive_one(reweight.evaluated(run, rule_id, tables), run.ruleset, source, source ^ t)
    evaluate_all({r: [combination(r, s) for s in subsets(players[r] - weighted[r])] for r in rule_ids}, structural,
                 {r: {combination(r, s): [combination(r, s | t) for t in subsets(weighted[r]) if t]
                      for s in subsets(players[r] - weighted[r])} for r in rule_ids if weighted[r]})
    evaluate_all({r: [combination(r, s) for s in subsets(players[r])] for r in rule_ids}, structural)
    for rule_id in rule_ids:
        known.setdefault((rule_id, depends[rule_id]), {})

    def value(rule_id: str, applied: frozenset[str]) -> Totals:
        return known[rule_id, (applied | structural) & depends[rule_id]]

    attributions = _attribute(changes, rule_ids, players, value)
    deltas = _deltas(rule_ids, depends, value, changes)
    rows = _row_changes(base_run, revised_run, players)  # on the revision's database: the base's is finished
    return Comparison(base_run, revised_run, changes, attributions, deltas, rows,
                      {r: sorted(d) for r, d in players.items() if d}, evaluated + 2,
                      [{"rule_id": rule_id, "changes": sorted(sorted(c) for c in combinations)}
                       for rule_id, combinations in sorted(beyond.items())])


def _structural(changes: list[Change], rule_ids: list[str], depends: dict[str, frozenset[str]],
                known: dict[tuple[str, frozenset[str]], Totals]) -> frozenset[str]:
    """Rule changes that, applied alone, leave every rule's totals as in the base (see Change.structural)."""
    def nonzero(totals: Totals) -> Totals:
        return {key: amount for key, amount in totals.items() if amount}

    return frozenset(
        change.key for change in changes if change.kind == "rule"
        and all(nonzero(known[r, frozenset({change.key})]) == nonzero(known[r, frozenset()])
                for r in rule_ids if change.key in depends[r]))


def _same_inputs(base: Ruleset, revised: Ruleset) -> bool:
    """Whether every input both versions declare has the same key and columns (names and types)."""
    def shape(table):
        return table.key, tuple((c.name, c.type_name, c.type_args) for c in table.columns)
    return all(shape(base.inputs[n]) == shape(revised.inputs[n]) for n in set(base.inputs) & set(revised.inputs))


def _computable(ruleset: Ruleset, rule_id: str) -> bool:
    """The rule exists in this scenario, and so does every rule it reads the results of (an added
    rule deriving from another added rule exists only where both are applied)."""
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        return False
    upstream = rule.node.source.results_of if rule.node.source is not None else None
    return upstream is None or _computable(ruleset, upstream.dotted)
