"""The invariants a run checks before it reports: every selected row is in exactly one of ledger,
rejects or excluded (conservation), and no instrument is claimed beyond its quantity."""

from __future__ import annotations

from tanso.diagnostics import InvariantError
from tanso.plan.sql import literal
from tanso.run.planner import _Planner

def _check_claims(con) -> None:
    """No instrument is claimed beyond its quantity, nor from more than one row of its table (an id
    listed twice would hold its quantity twice): set-based, over every claim of the run."""
    problems = con.execute(
        "SELECT instrument_table, instrument_id, count(DISTINCT instrument_row_id), sum(quantity), "
        "max(instrument_quantity), min(instrument_quantity), any_value(quantity_unit) FROM run_claims "
        "GROUP BY instrument_table, instrument_id HAVING count(DISTINCT instrument_row_id) > 1 "
        "OR count(DISTINCT quantity_unit) > 1 OR min(instrument_quantity) <> max(instrument_quantity) "
        "OR sum(quantity) > min(instrument_quantity) OR bool_or(quantity < 0 OR instrument_id IS NULL) "
        "ORDER BY ALL LIMIT 5").fetchall()
    if problems:
        shown = "; ".join(f"{table} {instrument!r}: {claimed} {unit} claimed from {rows} row(s), "
                          f"quantity {held} {unit}" for table, instrument, rows, claimed, held, _, unit in problems)
        raise InvariantError("instruments over-claimed — an instrument is one row of its table and covers at most "
                             "its quantity: " + shown)


def _check_conservation(planner: _Planner, order: list[str], tables: list[str]) -> dict[str, int]:
    """Every row a rule selects is in its ledger, its rejects or (boundary) excluded — exactly one —
    and every row of an input file is valid or rejected while reading."""
    con = planner.con
    problems = []
    # Rows per rule in the ledger, counted exactly with a bitmap over the row numbers.
    in_ledger = {}
    for table in tables:
        last_row = planner.inputs[table].last_row
        in_ledger |= dict(con.execute(
            f"SELECT rule_id, bit_count(bitstring_agg(input_row, 1, {max(last_row, 1)})) FROM run_ledger "
            f"WHERE input_table = {literal(table)} GROUP BY rule_id").fetchall())
    # A rule's rejects of its own rows (not of the instruments its calculator refused).
    rejected = {rule_id: n for rule_id, table, n in con.execute(
        "SELECT rule_id, input_table, count(*) FROM run_rejects WHERE rule_id IS NOT NULL GROUP BY ALL").fetchall()
        if rule_id in planner.rule_tables and planner.rule_tables[rule_id] == table}
    excluded = dict(con.execute("SELECT rule_id, count(*) FROM run_excluded WHERE rule_id IS NOT NULL GROUP BY ALL").fetchall())
    selected = {}
    # One scan per table counts the rows every rule selects. The boundary's LEFT JOIN is left out: with
    # one weight per entity (checked when the boundary is built) it cannot change a count.
    for table in tables:
        rules = [r for r in order if planner.rule_tables[r] == table]
        counts = con.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {planner.candidates[r]})" for r in rules)
                             if any(planner.ruleset.rules[r].node.source.table is None for r in rules) else
                             f"SELECT {', '.join(_selected_count(planner, r) for r in rules)} "
                             f"FROM {planner.table_relation(table)}").fetchone()
        selected |= dict(zip(rules, counts))
    for rule_id in order:
        n_ledger, n_rejected, n_excluded = in_ledger.get(rule_id, 0), rejected.get(rule_id, 0), excluded.get(rule_id, 0)
        if selected[rule_id] != n_ledger + n_rejected + n_excluded:
            problems.append(f"rule {rule_id}: {selected[rule_id]} rows selected, {n_ledger} in the ledger, "
                            f"{n_rejected} rejected, {n_excluded} excluded (by the boundary or its calculator)")
    overlap = con.execute("SELECT r.rule_id, r.outcome, count(*) FROM (SELECT rule_id, row_id, input_table, 'in rejects' "
                          "AS outcome FROM run_rejects UNION ALL SELECT rule_id, row_id, input_table, 'excluded' FROM "
                          "run_excluded WHERE rule_id IS NOT NULL) r SEMI JOIN run_ledger l ON l.rule_id = r.rule_id "
                          "AND l.row_id = r.row_id AND l.input_table = r.input_table GROUP BY ALL ORDER BY ALL").fetchall()
    problems += [f"rule {rule_id}: {n} rows both in the ledger and {outcome}" for rule_id, outcome, n in overlap]
    # Every table the run read (by a rule, a calculator, the boundary, a metric, a check or a reporter): each
    # row of its file is valid or a reject, counted in the relations the run used.
    for table in sorted(planner.inputs):
        loaded = planner.inputs[table]
        valid, refused = con.execute(f"SELECT (SELECT count(*) FROM {loaded.relation}), "
                                     f"(SELECT count(*) FROM {loaded.rejects})").fetchone()
        if loaded.rows != refused + valid or refused != loaded.rejected:
            problems.append(f"input {table}: {loaded.rows} rows read, {valid} valid + {refused} rejected"
                            + (f" (the load counted {loaded.rejected} rejected)" if refused != loaded.rejected else ""))
    if problems:
        raise InvariantError("conservation violated — every input row must be in the ledger, rejects or excluded: "
                             + "; ".join(problems))
    return selected


def _selected_count(planner: _Planner, rule_id: str) -> str:
    source = planner.ruleset.rules[rule_id].node.source
    return f"count(*) FILTER (WHERE {planner.rows_sql(source)} AND NOT ({planner.exclusion_filter(source.table)}))"
