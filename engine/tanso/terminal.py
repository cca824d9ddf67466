"""How text is shown where a person reads it: at the terminal's width, in colour only on a terminal.

Reporters render their tables with `console()` and return the text; the CLI prints it. Colour follows
the convention of https://no-color.org: never when NO_COLOR is set (to anything but ""), and never
when the output is not a terminal (a file, a pipe, a test), so redirected output is plain text.
"""

from __future__ import annotations

import io
import os
import shutil
import sys

from rich.console import Console

# Not a terminal and no $COLUMNS (a file, a pipe, a CI log): nothing wraps the lines, so a table takes the width
# it needs, up to this.
FALLBACK_WIDTH = 200


def colour(stream=None) -> bool:
    """Whether to colour text written to `stream` (default stdout)."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def width(stream=None) -> int:
    """The terminal's width in columns ($COLUMNS first, as the shell sets it); FALLBACK_WIDTH otherwise."""
    stream = stream or sys.stdout
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if getattr(stream, "isatty", lambda: False)():
        return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns
    return FALLBACK_WIDTH


def console(stream=None, *, record: bool = False) -> Console:
    """A console that records what is printed (read it from `.file.getvalue()`), laid out for `stream`;
    with `record`, also `export_text(styles=False)`: the same text without colour, for a file."""
    coloured = colour(stream)
    return Console(file=io.StringIO(), width=width(stream), force_terminal=coloured,
                   color_system="auto" if coloured else None, highlight=False, record=record)
