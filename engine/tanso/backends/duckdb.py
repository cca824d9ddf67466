"""The embedded default: every statement of the plan runs in the run's DuckDB connection."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from tanso.plan.sql import literal


class DuckDBBackend:
    label = f"duckdb {duckdb.__version__}"

    def define(self, con, statement: str) -> None:
        con.execute(statement)

    def stage_ledger(self, con, relation: str, scratch: Path) -> Path:
        """One file per thread, written in parallel; uncompressed, since they are read once and deleted.
        Without insertion order: the writer sorts, and DuckDB then need not buffer rows to keep it."""
        folder = Path(tempfile.mkdtemp(prefix="ledger-", dir=scratch))
        con.execute("SET preserve_insertion_order = false")
        try:
            con.execute(f"COPY (SELECT * FROM {relation}) TO {literal(str(folder))} "
                        f"(FORMAT parquet, COMPRESSION uncompressed, PER_THREAD_OUTPUT)")
        finally:
            con.execute("RESET preserve_insertion_order")
        return folder
