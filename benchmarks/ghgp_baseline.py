"""Hand-written DuckDB baseline of rulesets/ghgp-current (benchmarks/ghgp_baseline.sql says which rules it
covers and which not), on the data benchmarks/ghgp_current.py generates; and the check that its totals equal
Tanso's, rule by rule, to the last decimal.

    .venv/bin/python benchmarks/ghgp_baseline.py --data benchmarks/data/ghgp-1000000 --out OUT
    .venv/bin/python benchmarks/ghgp_baseline.py --check OUT --tanso TANSO_OUT   # compare the two ledgers

benchmarks/ghgp_current.py --hand-written runs it alternated with Tanso and prints the ratio.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "ghgp_baseline.sql"
# The rules the script computes (its header says why the others are not): `ghgp_current.py --hand-written`
# also times Tanso on exactly these (`--select`), the like-for-like ratio.
COVERED = ("s1.stationary", "s1.mobile", "s1.mobile_distance", "s1.process", "s1.fugitive", "s1.leased_assets",
           "s2.location", "s2.district.location", "s2.leased_assets.location", "s3.cat3.wtt",
           "s3.cat3.upstream_electricity", "s3.cat5", "s3.cat6.travel", "s3.cat6.hotels", "s3.cat7", "s3.cat8.fuel",
           "s3.cat8.electricity", "s3.cat10", "s3.cat11", "s3.cat12", "s3.cat13.fuel", "s3.cat13.electricity")


def run(data: Path, out: Path, threads: int | None = None) -> None:
    """The script, one statement after the other, on a fresh in-memory DuckDB."""
    import duckdb
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    sql = SCRIPT.read_text().replace("{data}", data.resolve().as_posix()).replace("{out}", out.resolve().as_posix())
    con.execute(sql)
    con.close()


def check(baseline_out: Path, tanso_out: Path) -> dict:
    """Per covered rule: ledger rows, sum(amount), sum(co2e_kg) of both; raises if any differs. Also the share
    of Tanso's ledger rows the covered rules make."""
    import duckdb
    con = duckdb.connect()
    ours = {r[0]: r[1:] for r in con.execute(
        f"SELECT rule_id, count(*), sum(amount), sum(co2e_kg) FROM '{baseline_out / 'ledger.parquet'}' "
        "GROUP BY rule_id").fetchall()}
    theirs = {r[0]: r[1:] for r in con.execute(
        f"SELECT rule_id, count(*), sum(amount), sum(co2e_kg) FROM '{tanso_out / 'ledger.parquet'}' "
        "GROUP BY rule_id").fetchall()}
    if set(ours) - set(COVERED):   # (a covered rule the data gives no rows, e.g. s3.cat8.fuel, is absent)
        raise SystemExit(f"the script computes rules COVERED does not list: {sorted(set(ours) - set(COVERED))}")
    wrong = {rule: (row, theirs.get(rule)) for rule, row in ours.items() if theirs.get(rule) != row}
    if wrong:
        raise SystemExit("baseline differs from Tanso: " + "; ".join(f"{r}: {a} vs tanso {b}" for r, (a, b) in wrong.items()))
    covered = sum(row[0] for row in ours.values())
    total = sum(row[0] for row in theirs.values())
    return {"rules": len(ours), "of_rules": len(theirs), "ledger_rows": covered, "tanso_ledger_rows": total,
            "share": covered / total, "co2e_kg": str(sum(row[2] for row in ours.values()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--check", type=Path, help="a baseline output folder to compare with --tanso")
    parser.add_argument("--tanso", type=Path, help="a Tanso output folder (ledger.parquet)")
    args = parser.parse_args()
    if args.check:
        print(check(args.check, args.tanso))
    else:
        run(args.data, args.out, args.threads)


if __name__ == "__main__":
    main()
