"""Small, safe SQL building blocks (DuckDB dialect; other dialects are rendered with SQLGlot)."""

from __future__ import annotations

import re
from decimal import Decimal

from tanso.diagnostics import TansoError
from tanso.dsl import ast

SQL_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")   # an identifier or keyword in SQL text

COLUMN_SQL_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "date": "DATE", "boolean": "BOOLEAN", "float": "DOUBLE"}


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if "." in text or len(text) < 18 else f"CAST({text} AS DECIMAL(38,0))"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def quoted(value_sql: str) -> str:
    """SQL of a text value shown in single quotes, for a reason: 'v2.0.0'."""
    return "'''' || " + value_sql + " || ''''"


def column_type(column: ast.Column) -> str:
    if column.type_name == "decimal":
        precision, scale = column.decimal_shape
        return f"DECIMAL({precision},{scale})"
    return COLUMN_SQL_TYPES[column.type_name]


_OPERATORS = {"==": "=", "!=": "<>", "and": "AND", "or": "OR"}


def condition(expr: ast.Expr, alias: str | None = None, policies: dict | None = None) -> str:
    """A `where` expression as SQL over the columns of one relation; `policy("x")` becomes the
    option's value, fixed at plan time."""
    if isinstance(expr, ast.Call) and expr.function == "policy":
        return literal((policies or {})[expr.arguments[0].value.value])
    if isinstance(expr, ast.Literal):
        return literal(expr.value)
    if isinstance(expr, ast.Name):
        return (f"{alias}." if alias else "") + ident(expr.dotted)
    if isinstance(expr, ast.ListExpr):
        return "(" + ", ".join(condition(i, alias, policies) for i in expr.items) + ")"
    if isinstance(expr, ast.UnaryOp):
        inner = condition(expr.operand, alias, policies)
        if expr.operator in ("is null", "is not null"):
            return f"({inner} {expr.operator.upper()})"
        return f"({'NOT ' if expr.operator == 'not' else '-'}{inner})"
    if isinstance(expr, ast.BinaryOp):
        operator = "IN" if expr.operator == "in" else _OPERATORS.get(expr.operator, expr.operator)
        return f"({condition(expr.left, alias, policies)} {operator} {condition(expr.right, alias, policies)})"
    raise TypeError(f"not allowed in a condition: {expr!r}")


# Exact decimal division, which DuckDB lacks (its DECIMAL / DECIMAL is a DOUBLE): both operands as
# integers at 12 decimal places (HUGEINT), the quotient rounded half-even to 6 places. Exact for
# |numerator| < 1.7e20 and operands with at most 12 decimals. Defined once per connection.
MACROS = (
    """CREATE OR REPLACE MACRO tanso_unscaled12(x) AS
         CAST(trunc(CAST(x AS DECIMAL(38,12))) AS HUGEINT) * CAST(1000000000000 AS HUGEINT)
         + CAST((CAST(x AS DECIMAL(38,12)) - trunc(CAST(x AS DECIMAL(38,12)))) * 1000000000000 AS HUGEINT)""",
    """CREATE OR REPLACE MACRO tanso_round_half_even_div(a, b) AS
         (a // b) + CASE WHEN 2 * (a % b) > b OR (2 * (a % b) = b AND (a // b) % 2 = 1) THEN 1 ELSE 0 END""",
    """CREATE OR REPLACE MACRO tanso_divide(n, d) AS CASE WHEN d = 0 THEN NULL ELSE
         CAST(sign(n) * sign(d) * tanso_round_half_even_div(abs(tanso_unscaled12(n)) * CAST(1000000 AS HUGEINT),
              abs(tanso_unscaled12(d))) AS DECIMAL(38,0)) * CAST(0.000001 AS DECIMAL(7,6)) END""",
)


def float_as_decimal(value: str, scale: int) -> str:
    """A float column's value as the decimal it prints (the shortest text that reads back as the same
    double: 0.1, not 0.1000000000000000055…), rounded half-even to `scale` places; NULL beyond 14 digits
    before the point. The one rounding of a provider's floating-point figure."""
    return (f"try(CAST(round_even(TRY_CAST(CAST({value} AS VARCHAR) AS DECIMAL(38,24)), {scale}) "
            f"AS DECIMAL(18,{scale})))")


def arithmetic(expr: ast.Expr, alias: str, policies: dict | None = None, floats: frozenset[str] = frozenset()) -> str:
    """A per-row arithmetic expression over columns. Columns are widened to DECIMAL(38,6) so products
    of large values stay in range and exact (a `float` column as `float_as_decimal`); a division is
    exact, rounded half-even to 6 places (`tanso_divide`); `policy("x")` is the option's value, fixed at
    plan time."""
    if isinstance(expr, ast.Name):
        column = f"{alias}.{ident(expr.dotted)}"
        return f"CAST({float_as_decimal(column, 6) if expr.dotted in floats else column} AS DECIMAL(38,6))"
    if isinstance(expr, ast.Literal):
        return literal(expr.value)
    if isinstance(expr, ast.Call) and expr.function == "policy":
        return literal(_policy_number(expr, policies or {}))
    if isinstance(expr, ast.UnaryOp) and expr.operator == "-":
        return f"(-{arithmetic(expr.operand, alias, policies, floats)})"
    if isinstance(expr, ast.BinaryOp) and expr.operator in "+-*/":
        left, right = arithmetic(expr.left, alias, policies, floats), arithmetic(expr.right, alias, policies, floats)
        return f"tanso_divide({left}, {right})" if expr.operator == "/" else f"({left} {expr.operator} {right})"
    raise TypeError(f"not arithmetic: {expr!r}")


def _policy_number(call: ast.Call, policies: dict) -> Decimal:
    name = call.arguments[0].value.value
    value = policies.get(name)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TansoError(f"{call.span}: policy(\"{name}\") is {value!r} in this run; arithmetic needs a number "
                         f"(set it: `set {name} = …` or --set {name}=…)")
    return Decimal(value)


def fraction(expr: ast.Expr) -> tuple[ast.Expr, ast.Expr | None]:
    """The expression as numerator ÷ denominator with no division inside either (None: no division),
    so a product can be divided last: a ÷ b × f is computed as (a × f) ÷ b, one rounding at the end."""
    def node(operator: str, left: ast.Expr, right: ast.Expr) -> ast.Expr:
        return ast.BinaryOp(operator, left, right, expr.span)

    def times(a: ast.Expr | None, b: ast.Expr | None) -> ast.Expr | None:
        return b if a is None else a if b is None else node("*", a, b)

    if isinstance(expr, ast.UnaryOp) and expr.operator == "-":
        numerator, denominator = fraction(expr.operand)
        return ast.UnaryOp("-", numerator, expr.span), denominator
    if not isinstance(expr, ast.BinaryOp):
        return expr, None
    (a, b), (c, d) = fraction(expr.left), fraction(expr.right)
    if expr.operator == "*":
        return node("*", a, c), times(b, d)
    if expr.operator == "/":
        return times(a, d), times(b, c)
    if b is None and d is None:
        return node(expr.operator, a, c), None
    return node(expr.operator, times(a, d), times(c, b)), times(b, d)


def expression_columns(value) -> list[str]:
    """Columns a ColumnExpression parameter reads (a plain column name, or names in a tree)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, ast.Name):
        return [value.dotted]
    if isinstance(value, ast.BinaryOp):
        return expression_columns(value.left) + expression_columns(value.right)
    if isinstance(value, ast.UnaryOp):
        return expression_columns(value.operand)
    return []
