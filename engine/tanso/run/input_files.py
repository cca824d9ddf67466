"""Which files hold an input table, and how several of them become one relation.

By default an input `name` is the file `name<suffix>` of the data folder, for any reader's suffix, or
that file compressed, `name<suffix>.gz`. An input that declares `file "…"` is held by the file,
the glob of part files (`aws/carbon/data/**/*.csv.gz`; `**` spans folders) or every file under the
folder (`azure/carbon/`) it names under the data folder, as exports are delivered.

Parts are pieces of one table: each is read by the reader of its suffix (a `.gz` part decompressed
first), its rows numbered as in the file, and every part must have the same columns. Rows are
numbered through the parts in path order (part 2's first row follows part 1's last), so a row is one
number in the ledger, and every message names the part and its own row (`…/part-00002.csv.gz row
7`). A folder named `key=value` on a part's path (a Hive-style partition, as AWS Data Exports writes
`model_version=…/usage_period=…`) gives its rows the column `key` with that value; where the file has
the column too, a row whose value differs is a reject.

An input's `sheets "2025-*"` (`sheets all`) makes each sheet the pattern matches a part of its workbook,
in the workbook's order: the sheets must share the header, a row gains the column `sheet` (its sheet's
name), and messages name the sheet and its own row (`energy.xlsx sheet '2025-04' row 5`).
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import shutil
import zlib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import unquote

from tanso.diagnostics import InputError
from tanso.dsl import ast
from tanso.i18n import t
from tanso.plan.sql import ident, literal
from tanso.plugins import Registry
from tanso.run import messages  # noqa: F401  (registers the words of the file problems below)
from tanso.scratch import owned_folder

GZIP_SUFFIX = ".gz"


@dataclass(frozen=True)
class Part:
    """One file of an input: `rows` rows numbered first_row .. first_row + span - 1 in the input. The span is
    the part's last own row number: its row count, unless its reader numbers rows as the file shows them and
    skips some (an Excel sheet's rows start below the header and skip empty rows)."""

    file: Path
    sha256: str
    rows: int
    first_row: int = 1
    span: int | None = None   # None: `rows`
    sheet: str | None = None  # the workbook's sheet, for an input of `sheets "…"`

    @property
    def last_row(self) -> int:
        """The input row after which the next part's rows are numbered."""
        return self.first_row - 1 + (self.rows if self.span is None else self.span)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parts_digest(parts: tuple[Part, ...], data_dir: Path) -> str:
    """One file's sha256; for several parts, the sha256 of their (path under the data folder, sha256) lines."""
    if len(parts) == 1:
        return parts[0].sha256
    lines = "".join(f"{relative_path(p.file, data_dir)}{'' if p.sheet is None else '!' + p.sheet}\0{p.sha256}\n"
                    for p in parts)
    return hashlib.sha256(lines.encode()).hexdigest()


def _suffixes(registry: Registry) -> list[str]:
    return sorted(s for r in registry.readers.values() for s in r.suffixes)


def input_files(data_dir: Path, table: ast.InputTable, registry: Registry) -> list[Path]:
    """The files that hold the input, in path order; empty when there are none."""
    if table.file is None:
        wanted = {f"{table.name}{suffix}{gz}".casefold() for suffix in _suffixes(registry) for gz in ("", GZIP_SUFFIX)}
        found = [path for path in _files_named(data_dir, table.name) if path.name.casefold() in wanted]
        if len(found) > 1:
            raise InputError(t("input.candidates", name=table.name, n=len(found),
                               files=", ".join(path.name for path in found), first=found[0].name, span=table.span))
        return found
    pattern = table.file.rstrip("/") + "/**/*" if table.file.endswith("/") else table.file
    found = glob.glob(pattern, root_dir=data_dir, recursive=True)
    return sorted(data_dir / f for f in found if (data_dir / f).is_file())


def part_name(file: Path, sheet: str | None, data_dir: Path | None = None) -> str:
    """A part as messages name it: its file (under the data folder, where given), and its sheet."""
    return (str(file) if data_dir is None else relative_path(file, data_dir)) + (
        f" sheet '{sheet}'" if sheet is not None else "")


def input_sheets(paths: list[Path], table: ast.InputTable, registry: Registry) -> list[tuple[Path, str | None]]:
    """(file, sheet) of each part: every file whole, or under `sheets "…"` each sheet it matches, in order."""
    if table.sheets is None:
        return [(path, None) for path in paths]
    found = []
    for path in paths:
        names = reader_for(registry, path).sheet_names(path)
        matched = [name for name in names if fnmatchcase(name, table.sheets)]
        if not matched:
            raise InputError(t("input.no_sheet_matches", path=path, pattern=table.sheets, name=table.name,
                               sheets=", ".join(repr(n) for n in names)))
        found += [(path, name) for name in matched]
    return found


def _files_named(data_dir: Path, name: str) -> list[Path]:
    """The data folder's files whose name is `name` and a suffix, whatever the case of either (`FUEL_USE.CSV`, as
    some ERP systems and Windows write names, is the same file there and on macOS), in name order."""
    prefix = f"{name}.".casefold()
    try:
        return sorted(path for path in data_dir.iterdir() if path.name.casefold().startswith(prefix) and path.is_file())
    except OSError:   # no such folder: said where the data folder is checked
        return []


# Files a company may hold that no reader reads: each has a message `input.unread<suffix>` saying what to do.
UNREAD_SUFFIXES = (".xls", ".xlsb", ".ods", ".tsv", ".txt")


def described_location(data_dir: Path, table: ast.InputTable, registry: Registry) -> str:
    """Where the input's files were looked for, for the message that there are none, naming a file that has
    the input's name but a suffix no reader reads (`fuel_use.xls`)."""
    if table.file is None:
        unread = [t("input.unread_file", name=path.name, hint=t(f"input.unread{path.suffix.lower()}")
                    if path.suffix.lower() in UNREAD_SUFFIXES else t("input.unread_other"))
                  for path in _files_named(data_dir, table.name)]
        return (t("input.no_file", path=data_dir / table.name, suffixes=",".join(_suffixes(registry)))
                + (t("input.unread_files", files=", ".join(unread)) if unread else ""))
    return t("input.no_match", path=data_dir / table.file)


def reader_for(registry: Registry, path: Path):
    """The reader of a file, judged by its name without `.gz`."""
    name = path.name[:-len(GZIP_SUFFIX)] if path.name.lower().endswith(GZIP_SUFFIX) else path.name
    reader = registry.reader_for(Path(name))
    if reader is None:
        raise InputError(t("input.no_reader", path=path, suffixes=", ".join(_suffixes(registry))))
    return reader


def register_parts(con, registry: Registry, data_dir: Path, units: list[tuple[Path, str | None]], relation: str,
                   register) -> tuple[object, tuple[Part, ...]]:
    """Register the parts, (file, sheet or None) each, as one relation (`_row` numbered through the parts,
    partition columns and the sheet added) and return the first part's reader and the parts.
    `register(path, relation, sheet)` registers one plain file (its sheet) with its reader and returns the reader."""
    parts: list[Part] = []
    selects: list[str] = []
    first_columns: list[str] | None = None
    reader = None
    digests: dict[Path, str] = {}
    with owned_folder("parts") as folder:
        for index, (path, sheet) in enumerate(units):
            part_relation = f"{relation}__part{index}"
            readable = _decompressed(path, Path(folder) / str(index)) if path.name.lower().endswith(GZIP_SUFFIX) else path
            try:
                part_reader = register(readable, part_relation, sheet)
            except InputError as error:
                raise InputError(str(error).replace(str(readable), str(path))) from None
            label, first_label = part_name(path, sheet), part_name(*units[0])
            if reader is not None and part_reader is not reader:
                raise InputError(t("input.mixed_parts", path=path, format=part_reader.format, formats=reader.format,
                                   first=first_label))
            reader = part_reader
            columns = [row[0] for row in con.execute(f"DESCRIBE {part_relation}").fetchall()]
            own = [c for c in columns if c not in ("_row", "_problem")]
            if first_columns is None:
                first_columns = own
            elif set(own) != set(first_columns):
                missing, extra = [c for c in first_columns if c not in own], [c for c in own if c not in first_columns]
                differences = [missing and t("input.part_lacks", columns=", ".join(missing)),
                               extra and t("input.part_adds", columns=", ".join(extra))]
                raise InputError(t("input.parts_differ", label=label, first=first_label,
                                   differences="; ".join(filter(None, differences))))
            rows, span = con.execute(f"SELECT count(*), coalesce(max(_row), 0) FROM {part_relation}").fetchall()[0]
            # (all fetched: a reader may register an Arrow table next, which needs no result open)
            first_row = parts[-1].last_row + 1 if parts else 1
            if path not in digests:   # a workbook of several sheets is hashed once
                digests[path] = file_digest(path)
            parts.append(Part(path, digests[path], rows, first_row, span, sheet))
            added = _partition_values(path, data_dir) | ({"sheet": sheet} if sheet is not None else {})
            selects.append(_part_select(part_relation, first_row - 1, own, "_problem" in columns, added))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS "
                    + " UNION ALL BY NAME ".join(f"({select})" for select in selects))
        for index in range(len(units)):
            _drop(con, f"{relation}__part{index}")
    return reader, tuple(parts)


def _part_select(part_relation: str, offset: int, columns: list[str], has_problem: bool,
                 partitions: dict[str, str]) -> str:
    """A part's rows, numbered after the parts before it, with its partition columns; a row whose own
    value of a partition column differs from the folder's is kept with the reason."""
    problems = [f"WHEN {ident(key)} IS DISTINCT FROM {literal(value)} THEN 'column {key}: ''' || "
                f"coalesce(CAST({ident(key)} AS VARCHAR), '') || ''' is not {key}={value}, the folder the part is "
                f"filed under'" for key, value in partitions.items() if key in columns]
    problem = "_problem" if has_problem else "CAST(NULL AS VARCHAR)"
    if problems:
        problem = f"coalesce({problem}, CASE {' '.join(problems)} END)"
    added = "".join(f", {literal(value)} AS {ident(key)}" for key, value in partitions.items() if key not in columns)
    listing = ", ".join(ident(c) for c in columns)
    return (f"SELECT _row + {offset} AS _row, {listing}{added}, {problem} AS _problem FROM {part_relation}")


def _partition_values(path: Path, data_dir: Path) -> dict[str, str]:
    """`key=value` folders between the data folder and the file (Hive-style partitions)."""
    found = {}
    for segment in Path(relative_path(path, data_dir)).parent.parts:
        key, equals, value = segment.partition("=")
        if equals and key.isidentifier():
            found[key] = unquote(value)
    return found


def relative_path(path: Path, data_dir: Path) -> str:
    try:
        return path.relative_to(data_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _decompressed(path: Path, folder: Path) -> Path:
    """The file decompressed into `folder`, under its name without `.gz` (the reader goes by its suffix)."""
    folder.mkdir(parents=True)
    target = folder / path.name[:-len(GZIP_SUFFIX)]
    try:
        with gzip.open(path, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    except EOFError:
        raise InputError(t("input.gzip_truncated", path=path)) from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise InputError(t("input.not_gzip", path=path, error=error)) from None
    return target


def _drop(con, relation: str) -> None:
    kind = con.execute(f"SELECT 'VIEW' FROM duckdb_views() WHERE temporary AND view_name = {literal(relation)} "
                       f"UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE temporary AND table_name = "
                       f"{literal(relation)}").fetchall()
    if kind:
        con.execute(f"DROP {kind[0][0]} {relation}")
