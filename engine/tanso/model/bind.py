"""Bind a composed ruleset: type the policy values, validate every calculator's and the boundary's
parameters against the plugins' models, and freeze the result into a `Ruleset` (the checks run on the way)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from tanso.diagnostics import Diagnostics, did_you_mean, expected_list
from tanso.dsl import ast
from tanso.i18n import t
from tanso.model.checks import (_check_accepts, _check_arithmetic_operands, _check_exclusive_tables, _check_scopes,
                                _check_expression_calls, _check_factor_files, _check_input_files, _check_inputs,
                                _check_level_columns, _check_policy_calls, _check_source, _source_columns)
from tanso.model.layer import _Layer
from tanso.model.lookups import check_table_lookups
from tanso.model.period_checks import check_reporting_period
from tanso.model.policy_calls import POLICY_FUNCTION
from tanso.model.policy_values import check_policy_values
from tanso.model.ruleset import BoundaryStep, CalcStep, PolicyValue, Rule, Ruleset, literal_value
from tanso.model.sources import cited_names
from tanso.parameters import ValidationError, validate_value
from tanso.plugins import Registry

FALLBACK_CALL = "first_of"


def _argument_value(expr: ast.Expr) -> Any:
    """A constant, or an arithmetic expression over columns kept as a tree (for ColumnExpression
    parameters; other parameter types reject it with a type error); NOT_A_VALUE for anything else
    (a comparison, a call), which the caller reports in the user's terms."""
    try:
        return literal_value(expr)
    except ValueError:
        arithmetic = isinstance(expr, (ast.BinaryOp, ast.UnaryOp)) and _is_arithmetic(expr)
        return expr if arithmetic else NOT_A_VALUE


NOT_A_VALUE = object()


def _is_arithmetic(expr: ast.Expr) -> bool:
    if isinstance(expr, ast.BinaryOp):
        return expr.operator in "+-*/" and _is_arithmetic(expr.left) and _is_arithmetic(expr.right)
    if isinstance(expr, ast.UnaryOp):
        return expr.operator == "-" and _is_arithmetic(expr.operand)
    if isinstance(expr, ast.Call):
        return expr.function == POLICY_FUNCTION
    return isinstance(expr, (ast.Literal, ast.Name))


def _constant(expr: ast.Expr, diagnostics: Diagnostics) -> Any:
    try:
        return literal_value(expr)
    except ValueError:
        diagnostics.error(t("chk.policy_value_constant"), getattr(expr, "span", None),
                          expected=t("chk.policy_value_expected"))
        return None


def _bind(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> Ruleset:
    policies = _bind_policies(layer, registry, diagnostics)
    _check_inputs(layer, diagnostics)
    _check_level_columns(layer, registry, diagnostics)
    _check_input_files(layer, registry, diagnostics)
    _check_factor_files(layer, registry, diagnostics)
    check_reporting_period(layer, diagnostics)
    rules = {}
    for rule_id, (node, layer_name) in layer.rules.items():
        steps = _bind_rule(node, layer, registry, diagnostics)
        rules[rule_id] = Rule(node=node, steps=tuple(steps), layer=layer_name)
    _check_exclusive_tables(rules, registry, diagnostics)
    _check_scopes(layer, registry, diagnostics)
    for item in layer.exclusions.values():
        if item.node.source is not None:
            _check_source(item.node.source, layer, diagnostics)
    sources = [node.source for node, _ in layer.rules.values()] + [i.node.source for i in layer.exclusions.values()]
    check_table_lookups([s for s in sources if s is not None], layer.inputs, diagnostics)
    for item in [*layer.metrics.values(), *layer.checks.values()]:
        _check_expression_calls(item.node.expr, layer, registry, diagnostics)
    boundary = _bind_boundary(layer, registry, diagnostics) if layer.boundary else None
    _check_accepts(layer, diagnostics)
    _check_policy_calls(layer, registry, diagnostics)
    check_policy_values(layer, registry, diagnostics)
    _check_arithmetic_operands(layer, diagnostics)
    header = layer.header
    return Ruleset(boundary=boundary, 
        name=layer.name, title=header.title if header else None, status=header.status if header else None,
        source=header.source if header else None, as_of=header.as_of if header else None,
        layers=tuple(layer.layers), files=tuple(layer.files), policies=policies, inputs=dict(layer.inputs),
        factor_sets=dict(layer.factor_sets), rules=rules, exclusions=dict(layer.exclusions),
        metrics=dict(layer.metrics), checks=dict(layer.checks), accepts=dict(layer.accepts),
        approvals=layer.approvals, cited=cited_names(layer.files), period=layer.period)


def _bind_boundary(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> BoundaryStep | None:
    node, layer_name = layer.boundary
    call = node.call
    method = registry.boundary_methods.get(call.function)
    if method is None:
        diagnostics.unknown("boundary method", call.function, call.span, registry.boundary_methods)
        return None
    parameters = _validate_parameters(call, method.parameters, diagnostics)
    if parameters is None:
        return None
    for name in method.table_parameters:
        table = getattr(parameters, name, None)
        if table not in layer.inputs:
            argument = call.named().get(name)
            diagnostics.unknown("input table", str(table), argument.span if argument else call.span, layer.inputs)
        elif "entity" not in _source_columns(ast.Source(table, None, None, call.span), layer):
            diagnostics.error(t("chk.boundary_entity", table=table), call.span)
    return BoundaryStep(method=call.function, parameters=parameters, span=node.span, layer=layer_name)


def _validate_parameters(call: ast.Call, model, diagnostics: Diagnostics):
    raw = {a.name: _constant(a.value, diagnostics) for a in call.arguments if a.name is not None}
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        _parameter_problems(call, model, error, diagnostics)
        return None


def _bind_policies(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> dict[str, PolicyValue]:
    options = registry.policy_options
    bound: dict[str, PolicyValue] = {}
    for name, chosen in layer.policies.items():
        option = options.get(name)
        if option is None:
            diagnostics.unknown("policy option", name, chosen.span, options)
            continue
        try:
            value = validate_value(option.type, chosen.value)
        except ValidationError as error:
            diagnostics.error(t("diag.invalid_policy_value", value=repr(chosen.value), name=name), chosen.span,
                              expected=_expected_from(error), hint=option.doc.splitlines()[0] if option.doc else None)
            continue
        bound[name] = replace(chosen, value=value)
    for name, option in options.items():
        if name not in bound and name not in layer.policies:
            provenance = (ast.Provenance(source=option.in_force_source, status="published") if option.in_force_source
                          else ast.Provenance(source=option.source_doc, as_of=option.as_of, status=option.status))
            bound[name] = PolicyValue(name=name, value=option.default, provenance=provenance, layer="default", span=None)
    return dict(sorted(bound.items()))


def _expected_from(error: ValidationError) -> str:
    return "; ".join(e["msg"] for e in error.errors())


def _bind_rule(node: ast.Rule, layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> list[CalcStep]:
    columns = None
    if node.source is None:
        diagnostics.error(t("diag.no_from", id=node.id), node.id_span,
                          expected=t("chk.from_expected"))
    else:
        columns = _check_source(node.source, layer, diagnostics)
    for need in node.needs:
        if need.dotted not in layer.rules:
            diagnostics.unknown("rule", need.dotted, need.span, layer.rules)
    if node.calc is None:
        diagnostics.error(t("diag.no_calc", id=node.id), node.id_span,
                          expected=t("chk.calc_expected"))
        return []
    calls = [node.calc]
    if node.calc.function == FALLBACK_CALL:
        calls = []
        for argument in node.calc.arguments:
            if argument.name is not None or not isinstance(argument.value, ast.Call):
                diagnostics.error(t("diag.first_of_calls"), argument.span,
                                  expected="first_of(calculator(...), calculator(...), ...)")
            else:
                calls.append(argument.value)
        if not calls:
            diagnostics.error(t("diag.first_of_empty"), node.calc.span)
    steps = []
    for call in calls:
        step = _bind_call(call, columns, layer, registry, diagnostics)
        if step is not None:
            steps.append(step)
    return steps


def _bind_call(call: ast.Call, columns: dict[str, str] | None, layer: _Layer, registry: Registry,
               diagnostics: Diagnostics) -> CalcStep | None:
    calculator = registry.calculators.get(call.function)
    if calculator is None:
        diagnostics.unknown("calculator", call.function, call.name_span or call.span, [*registry.calculators, FALLBACK_CALL])
        return None
    raw: dict[str, Any] = {}
    for argument in call.arguments:
        if argument.name is None:
            diagnostics.error(t("diag.arguments_named", function=call.function), argument.span,
                              expected=t("diag.name_value"),
                              hint=t("diag.parameters_help", names=", ".join(calculator.parameters.model_fields)))
            continue
        value = _argument_value(argument.value)
        if value is NOT_A_VALUE:
            diagnostics.error(t("diag.cannot_be", function=call.function, name=argument.name,
                                given=_given(argument.value)), argument.value.span, expected=t("diag.argument_value"))
            continue
        raw[argument.name] = value
    try:
        parameters = calculator.parameters.model_validate(raw)
    except ValidationError as error:
        _parameter_problems(call, calculator.parameters, error, diagnostics)
        return None
    for parameter in calculator.table_parameters:
        table = getattr(parameters, parameter, None)
        if table is not None and table not in layer.inputs:
            argument = call.named().get(parameter)
            diagnostics.unknown("input table", str(table), argument.span if argument else call.span, layer.inputs)
    for parameter in calculator.factor_parameters:
        factor_set = getattr(parameters, parameter, None)
        if factor_set is not None and factor_set not in layer.factor_sets and factor_set not in registry.factor_sets:
            argument = call.named().get(parameter)
            diagnostics.unknown("factor set", factor_set, argument.span if argument else call.span,
                                [*layer.factor_sets, *registry.factor_sets])
    if columns is not None:
        for column in _required_columns(calculator, parameters):
            if column not in columns:
                # A column named by a parameter's default (e.g. `unit`) was not written by the user:
                # a look-alike column is no help there, the parameter that names it is.
                defaulted = [n for n in calculator.parameters.model_fields
                             if n not in raw and _names_column(getattr(parameters, n, None), column)]
                written = [a for n, a in call.named().items() if _names_column(getattr(parameters, n, None), column)]
                hint = (t("diag.defaulted_column", parameter=defaulted[0], column=column)
                        if defaulted and not written else did_you_mean(column, columns))
                diagnostics.error(t("diag.needs_column", function=call.function, column=column),
                                  written[0].span if written else call.span,
                                  expected=expected_list("column", sorted(columns)), hint=hint)
    return CalcStep(calculator=call.function, parameters=parameters, span=call.span)


# Error types (pydantic's) of a wrong-typed parameter value, with what the parameter takes in the user's terms
# (the catalogue's `expects.<key>`).
TYPE_EXPECTED = {"column_expression": "column_expression", "string_type": "name_or_text", "list_type": "list",
                 "bool_type": "boolean", "bool_parsing": "boolean", "decimal_parsing": "number",
                 "decimal_type": "number", "int_parsing": "whole_number", "int_type": "whole_number",
                 "int_from_float": "whole_number", "float_parsing": "number", "float_type": "number"}


def _parameter_problems(call: ast.Call, model, error: ValidationError, diagnostics: Diagnostics) -> None:
    """A calculator's or boundary method's parameters the model refused, one diagnostic each, in the
    ruleset's terms: an unknown or missing parameter, a value of the wrong kind, a value out of bounds."""
    fields = model.model_fields
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else None
        argument = call.named().get(name) if name else None
        rule = problem["msg"].replace("Input should be", "it must be", 1)
        message = (t("diag.parameter_problem", function=call.function, name=name, problem=rule) if name
                   else f"{call.function}: {rule}")
        expected, span, hint = t("diag.parameters", names=", ".join(fields)), argument.span if argument else call.span, None
        if problem["type"] == "extra_forbidden":
            message, hint = t("diag.no_parameter", function=call.function, name=name), did_you_mean(name, fields)
        elif problem["type"] == "missing":
            message = t("diag.needs_parameter", function=call.function, name=name)
        elif problem["type"] in TYPE_EXPECTED and argument is not None:
            expected = t("expects." + TYPE_EXPECTED[problem["type"]])
            message = t("diag.cannot_be", function=call.function, name=name, given=_given(argument.value))
            span = argument.value.span
        diagnostics.error(message, span, expected=expected, hint=hint)


def _given(value: ast.Expr) -> str:
    """What the user wrote, as a kind of value: 'the number 5', 'a list', 'a comparison'."""
    if isinstance(value, ast.Literal):
        if isinstance(value.value, bool):
            return "true" if value.value else "false"
        return t("given.number" if isinstance(value.value, Decimal) else "given.text", value=value.value)
    if isinstance(value, ast.ListExpr):
        return t("given.list")
    if isinstance(value, ast.Call):
        return t("given.call", function=value.function)
    if isinstance(value, ast.BinaryOp) and value.operator in ("and", "or"):
        return t("given.condition")
    if isinstance(value, (ast.BinaryOp, ast.UnaryOp)) and value.operator not in ("+", "-", "*", "/"):
        return t("given.comparison" if isinstance(value, ast.BinaryOp) else "given.condition")
    return t("given.value")


def _names_column(value: Any, column: str) -> bool:
    return value == column or (isinstance(value, (list, tuple)) and column in value)


def _required_columns(calculator, parameters) -> list[str]:
    """Declared columns plus those named by parameters (e.g. `match: [fuel]`)."""
    required = list(calculator.required_columns)
    extra = getattr(parameters, "columns_used", None)
    if callable(extra):
        required += list(extra())
    return required
