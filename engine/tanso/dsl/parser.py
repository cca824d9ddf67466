"""Parse .tanso text into the syntax tree, reporting every syntax error of a file at once.

Recovery: after an error the parser skips to the next line that starts with a statement keyword and
parses on from there, so one typo does not hide the errors after it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from tanso.cache import cache_folder
from tanso.diagnostics import Diagnostics, did_you_mean
from tanso.dsl import ast, parse_cache

STATEMENT_KEYWORDS = ("ruleset", "set", "input", "factors", "rule", "replace", "exclude", "metric", "check", "remove",
                      "boundary", "accept", "require")
CLAUSE_KEYWORDS = ("status", "source", "as_of", "extends", "key", "columns", "encoding", "numbers", "dates", "headers",
                   "file", "allows", "removals", "required", "scope", "category", "from", "lookup", "on", "where",
                   "needs", "calc", "tags", "basis", "results", "of", "unit", "rejects", "rows", "approval", "approvals")
KEYWORDS = STATEMENT_KEYWORDS + CLAUSE_KEYWORDS
_STATEMENT_START = re.compile(r"^[ \t]*(%s)\b" % "|".join(STATEMENT_KEYWORDS), re.MULTILINE)

# Terminal names as a person would say them.
_TERMINAL_WORDS = {
    "NAME": "a name", "STRING": 'a "quoted string"', "INT": "a whole number", "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)", "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)", "ADD_OP": "+ or -",
    "MUL_OP": "* or /", "RULE_START": "'rule'", "$END": "end of file", "ROWS": "'rows'",
    "APPROVALS": "'approvals'",
    "HEADER_CASE": "case-insensitive or case-sensitive",
}


@lru_cache(maxsize=1)
def _parser() -> Lark:
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
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
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
        diagnostics.error(f"brackets nested more than {MAX_NESTING} deep", ast.Span(file, line, column, line, column + 1),
                          hint="split the expression (e.g. into a metric or a derived rule)")
        return empty
    try:
        module = _parse_chunk(text, file)
    except (UnexpectedInput, _SyntaxProblem):   # reported by the slow path below
        pass
    except RecursionError:
        return _too_complex(file, diagnostics, empty)
    else:
        parse_cache.store(text, file, module)
        return module
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
        except _SyntaxProblem as problem:
            diagnostics.error(problem.message, problem.span)
            continue
        except RecursionError:
            return _too_complex(file, diagnostics, empty)
        header = header or module.header
        statements.extend(module.statements)
    return ast.Module(path=Path(file), header=header, statements=tuple(statements))


def _parse_chunk(text: str, file: str) -> ast.Module:
    _current_text[0] = text
    tree = _parser().parse(text)
    try:
        return _ToAst(file).transform(tree)
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
    diagnostics.error(f"{file} is too deeply nested to parse (a very long chain of operators?)",
                      hint="split the expression (e.g. into a metric or a derived rule)")
    return empty


def parse_file(path: Path, diagnostics: Diagnostics, display_name: str | None = None) -> ast.Module:
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        diagnostics.error(f"cannot read {name}: {error.strerror or error}")
        return ast.Module(path=Path(name), header=None, statements=())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[start:error.start].decode("utf-8", "replace")) + 1
        diagnostics.sources.add(name, data.decode("utf-8", "replace"))
        diagnostics.error(f"{name} is not UTF-8 text: byte 0x{data[error.start]:02x} cannot be read",
                          ast.Span(name, line, column, line, column + 1),
                          hint="save the file as UTF-8 (a .tanso file is always read as UTF-8)")
        return ast.Module(path=Path(name), header=None, statements=())
    return parse_text(text, name, diagnostics)


def _report_syntax_error(error: UnexpectedInput, text: str, file: str, diagnostics: Diagnostics) -> None:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        # Point just after the last thing written: that is where something is missing.
        content = text.rstrip()
        line = content.count("\n") + 1
        column = len(content) - (content.rfind("\n") + 1) + 1
        span = ast.Span(file, line, column, line, column + 1)
        found = "end of statement"
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
    diagnostics.error(f"unexpected {found}", span, expected=" or ".join(words) if words else None, hint=hint)


class _SyntaxProblem(Exception):
    def __init__(self, message: str, span: ast.Span):
        self.message, self.span = message, span


def _unquote(token: Token) -> str:
    return bytes(str(token)[1:-1], "utf-8").decode("unicode_escape") if "\\" in token else str(token)[1:-1]


@v_args(meta=True)
class _ToAst(Transformer):
    """Lark tree → frozen dataclasses. Clause order inside a statement is free; repeats are errors."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _span(self, meta) -> ast.Span:
        if getattr(meta, "empty", False):
            return ast.Span(self.file, 1, 1, 1, 1)
        return ast.Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, token: Token) -> ast.Span:
        return ast.Span(self.file, token.line, token.column, token.end_line, token.end_column)

    # -- module
    def start(self, meta, children):
        header = children[0] if children and isinstance(children[0], ast.Header) else None
        statements = tuple(c for c in children if c is not None and not isinstance(c, ast.Header))
        return ast.Module(Path(self.file), header, statements)

    def header(self, meta, children):
        name, title, *clauses = children
        fields = self._clauses(clauses, "ruleset header")
        return ast.Header(str(name), title, fields.get("status"), fields.get("source"), fields.get("as_of"),
                          fields.get("extends"), self._span(meta))

    def _clauses(self, clauses, where: str) -> dict:
        seen: dict = {}
        for clause in clauses:
            key, value, span = clause
            if key in seen:
                raise _SyntaxProblem(f"'{key}' is given twice in this {where}", span)
            seen[key] = value
        return seen

    def status(self, meta, c):
        return ("status", str(c[0]), self._span(meta))

    def source(self, meta, c):
        return ("source", c[0], self._span(meta))

    def as_of(self, meta, c):
        return ("as_of", str(c[0]), self._span(meta))

    def extends(self, meta, c):
        return ("extends", str(c[0]), self._span(meta))

    # -- statements
    def set_stmt(self, meta, c):
        policy, value, *prov = c
        fields = self._clauses(prov, "set statement")
        return ast.SetPolicy(policy, value, ast.Provenance(fields.get("source"), fields.get("as_of"), fields.get("status")),
                             self._span(meta))

    def input_stmt(self, meta, c):
        name, title, *clauses = c
        fields = self._clauses(clauses, "input statement")
        spans = {clause[0]: clause[2] for clause in clauses}
        key, key_source = fields.get("key", (None, None))
        return ast.InputTable(str(name), title, key, tuple(fields.get("columns", ())), self._span(meta),
                              fields.get("encoding"), fields.get("numbers"), spans, dates=fields.get("dates"),
                              key_source=key_source, headers_case_insensitive=fields.get("headers") is True,
                              file=fields.get("file"))

    def encoding(self, meta, c):
        return ("encoding", c[0], self._span(meta))

    def numbers(self, meta, c):
        return ("numbers", c[0], self._span(meta))

    def file_clause(self, meta, c):
        return ("file", c[0], self._span(meta))
    def dates(self, meta, c):
        return ("dates", c[0], self._span(meta))

    def headers(self, meta, c):
        return ("headers", str(c[0]) == "case-insensitive", self._span(meta))

    def key(self, meta, c):
        name, source = c
        return ("key", (str(name), source[0] if source else None), self._span(meta))

    def column_source(self, meta, c):
        return (c[0], self._span(meta))

    def columns(self, meta, c):
        return ("columns", c, self._span(meta))

    def column(self, meta, c):
        name, type_name, args, *parts = c
        sources = [p for p in parts if isinstance(p, tuple)]
        if len(sources) > 1:
            raise _SyntaxProblem(f"column '{name}' names its source column twice ('from' is given twice)",
                                 sources[1][1])
        return ast.Column(name, str(type_name).lower(), tuple(args or ()), self._span(meta),
                          tuple(p for p in parts if isinstance(p, ast.Constraint)),
                          source=sources[0][0] if sources else None)

    def column_name(self, meta, c):
        return ".".join(str(part) for part in c)

    def signed(self, meta, c):
        sign, number = c
        return -Decimal(str(number)) if sign is not None else Decimal(str(number))

    def range_constraint(self, meta, c):
        return ast.Constraint("range", None, (c[0], c[1]), self._span(meta))

    def compare_constraint(self, meta, c):
        operator = str(c[0])
        if operator not in (">=", ">", "<=", "<"):
            raise _SyntaxProblem(f"a column constraint compares with >=, >, <= or <, not {operator} "
                                 f"(for one allowed value write in (...))", self._span(meta))
        return ast.Constraint("compare", operator, (c[1],), self._span(meta))

    def in_constraint(self, meta, c):
        values = []
        for item in c:
            if not isinstance(item, ast.Literal) or item.value is None:
                raise _SyntaxProblem("the values after `in` are quoted strings, numbers, true or false",
                                     self._span(meta))
            values.append(item.value)
        return ast.Constraint("in", None, tuple(values), self._span(meta))

    def required_constraint(self, meta, c):
        return ast.Constraint("required", None, (), self._span(meta))

    def removals(self, meta, c):
        return True

    def type_args(self, meta, c):
        return tuple(int(x) for x in c if x is not None)

    def factors_stmt(self, meta, c):
        name, title, file, removals = c
        return ast.FactorSetDecl(str(name), title, file, self._span(meta), bool(removals))

    def rule_stmt(self, meta, c):
        start, rule_id, title, *clauses = c
        fields = self._clauses(clauses, "rule")
        scope = fields.get("scope")
        return ast.Rule(
            id=rule_id.dotted, title=title,
            scope=scope[0] if scope else None, category=scope[1] if scope else None,
            source=fields.get("from"), needs=tuple(fields.get("needs", ())), calc=fields.get("calc"),
            tags=tuple(fields.get("tags", ())), basis=fields.get("basis"), replaces=str(start).startswith("replace"),
            span=self._span(meta), id_span=rule_id.span)

    def scope(self, meta, c):
        return ("scope", (int(c[0]), c[1]), self._span(meta))

    def category(self, meta, c):
        return int(c[0])

    def from_(self, meta, c):
        source, *lookups, where = c
        table, results_of = source if isinstance(source, tuple) else (str(source), None)
        return ("from", ast.Source(table, results_of, where, self._span(meta), tuple(lookups)), self._span(meta))

    def lookup(self, meta, c):
        return ast.Lookup(str(c[0]), str(c[1]), self._span(meta))

    def where(self, meta, c):
        return c[0]

    def table_source(self, meta, c):
        return (str(c[0]), None)

    def results_source(self, meta, c):
        return (None, c[0])

    def needs(self, meta, c):
        return ("needs", tuple(c), self._span(meta))

    def calc(self, meta, c):
        return ("calc", c[0], self._span(meta))

    def tags(self, meta, c):
        return ("tags", tuple(str(t) for t in c), self._span(meta))

    def basis(self, meta, c):
        return ("basis", str(c[0]), self._span(meta))

    def boundary_stmt(self, meta, c):
        return ast.Boundary(c[0], self._span(meta))

    def accept_stmt(self, meta, c):
        target, (kind, limit, unit), justification = c
        return ast.AcceptRejects(target, kind, limit, unit, justification, self._span(meta))

    def rows_tolerance(self, meta, c):
        return ("rows", Decimal(str(c[0])), None)

    def share_tolerance(self, meta, c):
        return ("share", Decimal(str(c[0])), None)

    def quantity_tolerance(self, meta, c):
        return ("quantity", Decimal(str(c[0])), c[1])

    def require_stmt(self, meta, c):
        return ast.RequireApprovals(tuple(c[1:]), self._span(meta))

    def role_count(self, meta, c):
        count, role = c
        return ast.RoleCount(str(role), int(count) if count is not None else 1, self._span(meta))

    def exclude_stmt(self, meta, c):
        exclusion_id, justification, *clauses = c
        fields = self._clauses(clauses, "exclusion")
        scope = fields.get("scope")
        return ast.Exclusion(exclusion_id.dotted, justification, scope[0] if scope else None,
                             scope[1] if scope else None, fields.get("from"), self._span(meta))

    def metric_stmt(self, meta, c):
        metric_id, title, expr, unit = c
        return ast.Metric(metric_id.dotted, title, expr, unit, self._span(meta))

    def unit(self, meta, c):
        return c[0]

    def check_stmt(self, meta, c):
        check_id, title, expr = c
        return ast.Check(check_id.dotted, title, expr, self._span(meta))

    def remove_stmt(self, meta, c):
        target, reason = c
        return ast.Remove(target.dotted, reason, self._span(meta))

    # -- expressions
    def call(self, meta, c):
        name, *args = c
        return ast.Call(str(name), tuple(a for a in args if a is not None), self._span(meta))

    def named_argument(self, meta, c):
        return ast.Argument(str(c[0]), c[1], self._span(meta))

    def positional_argument(self, meta, c):
        return ast.Argument(None, c[0], self._span(meta))

    def _fold(self, operator, meta, c):
        result = c[0]
        for operand in c[1:]:
            result = ast.BinaryOp(operator, result, operand, self._span(meta))
        return result

    def or_(self, meta, c):
        return self._fold("or", meta, c)

    def and_(self, meta, c):
        return self._fold("and", meta, c)

    def not_(self, meta, c):
        return ast.UnaryOp("not", c[0], self._span(meta))

    def compare(self, meta, c):
        operator = "==" if str(c[1]) == "=" else str(c[1])
        return ast.BinaryOp(operator, c[0], c[2], self._span(meta))

    def equals(self, meta, c):
        return ast.BinaryOp("==", c[0], c[1], self._span(meta))

    def binary(self, meta, c):
        return ast.BinaryOp(str(c[1]), c[0], c[2], self._span(meta))

    def is_in(self, meta, c):
        items = tuple(x for x in c[1:] if x is not None)
        return ast.BinaryOp("in", c[0], ast.ListExpr(items, self._span(meta)), self._span(meta))

    def is_null(self, meta, c):
        return ast.UnaryOp("is null", c[0], self._span(meta))

    def is_not_null(self, meta, c):
        return ast.UnaryOp("is not null", c[0], self._span(meta))

    def negate(self, meta, c):
        return ast.UnaryOp("-", c[0], self._span(meta))

    def list(self, meta, c):
        return ast.ListExpr(tuple(x for x in c if x is not None), self._span(meta))

    def number(self, meta, c):
        return ast.Literal(Decimal(str(c[0])), self._span(meta))

    def string(self, meta, c):
        return ast.Literal(c[0], self._span(meta))

    def true(self, meta, c):
        return ast.Literal(True, self._span(meta))

    def false(self, meta, c):
        return ast.Literal(False, self._span(meta))

    def date(self, meta, c):
        return ast.Literal(str(c[0]), self._span(meta))

    def dotted(self, meta, c):
        return ast.Name(tuple(str(p) for p in c), self._span(meta))

    def __default_token__(self, token):
        return _unquote(token) if token.type == "STRING" else token
