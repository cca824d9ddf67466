"""The embedded default: every statement of the plan runs in the run's DuckDB connection."""

from __future__ import annotations

import contextlib
from typing import Iterator

import duckdb


class DuckDBBackend:
    label = f"duckdb {duckdb.__version__}"

    def define(self, con, statement: str) -> None:
        con.execute(statement)

    @contextlib.contextmanager
    def ledger_rows(self, con, relation: str) -> Iterator[str]:
        yield relation
