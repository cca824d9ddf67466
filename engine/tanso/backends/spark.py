"""Spark: the rule plans that produce the ledger run on a SparkSession; DuckDB stays the catalogue.

What runs where (also in README.md, "Running on Spark"):
- DuckDB: reading and typing the input and factor files (the readers), plan-time queries of the
  calculators (distinct units, effective factors), and — after the ledger is written — rejects,
  exclusions, conservation, summary, metrics and the digest, which read the ledger Parquet.
- Spark: the relations the planner defines (`define`: the rules' views and tables, rendered by
  `spark_sql.to_spark`) that the ledger's rows read, and those rows (`ledger_rows`): each rule's rows
  are written by the executors as Parquet into the staging folder (never collected to the driver: a
  1M-row ledger exhausted its heap), and the engine's ledger writer reads them from there (DuckDB sorts
  them) as it reads DuckDB's own rows, so the ledger's bytes and the digest are the same on both backends.
A relation the plan reads but did not define (an input's valid rows, a factor table, a plan-time table a
calculator registered) is handed to Spark once as a Parquet snapshot written by DuckDB into a staging
folder (`TANSO_SPARK_STAGING`, default the system's temporary folder: on a cluster it must be a
filesystem path the driver and every executor read and write, e.g. a shared mount). Each backend
stages into a folder of its own there, removed when the run's backend is released.

A relation the plan defines becomes a Spark view when a Spark query first reads it (the ledger's rows,
or a relation they read): what only DuckDB reads (rejects, exclusions, claims) is never analysed nor run
by Spark. A TABLE is then computed once by Spark and checkpointed: its readers' plans start at its
stored rows. A Spark view is inlined into every plan that reads it, and `cache()` does not cut that: s2.market's tier chain (each tier's rows are the earlier
tiers' rejects) grew to a 1.2M-character logical plan whose analysis, optimisation and 10 MiB task
binaries took 6.5 minutes on the example and, with the other rules, exhausted the driver's heap. A local
checkpoint (rows kept by the executors, memory then disk) measured 4x faster than staging each table as
Parquet; on a cluster the executors must therefore live for the whole run.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import sqlglot
from sqlglot import exp

from tanso.backends import BackendFailure, BackendUnavailable
from tanso.backends.spark_sql import to_spark
from tanso.plan.sql import ident, literal
from tanso.scratch import owned_folder

DEFAULT_MASTER = "local[2]"
JAVA_OPTIONS = "spark.driver.extraJavaOptions"
# Exact decimals (measurements.md): with precision loss allowed Spark rounds wide products to scale 6.
SETTINGS = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.driver.memory": os.environ.get("TANSO_SPARK_DRIVER_MEMORY", "2g"),
    "spark.ui.showConsoleProgress": "false",
    # A failure reaches the user as one line naming the rule (BackendFailure), not as JVM log output: the
    # JVM's log is off from its start (spark-log4j2.properties), unless TANSO_SPARK_LOG_LEVEL asks for it.
    JAVA_OPTIONS: (f"-Dlog4j2.configurationFile={Path(__file__).with_name('spark-log4j2.properties').as_uri()} "
                   f"-Dtanso.spark.log.level={os.environ.get('TANSO_SPARK_LOG_LEVEL', 'OFF')}"),
}
LOCAL_SETTINGS = {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"}
_backends = itertools.count(1)   # one namespace of temporary views per backend in the process's one SparkSession


def spark_session(master: str | None = None, settings: dict[str, str] | None = None):
    """The process's SparkSession (created once; later calls reuse it, whatever their master). `settings`
    add to SETTINGS where the caller knows its data (the test suite's are tiny); the first call's JVM
    options stay, later calls' SQL settings apply to the session."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BackendUnavailable("--backend spark needs pyspark: pip install 'tanso[spark]'") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise BackendUnavailable("--backend spark needs Java 17 or later (java on PATH, or JAVA_HOME); "
                                 "e.g. apt-get install openjdk-17-jre-headless")
    master = master or os.environ.get("TANSO_SPARK_MASTER") or DEFAULT_MASTER
    builder = SparkSession.builder.appName("tanso").master(master)
    local = LOCAL_SETTINGS if master.startswith("local") else {}
    chosen = {**SETTINGS, **local, **(settings or {})}
    chosen[JAVA_OPTIONS] = " ".join(dict.fromkeys(options[JAVA_OPTIONS] for options in (SETTINGS, settings or {})
                                                  if JAVA_OPTIONS in options))   # the caller's add to ours
    for key, value in chosen.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM did not start: no usable Java, or the master is unreachable
        raise BackendUnavailable(f"Spark did not start (master {master}): {_first_line(error)}") from None
    return session


class SparkBackend:
    def __init__(self, master: str | None = None):
        staging = os.environ.get("TANSO_SPARK_STAGING")
        try:   # before the JVM starts: a wrong path is said at once
            if staging:
                Path(staging).mkdir(parents=True, exist_ok=True)
            # Owned (tanso/scratch.py): a killed run's staging folder is removed by a later run.
            folder = owned_folder("spark", staging or None)
        except OSError as error:
            raise BackendUnavailable(f"TANSO_SPARK_STAGING={staging}: cannot make a staging folder there "
                                     f"({error.strerror or error})") from None
        self._staging = Path(folder.name)
        weakref.finalize(self, folder.cleanup)   # at the end of the run, or of the process
        self.spark = spark_session(master)
        self.label = f"spark {self.spark.version} ({self.spark.sparkContext.master}), duckdb {duckdb.__version__} catalogue"
        self._prefix = f"t{next(_backends)}"
        self._versions = itertools.count(1)
        self._views: dict[tuple[str, str], str] = {}   # (DuckDB schema or "temp", name) → Spark view
        self._unmade: dict[str, _Unmade] = {}          # Spark view → its definition, until a Spark query reads it

    def define(self, con, statement: str) -> None:
        """The relation in DuckDB (the catalogue plan-time queries read) and, rendered for Spark, kept to be
        made a Spark temporary view when a Spark query first reads it (`_make`): the rejects, exclusions and
        claims DuckDB computes from the catalogue are never analysed nor run by Spark. Its reads are bound now,
        to the versions of the relations they name at this point of the plan."""
        con.execute(statement)
        create = sqlglot.parse_one(statement, read="duckdb")
        if not isinstance(create, exp.Create) or create.args.get("kind") not in ("VIEW", "TABLE"):
            raise BackendFailure(f"not a relation definition: {statement[:80]}")
        name = create.this.name
        sql, reads = self._rendered(con, create.expression)
        schema = _current_schema(con)
        view = f"{self._prefix}_{next(self._versions)}_{_safe(schema)}__{_safe(name)}"
        self._unmade[view] = _Unmade(name, sql, reads, table=create.args["kind"] == "TABLE")
        self._views[schema, name] = view

    @contextlib.contextmanager
    def ledger_rows(self, con, relation: str) -> Iterator[str]:
        """The relation's rows, written by Spark's executors (a file per partition) into the staging folder,
        which they can write on a cluster too, and read back by DuckDB cast to the types DuckDB gives the
        same relation; never collected to the driver. The files are removed when the writer is done."""
        folder = Path(tempfile.mkdtemp(prefix="ledger-", dir=self._staging))
        try:
            try:
                self._frame(con, f"SELECT * FROM {relation}").write.mode("overwrite").parquet(str(folder))
            except BackendFailure:
                raise
            except Exception as error:
                raise BackendFailure(f"Spark failed: {_first_line(error)}") from None
            columns = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
            if any(folder.glob("*.parquet")):
                casts = ", ".join(f"CAST({ident(name)} AS {kind}) AS {ident(name)}" for name, kind, *_ in columns)
                yield f"(SELECT {casts} FROM read_parquet({literal(str(folder / '*.parquet'))}))"
            else:   # no rows: Spark may write no file at all
                yield f"(SELECT * FROM {relation} LIMIT 0)"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _staged(self, frame, name: str):
        """The table's rows, computed now; readers' plans start here (see the module's docstring)."""
        try:
            return frame.localCheckpoint(eager=True)
        except Exception as error:
            raise BackendFailure(f"Spark failed computing {name}: {_first_line(error)}") from None

    def _frame(self, con, query: str):
        """The query's DataFrame, the views it reads made first."""
        sql, reads = self._rendered(con, query)
        for view in reads:
            self._make(view)
        return self._analysed(sql)

    def _rendered(self, con, query: str | exp.Expression) -> tuple[str, list[str]]:
        """The query as Spark SQL and the Spark views it reads."""
        reads: list[str] = []

        def view(name: str) -> str:
            reads.append(self._view(con, name))
            return reads[-1]
        try:
            return to_spark(query, view), reads
        except BackendFailure:
            raise
        except Exception as error:   # NotPortable, SQLGlot's …
            raise BackendFailure(f"Spark refused the plan: {_first_line(error)}") from None

    def _make(self, view: str) -> None:
        """The Spark view of a defined relation, made once, after the views it reads; a TABLE computed now
        (`_staged`), so that its readers share its work as they do in DuckDB."""
        unmade = self._unmade.pop(view, None)
        if unmade is None:   # made already, or a staged snapshot
            return
        for read in unmade.reads:
            self._make(read)
        frame = self._analysed(unmade.sql)
        if unmade.table:
            frame = self._staged(frame, unmade.name)
        frame.createOrReplaceTempView(view)

    def _analysed(self, sql: str):
        try:
            return self.spark.sql(sql)
        except Exception as error:   # pyspark's AnalysisException, a Py4J error from the JVM …
            raise BackendFailure(f"Spark refused the plan: {_first_line(error)}") from None

    def _view(self, con, name: str) -> str:
        """The Spark view of a relation the query reads: one the plan defined in the current schema, else a
        Parquet snapshot of DuckDB's relation (an input, a factor table, a registered plan-time table)."""
        schema = _current_schema(con)
        if (schema, name) in self._views:
            return self._views[schema, name]
        temporary = con.execute(
            "SELECT count(*) FROM (SELECT table_name AS name FROM duckdb_tables() WHERE temporary UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE temporary) WHERE name = ?", [name]).fetchall()[0][0]
        key = ("temp" if temporary else schema, name)
        if key not in self._views:
            view = f"{self._prefix}_{next(self._versions)}_{_safe(key[0])}__{_safe(name)}"
            path = self._staging / f"{view}.parquet"
            con.execute(f"COPY (SELECT * FROM {name}) TO {literal(str(path))} (FORMAT parquet)").fetchall()
            reader = self.spark.read
            schema = _spark_schema(path)
            if schema is not None:
                reader = reader.schema(schema)
            reader.parquet(str(path)).createOrReplaceTempView(view)
            self._views[key] = view
        return self._views[key]


@dataclass
class _Unmade:
    """A relation of the plan as Spark SQL over the Spark views it reads, not yet a view itself."""
    name: str
    sql: str
    reads: list[str]
    table: bool


def _spark_schema(path: Path):
    """The schema Spark infers from the snapshot's footer, read here by the driver, which wrote it (Spark's own
    inference runs a job per file, ~0.1 s of the JVM's CPU: an evaluate of the example stages ~100); None where a
    column is of a type not mapped here (unsigned, nested, NULL …): Spark then infers it."""
    import pyarrow.parquet as pq
    from pyspark.sql.pandas.types import from_arrow_type
    from pyspark.sql.types import StructField, StructType
    arrow = pq.read_schema(path)
    if not all(_same_in_spark(field.type) for field in arrow):
        return None
    # Every column nullable, and timestamps without a zone TIMESTAMP_NTZ, as Spark infers them.
    return StructType([StructField(field.name, from_arrow_type(field.type, prefer_timestamp_ntz=True), True)
                       for field in arrow])


def _same_in_spark(kind) -> bool:
    """An Arrow type that `from_arrow_type` maps as Spark's Parquet schema inference does (tests/test_spark_backend.py)."""
    import pyarrow as pa
    return (pa.types.is_string(kind) or pa.types.is_boolean(kind) or pa.types.is_signed_integer(kind)
            or kind in (pa.float32(), pa.float64()) or pa.types.is_decimal128(kind) or pa.types.is_date32(kind)
            or pa.types.is_binary(kind) or (pa.types.is_timestamp(kind) and kind.unit == "us"))


def _current_schema(con) -> str:
    # fetchall, not fetchone: an unfinished result blocks DuckDB's con.register (a reader's next call).
    return con.execute("SELECT current_schema()").fetchall()[0][0]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
