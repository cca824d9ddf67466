"""Lookup joins at run time, and the accountant's negative check on them.

A table that any rule or exclusion reads with a lookup is read, by all of them, as one relation: its
valid rows LEFT JOINed with each mapping table's valid rows on the mapping's key (one relational join,
unique by the key's check when the mapping is loaded). Per mapping the relation carries a column
`_unmatched__<mapping>`: NULL where the row found its mapping row, else why not — the key is empty,
it is not in the mapping, or its mapping row was rejected (with that row's reason).

A rule or exclusion with lookups takes the rows that found their mapping rows and that its `where`
selects. A row that found no mapping row, and that some rule's `where` could select once mapped (it is
not false with the mapped columns unknown), is rejected once, naming its key and the mapping table —
never silently "not selected" — unless an exclusion claims it.

`coverage` is the negative check: for each lookup, the rows that found no mapping row and the rows
that found one but that no rule computes and no exclusion claims, each by key value with their
activity (the quantity the rules reading the table measure), so an unmapped account is listed with its
spend.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tanso.dsl import ast
from tanso.plan.sql import ident, literal, quoted
from tanso.reasons import reason_sql
from tanso.run.completeness import activity_columns


def unmatched_column(lookup: ast.Lookup) -> str:
    return ident(f"_unmatched__{lookup.table}")


def matched_sql(source: ast.Source) -> str:
    """True for a row that found the mapping row of every lookup of `source`."""
    return " AND ".join(f"{unmatched_column(lookup)} IS NULL" for lookup in source.lookups) or "TRUE"


def rejected_by_lookups(planner, table: str, order: list[str]) -> str | None:
    """SQL for the rows of `table` a lookup rejects (its columns, `_lookup_source`, `_lookup_reason`): those whose key a rule
    would look up — its `where` is not false with the mapped columns unknown — and is in no mapping row."""
    ruleset, failures = planner.ruleset, []
    for lookup in lookups_on(ruleset, table):
        readers = [ruleset.rules[r].node.source for r in order if ruleset.rules[r].node.source.table == table
                   and lookup.table in {x.table for x in ruleset.rules[r].node.source.lookups}]
        if readers:
            could = " OR ".join(f"({planner.condition_sql(source)}) IS NOT FALSE" for source in readers)
            written = next(x for x in readers[0].lookups if x.table == lookup.table)
            failures.append((f"CASE WHEN {could} THEN {unmatched_column(lookup)} END", ruleset.cite(written.span)))
    if not failures:
        return None
    reason = "concat_ws('; ', " + ", ".join(sql for sql, _ in failures) + ")"
    return (f"SELECT *, {literal(failures[0][1])} AS _lookup_source, {reason} AS _lookup_reason "
            f"FROM {planner.table_relation(table)} WHERE {reason} <> ''")


def lookups_on(ruleset, table: str) -> list[ast.Lookup]:
    """Every mapping looked up from `table`, by any rule or exclusion, each once."""
    sources = [r.node.source for r in ruleset.rules.values()] + [i.node.source for i in ruleset.exclusions.values()]
    found: dict[str, ast.Lookup] = {}
    for source in sources:
        if source is not None and source.table == table:
            for lookup in source.lookups:
                found.setdefault(lookup.table, lookup)
    return list(found.values())


def joined_relation(con, ruleset, table: str, loaded, mappings: dict) -> str:
    """`table`'s valid rows with every mapping's columns and `_unmatched__<mapping>`, as a table of the
    current schema. `mappings` holds each mapping table's LoadedInput."""
    name = f"looked_up__{table}"
    selects, joins = ["t.*"], []
    for index, lookup in enumerate(lookups_on(ruleset, table)):
        mapping, key = mappings[lookup.table], ident(lookup.key)
        m, r = f"m{index}", f"r{index}"
        added = [c.name for c in ruleset.inputs[lookup.table].columns if c.name != lookup.key]
        selects += [f"{m}.{ident(c)}" for c in added]
        said = {"column": literal(lookup.key), "mapping": literal(lookup.table)}
        keyed = {"column": literal(lookup.key), "value": quoted(f"t.{key}"), "mapping_file": literal(mapping.file.name)}
        rejected = reason_sql("lookup.row_rejected", **keyed, mapping_row=f"CAST({r}.input_row AS VARCHAR)",
                              reason=f"{r}.problem")
        selects.append(
            f"CASE WHEN {m}._row_id IS NOT NULL THEN NULL "
            f"WHEN t.{key} IS NULL OR trim(t.{key}) = '' THEN {reason_sql('lookup.key_missing', **said)} "
            f"WHEN {r}.row_id IS NOT NULL THEN {rejected} "
            f"ELSE {reason_sql('lookup.not_in', **{**said, **keyed})} END AS {unmatched_column(lookup)}")
        joins.append(f"LEFT JOIN {mapping.relation} {m} ON {m}.{key} = t.{key}")
        # A key whose mapping rows were all refused (e.g. listed twice): the first refused row's reason.
        joins.append(f"LEFT JOIN (SELECT row_id, min(input_row) AS input_row, arg_min(problem, input_row) AS problem "
                     f"FROM {mapping.rejects} GROUP BY row_id) {r} ON {r}.row_id = t.{key} AND {m}._row_id IS NULL")
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {', '.join(selects)} FROM {loaded.relation} t "
                + " ".join(joins))
    return name


def coverage(planner, order: list[str]) -> list[dict[str, Any]]:
    """For each table the evaluated rules look up: per mapping the rows whose key it lacks, and the rows
    every mapping found but no rule computes and no exclusion claims, each by key with their activity."""
    ruleset, con = planner.ruleset, planner.con
    blocks = []
    tables = sorted({planner.rule_tables[r] for r in order if ruleset.rules[r].node.source.lookups})
    for table in tables:
        relation = planner.table_relation(table)
        readers = [r for r in order if ruleset.rules[r].node.source.table == table]
        measures = _measures(planner, readers)
        looked_up = sorted({lookup.table: lookup for r in readers
                            for lookup in ruleset.rules[r].node.source.lookups}.items())
        mappings = []
        for mapping, lookup in looked_up:
            unmatched = _by_keys(con, f"SELECT * FROM {relation} WHERE {unmatched_column(lookup)} IS NOT NULL",
                                 [lookup.key], measures)
            mappings.append({"mapping": mapping, "file": str(planner.inputs[mapping].file), "key": lookup.key,
                             "unmatched_rows": sum(k["rows"] for k in unmatched), "unmatched": unmatched})
        found = " AND ".join(f"t.{unmatched_column(lookup)} IS NULL" for _, lookup in looked_up)
        unclaimed = _by_keys(con, f"SELECT t.* FROM {relation} t SEMI JOIN run_excluded x ON x.input_row = t._row "
                                  f"AND x.input_table = {literal(table)} AND x.rule_id IS NULL "
                                  f"AND x.exclusion_id IS NULL WHERE {found}",
                             [lookup.key for _, lookup in looked_up], measures)
        gaps = sum(m["unmatched_rows"] for m in mappings) + sum(k["rows"] for k in unclaimed)
        blocks.append({"input": table, "file": str(planner.inputs[table].file),
                       "rows": con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0],
                       "status": "gaps" if gaps else "complete", "lookups": mappings,
                       "unclaimed_rows": sum(k["rows"] for k in unclaimed), "unclaimed": unclaimed})
    return blocks


def _measures(planner, rules: list[str]) -> list[tuple[str, str]]:
    """(quantity SQL, unit SQL) of what the rules reading a table measure, each once."""
    found: dict[tuple, tuple[str, str]] = {}
    for rule_id in rules:
        for step in planner.ruleset.rules[rule_id].steps:
            columns = activity_columns(step.parameters, planner.columns[rule_id])
            if columns is not None:
                quantity, unit_column, fixed = columns
                unit = f"CAST({ident(unit_column)} AS VARCHAR)" if unit_column else literal(fixed)
                found.setdefault(columns, (ident(quantity), unit))
    return list(found.values())


def _by_keys(con, rows_sql: str, keys: list[str], measures: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The rows of `rows_sql` by their key values: how many, and the sum of each measure by unit."""
    values = ", ".join(f"coalesce(CAST({ident(k)} AS VARCHAR), '')" for k in keys)
    groups: dict[tuple, dict[str, Any]] = {}
    for *value, rows in con.execute(f"SELECT {values}, count(*) FROM ({rows_sql}) GROUP BY ALL ORDER BY ALL").fetchall():
        groups[tuple(value)] = {"keys": dict(zip(keys, value)), "rows": rows, "activity": []}
    for quantity, unit in measures:
        for *value, unit_value, total in con.execute(
                f"SELECT {values}, {unit}, sum({quantity}) FROM ({rows_sql}) GROUP BY ALL ORDER BY ALL NULLS LAST"
        ).fetchall():
            if total is not None:
                groups[tuple(value)]["activity"].append({"unit": unit_value, "quantity": Decimal(total)})
    return list(groups.values())


def lines(blocks: list[dict[str, Any]], limit: int = 10) -> list[str]:
    """What a run prints about its lookups: every row mapped and claimed, or which keys are not."""
    out = []
    for block in blocks:
        names = " and ".join(m["mapping"] for m in block["lookups"])
        head = f"lookups of {block['input']} ({_rows(block['rows'])})"
        if block["status"] == "complete":
            out.append(f"{head}: every row is in {names} and is computed by a rule or excluded with a reason")
            continue
        out.append(f"{head}: " + "; ".join(f"{_rows(m['unmatched_rows'])} not in {m['mapping']} (on {m['key']})"
                                           for m in block["lookups"])
                   + f"; {_rows(block['unclaimed_rows'])} in {names} but computed by no rule and excluded by no "
                     f"exclusion")
        listed = [(f"not in {m['mapping']}", m["unmatched"]) for m in block["lookups"]]
        for label, keys in [*listed, ("computed by no rule, excluded by no exclusion", block["unclaimed"])]:
            if keys:
                shown = "; ".join(_key_text(k) for k in keys[:limit])
                more = f"; and {len(keys) - limit} more" if len(keys) > limit else ""
                out.append(f"  {label}: {shown}{more}")
    return out


def _rows(count: int) -> str:
    return f"{count:,} row{'s' if count != 1 else ''}"


def _key_text(group: dict[str, Any]) -> str:
    keys = ", ".join(f"{key} '{value}'" for key, value in group["keys"].items())
    activity = ", ".join(f"{a['quantity']:,f} {a['unit']}" for a in group["activity"])
    return f"{keys}: {_rows(group['rows'])}" + (f", {activity}" if activity else "")
