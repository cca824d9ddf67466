"""Data and rulesets to time the reporting period's cost: tests/rulesets/fiscal-year on N dated rows.

    python benchmarks/reporting_period.py --rows 500000 --out /tmp/rp   # then, for each ruleset folder:
    tanso --quiet evaluate /tmp/rp/with --data /tmp/rp/data --out /tmp/rp/out-with

Writes `data/` (fuel_use: N rows, months of 2024–2026 as text; fuel_deliveries: N/2.5 rows, dates of 2025) and
three rulesets: `with` (the fiscal year, every input dated), `without` (the same inputs' `period` clauses but no
reporting period: every row is computed, the clauses unused) and `plain` (neither, which main reads too).
`plain` and `without` must give the same digest; `with` excludes the rows outside April 2025 – March 2026.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FISCAL_YEAR = REPO / "tests" / "rulesets" / "fiscal-year" / "ruleset.tanso"


def generate(rows: int, out: Path) -> None:
    random.seed(7)
    data = out / "data"
    (data / "factors").mkdir(parents=True, exist_ok=True)
    (data / "factors" / "fuels.csv").write_text("factor_id,fuel,gas,value,unit,per,publisher,edition,licence\n"
                                                "T-GAS-CO2,natural_gas,CO2,2,kg,m3,test,test,test\n")
    months = [f"{year}-{month:02d}" for year in (2024, 2025, 2026) for month in range(1, 13)]
    with (data / "fuel_use.csv").open("w") as handle:
        handle.write("row_id,entity,period,fuel,use,quantity,unit\n")
        handle.writelines(f"F{i},A,{random.choice(months)},natural_gas,stationary,{random.randint(1, 999)}.5,m3\n"
                          for i in range(rows))
    with (data / "fuel_deliveries.csv").open("w") as handle:
        handle.write("row_id,delivered,fuel,quantity,unit\n")
        handle.writelines(f"D{i},2025-{random.randint(1, 12):02d}-{random.randint(1, 28):02d},natural_gas,"
                          f"{random.randint(1, 99)},m3\n" for i in range(rows * 2 // 5))
    text = FISCAL_YEAR.read_text(encoding="utf-8")
    without = text.replace("  period 2025-04-01 to 2026-03-31\n", "")
    plain = without.replace("  period period\n", "").replace("  period delivered\n", "")
    for name, ruleset in (("with", text), ("without", without), ("plain", plain)):
        (out / name).mkdir(parents=True, exist_ok=True)
        (out / name / "ruleset.tanso").write_text(ruleset, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.rows, args.out)


if __name__ == "__main__":
    main()
