"""Calculators of the GHG Protocol methods, each compiled to a relational plan.

- `activity`: physical quantity × average-data factor (kWh, litres, tonne-km, kg…), units converted.
- `spend_based`: spend × EEIO factor; the spend currency must be the factor's currency.
- `fuel_combustion`: fuel quantity × per-gas factors (CO2, CH4, N2O), each weighted by the GWP set
  the `gwp.set` policy chooses; the ledger keeps the mass of every gas.
"""

from __future__ import annotations

from pydantic import Field

from tanso.contracts import Calculator, CalcPlan, ColumnExpression, Parameters
from tanso.plan.context import CalcContext
from tanso.plan.factor_product import factor_gases, factor_product
from tanso.plan.sql import expression_columns
from tanso_ghgp.gwp import gas_weights


class FactorParameters(Parameters):
    factors: str = Field(description="factor set to look factors up in")
    match: list[str] = Field(min_length=1, description="columns that must equal the factor table's columns")
    quantity: ColumnExpression = Field(default="quantity", description="column (or expression) with the activity amount")
    unit: str = Field(default="unit", description="column with the unit of the amount")
    quantity_unit: str | None = Field(default=None, description="the unit of every row's quantity, instead of a column")

    def columns_used(self) -> list[str]:
        return [*self.match, *expression_columns(self.quantity), *([] if self.quantity_unit else [self.unit])]


class FuelParameters(FactorParameters):
    match: list[str] = Field(default=["fuel"], min_length=1)


def _weighted(ctx: CalcContext, method: str, data_type: str) -> CalcPlan:
    p = ctx.parameters
    factors = ctx.factor_table(p.factors)
    weights = gas_weights(ctx.policies["gwp.set"], factor_gases(ctx, factors))
    return factor_product(ctx, factors, p.match, method=method, data_type=data_type, weights=weights,
                          quantity=p.quantity, unit=p.unit, quantity_unit=p.quantity_unit)


def compile_activity(ctx: CalcContext) -> CalcPlan:
    return _weighted(ctx, "average-data", "secondary")


def compile_fuel(ctx: CalcContext) -> CalcPlan:
    return _weighted(ctx, "fuel-based", "primary")


def compile_spend(ctx: CalcContext) -> CalcPlan:
    return _weighted(ctx, "spend-based", "spend-based")


CALCULATORS = [
    Calculator(name="activity", doc="Activity quantity × average-data emission factor, units converted.",
               parameters=FactorParameters, compile=compile_activity, reads_policies=("gwp.set",),
               data_type="secondary"),
    Calculator(name="fuel_combustion", doc="Fuel quantity × per-gas combustion factors, each gas weighted by the GWP set.",
               parameters=FuelParameters, compile=compile_fuel, reads_policies=("gwp.set",), data_type="primary"),
    Calculator(name="spend_based", doc="Spend × environmentally-extended input-output factor; currencies must match.",
               parameters=FactorParameters, compile=compile_spend, reads_policies=("gwp.set",), data_type="spend-based"),
]
