"""What an explanation shows, as lines and tables of display strings, for the text and the HTML page alike.
Rounding happens here only, for display: t CO2e with three decimals and each part's share of its parent;
the JSON carries the exact kilograms."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from tanso.audit.explain import (Boundary, Breakdown, Explanation, FactorPart, LeftOutRows, MethodPart, PolicyRead,
                                 RulePart, exact)

_WIDE = 80          # digits of the decimal context for display: as many as any ledger sum has


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...] | None
    rows: list[tuple[str, ...]]
    right: frozenset[int] = frozenset()              # columns of numbers
    notes: dict[int, str] = field(default_factory=dict)   # row index → a line shown under that row


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


def counted(count: int, noun: str) -> str:
    """`1 row`, `2 rows`, `3 entities`."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def shorten(text: str | None, length: int = 70) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[:length - 1] + "…"


# ----------------------------------------------------------------------------- the figure

def headline(e: Explanation) -> str:
    return f"{e.selection}{f' ({e.basis}-based)' if e.basis else ''}: {tonnes(e.co2e_kg)} t CO2e"


def facts(e: Explanation) -> list[str]:
    """The lines under the headline: exact value, counts, run, basis, completeness, what is left out."""
    lines = [f"exactly {number(e.co2e_kg)} kg CO2e · {counted(e.ledger_rows, 'ledger row')} from "
             f"{counted(e.input_rows, 'input row')} · {counted(e.rule_count, 'rule')}",
             f"run {e.ruleset} · {e.folder} · digest {(e.digest or '?')[:12]}"]
    if e.basis_chosen:
        others = "; ".join(f"{b}-based rows {tonnes(kg)} t (select basis:{b})" for b, kg in e.other_bases.items())
        lines.append(f"basis: {e.basis}, the first of the run's bases, as none was selected; rows of another basis "
                     f"are an alternative view of the same emissions, never added: {others}")
    if e.outside_scopes_kg is not None:
        lines.append(f"outside the scopes, not in this figure: {tonnes(e.outside_scopes_kg)} t (select scope:none)")
    lines.append(f"completeness: {e.completeness or 'not recorded'}")
    lines += [f"  {_completeness_group(g)}" for g in e.completeness_groups]
    left_out = [counted(rows.rows, f"{label} row") if rows.file else f"{label} rows not recorded in this run folder"
                for label, rows in (("rejected", e.rejected), ("excluded", e.excluded))]
    lines.append(f"not in this figure: {', '.join(left_out)}")
    if not e.ledger_rows:
        lines.append(f"no ledger row matches {e.selection}")
    return lines


def _completeness_group(group: dict[str, Any]) -> str:
    tolerance = group.get("tolerance") or {}
    within = f", tolerance \"{tolerance.get('statement')}\" at {tolerance.get('source')}" if tolerance else ""
    return (f"{group.get('rule') or group.get('input')}: {group.get('rows_rejected')} of {group.get('rows_selected')} "
            f"rows rejected ({group.get('status')}{within})")


def rules_table(e: Explanation) -> Table:
    rules = e.rules
    return Table(("rules", "", "t CO2e", "share", "where"),
                 [*((r.rule_id, shorten(r.title, 44), tonnes(r.co2e_kg), share(r.co2e_kg, e.co2e_kg), r.source or "")
                    for r in rules.parts), *_rest(rules, e.co2e_kg, "rule", 5)], frozenset({2, 3}))


# ----------------------------------------------------------------------------- a rule

def rule_heading(rule: RulePart) -> str:
    return rule.rule_id + (f" · {rule.title}" if rule.title else "")


def rule_facts(rule: RulePart, e: Explanation) -> str:
    return (f"{tonnes(rule.co2e_kg)} t CO2e · {share(rule.co2e_kg, e.co2e_kg) or '—'} of {e.selection} · "
            f"{counted(rule.ledger_rows, 'ledger row')} · {rule.source or 'source not recorded'}")


def rule_text(rule: RulePart) -> list[tuple[int, str]]:
    """(line number, text) of the rule's statement, from the run folder's copy of the ruleset."""
    first = int((rule.source or "0").rpartition(":")[2] or 0)
    return [(first + i, text) for i, text in enumerate(rule.text or [])]


def methods_table(rule: RulePart) -> Table:
    methods = rule.methods
    return Table(("methods and data types", "t CO2e", "share"),
                 [*((method_name(m), tonnes(m.co2e_kg), share(m.co2e_kg, rule.co2e_kg)) for m in methods.parts),
                  *_rest(methods, rule.co2e_kg, "method", 3, at=1)], frozenset({1, 2}))


def method_name(method: MethodPart) -> str:
    return " · ".join(filter(None, (method.calculator, method.method, method.data_type)))


def factors_table(method: MethodPart, factors_file: str | None) -> Table:
    """A method's factors, each with its file row and provenance (or why there is none)."""
    factors = method.factors
    return Table((f"factors ({method.method or method.calculator})", "gas", "value", "activity", "t CO2e", "share"),
                 [*((f.factor_id or "(none)", f.gas, _factor_value(f), _activity(f.activity, f.activity_unit),
                     tonnes(f.co2e_kg), share(f.co2e_kg, method.co2e_kg)) for f in factors.parts),
                  *_rest(factors, method.co2e_kg, "factor", 6, at=4)], frozenset({3, 4, 5}),
                 {i: _factor_provenance(f, method.calculator, factors_file) for i, f in enumerate(factors.parts)})


def _factor_value(factor: FactorPart) -> str:
    return f"{number(factor.row.value)} {factor.row.unit}/{factor.row.per}" if factor.row else ""


def _factor_provenance(factor: FactorPart, calculator: str, factors_file: str | None) -> str:
    row, version = factor.row, factor.version and f"version {factor.version}"
    if row is None:
        why = (f"derived by {calculator} (in no factor file)" if factors_file
               else "its file row is not in this run folder")
        parts = [factor.factor_set, why, version, factor.gwp]
    else:
        parts = [factor.factor_set, f"{row.file} row {row.file_row}", row.keys, row.publisher, row.edition, row.licence,
                 version, factor.gwp]
    return " · ".join(filter(None, parts))


def policies_table(policies: list[PolicyRead]) -> Table:
    """Each policy value with where it was chosen (file:line:col, --set or the default) and its source."""
    return Table(None, [(f"{p.name} = {_policy_value(p.value)}", _policy_place(p), p.status or "",
                         shorten(p.source, 60)) for p in policies])


def _policy_place(policy: PolicyRead) -> str:
    if policy.set_at:
        return policy.set_at
    return {"command line": "--set", "default": "default"}.get(policy.layer or "", policy.layer or "?")


def _policy_value(value: Any) -> str:
    """A policy value as the ruleset language writes it."""
    if value is None:
        return "(not set)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def entities_table(rule: RulePart) -> Table:
    entities = rule.entities
    return Table(("entities", "at 100%", "weight", "t CO2e", "share"),
                 [*((p.entity or "(none)", tonnes(p.unweighted_kg), str(p.weight), tonnes(p.co2e_kg),
                     share(p.co2e_kg, rule.co2e_kg)) for p in entities.parts),
                  *_rest(entities, rule.co2e_kg, "entity", 5, at=3)], frozenset({1, 2, 3, 4}))


def boundary_note(rule: RulePart) -> str | None:
    if not rule.left_out_by_boundary:
        return None
    return f"left out by the boundary (weight 0): {counted(rule.left_out_by_boundary, 'row')}"


def rows_table(rule: RulePart) -> Table:
    rows = rule.rows
    return Table(("input rows, largest first", "key", "entity", "quantity", "t CO2e", "share"),
                 [*((f"{p.file or p.input_table} row {p.input_row}", p.row_id or "", p.entity or "",
                     _activity(p.quantity, p.quantity_unit) or ("(several)" if p.ledger_rows > 1 else ""),
                     tonnes(p.co2e_kg),
                     share(p.co2e_kg, rule.co2e_kg)) for p in rows.parts),
                  *_rest(rows, rule.co2e_kg, "row", 6, at=4)], frozenset({3, 4, 5}))


def _activity(value: Decimal | None, unit: str | None) -> str:
    return f"{number(value)} {unit}" if value is not None and unit else ""


# ----------------------------------------------------------------------------- around the rules

def boundary_lines(boundary: Boundary) -> tuple[str, Table, list[str]]:
    """The boundary's heading, the policies it read, and its entities weighted below 1."""
    partial = [f"{entity}: weight {record.get('weight')}" + (f" — {record['reason']}" if record.get("reason") else "")
               for entity, record in boundary.partial.items()]
    return f"boundary: {boundary.method} at {boundary.source}", policies_table(boundary.policies), partial


def left_out_heading(label: str, rows: LeftOutRows) -> str:
    return f"not in this figure, {label}: {counted(rows.rows, 'row')} (listed in {rows.file})"


def left_out_table(rows: LeftOutRows) -> Table:
    listed = [(g.rule_id or "(no rule)", g.input_table or "", shorten(g.why, 90), f"{g.rows:,}") for g in rows.groups]
    if rows.rest_groups:
        listed.append((f"… and {counted(rows.rest_groups, 'more reason')}", "", "", f"{rows.rest_rows:,}"))
    return Table(None, listed, frozenset({3}))


def _rest(breakdown: Breakdown, parent_kg: Decimal, noun: str, width: int, at: int = 2) -> list[tuple[str, ...]]:
    """The "and N more" row of a table `width` columns wide: its t CO2e in column `at`, its share after it."""
    if not breakdown.rest_count:
        return []
    row = [""] * width
    row[0] = f"… and {counted(breakdown.rest_count, 'more ' + noun)}"
    row[at], row[at + 1] = tonnes(breakdown.rest_kg), share(breakdown.rest_kg, parent_kg)
    return [tuple(row)]
