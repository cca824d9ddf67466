"""supplier_hybrid: the supplier's allocated Scope 1+2 plus its purchases' upstream emissions from secondary
factors. It adds up only when those factors exclude the supplier's own Scope 1/2 and waste, so a rule that does
not declare that is refused when it is planned, with the reason (Scope 3 Technical Guidance 2013, ch. 1)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from conftest import ledger, make_case, rejects
from tanso.diagnostics import InputError


def _ruleset(excludes: str) -> str:
    return f"""\
ruleset hybrid_case
set gwp.set = AR5
input purchases
  key row_id
  columns entity: text, period: text, supplier: text, amount: decimal(18,2), currency: text, material: text,
          quantity: decimal(18,6), unit: text
input suppliers
  key row_id
  columns supplier: text, emissions: decimal(18,6), emissions_unit: text, revenue: decimal(18,2), currency: text
factors upstream "Cradle-to-gate material factors without the supplier's own Scope 1/2 and waste" file "factors/upstream.csv"
rule s3.cat1 "Purchased goods, hybrid"
  scope 3 category 1
  from purchases
  calc supplier_hybrid(suppliers: suppliers, match: [supplier], quantity: amount, unit: currency,
                       upstream: upstream, upstream_match: [material]{excludes})
"""


TABLES = {
    "purchases": [{"row_id": "P1", "entity": "E1", "period": "2025", "supplier": "S1", "amount": "1000",
                   "currency": "USD", "material": "steel", "quantity": "2", "unit": "t"},
                  {"row_id": "P2", "entity": "E1", "period": "2025", "supplier": "S1", "amount": "500",
                   "currency": "USD", "material": "copper", "quantity": "1", "unit": "t"}],
    "suppliers": [{"row_id": "S1", "supplier": "S1", "emissions": "100", "emissions_unit": "t",
                   "revenue": "1000000", "currency": "USD"}],
}
FACTORS = {"upstream": [{"factor_id": "STEEL-UP", "material": "steel", "gas": "CO2e", "value": "1500", "unit": "kg",
                         "per": "t"}]}
DECLARED = ", upstream_excludes: [supplier_scope1, supplier_scope2, supplier_waste]"


@pytest.mark.parametrize("excludes, missing", [
    ("", "supplier_scope1, supplier_scope2, supplier_waste"),
    (", upstream_excludes: [supplier_scope1, supplier_scope2]", "supplier_waste"),
])
def test_upstream_factors_not_declared_as_excluding_the_suppliers_own_emissions_are_refused(tmp_path, excludes, missing):
    case = make_case(tmp_path, _ruleset(excludes), TABLES, FACTORS)
    with pytest.raises(InputError, match=f"not declared as excluding {missing}: the supplier's own emissions would "
                                         f"be counted twice"):
        case.run()


def test_declared_upstream_factors_add_to_the_allocation_and_a_row_missing_one_part_is_rejected(tmp_path):
    case = make_case(tmp_path, _ruleset(DECLARED), TABLES, FACTORS)
    result = case.run()
    by_method = {(r["row_id"], r["data_type"]): r["co2e_kg"] for r in ledger(result)}
    # 100 t ÷ 1,000,000 USD × 1,000 USD = 100 kg allocated; 2 t × 1,500 kg/t upstream.
    assert by_method == {("P1", "supplier-specific"): D("100"), ("P1", "secondary"): D("3000")}
    assert [(r["row_id"], "no factor in upstream" in r["reason"]) for r in rejects(result)] == [("P2", True)]
