"""Benchmark: the Excel reader (`tanso_io.xlsx.register_xlsx`) on one sheet of N rows.

    .venv/bin/python benchmarks/xlsx_read.py --rows 100000 --repeat 3
    .venv/bin/python benchmarks/xlsx_read.py --rows 100000 --repeat 3 --roots /tmp/before .   # alternated

The workbook (written once by xlsxwriter, to benchmarks/data/xlsx-<N>.xlsx) is electricity bills as the
Acme data has them: 8 columns, a title row, a blank row, the header on sheet row 3 and a 合計 row at the
bottom. Each run reads it in its own subprocess under one checkout's `engine/` and `plugins/` (the
`--roots`, alternated run for run) and reports the reader's CPU (user+sys) and wall, with the 1-minute
load average. A checkout whose reader does not take `header_row` reads it without (its title row is then
its header, which fails): give it a workbook without the title with `--no-title`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["row_id", "entity", "period", "site", "grid_region", "quantity", "unit", "supplier"]

_CHILD = """
import resource, sys, time
from pathlib import Path
import duckdb
import tanso_io.reasons  # the reasons' texts, registered when the plugins load (a run loads them)
from tanso_io.xlsx import register_xlsx
path, header_row = Path(sys.argv[1]), (int(sys.argv[2]) or None)
con = duckdb.connect()
options = {"header_row": header_row} if header_row else {}
before, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
register_xlsx(con, path, "bills", **options)
wall, after = time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_SELF)
rows = con.execute("SELECT count(*) FROM bills").fetchone()[0]
print(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall, rows)
"""


def workbook(rows: int, title: bool) -> Path:
    """benchmarks/data/xlsx-<rows>[-plain].xlsx, written if missing."""
    path = HERE / "data" / f"xlsx-{rows}{'' if title else '-plain'}.xlsx"
    if path.exists():
        return path
    import xlsxwriter
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("電力")
    at = 0
    if title:
        sheet.write_row(0, 0, ["電力使用量 2025年度"])
        at = 2
    sheet.write_row(at, 0, COLUMNS)
    for n in range(1, rows + 1):
        sheet.write_row(at + n, 0, [f"E{n}", "ACME-JP", f"2025-{n % 12 + 1:02d}", "plant", "JP-TOKYO",
                                    850.708 + n, "kWh", "UTILITY-JP-TOKYO"])
    if title:
        sheet.write_row(at + rows + 1, 1, ["合計"])
    book.close()
    return path


def run(root: Path, path: Path, header_row: int) -> tuple[float, float, int]:
    env = dict(os.environ, PYTHONPATH=f"{root / 'engine'}{os.pathsep}{root / 'plugins'}")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(header_row)], env=env, check=True,
                          capture_output=True, text=True)
    cpu, wall, rows = done.stdout.split()
    return float(cpu), float(wall), int(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--roots", nargs="+", type=Path, default=[HERE.parent])
    parser.add_argument("--no-title", action="store_true", help="the header on sheet row 1, no title or 合計 row")
    args = parser.parse_args()
    path = workbook(args.rows, not args.no_title)
    header_row = 0 if args.no_title else 3
    times: dict[Path, list[tuple[float, float]]] = {root: [] for root in args.roots}
    for _ in range(args.repeat):
        for root in args.roots:
            cpu, wall, rows = run(root, path, header_row)
            times[root].append((cpu, wall))
            print(f"{root}: cpu {cpu:.2f} s, wall {wall:.2f} s, {rows:,} rows, load {os.getloadavg()[0]:.1f}")
    for root, pairs in times.items():
        print(f"median {root}: cpu {statistics.median(c for c, _ in pairs):.2f} s, "
              f"wall {statistics.median(w for _, w in pairs):.2f} s")


if __name__ == "__main__":
    main()
