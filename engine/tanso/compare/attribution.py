"""The difference attributed to each change three ways: one at a time, sequentially in declared order,
and by Shapley value (exact: the parts sum to the total), per rule (a game on the changes it depends
on) and summed over rules, overall and by scope, category and basis."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import factorial
from typing import Any, Callable

from tanso.compare.changes import Change


Key = tuple  # AGGREGATE_KEYS values


Totals = dict[Key, Decimal]


@dataclass
class Attribution:
    change: Change
    one_at_a_time: Decimal
    sequential: Decimal
    shapley: Fraction
    by_group: dict[Key, dict[str, Any]] = field(default_factory=dict)   # (scope, category, basis) → methods


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
