"""What an explanation shows, as lines and tables of display strings, for the text and the HTML page alike.
Rounding happens here only, for display: t CO2e with three decimals and each part's share of its parent;
the JSON carries the exact kilograms. Words in the run's language (`tanso.audit.messages`); stored reasons too
(`tanso.reasons`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from tanso.audit import messages  # noqa: F401  (registers the words below)
from tanso.audit.explain import (Boundary, Breakdown, Explanation, FactorPart, LeftOutRows, MethodPart, PolicyRead,
                                 RulePart, exact)
from tanso.audit.selection import selection_said
from tanso.i18n import MESSAGES, label, t
from tanso.reasons import render, render_one

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
    """`1 row`, `2 rows`, `3 entities` (the catalogue's `count.<noun>`)."""
    return t(f"count.{noun}" + (".one" if count == 1 else ""), n=count)


def said(prefix: str, word: str | None) -> str | None:
    """A recorded word (a status, a label) in the run's language, where the catalogue has it."""
    return t(f"{prefix}.{word}") if f"{prefix}.{word}" in MESSAGES else word


def basis_name(basis: str) -> str:
    """'location-based' (in the run's language), for a basis of the ledger."""
    return t(f"basis.{basis}") if f"basis.{basis}" in MESSAGES else f"{basis}-based"


def shorten(text: str | None, length: int = 70) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[:length - 1] + "…"


# ----------------------------------------------------------------------------- the figure

def headline(e: Explanation) -> str:
    basis = t("explain.basis", basis=basis_name(e.basis)) if e.basis else ""
    return t("explain.headline", selection=selection_said(e.selection), basis=basis, tonnes=tonnes(e.co2e_kg))


def facts(e: Explanation) -> list[str]:
    """The lines under the headline: exact value, counts, run, basis, completeness, what is left out."""
    lines = [t("explain.exactly", kg=number(e.co2e_kg), ledger_rows=counted(e.ledger_rows, "ledger row"),
               input_rows=counted(e.input_rows, "input row"), rules=counted(e.rule_count, "rule")),
             t("explain.run", ruleset=e.ruleset, folder=e.folder, digest=(e.digest or "?")[:12])]
    if e.basis_chosen:
        others = t("reason_separator").join(t("explain.other_basis", basis=basis_name(b), tonnes=tonnes(kg), name=b)
                                            for b, kg in e.other_bases.items())
        lines.append(t("explain.basis_chosen", basis=e.basis, others=others))
    if e.outside_scopes_kg is not None:
        lines.append(t("explain.outside", tonnes=tonnes(e.outside_scopes_kg)))
    lines.append(t("explain.completeness", status=said("explain.status", e.completeness or "not recorded")))
    lines += [f"  {_completeness_group(g)}" for g in e.completeness_groups]
    left_out = [counted(rows.rows, f"{label} row") if rows.file else t(f"explain.not_recorded.{label}")
                for label, rows in (("rejected", e.rejected), ("excluded", e.excluded))]
    lines.append(t("explain.not_in_figure", left_out=t("explain.comma").join(left_out)))
    if not e.ledger_rows:
        lines.append(t("explain.no_match", selection=selection_said(e.selection)))
    return lines


def _completeness_group(group: dict[str, Any]) -> str:
    tolerance = group.get("tolerance") or {}
    within = (t("explain.within", statement=render_one(tolerance.get("statement")), source=tolerance.get("source"))
              if tolerance else "")
    return t("explain.group", name=group.get("rule") or group.get("input"), rejected=group.get("rows_rejected"),
             selected=group.get("rows_selected"), status=said("explain.group", group.get("status")), within=within)


def rules_table(e: Explanation) -> Table:
    rules = e.rules
    return Table((t("explain.col.rules"), "", t("explain.col.tonnes"), t("explain.col.share"), t("explain.col.where")),
                 [*((r.rule_id, shorten(r.title, 44), tonnes(r.co2e_kg), share(r.co2e_kg, e.co2e_kg), r.source or "")
                    for r in rules.parts), *_rest(rules, e.co2e_kg, "rule", 5)], frozenset({2, 3}))


# ----------------------------------------------------------------------------- a rule

def rule_heading(rule: RulePart) -> str:
    return rule.rule_id + (f" · {rule.title}" if rule.title else "")


def rule_facts(rule: RulePart, e: Explanation) -> str:
    return t("explain.rule_facts", tonnes=tonnes(rule.co2e_kg), share=share(rule.co2e_kg, e.co2e_kg) or "—",
             selection=selection_said(e.selection), ledger_rows=counted(rule.ledger_rows, "ledger row"),
             source=rule.source or t("explain.source_not_recorded"))


def rule_text(rule: RulePart) -> list[tuple[int, str]]:
    """(line number, text) of the rule's statement, from the run folder's copy of the ruleset."""
    first = int((rule.source or "0").rpartition(":")[2] or 0)
    return [(first + i, text) for i, text in enumerate(rule.text or [])]


def methods_table(rule: RulePart) -> Table:
    methods = rule.methods
    return Table((t("explain.col.methods"), t("explain.col.tonnes"), t("explain.col.share")),
                 [*((method_name(m), tonnes(m.co2e_kg), share(m.co2e_kg, rule.co2e_kg)) for m in methods.parts),
                  *_rest(methods, rule.co2e_kg, "method", 3, at=1)], frozenset({1, 2}))


def method_name(method: MethodPart) -> str:
    return " · ".join(filter(None, (method.calculator, method.method, method.data_type)))


def factors_table(method: MethodPart, factors_file: str | None) -> Table:
    """A method's factors, each with its file row and provenance (or why there is none)."""
    factors = method.factors
    return Table((t("explain.col.factors", method=method.method or method.calculator), t("explain.col.gas"),
                  t("explain.col.value"), t("explain.col.activity"), t("explain.col.tonnes"), t("explain.col.share")),
                 [*((f.factor_id or t("explain.none"), f.gas, _factor_value(f), _activity(f.activity, f.activity_unit),
                     tonnes(f.co2e_kg), share(f.co2e_kg, method.co2e_kg)) for f in factors.parts),
                  *_rest(factors, method.co2e_kg, "factor", 6, at=4)], frozenset({3, 4, 5}),
                 {i: _factor_provenance(f, method.calculator, factors_file) for i, f in enumerate(factors.parts)})


def _factor_value(factor: FactorPart) -> str:
    return f"{number(factor.row.value)} {factor.row.unit}/{factor.row.per}" if factor.row else ""


def _factor_provenance(factor: FactorPart, calculator: str, factors_file: str | None) -> str:
    row, version = factor.row, factor.version and t("explain.version", version=factor.version)
    if row is None:
        why = t("explain.derived", calculator=calculator) if factors_file else t("explain.no_file_row")
        parts = [factor.factor_set, why, version, factor.gwp]
    else:
        parts = [factor.factor_set, t("place", file=row.file, row=row.file_row), row.keys, row.publisher, row.edition, row.licence,
                 version, factor.gwp]
    return " · ".join(filter(None, parts))


def policies_table(policies: list[PolicyRead]) -> Table:
    """Each policy value with where it was chosen (file:line:col, --set or the default) and its source."""
    return Table(None, [(f"{p.name} = {_policy_value(p.value)}", _policy_place(p), label("status", p.status or ""),
                         shorten(p.source, 60)) for p in policies])


def _policy_place(policy: PolicyRead) -> str:
    if policy.set_at:
        return policy.set_at
    return {"command line": "--set", "default": t("explain.default")}.get(policy.layer or "", policy.layer or "?")


def _policy_value(value: Any) -> str:
    """A policy value as the ruleset language writes it."""
    if value is None:
        return t("explain.not_set")
    return str(value).lower() if isinstance(value, bool) else str(value)


def entities_table(rule: RulePart) -> Table:
    entities = rule.entities
    return Table((t("explain.col.entities"), t("explain.col.at_full"), t("explain.col.weight"), t("explain.col.tonnes"),
                  t("explain.col.share")),
                 [*((p.entity or t("explain.none"), tonnes(p.unweighted_kg), str(p.weight), tonnes(p.co2e_kg),
                     share(p.co2e_kg, rule.co2e_kg)) for p in entities.parts),
                  *_rest(entities, rule.co2e_kg, "entity", 5, at=3)], frozenset({1, 2, 3, 4}))


def boundary_note(rule: RulePart) -> str | None:
    if not rule.left_out_by_boundary:
        return None
    return t("explain.boundary_note", rows=counted(rule.left_out_by_boundary, "row"))


def rows_table(rule: RulePart) -> Table:
    rows = rule.rows
    return Table((t("explain.col.rows"), t("explain.col.key"), t("explain.col.entity"), t("explain.col.quantity"),
                  t("explain.col.tonnes"), t("explain.col.share")),
                 [*((t("place", file=p.file or p.input_table, row=p.input_row), p.row_id or "", p.entity or "",
                     _activity(p.quantity, p.quantity_unit) or (t("explain.several") if p.ledger_rows > 1 else ""),
                     tonnes(p.co2e_kg),
                     share(p.co2e_kg, rule.co2e_kg)) for p in rows.parts),
                  *_rest(rows, rule.co2e_kg, "row", 6, at=4)], frozenset({3, 4, 5}))


def _activity(value: Decimal | None, unit: str | None) -> str:
    return f"{number(value)} {unit}" if value is not None and unit else ""


# ----------------------------------------------------------------------------- around the rules

def boundary_lines(boundary: Boundary) -> tuple[str, Table, list[str]]:
    """The boundary's heading, the policies it read, and its entities weighted below 1."""
    partial = [t("explain.weighted", entity=entity, weight=record.get("weight"))
               + (f" — {render_one(record['reason'])}" if record.get("reason") else "")
               for entity, record in boundary.partial.items()]
    return (t("explain.boundary", method=boundary.method, source=boundary.source), policies_table(boundary.policies),
            partial)


def left_out_heading(label: str, rows: LeftOutRows) -> str:
    return t("explain.left_out", label=t(f"explain.label.{label}"), rows=counted(rows.rows, "row"), file=rows.file)


def left_out_table(rows: LeftOutRows) -> Table:
    listed = [(g.rule_id or t("explain.no_rule"), g.input_table or "", shorten(render(g.why), 90), f"{g.rows:,}")
              for g in rows.groups]
    if rows.rest_groups:
        listed.append((counted(rows.rest_groups, "more reason"), "", "", f"{rows.rest_rows:,}"))
    return Table(None, listed, frozenset({3}))


def _rest(breakdown: Breakdown, parent_kg: Decimal, noun: str, width: int, at: int = 2) -> list[tuple[str, ...]]:
    """The "and N more" row of a table `width` columns wide: its t CO2e in column `at`, its share after it."""
    if not breakdown.rest_count:
        return []
    row = [""] * width
    row[0] = counted(breakdown.rest_count, "more " + noun)
    row[at], row[at + 1] = tonnes(breakdown.rest_kg), share(breakdown.rest_kg, parent_kg)
    return [tuple(row)]
