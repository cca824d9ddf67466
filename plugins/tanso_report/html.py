"""`compare-html`: the comparison as one self-contained HTML page (inline CSS and JS, no network).

The tables are written here, in HTML, so the page reads (and prints) without scripts. The charts are
inline SVG drawn by a small inline script from the JSON data block (`<script type="application/json"
id="data">`): the comparison's JSON document (`comparison.document`, exact decimal strings) plus a
`report` section with the chart inputs as plain numbers. Amounts are exact in the ledger; they are
rounded here, for display only.
"""

from __future__ import annotations

import html
import json
import os
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from tanso.compare import Comparison, bases, headline, in_basis, to_decimal
from tanso_report.comparison import checks_and_metrics, document
from tanso_report.display import emit, plain
from tanso_report.display import SCOPE3_CATEGORIES, tonnes



# ------------------------------------------------------------------------------------------- helpers


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _show(value: Any) -> str:
    """A policy or change value as text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    return str(value)


def _kg(value: Decimal | Fraction | None) -> float:
    if value is None:
        return 0.0
    return float(to_decimal(value) if isinstance(value, Fraction) else value)


def _t(kg: Decimal | Fraction | None, places: int = 3) -> str:
    if kg is None:
        return "—"
    return tonnes(to_decimal(kg) if isinstance(kg, Fraction) else Decimal(kg), places)


def _signed(kg: Decimal | Fraction | None, places: int = 3) -> str:
    if kg is None:
        return "—"
    text = _t(kg, places)
    if text.startswith("-"):
        return "−" + text[1:]
    return text if set(text) <= {"0", ".", ","} else "+" + text


def _percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "—"
    share = Decimal(100) * part / whole
    text = f"{share:,.1f}"
    return ("−" + text[1:] if text.startswith("-") else ("+" + text if share > 0 else text)) + " %"


def _first_sentence(text: str, limit: int = 160) -> str:
    first = " ".join(text.split())
    cut = first.find(". ")
    if cut != -1:
        first = first[:cut + 1]
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def _basis_title(basis: str | None) -> str:
    return f"{basis}-based" if basis else "total"


def _group_label(scope, category, basis=None) -> str:
    if scope is None:
        return "Outside the scopes"
    text = f"Scope {scope}"
    if category is not None:
        text += f" · {category} {SCOPE3_CATEGORIES.get(category, '')}".rstrip() if scope == 3 else f" · {category}"
    return text + (f" ({basis}-based)" if basis else "")


def _short_label(scope, category, basis=None) -> str:
    if scope is None:
        return "outside"
    return f"S{scope}" + (f".{category}" if category is not None else "") + (f" {basis[:3]}" if basis else "")


def _data_folder(manifest: dict[str, Any]) -> str:
    files = [entry.get("file") for entry in (manifest.get("inputs") or {}).values() if isinstance(entry, dict)]
    folders = [os.path.dirname(f) for f in files if f]
    if not folders:
        return "—"
    try:
        return os.path.commonpath(folders)
    except ValueError:
        return ", ".join(sorted(set(folders)))


def _ledger_mix(path: Path | None) -> list[tuple] | None:
    """(scope, category, basis, method, data_type, kg) from a run's ledger; None when it is not readable."""
    if path is None or not Path(path).exists():
        return None
    import duckdb
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT scope, category, basis, coalesce(method, '(unspecified)'), coalesce(data_type, '(unspecified)'), "
            "sum(co2e_kg * boundary_weight) FROM read_parquet(?) GROUP BY ALL", [str(path)]).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def _sort_key(scope, category, basis) -> tuple:
    return (scope is None, scope or 0, category is None, category or 0, basis or "")


# ------------------------------------------------------------------------------------------- data


def _report_data(comparison: Comparison) -> dict[str, Any]:
    """The chart inputs (plain numbers, kg) and the page's metadata."""
    headlines = []
    for basis in bases(comparison):
        view = headline(comparison, basis)
        headlines.append({
            "basis": basis, "title": _basis_title(basis), "base_kg": _kg(view["base_kg"]),
            "revised_kg": _kg(view["revised_kg"]), "delta_kg": _kg(view["delta_kg"]),
            "interaction_kg": _kg(view["interaction_kg"]),
            "parts": [{"key": p["change"].key, "name": p["change"].name, "base": _show(p["change"].base),
                       "revised": _show(p["change"].revised), "shapley_kg": _kg(p["shapley"]),
                       "one_at_a_time_kg": _kg(p["one_at_a_time"]), "sequential_kg": _kg(p["sequential"])}
                      for p in view["parts"]],
            "segments": [{"key": _short_label(r["scope"], r["category"], r["basis"]),
                          "label": _group_label(r["scope"], r["category"], r["basis"]),
                          "scope": r["scope"], "category": r["category"],
                          "base_kg": _kg(r["base_kg"]), "revised_kg": _kg(r["revised_kg"])}
                         for r in comparison.deltas["scope_category"]
                         if in_basis(r["basis"], basis) and (r["base_kg"] or r["revised_kg"])],
        })

    mix: dict[tuple, dict[str, dict[tuple, Decimal]]] = defaultdict(lambda: {"base": defaultdict(Decimal),
                                                                             "revised": defaultdict(Decimal)})
    source = "ledger"
    for version, run in (("base", comparison.base), ("revised", comparison.revised)):
        rows = _ledger_mix(run.ledger_path)
        if rows is None:
            source = "unavailable"
            continue
        for scope, category, basis, method, data_type, kg in rows:
            mix[scope, category, basis][version][method, data_type] += kg or Decimal(0)
    method_totals: dict[str, Decimal] = defaultdict(Decimal)
    groups = []
    for (scope, category, basis), versions in sorted(mix.items(), key=lambda kv: _sort_key(*kv[0])):
        if not any(versions["base"].values()) and not any(versions["revised"].values()):
            continue
        for amounts in versions.values():
            for (method, _), kg in amounts.items():
                method_totals[method] += abs(kg)
        groups.append({"label": _group_label(scope, category, basis), "scope": scope, "category": category,
                       "basis": basis, **{version: [{"method": m, "data_type": d, "kg": _kg(kg)}
                                                    for (m, d), kg in sorted(amounts.items()) if kg]
                                          for version, amounts in versions.items()}})
    methods = [m for m, _ in sorted(method_totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"headlines": headlines, "method_mix": {"source": source, "methods": methods, "groups": groups}}


# ------------------------------------------------------------------------------------------- sections


def _headline_section(comparison: Comparison) -> str:
    cards = []
    for basis in bases(comparison):
        view = headline(comparison, basis)
        direction = "down" if view["delta_kg"] < 0 else "up" if view["delta_kg"] > 0 else "flat"
        cards.append(f"""
      <div class="card">
        <h3>{_e(_basis_title(basis).capitalize())}</h3>
        <dl>
          <div><dt>Current</dt><dd>{_t(view['base_kg'], 1)} <span class="unit">t CO2e</span></dd></div>
          <div><dt>Revised</dt><dd>{_t(view['revised_kg'], 1)} <span class="unit">t CO2e</span></dd></div>
          <div class="delta {direction}"><dt>Difference</dt><dd>{_signed(view['delta_kg'], 1)} <span class="unit">t CO2e</span>
            <span class="pct">({_percent(view['delta_kg'], view['base_kg'])})</span></dd></div>
        </dl>
      </div>""")
    return f"""
  <section id="headline" aria-labelledby="headline-h">
    <h2 id="headline-h">Headline totals</h2>
    <div class="cards">{''.join(cards)}
    </div>
  </section>"""


def _attribution_table(comparison: Comparison, basis: str | None) -> str:
    view = headline(comparison, basis)
    rows = []
    for part in view["parts"]:
        change = part["change"]
        rows.append(f"<tr><th scope=\"row\">{_e(change.name)}<div class=\"sub\">{_e(_show(change.base))} → "
                    f"{_e(_show(change.revised))}</div></th><td>{_signed(part['one_at_a_time'])}</td>"
                    f"<td>{_signed(part['sequential'])}</td><td>{_signed(part['shapley'])}</td></tr>")
    rows.append(f"<tr class=\"interaction\"><th scope=\"row\">interaction<div class=\"sub\">not explained one at a time"
                f"</div></th><td>{_signed(view['interaction_kg'])}</td><td>—</td><td>—</td></tr>")
    delta = _signed(view["delta_kg"])
    rows.append(f"<tr class=\"total\"><th scope=\"row\">total difference</th><td>{delta}</td><td>{delta}</td>"
                f"<td>{delta}</td></tr>")
    return f"""
        <table class="num attribution">
          <caption>Attribution by method, t CO2e ({_e(_basis_title(basis))})</caption>
          <thead><tr><th scope="col">change</th><th scope="col">one at a time</th><th scope="col">sequential</th>
            <th scope="col">Shapley</th></tr></thead>
          <tbody>{''.join(rows)}</tbody>
        </table>"""


def _attribution_section(comparison: Comparison) -> str:
    blocks = []
    for index, basis in enumerate(bases(comparison)):
        title = _basis_title(basis)
        blocks.append(f"""
      <div class="pair">
        <figure class="chart-box">
          <div class="chart" id="waterfall-{index}" data-basis-index="{index}"></div>
          <figcaption>Waterfall, {_e(title)}: current total → each change (Shapley share) → revised total.
            Red raises the total, green lowers it.</figcaption>
        </figure>
        {_attribution_table(comparison, basis)}
      </div>""")
    return f"""
  <section id="attribution" aria-labelledby="attribution-h">
    <h2 id="attribution-h">What moved the total</h2>
    <p class="note">Each change's part of the difference. <b>Shapley</b> (the waterfall) averages a change's effect
      over every order of applying the changes, so the parts add up exactly to the difference. <b>One at a time</b>
      applies each change alone to the current ruleset; what the changes do together beyond that is the
      <b>interaction</b> remainder. <b>Sequential</b> applies them in the revision's declared order.</p>
    <div id="waterfall">{''.join(blocks)}
    </div>
  </section>"""


def _scope_section(comparison: Comparison) -> str:
    rows = []
    for row in comparison.deltas["scope_category"]:
        if not (row["base_kg"] or row["revised_kg"]):
            continue
        rows.append(f"<tr><th scope=\"row\">{_e(_group_label(row['scope'], row['category'], row['basis']))}</th>"
                    f"<td>{_t(row['base_kg'])}</td><td>{_t(row['revised_kg'])}</td><td>{_signed(row['delta_kg'])}</td>"
                    f"<td>{_percent(row['delta_kg'], row['base_kg'])}</td></tr>")
    return f"""
  <section id="scope-category" aria-labelledby="scopes-h">
    <h2 id="scopes-h">By scope and category</h2>
    <figure class="chart-box wide">
      <div class="chart" id="scopes"></div>
      <ul class="legend" id="scopes-legend" aria-hidden="true"></ul>
      <figcaption>Current and revised totals for each basis, stacked by scope and Scope 3 category.
        Scope 2 counts once, in its own basis.</figcaption>
    </figure>
    <table class="num">
      <caption>By scope and category, t CO2e</caption>
      <thead><tr><th scope="col">scope / category</th><th scope="col">current</th><th scope="col">revised</th>
        <th scope="col">difference</th><th scope="col">change</th></tr></thead>
      <tbody>{''.join(rows)}</tbody>
    </table>
  </section>"""


def _mix_table(rows: list[dict[str, Any]], key: str, caption: str) -> str:
    base_total = sum((r["base_kg"] for r in rows), Decimal(0))
    revised_total = sum((r["revised_kg"] for r in rows), Decimal(0))
    body = []
    for r in sorted(rows, key=lambda r: (-r["revised_kg"], str(r[key]))):
        if not (r["base_kg"] or r["revised_kg"]):
            continue
        share_b = f"{Decimal(100) * r['base_kg'] / base_total:,.1f} %" if base_total else "—"
        share_r = f"{Decimal(100) * r['revised_kg'] / revised_total:,.1f} %" if revised_total else "—"
        body.append(f"<tr><th scope=\"row\">{_e(r[key] or '(unspecified)')}</th><td>{_t(r['base_kg'])}</td>"
                    f"<td>{share_b}</td><td>{_t(r['revised_kg'])}</td><td>{share_r}</td>"
                    f"<td>{_signed(r['delta_kg'])}</td></tr>")
    return f"""
      <table class="num">
        <caption>{_e(caption)}, t CO2e (all bases together)</caption>
        <thead><tr><th scope="col">{_e(key.replace('_', ' '))}</th><th scope="col">current</th><th scope="col">share</th>
          <th scope="col">revised</th><th scope="col">share</th><th scope="col">difference</th></tr></thead>
        <tbody>{''.join(body)}</tbody>
      </table>"""


def _method_section(comparison: Comparison, data: dict[str, Any]) -> str:
    detail_rows = []
    for group in data["method_mix"]["groups"]:
        for version, title in (("base", "current"), ("revised", "revised")):
            total = sum(part["kg"] for part in group[version]) or 1.0
            for part in group[version]:
                detail_rows.append(f"<tr><th scope=\"row\">{_e(group['label'])}</th><td class=\"txt\">{title}</td>"
                                   f"<td class=\"txt\">{_e(part['method'])}</td><td class=\"txt\">{_e(part['data_type'])}"
                                   f"</td><td>{part['kg'] / 1000:,.3f}</td><td>{100 * part['kg'] / total:,.1f} %</td></tr>")
    unavailable = ("" if data["method_mix"]["source"] == "ledger" else
                   "<p class=\"warn\">A run's ledger could not be read; the per-category mix is incomplete.</p>")
    return f"""
  <section id="method-mix" aria-labelledby="method-h">
    <h2 id="method-h">Method mix</h2>
    <p class="note">Share of each category's CO2e by calculation method, current (upper bar) and revised (lower bar),
      from the two runs' ledgers (sum of CO2e × boundary weight). Hover a segment for its data type.</p>{unavailable}
    <figure class="chart-box wide">
      <div class="chart" id="methodmix"></div>
      <ul class="legend" id="methodmix-legend" aria-hidden="true"></ul>
      <figcaption>Method mix per scope and category (100 % = the category's total in that run).</figcaption>
    </figure>
    {_mix_table(comparison.deltas['method'], 'method', 'By method')}
    {_mix_table(comparison.deltas['data_type'], 'data_type', 'By data type')}
    <details>
      <summary>Method mix per category as a table</summary>
      <table class="num">
        <thead><tr><th scope="col">scope / category</th><th scope="col">run</th><th scope="col">method</th>
          <th scope="col">data type</th><th scope="col">t CO2e</th><th scope="col">share</th></tr></thead>
        <tbody>{''.join(detail_rows)}</tbody>
      </table>
    </details>
  </section>"""


def _options_section(comparison: Comparison) -> str:
    from tanso.plugins import load_registry
    try:
        options = load_registry().policy_options
    except Exception:  # the page still renders the values without the registry's metadata
        options = {}
    change_rows = []

    def _status(change, options) -> str:
        if change.structural:
            return "structural <span class=\"sub\">(no effect of its own; makes options readable)</span>"
        if change.status:
            return _e(change.status)
        option = options.get(change.name) if change.kind == "policy" else None
        return f"— <span class=\"sub\">(option: {_e(option.status)})</span>" if option and option.status else "—"

    for change in comparison.changes:
        change_rows.append(
            f"<tr><th scope=\"row\">{_e(change.name)}</th><td>{_e(change.kind)}</td><td>{_e(_show(change.base))} → "
            f"{_e(_show(change.revised))}</td><td>{_status(change, options)}</td><td>{_e(change.source or '—')}</td>"
            f"<td>{_e(change.as_of or '—')}</td><td>{_e(change.where or '—')}</td></tr>")
    if not change_rows:
        change_rows.append("<tr><td colspan=\"7\">The two rulesets are identical.</td></tr>")
    base_policies, revised_policies = comparison.base.ruleset.policies, comparison.revised.ruleset.policies
    changed = {c.name for c in comparison.changes if c.kind == "policy"}
    policy_rows = []
    for name in sorted(set(options) | set(base_policies) | set(revised_policies)):
        option = options.get(name)
        before, after = base_policies.get(name), revised_policies.get(name)
        provenance = (after or before).provenance if (after or before) else None
        status = (option.status if option else None) or (provenance.status if provenance else None)
        source = (option.source_doc if option else None) or (provenance.source if provenance else None)
        as_of = (option.as_of if option else None) or (provenance.as_of if provenance else None)
        layers = list(dict.fromkeys(p.layer for p in (before, after) if p is not None))
        doc = f"<div class=\"sub\" title=\"{_e(option.doc)}\">{_e(_first_sentence(option.doc))}</div>" \
            if option and option.doc else ""
        drafted = _show(option.revised) if option is not None and option.revised is not None else "—"
        policy_rows.append(
            f"<tr class=\"{'changed' if name in changed else ''}\"><th scope=\"row\"><code>{_e(name)}</code>{doc}</th>"
            f"<td>{_e(_show(before.value if before else None))}</td><td>{_e(_show(after.value if after else None))}</td>"
            f"<td>{_e(drafted)}</td><td>{_e(status or '—')}</td><td class=\"src\">{_e(source or '—')}</td>"
            f"<td>{_e(as_of or '—')}</td><td>{_e(' → '.join(layers) or '—')}</td></tr>")
    return f"""
  <section id="options" aria-labelledby="options-h">
    <h2 id="options-h">Options</h2>
    <table class="options">
      <caption>Changes between the current and revised rulesets</caption>
      <thead><tr><th scope="col">change</th><th scope="col">kind</th><th scope="col">current → revised</th>
        <th scope="col">status</th><th scope="col">source</th><th scope="col">as of</th><th scope="col">where</th></tr></thead>
      <tbody>{''.join(change_rows)}</tbody>
    </table>
    <table class="options policies">
      <caption>Every policy option (changed ones highlighted); status, source and date from the option's registry
        entry</caption>
      <colgroup><col style="width:23%"><col style="width:10%"><col style="width:10%"><col style="width:11%">
        <col style="width:12%"><col style="width:20%"><col style="width:7%"><col style="width:7%"></colgroup>
      <thead><tr><th scope="col">policy</th><th scope="col">current</th><th scope="col">revised</th>
        <th scope="col">drafts propose</th><th scope="col">status</th><th scope="col">source</th><th scope="col">as of</th>
        <th scope="col">set by</th></tr></thead>
      <tbody>{''.join(policy_rows)}</tbody>
    </table>
  </section>"""


def _assumptions_section(comparison: Comparison) -> str:
    base, revised = comparison.base, comparison.revised

    def policy(run, name):
        value = run.ruleset.policies.get(name)
        return _show(value.value) if value is not None else "—"

    def boundary(run):
        method = run.ruleset.boundary.method if run.ruleset.boundary is not None else None
        return f"{policy(run, 'boundary.approach')}" + (f" (boundary method {method})" if method else "")

    def versions(label, current, new):
        same = current == new
        return (f"<div><dt>{_e(label)}</dt><dd>{_e(current)}" + ("" if same else f" → <b>{_e(new)}</b>")
                + "</dd></div>")

    facts = "".join([
        versions("Rulesets", base.ruleset.name, revised.ruleset.name),
        versions("Layers", " + ".join(base.ruleset.layers), " + ".join(revised.ruleset.layers)),
        versions("Digest", base.digest, revised.digest),
        versions("Data folder", _data_folder(base.manifest), _data_folder(revised.manifest)),
        versions("GWP set", policy(base, "gwp.set"), policy(revised, "gwp.set")),
        versions("Boundary approach", boundary(base), boundary(revised)),
        versions("Engine", f"tanso {base.manifest.get('tanso_version', '?')}, {base.manifest.get('backend', '?')}",
                 f"tanso {revised.manifest.get('tanso_version', '?')}, {revised.manifest.get('backend', '?')}"),
        f"<div><dt>Evaluations</dt><dd>{comparison.scenarios_evaluated:,} (the two full runs and the scenarios "
        f"the attribution needs)</dd></div>",
        "<div><dt>Rounding</dt><dd>Amounts are exact in the ledger and in the JSON data of this page; they are "
        "rounded here, for display only (t CO2e, 1 or 3 decimals), so displayed parts may not add up to the "
        "displayed totals in the last digit.</dd></div>",
    ])
    factor_rows = []
    sets = {**(base.manifest.get("factor_sets") or {}), **(revised.manifest.get("factor_sets") or {})}
    for name, meta in sorted(sets.items()):
        factor_rows.append(f"<tr><th scope=\"row\">{_e(name)}</th><td>{_e(meta.get('publisher'))}</td>"
                           f"<td>{_e(meta.get('edition'))}</td><td><code>{_e(meta.get('version'))}</code></td>"
                           f"<td>{_e(meta.get('licence'))}</td></tr>")
    row_rows = []
    for row in comparison.row_changes[:15]:
        causes = ", ".join(c.split(":", 1)[-1] for c in row["caused_by"])
        row_rows.append(f"<tr><th scope=\"row\"><code>{_e(row['rule_id'])}</code></th>"
                        f"<td class=\"txt\">{_e(row['input_table'])}:{_e(row['row_id'])}</td>"
                        f"<td>{_t(row['base_kg'])}</td><td>{_t(row['revised_kg'])}</td><td>{_signed(row['delta_kg'])}</td>"
                        f"<td class=\"txt\">{_e(causes)}</td></tr>")
    if not row_rows:
        row_rows.append("<tr><td colspan=\"6\">No activity row changed.</td></tr>")
    outcome_rows = [f"<tr><th scope=\"row\"><code>{_e(row['id'])}</code></th><td class=\"txt\">{_e(row['kind'])}</td>"
                    f"<td class=\"txt\">{_e(row['base'])}</td><td class=\"txt\">{_e(row['revised'])}</td></tr>"
                    for row in checks_and_metrics(comparison)]
    outcomes = "" if not outcome_rows else f"""
    <table class="num outcomes">
      <caption>Checks (PASS, FAIL, or N/A where the run does not set the option a check reads) and metrics</caption>
      <thead><tr><th scope="col">id</th><th scope="col">kind</th><th scope="col">current</th>
        <th scope="col">revised</th></tr></thead>
      <tbody>{''.join(outcome_rows)}</tbody>
    </table>"""
    return f"""
  <section id="assumptions" aria-labelledby="assumptions-h">
    <h2 id="assumptions-h">Assumptions</h2>
    <dl class="facts">{facts}</dl>
    <table class="num rows">
      <caption>Activity rows that moved most, t CO2e, with the changes that can explain them</caption>
      <thead><tr><th scope="col">rule</th><th scope="col">row</th><th scope="col">current</th><th scope="col">revised</th>
        <th scope="col">difference</th><th scope="col">caused by</th></tr></thead>
      <tbody>{''.join(row_rows)}</tbody>
    </table>{outcomes}
    <table class="factors">
      <caption>Factor sets</caption>
      <thead><tr><th scope="col">set</th><th scope="col">publisher</th><th scope="col">edition</th>
        <th scope="col">version</th><th scope="col">licence</th></tr></thead>
      <tbody>{''.join(factor_rows)}</tbody>
    </table>
  </section>"""


# ------------------------------------------------------------------------------------------- page


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the script element or open a comment in it: `<`, `>` and `&` as \\u escapes
    (so `</` never appears)."""
    text = json.dumps(data, default=plain, sort_keys=True, ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_html(comparison: Comparison, path: Path | None) -> str:
    data = _report_data(comparison)
    payload = {**document(comparison), "report": data}
    base, revised = comparison.base.ruleset, comparison.revised.ruleset
    if base.name == revised.name:
        title = f"{base.name}: current vs revised"
    else:
        title = f"{base.name} → {revised.name}"
    described = base.title or base.name
    if (revised.title or revised.name) != described:
        described += f" → {revised.title or revised.name}"
    sets = [c for c in comparison.changes if c.source == "--set"]
    if sets:
        described += " (revised with " + ", ".join(f"{c.name}={_show(c.revised)}" for c in sets) + ")"
    count = len(comparison.changes)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tanso compare-html">
<title>Tanso comparison: {_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
  <header>
    <p class="kicker">Tanso · ruleset comparison</p>
    <h1>{_e(title)}</h1>
    <p class="lede"><b>{_e(described)}</b><br>The same data evaluated under the current ruleset and its revision:
      {count} change{'' if count == 1 else 's'}, {comparison.scenarios_evaluated:,} evaluations.
      All amounts in tonnes CO2e (t CO2e).</p>
    <div id="chart-error" class="warn" role="alert" hidden></div>
  </header>
{_headline_section(comparison)}
{_attribution_section(comparison)}
{_scope_section(comparison)}
{_method_section(comparison, data)}
{_options_section(comparison)}
{_assumptions_section(comparison)}
</main>
<script type="application/json" id="data">{_json_for_script(payload)}</script>
<script>{_JS}</script>
</body>
</html>
"""
    return emit(page, path)


_CSS = """
:root { --ink: #1d2430; --muted: #5b6473; --line: #d5dae1; --bg: #ffffff; --soft: #f4f6f9;
  --up: #b8322a; --down: #22804a; --total: #4a5568; --accent: #1f5f8b; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 8px; }
.kicker { margin: 0; color: var(--accent); font-weight: 600; letter-spacing: .04em; text-transform: uppercase;
  font-size: 12px; }
h1 { margin: 4px 0 6px; font-size: 26px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 8px; }
.lede, .note { color: var(--muted); max-width: 80ch; }
.note { font-size: 14px; }
.warn { background: #fff4e5; border: 1px solid #e6a23c; padding: 8px 12px; border-radius: 4px; color: #6b4100; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; background: var(--soft); }
.card dl { margin: 0; display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.card dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.card dd { margin: 0; font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .unit { font-size: 12px; font-weight: 400; color: var(--muted); }
.card .pct { display: block; font-size: 13px; font-weight: 500; }
.delta.down dd { color: var(--down); } .delta.up dd { color: var(--up); }
.pair { display: grid; grid-template-columns: minmax(0, 1fr); gap: 20px; align-items: start;
  margin-bottom: 18px; }
.two { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; align-items: start; }
@media (max-width: 900px) { .pair, .two { grid-template-columns: 1fr; } }
figure { margin: 0 0 12px; }
.chart-box { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fff; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.chart svg { display: block; width: 100%; height: auto; font-family: inherit; }
.chart text { fill: var(--ink); }
.chart .axis text, .chart text.muted { fill: var(--muted); }
.chart .grid line { stroke: #e6e9ee; }
.chart .zero { stroke: #8a93a3; }
.legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px;
  font-size: 12px; color: var(--muted); }
.legend li { display: inline-flex; align-items: center; gap: 5px; }
.legend .sw { width: 11px; height: 11px; border-radius: 2px; display: inline-block; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 18px; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { border-bottom: 2px solid #aab2bf; font-weight: 600; white-space: nowrap; }
tbody th { font-weight: 500; }
table.num td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.num td.txt { text-align: left; white-space: normal; }
table.num thead th:not(:first-child) { text-align: right; }
.sub { color: var(--muted); font-size: 12px; font-weight: 400; }
tr.interaction th, tr.interaction td { color: var(--muted); font-style: italic; }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid #aab2bf; }
tr.changed { background: #fff8dd; }
table.policies { table-layout: fixed; }
table.options td, table.options th { overflow-wrap: anywhere; }
table.policies thead th { white-space: normal; }
td.src { font-size: 11.5px; color: var(--muted); }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
dl.facts { display: grid; grid-template-columns: 1fr; gap: 0; margin: 0 0 12px; }
dl.facts div { display: grid; grid-template-columns: 180px 1fr; border-bottom: 1px solid var(--line); padding: 4px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
details { margin: 8px 0 16px; } summary { cursor: pointer; color: var(--accent); }
@media print {
  body { font-size: 10.5pt; } main { max-width: none; padding: 0; }
  h2 { break-after: avoid; } figure, .card, tr, .pair { break-inside: avoid; }
  details { display: none; } a { color: inherit; }
  .pair { grid-template-columns: minmax(0, 1fr); }
}
"""

_JS = r"""
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var errorBox = document.getElementById('chart-error');
  window.addEventListener('error', function (event) {
    errorBox.hidden = false;
    errorBox.textContent = 'A chart could not be drawn (' + event.message + '); the tables below are complete.';
    document.body.setAttribute('data-rendered', 'error');
  });
  var data = JSON.parse(document.getElementById('data').textContent);
  var report = data.report;
  var one = new Intl.NumberFormat('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1});
  var whole = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
  function t(kg) { return one.format(kg / 1000); }
  function signed(kg) { return (kg > 0 ? '+' : kg < 0 ? '\u2212' : '') + one.format(Math.abs(kg) / 1000); }
  function pct(x) { return one.format(100 * x) + ' %'; }
  function node(name, attrs, parent, text) {
    var element = document.createElementNS(NS, name);
    for (var key in attrs) { if (attrs.hasOwnProperty(key)) { element.setAttribute(key, attrs[key]); } }
    if (text !== undefined && text !== null) { element.textContent = text; }
    if (parent) { parent.appendChild(element); }
    return element;
  }
  var serial = 0;
  function svg(container, width, height, title, desc) {
    serial += 1;
    var id = 'chart' + serial;
    var root = node('svg', {viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': id + 't ' + id + 'd',
                            preserveAspectRatio: 'xMinYMin meet'}, container);
    node('title', {id: id + 't'}, root, title);
    node('desc', {id: id + 'd'}, root, desc);
    return root;
  }
  function tip(element, text) { node('title', {}, element, text); return element; }
  function niceStep(span, count) {
    var raw = span / Math.max(count, 1), power = Math.pow(10, Math.floor(Math.log10(raw))), unit = raw / power;
    return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
  }
  function legend(id, entries) {
    var list = document.getElementById(id);
    if (!list) { return; }
    entries.forEach(function (entry) {
      var item = document.createElement('li'), swatch = document.createElement('span');
      swatch.className = 'sw';
      swatch.style.background = entry.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(entry.label));
      list.appendChild(item);
    });
  }
  function wrap(text, limit) {
    var parts = String(text).split(/(?<=[._ ])/), lines = [''], i;
    for (i = 0; i < parts.length; i++) {
      if (lines[lines.length - 1].length + parts[i].length > limit && lines[lines.length - 1]) { lines.push(''); }
      lines[lines.length - 1] += parts[i];
    }
    return lines;
  }

  // ---------------------------------------------------------------- waterfall (Shapley), one per basis
  function waterfall(container, view) {
    var W = 640, H = 370, m = {l: 78, r: 14, t: 44, b: 78};
    var steps = [{label: 'Current', sub: 'total', from: 0, to: view.base_kg, total: true}], run = view.base_kg;
    // Changes without effect on this basis are listed in the table beside, not drawn as empty steps.
    var moving = view.parts.filter(function (p) { return p.shapley_kg !== 0; });
    var still = view.parts.length - moving.length;
    moving.forEach(function (part) {
      steps.push({label: part.name, sub: part.base + ' \u2192 ' + part.revised, from: run, to: run + part.shapley_kg});
      run += part.shapley_kg;
    });
    steps.push({label: 'Revised', sub: 'total', from: 0, to: view.revised_kg, total: true});
    var levels = [view.base_kg, view.revised_kg];
    steps.forEach(function (s) { if (!s.total) { levels.push(s.from, s.to); } });
    var lo = Math.min.apply(null, levels), hi = Math.max.apply(null, levels), span = (hi - lo) || Math.abs(hi) * 0.1 || 1;
    var d0 = lo - span * 0.8, d1 = hi + span * 0.25, truncated = true;
    if (lo <= 0 || d0 <= 0 || span > 0.35 * Math.abs(hi)) { d0 = Math.min(0, lo); d1 = Math.max(0, hi) + span * 0.1; truncated = false; }
    var step = niceStep((d1 - d0) / 1000, 5) * 1000;
    d0 = truncated ? Math.floor(d0 / step) * step : Math.min(0, Math.floor(d0 / step) * step);
    d1 = Math.ceil(d1 / step) * step;
    var plotH = H - m.t - m.b, plotW = W - m.l - m.r;
    function y(v) { return m.t + plotH * (1 - (v - d0) / (d1 - d0)); }
    var root = svg(container, W, H, 'Waterfall of the difference, ' + view.title + ' (t CO2e)',
      'From the current total of ' + t(view.base_kg) + ' t CO2e to the revised total of ' + t(view.revised_kg) +
      ' t CO2e; each change contributes its Shapley share: ' +
      moving.map(function (p) { return p.name + ' ' + signed(p.shapley_kg) + ' t'; }).join('; ') + '.' +
      (still ? ' ' + still + ' changes have no effect on this basis.' : ''));
    node('text', {x: m.l, y: 16, 'font-size': 13, 'font-weight': 600}, root, view.title.charAt(0).toUpperCase() + view.title.slice(1) + ': ' +
      t(view.base_kg) + ' \u2192 ' + t(view.revised_kg) + ' t CO2e (' + signed(view.delta_kg) + ' t)');
    var grid = node('g', {'class': 'grid axis'}, root);
    for (var v = d0; v <= d1 + step / 2; v += step) {
      node('line', {x1: m.l, x2: W - m.r, y1: y(v), y2: y(v)}, grid);
      node('text', {x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11}, grid, whole.format(v / 1000));
    }
    node('text', {transform: 'translate(14,' + (m.t + plotH / 2) + ') rotate(-90)', 'text-anchor': 'middle',
                  'font-size': 11, 'class': 'muted'}, root, 't CO2e' + (truncated ? ' (axis does not start at 0)' : ''));
    var slot = plotW / steps.length, barW = Math.min(64, slot * 0.6);
    var bars = node('g', {'class': 'bars'}, root);
    steps.forEach(function (s, i) {
      var x = m.l + slot * i + (slot - barW) / 2, top = y(Math.max(s.from, s.to)), bottom = y(Math.min(s.from, s.to));
      if (s.total && truncated) { bottom = y(d0); }
      var h = Math.max(bottom - top, 2), delta = s.to - s.from;
      var color = s.total ? 'var(--total)' : delta > 0 ? 'var(--up)' : delta < 0 ? 'var(--down)' : 'var(--muted)';
      tip(node('rect', {'class': 'bar' + (s.total ? ' total' : ' change'), x: x, y: top, width: barW, height: h, fill: color},
               bars), s.label + (s.total ? ': ' + t(s.to) + ' t CO2e' : ' (' + s.sub + '): ' + signed(delta) + ' t CO2e'));
      if (s.total && truncated) {  // a break mark: the bar does not start at zero
        var by = y(d0) - 10;
        node('path', {d: 'M' + (x - 2) + ' ' + (by + 3) + ' l' + (barW / 2 + 2) + ' -6 l' + (barW / 2 + 2) + ' 6',
                      stroke: '#fff', 'stroke-width': 3, fill: 'none'}, bars);
      }
      node('text', {x: x + barW / 2, y: top - 5, 'text-anchor': 'middle', 'font-size': 11.5, 'font-weight': 600}, bars,
           s.total ? t(s.to) : signed(delta));
      if (i < steps.length - 1) {
        var level = s.total ? s.to : s.to;
        node('line', {x1: x + barW, x2: x + slot, y1: y(level), y2: y(level), stroke: '#8a93a3',
                      'stroke-dasharray': '3 3'}, bars);
      }
      var label = node('text', {x: x + barW / 2, y: H - m.b + 16, 'text-anchor': 'middle', 'font-size': 11.5}, root);
      var lines = wrap(s.label, Math.max(8, Math.floor(slot / 7)));
      lines.slice(0, 2).forEach(function (line, k) { node('tspan', {x: x + barW / 2, dy: k ? 13 : 0}, label, line); });
      var sub = node('text', {x: x + barW / 2, y: H - m.b + 18 + 13 * Math.min(lines.length, 2), 'text-anchor': 'middle',
                              'font-size': 10.5, 'class': 'muted'}, root);
      wrap(s.sub, Math.max(10, Math.floor(slot / 6))).slice(0, 2).forEach(function (line, k) {
        node('tspan', {x: x + barW / 2, dy: k ? 12 : 0}, sub, line);
      });
    });
    if (Math.abs(view.interaction_kg) > 0) {
      node('text', {x: m.l, y: 32, 'font-size': 10.5, 'class': 'muted'}, root,
           'Shapley parts sum exactly to the difference; one at a time leaves an interaction of ' +
           signed(view.interaction_kg) + ' t');
    }
  }

  // ---------------------------------------------------------------- stacked bars by scope and category
  var CATEGORY_COLORS = ['#2a9d8f', '#8ab17d', '#e9c46a', '#f4a261', '#e76f51', '#9c6644', '#6d597a', '#b56576',
    '#355070', '#606c38', '#a3c4f3', '#c9ada7', '#bc4749', '#f9844a', '#7b2cbf', '#adb5bd'];
  function inkOn(hex) {  // dark text on light fills, white on dark ones
    var n = parseInt(hex.slice(1), 16), r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
    return (0.299 * r + 0.587 * g + 0.114 * b) > 150 ? '#1d2430' : '#ffffff';
  }
  function scopeColor(segment) {
    if (segment.scope === 1) { return '#1f5f8b'; }
    if (segment.scope === 2) { return '#d98c10'; }
    if (segment.scope === 3) { return CATEGORY_COLORS[((segment.category || 16) - 1) % CATEGORY_COLORS.length]; }
    return '#9aa3ae';
  }
  function scopes(container) {
    var rows = [];
    report.headlines.forEach(function (view) {
      rows.push({title: 'Current', basis: view.title, version: 'base_kg', view: view});
      rows.push({title: 'Revised', basis: view.title, version: 'revised_kg', view: view});
    });
    var W = 1100, rowH = 30, gapBasis = 16, m = {l: 210, r: 100, t: 12, b: 40};
    var H = m.t + m.b + rows.length * (rowH + 8) + gapBasis * (report.headlines.length - 1);
    var max = 0;
    rows.forEach(function (row) {
      var total = 0;
      row.view.segments.forEach(function (s) { total += Math.max(0, s[row.version]); });
      row.total = total;
      max = Math.max(max, total);
    });
    max = max || 1;
    var step = niceStep(max / 1000, 6) * 1000, top = Math.ceil(max / step) * step, plotW = W - m.l - m.r;
    function x(v) { return m.l + plotW * v / top; }
    var root = svg(container, W, H, 'Totals by scope and category, current and revised, per basis (t CO2e)',
      rows.map(function (r) { return r.title + ' ' + r.basis + ': ' + t(r.total) + ' t CO2e'; }).join('; ') + '.');
    var grid = node('g', {'class': 'grid axis'}, root);
    for (var v = 0; v <= top + step / 2; v += step) {
      node('line', {x1: x(v), x2: x(v), y1: m.t, y2: H - m.b + 4}, grid);
      node('text', {x: x(v), y: H - m.b + 18, 'text-anchor': 'middle', 'font-size': 11}, grid, whole.format(v / 1000));
    }
    node('text', {x: m.l + plotW / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 11.5, 'class': 'muted'}, root,
         't CO2e');
    var yPos = m.t;
    rows.forEach(function (row, i) {
      if (i > 0 && i % 2 === 0) { yPos += gapBasis; }
      node('text', {x: m.l - 8, y: yPos + rowH / 2 + 4, 'text-anchor': 'end', 'font-size': 12.5,
                    'font-weight': row.title === 'Revised' ? 600 : 400}, root, row.title + ' \u00b7 ' + row.basis);
      var start = 0, group = node('g', {'class': 'stack'}, root);
      row.view.segments.forEach(function (s) {
        var amount = Math.max(0, s[row.version]);
        if (!amount) { return; }
        var x0 = x(start), width = x(start + amount) - x0;
        tip(node('rect', {'class': 'segment', x: x0, y: yPos, width: Math.max(width, 0.5), height: rowH,
                          fill: scopeColor(s), stroke: '#fff', 'stroke-width': 0.75}, group),
            row.title + ', ' + s.label + ': ' + t(amount) + ' t CO2e (' + pct(amount / row.total) + ')');
        if (width > 44) {
          node('text', {x: x0 + width / 2, y: yPos + rowH / 2 + 4, 'text-anchor': 'middle', 'font-size': 10.5,
                        fill: inkOn(scopeColor(s)), 'pointer-events': 'none'}, group, s.key.replace(/ (loc|mar)$/, ''));
        }
        start += amount;
      });
      node('text', {x: x(start) + 6, y: yPos + rowH / 2 + 4, 'font-size': 12, 'font-weight': 600}, root, t(row.total));
      yPos += rowH + 8;
    });
    var seen = {}, entries = [];
    report.headlines.forEach(function (view) {
      view.segments.forEach(function (s) {
        var name = s.label.replace(/ \((location|market)-based\)$/, '');
        if (!seen[name]) { seen[name] = true; entries.push({label: name, color: scopeColor(s)}); }
      });
    });
    legend('scopes-legend', entries);
  }

  // ---------------------------------------------------------------- method mix per category
  var METHOD_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf', '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d',
    '#9edae5', '#393b79'];
  function methodMix(container) {
    var mix = report.method_mix, colors = {};
    mix.methods.forEach(function (name, i) { colors[name] = METHOD_COLORS[i % METHOD_COLORS.length]; });
    var W = 1100, barH = 12, rowH = 2 * barH + 14, m = {l: 380, r: 120, t: 24, b: 30};
    var H = m.t + m.b + mix.groups.length * rowH, plotW = W - m.l - m.r;
    var root = svg(container, W, H, 'Method mix per scope and category, current and revised (share of t CO2e)',
      mix.groups.length + ' scope / category groups; each has two bars, current above revised, split by method.');
    var grid = node('g', {'class': 'grid axis'}, root);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      node('line', {x1: m.l + plotW * f, x2: m.l + plotW * f, y1: m.t - 4, y2: H - m.b}, grid);
      node('text', {x: m.l + plotW * f, y: H - m.b + 16, 'text-anchor': 'middle', 'font-size': 11}, grid, (100 * f) + ' %');
    });
    node('text', {x: m.l, y: 14, 'font-size': 11, 'class': 'muted'}, root, 'share of the category\u2019s CO2e');
    node('text', {x: W - m.r + 8, y: 14, 'font-size': 11, 'class': 'muted'}, root, 't CO2e');
    mix.groups.forEach(function (group, i) {
      var y0 = m.t + i * rowH;
      var name = group.label.length > 58 ? group.label.slice(0, 57) + '\u2026' : group.label;
      tip(node('text', {x: m.l - 10, y: y0 + barH + 4, 'text-anchor': 'end', 'font-size': 12}, root, name), group.label);
      [['base', 'current'], ['revised', 'revised']].forEach(function (pair, k) {
        var parts = group[pair[0]] || [], total = 0, start = 0, y = y0 + k * (barH + 2);
        parts.forEach(function (p) { total += Math.max(0, p.kg); });
        var g = node('g', {'class': 'mix ' + pair[1]}, root);
        if (!total) {
          node('text', {x: m.l + 4, y: y + barH - 2, 'font-size': 10, 'class': 'muted'}, g, pair[1] + ': none');
        }
        parts.forEach(function (p) {
          var amount = Math.max(0, p.kg);
          if (!amount || !total) { return; }
          var x0 = m.l + plotW * start / total, width = plotW * amount / total;
          tip(node('rect', {'class': 'segment', x: x0, y: y, width: Math.max(width, 0.5), height: barH,
                            fill: colors[p.method] || '#999', opacity: k ? 1 : 0.82}, g),
              group.label + ' \u2014 ' + pair[1] + ': ' + p.method + ' (' + p.data_type + '), ' + t(amount) +
              ' t CO2e, ' + pct(amount / total));
          start += amount;
        });
        node('text', {x: W - m.r + 8, y: y + barH - 2, 'font-size': 10.5, 'class': k ? '' : 'muted'}, root,
             (k ? 'revised ' : 'current ') + t(total));
      });
    });
    legend('methodmix-legend', mix.methods.map(function (name) { return {label: name, color: colors[name]}; }));
  }

  report.headlines.forEach(function (view, i) {
    var container = document.getElementById('waterfall-' + i);
    if (container) { waterfall(container, view); }
  });
  scopes(document.getElementById('scopes'));
  methodMix(document.getElementById('methodmix'));
  if (document.body.getAttribute('data-rendered') !== 'error') { document.body.setAttribute('data-rendered', 'ok'); }
})();
"""
