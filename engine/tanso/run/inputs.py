"""Read input and factor files into typed relations; bad rows become rejects with a reason.

A file that cannot be used at all (missing, unreadable, a declared column absent) is an `InputError`
naming the file and column. A row that does not fit its declared schema (non-numeric quantity,
missing or duplicate row id) is rejected with file, row and column in the reason, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tanso.diagnostics import InputError, did_you_mean
from tanso.dsl import ast
from tanso.i18n import t
from tanso.model.checks import unread_clauses
from tanso.model.formats import ISO_DATES, NumberFormat, date_format, number_format
from tanso.plan.context import FactorTable
from tanso.plan.sql import ident, literal
from tanso.plugins import Registry
from tanso.reasons import reason_sql
from tanso.run import messages  # noqa: F401  (registers the words of the file problems below)
from tanso.run.columns import constraint_problems, typed_column
from tanso.run.input_files import (GZIP_SUFFIX, Part, described_location, file_digest, input_files, input_sheets,
                                   part_name, parts_digest, reader_for, register_parts, relative_path)
from tanso.run.read_cache import READS, SMALL_BYTES, SMALL_ROWS

FACTOR_COLUMNS = ("factor_id", "gas", "value", "unit", "per", "publisher", "edition", "licence")
FACTOR_VALUE_TYPE = "DECIMAL(28,12)"
FACTOR_TEXT_COLUMNS = ("factor_id", "gas", "unit", "per")


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
    data_dir: Path = Path()       # the data folder the files were found under: outputs name them relative to it

    def place_sql(self, row: str) -> str:
        return place_sql(self.file, self.parts, row, self.data_dir)

    @property
    def last_row(self) -> int:
        """The highest input row number (above `rows` where the reader numbers rows as an Excel sheet does)."""
        return max((part.last_row for part in self.parts), default=self.rows)

    def locate(self, row: int) -> tuple[str, int]:
        """The file (and sheet) and its own row of input row `row`."""
        for part in self.parts:
            if row <= part.last_row:
                return part_name(part.file, part.sheet), row - part.first_row + 1
        return str(self.file), row


def place_sql(file: Path, parts: tuple[Part, ...], row: str, data_dir: Path) -> str:
    """SQL text naming the file and row of input row `row` (an SQL expression): 'FILE row N', the part's
    own row where the input has several parts. FILE is named relative to the data folder (as the ruleset
    names it): reject and exclusion reasons and check findings are outputs and enter the digest, which must
    not depend on where the folder is or how it was given (relative, absolute, through a symlink); the
    manifest records the folder (`invocation.data`, each input's `file`). A file outside the folder is
    named by the path the ruleset gave it."""
    if len(parts) <= 1 and not any(p.sheet for p in parts):
        return f"{literal(relative_path(file, data_dir))} || ' row ' || CAST({row} AS VARCHAR)"
    cases = " ".join(f"WHEN {row} <= {p.last_row} THEN {literal(part_name(p.file, p.sheet, data_dir) + ' row ')} "
                     f"|| CAST({row} - {p.first_row - 1} AS VARCHAR)" for p in parts)
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


def _read_key(reader, options: dict, files: tuple[tuple[str, str], ...]) -> tuple:
    """What an input's rows as its reader reads them depend on (`read_cache`): the reader, its options and
    the files' sha256 (with their places under the data folder where partition folders name columns)."""
    return (reader.format, reader.register.__module__, reader.register.__qualname__,
            tuple(sorted((k, v) for k, v in options.items() if k in reader.options)), files)


def _register_input(con, registry: Registry, table: ast.InputTable, data_dir: Path, relation: str):
    """The input's files registered as one relation: (reader, column types, display path, parts, key, read).
    A small input has a `read_cache` key (else None); when its columns and row counts are kept under it,
    it is not read here: `read` registers `relation` when called (`load_input` calls it only if the typed
    rows are not kept either), and is None once `relation` is registered."""
    paths = input_files(data_dir, table, registry)
    if not paths:
        # Say what the file holds and its header: a file of just that header is a valid input with no rows.
        header = ",".join(dict.fromkeys(([table.key_header] if table.key_header else []) + [c.header for c in table.columns]))
        raise InputError(t("input.missing", name=table.name, where=described_location(data_dir, table, registry),
                           span=table.span, title=t("input.titled", title=table.title) if table.title else "",
                           header=header))
    options = {"encoding": table.encoding, "sheet": table.sheet, "header_row": table.header_row}
    single = paths[0]
    unread = unread_clauses(table, reader_for(registry, single), registry)
    if unread:
        span, problem, expected = unread[0]
        raise InputError(t("input.unread_clause", span=span, problem=problem, path=relative_path(single, data_dir),
                           expected=expected))
    shown = single if len(paths) == 1 else data_dir / (table.file or single.name)
    units = input_sheets(paths, table, registry)
    plain = (len(units) == 1 and table.sheets is None and not single.name.lower().endswith(GZIP_SUFFIX)
             and "=" not in str(single.parent))
    # A plain file's sha256 is its part's anyway; several parts are hashed here only when small (else
    # `register_parts` hashes them as it reads them, once).
    small = plain or sum(p.stat().st_size for p in paths) <= SMALL_BYTES
    hashed = {p: file_digest(p) for p in paths} if small else None
    digests = [hashed[path] for path, _ in units] if hashed else None
    key = None if digests is None else _read_key(reader_for(registry, single), options, tuple(
        ("" if plain else part_name(path, sheet, data_dir), d) for (path, sheet), d in zip(units, digests)))

    def read() -> tuple:
        if plain:
            reader, present = _register(con, registry, single, relation, options)
            rows, span = con.execute(f"SELECT count(*), coalesce(max(_row), 0) FROM {relation}").fetchall()[0]
            return reader, present, (Part(single, digests[0], rows, 1, span),)
        reader, parts = register_parts(con, registry, data_dir, units, relation, lambda path, name, sheet: _register(
            con, registry, path, name, options if sheet is None else {**options, "sheet": sheet})[0])
        return reader, {row[0]: row[1] for row in con.execute(f"DESCRIBE {relation}").fetchall()}, parts

    kept = READS.recall(key) if key is not None else None
    if kept is not None:
        present, kept_parts = kept
        parts = tuple(Part(path, digest, *numbers, sheet=sheet)
                      for (path, sheet), digest, numbers in zip(units, digests, kept_parts))
        return reader_for(registry, single), present, shown, parts, key, read
    reader, present, parts = read()
    if key is not None and sum(p.rows for p in parts) <= SMALL_ROWS:
        READS.remember(key, (present, tuple((p.rows, p.first_row, p.span) for p in parts)))
    return reader, present, shown, parts, key, None


def _headers(table: ast.InputTable, present: list[str], path: Path) -> dict[str, str]:
    """Each declared column (and the key) → the file's column it is read from: its own name, or the one
    its `from` names; ignoring case under `headers case-insensitive`. Every column missing is named at once."""
    wanted = {c.name: c.header for c in table.columns}
    if table.key is not None:
        wanted.setdefault(table.key, table.key_header)
    # The readers refuse two headers that differ only in case (the backend's names ignore case), so a
    # folded name is one header.
    folded = {name.casefold(): name for name in present}
    found, missing = {}, []
    for column, header in wanted.items():
        if header in present or (table.headers_case_insensitive and header.casefold() in folded):
            found[column] = header if header in present else folded[header.casefold()]
            continue
        said = column if header == column else t("input.from_header", column=column, header=header)
        same = folded.get(header.casefold())
        hint = t("input.case_differs", same=repr(same)) if same else did_you_mean(header, present)
        missing.append(said + (t("input.hint", hint=hint) if hint else ""))
    if missing:
        # One name where several are missing: a title (a company name, a period) read as the header.
        title = len(present) == 1 < len(missing) and table.header_row is None
        raise InputError(t("input.missing_columns", path=path, s="s" if len(missing) > 1 else "",
                           columns=", ".join(missing), name=table.name, span=table.span, present=", ".join(present))
                         + (t("input.title_above") if title else ""))
    return found


def load_input(con, registry: Registry, table: ast.InputTable, data_dir: Path) -> LoadedInput:
    raw = f"raw__{table.name}"
    reader, present, path, parts, read_key, read = _register_input(con, registry, table, data_dir, raw)
    reader_problem = "_problem" in present
    present = {k: v for k, v in present.items() if k != "_problem"}
    headers = _headers(table, [c for c in present if c != "_row"], path)
    # The declared number and date formats are how the file writes them as text: a reader that turns its own
    # numbers and dates into text (Excel cells, Parquet) writes them plainly, so they apply to readers that say so.
    options = getattr(reader, "options", ())
    fmt = (number_format(table.numbers) or NumberFormat()) if "numbers" in options else NumberFormat()
    dates = (date_format(table.dates) or ISO_DATES) if "dates" in options else ISO_DATES
    key = table.key
    typed_cols, problems, constraints, notes = [], [], [], []
    if reader_problem:
        problems.append("WHEN _problem IS NOT NULL THEN _problem")
    if key is not None:
        problems.append(f"WHEN {ident(headers[key])} IS NULL OR trim(CAST({ident(headers[key])} AS VARCHAR)) = '' "
                        f"THEN {reason_sql('column.row_id_missing', column=literal(key))}")
    for column in table.columns:
        source = headers[column.name]
        value, column_problems, note = typed_column(column, present[source], fmt, dates, source)
        typed_cols.append(f"{value} AS {ident(column.name)}")
        problems += column_problems
        constraints += constraint_problems(column, value)
        notes += [note] if note else []
    problems += constraints
    row_id = f"CAST({ident(headers[key])} AS VARCHAR)" if key else "CAST(_row AS VARCHAR)"
    if key and key not in {c.name for c in table.columns}:  # the key is a text column of the table too
        typed_cols.insert(0, f"{row_id} AS {ident(key)}")
    problem = f"CASE {' '.join(problems)} END" if problems else "NULL"
    typed = f"typed__{table.name}"
    typing = (f"SELECT _row, {row_id} AS _row_id, {', '.join(typed_cols)}, CAST({problem} AS VARCHAR) AS _problem "
              f"FROM {raw}")
    # One pass finds out whether anything is wrong at all; a clean file then skips every check, and a
    # file whose valid rows have distinct ids skips the duplicate search.
    distinct_ids = "count(DISTINCT _row_id)" if key is not None else "count(*)"
    counting = (f"SELECT count(*), count(*) FILTER (WHERE _problem IS NOT NULL), {distinct_ids} FILTER "
                f"(WHERE _problem IS NULL) FROM {typed}")
    typed_key = None if read_key is None else (read_key, typing, counting)
    counts = READS.restore(con, typed_key, typed) if typed_key is not None else None
    if counts is None:
        if read is not None:
            read()
        # Typed once, into a table: every rule, calculator and check reading the input reads the typed rows.
        con.execute(f"CREATE OR REPLACE TEMP TABLE {typed} AS {typing}")
        if con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = {literal(raw)}").fetchone()[0]:
            con.execute(f"DROP TABLE {raw}")
        counts = con.execute(counting).fetchone()
        if typed_key is not None:
            READS.keep(con, typed_key, typed, counts[0], counts)
    total, bad, distinct = counts
    columns = tuple(dict.fromkeys(([key] if key else []) + [c.name for c in table.columns]))

    valid, rejects = f"input__{table.name}", f"input_rejects__{table.name}"
    loaded = dict(name=table.name, file=path, relation=valid, rejects=rejects, sha256=parts_digest(parts, data_dir),
                  rows=total, typed=typed, columns=columns, notes=tuple(notes), parts=parts, data_dir=data_dir)
    where = place_sql(path, parts, "_row", data_dir) + " || ': '"
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
    duplicate = reason_sql("column.duplicate_row_id", column=literal(key), value="'''' || t._row_id || ''''", rows="d.rows")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {rejects} AS
        SELECT _row_id AS row_id, _row AS input_row, {where} || _problem AS reason, _problem AS problem FROM {typed}
        WHERE _problem IS NOT NULL
        UNION ALL
        SELECT t._row_id, t._row, {place_sql(path, parts, 't._row', data_dir)} || ': ' || {duplicate}, {duplicate}
        FROM {typed} t JOIN {duplicates} d ON d._row_id = t._row_id
        WHERE t._problem IS NULL""")
    rejected = con.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    return LoadedInput(**loaded, rejected=rejected)


def load_factor_set(con, registry: Registry, name: str, path: Path, provenance: dict[str, str],
                    removals: bool = False, sheet: str | None = None) -> FactorTable:
    """Load a factor file; unlike activity data, a factor file with a bad value is unusable. A negative value
    (a removal) is one unless the set allows removals (`factors NAME file "..." allows removals`). A workbook
    is read from its `sheet "…"`; one of several sheets, none named, is refused: the first is no likelier
    the factors than another (a cover sheet, last year's)."""
    if not path.exists():
        raise InputError(t("factors.no_file", name=name, path=path))
    if path.name.lower().endswith(GZIP_SUFFIX):
        raise InputError(t("factors.gzip", path=path, name=name))
    relation = f"factors__{name}"
    digest = file_digest(path)
    reader = reader_for(registry, path)
    if sheet is not None and "sheet" not in reader.options:
        raise InputError(t("factors.no_sheets", path=path, name=name, sheet=sheet, format=reader.format))
    options = {"sheet": sheet, "first_sheet": False}
    # The checks below depend on the file's rows and `removals` only; a file that passed them is kept.
    key = ("factors", _read_key(reader, options, (("", digest),)), removals)
    kept = READS.restore(con, key, relation)
    if kept is None:
        kept = _read_factor_set(con, registry, name, path, relation, removals, options)
        READS.keep(con, key, relation, con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0], kept)
    columns, found, facts = kept
    return FactorTable(name=name, relation=relation, columns=columns,
                       version=provenance.get("version") or digest[:12],
                       publisher=provenance.get("publisher") or found["publisher"],
                       edition=provenance.get("edition") or found["edition"],
                       licence=provenance.get("licence") or found["licence"], source_file=str(path), facts=facts)


def _read_factor_set(con, registry: Registry, name: str, path: Path, relation: str, removals: bool,
                     options: dict) -> tuple[tuple[str, ...], dict[str, str], dict]:
    """Read and check the file into `relation`: (its columns, the provenance it states, an empty `facts`)."""
    raw = f"raw_factors__{name}"
    _, present = _register(con, registry, path, raw, options)
    missing = [c for c in FACTOR_COLUMNS if c not in present]
    if missing:
        raise InputError(t("factors.lacks", path=path, name=name, s="s" if len(missing) > 1 else "",
                           columns=", ".join(missing), required=", ".join(FACTOR_COLUMNS)))
    bad = con.execute(f"SELECT _row, value FROM {raw} WHERE value IS NULL OR TRY_CAST(value AS {FACTOR_VALUE_TYPE}) "
                      f"IS NULL OR TRY_CAST(value AS DECIMAL(38,18)) <> TRY_CAST(value AS {FACTOR_VALUE_TYPE}) "
                      f"ORDER BY _row LIMIT 3").fetchall()
    if bad:
        shown = "; ".join(t("factors.row_value", row=r, value=repr(v)) for r, v in bad)
        raise InputError(t("factors.value", path=path, shown=shown))
    # one scan for every text column: each one's first three empty rows
    firsts = ", ".join(f"coalesce(list(_row ORDER BY _row) FILTER (WHERE coalesce(trim(CAST({c} AS VARCHAR)), '') = '')"
                       f", [])[1:3]" for c in FACTOR_TEXT_COLUMNS)
    for column, empty in zip(FACTOR_TEXT_COLUMNS, con.execute(f"SELECT {firsts} FROM {raw}").fetchone()):
        if empty:
            raise InputError(t("factors.empty", path=path, column=column, rows=", ".join(str(r) for r in empty)))
    if not removals:
        negative = con.execute(f"SELECT _row, value FROM {raw} WHERE CAST(value AS {FACTOR_VALUE_TYPE}) < 0 "
                               f"ORDER BY _row LIMIT 3").fetchall()
        if negative:
            shown = "; ".join(t("factors.row_value", row=r, value=v) for r, v in negative)
            raise InputError(t("factors.negative", path=path, name=name, shown=shown))
    # The descriptive columns are text whatever the file's types (a Parquet file's factor_id may be an integer):
    # calculators and the effective factors read them as text, as they compare match keys.
    text = "".join(f", CAST({c} AS VARCHAR) AS {c}" for c in FACTOR_TEXT_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * REPLACE "
                f"(CAST(value AS {FACTOR_VALUE_TYPE}) AS value{text}) FROM {raw}")
    return tuple(c for c in present if c != "_row"), _provenance(con, relation), {}


def _provenance(con, relation: str, shown: int = 3) -> dict[str, str]:
    """The set's publisher, edition and licence: the file's one value each, or its distinct values
    (a file of several suppliers' footprints has several publishers; the first alone would hide them)."""
    names = ("publisher", "edition", "licence")
    aggregates = ", ".join(f"coalesce(list_sort(list_distinct(list(CAST({c} AS VARCHAR)))), [])" for c in names)
    lists = con.execute(f"SELECT {aggregates} FROM {relation}").fetchone()
    return {name: "; ".join(values[:shown]) + (f"; and {len(values) - shown} more" if len(values) > shown else "")
            for name, values in zip(names, lists)}
