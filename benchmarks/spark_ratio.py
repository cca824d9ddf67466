"""Spark local[2] / DuckDB: wall time of the same `evaluate` (benchmarks/run.py's ruleset and data).

    python benchmarks/spark_ratio.py --rows 1000000
    python benchmarks/spark_ratio.py --rows 1000000 --master local[2] --repeat 3
    (peak RSS: VmHWM of the Python process plus, under Spark, of its JVM)

Each run is a subprocess of its own (DuckDB first, then Spark, alternating when repeated); the data is
run.py's, generated once per row count into benchmarks/data/<rows>/. The Spark time is the evaluate
alone: the JVM and SparkSession start (reported apart, ~10-60 s) is paid once per process, not per run.
The digests must be equal (the script exits 1 otherwise); the ratios are of the medians, of wall time
and of CPU time (user+sys of the Python process and of Spark's JVM: on a shared machine the steadier one).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run as bench


def worker(backend: str, rows: int, master: str | None) -> dict:
    from tanso.run import evaluate, prepare
    started = time.perf_counter()
    if backend == "spark":
        from tanso.backends.spark import spark_session
        spark_session(master)
    session_s = time.perf_counter() - started
    prepared = prepare(bench.RULESET)
    with tempfile.TemporaryDirectory(prefix="tanso-ratio-") as out:
        started, cpu = time.perf_counter(), _cpu_seconds()
        result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, bench.data_dir(rows), Path(out),
                          backend=backend, spark_master=master)
        wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {"backend": result.manifest["backend"], "wall_s": wall, "cpu_s": cpu, "session_s": session_s,
            "ledger_rows": result.ledger_rows, "digest": result.digest, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """Peak resident memory (VmHWM) of this process plus, under Spark, of its JVM (driver and executors)."""
    from pyspark import SparkContext
    pids = ["self"] + ([str(SparkContext._gateway.proc.pid)] if SparkContext._gateway is not None else [])
    return sum(int(line.split()[1]) for pid in pids for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmHWM:")) / 1024


def _cpu_seconds() -> float:
    """user+sys of this process and, under Spark, of its JVM (local mode: the executors are in it), which
    a busy machine's wall time does not show (Linux: /proc)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    from pyspark import SparkContext
    if SparkContext._gateway is not None:
        fields = Path(f"/proc/{SparkContext._gateway.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--master", default=None, help="Spark master (default local[2])")
    parser.add_argument("--worker", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.rows, args.master)))
        return
    bench.generate(args.rows)
    runs: dict[str, list[dict]] = {"duckdb": [], "spark": []}
    for _ in range(args.repeat):
        for backend in runs:
            command = [sys.executable, __file__, "--worker", backend, "--rows", str(args.rows),
                       *(["--master", args.master] if args.master else [])]
            done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)   # stderr: the worker's
            runs[backend].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"{backend}: {runs[backend][-1]}", file=sys.stderr)
    walls = {backend: statistics.median(r["wall_s"] for r in results) for backend, results in runs.items()}
    cpus = {backend: statistics.median(r["cpu_s"] for r in results) for backend, results in runs.items()}
    digests = {r["digest"] for results in runs.values() for r in results}
    print(f"{args.rows:,} rows · {runs['duckdb'][0]['ledger_rows']:,} ledger rows · "
          f"DuckDB {walls['duckdb']:.1f} s · Spark {walls['spark']:.1f} s "
          f"(+ session start {statistics.median(r['session_s'] for r in runs['spark']):.1f} s) · "
          f"ratio {walls['spark'] / walls['duckdb']:.2f} · CPU DuckDB {cpus['duckdb']:.1f} s, Spark {cpus['spark']:.1f} s, "
          f"ratio {cpus['spark'] / cpus['duckdb']:.2f} · peak RSS DuckDB "
          f"{max(r['peak_rss_mb'] for r in runs['duckdb']):.0f} MB, Spark (Python + JVM) "
          f"{max(r['peak_rss_mb'] for r in runs['spark']):.0f} MB · digests {'equal' if len(digests) == 1 else 'DIFFER'}")
    sys.exit(0 if len(digests) == 1 else 1)


if __name__ == "__main__":
    main()
