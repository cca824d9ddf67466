"""Checks of the reporting period (`period 2025-04-01 to 2026-03-31` in the header) and of each input's
`period COLUMN`: real dates in order, a period column that exists and can date a row, and — where the
ruleset has a period — a period column on every input a rule reads, so that no row enters the
inventory without being checked against it."""

from __future__ import annotations

from datetime import date

from tanso.diagnostics import Diagnostics
from tanso.dsl import ast
from tanso.i18n import t
from tanso.model.layer import _Layer

PERIOD_TYPES = ("date", "integer", "text")
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
                 else t("diag.period_names", first=", ".join(table.name for table in undated[:-1]), last=undated[-1].name))
        clauses = "; ".join(_clause_to_add(table, layer) for table in undated)
        diagnostics.error(t("diag.period_undated.one" if len(undated) == 1 else "diag.period_undated.many", names=names),
                          period.span, expected=t("diag.period_on_every_input", values=t("diag.period_values")),
                          hint=clauses)


def _clause_to_add(table: ast.InputTable, layer: _Layer) -> str:
    """The `period` clause on the input's own declaration, or — declared by an earlier layer — the
    amendment that dates it from the last layer."""
    column, declared_by = _likely_column(table) or "COLUMN", layer.input_layers.get(table.name, layer.name)
    if declared_by == layer.name:
        return t("diag.period_add_clause", column=column, table=table.name, at=table.span.short)
    return t("diag.period_amend_clause", column=column, table=table.name, layer=layer.name, base=declared_by,
             at=table.span.short)


def _check_period_column(table: ast.InputTable, diagnostics: Diagnostics) -> None:
    span = table.clause_spans.get("period", table.span)
    columns = {column.name: column for column in table.columns}
    column = columns.get(table.period)
    if column is None:
        diagnostics.unknown("column", table.period, span, columns)
    elif column.type_name not in PERIOD_TYPES:
        diagnostics.error(t("diag.period_column_type", column=column.name, table=table.name, type=column.type_name),
                          span, expected=t("diag.period_column_expected", values=t("diag.period_values")),
                          hint=t("diag.declared_at", at=column.span))


def _check_dates(period: ast.ReportingPeriod, diagnostics: Diagnostics) -> None:
    days = []
    for text in (period.start, period.end):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            diagnostics.error(t("diag.period_not_a_day", text=text), period.span, expected=t("diag.period_day_expected"))
    if len(days) == 2 and days[0] > days[1]:
        diagnostics.error(t("diag.period_reversed", start=period.start, end=period.end), period.span,
                          expected=t("diag.period_reversed_expected"))


def _likely_column(table: ast.InputTable) -> str | None:
    """The column that probably dates the rows: one with a date-like name and a type that can, else the
    only date column."""
    fitting = {c.name: c for c in table.columns if c.type_name in PERIOD_TYPES}
    dates = [c.name for c in table.columns if c.type_name == "date"]
    return next((name for name in _LIKELY_NAMES if name in fitting), dates[0] if len(dates) == 1 else None)
