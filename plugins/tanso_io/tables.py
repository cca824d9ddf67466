"""Hand a table parsed in Python (a format DuckDB cannot read itself) to the backend in one step."""

from __future__ import annotations

import pyarrow as pa


def register_table(con, relation: str, table: pa.Table) -> None:
    """Create the temp table `relation` from an Arrow table (a copy, so the Arrow memory can go)."""
    staging = f"{relation}__arrow"
    con.register(staging, table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * FROM {staging}")
    finally:
        con.unregister(staging)


def text_table(header: list[str], rows: list[tuple[int, list[str | None]]]) -> pa.Table:
    """`_row` (BIGINT) then the header's columns as text, from (row number, values) pairs."""
    columns = list(zip(*(values for _, values in rows))) or [()] * len(header)
    arrays = [pa.array([number for number, _ in rows], pa.int64()), *(pa.array(c, pa.string()) for c in columns)]
    return pa.Table.from_arrays(arrays, names=["_row", *header])
