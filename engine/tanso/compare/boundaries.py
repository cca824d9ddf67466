"""A rule's totals under another boundary that includes the same entities, from its totals under one, instead of
planning and running the rule again.

A boundary reaches a rule's rows as one weight per entity (planner.weighted): the rows of the entities of weight
above 0 are the rule's rows, and a calculator that declares `weight_only_in_passthrough` copies the weight into
the ledger's `boundary_weight` and reads it nowhere else (its rows' arithmetic, which rows it rejects or passes on,
their entity). Two boundaries including the same entities then give the rule the same ledger rows but for
`boundary_weight`, and each total, a sum by AGGREGATE_KEYS (entity among them) of `co2e_kg × boundary_weight`, is
one entity's `w × Σ co2e_kg`: under the weight `w'` it is exactly `total × w' ÷ w`, a decimal of the same scale
(Σ co2e_kg has the ledger's 18 decimals, a weight BOUNDARY_WEIGHT_PLACES). Operational and financial control
differ so on the benchmark data and on Acme: the same entities, the joint venture weighing 1 against 0.5.

A rule deriving from another (`results of`) qualifies where that one does: its rows are the upstream rule's rows
with their weights, and their results (`rule_results`, Σ co2e_kg by row, unweighted) read no weight. Only the
changes a rule reads through the boundary alone may differ (`dependencies(…, through_boundary=False)` keeps the
options its conditions and calculators read, e.g. a `where policy("boundary.approach") = …`).
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact
from typing import Callable

from tanso.compare.changes import subsets
from tanso.model.ruleset import Ruleset
from tanso.plugins import Registry
from tanso.run.execute import AGGREGATE_KEYS

Totals = dict[tuple, Decimal]
Weights = dict[str, Decimal]   # entity → weight, the entities a boundary includes (weight above 0)
_ENTITY = AGGREGATE_KEYS.index("entity")
_DIGITS = 38                   # DuckDB's widest decimal: a total beyond it is left to a run of the rule
_EXACT = Context(prec=200, traps=[Inexact])


def reweighable(ruleset: Ruleset, rule_id: str, registry: Registry) -> bool:
    """Whether every method of the rule reads the weight only in passthrough, and so does every rule it derives
    from: derived rows are the upstream rule's rows (with their entity and weight) and its per-row results,
    which then read no weight either."""
    rule = ruleset.rules.get(rule_id)
    if rule is None or not all(registry.calculators[step.calculator].weight_only_in_passthrough for step in rule.steps):
        return False
    upstream = rule.node.source.results_of
    return upstream is None or reweighable(ruleset, upstream.dotted, registry)


def included(boundary: list[tuple]) -> Weights:
    """The entities of weight above 0 of a boundary's (entity, weight, reason) rows, with their weights."""
    return {entity: weight for entity, weight, _ in boundary if weight is not None and weight > 0}


def reweighed(totals: Totals, before: Weights, after: Weights) -> Totals | None:
    """The totals under the weights `after`, from those under `before` of the same included entities; None where a
    key's entity has no weight in both or a total would be beyond DuckDB's decimals (the rule is run instead)."""
    if before.keys() != after.keys():
        return None
    found: Totals = {}
    for key, total in totals.items():
        entity = key[_ENTITY]
        if entity not in before:
            return None
        if total is None:
            found[key] = None
            continue
        try:
            value = _EXACT.divide(_EXACT.multiply(total, after[entity]), before[entity])
            value = value.quantize(Decimal(1).scaleb(total.as_tuple().exponent), context=_EXACT)
        except Inexact:   # cannot be, by the module's argument; were it so, the rule is run instead
            return None
        if len(value.as_tuple().digits) > _DIGITS:
            return None
        found[key] = value
    return found


def mate(known: Callable[[frozenset[str]], bool], subset: frozenset[str], through_boundary: frozenset[str],
         weights: Callable[[frozenset[str]], Weights | None]) -> frozenset[str] | None:
    """A combination of the rule's changes whose totals are known, differing from `subset` only in changes it reads
    through the boundary alone (`through_boundary`), whose boundary includes the same entities; else None.
    `weights(combination)`: the included entities' weights under that combination's boundary (None: no boundary,
    which includes every row, never the same as a boundary's entities)."""
    rest, own = subset - through_boundary, None
    for other in (rest | part for part in subsets(through_boundary)):
        if other == subset or not known(other):
            continue
        own = weights(subset) if own is None else own
        theirs = weights(other)
        if own is not None and theirs is not None and theirs.keys() == own.keys():
            return other
    return None
