"""Reject reasons (and the run's other stored texts) by code: stored in English, read back as a code with
parameters, said in the run's language.

A run keeps each reject's reason as English text (rejects.csv `reason`; the digest hashes it). Each
kind of reason is a message `reason.<code>` of the catalogue (`tanso.i18n`), an English and a Japanese
template with {parameters}. The sites that build a reason fill the English template (`reason_sql` in
SQL, `reason_text` in Python), so the template is the one spelling of the text; reporting reads the
code and the parameters back (`parse`) and says the reason in the current language (`render`);
rejects.csv carries the code beside the text (`codes_sql`). A check's findings and notes, a metric's problem and a tolerance's statement are read the
same way, each text whole (`render_one`). A plugin adds its own codes the same way: `tanso.i18n.register({"reason.<code>": {"en": …,
"ja": …}})`. A parameter named `reason` is a reason itself, `tolerance` a tolerance's statement, `place`
"<file> row <n>": they are said in the language too. A parameter the template formats (`{value:,f}`) is a number
stored as the run wrote it (SQL's printf, say) and said with thousands separators, never in exponent notation;
a parameter whose value is the whole English text of a registered reason without parameters (a fixed phrase) is
said in the language too.

A rule's reason is "<calculator>: <reason>", a chain's one part per method joined by "; ", a reason
found while reading "<file> row <n>: <reason>"; each part is read on its own, unless a template whose own
words hold "; " reads the whole (a parameter holding "; " would split). A part no template matches keeps
its English text and has the empty code.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from string import Formatter

from tanso.frozen import frozen
from tanso.i18n import MESSAGES, register, t
from tanso.plan.sql import literal

PREFIX = "reason."
SEPARATOR = "; "   # between the parts of a chain's reason
_CALCULATOR = r"(?P<calculator>[A-Za-z_][\w.]*): "
_READ = r"(?P<file>\S(?:.*?\S)?) row (?P<row>[0-9]+): "
_REGEX_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")
_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_PLACE = re.compile(r"(?P<file>.+) row (?P<row>[0-9]+)", re.S)

# The engine's own reasons (factor products, units, an option an expression reads but the run does not set)
ENGINE_REASONS: dict[str, dict[str, str]] = {
    "reason.missing_value": {"en": "{column} is missing", "ja": "{column} がない"},
    "reason.negative_quantity": {"en": "{quantity} is negative ({value})", "ja": "{quantity} が負の値（{value}）"},
    "reason.beyond_ledger": {
        "en": "{quantity} {value} {unit} times its factor in {factor_set} is beyond the ledger's range "
              "(under 10^{digits} kg a row): split the row or use a larger unit",
        "ja": "{quantity} {value} {unit} に {factor_set} の係数を掛けると台帳の範囲（1 行 10^{digits} kg 未満）を超える："
              "行を分けるか、より大きな単位を使う"},
    "reason.beyond_totals": {
        "en": "beyond the range of exact totals (under 10^{digits} kg a run): rule {rule} totals {total} kg CO2e in "
              "absolute value over {rows} ledger rows; check the units of its quantities and factors",
        "ja": "正確な合計の範囲（1 回の実行で 10^{digits} kg 未満）を超える：ルール {rule} の台帳 {rows} 行の絶対値の合計は "
              "{total} kg CO2e；数量と係数の単位を確かめる"},
    "reason.no_factor": {"en": "no factor in {factor_set} for {keys}", "ja": "係数セット {factor_set} に {keys} の係数がない"},
    "reason.no_gwp": {"en": "no GWP for gas {gas} in {gwp_set}", "ja": "{gwp_set} にガス {gas} の地球温暖化係数がない"},
    "reason.unit_not_convertible": {"en": "unit '{from_unit}' cannot be converted to '{to_unit}'",
                                    "ja": "単位 '{from_unit}' は '{to_unit}' に換算できない"},
    "reason.currency_mismatch": {"en": "currency {from_unit} does not match {to_unit}",
                                 "ja": "通貨 {from_unit} は {to_unit} と一致しない"},
    "reason.unknown_unit": {"en": "unknown unit '{unit}'", "ja": "不明な単位 '{unit}'"},
    "reason.unknown_factor_unit": {"en": "unknown unit '{unit}' in the factor table", "ja": "係数表に不明な単位 '{unit}'"},
    "reason.ambiguous_unit": {"en": "ambiguous unit: {explanation}", "ja": "曖昧な単位：{explanation}"},
    "reason.factor_unit": {"en": "factor unit: {reason}", "ja": "係数の単位：{reason}"},
    "reason.option_not_set": {"en": "not applicable: {option} is not set", "ja": "{option} が設定されていないため該当なし"},
    # a value read from an input file (tanso.run.columns), after "<file> row <n>: "
    "reason.column.not_number": {"en": "column {column}: {value} is not a number", "ja": "列 {column}：{value} は数値ではない"},
    "reason.column.not_number_plain": {
        "en": "column {column}: {value} is not a number (this input reads numbers as 1234.56; declare its format on "
              "the input, e.g. numbers \"1,234.56\" or numbers \"1.234,56\")",
        "ja": "列 {column}：{value} は数値ではない（この入力は数値を 1234.56 の形で読む。入力に書式を宣言する。例：numbers "
              "\"1,234.56\" または numbers \"1.234,56\"）"},
    "reason.column.not_number_sign": {
        "en": "column {column}: {value} is not a number (this input writes a negative number with '-', not −, －, ▲ "
              "or △; a file of negatives after a triangle declares it on the input: numbers \"▲1,234.56\")",
        "ja": "列 {column}：{value} は数値ではない（この入力は負の数を '-' で書く。−、－、▲、△ は読まない。三角で負の数を書く"
              "ファイルは入力に宣言する：numbers \"▲1,234.56\"）"},
    "reason.column.not_number_written_as": {"en": "column {column}: {value} is not a number written as {example}",
                                            "ja": "列 {column}：{value} は {example} の形の数値ではない"},
    "reason.column.not_whole_number": {"en": "column {column}: {value} is not a whole number",
                                       "ja": "列 {column}：{value} は整数ではない"},
    "reason.column.too_many_decimals": {"en": "column {column}: {value} has more than {scale} decimal places",
                                        "ja": "列 {column}：{value} は小数点以下が {scale} 桁を超える"},
    "reason.column.not_boolean": {"en": "column {column}: {value} is not a boolean (true or false)",
                                  "ja": "列 {column}：{value} は真偽値（true または false）ではない"},
    "reason.column.not_date": {"en": "column {column}: {value} is not a date (YYYY-MM-DD)",
                               "ja": "列 {column}：{value} は日付（YYYY-MM-DD）ではない"},
    "reason.column.not_date_written_as": {"en": "column {column}: {value} is not a date written as {example}",
                                          "ja": "列 {column}：{value} は {example} の形の日付ではない"},
    "reason.column.exponent_only": {
        "en": "column {column}: {value} is a floating-point number that only an exponent writes; store the column as "
              "a decimal",
        "ja": "列 {column}：{value} は指数表記でしか書けない浮動小数点数。列を decimal で保存する"},
    "reason.column.integer_range": {"en": "column {column}: {value} is out of range for an integer",
                                    "ja": "列 {column}：{value} は整数の範囲外"},
    "reason.column.decimal_range": {
        "en": "column {column}: {value} is out of range for decimal({precision},{scale}): at most {digits} digits "
              "before the decimal point",
        "ja": "列 {column}：{value} は decimal({precision},{scale}) の範囲外：整数部は {digits} 桁まで"},
    "reason.column.not_float": {
        "en": "column {column}: {value} is not a number (a float: digits, a point, an optional exponent such as 1.5E-5)",
        "ja": "列 {column}：{value} は数値ではない（浮動小数点数：数字、小数点、1.5E-5 のような指数を書ける）"},
    "reason.column.row_id_missing": {"en": "column {column}: missing value (the row id)", "ja": "列 {column}：値がない（行 ID）"},
    "reason.column.duplicate_row_id": {"en": "column {column}: duplicate row id {value} (rows {rows})",
                                       "ja": "列 {column}：行 ID {value} が重複（{rows} 行目）"},
    "reason.column.required": {"en": "column {column}: missing value (declared required)",
                               "ja": "列 {column}：値がない（必須と宣言）"},
    "reason.column.outside": {"en": "column {column}: {value} is outside {declared}",
                              "ja": "列 {column}：{value} は {declared} の範囲外"},
    "reason.column.not_compared": {"en": "column {column}: {value} is not {declared}",
                                   "ja": "列 {column}：{value} は {declared} を満たさない"},
    "reason.column.not_in": {"en": "column {column}: {value} is not one of the values declared: {declared}",
                             "ja": "列 {column}：{value} は宣言された値（{declared}）のいずれでもない"},
    "reason.column.not_in_spelled": {
        "en": "column {column}: {value} is not one of the values declared: {declared} (did you mean {suggestion}? "
              "values are matched exactly)",
        "ja": "列 {column}：{value} は宣言された値（{declared}）のいずれでもない（{suggestion} のことか。値は完全一致で照合する）"},
    # a row's `period` against the ruleset's reporting period (tanso.run.reporting_period)
    "reason.period_outside": {"en": "column {column}: {value} is outside the reporting period {period}",
                              "ja": "列 {column}：{value} は報告期間 {period} の外"},
    "reason.period_straddles": {
        "en": "column {column}: {value} straddles a boundary of the reporting period {period}: split the row at "
              "the boundary",
        "ja": "列 {column}：{value} は報告期間 {period} の境界をまたぐ：行を境界で分ける"},
    "reason.period_unreadable": {
        "en": "column {column}: {value} is not a period (a year YYYY, a month YYYY-MM or a day YYYY-MM-DD)",
        "ja": "列 {column}：{value} は期間（年 YYYY、月 YYYY-MM、日 YYYY-MM-DD）として読めない"},
    # a tolerance as the ruleset states it (tanso.dsl.ast.Tolerance.describe), in the completeness lines
    "reason.tolerance.row": {"en": "up to {n} row", "ja": "{n} 行まで"},
    "reason.tolerance.rows": {"en": "up to {n} rows", "ja": "{n} 行まで"},
    "reason.tolerance.share": {"en": "up to {n} % of its rows", "ja": "行の {n} % まで"},
    "reason.tolerance.amount": {"en": "up to {n} {unit}", "ja": "{n} {unit} まで"},
    # rejects beyond a tolerance (tanso.run.completeness)
    "reason.tolerance.over_rows": {"en": "{rows} rows rejected, over the tolerance ({tolerance})",
                                   "ja": "{rows} 行が不採用、許容範囲（{tolerance}）を超える"},
    "reason.tolerance.over_share": {"en": "{share} % of {selected} rows rejected, over the tolerance ({tolerance})",
                                    "ja": "{selected} 行の {share} % が不採用、許容範囲（{tolerance}）を超える"},
    "reason.tolerance.over_amount": {"en": "{amount} {unit} rejected, over the tolerance ({tolerance})",
                                     "ja": "{amount} {unit} が不採用、許容範囲（{tolerance}）を超える"},
    "reason.tolerance.unmeasurable": {"en": "the rejected rows have no quantity this run can measure in {unit}",
                                      "ja": "不採用の行に {unit} で測れる量がない"},
    "reason.tolerance.no_quantity": {"en": "{rows} rejected rows have no {column}", "ja": "不採用の {rows} 行に {column} がない"},
    "reason.tolerance.not_measured": {"en": "{rows} rejected rows are in {unit}, which is not measured in {tolerance_unit}",
                                      "ja": "不採用の {rows} 行の単位 {unit} は {tolerance_unit} で測れない"},
    # rows no rule selects (tanso.run.exclusions): excluded, or rejected where a column the rules select by is empty
    "reason.no_rule_selects": {"en": "no rule selects this row (rules reading {table}: {rules})",
                               "ja": "この行を選ぶルールがない（{table} を読むルール：{rules}）"},
    "reason.unselected_missing": {"en": "column {column}: missing value (the rules reading {table} select rows by {by}: "
                                        "{rules})",
                                  "ja": "列 {column}：値がない（{table} を読むルールはこの列で行を選ぶ：{rules}）"},
    # a row whose key a mapping table cannot map (tanso.run.lookups)
    "reason.lookup.key_missing": {"en": "column {column}: missing value (the key looked up in {mapping})",
                                  "ja": "列 {column}：値がない（{mapping} で引くキー）"},
    "reason.lookup.row_rejected": {"en": "{column} {value} is in {mapping_file} but its row {mapping_row} was rejected: "
                                         "{reason}",
                                   "ja": "{column} {value} は {mapping_file} にあるが、その {mapping_row} 行目は不採用：{reason}"},
    "reason.lookup.not_in": {"en": "{column} {value} is not in {mapping} ({mapping_file})",
                             "ja": "{column} {value} は {mapping}（{mapping_file}）にない"},
    # how the parts of a stored reason are joined when said
    "reason_of_calculator": {"en": "{calculator}: {reason}", "ja": "{calculator}：{reason}"},
    "reason_at_row": {"en": "{file} row {row}: {reason}", "ja": "{file} {row} 行目：{reason}"},
    "reason_separator": {"en": "; ", "ja": "；"},
    "place": {"en": "{file} row {row}", "ja": "{file} {row} 行目"},
}
register(ENGINE_REASONS)


@frozen
class Part:
    """One reason read back: its code (None: no template matched) and parameters, and where it came from."""

    text: str                       # the reason without its prefix, as stored
    code: str | None
    values: dict[str, str]
    calculator: str | None = None   # the method that refused the row, in a rule's reason
    file: str | None = None         # the file and row, in a reason found while reading
    row: str | None = None


def reason_text(code: str, **values) -> str:
    """The English text of a reason (what a run stores), for a site that builds it in Python."""
    return t(PREFIX + code, lang="en", **values)


def reason_sql(code: str, **values: str) -> str:
    """SQL building the English text of a reason from SQL expressions of its parameters."""
    pieces = []
    for text, field, _, _ in Formatter().parse(MESSAGES[PREFIX + code]["en"]):
        if text:
            pieces.append(literal(text))
        if field is not None:
            pieces.append(f"({values[field]})")
    return " || ".join(pieces)


def _pattern(template: str) -> str:
    """A template as a regular expression (Python's and RE2's alike), each parameter a named group."""
    out = []
    for text, field, _, _ in Formatter().parse(template):
        out.append(_REGEX_SPECIAL.sub(r"\\\1", text))
        if field is not None:
            out.append(f"(?P<{field}>.*?)")
    return "".join(out)


@frozen
class Template:
    code: str
    pattern: re.Pattern   # the English template, each parameter a named group
    clue: str             # its longest fixed text: a cheap test before the pattern
    fixed: str            # all its fixed text


@lru_cache(maxsize=4)
def _templates(count: int) -> list[Template]:
    """Every registered reason's template, the longest fixed text first, so that the most specific one wins.
    `count` (the catalogue's size) renews the cache after a plugin registers."""
    found = []
    for key, texts in MESSAGES.items():
        if key.startswith(PREFIX):
            fixed = [text for text, *_ in Formatter().parse(texts["en"]) if text]
            found.append((-sum(map(len, fixed)), key[len(PREFIX):], texts["en"], max(fixed, key=len, default=""),
                          "".join(fixed)))
    return [Template(code, re.compile(_pattern(en), re.S), clue, fixed) for _, code, en, clue, fixed in sorted(found)]


def templates() -> list[Template]:
    return _templates(len(MESSAGES))


def _read_part(text: str, among: list[Template] | None = None) -> Part:
    prefixed = re.match(_READ, text) or re.match(_CALCULATOR, text)
    candidates = [(text[prefixed.end():], prefixed.groupdict()), (text, {})] if prefixed else [(text, {})]
    for candidate, prefix in candidates:
        for template in templates() if among is None else among:
            match = template.pattern.fullmatch(candidate)
            if match:
                return Part(candidate, template.code, match.groupdict(), prefix.get("calculator"), prefix.get("file"),
                            prefix.get("row"))
    return Part(text, None, {})


def _joined() -> list[Template]:
    """The templates whose fixed text holds the separator: read on a reason whole, before it is split."""
    return [template for template in templates() if SEPARATOR in template.fixed]


def parse(reason: str) -> list[Part]:
    """A stored reason read back: whole where a template holding '; ' reads it, else part by part (a chain's
    methods, or several problems of one row)."""
    if SEPARATOR in reason:
        whole = _read_part(reason, _joined())
        if whole.code is not None:
            return [whole]
    return [_read_part(part) for part in reason.split(SEPARATOR)]


def _place(place: str, lang: str | None) -> str:
    """'<file> row <n>' (where a row is, as the engine names it) in `lang`."""
    found = _PLACE.fullmatch(place)
    return t("place", lang=lang, file=found["file"], row=found["row"]) if found else place


@lru_cache(maxsize=None)
def _numbers(code: str) -> frozenset[str]:
    """The parameters of a reason that its template formats as numbers (`{value:,f}`)."""
    return frozenset(field for _, field, spec, _ in Formatter().parse(MESSAGES[PREFIX + code]["en"]) if field and spec)


@lru_cache(maxsize=4)
def _words(count: int) -> dict[str, str]:
    """The registered reasons without parameters, by their English text: a parameter holding one is said in the
    language too (a plugin's fixed phrase, e.g. a category of holding). `count` renews the cache as `_templates`."""
    return {texts["en"]: key for key, texts in MESSAGES.items()
            if key.startswith(PREFIX) and all(field is None for _, field, _, _ in Formatter().parse(texts["en"]))}


def _said(part: Part, lang: str | None) -> str:
    said = {"reason": render, "tolerance": render_one, "place": _place}   # parameters said in the language too
    words = _words(len(MESSAGES))
    values = {name: said[name](value, lang) if name in said else t(words[value], lang=lang) if value in words else value
              for name, value in part.values.items()}
    try:
        values.update({name: Decimal(values[name]) for name in _numbers(part.code)} if part.code else {})
        text = part.text if part.code is None else t(PREFIX + part.code, lang=lang, **values)
    except InvalidOperation:   # a number parameter that holds no number: the stored text, as it is
        text = part.text
    if part.file is not None:
        return t("reason_at_row", lang=lang, file=part.file, row=part.row, reason=text)
    if part.calculator is not None:
        return t("reason_of_calculator", lang=lang, calculator=part.calculator, reason=text)
    return text


def render(reason: str | None, lang: str | None = None) -> str | None:
    """A stored reason in `lang` (default: the current language); English text no template reads stays as it is."""
    if reason is None:
        return None
    return t("reason_separator", lang=lang).join(_said(part, lang) for part in parse(reason))


def render_one(text: str | None, lang: str | None = None) -> str | None:
    """A stored text that is one reason whole (a check's finding or note, a metric's problem), in `lang`."""
    return None if text is None else _said(_read_part(text), lang)


def codes_sql(column: str) -> str:
    """SQL of the codes of a reason column, one per part joined by '; ' (empty: no template matched); one
    CASE over the registered templates, each tried only where its longest fixed text occurs: no Python per row."""
    def case(part: str, among: list[Template], otherwise: str = "''") -> str:
        whens = " ".join(
            f"WHEN contains({part}, {_sql_text(template.clue)}) AND regexp_full_match({part}, "
            f"{_sql_text(f'(?s)(?:{_READ}|{_CALCULATOR})?{template.pattern.pattern}', pattern=True)}) "
            f"THEN '{template.code}'" for template in among)
        return f"CASE {whens} ELSE {otherwise} END" if whens else otherwise
    split = (f"array_to_string(list_transform(string_split({column}, '{SEPARATOR}'), "
             f"lambda p: {case('p', templates())}), '{SEPARATOR}')")
    return (f"CASE WHEN NOT contains({column}, '{SEPARATOR}') THEN {case(column, templates())} "
            f"ELSE {case(column, _joined(), split)} END")


def _sql_text(text: str, pattern: bool = False) -> str:
    """Text as an SQL literal; a pattern for RE2 without group names (a template's may repeat a prefix's)."""
    return literal(_GROUP_NAME.sub("(", text) if pattern else text)
