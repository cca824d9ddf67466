"""A supplier that moves from an average (spend-based) factor to its own lower product footprint between two
years shows as an intensity reduction attributed to it; activity and intensity effects sum to the change."""

from __future__ import annotations

from decimal import Decimal as D

from click.testing import CliRunner

from conftest import make_case
from tanso.cli import main as tanso
from tanso_ghgp.decomposition import decompose, main

RULESET = """\
ruleset years
set gwp.set = AR5
input purchases
  key row_id
  columns entity: text, period: text, supplier: text, amount: decimal(18,2), currency: text, year: integer,
          commodity: text, item: text, quantity: decimal(18,6), unit: text
factors footprints "Supplier product footprints" file "factors/footprints.csv"
factors spend "Average kg CO2e per USD" file "factors/spend.csv"
rule s3.cat1 "Purchased goods"
  scope 3 category 1
  from purchases
  calc first_of(supplier_product(factors: footprints, match: [item]),
                activity(factors: spend, match: [commodity], quantity: amount, unit: currency))
"""
FACTORS = {"footprints": [{"factor_id": "COIL", "item": "COIL", "gas": "CO2e", "value": "150", "unit": "kg", "per": "kg"}],
           "spend": [{"factor_id": "STEEL-USD", "commodity": "steel", "gas": "CO2e", "value": "0.5", "unit": "kg",
                      "per": "USD"}]}


def _year(tmp_path, name: str, rows: list[dict]):
    """A year's run folder, written by `tanso evaluate` (whose manifest records the data folder it read)."""
    case = make_case(tmp_path / name, RULESET, {"purchases": rows}, FACTORS)
    outcome = CliRunner().invoke(tanso, ["evaluate", str(case.ruleset), "--data", str(case.data),
                                         "--out", str(case.root / "out")])
    assert outcome.exit_code == 0, outcome.output
    return case.root / "out"


def _row(row_id, supplier, amount, item="", quantity="", unit=""):
    return {"row_id": row_id, "entity": "E1", "period": "2025", "supplier": supplier, "amount": amount,
            "currency": "USD", "year": "2025", "commodity": "steel", "item": item, "quantity": quantity, "unit": unit}


def test_a_supplier_switching_to_a_lower_footprint_shows_as_its_intensity_reduction(tmp_path):
    base = _year(tmp_path, "2024", [_row("P1", "S1", "1000"), _row("P2", "S2", "400")])
    current = _year(tmp_path, "2025", [_row("P1", "S1", "1200", "COIL", "2", "kg"), _row("P2", "S2", "600")])
    rows = {r["supplier"]: r for r in decompose(base, current, 1)}
    # S1: 500 kg (1,000 USD × 0.5) → 300 kg (2 kg × 150); Shapley: activity 200 × (0.5 + 0.25) / 2 = 75,
    # intensity (0.25 − 0.5) × (1,000 + 1,200) / 2 = −275.
    assert (rows["S1"]["delta_kg"], rows["S1"]["activity_kg"], rows["S1"]["intensity_kg"]) == \
        (D("-200.000"), D("75.000"), D("-275.000"))
    # S2 bought more at the same average factor: all activity.
    assert (rows["S2"]["activity_kg"], rows["S2"]["intensity_kg"]) == (D("100.000"), D("0.000"))
    result = CliRunner().invoke(main, [str(base), str(current), "--category", "1"])
    assert result.exit_code == 0 and "-275.000" in result.output


def test_a_supplier_new_in_the_current_year_is_all_activity(tmp_path):
    base = _year(tmp_path, "2024", [_row("P1", "S1", "1000")])
    current = _year(tmp_path, "2025", [_row("P1", "S1", "1000"), _row("P2", "S3", "200")])
    rows = {r["supplier"]: r for r in decompose(base, current, 1)}
    assert (rows["S3"]["activity_kg"], rows["S3"]["intensity_kg"]) == (D("100.000"), D("0.000"))
