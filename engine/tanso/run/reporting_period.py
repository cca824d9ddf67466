"""The reporting period at run time: each row of an input with a `period` column lies inside the ruleset's
period, wholly outside it (excluded, id `reporting_period`), across one of its boundaries or cannot be read
as a period (both rejected: never silently in or out).

A row's period is a day (a date column, or text YYYY-MM-DD), a month (text YYYY-MM) or a year (an integer,
or text YYYY). It is placed by comparing it with the reporting period's first and last day cut to the same
length (a month with '2025-04'), so the SQL holds only comparisons, regular expressions and one CAST to a
date: the same on DuckDB and Spark. A month or year is inside when the reporting period holds all its days.
"""

from __future__ import annotations

import calendar

from tanso.dsl import ast
from tanso.model.ruleset import Ruleset
from tanso.plan.sql import ident, literal
from tanso.reasons import reason_sql

REPORTING_PERIOD_EXCLUSION = "reporting_period"
INSIDE, OUTSIDE, STRADDLES, UNREADABLE = "inside", "outside", "straddles", "unreadable"
_YEAR, _MONTH, _DAY = 4, 7, 10   # the length of a year, a month and a day written as ISO text
_TEXT_SHAPES = ((_YEAR, "[0-9]{4}"), (_MONTH, "[0-9]{4}-(0[1-9]|1[0-2])"), (_DAY, "[0-9]{4}-[0-9]{2}-[0-9]{2}"))


def period_column(ruleset: Ruleset, table: str) -> ast.Column | None:
    """The column that dates the rows of `table`, where the ruleset has a reporting period to check them against."""
    declared = ruleset.inputs[table]
    if ruleset.period is None or declared.period is None:
        return None
    return ruleset.columns_of(table)[declared.period]


def placement_sql(ruleset: Ruleset, table: str) -> str | None:
    """SQL of each row's place against the reporting period: 'inside', 'outside', 'straddles' or
    'unreadable'; None where the table's rows are not checked (no reporting period, no period column)."""
    column = period_column(ruleset, table)
    if column is None:
        return None
    value, period = ident(column.name), ruleset.period
    if column.type_name == "date":
        placed = _placed(value, period, _DAY, lambda day: f"CAST({literal(day)} AS DATE)")
        return f"CASE WHEN {value} IS NULL THEN '{UNREADABLE}' ELSE {placed} END"
    if column.type_name == "integer":
        return f"CASE WHEN {value} IS NULL THEN '{UNREADABLE}' ELSE {_placed(value, period, _YEAR, str)} END"
    shapes = " ".join(f"WHEN regexp_full_match({value}, {literal(pattern)})"
                      + (f" AND try(CAST({value} AS DATE)) IS NOT NULL" if length == _DAY else "")
                      + f" THEN {_placed(value, period, length, literal)}" for length, pattern in _TEXT_SHAPES)
    return f"CASE {shapes} ELSE '{UNREADABLE}' END"


def _placed(value: str, period: ast.ReportingPeriod, length: int, constant) -> str:
    """Where a row's period of `length` (a year, month or day) lies: outside when it ends before the
    reporting period's first day's year/month/day or starts after its last's; inside when it holds no day
    beyond the reporting period (a month equal to the first day's is inside only if that day is the 1st)."""
    first, last = period.start[:length], period.end[:length]
    starts_whole = period.start[length:] in ("", "-01", "-01-01")
    year, month, day = (int(part) for part in period.end.split("-"))
    ends_whole = length == _DAY or (length == _MONTH and day == calendar.monthrange(year, month)[1]) \
        or period.end[length:] == "-12-31"
    low, high = constant(first), constant(last)
    return (f"CASE WHEN {value} < {low} OR {value} > {high} THEN '{OUTSIDE}' "
            f"WHEN {value} {'>=' if starts_whole else '>'} {low} AND {value} {'<=' if ends_whole else '<'} {high} "
            f"THEN '{INSIDE}' ELSE '{STRADDLES}' END")


def outside_sql(ruleset: Ruleset, table: str) -> str | None:
    """SQL condition true for the rows of `table` no rule may compute: not inside the reporting period."""
    placement = placement_sql(ruleset, table)
    return None if placement is None else f"({placement}) <> '{INSIDE}'"


def record_placements(planner, table: str, relation: str) -> str | None:
    """Rows of `table` outside the reporting period into run_excluded, those across a boundary or unreadable
    into run_rejects (no rule's: their source is the period clause), each reason naming the row's period and
    the reporting period. Returns the condition
    of the rows so claimed (None: the table's rows are not checked)."""
    placement = placement_sql(planner.ruleset, table)
    if placement is None:
        return None
    ruleset, column = planner.ruleset, period_column(planner.ruleset, table)
    shown = f"coalesce('''' || CAST({ident(column.name)} AS VARCHAR) || '''', '''''')"
    said = {"column": literal(column.name), "value": shown, "period": literal(str(ruleset.period))}
    placed = f"(SELECT *, {placement} AS _placement FROM {relation})"
    planner.con.execute(
        f"INSERT INTO run_excluded SELECT _row_id, {literal(table)}, _row, NULL, {literal(REPORTING_PERIOD_EXCLUSION)}, "
        f"{literal(ruleset.cite(ruleset.period.span))}, {reason_sql('period_outside', **said)} FROM {placed} "
        f"WHERE _placement = '{OUTSIDE}'")
    planner.con.execute(
        f"INSERT INTO run_rejects SELECT _row_id, {literal(table)}, _row, NULL, {literal(ruleset.cite(ruleset.period.span))}, "
        f"{planner.inputs[table].place_sql('_row')} || ': ' || CASE _placement WHEN '{STRADDLES}' THEN "
        f"{reason_sql('period_straddles', **said)} ELSE {reason_sql('period_unreadable', **said)} END "
        f"FROM {placed} WHERE _placement IN ('{STRADDLES}', '{UNREADABLE}')")
    return outside_sql(ruleset, table)
