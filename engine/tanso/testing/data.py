"""A case's data folder: the base data folder linked, the given rows written as CSV (under the
input's own headers and encoding), and every declared input neither gives as an empty table."""

from __future__ import annotations

import csv
import difflib
import os
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from tanso.testing.files import CaseSpec, display

FACTOR_PROVENANCE = ("publisher", "edition", "licence")

_registry = None


def shared_registry():
    """The installed plugins, loaded once per process: every case of every file uses the same."""
    global _registry
    if _registry is None:
        from tanso.plugins import load_registry
        _registry = load_registry()
    return _registry


def as_text(value: Any) -> str:
    """A YAML value as CSV and `--set` text: exact decimals, true/false, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]], declared=None) -> None:
    """Rows as a CSV file; for an input (`declared`), under the file's own column names and in its encoding."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in list(path.parent.iterdir()):  # the base may hold name.parquet: the given rows win
        if stale.stem == path.stem and (stale.is_file() or stale.is_symlink()):
            stale.unlink()  # a link to the base file: the base itself is never written
    headers = {c.name: c.header for c in declared.columns} | {declared.key: declared.key_header} if declared else {}
    with path.open("w", newline="", encoding=(declared and declared.encoding) or "utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([headers.get(column, column) for column in columns])
        for row in rows:
            writer.writerow([as_text(row.get(column)) for column in columns])


def _link_tree(source: Path, target: Path) -> None:
    """The base data folder, as links to its files (copies where links are not possible)."""
    def link(src: str, dst: str) -> None:
        try:
            os.symlink(os.path.abspath(src), dst)
        except OSError:
            shutil.copy2(src, dst)
    shutil.copytree(source, target, copy_function=link)


def reading_given_tables(ruleset, given: dict[str, Any], base: Path | None):
    """Given rows are written as CSV: a factor set declared in another format (a PACT file, a workbook)
    reads them from a CSV of the same name instead, and so does an input declared with `file "…"`,
    `sheet`, `sheets` or `header row` that the case gives or the base data folder does not hold (its rows, or an
    empty table, are `NAME.csv`, which has no sheet to choose)."""
    from tanso.run.input_files import input_files
    moved = {name: replace(declared, file=Path(declared.file).with_suffix(".csv").as_posix(), sheet=None)
             for name, declared in ruleset.factor_sets.items()
             if name in given and not declared.file.lower().endswith(".csv")}
    registry = shared_registry()
    located = (declared for declared in ruleset.inputs.values()
               if declared.file is not None or declared.sheet is not None or declared.header_row is not None
               or declared.sheets is not None)
    inputs = {declared.name: replace(declared, file=None, sheet=None, header_row=None, sheets=None)
              for declared in located
              if declared.name in given or base is None or not base.is_dir()
              or not input_files(base, declared, registry)}
    if not moved and not inputs:
        return ruleset
    return replace(ruleset, factor_sets={**ruleset.factor_sets, **moved}, inputs={**ruleset.inputs, **inputs})


def build_data(spec: CaseSpec, ruleset, data_dir: Path) -> list[str]:
    """Write the case's data folder; return problems with the given tables (file:line)."""
    from tanso.run.inputs import FACTOR_COLUMNS, find_file
    problems = []
    base = spec.data_path
    if base is not None:
        if not base.is_dir():
            return [f"{spec.where('data')}: data folder {display(base)} does not exist"]
        _link_tree(base, data_dir)
    else:
        data_dir.mkdir(parents=True)
    for table, rows in spec.model.given.items():
        if table in ruleset.inputs:
            declared = ruleset.inputs[table]
            columns = list(dict.fromkeys(([declared.key] if declared.key else []) + [c.name for c in declared.columns]))
            for index, row in enumerate(rows):
                unknown = [k for k in row if k not in columns]
                for key in unknown:
                    hint = difflib.get_close_matches(key, columns, n=1)
                    problems.append(f"{spec.where('given', table, index, key)}: given {table} row {index + 1}: "
                                    f"column '{key}' is not declared for input '{table}'"
                                    + (f" (did you mean '{hint[0]}'?)" if hint else "")
                                    + f"; declared: {', '.join(columns)}")
            _write_csv(data_dir / f"{table}.csv", columns, rows, declared)
        elif table in ruleset.factor_sets:
            columns = list(dict.fromkeys(k for row in rows for k in row))
            columns += [c for c in FACTOR_COLUMNS if c not in columns]
            filled = [{**{k: "test" for k in FACTOR_PROVENANCE}, **row} for row in rows]
            _write_csv(data_dir / ruleset.factor_sets[table].file, columns, filled)
        else:
            known = sorted([*ruleset.inputs, *ruleset.factor_sets])
            hint = difflib.get_close_matches(table, known, n=1)
            problems.append(f"{spec.where('given', table)}: given '{table}' is neither an input nor a factor set of "
                            f"the ruleset" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                            + f"; it has: {', '.join(known)}")
    registry = shared_registry()
    for name, declared in ruleset.inputs.items():  # neither given nor in the base: an empty table
        if name not in spec.model.given and find_file(data_dir, name, registry) is None:
            columns = list(dict.fromkeys(([declared.key] if declared.key else []) + [c.name for c in declared.columns]))
            _write_csv(data_dir / f"{name}.csv", columns, [], declared)
    return problems
