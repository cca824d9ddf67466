"""An explanation as plain text: the figure first, then one block per rule, aligned columns, t CO2e with
three decimals and each part's share of its parent. Rounding happens here only, for display; the JSON
carries the exact kilograms."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from tanso.audit.explain import (Boundary, Breakdown, Explanation, FactorPart, LeftOutRows, MethodPart, PolicyRead,
                                 RulePart, exact)

_WIDE = 80          # digits of the decimal context for shares: as many as any ledger sum has


def tonnes(kg: Decimal) -> str:
    with localcontext(prec=_WIDE):
        return f"{(kg / 1000).quantize(Decimal('0.001'), ROUND_HALF_EVEN):,}"


def share(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return ""
    with localcontext(prec=_WIDE):
        return f"{(part * 100 / whole).quantize(Decimal('0.1'), ROUND_HALF_EVEN)}%"


def number(value: Decimal) -> str:
    """A quantity's exact digits with thousands separators."""
    return f"{Decimal(exact(value)):,}"


def shorten(text: str | None, length: int = 70) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[:length - 1] + "…"


def policy_place(policy: PolicyRead) -> str:
    """Where a policy value was chosen: file:line:col, the command line (--set) or the default."""
    if policy.set_at:
        return policy.set_at
    return {"command line": "--set", "default": "default"}.get(policy.layer or "", policy.layer or "?")


def factor_provenance(factor: FactorPart, calculator: str) -> str:
    row = factor.row
    if row is None:
        return " · ".join(filter(None, [factor.factor_set, f"derived by {calculator} (in no factor file)",
                                        factor.version and f"version {factor.version}", factor.gwp]))
    return " · ".join(filter(None, [factor.factor_set, f"{row.file} row {row.file_row}", row.keys, row.publisher,
                                    row.edition, row.licence, factor.version and f"version {factor.version}",
                                    factor.gwp]))


def factor_value(factor: FactorPart) -> str:
    return f"{number(factor.row.value)} {factor.row.unit}/{factor.row.per}" if factor.row else ""


def activity(value: Decimal | None, unit: str | None) -> str:
    return f"{number(value)} {unit}" if value is not None and unit else ""


def more(count: int, noun: str) -> str:
    return f"… and {count:,} more {noun}"


def counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def policy_value(value: Any) -> str:
    """A policy value as the ruleset language writes it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def render(explanation: Explanation) -> str:
    e = explanation
    lines = _summary(e)
    if e.rules is not None and e.rules.parts:
        lines += ["", *_aligned([("rules", "", "t CO2e", "share", "where"),
                                 *((r.rule_id, shorten(r.title, 44), tonnes(r.co2e_kg), share(r.co2e_kg, e.co2e_kg),
                                    r.source or "") for r in e.rules.parts),
                                 *_rest(e.rules, e.co2e_kg, "rules", 5)], "", {2, 3})]
        for rule in e.rules.parts if e.depth >= 2 else ():
            lines += _rule(rule, e)
    if e.boundary is not None:
        lines += _boundary(e.boundary)
    lines += _left_out(e)
    return "\n".join(lines) + "\n"


def _summary(e: Explanation) -> list[str]:
    basis = f" ({e.basis}-based)" if e.basis else ""
    lines = [f"{e.selection}{basis}: {tonnes(e.co2e_kg)} t CO2e",
             f"  exactly {number(e.co2e_kg)} kg CO2e · {counted(e.ledger_rows, 'ledger row')} from "
             f"{counted(e.input_rows, 'input row')} · {counted(e.rule_count, 'rule')}",
             f"  run {e.ruleset} · {e.folder} · digest {(e.digest or '?')[:12]}"]
    if e.basis_chosen:
        others = "; ".join(f"{b}-based rows {tonnes(kg)} t (select basis:{b})" for b, kg in e.other_bases.items())
        lines.append(f"  basis: {e.basis}, the first of the run's bases, as none was selected; rows of another basis "
                     f"are an alternative view of the same emissions, never added: {others}")
    if e.outside_scopes_kg is not None:
        lines.append(f"  outside the scopes, not in this figure: {tonnes(e.outside_scopes_kg)} t (select scope:none)")
    lines.append(f"  completeness: {e.completeness or 'not recorded'}"
                 + "".join(f"\n    {_completeness_group(g)}" for g in e.completeness_groups))
    lines.append(f"  not in this figure: {counted(e.rejected.rows, 'rejected row')}, "
                 f"{counted(e.excluded.rows, 'excluded row')}"
                 + (" (listed at the end)" if e.rejected.rows or e.excluded.rows else ""))
    if not e.ledger_rows:
        lines.append(f"  no ledger row matches {e.selection}" + (": see what was rejected or excluded below"
                                                                  if e.rejected.rows or e.excluded.rows else ""))
    return lines


def _completeness_group(group: dict[str, Any]) -> str:
    tolerance = group.get("tolerance") or {}
    within = (f", tolerance \"{tolerance.get('statement')}\" at {tolerance.get('source')}" if tolerance else "")
    return (f"{group.get('rule') or group.get('input')}: {group.get('rows_rejected')} of {group.get('rows_selected')} "
            f"rows rejected ({group.get('status')}{within})")


def _rule(rule: RulePart, e: Explanation) -> list[str]:
    lines = ["", f"── {rule.rule_id}" + (f" · {rule.title}" if rule.title else ""),
             f"   {tonnes(rule.co2e_kg)} t CO2e · {share(rule.co2e_kg, e.co2e_kg) or '—'} of {e.selection} · "
             f"{counted(rule.ledger_rows, 'ledger row')} · {rule.source or 'source not recorded'}"]
    first = int((rule.source or "0").rpartition(":")[2] or 0)
    lines += [f"   {first + i:5} │ {text}" for i, text in enumerate(rule.text or [])]
    if not rule.text:
        lines.append("   (the rule's text is not in this run folder)")
    if rule.methods is not None:
        lines += _methods(rule.methods, rule.co2e_kg)
    if rule.policies is not None:
        lines += ["   policies read" if rule.policies else "   policies read: none", *_policies(rule.policies, "     ")]
    if rule.entities is not None:
        lines += _aligned([("entities", "at 100%", "weight", "t CO2e", "share"),
                           *((p.entity or "(none)", tonnes(p.unweighted_kg), str(p.weight), tonnes(p.co2e_kg),
                              share(p.co2e_kg, rule.co2e_kg)) for p in rule.entities.parts),
                           *_rest(rule.entities, rule.co2e_kg, "entities", 5, at=3)], "   ", {1, 2, 3, 4})
        if rule.left_out_by_boundary:
            lines.append(f"     left out by the boundary (weight 0): {counted(rule.left_out_by_boundary, 'row')}")
    if rule.rows is not None:
        lines += _aligned([("input rows, largest first", "key", "entity", "quantity", "t CO2e", "share"),
                           *((f"{p.file or p.input_table} row {p.input_row}", p.row_id or "", p.entity or "",
                              activity(p.quantity, p.quantity_unit) or "(several)", tonnes(p.co2e_kg),
                              share(p.co2e_kg, rule.co2e_kg)) for p in rule.rows.parts),
                           *_rest(rule.rows, rule.co2e_kg, "rows", 6, at=4)], "   ", {3, 4, 5})
    return lines


def _methods(methods: Breakdown[MethodPart], parent_kg: Decimal) -> list[str]:
    lines = _aligned([("methods and data types", "t CO2e", "share"),
                      *((" · ".join(filter(None, (m.calculator, m.method, m.data_type))), tonnes(m.co2e_kg),
                         share(m.co2e_kg, parent_kg)) for m in methods.parts),
                      *_rest(methods, parent_kg, "methods", 3, at=1)], "   ", {1, 2})
    if all(m.factors is None for m in methods.parts):
        return lines
    for method in methods.parts:
        factors = method.factors
        rows = _aligned([(f"factors of {method.method or method.calculator}", "gas", "value", "activity", "t CO2e", "share"),
                         *((f.factor_id or "(none)", f.gas, factor_value(f), activity(f.activity, f.activity_unit),
                            tonnes(f.co2e_kg), share(f.co2e_kg, method.co2e_kg)) for f in factors.parts),
                         *_rest(factors, method.co2e_kg, "factors", 6, at=4)], "     ", {3, 4, 5})
        lines.append(rows[0])
        for line, factor in zip(rows[1:], factors.parts):
            lines += [line, f"         {factor_provenance(factor, method.calculator)}"]
        lines += rows[1 + len(factors.parts):]
    return lines


def _boundary(boundary: Boundary) -> list[str]:
    lines = ["", f"boundary: {boundary.method} at {boundary.source}"]
    lines += _policies(boundary.policies, "  ")
    lines += [f"  {entity}: weight {record.get('weight')}" + (f" — {record['reason']}" if record.get("reason") else "")
              for entity, record in boundary.partial.items()]
    return lines


def _left_out(e: Explanation) -> list[str]:
    lines = []
    for label, rows in (("rejected", e.rejected), ("excluded", e.excluded)):
        if rows.rows:
            lines += ["", f"not in this figure, {label}: {counted(rows.rows, 'row')} (listed in {rows.file})"]
            lines += _left_out_groups(rows)
    if e.left_out_note and (e.rejected.rows or e.excluded.rows):
        lines.append(f"  note: {e.left_out_note}")
    return lines


def _left_out_groups(rows: LeftOutRows) -> list[str]:
    listed = [(g.rule_id or "(no rule)", g.input_table or "", shorten(g.why, 90), f"{g.rows:,}") for g in rows.groups]
    if rows.rest_groups:
        listed.append((more(rows.rest_groups, "reasons"), "", "", f"{rows.rest_rows:,}"))
    return _aligned(listed, "  ", {3}, header=False)


def _policies(policies: list[PolicyRead], indent: str) -> list[str]:
    return _aligned([(f"{p.name} = {policy_value(p.value)}", policy_place(p), p.status or "", shorten(p.source, 60))
                     for p in policies], indent, set(), header=False)


def _rest(breakdown: Breakdown, parent_kg: Decimal, noun: str, width: int, at: int = 2) -> list[tuple[str, ...]]:
    """The "and N more" row of a table `width` columns wide, its t CO2e in column `at` and share after it."""
    if not breakdown.rest_count:
        return []
    row = [""] * width
    row[0], row[at], row[at + 1] = more(breakdown.rest_count, noun), tonnes(breakdown.rest_kg), share(
        breakdown.rest_kg, parent_kg)
    return [tuple(row)]


def _aligned(rows: list[tuple[str, ...]], indent: str, right: set[int], header: bool = True) -> list[str]:
    """Rows as lines with their columns padded to a common width (right-aligned where `right` says); under a
    header row, the rows' first cells are indented."""
    if not rows:
        return []
    if header:
        rows = [rows[0], *(("  " + row[0], *row[1:]) for row in rows[1:])]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [(indent + "  ".join(cell.rjust(width) if i in right else cell.ljust(width)
                                for i, (cell, width) in enumerate(zip(row, widths)))).rstrip() for row in rows]
