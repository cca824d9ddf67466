"""Excel workbooks (`.xlsx`): one sheet (the first, or the input's `sheet "電力"`), its header the first
non-empty row (or the input's `header row 3`), every cell as text.

Cells become text as the CSV reader's do, so the engine types them and a bad value is a reject with
its row, not a crash. Numbers are written as Excel shows them, at its 15 significant digits: a cell
0.1 is "0.1" (not the binary double's 0.1000000000000000055…), 12 is "12" (not "12.0"), and a
formula's floating-point noise (1.2000000000000002) is gone. Dates are ISO (2025-01-31), times too;
booleans are true/false; empty cells are empty (NULL). `_row` is the row number Excel shows (the
sheet row), so an auditor finds a rejected row where the message says; wholly empty rows are skipped.
A row whose first filled cell reads 合計 or Total (a totals row) is kept with its `_problem`: summed with
the rows above it, it would count them twice. The label must be the row's first value: a totals row has
no id, date or code of its own to the left of its label, while a cell reading "Total" after such values
is one of the row's values (a supplier named TOTAL, a note 計).
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from python_calamine import CalamineError, CalamineWorkbook

from tanso.diagnostics import InputError, did_you_mean
from tanso.i18n import t
from tanso.plan.sql import ident, literal
from tanso.reasons import reason_sql, reason_text
from tanso_io import messages  # noqa: F401  (registers the words of the file problems below)
from tanso_io.tables import refuse_case_twins, refuse_reserved_names, register_table, text_table
from tanso_io.xlsx_cells import CellMarks, cell_marks

EXCEL_DIGITS = 15  # significant decimal digits Excel keeps and displays
# A cell holding one of these, ignoring case and spaces, in half- or full-width letters, labels a totals row.
TOTAL_LABELS = ("合計", "総合計", "総計", "小計", "計", "total", "totals", "grand total", "subtotal", "sub-total")
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "abcdefghijklmnopqrstuvwxyz-"}   # t → ｔ
SPACES = "[\\s\u3000]*"   # RE2: white space, and the ideographic space of Japanese text


@dataclass(slots=True)
class Row:
    """A sheet row: its number as Excel shows it, its cells as calamine reads them and as text."""

    number: int
    cells: list[object]
    texts: list[str | None]

    @property
    def filled(self) -> list[int]:
        return [i for i, text in enumerate(self.texts) if text is not None]


def cell_text(value: object) -> str | None:
    """One cell as the text a CSV export would hold; None for an empty cell."""
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = format(value, f".{EXCEL_DIGITS}g")
        text = format(Decimal(text), "f") if "e" in text else text  # 1e+20, 1.5e-07: written out
        return "0" if text == "-0" else text
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return None if value is None else str(value)  # int, timedelta


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: a column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _chosen_sheet(workbook: CalamineWorkbook, path: Path, name: str | None, first_sheet: bool = True):
    """The declared sheet (else the first, or, unless `first_sheet`, the only one); a name the workbook lacks is
    refused with its sheets, and so is a workbook of several sheets, none named, where the first is not taken."""
    if name is None and not first_sheet and len(workbook.sheet_names) > 1:
        raise InputError(t("file.sheets_unnamed", path=path, n=len(workbook.sheet_names),
                           sheets=", ".join(repr(n) for n in workbook.sheet_names), first=workbook.sheet_names[0]))
    if name is None:
        return workbook.get_sheet_by_index(0)
    if name not in workbook.sheet_names:
        hint = did_you_mean(name, workbook.sheet_names)
        raise InputError(t("file.no_sheet", path=path, sheet=name, sheets=", ".join(repr(n) for n in workbook.sheet_names),
                           hint=t("file.then", text=hint) if hint else ""))
    return workbook.get_sheet_by_name(name)


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheets, in their order (an input's `sheets "2025-*"` reads those it matches)."""
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            return list(workbook.sheet_names)
    except (CalamineError, OSError, ValueError) as error:
        raise InputError(t("file.not_workbook", path=path, error=error)) from None


def _header_suggestion(title: Row, below: list[Row]) -> str:
    """For a header row of one value (a title above the table): the first row below it that names, in text,
    every column filled in the rows under it."""
    if len(title.filled) != 1:
        return ""
    under, seen = [], set()   # under[k]: the columns filled in the rows after below[k]
    for row in reversed(below):
        under.append(seen)
        seen = seen | set(row.filled)
    for row, used in zip(below, reversed(under)):
        named = {i for i in row.filled if isinstance(row.cells[i], str)}
        if len(named) > 1 and named == set(row.filled) and used <= named:
            return t("file.title_above", title=title.number, value=repr(title.texts[title.filled[0]]), row=row.number)
    return ""


def _header_and_data(rows: list[Row], header_row: int | None, where: str) -> tuple[Row, list[Row]]:
    """The header row and the non-empty rows under it."""
    filled = [row for row in rows if any(row.texts)]   # texts are None or non-empty
    if header_row is None:
        if not filled:
            raise InputError(t("file.sheet_empty", where=where))
        return filled[0], filled[1:]
    at = [row for row in filled if row.number == header_row]
    if not at:
        below = [row.number for row in filled if row.number > header_row]
        raise InputError(t("file.header_sheet_row_empty", where=where, row=header_row)
                         + (t("file.first_row_below", below=below[0]) if below else t("file.no_row_below")))
    return at[0], [row for row in filled if row.number > header_row]


def _totals_pattern() -> str:
    """RE2 matching a whole cell that is a totals label (`(?i)` folds full-width letters too)."""
    labels = [*TOTAL_LABELS, *(label.translate(FULL_WIDTH) for label in TOTAL_LABELS if label.isascii())]
    return f"(?i){SPACES}(" + "|".join(SPACES.join(map(re.escape, label.split())) for label in labels) + f"){SPACES}"


def _totals_problem(names: list[str]) -> str:
    """SQL: why a row whose first filled cell is a totals label (合計, Total …) is not data, naming the cell; NULL
    for any other row. One regular expression per cell, so a sheet without a totals row costs little."""
    pattern, cases = literal(_totals_pattern()), []
    for i, name in enumerate(names):
        why = reason_sql("row.totals", label=f"trim({ident(name)})", column=literal(name))
        before = f"coalesce({', '.join(map(ident, names[:i]))}) IS NULL AND " if i else ""
        cases.append(f"WHEN {before}regexp_full_match({ident(name)}, {pattern}) THEN {why}")
    return f"CASE {' '.join(cases)} END"


def _mark_totals_rows(con, relation: str, names: list[str], has_problem: bool) -> None:
    """Give the table `_problem` when a row is a totals row (one scan of a table without one); a row refused for
    a cell keeps that reason."""
    problem = _totals_problem(names)
    if con.execute(f"SELECT count(*) FROM {relation} WHERE {problem} IS NOT NULL").fetchone()[0]:
        if not has_problem:
            con.execute(f"ALTER TABLE {relation} ADD COLUMN _problem VARCHAR")
        con.execute(f"UPDATE {relation} SET _problem = coalesce(_problem, {problem})")


@contextmanager
def _collector_paused():
    """Python's cycle collector off: a sheet's cells are new lists of strings (no cycles), and its passes over
    them took a third of the reader's CPU on a 100,000-row sheet."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def register_xlsx(con, path: Path, relation: str, sheet: str | None = None, header_row: int | None = None,
                  first_sheet: bool = True) -> None:
    """`sheet` and `header_row` (a sheet row, 1 for Excel's first) are the input's `sheet` and `header row` clauses;
    without `sheet` the first sheet is read, unless `first_sheet` is False (a factor set): then the only one."""
    with _collector_paused():
        table = _sheet_table(path, sheet, header_row, first_sheet)
    register_table(con, relation, table)
    names = table.column_names[1:]
    _mark_totals_rows(con, relation, [name for name in names if name != "_problem"], "_problem" in names)


def _sheet_table(path: Path, sheet: str | None, header_row: int | None, first_sheet: bool = True) -> pa.Table:
    """The sheet's rows under its header as `text_table`, or an `InputError` saying why it cannot be used."""
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            chosen = _chosen_sheet(workbook, path, sheet, first_sheet)
            cells = chosen.to_python()
    except (CalamineError, OSError, ValueError) as error:
        raise InputError(t("file.not_workbook", path=path, error=error)) from None
    top, left = chosen.start if chosen.start else (0, 0)
    where = t("file.first_sheet" if sheet is None else "file.sheet", path=path, sheet=chosen.name)
    rows = [Row(top + 1 + i, row, [cell_text(v) for v in row]) for i, row in enumerate(cells)]
    marks = cell_marks(path, chosen.name)
    for (number, column), error in marks.errors.items():   # calamine reads them as '': a row of values to refuse
        if 0 <= number - top - 1 < len(rows) and 0 <= column - left < len(rows[number - top - 1].texts):
            rows[number - top - 1].texts[column - left] = error
    header_at, data = _header_and_data(rows, header_row, where)
    header = [name.strip() if name and name.strip() else None for name in header_at.texts]
    used = [i for i, name in enumerate(header) if name is not None or any(r.texts[i] is not None for r in data)]
    nameless = [i for i in used if header[i] is None]
    where = t("file.sheet_row", path=path, sheet=chosen.name, row=header_at.number)
    if nameless:
        raise InputError(t("file.sheet_column_unnamed", where=where, column=column_letter(left + nameless[0]))
                         + _header_suggestion(header_at, data))
    names = [header[i] for i in used]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(t("file.column_repeated_header", where=where, names=", ".join(repr(n) for n in repeated)))
    refuse_reserved_names(names, where)
    refuse_case_twins(names, where)
    table = text_table(names, [(row.number, [row.texts[i] for i in used]) for row in data])
    problems = _cell_problems(marks, data, {i: names[k] for k, i in enumerate(used)}, left)
    return table.append_column("_problem", pa.array(problems, pa.string())) if any(problems) else table


def _cell_problems(marks: CellMarks, data: list[Row], named: dict[int, str], left: int) -> list[str | None]:
    """Per data row, why it cannot be read: its first cell (left to right) that holds an Excel error or a
    formula without a value, in a column of the table. Found from the marked cells, not by visiting every cell."""
    if not (marks.errors or marks.unsaved):
        return [None] * len(data)
    marked = [(at, "cell.excel_error", {"error": text}) for at, text in marks.errors.items()]
    marked += [(at, "cell.formula_unsaved", {"formula": text}) for at, text in marks.unsaved.items()]
    found: dict[int, str] = {}
    for (number, column), code, values in sorted(marked, key=lambda mark: mark[0]):   # stable: an error first
        name = named.get(column - left)
        if name is not None and number not in found:
            found[number] = reason_text(code, column=name, cell=f"{column_letter(column)}{number}", **values)
    return [found.get(row.number) for row in data]
