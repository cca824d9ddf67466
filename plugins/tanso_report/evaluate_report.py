"""`tanso evaluate --report html`: one run as a self-contained HTML inventory (templates/inventory.html.j2):
scopes and categories on both Scope 2 bases, methods and data types, top sources, checks and metrics
with units, exclusions with their justifications, rejects. No script, no network; charts are inline SVG
(`tanso_report.charts`), tables have CSV downloads with the exact values.

The figures come from the run's own tables (run_groups, run_ledger, run_rejects, run_excluded) on its
connection; `tanso_report.workbook` reads the same queries, so the page and the workbook agree.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tanso import reasons
from tanso.i18n import label, t
from tanso_report import charts, comparison_view
from tanso_report.display import biogenic_kg, check_status, non_kyoto_kg
from tanso_report.pages import Table, emit, number, percent, render, tonnes

TOP_SOURCES = 15
REJECTS_SHOWN = 50


def query(result, sql: str) -> list[dict[str, Any]]:
    """Rows of a query on the run's tables (`{s}` is the run's schema)."""
    cursor = result.connection.execute(sql.format(s=result.schema))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def inventory_rows(result) -> list[dict[str, Any]]:
    """The inventory by scope, category and basis (boundary-weighted kg), with the rules that fed it."""
    return query(result, "SELECT scope, category, basis, sum(co2e_kg) AS co2e_kg, count(DISTINCT rule_id) AS rules, "
                         "sum(ledger_rows) AS ledger_rows FROM {s}.run_groups WHERE scope IS NOT NULL GROUP BY ALL "
                         "ORDER BY scope, category NULLS FIRST, basis NULLS FIRST")


def scope_totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Scope 1, Scope 2 on each basis, Scope 3 (its location-based and basis-free rows), and the totals."""
    def total(scope: int, basis: str | None) -> Decimal:
        return sum((r["co2e_kg"] for r in rows if r["scope"] == scope and r["basis"] in (basis, None)), Decimal(0))

    found = {"scope1": total(1, "location"), "scope2_location": total(2, "location"),
             "scope2_market": total(2, "market"), "scope3": total(3, "location"), "scope3_market": total(3, "market")}
    found["total_location"] = found["scope1"] + found["scope2_location"] + found["scope3"]
    found["total_market"] = found["scope1"] + found["scope2_market"] + found["scope3_market"]
    return found


def mix_rows(result, dimension: str) -> list[dict[str, Any]]:
    """CO2e of the location-based inventory by method or data type."""
    return query(result, f"SELECT coalesce({dimension}, '{t('unspecified')}') AS name, sum(co2e_kg) AS co2e_kg, "
                         f"sum(ledger_rows) AS ledger_rows FROM {{s}}.run_groups WHERE scope IS NOT NULL "
                         f"AND basis IS DISTINCT FROM 'market' GROUP BY ALL ORDER BY co2e_kg DESC, name")


def top_sources(result) -> list[dict[str, Any]]:
    return query(result, "SELECT rule_id, input_table, row_id, any_value(entity) AS entity, scope, category, "
                         "sum(co2e_kg * boundary_weight) AS co2e_kg FROM {s}.run_ledger WHERE scope IS NOT NULL "
                         "AND basis IS DISTINCT FROM 'market' GROUP BY rule_id, input_table, row_id, scope, category "
                         f"ORDER BY co2e_kg DESC, rule_id, row_id LIMIT {TOP_SOURCES}")


def excluded_rows(result) -> list[dict[str, Any]]:
    return query(result, "SELECT exclusion_id, exclusion_source, input_table, reason, count(*) AS rows "
                         "FROM {s}.run_excluded GROUP BY ALL ORDER BY rows DESC, exclusion_id, input_table, reason, "
                         "exclusion_source")


EXCLUDED_COLUMNS = ["row_id", "input_table", "input_row", "rule_id", "exclusion_id", "exclusion_source"]


def excluded_reasons(result) -> list[dict[str, Any]]:
    """Every excluded row, with its reason's code (tanso.reasons) before the stored reason."""
    return query(result, f"SELECT {', '.join(EXCLUDED_COLUMNS)}, {reasons.codes_sql('reason')} AS reason_code, reason "
                         "FROM {s}.run_excluded ORDER BY ALL")


def reject_rows(result, limit: int | None = REJECTS_SHOWN) -> list[dict[str, Any]]:
    """The rejects in input order, each with its reason's code (tanso.reasons) before the stored English reason."""
    return query(result, "SELECT input_table, input_row, row_id, rule_id, rule_source, "
                         f"{reasons.codes_sql('reason')} AS reason_code, reason FROM {{s}}.run_rejects "
                         "ORDER BY input_table, input_row, rule_id, reason" + (f" LIMIT {limit}" if limit else ""))


def _label(row: dict[str, Any]) -> str:
    return comparison_view.group_label(row["scope"], row["category"], row["basis"])


def _t(kg) -> float:
    return float(Decimal(kg or 0) / 1000)


def _inventory_table(rows: list[dict[str, Any]], totals: dict[str, Decimal]) -> Table:
    table = Table("inventory-table", t("inv.inventory"), [
        (t("col.line"), "text"), (t("table.tonnes"), "num"), (t("col.share_of_total"), "num"),
        (t("col.rules"), "num"), (t("col.ledger_rows"), "num")], chart="categories")
    for row in rows:
        table.add([_label(row), tonnes(row["co2e_kg"]),
                   "" if row["basis"] == "market" else percent(row["co2e_kg"], totals["total_location"]),
                   f"{row['rules']:,}", f"{row['ledger_rows']:,}"],
                  [_label(row), row["co2e_kg"] / 1000, None, row["rules"], row["ledger_rows"]], key=_label(row))
    return table


def _categories_figure(rows: list[dict[str, Any]]) -> charts.Figure:
    drawn = [{"key": _label(r), "label": _label(r), "t": _t(r["co2e_kg"]), "text": tonnes(r["co2e_kg"])}
             for r in rows if r["co2e_kg"]]
    return charts.figure("categories", t("inv.inventory"), t("inv.inventory_chart"), charts.bars(drawn), drawn)


def _mix_table(result, dimension: str, total: Decimal) -> Table:
    table = Table(f"{dimension}-table", t(f"inv.by_{dimension}"),
                  [(t(f"col.{dimension}"), "text"), (t("table.tonnes"), "num"), (t("col.share"), "num"),
                   (t("col.ledger_rows"), "num")])
    for row in mix_rows(result, dimension):
        # said in the run's language; the CSV keeps the ledger's words, which it can be matched against
        table.add([label(dimension, row["name"]), tonnes(row["co2e_kg"]), percent(row["co2e_kg"], total),
                   f"{row['ledger_rows']:,}"],
                  [row["name"], row["co2e_kg"] / 1000, None, row["ledger_rows"]], key=row["name"])
    return table


def _sources_table(result) -> Table:
    table = Table("sources-table", t("inv.sources", n=TOP_SOURCES), [
        (t("col.rule"), "ident"), (t("col.input_row"), "ident"), (t("col.entity"), "text"), (t("col.line"), "text"),
        (t("table.tonnes"), "num")])
    for row in top_sources(result):
        label = comparison_view.group_label(row["scope"], row["category"])
        table.add([row["rule_id"], f"{row['input_table']}:{row['row_id']}", row["entity"] or "—", label,
                   tonnes(row["co2e_kg"])],
                  [row["rule_id"], f"{row['input_table']}:{row['row_id']}", row["entity"], label, row["co2e_kg"] / 1000])
    return table


def _exclusions_table(result) -> Table:
    table = Table("excluded-table", t("inv.excluded"), [
        (t("col.exclusion"), "ident"), (t("col.input"), "ident"), (t("col.rows"), "num"), (t("col.reason"), "text"),
        (t("col.declared_at"), "ident")])
    for row in excluded_rows(result):
        reason = reasons.render(row["reason"])   # in the run's language; a justification as its author wrote it
        # a row no rule selects has no exclusion of its own, hence no id or declaration: shown as —
        table.add([row["exclusion_id"] or "—", row["input_table"], f"{row['rows']:,}", reason,
                   row["exclusion_source"] or "—"],
                  [row["exclusion_id"], row["input_table"], row["rows"], reason, row["exclusion_source"]])
    return table


def _rejects_table(result) -> Table:
    table = Table("rejects-table", t("inv.rejects", n=REJECTS_SHOWN), [
        (t("col.input_row"), "ident"), (t("col.rule"), "ident"), (t("col.reason"), "text"), (t("col.rule_at"), "ident")])
    for row in reject_rows(result):
        cells = [f"{row['input_table']}:{row['input_row']}", row["rule_id"], reasons.render(row["reason"]), row["rule_source"]]
        table.add(cells, cells)
    return table


def checks(result) -> list[dict[str, Any]]:
    rows = [{"id": c["id"], "title": c["title"] or c["id"], "source": c["source"], "status": check_status(c),
             "reasons": comparison_view.reason(c, result) if c["passed"] is False else []} for c in result.checks]
    return sorted(rows, key=lambda r: r["status"] != "FAIL")


def render_html(result, path: Path | None) -> str:
    from tanso.run.completeness import lines
    rows = inventory_rows(result)
    totals = scope_totals(rows)
    outside = [(t("inv.biogenic"), biogenic_kg(result.gases))] + [
        (t("inv.non_kyoto", gas=gas), kg) for gas, kg in non_kyoto_kg(result.gases).items()]
    ruleset = result.ruleset
    page = render(
        "inventory.html.j2", title=ruleset.title or ruleset.name, ruleset=ruleset, result=result,
        completeness=lines(result.completeness), totals=totals, outside=[o for o in outside if o[1]],
        figure=_categories_figure(rows), inventory=_inventory_table(rows, totals),
        exclusions=result.exclusions,
        mixes=[_mix_table(result, "method", totals["total_location"]),
               _mix_table(result, "data_type", totals["total_location"])],
        sources=_sources_table(result), excluded=_exclusions_table(result), rejects=_rejects_table(result),
        checks=checks(result),
        metrics=[{"id": m["id"], "title": m["title"] or m["id"], "value": number(m["value"], m["unit"]),
                  "problem": m["problem"]} for m in result.metrics],
        policies=[(name, {**p, "value": comparison_view.show(p.get("value")),
                          "layer": label("layer", p.get("layer") or "")})
                  for name, p in sorted((result.manifest.get("policies") or {}).items())])
    return emit(page, path)
