"""What calamine does not say about a sheet's cells: which hold an Excel error (#DIV/0!, #N/A, #REF! …) and which
hold a formula whose value the workbook does not have.

calamine reads an error cell as an empty string, so a quantity of #DIV/0! would look missing and a text cell of
#N/A empty. A formula cell without a saved value (a workbook written by a program that does not calculate,
which may also mark it `fullCalcOnLoad` so that Excel computes on opening: xlsxwriter then stores 0, openpyxl
nothing) has no value to read at all. Both are found in the sheet's XML; the reader refuses their rows, naming
the cell. The XML is only searched when it has such cells at all (one substring test each), and then by regular
expressions, whose matches are only the cells in question. A cell without its `r` reference (the standard allows
it; Excel and the common writers always write it) is not found.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

_P = rb"(?:[A-Za-z_][\w.-]*:)?"   # an element's namespace prefix, as some writers put (x:c)
_CELL_START = rb"<" + _P + rb"c\b"
_ERROR = re.compile(_CELL_START + rb"(?=[^>]*\bt=\"e\")[^>]*?\br=\"([A-Z]+)([0-9]+)\"[^>]*>"
                    rb"(?:(?!</" + _P + rb"c>).)*?<" + _P + rb"v>([^<]*)</" + _P + rb"v>", re.S)
_FORMULA = re.compile(_CELL_START + rb"[^>]*?\br=\"([A-Z]+)([0-9]+)\"[^>]*>\s*<" + _P + rb"f\b[^>]*?(?:/>|>([^<]*)</"
                      + _P + rb"f>)\s*(<" + _P + rb"v[\s>/])?", re.S)
_RELATIONS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class CellMarks:
    """Cells by (sheet row, 0-based column): the error Excel shows; the formula of a cell without a value."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)


def column_index(letters: bytes) -> int:
    """b"A" → 0, b"AA" → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def cell_marks(path: Path, sheet: str) -> CellMarks:
    """The error cells and unsaved formula cells of `sheet`; none where the workbook's parts are not where the
    standard puts them (calamine has read the sheet, so its values stand)."""
    marks = CellMarks()
    try:
        with zipfile.ZipFile(path) as archive:
            part, recalculated = _sheet_part(archive, sheet)
            if part is None:
                return marks
            xml = archive.read(part)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return marks
    if b't="e"' in xml:
        for letters, row, error in _ERROR.findall(xml):
            marks.errors[int(row), column_index(letters)] = error.decode("utf-8", "replace")
    if b"<f" in xml or b":f" in xml:
        for letters, row, formula, value in _FORMULA.findall(xml):
            if not value or recalculated:
                marks.unsaved[int(row), column_index(letters)] = "=" + _unescaped(formula) if formula else \
                    "a shared formula"
    return marks


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> tuple[str | None, bool]:
    """The sheet's XML part in the archive, and whether the workbook asks to be calculated on opening (its
    formula values were not computed by the program that wrote it)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    recalculated = any(element.get("fullCalcOnLoad") in ("1", "true") for element in workbook.iter()
                       if element.tag.endswith("calcPr"))
    ids = [element.get(_RELATIONS) for element in workbook.iter() if element.tag.endswith("}sheet")
           and element.get("name") == sheet]
    targets = {element.get("Id"): element.get("Target") for element in relations}
    if not ids or targets.get(ids[0]) is None:
        return None, recalculated
    target = targets[ids[0]]
    return (target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))), \
        recalculated


def _unescaped(formula: bytes) -> str:
    text = formula.decode("utf-8", "replace")
    for escaped, plain in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(escaped, plain)
    return text
