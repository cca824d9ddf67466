"""The building block behind most calculators: activity quantity × factor, per gas, weighted to CO2e.

Everything that does not depend on the activity rows is done once at plan time, exactly, in Python
decimals: unit conversion (one scalar per unit pair), the gas mass unit, and the gas weight (GWP).
The result is a small table of *effective factors* at DECIMAL(38,12), rounded half-even, keyed by
the match columns and the activity unit. The per-row work is then one hash join and one exact
decimal multiplication: DECIMAL(18,6) × DECIMAL(38,12) → DECIMAL(38,18), no per-row rescale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pyarrow as pa

from tanso.contracts import CalcPlan, ColumnExpression
from tanso.diagnostics import InputError
from tanso.plan.context import CalcContext, FactorTable
from tanso.plan.sql import ident, literal
from tanso.plan.units import UnitProblem, conversion_factor

FACTOR_SCALE = Decimal("1e-12")
Converter = Callable[[str, str], "Decimal | str"]
FACTOR_TYPE = pa.decimal128(38, 12)
CO2E = "CO2e"  # a factor already expressed as CO2-equivalent needs no weight


@dataclass(frozen=True)
class GasWeights:
    """Weights that turn a mass of each gas into CO2e (a GWP set), with a label for the ledger."""

    label: str
    weights: dict[str, Decimal]


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
    _check_factor_table(ctx, factors, match)
    if quantity_unit is not None:
        units, unit_s, unit_b = [quantity_unit], literal(quantity_unit), literal(quantity_unit)
    else:
        template = unit_expression or f"{{row}}.{ident(unit)}"
        unit_s, unit_b = template.format(row="s"), template.format(row="b")
        units = [row[0] for row in ctx.query(
            f"SELECT DISTINCT {unit_s} FROM {ctx.src} s WHERE {unit_s} IS NOT NULL ORDER BY 1")]
    combos = ctx.register(f"{ctx.rule_id}_combos", _combinations(
        ctx.query(f"SELECT DISTINCT per, unit, gas FROM {factors.relation} ORDER BY ALL"), units, weights,
        converter or _pint_converter()))
    keys_as_text = ", ".join(f"CAST(f.{ident(m)} AS VARCHAR) AS k{i}" for i, m in enumerate(match))
    joined = f"{factors.relation} f JOIN {combos} c ON c.per = f.per AND c.unit = f.unit AND c.gas = f.gas"
    # A key is computable for a unit only when every one of its gases is: one problem rejects the key.
    unit_problems = ctx.view("unit_problems", f"SELECT {keys_as_text}, c.from_unit, min(c.problem) AS problem "
                                              f"FROM {joined} WHERE c.problem IS NOT NULL GROUP BY ALL")
    no_problem = " AND ".join([f"p.k{i} = CAST(f.{ident(m)} AS VARCHAR)" for i, m in enumerate(match)]
                              + ["p.from_unit = c.from_unit"])
    eff = ctx.table("eff", f"""
        SELECT {keys_as_text}, c.from_unit, f.gas, f.factor_id,
               CAST(round_even(f.value * c.gas_multiplier, 12) AS DECIMAL(38,12)) AS gas_factor,
               CAST(round_even(f.value * c.co2e_multiplier, 12) AS DECIMAL(38,12)) AS co2e_factor, c.gwp
        FROM {joined} WHERE c.problem IS NULL
          AND NOT EXISTS (SELECT 1 FROM {unit_problems} p WHERE {no_problem})""")

    def keys_equal(row: str, table: str, unit_sql: str) -> str:
        return " AND ".join([f"CAST({row}.{ident(m)} AS VARCHAR) = {table}.k{i}" for i, m in enumerate(match)]
                            + [f"{unit_sql} = {table}.from_unit"])

    q, q_b = ctx.value_sql(quantity, "s"), ctx.value_sql(quantity, "b")
    ledger = f"""
SELECT {ctx.passthrough('s')}, e.gas, {ctx.product_sql(quantity, 's', 'e.gas_factor')} AS amount,
       {ctx.product_sql(quantity, 's', 'e.co2e_factor')} AS co2e_kg,
       {q} AS quantity, {unit_s} AS quantity_unit, e.factor_id, {literal(factors.name)} AS factor_set,
       {literal(factors.version)} AS factor_version, e.gwp, {literal(method)} AS method, {literal(data_type)} AS data_type
FROM {ctx.src} s JOIN {eff} e ON {keys_equal('s', 'e', unit_s)}
WHERE {q} >= 0"""

    accepted_keys = f"(SELECT DISTINCT {', '.join(f'k{i}' for i in range(len(match)))}, from_unit FROM {eff})"
    described_keys = " || ', ' || ".join(
        f"'{m}=' || coalesce('''' || CAST(b.{ident(m)} AS VARCHAR) || '''', 'empty')" for m in match)
    quantity_name = quantity if isinstance(quantity, str) else "quantity"
    rejects = f"""
WITH bad AS (
  SELECT s.* FROM {ctx.src} s LEFT JOIN {accepted_keys} a ON {keys_equal('s', 'a', unit_s)}
  WHERE a.from_unit IS NULL OR {q} IS NULL OR {q} < 0)
SELECT b._row_id AS row_id,
  CASE WHEN {q_b} IS NULL THEN '{quantity_name} is missing'
       WHEN {q_b} < 0 THEN '{quantity_name} is negative (' || CAST({q_b} AS VARCHAR) || ')'
       WHEN {unit_b} IS NULL THEN '{unit or "unit"} is missing'
       WHEN p.problem IS NOT NULL THEN p.problem
       ELSE 'no factor in ' || {literal(factors.name)} || ' for ' || {described_keys}
  END AS reason
FROM bad b LEFT JOIN {unit_problems} p ON {keys_equal('b', 'p', unit_b)}"""
    return CalcPlan(ledger=ledger, rejects=rejects)


COMBINATION_SCHEMA = pa.schema([
    ("from_unit", pa.string()), ("per", pa.string()), ("unit", pa.string()), ("gas", pa.string()),
    ("gas_multiplier", FACTOR_TYPE), ("co2e_multiplier", FACTOR_TYPE), ("gwp", pa.string()), ("problem", pa.string())])


def _combinations(factor_kinds: list[tuple], units: list[str], weights: GasWeights | None,
                  converter: Converter) -> pa.Table:
    """One multiplier per (row unit, factor `per`, factor mass unit, gas), or the reason there is none.

    effective factor = round_half_even(value × multiplier, 12 places), multiplier = unit scalar × mass
    unit → kg (× GWP for CO2e), itself rounded half-even to 12 places. Exact for the usual conversions
    (kWh/MWh, g/kg/t, gal/L, integer GWPs); a multiplier that 12 places cannot carry to 9 significant
    digits is refused rather than silently degraded.
    """
    rows = []
    with localcontext() as decimal_context:
        decimal_context.prec = 60
        for from_unit in units:
            for per, mass_unit, gas in factor_kinds:
                row = {"from_unit": from_unit, "per": per, "unit": mass_unit, "gas": gas,
                       "gas_multiplier": None, "co2e_multiplier": None, "gwp": None, "problem": None}
                scale, mass = converter(from_unit, per), converter(mass_unit, "kg")
                if isinstance(scale, str) or isinstance(mass, str):
                    rows.append({**row, "problem": scale if isinstance(scale, str) else f"factor unit: {mass}"})
                    continue
                if gas == CO2E or weights is None:
                    weight, label = Decimal(1), ("as published" if gas == CO2E else None)
                elif gas in weights.weights:
                    weight, label = weights.weights[gas], f"{weights.label} {gas}={weights.weights[gas]}"
                else:
                    rows.append({**row, "problem": f"no GWP for gas {gas} in {weights.label}"})
                    continue
                gas_multiplier, co2e_multiplier = scale * mass, scale * mass * weight
                problem = _unrepresentable(gas_multiplier, from_unit, per) or _unrepresentable(co2e_multiplier, from_unit, per)
                if problem:
                    rows.append({**row, "problem": problem})
                    continue
                rows.append({**row, "gas_multiplier": exact(gas_multiplier), "co2e_multiplier": exact(co2e_multiplier),
                             "gwp": label})
    return pa.Table.from_pylist(rows, schema=COMBINATION_SCHEMA)


def _unrepresentable(multiplier: Decimal, from_unit: str, per: str) -> str | None:
    rounded = exact(multiplier)
    if multiplier and (not rounded or abs(rounded - multiplier) / abs(multiplier) > Decimal("1e-9")):
        return f"converting {from_unit} to {per} needs more than 12 decimal places; use a closer unit"
    return None


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


FACTOR_LAYOUT = pa.schema([("factor_id", pa.string()), ("gas", pa.string()), ("value", pa.decimal128(28, 12)),
                           ("unit", pa.string()), ("per", pa.string()), ("_row", pa.int64())])


def derived_factor_table(ctx: CalcContext, name: str, match: list[str], rows: list[dict], *, version: str,
                         publisher: str, edition: str, licence: str, source: str) -> FactorTable:
    """Register factors a calculator computed at plan time (e.g. a supplier's emissions ÷ revenue)
    in the factor layout, so `factor_product` applies them like any factor set."""
    schema = pa.schema([*[(m, pa.string()) for m in match], *FACTOR_LAYOUT])
    numbered = [{**row, "_row": i + 1} for i, row in enumerate(rows)]
    relation = ctx.register(name, pa.Table.from_pylist(numbered, schema=schema))
    return FactorTable(name=name, relation=relation, columns=(*match, *FACTOR_LAYOUT.names[:-1]), version=version,
                       publisher=publisher, edition=edition, licence=licence, source_file=source)


def exact(value: Decimal) -> Decimal:
    """A plan-time value at the factor scale, rounded half-even (the one rounding of a factor)."""
    return value.quantize(FACTOR_SCALE, ROUND_HALF_EVEN)


def _check_factor_table(ctx: CalcContext, factors: FactorTable, match: list[str]) -> None:
    """The match columns exist and pick at most one factor per gas; otherwise rows would multiply."""
    missing = [m for m in match if m not in factors.columns]
    if missing:
        raise InputError(f"factor set '{factors.name}' ({factors.source_file}) has no column "
                         f"{', '.join(repr(m) for m in missing)} to match on; its columns: {', '.join(factors.columns)}")
    keys = ", ".join(ident(m) for m in match)
    duplicates = ctx.query(
        f"SELECT {keys}, gas, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) FROM {factors.relation} "
        f"GROUP BY {keys}, gas HAVING count(*) > 1 ORDER BY ALL LIMIT 5")
    if duplicates:
        shown = "; ".join(f"{dict(zip(match, d[:len(match)]))} gas {d[len(match)]} on rows {d[-1]}" for d in duplicates)
        raise InputError(f"factor set '{factors.name}' ({factors.source_file}) has more than one factor for the same "
                         f"match ({', '.join(match)}) and gas: {shown}. Match on more columns or remove the duplicates.")


def factor_gases(ctx: CalcContext, factors: FactorTable) -> list[str]:
    """The gases a factor table has factors for, so a calculator can look up their weights."""
    return [row[0] for row in ctx.query(f"SELECT DISTINCT gas FROM {factors.relation} ORDER BY 1")]
