"""An explanation as plain text: the figure first, then one block per rule, in aligned columns."""

from __future__ import annotations

from tanso.audit import explain_tables as show
from tanso.audit.explain import Explanation, RulePart
from tanso.audit.explain_tables import Table
from tanso.i18n import columns, t


def render(e: Explanation) -> str:
    lines = [show.headline(e), *(f"  {fact}" for fact in show.facts(e))]
    if e.rules is not None and e.rules.parts:
        lines += ["", *_aligned(show.rules_table(e), "")]
        for rule in e.rules.parts if e.depth >= 2 else ():
            lines += _rule(rule, e)
    if e.boundary is not None:
        heading, policies, partial = show.boundary_lines(e.boundary)
        lines += ["", heading, *_aligned(policies, "  "), *(f"  {line}" for line in partial)]
    for label, rows in (("rejected", e.rejected), ("excluded", e.excluded)):
        if rows.rows:
            lines += ["", show.left_out_heading(label, rows), *_aligned(show.left_out_table(rows), "  ")]
    if e.left_out_note and (e.rejected.rows or e.excluded.rows):
        lines.append(f"  {t('explain.note', note=e.left_out_note)}")
    return "\n".join(lines) + "\n"


def _rule(rule: RulePart, e: Explanation) -> list[str]:
    lines = ["", f"── {show.rule_heading(rule)}", f"   {show.rule_facts(rule, e)}"]
    lines += [f"   {number:5} │ {text}" for number, text in show.rule_text(rule)]
    if not rule.text:
        lines.append(f"   {t('explain.no_text')}")
    if rule.methods is not None:
        lines += _aligned(show.methods_table(rule), "   ")
        for method in rule.methods.parts if rule.methods.parts[0].factors is not None else ():
            lines += _aligned(show.factors_table(method, e.factors_file), "     ")
    if rule.policies is not None:
        lines.append(f"   {t('explain.policies' if rule.policies else 'explain.policies_none')}")
        lines += _aligned(show.policies_table(rule.policies), "     ")
    if rule.entities is not None:
        lines += _aligned(show.entities_table(rule), "   ")
        note = show.boundary_note(rule)
        lines += [f"     {note}"] if note else []
    if rule.rows is not None:
        lines += _aligned(show.rows_table(rule), "   ")
    return lines


def _aligned(table: Table, indent: str) -> list[str]:
    """The table's rows as lines, columns padded to a common width (numbers right-aligned); under a header,
    the rows' first cells are indented, and a row's note stands on its own line below it."""
    rows = [("  " + row[0], *row[1:]) for row in table.rows] if table.header else table.rows
    every = [table.header, *rows] if table.header else rows
    if not every:
        return []
    widths = [max(columns(row[i]) for row in every) for i in range(len(every[0]))]

    def line(row: tuple[str, ...]) -> str:
        pads = [" " * (width - columns(cell)) for cell, width in zip(row, widths)]
        return (indent + "  ".join(pad + cell if i in table.right else cell + pad
                                   for i, (cell, pad) in enumerate(zip(row, pads)))).rstrip()

    lines = [line(table.header)] if table.header else []
    for index, row in enumerate(rows):
        lines.append(line(row))
        if index in table.notes:
            lines.append(f"{indent}    {table.notes[index]}")
    return lines

