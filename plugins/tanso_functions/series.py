"""Integrity checks over time series, for any ruleset: `jumps` and `outside` count what they flag and
list it (the check's findings, in the run's output, JSON and manifest).

`jumps(...)` flags the periods whose value jumps above its own history: for each series (one per
value of the `by` columns: an account and region, a project) and each period, the values of its
trailing `trailing` periods (default 6) give a median m and a median absolute deviation MAD; the
period is flagged when x - m > threshold × 1.4826 × MAD (the modified z-score of Iglewicz and Hoaglin,
1993, whose recommended cut-off 3.5 is the default; 1.4826 × MAD estimates the standard deviation of
normal data) and x - m > min_rise × |m| (default 0.5: a rise of at least half the median, so a flat
history does not flag a change of a gram). A period needs `min_history` earlier periods (default 3).
Periods are compared as written (YYYY-MM sorts by time). The statistic is computed in floating point:
it judges, it does not add up. The series is one of

- `jumps(rule: R, by: [c, …])`: the rule's kg CO2e in the ledger (boundary-weighted), by columns of its
  input rows and the ledger's period (or `period: c`, a column of those rows);
- `jumps(table.column, by: [c, …], period: c)`: the sum of an input column (a cost);
- `jumps(rule: R, by: […], per: table.column, per_by: […], per_period: c)`: the rule's kg CO2e per unit of
  another table's column (emissions per cost), the two series matched on their `by` / `per_by` values
  (in order) and period; a period whose denominator is 0 or missing has no value.

`outside(table.column, allowed: ["a", "b"])` counts the distinct values of an input column outside the
list (an empty value is not one) and lists each with its rows and where it first occurs.
"""

from __future__ import annotations

from decimal import Decimal

from tanso.i18n import register
from tanso.plan.context import FunctionContext
from tanso.plan.sql import ident, literal
from tanso.reasons import reason_sql

MAD_TO_SIGMA = Decimal("1.4826")
DEFAULTS = {"trailing": 6, "threshold": Decimal("3.5"), "min_history": 3, "min_rise": Decimal("0.5")}
JUMPS_ARGUMENTS = ("rule", "by", "period", "per", "per_by", "per_period", *DEFAULTS)
# The statistics are stored as printf's %.6g writes them (the digest hashes the text) and said with thousands
# separators ({…:,f}, tanso.reasons), as the metrics are.
_HISTORY = "{series} · {period}: {value:,f} {unit}; its trailing {n} periods: median {median:,f}, MAD {mad:,f}"
_HISTORY_JA = "{series} · {period}：{value:,f} {unit}。直前 {n} 期間の中央値 {median:,f}、MAD {mad:,f}"
_LIMITS = " (threshold {threshold}, rise at least {min_rise} × the median)"
_LIMITS_JA = "（閾値 {threshold}、中央値の {min_rise} 倍以上の増加）"
# What the checks flag, by code (tanso.reasons): stored in English, said in the run's language.
register({
    "reason.jump": {"en": _HISTORY + " → {deviations:,f} robust deviations above" + _LIMITS,
                    "ja": _HISTORY_JA + " → 上方へロバスト偏差 {deviations:,f} 個分" + _LIMITS_JA},
    "reason.jump_flat_history": {"en": _HISTORY + _LIMITS, "ja": _HISTORY_JA + _LIMITS_JA},
    "reason.not_allowed": {"en": "{column} '{value}' is not allowed: {rows} row at {place}",
                           "ja": "{column} '{value}' は許可されていない：{rows} 行（{place}）"},
    "reason.not_allowed_rows": {"en": "{column} '{value}' is not allowed: {rows} rows, the first at {place}",
                                "ja": "{column} '{value}' は許可されていない：{rows} 行、最初は {place}"},
})


def _names(value, what: str) -> list[str]:
    names = value if isinstance(value, list) else [value]
    if not all(isinstance(n, str) for n in names):
        raise ValueError(f"{what} names columns: [column, …]")
    return names


def _number(ctx: FunctionContext, name: str) -> Decimal:
    value = ctx.arguments.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value < 0:
        raise ValueError(f"{name} is a number at least 0, not {value!r}")
    return Decimal(value)


def _table_column(value, ctx: FunctionContext, what: str) -> tuple[str, str]:
    if not isinstance(value, str) or "." not in value:
        raise ValueError(f"{what} is table.column")
    table, column = value.split(".", 1)
    _known(ctx, table, [column])
    return table, column


def _known(ctx: FunctionContext, table: str, columns: list[str]) -> None:
    if table not in ctx.inputs:
        raise ValueError(f"no input table '{table}' in this run")
    unknown = [c for c in columns if c not in ctx.columns.get(table, ())]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} not a column of {table} (it has {', '.join(ctx.columns.get(table, ()))})")


def _keyed(alias: str, by: list[str]) -> tuple[str, str]:
    """SQL of a series' key (values joined, to match another series on) and of its text in findings."""
    values = [f"coalesce(CAST({alias}.{ident(c)} AS VARCHAR), '')" for c in by]
    key = " || ' / ' || ".join(values) if values else "''"
    shown = " || ', ' || ".join(f"'{c} ' || {v}" for c, v in zip(by, values)) if by else "'all rows'"
    return key, shown


def _rule_series(ctx: FunctionContext, rule: str, by: list[str], period: str | None) -> str:
    table = ctx.rule_tables.get(rule)
    if table is None:
        raise ValueError(f"rule '{rule}' is not evaluated in this run")
    _known(ctx, table, by + ([period] if period else []))
    key, shown = _keyed("i", by)
    month = f"CAST(i.{ident(period)} AS VARCHAR)" if period else "l.period"
    return (f"SELECT {key} AS key, {shown} AS shown, {month} AS period, sum(l.co2e_kg * l.boundary_weight) AS value "
            f"FROM {ctx.ledger} l JOIN {ctx.inputs[table]} i ON i._row_id = l.row_id "
            f"WHERE l.rule_id = {literal(rule)} AND l.input_table = {literal(table)} GROUP BY ALL")


def _column_series(ctx: FunctionContext, source: str, by: list[str], period: str | None, what: str) -> str:
    table, column = _table_column(source, ctx, what)
    if period is None:
        raise ValueError(f"a series of {source} needs the column of its period")
    _known(ctx, table, by + [period])
    key, shown = _keyed("i", by)
    return (f"SELECT {key} AS key, {shown} AS shown, CAST(i.{ident(period)} AS VARCHAR) AS period, "
            f"sum(i.{ident(column)}) AS value FROM {ctx.inputs[table]} i GROUP BY ALL")


def _series(ctx: FunctionContext) -> tuple[str, str]:
    """The series (key, shown, period, value) and the unit its values are in."""
    unknown = sorted(set(ctx.arguments) - set(JUMPS_ARGUMENTS))
    if unknown:
        raise ValueError(f"no argument {', '.join(unknown)} (arguments: {', '.join(JUMPS_ARGUMENTS)})")
    by = _names(ctx.arguments.get("by", []), "by")
    period = ctx.arguments.get("period")
    if "rule" in ctx.arguments:
        series, unit = _rule_series(ctx, str(ctx.arguments["rule"]), by, period), "kg CO2e"
    elif len(ctx.positional) == 1:
        series, unit = _column_series(ctx, ctx.positional[0], by, period, "the series"), ctx.positional[0]
    else:
        raise ValueError("give rule: RULE (its emissions) or one table.column (its sum) as the series")
    if "per" not in ctx.arguments:
        return series, unit
    per_by = _names(ctx.arguments.get("per_by", by), "per_by")
    if len(per_by) != len(by):
        raise ValueError(f"per_by names {len(per_by)} columns, by {len(by)}: they are matched in order")
    denominator = _column_series(ctx, ctx.arguments["per"], per_by, ctx.arguments.get("per_period", period), "per")
    return (f"SELECT a.key, a.shown, a.period, CAST(a.value AS DOUBLE) / CAST(b.value AS DOUBLE) AS value "
            f"FROM ({series}) a JOIN ({denominator}) b ON b.key = a.key AND b.period = a.period "
            f"WHERE b.value <> 0"), f"{unit} per {ctx.arguments['per']}"


def jumps_findings(ctx: FunctionContext) -> str:
    series, unit = _series(ctx)
    trailing, threshold = int(_number(ctx, "trailing")), _number(ctx, "threshold")
    min_history, min_rise = int(_number(ctx, "min_history")), _number(ctx, "min_rise")
    number = "printf('%.6g', {})".format
    history = {"series": "s.shown", "period": "s.period", "value": number("s.value"), "unit": literal(unit),
               "n": "m.n", "median": number("m.median"), "mad": number("d.mad"), "threshold": literal(str(threshold)),
               "min_rise": literal(str(min_rise))}
    deviations = f"(s.value - m.median) / ({MAD_TO_SIGMA} * d.mad)"
    return f"""
WITH s AS (SELECT key, shown, period, CAST(value AS DOUBLE) AS value,
                  row_number() OVER (PARTITION BY key ORDER BY period) AS i FROM ({series}) WHERE value IS NOT NULL),
h AS (SELECT t.key, t.period, h.value AS past FROM s t JOIN s h ON h.key = t.key AND h.i BETWEEN t.i - {trailing} AND t.i - 1),
m AS (SELECT key, period, median(past) AS median, count(*) AS n FROM h GROUP BY ALL),
d AS (SELECT h.key, h.period, median(abs(h.past - m.median)) AS mad FROM h JOIN m USING (key, period) GROUP BY ALL)
SELECT CASE WHEN d.mad > 0 THEN {reason_sql("jump", **history, deviations=number(deviations))}
            ELSE {reason_sql("jump_flat_history", **history)} END
FROM s JOIN m USING (key, period) JOIN d USING (key, period)
WHERE m.n >= {min_history} AND s.value - m.median > {threshold} * {MAD_TO_SIGMA} * d.mad
  AND s.value - m.median > {min_rise} * abs(m.median)
ORDER BY s.key, s.period"""


def jumps(ctx: FunctionContext) -> str:
    return f"SELECT count(*) FROM ({jumps_findings(ctx)})"


def _outside(ctx: FunctionContext) -> tuple[str, str, str]:
    if len(ctx.positional) != 1 or set(ctx.arguments) != {"allowed"}:
        raise ValueError("outside(table.column, allowed: [\"value\", …])")
    table, column = _table_column(ctx.positional[0], ctx, "the column")
    allowed = ctx.arguments["allowed"] if isinstance(ctx.arguments["allowed"], list) else [ctx.arguments["allowed"]]
    value = f"CAST({ident(column)} AS VARCHAR)"
    where = f"{value} IS NOT NULL" + (f" AND {value} NOT IN ({', '.join(literal(str(a)) for a in allowed)})"
                                      if allowed else "")   # nothing allowed: every value is outside
    return f"{ctx.inputs[table]}", value, where


def outside_findings(ctx: FunctionContext) -> str:
    relation, value, where = _outside(ctx)
    table, column = ctx.positional[0].split(".", 1)
    said = {"column": literal(column), "value": value, "rows": "count(*)", "place": ctx.place(table, "min(_row)")}
    return (f"SELECT CASE WHEN count(*) > 1 THEN {reason_sql('not_allowed_rows', **said)} "
            f"ELSE {reason_sql('not_allowed', **said)} END "
            f"FROM {relation} WHERE {where} GROUP BY {value} ORDER BY {value}")


def outside(ctx: FunctionContext) -> str:
    relation, value, where = _outside(ctx)
    return f"SELECT count(DISTINCT {value}) FROM {relation} WHERE {where}"
