"""What an evaluation computes: exact per-gas products, unit conversion, provenance, fallbacks,
derived rules, metrics, checks and exclusions — each checked against a hand computation."""

from __future__ import annotations

from decimal import Decimal

from conftest import (FUEL_FACTORS, FUEL_INPUT, excluded, fetch, fuel_row, fuel_ruleset, ledger, make_case,
                      rejects, total_kg)
from tanso.graph import rule_order

D = Decimal
GRAMS = D("0.001")
AR5 = {"CO2": D(1), "CH4": D(28), "N2O": D(265)}
AR6 = {"CO2": D(1), "CH4": D("27.9"), "N2O": D(273)}
DIESEL_KG_PER_L = {"CO2": D("2.68"), "CH4": D("0.11") * GRAMS, "N2O": D("0.022") * GRAMS}


def expected_diesel(litres: Decimal, gwp: dict[str, Decimal]) -> Decimal:
    return sum(litres * DIESEL_KG_PER_L[gas] * gwp[gas] for gas in DIESEL_KG_PER_L)


# ------------------------------------------------------------------------- fuel combustion


def test_fuel_combustion_multiplies_quantity_by_each_gas_factor_and_weights_by_ar5(fuel_case):
    result = fuel_case.run()
    rows = {row["gas"]: row for row in ledger(result)}
    assert set(rows) == {"CO2", "CH4", "N2O"}
    for gas, per_litre in DIESEL_KG_PER_L.items():
        assert rows[gas]["amount"] == D(100) * per_litre, gas
        assert rows[gas]["co2e_kg"] == D(100) * per_litre * AR5[gas], gas
    assert total_kg(result) == expected_diesel(D(100), AR5) == D("268.891")


def test_gwp_set_ar6_in_the_ruleset_uses_ar6_weights(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(gwp="AR6"), {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    assert total_kg(case.run()) == expected_diesel(D(100), AR6) == D("268.9075")


def test_set_override_of_gwp_set_changes_the_result(fuel_case):
    ar5 = fuel_case.run("ar5")
    ar6 = fuel_case.run("ar6", overrides={"gwp.set": "AR6"})
    assert total_kg(ar5) == expected_diesel(D(100), AR5)
    assert total_kg(ar6) == expected_diesel(D(100), AR6)
    assert ar5.digest != ar6.digest
    assert ar6.ruleset.policies["gwp.set"].layer == "command line"


def test_the_ledger_records_the_gwp_weight_applied_to_each_gas(fuel_case):
    gwp = {row["gas"]: row["gwp"] for row in ledger(fuel_case.run())}
    assert gwp["CH4"].startswith("AR5") and gwp["CH4"].endswith("CH4=28")
    assert gwp["N2O"].endswith("N2O=265")
    assert gwp["CO2"].endswith("CO2=1")


# ------------------------------------------------------------------------- units

GRID_RULESET = """\
ruleset grid_case
input electricity
  key row_id
  columns entity: text, period: text, grid_region: text, quantity: decimal(18,6), unit: text
factors grid "grid" file "factors/grid.csv"
rule s2.location
  scope 2
  from electricity
  calc activity(factors: grid, match: [grid_region])
"""


def test_activity_converts_mwh_to_the_factors_kwh(tmp_path):
    case = make_case(tmp_path, GRID_RULESET, {"electricity": [
        {"row_id": "E1", "entity": "A", "period": "P", "grid_region": "JP", "quantity": "1.5", "unit": "MWh"},
        {"row_id": "E2", "entity": "A", "period": "P", "grid_region": "JP", "quantity": "250", "unit": "kWh"},
    ]}, {"grid": [{"factor_id": "G-JP", "grid_region": "JP", "gas": "CO2e", "value": "0.441", "unit": "kg", "per": "kWh"}]})
    by_row = {row["row_id"]: row for row in ledger(case.run())}
    assert by_row["E1"]["co2e_kg"] == D("1.5") * 1000 * D("0.441")
    assert by_row["E2"]["co2e_kg"] == D(250) * D("0.441")
    assert by_row["E1"]["quantity"] == D("1.5") and by_row["E1"]["quantity_unit"] == "MWh"
    assert by_row["E1"]["gwp"] == "as published"


def test_us_gallons_convert_to_litres_exactly(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10", unit="gal")]},
                     {"fuels": FUEL_FACTORS[:1]})
    (row,) = ledger(case.run())
    assert row["co2e_kg"] == D(10) * D("3.785411784") * D("2.68") == D("101.4490358112")


# ------------------------------------------------------------------------- ledger


def test_ledger_adds_up_exactly_to_the_summary(tmp_path):
    rows = [fuel_row(f"F{i}", f"{i}.{i:06d}"[:12], entity=f"E{i % 3}", period=f"2025-0{1 + i % 4}")
            for i in range(1, 40)]
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})
    result = case.run()
    ledger_total = sum((row["co2e_kg"] for row in ledger(result)), D(0))
    assert total_kg(result) == ledger_total
    assert sum((t["co2e_kg"] for t in result.totals), D(0)) == ledger_total
    for summary_row in result.summary:
        in_group = [r for r in ledger(result) if r["entity"] == summary_row["entity"]
                    and r["period"] == summary_row["period"] and r["rule_id"] == summary_row["rule_id"]]
        assert sum((r["co2e_kg"] for r in in_group), D(0)) == summary_row["co2e_kg"]
        assert len(in_group) == summary_row["ledger_rows"]


def test_ledger_rows_carry_their_provenance(fuel_case):
    result = fuel_case.run()
    rule_line = next(i for i, line in enumerate((fuel_case.ruleset / "case.tanso").read_text().splitlines(), 1)
                     if line.startswith("rule s1.fuel"))
    for row in ledger(result):
        assert row["rule_id"] == "s1.fuel"
        assert row["rule_source"].endswith(f"case.tanso:{rule_line}")
        assert row["factor_id"] == f"DIESEL-{row['gas']}"
        assert row["factor_set"] == "fuels"
        assert row["factor_version"] and row["factor_version"] == result.manifest["factor_sets"]["fuels"]["version"]
        assert row["calculator"] == "fuel_combustion"
        assert row["method"] == "fuel-based"
        assert row["data_type"] == "primary"
        assert row["gwp"]
        assert (row["row_id"], row["input_table"], row["input_row"]) == ("F1", "fuel_use", 1)
        assert (row["scope"], row["category"]) == (1, None)


# ------------------------------------------------------------------------- spend and fallbacks

SPEND_RULESET = """\
ruleset spend_case
input purchases
  key row_id
  columns entity: text, period: text, supplier: text, commodity: text, amount: decimal(18,2), currency: text,
          mass: decimal(18,6), mass_unit: text
factors eeio "eeio" file "factors/eeio.csv"
factors supplier "supplier-specific" file "factors/supplier.csv"
rule s3.cat1
  scope 3 category 1
  from purchases
  calc {calc}
"""
EEIO = [{"factor_id": "EEIO-steel", "commodity": "steel", "gas": "CO2e", "value": "0.92", "unit": "kg", "per": "USD"}]
SUPPLIER = [{"factor_id": "SUP-A-steel", "supplier": "A", "gas": "CO2e", "value": "1.5", "unit": "kg", "per": "kg"}]
SPEND = "spend_based(factors: eeio, match: [commodity], quantity: amount, unit: currency)"
CHAIN = f"first_of(activity(factors: supplier, match: [supplier], quantity: mass, unit: mass_unit), {SPEND})"


def purchase(row_id, supplier="A", commodity="steel", amount="100.00", currency="USD", mass="10", mass_unit="kg"):
    return {"row_id": row_id, "entity": "E", "period": "P", "supplier": supplier, "commodity": commodity,
            "amount": amount, "currency": currency, "mass": mass, "mass_unit": mass_unit}


def spend_case(tmp_path, calc, rows):
    return make_case(tmp_path, SPEND_RULESET.replace("{calc}", calc), {"purchases": rows},
                     {"eeio": EEIO, "supplier": SUPPLIER})


def test_spend_based_multiplies_spend_by_the_eeio_factor(tmp_path):
    (row,) = ledger(spend_case(tmp_path, SPEND, [purchase("P1", amount="1234.56")]).run())
    assert row["co2e_kg"] == D("1234.56") * D("0.92")
    assert (row["method"], row["data_type"]) == ("spend-based", "spend-based")


def test_spend_based_rejects_a_currency_that_is_not_the_factors_currency(tmp_path):
    result = spend_case(tmp_path, SPEND, [purchase("P1", currency="EUR"), purchase("P2")]).run()
    assert [r["row_id"] for r in ledger(result)] == ["P2"]
    (reject,) = rejects(result)
    assert reject["row_id"] == "P1" and reject["rule_id"] == "s3.cat1"
    assert "currency EUR does not match USD" in reject["reason"]


def test_first_of_falls_back_to_the_next_calculator_and_records_which_one_computed_each_row(tmp_path):
    rows = [purchase("P1"),                              # supplier factor exists
            purchase("P2", supplier="B"),                # no supplier factor → spend-based
            purchase("P3", mass=None, amount="50.00")]   # no mass → spend-based
    result = spend_case(tmp_path, CHAIN, rows).run()
    by_row = {row["row_id"]: row for row in ledger(result)}
    assert set(by_row) == {"P1", "P2", "P3"}
    assert (by_row["P1"]["calculator"], by_row["P1"]["co2e_kg"]) == ("activity", D(10) * D("1.5"))
    assert (by_row["P2"]["calculator"], by_row["P2"]["co2e_kg"]) == ("spend_based", D(100) * D("0.92"))
    assert (by_row["P3"]["calculator"], by_row["P3"]["co2e_kg"]) == ("spend_based", D(50) * D("0.92"))
    assert rejects(result) == []


def test_first_of_rejects_a_row_no_method_computes_with_every_methods_reason(tmp_path):
    result = spend_case(tmp_path, CHAIN, [purchase("P1", supplier="B", currency="EUR"), purchase("P2")]).run()
    (reject,) = rejects(result)
    assert reject["row_id"] == "P1"
    assert "activity: no factor in supplier for supplier='B'" in reject["reason"]
    assert "spend_based: currency EUR does not match USD" in reject["reason"]
    assert [r["row_id"] for r in ledger(result)] == ["P2"]


# ------------------------------------------------------------------------- derived rules

DERIVED_EXTRA = """
factors uplift "well-to-tank uplift on combustion CO2e" file "factors/uplift.csv"

rule s3.cat3 "Upstream of fuels, from the combustion results"
  scope 3 category 3
  from results of s1.fuel
  calc activity(factors: uplift, match: [fuel], quantity: result_co2e_kg, unit: result_unit)
"""
FUEL_INPUT_WITH_UNIT = FUEL_INPUT.replace("unit: text", "unit: text, result_unit: text")


def test_a_rule_from_results_of_another_reads_its_result_co2e_and_runs_after_it(tmp_path):
    text = fuel_ruleset(extra=DERIVED_EXTRA).replace(FUEL_INPUT, FUEL_INPUT_WITH_UNIT)
    rows = [{**fuel_row("F1", "100"), "result_unit": "kg"}, {**fuel_row("F2", "2.5"), "result_unit": "kg"}]
    case = make_case(tmp_path, text, {"fuel_use": rows}, {"fuels": FUEL_FACTORS, "uplift": [
        {"factor_id": "WTT-diesel", "fuel": "diesel", "gas": "CO2e", "value": "0.2", "unit": "kg", "per": "kg"}]})
    prepared = case.prepare()
    order = rule_order(prepared.graph)
    assert order.index("s1.fuel") < order.index("s3.cat3")
    assert prepared.graph.has_edge("rule:s1.fuel", "rule:s3.cat3")

    result = case.run()
    derived = {r["row_id"]: r for r in ledger(result) if r["rule_id"] == "s3.cat3"}
    for row_id, litres in (("F1", D(100)), ("F2", D("2.5"))):
        upstream = expected_diesel(litres, AR5)
        assert derived[row_id]["quantity"] == upstream
        assert derived[row_id]["co2e_kg"] == upstream * D("0.2")
        assert derived[row_id]["scope"] == 3 and derived[row_id]["category"] == 3


# ------------------------------------------------------------------------- metrics and checks

METRICS_EXTRA = """
input financials
  key row_id
  columns entity: text, revenue_musd: decimal(18,3)

metric intensity "kg CO2e per MUSD" = total(scope: 1) / column_sum(financials.revenue_musd)
  unit "kg CO2e / MUSD"
check enough_rows "both rows computed" = rows(scope: 1) >= 2
check too_many "impossible" = rows(scope: 1) > 2
"""


def test_metrics_are_exact_decimals_and_checks_pass_or_fail(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(extra=METRICS_EXTRA), {
        "fuel_use": [fuel_row("F1", "100"), fuel_row("F2", "50")],
        "financials": [{"row_id": "R1", "entity": "E1", "revenue_musd": "3"}, {"row_id": "R2", "entity": "E2",
                                                                               "revenue_musd": "4.5"}]},
        {"fuels": FUEL_FACTORS})
    result = case.run()
    (metric,) = result.metrics
    assert metric["id"] == "intensity" and metric["problem"] is None
    assert metric["value"] == expected_diesel(D(150), AR5) / D("7.5")
    assert metric["unit"] == "kg CO2e / MUSD"
    checks = {c["id"]: c["passed"] for c in result.checks}
    assert checks == {"enough_rows": True, "too_many": False}


def test_a_metric_dividing_by_zero_reports_a_problem_instead_of_failing_the_run(tmp_path):
    extra = METRICS_EXTRA.replace("total(scope: 1) /", "total(scope: 1) / 0 *")
    case = make_case(tmp_path, fuel_ruleset(extra=extra.split("check")[0]), {
        "fuel_use": [fuel_row("F1", "100")], "financials": [{"row_id": "R1", "entity": "E1", "revenue_musd": "3"}]},
        {"fuels": FUEL_FACTORS})
    (metric,) = case.run().metrics
    assert metric["value"] is None and "division by zero" in metric["problem"]


# ------------------------------------------------------------------------- exclusions

def test_an_explicit_exclusion_moves_rows_to_excluded_with_its_justification(tmp_path):
    extra = '\nexclude s1.bench "Test bench fuel is reported by the lab"\n  from fuel_use where use = "test_bench"\n'
    case = make_case(tmp_path, fuel_ruleset(extra=extra), {"fuel_use": [
        fuel_row("F1", "100"), fuel_row("F2", "7", use="test_bench")]}, {"fuels": FUEL_FACTORS})
    result = case.run()
    assert {r["row_id"] for r in ledger(result)} == {"F1"}
    (row,) = excluded(result)
    assert (row["row_id"], row["input_table"], row["input_row"]) == ("F2", "fuel_use", 2)
    assert row["exclusion_id"] == "s1.bench"
    assert row["reason"] == "Test bench fuel is reported by the lab"
    assert row["exclusion_source"].endswith("case.tanso:" + str(fuel_ruleset(extra=extra).splitlines().index(
        'exclude s1.bench "Test bench fuel is reported by the lab"') + 1))


def test_rows_no_rule_selects_are_excluded_with_a_reason(tmp_path):
    text = fuel_ruleset().replace("from fuel_use", 'from fuel_use where use = "stationary"')
    case = make_case(tmp_path, text, {"fuel_use": [fuel_row("F1", "100"), fuel_row("F2", "5", use="mobile")]},
                     {"fuels": FUEL_FACTORS})
    result = case.run()
    assert {r["row_id"] for r in ledger(result)} == {"F1"}
    (row,) = excluded(result)
    assert row["row_id"] == "F2" and row["exclusion_id"] is None
    assert "no rule selects this row" in row["reason"] and "s1.fuel" in row["reason"]


def test_a_declared_scope_exclusion_is_reported_with_its_justification(tmp_path):
    extra = '\nexclude s3.cat14 "No franchises"\n  scope 3 category 14\n'
    result = make_case(tmp_path, fuel_ruleset(extra=extra), {"fuel_use": [fuel_row("F1", "1")]},
                       {"fuels": FUEL_FACTORS}).run()
    (item,) = result.exclusions
    assert (item["id"], item["scope"], item["category"], item["justification"]) == ("s3.cat14", 3, 14, "No franchises")
    assert fetch(result, "run_excluded") == []


def test_a_derived_rule_multiplies_the_upstream_result_as_its_declared_decimal_even_when_large(tmp_path):
    """`result_co2e_kg` is declared `decimal` (DECIMAL(18,6)): a derived rule multiplies that value —
    the one its ledger `quantity` shows — and a result of 10⁸ kg and more does not overflow."""
    text = fuel_ruleset(extra=DERIVED_EXTRA).replace(FUEL_INPUT, FUEL_INPUT_WITH_UNIT)
    rows = [{**fuel_row("F1", "100000000"), "result_unit": "kg"}, {**fuel_row("F2", "0.123457"), "result_unit": "kg"}]
    case = make_case(tmp_path, text, {"fuel_use": rows}, {"fuels": FUEL_FACTORS, "uplift": [
        {"factor_id": "WTT-diesel", "fuel": "diesel", "gas": "CO2e", "value": "0.2", "unit": "kg", "per": "kg"}]})
    derived = {r["row_id"]: r for r in ledger(case.run()) if r["rule_id"] == "s3.cat3"}
    for row_id, litres in (("F1", D(100_000_000)), ("F2", D("0.123457"))):
        upstream = expected_diesel(litres, AR5).quantize(D("1e-6"))
        assert derived[row_id]["quantity"] == upstream
        assert derived[row_id]["co2e_kg"] == upstream * D("0.2")
