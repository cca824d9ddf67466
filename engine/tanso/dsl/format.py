"""`tanso fmt`: one layout for rulesets, changing whitespace only (the parsed ruleset stays the same).

The author's line breaks are kept, with every statement starting a line of its own; what changes:
  - a statement starts at column 0, a clause keyword first on its line (`scope`, `from`, `calc` …) at 2;
  - a line inside brackets is aligned with the first token after the innermost open bracket, or
    indented 4 from the bracket's line when the bracket ends its line; a line that starts by closing a
    bracket lines up with the line that opened it; other continuation lines keep their indentation;
  - one space between tokens, none inside brackets, before `,` `:` `)` or after a unary minus,
    none around `.` and `..`, none between a function's name and its `(`;
  - a comment on its own line takes the indentation of the code line after it; a trailing comment
    keeps its column when it still fits, else follows two spaces after the code;
  - indentation is spaces, trailing spaces go, more than two blank lines become two, one newline ends
    the file.
Formatting is idempotent (`format(format(x)) == format(x)`), and `format_text` refuses a result whose
syntax tree (spans aside) differs from the original's.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from tanso.diagnostics import Diagnostics
from tanso.dsl import ast
from tanso.dsl.parser import CLAUSE_KEYWORDS, KEYWORDS, parse_text

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<word>case-(?:in)?sensitive\b|\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\.\.|==|!=|>=|<=|[-+*/%()\[\],:.=<>])
  | (?P<newline>\n)
  | (?P<space>[ \t\r]+)
  | (?P<other>.)
""", re.VERBOSE)
_OPENERS, _CLOSERS = "([", ")]"
_WORDS = set(KEYWORDS) | {"in", "not", "and", "or", "is", "null", "true", "false", "up", "to"}
_LOGIC = {"in", "not", "and", "or", "is"}
_OPERATORS = {"==", "!=", ">=", "<=", "=", "<", ">", "+", "-", "*", "/", ".."}
HANGING = 4


class FormatError(Exception):
    """The text does not parse (its diagnostics are in `diagnostics`), or formatting would change its meaning."""

    def __init__(self, message: str, diagnostics: Diagnostics | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclasses.dataclass
class _Token:
    kind: str
    text: str
    line: int      # 1-based, in the original text
    column: int    # 1-based


def format_text(text: str, file: str = "<ruleset>") -> str:
    """The formatted text; FormatError when it does not parse or its meaning would change."""
    before = _parse(text, file)
    starts = {(s.span.line, s.span.column) for s in [before.header, *before.statements] if s is not None}
    formatted = _layout(_lines(_tokens(text)), starts)
    after = _parse(formatted, file)
    if _shape(after) != _shape(before):   # a bug of the formatter: never write it
        raise FormatError(f"{file}: formatting would change what the ruleset means; left as it is")
    return formatted


def _parse(text: str, file: str) -> ast.Module:
    diagnostics = Diagnostics()
    module = parse_text(text, file, diagnostics)
    if diagnostics.errors:
        raise FormatError(f"{file} has syntax errors", diagnostics)
    return module


def _shape(node):
    """The syntax tree without where each node stands."""
    if isinstance(node, ast.Span):
        return None
    if dataclasses.is_dataclass(node):
        return (type(node).__name__, *(_shape(getattr(node, f.name)) for f in dataclasses.fields(node)
                                       if f.compare and f.name != "path"))
    if isinstance(node, (list, tuple)):
        return tuple(_shape(n) for n in node)
    if isinstance(node, dict):
        return tuple(sorted((k, _shape(v)) for k, v in node.items()))
    return node


def _tokens(text: str) -> list[_Token]:
    tokens, line, line_start = [], 1, 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "newline":
            tokens.append(_Token("newline", "\n", line, match.start() - line_start + 1))
            line, line_start = line + 1, match.end()
        elif kind != "space":
            tokens.append(_Token(kind, match.group(), line, match.start() - line_start + 1))
    return tokens


def _lines(tokens: list[_Token]) -> list[list[_Token]]:
    """The tokens line by line (a blank line is an empty list)."""
    lines: list[list[_Token]] = [[]]
    for token in tokens:
        if token.kind == "newline":
            lines.append([])
        else:
            lines[-1].append(token)
    return lines


def _layout(lines: list[list[_Token]], starts: set[tuple[int, int]]) -> str:
    # A statement that shares a line with the one before it gets a line of its own.
    split: list[list[_Token]] = []
    for line in lines:
        current: list[_Token] = []
        for token in line:
            if (token.line, token.column) in starts and current:
                split.append(current)
                current = []
            current.append(token)
        split.append(current)
    out: list[str] = []
    stack: list[tuple[int, int]] = []   # open brackets: (column in the output, indentation of their line)
    pending_comments: list[tuple[int, _Token]] = []   # own-line comments waiting for the next code line
    blank = 0
    for line in split:
        if not line:
            blank += 1
            continue
        if line[0].kind == "comment":
            pending_comments.append((blank, line[0]))
            blank = 0
            continue
        indent = _indent(line, starts, stack)
        for before, comment in pending_comments:
            out += [""] * min(before, 2) if out else []
            out.append(" " * indent + comment.text)
        pending_comments = []
        out += [""] * min(blank, 2) if out else []
        blank = 0
        out.append(_render(line, indent, stack))
    for before, comment in pending_comments:
        out += [""] * min(before, 2) if out else []
        out.append(comment.text)
    return "\n".join(out) + "\n" if out else ""


def _indent(line: list[_Token], starts: set[tuple[int, int]], stack: list[tuple[int, int]]) -> int:
    first = line[0]
    if (first.line, first.column) in starts:
        stack.clear()   # an unclosed bracket does not reach into the next statement
        return 0
    if stack:
        column, opened_indent = stack[-1]
        return opened_indent if first.text in _CLOSERS else column
    if first.kind == "word" and first.text in CLAUSE_KEYWORDS and first.text not in ("on", "of", "rows") \
            and (len(line) < 2 or line[1].text != ":"):   # `unit: text` continues a columns clause
        return 2
    return max(first.column - 1, 2)


def _render(line: list[_Token], indent: int, stack: list[tuple[int, int]]) -> str:
    text = " " * indent
    previous: _Token | None = None
    for index, token in enumerate(line):
        if token.kind == "comment":
            code_end = len(text)
            column = token.column - 1
            text += " " * (column - code_end if column >= code_end + 2 else 2) + token.text
            break
        if previous is not None:
            text += " " * _space(previous, token, line[index - 2] if index >= 2 else None, len(stack))
        if token.text in _CLOSERS and stack:
            stack.pop()
        text += token.text
        if token.text in _OPENERS:
            following = line[index + 1] if index + 1 < len(line) else None
            hanging = following is None or following.kind == "comment"
            stack.append((indent + HANGING if hanging else len(text), indent))
        previous = token
    return text.rstrip()


def _space(previous: _Token, token: _Token, before_previous: _Token | None, depth: int) -> int:
    """How many spaces separate two tokens on a line."""
    adjacent = token.line == previous.line and token.column == previous.column + len(previous.text)
    if token.text in (",", ":", ")", "]", "%", ".", "..") or previous.text in ("(", "[", ".", ".."):
        return 0
    if token.text == "(" and previous.kind == "word" and not previous.text[0].isdigit() \
            and (previous.text not in _WORDS or adjacent and previous.text not in _LOGIC):
        return 0   # a call (`rows(` as written, not `where (`), or a type's arguments
    if previous.text == "-" and _unary(before_previous):
        return 0
    if previous.text == "," and token.text[0].isdigit() and adjacent:
        return 0   # decimal(18,6) as its author wrote it: a type's precision and scale
    if depth == 0 and token.kind == "word" and token.text in CLAUSE_KEYWORDS and token.line == previous.line \
            and token.column >= previous.column + len(previous.text) + 2:
        return 2   # `set gwp.set = AR5  source "…"`: a clause set apart, as its author did
    return 1


def _unary(before: _Token | None) -> bool:
    """A minus is unary where no operand precedes it."""
    return before is None or before.text in (*_OPENERS, ",", ":") or before.text in _OPERATORS \
        or (before.kind == "word" and before.text in _WORDS)


def format_file(path: Path) -> tuple[str, str]:
    """(original text, formatted text) of one ruleset file."""
    text = path.read_text(encoding="utf-8")
    return text, format_text(text, str(path))
