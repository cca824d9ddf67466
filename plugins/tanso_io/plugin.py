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

from tanso import hookimpl
from tanso.contracts import FactorLayout, Reader, on_first_call
from tanso_io import reasons  # noqa: F401  (registers why a row is not read, by code, for every report)


@hookimpl
def tanso_readers():
    # Each reader's module (DuckDB, Arrow, calamine) is imported when it first reads a file.
    return [
        Reader(format="csv", suffixes=(".csv",), register=on_first_call("tanso_io.csv_reader:register_csv"),
               options=("encoding", "numbers", "dates", "header_row")),
        Reader(format="parquet", suffixes=(".parquet",), register=on_first_call("tanso_io.parquet:register_parquet"),
               options=("numbers", "dates")),
        Reader(format="xlsx", suffixes=(".xlsx", ".xlsm"), register=on_first_call("tanso_io.xlsx:register_xlsx"),
               options=("sheet", "header_row", "first_sheet"), sheet_names=on_first_call("tanso_io.xlsx:sheet_names")),
        Reader(format="pact", suffixes=(".pact.json",), register=on_first_call("tanso_io.pact:register_pact")),
        Reader(format="json", suffixes=(".json", ".jsonl", ".ndjson"),
               register=on_first_call("tanso_io.json_reader:register_json")),
    ]


@hookimpl
def tanso_factor_layouts():
    from tanso_io.loaders import LAYOUTS
    common = {"path", "out_path", "publisher", "edition", "licence", "version"}
    return [FactorLayout(name=name.replace("_", "-"), convert=convert,
                         doc=" ".join(inspect.getmodule(convert).__doc__.split("\n\n")[0].split()),
                         options=tuple(p for p in inspect.signature(convert).parameters if p not in common))
            for name, convert in LAYOUTS.items()]
