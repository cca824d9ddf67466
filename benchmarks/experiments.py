"""Ablations behind the suggestions in benchmarks/README.md: run tanso once, then time variants of its
statements on the same connection (same data, same threads). Engine files are not modified.

    .venv/bin/python benchmarks/experiments.py --rows 1000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import RULESET, data_dir, generate  # noqa: E402


def timed(con, sql: str, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    generate(args.rows)
    from tanso.run import evaluate, prepare
    prepared = prepare(RULESET)
    out = HERE / "out" / f"experiments-{args.rows}"
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data_dir(args.rows), out)
    con = result.connection
    ledger_sql = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'rule_ledger__s1_combustion'").fetchone()[0]
    calc_sql = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'ledger__s1_combustion_0'").fetchone()[0]
    print("calculator ledger view:\n", calc_sql, "\n", file=sys.stderr)
    eff = con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'plan_%eff'").fetchone()[0]
    tmp = out / "variant.parquet"
    copy = "COPY ({q}) TO '" + str(tmp) + "' (FORMAT parquet, COMPRESSION zstd)"
    agg = "SELECT count(*), sum(co2e_kg) FROM ({q})"

    BW = "CAST(1 AS DECIMAL(5,4)) AS _boundary_weight, CAST(NULL AS VARCHAR) AS _boundary_reason"
    # Source variants: the engine's src view vs the same rows without parts of the typing/validation.
    con.execute("CREATE TEMP VIEW v_src_nodups AS SELECT * EXCLUDE (_problem), " + BW + " FROM typed__activities WHERE _problem IS NULL")
    con.execute("CREATE TEMP VIEW v_src_raw AS SELECT _row, row_id AS _row_id, entity, period, fuel, quantity, unit, " + BW + " "
                "FROM raw__activities")
    con.execute("CREATE TEMP TABLE v_src_table AS SELECT * FROM src__s1_combustion")
    variants = {
        "engine src view (typed + dup anti-join)": "src__s1_combustion",
        "typed view, no dup anti-join": "v_src_nodups",
        "raw parquet view (no TRY_CAST/CASE, no dups)": "v_src_raw",
        "src materialised as a temp table first": "v_src_table",
    }
    inner = calc_sql.split(" AS ", 1)[1] if calc_sql.upper().startswith("CREATE") else calc_sql
    inner = inner.rstrip(";")
    print(f"{'variant':60s}{'compute s':>11s}{'compute+COPY s':>16s}")
    for label, src in variants.items():
        q = inner.replace("src__s1_combustion", src)
        print(f"{label:60s}{timed(con, agg.format(q=q)):11.3f}{timed(con, copy.format(q=q), 1):16.3f}", flush=True)
    engine_union = "SELECT * FROM rule_ledger__s1_combustion"
    print(f"{'engine COPY of rule_ledger (all ledger columns)':60s}{timed(con, agg.format(q=engine_union)):11.3f}"
          f"{timed(con, copy.format(q=engine_union), 1):16.3f}")

    cols = [r[0] for r in con.execute("DESCRIBE SELECT * FROM rule_ledger__s1_combustion").fetchall()]
    print(f"engine ledger columns ({len(cols)}): {', '.join(cols)}")
    base_cols = "rule_id, rule_source, scope, category, input_table, calculator, row_id, input_row, entity, period, gas, amount, co2e_kg, quantity, quantity_unit, factor_id, factor_set, factor_version, gwp, method, data_type"
    q = f"SELECT {base_cols} FROM rule_ledger__s1_combustion"
    print(f"{'engine rule_ledger, only the 21 baseline columns':60s}{timed(con, agg.format(q=q)):11.3f}{timed(con, copy.format(q=q), 1):16.3f}")
    q = "SELECT * FROM v_eng_tbl"
    con.execute("CREATE TEMP TABLE v_eng_tbl AS SELECT * FROM rule_ledger__s1_combustion")
    print(f"{'engine rule_ledger materialised first (COPY of a table only)':60s}{timed(con, agg.format(q=q)):11.3f}{timed(con, copy.format(q=q), 1):16.3f}")
    q = f"SELECT {base_cols} FROM v_eng_tbl"
    print(f"{'  same, only the 21 baseline columns':60s}{timed(con, agg.format(q=q)):11.3f}{timed(con, copy.format(q=q), 1):16.3f}")
    print("\nstatement variants (median of 3):")
    rows = [
        ("dups: engine (typed view, string_agg ORDER BY _row)",
         "SELECT _row_id, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS rows FROM typed__activities "
         "WHERE _problem IS NULL GROUP BY _row_id HAVING count(*) > 1"),
        ("dups: GROUP BY row_id HAVING count(*)>1 on raw, no string_agg",
         "SELECT row_id FROM raw__activities GROUP BY row_id HAVING count(*) > 1"),
        ("dups: count(*) = count(DISTINCT row_id) pre-check on raw",
         "SELECT count(*) = count(DISTINCT row_id) FROM raw__activities"),
        ("conservation: count(*) of src view (re-runs typing + anti-join)", "SELECT count(*) FROM src__s1_combustion"),
        ("conservation: count(*) of input view", "SELECT count(*) FROM input__activities"),
        ("conservation: count(DISTINCT input_row) from ledger parquet",
         "SELECT rule_id, count(DISTINCT input_row) FROM run_ledger GROUP BY rule_id"),
        ("conservation: count(DISTINCT row_id) from ledger parquet",
         "SELECT rule_id, count(DISTINCT row_id) FROM run_ledger GROUP BY rule_id"),
        ("summary: engine (count(DISTINCT row_id) per group)",
         "SELECT scope, category, rule_id, entity, period, sum(co2e_kg), count(DISTINCT row_id) FROM run_ledger "
         "GROUP BY ALL ORDER BY ALL"),
        ("summary: sum only",
         "SELECT scope, category, rule_id, entity, period, sum(co2e_kg), count(*) FROM run_ledger GROUP BY ALL ORDER BY ALL"),
        ("digest: engine hash fingerprint over ledger parquet",
         "SELECT count(*), sum(co2e_kg), sum(amount), sum(hash(row_id, rule_id, gas, co2e_kg, factor_id) % 1000000007) "
         "FROM run_ledger"),
        ("rejects: engine rejects query (LEFT JOIN src × distinct keys)",
         con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'rejects__s1_combustion_0'").fetchone()[0]
         and f"SELECT count(*) FROM rejects__s1_combustion_0"),
    ]
    for label, sql in rows:
        print(f"  {timed(con, sql):7.3f} s  {label}", flush=True)

    # The rejects statement is a CREATE TABLE AS: re-time its SELECT (taken from the profile's text).
    rejects_select = f"""
WITH bad AS (SELECT s.* FROM src__s1_combustion s LEFT JOIN (SELECT DISTINCT k0, from_unit FROM {eff}) a
             ON CAST(s."fuel" AS VARCHAR) = a.k0 AND s."unit" = a.from_unit
             WHERE a.from_unit IS NULL OR s."quantity" IS NULL OR s."quantity" < 0)
SELECT count(*) FROM bad"""
    print(f"  {timed(con, rejects_select):7.3f} s  rejects: anti-join src × eff keys (engine shape)")
    print(f"  {timed(con, rejects_select.replace('src__s1_combustion', 'v_src_raw')):7.3f} s  "
          f"rejects: same on raw parquet view")

    # Plan-time effective factors: Python Decimal loop (engine) vs the same in SQL.
    import tanso.plan.factor_product as fp
    rows_f = con.execute('SELECT "fuel", gas, value, unit, per, factor_id FROM factors__fuels ORDER BY ALL').fetchall()
    from tanso_ghgp.gwp import gas_weights
    weights = gas_weights(prepared.ruleset.policy("gwp.set"), ["CH4", "CO2", "N2O"])
    t = time.perf_counter()
    try:
        fp._effective_factors(rows_f, 1, ["MWh", "kWh"], weights)
        py_s = time.perf_counter() - t
    except (TypeError, AttributeError):   # it changes as the engine evolves (now plan/effective_factors.py);
        # see run.py --profile for the in-run figure
        py_s = float("nan")
    t = time.perf_counter()
    con.execute("""CREATE OR REPLACE TEMP TABLE eff_sql AS
        SELECT f.fuel, u.unit, f.gas, f.factor_id,
               CAST(f.value * u.scale * m.scale AS DECIMAL(38,12)) AS gas_factor,
               CAST(f.value * u.scale * m.scale * w.gwp AS DECIMAL(38,12)) AS co2e_factor
        FROM factors__fuels f
        JOIN (VALUES ('kWh', 1::DECIMAL(18,6)), ('MWh', 1000::DECIMAL(18,6))) u(unit, scale) ON f.per = 'kWh'
        JOIN (VALUES ('kg', 1::DECIMAL(18,6)), ('g', 0.001::DECIMAL(18,6))) m(unit, scale) ON m.unit = f.unit
        JOIN (VALUES ('CO2', 1), ('CH4', 28), ('N2O', 265)) w(gas, gwp) ON w.gas = f.gas""")
    sql_s = time.perf_counter() - t
    print(f"\neffective factors for {len(rows_f):,} factor rows × 2 units: Python Decimal loop {py_s:.3f} s, "
          f"SQL join on per-unit scalars {sql_s:.3f} s")


if __name__ == "__main__":
    main()
