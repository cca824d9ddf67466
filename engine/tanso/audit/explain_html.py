"""An explanation as one self-contained HTML page: no script, no network; each level a <details> element
to expand, the same lines and tables as the text (`explain_tables`)."""

from __future__ import annotations

from html import escape

from tanso.audit import explain_tables as show
from tanso.audit.explain import FORMAT, Explanation, RulePart
from tanso.audit.explain_tables import Table
from tanso.audit.selection import selection_said
from tanso.i18n import language, t


def render(e: Explanation) -> str:
    facts = "".join(f"<li>{escape(fact)}</li>" for fact in show.facts(e))
    body = [f"<header><h1>{escape(show.headline(e))}</h1><ul class=\"facts\">{facts}</ul></header>"]
    if e.rules is not None and e.rules.parts:
        rules = "".join(_rule(rule, e) for rule in e.rules.parts) if e.depth >= 2 else ""
        body.append(_details(t("explain.col.rules"), _table(show.rules_table(e)) + rules, opened=True))
    if e.boundary is not None:
        heading, policies, partial = show.boundary_lines(e.boundary)
        body.append(_details(heading, _table(policies) + _list(partial)))
    for label, rows in (("rejected", e.rejected), ("excluded", e.excluded)):
        if rows.rows:
            body.append(_details(show.left_out_heading(label, rows), _table(show.left_out_table(rows)),
                                 opened=True))
    if e.left_out_note and (e.rejected.rows or e.excluded.rows):
        body.append(f"<p class=\"note\">{escape(e.left_out_note)}</p>")
    body.append(f"<footer>{escape(t('explain.footer', format=FORMAT, depth=e.depth, top=e.top))}</footer>")
    return (f"<!doctype html>\n<html lang=\"{language()}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>tanso explain: {escape(selection_said(e.selection))}</title><style>{_CSS}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")


def _rule(rule: RulePart, e: Explanation) -> str:
    text = "".join(f"<span class=\"ln\">{number}</span>{escape(line)}\n" for number, line in show.rule_text(rule))
    parts = [f"<p class=\"note\">{escape(show.rule_facts(rule, e))}</p>",
             f"<pre class=\"rule\">{text}</pre>" if text else f"<p class=\"note\">{escape(t('explain.no_text'))}</p>"]
    if rule.methods is not None:
        factors = "".join(_details(t("explain.factors_of", method=show.method_name(m)), _table(show.factors_table(m, e.factors_file)))
                          for m in rule.methods.parts if m.factors is not None)
        parts.append(_details(t("explain.col.methods"), _table(show.methods_table(rule)) + factors))
    if rule.policies is not None:
        parts.append(_details(t("explain.policies"), _table(show.policies_table(rule.policies)) if rule.policies
                              else f"<p class=\"note\">{t('explain.none_read')}</p>"))
    if rule.entities is not None:
        note = show.boundary_note(rule)
        parts.append(_details(t("explain.entities"), _table(show.entities_table(rule))
                              + (f"<p class=\"note\">{escape(note)}</p>" if note else "")))
    if rule.rows is not None:
        parts.append(_details(t("explain.col.rows"), _table(show.rows_table(rule))))
    summary = f"{show.rule_heading(rule)} — {show.tonnes(rule.co2e_kg)} t · {show.share(rule.co2e_kg, e.co2e_kg)}"
    return _details(summary, "".join(parts), kind="rule")


def _details(summary: str, content: str, *, opened: bool = False, kind: str = "level") -> str:
    return (f"<details class=\"{kind}\"{' open' if opened else ''}><summary>{escape(summary)}</summary>"
            f"{content}</details>")


def _table(table: Table) -> str:
    def cells(row: tuple[str, ...], tag: str) -> str:
        return "".join(f"<{tag}{_NUMBER if i in table.right else ''}>{escape(cell)}</{tag}>"
                       for i, cell in enumerate(row))

    head = f"<thead><tr>{cells(table.header, 'th')}</tr></thead>" if table.header else ""
    rows = []
    for index, row in enumerate(table.rows):
        rows.append(f"<tr{_REST if row[0].startswith('…') else ''}>{cells(row, 'td')}</tr>")
        if index in table.notes:
            rows.append(f"<tr class=\"prov\"><td colspan=\"{len(row)}\">{escape(table.notes[index])}</td></tr>")
    return f"<table>{head}<tbody>{''.join(rows)}</tbody></table>"


_NUMBER, _REST = ' class="num"', ' class="more"'


def _list(lines: list[str]) -> str:
    return f"<ul>{''.join(f'<li>{escape(line)}</li>' for line in lines)}</ul>" if lines else ""


_CSS = """
:root { --ink: #1d2430; --muted: #5b6473; --line: #d5dae1; --soft: #f4f6f9; --accent: #1f5f8b; }
body { margin: 0; color: var(--ink); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 12px; }
h1 { margin: 4px 0 6px; font-size: 24px; font-variant-numeric: tabular-nums; }
ul.facts { margin: 0 0 12px; padding-left: 18px; color: var(--muted); }
details { margin: 6px 0; } details details { margin-left: 18px; }
summary { cursor: pointer; color: var(--accent); font-weight: 600; }
details.rule { border-left: 3px solid var(--line); padding-left: 10px; }
details.rule > summary { color: var(--ink); }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13.5px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #aab2bf; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.more td { color: var(--muted); font-style: italic; }
tr.prov td { color: var(--muted); font-size: 12px; border-bottom-style: dotted; padding-left: 22px; }
pre.rule { background: var(--soft); padding: 8px 10px; overflow-x: auto; font-size: 12.5px; }
pre.rule .ln { display: inline-block; width: 4ch; margin-right: 1ch; color: var(--muted); text-align: right;
  user-select: none; }
.note { color: var(--muted); font-size: 14px; margin: 4px 0; }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
@media print { details { display: block; } }
"""
