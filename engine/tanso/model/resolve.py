"""Load ruleset files, compose `extends` chains and overlays in declared order, and bind every name.

All problems are collected into one `Diagnostics`; the caller raises once at the end so a
methodology owner sees every error of a ruleset in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tanso.diagnostics import Diagnostics, RulesetError, did_you_mean, expected_list
from tanso.dsl import ast
from tanso.model.formats import (COMMON_ENCODINGS, DATE_FORMATS, NUMBER_FORMATS, canonical_encoding, date_format,
                                 number_format)
from tanso.dsl.parser import parse_file
from tanso.model.lookups import check_lookups, check_table_lookups
from tanso.model.ruleset import (BoundaryStep, CalcStep, Item, PolicyValue, Rule, Ruleset, literal_value,
                                 lookup_columns)
from tanso.plugins import Registry

POLICY_FUNCTION = "policy"  # policy("option.name"): an option's value, fixed when a run starts

# Columns a rule reading `results of X` sees in addition to X's input columns.
RESULT_COLUMNS = {"result_co2e_kg": "decimal"}
FALLBACK_CALL = "first_of"
COLUMN_TYPES = ("text", "decimal", "integer", "date", "boolean", "float")


@dataclass
class _Layer:
    """A ruleset being composed: mutable while loading, frozen into `Ruleset` at the end."""

    name: str = ""
    header: ast.Header | None = None
    layers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    policies: dict[str, PolicyValue] = field(default_factory=dict)
    inputs: dict[str, ast.InputTable] = field(default_factory=dict)
    factor_sets: dict[str, ast.FactorSetDecl] = field(default_factory=dict)
    rules: dict[str, tuple[ast.Rule, str]] = field(default_factory=dict)
    exclusions: dict[str, Item] = field(default_factory=dict)
    metrics: dict[str, Item] = field(default_factory=dict)
    checks: dict[str, Item] = field(default_factory=dict)
    boundary: tuple[ast.Boundary, str] | None = None
    accepts: dict[str, Item] = field(default_factory=dict)
    approvals: Item | None = None

    def owner_of(self, item_id: str) -> dict | None:
        for table in (self.rules, self.exclusions, self.metrics, self.checks):
            if item_id in table:
                return table
        return None

    def all_ids(self) -> list[str]:
        return [*self.rules, *self.exclusions, *self.metrics, *self.checks]


def ruleset_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.tanso"))
    return [path]


def load_ruleset(path: Path, registry: Registry, *, overlays: tuple[Path, ...] = (),
                 overrides: dict[str, str] | None = None, diagnostics: Diagnostics | None = None) -> Ruleset:
    """Parse, compose and validate. Raises `RulesetError` carrying every diagnostic found."""
    diagnostics = diagnostics or Diagnostics()
    layer = _Layer()
    _load_layer(path, layer, diagnostics, seen=())
    for overlay in overlays:
        _load_layer(overlay, layer, diagnostics, seen=(), as_overlay=True)
    if diagnostics.errors:
        raise RulesetError("the ruleset has errors", diagnostics)
    for name, text in (overrides or {}).items():
        layer.policies[name] = PolicyValue(name=name, value=text, provenance=ast.Provenance(source="--set"),
                                           layer="command line", span=None)
    ruleset = _bind(layer, registry, diagnostics)
    if diagnostics.errors:
        raise RulesetError("the ruleset has errors", diagnostics)
    if not ruleset.rules:
        raise RulesetError(f"{path}: the ruleset has no rule (an empty file, or only comments?); a ruleset "
                           f"needs at least one `rule`")
    return ruleset


def _parse_layer(path: Path, diagnostics: Diagnostics) -> tuple[ast.Header | None, list[ast.Statement], list[str]]:
    if not path.exists():
        raise RulesetError(f"no ruleset at {path}")
    files = ruleset_files(path)
    if not files:
        raise RulesetError(f"no .tanso files in {path}")
    header, statements, names = None, [], []
    for file in files:
        module = parse_file(file, diagnostics, display_path(file))
        names.append(display_path(file))
        if module.header is not None:
            if header is not None:
                diagnostics.error("a ruleset has one header; this folder has two", module.header.span,
                                  hint=f"the first is at {header.span}")
            header = module.header
        statements.extend(module.statements)
    return header, statements, names


def display_path(file: Path) -> str:
    """A path as runs record it (diagnostics, the ledger's rule_source, the manifest): relative to the
    working folder when inside it, else absolute."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def _load_layer(path: Path, layer: _Layer, diagnostics: Diagnostics, seen: tuple[str, ...],
                as_overlay: bool = False) -> None:
    header, statements, files = _parse_layer(path, diagnostics)
    name = header.name if header else path.stem
    if name in seen:
        raise RulesetError(f"ruleset '{name}' extends itself: {' → '.join(seen + (name,))}")
    if header and header.extends and not as_overlay:
        base = _find_ruleset(header.extends, path)
        if base is None:
            diagnostics.error(f"cannot find the ruleset '{header.extends}' that '{name}' extends", header.span,
                              expected=f"a folder or .tanso file named {header.extends} beside {path}")
            return
        _load_layer(base, layer, diagnostics, seen + (name,))
    if not layer.layers:
        layer.name, layer.header = name, header
    else:
        layer.name = name
        layer.header = header or layer.header
    layer.layers.append(name)
    layer.files.extend(files)
    _apply(statements, name, layer, diagnostics, is_base=len(layer.layers) == 1)


def _find_ruleset(name: str, near: Path) -> Path | None:
    folder = near if near.is_dir() else near.parent
    for candidate_dir in (folder.parent, folder):
        for variant in (name, name.replace("_", "-")):
            for candidate in (candidate_dir / variant, candidate_dir / f"{variant}.tanso"):
                if candidate.exists() and candidate.resolve() != near.resolve():
                    return candidate
    return None


def _apply(statements: list[ast.Statement], layer_name: str, layer: _Layer, diagnostics: Diagnostics,
           is_base: bool) -> None:
    defined_here: dict[str, ast.Span] = {}

    def once(item_id: str, span: ast.Span) -> bool:
        if item_id in defined_here:
            diagnostics.error(f"'{item_id}' is defined twice in this ruleset", span,
                              hint=f"the first definition is at {defined_here[item_id]}")
            return False
        defined_here[item_id] = span
        return True

    for statement in statements:
        if isinstance(statement, ast.SetPolicy):
            value = _constant(statement.value, diagnostics)
            layer.policies[statement.policy.dotted] = PolicyValue(
                name=statement.policy.dotted, value=value, provenance=statement.provenance, layer=layer_name,
                span=statement.span)
        elif isinstance(statement, ast.InputTable):
            layer.inputs[statement.name] = statement
        elif isinstance(statement, ast.FactorSetDecl):
            layer.factor_sets[statement.name] = statement
        elif isinstance(statement, ast.Rule):
            if not once(statement.id, statement.id_span):
                continue
            exists = statement.id in layer.rules
            if statement.replaces and not exists:
                diagnostics.error(f"'replace rule {statement.id}' but no earlier layer defines that rule",
                                  statement.id_span, expected="the id of a rule of the base ruleset",
                                  hint=did_you_mean(statement.id, layer.rules))
                continue
            if not statement.replaces and layer.owner_of(statement.id) is not None:
                where = layer.rules[statement.id][0].span if exists else None
                diagnostics.error(f"'{statement.id}' is already defined by an earlier layer", statement.id_span,
                                  hint=f"write 'replace rule {statement.id}' to replace it"
                                       + (f" (defined at {where})" if where else ""))
                continue
            layer.rules[statement.id] = (statement, layer_name)
        elif isinstance(statement, (ast.Exclusion, ast.Metric, ast.Check)):
            if not once(statement.id, statement.span):
                continue
            table = {ast.Exclusion: layer.exclusions, ast.Metric: layer.metrics, ast.Check: layer.checks}[type(statement)]
            owner = layer.owner_of(statement.id)
            if owner is not None and owner is not table:
                diagnostics.error(f"'{statement.id}' is already used by another kind of item", statement.span,
                                  hint=f"remove '{statement.id}' first, or choose another id")
                continue
            table[statement.id] = Item(node=statement, layer=layer_name)
        elif isinstance(statement, ast.AcceptRejects):
            target = statement.target.dotted
            if not once(f"accept rejects {target}", statement.span):
                continue
            layer.accepts[target] = Item(node=statement, layer=layer_name)  # an overlay's restates the base's
        elif isinstance(statement, ast.Boundary):
            layer.boundary = (statement, layer_name)  # an overlay's boundary replaces the base's
        elif isinstance(statement, ast.RequireApprovals):
            if once("require approvals", statement.span) and _check_roles(statement, diagnostics):
                layer.approvals = Item(node=statement, layer=layer_name)  # an overlay's replaces the base's
        elif isinstance(statement, ast.Remove):
            owner = layer.owner_of(statement.id)
            if owner is None:
                diagnostics.error(f"cannot remove '{statement.id}': no earlier layer defines it", statement.span,
                                  expected="the id of a rule, exclusion, metric or check",
                                  hint=did_you_mean(statement.id, layer.all_ids()))
            else:
                del owner[statement.id]


def _check_roles(statement: ast.RequireApprovals, diagnostics: Diagnostics) -> bool:
    """Each role once, each count at least 1 (`require approvals preparer, 2 reviewer`)."""
    seen: dict[str, ast.RoleCount] = {}
    for role in statement.roles:
        if role.role in seen:
            diagnostics.error(f"role '{role.role}' is listed twice", role.span,
                              hint=f"write '{seen[role.role].count + role.count} {role.role}' for that many "
                                   f"approvals of the role (each by a different person)")
        elif role.count < 1:
            diagnostics.error(f"role '{role.role}' requires {role.count} approvals", role.span,
                              expected=f"at least 1 (or leave '{role.role}' out)")
        seen.setdefault(role.role, role)
    return len(seen) == len(statement.roles) and all(r.count >= 1 for r in statement.roles)


def _argument_value(expr: ast.Expr, diagnostics: Diagnostics) -> Any:
    """A constant, or an arithmetic expression over columns kept as a tree (for ColumnExpression
    parameters; other parameter types reject it with a pydantic message)."""
    if isinstance(expr, (ast.BinaryOp, ast.UnaryOp)) and _is_arithmetic(expr):
        try:
            return literal_value(expr)
        except ValueError:
            return expr
    return _constant(expr, diagnostics)


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
        diagnostics.error("a policy value must be a constant", getattr(expr, "span", None),
                          expected="a name, a string, a number, true/false or a list of these")
        return None


# ------------------------------------------------------------------------------------- binding


def _bind(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> Ruleset:
    policies = _bind_policies(layer, registry, diagnostics)
    _check_inputs(layer, diagnostics)
    _check_input_files(layer, registry, diagnostics)
    rules = {}
    for rule_id, (node, layer_name) in layer.rules.items():
        steps = _bind_rule(node, layer, registry, diagnostics)
        rules[rule_id] = Rule(node=node, steps=tuple(steps), layer=layer_name)
    _check_exclusive_tables(rules, registry, diagnostics)
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
    header = layer.header
    return Ruleset(boundary=boundary, 
        name=layer.name, title=header.title if header else None, status=header.status if header else None,
        source=header.source if header else None, as_of=header.as_of if header else None,
        layers=tuple(layer.layers), files=tuple(layer.files), policies=policies, inputs=dict(layer.inputs),
        factor_sets=dict(layer.factor_sets), rules=rules, exclusions=dict(layer.exclusions),
        metrics=dict(layer.metrics), checks=dict(layer.checks), accepts=dict(layer.accepts),
        approvals=layer.approvals)


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
            diagnostics.error(f"the boundary table '{table}' needs a column 'entity'", call.span)
    return BoundaryStep(method=call.function, parameters=parameters, span=node.span, layer=layer_name)


def _validate_parameters(call: ast.Call, model, diagnostics: Diagnostics):
    raw = {a.name: _constant(a.value, diagnostics) for a in call.arguments if a.name is not None}
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else None
            argument = call.named().get(name) if name else None
            diagnostics.error(f"{call.function}: parameter '{name}': {problem['msg']}", argument.span if argument else call.span,
                              expected=f"parameters {', '.join(model.model_fields)}",
                              hint=did_you_mean(name, model.model_fields) if name else None)
        return None


def _check_accepts(layer: _Layer, diagnostics: Diagnostics) -> None:
    """`accept rejects TARGET up to …`: the target is a rule or an input table, the limit makes sense."""
    from tanso.plan.units import unit_problem
    for target, item in layer.accepts.items():
        node: ast.AcceptRejects = item.node
        if target not in layer.rules and target not in layer.inputs:
            diagnostics.unknown("rule or input table", target, node.target.span, [*layer.rules, *layer.inputs])
        if node.kind == "rows" and node.limit != node.limit.to_integral():
            diagnostics.error(f"a number of rows is whole, not {node.limit}", node.span, expected="e.g. up to 2 rows")
        elif node.kind == "share" and node.limit > 100:
            diagnostics.error(f"a share of rows is at most 100 %, not {node.limit} %", node.span)
        elif node.kind == "quantity":
            problem = unit_problem(node.unit)
            if problem is not None:
                diagnostics.error(f"accept rejects {target}: {problem}", node.span,
                                  expected='a number of rows (2 rows), a share (0.5 %) or an activity (1200 "kg")')
        if not node.justification.strip():
            diagnostics.error("a tolerance for rejected rows needs its justification", node.span,
                              expected='accept rejects RULE up to N rows "why these rows may be left out"')


def _check_policy_calls(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """`policy("name")` must name a declared option. A where clause may call nothing else; calc
    arguments and metric/check expressions may also call it (a value fixed when the run starts)."""
    sources = [node.source for node, _ in layer.rules.values() if node.source is not None]
    sources += [item.node.source for item in layer.exclusions.values() if item.node.source is not None]
    calls = []
    for source in sources:
        for call in calls_in(source.where) if source.where is not None else ():
            if call.function != POLICY_FUNCTION:
                diagnostics.error(f"'{call.function}' cannot be used in a where clause", call.span,
                                  expected='columns, constants and policy("option.name")')
            else:
                calls.append(call)
    calls += [c for node, _ in layer.rules.values() if node.calc is not None for c in calls_in(node.calc)
              if c.function == POLICY_FUNCTION]
    calls += [c for item in [*layer.metrics.values(), *layer.checks.values()] for c in calls_in(item.node.expr)
              if c.function == POLICY_FUNCTION]
    for call in calls:
        name = call.arguments[0].value if len(call.arguments) == 1 else None
        if not (isinstance(name, ast.Literal) and isinstance(name.value, str)):
            diagnostics.error("policy() takes the option's name as a string", call.span,
                              expected='policy("boundary.approach")')
        elif name.value not in registry.policy_options:
            diagnostics.unknown("policy option", name.value, name.span, registry.policy_options)


def calls_in(expr: ast.Expr):
    return (node for node in ast.walk(expr) if isinstance(node, ast.Call))


def policies_named(expr: ast.Expr | None) -> list[tuple[str, ast.Span]]:
    """Options an expression reads through `policy("name")`, with where each is read."""
    return [] if expr is None else [
        (c.arguments[0].value.value, c.span) for c in calls_in(expr)
        if c.function == POLICY_FUNCTION and len(c.arguments) == 1 and isinstance(c.arguments[0].value, ast.Literal)]


def policies_in_rule(node: ast.Rule) -> list[tuple[str, ast.Span]]:
    """Options a rule reads in its `where` clause and its calc arguments (not through calculators)."""
    return policies_named(node.source.where if node.source else None) + policies_named(node.calc)


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
                    diagnostics.error(f"'{table}' is already consumed by rule {claimed[table][0]}; its rows would be "
                                      f"counted twice", step.span, hint=f"the first use is at {claimed[table][1]}; "
                                      f"give each rule its own table, or one rule all the consumption")
                claimed.setdefault(table, (rule.id, step.span))


def _bind_policies(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> dict[str, PolicyValue]:
    options = registry.policy_options
    bound: dict[str, PolicyValue] = {}
    for name, chosen in layer.policies.items():
        option = options.get(name)
        if option is None:
            diagnostics.unknown("policy option", name, chosen.span, options)
            continue
        try:
            value = TypeAdapter(option.type).validate_python(chosen.value)
        except ValidationError as error:
            diagnostics.error(f"invalid value {chosen.value!r} for policy '{name}'", chosen.span,
                              expected=_expected_from(error), hint=option.doc.splitlines()[0] if option.doc else None)
            continue
        bound[name] = chosen.model_copy(update={"value": value})
    for name, option in options.items():
        if name not in bound and name not in layer.policies:
            provenance = (ast.Provenance(source=option.in_force_source, status="published") if option.in_force_source
                          else ast.Provenance(source=option.source_doc, as_of=option.as_of, status=option.status))
            bound[name] = PolicyValue(name=name, value=option.default, provenance=provenance, layer="default", span=None)
    return dict(sorted(bound.items()))


def _expected_from(error: ValidationError) -> str:
    return "; ".join(e["msg"] for e in error.errors())


def _check_inputs(layer: _Layer, diagnostics: Diagnostics) -> None:
    for table in layer.inputs.values():
        names = [c.name for c in table.columns]
        for column in table.columns:
            if column.type_name not in COLUMN_TYPES:
                diagnostics.unknown("column type", column.type_name, column.span, COLUMN_TYPES)
            else:
                _check_type_arguments(table, column, diagnostics)
            if names.count(column.name) > 1:
                diagnostics.error(f"column '{column.name}' is declared twice in input '{table.name}'", column.span)
            _check_constraints(table, column, diagnostics)
        spans = table.clause_spans or {}
        if table.encoding is not None and canonical_encoding(table.encoding) is None:
            diagnostics.error(f"unknown encoding '{table.encoding}' for input '{table.name}'",
                              spans.get("encoding", table.span),
                              expected="an encoding Python knows, e.g. " + ", ".join(COMMON_ENCODINGS[:8]),
                              hint=did_you_mean(table.encoding.lower(), COMMON_ENCODINGS))
        if table.numbers is not None and number_format(table.numbers) is None:
            diagnostics.error(f"numbers \"{table.numbers}\" is not an example of a number format for input "
                              f"'{table.name}'", spans.get("numbers", table.span),
                              expected="the number 1234.56 as the file writes it: " + ", ".join(NUMBER_FORMATS))
        if table.dates is not None and date_format(table.dates) is None:
            diagnostics.error(f"dates \"{table.dates}\" is not an example of a date format for input "
                              f"'{table.name}'", spans.get("dates", table.span),
                              expected="the date 31 March 2025 as the file writes it: " + ", ".join(DATE_FORMATS))
        for column in table.columns:
            if column.source is not None and not column.source.strip():
                diagnostics.error(f"column '{column.name}' of input '{table.name}' is read from a column with no "
                                  f"name", column.span, expected='from "the name of the column in the file"')
        if table.key_source is not None and table.key in names:
            diagnostics.error(f"the key '{table.key}' of input '{table.name}' is also a declared column: say which "
                              f"column of the file it is read from on the column, not on the key",
                              spans.get("key", table.span))


_FILE_SUFFIX = re.compile(r"(\.[A-Za-z0-9]+)+$")


def _check_input_files(layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> None:
    """`file "…"` names files under the data folder, of a kind some reader reads (where its suffix is written)."""
    for table in layer.inputs.values():
        if table.file is None:
            continue
        span = (table.clause_spans or {}).get("file", table.span)
        path = PurePosixPath(table.file)
        if not table.file.strip() or path.is_absolute() or ".." in path.parts or "\\" in table.file:
            diagnostics.error(f"file \"{table.file}\" of input '{table.name}' is not a path under the data folder",
                              span, expected="a relative path with / between folders, e.g. \"aws/carbon/**/*.csv.gz\" "
                                             "or a folder \"azure/carbon/\"")
            continue
        name = path.name.removesuffix(".gz") if not table.file.endswith("/") else ""
        suffix = _FILE_SUFFIX.search(name)
        if suffix and registry.reader_for(PurePosixPath("file" + suffix.group(0))) is None:
            readers = sorted(s for r in registry.readers.values() for s in r.suffixes)
            diagnostics.error(f"file \"{table.file}\" of input '{table.name}': no reader reads {suffix.group(0)} files",
                              span, expected=f"a file one of the readers reads: {', '.join(readers)} (each also .gz)")


def _check_type_arguments(table: ast.InputTable, column: ast.Column, diagnostics: Diagnostics) -> None:
    """Only decimal takes arguments: (precision) or (precision, scale), 1 <= precision <= 38, scale <= it
    (a lone precision keeps the default scale, 6)."""
    where = f"column '{column.name}' of input '{table.name}'"
    if column.type_args and column.type_name != "decimal":
        diagnostics.error(f"{where}: type {column.type_name} takes no (…) arguments", column.span,
                          expected=f"{column.type_name}, or decimal(precision, scale)")
        return
    if not column.type_args:
        return
    precision, scale = column.decimal_shape
    if not 1 <= precision <= 38 or scale > precision:
        diagnostics.error(f"{where}: decimal({', '.join(map(str, column.type_args))}) is not a decimal type",
                          column.span, expected="decimal(precision, scale) with precision 1 to 38 digits and "
                          "scale (the digits after the point) at most the precision, e.g. decimal(18, 6)")


def _check_constraints(table: ast.InputTable, column: ast.Column, diagnostics: Diagnostics) -> None:
    """Ranges and comparisons need a number column; `in` values must be of the column's type."""
    kinds = [c.kind for c in column.constraints]
    for constraint in column.constraints:
        if kinds.count(constraint.kind) > 1 and constraint.kind in ("range", "in", "required"):
            diagnostics.error(f"column '{column.name}' of input '{table.name}' has two '{constraint.kind}' "
                              f"constraints; give one", constraint.span)
        if constraint.kind in ("range", "compare") and column.type_name not in ("integer", "decimal", "float"):
            diagnostics.error(f"column '{column.name}' is {column.type_name}: a range or comparison needs an "
                              f"integer or decimal column, or a float one", constraint.span)
        if constraint.kind == "range" and constraint.values[0] > constraint.values[1]:
            diagnostics.error(f"range {constraint.describe()} of column '{column.name}' is empty: the first bound "
                              f"must be at most the second", constraint.span)
        if constraint.kind == "in":
            wanted = {"text": str, "boolean": bool}.get(column.type_name, Decimal)
            wrong = [v for v in constraint.values if not isinstance(v, wanted) or (wanted is Decimal and isinstance(v, bool))]
            if column.type_name == "date" or wrong:
                diagnostics.error(f"column '{column.name}' is {column.type_name}: the values after `in` must be "
                                  + {"text": "quoted strings", "boolean": "true or false", "date": "(dates are not "
                                     "supported in `in`; use a range on a text column)"}.get(column.type_name, "numbers"),
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
        diagnostics.unknown("input table", source.table, source.span, layer.inputs)
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
    """Column references: names outside calls (a call's arguments are its own business)."""
    calls = [c for c in ast.walk(expr) if isinstance(c, ast.Call)]
    inside = {id(n) for c in calls for a in c.arguments for n in ast.walk(a.value)}
    return (n for n in ast.walk(expr) if isinstance(n, ast.Name) and id(n) not in inside)


def _bind_rule(node: ast.Rule, layer: _Layer, registry: Registry, diagnostics: Diagnostics) -> list[CalcStep]:
    columns = None
    if node.source is None:
        diagnostics.error(f"rule '{node.id}' has no 'from' clause", node.id_span,
                          expected="from TABLE [where CONDITION] or from results of RULE")
    else:
        columns = _check_source(node.source, layer, diagnostics)
    for need in node.needs:
        if need.dotted not in layer.rules:
            diagnostics.unknown("rule", need.dotted, need.span, layer.rules)
    if node.calc is None:
        diagnostics.error(f"rule '{node.id}' has no 'calc' clause", node.id_span,
                          expected="calc CALCULATOR(parameters) or calc first_of(CALCULATOR(...), ...)")
        return []
    calls = [node.calc]
    if node.calc.function == FALLBACK_CALL:
        calls = []
        for argument in node.calc.arguments:
            if argument.name is not None or not isinstance(argument.value, ast.Call):
                diagnostics.error("first_of takes calculator calls, tried in order", argument.span,
                                  expected="first_of(calculator(...), calculator(...), ...)")
            else:
                calls.append(argument.value)
        if not calls:
            diagnostics.error("first_of needs at least one calculator", node.calc.span)
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
        diagnostics.unknown("calculator", call.function, call.span, [*registry.calculators, FALLBACK_CALL])
        return None
    raw: dict[str, Any] = {}
    for argument in call.arguments:
        if argument.name is None:
            diagnostics.error(f"arguments of '{call.function}' are named", argument.span,
                              expected="name: value", hint=f"parameters: {', '.join(calculator.parameters.model_fields)}")
            continue
        raw[argument.name] = _argument_value(argument.value, diagnostics)
    try:
        parameters = calculator.parameters.model_validate(raw)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else None
            argument = call.named().get(name) if name else None
            message = f"{call.function}: parameter '{name}': {problem['msg']}" if name else f"{call.function}: {problem['msg']}"
            if problem["type"] == "extra_forbidden":
                message = f"{call.function} has no parameter '{name}'"
            hint = did_you_mean(name, calculator.parameters.model_fields) if problem["type"] == "extra_forbidden" else None
            diagnostics.error(message, argument.span if argument else call.span,
                              expected=f"parameters {', '.join(calculator.parameters.model_fields)}", hint=hint)
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
                hint = (f"parameter '{defaulted[0]}' defaults to column '{column}'; write '{defaulted[0]}: COLUMN' to name another"
                        if defaulted and not written else did_you_mean(column, columns))
                diagnostics.error(f"{call.function} needs column '{column}', which the rule's input does not have",
                                  written[0].span if written else call.span,
                                  expected=expected_list("column", sorted(columns)), hint=hint)
    return CalcStep(calculator=call.function, parameters=parameters, span=call.span)


def _names_column(value: Any, column: str) -> bool:
    return value == column or (isinstance(value, (list, tuple)) and column in value)


def _required_columns(calculator, parameters) -> list[str]:
    """Declared columns plus those named by parameters (e.g. `match: [fuel]`)."""
    required = list(calculator.required_columns)
    extra = getattr(parameters, "columns_used", None)
    if callable(extra):
        required += list(extra())
    return required


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
