"""Are the totals complete? Which rules lost how many rows, how much activity, and why.

A rejected row is left out of every total. A run says so before any total: per rule (and per input
file, for rows refused while reading) how many rows were rejected out of how many it selects, the
activity of those rows, and the commonest reasons. A ruleset may state a tolerance with its
justification (`accept rejects RULE up to 2 rows "…"`); rejects beyond every stated tolerance make the
totals *incomplete*, which the command reports with its own exit code.

The activity is read generically from the rule's calculator parameters: a parameter `quantity` that
names a column of the rule's rows, with `unit` naming the unit column (or `quantity_unit` giving the
unit). The engine knows nothing else about what the quantities are.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Callable

from tanso.i18n import t
from tanso.plan.sql import ident, literal
from tanso.plan.units import UnitProblem, conversion_factor
from tanso.reasons import reason_text, render, render_one
from tanso.run.input_files import relative_path

TOP_REASONS = 3
COMPLETE, ACCEPTED, INCOMPLETE = "complete", "accepted", "incomplete"
_READ_PREFIX = re.compile(r"^.*? row \d+: ")   # "<file> row 12: " before a reason found while reading


def activity_columns(step_parameters: Any, columns: dict[str, str]) -> tuple[str, str | None, str | None] | None:
    """(quantity column, unit column, fixed unit) a calculator call reads, where its parameters name them."""
    quantity = getattr(step_parameters, "quantity", None)
    if not isinstance(quantity, str) or quantity not in columns:
        return None
    fixed = getattr(step_parameters, "quantity_unit", None)
    if isinstance(fixed, str):
        return quantity, None, fixed
    unit = getattr(step_parameters, "unit", None)
    return quantity, (unit if isinstance(unit, str) and unit in columns else None), None


def compute(planner, order: list[str], selected: dict[str, int]) -> dict[str, Any]:
    """The run's `completeness` block (JSON-ready, decimals as strings)."""
    con, ruleset = planner.con, planner.ruleset
    groups: list[dict[str, Any]] = []
    # Rows refused while reading a file, rows whose key is in no mapping table (rule_source: the lookup) and
    # rows not placed in the reporting period (rule_source: its clause): no rule saw them.
    for table, lookup, rejected in con.execute("SELECT input_table, rule_source, count(*) FROM run_rejects "
                                               "WHERE rule_id IS NULL GROUP BY ALL ORDER BY ALL NULLS FIRST").fetchall():
        loaded = planner.inputs[table]
        reasons = con.execute(
            f"SELECT regexp_replace(reason, {literal(_READ_PREFIX.pattern)}, '') AS why, count(*) FROM run_rejects "
            f"WHERE rule_id IS NULL AND input_table = {literal(table)} AND rule_source IS NOT DISTINCT FROM "
            f"{literal(lookup)} GROUP BY why ORDER BY count(*) DESC, why").fetchall()
        readers = [r for r in order if planner.rule_tables[r] == table]
        group = _group(ruleset, None, table, lookup or relative_path(loaded.file, loaded.data_dir), rejected, loaded.rows, [], reasons, readers)
        placed = ruleset.period is not None and lookup == ruleset.cite(ruleset.period.span)
        groups.append({**group, "reporting_period" if placed else "looked_up": True} if lookup else group)
    counts = con.execute("SELECT rule_id, input_table, count(DISTINCT row_id) FROM run_rejects "
                         "WHERE rule_id IS NOT NULL GROUP BY ALL ORDER BY ALL").fetchall()
    per_rule = {r: n for r, t, n in counts if planner.rule_tables.get(r) == t}
    for rule_id in order:
        rejected = per_rule.get(rule_id, 0)
        if not rejected:
            continue
        rule = ruleset.rules[rule_id]
        reasons = con.execute(f"SELECT reason, count(*) FROM run_rejects WHERE rule_id = {literal(rule_id)} "
                              f"AND input_table = {literal(planner.rule_tables[rule_id])} "
                              f"GROUP BY ALL ORDER BY count(*) DESC, reason").fetchall()
        groups.append(_group(ruleset, rule_id, planner.rule_tables[rule_id], ruleset.cite(rule.node.span), rejected,
                             selected.get(rule_id, rejected), _activity(planner, rule_id), reasons, []))
    # Rows of another table a rule's calculator consumes (instruments such as certificates) and refused:
    # the tolerance is stated for that table.
    for rule_id, table, rejected in counts:
        if planner.rule_tables.get(rule_id) == table:
            continue
        reasons = con.execute(f"SELECT reason, count(*) FROM run_rejects WHERE rule_id = {literal(rule_id)} "
                              f"AND input_table = {literal(table)} GROUP BY ALL ORDER BY count(*) DESC, reason").fetchall()
        rows = planner.inputs[table].rows if table in planner.inputs else rejected
        group = _group(ruleset, None, table, ruleset.cite(ruleset.rules[rule_id].node.span), rejected, rows, [], reasons, [])
        groups.append({**group, "refused_by": rule_id})
    # Tolerances stated for targets that lost nothing are recorded too: the manifest shows every one.
    unused = [{"target": target, **_tolerance(ruleset, item)} for target, item in sorted(ruleset.accepts.items())
              if target not in {g["rule"] or g["input"] for g in groups}]
    # An input's tolerance covers its rows however they were refused: count them against it together.
    for table in {g["input"] for g in groups if g["rule"] is None}:
        together = [g for g in groups if g["rule"] is None and g["input"] == table]
        if len(together) > 1 and table in ruleset.accepts:
            rows = sum(g["rows_rejected"] for g in together)
            problem = _over(ruleset.accepts[table].node, rows, together[0]["rows_selected"], [])
            for g in together:
                g["status"], g["problem"] = (ACCEPTED, None) if problem is None else ("over tolerance", problem)
    total = sum(g["rows_rejected"] for g in groups)
    unaccepted = sum(g["rows_rejected"] for g in groups if g["status"] != ACCEPTED)
    input_rows = con.execute("SELECT count(*) FROM (SELECT DISTINCT input_table, input_row FROM run_rejects)").fetchone()[0]
    status = COMPLETE if not groups else ACCEPTED if not unaccepted else INCOMPLETE
    # rows_rejected counts a row once per rule that rejected it; input_rows_rejected once.
    return {"status": status, "rows_rejected": total, "rows_not_accepted": unaccepted,
            "input_rows_rejected": input_rows, "groups": groups, "tolerances_unused": unused}


def _activity(planner, rule_id: str) -> list[dict[str, Any]]:
    """Sum of the rejected rows' quantity by unit, for each (quantity, unit) its calculators read."""
    seen, result = set(), []
    columns = planner.columns[rule_id]
    for step in planner.ruleset.rules[rule_id].steps:
        found = activity_columns(step.parameters, columns)
        if found is None or found in seen:
            continue
        seen.add(found)
        quantity, unit_column, fixed = found
        unit = f"CAST({ident(unit_column)} AS VARCHAR)" if unit_column else literal(fixed)
        rows = planner.con.execute(
            f"SELECT {unit} AS unit, sum({ident(quantity)}), sum(abs({ident(quantity)})), count(*), "
            f"count({ident(quantity)}) FROM {planner.candidates[rule_id]} "
            f"WHERE _row_id IN (SELECT row_id FROM run_rejects WHERE rule_id = {literal(rule_id)} "
            f"AND input_table = {literal(planner.rule_tables[rule_id])}) "
            f"GROUP BY ALL ORDER BY unit NULLS LAST").fetchall()
        for unit_value, total, magnitude, n, counted in rows:
            result.append({"column": quantity, "unit": unit_value, "quantity": total, "magnitude": magnitude,
                           "rows": n, "rows_without_quantity": n - counted})
    return result


def _tolerance(ruleset, item) -> dict[str, Any]:
    node = item.node
    return {"kind": node.kind, "limit": node.limit, "unit": node.unit, "statement": node.describe(),
            "justification": node.justification, "source": ruleset.cite(node.span), "layer": item.layer}


def _group(ruleset, rule_id, table, source, rejected, selected, activity, reasons, readers) -> dict[str, Any]:
    target = rule_id or table
    group: dict[str, Any] = {
        "rule": rule_id, "input": table, "source": source, "rows_rejected": rejected, "rows_selected": selected,
        "activity": activity,
        "reasons": [{"reason": r, "rows": n} for r, n in reasons[:TOP_REASONS]],
        "other_reasons": max(len(reasons) - TOP_REASONS, 0),
    }
    if readers:
        group["rules_reading"] = readers
    item = ruleset.accepts.get(target)
    if item is None:
        return {**group, "status": "not accepted", "tolerance": None, "problem": None}
    problem = _over(item.node, rejected, selected, activity)
    return {**group, "status": ACCEPTED if problem is None else "over tolerance", "tolerance": _tolerance(ruleset, item),
            "problem": problem}


def _over(node, rejected: int, selected: int, activity: list[dict]) -> str | None:
    """None when the rejected rows are within the stated tolerance; otherwise by how much they are not."""
    if node.kind == "rows":
        return None if rejected <= node.limit else reason_text("tolerance.over_rows", rows=rejected,
                                                               tolerance=node.describe())
    if node.kind == "share":
        share = Decimal(rejected) * 100 / Decimal(max(selected, 1))
        return None if share <= node.limit else reason_text("tolerance.over_share", share=_number(share, 2),
                                                            selected=selected, tolerance=node.describe())
    if not activity:
        return reason_text("tolerance.unmeasurable", unit=node.unit)
    total = Decimal(0)
    for entry in activity:
        if entry["rows_without_quantity"]:
            return reason_text("tolerance.no_quantity", rows=entry["rows_without_quantity"], column=entry["column"])
        try:
            total += entry["magnitude"] * conversion_factor(str(entry["unit"]), node.unit)
        except UnitProblem:
            return reason_text("tolerance.not_measured", rows=entry["rows"], unit=str(entry["unit"]),
                               tolerance_unit=node.unit)
    return None if total <= node.limit else reason_text("tolerance.over_amount", amount=_number(total, 6),
                                                        unit=node.unit, tolerance=node.describe())


def _number(value, places: int = 6) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    shown = value.quantize(Decimal(1).scaleb(-places)).normalize() if value == value else value
    text = f"{shown:,f}"
    return text


def lines(completeness: dict[str, Any] | None, label: str = "", shown: Callable[[str], str] = str) -> list[str]:
    """What a run prints first, before any total; `shown` names a source as the terminal shows it."""
    if not completeness:
        return []
    where = t("complete.where", label=label) if label else ""
    groups = completeness["groups"]
    if completeness["status"] == COMPLETE:
        return [t("complete.none", where=where)]
    total, open_rows = completeness["rows_rejected"], completeness["rows_not_accepted"]
    rows = completeness.get("input_rows_rejected", total)
    counted = (t("complete.counted", rows=rows, s="s" if rows != 1 else "")
               + (t("complete.per_rule", total=total) if total != rows else ""))
    if completeness["status"] == INCOMPLETE:
        head = (t("complete.incomplete", where=where, counted=counted)
                + (t("complete.beyond", n=open_rows, s="s" if open_rows != 1 else "") if open_rows != total else ""))
    else:
        head = t("complete.tolerated", where=where, counted=counted)
    out = [head]
    for g in groups:
        name = (t("complete.rule", rule=g["rule"]) if g["rule"]
                else t("complete.input_refused_by", input=g["input"], rule=g["refused_by"]) if g.get("refused_by")
                else t("complete.input_lookup", input=g["input"]) if g.get("looked_up")
                else t("complete.input_period", input=g["input"]) if g.get("reporting_period")
                else t("complete.input_read", input=g["input"]))
        activity = ", ".join(f"{_number(a['quantity'])} {a['unit'] if a['unit'] is not None else t('complete.no_unit')}"
                             for a in g["activity"])
        line = (t("complete.group", name=name, source=shown(g["source"]), rejected=g["rows_rejected"],
                  selected=g["rows_selected"]) + (t("complete.activity", activity=activity) if activity else ""))
        tolerance = g["tolerance"]
        if g["status"] == ACCEPTED:
            line += t("complete.accepted_by", source=shown(tolerance["source"]), statement=render_one(tolerance["statement"]),
                      why=tolerance["justification"])
        elif tolerance is not None:
            line += t("complete.not_accepted", problem=render_one(g["problem"]), source=shown(tolerance["source"]))
        out.append(line)
        reasons = t("reason_separator").join(f"{render(r['reason'])} ({r['rows']})" for r in g["reasons"])
        others = g["other_reasons"]
        more = t("complete.more_reasons", n=others, s="" if others == 1 else "s") if others else ""
        out.append(t("complete.reasons", reasons=reasons, more=more))
        if g.get("rules_reading"):
            out.append(t("complete.rules_reading", input=g["input"], rules=", ".join(g["rules_reading"])))
    return out
