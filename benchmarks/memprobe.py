"""Peak memory of single steps at a given row count, each in its own process (ru_maxrss of that child).

    .venv/bin/python benchmarks/memprobe.py --rows 10000000
"""
import argparse, os, subprocess, sys, time
from pathlib import Path
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import RULESET, data_dir  # noqa: E402

PROBES = {
    "idle: python + duckdb + tanso imported": "pass",
    "tanso load_input (typed view + dups table: GROUP BY row_id, string_agg ORDER BY _row)": "load",
    "dups without string_agg: SELECT row_id FROM parquet GROUP BY row_id HAVING count(*) > 1": "dups_plain",
    "dups pre-check: count(*) = count(DISTINCT row_id)": "dups_distinct",
    "dups on a 64-bit hash: GROUP BY hash(row_id) HAVING count(*) > 1 (then resolve collisions)": "dups_hash",
    "summary with count(DISTINCT input_row) (BIGINT) instead of row_id": "summary_int",
    "engine-shape summary: count(DISTINCT row_id) per entity/period over a 20M-row ledger parquet": "summary",
}

def probe(kind, rows):
    import duckdb
    from tanso.run import prepare
    from tanso.run.inputs import load_input
    pr = prepare(RULESET)
    con = duckdb.connect()
    act = data_dir(rows) / "activities.parquet"
    t = time.perf_counter()
    if kind == "load":
        load_input(con, pr.registry, pr.ruleset.inputs["activities"], data_dir(rows))
    elif kind == "dups_plain":
        con.execute(f"SELECT row_id FROM read_parquet('{act}') GROUP BY row_id HAVING count(*) > 1").fetchall()
    elif kind == "dups_distinct":
        con.execute(f"SELECT count(*) = count(DISTINCT row_id) FROM read_parquet('{act}')").fetchall()
    elif kind == "dups_hash":
        con.execute(f"SELECT hash(row_id) AS h FROM read_parquet('{act}') GROUP BY h HAVING count(*) > 1").fetchall()
    elif kind == "summary_int":
        led = HERE / "out" / f"tanso-{rows}" / "ledger.parquet"
        con.execute(f"SELECT entity, period, sum(co2e_kg), count(DISTINCT input_row) FROM read_parquet('{led}') GROUP BY ALL").fetchall()
    elif kind == "summary":
        led = HERE / "out" / f"tanso-{rows}" / "ledger.parquet"
        con.execute(f"SELECT entity, period, sum(co2e_kg), count(DISTINCT row_id) FROM read_parquet('{led}') GROUP BY ALL").fetchall()
    print(f"{time.perf_counter() - t:.2f}")

if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("--rows", type=int, default=10_000_000); p.add_argument("--probe")
    a = p.parse_args()
    if a.probe:
        probe(a.probe, a.rows); sys.exit()
    only = os.environ.get("PROBES")
    for label, kind in PROBES.items():
        if only and kind not in only.split(","):
            continue
        proc = subprocess.Popen([sys.executable, __file__, "--rows", str(a.rows), "--probe", kind], stdout=subprocess.PIPE, text=True)
        out = proc.stdout.read().strip()
        _, status, usage = os.wait4(proc.pid, 0)
        print(f"  peak {usage.ru_maxrss / 1024:7.0f} MB  {out:>6s} s  {label}", flush=True)
