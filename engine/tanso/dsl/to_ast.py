"""Lark's parse tree → the syntax tree (`tanso.dsl.ast`): frozen dataclasses with their spans.

Imported by the parser on its first parse (lark is no part of reading a cached tree: `parse_cache`).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lark import Token, Transformer, v_args

from tanso.dsl import ast
from tanso.i18n import kind, t


class SyntaxProblem(Exception):
    """A mistake found while building the tree (e.g. a repeated clause), with its span."""

    def __init__(self, message: str, span: ast.Span):
        self.message, self.span = message, span


def _unquote(token: Token) -> str:
    return bytes(str(token)[1:-1], "utf-8").decode("unicode_escape") if "\\" in token else str(token)[1:-1]


@v_args(meta=True)
class ToAst(Transformer):
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
        spans = {key: span for key, _, span in clauses}
        return ast.Header(str(name), title, fields.get("status"), fields.get("source"), fields.get("as_of"),
                          fields.get("extends"), self._span(meta), period=fields.get("period"),
                          extends_span=spans.get("extends"))

    def _clauses(self, clauses, where: str) -> dict:
        seen: dict = {}
        for clause in clauses:
            key, value, span = clause
            if key in seen:
                raise SyntaxProblem(t("diag.given_twice", clause=key, where=kind(where)), span)
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

    def reporting_period(self, meta, c):
        span = self._span(meta)
        return ("period", ast.ReportingPeriod(str(c[0]), str(c[1]), span), span)

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
                              file=fields.get("file"), sheet=fields.get("sheet"), header_row=fields.get("header_row"),
                              sheets=fields.get("sheets"), period=fields.get("period"))

    def amend_stmt(self, meta, c):
        name, *clauses = c
        fields = self._clauses(clauses, "amend statement")
        return ast.InputAmendment(str(name), fields["period"], self._span(meta), self._token_span(name),
                                  {clause[0]: clause[2] for clause in clauses})

    def encoding(self, meta, c):
        return ("encoding", c[0], self._span(meta))

    def numbers(self, meta, c):
        return ("numbers", c[0], self._span(meta))

    def file_clause(self, meta, c):
        return ("file", c[0], self._span(meta))
    def dates(self, meta, c):
        return ("dates", c[0], self._span(meta))

    def sheet(self, meta, c):
        return ("sheet", c[0], self._span(meta))

    def sheets(self, meta, c):
        return ("sheets", c[0], self._span(meta))

    def sheets_all(self, meta, c):
        return ("sheets", "*", self._span(meta))

    def header_row(self, meta, c):
        return ("header_row", int(c[0]), self._span(meta))

    def period_column(self, meta, c):
        return ("period", str(c[0]), self._span(meta))

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
            raise SyntaxProblem(t("diag.from_twice", column=name), sources[1][1])
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
            raise SyntaxProblem(t("diag.constraint_operator", operator=operator), self._span(meta))
        return ast.Constraint("compare", operator, (c[1],), self._span(meta))

    def in_constraint(self, meta, c):
        values = []
        for item in c:
            if not isinstance(item, ast.Literal) or item.value is None:
                raise SyntaxProblem(t("diag.in_values"), self._span(meta))
            values.append(item.value)
        return ast.Constraint("in", None, tuple(values), self._span(meta))

    def required_constraint(self, meta, c):
        return ast.Constraint("required", None, (), self._span(meta))

    def removals(self, meta, c):
        return ("removals", True, self._span(meta))

    def type_args(self, meta, c):
        return tuple(int(x) for x in c if x is not None)

    def factors_stmt(self, meta, c):
        name, title, file, *clauses = c
        fields = self._clauses(clauses, "factors statement")
        return ast.FactorSetDecl(str(name), title, file, self._span(meta), fields.get("removals", False),
                                 fields.get("sheet"), {clause[0]: clause[2] for clause in clauses})

    def rule_stmt(self, meta, c):
        start, rule_id, title, *clauses = c
        fields = self._clauses(clauses, "rule")
        scope, scope_span, category, category_span = fields.get("scope", (None,) * 4)
        return ast.Rule(
            id=rule_id.dotted, title=title, scope=scope, category=category,
            source=fields.get("from"), needs=tuple(fields.get("needs", ())), calc=fields.get("calc"),
            tags=tuple(fields.get("tags", ())), basis=fields.get("basis"), replaces=str(start).startswith("replace"),
            span=self._span(meta), id_span=rule_id.span, scope_span=scope_span, category_span=category_span)

    def scope(self, meta, c):
        """(scope, its number's span, category, its number's span): diagnostics point at the number at fault."""
        number, (category, category_span) = c[0], c[1] or (None, None)
        return ("scope", (int(number), self._token_span(number), category, category_span), self._span(meta))

    def category(self, meta, c):
        return int(c[0]), self._token_span(c[0])

    def from_(self, meta, c):
        source, *lookups, where = c
        table, results_of, table_span = source if isinstance(source, tuple) else (str(source), None,
                                                                                 self._token_span(source))
        return ("from", ast.Source(table, results_of, where, self._span(meta), tuple(lookups), table_span),
                self._span(meta))

    def lookup(self, meta, c):
        return ast.Lookup(str(c[0]), str(c[1]), self._span(meta))

    def where(self, meta, c):
        return c[0]

    def table_source(self, meta, c):
        return (str(c[0]), None, self._token_span(c[0]))

    def results_source(self, meta, c):
        return (None, c[0], None)

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
        scope, scope_span, category, category_span = fields.get("scope", (None,) * 4)
        return ast.Exclusion(exclusion_id.dotted, justification, scope, category, fields.get("from"), self._span(meta),
                             scope_span, category_span)

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
        return ast.Call(str(name), tuple(a for a in args if a is not None), self._span(meta),
                        self._token_span(name) if isinstance(name, Token) else None)

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
