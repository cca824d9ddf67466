"""Load ruleset files, compose `extends` chains and overlays in declared order, and bind every name.

All problems are collected into one `Diagnostics`; the caller raises once at the end so a
methodology owner sees every error of a ruleset in one run. Binding is `tanso.model.bind`, the checks
it runs `tanso.model.checks`.
"""

from __future__ import annotations

import re

from dataclasses import replace
from pathlib import Path

from tanso.diagnostics import Diagnostics, RulesetError, did_you_mean
from tanso.dsl import ast
from tanso.dsl.parser import parse_file
from tanso.i18n import t
from tanso.model.bind import _bind, _constant
from tanso.model.layer import _Layer
from tanso.model.ruleset import Arguments, Item, PolicyValue, Ruleset
from tanso.plugins import Registry


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
        raise RulesetError(t("chk.no_rule", path=path))
    sets = tuple(f"{name}={text}" for name, text in (overrides or {}).items())
    return replace(ruleset, loaded_from=Arguments(path, tuple(overlays), sets))


def _parse_layer(path: Path, diagnostics: Diagnostics) -> tuple[ast.Header | None, list[ast.Statement], list[str]]:
    if not path.exists():
        raise RulesetError(t("chk.no_ruleset", path=path))
    files = ruleset_files(path)
    if not files:
        raise RulesetError(t("chk.no_files_in", path=path))
    header, statements, names = None, [], []
    for file in files:
        name = display_path(file)
        module = parse_file(file, diagnostics, name)
        names.append(name)
        if module.header is not None:
            if header is not None:
                diagnostics.error(t("diag.two_headers"), module.header.span, hint=t("diag.first_at", span=header.span))
            header = module.header
        statements.extend(module.statements)
    return header, statements, names


def display_path(file: Path) -> str:
    """A ruleset file or folder as the terminal names it (diagnostics) and a manifest's `invocation` records
    it: relative to the working folder when it lies inside it (symlinks resolved), else as given. A run's
    outputs cite a file by another name, relative to the ruleset's root (`Ruleset.cited`), the same from
    any working folder."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def _load_layer(path: Path, layer: _Layer, diagnostics: Diagnostics, seen: tuple[str, ...],
                as_overlay: bool = False) -> None:
    header, statements, files = _parse_layer(path, diagnostics)
    name = header.name if header else path.stem
    if name in seen:
        raise RulesetError(t("chk.extends_itself", name=name, path=" → ".join(seen + (name,))))
    if header and header.extends and not as_overlay:
        base = _find_ruleset(header.extends, path)
        if base is None:
            declaring = _declaring(header.extends, path)
            diagnostics.error(t("diag.extends_missing", base=header.extends, name=name),
                              header.extends_span or header.span,
                              expected=t("diag.extends_expected", base=header.extends, path=path),
                              hint=t("diag.extends_declared_in", base=header.extends, path=declaring[0].name,
                                     renamed=header.extends + declaring[0].suffix) if len(declaring) == 1 else None)
            return
        _load_layer(base, layer, diagnostics, seen + (name,))
    if not layer.layers:
        layer.name, layer.header = name, header
    else:
        layer.name = name
        layer.header = header or layer.header
    if header is not None and header.period is not None:
        layer.period = header.period   # an overlay restates the reporting period; one that does not keeps it
    layer.layers.append(name)
    layer.files.extend(files)
    _apply(statements, name, layer, diagnostics, is_base=len(layer.layers) == 1)


def _find_ruleset(name: str, near: Path) -> Path | None:
    folder = near if near.is_dir() else near.parent
    # `.` and `..` have no lexical parent (Path('.').parent is `.` itself): theirs is `..` below them.
    for candidate_dir in (folder / ".." if folder.name in ("", "..") else folder.parent, folder):
        for variant in (name, name.replace("_", "-")):
            for candidate in (candidate_dir / variant, candidate_dir / f"{variant}.tanso"):
                if candidate.exists() and candidate.resolve() != near.resolve():
                    return candidate
    return None


def _declaring(name: str, near: Path) -> list[Path]:
    """The folders and .tanso files beside `near` (and beside its folder) whose header declares `ruleset NAME`:
    a base is found by its folder's or file's name, and `tanso init` names the folder `ruleset`."""
    folder = near if near.is_dir() else near.parent
    header = re.compile(rf"^[ \t]*ruleset[ \t]+{re.escape(name)}\b", re.M)
    found = []
    for candidate_dir in dict.fromkeys((folder / ".." if folder.name in ("", "..") else folder.parent, folder)):
        for candidate in sorted(candidate_dir.iterdir()) if candidate_dir.is_dir() else ():
            files = sorted(candidate.glob("*.tanso")) if candidate.is_dir() else [candidate]
            if candidate.resolve() != near.resolve() and any(
                    f.suffix == ".tanso" and f.is_file() and header.search(f.read_text(errors="replace"))
                    for f in files):
                found.append(candidate)
    return found


def _apply(statements: list[ast.Statement], layer_name: str, layer: _Layer, diagnostics: Diagnostics,
           is_base: bool) -> None:
    defined_here: dict[str, ast.Span] = {}
    amendments: list[ast.InputAmendment] = []

    def once(item_id: str, span: ast.Span) -> bool:
        if item_id in defined_here:
            diagnostics.error(t("diag.defined_twice", id=item_id), span,
                              hint=t("diag.first_definition", span=defined_here[item_id]))
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
            layer.input_layers[statement.name] = layer_name
        elif isinstance(statement, ast.InputAmendment):
            if once(f"amend input {statement.name}", statement.span):
                amendments.append(statement)
        elif isinstance(statement, ast.FactorSetDecl):
            layer.factor_sets[statement.name] = statement
        elif isinstance(statement, ast.Rule):
            if not once(statement.id, statement.id_span):
                continue
            exists = statement.id in layer.rules
            if statement.replaces and not exists:
                diagnostics.error(t("diag.replace_missing", id=statement.id), statement.id_span,
                                  expected=t("diag.base_rule_id"),
                                  hint=did_you_mean(statement.id, layer.rules))
                continue
            if not statement.replaces and layer.owner_of(statement.id) is not None:
                where = layer.rules[statement.id][0].span if exists else None
                diagnostics.error(t("diag.defined_earlier", id=statement.id), statement.id_span,
                                  hint=t("diag.replace_instead", id=statement.id)
                                       + (t("diag.defined_at", span=where) if where else ""))
                continue
            layer.rules[statement.id] = (statement, layer_name)
        elif isinstance(statement, (ast.Exclusion, ast.Metric, ast.Check)):
            if not once(statement.id, statement.span):
                continue
            table = {ast.Exclusion: layer.exclusions, ast.Metric: layer.metrics, ast.Check: layer.checks}[type(statement)]
            owner = layer.owner_of(statement.id)
            if owner is not None and owner is not table:
                diagnostics.error(t("diag.other_kind", id=statement.id), statement.span,
                                  hint=t("diag.other_kind_help", id=statement.id))
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
                diagnostics.error(t("diag.remove_missing", id=statement.id), statement.span, expected=t("diag.item_id"),
                                  hint=did_you_mean(statement.id, layer.all_ids()))
            else:
                del owner[statement.id]
    for amendment in amendments:   # after the layer's own inputs, wherever in its files they are written
        _amend_input(amendment, layer, layer_name, diagnostics)


def _amend_input(amendment: ast.InputAmendment, layer: _Layer, layer_name: str, diagnostics: Diagnostics) -> None:
    """Date an input an earlier layer declares (`amend input fuel_use period month`); the period clause's
    span is the amendment's, so what `tanso check` says of the column points here."""
    table = layer.inputs.get(amendment.name)
    if table is None:
        diagnostics.error(t("diag.amend_missing", table=amendment.name), amendment.name_span,
                          expected=t("diag.amend_expected"), hint=did_you_mean(amendment.name, layer.inputs))
    elif layer.input_layers[amendment.name] == layer_name:
        diagnostics.error(t("diag.amend_own", table=amendment.name), amendment.span,
                          hint=t("diag.amend_own_help", column=amendment.period, at=table.span.short))
    else:
        layer.inputs[amendment.name] = replace(table, period=amendment.period, amended=amendment.span,
                                               clause_spans={**table.clause_spans, **amendment.clause_spans})


def _check_roles(statement: ast.RequireApprovals, diagnostics: Diagnostics) -> bool:
    """Each role once, each count at least 1 (`require approvals preparer, 2 reviewer`)."""
    seen: dict[str, ast.RoleCount] = {}
    for role in statement.roles:
        if role.role in seen:
            diagnostics.error(t("diag.role_twice", role=role.role), role.span,
                              hint=t("diag.role_twice_help", count=seen[role.role].count + role.count, role=role.role))
        elif role.count < 1:
            diagnostics.error(t("diag.role_count", role=role.role, count=role.count), role.span,
                              expected=t("diag.role_count_expected", role=role.role))
        seen.setdefault(role.role, role)
    return len(seen) == len(statement.roles) and all(r.count >= 1 for r in statement.roles)
