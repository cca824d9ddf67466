"""Checks of lookup joins (`from general_ledger lookup account_map on account`), made when a ruleset resolves.

A lookup joins on the mapping table's declared `key`: the loader already refuses a key listed twice
(both rows are rejects naming each other), so a row can never match two mapping rows and be counted
twice. The key is text on both sides, and the columns a lookup adds must not shadow the rows' own
columns nor those another mapping adds to the same table: every rule and exclusion reading a table
sees one set of column names.
"""

from __future__ import annotations

from tanso.diagnostics import Diagnostics, did_you_mean, expected_list
from tanso.dsl import ast


def check_lookups(source: ast.Source, inputs: dict[str, ast.InputTable], diagnostics: Diagnostics) -> None:
    """A source's lookups: the mapping table exists, is not the source itself, is keyed by the lookup's
    column, which the source has as text; each mapping once."""
    if not source.lookups:
        return
    if source.table is None:
        diagnostics.error("a lookup enriches the rows of an input table; rows read from `results of` a rule "
                          "already carry the columns that rule's lookups added", source.lookups[0].span,
                          hint="write the lookup on the rule that reads the input table")
        return
    table = inputs[source.table]
    own = ({table.key: "text"} if table.key else {}) | {c.name: c.type_name for c in table.columns}
    seen: set[str] = set()
    for lookup in source.lookups:
        mapping = inputs.get(lookup.table)
        if mapping is None:
            diagnostics.unknown("input table", lookup.table, lookup.span, inputs)
            continue
        if lookup.table in seen:
            diagnostics.error(f"'{lookup.table}' is looked up twice here", lookup.span)
        seen.add(lookup.table)
        if lookup.table == source.table:
            diagnostics.error(f"input '{source.table}' cannot look itself up", lookup.span)
            continue
        if mapping.key != lookup.key:
            diagnostics.error(f"lookup {lookup.table} on {lookup.key}: a lookup joins on the mapping table's key, and "
                              f"the key of '{lookup.table}' is "
                              + (f"'{mapping.key}'" if mapping.key else "not declared"), lookup.span,
                              hint=f"declare `key {lookup.key}` on input {lookup.table} (at {mapping.span}): a key "
                                   f"listed twice is then refused naming both rows")
        if lookup.key not in own:
            diagnostics.error(f"input '{source.table}' has no column '{lookup.key}' to look up in '{lookup.table}'",
                              lookup.span, expected=expected_list("column", sorted(own)),
                              hint=did_you_mean(lookup.key, own))
        elif own[lookup.key] != "text":
            diagnostics.error(f"the lookup key '{lookup.key}' is {own[lookup.key]} in '{source.table}'; a key is "
                              f"compared as text", lookup.span, hint=f"declare {lookup.key}: text")


def check_table_lookups(sources: list[ast.Source], inputs: dict[str, ast.InputTable],
                        diagnostics: Diagnostics) -> None:
    """Across every rule and exclusion reading a table: a column a lookup adds is neither one of the
    table's own columns nor a column another mapping adds to that table."""
    added: dict[tuple[str, str], str] = {}   # (table, column) → the mapping that adds it
    reported: set[tuple[str, str, str]] = set()   # (table, column, mapping): each problem once, not once per rule
    for source in sources:
        if source.table is None or source.table not in inputs:
            continue
        table = inputs[source.table]
        own = {c.name for c in table.columns} | ({table.key} if table.key else set())
        for lookup in source.lookups:
            mapping = inputs.get(lookup.table)
            if mapping is None or lookup.table == source.table:
                continue
            for column in mapping.columns:
                if column.name == mapping.key or (source.table, column.name, lookup.table) in reported:
                    continue
                if column.name in own:
                    reported.add((source.table, column.name, lookup.table))
                    diagnostics.error(f"column '{column.name}' is in both '{source.table}' and '{lookup.table}': the "
                                      f"rows would carry it twice", lookup.span,
                                      hint=f"rename one, e.g. `{column.name}_{lookup.table}: {column.type_name} from "
                                           f"\"{column.header}\"` on input {lookup.table}")
                    continue
                other = added.setdefault((source.table, column.name), lookup.table)
                if other != lookup.table:
                    reported.add((source.table, column.name, lookup.table))
                    diagnostics.error(f"column '{column.name}' is added to '{source.table}' by both '{other}' and "
                                      f"'{lookup.table}'", lookup.span,
                                      hint=f"rename it in one of them with `from \"{column.header}\"`")
