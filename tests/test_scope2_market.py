"""Scope 2, market-based: the instrument hierarchy of the Scope 2 Guidance (2015), and certificates
that are never counted twice."""

from __future__ import annotations

import shutil
from dataclasses import replace
from decimal import Decimal as D

import pytest

from conftest import ACME_DATA, REPO, fetch, ledger, make_case, rejects
from tanso.diagnostics import InvariantError, RulesetError
from tanso.plugins import load_registry
from tanso.run import evaluate, export, prepare

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


def test_a_row_beyond_a_tiers_range_takes_the_next_tier_and_the_rest_of_its_keys_stay(tmp_path):
    # A supplier rate of 10^9 kg/kWh leaves 10^11 kWh a row in the ledger's range: 200 TWh of the same
    # supplier and region go on to the residual mix, which no other row of R2 reaches; 1 kWh keeps the rate.
    huge = [{"factor_id": "S-HUGE", "supplier": "Huge", "gas": "CO2e", "value": "1000000000", "unit": "kg",
             "per": "kWh"}]
    case = make_case(tmp_path, RULESET, {
        "electricity": [consumption("E5", "R2", "200000000", supplier="Huge"),
                        consumption("E6", "R2", "1", "kWh", supplier="Huge")],
        "certificates": [certificate("C1", "R1", "5")]}, {**FACTORS, "suppliers": huge})
    rows = {r["row_id"]: r for r in market_rows(case.run())}
    assert (rows["E5"]["method"], rows["E5"]["co2e_kg"]) == ("market-based: residual mix", D("110000000000"))
    assert (rows["E6"]["method"], rows["E6"]["co2e_kg"]) == ("market-based: supplier-specific rate", D("1000000000"))


def test_two_rules_cannot_consume_the_same_certificates(tmp_path):
    twice = RULESET + ("rule s2.market.again \"again\" scope 2 basis market from electricity\n"
                       "  calc market_based(certificates: certificates, location: grid)\n")
    case = make_case(tmp_path, twice, {"electricity": [consumption("E1", "R1", "1")],
                                       "certificates": [certificate("C1", "R1", "5")]}, FACTORS)
    with pytest.raises(RulesetError) as raised:
        case.prepare()
    [diagnostic] = raised.value.diagnostics.errors
    assert "'certificates' is already consumed by rule s2.market" in diagnostic.message


# ----------------------------------------------------------------- certificates identified by their id
# A ruleset whose certificates are keyed by row (as ghgp-current's): the certificate_id is a column, so
# the calculator, not the reader, must see an id listed twice.
BY_ROW = RULESET.replace("input certificates key certificate_id columns",
                         "input certificates key row_id columns certificate_id: text,")


def held(row_id, certificate_id, region, quantity, unit="MWh", **changes):
    return {"row_id": row_id, **certificate(certificate_id, region, quantity), "unit": unit, **changes}


def claims(result):
    return fetch(result, "run_claims")


def covered_kwh(result, row_id=None):
    return sum(r["quantity"] for r in market_rows(result)
               if "certificates" in r["method"] and row_id in (None, r["row_id"]))


def certificate_rejects(result):
    return {r["row_id"]: r for r in rejects(result) if r["input_table"] == "certificates"}


def test_a_certificate_id_listed_twice_rejects_every_row_carrying_it_and_covers_nothing(tmp_path):
    case = make_case(tmp_path, BY_ROW, {
        "electricity": [consumption("E1", "R1", "100")],
        # GO-42 twice: another row id, another period even — still one certificate claimed twice.
        "certificates": [held("C1", "GO-42", "R1", "60"), held("C2", "GO-7", "R1", "10"),
                         held("C3", "GO-42", "R1", "60", period="2025-02")],
    }, FACTORS)
    result = case.run()
    refused = certificate_rejects(result)
    assert set(refused) == {"C1", "C3"}
    for row_id, input_row in (("C1", 1), ("C3", 3)):
        assert refused[row_id]["input_row"] == input_row
        assert refused[row_id]["rule_id"] == "s2.market"
        assert ("certificate_id 'GO-42' is listed on rows 1 and 3: a certificate is claimed once; fix the source"
                in refused[row_id]["reason"])
    assert covered_kwh(result) == D("10000")                 # GO-7 alone
    assert {c["instrument_id"] for c in claims(result)} == {"GO-7"}


def test_three_copies_are_named_with_all_their_rows(tmp_path):
    case = make_case(tmp_path, BY_ROW, {
        "electricity": [consumption("E1", "R1", "100")],
        "certificates": [held(f"C{i}", "GO-1", "R1", "5") for i in range(1, 4)],
    }, FACTORS)
    result = case.run()
    assert all("'GO-1' is listed on rows 1, 2 and 3" in r["reason"] for r in certificate_rejects(result).values())
    assert covered_kwh(result) == 0


def test_a_certificate_keyed_by_its_id_and_listed_twice_is_rejected_while_reading(case, tmp_path):
    # RULESET keys certificates by certificate_id: the reader refuses both rows, and they are in rejects
    # (an instrument table's refused rows were read, then silently left out, before).
    case = make_case(tmp_path, RULESET, {"electricity": [consumption("E1", "R1", "100")],
                                         "certificates": [certificate("C1", "R1", "60"), certificate("C1", "R1", "60")]},
                     FACTORS)
    result = case.run()
    refused = [r for r in rejects(result) if r["input_table"] == "certificates"]
    assert [r["input_row"] for r in refused] == [1, 2]
    assert all("duplicate row id 'C1' (rows 1, 2)" in r["reason"] for r in refused)
    assert covered_kwh(result) == 0


@pytest.mark.parametrize("row, reason", [
    (held("C9", "GO-9", "R1", None), "quantity is missing"),
    (held("C9", "GO-9", "R1", "-5"), "quantity is negative (-5.000000)"),
    (held("C9", "GO-9", "R1", "lots"), "column quantity: 'lots' is not a number"),   # refused while reading
    (held("C9", None, "R1", "5"), "certificate_id is missing"),
    (held("C9", "GO-9", "R1", "5", unit="t"), "unit 't' cannot be converted to 'kWh'"),
    (held("C9", "GO-9", "R1", "5", unit=None), "unit is missing"),
])
def test_a_certificate_row_that_is_not_a_quantity_of_energy_is_rejected_with_the_reason(tmp_path, row, reason):
    case = make_case(tmp_path, BY_ROW, {"electricity": [consumption("E1", "R1", "100")],
                                        "certificates": [held("C1", "GO-1", "R1", "10"), row]}, FACTORS)
    result = case.run()
    refused = certificate_rejects(result)
    assert set(refused) == {"C9"} and reason in refused["C9"]["reason"], refused
    assert covered_kwh(result) == D("10000")                 # GO-1 alone; nothing of C9, not even 0 as a claim


def test_claims_map_each_certificate_to_the_rows_it_covered_and_join_the_ledger(tmp_path):
    case = make_case(tmp_path, BY_ROW, {
        "electricity": [consumption("E1", "R1", "100"), consumption("E2", "R1", "50")],
        "certificates": [held("C1", "GO-1", "R1", "70"), held("C2", "GO-2", "R1", "60")],
    }, FACTORS)
    result = case.run()
    got = {(c["instrument_id"], c["row_id"]): c["quantity"] for c in claims(result)}
    # E1 takes GO-1 whole and 30 MWh of GO-2; E2 the other 30 MWh of GO-2 (and 20 MWh of residual mix).
    assert got == {("GO-1", "E1"): D("70000"), ("GO-2", "E1"): D("30000"), ("GO-2", "E2"): D("30000")}
    [first] = [c for c in claims(result) if c["instrument_id"] == "GO-1"]
    assert (first["instrument_table"], first["instrument_row_id"], first["instrument_row"], first["rule_id"],
            first["input_table"], first["input_row"], first["quantity_unit"], first["instrument_quantity"]) == (
        "certificates", "C1", 1, "s2.market", "electricity", 1, "kWh", D("70000"))
    joined = result.connection.execute(
        "SELECT l.row_id, l.quantity, sum(c.quantity) FROM run_ledger l JOIN run_claims c "
        "USING (rule_id, row_id, factor_id) GROUP BY ALL ORDER BY ALL").fetchall()
    assert joined == [("E1", D("100000"), D("100000")), ("E2", D("30000"), D("30000"))]
    out = tmp_path / "export"
    export(result, out, "csv")
    assert (out / "claims.csv").read_text().count("\n") == 4      # header + 3 claims


def test_a_certificate_claimed_beyond_its_quantity_breaks_the_run(tmp_path):
    """The invariant holds whatever a calculator does: claims doubled by a faulty calculator stop the run."""
    registry = load_registry()
    honest = registry.calculators["market_based"]

    def doubling(ctx):
        plan = honest.compile(ctx)
        return replace(plan, claims=f"{plan.claims} UNION ALL {plan.claims}")

    registry.calculators["market_based"] = replace(honest, compile=doubling)
    case = make_case(tmp_path, BY_ROW, {"electricity": [consumption("E1", "R1", "100")],
                                        "certificates": [held("C1", "GO-1", "R1", "70")]}, FACTORS)
    prepared = case.prepare(registry=registry)
    with pytest.raises(InvariantError, match=r"certificates 'GO-1': 140000\.000000 kWh claimed .* quantity 70000"):
        evaluate(prepared.ruleset, prepared.registry, prepared.graph, case.data, tmp_path / "out")
    assert InvariantError.exit_code == 3


def test_standard_supply_service_shares_are_checked_and_claimed_like_certificates(tmp_path):
    ruleset = BY_ROW.replace("factors grid", "input sss key row_id columns certificate_id: text, entity: text, "
                                             "period: text, grid_region: text, quantity: decimal, unit: text\n"
                                             "set scope2.market.standard_supply_service = true\nfactors grid")
    ruleset = ruleset.replace("location: grid)", "location: grid, sss: sss)")
    case = make_case(tmp_path, ruleset, {
        "electricity": [consumption("E1", "R1", "100")],
        "certificates": [held("C1", "GO-1", "R1", "10")],
        "sss": [held("S1", "SSS-1", "R1", "5"), held("S2", "SSS-2", "R1", "7"), held("S3", "SSS-2", "R1", "7"),
                held("S4", "SSS-3", "R1", "-1")],
    }, FACTORS)
    result = case.run()
    refused = {r["row_id"]: r["reason"] for r in rejects(result) if r["input_table"] == "sss"}
    assert set(refused) == {"S2", "S3", "S4"}
    assert "certificate_id 'SSS-2' is listed on rows 2 and 3" in refused["S2"]
    assert "quantity is negative" in refused["S4"]
    assert {(c["instrument_table"], c["instrument_id"], c["quantity"]) for c in claims(result)} == {
        ("certificates", "GO-1", D("10000")), ("sss", "SSS-1", D("5000"))}
    assert covered_kwh(result) == D("15000")


# ------------------------------------------------------------------------------------ the Acme demo
def _acme_copy(tmp_path, edit):
    data = tmp_path / "data"
    shutil.copytree(ACME_DATA, data)
    path = data / "certificates.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(edit(lines)))
    return data


def _market(data, out):
    prepared = prepare(REPO / "rulesets" / "ghgp-current")
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, out, selected={"rule:s2.market"})
    return result, sum(r["co2e_kg"] for r in result.summary if r["rule_id"] == "s2.market")


def test_acme_a_certificate_listed_twice_counts_like_no_certificate_not_twice(tmp_path):
    target = "JP-NFC-TOKYO-2025-01"     # 150 MWh, used whole: ACME-JP buys residual mix beyond it
    clean, clean_kg = _market(ACME_DATA, tmp_path / "clean")
    doubled, doubled_kg = _market(_acme_copy(tmp_path / "doubled", lambda lines: lines + [
        next(line for line in lines if target in line).replace("C101,", "C101-COPY,", 1)]), tmp_path / "doubled_out")
    without, without_kg = _market(_acme_copy(tmp_path / "without", lambda lines: [
        line for line in lines if target not in line]), tmp_path / "without_out")
    refused = [r for r in rejects(doubled) if r["input_table"] == "certificates"]
    assert sorted(r["row_id"] for r in refused) == ["C101", "C101-COPY"]
    rows = sorted(r["input_row"] for r in refused)
    assert all(f"certificate_id '{target}' is listed on rows {rows[0]} and {rows[1]}" in r["reason"] for r in refused)
    assert doubled_kg == without_kg > clean_kg
    assert target not in {c["instrument_id"] for c in claims(doubled)}
    assert {c["instrument_id"] for c in claims(clean)} >= {target}


def test_draft_fuel_certificates_listed_twice_are_rejected_while_reading_and_name_their_ledger_rows(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ACME_DATA, data)
    path = data / "fuel_certificates.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1].replace("FC1,", "FC1-COPY,", 1)]))
    prepared = prepare(REPO / "rulesets" / "ghgp-draft-2026")
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, tmp_path / "out",
                      selected={"rule:ami.scope1.displaced", "rule:ami.scope1.certified"})
    refused = [r for r in rejects(result) if r["input_table"] == "fuel_certificates"]
    assert sorted(r["input_row"] for r in refused) == [1, 3]
    assert all("duplicate row id 'DENA-BM-2025-0001' (rows 1, 3)" in r["reason"] for r in refused)
    # Only the other certificate is computed, once per rule, under its own id.
    assert {(r["rule_id"], r["row_id"]) for r in ledger(result)} == {
        ("ami.scope1.displaced", "DENA-BM-2025-0002"), ("ami.scope1.certified", "DENA-BM-2025-0002")}
