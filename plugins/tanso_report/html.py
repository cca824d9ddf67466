"""`compare-html`: the comparison as one self-contained HTML page (templates/comparison.html.j2).

No script runs and nothing is fetched: the charts are Vega-Lite specifications rendered to inline SVG
by vl-convert (`tanso_report.charts`), each with SVG and PNG downloads; each table has a CSV download
with the exact values. The comparison's JSON document (`comparison.document`, exact decimal strings) is
embedded as `<script type="application/json" id="data">`. Amounts are rounded for display only.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from tanso.compare import Comparison, in_basis
from tanso.i18n import label, t
from tanso_report import charts
from tanso_report.comparison import document
from tanso_report import comparison_view as view
from tanso_report.comparison_view import show
from tanso_report.pages import Table, emit, exact, ident, percent, render, tonnes


def _t(kg) -> float:
    """Tonnes as a chart's plain number."""
    return float(exact(kg) / 1000)


# ------------------------------------------------------------------------------------------- attribution


def _waterfall(index: int, headline: dict[str, Any]) -> tuple[charts.Figure, Table]:
    drivers = headline["drivers"]
    chart_id = f"waterfall-{index}"
    steps = [{"key": "current", "label": t("cmp.current_total"), "start": 0.0, "end": _t(headline["base_kg"]),
              "kind": "total", "text": tonnes(headline["base_kg"])}]
    level = exact(headline["base_kg"])
    moves = [(p["change"].key, p["change"].name, exact(p["shapley"])) for p in drivers["shown"]]
    if drivers["smaller"]:
        moves.append(("smaller", t("cmp.smaller", n=len(drivers["smaller"])), drivers["smaller_kg"]))
    for key, name, amount in moves:
        steps.append({"key": key, "label": name, "start": _t(level), "end": _t(level + amount),
                      "kind": "up" if amount > 0 else "down", "text": tonnes(amount, signed=True)})
        level += amount
    steps.append({"key": "revised", "label": t("cmp.revised_total"), "start": 0.0, "end": _t(headline["revised_kg"]),
                  "kind": "total", "text": tonnes(headline["revised_kg"])})
    title = t("cmp.waterfall", total=view.total_name(headline))
    description = t("cmp.waterfall_note", before=tonnes(headline["base_kg"]), after=tonnes(headline["revised_kg"]))
    figure = charts.figure(chart_id, title, description, charts.waterfall(steps), steps)

    table = Table(f"attribution-{index}", t("cmp.attribution", title=headline["title"]) if headline["basis"]
                  else t("cmp.attribution_total"),
                  [(t("cmp.col_change"), "text"), (t("cmp.col_values"), "text"), (t("cmp.col_shapley"), "num"),
                   (t("cmp.col_one"), "num"), (t("cmp.col_sequential"), "num")], chart=chart_id)
    table.add([t("cmp.current_total"), "", tonnes(headline["base_kg"]), "", ""],
              ["current total", "", headline["base_kg"] / 1000, None, None], key="current", css="total")
    for part in drivers["shown"]:
        _part_row(table, part, key=part["change"].key)
    for part in drivers["smaller"]:
        _part_row(table, part, key=None, css="smaller")
    if drivers["smaller"]:
        table.add([t("cmp.smaller", n=len(drivers["smaller"])), t("cmp.smaller_note"),
                   tonnes(drivers["smaller_kg"], signed=True), "", ""],
                  ["smaller changes", "", drivers["smaller_kg"] / 1000, None, None], key="smaller", css="subtotal")
    table.add([t("cmp.interaction"), t("cmp.interaction_note"), "", tonnes(headline["interaction_kg"], signed=True), "—"],
              ["interaction", "", None, headline["interaction_kg"] / 1000, None], css="interaction")
    table.add([t("cmp.revised_total"), "", tonnes(headline["revised_kg"]), "", ""],
              ["revised total", "", headline["revised_kg"] / 1000, None, None], key="revised", css="total")
    return figure, table


def _part_row(table: Table, part: dict[str, Any], key: str | None, css: str = "") -> None:
    change = part["change"]
    table.add([ident(change.name), f"{show(change.base)} → {show(change.revised)}", tonnes(part["shapley"], signed=True),
               tonnes(part["one_at_a_time"], signed=True), tonnes(part["sequential"], signed=True)],
              [change.name, f"{show(change.base)} → {show(change.revised)}", exact(part["shapley"]) / 1000,
               part["one_at_a_time"] / 1000, part["sequential"] / 1000], key=key, css=css)


# ------------------------------------------------------------------------------------------- scopes


def _scopes(headlines: list[dict[str, Any]]) -> charts.Figure:
    """Stacked bars of the inventory (the scopes only) per basis: Scope 1, Scope 2, the largest Scope 3
    categories, the other categories together."""
    largest: dict[int, Decimal] = defaultdict(Decimal)
    for headline in headlines:
        for c in headline["categories"]:
            if c["scope"] == 3:
                largest[c["category"]] = max(largest[c["category"]], c["base_kg"], c["revised_kg"])
    top = sorted(sorted(largest, key=lambda k: -largest[k])[:view.TOP_CATEGORIES], key=lambda k: (k is None, k or 0))
    rest = len(largest) - len(top)
    other = t("cmp.other_categories", n=rest)

    def segment(c) -> str:
        if c["scope"] != 3:
            return t("scope", scope=c["scope"])
        return view.group_label(3, c["category"]) if c["category"] in top else other

    domain = [t("scope", scope=1), t("scope", scope=2), *[view.group_label(3, k) for k in top]] + (
        [other] if rest else [])
    rows, totals = [], []
    for headline in headlines:
        for side, key in ((t("cmp.current"), "base_kg"), (t("cmp.revised"), "revised_kg")):
            bar = f"{side} · {headline['title']}"
            amounts: dict[str, Decimal] = defaultdict(Decimal)
            for c in headline["categories"]:
                amounts[segment(c)] += c[key]
            rows += [{"bar": bar, "segment": name, "t": _t(kg), "text": tonnes(kg)} for name, kg in amounts.items()
                     if kg > 0]
            totals.append({"key": f"{key}:{headline['basis']}", "bar": bar, "t": _t(headline[key]),
                           "text": tonnes(headline[key])})
    return charts.figure("scopes", t("inv.inventory"), t("cmp.scopes_chart"), charts.stacked(rows, domain, totals,
                                                                                               other), totals)


def _scope_table(comparison: Comparison) -> tuple[Table, Table]:
    columns = [(t("col.line"), "text"), (t("cmp.current_lc"), "num"), (t("cmp.revised_lc"), "num"),
               (t("cmp.difference_lc"), "num"), (t("cmp.change_pct"), "num")]
    changed = Table("scope-table", t("cmp.scope_moved"), columns)
    still = Table("scope-still", t("cmp.scope_still"), columns)
    for row in comparison.deltas["scope_category"]:
        if not (row["base_kg"] or row["revised_kg"]):
            continue
        label = view.group_label(row["scope"], row["category"], row["basis"])
        if row["scope"] is None:
            label += t("cmp.not_in_totals")
        (changed if row["delta_kg"] else still).add(
            [label, tonnes(row["base_kg"]), tonnes(row["revised_kg"]), tonnes(row["delta_kg"], signed=True),
             percent(row["delta_kg"], row["base_kg"], signed=True)],
            [label, row["base_kg"] / 1000, row["revised_kg"] / 1000, row["delta_kg"] / 1000, None],
            css="outside" if row["scope"] is None else "")
    return changed, still


# ------------------------------------------------------------------------------------------- methods


def _ledger_mix(path: Path | None) -> list[tuple] | None:
    """(scope, category, basis, method, data_type, kg) from a run's ledger; None when it is not readable."""
    if path is None or not Path(path).exists():
        return None
    import duckdb
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT scope, category, basis, coalesce(method, $u), coalesce(data_type, $u), "
            "sum(co2e_kg * boundary_weight) FROM read_parquet($p) GROUP BY ALL",
            {"u": t("unspecified"), "p": str(path)}).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def _mix(comparison: Comparison, basis: str | None) -> dict[str, dict[str, dict[str, Decimal]]] | None:
    """method / data type → {base, revised} kg of the inventory (the scopes) on one basis."""
    found: dict[str, dict[str, dict[str, Decimal]]] = {"method": defaultdict(lambda: defaultdict(Decimal)),
                                                       "data_type": defaultdict(lambda: defaultdict(Decimal))}
    for side, run in (("base", comparison.base), ("revised", comparison.revised)):
        rows = _ledger_mix(run.ledger_path)
        if rows is None:
            return None
        for scope, _, row_basis, method, data_type, kg in rows:
            if scope is not None and in_basis(row_basis, basis):
                found["method"][method][side] += kg or Decimal(0)
                found["data_type"][data_type][side] += kg or Decimal(0)
    return found


def _mix_tables(mix: dict[str, dict[str, Decimal]], name: str, title: str) -> tuple[Table, Table]:
    base_total = sum((v["base"] for v in mix.values()), Decimal(0))
    revised_total = sum((v["revised"] for v in mix.values()), Decimal(0))
    columns = [(t(f"col.{name}"), "text"), (t("cmp.current_lc"), "num"), (t("col.share"), "num"),
               (t("cmp.revised_lc"), "num"), (t("col.share"), "num"), (t("cmp.difference_lc"), "num")]
    changed = Table(f"{name}-table", t("cmp.mix_moved", title=title), columns,
                    chart="methods" if name == "method" else None)
    still = Table(f"{name}-still", t("cmp.mix_still", title=title), columns)
    for key, amounts in sorted(mix.items(), key=lambda kv: (-max(kv[1]["base"], kv[1]["revised"]), kv[0])):
        before, after = amounts["base"], amounts["revised"]
        if not (before or after):
            continue
        (changed if after != before else still).add(
            [key, tonnes(before), percent(before, base_total), tonnes(after), percent(after, revised_total),
             tonnes(after - before, signed=True)],
            [key, before / 1000, None, after / 1000, None, (after - before) / 1000], key=key)
    return changed, still


def _methods_figure(mix: dict[str, dict[str, Decimal]], title: str) -> charts.Figure:
    """The methods that moved most, current beside revised: labels name them, so no method needs a colour."""
    moved = sorted((k for k, v in mix.items() if v["base"] != v["revised"]),
                   key=lambda k: (-abs(mix[k]["revised"] - mix[k]["base"]), k))[:10]
    runs = [t("cmp.current_lc"), t("cmp.revised_lc")]
    rows = [{"key": k, "label": k, "run": run, "t": _t(mix[k][side]),
             "text": tonnes(mix[k][side]) if mix[k][side] else ""}
            for k in moved for run, side in zip(runs, ("base", "revised"))]
    return charts.figure("methods", t("cmp.methods_chart", title=title), t("cmp.methods_chart_note"),
                         charts.paired(rows, moved, runs), rows)


# ------------------------------------------------------------------------------------------- page


def _rows_table(comparison: Comparison) -> Table:
    table = Table("rows-table", t("cmp.rows"),
                  [(t("col.rule"), "ident"), (t("cmp.col_row"), "ident"), (t("cmp.current_lc"), "num"),
                   (t("cmp.revised_lc"), "num"), (t("cmp.difference_lc"), "num"), (t("cmp.col_caused"), "ident")])
    for row in comparison.row_changes[:15]:
        causes = ", ".join(c.split(":", 1)[-1] for c in row["caused_by"])
        table.add([row["rule_id"], f"{row['input_table']}:{row['row_id']}", tonnes(row["base_kg"]),
                   tonnes(row["revised_kg"]), tonnes(row["delta_kg"], signed=True), causes],
                  [row["rule_id"], f"{row['input_table']}:{row['row_id']}", row["base_kg"] / 1000,
                   row["revised_kg"] / 1000, row["delta_kg"] / 1000, causes])
    return table


def _policies(comparison: Comparison) -> list[dict[str, Any]]:
    from tanso.plugins import load_registry
    options = load_registry().policy_options
    base, revised = comparison.base.ruleset.policies, comparison.revised.ruleset.policies
    changed = {c.name for c in comparison.changes if c.kind == "policy"}
    rows = []
    for name in sorted(set(options) | set(base) | set(revised)):
        option, before, after = options.get(name), base.get(name), revised.get(name)
        provenance = (after or before).provenance if (after or before) else None
        rows.append({
            "name": name, "changed": name in changed,
            "doc": option.doc.split(". ")[0].rstrip(".") + "." if option and option.doc else "",
            "current": show(before.value if before else None), "revised": show(after.value if after else None),
            "drafted": show(option.revised) if option is not None and option.revised is not None else "—",
            "status": label("status", (option.status if option else None) or (provenance.status if provenance else None)
                            or "—"),
            "source": (option.source_doc if option else None) or (provenance.source if provenance else None) or "—"})
    return rows


def render_html(comparison: Comparison, path: Path | None) -> str:
    headlines = view.headlines(comparison)
    first = headlines[0]
    attributions = [_waterfall(index, h) for index, h in enumerate(headlines)]
    mix = _mix(comparison, first["basis"])
    mix_parts = None
    if mix is not None:
        methods, methods_still = _mix_tables(mix["method"], "method", t("cmp.by_method", title=first["title"]))
        types, types_still = _mix_tables(mix["data_type"], "data_type", t("cmp.by_data_type", title=first["title"]))
        mix_parts = {"figure": _methods_figure(mix["method"], first["title"]),
                     "tables": [methods, methods_still, types, types_still]}
    scope_changed, scope_still = _scope_table(comparison)
    base, revised = comparison.base, comparison.revised
    same = base.ruleset.name == revised.ruleset.name
    page = render(
        "comparison.html.j2",
        title=t("cmp.same_title", name=base.ruleset.name) if same else f"{base.ruleset.name} → {revised.ruleset.name}",
        described=" → ".join(dict.fromkeys([base.ruleset.title or base.ruleset.name,
                                            revised.ruleset.title or revised.ruleset.name])),
        sets=[c for c in comparison.changes if c.source == "--set"],
        comparison=comparison, headlines=headlines, attributions=attributions,
        takeaway=view.takeaway(first, first["outside_scopes"]),
        scopes=_scopes(headlines), scope_tables=[scope_changed, scope_still], mix=mix_parts,
        checks=view.checks(comparison), metrics=view.metrics(comparison),
        changes=view.changes(comparison, headlines), policies=_policies(comparison), rows=_rows_table(comparison),
        facts=_facts(comparison), factor_sets=_factor_sets(comparison), show=show,
        payload=document(comparison))
    return emit(page, path)


def _facts(comparison: Comparison) -> list[tuple[str, str, str]]:
    base, revised = comparison.base, comparison.revised

    def policy(run, name):
        value = run.ruleset.policies.get(name)
        return show(value.value) if value is not None else "—"

    def engine(run):
        return f"tanso {run.manifest.get('tanso_version', '?')}, {run.manifest.get('backend', '?')}"

    return [(t("fact.rulesets"), base.ruleset.name, revised.ruleset.name),
            (t("fact.layers"), " + ".join(base.ruleset.layers), " + ".join(revised.ruleset.layers)),
            (t("fact.digest"), base.digest[:16], revised.digest[:16]),
            # By its own name, not the path typed: the page is the same bytes from any working folder.
            (t("fact.data"), base.data_dir.resolve().name, revised.data_dir.resolve().name),
            (t("fact.gwp"), policy(base, "gwp.set"), policy(revised, "gwp.set")),
            (t("fact.boundary"), policy(base, "boundary.approach"), policy(revised, "boundary.approach")),
            (t("fact.engine"), engine(base), engine(revised))]


def _factor_sets(comparison: Comparison) -> list[tuple[str, dict]]:
    sets = {**(comparison.base.manifest.get("factor_sets") or {}),
            **(comparison.revised.manifest.get("factor_sets") or {})}
    return sorted(sets.items())
