"""`total`, `quantity`, `rows` over the ledger, `column_sum` over an input table, and the integrity
checks over time series `jumps` and `outside` (`tanso_functions.series`).

Filters are named arguments: `scope: 1` or `scope: [1, 2]`, `category: 3`, `rule: s2.location`,
`gas: CH4`, `basis: market` (rules without a basis count in every basis), `method: "spend-based"`,
`data_type: supplier-specific`. Totals are in kg CO2e, boundary-weighted, exact decimals.
"""

from __future__ import annotations

from tanso import hookimpl
from tanso.contracts import ExpressionFunction
from tanso.plan.context import FunctionContext
from tanso.plan.sql import ident, literal
from tanso_functions import series

FILTERS = ("scope", "category", "rule", "gas", "basis", "method", "data_type")


def _listed(value) -> list:
    """A filter argument's values: `scope: 1` and `scope: [1, 2]` alike."""
    return value if isinstance(value, list) else [value]


def _where(ctx: FunctionContext) -> str:
    parts = []
    for name in FILTERS:
        if name not in ctx.arguments:
            continue
        values = _listed(ctx.arguments[name])
        column = "rule_id" if name == "rule" else name
        cast = (lambda v: str(int(v))) if name in ("scope", "category") else literal
        condition = f"{column} IN ({', '.join(cast(v) for v in values)})"
        parts.append(f"({condition} OR basis IS NULL)" if name == "basis" else condition)
    return " AND ".join(parts) or "TRUE"


def total(ctx: FunctionContext) -> str:
    return f"SELECT sum(co2e_kg * boundary_weight) FROM {ctx.ledger} WHERE {_where(ctx)}"


def quantity(ctx: FunctionContext) -> str:
    # One quantity per input row and rule, although the ledger holds one row per gas.
    return (f"SELECT sum(quantity) FROM (SELECT DISTINCT rule_id, row_id, quantity FROM {ctx.ledger} "
            f"WHERE {_where(ctx)})")


def rows(ctx: FunctionContext) -> str:
    return f"SELECT count(DISTINCT row_id) FROM {ctx.ledger} WHERE {_where(ctx)}"


def column_sum(ctx: FunctionContext) -> str:
    """Sum of an input column over the rows whose named columns equal the arguments:
    `column_sum(scope12_estimates.estimated_kg, scope: 1)`; a list means any of its values."""
    table, column = str(ctx.positional[0]).split(".", 1)
    conditions = []
    for name, values in sorted(ctx.arguments.items()):
        conditions.append(f"CAST({ident(name)} AS VARCHAR) IN ({', '.join(literal(str(v)) for v in _listed(values))})")
    return (f"SELECT sum({ident(column)}) FROM {ctx.inputs.get(table, 'input__' + table)} "
            f"WHERE {' AND '.join(conditions) or 'TRUE'}")


@hookimpl
def tanso_functions():
    return [
        ExpressionFunction("total", "kg CO2e in the ledger, filtered by scope/category/rule/gas", total, FILTERS),
        ExpressionFunction("quantity", "activity quantity computed by the filtered rules", quantity, FILTERS),
        ExpressionFunction("rows", "number of input rows in the filtered ledger", rows, FILTERS),
        ExpressionFunction("column_sum", "sum of an input column, optionally over rows with given values: "
                           "column_sum(table.column, other_column: value)", column_sum, ()),
        ExpressionFunction("jumps", "number of periods whose value jumps above its trailing median by more than "
                           "threshold robust deviations (a rule's emissions, a column's sum, or their ratio); lists "
                           "them", series.jumps, series.JUMPS_ARGUMENTS, findings=series.jumps_findings),
        ExpressionFunction("outside", "number of values of table.column outside allowed: [...]; lists them",
                           series.outside, ("allowed",), findings=series.outside_findings),
    ]
