"""Registers the `fixed_intensity` calculator: quantity × a constant kg CO2e per unit.

It writes its own SQL instead of using `tanso.plan.factor_product`, to show the bare contract:
a ledger SELECT with `tanso.contracts.CALC_LEDGER_COLUMNS` and a rejects SELECT with
`CALC_REJECT_COLUMNS`, over the rule's rows in `ctx.src`; every row lands in exactly one of them.
A row above the rule's `cap` is rejected with the plugin's own reason code, registered with its
Japanese text (`tanso.reasons`); a missing or negative quantity uses the engine's own codes.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from tanso import hookimpl
from tanso.contracts import Calculator, CalcPlan, Parameters
from tanso.i18n import register
from tanso.plan.context import CalcContext
from tanso.plan.sql import ident, literal
from tanso.reasons import reason_sql

METHOD = "fixed-intensity"
DATA_TYPE = "secondary"
register({"reason.fixed_intensity.above_cap": {"en": "{quantity} {value} is above the rule's cap of {cap}",
                                               "ja": "{quantity} {value} はルールの上限 {cap} を超える"}})


class FixedIntensityParameters(Parameters):
    # At most 12 decimal places: the factor is used as DECIMAL(38,12), so nothing is rounded away.
    kg_per_unit: Decimal = Field(ge=0, max_digits=38, decimal_places=12,
                                 description="kg CO2e per unit of the quantity")
    quantity: str = Field(default="quantity", description="column with the activity amount")
    cap: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=6,
                                description="largest quantity a row may have; a larger one is rejected")

    def columns_used(self) -> list[str]:
        return [self.quantity]


def compile_fixed_intensity(ctx: CalcContext) -> CalcPlan:
    p: FixedIntensityParameters = ctx.parameters
    q = f"s.{ident(p.quantity)}"
    # DECIMAL(18,6) quantity × DECIMAL(38,12) factor = DECIMAL(38,18), the ledger's type: no rounding.
    factor = f"CAST({literal(p.kg_per_unit)} AS DECIMAL(38,12))"
    unit = f"s.{ident('unit')}" if "unit" in ctx.columns else "CAST(NULL AS VARCHAR)"
    above_cap = "FALSE" if p.cap is None else f"{q} > {literal(p.cap)}"
    ledger = f"""
SELECT {ctx.passthrough('s')}, 'CO2e' AS gas, {q} * {factor} AS amount, {q} * {factor} AS co2e_kg,
       {q} AS quantity, {unit} AS quantity_unit, 'fixed' AS factor_id, 'none' AS factor_set,
       {literal(str(p.kg_per_unit))} AS factor_version, 'as published' AS gwp, {literal(METHOD)} AS method,
       {literal(DATA_TYPE)} AS data_type
FROM {ctx.src} s
WHERE {q} IS NOT NULL AND {q} >= 0 AND NOT {above_cap}"""
    value = f"CAST({q} AS VARCHAR)"
    rejects = f"""
SELECT s._row_id AS row_id,
  CASE WHEN {q} IS NULL THEN {reason_sql("missing_value", column=literal(p.quantity))}
       WHEN {q} < 0 THEN {reason_sql("negative_quantity", quantity=literal(p.quantity), value=value)}
       ELSE {reason_sql("fixed_intensity.above_cap", quantity=literal(p.quantity), value=value, cap=literal(str(p.cap)))}
  END AS reason
FROM {ctx.src} s
WHERE {q} IS NULL OR {q} < 0 OR {above_cap}"""
    return CalcPlan(ledger=ledger, rejects=rejects)


CALCULATORS = [
    Calculator(name="fixed_intensity", doc="Quantity × a fixed kg CO2e per unit given in the rule.",
               parameters=FixedIntensityParameters, compile=compile_fixed_intensity,
               data_type=DATA_TYPE, factor_parameters=()),
]


@hookimpl
def tanso_calculators():
    return CALCULATORS
