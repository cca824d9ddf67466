"""The building block behind most calculators: activity quantity × factor, per gas, weighted to CO2e.

Everything that does not depend on the activity rows is done once at plan time, exactly, in Python
decimals: unit conversion (one scalar per unit pair), the gas mass unit, and the gas weight (GWP).
The result is a small table of *effective factors*, keyed by the match columns and the activity unit,
at the smallest scale (12 to 18 decimals) that holds every one of them exactly; where none can (a
non-terminating conversion such as kWh → mmBtu), they are rounded half-even at 18 decimals, keeping at
least 12 significant digits, and the manifest lists them. The per-row work is then one hash join and one
exact decimal multiplication: DECIMAL(18,6) × DECIMAL(38,12) → DECIMAL(38,18), no per-row rescale. A
factor of more decimals is stored as its first 12 and the rest (below 1e-12): quantity × rest is rounded
half-even to the ledger's 18 decimals and added, so the ledger keeps its range (20 integer digits).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Callable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from tanso.contracts import CalcPlan, ColumnExpression, Pricing
from tanso.diagnostics import InputError
from tanso.frozen import frozen
from tanso.plan.context import CalcContext, FactorTable
from tanso.plan.effective_factors import (FACTOR_SCALE, LEDGER_LIMIT_DIGITS, WORKING_PRECISION, Multiplier,
                                         effective_factors, factor_type, quantity_bound)
from tanso.plan.sql import ident, literal
from tanso.plan.units import UnitProblem, conversion_factor, is_exact
from tanso.reasons import reason_sql, reason_text

if TYPE_CHECKING:   # pyarrow is imported when a plan builds a table, not by `tanso check`
    import pyarrow as pa

Converter = Callable[[str, str], "Decimal | str"]
FACTOR_SQL = f"DECIMAL(38,{FACTOR_SCALE})"   # an effective factor (factor_type() in Arrow)
CO2E = "CO2e"  # a factor already expressed as CO2-equivalent needs no weight


@frozen
class GasWeights:
    """Weights that turn a mass of each gas into CO2e (a GWP set), with a label for the ledger."""

    label: str
    weights: dict[str, Decimal]
    notes: dict[str, str] = field(default_factory=dict)  # gas → why its weight is what it is, for the ledger

    def describe(self, gas: str) -> str:
        note = self.notes.get(gas)
        return f"{self.label} {gas}={self.weights[gas]}" + (f" ({note})" if note else "")


def factor_product(ctx: CalcContext, factors: FactorTable, match: list[str], *, method: str, data_type: str,
                   weights: GasWeights | None = None, quantity: ColumnExpression = "quantity", unit: str | None = "unit",
                   quantity_unit: str | None = None, unit_expression: str | None = None,
                   converter: Converter | None = None) -> CalcPlan:
    """Ledger and rejects for `quantity × factor` where the rows' `match` columns equal the factor's.

    The quantity is a column or an expression over columns. Its unit is the `unit` column, or
    `quantity_unit` for every row (e.g. "tonne*km" for `quantity: mass_t * distance_km`), or the
    SQL `unit_expression` (with `{row}` for the row alias). `converter(from_unit, per)` gives the
    scalar from a row unit to a factor's `per` unit, or a reason why there is none; by default pint.
    """
    return _factor_product(ctx, factors, match, method=method, data_type=data_type, weights=weights, quantity=quantity,
                           unit=unit, quantity_unit=quantity_unit, unit_expression=unit_expression,
                           converter=converter)[0]


def _factor_product(ctx: CalcContext, factors: FactorTable, match: list[str], *, method: str, data_type: str,
                    weights: GasWeights | None, quantity: ColumnExpression, unit: str | None, quantity_unit: str | None,
                    unit_expression: str | None = None, converter: Converter | None = None,
                    row_keys_sql: str | None = None) -> tuple[CalcPlan, str]:
    """factor_product, and the relation of the (keys, unit) pairs it prices with their largest quantity.
    `row_keys_sql`: the distinct (k0…, from_unit) of the rows where the caller knows them without a scan."""
    _check_factor_table(ctx, factors, match)
    template = literal(quantity_unit) if quantity_unit is not None else unit_expression or f"{{row}}.{ident(unit)}"

    def unit_of(row: str) -> str:
        return template if quantity_unit is not None else template.format(row=row)
    unit_s, unit_b = unit_of("s"), unit_of("b")
    # Effective factors only for the (match keys, unit) pairs the rows have: the table stays small, and
    # its precision is that of the factors the rule uses.
    row_keys = ", ".join(f"CAST(s.{ident(m)} AS VARCHAR) AS k{i}" for i, m in enumerate(match))
    factor_keys = " AND ".join(f"CAST(f.{ident(m)} AS VARCHAR) = u.k{i}" for i, m in enumerate(match))
    # Which pairs the rows have depends on which rows the boundary includes, not on their weights: read from the
    # rows without them, the answer is shared by boundaries weighing the same entities differently (run/reuse.py).
    row_keys_sql = row_keys_sql or (f"SELECT DISTINCT {row_keys}, {unit_s} AS from_unit FROM {ctx.boundary_rows()} s "
                                    f"WHERE {unit_s} IS NOT NULL")
    factor_rows = ctx.query_arrow(
        f"SELECT u.*, f.per, f.unit, f.gas, f.factor_id, f.value FROM {factors.relation} f JOIN "
        f"({row_keys_sql}) u ON {factor_keys} ORDER BY f._row, u.from_unit")
    # Only the (row unit, factor kind) pairs some row meets: a conversion the run relies on, and no other.
    pairs = sorted(_distinct(factor_rows, ["from_unit", "per", "unit", "gas"]))
    multipliers = _combinations(pairs, weights, converter or _pint_converter())
    effective = effective_factors(factor_rows, len(match), multipliers)
    ctx.record_precision({"factor_set": factors.name, **effective.precision})
    eff = ctx.register(f"{ctx.rule_id}_eff", effective.table)
    # What the rejects read of the factors, registered apart: without the GWP-weighted values its contents
    # (hence a comparison's reuse key, run/reuse.py) stay the same when only the GWP set changes.
    accepted = ctx.register(f"{ctx.rule_id}_accepted", _accepted_keys(effective.table, len(match)))
    # A key is computable for a unit only when every one of its gases is: one problem rejects the key.
    unit_problems = ctx.register(f"{ctx.rule_id}_unit_problems", effective.problems)

    def keys_equal(row: str, table: str, unit_sql: str) -> str:
        return " AND ".join([f"CAST({row}.{ident(m)} AS VARCHAR) = {table}.k{i}" for i, m in enumerate(match)]
                            + [f"{unit_sql} = {table}.from_unit"])

    q, q_b = ctx.value_sql(quantity, "s"), ctx.value_sql(quantity, "b")
    operand, operand_b = ctx.product_operand_sql(quantity, "s"), ctx.product_operand_sql(quantity, "b")
    rest = "e.gas_factor_rest" if effective.scale > FACTOR_SCALE else None
    described_keys = " || ', ' || ".join(
        f"'{m}=' || coalesce('''' || CAST(b.{ident(m)} AS VARCHAR) || '''', 'empty')" for m in match)
    quantity_name = quantity if isinstance(quantity, str) else "quantity"

    def over(src: str) -> CalcPlan:
        """The plan over `src`: the rule's rows, or (in a first_of chain) some of them."""
        # A product beyond the ledger's DECIMAL(38,18) would abort the run: each (keys, unit) carries the largest
        # quantity its factors can multiply (max_quantity, exact, from plan time); a row above it is a reject.
        ledger = f"""
SELECT {ctx.passthrough('s')}, e.gas, {ctx.product_sql(quantity, 's', 'e.gas_factor', rest)} AS amount,
       {ctx.product_sql(quantity, 's', 'e.co2e_factor', rest and 'e.co2e_factor_rest')} AS co2e_kg,
       {q} AS quantity, {unit_s} AS quantity_unit, e.factor_id, {literal(factors.name)} AS factor_set,
       {literal(factors.version)} AS factor_version, e.gwp, {literal(method)} AS method, {literal(data_type)} AS data_type
FROM {src} s JOIN {eff} e ON {keys_equal('s', 'e', unit_s)}
WHERE {q} >= 0 AND (e.max_quantity IS NULL OR abs({operand}) < e.max_quantity)"""
        rejects = f"""
WITH bad AS (
  SELECT s.*, a.max_quantity AS _max_quantity FROM {src} s
  LEFT JOIN {accepted} a ON {keys_equal('s', 'a', unit_s)}
  WHERE a.from_unit IS NULL OR {q} IS NULL OR {q} < 0 OR abs({operand}) >= a.max_quantity)
SELECT b._row_id AS row_id,
  CASE WHEN {q_b} IS NULL THEN {reason_sql("missing_value", column=literal(quantity_name))}
       WHEN {q_b} < 0 THEN {reason_sql("negative_quantity", quantity=literal(quantity_name), value=f"CAST({q_b} AS VARCHAR)")}
       WHEN abs({operand_b}) >= b._max_quantity THEN {reason_sql(
           "beyond_ledger", quantity=literal(quantity_name), value=f"CAST({q_b} AS VARCHAR)", unit=unit_b,
           factor_set=literal(factors.name), digits=str(LEDGER_LIMIT_DIGITS))}
       WHEN {unit_b} IS NULL THEN {reason_sql("missing_value", column=literal(unit or "unit"))}
       WHEN p.problem IS NOT NULL THEN p.problem
       ELSE {reason_sql("no_factor", factor_set=literal(factors.name), keys=described_keys)}
  END AS reason
FROM bad b LEFT JOIN {unit_problems} p ON {keys_equal('b', 'p', unit_b)}"""
        return CalcPlan(ledger=ledger, rejects=rejects)

    def rejected(row: str, prefix: str) -> str:  # the `bad` condition above, never NULL
        q_r, operand_r = ctx.value_sql(quantity, row), ctx.product_operand_sql(quantity, row)
        return (f"coalesce({prefix}a.from_unit IS NULL OR {q_r} IS NULL OR {q_r} < 0 "
                f"OR abs({operand_r}) >= {prefix}a.max_quantity, FALSE)")
    pricing = KeyedPricing(
        joins=lambda row, prefix: f"LEFT JOIN {accepted} {prefix}a ON {keys_equal(row, prefix + 'a', unit_of(row))}",
        rejected=rejected, over=over, effective=eff, keys=tuple(f"k{i}" for i in range(len(match))),
        on=lambda row, table: keys_equal(row, table, unit_of(row)))
    return dataclasses.replace(over(ctx.src), pricing=pricing), accepted


@dataclass(frozen=True, kw_only=True)
class KeyedPricing(Pricing):
    """A factor product's pricing: the rows whose keys and unit have effective factors, and a quantity the
    ledger holds. `effective` and `on` let a calculator add a condition of its own per (keys, unit)."""

    effective: str                      # the effective factors: k0…, from_unit, gas, factor_id, …
    keys: tuple[str, ...]               # its key columns, k0…, besides from_unit
    on: Callable[[str, str], str]       # (row alias, table alias) → the row's keys and unit equal the table's


@frozen
class Tier:
    """One method of a `factor_product_chain`: a factor set matched on columns, and its ledger labels."""

    factors: FactorTable
    match: list[str]
    method: str
    data_type: str
    weights: GasWeights | None = None


def factor_product_chain(ctx: CalcContext, tiers: list[Tier], *, quantity: str,
                         quantity_unit: str) -> tuple[list[CalcPlan], str]:
    """The first of several factor products that prices each row (e.g. a supplier's rate, else the residual
    mix, else the grid average) of one quantity in one unit: a plan per tier, and the rows none prices
    (without their boundary weight).

    Which tier prices a row follows from its keys and quantity alone, so no tier's rejects are materialised
    and no tier's rows are a semi-join: one scan groups the rows by every tier's keys, with their largest
    quantity and whether one is unusable, and each tier's (keys, unit) pairs are read from that small table,
    exactly those of the rows the earlier tiers leave (a row an earlier tier leaves exists where the largest
    one is, or an unusable one). A tier's rows are then the rows joined with the tiers' small accepted-keys
    tables, those it prices and those no tier prices: its rejects, with their reasons, are of the latter only."""
    columns = list(dict.fromkeys(m for tier in tiers for m in tier.match))
    unit = literal(quantity_unit)
    keys = ctx.table("chain_keys", f"SELECT {', '.join(f'CAST(s.{ident(c)} AS VARCHAR) AS {ident(c)}' for c in columns)}, "
                                   f"max(abs({ctx.product_operand_sql(quantity, 's')})) AS _largest, "
                                   f"bool_or({ctx.value_sql(quantity, 's')} IS NULL OR {ctx.value_sql(quantity, 's')} < 0) "
                                   f"AS _unusable FROM {ctx.boundary_rows()} s GROUP BY ALL")   # reads no weight
    accepted: list[str] = []

    def joined(alias: str, upto: int | None = None) -> str:
        return " ".join(f"LEFT JOIN {relation} a{j} ON " + " AND ".join(
            [f"CAST({alias}.{ident(m)} AS VARCHAR) = a{j}.k{i}" for i, m in enumerate(tiers[j].match)]
            + [f"{unit} = a{j}.from_unit"]) for j, relation in enumerate(accepted[:upto]))

    plans = []
    for index, tier in enumerate(tiers):
        left = " AND ".join(f"(a{j}.from_unit IS NULL OR c._largest >= a{j}.max_quantity)" for j in range(index))
        row_keys = (f"SELECT DISTINCT {', '.join(f'c.{ident(m)} AS k{i}' for i, m in enumerate(tier.match))}, "
                    f"{unit} AS from_unit FROM {keys} c {joined('c')} WHERE c._unusable OR ({left or 'TRUE'})")
        # Its rows are a view defined below, once every tier's accepted keys are known.
        tier_ctx = ctx.with_source(f"{ctx.rule_id}__tier{index}_rows")
        plan, relation = _factor_product(tier_ctx, tier.factors, tier.match, method=tier.method, data_type=tier.data_type,
                                         weights=tier.weights, quantity=quantity, unit=None, quantity_unit=quantity_unit,
                                         row_keys_sql=row_keys)
        plans.append(plan)
        accepted.append(relation)
    q, operand = ctx.value_sql(quantity, "r"), ctx.product_operand_sql(quantity, "r")
    # The negation of the tier's ledger condition, as its rejects state it (no bound: not rejected).
    rejected = [f"coalesce(a{j}.from_unit IS NULL OR {q} IS NULL OR {q} < 0 OR abs({operand}) >= a{j}.max_quantity, FALSE)"
                for j in range(len(tiers))]
    nowhere = " AND ".join(rejected)
    for index in range(len(tiers)):
        earlier = " AND ".join([*rejected[:index], "TRUE"])
        if ctx.ledger_only:
            # Only the ledger reads them (a comparison's scenarios): the rows the earlier tiers leave. The
            # tier's own ledger keeps exactly those it does not reject (its join with the effective factors,
            # one bound per key, is the negation of `rejected`), so neither its own accepted keys nor the
            # later tiers' are joined: half of the chain's joins, and the same ledger rows.
            ctx.view(f"tier{index}_rows", f"SELECT r.* FROM {ctx.src} r {joined('r', index)} WHERE {earlier}")
            continue
        ctx.view(f"tier{index}_rows", f"SELECT r.* FROM {ctx.src} r {joined('r')} WHERE "
                                      f"{earlier} AND (NOT {rejected[index]} OR ({nowhere}))")
    # Which rows no tier prices follows from their keys and quantities, never their weight: read from the rows
    # without it (the same rows), a comparison's scenarios compute them once for boundaries including the same
    # entities (ctx.rows: a table there), and every reader of a scenario's ledger looks them up instead of
    # joining every tier's keys again.
    return plans, ctx.rows("unpriced", f"SELECT r.* FROM {ctx.boundary_rows()} r {joined('r')} WHERE {nowhere}")


def _combinations(pairs: list[tuple[str, str, str, str]], weights: GasWeights | None,
                  converter: Converter) -> dict[tuple[str, str, str, str], "Multiplier | str"]:
    """One multiplier per (row unit, factor `per`, factor mass unit, gas), or the reason there is none.

    multiplier = unit scalar × mass unit → kg (× GWP for CO2e), exact: nothing is rounded here."""
    combos: dict[tuple[str, str, str, str], Multiplier | str] = {}
    with localcontext() as decimal_context:
        decimal_context.prec = WORKING_PRECISION
        for key in pairs:
            from_unit, per, mass_unit, gas = key
            scale, mass = converter(from_unit, per), converter(mass_unit, "kg")
            if isinstance(scale, str) or isinstance(mass, str):
                combos[key] = scale if isinstance(scale, str) else reason_text("factor_unit", reason=mass)
            elif gas == CO2E or weights is None:
                combos[key] = Multiplier(scale * mass, scale * mass, is_exact(scale) and is_exact(mass),
                                         "as published" if gas == CO2E else None)
            elif gas in weights.weights:
                weight = weights.weights[gas]
                combos[key] = Multiplier(scale * mass, scale * mass * weight, is_exact(scale) and is_exact(mass),
                                         weights.describe(gas))
            else:
                combos[key] = reason_text("no_gwp", gas=gas, gwp_set=weights.label)
    return combos


def _accepted_keys(table: pa.Table, n_keys: int) -> pa.Table:
    """The (keys, unit) pairs that have effective factors, each once with its largest quantity (one bound
    for all its gases), in the effective table's order."""
    names = [*(f"k{i}" for i in range(n_keys)), "from_unit", "max_quantity"]
    return table.group_by(names, use_threads=False).aggregate([]).select(names)  # single-threaded: stable order


def _distinct(table: pa.Table, names: list[str]) -> set[tuple]:
    """The distinct values of some columns of a table, as tuples."""
    groups = table.select(names).group_by(names, use_threads=False).aggregate([])
    return {tuple(row.values()) for row in groups.to_pylist()}


def _pint_converter() -> Converter:
    """Unit scalars from pint, each pair computed once."""
    cache: dict[tuple[str, str], Decimal | str] = {}

    def convert(from_unit: str, to_unit: str) -> Decimal | str:
        if (from_unit, to_unit) not in cache:
            try:
                cache[from_unit, to_unit] = conversion_factor(from_unit, to_unit)
            except UnitProblem as problem:
                cache[from_unit, to_unit] = str(problem)
        return cache[from_unit, to_unit]
    return convert


@lru_cache(maxsize=1)
def _factor_layout() -> pa.Schema:
    import pyarrow as pa
    return pa.schema([("factor_id", pa.string()), ("gas", pa.string()), ("value", pa.decimal128(38, 18)),
                      ("unit", pa.string()), ("per", pa.string()), ("_row", pa.int64())])


def derived_factor_table(ctx: CalcContext, name: str, match: list[str], rows: list[dict], *, version: str,
                         publisher: str, edition: str, licence: str, source: str) -> FactorTable:
    """Register factors a calculator computed at plan time (e.g. a supplier's emissions ÷ revenue)
    in the factor layout, so `factor_product` applies them like any factor set."""
    import pyarrow as pa
    layout = _factor_layout()
    schema = pa.schema([*[(m, pa.string()) for m in match], *layout])
    numbered = [{**row, "_row": i + 1} for i, row in enumerate(rows)]
    relation = ctx.register(name, pa.Table.from_pylist(numbered, schema=schema))
    return FactorTable(name=name, relation=relation, columns=(*match, *layout.names[:-1]), version=version,
                       publisher=publisher, edition=edition, licence=licence, source_file=source)


def exact(value: Decimal) -> Decimal:
    """A plan-time value at the factor scale, rounded half-even (the one rounding of a factor)."""
    return value.quantize(Decimal(1).scaleb(-FACTOR_SCALE), ROUND_HALF_EVEN)


def _check_factor_table(ctx: CalcContext, factors: FactorTable, match: list[str]) -> None:
    """The match columns exist and pick at most one factor per gas; otherwise rows would multiply."""
    missing = [m for m in match if m not in factors.columns]
    if missing:
        raise InputError(f"factor set '{factors.name}' ({factors.source_file}) has no column "
                         f"{', '.join(repr(m) for m in missing)} to match on; its columns: {', '.join(factors.columns)}")
    keys = ", ".join(ident(m) for m in match)
    if ("duplicates", keys) not in factors.facts:
        # The rows of each duplicated match are listed for those alone (listing them for every match first
        # cost ~0.5 s on 100k factor rows).
        same = " AND ".join(f"f.{ident(c)} IS NOT DISTINCT FROM d.{ident(c)}" for c in [*match, "gas"])
        factors.facts["duplicates", keys] = ctx.query(
            f"SELECT {keys}, gas, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) FROM {factors.relation} f "
            f"SEMI JOIN (SELECT {keys}, gas FROM {factors.relation} GROUP BY ALL HAVING count(*) > 1) d ON {same} "
            f"GROUP BY {keys}, gas ORDER BY ALL LIMIT 5")
    duplicates = factors.facts["duplicates", keys]
    if duplicates:
        shown = "; ".join(f"{dict(zip(match, d[:len(match)]))} gas {d[len(match)]} on rows {d[-1]}" for d in duplicates)
        raise InputError(f"factor set '{factors.name}' ({factors.source_file}) has more than one factor for the same "
                         f"match ({', '.join(match)}) and gas: {shown}. Match on more columns or remove the duplicates.")


def factor_gases(ctx: CalcContext, factors: FactorTable) -> list[str]:
    """The gases a factor table has factors for, so a calculator can look up their weights."""
    if "gases" not in factors.facts:
        factors.facts["gases"] = [row[0] for row in ctx.query(f"SELECT DISTINCT gas FROM {factors.relation} ORDER BY 1")]
    return list(factors.facts["gases"])
