"""Excel workbooks (`.xlsx`): the first sheet, its first non-empty row the header, every cell as text.

Cells become text as the CSV reader's do, so the engine types them and a bad value is a reject with
its row, not a crash. Numbers are written as Excel shows them, at its 15 significant digits: a cell
0.1 is "0.1" (not the binary double's 0.1000000000000000055…), 12 is "12" (not "12.0"), and a
formula's floating-point noise (1.2000000000000002) is gone. Dates are ISO (2025-01-31), times too;
booleans are true/false; empty cells are empty (NULL). `_row` counts the rows under the header, so
row n is the sheet's row header + n; wholly empty rows are skipped without renumbering.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from tanso.diagnostics import InputError
from tanso_io.tables import refuse_case_twins, register_table, text_table

EXCEL_DIGITS = 15  # significant decimal digits Excel keeps and displays


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


def register_xlsx(con, path: Path, relation: str) -> None:
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            cells = sheet.to_python()
    except (CalamineError, OSError, ValueError) as error:
        raise InputError(f"{path}: cannot be read as an Excel workbook: {error}") from None
    rows = [[cell_text(v) for v in row] for row in cells]
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise InputError(f"{path}: sheet '{sheet.name}' (the first) is empty; it needs a header row of column names")
    header_row = sheet.start[0] + len(cells) - len(rows) + 1 if sheet.start else 1
    header, data = [name.strip() if name and name.strip() else None for name in rows[0]], rows[1:]
    used = [i for i, name in enumerate(header) if name is not None or any(r[i] is not None for r in data)]
    nameless = [i for i in used if header[i] is None]
    if nameless:
        first_column = sheet.start[1] if sheet.start else 0
        raise InputError(f"{path}: sheet '{sheet.name}' row {header_row}: column "
                         f"{column_letter(first_column + nameless[0])} has values but no name in the header row")
    names = [header[i] for i in used]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{path}: sheet '{sheet.name}' row {header_row}: column name "
                         f"{', '.join(repr(n) for n in repeated)} appears more than once in the header row")
    refuse_case_twins(names, f"{path}: sheet '{sheet.name}' row {header_row}")
    numbered = [(n, [row[i] for i in used]) for n, row in enumerate(data, start=1) if any(row)]
    register_table(con, relation, text_table(names, numbered))
