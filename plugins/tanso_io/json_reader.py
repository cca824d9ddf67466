"""JSON files: one record per row, nested objects flattened to dotted column names.

Layouts, as cloud providers deliver them:

- a JSON array of records, or a response object whose `value` is one (the Azure Resource Manager
  convention, e.g. Azure carbon optimization's `carbonEmissionReports` pages);
- JSON lines (`.jsonl`, `.ndjson`, or a `.json` file of one object per line, as BigQuery exports
  NEWLINE_DELIMITED_JSON): row *n* is line *n*; a line that is not a JSON object is a reject naming its
  row, and the other lines are read.

A nested object's fields are columns named by their path: `{"carbon_footprint_kgCO2e": {"scope2":
{"market_based": 1.5}}}` gives `carbon_footprint_kgCO2e.scope2.market_based`. A list stays one
column, as its JSON text. Every value is read as text as written (a number keeps its digits, `true`
/ `false` their word, `null` or an absent field is empty); the engine types it against the
declaration. A record that names a field twice is a reject. The file is UTF-8 (RFC 8259).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tanso.diagnostics import InputError
from tanso.i18n import t
from tanso.reasons import reason_text
from tanso_io import messages  # noqa: F401  (registers the words of the file problems below)
from tanso_io.tables import register_table, text_table

LINES_SUFFIXES = (".jsonl", ".ndjson")
PROBLEM = "_problem"


class _Repeated(ValueError):
    """A field named twice in one object (json.loads would keep the last one without a word): `kind` is
    `field_twice` or `field_and_path`, said of a row (`reason.row.<kind>`) or of the file (`file.<kind>`)."""

    def __init__(self, kind: str, **values: str):
        super().__init__(kind)
        self.kind, self.values = kind, values

    def of_row(self) -> str:
        return reason_text(f"row.{self.kind}", **self.values)

    def of_file(self, path: Path) -> str:
        return t(f"file.{self.kind}", path=path, **self.values)


class _Problem(str):
    """A row that could not be read, with why."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise _Repeated("field_twice", names=", ".join(repr(n) for n in repeated))
    return dict(pairs)


def _parse(text: str) -> Any:
    """Numbers are kept as written: a JSON number's digits are its value, not a float's."""
    return json.loads(text, object_pairs_hook=_object, parse_float=str, parse_int=str, parse_constant=str)


def _flatten(record: dict[str, Any], prefix: str, out: dict[str, str | None]) -> None:
    for name, value in record.items():
        column = f"{prefix}{name}"
        if isinstance(value, dict):
            _flatten(value, f"{column}.", out)
            continue
        if column in out:
            raise _Repeated("field_and_path", column=repr(column))
        if value is None or isinstance(value, str):
            out[column] = value
        elif isinstance(value, bool):
            out[column] = "true" if value else "false"
        else:   # a list: its JSON text
            out[column] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _records_of_document(document: Any, path: Path) -> list[tuple[int, Any]]:
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        document = document["value"]
    elif isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise InputError(t("file.not_records", path=path))
    return [(number, record) for number, record in enumerate(document, start=1)]


def _records_of_lines(text: str) -> list[tuple[int, Any]]:
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            records.append((number, _Problem(reason_text("row.json_blank"))))
            continue
        try:
            records.append((number, _parse(line)))
        except _Repeated as problem:
            records.append((number, _Problem(problem.of_row())))
        except ValueError as error:
            records.append((number, _Problem(reason_text("row.not_json", error=str(error).split(":")[0]))))
    return records


def read_json(path: Path) -> tuple[list[str], list[tuple[int, list[str | None]]]]:
    """(columns, [(row, values)]) with the last column `_problem`."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(t("file.not_utf8", path=path, at=error.start, byte=f"{error.object[error.start]:02x}")) from None
    if not text.strip():
        raise InputError(t("file.no_record", path=path))
    as_lines = path.name.lower().endswith(LINES_SUFFIXES)
    records = None
    if not as_lines:
        try:
            records = _records_of_document(_parse(text), path)
        except _Repeated as problem:
            raise InputError(problem.of_file(path)) from None
        except ValueError as error:
            if not all(line.lstrip().startswith("{") for line in text.splitlines() if line.strip()):
                raise InputError(t("file.not_json", path=path, error=error)) from None
    if records is None:
        records = _records_of_lines(text)
    columns: dict[str, None] = {}
    flat: list[tuple[int, dict[str, str | None] | str]] = []
    for number, record in records:
        if isinstance(record, _Problem):
            flat.append((number, str(record)))
            continue
        if not isinstance(record, dict):
            flat.append((number, reason_text("row.not_object")))
            continue
        values: dict[str, str | None] = {}
        try:
            _flatten(record, "", values)
        except _Repeated as problem:
            flat.append((number, problem.of_row()))
            continue
        columns.update(dict.fromkeys(values))
        flat.append((number, values))
    if PROBLEM in columns:
        raise InputError(t("file.field_reserved", path=path, name=PROBLEM))
    header = [*columns, PROBLEM]
    rows = [(number, [None] * len(columns) + [values]) if isinstance(values, str)
            else (number, [values.get(c) for c in columns] + [None]) for number, values in flat]
    return header, rows


def register_json(con, path: Path, relation: str) -> None:
    header, rows = read_json(path)
    register_table(con, relation, text_table(header, rows))
