"""`policy("name")` used as a value must fit the option's type, checked before any run.

Compared with a text the option cannot hold (`policy("boundary.approach") = "operationl_control"`), a
where clause would silently select nothing; in arithmetic or an ordering (`… >= policy("gwp.set")`)
the run would fail half-way. Both are the ruleset's mistakes, so `tanso check` names them.
"""

from __future__ import annotations

import types
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from tanso.diagnostics import Diagnostics, did_you_mean
from tanso.dsl import ast
from tanso.frozen import frozen
from tanso.i18n import t
from tanso.model.checks import expressions_of
from tanso.model.layer import _Layer
from tanso.model.policy_calls import POLICY_FUNCTION
from tanso.plugins import Registry

NUMERIC = {"+", "-", "*", "/", ">=", "<=", ">", "<"}   # both operands must be numbers
EQUALITY = {"==", "!="}


@frozen
class Kind:
    """What an option holds: "text", "number" or "boolean" (None: not known, nothing is checked), and
    for an option of fixed texts, those texts."""

    name: str | None
    values: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.values:
            return t("expects.text_one_of", values=", ".join(f'"{v}"' for v in self.values))
        return t("expects." + {"number": "number", "boolean": "boolean"}.get(self.name, "text"))


def option_kind(type_: Any) -> Kind:
    """The kind of a policy option's declared type (a Literal, bool, Decimal, str, Optional or Annotated of them)."""
    origin = get_origin(type_)
    if origin is Annotated:
        return option_kind(get_args(type_)[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(type_) if a is not type(None)]
        return option_kind(inner[0]) if len(inner) == 1 else Kind(None)
    if origin is Literal:
        kinds = {literal_kind(a) for a in get_args(type_)}
        if kinds == {"text"}:
            return Kind("text", tuple(get_args(type_)))
        return Kind(kinds.pop()) if len(kinds) == 1 else Kind(None)
    if type_ is bool:
        return Kind("boolean")
    if type_ is str:
        return Kind("text")
    if isinstance(type_, type) and issubclass(type_, (int, float, Decimal)):
        return Kind("number")
    return Kind(None)


def literal_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    return "text" if isinstance(value, str) else None


def check_policy_values(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """Every comparison, ordering and arithmetic with a `policy()` operand, in every expression of the ruleset."""
    for expr in expressions_of(layer):
        for node in ast.walk(expr):
            if isinstance(node, ast.BinaryOp):
                _check_operation(node, registry, diagnostics)
            elif isinstance(node, ast.UnaryOp) and node.operator == "-":
                _check_number(node.operand, "-", registry, diagnostics)


def _option(expr: ast.Expr, registry: Registry) -> tuple[str, Kind] | None:
    """The option a `policy("name")` operand reads and its kind; None for any other operand (or an
    unknown option, which `policy()`'s own check reports)."""
    if not (isinstance(expr, ast.Call) and expr.function == POLICY_FUNCTION and len(expr.arguments) == 1):
        return None
    name = expr.arguments[0].value
    if not (isinstance(name, ast.Literal) and isinstance(name.value, str)) or name.value not in registry.policy_options:
        return None
    return name.value, option_kind(registry.policy_options[name.value].type)


def _check_operation(node: ast.BinaryOp, registry: Registry, diagnostics: Diagnostics) -> None:
    if node.operator in NUMERIC:
        _check_number(node.left, node.operator, registry, diagnostics)
        _check_number(node.right, node.operator, registry, diagnostics)
        return
    if node.operator not in (*EQUALITY, "in"):
        return
    for policy_side, other in ((node.left, node.right), (node.right, node.left)):
        option = _option(policy_side, registry)
        if option is None:
            continue
        items = other.items if node.operator == "in" and isinstance(other, ast.ListExpr) else (other,)
        for item in items:
            if isinstance(item, ast.Literal):
                _check_compared(option, item, node.operator, diagnostics)


def _check_number(operand: ast.Expr, operator: str, registry: Registry, diagnostics: Diagnostics) -> None:
    option = _option(operand, registry)
    if option is None or option[1].name in (None, "number"):
        return
    name, kind = option
    diagnostics.error(t("diag.policy_not_number", operator=operator, name=name, kind=kind.describe()), operand.span,
                      expected=t("diag.number_operand"),
                      hint=t("diag.compare_instead", name=name, value=kind.values[0]) if kind.values else None)


def _check_compared(option: tuple[str, Kind], literal: ast.Literal, operator: str, diagnostics: Diagnostics) -> None:
    name, kind = option
    given = literal_kind(literal.value)
    if kind.name is None or given is None:
        return
    if given != kind.name:
        shown = t("given.text", value=literal.value) if given == "text" else str(literal.value).lower() \
            if given == "boolean" else t("given.number", value=literal.value)
        diagnostics.error(t("diag.policy_compared", name=name, kind=kind.describe(), given=shown), literal.span,
                          expected=kind.describe())
    elif kind.values and literal.value not in kind.values:
        outcome = t("diag.true" if operator == "!=" else "diag.false")
        diagnostics.error(t("diag.policy_cannot_hold", value=literal.value, name=name, outcome=outcome), literal.span,
                          expected=kind.describe(),
                          hint=did_you_mean(literal.value, kind.values))
