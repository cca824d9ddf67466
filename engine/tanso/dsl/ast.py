"""The ruleset syntax tree: frozen dataclasses (`tanso.frozen`), each node carrying the span it was parsed from.

Spans travel all the way to the ledger (`rule_source` = file:line) and to every diagnostic, so an
auditor can go from a number to the line that produced it.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Union

from tanso.frozen import frozen


@frozen
class Span:
    """Where a node stands in its source file (1-based line and column, end exclusive)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def short(self) -> str:
        """`file:line`, as the ledger records a rule's origin."""
        return f"{self.file}:{self.line}"


# ---------------------------------------------------------------- expressions


@frozen
class Literal:
    value: Union[str, Decimal, bool, None]
    span: Span


@frozen
class Name:
    """A dotted name: a column (`fuel`), a qualified column (`financials.revenue`) or an id."""

    parts: tuple[str, ...]
    span: Span

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@frozen
class ListExpr:
    items: tuple["Expr", ...]
    span: Span


@frozen
class Argument:
    """A call argument; `name` is None for a positional one."""

    name: str | None
    value: "Expr"
    span: Span


@frozen
class Call:
    function: str
    arguments: tuple[Argument, ...]
    span: Span
    name_span: Span | None = field(default=None, compare=False, hash=False)   # the function's name: a caret's place

    def named(self) -> dict[str, Argument]:
        return {a.name: a for a in self.arguments if a.name is not None}

    def positional(self) -> list[Argument]:
        return [a for a in self.arguments if a.name is None]


@frozen
class BinaryOp:
    operator: str  # + - * / == != >= <= > < and or in
    left: "Expr"
    right: "Expr"
    span: Span


@frozen
class UnaryOp:
    operator: str  # not, -, is null, is not null
    operand: "Expr"
    span: Span


Expr = Union[Literal, Name, ListExpr, Call, BinaryOp, UnaryOp]


def walk(expr: Expr):
    """Every node of an expression, depth first (calls' arguments included). A loop, not recursion, and
    the children found by type in place: a resolve walks every rule's expressions several times (policy
    calls, arithmetic operands, the graph's options), ~17k nodes for a 5,000-line ruleset."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        kind = type(node)
        if kind is BinaryOp:
            stack += (node.right, node.left)
        elif kind is Call:
            stack += [argument.value for argument in reversed(node.arguments)]
        elif kind is UnaryOp:
            stack.append(node.operand)
        elif kind is ListExpr:
            stack += reversed(node.items)


# ---------------------------------------------------------------- statements


@frozen
class Provenance:
    source: str | None = None
    as_of: str | None = None
    status: str | None = None


@frozen
class ReportingPeriod:
    """`period 2025-04-01 to 2026-03-31`: the days the inventory covers, both included (ISO dates)."""

    start: str
    end: str
    span: Span

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"


@frozen
class Header:
    name: str
    title: str | None
    status: str | None
    source: str | None
    as_of: str | None
    extends: str | None
    span: Span
    period: ReportingPeriod | None = None
    extends_span: Span | None = None   # the `extends NAME` clause, where a base that cannot be found is shown


@frozen
class SetPolicy:
    policy: Name
    value: Expr
    provenance: Provenance
    span: Span


@frozen
class Constraint:
    """A rule a column's values must keep: `0..8759` (range), `>= 0` (compare), `in ("a", "b")`, `required`."""

    kind: str                                   # range, compare, in, required
    operator: str | None                        # compare: >= > <= <
    values: tuple[Union[str, Decimal, bool], ...]
    span: Span

    def describe(self) -> str:
        """As written in the ruleset."""
        if self.kind == "range":
            return f"{_number(self.values[0])}..{_number(self.values[1])}"
        if self.kind == "compare":
            return f"{self.operator} {_number(self.values[0])}"
        if self.kind == "in":
            return "in (" + ", ".join(f'"{v}"' if isinstance(v, str) else _number(v) for v in self.values) + ")"
        return "required"


def _number(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@frozen
class Column:
    name: str
    type_name: str
    type_args: tuple[int, ...]
    span: Span
    constraints: tuple[Constraint, ...] = ()
    source: str | None = None                   # `from "G/L Amount"`: the file's name for the column

    @property
    def header(self) -> str:
        """The column's name in the file."""
        return self.source if self.source is not None else self.name

    DEFAULT_DECIMAL = (18, 6)

    @property
    def decimal_shape(self) -> tuple[int, int]:
        """(precision, scale) of a decimal column: `decimal` is (18, 6); `decimal(p)` keeps scale 6."""
        return (*self.type_args, *self.DEFAULT_DECIMAL[len(self.type_args):])[:2]


@frozen
class InputTable:
    name: str
    title: str | None
    key: str | None
    columns: tuple[Column, ...]
    span: Span
    encoding: str | None = None                 # `encoding "cp932"`: the file's text encoding (default UTF-8)
    numbers: str | None = None                  # `numbers "1.234,56"`: how the file writes numbers
    clause_spans: dict = field(default_factory=dict, compare=False, hash=False)
    # `file "aws/carbon/**/*.csv.gz"`: the file, glob of part files or folder (ending in /) under the data
    # folder that holds the table, instead of <name>.<suffix>
    file: str | None = None
    dates: str | None = None                    # `dates "31.03.2025"`: how the file writes dates
    key_source: str | None = None               # `key entry from "伝票番号"`: the file's name for the key
    headers_case_insensitive: bool = False      # `headers case-insensitive`: header names matched ignoring case
    sheet: str | None = None                    # `sheet "電力"`: the workbook's sheet that holds the table
    header_row: int | None = None               # `header row 3`: the sheet row of the header (rows above are not read)
    sheets: str | None = None                   # `sheets "2025-*"` (`sheets all`: "*"): the sheets read as one table
    period: str | None = None                   # `period month`: the column that dates each row
    amended: Span | None = field(default=None, compare=False, hash=False)   # the last `amend input` of it

    @property
    def key_header(self) -> str | None:
        """The key's name in the file."""
        return self.key_source if self.key_source is not None else self.key


@frozen
class InputAmendment:
    """`amend input fuel_use period month`: an overlay's change to an input an earlier layer declares, so
    that dating it for a reporting period does not copy (and then drift from) the base's declaration."""

    name: str
    period: str
    span: Span
    name_span: Span
    clause_spans: dict = field(default_factory=dict, compare=False, hash=False)   # clause → where it is written


@frozen
class FactorSetDecl:
    name: str
    title: str | None
    file: str
    span: Span
    removals: bool = False                      # `allows removals`: negative values (sinks) are allowed
    sheet: str | None = None                    # `sheet "電力"`: the sheet of a workbook that holds the factors
    clause_spans: dict = field(default_factory=dict, compare=False, hash=False)   # clause → where it is written


@frozen
class Lookup:
    """`lookup account_map on account`: each row takes the columns of the row of `table` whose key is its `key`."""

    table: str
    key: str
    span: Span


@frozen
class Source:
    """Where a rule's rows come from: an input table (enriched by lookups), or the results of another rule."""

    table: str | None
    results_of: Name | None
    where: Expr | None
    span: Span
    lookups: tuple[Lookup, ...] = ()
    table_span: Span | None = field(default=None, compare=False, hash=False)  # the table's name: a caret's place


@frozen
class Rule:
    id: str
    title: str | None
    scope: int | None
    category: int | None
    source: Source | None
    needs: tuple[Name, ...]
    calc: Call | None
    tags: tuple[str, ...]
    basis: str | None          # alternative views of the same emissions (e.g. location / market)
    replaces: bool
    span: Span
    id_span: Span
    scope_span: Span | None = None      # the scope's number, where diagnostics about it point
    category_span: Span | None = None   # the category's number


@frozen
class Exclusion:
    """Rows or a whole scope/category deliberately left out, with the justification reported."""

    id: str
    justification: str
    scope: int | None
    category: int | None
    source: Source | None
    span: Span
    scope_span: Span | None = None
    category_span: Span | None = None


@frozen
class Metric:
    id: str
    title: str | None
    expr: Expr
    unit: str | None
    span: Span


@frozen
class Check:
    id: str
    title: str | None
    expr: Expr
    span: Span


@frozen
class Remove:
    id: str
    reason: str | None
    span: Span


@frozen
class Boundary:
    """The organisational boundary method: which entities count, at what weight."""

    call: Call
    span: Span


@frozen
class AcceptRejects:
    """A stated tolerance for rejected rows of a rule (or of an input file, rows refused while
    reading), with its justification: `limit` rows, `limit` % of the rows, or `limit` `unit` of activity."""

    target: Name
    kind: str                  # rows | share | quantity
    limit: Decimal
    unit: str | None           # for kind quantity
    justification: str
    span: Span

    def describe(self) -> str:
        number = format(self.limit.normalize(), "f") if self.limit == self.limit.to_integral() else format(self.limit, "f")
        if self.kind == "rows":
            return f"up to {number} row{'' if self.limit == 1 else 's'}"
        if self.kind == "share":
            return f"up to {number} % of its rows"
        return f"up to {number} {self.unit}"


@frozen
class RoleCount:
    role: str
    count: int
    span: Span


@frozen
class RequireApprovals:
    """The sign-offs a run needs before it is final: so many approvals (`tanso approve`) of each role,
    each by a different person and key. A run without them is reported as a draft."""

    roles: tuple[RoleCount, ...]
    span: Span

    def required(self) -> dict[str, int]:
        return {r.role: r.count for r in self.roles}


Statement = Union[SetPolicy, InputTable, InputAmendment, FactorSetDecl, Rule, Exclusion, Metric, Check, Remove, Boundary,
                  AcceptRejects, RequireApprovals]


@frozen
class Module:
    """One parsed .tanso file."""

    path: Path
    header: Header | None
    statements: tuple[Statement, ...] = field(default_factory=tuple)
