"""Equity share weights, checked on `tanso evaluate`'s totals (the YAML harness sums unweighted).

Entities of tests/data/entities.csv: ACME-JP 1, ACME-DE 0.6, ACME-JV 0.5, ACME-KR 0.2. Each burns
1000 m3 of gas = 1901.9635 kg CO2e (AR5): 2.3 × 1901.9635 = 4374.51605; well-to-tank 2.3 × 380 = 874.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
RULESET = HERE.parent
DEMO = RULESET.parent.parent / "examples" / "acme" / "data"  # every input's header; `evaluate` needs each file
TANSO = Path(sys.executable).parent / "tanso"


def test_equity_share_weights(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(HERE / "data", data)
    for table in DEMO.glob("*.csv"):
        if not (data / table.name).exists():
            (data / table.name).write_text(table.read_text().splitlines()[0] + "\n")
    # The integrity checks read the cloud exports (part files, which must exist) whatever is selected.
    shutil.copytree(DEMO / "cloud", data / "cloud")
    for table in ("cloud_accounts.csv", "cloud_costs.csv"):
        shutil.copy(DEMO / table, data / table)
    with (data / "fuel_use.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row_id", "entity", "period", "fuel", "use", "quantity", "unit"])
        for i, entity in enumerate(["ACME-JP", "ACME-DE", "ACME-JV", "ACME-KR"], 1):
            writer.writerow([f"F{i}", entity, "2025-01", "natural_gas", "stationary", "1000", "m3"])
    out = tmp_path / "out"
    run = subprocess.run([str(TANSO), "evaluate", str(RULESET), "--data", str(data), "--out", str(out),
                          "--set", "boundary.approach=equity_share", "--select", "+s1.stationary +s3.cat3.wtt"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    with (out / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    by_rule: dict[str, Decimal] = {}
    for row in rows:
        by_rule[row["rule_id"]] = by_rule.get(row["rule_id"], Decimal(0)) + Decimal(row["co2e_kg"])
    assert by_rule["s1.stationary"] == Decimal("4374.51605")
    assert by_rule["s3.cat3.wtt"] == Decimal("874")
