"""What a revision changes and what each change reaches.

A *change* is one unit the revision makes: a policy value, a rule or a row-level exclusion added /
replaced / removed, the boundary method, or the reporting period. A *scenario* is the base with some of them applied; a rule's
result depends only on the changes it reads (`dependencies`).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, replace
from typing import Any

from tanso.dsl import ast
from tanso.graph import reads_boundary
from tanso.i18n import register
from tanso.model.policy_calls import policies_in_rule, policies_named
from tanso.model.ruleset import Ruleset
from tanso.plugins import Registry
from tanso.reasons import reason_text

# A rule's or exclusion's side of a change (comparison.json keeps the English; tanso.reasons says it in the language)
register({"reason.change.absent": {"en": "absent", "ja": "なし"},
          "reason.change.as_in": {"en": "as in {layer}", "ja": "{layer} のとおり"},
          "reason.change.added_in": {"en": "added in {layer}", "ja": "{layer} で追加"},
          "reason.change.removed": {"en": "removed", "ja": "削除"},
          "reason.change.replaced_in": {"en": "replaced in {layer}", "ja": "{layer} で置き換え"}})


@dataclass(frozen=True)
class Change:
    key: str                  # "policy:scope2.market.matching", "rule:s3.cat16", "boundary"
    kind: str                 # policy / rule / boundary / period
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


def find_changes(base: Ruleset, revised: Ruleset) -> list[Change]:
    """The changes, in the order the revision declares them (file, line); command-line sets last. Each is cited
    as the revised run cites it (a file only the base has, as the base's run does)."""
    found: list[tuple[tuple, Change]] = []

    def cite(span) -> str:
        return (revised if span.file in revised.cited else base).cite(span)

    def place(span) -> tuple:
        """Where a statement stands, by the name its file is cited by: the same order from any working folder."""
        return 0, cite(span).rsplit(":", 1)[0], span.line

    for name, value in revised.policies.items():
        before = base.policies.get(name)
        if before is None or before.value != value.value:
            span = value.span
            found.append((place(span) if span else (1, "", 0), Change(
                f"policy:{name}", "policy", name, before.value if before else None, value.value,
                value.provenance.source, value.provenance.as_of, value.provenance.status, cite(span) if span else None)))
    for kind, base_items, revised_items in (("rule", base.rules, revised.rules),
                                            ("exclusion", base.exclusions, revised.exclusions)):
        for item_id in sorted(set(base_items) | set(revised_items)):
            old, new = base_items.get(item_id), revised_items.get(item_id)
            if old is not None and new is not None and _same(old.node, new.node):
                continue
            if kind == "exclusion" and (old or new).node.source is None:
                continue  # a scope/category exclusion is a declaration: it moves no row
            what = "added_in" if old is None else "removed" if new is None else "replaced_in"
            span = (new or old).node.span
            before = reason_text("change.absent") if old is None else reason_text("change.as_in", layer=old.layer)
            after = reason_text("change.removed") if new is None else reason_text(f"change.{what}", layer=new.layer)
            found.append((place(span), Change(f"{kind}:{item_id}", kind, item_id, before, after,
                                                            where=cite(span))))
    if not _same(base.boundary, revised.boundary):
        span = (revised.boundary or base.boundary).span
        found.append((place(span), Change("boundary", "boundary", "boundary",
                                                        base.boundary and base.boundary.method,
                                                        revised.boundary and revised.boundary.method, where=cite(span))))
    if _days(base.period) != _days(revised.period):
        span = (revised.period or base.period).span
        found.append((place(span), Change("period", "period", "reporting period",
                                                        _days(base.period), _days(revised.period), where=cite(span))))
    return [change for _, change in sorted(found, key=lambda item: item[0])]


def _days(period) -> str | None:
    """A reporting period as its days (where it is written is no change)."""
    return None if period is None else str(period)


def _same(old: Any, new: Any) -> bool:
    """Two statements (each with its `span`, or None) are equal, or are the one statement of one file named two
    ways (through a symlink, relatively and absolutely): a statement is identified by where its file resolves,
    not by the path the file was reached by."""
    def resolved(span: ast.Span) -> tuple:
        return os.path.realpath(span.file), span.line, span.column, span.end_line, span.end_column
    return old == new or old is not None and new is not None and resolved(old.span) == resolved(new.span)


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
        boundary=revised.boundary if "boundary" in applied else base.boundary,
        period=revised.period if "period" in applied else base.period)


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
                 changes: list[Change], *, through_boundary: bool = True) -> frozenset[str]:
    """The changes a rule's result can depend on, through its calculators, conditions, boundary and
    upstream rules, in either version; with `through_boundary` False, all but those the boundary brings."""
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
        if through_boundary and boundary is not None and reads_boundary(rule, ruleset, registry):
            found.add("boundary")
            found |= {f"policy:{p}" for p in registry.boundary_methods[boundary.method].reads_policies}
        if source.table is not None and ruleset.inputs[source.table].period is not None:
            found.add("period")   # its rows are placed in the reporting period
        if source.results_of is not None:
            found |= dependencies(source.results_of.dotted, base, revised, registry, changes,
                                  through_boundary=through_boundary)
    return frozenset(found & changed)


def subsets(items: frozenset[str]):
    """Every combination of the changes `items`, smallest first."""
    ordered = sorted(items)
    for size in range(len(ordered) + 1):
        for combination in itertools.combinations(ordered, size):
            yield frozenset(combination)
