"""Where a run's plan executes. The planner writes DuckDB-dialect SQL; a backend runs it.

DuckDB (`duckdb.py`) runs everything in the embedded connection. Spark (`spark.py`) keeps the DuckDB
connection as the planning catalogue (inputs read and typed, plan-time queries) and runs the rule
plans that produce the ledger on a SparkSession, rendered with SQLGlot (`spark_sql.py`).
"""

from __future__ import annotations

from typing import ContextManager, Protocol

from tanso.diagnostics import TansoError

BACKENDS = ("duckdb", "spark")


class BackendUnavailable(TansoError):
    """The chosen backend cannot start here (e.g. Spark without Java or without pyspark)."""

    exit_code = 69   # sysexits EX_UNAVAILABLE


class BackendFailure(TansoError):
    """The backend refused or failed a statement of the plan; the message names the rule."""

    exit_code = 2


class Backend(Protocol):
    label: str   # what the manifest records as the run's backend

    def define(self, con, statement: str) -> None:
        """Run `CREATE OR REPLACE VIEW|TABLE name AS SELECT …`, a relation of the plan."""

    def ledger_rows(self, con, relation: str) -> ContextManager[str]:
        """A relation of the DuckDB connection holding the rows of a rule's ledger (`relation`), in any
        order, with the types DuckDB gives it, valid inside the context: the ledger writer sorts and
        writes it (run/ledger.py)."""


def open_backend(name: str, spark_master: str | None = None) -> Backend:
    if name == "duckdb":
        from tanso.backends.duckdb import DuckDBBackend
        return DuckDBBackend()
    if name == "spark":
        from tanso.backends.spark import SparkBackend
        return SparkBackend(spark_master)
    raise BackendUnavailable(f"unknown backend '{name}'; one of {', '.join(BACKENDS)}")
