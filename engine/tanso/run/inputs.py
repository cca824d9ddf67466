"""Read input and factor files into typed relations; bad rows become rejects with a reason.

A file that cannot be used at all (missing, unreadable, a declared column absent) is an `InputError`
naming the file and column. A row that does not fit its declared schema (non-numeric quantity,
missing or duplicate row id) is rejected with file, row and column in the reason, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tanso.diagnostics import InputError
from tanso.dsl import ast
from tanso.model.formats import NumberFormat, number_format
from tanso.plan.context import FactorTable
from tanso.plan.sql import column_type, ident, literal
from tanso.plugins import Registry
from tanso.run.input_files import (GZIP_SUFFIX, Part, described_location, file_digest, input_files, parts_digest,
                                   reader_for, register_parts)

FACTOR_COLUMNS = ("factor_id", "gas", "value", "unit", "per", "publisher", "edition", "licence")
FACTOR_VALUE_TYPE = "DECIMAL(28,12)"


@dataclass(frozen=True)
class LoadedInput:
    name: str
    file: Path             # the file, or for several parts the pattern under the data folder
    relation: str          # valid rows: _row, _row_id, declared columns
    rejects: str           # rows refused while reading: row_id, input_row, reason, problem (reason without the place)
    sha256: str            # of the file; of several parts, see `input_files.parts_digest`
    rows: int              # rows in the file (in all its parts)
    rejected: int          # of which refused while reading
    typed: str = ""        # every row: _row, _row_id, the declared columns (NULL where refused), _problem
    columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()   # conversions made while reading (e.g. a Parquet float column read as decimals)
    parts: tuple[Part, ...] = ()  # the files read, each with the input rows it holds

    def place_sql(self, row: str) -> str:
        return place_sql(self.file, self.parts, row)

    def locate(self, row: int) -> tuple[Path, int]:
        """The file and its own row of input row `row`."""
        for part in self.parts:
            if row < part.first_row + part.rows:
                return part.file, row - part.first_row + 1
        return self.file, row


def place_sql(file: Path, parts: tuple[Part, ...], row: str) -> str:
    """SQL text naming the file and row of input row `row` (an SQL expression): 'FILE row N', the part's
    own row where the input has several parts."""
    if len(parts) <= 1:
        return f"{literal(str(file))} || ' row ' || CAST({row} AS VARCHAR)"
    cases = " ".join(f"WHEN {row} < {p.first_row + p.rows} THEN {literal(str(p.file) + ' row ')} || "
                     f"CAST({row} - {p.first_row - 1} AS VARCHAR)" for p in parts)
    return f"(CASE {cases} END)"


def find_file(data_dir: Path, name: str, registry: Registry) -> Path | None:
    """The file `name<suffix>` (or `.gz` of it) of the data folder, for an input declared without `file`."""
    found = input_files(data_dir, ast.InputTable(name, None, None, (), ast.Span("", 0, 0, 0, 0)), registry)
    return found[0] if found else None


def _register(con, registry: Registry, path: Path, relation: str, options: dict | None = None):
    reader = reader_for(registry, path)
    accepted = {k: v for k, v in (options or {}).items() if k in getattr(reader, "options", ()) and v is not None}
    reader.register(con, path, relation, **accepted)
    return reader, {row[0]: row[1] for row in con.execute(f"DESCRIBE {relation}").fetchall()}


def _register_input(con, registry: Registry, table: ast.InputTable, data_dir: Path, relation: str):
    """The input's files registered as one relation: (reader, column types, display path, parts)."""
    paths = input_files(data_dir, table, registry)
    if not paths:
        raise InputError(f"input '{table.name}': {described_location(data_dir, table, registry)} "
                         f"(declared at {table.span})")
    options = {"encoding": table.encoding}
    single = paths[0]
    if len(paths) == 1 and not single.name.lower().endswith(GZIP_SUFFIX) and "=" not in str(single.parent):
        reader, present = _register(con, registry, single, relation, options)
        rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
        return reader, present, single, (Part(single, file_digest(single), rows),)
    reader, parts = register_parts(con, registry, data_dir, paths, relation,
                                   lambda path, name: _register(con, registry, path, name, options)[0])
    present = {row[0]: row[1] for row in con.execute(f"DESCRIBE {relation}").fetchall()}
    return reader, present, (single if len(paths) == 1 else data_dir / (table.file or single.name)), parts


# What a text value of each type may look like (after the input's number format is undone). Anything
# else is rejected with the reason: DuckDB's own casts accept more ('2.5' -> BIGINT 3, '0x10', '1_000',
# '2025-01-05T10:00' -> DATE, 'infinity'), each a different value than the one written.
NUMBER_PATTERN = r"[+-]?[0-9]+(\.[0-9]+)?"
TRUE_WORDS, FALSE_WORDS = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")
_FLOATS = ("DOUBLE", "FLOAT", "REAL")
_PLAIN_HINT = (" (this input reads numbers as 1234.56; declare its format on the input, e.g. "
               "numbers \"1,234.56\" or numbers \"1.234,56\")")


def decimal_pattern(precision: int, scale: int) -> str:
    """A number that fits DECIMAL(precision, scale) exactly (trailing zeros beyond the scale allowed)."""
    whole = f"0*[0-9]{{1,{precision - scale}}}" if precision > scale else "0+"
    fraction = f"(\\.[0-9]{{1,{scale}}}0*)?" if scale else "(\\.0+)?"
    return f"[+-]?{whole}{fraction}"


def grouped_pattern(fmt: NumberFormat) -> str:
    group, decimal = re.escape(fmt.group), re.escape(fmt.decimal)
    whole = f"([0-9]{{1,3}}({group}[0-9]{{3}})+|[0-9]+)" if fmt.group else "[0-9]+"
    return f"[+-]?{whole}({decimal}[0-9]+)?"


def _typed_column(column: ast.Column, present: str, fmt: NumberFormat) -> tuple[str, list[str], str | None]:
    """The column's typed value (SQL), the WHEN ... THEN reason clauses that refuse a row, and a note for a
    conversion the file's native type needed."""
    name, sql_type, kind = ident(column.name), column_type(column), present.upper()
    label = f"column {column.name}: "
    raw = f"'''' || CAST({name} AS VARCHAR) || ''''"
    if kind == sql_type:      # native and already as declared (Parquet): nothing to convert
        return name, [], None
    if column.type_name == "float":
        return _float_column(column, kind)
    native, note, text = kind != "VARCHAR", None, name
    if native:
        fmt = NumberFormat()
        text = f"CAST({name} AS VARCHAR)"
        if kind in _FLOATS and column.type_name in ("decimal", "integer"):
            text = f"CASE WHEN isfinite({name}) THEN CAST({name} AS VARCHAR) END"
            note = (f"column {column.name} is {present} (floating point) in the file, declared {column.type_name}: "
                    f"each value is read as the shortest decimal that is the same floating-point number, and "
                    f"refused where that has more decimal places than declared")
        else:
            note = (f"column {column.name} is {present} in the file, declared {column.type_name}: its values are "
                    f"read as their text ({'true/false' if kind == 'BOOLEAN' else 'exactly'}) and checked like text")
    if column.type_name == "text":
        return text, [], note
    t = f"nullif(trim({text}), '')"
    problems = []
    if column.type_name in ("decimal", "integer"):
        number = t
        if not fmt.plain:
            problems.append(f"WHEN {t} IS NOT NULL AND NOT regexp_full_match({t}, {literal(grouped_pattern(fmt))}) "
                            f"THEN '{label}' || {raw} || ' is not a number written as {fmt.example}'")
            number = f"replace({t}, {literal(fmt.group)}, '')" if fmt.group else t
            number = f"replace({number}, {literal(fmt.decimal)}, '.')" if fmt.decimal != "." else number
        hint = (f" || CASE WHEN strpos({t}, ',') > 0 THEN {literal(_PLAIN_HINT)} ELSE '' END"
                if fmt.plain and not native else "")
        if native and kind in _FLOATS:
            problems += [f"WHEN {name} IS NOT NULL AND NOT isfinite({name}) THEN '{label}' || {raw} || ' is not a number'",
                         f"WHEN strpos(lower({text}), 'e') > 0 THEN '{label}' || {raw} || ' is a floating-point "
                         f"number that only an exponent writes; store the column as a decimal'"]
        # One regex accepts a good value; only a refused one is looked at again for the reason.
        not_number = f"WHEN NOT regexp_full_match({number}, {literal(NUMBER_PATTERN)}) THEN '{label}' || {raw} || ' is not a number'{hint}"
        if column.type_name == "integer":
            fits = (f"regexp_full_match({number}, '[+-]?0*[0-9]{{1,18}}(\\.0+)?') OR (regexp_full_match({number}, "
                    f"'[+-]?0*[0-9]{{19}}(\\.0+)?') AND TRY_CAST({number} AS BIGINT) IS NOT NULL)")
            problems.append(
                f"WHEN {number} IS NOT NULL AND NOT ({fits}) THEN CASE {not_number} "
                f"WHEN NOT regexp_full_match({number}, '[+-]?[0-9]+(\\.0+)?') THEN '{label}' || {raw} || ' is not a whole number' "
                f"ELSE '{label}' || {raw} || ' is out of range for an integer' END")
            return f"TRY_CAST({number} AS BIGINT)", problems, note
        precision, scale = (int(x) for x in sql_type[len("DECIMAL("):-1].split(","))
        too_precise = f"[+-]?[0-9]+\\.[0-9]{{{scale}}}[0-9]*[1-9][0-9]*"
        problems.append(
            f"WHEN {number} IS NOT NULL AND NOT regexp_full_match({number}, {literal(decimal_pattern(precision, scale))}) "
            f"THEN CASE {not_number} WHEN regexp_full_match({number}, {literal(too_precise)}) "
            f"THEN '{label}' || {raw} || ' has more than {scale} decimal places' "
            f"ELSE '{label}' || {raw} || ' is out of range for decimal({precision},{scale}): at most "
            f"{precision - scale} digits before the decimal point' END")
        return f"TRY_CAST({number} AS {sql_type})", problems, note
    if column.type_name == "boolean":
        value = (f"CASE WHEN lower({t}) IN ({', '.join(map(literal, TRUE_WORDS))}) THEN TRUE "
                 f"WHEN lower({t}) IN ({', '.join(map(literal, FALSE_WORDS))}) THEN FALSE END")
        return value, [f"WHEN {t} IS NOT NULL AND ({value}) IS NULL THEN '{label}' || {raw} || ' is not a boolean "
                       f"(true or false)'"], note
    if column.type_name == "date":
        # Year 0000 is not a year of the calendar (DuckDB would read it as 1 BC).
        value = (f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND NOT starts_with({t}, '0000') "
                 f"THEN TRY_CAST({t} AS DATE) END")
        return value, [f"WHEN {t} IS NOT NULL AND ({value}) IS NULL THEN '{label}' || {raw} || ' is not a date "
                       f"(YYYY-MM-DD)'"], note
    return f"TRY_CAST({name} AS {sql_type})", [], note


# A binary floating-point number as text: digits with an optional point and exponent (1.5E-5), as cloud
# providers' exports write their estimates.
FLOAT_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def _float_column(column: ast.Column, kind: str) -> tuple[str, list[str], str | None]:
    """A `float` column: the IEEE double the file holds or writes. Native numbers are widened to DOUBLE;
    text must be a finite number, with an exponent or not (the input's number format does not apply)."""
    name, label = ident(column.name), f"column {column.name}: "
    if kind in _FLOATS or kind.startswith(("DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
                                            "UINTEGER", "USMALLINT", "UTINYINT")):
        note = None if kind in _FLOATS else (f"column {column.name} is {kind} in the file, declared float: "
                                             f"its values are read as the nearest double")
        return f"CAST({name} AS DOUBLE)", [], note
    t = f"nullif(trim(CAST({name} AS VARCHAR)), '')"
    raw = f"'''' || CAST({name} AS VARCHAR) || ''''"
    value = f"CASE WHEN regexp_full_match({t}, {literal(FLOAT_PATTERN)}) THEN TRY_CAST({t} AS DOUBLE) END"
    return value, [f"WHEN {t} IS NOT NULL AND NOT coalesce(isfinite({value}), FALSE) THEN '{label}' || {raw} || "
                   f"' is not a number (a float: digits, a point, an optional exponent such as 1.5E-5)'"], None


def _constraint_problems(column: ast.Column, value: str) -> list[str]:
    """WHEN ... THEN reason clauses for the column's declared constraints, on its typed value."""
    out = []
    label = f"column {column.name}: "
    shown = f"'''' || CAST({value} AS VARCHAR) || ''''"
    for constraint in column.constraints:
        said = constraint.describe().replace("'", "''")
        if constraint.kind == "required":
            empty = f" OR trim({value}) = ''" if column.type_name == "text" else ""
            out.append(f"WHEN {value} IS NULL{empty} THEN '{label}missing value (declared required)'")
        elif constraint.kind == "range":
            low, high = (literal(v) for v in constraint.values)
            out.append(f"WHEN {value} < {low} OR {value} > {high} THEN '{label}' || {shown} || ' is outside {said}'")
        elif constraint.kind == "compare":
            out.append(f"WHEN NOT ({value} {constraint.operator} {literal(constraint.values[0])}) "
                       f"THEN '{label}' || {shown} || ' is not {said}'")
        elif constraint.kind == "in":
            listing = ", ".join(literal(v) for v in constraint.values)
            out.append(f"WHEN {value} NOT IN ({listing}) THEN '{label}' || {shown} || ' is not one of the values "
                       f"declared: {said}'")
    return out


def load_input(con, registry: Registry, table: ast.InputTable, data_dir: Path) -> LoadedInput:
    raw = f"raw__{table.name}"
    reader, present, path, parts = _register_input(con, registry, table, data_dir, raw)
    reader_problem = "_problem" in present
    present = {k: v for k, v in present.items() if k != "_problem"}
    missing = [c for c in ([table.key] if table.key else []) + [c.name for c in table.columns] if c not in present]
    if missing:
        raise InputError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"(declared for input '{table.name}' at {table.span}); the file has: "
                         f"{', '.join(c for c in present if c != '_row')}")
    # The declared number format is how the file writes numbers as text: a reader that turns a format's own
    # numbers into text (Excel cells, Parquet) writes them plainly, so it applies to readers that say so.
    fmt = (number_format(table.numbers) or NumberFormat()) if "numbers" in getattr(reader, "options", ()) else NumberFormat()
    key = table.key
    typed_cols, problems, constraints, notes = [], [], [], []
    if reader_problem:
        problems.append("WHEN _problem IS NOT NULL THEN _problem")
    if key is not None:
        problems.append(f"WHEN {ident(key)} IS NULL OR trim(CAST({ident(key)} AS VARCHAR)) = '' "
                        f"THEN 'column {key}: missing value (the row id)'")
    for column in table.columns:
        value, column_problems, note = _typed_column(column, present[column.name], fmt)
        typed_cols.append(f"{value} AS {ident(column.name)}")
        problems += column_problems
        constraints += _constraint_problems(column, value)
        notes += [note] if note else []
    problems += constraints
    row_id = f"CAST({ident(key)} AS VARCHAR)" if key else "CAST(_row AS VARCHAR)"
    if key and key not in {c.name for c in table.columns}:  # the key is a text column of the table too
        typed_cols.insert(0, f"{row_id} AS {ident(key)}")
    problem = f"CASE {' '.join(problems)} END" if problems else "NULL"
    typed = f"typed__{table.name}"
    # Typed once, into a table: every rule, calculator and check reading the input reads the typed rows.
    con.execute(f"CREATE OR REPLACE TEMP TABLE {typed} AS SELECT _row, {row_id} AS _row_id, {', '.join(typed_cols)}, "
                f"CAST({problem} AS VARCHAR) AS _problem FROM {raw}")
    if con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = {literal(raw)}").fetchone()[0]:
        con.execute(f"DROP TABLE {raw}")
    columns = tuple(dict.fromkeys(([key] if key else []) + [c.name for c in table.columns]))

    # One pass finds out whether anything is wrong at all; a clean file then skips every check, and a
    # file whose valid rows have distinct ids skips the duplicate search.
    distinct_ids = "count(DISTINCT _row_id)" if key is not None else "count(*)"
    total, bad, distinct = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _problem IS NOT NULL), {distinct_ids} FILTER (WHERE _problem IS NULL) "
        f"FROM {typed}").fetchone()
    valid, rejects = f"input__{table.name}", f"input_rejects__{table.name}"
    loaded = dict(name=table.name, file=path, relation=valid, rejects=rejects, sha256=parts_digest(parts, data_dir),
                  rows=total, typed=typed, columns=columns, notes=tuple(notes), parts=parts)
    where = place_sql(path, parts, "_row") + " || ': '"
    if distinct == total - bad:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {valid} AS SELECT * EXCLUDE (_problem) FROM {typed}"
                    + (" WHERE _problem IS NULL" if bad else ""))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {rejects} AS SELECT _row_id AS row_id, _row AS input_row, "
                    f"CAST({where} || _problem AS VARCHAR) AS reason, _problem AS problem FROM {typed} "
                    f"WHERE _problem IS NOT NULL"
                    if bad else f"CREATE OR REPLACE TEMP TABLE {rejects} (row_id VARCHAR, input_row BIGINT, "
                                f"reason VARCHAR, problem VARCHAR)")
        return LoadedInput(**loaded, rejected=bad)

    duplicates = f"dups__{table.name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {duplicates} AS SELECT _row_id, "
                f"string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS rows FROM {typed} "
                f"WHERE _problem IS NULL GROUP BY _row_id HAVING count(*) > 1")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {valid} AS SELECT * EXCLUDE (_problem) FROM {typed} t "
                f"WHERE _problem IS NULL AND NOT EXISTS (SELECT 1 FROM {duplicates} d WHERE d._row_id = t._row_id)")
    duplicate = f"'column {key}: duplicate row id ''' || t._row_id || ''' (rows ' || d.rows || ')'"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {rejects} AS
        SELECT _row_id AS row_id, _row AS input_row, {where} || _problem AS reason, _problem AS problem FROM {typed}
        WHERE _problem IS NOT NULL
        UNION ALL
        SELECT t._row_id, t._row, {place_sql(path, parts, 't._row')} || ': ' || {duplicate}, {duplicate}
        FROM {typed} t JOIN {duplicates} d ON d._row_id = t._row_id
        WHERE t._problem IS NULL""")
    rejected = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    return LoadedInput(**loaded, rejected=rejected)


def load_factor_set(con, registry: Registry, name: str, path: Path, provenance: dict[str, str],
                    removals: bool = False) -> FactorTable:
    """Load a factor file; unlike activity data, a factor file with a bad value is unusable. A negative value
    (a removal) is one unless the set allows removals (`factors NAME file "..." allows removals`)."""
    if not path.exists():
        raise InputError(f"factor set '{name}': no file {path}")
    if path.name.lower().endswith(GZIP_SUFFIX):
        raise InputError(f"{path}: factor set '{name}' is read from an uncompressed file")
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
    if not removals:
        negative = con.execute(f"SELECT _row, value FROM {raw} WHERE CAST(value AS {FACTOR_VALUE_TYPE}) < 0 "
                               f"ORDER BY _row LIMIT 3").fetchall()
        if negative:
            shown = "; ".join(f"row {r}: {v}" for r, v in negative)
            raise InputError(f"{path}: factor set '{name}' has negative values ({shown}); a negative factor is a "
                             f"removal: declare the set with `allows removals` if it has them "
                             f"(factors {name} file \"...\" allows removals)")
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
