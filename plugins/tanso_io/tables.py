"""Hand a table parsed in Python (a format DuckDB cannot read itself) to the backend in one step."""

from __future__ import annotations

import pyarrow as pa

from tanso.diagnostics import InputError
from tanso.i18n import t
from tanso_io import messages  # noqa: F401  (registers the words of the file problems below)


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


def refuse_case_twins(names: list[str], where: str) -> None:
    """Header names that differ only in case are one name to the backend: refused, naming both."""
    seen: dict[str, str] = {}
    for name in names:
        twin = seen.setdefault(name.casefold(), name)
        if twin != name:
            raise InputError(t("file.case_twins", where=where, twin=repr(twin), name=repr(name)))


def refuse_reserved_names(names: list[str], where: str) -> None:
    """The columns a reader adds (`_row`, `_problem`) cannot be the file's own."""
    reserved = [n for n in names if n.casefold() in ("_row", "_problem")]
    if reserved:
        raise InputError(t("file.reserved", where=where, name=repr(reserved[0])))
