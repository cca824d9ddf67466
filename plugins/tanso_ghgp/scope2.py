"""Scope 2, market-based (GHG Protocol Scope 2 Guidance 2015, chapter 6 and the Quality Criteria).

The instrument hierarchy, applied per consumption row:
1. energy attribute certificates (RECs, GOs, I-RECs; bundled PPAs) cover consumption up to the
   certificates held for the same allocation keys (by default entity, grid region and period). Each
   certificate MWh is allocated once, in a fixed order of rows, so none is counted twice;
2. what certificates do not cover takes the supplier-specific emission rate (green tariff, utility
   disclosure) where the row names a supplier with a rate;
3. otherwise the residual mix of its grid region;
4. otherwise, where no residual mix is published, the location-based grid factor (the Guidance's
   fallback), recorded as such in the ledger.
A row split between certificates and a factor gives two ledger rows (same row id, one per part).
The allocation keys are a parameter: hourly matching allocates by hour and market boundary.
"""

from __future__ import annotations

import pyarrow as pa
from pydantic import Field

from tanso.contracts import Calculator, CalcPlan, Parameters
from tanso.plan.context import CalcContext
from tanso.plan.factor_product import FACTOR_TYPE, exact, factor_gases, factor_product
from tanso.plan.sql import ident, literal
from tanso.plan.units import UnitProblem, conversion_factor
from tanso_ghgp.gwp import GWP_POLICIES, policy_weights

KWH = "kWh"


class MarketParameters(Parameters):
    certificates: str | None = Field(default=None, description="input table of certificates held: the allocation "
                                                               "keys, quantity, unit, certificate_id")
    allocate_by: list[str] = Field(default=["entity", "grid_region", "period"], min_length=1,
                                   description="columns a certificate must share with the consumption it covers")
    supplier_rates: str | None = Field(default=None, description="factor set of supplier-specific emission rates")
    supplier_match: list[str] = Field(default=["supplier"], min_length=1)
    residual_mix: str | None = Field(default=None, description="factor set of residual-mix factors")
    location: str | None = Field(default=None, description="factor set used where no residual mix exists")
    grid_match: list[str] = Field(default=["grid_region"], min_length=1)
    quantity: str = Field(default="quantity")
    unit: str = Field(default="unit")

    def columns_used(self) -> list[str]:
        tiers = [*(self.supplier_match if self.supplier_rates else []),
                 *(self.grid_match if self.residual_mix or self.location else [])]
        return [self.quantity, self.unit, *(self.allocate_by if self.certificates else []), *tiers]


def _kwh_table(ctx: CalcContext, units: list[str]) -> tuple[str, dict[str, str]]:
    """One scalar per unit (→ kWh); the units that do not convert, with the reason."""
    rows, problems = [], {}
    for unit in units:
        try:
            rows.append({"unit": unit, "to_kwh": exact(conversion_factor(unit, KWH))})
        except UnitProblem as problem:
            problems[unit] = str(problem)
    schema = pa.schema([("unit", pa.string()), ("to_kwh", FACTOR_TYPE)])
    return ctx.register("kwh_units", pa.Table.from_pylist(rows, schema=schema)), problems


def compile_market_based(ctx: CalcContext) -> CalcPlan:
    p: MarketParameters = ctx.parameters
    q, u = ident(p.quantity), ident(p.unit)
    certificates = ctx.input_table(p.certificates) if p.certificates else None
    units = {row[0] for row in ctx.query(f"SELECT DISTINCT {u} FROM {ctx.src} WHERE {u} IS NOT NULL")}
    if certificates:
        units |= {row[0] for row in ctx.query(f"SELECT DISTINCT unit FROM {certificates} WHERE unit IS NOT NULL")}
    kwh_units, unit_problems = _kwh_table(ctx, sorted(units))
    to_kwh = "CAST(round_even({q} * k.to_kwh, 6) AS DECIMAL(18,6))"

    consumption = ctx.view("consumption", f"""
        SELECT s.*, {to_kwh.format(q=f's.{q}')} AS _kwh FROM {ctx.src} s JOIN {kwh_units} k ON k.unit = s.{u}
        WHERE s.{q} >= 0""")
    keys = [ident(k) for k in p.allocate_by]
    if certificates:
        pool = (f"SELECT {', '.join(keys)}, sum({to_kwh.format(q='c.quantity')}) AS _pool, "
                f"string_agg(CAST(c.certificate_id AS VARCHAR), ',' ORDER BY c.certificate_id) AS _certificates "
                f"FROM {certificates} c JOIN {kwh_units} k ON k.unit = c.unit WHERE c.quantity > 0 GROUP BY ALL")
        on = " AND ".join(f"p.{k} = c.{k}" for k in keys)
        # Rows take certificates in row-id order within their keys: what earlier rows took is gone.
        allocated = ctx.view("allocated", f"""
            SELECT c.*, least(c._kwh, greatest(coalesce(p._pool, 0) - coalesce(sum(c._kwh) OVER (
                       PARTITION BY {', '.join('c.' + k for k in keys)} ORDER BY c._row_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), 0)) AS _covered, p._certificates
            FROM {consumption} c LEFT JOIN ({pool}) p ON {on}""")
    else:
        allocated = ctx.view("allocated", f"SELECT c.*, CAST(0 AS DECIMAL(18,6)) AS _covered, "
                                          f"CAST(NULL AS VARCHAR) AS _certificates FROM {consumption} c")
    remainder = ctx.view("remainder", f"SELECT a.*, CAST(a._kwh - a._covered AS DECIMAL(18,6)) AS _remainder_kwh "
                                      f"FROM {allocated} a WHERE a._kwh > a._covered")

    tiers = [(p.supplier_rates, p.supplier_match, "market-based: supplier-specific rate", "supplier-specific"),
             (p.residual_mix, p.grid_match, "market-based: residual mix", "secondary"),
             (p.location, p.grid_match, "market-based: location-based fallback (no residual mix)", "secondary")]
    ledgers, reject_views, step_src = [], [], remainder
    for index, (factor_set, match, method, data_type) in enumerate(t for t in tiers if t[0]):
        factors = ctx.factor_table(factor_set)
        tier_ctx = ctx.with_source(step_src)
        plan = factor_product(tier_ctx, factors, match, method=method, data_type=data_type,
                              weights=policy_weights(ctx.policies, factor_gases(ctx, factors)),
                              quantity="_remainder_kwh", quantity_unit=KWH)
        ledgers.append(plan.ledger)
        reject_views.append((ctx.view(f"tier{index}_rejects", plan.rejects), method))
        step_src = ctx.view(f"tier{index + 1}_rows", f"SELECT r.* FROM {step_src} r WHERE r._row_id IN "
                                                     f"(SELECT row_id FROM {reject_views[-1][0]})")
    if reject_views:
        reasons = " || '; ' || ".join(f"'{method.split(': ')[1]}: ' || t{i}.reason" for i, (_, method) in enumerate(reject_views))
        joins = " ".join(f"JOIN {view} t{i} ON t{i}.row_id = r._row_id" for i, (view, _) in enumerate(reject_views))
        uncomputed = f"SELECT r._row_id AS row_id, {reasons} AS reason FROM {step_src} r {joins}"
    else:
        uncomputed = (f"SELECT r._row_id AS row_id, 'not covered by certificates and no factor set is given' AS reason "
                      f"FROM {remainder} r")
    unit_reasons = " ".join(f"WHEN b.{u} = {literal(unit)} THEN {literal(problem)}" for unit, problem in unit_problems.items())
    unusable = f"""
        SELECT b._row_id AS row_id, CASE WHEN b.{q} IS NULL THEN '{p.quantity} is missing'
            WHEN b.{q} < 0 THEN '{p.quantity} is negative (' || CAST(b.{q} AS VARCHAR) || ')'
            WHEN b.{u} IS NULL THEN '{p.unit} is missing' {unit_reasons}
            ELSE 'unit ' || b.{u} || ' is not an energy unit' END AS reason
        FROM {ctx.src} b WHERE b._row_id NOT IN (SELECT _row_id FROM {consumption})"""
    rejects = ctx.view("rejects", f"{unusable} UNION ALL {uncomputed}")
    covered = f"""
        SELECT {ctx.passthrough('a')}, 'CO2e' AS gas, 0 AS amount, 0 AS co2e_kg, a._covered AS quantity,
               '{KWH}' AS quantity_unit, 'certificates:' || a._certificates AS factor_id,
               {literal(p.certificates)} AS factor_set, NULL AS factor_version, 'zero-emission instrument' AS gwp,
               'market-based: energy attribute certificates' AS method, 'supplier-specific' AS data_type
        FROM {allocated} a WHERE a._covered > 0 AND a._row_id NOT IN (SELECT row_id FROM {rejects})"""
    return CalcPlan(ledger=" UNION ALL ".join([covered, *ledgers]), rejects=f"SELECT * FROM {rejects}")


MARKET_BASED = Calculator(
    name="market_based", doc="Scope 2 market-based: certificates, then supplier rate, residual mix, location fallback.",
    parameters=MarketParameters, compile=compile_market_based, reads_policies=GWP_POLICIES, data_type="supplier-specific",
    factor_parameters=("supplier_rates", "residual_mix", "location"), table_parameters=("certificates",))
