"""Parse .tanso text into the syntax tree, reporting every syntax error of a file at once.

Recovery: after an error the parser skips to the next line that starts with a statement keyword and
parses on from there, so one typo does not hide the errors after it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tanso.cache import cache_folder
from tanso.diagnostics import Diagnostics, did_you_mean
from tanso.dsl import ast, parse_cache
from tanso.i18n import MESSAGES, t

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

STATEMENT_KEYWORDS = ("ruleset", "set", "input", "factors", "rule", "replace", "amend", "exclude", "metric", "check", "remove",
                      "boundary", "accept", "require")
CLAUSE_KEYWORDS = ("status", "source", "as_of", "extends", "key", "columns", "encoding", "numbers", "dates", "headers",
                   "file", "sheet", "sheets", "header", "allows", "removals", "required", "scope", "category", "from",
                   "lookup", "on", "where", "needs", "calc", "tags", "basis", "results", "of", "unit", "rejects", "rows", "approval", "approvals",
                   "period")
KEYWORDS = STATEMENT_KEYWORDS + CLAUSE_KEYWORDS
_STATEMENT_START = re.compile(r"^[ \t]*(%s)\b" % "|".join(STATEMENT_KEYWORDS), re.MULTILINE)

# Terminal names as a person would say them: keywords as written, the others by the catalogue's `term.<name>`.
_KEYWORD_TERMINALS = {"RULE_START": "'rule'", "ROWS": "'rows'", "APPROVALS": "'approvals'"}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    from lark import Lark, Token
    grammar = (Path(__file__).parent / "tanso.lark").read_text(encoding="utf-8")
    keyword_terminals: dict[str, str] = {}

    def statement_keyword_at_line_start(token: Token) -> Token:
        # The contextual lexer would read `rule` as a plain name where a name fits (a missing value
        # before it). A statement keyword first on its line always starts a statement instead, so
        # the error lands on the line that lacks something, not on the next one.
        if token.column is not None and str(token) in keyword_terminals and _first_on_line(token):
            return Token.new_borrow_pos(keyword_terminals[str(token)], str(token), token)
        return token

    # The analysed LALR tables are kept in the user's cache (lark checks the grammar, options and its
    # version against the file's header and rebuilds on a mismatch): 0.2 s of every `tanso check`.
    folder = cache_folder("grammar")
    lark = Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True,
                lexer_callbacks={"NAME": statement_keyword_at_line_start},
                cache=str(folder / "tanso.lark.cache") if folder else False)
    for terminal in lark.terminals:
        if terminal.pattern.type == "str" and terminal.pattern.value in STATEMENT_KEYWORDS:
            keyword_terminals[terminal.pattern.value] = terminal.name
    keyword_terminals["rule"] = "RULE_START"
    return lark


_current_text: list[str] = [""]


def _first_on_line(token: Token) -> bool:
    """First on its line and either unindented or outside any (…) or […]: `factors: fuels` indented
    inside a call is an argument, not the `factors` statement."""
    text = _current_text[0]
    line_start = text.rfind("\n", 0, token.start_pos) + 1
    return text[line_start:token.start_pos].strip() == "" and (
        token.start_pos == line_start or _bracket_depth(text, token.start_pos) == 0)


_LEXEME = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[()\[\]]')


def _bracket_depth(text: str, end: int, start: int = 0, depth: int = 0) -> int:
    """How many brackets are open at `end`, given `depth` open at `start` (a line start: strings
    and comments end with their line, and the brackets in them do not count)."""
    for match in _LEXEME.finditer(text, start, end):
        token = match.group(0)
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth = max(0, depth - 1)
    return depth


def _statement_starts(text: str) -> list[int]:
    """Offsets of the statement keywords that start a line unindented, or indented outside any
    bracket (one pass). An unindented keyword always starts a statement, so a bracket left open
    does not swallow the statements after it: each still reports its own errors."""
    starts, depth, position = [], 0, 0
    for match in _STATEMENT_START.finditer(text):
        depth = _bracket_depth(text, match.start(1), position, depth)
        position = match.start(1)
        if depth == 0 or match.start(1) == match.start(0) and (position == 0 or text[position - 1] == "\n"):
            starts.append(position)
            depth = 0
    return starts


def _describe(terminal: str) -> str:
    if terminal in _KEYWORD_TERMINALS:
        return _KEYWORD_TERMINALS[terminal]
    if f"term.{terminal}" in MESSAGES:
        return t(f"term.{terminal}")
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    return f"'{pattern.value}'" if pattern.type == "str" else terminal.lower()


MAX_NESTING = 100   # parentheses and brackets inside one another; deeper is refused, not a RecursionError


def parse_text(text: str, file: str, diagnostics: Diagnostics) -> ast.Module:
    """Parse one file. Syntax errors go to `diagnostics`; the module holds what could be parsed."""
    diagnostics.sources.add(file, text)
    cached = parse_cache.load(text, file)
    if cached is not None:
        return cached
    empty = ast.Module(path=Path(file), header=None, statements=())
    too_deep = _too_deep(text)
    if too_deep is not None:
        line, column = too_deep
        diagnostics.error(t("diag.nested_brackets", depth=MAX_NESTING), ast.Span(file, line, column, line, column + 1),
                          hint=t("diag.split_expression"))
        return empty
    # lark and the tree builder are imported only here: a cached tree needs neither (0.05-0.1 s).
    from lark.exceptions import UnexpectedInput

    from tanso.dsl.to_ast import SyntaxProblem
    # A tree to be cached is parsed under the cache's placeholder name, put back when it is read (`parse_cache`).
    keep = parse_cache.cacheable(text)
    try:
        module = _parse_chunk(text, parse_cache.PLACEHOLDER if keep else file)
    except (UnexpectedInput, SyntaxProblem):   # reported by the slow path below
        pass
    except RecursionError:
        return _too_complex(file, diagnostics, empty)
    else:
        stored = parse_cache.store(text, module, file) if keep else module
        return stored if stored is not None else _parse_chunk(text, file)
    # Slow path, only for files with errors: parse statement by statement so that each broken
    # statement reports its first error and the good ones are kept.
    header: ast.Header | None = None
    statements: list[ast.Statement] = []
    starts = _statement_starts(text)
    bounds = list(zip([0] + starts, starts + [len(text)]))
    for begin, end in bounds:
        if not text[begin:end].strip():
            continue
        padding = "\n" * text.count("\n", 0, begin)  # keep line numbers true
        chunk = padding + text[begin:end]
        try:
            module = _parse_chunk(chunk, file)
        except UnexpectedInput as error:
            _report_syntax_error(error, chunk, file, diagnostics)
            continue
        except SyntaxProblem as problem:
            diagnostics.error(problem.message, problem.span)
            continue
        except RecursionError:
            return _too_complex(file, diagnostics, empty)
        header = header or module.header
        statements.extend(module.statements)
    return ast.Module(path=Path(file), header=header, statements=tuple(statements))


def _parse_chunk(text: str, file: str) -> ast.Module:
    from lark.exceptions import VisitError

    from tanso.dsl.to_ast import ToAst
    _current_text[0] = text
    tree = _parser().parse(text)
    try:
        return ToAst(file).transform(tree)
    except VisitError as error:  # a problem found while building the tree, e.g. a repeated clause
        raise error.orig_exc from None


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) where brackets first nest deeper than MAX_NESTING, outside strings and comments."""
    depth, line, column, quote, comment = 0, 1, 0, False, False
    for char in text:
        column += 1
        if char == "\n":
            line, column, comment = line + 1, 0, False
        elif comment:
            continue
        elif char == '"':
            quote = not quote
        elif quote:
            continue
        elif char == "#":
            comment = True
        elif char in "([":
            depth += 1
            if depth > MAX_NESTING:
                return line, column
        elif char in ")]":
            depth -= 1
    return None


def _too_complex(file: str, diagnostics: Diagnostics, empty: ast.Module) -> ast.Module:
    diagnostics.error(t("diag.too_deep", file=file), hint=t("diag.split_expression"))
    return empty


def parse_file(path: Path, diagnostics: Diagnostics, display_name: str | None = None) -> ast.Module:
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        diagnostics.error(t("diag.cannot_read", file=name, why=error.strerror or error))
        return ast.Module(path=Path(name), header=None, statements=())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[start:error.start].decode("utf-8", "replace")) + 1
        diagnostics.sources.add(name, data.decode("utf-8", "replace"))
        diagnostics.error(t("diag.not_utf8", file=name, byte=f"{data[error.start]:02x}"),
                          ast.Span(name, line, column, line, column + 1),
                          hint=t("diag.save_utf8"))
        return ast.Module(path=Path(name), header=None, statements=())
    return parse_text(text, name, diagnostics)


def _report_syntax_error(error: UnexpectedInput, text: str, file: str, diagnostics: Diagnostics) -> None:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        # Point just after the last thing written: that is where something is missing.
        content = text.rstrip()
        line = content.count("\n") + 1
        column = len(content) - (content.rfind("\n") + 1) + 1
        span = ast.Span(file, line, column, line, column + 1)
        found = t("diag.end_of_statement")
    else:
        line, column = error.line, error.column
        if isinstance(error, UnexpectedToken):
            width = len(str(error.token))
            found = f"'{error.token}'"
        else:
            width = 1
            found = f"'{text[error.pos_in_stream]}'" if isinstance(error, UnexpectedCharacters) else "input"
        span = ast.Span(file, line, column, line, column + max(width, 1))
    expected = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or [])
    words = sorted({_describe(t) for t in expected})
    hint = None
    if isinstance(error, UnexpectedToken) and error.token.type == "NAME":
        keywords = [w.strip("'") for w in words if w.startswith("'") and w.strip("'").isidentifier()]
        hint = did_you_mean(str(error.token), keywords) if keywords else None
    elif isinstance(error, UnexpectedCharacters):
        word = re.match(r"[A-Za-z_]\w*", text[error.pos_in_stream:])
        if word:
            hint = did_you_mean(word.group(0), KEYWORDS)
    diagnostics.error(t("diag.unexpected", found=found), span, expected=t("diag.or").join(words) if words else None,
                      hint=hint)
