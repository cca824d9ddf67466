"""Checks of the reporting period (`period 2025-04-01 to 2026-03-31` in the header) and of each input's
`period COLUMN`: real dates in order, a period column that exists and can date a row, and — where the
ruleset has a period — a period column on every input a rule reads, so that no row enters the
inventory without being checked against it."""

from __future__ import annotations

from datetime import date

from tanso.diagnostics import Diagnostics
from tanso.dsl import ast
from tanso.model.layer import _Layer

PERIOD_TYPES = ("date", "integer", "text")
PERIOD_VALUES = "a date, an integer (a year) or text holding YYYY, YYYY-MM or YYYY-MM-DD"
_LIKELY_NAMES = ("period", "date", "month", "year", "fiscal_year", "day")


def check_reporting_period(layer: _Layer, diagnostics: Diagnostics) -> None:
    """Every input's `period` column, and — where the ruleset has a period — its days and the inputs' dates."""
    for table in layer.inputs.values():
        if table.period is not None:
            _check_period_column(table, diagnostics)
    period = layer.period
    if period is None:
        return   # an input's `period` is allowed and unused: the run has no period to check it against
    _check_dates(period, diagnostics)
    read = dict.fromkeys(node.source.table for node, _ in layer.rules.values()
                         if node.source is not None and node.source.table in layer.inputs)
    undated = [layer.inputs[name] for name in read if layer.inputs[name].period is None]
    if undated:
        names = (undated[0].name if len(undated) == 1
                 else f"{', '.join(table.name for table in undated[:-1])} and {undated[-1].name}")
        clauses = "; ".join(f"add `period {_likely_column(table) or 'COLUMN'}` to input {table.name} ({table.span.short})"
                            for table in undated)
        diagnostics.error(f"the ruleset has a reporting period, but input{'s' if len(undated) > 1 else ''} {names} "
                          f"{'does' if len(undated) == 1 else 'do'} not say which column dates each row",
                          period.span, expected=f"a `period COLUMN` clause on every input a rule reads, naming "
                                                f"{PERIOD_VALUES}", hint=clauses)


def _check_period_column(table: ast.InputTable, diagnostics: Diagnostics) -> None:
    span = table.clause_spans.get("period", table.span)
    columns = {column.name: column for column in table.columns}
    column = columns.get(table.period)
    if column is None:
        diagnostics.unknown("column", table.period, span, columns)
    elif column.type_name not in PERIOD_TYPES:
        diagnostics.error(f"the period column '{column.name}' of input {table.name} is {column.type_name}", span,
                          expected=f"a column that dates each row: {PERIOD_VALUES}",
                          hint=f"declared at {column.span}")


def _check_dates(period: ast.ReportingPeriod, diagnostics: Diagnostics) -> None:
    days = []
    for text in (period.start, period.end):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            diagnostics.error(f"{text} is not a day of the calendar", period.span, expected="a date YYYY-MM-DD")
    if len(days) == 2 and days[0] > days[1]:
        diagnostics.error(f"the reporting period starts on {period.start}, after it ends ({period.end})", period.span,
                          expected="period FIRST_DAY to LAST_DAY, both included (e.g. period 2025-04-01 to 2026-03-31)")


def _likely_column(table: ast.InputTable) -> str | None:
    """The column that probably dates the rows: one with a date-like name and a type that can, else the
    only date column."""
    fitting = {c.name: c for c in table.columns if c.type_name in PERIOD_TYPES}
    dates = [c.name for c in table.columns if c.type_name == "date"]
    return next((name for name in _LIKELY_NAMES if name in fitting), dates[0] if len(dates) == 1 else None)
