"""A declared column's typed value as SQL, and the reasons that refuse a row's value.

What a text value of each type may look like (after the input's number format is undone) is spelt out
here. Anything else is rejected with the reason: DuckDB's own casts accept more ('2.5' -> BIGINT 3,
'0x10', '1_000', '2025-01-05T10:00' -> DATE, 'infinity'), each a different value than the one written.
"""

from __future__ import annotations

import re

from tanso.dsl import ast
from tanso.model.formats import (ERA_OFFSET, ERAS, ISO_DATES, LEADING, PARENTHESES, TRAILING, TRIANGLES, DateFormat,
                                 NumberFormat)
from tanso.plan.sql import column_type, ident, literal
from tanso.reasons import reason_sql

NUMBER_PATTERN = r"[+-]?[0-9]+(\.[0-9]+)?"
TRUE_WORDS, FALSE_WORDS = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")
_FLOATS = ("DOUBLE", "FLOAT", "REAL")


def decimal_pattern(precision: int, scale: int) -> str:
    """A number that fits DECIMAL(precision, scale) exactly (trailing zeros beyond the scale allowed)."""
    whole = f"0*[0-9]{{1,{precision - scale}}}" if precision > scale else "0+"
    fraction = f"(\\.[0-9]{{1,{scale}}}0*)?" if scale else "(\\.0+)?"
    return f"[+-]?{whole}{fraction}"


def grouped_pattern(fmt: NumberFormat) -> str:
    """A number written in `fmt`: digits grouped by three (or not at all), its sign as the format writes it."""
    group, decimal = re.escape(fmt.group), re.escape(fmt.decimal)
    whole = f"([0-9]{{1,3}}({group}[0-9]{{3}})+|[0-9]+)" if fmt.group else "[0-9]+"
    number = f"{whole}({decimal}[0-9]+)?"
    if fmt.negative == PARENTHESES:
        return f"({number}|\\({number}\\))"
    if fmt.negative == TRAILING:
        return f"{number}-?"
    if fmt.negative in TRIANGLES:
        return f"{fmt.negative}?{number}"
    return f"[+-]?{number}"


def _plain_number(text: str, fmt: NumberFormat) -> str:
    """SQL turning a number written in `fmt` (already checked against it) into 1234.56 / -1234.56."""
    if fmt.negative == PARENTHESES:
        text = f"CASE WHEN starts_with({text}, '(') THEN '-' || trim({text}, '()') ELSE {text} END"
    elif fmt.negative == TRAILING:
        text = f"CASE WHEN ends_with({text}, '-') THEN '-' || rtrim({text}, '-') ELSE {text} END"
    elif fmt.negative in TRIANGLES:
        text = f"CASE WHEN starts_with({text}, {literal(fmt.negative)}) THEN '-' || substr({text}, 2) ELSE {text} END"
    text = f"replace({text}, {literal(fmt.group)}, '')" if fmt.group else text
    return f"replace({text}, {literal(fmt.decimal)}, '.')" if fmt.decimal != "." else text


def _date_value(text: str, fmt: DateFormat) -> str:
    """SQL for the date `text` writes in `fmt`, NULL where it is not one (no such day, the wrong era)."""
    if fmt is ISO_DATES:   # year 0000 is not a year of the calendar (DuckDB would read it as 1 BC)
        return (f"CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND NOT starts_with({text}, "
                f"'0000') THEN TRY_CAST({text} AS DATE) END")
    groups = re.compile(fmt.pattern).groupindex
    names = ", ".join(literal(name) for name in sorted(groups, key=groups.get))

    def part(name: str) -> str:
        return f"struct_extract(regexp_extract({text}, {literal(fmt.pattern)}, [{names}]), {literal(name)})"

    year = f"TRY_CAST({part('y')} AS INTEGER)"
    if fmt.era:
        offsets = " ".join(f"WHEN {literal(era)} THEN {offset}" for era, offset in ERA_OFFSET.items())
        year = (f"(CASE {part('era')} {offsets} END + CASE WHEN {part('y')} = '元' THEN 1 "
                f"ELSE TRY_CAST({part('y')} AS INTEGER) END)")
    value = f"try(make_date({year}, TRY_CAST({part('m')} AS INTEGER), TRY_CAST({part('d')} AS INTEGER)))"
    valid = f"{year} >= 1"
    if fmt.era:
        spans = " ".join(f"WHEN {literal(era)} THEN {value} >= DATE {literal(first)}"
                         + (f" AND {value} <= DATE {literal(last)}" if last else "") for era, (first, last) in ERAS.items())
        valid += f" AND CASE {part('era')} {spans} END"
    return f"CASE WHEN regexp_full_match({text}, {literal(fmt.pattern)}) AND {valid} THEN {value} END"


def typed_column(column: ast.Column, present: str, fmt: NumberFormat, dates: DateFormat,
                 source: str) -> tuple[str, list[str], str | None]:
    """The column's typed value (SQL) read from the file's column `source`, the WHEN ... THEN reason
    clauses that refuse a row, and a note for a conversion the file's native type needed."""
    name, sql_type, kind = ident(source), column_type(column), present.upper()
    raw = f"'''' || CAST({name} AS VARCHAR) || ''''"

    def said(code: str, **values: str) -> str:
        return _said(code, column, raw, **values)
    if kind == sql_type:      # native and already as declared (Parquet): nothing to convert
        return name, [], None
    if column.type_name == "float":
        return _float_column(column, kind, name)
    native, note, text = kind != "VARCHAR", None, name
    if native:
        fmt, dates = NumberFormat(), ISO_DATES
        text = f"CAST({name} AS VARCHAR)"
        if kind in _FLOATS and column.type_name in ("decimal", "integer"):
            text = f"CASE WHEN isfinite({name}) THEN CAST({name} AS VARCHAR) END"
            note = (f"column {column.name} is {present} (floating point) in the file, declared {column.type_name}: "
                    f"each value is read as the shortest decimal that is the same floating-point number, and "
                    f"refused where that has more decimal places than declared")
        else:
            note = (f"column {column.name} is {present} in the file, declared {column.type_name}: its values are "
                    f"read as their text ({'true/false' if kind == 'BOOLEAN' else 'exactly'}) and checked like text")
    if column.type_name == "text":
        return text, [], note
    t = f"nullif(trim({text}), '')"
    problems = []
    if column.type_name in ("decimal", "integer"):
        number = t
        if not native and fmt.negative == LEADING:   # other styles name their own example when refused
            problems.append(f"WHEN substr({t}, 1, 1) IN ({', '.join(map(literal, NOT_MINUS_SIGNS))}) "
                            f"THEN {said('not_number_sign')}")
        if not fmt.plain:
            problems.append(f"WHEN {t} IS NOT NULL AND NOT regexp_full_match({t}, {literal(grouped_pattern(fmt))}) "
                            f"THEN {said('not_number_written_as', example=literal(fmt.example))}")
            number = _plain_number(t, fmt)
        hinted = fmt.plain and not native   # a comma in a plain number: say how to declare the format
        if native and kind in _FLOATS:
            problems += [f"WHEN {name} IS NOT NULL AND NOT isfinite({name}) THEN {said('not_number')}",
                         f"WHEN strpos(lower({text}), 'e') > 0 THEN {said('exponent_only')}"]
        # One regex accepts a good value; only a refused one is looked at again for the reason.
        not_number = (f"WHEN NOT regexp_full_match({number}, {literal(NUMBER_PATTERN)}) THEN "
                      + (f"CASE WHEN strpos({t}, ',') > 0 THEN {said('not_number_plain')} ELSE {said('not_number')} END"
                         if hinted else said("not_number")))
        if column.type_name == "integer":
            fits = (f"regexp_full_match({number}, '[+-]?0*[0-9]{{1,18}}(\\.0+)?') OR (regexp_full_match({number}, "
                    f"'[+-]?0*[0-9]{{19}}(\\.0+)?') AND TRY_CAST({number} AS BIGINT) IS NOT NULL)")
            problems.append(
                f"WHEN {number} IS NOT NULL AND NOT ({fits}) THEN CASE {not_number} "
                f"WHEN NOT regexp_full_match({number}, '[+-]?[0-9]+(\\.0+)?') THEN {said('not_whole_number')} "
                f"ELSE {said('integer_range')} END")
            return f"TRY_CAST({number} AS BIGINT)", problems, note
        precision, scale = (int(x) for x in sql_type[len("DECIMAL("):-1].split(","))
        too_precise = f"[+-]?[0-9]+\\.[0-9]{{{scale}}}[0-9]*[1-9][0-9]*"
        shape = {"precision": literal(str(precision)), "scale": literal(str(scale)),
                 "digits": literal(str(precision - scale))}
        problems.append(
            f"WHEN {number} IS NOT NULL AND NOT regexp_full_match({number}, {literal(decimal_pattern(precision, scale))}) "
            f"THEN CASE {not_number} WHEN regexp_full_match({number}, {literal(too_precise)}) "
            f"THEN {said('too_many_decimals', **shape)} ELSE {said('decimal_range', **shape)} END")
        return f"TRY_CAST({number} AS {sql_type})", problems, note
    if column.type_name == "boolean":
        value = (f"CASE WHEN lower({t}) IN ({', '.join(map(literal, TRUE_WORDS))}) THEN TRUE "
                 f"WHEN lower({t}) IN ({', '.join(map(literal, FALSE_WORDS))}) THEN FALSE END")
        return value, [f"WHEN {t} IS NOT NULL AND ({value}) IS NULL THEN {said('not_boolean')}"], note
    if column.type_name == "date":
        value = _date_value(t, dates)
        expected = said("not_date") if dates is ISO_DATES else said("not_date_written_as", example=literal(dates.example))
        return value, [f"WHEN {t} IS NOT NULL AND ({value}) IS NULL THEN {expected}"], note
    return f"TRY_CAST({name} AS {sql_type})", [], note


# Signs a spreadsheet or a Japanese ledger may put before a negative amount (the minus sign U+2212, the
# full-width hyphen-minus, the triangles of Japanese accounts): refused with a hint, never read as '-'.
NOT_MINUS_SIGNS = ("\u2212", "\uff0d", "\u25b2", "\u25b3")

# A binary floating-point number as text: digits with an optional point and exponent (1.5E-5), as cloud
# providers' exports write their estimates.
FLOAT_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_NATIVE_NUMBERS = ("DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER",
                   "USMALLINT", "UTINYINT")


def _float_column(column: ast.Column, kind: str, name: str) -> tuple[str, list[str], str | None]:
    """A `float` column: the IEEE double the file holds or writes. Native numbers are widened to DOUBLE;
    text must be a finite number, with an exponent or not (the input's number format does not apply)."""
    if kind in _FLOATS or kind.startswith(_NATIVE_NUMBERS):
        note = None if kind in _FLOATS else (f"column {column.name} is {kind} in the file, declared float: "
                                             f"its values are read as the nearest double")
        return f"CAST({name} AS DOUBLE)", [], note
    t = f"nullif(trim(CAST({name} AS VARCHAR)), '')"
    raw = "'''' || CAST(" + name + " AS VARCHAR) || ''''"
    value = f"CASE WHEN regexp_full_match({t}, {literal(FLOAT_PATTERN)}) THEN TRY_CAST({t} AS DOUBLE) END"
    return value, [f"WHEN {t} IS NOT NULL AND NOT coalesce(isfinite({value}), FALSE) THEN "
                   f"{_said('not_float', column, raw)}"], None


def constraint_problems(column: ast.Column, value: str) -> list[str]:
    """WHEN ... THEN reason clauses for the column's declared constraints, on its typed value."""
    out = []
    shown = f"'''' || CAST({value} AS VARCHAR) || ''''"
    for constraint in column.constraints:
        declared = literal(constraint.describe())
        if constraint.kind == "required":
            empty = f" OR trim({value}) = ''" if column.type_name == "text" else ""
            out.append(f"WHEN {value} IS NULL{empty} THEN {_said('required', column, shown)}")
        elif constraint.kind == "range":
            low, high = (literal(v) for v in constraint.values)
            out.append(f"WHEN {value} < {low} OR {value} > {high} THEN {_said('outside', column, shown, declared=declared)}")
        elif constraint.kind == "compare":
            out.append(f"WHEN NOT ({value} {constraint.operator} {literal(constraint.values[0])}) "
                       f"THEN {_said('not_compared', column, shown, declared=declared)}")
        elif constraint.kind == "in":
            listing = ", ".join(literal(v) for v in constraint.values)
            out.append(f"WHEN {value} NOT IN ({listing}) THEN {_not_declared(column, value, shown, constraint.values, declared)}")
    return out


def _not_declared(column: ast.Column, value: str, shown: str, declared_values: tuple, declared: str) -> str:
    """The reason for a value outside an `in (...)` list; a text value that differs from a declared one only by
    case or surrounding spaces ('Mobile ', 'MOBILE') names it, the value itself still refused (never guessed)."""
    refused = _said("not_in", column, shown, declared=declared)
    texts = [v for v in declared_values if isinstance(v, str)]
    if column.type_name != "text" or not texts:
        return refused
    spelled = " ".join(f"WHEN {literal(v.strip().lower())} THEN "
                       f"{_said('not_in_spelled', column, shown, declared=declared, suggestion=literal(repr(v)))}"
                       for v in dict.fromkeys(texts))
    return f"CASE lower(trim({value})) {spelled} ELSE {refused} END"


def _said(code: str, column: ast.Column, value: str, **values: str) -> str:
    """SQL of a reason (tanso.reasons `column.<code>`) about a value of `column`, shown by the SQL `value`."""
    return reason_sql(f"column.{code}", column=literal(column.name), value=value, **values)
