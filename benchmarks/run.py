"""Benchmark: `tanso.run.evaluate` against a hand-written DuckDB SQL baseline on the same data.

    .venv/bin/python benchmarks/run.py --rows 1000000
    .venv/bin/python benchmarks/run.py --rows 10000000 --repeat 3
    .venv/bin/python benchmarks/run.py --rows 1000000 --profile      # where tanso's time goes

Every measurement runs in its own subprocess (so peak memory is that run's own, taken from
os.wait4's rusage = getrusage(RUSAGE_CHILDREN) for that one child), tanso and baseline alternating;
the median of the repeats is reported. Data is generated once per row count and cached under
benchmarks/data/<rows>/ (gitignored); outputs go to benchmarks/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULESET = HERE / "ruleset" / "bench.tanso"
N_KEYS = 50_000          # factor keys
N_MISSING_KEYS = 50      # keys used by activity rows with no factor (→ rejects, ~0.1 % of rows)
N_ENTITIES = 50
RETRIES = 4
GWP = {"CO2": 1, "CH4": 28, "N2O": 265}   # AR5, as the ruleset's gwp.set


def data_dir(rows: int) -> Path:
    return HERE / "data" / str(rows)


# ----------------------------------------------------------------------------------------- data
def generate(rows: int, folder: Path | None = None) -> Path:
    """The benchmark's data at `rows` rows, in `folder` (default: the cache, benchmarks/data/<rows>/)."""
    import duckdb
    folder = folder or data_dir(rows)
    activities, factors = folder / "activities.parquet", folder / "factors" / "fuels.parquet"
    if activities.exists() and factors.exists():
        return folder
    (folder / "factors").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    started = time.perf_counter()
    # Factor table: N_KEYS fuels × 1-3 gases (CO2 always, CH4 for 2/3 of keys, N2O for 1/3), per kWh.
    # Values have 6 decimals so every effective factor (×1000 for MWh, ×0.001 for g, ×GWP) is exact
    # at scale 12 and the baseline's totals must equal tanso's to the last digit.
    con.execute(f"""
        COPY (
          SELECT 'BENCH-' || k.fuel || '-' || g.gas AS factor_id, k.fuel, g.gas,
                 CAST(CASE g.gas WHEN 'CO2' THEN 0.05 + (hash(k.i, 'co2') % 400000) / 1e6
                                 ELSE 0.000001 + (hash(k.i, g.gas) % 90000) / 1e6 END AS DECIMAL(28,12)) AS value,
                 CASE g.gas WHEN 'CO2' THEN 'kg' ELSE 'g' END AS unit, 'kWh' AS per,
                 'Benchmark Publisher (synthetic)' AS publisher, 'bench 2025' AS edition, 'CC0-1.0' AS licence
          FROM (SELECT i, 'F' || lpad(CAST(i AS VARCHAR), 6, '0') AS fuel, 1 + hash(i, 'ngas') % 3 AS ngas
                FROM range({N_KEYS}) t(i)) k
          JOIN (VALUES ('CO2', 1), ('CH4', 2), ('N2O', 3)) g(gas, rank) ON g.rank <= k.ngas
          ORDER BY k.fuel, g.gas
        ) TO '{factors}' (FORMAT parquet, COMPRESSION zstd)""")
    # Activity rows: row_id text, 50 entities, 12 months, ~50k keys, quantity DECIMAL(18,6) stored as
    # a Parquet decimal, kWh (90 %) or MWh (10 %).
    con.execute(f"""
        COPY (
          SELECT 'R' || lpad(CAST(i AS VARCHAR), 10, '0') AS row_id,
                 'E' || lpad(CAST(hash(i, 'e') % {N_ENTITIES} AS VARCHAR), 2, '0') AS entity,
                 '2025-' || lpad(CAST(1 + i % 12 AS VARCHAR), 2, '0') AS period,
                 'F' || lpad(CAST(hash(i, 'f') % {N_KEYS + N_MISSING_KEYS} AS VARCHAR), 6, '0') AS fuel,
                 CAST((hash(i, 'q') % 100000000000) / 1e6 AS DECIMAL(18,6)) AS quantity,
                 CASE WHEN hash(i, 'u') % 10 = 0 THEN 'MWh' ELSE 'kWh' END AS unit
          FROM range({rows}) t(i)
        ) TO '{activities}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)""")
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s → {folder}", file=sys.stderr)
    return folder


# ----------------------------------------------------------------------------------------- workers
BASELINE_SQL = """
CREATE TEMP TABLE eff AS
SELECT f.fuel, u.unit AS from_unit, f.gas, f.factor_id,
       CAST(CAST(f.value AS DECIMAL(38,12)) * u.scale * m.scale AS DECIMAL(38,12)) AS gas_factor,
       CAST(CAST(f.value AS DECIMAL(38,12)) * u.scale * m.scale * w.gwp AS DECIMAL(38,12)) AS co2e_factor,
       CASE WHEN f.gas = 'CO2' THEN 'AR5 CO2=1' ELSE 'AR5 ' || f.gas || '=' || w.gwp END AS gwp
FROM read_parquet('{factors}') f
JOIN (VALUES ('kWh', 1::DECIMAL(18,6)), ('MWh', 1000::DECIMAL(18,6))) u(unit, scale) ON f.per = 'kWh'
JOIN (VALUES ('kg', 1::DECIMAL(18,6)), ('g', 0.001::DECIMAL(18,6))) m(unit, scale) ON m.unit = f.unit
JOIN (VALUES ('CO2', 1), ('CH4', 28), ('N2O', 265)) w(gas, gwp) ON w.gas = f.gas;

CREATE TEMP VIEW product AS
SELECT 's1.combustion' AS rule_id, 'bench.tanso:15' AS rule_source, 1 AS scope, CAST(NULL AS INTEGER) AS category,
       'activities' AS input_table, 'fuel_combustion' AS calculator,
       a.row_id, a.file_row_number + 1 AS input_row, a.entity, a.period, e.gas,
       a.quantity * e.gas_factor AS amount, a.quantity * e.co2e_factor AS co2e_kg, a.quantity,
       a.unit AS quantity_unit, e.factor_id, 'fuels' AS factor_set, 'bench' AS factor_version, e.gwp,
       'fuel-based' AS method, 'primary' AS data_type
FROM read_parquet('{activities}', file_row_number = true) a
JOIN eff e ON e.fuel = a.fuel AND e.from_unit = a.unit
WHERE a.quantity >= 0;

COPY (SELECT * FROM product) TO '{lineage}' (FORMAT parquet, COMPRESSION zstd);
"""
BASELINE_AGG = ("SELECT scope, entity, period, sum(co2e_kg) AS co2e_kg, count(*) AS n FROM product "
                "GROUP BY scope, entity, period ORDER BY ALL")


def worker_baseline(rows: int, out: Path) -> dict:
    import duckdb
    folder = data_dir(rows)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    sql = BASELINE_SQL.format(factors=folder / "factors" / "fuels.parquet", activities=folder / "activities.parquet",
                              lineage=out / "lineage.parquet")
    for statement in [s for s in sql.split(";") if s.strip()]:
        con.execute(statement)
    groups = con.execute(BASELINE_AGG).fetchall()
    wall = time.perf_counter() - started
    total = sum(g[3] for g in groups)
    return {"engine": "baseline", "wall_s": wall, "groups": len(groups), "total_co2e_kg": str(total),
            "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]}


def worker_tanso(rows: int, out: Path, profile: bool = False, memory_limit: str | None = None) -> dict:
    from tanso.run import evaluate, prepare
    started = time.perf_counter()
    prepared = prepare(RULESET)
    prepared_s = time.perf_counter() - started
    timer = _install_profiler() if profile else None
    marks = []
    t0 = time.perf_counter()
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data_dir(rows), out, memory_limit=memory_limit,
                      progress=lambda message, *counts: marks.append((message, time.perf_counter() - t0)))
    wall = time.perf_counter() - t0
    total = sum(r["co2e_kg"] for r in result.summary)
    info = {"engine": "tanso", "wall_s": wall, "prepare_s": prepared_s, "ledger_rows": result.ledger_rows,
            "rejects": result.rejects_count, "total_co2e_kg": str(total), "digest": result.digest,
            "threads": result.connection.execute("SELECT current_setting('threads')").fetchone()[0],
            "phases": marks}
    if timer is not None:
        info["profile"] = timer.report(wall)
    return info


class _Timer:
    def __init__(self):
        self.items: list[tuple[float, str]] = []

    def add(self, seconds: float, label: str) -> None:
        self.items.append((seconds, label))

    def report(self, wall: float) -> list[tuple[float, str]]:
        return sorted(self.items, reverse=True)


def _install_profiler() -> _Timer:
    """Time every statement tanso sends to DuckDB (execute + fetch), and the Python plan-time helpers."""
    import tanso.plan.factor_product as fp
    import tanso.run.planner as planner
    import tanso.run.inputs as inp
    timer = _Timer()

    class Result:
        def __init__(self, inner, label):
            self._inner, self._label = inner, label

        def __getattr__(self, name):
            attr = getattr(self._inner, name)
            if name.startswith("fetch"):
                def timed(*args, **kwargs):
                    t = time.perf_counter()
                    try:
                        return attr(*args, **kwargs)
                    finally:
                        timer.add(time.perf_counter() - t, "fetch: " + self._label)
                return timed
            return attr

    class TimedConnection:
        def __init__(self, inner):
            self._inner = inner

        def execute(self, sql, *args, **kwargs):
            t = time.perf_counter()
            try:
                return Result(self._inner.execute(sql, *args, **kwargs), " ".join(sql.split())[:230])
            finally:
                timer.add(time.perf_counter() - t, " ".join(sql.split())[:230])

        def __getattr__(self, name):
            return getattr(self._inner, name)

    original_init = planner._Planner.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.con = TimedConnection(self.con)

    planner._Planner.__init__ = init

    def wrap(module, name, label):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timer.add(time.perf_counter() - t, label)
        setattr(module, name, timed)

    wrap(inp, "file_digest", "python: file_digest (sha256 of an input/factor file)")
    wrap(fp, "_combinations", "python: factor_product._combinations (unit × gas multipliers)")
    original_register = planner._Planner.register

    def register(self, name, table):
        t = time.perf_counter()
        try:
            return original_register(self, name, table)
        finally:
            timer.add(time.perf_counter() - t, f"python: _Planner.register({name}) arrow → temp table, {table.num_rows} rows")
    planner._Planner.register = register
    return timer


# ----------------------------------------------------------------------------------------- driver
def run_child(kind: str, rows: int, extra: list[str]) -> dict:
    """One measurement in a fresh process; peak RSS from that child's own rusage."""
    out = HERE / "out" / f"{kind}-{rows}"
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as handle:
        result_file = handle.name
    for attempt in range(RETRIES + 1):
        load = os.getloadavg()[0]
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--rows", str(rows),
                                 "--out", str(out), "--result", result_file, *extra])
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode == 0:
            break
        # The engine may be mid-edit in a shared checkout: wait and retry rather than lose the series.
        print(f"  {kind} worker failed (exit {proc.returncode}), retry {attempt + 1}/{RETRIES} in 15 s", flush=True)
        time.sleep(15)
    else:
        raise SystemExit(f"{kind} worker failed {RETRIES + 1} times")
    info = json.loads(Path(result_file).read_text())
    os.unlink(result_file)
    info["peak_rss_mb"] = usage.ru_maxrss / 1024      # Linux: KiB
    info["user_s"], info["sys_s"] = usage.ru_utime, usage.ru_stime
    info["loadavg_1m_before"] = load
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="one extra tanso run timing every statement")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument("--memory-limit", default=None, help="tanso's DuckDB memory limit (default: evaluate's)")
    parser.add_argument("--worker", choices=["tanso", "baseline", "tanso-profile"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        if args.worker == "baseline":
            info = worker_baseline(args.rows, args.out)
        else:
            info = worker_tanso(args.rows, args.out, profile=args.worker == "tanso-profile", memory_limit=args.memory_limit)
        args.result.write_text(json.dumps(info, default=str))
        return

    generate(args.rows)
    folder = data_dir(args.rows)
    sizes = {p.name: p.stat().st_size for p in folder.rglob("*.parquet")}
    print(f"rows {args.rows:,}; data {folder} ({', '.join(f'{k} {v / 1e6:.1f} MB' for k, v in sizes.items())}); "
          f"nproc {os.cpu_count()}; python {sys.version.split()[0]}", flush=True)
    runs: dict[str, list[dict]] = {"tanso": [], "baseline": []}
    limit = ["--memory-limit", args.memory_limit] if args.memory_limit else []
    for i in range(args.repeat):
        for kind in ("tanso", "baseline") if i % 2 == 0 else ("baseline", "tanso"):
            info = run_child(kind, args.rows, limit)
            runs[kind].append(info)
            print(f"  run {i + 1} {kind:8s} {info['wall_s']:7.2f} s  peak {info['peak_rss_mb']:7.0f} MB  "
                  f"user+sys {info['user_s'] + info['sys_s']:6.1f} s  load before {info['loadavg_1m_before']:.1f}", flush=True)
    t, b = runs["tanso"], runs["baseline"]
    if t[0]["total_co2e_kg"] != b[0]["total_co2e_kg"]:
        print(f"WARNING: totals differ: tanso {t[0]['total_co2e_kg']} vs baseline {b[0]['total_co2e_kg']}")
    else:
        print(f"totals agree exactly: {t[0]['total_co2e_kg']} kg CO2e")
    if len({r['digest'] for r in t}) != 1:
        print("WARNING: tanso digest differs between runs")
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
    mem = {k: statistics.median(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    print(f"\nmedian of {args.repeat} (threads: tanso {t[0]['threads']}, baseline {b[0]['threads']}); "
          f"ledger rows {t[0]['ledger_rows']:,}, rejects {t[0]['rejects']:,}")
    print(f"{'':10s}{'wall s':>9s}{'input rows/s':>15s}{'peak MB':>10s}")
    for kind in ("tanso", "baseline"):
        print(f"{kind:10s}{med[kind]:9.2f}{args.rows / med[kind]:15,.0f}{mem[kind]:10.0f}")
    cpu = {k: statistics.median(r["user_s"] + r["sys_s"] for r in v) for k, v in runs.items()}
    print(f"ratio tanso/baseline: {med['tanso'] / med['baseline']:.2f}x wall, {cpu['tanso'] / cpu['baseline']:.2f}x CPU "
          f"(user+sys {cpu['tanso']:.1f} / {cpu['baseline']:.1f} s), {mem['tanso'] / mem['baseline']:.2f}x memory")
    print(f"tanso prepare() (parse + resolve + graph, not in wall): {statistics.median(r['prepare_s'] for r in t):.2f} s")
    print("tanso phases (progress callback, s since evaluate start, last run): "
          + ", ".join(f"{m} @{s:.2f}" for m, s in t[-1]["phases"]))
    results = {"rows": args.rows, "runs": runs, "median_wall_s": med, "median_peak_rss_mb": mem}
    if args.profile:
        info = run_child("tanso-profile", args.rows, limit)
        results["profile"] = info
        print(f"\nprofile run: wall {info['wall_s']:.2f} s (timed statements + python helpers, top 25):")
        for seconds, label in info["profile"][:25]:
            print(f"  {seconds:7.3f} s  {label}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
