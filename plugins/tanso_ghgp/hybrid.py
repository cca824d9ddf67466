"""The hybrid method of category 1: the supplier's allocated Scope 1+2 plus its upstream, cradle-to-gate part
from a secondary factor (Scope 3 Technical Guidance 2013, ch. 1, "hybrid method").

The two parts add up only when the secondary factor leaves out what the allocation already counts: the
supplier's own Scope 1 and 2 and its waste. A rule that does not declare the factor so is refused when it
is planned, with the reason; nothing is added twice silently.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tanso.contracts import CalcPlan, Calculator, ColumnExpression, Field
from tanso.diagnostics import InputError
from tanso.plan.context import CalcContext
from tanso.plan.sql import expression_columns
from tanso_ghgp.calculators import GWP, SUPPLIER_ALLOCATION_POLICY, AllocationParameters, FactorParameters, \
    _weighted, compile_supplier_allocation

Exclusion = Literal["supplier_scope1", "supplier_scope2", "supplier_waste"]
REQUIRED: tuple[str, ...] = ("supplier_scope1", "supplier_scope2", "supplier_waste")
METHOD = "hybrid: supplier-specific allocation + secondary upstream"


class HybridParameters(AllocationParameters):
    upstream: str = Field(description="factor set: the purchases' cradle-to-gate emissions upstream of the supplier")
    upstream_excludes: list[Exclusion] = Field(default=[], description="what the upstream factors leave out; must "
                                               "be all of supplier_scope1, supplier_scope2, supplier_waste")
    upstream_match: list[str] = Field(min_length=1, description="columns matching the upstream factors")
    upstream_quantity: ColumnExpression = Field(default="quantity", description="column with the upstream quantity")
    upstream_unit: str = Field(default="unit", description="column with its unit")

    def columns_used(self) -> list[str]:
        return [*super().columns_used(), *self.upstream_match, *expression_columns(self.upstream_quantity),
                self.upstream_unit]


def compile_hybrid(ctx: CalcContext) -> CalcPlan:
    p: HybridParameters = ctx.parameters
    missing = [e for e in REQUIRED if e not in p.upstream_excludes]
    if missing:
        raise InputError(f"rule {ctx.rule_id}: supplier_hybrid adds the supplier's allocated Scope 1+2 to the upstream "
                         f"factors '{p.upstream}', which are not declared as excluding {', '.join(missing)}: the "
                         f"supplier's own emissions would be counted twice. Use factors that exclude them and declare "
                         f"upstream_excludes: [{', '.join(REQUIRED)}]")
    allocation = compile_supplier_allocation(dataclasses.replace(ctx, rule_id=f"{ctx.rule_id}_alloc"))
    factor_params = FactorParameters(factors=p.upstream, match=p.upstream_match, quantity=p.upstream_quantity,
                                  unit=p.upstream_unit)
    upstream = _weighted(dataclasses.replace(ctx, rule_id=f"{ctx.rule_id}_up", parameters=factor_params),
                         METHOD + " (upstream)", "secondary")
    # A row is in the ledger only when both parts compute; otherwise it is rejected with each part's reason.
    rejected = f"SELECT row_id, reason FROM ({allocation.rejects}) UNION ALL SELECT row_id, reason FROM ({upstream.rejects})"
    ledger = (f"SELECT * FROM ({allocation.ledger}) WHERE row_id NOT IN (SELECT row_id FROM ({upstream.rejects})) "
              f"UNION ALL SELECT * FROM ({upstream.ledger}) WHERE row_id NOT IN (SELECT row_id FROM ({allocation.rejects}))")
    rejects = f"SELECT row_id, string_agg(reason, '; ' ORDER BY reason) AS reason FROM ({rejected}) GROUP BY row_id"
    return CalcPlan(ledger=ledger, rejects=rejects)


SUPPLIER_HYBRID = Calculator(
    name="supplier_hybrid", doc="Supplier's allocated Scope 1+2 plus upstream cradle-to-gate emissions from secondary "
    "factors declared as excluding the supplier's own Scope 1/2 and waste (TG ch. 1, hybrid).",
    parameters=HybridParameters, compile=compile_hybrid, data_type="supplier-specific",
    factor_parameters=("upstream",), table_parameters=("suppliers",),
    reads_policies=(SUPPLIER_ALLOCATION_POLICY, *GWP),
    methods=(("supplier-specific allocation", "supplier-specific"), (METHOD + " (upstream)", "secondary")))
