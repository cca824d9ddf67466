"""CSV files: every value as text, every data row kept — a row that cannot be split is a reject.

The dialect is fixed, not guessed from the data: RFC 4180 quoting (`"`, doubled to escape) and the
delimiter the header row uses (`,` `;` tab or `|`). Guessing from the data, a malformed row could
change how every other row is read. The header's names must be distinct.

`_row` is the data row as a person counts it: the n-th row under the header, blank lines included
(file line n + 1 when no value spans lines). An input's `header row 3` says the header is the file's
line 3 (an ERP export's company name and period above it are not read); rows are then numbered as the
file's lines, as a workbook's are as its sheet rows: the first row under the header is row 4. A row with
too few or too many fields, a blank line or a line of spaces, a NUL byte, or bytes the declared encoding
does not have, is kept with its `_problem` (the engine makes it a reject) and the rest of the file is used. Lines may end in `\r\n`, `\n` or a lone `\r`.
Trailing blank lines at the end are ignored. A file that cannot be split at all (a quote never closed)
is an InputError naming the first bad row.

Encodings: UTF-8 (the default, a BOM allowed) and Latin-1 are read directly; any other encoding
Python knows (cp932 / Shift-JIS, cp1252, GB18030 …) is transcoded to UTF-8 first, in one pass.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tanso.diagnostics import InputError
from tanso.i18n import t
from tanso.model.formats import canonical_encoding
from tanso.reasons import reason_text
from tanso.plan.sql import ident, literal
from tanso.scratch import owned_folder
from tanso_io import messages  # noqa: F401  (registers the words of the file problems below)
from tanso_io.tables import refuse_case_twins, refuse_reserved_names, register_table

DELIMITERS = (",", ";", "\t", "|")
NATIVE = {"utf-8": "utf-8", "latin-1": "latin-1", "iso8859-1": "latin-1"}
BLOCK = 1 << 22
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n[ \t\r\n]*[^ \t\r\n]")   # a blank line with data after it
_MARK = "\ufffd"
# DuckDB's kind of a row it could not split → the reason's code (tanso_io.reasons)
_PROBLEMS = {"MISSING COLUMNS": "row.fewer_fields", "TOO MANY COLUMNS": "row.more_fields",
             "INVALID ENCODING": "row.invalid_encoding", "LINE SIZE OVER MAXIMUM": "row.line_too_long",
             "UNQUOTED VALUE": "row.undoubled_quote"}


def _header_line(source: Path, path: Path, header_row: int | None) -> tuple[bytes, int]:
    """The header's line and the lines before it: the first non-blank line, or line `header_row` (the
    input's `header row N`), which must hold the column names."""
    with source.open("rb") as handle:
        skipped = 0
        for line in handle:
            if (header_row is None and line.strip()) or skipped + 1 == header_row:
                break
            skipped += 1
        else:
            if header_row is not None:
                raise InputError(t("file.too_few_lines", path=path, lines=skipped, s="s" if skipped != 1 else "",
                                   row=header_row))
            line = b""
        if header_row is None or line.strip():
            return line, skipped
        below = next((number for number, later in enumerate(handle, start=header_row + 1) if later.strip()), None)
    raise InputError(t("file.header_line_empty", path=path, row=header_row)
                     + (t("file.first_line_below", below=below) if below else t("file.none_below")))


def _header(source: Path, encoding: str, path: Path, header_row: int | None = None) -> tuple[str, list[str], int]:
    """The delimiter, the column names and the lines before them (blank, or above a declared header row).
    `source` is read (the file or its UTF-8 copy); `path`, the user's file, is named in messages."""
    first, skipped = _header_line(source, path, header_row)
    text = first.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        raise InputError(t("file.empty", path=path))
    if _MARK in text:
        raise InputError(t("file.header_encoding", path=path, encoding=encoding))
    delimiter = max(DELIMITERS, key=lambda d: (text.count(d), d == ","))
    try:
        names = [n.strip() for n in next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'))]
    except csv.Error:
        raise InputError(t("file.header_unsplittable", path=path)) from None
    where = t("file.header_row", path=path)
    empty = [i + 1 for i, n in enumerate(names) if not n]
    if empty:
        raise InputError(t("file.column_unnamed", where=where, column=empty[0]))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(t("file.column_repeated", where=where, names=", ".join(repr(n) for n in repeated)))
    refuse_reserved_names(names, where)
    refuse_case_twins(names, where)
    return delimiter, names, skipped


def _transcode(path: Path, encoding: str, folder: str, cr_only: bool) -> tuple[Path, int]:
    """A UTF-8 copy of the file with `\n` line ends; bytes the encoding does not have become U+FFFD
    (counted). `cr_only`: the file ends its lines with a lone `\r` (classic Mac, some Excel exports)."""
    target = Path(folder) / "utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    marks_before = 0
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while block := source.read(BLOCK):
            text = decoder.decode(block)
            marks_before += text.count(_MARK)
            out.write(text.replace("\r", "\n") if cr_only else text)
        out.write(decoder.decode(b"", final=True))
    return target, marks_before


def _ends_lines_with_cr_only(path: Path) -> bool:
    """Whether the file's lines end in a lone `\r`: judged on its first block, as a file has one style."""
    with path.open("rb") as handle:
        start = handle.read(BLOCK)
    return b"\r" in start and b"\n" not in start


def _scan(path: Path) -> tuple[bool, bool]:
    """Whether the file has an empty line with data after it (DuckDB would skip it without a word) and
    whether it has a NUL byte. Lines of spaces need no search: DuckDB reports them as rows with too few
    fields. Substring searches (memchr speed) find the candidates; the regex only confirms one."""
    previous, candidate, nul = b"", False, False
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            edge = previous[-2:] + block[:3]
            candidate = candidate or any(empty in part for empty in (b"\n\n", b"\n\r\n") for part in (block, edge))
            nul = nul or b"\x00" in block
            previous = block
    blank = candidate and _BLANK_LINE.search(path.read_bytes()) is not None
    return blank, nul


def register_csv(con, path: Path, relation: str, encoding: str | None = None, numbers: str | None = None,
                 header_row: int | None = None) -> None:
    """`numbers` (the input's number format) is applied by the engine to the text read here; `header_row` is
    the input's `header row N`, the file's line of the header."""
    known = canonical_encoding(encoding)
    if known is None:
        raise InputError(t("file.unknown_encoding", encoding=repr(encoding)))
    encoding = known
    with owned_folder("csv") as folder:
        source, marked = path, 0
        cr_only = _ends_lines_with_cr_only(path)
        if encoding not in NATIVE or cr_only:
            source, marked = _transcode(path, encoding, folder, cr_only)
        read_as = NATIVE.get(encoding, "utf-8") if source == path else "utf-8"
        delimiter, names, skipped = _header(source, read_as, path, header_row)
        _read(con, path, source, relation, delimiter, names, read_as, encoding, marked, skipped, header_row)


def _read(con, path: Path, source: Path, relation: str, delimiter: str, names: list[str], read_as: str,
          encoding: str, marked: int, skipped: int = 0, header_row: int | None = None) -> None:
    """Read the records under the header into `relation`, numbered as `_row` (the n-th under it; with
    `header_row`, the file's line); rows that cannot be split kept with their `_problem`."""
    rejects, scans = f"{relation}__rejects", f"{relation}__scans"
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    options = (f"columns = {columns}, header = true, auto_detect = false, delim = {literal(delimiter)}, "
               f"quote = '\"', escape = '\"', encoding = {literal(read_as)}, null_padding = false, skip = {skipped}, "
               f"store_rejects = true, rejects_table = {literal(rejects)}, rejects_scan = {literal(scans)}")
    valid = f"{relation}__valid"
    listing = ", ".join(ident(n) for n in names)
    _drop(con, rejects, scans)
    try:
        con.execute("SET preserve_insertion_order = true")
        # Read into `relation` itself, `_row` the record's place among those read: when every record was
        # read (the common case), that is the row, and nothing needs renaming.
        con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT row_number() OVER () AS _row, {listing} "
                    f"FROM read_csv({literal(str(source))}, {options})")
        bad = con.execute(f"SELECT line, min(error_type::VARCHAR), min(error_message) FROM {rejects} GROUP BY line "
                          f"ORDER BY line").fetchall()
    except duckdb.OutOfMemoryException:
        _drop(con, relation, rejects, scans)
        raise   # the memory limit's, not the file's: the CLI says so
    except duckdb.Error as error:
        _drop(con, relation, rejects, scans)
        raise InputError(t("file.not_csv", path=path, error=str(error).splitlines()[0])) from None
    unclosed = [line for line, kind, text in bad if kind == "UNQUOTED VALUE" and "unterminated" in (text or "")]
    if unclosed:
        _drop(con, relation, rejects, scans)
        raise InputError(t("file.quote_unclosed", path=path, row=unclosed[0] - 1))
    blank, nul = _scan(source)
    found = [(literal(_MARK), reason_text("row.invalid_encoding", encoding=encoding))] if marked else []
    found += [("chr(0)", reason_text("row.nul_byte"))] if nul else []
    problem = "CAST(NULL AS VARCHAR)"
    if found:
        problem = "CASE " + " ".join(
            "WHEN " + " OR ".join(f"strpos(coalesce({ident(n)}, ''), {needle}) > 0" for n in names)
            + f" THEN {literal(reason)}" for needle, reason in found) + " END"
    if not bad and not blank:
        # Every record was read, in file order.
        if found:
            con.execute(f"ALTER TABLE {relation} ADD COLUMN _problem VARCHAR")
            con.execute(f"UPDATE {relation} SET _problem = {problem}")
        _drop(con, rejects, scans)
        _number_as_lines(con, relation, header_row)
        return
    con.execute(f"ALTER TABLE {relation} RENAME TO {valid}")
    # Slow path (a file with rows that could not be split, or blank lines): the rows DuckDB read are the
    # file's records minus the gaps (refused rows, blank lines), in order. With the gaps' row numbers d_j
    # (sorted), the o-th row read is row o + #{j: d_j - j < o}: one ASOF join, no pass over the file's lines.
    kinds = " ".join(f"WHEN {literal(kind)} THEN {literal(reason_text(code, encoding=encoding))}"
                     for kind, code in _PROBLEMS.items())
    gaps = [f"SELECT line - 1 - {skipped} AS d, min(error_type::VARCHAR) AS kind FROM {rejects} GROUP BY line"]
    lines = f"{relation}__lines"
    if blank:
        register_table(con, lines, _records(source))
        header = header_row if header_row is not None else "min(record)"   # the header's record
        gaps.append(f"SELECT record - h.header AS d, 'BLANK' AS kind FROM {lines}, "
                    f"(SELECT {header} AS header, max(record) AS last FROM {lines} WHERE NOT blank) h "
                    f"WHERE blank AND record > h.header AND record < h.last")
    nulls = ", ".join(f"CAST(NULL AS VARCHAR) AS {ident(n)}" for n in names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation}__gaps AS SELECT d, min(kind) AS kind FROM "
                f"({' UNION ALL '.join(gaps)}) GROUP BY d")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {relation} AS
        WITH keyed AS (SELECT d - row_number() OVER (ORDER BY d) AS key, row_number() OVER (ORDER BY d) AS j
                       FROM {relation}__gaps),
             k AS (SELECT key, max(j) AS j FROM keyed GROUP BY key)
        SELECT v._row + coalesce(k.j, 0) AS _row, {', '.join('v.' + ident(n) for n in names)}, {problem} AS _problem
        FROM {valid} v ASOF LEFT JOIN k ON v._row > k.key
        UNION ALL
        SELECT d, {nulls}, CASE kind WHEN 'BLANK' THEN {literal(reason_text("row.blank"))} {kinds}
               ELSE {literal(reason_text("row.unsplittable"))} END FROM {relation}__gaps""")
    total, distinct, last = con.execute(f"SELECT count(*), count(DISTINCT _row), max(_row) FROM {relation}").fetchone()
    if not (total == distinct == last):
        first = con.execute(f"SELECT min(d) FROM {relation}__gaps").fetchone()[0]
        _drop(con, valid, rejects, scans, lines, f"{relation}__gaps", relation)
        raise InputError(t("file.rows_apart", path=path, row=first))
    _drop(con, valid, rejects, scans, lines, f"{relation}__gaps")
    _number_as_lines(con, relation, header_row)


def _number_as_lines(con, relation: str, header_row: int | None) -> None:
    """With a declared header row, the n-th row under it is the file's line header_row + n."""
    if header_row is not None:
        con.execute(f"UPDATE {relation} SET _row = _row + {int(header_row)}")


def _records(source: Path) -> pa.Table:
    """Each record of the file: its number (the header is 1) and whether it is blank. A record starts on
    a line where the quotes before it are balanced (a quoted value may span lines)."""
    data = source.read_bytes()
    if data.endswith(b"\n"):
        data = data[:-1]
    lines = pa.array(data.split(b"\n"), pa.binary())
    quotes = pc.count_substring(lines, '"')
    content = lines
    for space in (" ", "\t", "\r"):
        content = pc.replace_substring(content, space, "")
    table = pa.table({"line": pa.array(range(1, len(lines) + 1), pa.int64()), "quotes": quotes,
                      "width": pc.binary_length(content)})
    con = duckdb.connect()
    try:
        con.register("physical_lines", table)
        return con.sql("""
            WITH l AS (SELECT line, width = 0 AS blank, coalesce(sum(quotes) OVER (ORDER BY line ROWS BETWEEN
                       UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS starts FROM physical_lines)
            SELECT row_number() OVER (ORDER BY line) AS record, blank FROM l WHERE starts ORDER BY line""").to_arrow_table()
    finally:
        con.close()


def _drop(con, *relations: str) -> None:
    for name in relations:
        con.execute(f"DROP TABLE IF EXISTS {name}")
