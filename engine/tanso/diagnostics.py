"""Diagnostics in the manner of Catala and rustc: position, source line, caret, expectation, hint.

Every stage (parse, resolve, graph, inputs) appends to one `Diagnostics` collection so that a user
sees all the problems of a run at once instead of fixing them one by one.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Iterable

from tanso.dsl.ast import Span
from tanso.frozen import frozen, mutable
from tanso.i18n import kind as kind_name, t


@frozen
class Note:
    """An extra excerpt attached to a diagnostic, e.g. each edge of a dependency cycle."""

    message: str
    span: Span


@frozen
class Diagnostic:
    message: str
    span: Span | None = None
    expected: str | None = None
    hint: str | None = None
    notes: tuple[Note, ...] = ()
    severity: str = "error"

    def render(self, sources: "SourceCache") -> str:
        lines = [f"{t('diag.' + self.severity)}: {self.message}"]
        if self.span is not None:
            lines += _excerpt(self.span, sources)
        for note in self.notes:
            lines.append(f"  {t('diag.note')}: {note.message}")
            lines += _excerpt(note.span, sources)
        if self.expected:
            lines.append(f"  = {t('diag.expected')}: {self.expected}")
        if self.hint:
            lines.append(f"  = {t('diag.help')}: {self.hint}")
        return "\n".join(lines)


def _excerpt(span: Span, sources: "SourceCache") -> list[str]:
    text = sources.line(span.file, span.line)
    gutter = " " * len(str(span.line))
    out = [f"  --> {span}"]
    if text is None:
        return out
    width = span.end_column - span.column if span.end_line == span.line else len(text) - span.column + 1
    caret = " " * (span.column - 1) + "^" * max(1, width)
    out += [f"  {gutter} |", f"  {span.line} | {text}", f"  {gutter} | {caret}"]
    return out


class SourceCache:
    """Source text by file name, so excerpts can be shown for any span."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}

    def add(self, name: str, text: str) -> None:
        """Keep `text`; it is split into lines when a diagnostic first shows one (a clean check never does)."""
        self._texts[name] = text
        self._lines.pop(name, None)

    def line(self, name: str, number: int) -> str | None:
        lines = self._lines.get(name)
        if lines is None:
            if name in self._texts:
                lines = self._texts[name].splitlines()
            else:
                try:
                    lines = Path(name).read_text(encoding="utf-8").splitlines()
                except OSError:
                    return None
            self._lines[name] = lines
        return lines[number - 1] if 0 < number <= len(lines) else None


RENDER_LIMIT = 50   # diagnostics printed at most; the rest are counted ("… and N more")


@mutable
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)
    sources: SourceCache = field(default_factory=SourceCache)

    def error(self, message: str, span: Span | None = None, *, expected: str | None = None,
              hint: str | None = None, notes: Iterable[Note] = ()) -> None:
        self.items.append(Diagnostic(message, span, expected, hint, tuple(notes)))

    def warning(self, message: str, span: Span | None = None, *, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, span, hint=hint, severity="warning"))

    def unknown(self, kind: str, name: str, span: Span | None, known: Iterable[str]) -> None:
        """An unknown name, with the known ones as the expectation and the nearest as a hint."""
        known = sorted(set(known))
        self.error(t("diag.unknown", kind=kind_name(kind), name=name), span, expected=expected_list(kind, known),
                   hint=did_you_mean(name, known))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def render(self, limit: int | None = RENDER_LIMIT) -> str:
        """Every diagnostic in file order — at most `limit` of them (then errors first), then how many more."""
        ordered = sorted(self.items, key=lambda d: (d.span.file, d.span.line, d.span.column) if d.span else ("", 0, 0))
        if limit is not None and len(ordered) > limit:
            ordered.sort(key=lambda d: d.severity != "error")   # stable: file order within each
        shown = ordered if limit is None else ordered[:limit]
        body = "\n\n".join(d.render(self.sources) for d in shown)
        if len(shown) < len(ordered):
            body += "\n\n" + t("diag.more", n=len(ordered) - len(shown))
        n_err, n_warn = len(self.errors), len(self.items) - len(self.errors)
        summary = t("diag.errors", n=n_err, s="s" if n_err != 1 else "")
        if n_warn:
            summary += ", " + t("diag.warnings", n=n_warn, s="s" if n_warn != 1 else "")
        return f"{body}\n\n{summary}\n" if body else ""


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    import difflib   # here: only a ruleset with a mistake asks
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return t("diag.did_you_mean", name=close[0]) if close else None


def expected_list(kind: str, known: list[str], limit: int = 12) -> str | None:
    if not known:
        return t("diag.none_declared", kind=kind_name(kind))
    shown = ", ".join(known[:limit]) + (t("diag.list_more", n=len(known) - limit) if len(known) > limit else "")
    return t("diag.one_of", names=shown)


class TansoError(Exception):
    """A user-facing failure (bad ruleset, bad input file). The CLI prints it without a traceback."""

    exit_code = 1

    def __init__(self, message: str, diagnostics: Diagnostics | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics


class RulesetError(TansoError):
    exit_code = 1


class InputError(TansoError):
    """An input or factor file that cannot be used at all (missing, unreadable, wrong layout)."""

    exit_code = 2


class InvariantError(TansoError):
    """The run broke one of its own guarantees (conservation). Never expected; always loud."""

    exit_code = 3
