"""Why is tanso's ledger COPY slower than the baseline's? Same connection, materialised inputs, per-column-set COPY.

    .venv/bin/python benchmarks/write_cost.py --rows 1000000
"""
import argparse, statistics, sys, time
from pathlib import Path
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import BASELINE_SQL, RULESET, data_dir  # noqa: E402

p = argparse.ArgumentParser(); p.add_argument("--rows", type=int, default=1_000_000); a = p.parse_args()
from tanso.run import evaluate, prepare
pr = prepare(RULESET)
res = evaluate(pr.ruleset, pr.registry, pr.graph, data_dir(a.rows), HERE / "out" / "write-cost")
con = res.connection
folder = data_dir(a.rows)
for st in [s for s in BASELINE_SQL.format(factors=folder / "factors" / "fuels.parquet", activities=folder / "activities.parquet",
                                          lineage=HERE / "out" / "write-cost" / "b.parquet").split(";") if s.strip()][:2]:
    con.execute(st)
con.execute("CREATE TEMP TABLE base_tbl AS SELECT * FROM product")
con.execute("CREATE TEMP TABLE eng_tbl AS SELECT * FROM read_parquet('%s')" % (HERE / "out" / "write-cost" / "ledger.parquet"))
print("engine ledger types:", con.execute("SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE eng_tbl)").fetchone()[0])
print("baseline types:     ", con.execute("SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE base_tbl)").fetchone()[0])
def t(label, q):
    xs = []
    for _ in range(3):
        s = time.perf_counter()
        con.execute(f"COPY ({q}) TO '{HERE / 'out' / 'write-cost' / 'x.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
        xs.append(time.perf_counter() - s)
    size = (HERE / 'out' / 'write-cost' / 'x.parquet').stat().st_size / 1e6
    print(f"  {statistics.median(xs):6.3f} s  {size:7.1f} MB  {label}", flush=True)
t("baseline table, all 21 columns", "SELECT * FROM base_tbl")
t("engine table, all 24 columns", "SELECT * FROM eng_tbl")
t("engine table, 21 baseline columns", "SELECT * EXCLUDE (basis, boundary_weight, gross_co2e_kg) FROM eng_tbl")
t("engine table, ordered like baseline (by file order)", "SELECT * FROM eng_tbl ORDER BY input_row, gas")
t("baseline table, without rule_source/input_table/calculator/factor_set/... constants", "SELECT row_id, input_row, entity, period, gas, amount, co2e_kg, quantity, quantity_unit, factor_id, gwp FROM base_tbl")
t("engine table, without constants", "SELECT row_id, input_row, entity, period, gas, amount, co2e_kg, quantity, quantity_unit, factor_id, gwp FROM eng_tbl")
t("engine table, only row_id", "SELECT row_id FROM eng_tbl")
t("baseline table, only row_id", "SELECT row_id FROM base_tbl")
t("engine table, only decimals", "SELECT amount, gross_co2e_kg, co2e_kg, quantity FROM eng_tbl")
t("baseline table, only decimals", "SELECT amount, co2e_kg, quantity FROM base_tbl")
