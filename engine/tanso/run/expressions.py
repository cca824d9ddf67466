"""Evaluate `metric` and `check` expressions: functions compile to scalar SQL over the finished run;
the arithmetic around them is done exactly in Python decimals (a handful of values, not rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import Any, Callable

from tanso.dsl import ast
from tanso.model.policy_calls import POLICY_FUNCTION
from tanso.model.ruleset import literal_value
from tanso.plan.context import FunctionContext
from tanso.plugins import Registry
from tanso.reasons import reason_text


@dataclass(frozen=True)
class Relations:
    ledger: str
    inputs: dict[str, str]
    rules: dict[str, tuple[int | None, int | None]]
    policies: dict[str, Any]
    # a place in the ruleset as the run records it (`Ruleset.cite`): required, since a default naming files as
    # parsed would make the recorded text, and the digest, depend on the working folder
    cite: Callable[..., str]
    rule_tables: dict[str, str] = field(default_factory=dict)          # rule id → its rows' input table
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # input table → its declared columns
    places: dict[str, Callable[[str], str]] = field(default_factory=dict)  # input table → place SQL of a row
    boundary: str | None = None                                         # entity weights, where there is a boundary


class ExpressionProblem(Exception):
    pass


class NotApplicable(Exception):
    """An expression reads an option that is not set in this run (e.g. a threshold the standard in
    force does not have): the metric has no value and the check neither passes nor fails."""


def tables_read_by(expr: ast.Expr) -> set[str]:
    """Input tables named by `table.column` arguments (e.g. `column_sum(financials.revenue)`, `jumps(…,
    per: cloud_costs.cost)`); a `rule:` argument names a rule, not a table."""
    found: set[str] = set()
    if isinstance(expr, ast.Call):
        for argument in expr.arguments:
            if argument.name != "rule" and isinstance(argument.value, ast.Name) and len(argument.value.parts) >= 2:
                found.add(argument.value.parts[0])
            found |= tables_read_by(argument.value)
    elif isinstance(expr, ast.BinaryOp):
        found |= tables_read_by(expr.left) | tables_read_by(expr.right)
    elif isinstance(expr, ast.UnaryOp):
        found |= tables_read_by(expr.operand)
    return found


def _value(expr: ast.Expr, registry: Registry, con, relations: Relations, findings: Findings) -> Any:
    """The expression's value; functions that explain their value add their findings and notes to `findings`."""
    if isinstance(expr, ast.Call) and expr.function == POLICY_FUNCTION:
        name = expr.arguments[0].value.value
        if relations.policies.get(name) is None:
            raise NotApplicable(reason_text("option_not_set", option=name))
        return relations.policies[name]
    if isinstance(expr, ast.Call):
        function = registry.functions[expr.function]
        ctx = FunctionContext(
            arguments={a.name: literal_value(a.value) for a in expr.arguments if a.name},
            positional=[literal_value(a.value) for a in expr.arguments if a.name is None],
            ledger=relations.ledger, inputs=relations.inputs, rules=relations.rules,
            rule_tables=relations.rule_tables, columns=relations.columns, boundary=relations.boundary,
            place=lambda table, row: relations.places[table](row) if table in relations.places
            else f"'{table} row ' || CAST({row} AS VARCHAR)", policies=relations.policies)
        try:
            listing = function.findings(ctx) if function.findings is not None else None
            notes = function.notes(ctx) if function.notes is not None else None
            scalar = function.compile(ctx)
        except ValueError as error:   # arguments the function cannot use (an unknown column, a bad number)
            raise ExpressionProblem(f"{expr.function} at {relations.cite(expr.span, column=True)}: {error}") from None
        if listing is not None:
            findings.flags += [row[0] for row in con.execute(listing).fetchall()]
        if notes is not None:
            findings.notes += [row[0] for row in con.execute(notes).fetchall()]
        result = con.execute(scalar).fetchone()[0]
        return Decimal(0) if result is None else Decimal(result)
    if isinstance(expr, ast.BinaryOp):
        left = _value(expr.left, registry, con, relations, findings)
        right = _value(expr.right, registry, con, relations, findings)
        operations = {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
                      "/": lambda: left / right, "==": lambda: left == right, "!=": lambda: left != right,
                      ">=": lambda: left >= right, "<=": lambda: left <= right, ">": lambda: left > right,
                      "<": lambda: left < right, "and": lambda: left and right, "or": lambda: left or right}
        try:
            return operations[expr.operator]()
        except (DivisionByZero, InvalidOperation):
            raise ExpressionProblem(f"division by zero at {relations.cite(expr.span, column=True)}") from None
        except TypeError:   # an option whose type `tanso check` cannot tell (e.g. a number or a text)
            raise ExpressionProblem(f"'{expr.operator}' cannot combine {_shown(left)} and {_shown(right)} "
                                    f"at {relations.cite(expr.span, column=True)}") from None
    if isinstance(expr, ast.UnaryOp) and expr.operator == "not":
        return not _value(expr.operand, registry, con, relations, findings)
    return literal_value(expr)


def _shown(value: Any) -> str:
    return f'the text "{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) \
        else f"the number {value}"


@dataclass
class Findings:
    """What the functions of an expression found: flags (a check's failures), and notes (information)."""

    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def listed(self, expr: ast.Expr, registry: Registry) -> dict[str, list[str]]:
        """`findings` where a function of the expression flags (even none), `notes` where one notes."""
        functions = [registry.functions[node.function] for node in ast.walk(expr)
                     if isinstance(node, ast.Call) and node.function in registry.functions]
        return {**({"findings": self.flags} if any(f.findings is not None for f in functions) else {}),
                **({"notes": self.notes} if any(f.notes is not None for f in functions) else {})}


def _evaluate(expr: ast.Expr, registry: Registry, con, relations: Relations) -> tuple[Any, str | None, bool, Findings]:
    """(value, problem, applicable, findings)."""
    findings = Findings()
    with localcontext() as context:
        context.prec = 50
        context.traps[DivisionByZero] = True
        try:
            return _value(expr, registry, con, relations, findings), None, True, findings
        except ExpressionProblem as problem:
            return None, str(problem), True, findings
        except NotApplicable as reason:
            return None, str(reason), False, findings


def evaluate_metric(node: ast.Metric, registry: Registry, con, relations: Relations) -> dict[str, Any]:
    value, problem, _, findings = _evaluate(node.expr, registry, con, relations)
    return {"id": node.id, "title": node.title, "value": value, "unit": node.unit, "problem": problem,
            "source": relations.cite(node.span), **findings.listed(node.expr, registry)}


def evaluate_check(node: ast.Check, registry: Registry, con, relations: Relations) -> dict[str, Any]:
    """`passed` is True or False, or None where the check is not applicable in this run; `findings`, where a
    function of the check explains its value, what it found (a failed anomaly check: the periods flagged)."""
    value, problem, applicable, findings = _evaluate(node.expr, registry, con, relations)
    passed = None if not applicable else bool(value) if problem is None else False
    return {"id": node.id, "title": node.title, "passed": passed, "problem": problem,
            "source": relations.cite(node.span),
            **findings.listed(node.expr, registry)}
