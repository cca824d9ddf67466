"""Checks of a composed ruleset that binding does not do by itself: input declarations (types,
constraints, formats, files), sources and the columns they read, `accept rejects`, `policy()` calls,
the functions of metrics and checks, and tables consumed by more than one rule."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import PurePosixPath

from tanso.diagnostics import Diagnostics, did_you_mean
from tanso.i18n import kind as kind_name, t
from tanso.model import messages  # noqa: F401  (registers the words of the problems below)
from tanso.dsl import ast
from tanso.model.formats import (COMMON_ENCODINGS, DATE_FORMATS, NEGATIVE_FORMATS, NUMBER_FORMATS, canonical_encoding,
                                 date_format, number_format)
from tanso.model.layer import _Layer
from tanso.model.lookups import check_lookups
from tanso.model.policy_calls import POLICY_FUNCTION, calls_in
from tanso.model.ruleset import Rule, lookup_columns
from tanso.plugins import Registry

# Columns a rule reading `results of X` sees in addition to X's input columns.
RESULT_COLUMNS = {"result_co2e_kg": "decimal"}
COLUMN_TYPES = ("text", "decimal", "integer", "date", "boolean", "float")


def _check_accepts(layer: _Layer, diagnostics: Diagnostics) -> None:
    """`accept rejects TARGET up to …`: the target is a rule or an input table, the limit makes sense."""
    from tanso.plan.known_units import unit_problem   # pint only for units not checked before
    from tanso.reasons import render_one   # a unit's problem is a reason's text: said in the language
    for target, item in layer.accepts.items():
        node: ast.AcceptRejects = item.node
        if target not in layer.rules and target not in layer.inputs:
            diagnostics.unknown("rule or input table", target, node.target.span, [*layer.rules, *layer.inputs])
        if node.kind == "rows" and node.limit != node.limit.to_integral():
            diagnostics.error(t("diag.whole_rows", limit=node.limit), node.span, expected=t("chk.rows_example"))
        elif node.kind == "share" and node.limit > 100:
            diagnostics.error(t("diag.share_at_most", limit=node.limit), node.span)
        elif node.kind == "quantity":
            problem = unit_problem(node.unit)
            if problem is not None:
                diagnostics.error(t("chk.accept_unit", target=target, problem=render_one(problem)), node.span,
                                  expected=t("chk.accept_limit"))
        if not node.justification.strip():
            diagnostics.error(t("diag.no_justification"), node.span,
                              expected=t("chk.accept_justified"))


def _check_policy_calls(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """`policy("name")` must name a declared option. A where clause may call nothing else; calc
    arguments and metric/check expressions may also call it (a value fixed when the run starts)."""
    sources = [node.source for node, _ in layer.rules.values() if node.source is not None]
    sources += [item.node.source for item in layer.exclusions.values() if item.node.source is not None]
    calls = []
    for source in sources:
        for call in calls_in(source.where) if source.where is not None else ():
            if call.function != POLICY_FUNCTION:
                diagnostics.error(t("diag.not_in_where", function=call.function), call.span,
                                  expected=t("diag.where_operands"))
            else:
                calls.append(call)
    calls += [c for node, _ in layer.rules.values() if node.calc is not None for c in calls_in(node.calc)
              if c.function == POLICY_FUNCTION]
    calls += [c for item in [*layer.metrics.values(), *layer.checks.values()] for c in calls_in(item.node.expr)
              if c.function == POLICY_FUNCTION]
    for call in calls:
        name = call.arguments[0].value if len(call.arguments) == 1 else None
        if not (isinstance(name, ast.Literal) and isinstance(name.value, str)):
            diagnostics.error(t("diag.policy_name"), call.span,
                              expected='policy("boundary.approach")')
        elif name.value not in registry.policy_options:
            diagnostics.unknown("policy option", name.value, name.span, registry.policy_options)


def _check_exclusive_tables(rules: dict[str, Rule], registry: Registry, diagnostics: Diagnostics) -> None:
    """A table a calculator consumes (certificates: each MWh claimed once) may feed one rule only."""
    claimed: dict[str, tuple[str, ast.Span]] = {}
    for rule in rules.values():
        for step in rule.steps:
            for parameter in registry.calculators[step.calculator].exclusive_tables:
                table = getattr(step.parameters, parameter, None)
                if table is None:
                    continue
                if table in claimed and claimed[table][0] != rule.id:
                    diagnostics.error(t("chk.consumed_twice", table=table, rule=claimed[table][0]), step.span,
                                      hint=t("chk.consumed_twice_help", span=claimed[table][1]))
                claimed.setdefault(table, (rule.id, step.span))


def _check_scopes(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """Each `scope N [category M]` names a scope and category the plugins register (`tanso_scopes`): a
    typo would otherwise become an inventory line of its own (a "Scope 3 category 17"). The caret is under
    the number at fault; the hint names the clause that was probably meant, where one is."""
    scopes = registry.scopes
    if not scopes:
        return
    nodes = [node for node, _ in layer.rules.values()] + [item.node for item in layer.exclusions.values()]
    for node in nodes:
        if node.scope is None:
            continue
        scope = scopes.get(node.scope)
        if scope is None:
            meant = ([f"scope {s.number} category {node.category}" for s in scopes.values()
                      if node.category in s.categories] if node.category is not None
                     else [f"scope {n}" for n in _swapped_digits(node.scope, scopes)])
            diagnostics.error(t("diag.no_scope", scope=node.scope), node.scope_span or node.span,
                              expected=f"scope {', '.join(map(str, sorted(scopes)))}",
                              hint=_meant(meant, "; ".join(dict.fromkeys(s.source for s in scopes.values()))))
        elif node.category is not None and node.category not in scope.categories:
            numbers = scope.categories
            has = (t("diag.no_categories", scope=scope.number) if not numbers
                   else t("diag.category_range", first=numbers[0], last=numbers[-1])
                   if numbers == tuple(range(numbers[0], numbers[-1] + 1))
                   else t("chk.category_list", numbers=", ".join(map(str, numbers))))
            meant = ([f"scope {scope.number} category {n}" for n in _swapped_digits(node.category, numbers)]
                     or [f"scope {s.number} category {node.category}" for s in scopes.values()
                         if node.category in s.categories])
            diagnostics.error(t("diag.no_category", scope=scope.number, category=node.category),
                              node.category_span or node.span,
                              expected=has, hint=_meant(meant, scope.source))


def _swapped_digits(number: int, known) -> list[int]:
    """The known numbers `number` is with two neighbouring digits swapped (61 for 16): the likeliest typo of a
    number, where any other number is only a guess."""
    text = str(number)
    swapped = {int(text[:i] + text[i + 1] + text[i] + text[i + 2:]) for i in range(len(text) - 1)} - {number}
    return sorted(swapped & set(known))


def _meant(meant: list[str], source: str) -> str:
    """`did you mean '…'?` where exactly one clause fits, then where the scopes are defined."""
    defined = t("diag.defined_in", source=source)
    return f"{t('diag.did_you_mean', name=meant[0])} ({defined})" if len(meant) == 1 else defined


LEVEL_COLUMN = "data_quality"   # an input column of this name overrides the ledger's data-quality level per row


def _check_level_columns(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """A row's own data-quality level must be one the calculators declare (or it with "+", third-party
    verified, as the Scope 3 draft marks it): the column says so with
    `in (...)`, so that a typo ("3 +", "level 2") is a reject naming the row, never a level of its own."""
    declared = {level for calculator in registry.calculators.values() for _, level in calculator.levels}
    levels = sorted(declared | {f"{level}+" for level in declared if not level.endswith("+")})   # "+": verified
    for table in layer.inputs.values():
        for column in table.columns:
            if column.name != LEVEL_COLUMN:
                continue
            allowed = [c for c in column.constraints if c.kind == "in"]
            unknown = [v for c in allowed for v in c.values if v not in levels]
            if not allowed or unknown:
                diagnostics.error(t("chk.level_column", column=LEVEL_COLUMN, table=table.name)
                                  + (t("chk.level_unknown", values=", ".join(map(repr, unknown))) if unknown else ""),
                                  column.span, expected=f"{LEVEL_COLUMN}: text in (" + ", ".join(f'"{v}"' for v in levels) + ")")


def _check_inputs(layer: _Layer, diagnostics: Diagnostics) -> None:
    for table in layer.inputs.values():
        names = [c.name for c in table.columns]
        for column in table.columns:
            if column.type_name not in COLUMN_TYPES:
                diagnostics.unknown("column type", column.type_name, column.span, COLUMN_TYPES)
            else:
                _check_type_arguments(table, column, diagnostics)
            if names.count(column.name) > 1:
                diagnostics.error(t("chk.column_twice", column=column.name, table=table.name), column.span)
            _check_constraints(table, column, diagnostics)
        spans = table.clause_spans or {}
        if table.encoding is not None and canonical_encoding(table.encoding) is None:
            diagnostics.error(t("chk.unknown_encoding", encoding=table.encoding, table=table.name),
                              spans.get("encoding", table.span),
                              expected=t("chk.encoding_expected", examples=", ".join(COMMON_ENCODINGS[:8])),
                              hint=did_you_mean(table.encoding.lower(), COMMON_ENCODINGS))
        if table.numbers is not None and number_format(table.numbers) is None:
            diagnostics.error(t("chk.numbers_format", numbers=table.numbers, table=table.name),
                              spans.get("numbers", table.span),
                              expected=t("chk.numbers_expected", formats=", ".join(NUMBER_FORMATS), **NEGATIVE_FORMATS))
        if table.header_row is not None and table.header_row < 1:
            diagnostics.error(t("chk.header_row", row=table.header_row, table=table.name),
                              spans.get("header_row", table.span), expected=t("chk.header_row_expected"))
        if table.sheet is not None and not table.sheet.strip():
            diagnostics.error(t("chk.sheet_unnamed", table=table.name), spans.get("sheet", table.span),
                              expected=t("chk.sheet_expected"))
        if table.sheets is not None and table.sheet is not None:
            diagnostics.error(t("chk.sheet_and_sheets", table=table.name), spans.get("sheets", table.span),
                              expected=t("chk.sheet_or_sheets"))
        elif table.sheets is not None and not table.sheets.strip():
            diagnostics.error(t("chk.sheets_empty", table=table.name), spans.get("sheets", table.span),
                              expected=t("chk.sheets_expected"))
        if table.dates is not None and date_format(table.dates) is None:
            diagnostics.error(t("chk.dates_format", dates=table.dates, table=table.name), spans.get("dates", table.span),
                              expected=t("chk.dates_expected", formats=", ".join(DATE_FORMATS)))
        for column in table.columns:
            if column.source is not None and not column.source.strip():
                diagnostics.error(t("chk.column_unnamed", column=column.name, table=table.name), column.span,
                                  expected=t("chk.column_from_expected"))
        if table.key_source is not None and table.key in names:
            diagnostics.error(t("chk.key_is_column", on=table.key, table=table.name), spans.get("key", table.span))


_FILE_SUFFIX = re.compile(r"(\.[A-Za-z0-9]+)+$")
# Clauses that choose which cells of a file are the table (declaration field → as written, the reader option it
# needs): a reader that does not take one would read other rows than the declaration says, so it is refused, never
# ignored. `sheets` needs a reader that reads a named sheet: the engine reads each sheet it matches so.
LOCATING_CLAUSES = {"sheet": ("sheet", "sheet"), "header_row": ("header row", "header_row"),
                    "sheets": ("sheets", "sheet")}


def unread_clauses(table: ast.InputTable | ast.FactorSetDecl, reader,
                   registry: Registry) -> list[tuple[ast.Span, str, str]]:
    """(span, problem, expected) of each locating clause of an input or factor set that `reader` does not take."""
    kind = "input" if isinstance(table, ast.InputTable) else "factor set"
    on = t("chk.on_input") if kind == "input" else t("chk.on_factor_set")
    found = []
    for field, (words, option) in LOCATING_CLAUSES.items():
        if getattr(table, field, None) is not None and option not in reader.options:
            takers = sorted(s for r in registry.readers.values() if option in r.options for s in r.suffixes)
            found.append(((table.clause_spans or {}).get(field, table.span),
                          t("chk.unread_clause", clause=words, kind=kind_name(kind), name=table.name,
                            format=reader.format),
                          t("chk.unread_clause_expected", clause=words, kind=on,
                            suffixes=", ".join(takers) or t("chk.no_files"))))
    return found


def _check_factor_files(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """A factor set's `sheet "…"` names a sheet, of a file whose reader reads sheets (a workbook)."""
    for decl in layer.factor_sets.values():
        if decl.sheet is None:
            continue
        span = (decl.clause_spans or {}).get("sheet", decl.span)
        if not decl.sheet.strip():
            diagnostics.error(t("chk.factor_sheet_unnamed", name=decl.name), span, expected=t("chk.sheet_expected"))
        reader = registry.reader_for(PurePosixPath(decl.file.removesuffix(".gz")))
        for clause_span, problem, expected in unread_clauses(decl, reader, registry) if reader else ():
            diagnostics.error(t("chk.in_file", problem=problem, file=decl.file), clause_span, expected=expected)


def _check_input_files(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """`file "…"` names files under the data folder, of a kind some reader reads (where its suffix is written)."""
    for table in layer.inputs.values():
        if table.file is None:
            continue
        span = (table.clause_spans or {}).get("file", table.span)
        path = PurePosixPath(table.file)
        if not table.file.strip() or path.is_absolute() or ".." in path.parts or "\\" in table.file:
            diagnostics.error(t("chk.file_not_under", file=table.file, table=table.name), span,
                              expected=t("chk.file_expected"))
            continue
        name = path.name.removesuffix(".gz") if not table.file.endswith("/") else ""
        suffix = _FILE_SUFFIX.search(name)
        if suffix and registry.reader_for(PurePosixPath("file" + suffix.group(0))) is None:
            readers = sorted(s for r in registry.readers.values() for s in r.suffixes)
            diagnostics.error(t("chk.no_reader", file=table.file, table=table.name, suffix=suffix.group(0)), span,
                              expected=t("chk.reader_expected", suffixes=", ".join(readers)))
        elif suffix:
            for clause_span, problem, expected in unread_clauses(table, registry.reader_for(
                    PurePosixPath("file" + suffix.group(0))), registry):
                diagnostics.error(t("chk.in_file", problem=problem, file=table.file), clause_span, expected=expected)


def _check_type_arguments(table: ast.InputTable, column: ast.Column, diagnostics: Diagnostics) -> None:
    """Only decimal takes arguments: (precision) or (precision, scale), 1 <= precision <= 38, scale <= it
    (a lone precision keeps the default scale, 6)."""
    if column.type_args and column.type_name != "decimal":
        diagnostics.error(t("chk.type_no_arguments", column=column.name, table=table.name, type=column.type_name),
                          column.span, expected=t("chk.type_expected", type=column.type_name))
        return
    if not column.type_args:
        return
    precision, scale = column.decimal_shape
    if not 1 <= precision <= 38 or scale > precision:
        diagnostics.error(t("chk.not_decimal", column=column.name, table=table.name,
                            arguments=", ".join(map(str, column.type_args))),
                          column.span, expected=t("chk.decimal_expected"))


def _check_constraints(table: ast.InputTable, column: ast.Column, diagnostics: Diagnostics) -> None:
    """Ranges and comparisons need a number column; `in` values must be of the column's type."""
    kinds = [c.kind for c in column.constraints]
    for constraint in column.constraints:
        if kinds.count(constraint.kind) > 1 and constraint.kind in ("range", "in", "required"):
            diagnostics.error(t("chk.two_constraints", column=column.name, table=table.name, kind=constraint.kind),
                              constraint.span)
        if constraint.kind in ("range", "compare") and column.type_name not in ("integer", "decimal", "float"):
            diagnostics.error(t("chk.range_needs_number", column=column.name, type=column.type_name), constraint.span)
        if constraint.kind == "range" and constraint.values[0] > constraint.values[1]:
            diagnostics.error(t("chk.range_empty", range=constraint.describe(), column=column.name), constraint.span)
        if constraint.kind == "in":
            wanted = {"text": str, "boolean": bool}.get(column.type_name, Decimal)
            wrong = [v for v in constraint.values if not isinstance(v, wanted) or (wanted is Decimal and isinstance(v, bool))]
            if column.type_name == "date" or wrong:
                values = column.type_name if column.type_name in ("text", "boolean", "date") else "number"
                diagnostics.error(t(f"chk.in_values.{values}", column=column.name, type=column.type_name),
                                  constraint.span)


def _source_columns(source: ast.Source, layer: _Layer, seen: tuple[str, ...] = ()) -> dict[str, str] | None:
    """The columns (name → type) a rule's rows carry, or None when the source is unknown."""
    if source.table is not None:
        table = layer.inputs.get(source.table)
        if table is None:
            return None
        return ({table.key: "text"} if table.key else {}) | {c.name: c.type_name for c in table.columns} \
            | lookup_columns(layer.inputs, source)
    upstream = layer.rules.get(source.results_of.dotted)
    if upstream is None or upstream[0].source is None or source.results_of.dotted in seen:
        return None
    columns = _source_columns(upstream[0].source, layer, seen + (source.results_of.dotted,))
    return None if columns is None else {**columns, **RESULT_COLUMNS}


def _check_source(source: ast.Source, layer: _Layer, diagnostics: Diagnostics) -> dict[str, str] | None:
    if source.table is not None and source.table not in layer.inputs:
        diagnostics.unknown("input table", source.table, source.table_span or source.span, layer.inputs)
        return None
    if source.results_of is not None and source.results_of.dotted not in layer.rules:
        diagnostics.unknown("rule", source.results_of.dotted, source.results_of.span, layer.rules)
        return None
    check_lookups(source, layer.inputs, diagnostics)
    columns = _source_columns(source, layer)
    if columns is not None and source.where is not None:
        _check_column_refs(source.where, columns, diagnostics)
    return columns


def _check_column_refs(expr: ast.Expr, columns: dict[str, str], diagnostics: Diagnostics) -> None:
    for name in _names_in(expr):
        if name.dotted not in columns:
            diagnostics.unknown("column", name.dotted, name.span, columns)


def _names_in(expr: ast.Expr):
    """Column references: names outside calls (a call's arguments are its own business), in `ast.walk`'s
    order. One walk that does not enter calls (it was three walks of every where clause)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            yield node
        elif isinstance(node, ast.BinaryOp):
            stack += (node.right, node.left)
        elif isinstance(node, ast.UnaryOp):
            stack.append(node.operand)
        elif isinstance(node, ast.ListExpr):
            stack += reversed(node.items)


def _check_expression_calls(expr: ast.Expr, layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    if isinstance(expr, ast.Call) and expr.function == POLICY_FUNCTION:
        return  # checked with every other policy() call
    if isinstance(expr, ast.Call):
        if expr.function not in registry.functions:
            diagnostics.unknown("function", expr.function, expr.span, registry.functions)
        for argument in expr.arguments:
            value = argument.value
            if argument.name == "rule" and isinstance(value, ast.Name) and value.dotted not in layer.rules:
                diagnostics.unknown("rule", value.dotted, value.span, layer.rules)
            if argument.name is None and isinstance(value, ast.Name) and len(value.parts) >= 2:
                table, column = value.parts[0], ".".join(value.parts[1:])   # a column name may have dots
                if table not in layer.inputs:
                    diagnostics.unknown("input table", table, value.span, layer.inputs)
                elif column not in {c.name for c in layer.inputs[table].columns}:
                    diagnostics.unknown("column", column, value.span, [c.name for c in layer.inputs[table].columns])
            _check_expression_calls(value, layer, registry, diagnostics)
    elif isinstance(expr, ast.BinaryOp):
        _check_expression_calls(expr.left, layer, registry, diagnostics)
        _check_expression_calls(expr.right, layer, registry, diagnostics)
    elif isinstance(expr, ast.UnaryOp):
        _check_expression_calls(expr.operand, layer, registry, diagnostics)


ARITHMETIC = ("+", "-", "*", "/")


def expressions_of(layer: _Layer) -> list[ast.Expr]:
    """Every expression a ruleset writes: where clauses, calculator arguments, metrics, checks, the boundary."""
    expressions = [node.source.where for node, _ in layer.rules.values() if node.source is not None]
    expressions += [node.calc for node, _ in layer.rules.values()]
    expressions += [item.node.source.where for item in layer.exclusions.values() if item.node.source is not None]
    expressions += [item.node.expr for item in [*layer.metrics.values(), *layer.checks.values()]]
    expressions += [layer.boundary[0].call] if layer.boundary else []
    return [expr for expr in expressions if expr is not None]


def _check_arithmetic_operands(layer: _Layer, diagnostics: Diagnostics) -> None:
    """A quoted text or true/false in + - * / (`quantity * 2 + "x"`): SQL would coerce it or fail per row,
    a metric's decimals would raise. Every expression is looked at alike: where clauses, calculator
    arguments, metrics, checks and the boundary; a comparison with text (`fuel == "diesel"`) is no arithmetic."""
    for expr in expressions_of(layer):
        for node in ast.walk(expr):
            if isinstance(node, ast.BinaryOp) and node.operator in ARITHMETIC:
                operands = (node.left, node.right)
            elif isinstance(node, ast.UnaryOp) and node.operator == "-":
                operands = (node.operand,)
            else:
                continue
            for operand in operands:
                if isinstance(operand, ast.Literal) and isinstance(operand.value, (str, bool)):
                    _not_a_number(operand, diagnostics)


def _not_a_number(literal: ast.Literal, diagnostics: Diagnostics) -> None:
    value = literal.value
    given = ("true" if value else "false") if isinstance(value, bool) else t("given.text", value=value)
    hint = t("diag.unquote", value=value) if isinstance(value, str) and _is_number(value) else None
    diagnostics.error(t("diag.not_a_number", given=given), literal.span, expected=t("diag.arithmetic_operand"),
                      hint=hint)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
