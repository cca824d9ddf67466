"""What the HTML reports share: the Jinja2 environment (templates are package data under
templates/), one display precision for amounts, the language (`tr(key)` in templates, `tanso_report.messages`), exports as data URIs, and atomic writes.

Amounts are exact in the run; they are rounded here, for display only: tonnes CO2e with one decimal
everywhere on a page (headline, charts, tables), shares as percentages with one decimal.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import tempfile
from decimal import ROUND_HALF_EVEN, Decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import jinja2
from markupsafe import Markup, escape

from tanso.i18n import language, t
from tanso_report import messages  # noqa: F401  (registers the reports' words)
from tanso_report.display import PLACES, TINY, exact, number, percent, plain  # noqa: F401  (the pages' names)

def tonnes(kg, signed: bool = False) -> str:
    """kg as t CO2e with one decimal and thousands separators; a typographic minus; `+` when signed."""
    if kg is None:
        return "—"
    amount = exact(kg) / 1000
    rounded = amount.quantize(PLACES, ROUND_HALF_EVEN)
    if not rounded and amount:
        text = TINY
    else:
        text = f"{abs(rounded):,}"
    if amount < 0:
        return "−" + text
    return ("+" + text) if signed and amount > 0 else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else format(v, "f") if isinstance(v, Decimal) else v for v in row])
    return buffer.getvalue()


def data_uri(content: str | bytes, media_type: str) -> str:
    """A download link's target that needs no network: the file itself, base64-encoded."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return f"data:{media_type};base64,{base64.b64encode(raw).decode('ascii')}"


def json_for_script(data: Any) -> str:
    """JSON that cannot end the script element or open a comment in it: `<`, `>` and `&` as \\u escapes."""
    text = json.dumps(data, default=plain, sort_keys=True, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def ident(text: Any) -> Markup:
    """An identifier (rule id, option name, file:line) that may wrap only after `.`, `/` or `:`, never
    inside a word."""
    escaped = str(escape("" if text is None else str(text)))
    for separator in "./:":
        escaped = escaped.replace(separator, separator + "<wbr>")
    return Markup(f'<code class="ident">{escaped}</code>')


@dataclass
class Table:
    """A table of a page: display cells, and per row the exact values its CSV export carries. Columns
    are (name, kind): kind `text`, `ident` (an identifier) or `num` (right-aligned). A table that shows
    a chart's rows names it (`chart`) and keys its rows as the chart does."""

    id: str
    caption: str
    columns: list[tuple[str, str]]
    chart: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, cells: Sequence[Any], values: Sequence[Any] | None = None, key: str | None = None,
            css: str = "") -> None:
        self.rows.append({"cells": list(cells), "values": list(values if values is not None else cells),
                          "key": key, "css": css})

    @property
    def csv_uri(self) -> str:
        return data_uri(csv_text([name for name, _ in self.columns], (r["values"] for r in self.rows)), "text/csv")


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENVIRONMENT.filters.update(t=tonnes, signed=lambda kg: tonnes(kg, signed=True), json_script=json_for_script, ident=ident)
_ENVIRONMENT.globals.update(tr=t)


def render(template: str, **context: Any) -> str:
    """The page in the run's language (`--lang`): its words through `tr(key)`, `<html lang>` set."""
    return _ENVIRONMENT.get_template(template).render(lang=language(), **context)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write beside `path`, then rename over it: a reader sees the old file or the whole new one."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        readable(temporary)
        with os.fdopen(handle, "wb") as out:
            out.write(content.encode("utf-8") if isinstance(content, str) else content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def readable(path: str | Path) -> None:
    """A temporary file is created private (0600); the output gets the mode any new file would."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def emit(text: str, path: Path | None) -> str:
    """The page, also written (atomically) to `path` when one is given."""
    if path is not None:
        write_atomically(path, text)
    return text
