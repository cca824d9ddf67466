"""The embedded default: every statement of the plan runs in the run's DuckDB connection."""

from __future__ import annotations

import duckdb
import pyarrow as pa


class DuckDBBackend:
    label = f"duckdb {duckdb.__version__}"

    def define(self, con, statement: str) -> None:
        con.execute(statement)

    def batches(self, con, query: str, batch_rows: int) -> pa.RecordBatchReader:
        return con.sql(query).to_arrow_reader(batch_rows)
