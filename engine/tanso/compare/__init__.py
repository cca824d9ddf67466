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
re-weighted (compare/reweight.py), not planned again.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Context, Decimal, localcontext
from fractions import Fraction
from math import factorial
from pathlib import Path
from typing import Any, Callable

from tanso.graph import build_graph, reads_boundary
from tanso.model.policy_calls import policies_in_rule, policies_named
from tanso.model.ruleset import Ruleset
from tanso.plugins import Registry
from tanso.compare import reweight
from tanso.compare.memory import COMPARE_MEMORY_LIMIT, finished
from tanso.run.execute import AGGREGATE_KEYS, RunResult, evaluate, plan_rules, planned_totals, run_rule_totals
from tanso.run.session import Session

Key = tuple  # AGGREGATE_KEYS values
Totals = dict[Key, Decimal]


@dataclass(frozen=True)
class Change:
    key: str                  # "policy:scope2.market.matching", "rule:s3.cat16", "boundary"
    kind: str                 # policy / rule / boundary
    name: str
    base: Any
    revised: Any
    source: str | None = None
    as_of: str | None = None
    status: str | None = None
    where: str | None = None  # file:line of the revision's statement
    # A rule change that alone changes no rule's result (e.g. a rule re-declared with a guard
    # `where policy(...) = <in-force value>`, or an added rule guarded by an option): it only makes
    # options readable, so it is applied in every scenario and the options carry the whole effect.
    structural: bool = False


@dataclass
class Attribution:
    change: Change
    one_at_a_time: Decimal
    sequential: Decimal
    shapley: Fraction
    by_group: dict[Key, dict[str, Any]] = field(default_factory=dict)   # (scope, category, basis) → methods


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


# Sums and differences of ledger amounts must be exact: a total of DECIMAL(38,22) amounts has more
# than the 28 significant digits of Python's default decimal context, which would round them (and
# the exact Shapley fractions would then not sum to the rounded difference).
_EXACT = Context(prec=200)


def _exact(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with localcontext(_EXACT):
            return function(*args, **kwargs)
    return wrapper


# ------------------------------------------------------------------------------------------- changes


def find_changes(base: Ruleset, revised: Ruleset) -> list[Change]:
    """The changes, in the order the revision declares them (file, line); command-line sets last. Each is cited
    as the revised run cites it (a file only the base has, as the base's run does)."""
    found: list[tuple[tuple, Change]] = []

    def cite(span) -> str:
        return (revised if span.file in revised.cited else base).cite(span)

    for name, value in revised.policies.items():
        before = base.policies.get(name)
        if before is None or before.value != value.value:
            span = value.span
            found.append(((0, span.file, span.line) if span else (1, "", 0), Change(
                f"policy:{name}", "policy", name, before.value if before else None, value.value,
                value.provenance.source, value.provenance.as_of, value.provenance.status, cite(span) if span else None)))
    for kind, base_items, revised_items in (("rule", base.rules, revised.rules),
                                            ("exclusion", base.exclusions, revised.exclusions)):
        for item_id in sorted(set(base_items) | set(revised_items)):
            old, new = base_items.get(item_id), revised_items.get(item_id)
            if old is not None and new is not None and old.node == new.node:
                continue
            if kind == "exclusion" and (old or new).node.source is None:
                continue  # a scope/category exclusion is a declaration: it moves no row
            what = "added" if old is None else "removed" if new is None else "replaced"
            span = (new or old).node.span
            found.append(((0, span.file, span.line), Change(f"{kind}:{item_id}", kind, item_id,
                                                            "absent" if old is None else f"as in {old.layer}",
                                                            what if new is None else f"{what} in {new.layer}",
                                                            where=cite(span))))
    if base.boundary != revised.boundary:
        span = (revised.boundary or base.boundary).span
        found.append(((0, span.file, span.line), Change("boundary", "boundary", "boundary",
                                                        base.boundary and base.boundary.method,
                                                        revised.boundary and revised.boundary.method, where=cite(span))))
    return [change for _, change in sorted(found, key=lambda item: item[0])]


def scenario(base: Ruleset, revised: Ruleset, applied: frozenset[str]) -> Ruleset:
    """The base with the given changes of the revision applied (a new, immutable ruleset)."""
    policies = {**base.policies, **{k.split(":", 1)[1]: revised.policies[k.split(":", 1)[1]]
                                    for k in applied if k.startswith("policy:")}}
    rules = _applied("rule", base.rules, revised.rules, applied)
    exclusions = _applied("exclusion", base.exclusions, revised.exclusions, applied)
    # Inputs and factor sets: the revision's declarations include the base's.
    return replace(
        base, policies=policies, rules=rules, exclusions=exclusions, inputs={**base.inputs, **revised.inputs},
        factor_sets={**base.factor_sets, **revised.factor_sets},
        boundary=revised.boundary if "boundary" in applied else base.boundary)


def _applied(kind: str, before: dict, after: dict, applied: frozenset[str]) -> dict:
    """The base's rules (or exclusions) with the revision's version of those whose change is applied."""
    result = dict(before)
    for key in (k for k in applied if k.startswith(f"{kind}:")):
        item_id = key.split(":", 1)[1]
        if item_id in after:
            result[item_id] = after[item_id]
        else:
            result.pop(item_id, None)
    return result


def dependencies(rule_id: str, base: Ruleset, revised: Ruleset, registry: Registry,
                 changes: list[Change]) -> frozenset[str]:
    """The changes a rule's result can depend on, through its calculators, conditions, boundary and
    upstream rules, in either version."""
    changed = {c.key for c in changes}
    found: set[str] = set()
    for ruleset in (base, revised):
        rule = ruleset.rules.get(rule_id)
        if rule is None:
            continue
        if f"rule:{rule_id}" in changed:
            found.add(f"rule:{rule_id}")
        for step in rule.steps:
            found |= {f"policy:{p}" for p in registry.calculators[step.calculator].policies_read(step.parameters)}
        source = rule.node.source
        found |= {f"policy:{name}" for name, _ in policies_in_rule(rule.node)}
        # Row-level exclusions of the rule's table, and the options their where clauses read.
        for item_id, item in ruleset.exclusions.items():
            if item.node.source is not None and source.table is not None and item.node.source.table == source.table:
                found.add(f"exclusion:{item_id}")
                found |= {f"policy:{name}" for name, _ in policies_named(item.node.source.where)}
        boundary = ruleset.boundary
        if boundary is not None and reads_boundary(rule, ruleset, registry):
            found.add("boundary")
            found |= {f"policy:{p}" for p in registry.boundary_methods[boundary.method].reads_policies}
        if source.results_of is not None:
            found |= dependencies(source.results_of.dotted, base, revised, registry, changes)
    return frozenset(found & changed)


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
            known[rule.rule_id, target] = totals

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
        known[rule.rule_id, source] = found[0]
        known.update({(rule.rule_id, t): totals for t, totals in zip(targets, found[1]) if totals is not None})
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
        for rule_id, subsets in wanted.items():
            for subset in subsets:
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
            if present:
                tables = session.reuse.collect(reweight.plan_time_table if derive else None) if session.reuse else {}
                planner = plan_rules(ruleset, build_graph(ruleset, registry), session, present, f"scenario_{evaluated}")
                targets = {r: [t for t in (derive or {}).get(r, {}).get(rules[r], []) if (r, t) not in known]
                           for r in present}
                scanned = {r for r in present if targets[r] and derive_planned(
                    reweight.planned(planner, r, tables), ruleset, rules[r], targets[r])}
                computed = planned_totals(planner, [r for r in present if r not in scanned])
                for rule_id in (r for r in present if r not in scanned):
                    known[rule_id, rules[rule_id]] = computed[rule_id]
                    for target in targets[rule_id]:
                        derive_one(reweight.planned(planner, rule_id, tables), ruleset, rules[rule_id], target)

    # First each rule change alone, to tell the structural ones; then every combination of the other
    # changes a rule depends on, with the structural changes always applied.
    alone = {r: [frozenset({c}) for c in sorted(d) if c.startswith("rule:")] for r, d in depends.items()}
    evaluate_all({r: [frozenset(), *alone[r]] for r in rule_ids},
                 derive={r: {c: [c | t for t in _subsets(depends[r] & set(weightings)) if t] for c in alone[r]}
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
                for t in (t for t in _subsets(weighted[rule_id]) if t):
                    source = depends[rule_id] if run is revised_run else frozenset()
                    derive_one(reweight.evaluated(run, rule_id, tables), run.ruleset, source, source ^ t)
    evaluate_all({r: [combination(r, s) for s in _subsets(players[r] - weighted[r])] for r in rule_ids}, structural,
                 {r: {combination(r, s): [combination(r, s | t) for t in _subsets(weighted[r]) if t]
                      for s in _subsets(players[r] - weighted[r])} for r in rule_ids if weighted[r]})
    evaluate_all({r: [combination(r, s) for s in _subsets(players[r])] for r in rule_ids}, structural)
    for rule_id in rule_ids:
        known.setdefault((rule_id, depends[rule_id]), {})

    def value(rule_id: str, applied: frozenset[str]) -> Totals:
        return known[rule_id, (applied | structural) & depends[rule_id]]

    attributions = _attribute(changes, rule_ids, players, value)
    deltas = _deltas(rule_ids, depends, value, changes)
    rows = _row_changes(base_run, revised_run, players)  # on the revision's database: the base's is finished
    return Comparison(base_run, revised_run, changes, attributions, deltas, rows,
                      {r: sorted(d) for r, d in players.items() if d}, evaluated + 2)


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


def _subsets(items: frozenset[str]):
    ordered = sorted(items)
    for size in range(len(ordered) + 1):
        for combination in itertools.combinations(ordered, size):
            yield frozenset(combination)


def _group(key: Key) -> Key:
    return key[:3]  # scope, category, basis


def _attribute(changes: list[Change], rule_ids: list[str], depends: dict[str, frozenset[str]],
               value: Callable[[str, frozenset[str]], Totals]) -> list[Attribution]:
    """One-at-a-time, sequential (declared order) and Shapley, per rule (a rule is a game on the
    changes it depends on; the others are null players), summed over rules, overall and by group."""
    order = [c.key for c in changes]
    results = []
    for position, change in enumerate(changes):
        by_group: dict[Key, dict[str, Any]] = defaultdict(lambda: {"one_at_a_time": Decimal(0),
                                                                    "sequential": Decimal(0), "shapley": Fraction(0)})
        before, upto = frozenset(order[:position]), frozenset(order[:position + 1])
        for rule_id in rule_ids:
            players = depends[rule_id]
            if change.key not in players:
                continue
            alone = _difference(value(rule_id, frozenset({change.key})), value(rule_id, frozenset()))
            step = _difference(value(rule_id, upto), value(rule_id, before))
            shapley = _shapley(change.key, players, lambda s: value(rule_id, s))
            for group in set(alone) | set(step) | set(shapley):
                cell = by_group[group]
                cell["one_at_a_time"] += alone.get(group, Decimal(0))
                cell["sequential"] += step.get(group, Decimal(0))
                cell["shapley"] += shapley.get(group, Fraction(0))
        results.append(Attribution(
            change, sum((c["one_at_a_time"] for c in by_group.values()), Decimal(0)),
            sum((c["sequential"] for c in by_group.values()), Decimal(0)),
            sum((c["shapley"] for c in by_group.values()), Fraction(0)), dict(by_group)))
    return results


def _by_group(totals: Totals) -> dict[Key, Decimal]:
    grouped: dict[Key, Decimal] = defaultdict(Decimal)
    for key, amount in totals.items():
        grouped[_group(key)] += amount
    return grouped


def _difference(after: Totals, before: Totals) -> dict[Key, Decimal]:
    a, b = _by_group(after), _by_group(before)
    return {g: a.get(g, Decimal(0)) - b.get(g, Decimal(0)) for g in set(a) | set(b)}


def _shapley(player: str, players: frozenset[str], game: Callable[[frozenset[str]], Totals]) -> dict[Key, Fraction]:
    others = sorted(players - {player})
    n = len(players)
    result: dict[Key, Fraction] = defaultdict(Fraction)
    for size in range(len(others) + 1):
        weight = Fraction(factorial(size) * factorial(n - size - 1), factorial(n))
        for coalition in itertools.combinations(others, size):
            coalition = frozenset(coalition)
            for group, amount in _difference(game(coalition | {player}), game(coalition)).items():
                result[group] += weight * Fraction(amount)
    return dict(result)


def _deltas(rule_ids, depends, value, changes) -> dict[str, list[dict[str, Any]]]:
    """Base, revised and difference by each dimension of AGGREGATE_KEYS (scope/category/basis together)."""
    everything = frozenset(c.key for c in changes)
    dimensions = {"scope_category": (0, 1, 2), "entity": (3,), "method": (4,), "data_type": (5,),
                  "data_quality": (0, 1, 2, 6)}
    out = {}
    for name, positions in dimensions.items():
        table: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for rule_id in rule_ids:
            for index, applied in enumerate((frozenset(), everything)):
                for key, amount in value(rule_id, applied).items():
                    table[tuple(key[p] for p in positions)][index] += amount
        out[name] = [{**dict(zip((AGGREGATE_KEYS[p] for p in positions), key)), "base_kg": b, "revised_kg": r,
                      "delta_kg": r - b} for key, (b, r) in sorted(table.items(), key=lambda kv: _sortable(kv[0]))]
    return out


def _sortable(key: Key) -> tuple:
    return tuple((v is None, str(v) if not isinstance(v, int) else f"{v:09d}") for v in key)


def _row_changes(base_run: RunResult, revised_run: RunResult, depends: dict[str, frozenset[str]],
                 limit: int = 25) -> list[dict[str, Any]]:
    """The activity rows whose CO2e moved most, with the changes their rule depends on."""
    changed = [r for r, d in depends.items() if d]
    if not changed:
        return []
    rules = ", ".join("'" + r.replace("'", "''") + "'" for r in changed)
    per_row = ("SELECT rule_id, input_table, row_id, sum(co2e_kg * boundary_weight) AS kg FROM "
               "read_parquet('{path}') WHERE rule_id IN ({rules}) GROUP BY ALL")
    con = revised_run.connection
    rows = con.execute(f"""
        SELECT coalesce(b.rule_id, r.rule_id), coalesce(b.input_table, r.input_table), coalesce(b.row_id, r.row_id),
               coalesce(b.kg, 0), coalesce(r.kg, 0), coalesce(r.kg, 0) - coalesce(b.kg, 0) AS delta
        FROM ({per_row.format(path=base_run.ledger_path, rules=rules)}) b
        FULL OUTER JOIN ({per_row.format(path=revised_run.ledger_path, rules=rules)}) r
          ON r.rule_id = b.rule_id AND r.row_id = b.row_id
        WHERE coalesce(r.kg, 0) <> coalesce(b.kg, 0)
        ORDER BY abs(delta) DESC, 1, 3 LIMIT {limit}""").fetchall()
    return [{"rule_id": rule, "input_table": table, "row_id": row, "base_kg": b, "revised_kg": r, "delta_kg": d,
             "caused_by": sorted(depends[rule])} for rule, table, row, b, r, d in rows]


# ------------------------------------------------------------------------------------------- views


def bases(comparison: Comparison) -> list[str | None]:
    """The reporting bases present (e.g. location, market); [None] when no rule declares one."""
    found = sorted({key[2] for a in comparison.attributions for key in a.by_group if key[2]} |
                   {row["basis"] for row in comparison.deltas["scope_category"] if row["basis"]})
    return found or [None]


def in_basis(group_basis: str | None, basis: str | None) -> bool:
    """Rules without a basis count in every basis; a basis's rules only in their own."""
    return group_basis is None or basis is None or group_basis == basis


@_exact
def headline(comparison: Comparison, basis: str | None) -> dict[str, Any]:
    """Totals and attribution for one basis: the parts (Shapley) sum exactly to the difference.
    The inventory is the scopes; what rules report outside them (biogenic CO2, credits, market
    instruments) is shown beside it and never added."""
    rows = [r for r in comparison.deltas["scope_category"] if in_basis(r["basis"], basis)]
    inventory = [r for r in rows if r["scope"] is not None]
    base = sum((r["base_kg"] for r in inventory), Decimal(0))
    revised = sum((r["revised_kg"] for r in inventory), Decimal(0))
    outside = {"base_kg": sum((r["base_kg"] for r in rows if r["scope"] is None), Decimal(0)),
               "revised_kg": sum((r["revised_kg"] for r in rows if r["scope"] is None), Decimal(0))}
    parts = []
    for attribution in (a for a in comparison.attributions if not a.change.structural):  # theirs is zero
        cells = [c for g, c in attribution.by_group.items() if g[0] is not None and in_basis(g[2], basis)]
        parts.append({"change": attribution.change,
                      "one_at_a_time": sum((c["one_at_a_time"] for c in cells), Decimal(0)),
                      "sequential": sum((c["sequential"] for c in cells), Decimal(0)),
                      "shapley": sum((c["shapley"] for c in cells), Fraction(0))})
    one_at_a_time = sum((p["one_at_a_time"] for p in parts), Decimal(0))
    return {"basis": basis, "base_kg": base, "revised_kg": revised, "delta_kg": revised - base, "parts": parts,
            "interaction_kg": (revised - base) - one_at_a_time, "outside_scopes": outside}


def to_decimal(value: Fraction, places: int = 9) -> Decimal:
    """A Shapley share for display (kept exact as a fraction in the comparison)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places))
