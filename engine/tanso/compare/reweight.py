"""A rule's totals under another value of a *weighting* option (contracts.Weighting), from the rows of
one scenario instead of planning and running the rule again.

Where a rule's CO2e depends on a weighting only through `co2e_kg = amount × weight(gas)`, its totals
under other weights are the per-gas sums of `amount × boundary_weight` times those weights. That holds
exactly only where nothing is rounded and the same rows reach the ledger (by the same method) under
both weights, so a rule is re-weighted only where all of this is shown, else (None) it is run again:

- every factor product of the rule (`factor_product`: one precision entry and one table of effective
  factors each) holds its effective factors exactly at FACTOR_SCALE (scale 12, none rounded): then
  `amount = quantity × gas factor` exactly, and under the other weights (of ≤ 6 decimals) every
  effective factor, gas factor × weight, is exact too;
- its rows are rejected (and passed to a later method) alike under both weights: no key was rejected
  for a gas without a weight, every gas of its effective factors is weighted under both (or is CO2e as
  published), and the ledger-range bound each (keys, unit) carries, recomputed with the other weights
  (`quantity_bound`), is unchanged;
- per row, in SQL: the gas weighs the same under both, or is CO2e as published, or `co2e_kg = amount ×
  weight` now and `amount × other weight` has at most 18 decimals, so that the other run's product,
  rounded at the ledger's 18 decimals, is exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Context, Decimal, Inexact, localcontext
from functools import wraps
from typing import Any, Callable, Iterable, ParamSpec, TypeVar

from tanso.contracts import Weighting
from tanso.plan.factor_product import CO2E, FACTOR_SCALE, quantity_bound
from tanso.reasons import parse
from tanso.plan.sql import ident, literal
from tanso.run.execute import AGGREGATE_KEYS
from tanso.run.planner import _safe

Totals = dict[tuple, Decimal]
P, R = ParamSpec("P"), TypeVar("R")
WEIGHT_DECIMALS = 6     # the weights' decimals that keep a 12-decimal gas factor × weight within 18 decimals
AMOUNT_BOUND = 10 ** 7  # kg a row: amount × a weight (< 10^6) stays within DuckDB's DECIMAL(38,24)
_HIGH = Decimal(1).scaleb(-FACTOR_SCALE)


@dataclass(frozen=True)
class RuleRows:
    """A rule as planned in a scenario or a run: what re-weighting reads of it."""

    rule_id: str
    precision: list[dict]                  # its factor products' precision entries (planner / manifest)
    ledger: str                            # a relation (or parenthesised query) of its ledger rows
    query: Callable[[str], list[tuple]]
    rule_ids: Iterable[str]                # every rule of the ruleset (names of plan-time tables)
    tables: dict[str, Any]                 # Arrow tables registered while it was planned, by relation


def planned(planner, rule_id: str, tables: dict[str, Any]) -> RuleRows:
    return RuleRows(rule_id, planner.precision.get(rule_id, []), planner.rule_ledgers[rule_id], planner.query,
                    planner.ruleset.rules, tables)


def evaluated(run, rule_id: str, tables: dict[str, Any]) -> RuleRows:
    """From a finished run: its manifest and its written ledger."""
    ledger = f"(SELECT * FROM read_parquet({literal(str(run.ledger_path))}) WHERE rule_id = {literal(rule_id)})"
    return RuleRows(rule_id, run.manifest["rules"].get(rule_id, {}).get("effective_factors", []), ledger,
                    lambda sql: run.connection.execute(sql).fetchall(), run.ruleset.rules, tables)


def plan_time_table(relation: str) -> bool:
    """The registered tables re-weighting reads (factor_product's effective factors and their problems)."""
    return relation.endswith(("_eff", "_unit_problems"))


def _none_past_the_range(answer: Callable[P, R]) -> Callable[P, R | None]:
    """`answer`, or None where its sums pass the range of exact totals (DuckDB's overflow): the caller then asks
    as before, and the comparison leaves the rule out of that scenario (tanso.compare.compare)."""
    @wraps(answer)
    def within(*args: P.args, **kwargs: P.kwargs) -> R | None:
        import duckdb
        try:
            return answer(*args, **kwargs)
        except duckdb.OutOfRangeException:
            return None
    return within


@_none_past_the_range
def reweighted(rule: RuleRows, weighting: Weighting, policy: Callable[[str], Any],
               other: Callable[[str], Any]) -> Totals | None:
    """The rule's totals (as `planned_totals`) under the policies `other`, from its rows planned under
    `policy`, where provably exact; else None."""
    products = _products(rule)
    if products is None:
        return None
    column = ident(weighting.column)
    values = sorted(_gases(products) | {row[0] for row in rule.query(
        f"SELECT DISTINCT CAST({column} AS VARCHAR) FROM {rule.ledger} WHERE {column} IS NOT NULL")})
    now, then = weighting.weights(policy, values), weighting.weights(other, values)
    if not _fit(now, then) or not all(_same_rows(eff, problems, now, then) for eff, problems in products):
        return None
    return _fold(rule.query(_sums_sql(rule, column, now, [then])), now, then, 0)


@_none_past_the_range
def with_totals(rule: RuleRows, weighting: Weighting, policy: Callable[[str], Any],
                others: list[Callable[[str], Any]]) -> tuple[Totals, list[Totals | None]] | None:
    """The rule's own totals (as `planned_totals`) and `reweighted`'s answer for each of the policies
    `others`, from one scan of its rows: the per-value sums give its totals, the values its rows weigh
    and the per-row checks of every other weighting at once (`reweighted` after `planned_totals` scans
    them three times). The weights are those of the values the plan-time tables name; a row of another
    value, or a weight the SQL cannot hold, leaves that answer to `reweighted`. None where no answer
    can come from the scan (the caller asks as before)."""
    products = _products(rule)
    if products is None:
        return None
    named = sorted(_gases(products) | {CO2E})
    now = weighting.weights(policy, named)
    thens = [weighting.weights(other, named) for other in others]
    scanned = [i for i, then in enumerate(thens)
               if _fit(now, then) and all(_same_rows(eff, problems, now, then) for eff, problems in products)]
    if not scanned:
        return None
    rows = rule.query(_sums_sql(rule, ident(weighting.column), now, [thens[i] for i in scanned]))
    n = len(AGGREGATE_KEYS)
    totals: Totals = {}
    for row in rows:   # Σ over the values, as SQL sums: NULLs ignored, NULL where all are
        key, co2e_sum, earlier = tuple(row[:n]), row[n + 2], totals.get(tuple(row[:n]))
        totals[key] = co2e_sum if earlier is None else earlier if co2e_sum is None else earlier + co2e_sum
    seen = {row[n] for row in rows} - {None}
    answers: list[Totals | None] = [None] * len(others)
    for i, other in enumerate(others):
        if i in scanned and seen <= set(named):
            values = sorted(_gases(products) | seen)   # as `reweighted` finds them; each value's weight is its own
            answers[i] = _fold(rows, weighting.weights(policy, values), weighting.weights(other, values),
                               scanned.index(i))
        elif i in scanned or not _fit(now, thens[i]):
            answers[i] = reweighted(rule, weighting, policy, other)
    return totals, answers


def _products(rule: RuleRows) -> list[tuple[list[dict], list[dict]]] | None:
    """The rule's factor products, where each holds its effective factors exactly at FACTOR_SCALE."""
    if not rule.precision or any(e["scale"] != FACTOR_SCALE or e["rounded_count"] for e in rule.precision):
        return None
    products = _factor_products(rule)
    return products if products is not None and len(products) == len(rule.precision) else None


def _gases(products: list[tuple[list[dict], list[dict]]]) -> set[str]:
    return {str(row["gas"]) for eff, _ in products for row in eff}


def _fit(now: dict[str, Decimal], then: dict[str, Decimal]) -> bool:
    """Every weight has at most WEIGHT_DECIMALS decimals and is under 10^6 (DECIMAL(12,6) in SQL)."""
    return not any(w.as_tuple().exponent < -WEIGHT_DECIMALS or abs(w) >= 10 ** 6
                   for w in (*now.values(), *then.values()))


def _factor_products(rule: RuleRows) -> list[tuple[list[dict], list[dict]]] | None:
    """(effective factors, problems) of each factor product of the rule, from their registered tables
    (named `<rule>_<method>[_<part>]_eff` by factor_product); None where another rule's tables could
    bear such a name too."""
    rid = _safe(rule.rule_id)
    if any(re.match(rf"{re.escape(rid)}_\d+(_|$)", _safe(other)) for other in rule.rule_ids):
        return None
    pattern = re.compile(rf"plan_\d+_{re.escape(rid)}_\d+(_\w+)?_(eff|unit_problems)")
    found: dict[str, list[list[dict]]] = {"eff": [], "unit_problems": []}
    for relation, table in rule.tables.items():   # in the order factor_product registered them
        match = pattern.fullmatch(relation)
        if match is not None:
            found[match[2]].append(table.to_pylist())
    if len(found["eff"]) != len(found["unit_problems"]):
        return None
    return list(zip(found["eff"], found["unit_problems"]))


def _same_rows(eff: list[dict], problems: list[dict], now: dict[str, Decimal], then: dict[str, Decimal]) -> bool:
    """Whether a factor product rejects (and passes on) the same rows under `then` as under `now`, and
    its effective factors are gas factor × weight under `now`."""
    if any(parse(row["problem"])[0].code == "no_gwp" for row in problems):
        return False
    largest: dict[tuple, list[Decimal]] = {}
    with localcontext() as context:
        context.prec = 80
        for row in eff:
            gas, gas_factor = row["gas"], row["gas_factor"]
            if row["gas_factor_rest"] or row["co2e_factor_rest"]:
                return False
            if gas == CO2E and gas not in now:
                weights = (Decimal(1), Decimal(1))
            elif gas in now and gas in then:
                weights = (now[gas], then[gas])
            else:
                return False
            if row["co2e_factor"] != gas_factor * weights[0]:
                return False
            where = tuple(v for k, v in row.items() if re.fullmatch(r"k\d+|from_unit", k))
            other = (gas_factor * weights[1]).quantize(_HIGH, ROUND_DOWN)
            before, after = largest.setdefault(where, [Decimal(0), Decimal(0)])
            largest[where] = [max(before, abs(gas_factor), abs(row["co2e_factor"])),
                              max(after, abs(gas_factor), abs(other))]
    return all(quantity_bound(before) == quantity_bound(after) for before, after in largest.values())


def _sums_sql(rule: RuleRows, column: str, now: dict[str, Decimal], thens: list[dict[str, Decimal]]) -> str:
    """Per AGGREGATE_KEYS and value of the weighted column: Σ amount × boundary_weight, Σ co2e_kg ×
    boundary_weight, and for each of `thens` whether every row shows itself exact (see the module's doc)
    and was made by one of the rule's factor products (calculator, factor set)."""
    values = sorted(v for v in now if any(v in then for then in thens))
    nothing = ", ".join(["NULL::VARCHAR AS value", "NULL::DECIMAL(12,6) AS now",
                         *(f"NULL::DECIMAL(12,6) AS then{i}" for i in range(len(thens)))])
    weights = " UNION ALL ".join(
        f"SELECT {literal(value)} AS value, CAST({now[value]} AS DECIMAL(12,6)) AS now, " + ", ".join(
            f"CAST({then[value] if value in then else 'NULL'} AS DECIMAL(12,6)) AS then{i}" for i, then in enumerate(thens))
        for value in values) or f"SELECT {nothing} WHERE false"
    amount = f"CAST(CASE WHEN abs(l.amount) < {AMOUNT_BOUND} THEN l.amount END AS DECIMAL(26,18))"
    keys = ", ".join(f"l.{k}" for k in AGGREGATE_KEYS)
    products = ", ".join(f"({literal(calculator)}, {literal(factor_set)})" for calculator, factor_set in
                         sorted({(e["calculator"], e["factor_set"]) for e in rule.precision}))
    exact = ", ".join(f"""bool_and(coalesce(w.now = w.then{i} OR ((l.calculator, l.factor_set) IN ({products})
                                 AND l.co2e_kg = {amount} * w.now
                                 AND {amount} * w.then{i} = round({amount} * w.then{i}, 18)), false))"""
                      for i in range(len(thens)))
    return f"""
        SELECT {keys}, CAST(l.{column} AS VARCHAR), sum(l.amount * l.boundary_weight),
               sum(l.co2e_kg * l.boundary_weight), {exact}
        FROM {rule.ledger} l LEFT JOIN ({weights}) w ON w.value = CAST(l.{column} AS VARCHAR)
        GROUP BY ALL"""


def _fold(rows: list[tuple], now: dict[str, Decimal], then: dict[str, Decimal], which: int) -> Totals | None:
    """Σ co2e_kg × boundary_weight by AGGREGATE_KEYS under `then`, from `_sums_sql`'s rows (its `which`
    check), where every row is exact; else None."""
    if not rows:
        return {}
    n = len(AGGREGATE_KEYS)
    totals: Totals = {}
    for row in rows:
        key, value, amount_sum, co2e_sum, exact = tuple(row[:n]), row[n], row[n + 1], row[n + 2], row[n + 3 + which]
        weighed = value in now and value in then
        same = now[value] == then[value] if weighed else value == CO2E
        if not same and not exact:
            return None
        totals[key] = totals.get(key, Decimal(0)) + (co2e_sum if same else amount_sum * then[value])
    # In the type DuckDB sums co2e_kg × boundary_weight in: exactly that value, so equal totals print alike.
    scale = Decimal(1).scaleb(rows[0][n + 2].as_tuple().exponent)
    try:
        return {key: value.quantize(scale, context=Context(prec=200, traps=[Inexact])) for key, value in totals.items()}
    except Inexact:  # cannot be, by the checks above; were it so, the rule is run instead
        return None
