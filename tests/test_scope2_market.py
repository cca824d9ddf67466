"""Scope 2, market-based: the instrument hierarchy of the Scope 2 Guidance (2015), and certificates
that are never counted twice."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from conftest import ledger, make_case, rejects
from tanso.diagnostics import RulesetError

RULESET = """
ruleset market "market-based"
input electricity key row_id columns entity: text, period: text, grid_region: text, supplier: text, quantity: decimal, unit: text
input certificates key certificate_id columns entity: text, period: text, grid_region: text, quantity: decimal, unit: text
factors grid file "factors/grid.csv"
factors residual file "factors/residual.csv"
factors suppliers file "factors/suppliers.csv"
rule s2.location "Location-based" scope 2 basis location from electricity calc activity(factors: grid, match: [grid_region])
rule s2.market "Market-based" scope 2 basis market from electricity
  calc market_based(certificates: certificates, supplier_rates: suppliers, residual_mix: residual, location: grid)
"""
FACTORS = {
    "grid": [{"factor_id": f"G-{r}", "grid_region": r, "gas": "CO2e", "value": v, "unit": "kg", "per": "kWh"}
             for r, v in (("R1", "0.5"), ("R2", "0.4"), ("R3", "0.3"))],
    "residual": [{"factor_id": f"RM-{r}", "grid_region": r, "gas": "CO2e", "value": v, "unit": "kg", "per": "kWh"}
                 for r, v in (("R1", "0.6"), ("R2", "0.55"))],
    "suppliers": [{"factor_id": "S-GREEN", "supplier": "Green", "gas": "CO2e", "value": "0.05", "unit": "kg",
                   "per": "kWh"}],
}


def consumption(row_id, region, quantity, unit="MWh", supplier=None):
    return {"row_id": row_id, "entity": "A", "period": "2025-01", "grid_region": region, "supplier": supplier,
            "quantity": quantity, "unit": unit}


def certificate(certificate_id, region, mwh):
    return {"certificate_id": certificate_id, "entity": "A", "period": "2025-01", "grid_region": region,
            "quantity": mwh, "unit": "MWh"}


@pytest.fixture
def case(tmp_path):
    return make_case(tmp_path, RULESET, {
        "electricity": [consumption("E1", "R1", "100"), consumption("E2", "R1", "50"),
                        consumption("E3", "R2", "1000", "kWh", supplier="Green"), consumption("E4", "R3", "1000", "kWh")],
        "certificates": [certificate("C1", "R1", "120"), certificate("C2", "R2", "0")],
    }, FACTORS)


def market_rows(result):
    return [r for r in ledger(result) if r["rule_id"] == "s2.market"]


def test_each_instrument_in_the_hierarchy_prices_what_the_one_before_did_not(case):
    rows = {(r["row_id"], r["method"]): r for r in market_rows(case.run())}
    assert rows["E1", "market-based: energy attribute certificates"]["quantity"] == D("100000")
    # E2: 20 MWh of certificates are left after E1; the other 30 MWh take the residual mix (0.6 kg/kWh).
    assert rows["E2", "market-based: energy attribute certificates"]["quantity"] == D("20000")
    assert rows["E2", "market-based: residual mix"]["co2e_kg"] == D("18000")
    assert rows["E3", "market-based: supplier-specific rate"]["co2e_kg"] == D("50")      # green tariff 0.05
    assert rows["E4", "market-based: location-based fallback (no residual mix)"]["co2e_kg"] == D("300")


def test_certificates_are_never_counted_twice(case):
    covered = sum(r["quantity"] for r in market_rows(case.run()) if "certificates" in r["method"])
    assert covered == D("120000")  # exactly the 120 MWh held, although 150 MWh were consumed in R1


def test_both_bases_are_reported_and_never_added(case):
    totals = {(t["scope"], t["basis"]): t["co2e_kg"] for t in case.run().totals}
    assert totals[2, "location"] == D("50000") + D("25000") + D("400") + D("300")
    assert totals[2, "market"] == D("18000") + D("50") + D("300")


def test_a_row_no_instrument_prices_is_rejected_with_every_reason(tmp_path):
    case = make_case(tmp_path, RULESET, {"electricity": [consumption("E9", "R9", "10")],
                                         "certificates": [certificate("C1", "R1", "5")]}, FACTORS)
    [reject] = [r for r in rejects(case.run()) if r["rule_id"] == "s2.market"]
    assert "residual mix: no factor in residual for grid_region='R9'" in reject["reason"]
    assert "location-based fallback (no residual mix): no factor in grid" in reject["reason"]


def test_two_rules_cannot_consume_the_same_certificates(tmp_path):
    twice = RULESET + ("rule s2.market.again \"again\" scope 2 basis market from electricity\n"
                       "  calc market_based(certificates: certificates, location: grid)\n")
    case = make_case(tmp_path, twice, {"electricity": [consumption("E1", "R1", "1")],
                                       "certificates": [certificate("C1", "R1", "5")]}, FACTORS)
    with pytest.raises(RulesetError) as raised:
        case.prepare()
    [diagnostic] = raised.value.diagnostics.errors
    assert "'certificates' is already consumed by rule s2.market" in diagnostic.message
