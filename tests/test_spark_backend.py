"""`--backend spark`: the same plan on Spark (local[2]) gives the same bytes and digests as DuckDB.

Real Spark, no mock: one SparkSession for the whole module (the backend reuses the process's session),
two shuffle partitions, UI off, and TINY_DATA's settings. Skipped only where Java is missing; CI installs
Java (.ci/run), so there they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tanso.backends.spark_sql import to_spark
from tanso.compare import compare
from tanso.plan.sql import MACROS
from tanso.run import evaluate, export, prepare
from conftest import factor_rows, write_csv
from test_data_folder import portable_case

REPO = Path(__file__).resolve().parents[1]
CURRENT = REPO / "rulesets" / "ghgp-current"
ACME_DATA = REPO / "examples" / "acme" / "data"
COMPARED_FILES = ("ledger.parquet", "ledger.csv", "summary.csv", "rejects.csv", "excluded.csv", "claims.csv",
                  "factors.csv")
# A revision with two changes, so that compare also evaluates scenarios (each change alone).
REVISION = {"gwp.set": "AR6", "boundary.approach": "equity_share"}

pytestmark = pytest.mark.spark
# One Spark session: under pytest-xdist (--dist loadgroup) the tests that use it run in one worker; the two that
# need no session run on either.
ONE_SESSION = pytest.mark.xdist_group("spark")
# The module's data are kilobytes and its JVM lives minutes, spent analysing and planning hundreds of small
# queries, not running them: no whole-stage code generation (a Janino compile per query), nor any generated
# code for single expressions and projections either (factoryMode, an internal setting Spark's own tests use
# to run every expression interpreted: a compile per projection costs more than a few rows evaluated), no
# adaptive re-planning, no constraint propagation (the optimiser's cost on deep plans), the JIT's quick tier
# only and one GC thread. Results are the same; measured on the example's evaluate on Spark (tests/README.md).
TINY_DATA = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN",
             "spark.sql.adaptive.enabled": "false", "spark.sql.constraintPropagation.enabled": "false",
             "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


@pytest.fixture(scope="module")
def spark():
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        if os.environ.get("CI"):
            pytest.fail("Java is missing; CI must install openjdk-17-jre-headless (see .ci/run)")
        pytest.skip("Java is not installed; the Spark tests run in CI")
    from tanso.backends.spark import spark_session
    return spark_session(settings=TINY_DATA)


def _compare(out: Path, backend: str):
    """compare(ghgp-current, ghgp-current with REVISION) on the example: its base run is the example's evaluate."""
    base, revised = prepare(CURRENT), prepare(CURRENT, overrides=REVISION)
    comparison = compare(base.ruleset, revised.ruleset, base.registry, ACME_DATA, out, backend=backend)
    for run, folder in ((comparison.base, "base"), (comparison.revised, "revised")):
        export(run, out / folder, "csv")
    base.registry.reporters["compare-json"].write(comparison, out / "comparison.json")
    return comparison


@pytest.fixture(scope="module")
def compared(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    return {backend: (_compare(root / backend, backend), root / backend) for backend in ("duckdb", "spark")}


@ONE_SESSION
def test_the_example_evaluates_to_the_same_bytes_and_digest_on_spark(compared):
    (duck, duck_out), (on_spark, spark_out) = compared["duckdb"], compared["spark"]
    assert on_spark.base.manifest["backend"].startswith("spark ")
    assert "s2.market" in on_spark.base.manifest["rules"]
    assert on_spark.base.digest == duck.base.digest
    for name in COMPARED_FILES:
        assert (spark_out / "base" / name).read_bytes() == (duck_out / "base" / name).read_bytes(), name


@ONE_SESSION
def test_compare_on_spark_gives_the_same_digests_and_comparison(compared):
    (duck, duck_out), (on_spark, spark_out) = compared["duckdb"], compared["spark"]
    assert on_spark.revised.digest == duck.revised.digest
    assert on_spark.scenarios_evaluated == duck.scenarios_evaluated > 2   # scenarios beyond base and revised
    assert (spark_out / "comparison.json").read_bytes() == (duck_out / "comparison.json").read_bytes()
    assert json.loads((spark_out / "comparison.json").read_text())["changes"]


@ONE_SESSION
def test_the_benchmark_data_evaluates_to_the_same_digest_and_ledger_bytes_on_spark(spark, tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import run as bench
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    data = bench.generate(5_000, tmp_path / "data")
    prepared = prepare(bench.RULESET)
    duck, on_spark = (evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, tmp_path / backend,
                               backend=backend) for backend in ("duckdb", "spark"))
    assert on_spark.rejects_count == duck.rejects_count > 0    # the generator's rows with no factor
    assert on_spark.ledger_rows == duck.ledger_rows > 5_000    # 1-3 gases a row
    assert on_spark.digest == duck.digest
    assert on_spark.ledger_path.read_bytes() == duck.ledger_path.read_bytes()


@ONE_SESSION
def test_spark_through_a_symlinked_data_folder_gives_duckdbs_digest_and_reasons(spark, tmp_path):
    """Reject reasons and findings name files under the data folder on both backends (test_data_folder.py)."""
    ruleset, data = portable_case(tmp_path / "case")
    (tmp_path / "link").symlink_to(data, target_is_directory=True)
    prepared = prepare(ruleset)
    duck, on_spark = (evaluate(prepared.ruleset, prepared.registry, prepared.graph, folder, tmp_path / backend,
                               backend=backend) for folder, backend in ((data, "duckdb"), (tmp_path / "link", "spark")))
    assert on_spark.digest == duck.digest
    assert on_spark.checks == duck.checks and on_spark.checks[0]["findings"]
    for run, backend in ((duck, "duckdb"), (on_spark, "spark")):
        export(run, tmp_path / backend / "csv", "csv")
    assert (tmp_path / "spark/csv/rejects.csv").read_bytes() == (tmp_path / "duckdb/csv/rejects.csv").read_bytes()
    assert b"fuel/2025-02.csv row 1: " in (tmp_path / "spark/csv/rejects.csv").read_bytes()


@ONE_SESSION
def test_rows_placed_in_the_reporting_period_are_the_same_on_spark(spark, tmp_path):
    """Months, a year, days as text and as dates, unreadable periods (tests/rulesets/fiscal-year): the placement
    SQL (regular expressions, TRY_CAST, comparisons) gives Spark DuckDB's ledger, rejects and exclusions."""
    data = tmp_path / "data"
    write_csv(data / "fuel_use.csv", [
        {"row_id": f"F{i}", "entity": "ACME-JP", "period": period, "fuel": "natural_gas", "use": "stationary",
         "quantity": "100", "unit": "m3"}
        for i, period in enumerate(["2025-03", "2025-04", "2025", "2026-03-31", "2026-02-30", "Q1 2025", ""])])
    write_csv(data / "fuel_deliveries.csv", [{"row_id": "D1", "delivered": "2026-03-31", "fuel": "natural_gas",
                                              "quantity": "5", "unit": "m3"},
                                             {"row_id": "D2", "delivered": "2026-04-01", "fuel": "natural_gas",
                                              "quantity": "7", "unit": "m3"}])
    write_csv(data / "factors" / "fuels.csv", factor_rows([{"factor_id": "T-GAS-CO2", "fuel": "natural_gas",
                                                            "gas": "CO2", "value": "2", "unit": "kg", "per": "m3"}]))
    prepared = prepare(REPO / "tests" / "rulesets" / "fiscal-year")
    duck, on_spark = (evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, tmp_path / backend,
                               backend=backend) for backend in ("duckdb", "spark"))
    assert (on_spark.ledger_rows, on_spark.rejects_count, on_spark.excluded_count) == (3, 4, 2)
    assert on_spark.digest == duck.digest
    for run, backend in ((duck, "duckdb"), (on_spark, "spark")):
        export(run, tmp_path / backend / "csv", "csv")
    for name in ("ledger.csv", "rejects.csv", "excluded.csv"):
        assert (tmp_path / "spark/csv" / name).read_bytes() == (tmp_path / "duckdb/csv" / name).read_bytes(), name


# A column of each type DuckDB gives a staged snapshot (an input, a factor table, a plan-time table).
STAGED_TYPES = {"text": "'a'", "decimal": "1.5::DECIMAL(18,6)", "wide": "1.5::DECIMAL(38,10)", "int": "1::INTEGER",
                "big": "1::BIGINT", "huge": "1::HUGEINT", "small": "1::SMALLINT", "tiny": "1::TINYINT",
                "double": "1.5::DOUBLE", "real": "1.5::REAL", "flag": "true", "day": "DATE '2025-01-01'",
                "local": "TIMESTAMP '2025-01-01 01:00'", "zoned": "TIMESTAMPTZ '2025-01-01 01:00+00'", "blob": "'a'::BLOB",
                "nothing": "NULL", "unsigned": "1::UINTEGER", "list": "[1, 2]"}


@ONE_SESSION
@pytest.mark.parametrize("column", STAGED_TYPES)
def test_a_staged_snapshot_is_read_with_the_schema_spark_infers(spark, tmp_path, column):
    """The driver reads a snapshot's schema from its footer instead of Spark's inference job: the same types."""
    from tanso.backends.spark import _spark_schema
    path = tmp_path / "snapshot.parquet"
    duckdb.connect().execute(f"COPY (SELECT {STAGED_TYPES[column]} AS {column}) TO '{path}' (FORMAT parquet)")
    given = _spark_schema(path)
    assert given is None if column in ("nothing", "unsigned", "list") else given == spark.read.parquet(str(path)).schema


@ONE_SESSION
@pytest.mark.parametrize("numerator, denominator", [
    ("1", "3"), ("2", "3"), ("-2", "3"), ("0.0000025", "1"), ("0.0000035", "1"), ("-0.0000025", "1"),
    ("123456789.345678", "0.000007"), ("7", "-2"), ("1", "0")])
def test_exact_division_rounds_half_even_as_duckdb(spark, numerator, denominator):
    query = (f"SELECT tanso_divide(CAST({numerator} AS DECIMAL(38,6)), CAST({denominator} AS DECIMAL(38,6))) AS q, "
             f"round_even(CAST({numerator} AS DECIMAL(38,7)), 6) AS r")
    con = duckdb.connect()
    for macro in MACROS:
        con.execute(macro)
    expected = con.execute(query).fetchall()[0]
    row = spark.sql(to_spark(query, lambda name: name)).collect()[0]
    assert (row.q, row.r) == expected
    assert expected[0] is None or isinstance(expected[0], Decimal)


def test_without_java_the_cli_says_so_and_exits_69(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    environment["PATH"] = str(Path(sys.executable).parent)   # python, and no java
    environment["PYTHONPATH"] = os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins")])
    done = subprocess.run([sys.executable, "-c", "from tanso.cli import main; main()", "evaluate", str(CURRENT),
                           "--data", str(ACME_DATA), "--backend", "spark"], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert done.returncode == 69, done.stderr
    assert "needs Java" in done.stderr and "Traceback" not in done.stderr


def test_a_spark_run_starts_with_tansos_own_lines_not_the_jvms_log(tmp_path):
    """An incomplete run says so first (README): Spark's start-up log would push that line off the screen."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins")])}
    environment.pop("TANSO_SPARK_LOG_LEVEL", None)

    def tanso(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from tanso.cli import main; main()", *arguments], cwd=tmp_path,
                              capture_output=True, text=True, env=environment, timeout=300)
    assert tanso("init", "project").returncode == 0
    fuel = tmp_path / "project" / "data" / "fuel_use.csv"
    fuel.write_text(fuel.read_text() + "F9,HQ,2025-03,diesel,mobile,lots,l\n")
    done = tanso("evaluate", "project/ruleset", "--data", "project/data", "--out", "out", "--backend", "spark")
    assert done.returncode == 5, done.stderr
    assert done.stdout.startswith("INCOMPLETE: 1 input row rejected")
    jvm = [line for line in done.stderr.splitlines() if "Using incubator modules" not in line]   # the JVM's own
    assert len(jvm) == 1 and jvm[0].startswith("error: totals incomplete"), done.stderr


def test_a_staging_path_that_cannot_be_made_is_refused_before_spark_starts(tmp_path, monkeypatch):
    from tanso.backends import BackendUnavailable
    from tanso.backends.spark import SparkBackend
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("TANSO_SPARK_STAGING", str(tmp_path / "a-file" / "staging"))
    with pytest.raises(BackendUnavailable, match="TANSO_SPARK_STAGING=.*cannot make a staging folder there"):
        SparkBackend()
