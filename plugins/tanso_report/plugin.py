"""Reporters. Amounts are exact in the run; they are rounded here, for display only.

The comparison, HTML and Excel reporters are imported when they write (`contracts.on_first_call`): charts,
Jinja and the compare engine are no part of loading the plugins."""

from __future__ import annotations

import json
from pathlib import Path

from tanso import hookimpl
from tanso.contracts import Reporter, on_first_call
from tanso.i18n import t
from tanso.reasons import render_one
from tanso_report import display, inventory, yuho
from tanso_report.display import label as _label, tonnes


def render_table(result, path: Path | None) -> str:
    from rich.table import Table
    console = display.console()
    ruleset = result.ruleset
    table = Table(title=t("table.title", title=ruleset.title or ruleset.name), title_justify="left")
    for column, justify in ((t("table.line"), "left"), (t("table.tonnes"), "right"), (t("table.rules"), "right")):
        table.add_column(column, justify=justify)
    for row in result.totals:
        table.add_row(_label(row["scope"], row["category"], row["basis"]), tonnes(row["co2e_kg"]), str(row["rules"]))
    console.print(table)
    for line in display.outside_the_scopes(result.gases):
        console.print(line, markup=False, soft_wrap=True)
    for exclusion in result.exclusions:
        console.print(t("excluded_line", label=_label(exclusion["scope"], exclusion["category"]),
                        why=exclusion["justification"], source=exclusion["source"]), markup=False)
    for metric in result.metrics:
        console.print(t("metric_line", id=metric["id"], value=display.number(metric["value"], metric["unit"], places=3))
                      + (f" ({render_one(metric['problem'])})" if metric["problem"] else ""), markup=False)
    for check in result.checks:
        console.print(t("check_line", id=check["id"], status=t("check." + display.check_status(check)), title=check["title"] or "")
                      + (f" ({render_one(check['problem'])})" if check["problem"] else ""), markup=False)
        for line in display.findings(check):
            console.print(line, markup=False, soft_wrap=True)
    for line in display.restatement_lines(result):
        console.print(line, markup=False, soft_wrap=True)
    console.print(t("counts", ledger=result.ledger_rows, rejects=result.rejects_count, excluded=result.excluded_count,
                    digest=result.digest[:16]), markup=False)
    return display.finish(console, path)


def render_json(result, path: Path | None) -> str:
    document = {
        "format": "tanso-result.v1", "ruleset": result.ruleset.name, "layers": list(result.ruleset.layers),
        "completeness": result.completeness,
        "totals": result.totals, "gases": result.gases, "summary": result.summary, "exclusions": result.exclusions,
        "metrics": result.metrics, "checks": result.checks,
        "counts": {"ledger_rows": result.ledger_rows, "rejects": result.rejects_count, "excluded": result.excluded_count},
        "policies": {k: v.value for k, v in result.ruleset.policies.items()}, "digest": result.digest,
        **({"previous": {"folder": result.previous["folder"], "digest": result.previous["digest"]},
            "restatements": result.restatements} if result.previous else {}),
    }
    return display.emit(json.dumps(document, indent=2, default=display.plain, sort_keys=True) + "\n", path)


@hookimpl
def tanso_reporters():
    return [
        Reporter(name="table", suffix=".txt", doc="totals by scope and category, metrics, checks", write=render_table),
        Reporter(name="json", suffix=".json", doc="totals, summary, metrics, checks, digest as JSON", write=render_json),
        Reporter(name="inventory", suffix=".txt",
                 doc="a GHG Protocol inventory report laid out by the ruleset's reporting options (statements, "
                     "data types, verification)", write=inventory.render_inventory,
                 reads_policies=inventory.READS_POLICIES, inputs=inventory.INPUTS),
        Reporter(name="yuho", suffix=".txt",
                 doc="greenhouse gas emissions as the securities report (yuho) shows them under the SSBJ climate "
                     "standard: consolidated group, other investees, Scope 3 by category (--lang ja)",
                 write=yuho.render_yuho, reads_policies=yuho.READS_POLICIES),
        Reporter(name="compare-table", suffix=".txt", doc="current vs revised: totals, attribution, deltas",
                 write=on_first_call("tanso_report.comparison:render_table"), kind="comparison"),
        Reporter(name="compare-json", suffix=".json", doc="the comparison as JSON (exact values)",
                 write=on_first_call("tanso_report.comparison:render_json"), kind="comparison"),
        Reporter(name="compare-html", suffix=".html",
                 doc="current vs revised as one self-contained HTML page: takeaway, totals, drivers, scopes, methods, "
                     "checks, options; charts as SVG/PNG and tables as CSV downloads",
                 write=on_first_call("tanso_report.html:render_html"), kind="comparison"),
        # Written into the run folder by `tanso evaluate --out DIR --report html,xlsx` (as report.html, report.xlsx).
        Reporter(name="html", suffix=".html", kind="file",
                 doc="the run as a self-contained HTML inventory: scopes and categories on both Scope 2 bases, methods, "
                     "data types, top sources, checks, metrics, exclusions, rejects", write=on_first_call("tanso_report.evaluate_report:render_html")),
        Reporter(name="xlsx", suffix=".xlsx", kind="file",
                 doc="the run as an Excel workbook: summary, by category, by entity, factors, policies, rejects, "
                     "excluded and the ledger; figures are formulas over the ledger sheet",
                 write=on_first_call("tanso_report.workbook:render_workbook")),
    ]
