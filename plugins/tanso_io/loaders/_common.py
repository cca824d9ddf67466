"""Shared helpers for the publisher-layout loaders: a publisher's table read from CSV or from a sheet of
its workbook as published, tolerant header matching, exact decimals, provenance that names the place
(file, sheet, row, column) of every factor, output."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from tanso_io.xlsx import cell_text, column_letter
from tanso_io.xlsx_cells import CellMarks, cell_marks

BASE_COLUMNS = ["factor_id", "gas", "value", "unit", "per", "publisher", "edition", "licence", "version", "source"]
TWELVE = Decimal("1e-12")
WORKBOOKS = (".xlsx", ".xlsm")
NO_VALUE = ("", "-", "–", "—", "―", "－", "n/a", "N/A", "NA", "*")   # a cell that publishes no factor


class LoaderError(ValueError):
    """The file is not in the expected layout, or provenance cannot be determined."""


@dataclass
class ConversionResult:
    out_path: Path
    rows: int
    match: list[str]
    skipped: list[str] = field(default_factory=list)  # "row N: reason"


def norm(text: object) -> str:
    """Header text for matching by name: case-folded, whitespace collapsed, NBSP and newlines as spaces."""
    return re.sub(r"\s+", " ", str(text or "").replace("\u00a0", " ").replace("\u3000", " ")).strip().casefold()


@dataclass
class Sheet:
    """A publisher's table as text: a CSV file, or one sheet of a workbook (`name`). rows[i] is row i + 1
    of the file or sheet, and a row's cells stand in their columns (column A is cell 0)."""

    path: Path
    name: str | None
    rows: list[list[str]]

    def at(self, row: int) -> str:
        """`file row 12` or `file sheet 'X' row 12`: where a row is, as a person finds it."""
        return f"{Path(self.path).name}" + (f" sheet '{self.name}'" if self.name else "") + f" row {row}"

    def column(self, index: int, header: str) -> str:
        """`, column 'Header'`, or in a workbook `, column C 'Header'`."""
        letter = f"{column_letter(index)} " if self.name else ""
        return f", column {letter}'{header.strip()}'"


def read_sheet(path: Path, required: list[str], sheet: str | None = None) -> tuple[Sheet, int]:
    """The table holding a header row with every `required` column (see header_row), and that row's index:
    the CSV file, or in a workbook the named sheet or else the first sheet that has such a row."""
    path = Path(path)
    if path.suffix.lower() not in WORKBOOKS:
        table = Sheet(path, None, read_rows(path))
        return table, find_header(table.rows, required, path)
    sheets = _workbook(path)
    if sheet is not None and sheet not in sheets:
        raise LoaderError(f"{path}: no sheet '{sheet}'; the workbook has: {', '.join(sheets)}")
    for name in [sheet] if sheet is not None else list(sheets):
        header = header_row(sheets[name], required)
        if header is not None:
            return Sheet(path, name, sheets[name]), header
    where = f"sheet '{sheet}'" if sheet is not None else f"any sheet (it has: {', '.join(sheets)})"
    raise LoaderError(f"{path}: no header row with columns {', '.join(required)} in {where}")


def _workbook(path: Path) -> dict[str, list[list[str]]]:
    """Every sheet's cells as the text Excel shows, each cell at its row and column."""
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            sheets = {}
            for name in workbook.sheet_names:
                sheet = workbook.get_sheet_by_name(name)
                top, left = sheet.start or (0, 0)
                cells = [[""] * left + [cell_text(v) or "" for v in row] for row in sheet.to_python()]
                sheets[name] = _marked([[] for _ in range(top)] + cells, cell_marks(path, name))
            return sheets
    except (CalamineError, OSError, ValueError) as error:
        raise LoaderError(f"{path}: cannot be read as an Excel workbook: {error}") from None


def _marked(rows: list[list[str]], marks: CellMarks) -> list[list[str]]:
    """A publisher's cell holding an Excel error reads as the error (#N/A), one holding a formula without its value
    as the formula, saying so: calamine reads both as empty, which a factor column would take for 'none published'."""
    found = {**marks.errors, **{at: f"{formula} (a formula whose value the workbook does not have)"
                                for at, formula in marks.unsaved.items()}}
    for (number, column), text in found.items():
        row = rows[number - 1] if number - 1 < len(rows) else None
        if row is not None and column < len(row):
            row[column] = text
    return rows


def read_rows(path: Path) -> list[list[str]]:
    """All rows of a CSV file (UTF-8 with or without BOM, else CP932 for Japanese government files)."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LoaderError(f"{path}: not UTF-8 or CP932 text")
    return [row for row in csv.reader(text.splitlines())]


def header_row(rows: list[list[str]], required: list[str]) -> int | None:
    """Index of the first row containing every `required` normalised header (title rows above are skipped)."""
    for index, row in enumerate(rows):
        cells = [norm(c) for c in row]
        if all(any(r == c or re.fullmatch(r, c) for c in cells) for r in required):
            return index
    return None


def find_header(rows: list[list[str]], required: list[str], path: Path) -> int:
    """As header_row, and a LoaderError naming the columns when there is none."""
    found = header_row(rows, required)
    if found is None:
        raise LoaderError(f"{path}: no header row with columns {', '.join(required)}")
    return found


def column(header: list[str], *patterns: str, required: bool = True, path: Path | str | None = None) -> int | None:
    """Position of the first header cell matching one of the regex patterns (normalised, full match)."""
    cells = [norm(c) for c in header]
    for pattern in patterns:
        for index, cell in enumerate(cells):
            if re.fullmatch(pattern, cell):
                return index
    if required:
        raise LoaderError(f"{path}: no column matching {' or '.join(patterns)}; header is {header}")
    return None


def cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return str(row[index]).replace("\u00a0", " ").strip()


def decimal_text(text: str) -> tuple[str | None, str]:
    """Exact decimal text of a published number ('1,234.5' → '1234.5'); None if blank or not a number.
    More than 12 decimals are rounded half-even to 12 (the factor-file limit) and the note says so."""
    cleaned = text.replace(",", "").replace(" ", "").strip()
    if cleaned in ("", "-", "–", "—", "n/a", "N/A", "NA"):
        return None, ""
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, ""
    if not value.is_finite():
        return None, ""
    if value.as_tuple().exponent < -12:
        rounded = value.quantize(TWELVE, rounding=ROUND_HALF_EVEN).normalize()
        return format(rounded, "f"), f" (published {cleaned}, rounded half-even to 12 decimals)"
    return format(value, "f") if "e" in cleaned.lower() else cleaned, ""


def published_number(sheet: Sheet, number: int, row: list[str], index: int, header: str) -> tuple[str | None, str]:
    """A factor cell: (exact decimal text, note), (None, "") where it publishes none (blank, a dash), and
    a LoaderError naming file, sheet, row and column for anything else: a factor is never guessed."""
    text = cell(row, index)
    value, note = decimal_text(text)
    if value is None and text not in NO_VALUE:
        raise LoaderError(f"{sheet.at(number)}{sheet.column(index, header)}: {text!r} is not a number")
    return value, note


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def year_in(text: str) -> str | None:
    found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", text)
    return found[-1] if found else None


def write_factor_csv(out_path: Path, match: list[str], rows: list[dict], extra: list[str] | None = None) -> Path:
    columns = ["factor_id", *match, *BASE_COLUMNS[1:], *(extra or [])]
    seen: dict[tuple, str] = {}
    for row in rows:
        key = (*(row[m] for m in match), row["gas"])
        if key in seen:
            raise LoaderError(f"two factors for {dict(zip([*match, 'gas'], key))}: {seen[key]} and {row['source']}")
        seen[key] = row["source"]
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return out_path
