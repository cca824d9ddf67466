"""`tanso evaluate --report xlsx`: the run as an Excel workbook for auditors and finance teams.

Sheets: summary, by_category, by_entity, factors (the factor-file rows the ledger used, with publisher,
edition, licence), policies, rejects, excluded, ledger. Every figure is traceable: the by_category and
by_entity amounts are SUMIFS formulas over the ledger sheet's `co2e_kg_weighted` column (itself
`co2e_kg × boundary_weight`, a formula per row), and the summary's scope totals are SUMIFS over
by_category; each formula carries its value as computed by the run, so a reader without recalculation
sees the same figures. A ledger larger than LEDGER_ROWS does not fit a useful sheet: the sheet then holds
its largest rows, and the figures are the run's values with the keys (scope, category, basis) that select
their ledger rows.

Excel holds binary floating point numbers (15 significant digits): amounts are numbers, so that Excel
sums, sorts and filters them, and every exact decimal is beside them as text, in a `…_exact` column (the
ledger's `co2e_kg_exact`, the factors' `value_exact` …), equal to the run folder's CSV and Parquet files.
Written atomically, the same bytes for the same run (its creation date is fixed, not the clock's).
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from tanso import reasons
from tanso.run.ledger import LEDGER_ORDER
from tanso.run.lineage import USED_FACTORS_ORDER, USED_FACTORS_TABLE
from tanso.i18n import t
from tanso_report.comparison_view import group_label, show
from tanso_report.display import check_status
from tanso_report.evaluate_report import (EXCLUDED_COLUMNS, excluded_reasons, inventory_rows, query, reject_rows,
                                          scope_totals)
from tanso_report.pages import number, readable

LEDGER_ROWS = 500_000
WRITTEN = datetime(1980, 1, 1)   # the workbook's creation date: fixed, as an evidence pack's timestamps
# What traces a figure to its input row, rule and factor (the rest of each row is in ledger.parquet).
LEDGER_COLUMNS = ("rule_id", "input_table", "row_id", "scope", "category", "basis", "entity", "period", "gas",
                  "co2e_kg", "boundary_weight", "co2e_kg_weighted", "factor_id", "method", "data_type", "co2e_kg_exact")
WEIGHTED = xl_col_to_name(LEDGER_COLUMNS.index("co2e_kg_weighted"))


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


class _Sheet:
    """A sheet written row by row, with a bold header, frozen under it, and an autofilter."""

    def __init__(self, book, name: str, header: Sequence[str], bold):
        self.sheet = book.add_worksheet(name)
        self.sheet.write_row(0, 0, header, bold)
        self.sheet.freeze_panes(1, 0)
        self.width = len(header)
        self.row = 0

    def add(self, values: Sequence[Any]) -> int:
        self.row += 1
        for column, value in enumerate(values):
            if isinstance(value, tuple):     # (formula, value it computes)
                self.sheet.write_formula(self.row, column, value[0], None, _cell(value[1]))
            elif value is not None:
                self.sheet.write(self.row, column, _cell(value))
        return self.row + 1                  # the row's number as Excel counts

    def close(self, widths: Sequence[int] = ()) -> None:
        self.sheet.autofilter(0, 0, max(self.row, 1), self.width - 1)
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)


def _criteria(column: str, value: Any) -> str:
    """A SUMIFS criterion on a ledger column: the value, or "=" for an empty cell."""
    if value is None:
        return f'ledger!${column}:${column},"="'
    return f"ledger!${column}:${column},{value}" if isinstance(value, int) else f'ledger!${column}:${column},"{value}"'


def _column(name: str) -> str:
    return xl_col_to_name(LEDGER_COLUMNS.index(name))


def _sumifs(keys: dict[str, Any]) -> str:
    return f"=SUMIFS(ledger!${WEIGHTED}:${WEIGHTED}," + ",".join(_criteria(_column(k), v) for k, v in keys.items()) + ")"


def render_workbook(result, path: Path | None) -> None:
    if path is None:
        raise ValueError("an Excel workbook is written to a file, not printed")
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        readable(temporary)
        _write(result, Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return None


def _write(result, target: Path) -> None:
    book = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    book.set_properties({"created": WRITTEN})   # not the clock's: the same run gives the same bytes
    bold = book.add_format({"bold": True})
    ledger_count = query(result, "SELECT count(*) AS n FROM {s}.run_ledger")[0]["n"]
    traced = ledger_count <= LEDGER_ROWS
    rows = inventory_rows(result)

    summary = _Sheet(book, "summary", [t("xl.item"), t("col.value"), t("xl.note")], bold)
    by_category = _Sheet(book, "by_category", ["scope", "category", "basis", "co2e_kg", "t_co2e", "rules",
                                               "ledger_rows", "co2e_kg_exact", t("xl.category_name")], bold)
    totals = scope_totals(rows)
    category_rows = {}
    for row in rows:
        keys = {"scope": row["scope"], "category": row["category"], "basis": row["basis"]}
        amount = (_sumifs(keys), row["co2e_kg"]) if traced else row["co2e_kg"]
        number_row = by_category.row + 2
        category_rows[(row["scope"], row["category"], row["basis"])] = number_row
        by_category.add([row["scope"], row["category"], row["basis"], amount, (f"=D{number_row}/1000",
                         row["co2e_kg"] / 1000), row["rules"], row["ledger_rows"], format(row["co2e_kg"], "f"),
                         group_label(row["scope"], row["category"], row["basis"])])
    by_category.close([8, 10, 10, 20, 16, 8, 12, 36, 48])

    def scope_formula(scope: int, basis: str) -> str:
        """Σ by_category over a scope on one basis and the rows without a basis."""
        last = by_category.row + 1
        return (f'=SUMIFS(by_category!$D$2:$D${last},by_category!$A$2:$A${last},{scope},by_category!$C$2:$C${last},'
                f'"{basis}")+SUMIFS(by_category!$D$2:$D${last},by_category!$A$2:$A${last},{scope},'
                f'by_category!$C$2:$C${last},"=")')

    ruleset = result.ruleset
    status = result.completeness.get("status", "")
    for item, value, note in [(t("xl.ruleset"), ruleset.name, " → ".join(ruleset.layers)),
                              (t("xl.title"), ruleset.title or ruleset.name, ""),
                              *([(t("xl.period"), str(ruleset.period), ruleset.cite(ruleset.period.span))]
                                if ruleset.period is not None else []),
                              (t("xl.digest"), result.digest, ""),
                              (t("xl.completeness"), t(f"xl.completeness.{status}") if status else "",
                               t("xl.see_rejects")),
                              (t("xl.ledger_rows"), ledger_count, t("xl.all_rows") if traced else
                               t("xl.largest_rows", n=LEDGER_ROWS))]:
        summary.add([item, value, note])
    for key, scope, basis in [("scope1", 1, "location"), ("scope2_location", 2, "location"),
                              ("scope2_market", 2, "market"), ("scope3", 3, "location")]:
        summary.add([t(f"xl.{key}"), (scope_formula(scope, basis), totals[key]), t("xl.sum_note")])
    for check in result.checks:
        summary.add([t("xl.check", id=check["id"]), t("check." + check_status(check)), check["title"] or ""])
    for metric in result.metrics:
        summary.add([t("xl.metric", id=metric["id"]), metric["value"], number(metric["value"], metric["unit"])])
    for exclusion in result.exclusions:
        summary.add([t("xl.excluded", id=exclusion["id"]), exclusion["justification"], exclusion["source"]])
    summary.close([44, 24, 60])

    by_entity = _Sheet(book, "by_entity", ["entity", "scope", "basis", "co2e_kg", "t_co2e", "co2e_kg_exact"], bold)
    for row in query(result, "SELECT entity, scope, basis, sum(co2e_kg) AS co2e_kg FROM {s}.run_groups "
                             "WHERE scope IS NOT NULL GROUP BY ALL ORDER BY entity NULLS FIRST, scope, basis NULLS FIRST"):
        keys = {"entity": row["entity"], "scope": row["scope"], "basis": row["basis"]}
        number_row = by_entity.row + 2
        by_entity.add([row["entity"], row["scope"], row["basis"],
                       (_sumifs(keys), row["co2e_kg"]) if traced else row["co2e_kg"],
                       (f"=D{number_row}/1000", row["co2e_kg"] / 1000), format(row["co2e_kg"], "f")])
    by_entity.close([16, 8, 10, 20, 16, 36])

    _table(book, "factors", bold, result, f"SELECT * FROM {{s}}.{USED_FACTORS_TABLE} ORDER BY {USED_FACTORS_ORDER}")
    policies = _Sheet(book, "policies", ["option", "value", "set by", "status", "as of", "source"], bold)
    for name, p in sorted((result.manifest.get("policies") or {}).items()):
        policies.add([name, None if p["value"] is None else show(p["value"]), p.get("at") or p.get("layer"),
                      p.get("status"), p.get("as_of"), p.get("source")])
    policies.close([40, 24, 40, 16, 12, 80])
    _reasons_sheet(book, "rejects", bold, ["input_table", "input_row", "row_id", "rule_id", "rule_source"],
                   reject_rows(result, limit=None), [18, 10, 12, 30, 40, 24, 80])
    _reasons_sheet(book, "excluded", bold, EXCLUDED_COLUMNS, excluded_reasons(result), [12, 18, 10, 30, 24, 30, 24, 80])
    _ledger(book, bold, result, traced)
    book.close()


def _reasons_sheet(book, name: str, bold, columns: list[str], rows: list[dict], widths: list[int]) -> None:
    """Rows with a stored reason: its code, then the reason in the run's language (a justification as written)."""
    sheet = _Sheet(book, name, [*columns, "reason_code", "reason"], bold)
    said = {reason: reasons.render(reason) for reason in {row["reason"] for row in rows}}
    for row in rows:
        sheet.add([*(row[c] for c in columns), row["reason_code"], said[row["reason"]]])
    sheet.close(widths)


def _table(book, name: str, bold, result, sql: str) -> None:
    """A run table as a sheet; each column holding decimals gets a `…_exact` text column after the others."""
    rows = query(result, sql)
    columns = list(rows[0]) if rows else [d[0] for d in result.connection.execute(
        sql.format(s=result.schema) + " LIMIT 0").description]
    exact = [c for c in columns if any(isinstance(row[c], Decimal) for row in rows)]
    sheet = _Sheet(book, name, [*columns, *(f"{c}_exact" for c in exact)], bold)
    for row in rows:
        sheet.add([v if isinstance(v, (int, float, Decimal, str)) or v is None else str(v) for v in row.values()]
                  + [None if row[c] is None else format(row[c], "f") for c in exact])
    sheet.close([18] * (len(columns) + len(exact)))


def _ledger(book, bold, result, traced: bool) -> None:
    sheet = _Sheet(book, "ledger", LEDGER_COLUMNS, bold)
    # Every column breaks ties (LEDGER_ORDER): the same rows in the same order on any thread count.
    order = f"rule_id, input_table, {LEDGER_ORDER}" if traced else f"co2e_kg * boundary_weight DESC, rule_id, {LEDGER_ORDER}"
    computed = {"co2e_kg_weighted": "co2e_kg * boundary_weight", "co2e_kg_exact": "CAST(co2e_kg AS VARCHAR)"}
    columns = ", ".join(computed.get(c, c) for c in LEDGER_COLUMNS)
    cursor = result.connection.execute(f"SELECT {columns} FROM {result.schema}.run_ledger ORDER BY {order} "
                                       f"LIMIT {LEDGER_ROWS}")
    kg, weight = _column("co2e_kg"), _column("boundary_weight")
    position = LEDGER_COLUMNS.index("co2e_kg_weighted")
    write_string, write_number, write_formula = (sheet.sheet.write_string, sheet.sheet.write_number,
                                                 sheet.sheet.write_formula)
    while batch := cursor.fetchmany(10_000):    # ~40,000 rows a second: the typed writers, not `write`
        for values in batch:
            sheet.row += 1
            line = sheet.row
            for column, value in enumerate(values):
                if column == position:
                    write_formula(line, column, f"={kg}{line + 1}*{weight}{line + 1}", None, float(value))
                elif isinstance(value, str):
                    write_string(line, column, value)
                elif value is not None:
                    write_number(line, column, float(value))
    sheet.close([30, 18, 10, 6, 8, 9, 12, 9, 10, 18, 8, 18, 30, 30, 14, 36])
