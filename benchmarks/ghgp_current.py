"""Benchmark: `tanso.run.evaluate` of rulesets/ghgp-current (35 rules, ~26 inputs) on N synthetic rows.

    .venv/bin/python benchmarks/ghgp_current.py --rows 1000000 --repeat 3
    .venv/bin/python benchmarks/ghgp_current.py --rows 10000000 --repeat 3 --threads-1
    .venv/bin/python benchmarks/ghgp_current.py --rows 1000000 --generate-only
    .venv/bin/python benchmarks/ghgp_current.py --rows 1000000 --draft-data   # data both rulesets read
    .venv/bin/python benchmarks/ghgp_current.py --rows 1000000 --repeat 3 --hand-written  # vs ghgp_baseline.sql

Data: N activity rows in all, spread over the activity inputs in fixed proportions (most of them in
purchases, electricity, fuel_use and business_travel), generated once per N with DuckDB SQL
(`COPY (SELECT … FROM range(n) …) TO '….parquet'`) into benchmarks/data/ghgp-N/ (gitignored).
Every generated row is a copy of an Acme demo row (examples/acme/data) that computes under the
ruleset, with a fresh row id, a random month and its decimals scaled by 0.5-1.5, so the keys are
in the factor files, the units convert and the entities exist. About 0.1 % of the rows are
deliberately bad, a third each: unknown entity (boundary reject), a match key or unit no factor
has (rule reject), missing row id (input reject). Reference tables (entities, exchange rates,
price index, suppliers, T&D losses, financials, estimates: every input not in WEIGHTS) and factors/
are copied from the Acme data.
Every Parquet column has exactly the type the ruleset declares (checked after writing), so the
engine reads it without TRY_CAST.

--draft-data generates from rulesets/ghgp-draft-2026's input declarations instead, into
benchmarks/data/ghgp-draft-N/ (the same rows and proportions): electricity and certificates get the
draft's `hour` column (the template's hour is kept and the row's period is the month of that hour of
2025, so hourly matching sees consistent rows), investments `investee_s3_t`, and the draft's extra
inputs (facilitated_deals, insurance_policies, licences, market_instruments, fuel_certificates,
verification, standard_supply_service, …) are copied from the Acme data like the other reference
tables. Template rows are those neither ruleset rejects on the demo. ghgp-current reads these files
too (extra columns are not read); benchmarks/ghgp_compare.py uses them.

Each measurement runs in its own subprocess (peak RSS = that child's ru_maxrss via os.wait4, CPU =
its user+sys), as in benchmarks/run.py. As a reference, the same run also times run.py's
hand-written single-rule baseline at the same N (its own data in benchmarks/data/<N>/).

--hand-written instead alternates Tanso with benchmarks/ghgp_baseline.sql (a hand-written DuckDB script of
the ghgp-current rules it names, on this same data), run for run, checks that the baseline's totals equal
Tanso's for every covered rule, and prints the ratio of the medians, CPU (user+sys) and wall.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RULESET = ROOT / "rulesets" / "ghgp-current"
DRAFT = ROOT / "rulesets" / "ghgp-draft-2026"
# Whose input declarations the data is generated from (--draft-data: the draft's, a superset that
# ghgp-current reads too, in benchmarks/data/ghgp-draft-N/). The benchmark always evaluates RULESET.
DATA_RULESET = RULESET
ACME = ROOT / "examples" / "acme" / "data"
# Share of the N activity rows per input (normalised below).
WEIGHTS = {
    "purchases": 0.32, "electricity": 0.25, "fuel_use": 0.17, "business_travel": 0.125,
    "transport": 0.04, "waste": 0.025, "hotel_nights": 0.02, "capital_goods": 0.015, "commuting": 0.01,
    "vehicle_distance": 0.01, "district_energy": 0.005, "leased_assets": 0.005, "refrigerant_use": 0.003,
    "process_emissions": 0.003, "certificates": 0.002, "end_of_life": 0.002, "sold_intermediates": 0.002,
    "products_sold": 0.001, "franchises": 0.001, "investments": 0.001,
}
# The column a "no factor for this key / unit" bad row gets a value no factor file has.
CORRUPT = {
    "purchases": "commodity", "electricity": "grid_region", "fuel_use": "fuel", "business_travel": "mode",
    "transport": "mode", "waste": "waste_type", "hotel_nights": "country", "capital_goods": "commodity",
    "commuting": "mode", "vehicle_distance": "vehicle_type", "district_energy": "country",
    "leased_assets": "unit", "refrigerant_use": "refrigerant", "process_emissions": "emitted_gas",
    "certificates": "unit", "end_of_life": "material", "sold_intermediates": "process",
    "products_sold": "grid_region", "franchises": "franchise_type", "investments": "asset_class",
}
UNSCALED = {"share"}       # fractions stay as they are
BAD_PER_MILLE = 1
RETRIES = 2
RSS_KILL_MB = 12_000      # safety stop on a shared 23.5 GiB machine (--rss-kill-mb)
MEMORY_LIMIT = None       # DuckDB memory_limit for the workers (--memory-limit), default: the engine's (448MB)
TRACE = False


def data_dir(rows: int) -> Path:
    suffix = "" if BAD_PER_MILLE == 1 else f"-bad{BAD_PER_MILLE}"
    prefix = "ghgp" if DATA_RULESET == RULESET else "ghgp-draft"
    return HERE / "data" / f"{prefix}-{rows}{suffix}"


def split(rows: int) -> dict[str, int]:
    total = sum(WEIGHTS.values())
    counts = {name: max(1, int(rows * w / total)) for name, w in WEIGHTS.items()}
    counts["purchases"] += rows - sum(counts.values())        # exact total
    return counts


# ----------------------------------------------------------------------------------------- data
def _prepared(ruleset: Path | None = None):
    from tanso.run import prepare
    return prepare(ruleset or DATA_RULESET)


def _acme_rejected() -> set[tuple[str, str]]:
    """(input table, row id) of the Acme demo rows that some rule or the input check rejects (under
    ghgp-current, and for draft data under the draft as well)."""
    from tanso.run import evaluate
    rejected = set()
    for ruleset in dict.fromkeys([RULESET, DATA_RULESET]):
        p = _prepared(ruleset)
        with tempfile.TemporaryDirectory() as out:
            result = evaluate(p.ruleset, p.registry, p.graph, ACME, Path(out))
            rejected |= {(t, r) for t, r in
                         result.connection.execute("SELECT input_table, row_id FROM run_rejects").fetchall()}
    return rejected


def generate(rows: int) -> Path:
    folder = data_dir(rows)
    if (folder / ".complete").exists():
        return folder
    import duckdb
    from tanso.plan.sql import column_type
    from tanso.run.input_files import input_files
    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copytree(ACME / "factors", folder / "factors")
    prepared = _prepared()
    ruleset = prepared.ruleset
    for name in sorted(set(ruleset.inputs) - set(WEIGHTS)):  # reference tables and cloud exports: as in the demo
        for path in input_files(ACME, ruleset.inputs[name], prepared.registry):
            target = folder / path.relative_to(ACME)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    rejected = _acme_rejected()
    con = duckdb.connect()
    for name, n in split(rows).items():
        table = ruleset.inputs[name]
        key = table.key
        skip = sorted(r for t, r in rejected if t == name)
        excluded = ", ".join("'" + r.replace("'", "''") + "'" for r in skip) or "''"
        typed = ", ".join(f'CAST("{c.name}" AS {column_type(c)}) AS "{c.name}"' for c in table.columns)
        con.execute(f"""CREATE OR REPLACE TABLE tmpl AS
            SELECT CAST(row_number() OVER (ORDER BY "{key}") - 1 AS UBIGINT) AS _k, {typed}
            FROM read_csv('{ACME / f"{name}.csv"}', all_varchar = true, header = true)
            WHERE "{key}" NOT IN ({excluded})""")
        templates = con.execute("SELECT count(*) FROM tmpl").fetchone()[0]
        if templates == 0:
            raise SystemExit(f"{name}: no template row")
        cols = [f"CASE WHEN bad AND kind = 2 THEN NULL ELSE '{name[:2].upper()}' || lpad(CAST(i AS VARCHAR), 10, '0') "
                f"END AS \"{key}\""]
        for c in table.columns:
            sql_type, ref = column_type(c), f't."{c.name}"'
            if c.name == "entity":
                expr = f"CASE WHEN bad AND kind = 0 THEN 'ACME-UNKNOWN' ELSE {ref} END"
            elif c.name == CORRUPT[name]:
                expr = f"CASE WHEN bad AND kind = 1 THEN 'NO-SUCH-{c.name.upper()}' ELSE {ref} END"
            elif c.name == "period" and any(h.name == "hour" for h in table.columns):
                # hourly rows keep the template's hour (0-8759 of 2025), so the month must follow it
                expr = (f"CASE WHEN t.\"hour\" IS NOT NULL "
                        f"THEN strftime(TIMESTAMP '2025-01-01' + to_hours(CAST(t.\"hour\" AS BIGINT)), '%Y-%m') "
                        f"WHEN length({ref}) = 7 THEN '2025-' || lpad(CAST(1 + hash(i, 'm') % 12 AS VARCHAR), 2, '0') "
                        f"ELSE {ref} END")
            elif c.name == "period":
                expr = (f"CASE WHEN length({ref}) = 7 THEN '2025-' || lpad(CAST(1 + hash(i, 'm') % 12 AS VARCHAR), 2, '0') "
                        f"ELSE {ref} END")
            elif c.name == "certificate_id":
                expr = f"{ref} || '-' || CAST(i AS VARCHAR)"
            elif c.type_name == "decimal" and c.name not in UNSCALED:
                expr = f"CAST({ref} * (0.5 + (hash(i, '{c.name}') % 1000000) / 1e6) AS {sql_type})"
            else:
                expr = ref
            cols.append(f"CAST({expr} AS {sql_type}) AS \"{c.name}\"")
        con.execute(f"""COPY (
              SELECT {', '.join(cols)}
              FROM (SELECT i, hash(i, 't') % {templates} AS _k, hash(i, 'bad') % 1000 < {BAD_PER_MILLE} AS bad,
                           hash(i, 'kind') % 3 AS kind FROM range({n}) r(i)) r
              JOIN tmpl t USING (_k) ORDER BY i
            ) TO '{folder / f"{name}.parquet"}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)""")
    check_schema(folder)
    (folder / ".complete").write_text(json.dumps(split(rows)))
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s → {folder}", file=sys.stderr)
    return folder


def check_schema(folder: Path) -> None:
    """Every Parquet column has exactly the declared type (so the engine reads it without TRY_CAST)."""
    import duckdb
    from tanso.plan.sql import column_type
    ruleset = _prepared().ruleset
    con = duckdb.connect()
    wrong = []
    for name in WEIGHTS:
        table = ruleset.inputs[name]
        present = dict(con.execute(f"DESCRIBE SELECT * FROM '{folder / f'{name}.parquet'}'").fetchall()[i][:2]
                       for i in range(len(table.columns) + 1))
        for c in table.columns:
            if present.get(c.name, "").upper() != column_type(c):
                wrong.append(f"{name}.{c.name}: {present.get(c.name)} != {column_type(c)}")
        if present.get(table.key, "").upper() != "VARCHAR":
            wrong.append(f"{name}.{table.key}: {present.get(table.key)}")
    if wrong:
        raise SystemExit("schema mismatch: " + "; ".join(wrong))


# ----------------------------------------------------------------------------------------- worker
def worker(rows: int, out: Path, threads: int | None, profile: bool = False, memory_limit: str | None = None,
           trace: bool = False, covered: bool = False) -> dict:
    from tanso.run import evaluate, prepare
    started = time.perf_counter()
    prepared = prepare(RULESET)
    prepared_s = time.perf_counter() - started
    selected = None
    if covered:   # only the rules benchmarks/ghgp_baseline.sql computes, as `--select` would choose them
        sys.path.insert(0, str(HERE))
        from ghgp_baseline import COVERED
        selected = {f"rule:{rule}" for rule in COVERED}
    timer = None
    if profile:  # time every statement sent to DuckDB, with benchmarks/run.py's wrapper
        sys.path.insert(0, str(HERE))
        import run as single
        timer = single._install_profiler()
    marks = []
    sampler = _MemorySampler() if trace else None

    def progress(message: str, *counts: int) -> None:
        marks.append((message, time.perf_counter() - t0))
        if sampler:  # live trace: seconds since start, the previous phase's peak, the mark
            sampler.mark(f"{marks[-1][1]:7.2f} s", message)
    t0 = time.perf_counter()
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data_dir(rows), out, threads=threads,
                      memory_limit=memory_limit, progress=progress, selected=selected)
    wall = time.perf_counter() - t0
    if sampler:
        sampler.mark(f"{wall:7.2f} s", "end")
        sampler.stop()
    con = result.connection
    per_rule = con.execute("SELECT rule_id, count(*) FROM run_rejects GROUP BY ALL ORDER BY ALL").fetchall()
    return {"engine": "tanso-ghgp", "wall_s": wall, "prepare_s": prepared_s, "ledger_rows": result.ledger_rows,
            "rejects": result.rejects_count, "excluded": result.excluded_count,
            "total_co2e_kg": str(sum(r["co2e_kg"] for r in result.summary)), "digest": result.digest,
            "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
            "rejects_by_rule": per_rule, "phases": marks,
            "profile": timer.report(wall)[:30] if timer else None}


class _MemorySampler:
    """RSS every 50 ms, split into what DuckDB's buffer manager holds (the part its memory_limit bounds, read
    from the run's own databases through a second connection each; with its spilled bytes), what Arrow's pool
    holds, and the rest (Python objects, libraries, allocator caches, DuckDB allocations outside its limit);
    --trace prints each phase's peak at the next progress mark, on stderr. By default the first connection
    opened is the run's database; `watch_connect=False` leaves it to `adopt` (a comparison's sessions)."""

    def __init__(self, watch_connect: bool = True) -> None:
        import threading
        import duckdb
        import pyarrow as pa
        self._duckdb, self._pa, self._lock = duckdb, pa, threading.Lock()
        self._cursors, self._peak, self._stop = [], (0, (), 0, 0), threading.Event()
        if watch_connect:
            _patch_connect(lambda con: None if self._cursors else self.adopt(con))
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def adopt(self, con) -> None:
        """Sample this database too."""
        with self._lock:
            self._cursors.append(con.cursor())

    def _loop(self) -> None:
        query = "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()"
        while not self._stop.wait(0.05):
            rss = int(next(line for line in Path("/proc/self/status").read_text().splitlines()
                           if line.startswith("VmRSS:")).split()[1]) * 1024
            held, spilled = [], 0
            for cursor in list(self._cursors):
                try:
                    used, on_disk = cursor.execute(query).fetchone()
                except self._duckdb.Error:
                    used, on_disk = 0, 0
                held.append(int(used or 0))
                spilled += int(on_disk or 0)
            with self._lock:
                if rss > self._peak[0]:
                    self._peak = (rss, tuple(held), self._pa.total_allocated_bytes(), spilled)

    def stop(self) -> None:
        """End the sampling before the process ends (a thread inside DuckDB at exit aborts the process)."""
        self._stop.set()
        self._thread.join()

    def mark(self, when: str, message: str) -> None:
        with self._lock:
            rss, held, arrow, spilled = self._peak
            self._peak = (0, (), 0, 0)
        mb = 1024 * 1024
        duck = "+".join(f"{h / mb:.0f}" for h in held) or "0"
        print(f"    phase peak {rss / mb:6.0f} MB (DuckDB {duck}, Arrow {arrow / mb:4.0f}, rest "
              f"{(rss - sum(held) - arrow) / mb:4.0f}; spilled {spilled / mb:.0f})\n    [{when}] {message}",
              file=sys.stderr, flush=True)


def _patch_connect(adopt):
    """Hand the first connection the engine opens to `adopt` (the run's database)."""
    import duckdb
    connect = duckdb.connect

    def watched(*args, **kwargs):
        con = connect(*args, **kwargs)
        adopt(con)
        return con
    duckdb.connect = watched


def phase_totals(marks: list[tuple[str, float]], wall: float) -> list[tuple[str, float]]:
    """Seconds between consecutive progress marks, summed per kind of mark ('planning <rule>' → 'planning')."""
    totals: dict[str, float] = {}
    bounds = marks + [("end", wall)]
    for (label, t), (_, t_next) in zip(bounds, bounds[1:]):
        kind = ("planning rules (incl. inputs + derived tables)" if label.startswith("planning ")
                else "writing the ledger" if label.startswith("writing the ledger") else label)
        totals[kind] = totals.get(kind, 0.0) + t_next - t
    if marks:
        totals["before the first mark"] = marks[0][1]
    return sorted(totals.items(), key=lambda kv: -kv[1])


def _wait(pid: int) -> tuple[int, object]:
    """Wait for the worker; kill it (SIGKILL, this pid only) if its RSS passes RSS_KILL_MB, so a run
    that would exhaust the shared machine's memory stops instead of invoking the OOM killer."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        try:
            rss_kb = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                              if line.startswith("VmRSS:")).split()[1])
        except (OSError, StopIteration, ValueError):
            rss_kb = 0
        if rss_kb > RSS_KILL_MB * 1024:
            print(f"  worker RSS {rss_kb / 1024:,.0f} MB > {RSS_KILL_MB:,} MB: killed", flush=True)
            os.kill(pid, 9)
            _, status, usage = os.wait4(pid, 0)
            raise SystemExit(f"worker killed at {rss_kb / 1024:,.0f} MB RSS")
        time.sleep(0.2)


def run_child(rows: int, threads: int | None, profile: bool = False, covered: bool = False) -> dict:
    out = HERE / "out" / f"{data_dir(rows).name}-t{threads or 'default'}{'-covered' if covered else ''}"
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as handle:
        result_file = handle.name
    extra = ((["--threads", str(threads)] if threads else []) + (["--profile-statements"] if profile else [])
             + (["--memory-limit", MEMORY_LIMIT] if MEMORY_LIMIT else []) + (["--trace"] if TRACE else [])
             + (["--covered"] if covered else []))
    for attempt in range(RETRIES + 1):
        load = os.getloadavg()
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", "--rows", str(rows),
                                 "--bad-per-mille", str(BAD_PER_MILLE),
                                 *(["--draft-data"] if DATA_RULESET != RULESET else []),
                                 "--out", str(out), "--result", result_file, *extra])
        status, usage = _wait(proc.pid)
        if os.waitstatus_to_exitcode(status) == 0:
            break
        print(f"  worker failed (exit {os.waitstatus_to_exitcode(status)}), retry {attempt + 1}/{RETRIES} in 15 s",
              flush=True)
        time.sleep(15)
    else:
        raise SystemExit("worker failed")
    info = json.loads(Path(result_file).read_text())
    os.unlink(result_file)
    info.update(peak_rss_mb=usage.ru_maxrss / 1024, user_s=usage.ru_utime, sys_s=usage.ru_stime,
                loadavg_before=load, out=str(out))
    return info


def run_hand_written(rows: int, threads: int | None) -> dict:
    """benchmarks/ghgp_baseline.sql in its own process, timed like a Tanso worker."""
    out = HERE / "out" / f"{data_dir(rows).name}-hand-written"
    load, started = os.getloadavg(), time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(HERE / "ghgp_baseline.py"), "--data", str(data_dir(rows)),
                             "--out", str(out), *(["--threads", str(threads)] if threads else [])])
    status, usage = _wait(proc.pid)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("hand-written baseline failed")
    return {"wall_s": time.perf_counter() - started, "out": str(out), "peak_rss_mb": usage.ru_maxrss / 1024,
            "user_s": usage.ru_utime, "sys_s": usage.ru_stime, "loadavg_before": load}


def hand_written(rows: int, repeat: int) -> dict:
    """Tanso on the whole ruleset, Tanso on the script's rules only (like for like) and the hand-written script,
    alternated run for run; totals checked; ratios of the medians. (Tanso's wall is its child's wall, process
    start and prepare() included, as the script's is.)"""
    sys.path.insert(0, str(HERE))
    import ghgp_baseline
    runs: dict[str, list[dict]] = {"tanso": [], "tanso-covered": [], "hand-written": []}
    for i in range(repeat):
        for kind in runs:
            started = time.perf_counter()
            info = (run_hand_written(rows, None) if kind == "hand-written"
                    else run_child(rows, None, covered=kind == "tanso-covered"))
            info["process_wall_s"] = time.perf_counter() - started
            runs[kind].append(info)
            print(f"  {kind:13s} run {i + 1}: {info['process_wall_s']:6.2f} s  "
                  f"user+sys {info['user_s'] + info['sys_s']:6.1f} s  peak {info['peak_rss_mb']:6.0f} MB  "
                  f"load before {info['loadavg_before'][0]:.2f}", flush=True)
    agreement = ghgp_baseline.check(Path(runs["hand-written"][0]["out"]), Path(runs["tanso"][0]["out"]))
    print(f"hand-written script covers {agreement['rules']} of {agreement['of_rules']} rules, "
          f"{agreement['ledger_rows']:,} of {agreement['tanso_ledger_rows']:,} ledger rows ({agreement['share']:.1%}); "
          f"totals equal Tanso's rule by rule (co2e {agreement['co2e_kg']} kg)")
    ghgp_baseline.check(Path(runs["hand-written"][0]["out"]), Path(runs["tanso-covered"][0]["out"]))
    cpu = {k: statistics.median(r["user_s"] + r["sys_s"] for r in v) for k, v in runs.items()}
    wall = {k: statistics.median(r["process_wall_s"] for r in v) for k, v in runs.items()}
    for kind, what in (("tanso-covered", "the same rules"), ("tanso", "the whole ruleset")):
        print(f"tanso on {what} / hand-written: CPU {cpu[kind]:.1f} / {cpu['hand-written']:.1f} s = "
              f"{cpu[kind] / cpu['hand-written']:.2f}x; wall {wall[kind]:.1f} / {wall['hand-written']:.1f} s = "
              f"{wall[kind] / wall['hand-written']:.2f}x (medians of {repeat})")
    return {"runs": runs, "agreement": agreement,
            "cpu_ratio": cpu["tanso-covered"] / cpu["hand-written"],
            "wall_ratio": wall["tanso-covered"] / wall["hand-written"],
            "whole_ruleset_cpu_ratio": cpu["tanso"] / cpu["hand-written"],
            "whole_ruleset_wall_ratio": wall["tanso"] / wall["hand-written"]}


def baseline(rows: int, repeat: int) -> list[dict]:
    """benchmarks/run.py's hand-written single-rule baseline at the same N (its own data)."""
    sys.path.insert(0, str(HERE))
    import run as single
    single.generate(rows)
    return [single.run_child("baseline", rows, []) for _ in range(repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads-1", dest="threads_1", action="store_true",
                        help="also time with DuckDB threads = 1 (scaling)")
    parser.add_argument("--no-baseline", action="store_true", help="skip run.py's hand-written baseline")
    parser.add_argument("--hand-written", action="store_true",
                        help="alternate Tanso with benchmarks/ghgp_baseline.sql, check totals, print the ratio")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--bad-per-mille", type=int, default=1, help="deliberately bad rows per 1000 (default 1)")
    parser.add_argument("--draft-data", action="store_true",
                        help="generate from rulesets/ghgp-draft-2026's input declarations (a superset: hour, "
                             "investee_s3_t, the draft's inputs) into benchmarks/data/ghgp-draft-N/")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--profile-statements", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--covered", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-limit", default=None, help="SET memory_limit in the workers, e.g. 4GB")
    parser.add_argument("--rss-kill-mb", type=int, default=12_000, help="kill a worker above this RSS")
    parser.add_argument("--trace", action="store_true", help="workers print each progress mark with time and the peak RSS before it (DuckDB, Arrow, rest)")
    parser.add_argument("--profile", action="store_true", help="one extra run timing every DuckDB statement")
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global BAD_PER_MILLE, MEMORY_LIMIT, RSS_KILL_MB, TRACE, DATA_RULESET
    BAD_PER_MILLE, MEMORY_LIMIT, RSS_KILL_MB, TRACE = args.bad_per_mille, args.memory_limit, args.rss_kill_mb, args.trace
    DATA_RULESET = DRAFT if args.draft_data else RULESET
    if args.worker:
        args.result.write_text(json.dumps(worker(args.rows, args.out, args.threads, args.profile_statements,
                                                 args.memory_limit, args.trace, args.covered),
                                          default=str))
        return

    folder = generate(args.rows)
    if args.generate_only:
        return
    counts = json.loads((folder / ".complete").read_text())
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    print(f"rows {args.rows:,} ({', '.join(f'{k} {v:,}' for k, v in counts.items())}); "
          f"{size / 1e6:.0f} MB Parquet; nproc {os.cpu_count()}", flush=True)
    results: dict = {"rows": args.rows, "counts": counts, "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    if args.hand_written:
        results["hand_written"] = hand_written(args.rows, args.repeat)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2, default=str))
        return
    series = [("default", None)] + ([("threads=1", 1)] if args.threads_1 else [])
    for label, threads in series if args.repeat else []:
        runs = []
        for i in range(args.repeat):
            info = run_child(args.rows, threads)
            runs.append(info)
            print(f"  {label:9s} run {i + 1}: {info['wall_s']:6.2f} s  user+sys {info['user_s'] + info['sys_s']:6.1f} s  "
                  f"peak {info['peak_rss_mb']:6.0f} MB  load before {info['loadavg_before'][0]:.2f}", flush=True)
        results[label] = runs
        wall = statistics.median(r["wall_s"] for r in runs)
        print(f"{label}: threads {runs[0]['threads']}, median wall {wall:.2f} s, {args.rows / wall:,.0f} input rows/s, "
              f"CPU {statistics.median(r['user_s'] + r['sys_s'] for r in runs):.1f} s, "
              f"peak {statistics.median(r['peak_rss_mb'] for r in runs):.0f} MB; ledger rows {runs[0]['ledger_rows']:,}, "
              f"rejects {runs[0]['rejects']:,}, excluded {runs[0]['excluded']:,}; prepare() {runs[0]['prepare_s']:.2f} s",
              flush=True)
        if len({r["digest"] for r in runs}) != 1:
            print("WARNING: digest differs between runs")
        fastest = min(runs, key=lambda r: r["wall_s"])
        plans = sorted(((b[1] - a[1], a[0][9:]) for a, b in zip(fastest["phases"], fastest["phases"][1:])
                        if a[0].startswith("planning ")), reverse=True)[:8]
        print("  slowest rules to plan (incl. reading their inputs): " + "; ".join(f"{r} {s:.2f} s" for s, r in plans))
        print("  phases (fastest run): " + "; ".join(f"{k} {v:.2f} s" for k, v in phase_totals(fastest["phases"],
                                                                                             fastest["wall_s"])))
    if not args.no_baseline and args.repeat:
        runs = baseline(args.rows, args.repeat)
        results["baseline"] = runs
        for i, info in enumerate(runs):
            print(f"  baseline  run {i + 1}: {info['wall_s']:6.2f} s  user+sys {info['user_s'] + info['sys_s']:6.1f} s  "
                  f"peak {info['peak_rss_mb']:6.0f} MB  load before {info['loadavg_1m_before']:.2f}", flush=True)
        wall = statistics.median(r["wall_s"] for r in runs)
        print(f"baseline (run.py, 1 rule, same N): median wall {wall:.2f} s, {args.rows / wall:,.0f} input rows/s, "
              f"CPU {statistics.median(r['user_s'] + r['sys_s'] for r in runs):.1f} s, "
              f"peak {statistics.median(r['peak_rss_mb'] for r in runs):.0f} MB")
        tanso = statistics.median(r["wall_s"] for r in results["default"])
        print(f"ratio ghgp-current / single-rule baseline (wall): {tanso / wall:.2f}x")
    if args.profile:
        info = run_child(args.rows, None, profile=True)
        results["profile"] = info
        print(f"\nprofile run: wall {info['wall_s']:.2f} s, peak {info['peak_rss_mb']:.0f} MB; slowest statements:")
        for seconds, label in info["profile"][:20]:
            print(f"  {seconds:7.3f} s  {label[:200]}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
