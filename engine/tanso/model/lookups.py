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
from tanso.i18n import t
from tanso.model import messages  # noqa: F401  (registers the words of the problems below)


def check_lookups(source: ast.Source, inputs: dict[str, ast.InputTable], diagnostics: Diagnostics) -> None:
    """A source's lookups: the mapping table exists, is not the source itself, is keyed by the lookup's
    column, which the source has as text; each mapping once."""
    if not source.lookups:
        return
    if source.table is None:
        diagnostics.error(t("chk.lookup_of_results"), source.lookups[0].span, hint=t("chk.lookup_of_results_help"))
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
            diagnostics.error(t("chk.lookup_twice", table=lookup.table), lookup.span)
        seen.add(lookup.table)
        if lookup.table == source.table:
            diagnostics.error(t("chk.lookup_itself", table=source.table), lookup.span)
            continue
        if mapping.key != lookup.key:
            declared = t("chk.lookup_key_named", on=mapping.key) if mapping.key else t("chk.lookup_key_undeclared")
            diagnostics.error(t("chk.lookup_key", table=lookup.table, on=lookup.key, declared=declared), lookup.span,
                              hint=t("chk.lookup_key_help", on=lookup.key, table=lookup.table, span=mapping.span))
        if lookup.key not in own:
            diagnostics.error(t("chk.lookup_no_column", table=source.table, on=lookup.key, mapping=lookup.table),
                              lookup.span, expected=expected_list("column", sorted(own)),
                              hint=did_you_mean(lookup.key, own))
        elif own[lookup.key] != "text":
            diagnostics.error(t("chk.lookup_key_text", on=lookup.key, type=own[lookup.key], table=source.table),
                              lookup.span, hint=t("chk.lookup_key_text_help", on=lookup.key))


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
                    renamed = f"{column.name}_{lookup.table}: {column.type_name} from \"{column.header}\""
                    diagnostics.error(t("chk.lookup_shadows", column=column.name, table=source.table,
                                        mapping=lookup.table), lookup.span,
                                      hint=t("chk.lookup_shadows_help", renamed=renamed, mapping=lookup.table))
                    continue
                other = added.setdefault((source.table, column.name), lookup.table)
                if other != lookup.table:
                    reported.add((source.table, column.name, lookup.table))
                    diagnostics.error(t("chk.lookup_added_twice", column=column.name, table=source.table, other=other,
                                        mapping=lookup.table), lookup.span,
                                      hint=t("chk.lookup_added_twice_help", header=column.header))
