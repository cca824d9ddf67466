"""Reporters for `tanso compare`: a terminal table and a JSON document. Exact values stay exact in
JSON (decimal strings; Shapley shares also as exact fractions); the table rounds for display."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from tanso.compare import Comparison, bases, headline, to_decimal
from tanso.i18n import label, t
from tanso_report import display, messages  # noqa: F401  (messages registers the reports' words)
from tanso_report.display import label as _label, tonnes
from tanso_report.comparison_view import show


def _basis_title(basis: str | None) -> str:
    return t(f"basis.{basis}") if basis else t("cmp.total")


def render_table(comparison: Comparison, path: Path | None) -> str:
    console = display.console()
    base, revised = comparison.base.ruleset, comparison.revised.ruleset
    changes = len(comparison.changes)
    console.print(t("ct.headline", base=base.name, revised=revised.name,
                    changes=t("ct.change" if changes == 1 else "ct.changes", n=changes),
                    evaluations=comparison.scenarios_evaluated), markup=False)
    for basis in bases(comparison):
        view = headline(comparison, basis)
        console.print("\n" + t("ct.total", basis=_basis_title(basis), before=tonnes(view["base_kg"]),
                               after=tonnes(view["revised_kg"]), delta=tonnes(view["delta_kg"])), markup=False)
        outside = view["outside_scopes"]
        if outside["base_kg"] or outside["revised_kg"]:
            console.print(t("ct.outside", before=tonnes(outside["base_kg"]), after=tonnes(outside["revised_kg"])),
                          markup=False)
        table = Table(title=t("ct.attribution", basis=_basis_title(basis)), title_justify="left")
        for key in ("change", "values", "status", "one", "sequential", "shapley"):
            table.add_column(t(f"ct.col.{key}"), justify="left" if key in ("change", "values", "status") else "right")
        for part in view["parts"]:
            change = part["change"]
            table.add_row(change.name, f"{show(change.base)} → {show(change.revised)}",
                          label("status", change.status or ""),
                          tonnes(part["one_at_a_time"]), tonnes(part["sequential"]),
                          tonnes(to_decimal(part["shapley"])))
        table.add_row(t("ct.interaction"), "", "", tonnes(view["interaction_kg"]), "—", "—")
        console.print(table)
    structural = [c.name for c in comparison.changes if c.structural]
    if structural:
        console.print(t("ct.structural", names=", ".join(structural)), markup=False)
    deltas = Table(title=t("ct.by_scope"), title_justify="left")
    for key in ("line", "base", "revised", "delta"):
        deltas.add_column(t(f"ct.col.{key}"), justify="left" if key == "line" else "right")
    for row in comparison.deltas["scope_category"]:
        if row["delta_kg"] or row["base_kg"]:
            deltas.add_row(_label(row["scope"], row["category"], row["basis"]), tonnes(row["base_kg"]),
                           tonnes(row["revised_kg"]), tonnes(row["delta_kg"]))
    console.print(deltas)
    levels = Table(title=t("ct.by_level"), title_justify="left")
    for key in ("line", "level", "base", "revised", "delta"):
        levels.add_column(t(f"ct.col.{key}"), justify="left" if key in ("line", "level") else "right")
    for row in comparison.deltas["data_quality"]:
        if row["delta_kg"] or row["base_kg"]:
            levels.add_row(_label(row["scope"], row["category"], row["basis"]), row["data_quality"] or t("ct.unstated"),
                           tonnes(row["base_kg"]), tonnes(row["revised_kg"]), tonnes(row["delta_kg"]))
    console.print(levels)
    if comparison.row_changes:
        rows = Table(title=t("ct.rows"), title_justify="left")
        for key in ("rule", "row", "delta_t", "caused_by"):
            rows.add_column(t(f"ct.col.{key}"), justify="right" if key == "delta_t" else "left")
        for row in comparison.row_changes[:10]:
            rows.add_row(row["rule_id"], f"{row['input_table']}:{row['row_id']}", tonnes(row["delta_kg"]),
                         ", ".join(c.split(":", 1)[-1] for c in row["caused_by"]))
        console.print(rows)
    outcomes = checks_and_metrics(comparison)
    if outcomes:
        table = Table(title=t("ct.checks"), title_justify="left")
        for key in ("id", "base", "revised"):
            table.add_column(t(f"ct.col.{key}"))
        for row in outcomes:
            table.add_row(row["id"], row["base"], row["revised"])
        console.print(table)
    return display.finish(console, path)


def checks_and_metrics(comparison: Comparison) -> list[dict[str, str]]:
    """Each check's outcome (PASS / FAIL / N/A, in the run's language) and each metric's value in both runs,
    checks first: a threshold the revision introduces shows here as N/A → FAIL."""
    def shown(items: list[dict], kind: str) -> dict[str, str]:
        if kind == "check":
            return {c["id"]: t("check." + display.check_status(c)) for c in items}
        return {m["id"]: display.number(m["value"], m["unit"], places=3) for m in items}

    rows = []
    for kind, attribute in (("check", "checks"), ("metric", "metrics")):
        before = shown(getattr(comparison.base, attribute), kind)
        after = shown(getattr(comparison.revised, attribute), kind)
        absent = t("check.absent")
        rows += [{"kind": kind, "id": name, "base": before.get(name, absent), "revised": after.get(name, absent)}
                 for name in dict.fromkeys([*before, *after])]
    return rows


def document(comparison: Comparison) -> dict:
    return {
        "format": "tanso-comparison.v1",
        "base": {"ruleset": comparison.base.ruleset.name, "layers": list(comparison.base.ruleset.layers),
                 "digest": comparison.base.digest, "completeness": comparison.base.completeness},
        "revised": {"ruleset": comparison.revised.ruleset.name, "layers": list(comparison.revised.ruleset.layers),
                    "digest": comparison.revised.digest, "completeness": comparison.revised.completeness},
        "changes": comparison.changes,
        "headlines": [headline(comparison, basis) for basis in bases(comparison)],
        "deltas": comparison.deltas,
        "row_changes": comparison.row_changes,
        "rule_dependencies": comparison.rule_dependencies,
        "scenarios_evaluated": comparison.scenarios_evaluated,
        **({"beyond_range": comparison.beyond_range} if comparison.beyond_range else {}),
        "checks": {"base": comparison.base.checks, "revised": comparison.revised.checks},
        "metrics": {"base": comparison.base.metrics, "revised": comparison.revised.metrics},
        "policies": {"base": {k: v.value for k, v in comparison.base.ruleset.policies.items()},
                     "revised": {k: v.value for k, v in comparison.revised.ruleset.policies.items()}},
    }


def render_json(comparison: Comparison, path: Path | None) -> str:
    return display.emit(json.dumps(document(comparison), indent=2, default=display.plain, sort_keys=True) + "\n", path)
