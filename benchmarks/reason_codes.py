"""What rejects.csv's `reason_code` column costs: COPY of N synthetic reject reasons with and without it.

The reasons are the Acme demo's kinds (no factor, negative quantity, a unit that does not convert, a
two-tier market-based chain), a quarter each, with a distinct value per row. Prints wall and CPU
(user+sys of this process) of each COPY, and the codes found, so that a wrong template shows too.

    PYTHONPATH=engine:plugins python benchmarks/reason_codes.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import duckdb

import tanso_functions.series   # noqa: F401  (each registers its reason codes, as a run's plugins do)
import tanso_ghgp.quality_shares   # noqa: F401
import tanso_ghgp.scope2   # noqa: F401
from tanso.reasons import codes_sql, templates

REASONS = """CASE i % 4
  WHEN 0 THEN 'activity: no factor in travel for mode=''m' || i || ''''
  WHEN 1 THEN 'fuel_combustion: quantity is negative (-' || i || '.000000)'
  WHEN 2 THEN 'activity: unit ''kg' || i || ''' cannot be converted to ''l'''
  ELSE 'market_based: supplier-specific rate: no factor in supplier_rates for supplier=''S' || i
       || '''; residual mix: no factor in residual for grid=''G''' END"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"CREATE TABLE rejects AS SELECT {REASONS} AS reason FROM range({args.rows}) t(i)")
    print(f"{args.rows:,} reasons, {len(templates())} templates, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for label, columns in (("reason", "reason"), ("reason_code, reason", f"{codes_sql('reason')}, reason")):
            started, cpu = time.perf_counter(), os.times()
            con.execute(f"COPY (SELECT {columns} FROM rejects) TO '{folder}/rejects.csv' (FORMAT csv, HEADER true)")
            spent = os.times()
            print(f"{label:>20}: {time.perf_counter() - started:6.2f} s wall, "
                  f"{spent.user - cpu.user + spent.system - cpu.system:6.2f} s CPU")
    codes = con.execute(f"SELECT {codes_sql('reason')} AS code, count(*) FROM rejects GROUP BY 1 ORDER BY 1").fetchall()
    print("codes:", ", ".join(f"{code or '(none)'} {n:,}" for code, n in codes))


if __name__ == "__main__":
    main()
