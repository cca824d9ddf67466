"""The built-in readers: CSV, Parquet, Excel (.xlsx) and PACT product footprints (.pact.json); and the
publishers' factor file layouts `tanso factors import` converts (`tanso_io.loaders`).

Each reader exposes `_row`, the 1-based data row of the file (a PACT file: the footprint), for messages.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import duckdb

from tanso import hookimpl
from tanso.contracts import FactorLayout, Reader
from tanso.diagnostics import InputError
from tanso.plan.sql import literal
from tanso_io.csv_reader import register_csv
from tanso_io.loaders import LAYOUTS
from tanso_io.pact import register_pact
from tanso_io.xlsx import register_xlsx


def _fail(path: Path, error: Exception) -> InputError:
    message = str(error).split("\n\n")[0].strip()
    return InputError(f"{path}: cannot be read: {message}")


def register_parquet(con, path: Path, relation: str, numbers: str | None = None) -> None:
    """String columns keep the file's own text, so the engine reads their numbers by `numbers`."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {relation} AS SELECT file_row_number + 1 AS _row, "
                    f"* EXCLUDE (file_row_number) FROM read_parquet({literal(str(path))}, file_row_number = true)")
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
    ]


@hookimpl
def tanso_factor_layouts():
    common = {"path", "out_path", "publisher", "edition", "licence", "version"}
    return [FactorLayout(name=name.replace("_", "-"), convert=convert,
                         doc=" ".join(inspect.getmodule(convert).__doc__.split("\n\n")[0].split()),
                         options=tuple(p for p in inspect.signature(convert).parameters if p not in common))
            for name, convert in LAYOUTS.items()]
