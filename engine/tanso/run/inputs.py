"""Read input and factor files into typed relations; bad rows become rejects with a reason.

A file that cannot be used at all (missing, unreadable, a declared column absent) is an `InputError`
naming the file and column. A row that does not fit its declared schema (non-numeric quantity,
missing or duplicate row id) is rejected with file, row and column in the reason, never dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tanso.diagnostics import InputError
from tanso.dsl import ast
from tanso.plan.context import FactorTable
from tanso.plan.sql import column_type, ident, literal
from tanso.plugins import Registry

FACTOR_COLUMNS = ("factor_id", "gas", "value", "unit", "per", "publisher", "edition", "licence")
FACTOR_VALUE_TYPE = "DECIMAL(28,12)"


@dataclass(frozen=True)
class LoadedInput:
    name: str
    file: Path
    relation: str          # valid rows: _row, _row_id, declared columns
    rejects: str           # rows refused while reading: row_id, input_row, reason
    sha256: str
    rows: int              # rows in the file
    rejected: int          # of which refused while reading


def find_file(data_dir: Path, name: str, registry: Registry) -> Path | None:
    for reader in registry.readers.values():
        for suffix in reader.suffixes:
            candidate = data_dir / f"{name}{suffix}"
            if candidate.exists():
                return candidate
    return None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _register(con, registry: Registry, path: Path, relation: str):
    reader = registry.reader_for(path)
    if reader is None:
        raise InputError(f"{path}: no reader for this kind of file (readers: "
                         f"{', '.join(sorted(s for r in registry.readers.values() for s in r.suffixes))})")
    reader.register(con, path, relation)
    return reader, {row[0]: row[1] for row in con.execute(f"DESCRIBE {relation}").fetchall()}


def load_input(con, registry: Registry, table: ast.InputTable, data_dir: Path) -> LoadedInput:
    path = find_file(data_dir, table.name, registry)
    if path is None:
        suffixes = sorted(s for r in registry.readers.values() for s in r.suffixes)
        raise InputError(f"input '{table.name}': no file {data_dir / table.name}{{{','.join(suffixes)}}} "
                         f"(declared at {table.span})")
    raw = f"raw__{table.name}"
    reader, present = _register(con, registry, path, raw)
    missing = [c for c in ([table.key] if table.key else []) + [c.name for c in table.columns] if c not in present]
    if missing:
        raise InputError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"(declared for input '{table.name}' at {table.span}); the file has: "
                         f"{', '.join(c for c in present if c != '_row')}")
    key = table.key
    typed_cols, problems = [], []
    if key is not None:
        problems.append(f"WHEN {ident(key)} IS NULL OR trim(CAST({ident(key)} AS VARCHAR)) = '' "
                        f"THEN 'column {key}: the row id is missing'")
    for column in table.columns:
        sql_type = column_type(column)
        if present[column.name].upper() == sql_type:  # native and already as declared (Parquet): nothing to check
            typed_cols.append(ident(column.name))
            continue
        typed_cols.append(f"TRY_CAST({ident(column.name)} AS {sql_type}) AS {ident(column.name)}")
        what = {"decimal": "a number", "integer": "a whole number", "date": "a date (YYYY-MM-DD)",
                "boolean": "true or false"}.get(column.type_name)
        if what:
            problems.append(
                f"WHEN {ident(column.name)} IS NOT NULL AND TRY_CAST({ident(column.name)} AS {sql_type}) IS NULL "
                f"THEN 'column {column.name}: ' || {_quoted(column.name)} || ' is not {what}'")
        if column.type_name == "decimal" and present[column.name].upper() == "VARCHAR":
            scale = sql_type.split(",")[1].rstrip(")")
            problems.append(
                f"WHEN TRY_CAST({ident(column.name)} AS DECIMAL(38,18)) <> TRY_CAST({ident(column.name)} AS {sql_type}) "
                f"THEN 'column {column.name}: ' || {_quoted(column.name)} || ' has more than {scale} decimal places'")
    row_id = f"CAST({ident(key)} AS VARCHAR)" if key else "CAST(_row AS VARCHAR)"
    if key and key not in {c.name for c in table.columns}:  # the key is a text column of the table too
        typed_cols.insert(0, f"{row_id} AS {ident(key)}")
    problem = f"CASE {' '.join(problems)} END" if problems else "CAST(NULL AS VARCHAR)"
    typed = f"typed__{table.name}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {typed} AS SELECT _row, {row_id} AS _row_id, {', '.join(typed_cols)}, "
                f"{problem} AS _problem FROM {raw}")

    # One pass finds out whether anything is wrong at all; a clean file then skips every check, and a
    # file whose valid rows have distinct ids skips the duplicate search.
    distinct_ids = "count(DISTINCT _row_id)" if key is not None else "count(*)"
    total, bad, distinct = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _problem IS NOT NULL), {distinct_ids} FILTER (WHERE _problem IS NULL) "
        f"FROM {typed}").fetchone()
    valid, rejects = f"input__{table.name}", f"input_rejects__{table.name}"
    where = f"{literal(str(path))} || ' row ' || CAST(_row AS VARCHAR) || ': '"
    if distinct == total - bad:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {valid} AS SELECT * EXCLUDE (_problem) FROM {typed}"
                    + (" WHERE _problem IS NULL" if bad else ""))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rejects} AS SELECT _row_id AS row_id, _row AS input_row, "
                    f"CAST({where} || _problem AS VARCHAR) AS reason FROM {typed} WHERE _problem IS NOT NULL"
                    if bad else f"CREATE OR REPLACE TEMP TABLE {rejects} (row_id VARCHAR, input_row BIGINT, reason VARCHAR)")
        return LoadedInput(table.name, path, valid, rejects, file_digest(path), total, bad)

    duplicates = f"dups__{table.name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {duplicates} AS SELECT _row_id, "
                f"string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS rows FROM {typed} "
                f"WHERE _problem IS NULL GROUP BY _row_id HAVING count(*) > 1")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {valid} AS SELECT * EXCLUDE (_problem) FROM {typed} t "
                f"WHERE _problem IS NULL AND NOT EXISTS (SELECT 1 FROM {duplicates} d WHERE d._row_id = t._row_id)")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {rejects} AS
        SELECT _row_id AS row_id, _row AS input_row, {where} || _problem AS reason FROM {typed} WHERE _problem IS NOT NULL
        UNION ALL
        SELECT t._row_id, t._row, {where.replace('_row', 't._row')} || 'column {key}: duplicate row id ''' || t._row_id
               || ''' (rows ' || d.rows || ')' FROM {typed} t JOIN {duplicates} d ON d._row_id = t._row_id
        WHERE t._problem IS NULL""")
    rejected = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    return LoadedInput(table.name, path, valid, rejects, file_digest(path), total, rejected)


def _quoted(column: str) -> str:
    return f"'''' || CAST({ident(column)} AS VARCHAR) || ''''"


def load_factor_set(con, registry: Registry, name: str, path: Path, provenance: dict[str, str]) -> FactorTable:
    """Load a factor file; unlike activity data, a factor file with a bad value is unusable."""
    if not path.exists():
        raise InputError(f"factor set '{name}': no file {path}")
    raw = f"raw_factors__{name}"
    _, present = _register(con, registry, path, raw)
    missing = [c for c in FACTOR_COLUMNS if c not in present]
    if missing:
        raise InputError(f"{path}: factor set '{name}' lacks column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)}; a factor file has {', '.join(FACTOR_COLUMNS)} plus the columns "
                         f"to match on (and optionally version, source)")
    bad = con.execute(f"SELECT _row, value FROM {raw} WHERE value IS NULL OR TRY_CAST(value AS {FACTOR_VALUE_TYPE}) "
                      f"IS NULL OR TRY_CAST(value AS DECIMAL(38,18)) <> TRY_CAST(value AS {FACTOR_VALUE_TYPE}) "
                      f"ORDER BY _row LIMIT 3").fetchall()
    if bad:
        shown = "; ".join(f"row {r}: {v!r}" for r, v in bad)
        raise InputError(f"{path}: column value must be a number with at most 12 decimal places ({shown})")
    relation = f"factors__{name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * REPLACE "
                f"(CAST(value AS {FACTOR_VALUE_TYPE}) AS value) FROM {raw}")
    found = _provenance(con, relation)
    version = provenance.get("version") or file_digest(path)[:12]
    columns = tuple(c for c in present if c != "_row")
    return FactorTable(name=name, relation=relation, columns=columns, version=version,
                       publisher=provenance.get("publisher") or found["publisher"],
                       edition=provenance.get("edition") or found["edition"],
                       licence=provenance.get("licence") or found["licence"], source_file=str(path))


def _provenance(con, relation: str, shown: int = 3) -> dict[str, str]:
    """The set's publisher, edition and licence: the file's one value each, or its distinct values
    (a file of several suppliers' footprints has several publishers; the first alone would hide them)."""
    names = ("publisher", "edition", "licence")
    aggregates = ", ".join(f"coalesce(list_sort(list_distinct(list(CAST({c} AS VARCHAR)))), [])" for c in names)
    lists = con.execute(f"SELECT {aggregates} FROM {relation}").fetchone()
    return {name: "; ".join(values[:shown]) + (f"; and {len(values) - shown} more" if len(values) > shown else "")
            for name, values in zip(names, lists)}
