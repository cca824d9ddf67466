"""What changed between two versions of a ruleset, each resolved (its `extends` chain applied).

The models are compared, not the text: a comment or a line moved is no change, a `replace rule` that
changes one parameter is. Each change names the file:line on both sides and the layer that made it; a
changed item's unified text diff carries the real line numbers of both files. Factor files are compared
row by row (by `factor_id`) when a data folder is given. Nothing here knows a standard: the kinds are
the language's own (rules, options, inputs, factor sets, exclusions, boundary, tolerances, metrics,
checks) — dbt's `state:modified`, for a methodology.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx

from tanso.audit.git_source import Place, open_place
from tanso.audit.ruleset_version import ruleset_file_hashes, ruleset_version_id
from tanso.contracts import Parameters
from tanso.diagnostics import InputError, RulesetError
from tanso.dsl import ast
from tanso.model.bind import FALLBACK_CALL
from tanso.model.ruleset import Rule, Ruleset
from tanso.plugins import Registry
from tanso.run import Prepared, prepare
from tanso.run.inputs import file_digest, load_factor_set

FORMAT = "tanso-diff.v1"
ROWS_SHOWN = 10        # factor rows listed per set in the text report (JSON lists them all)
# Kinds in report order, named (singular, plural); a change of one in GRAPH_NODES reaches the rules
# that read it (graph node `prefix:id`).
KINDS = {"ruleset": ("ruleset header", "ruleset header"), "rules": ("rule", "rules"), "options": ("option", "options"),
         "inputs": ("input", "inputs"), "factor_sets": ("factor set", "factor sets"),
         "exclusions": ("exclusion", "exclusions"), "boundary": ("boundary", "boundaries"),
         "tolerances": ("tolerance", "tolerances"), "metrics": ("metric", "metrics"), "checks": ("check", "checks")}
STATUSES = ("added", "removed", "changed")
GRAPH_NODES = {"options": "policy", "inputs": "table", "factor_sets": "factors", "exclusions": "exclusion"}
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


@dataclass(frozen=True)
class Side:
    """One ruleset version, resolved, with where its files are read and shown from."""

    place: Place
    prepared: Prepared
    data: Place | None = None     # where its factor files are read; None: their rows are not compared

    @property
    def ruleset(self) -> Ruleset:
        return self.prepared.ruleset

    def at(self, span: ast.Span | None) -> str | None:
        return None if span is None else f"{self.place.show(span.file)}:{span.line}"

    def describe(self) -> dict[str, Any]:
        hashes = ruleset_file_hashes(self.ruleset)
        return {"label": self.place.label, "ruleset": self.ruleset.name, "layers": list(self.ruleset.layers),
                "version": ruleset_version_id(hashes),
                "files": {self.place.show(name): digest for name, digest in hashes.items()},
                "data": self.data.label if self.data else None}


def open_side(spec: str, data_spec: str | None, stack: ExitStack, registry: Registry | None = None) -> Side:
    """Resolve the ruleset at `spec` (PATH or PATH@REV); its factor files are read from `data_spec`.
    Raises `RevisionError` for a bad path or revision, `RulesetError` (files named as given) for errors."""
    place = open_place(spec, stack)
    place.copy_rulesets()
    try:
        prepared = prepare(place.path, registry=registry)
    except RulesetError as error:
        diagnostics = place.relabel(error.diagnostics) if error.diagnostics is not None else None
        raise RulesetError(str(error).replace(str(place.path), spec), diagnostics) from None
    return Side(place, prepared, open_place(data_spec, stack) if data_spec else None)


@dataclass
class Change:
    """An item added, removed or changed. Pairs are [A, B]; `fields` holds only what differs."""

    kind: str
    id: str
    status: str                                    # added | removed | changed
    layer: str | None                              # the layer that defines it in B (in A, when removed)
    at: list[str | None]                           # file:line on each side
    fields: dict[str, list[str | None]]
    text_diff: list[str] = field(default_factory=list)
    rows: dict[str, Any] | None = None             # factor sets: the file's rows added, removed, changed


@dataclass
class RulesetDiff:
    a: Side
    b: Side
    changes: list[Change]
    reevaluate: dict[str, list[str]]    # rule of B → why its results may differ (its change, or graph nodes it reads)
    notes: list[str]

    @property
    def different(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        counts: dict[tuple[str, str], int] = {}
        for change in self.changes:
            counts[change.kind, change.status] = counts.get((change.kind, change.status), 0) + 1
        parts = [f"{n} {KINDS[kind][n != 1]} {status}" for (kind, status), n in
                 sorted(counts.items(), key=lambda c: (list(KINDS).index(c[0][0]), STATUSES.index(c[0][1])))]
        return ", ".join(parts) or "no differences"

    def to_json(self) -> dict[str, Any]:
        changes: dict[str, list] = {}
        for change in self.changes:
            entry = {k: v for k, v in asdict(change).items() if k != "kind" and v not in (None, [], {})}
            changes.setdefault(change.kind, []).append(entry)
        return {"format": FORMAT, "different": self.different, "summary": self.summary(), "a": self.a.describe(),
                "b": self.b.describe(), "changes": changes, "rules_to_reevaluate": self.reevaluate,
                "notes": self.notes}

    def render_text(self) -> str:
        a, b = self.a.describe(), self.b.describe()
        versions = (f"version {a['version'][:12]} (the same files)" if a["version"] == b["version"]
                    else f"version {a['version'][:12]} → {b['version'][:12]}")
        lines = [f"{a['label']} → {b['label']}: {self.summary()}", versions]
        lines += [f"note: {note}" for note in self.notes]
        for kind in KINDS:
            of_kind = [c for c in self.changes if c.kind == kind]
            if of_kind:
                lines += ["", KINDS[kind][1]] + [line for change in of_kind for line in _change_lines(change)]
        if self.reevaluate:
            listing = ", ".join(self.reevaluate)
            lines += ["", f"rules of B whose results may differ ({len(self.reevaluate)}; --names-only lists them "
                          f"for --select):"] + textwrap.wrap(listing, 100, initial_indent="  ", subsequent_indent="  ")
        return "\n".join(lines) + "\n"


def diff_rulesets(a: Side, b: Side) -> RulesetDiff:
    """Every difference between the resolved rulesets A and B, and the rules of B it may change."""
    before, after = _entries(a.ruleset), _entries(b.ruleset)
    changes = [change for kind in KINDS for change in _compare(kind, before[kind], after[kind], a, b)]
    notes: list[str] = []
    _compare_factor_rows(a, b, changes, notes)
    return RulesetDiff(a, b, changes, _rules_to_reevaluate(changes, b), notes)


# ------------------------------------------------------------------------------ items as fields


@dataclass(frozen=True)
class _Entry:
    fields: dict[str, str | None]
    span: ast.Span | None = None
    layer: str | None = None
    amends: bool = False    # the span is an `amend input`, not a declaration: the fields say what it changed


def _entries(ruleset: Ruleset) -> dict[str, dict[str, _Entry]]:
    """Every comparable item of a resolved ruleset, by kind and id, as fields shown as text."""
    boundary = ruleset.boundary
    return {
        "ruleset": {"ruleset": _Entry({"name": ruleset.name, "title": ruleset.title, "status": ruleset.status,
                                       "source": ruleset.source, "as_of": ruleset.as_of,
                                       "period": None if ruleset.period is None else str(ruleset.period),
                                       "layers": " + ".join(ruleset.layers)})},
        "rules": {rule_id: _Entry(_rule_fields(rule), rule.node.span, rule.layer) for rule_id, rule in ruleset.rules.items()},
        "options": {name: _Entry({"value": _show(p.value), "source": p.provenance.source, "status": p.provenance.status,
                                  "as_of": p.provenance.as_of, "set by": p.layer}, p.span, p.layer)
                    for name, p in ruleset.policies.items()},
        "inputs": {name: _Entry(_input_fields(table), table.amended or table.span, amends=table.amended is not None)
                   for name, table in ruleset.inputs.items()},
        "factor_sets": {name: _Entry({"title": d.title, "file": d.file, "removals": "allowed" if d.removals else None,
                                               "sheet": d.sheet},
                                     d.span) for name, d in ruleset.factor_sets.items()},
        "exclusions": {item_id: _Entry({"justification": item.node.justification, **_scope_fields(item.node),
                                        **_source_fields(item.node.source)}, item.node.span, item.layer)
                       for item_id, item in ruleset.exclusions.items()},
        "boundary": {} if boundary is None else {"boundary": _Entry(
            {"method": boundary.method, **_parameter_fields(boundary.parameters, "")}, boundary.span, boundary.layer)},
        "tolerances": {target: _Entry({"limit": item.node.describe(), "justification": item.node.justification},
                                      item.node.span, item.layer) for target, item in ruleset.accepts.items()},
        "metrics": {item_id: _Entry({"title": item.node.title, "expr": _text(item.node.expr), "unit": item.node.unit},
                                    item.node.span, item.layer) for item_id, item in ruleset.metrics.items()},
        "checks": {item_id: _Entry({"title": item.node.title, "expr": _text(item.node.expr)}, item.node.span, item.layer)
                   for item_id, item in ruleset.checks.items()},
    }


def _rule_fields(rule: Rule) -> dict[str, str | None]:
    """What a rule computes: its place in the inventory, its rows, its calculators with their validated
    parameters (defaults included, so writing a default out is no change), tags and basis."""
    node = rule.node
    fallback = node.calc is not None and node.calc.function == FALLBACK_CALL
    calc = {"calc": f"{FALLBACK_CALL}({', '.join(s.calculator for s in rule.steps)})" if fallback
            else ", ".join(s.calculator for s in rule.steps) or None}
    for number, step in enumerate(rule.steps, 1):
        calc |= _parameter_fields(step.parameters, f"calc[{number}]." if fallback else "calc.")
    return {"title": node.title, **_scope_fields(node), **_source_fields(node.source),
            "needs": ", ".join(n.dotted for n in node.needs) or None, **calc,
            "tags": ", ".join(node.tags) or None, "basis": node.basis}


def _scope_fields(node: ast.Rule | ast.Exclusion) -> dict[str, str | None]:
    return {"scope": _show(node.scope), "category": _show(node.category)}


def _source_fields(source: ast.Source | None) -> dict[str, str | None]:
    if source is None:
        return {"from": None, "where": None}
    origin = source.table if source.table is not None else f"results of {source.results_of.dotted}"
    return {"from": origin, "where": _text(source.where)}


def _parameter_fields(parameters: Parameters, prefix: str) -> dict[str, str | None]:
    """Validated parameters as written (an expression parameter keeps its syntax tree, spans aside)."""
    return {f"{prefix}{name}": _show(getattr(parameters, name)) for name in type(parameters).model_fields}


def _input_fields(table: ast.InputTable) -> dict[str, str | None]:
    columns = {f"column {c.name}": " ".join([c.type_name + (f"({','.join(map(str, c.type_args))})" if c.type_args else ""),
                                             *(k.describe() for k in c.constraints)]) for c in table.columns}
    return {"title": table.title, "key": table.key, "encoding": table.encoding, "numbers": table.numbers,
            "sheet": table.sheet, "sheets": table.sheets,
            "header row": None if table.header_row is None else str(table.header_row),
            "period column": table.period, **columns}


def _show(value: Any) -> str | None:
    """A value as the ruleset would write it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return _show(value.value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) or "null" for v in value) + "]"
    if isinstance(value, (ast.Literal, ast.Name, ast.ListExpr, ast.Call, ast.BinaryOp, ast.UnaryOp)):
        return _text(value)
    return str(value)


def _text(expr: ast.Expr | None, nested: bool = False) -> str | None:
    """An expression in one canonical spelling (operations bracketed), so that layout is no change."""
    if expr is None:
        return None
    if isinstance(expr, ast.Literal):
        return f'"{expr.value}"' if isinstance(expr.value, str) else _show(expr.value) or "null"
    if isinstance(expr, ast.Name):
        return expr.dotted
    if isinstance(expr, ast.ListExpr):
        return "[" + ", ".join(_text(item) for item in expr.items) + "]"
    if isinstance(expr, ast.Call):
        arguments = (f"{a.name}: {_text(a.value)}" if a.name else _text(a.value) for a in expr.arguments)
        return f"{expr.function}({', '.join(arguments)})"
    if isinstance(expr, ast.BinaryOp):
        operator = "=" if expr.operator == "==" else expr.operator   # as rulesets write it
        text = f"{_text(expr.left, True)} {operator} {_text(expr.right, True)}"
    elif expr.operator in ("not", "-"):
        text = f"{expr.operator}{' ' if expr.operator == 'not' else ''}{_text(expr.operand, True)}"
    else:
        text = f"{_text(expr.operand, True)} {expr.operator}"
    return f"({text})" if nested else text


# ------------------------------------------------------------------------------ comparing


def _compare(kind: str, before: dict[str, _Entry], after: dict[str, _Entry], a: Side, b: Side) -> list[Change]:
    changes = []
    for item_id in sorted(before.keys() | after.keys()):
        old, new = before.get(item_id), after.get(item_id)
        if old is not None and new is not None and old.fields == new.fields:
            continue
        names = dict.fromkeys([*(old.fields if old else ()), *(new.fields if new else ())])
        pairs = {name: [old.fields.get(name) if old else None, new.fields.get(name) if new else None] for name in names}
        status = "added" if old is None else "removed" if new is None else "changed"
        text_diff = (_text_diff(a, old.span, b, new.span)
                     if status == "changed" and old.span and new.span and not (old.amends or new.amends) else [])
        changes.append(Change(kind, item_id, status, (new or old).layer,
                              [a.at(old.span) if old else None, b.at(new.span) if new else None],
                              {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}, text_diff))
    return changes


def _text_diff(a: Side, old: ast.Span, b: Side, new: ast.Span) -> list[str]:
    """A unified diff of the two statements' text, its hunks numbered as the lines of the real files."""
    lines = difflib.unified_diff(_statement_lines(old), _statement_lines(new), a.at(old), b.at(new), lineterm="")

    def renumber(match: re.Match) -> str:
        before, after = int(match[1]) + old.line - 1, int(match[3]) + new.line - 1
        return f"@@ -{before}{match[2] or ''} +{after}{match[4] or ''} @@"
    return [_HUNK.sub(renumber, line) for line in lines]


def _statement_lines(span: ast.Span) -> list[str]:
    try:
        text = Path(span.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return text.splitlines()[span.line - 1:span.end_line]


def _compare_factor_rows(a: Side, b: Side, changes: list[Change], notes: list[str]) -> None:
    """Add the rows added, removed and changed in the file of each factor set both sides declare."""
    if a.data is None or b.data is None:
        notes.append("factor files not compared row by row: no --data folder given")
        return
    for name in sorted(a.ruleset.factor_sets.keys() & b.ruleset.factor_sets.keys()):
        old, new = a.ruleset.factor_sets[name], b.ruleset.factor_sets[name]
        paths = a.data.file(old.file), b.data.file(new.file)
        shown = [side.data.show(str(path or side.data.path / decl.file))
                 for side, decl, path in ((a, old, paths[0]), (b, new, paths[1]))]
        if None in paths:
            notes.append(f"factor set {name}: rows not compared: "
                         + " and ".join(f"{s} is not there" for s, path in zip(shown, paths) if path is None))
            continue
        if file_digest(paths[0]) == file_digest(paths[1]):
            continue
        try:
            rows = _row_changes(*(_factor_rows(side.prepared.registry, name, path, decl.removals, decl.sheet)
                                  for side, path, decl in ((a, paths[0], old), (b, paths[1], new))))
        except InputError as error:
            message = str(error)
            for path, label in zip(paths, shown):
                message = message.replace(str(path), label)
            notes.append(f"factor set {name}: rows not compared: {message}")
            continue
        if rows is None:
            continue
        change = next((c for c in changes if c.kind == "factor_sets" and c.id == name), None)
        if change is None:
            change = Change("factor_sets", name, "changed", None, [a.at(old.span), b.at(new.span)], {})
            changes.append(change)
        change.rows = {"files": shown, **rows}


def _factor_rows(registry: Registry, name: str, path: Path, removals: bool,
                 sheet: str | None) -> list[dict[str, Any]]:
    """The file's rows as a run reads them (the same loader, so the same values), with `_row`."""
    con = duckdb.connect()
    try:
        table = load_factor_set(con, registry, name, path, {}, removals, sheet)
        cursor = con.execute(f"SELECT * FROM {table.relation} ORDER BY _row")
        columns = [d[0] for d in cursor.description]
        return [{c: v if c == "_row" else _cell(v) for c, v in zip(columns, row)} for row in cursor.fetchall()]
    finally:
        con.close()


def _cell(value: Any) -> str | None:
    """A factor value as its number (0.4410 and 0.441 are the same factor), anything else as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return _show(value)


def _row_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Rows matched by factor_id (by the whole row where factor_id repeats in a file)."""
    old_columns = [c for c in (old[0] if old else {}) if c != "_row"]
    new_columns = [c for c in (new[0] if new else {}) if c != "_row"]
    unique = all(len({r.get("factor_id") for r in rows}) == len(rows) for rows in (old, new))
    key = ["factor_id"] if unique else [c for c in old_columns if c in new_columns]
    compared = [c for c in dict.fromkeys(old_columns + new_columns) if c not in key]

    def keyed(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {" / ".join(str(r.get(c)) for c in key): r for r in rows}
    before, after = keyed(old), keyed(new)
    changed = []
    for row_key in (k for k in before if k in after):
        differ = {c: [before[row_key].get(c), after[row_key].get(c)] for c in compared
                  if before[row_key].get(c) != after[row_key].get(c)}
        if differ:
            changed.append({"key": row_key, "rows": [before[row_key]["_row"], after[row_key]["_row"]], "columns": differ})
    result = {"key": key,
              "added": [{"key": k, "row": r["_row"]} for k, r in after.items() if k not in before],
              "removed": [{"key": k, "row": r["_row"]} for k, r in before.items() if k not in after],
              "changed": changed,
              "columns_added": [c for c in new_columns if c not in old_columns],
              "columns_removed": [c for c in old_columns if c not in new_columns]}
    return result if any(result[k] for k in ("added", "removed", "changed", "columns_added", "columns_removed")) else None


def _rules_to_reevaluate(changes: list[Change], b: Side) -> dict[str, list[str]]:
    """B's rules added or changed, and those reading a changed option, input, factor set, exclusion or
    boundary (through exclusions and the boundary, not through other rules: `--select rule+` adds those)."""
    graph, why = b.prepared.graph, {}
    for change in changes:
        if change.kind == "rules" and change.status != "removed":
            why.setdefault(change.id, []).append(change.status)
        elif change.kind == "ruleset" and "period" in change.fields:   # the rows of every dated input it reads
            for rule_id, rule in b.ruleset.rules.items():
                source = rule.node.source
                if source is not None and source.table is not None and b.ruleset.inputs[source.table].period:
                    why.setdefault(rule_id, []).append("reporting period")
        elif change.kind in GRAPH_NODES or (change.kind == "boundary" and b.ruleset.boundary is not None):
            node = (f"boundary:{b.ruleset.boundary.method}" if change.kind == "boundary"
                    else f"{GRAPH_NODES[change.kind]}:{change.id}")
            for rule_id in _rules_reading(graph, node):
                why.setdefault(rule_id, []).append(node)
    return dict(sorted(why.items()))


def _rules_reading(graph: nx.DiGraph, node: str) -> list[str]:
    if node not in graph:
        return []
    found, stack, seen = [], [node], {node}
    while stack:
        for successor in graph.successors(stack.pop()):
            if successor in seen:
                continue
            seen.add(successor)
            if successor.startswith("rule:"):
                found.append(successor.split(":", 1)[1])
            else:
                stack.append(successor)
    return found


# ------------------------------------------------------------------------------ text


def _change_lines(change: Change) -> list[str]:
    mark = "+-~"[STATUSES.index(change.status)]
    is_option = change.kind == "options"   # an option without a `set` has its default
    places = [at or "default" for at in change.at] if is_option else [at for at in change.at if at]
    where = ", ".join(filter(None, [" → ".join(dict.fromkeys(places)), change.layer]))
    title = change.id
    fields = dict(change.fields)
    if is_option:
        value = fields.pop("value", None)
        fields.pop("set by", None)
        title += f" = {value[0] or 'none'} → {value[1] or 'none'}" if value else ""
    lines = [f"  {mark} {title}" + (f"  ({where})" if where else "")]
    if change.status == "changed":
        lines += _field_lines(fields)
        lines += [f"      {line}" for line in change.text_diff if not is_option]
    if change.rows:
        lines += _row_lines(change.rows)
    return lines


def _field_lines(fields: dict[str, list[str | None]], width: int = 100) -> list[str]:
    """`name: old → new`, short ones several to a line; a long value as a - / + pair of lines."""
    lines: list[str] = []
    packing = False   # the last line holds short fields
    for name, (old, new) in fields.items():
        text = f"{name}: {old or '—'} → {new or '—'}"
        if len(text) > width - 6:
            lines += [f"      {name}:", f"        - {old or '—'}", f"        + {new or '—'}"]
            packing = False
        elif packing and len(lines[-1]) + 2 + len(text) <= width:
            lines[-1] += f"; {text}"
        else:
            lines.append(f"      {text}")
            packing = True
    return lines


def _row_lines(rows: dict[str, Any]) -> list[str]:
    counts = ", ".join(f"{len(rows[k])} {k}" for k in ("added", "removed", "changed") if rows[k])
    files = rows["files"][0] if rows["files"][0] == rows["files"][1] else " → ".join(rows["files"])
    lines = [f"      rows of {files} (by {', '.join(rows['key'])}): {counts or 'none added, removed or changed'}"]
    lines += [f"      columns {k.split('_')[1]}: {', '.join(rows[k])}" for k in ("columns_added", "columns_removed") if rows[k]]
    listed = ([f"+ {r['key']} (row {r['row']})" for r in rows["added"]]
              + [f"- {r['key']} (row {r['row']})" for r in rows["removed"]]
              + [f"~ {r['key']} (row {r['rows'][0]} → {r['rows'][1]}): "
                 + "; ".join(f"{c} {o} → {n}" for c, (o, n) in r["columns"].items()) for r in rows["changed"]])
    lines += [f"        {line}" for line in listed[:ROWS_SHOWN]]
    if len(listed) > ROWS_SHOWN:
        lines.append(f"        … and {len(listed) - ROWS_SHOWN} more (--format json lists them all)")
    return lines
