"""DuckDB-dialect plan SQL rendered as Spark SQL with SQLGlot, plus the rewrites SQLGlot cannot know.

The calculators and the planner write DuckDB SQL. SQLGlot transpiles most of it; what it cannot render
the same way is rewritten on the expression tree here, each rewrite keeping DuckDB's exact result:
- `round_even(x, n)` (half-even) is Spark's `bround(x, n)`;
- `try(CAST(x AS T))` is `TRY_CAST(x AS T)` (NULL where the value does not fit, as DuckDB's `try`);
- the exact-division macro `tanso_divide` (plan/sql.py, HUGEINT arithmetic in DuckDB) is expanded
  into DECIMAL(38,0) arithmetic, the quotient rounded half-even to 6 places as in DuckDB;
- `regexp_full_match(x, p)` (the whole value matches) is `x RLIKE '^(?:p)$'` (RLIKE finds a match
  anywhere; anchored, it must cover the whole value, as in DuckDB);
- relation names are mapped to the Spark session's temporary views (`rename`).
"""

from __future__ import annotations

from typing import Callable

import sqlglot
from sqlglot import exp

from tanso.diagnostics import TansoError

# The integer of x at 12 decimal places, as DECIMAL(38,0): exact for |x| < 1e26.
_UNSCALED12 = "CAST(CAST({x} AS DECIMAL(38,12)) * CAST(1000000000000 AS DECIMAL(13,0)) AS DECIMAL(38,0))"


class NotPortable(TansoError):
    """A construct of the plan SQL with no exact Spark form (a bug to fix in the calculator or here)."""

    exit_code = 2


def _divide_template() -> exp.Expression:
    """tanso_divide(N, D) for Spark, N and D as placeholders: n ÷ d rounded half-even to 6 places as in
    plan/sql.py. a = |n|·10^18 and b = |d|·10^12 as integers; (a - a mod b) / b is their exact integer
    quotient (Spark types it DECIMAL(38,18): exact for |n ÷ d| < 10^14) and the remainder decides the
    half-even step. The sign is applied by CASE, as Spark's sign() is a DOUBLE that would lose digits."""
    a = f"(abs({_UNSCALED12.format(x='N')}) * CAST(1000000 AS DECIMAL(7,0)))"
    b = f"abs({_UNSCALED12.format(x='D')})"
    remainder = f"({a} % {b})"
    quotient = f"CAST((({a} - {remainder}) / {b}) AS DECIMAL(38,0))"
    half_even = f"CASE WHEN 2 * {remainder} > {b} OR (2 * {remainder} = {b} AND {quotient} % 2 = 1) THEN 1 ELSE 0 END"
    sign = "CASE WHEN (N < 0) <> (D < 0) THEN -1 ELSE 1 END"
    return sqlglot.parse_one(f"CASE WHEN D = 0 THEN NULL ELSE CAST({sign} * ({quotient} + {half_even}) "
                             f"AS DECIMAL(38,0)) * CAST(0.000001 AS DECIMAL(7,6)) END", read="spark")


_DIVIDE = _divide_template()
_DECIMAL_38_0 = exp.DataType.build("DECIMAL(38,0)")


def _divide(n: exp.Expression, d: exp.Expression) -> exp.Expression:
    operands = {"N": exp.paren(n.transform(_rewrite), copy=False), "D": exp.paren(d.transform(_rewrite), copy=False)}
    return _DIVIDE.transform(lambda node: operands[node.name].copy()
                             if isinstance(node, exp.Column) and node.name in operands else node)


def _rewrite(node: exp.Expression) -> exp.Expression:
    """One node in Spark's form (SQLGlot's transform does not descend into a replaced node: the
    replacement rewrites its own operands)."""
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "round_even":
            return exp.Anonymous(this="bround", expressions=[e.transform(_rewrite) for e in node.expressions])
        if name == "tanso_divide":
            return _divide(*node.expressions)
        if name.startswith("tanso_"):
            raise NotPortable(f"{name}() has no Spark form")
    if isinstance(node, exp.Try):
        if isinstance(node.this, exp.Cast):
            return exp.TryCast(this=node.this.this.transform(_rewrite), to=node.this.to, safe=True)
        raise NotPortable(f"try({node.this.sql('duckdb')}) has no Spark form (only try(CAST …) has: TRY_CAST)")
    if isinstance(node, exp.RegexpFullMatch) and isinstance(node.expression, exp.Literal):
        anchored = exp.Literal.string(f"^(?:{node.expression.this})$")
        return exp.RegexpLike(this=node.this.transform(_rewrite), expression=anchored)
    if isinstance(node, exp.RegexpFullMatch):
        raise NotPortable("regexp_full_match with a pattern that is not a literal has no Spark form")
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
        return _DECIMAL_38_0.copy()
    return node


def to_spark(query: str | exp.Expression, rename: Callable[[str], str]) -> str:
    """One DuckDB query (text or parsed) as Spark SQL; `rename` maps each relation it reads to a Spark view."""
    tree = sqlglot.parse_one(query, read="duckdb") if isinstance(query, str) else query
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name and table.name not in ctes and not table.args.get("db"):
            table.set("this", exp.to_identifier(rename(table.name)))
    return tree.transform(_rewrite).sql("spark")
