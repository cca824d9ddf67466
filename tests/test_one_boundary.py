"""One boundary for Scope 1/2 and category 15, on the Acme demo group (examples/acme/data).

The group: ACME-JP; ACME-US (100 %), ACME-DE (60 %, controlled) and its 80 % subsidiary ACME-DE-SVC;
ACME-JV (50 % joint venture, operated, joint financial control); ACME-KR (20 % associate); ACME-CZ
(25 % associate of ACME-DE); KOBE-RENEW (5 % fixed-asset investment). Equity investees I4 (KR), I6 (CZ),
I7 (KOBE-RENEW), I8 (JV) have a row in investments.csv with their reported emissions. Under every
approach, an entity with Scope 1/2 emissions in the ledger is never an investee counted in category 15,
and every investee left out of Scope 1/2 is counted there, at the share the entities table gives.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "examples" / "acme" / "data"
SELECT = "s1.stationary s2.location s3.cat15.equity_investments"


def run(tmp_path: Path, ruleset: str, approach: str | None) -> tuple[set[str], dict[str, Decimal]]:
    """(entities with Scope 1/2 emissions, investee → its category 15 kg) of one evaluation."""
    out = tmp_path / (approach or "draft")
    command = [sys.executable, "-m", "tanso.cli", "evaluate", str(REPO / "rulesets" / ruleset), "--data", str(DATA),
               "--out", str(out), "--select", SELECT + ("" if approach else " s3.cat15.equity_investments_s1s2s3")]
    if approach:
        command += ["--set", f"boundary.approach={approach}"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    con = duckdb.connect()
    ledger = f"read_parquet('{out / 'ledger.parquet'}')"
    scope12 = {e for (e,) in con.execute(f"SELECT DISTINCT entity FROM {ledger} WHERE scope IN (1, 2) "
                                         f"AND co2e_kg * boundary_weight > 0").fetchall()}
    cat15 = dict(con.execute(
        f"SELECT i.investee, sum(l.co2e_kg * l.boundary_weight) FROM {ledger} l JOIN read_csv('{DATA / 'investments.csv'}', "
        f"all_varchar = true) i ON i.row_id = l.row_id WHERE l.category = 15 GROUP BY i.investee").fetchall())
    return scope12, cat15


@pytest.mark.parametrize("ruleset, approach, in_scope12, in_cat15", [
    # operational control: the operated JV in Scope 1/2; associates and the fixed-asset investment in cat 15
    ("ghgp-current", "operational_control",
     {"ACME-JP", "ACME-US", "ACME-DE", "ACME-DE-SVC", "ACME-JV"},
     {"ACME-KR": "1080000", "ACME-CZ": "500000", "KOBE-RENEW": "150000"}),
    # equity share: every holding but the fixed-asset investment is in Scope 1/2 at its share (Table 1)
    ("ghgp-current", "equity_share",
     {"ACME-JP", "ACME-US", "ACME-DE", "ACME-DE-SVC", "ACME-JV", "ACME-KR", "ACME-CZ"},
     {"KOBE-RENEW": "150000"}),
    # financial control: the JV at its equity share in Scope 1/2 (joint financial control)
    ("ghgp-current", "financial_control",
     {"ACME-JP", "ACME-US", "ACME-DE", "ACME-DE-SVC", "ACME-JV"},
     {"ACME-KR": "1080000", "ACME-CZ": "500000", "KOBE-RENEW": "150000"}),
    # the draft: financial control as in the financial statements equity-accounts the JV, which moves to
    # category 15 with the investee's Scope 1+2+3 (scope3.cat15.scope): 0.5 × 7500 t; KR 0.2 × 17400 t,
    # CZ 0.25 × 7000 t, KOBE-RENEW 0.05 × 12000 t
    ("ghgp-draft-2026", None,
     {"ACME-JP", "ACME-US", "ACME-DE", "ACME-DE-SVC"},
     {"ACME-KR": "3480000", "ACME-CZ": "1750000", "KOBE-RENEW": "600000", "ACME-JV": "3750000"}),
])
def test_no_entity_is_counted_in_both_scope_1_2_and_category_15(tmp_path, ruleset, approach, in_scope12, in_cat15):
    scope12, cat15 = run(tmp_path, ruleset, approach)
    assert scope12 == in_scope12
    assert cat15 == {k: Decimal(v) for k, v in in_cat15.items()}
    assert not scope12 & set(cat15)


def _investees_check(tmp_path: Path, data: Path, approach: str) -> dict:
    out = tmp_path / f"check-{approach}"
    done = subprocess.run([sys.executable, "-m", "tanso.cli", "evaluate", str(REPO / "rulesets" / "ghgp-current"),
                           "--data", str(data), "--out", str(out), "--select", "s3.cat15.equity_investments",
                           "--set", f"boundary.approach={approach}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    checks = {c["id"]: c for c in json.loads((out / "manifest.json").read_text())["checks"]}
    return checks["s3.cat15.investees"]


@pytest.mark.parametrize("approach, missing", [
    # equity share: the associate ACME-KR is in Scope 1/2 at 20 %, so only the fixed-asset investment is missing
    ("equity_share", ["KOBE-RENEW"]),
    # the control approaches leave both outside Scope 1/2: both are missing from category 15
    ("financial_control", ["ACME-KR", "KOBE-RENEW"]),
    ("operational_control", ["ACME-KR", "KOBE-RENEW"]),
])
def test_an_investee_outside_scope_1_2_without_a_category_15_row_is_named(tmp_path, approach, missing):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    kept = [line for line in (DATA / "investments.csv").read_text().splitlines(keepends=True)
            if ",ACME-KR," not in line and ",KOBE-RENEW," not in line]
    (data / "investments.csv").write_text("".join(kept))
    check = _investees_check(tmp_path, data, approach)
    assert check["passed"] is False
    assert [f.split(" ", 1)[0] for f in check["findings"]] == missing
    assert all(f"no row of investments names {name} as investee: its category 15 share is missing" in finding
               for name, finding in zip(missing, check["findings"]))
    assert f"boundary.approach = {approach}" in check["findings"][0]


@pytest.mark.parametrize("approach", ["equity_share", "financial_control", "operational_control"])
def test_the_demo_group_has_a_category_15_row_for_every_investee_outside_scope_1_2(tmp_path, approach):
    check = _investees_check(tmp_path, DATA, approach)
    assert check["passed"] is True and not check["findings"]


def test_a_rejected_parent_rejects_what_it_holds_and_the_run_completes_flagged_incomplete(tmp_path):
    # ACME-DE's row (entities.csv row 3) is rejected while reading; it holds ACME-DE-SVC (row 6) and ACME-CZ
    # (row 7). Their rows, and the activity rows of all three, are rejects naming ACME-DE.
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    entities = (DATA / "entities.csv").read_text()
    (data / "entities.csv").write_text(entities.replace("ACME-DE,ACME-JP,DE,0.6,true,true,", "ACME-DE,ACME-JP,DE,0.6,true,maybe,"))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "tanso.cli", "evaluate", str(REPO / "rulesets" / "ghgp-current"),
                           "--data", str(data), "--out", str(out), "--select", SELECT], capture_output=True, text=True)
    assert done.returncode == 5, done.stderr + done.stdout          # finished, incomplete (not 2: not stopped)
    assert done.stdout.startswith("INCOMPLETE: ") and "Traceback" not in done.stderr
    con = duckdb.connect()
    rejects = f"read_csv('{out / 'rejects.csv'}', all_varchar = true)"
    entity_rows = dict(con.execute(f"SELECT input_row, reason FROM {rejects} WHERE input_table = 'entities' "
                                   f"ORDER BY CAST(input_row AS INTEGER)").fetchall())
    assert sorted(entity_rows, key=int) == ["3", "6", "7"]
    assert "operational_control: 'maybe' is not a boolean" in entity_rows["3"]
    for row, entity in (("6", "ACME-DE-SVC"), ("7", "ACME-CZ")):
        assert entity_rows[row].startswith(f"entity '{entity}' is refused by the boundary (")
        assert "its parent 'ACME-DE' is not a valid row of entities.csv" in entity_rows[row]
    held = con.execute(f"SELECT count(*), count(*) FILTER (WHERE reason LIKE '%its parent ''ACME-DE''%') FROM {rejects} "
                       f"WHERE rule_id = 's2.location' AND reason LIKE 'entity ''ACME-DE-SVC''%'").fetchone()
    assert held[0] > 0 and held[0] == held[1]
    own = con.execute(f"SELECT count(*) FROM {rejects} WHERE rule_id IS NOT NULL AND reason LIKE "
                      f"'entity ''ACME-DE'' is in entities.csv but its row 3 was rejected%'").fetchone()[0]
    assert own > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["completeness"]["status"] == "incomplete"
    assert manifest["boundary"]["entities"]["ACME-DE-SVC"]["weight"] is None


def test_cloud_rows_of_a_rejected_or_refused_entity_say_why(tmp_path):
    # The AWS account maps to ACME-DE (its row rejected), the Azure subscription to ACME-DE-SVC (held through
    # it): neither reason may claim the entity is missing from the entities table.
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    entities = (DATA / "entities.csv").read_text()
    (data / "entities.csv").write_text(entities.replace("ACME-DE,ACME-JP,DE,0.6,true,true,", "ACME-DE,ACME-JP,DE,0.6,true,maybe,"))
    accounts = (DATA / "cloud_accounts.csv").read_text()
    (data / "cloud_accounts.csv").write_text(accounts.replace("9c01,ACME-DE", "9c01,ACME-DE-SVC"))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "tanso.cli", "evaluate", str(REPO / "rulesets" / "ghgp-current"),
                           "--data", str(data), "--out", str(out), "--select",
                           "s3.cat1.cloud.aws.location s3.cat1.cloud.azure"], capture_output=True, text=True)
    assert done.returncode == 5, done.stderr + done.stdout
    reasons = dict(duckdb.connect().execute(
        f"SELECT DISTINCT rule_id, reason FROM read_csv('{out / 'rejects.csv'}', all_varchar = true) "
        f"WHERE rule_id LIKE 's3.cat1.cloud.%'").fetchall())
    assert reasons["s3.cat1.cloud.aws.location"] == (
        "provider_emissions: entity 'ACME-DE' (mapped from usage_account_id '523456789012') is not a valid row "
        "of the boundary's entities table (no row, or its row was rejected)")
    assert reasons["s3.cat1.cloud.azure"].startswith(
        "provider_emissions: entity 'ACME-DE-SVC' (mapped from subscriptionId '6f1c2b7e-4d0a-4c1e-9b3a-2a8f5e7d9c01') "
        "is refused by the boundary: its parent 'ACME-DE' is not a valid row")


def test_a_chain_of_shares_reaches_the_ledger_exactly(tmp_path):
    # ACME-KR held 0.3333 directly, ACME-CZ 0.5 through the 60 % ACME-DE: weights 0.3333 and 0.3 under
    # equity share, in the ledger as they are.
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    entities = (DATA / "entities.csv").read_text()
    (data / "entities.csv").write_text(entities.replace("ACME-KR,ACME-JP,KR,0.2,", "ACME-KR,ACME-JP,KR,0.3333,")
                                       .replace("ACME-CZ,ACME-DE,CZ,0.25,", "ACME-CZ,ACME-DE,CZ,0.5,"))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "tanso.cli", "evaluate", str(REPO / "rulesets" / "ghgp-current"),
                           "--data", str(data), "--out", str(out), "--select", "s1.stationary",
                           "--set", "boundary.approach=equity_share"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    ledger = f"read_parquet('{out / 'ledger.parquet'}')"
    weights = dict(duckdb.sql(f"SELECT entity, any_value(boundary_weight) FROM {ledger} GROUP BY entity").fetchall())
    assert weights["ACME-KR"] == Decimal("0.3333") and weights["ACME-CZ"] == Decimal("0.3")
    [(unweighted, weighted)] = duckdb.sql(f"SELECT sum(co2e_kg), sum(co2e_kg * boundary_weight) FROM {ledger} "
                                          f"WHERE entity = 'ACME-CZ'").fetchall()
    assert weighted == unweighted * Decimal("0.3")               # exact, no rounding of the product
