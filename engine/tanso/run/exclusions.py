"""Where a run's rows go that no rule computes: explicit exclusions, rows no rule selects, and the
boundary's outcomes (weight-0 entities excluded, unknown entities rejected)."""

from __future__ import annotations

from tanso.dsl import ast
from tanso.plan.sql import ident, literal
from tanso.reasons import reason_text
from tanso.run.lookups import rejected_by_lookups
from tanso.run.planner import _Planner
from tanso.run.reporting_period import record_placements

BOUNDARY_EXCLUSION = "boundary"


def _exclusions(planner: _Planner, tables: list[str], order: list[str]) -> None:
    """Rows outside the reporting period first (tanso.run.reporting_period), then explicit exclusions (their
    justification is the reason), then rows no rule selects."""
    con, ruleset = planner.con, planner.ruleset
    for table in tables:
        relation = planner.table_relation(table)
        placed = record_placements(planner, table, relation)
        claimed = [placed] if placed is not None else []
        for item in ruleset.exclusions.values():
            source = item.node.source
            if source is None or source.table != table:
                continue
            where = planner.rows_sql(source)
            # The first exclusion that matches a row claims it.
            earlier = " OR ".join(f"({c})" for c in claimed) or "FALSE"
            con.execute(f"INSERT INTO run_excluded SELECT _row_id, {literal(table)}, _row, NULL, {literal(item.node.id)}, "
                        f"{literal(ruleset.cite(item.node.span))}, {literal(item.node.justification)} FROM {relation} "
                        f"WHERE {where} AND NOT ({earlier})")
            claimed.append(where)
        rule_filters = [planner.rows_sql(ruleset.rules[r].node.source) for r in order
                        if ruleset.rules[r].node.source.table == table]
        already = " OR ".join(f"({c})" for c in claimed) or "FALSE"
        # A row whose key a rule would look up but is in no mapping row is rejected once, naming the key.
        unmapped = rejected_by_lookups(planner, table, order)
        if unmapped is not None:
            con.execute(f"INSERT INTO run_rejects SELECT _row_id, {literal(table)}, _row, NULL, _lookup_source, "
                        f"{planner.inputs[table].place_sql('_row')} || ': ' || "
                        f"_lookup_reason FROM ({unmapped}) WHERE NOT ({already})")
            already += f" OR _row IN (SELECT _row FROM ({unmapped}))"
        if "TRUE" in rule_filters:
            continue
        selected = " OR ".join(rule_filters) or "FALSE"
        reading = [r for r in order if ruleset.rules[r].node.source.table == table]
        rules = ", ".join(reading)
        # A row the rules cannot select because a column they select by is empty is a data gap, not a choice.
        keys = list(dict.fromkeys(n.dotted for r in reading for n in ast.walk(ruleset.rules[r].node.source.where)
                                  if isinstance(n, ast.Name) and n.dotted in planner.inputs[table].columns))
        empty = " ".join(f"WHEN {ident(k)} IS NULL THEN "
                         f"{literal(reason_text('unselected_missing', column=k, table=table, by=k, rules=rules))}"
                         for k in keys)
        unselected = f"WHERE NOT ({selected}) AND NOT ({already})"
        if keys:
            con.execute(f"INSERT INTO run_rejects SELECT _row_id, {literal(table)}, _row, NULL, NULL, "
                        f"{planner.inputs[table].place_sql('_row')} || ': ' || "
                        f"CASE {empty} END FROM {relation} {unselected} AND ({' OR '.join(f'{ident(k)} IS NULL' for k in keys)})")
            unselected += f" AND NOT ({' OR '.join(f'{ident(k)} IS NULL' for k in keys)})"
        con.execute(f"INSERT INTO run_excluded SELECT _row_id, {literal(table)}, _row, NULL, NULL, NULL, "
                    f"{literal(reason_text('no_rule_selects', table=table, rules=rules))} "
                    f"FROM {relation} {unselected}")


def _boundary_outcomes(planner: _Planner, order: list[str]) -> None:
    """Rows of weight-0 entities are excluded per rule, with the boundary's reason; rows whose entity
    the boundary does not know are rejected (a data gap, not a choice)."""
    if planner.ruleset.boundary is None:
        return
    con, source = planner.con, planner.ruleset.cite(planner.ruleset.boundary.span)
    rejected_entities = _rejected_entities(planner)
    _refused_entities(planner)
    # Whether any row of an input table has no weight, or weight 0: a rule's rows are some of its table's,
    # so a rule of a table with neither needs no statement (each binds the rule's views: ~10 ms).
    found: dict[str, tuple[bool, bool]] = {}
    for rule_id in order:
        rule = planner.ruleset.rules[rule_id]
        if rule.node.source.table is None or "entity" not in planner.columns[rule_id]:
            continue  # derived rows inherit their origin's weight; rows without an entity are not weighted
        candidates, table = planner.candidates[rule_id], literal(planner.rule_tables[rule_id])
        if rule.node.source.table not in found:
            weighted = planner.weighted(planner.table_relation(rule.node.source.table), planner.columns[rule_id])
            found[rule.node.source.table] = con.execute(
                f"SELECT coalesce(bool_or(_boundary_weight IS NULL), FALSE), coalesce(bool_or(_boundary_weight = 0), "
                f"FALSE) FROM ({weighted})").fetchall()[0]
        unweighted, zero = found[rule.node.source.table]
        if zero:
            con.execute(f"INSERT INTO run_excluded SELECT _row_id, {table}, _row, {literal(rule_id)}, "
                        f"{literal(BOUNDARY_EXCLUSION)}, {literal(source)}, _boundary_reason FROM {candidates} "
                        f"WHERE _boundary_weight = 0")
        if not unweighted:
            continue
        con.execute(f"INSERT INTO run_rejects SELECT c._row_id, {table}, c._row, {literal(rule_id)}, "
                    f"{literal(planner.ruleset.cite(rule.node.span))}, "
                    f"'entity ' || coalesce('''' || c.entity || '''', 'empty') "
                    f"|| coalesce(' is in ' || r.file || ' but its row ' || CAST(r.input_row AS VARCHAR) "
                    f"|| ' was rejected: ' || r.problem, ' is refused by the boundary: ' || c._boundary_reason, "
                    f"' is not in the boundary''s entities table') "
                    f"FROM {candidates} c LEFT JOIN ({rejected_entities}) r ON r.entity = c.entity "
                    f"WHERE c._boundary_weight IS NULL")


def _refused_entities(planner: _Planner) -> None:
    """The rows of the boundary's tables whose entity the boundary refuses (no weight, a reason: e.g. held
    through a parent whose row was rejected) are rejects too, with that reason."""
    step = planner.ruleset.boundary
    method = planner.registry.boundary_methods[step.method]
    boundary = planner.boundary_relation()
    for parameter in method.table_parameters:
        table = getattr(step.parameters, parameter)
        loaded = planner.inputs.get(table)
        if loaded is None or "entity" not in loaded.columns:
            continue
        planner.con.execute(
            f"INSERT INTO run_rejects SELECT t._row_id, {literal(table)}, t._row, NULL, NULL, 'entity ''' || "
            f"CAST(t.entity AS VARCHAR) || ''' is refused by the boundary ({planner.ruleset.cite(step.span)}): ' "
            f"|| b.reason "
            f"FROM {loaded.relation} t JOIN {boundary} b ON b.entity = CAST(t.entity AS VARCHAR) "
            f"WHERE b.weight IS NULL")


def _rejected_entities(planner: _Planner) -> str:
    """Entities whose row of a boundary table was refused while reading: entity, file, input_row, problem
    (the first such row of each entity), so a row of that entity is rejected for the real cause."""
    step = planner.ruleset.boundary
    method = planner.registry.boundary_methods[step.method]
    parts = []
    for parameter in method.table_parameters:
        loaded = planner.inputs.get(getattr(step.parameters, parameter))
        if loaded is None or not loaded.rejected or "entity" not in loaded.columns:
            continue
        parts.append(f"SELECT CAST(t.entity AS VARCHAR) AS entity, {literal(loaded.file.name)} AS file, r.input_row, "
                     f"r.problem FROM {loaded.rejects} r JOIN {loaded.typed} t ON t._row = r.input_row "
                     f"WHERE t.entity IS NOT NULL")
    if not parts:
        return "SELECT CAST(NULL AS VARCHAR) AS entity, '' AS file, 0 AS input_row, '' AS problem WHERE FALSE"
    return (f"SELECT entity, arg_min(file, input_row) AS file, min(input_row) AS input_row, "
            f"arg_min(problem, input_row) AS problem FROM ({' UNION ALL '.join(parts)}) GROUP BY entity")
