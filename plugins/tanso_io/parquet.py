"""The Parquet reader: a file's columns, a struct (BigQuery's RECORD) read as one column per field."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tanso.diagnostics import InputError
from tanso.i18n import t
from tanso.plan.sql import ident, literal
from tanso_io import messages  # noqa: F401  (registers the words of the file problems below)


def _fail(path: Path, error: Exception) -> InputError:
    message = str(error).split("\n\n")[0].strip()
    return InputError(t("file.unreadable", path=path, error=message))


def _flattened(field: pa.Field, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(dotted name, SQL) of a column, a struct's fields each as a column of their own (recursively)."""
    here = (*path, field.name)
    if pa.types.is_struct(field.type):
        return [item for child in field.type for item in _flattened(child, here)]
    sql = ident(here[0])
    for name in here[1:]:
        sql = f"struct_extract({sql}, {literal(name)})"
    return [(".".join(here), sql)]


def register_parquet(con, path: Path, relation: str, numbers: str | None = None) -> None:
    """String columns keep the file's own text, so the engine reads their numbers by `numbers`. A struct
    column (BigQuery's RECORD) is read as one column per field, named by its dotted path."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as error:
        raise InputError(t("file.not_parquet", path=path, error=str(error).splitlines()[0])) from None
    columns = [item for field in schema for item in _flattened(field)]
    names = [name for name, _ in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(t("file.dotted_twice", path=path, names=", ".join(repr(n) for n in repeated)))
    listing = ", ".join(f"{sql} AS {ident(name)}" for name, sql in columns)
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {relation} AS SELECT file_row_number + 1 AS _row, {listing} "
                    f"FROM read_parquet({literal(str(path))}, file_row_number = true)")
        con.execute(f"SELECT * FROM {relation} LIMIT 0").fetchall()
    except duckdb.OutOfMemoryException:
        raise   # the memory limit's, not the file's: the CLI says so
    except duckdb.Error as error:
        raise _fail(path, error) from None
