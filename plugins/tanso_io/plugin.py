"""The built-in readers: CSV, Parquet, Excel (.xlsx), JSON (records, JSON lines) and PACT product
footprints (.pact.json); and the publishers' factor file layouts `tanso factors import` converts
(`tanso_io.loaders`).

Each reader exposes `_row`, the 1-based data row of the file (a PACT file: the footprint; a JSON
document: the record; JSON lines: the line), for messages. Nested fields (Parquet structs, JSON
objects) are columns named by their dotted path, as BigQuery's schemas name them
(`carbon_footprint_kgCO2e.scope1`).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tanso import hookimpl
from tanso.contracts import FactorLayout, Reader
from tanso.diagnostics import InputError
from tanso.plan.sql import ident, literal
from tanso_io.csv_reader import register_csv
from tanso_io.json_reader import register_json
from tanso_io.loaders import LAYOUTS
from tanso_io.pact import register_pact
from tanso_io.xlsx import register_xlsx


def _fail(path: Path, error: Exception) -> InputError:
    message = str(error).split("\n\n")[0].strip()
    return InputError(f"{path}: cannot be read: {message}")


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
        raise InputError(f"{path}: cannot be read as Parquet: {str(error).splitlines()[0]}") from None
    columns = [item for field in schema for item in _flattened(field)]
    names = [name for name, _ in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{path}: column {', '.join(repr(n) for n in repeated)} appears more than once (a column "
                         f"and a struct field's dotted path name the same column)")
    listing = ", ".join(f"{sql} AS {ident(name)}" for name, sql in columns)
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {relation} AS SELECT file_row_number + 1 AS _row, {listing} "
                    f"FROM read_parquet({literal(str(path))}, file_row_number = true)")
        con.execute(f"SELECT * FROM {relation} LIMIT 0").fetchall()
    except duckdb.Error as error:
        raise _fail(path, error) from None


@hookimpl
def tanso_readers():
    return [
        Reader(format="csv", suffixes=(".csv",), register=register_csv, options=("encoding", "numbers", "dates")),
        Reader(format="parquet", suffixes=(".parquet",), register=register_parquet, options=("numbers", "dates")),
        Reader(format="xlsx", suffixes=(".xlsx",), register=register_xlsx),
        Reader(format="pact", suffixes=(".pact.json",), register=register_pact),
        Reader(format="json", suffixes=(".json", ".jsonl", ".ndjson"), register=register_json),
    ]


@hookimpl
def tanso_factor_layouts():
    common = {"path", "out_path", "publisher", "edition", "licence", "version"}
    return [FactorLayout(name=name.replace("_", "-"), convert=convert,
                         doc=" ".join(inspect.getmodule(convert).__doc__.split("\n\n")[0].split()),
                         options=tuple(p for p in inspect.signature(convert).parameters if p not in common))
            for name, convert in LAYOUTS.items()]
