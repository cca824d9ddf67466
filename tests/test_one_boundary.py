"""One boundary for Scope 1/2 and category 15, on the Acme demo group (examples/acme/data).

The group: ACME-JP; ACME-US (100 %), ACME-DE (60 %, controlled) and its 80 % subsidiary ACME-DE-SVC;
ACME-JV (50 % joint venture, operated, joint financial control); ACME-KR (20 % associate); ACME-CZ
(25 % associate of ACME-DE); KOBE-RENEW (5 % fixed-asset investment). Equity investees I4 (KR), I6 (CZ),
I7 (KOBE-RENEW), I8 (JV) have a row in investments.csv with their reported emissions. Under every
approach, an entity with Scope 1/2 emissions in the ledger is never an investee counted in category 15,
and every investee left out of Scope 1/2 is counted there, at the share the entities table gives.
"""

from __future__ import annotations

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
