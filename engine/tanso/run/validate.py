"""`tanso validate RULESET --data DIR`: every problem of the input and factor files, at once, without evaluating.

Files are read through the loaders a run uses (`load_input`, `load_factor_set`), so a value a run
would reject is a problem here too. Beyond what loading finds (unreadable files, missing columns,
values that do not fit their declared type, decimal places, missing and duplicate row ids) it checks:

- units: every distinct value of a unit-like column (named by a rule's calculator parameter `unit`,
  or called `unit`, `*_unit` or `currency`) is a known unit or currency, and — where a rule reads it
  with a factor set — converts to a unit that factor set is stated per;
- factor files: `unit` is a mass (what a factor gives), `per` a known unit or currency;
- certificates: a `certificate_id` listed twice (in one table, or in two tables that declare one);
- lookups: a key a rule or exclusion looks up (`lookup account_map on account`) that is in no row of
  the mapping table.

Each problem is kept as a code and its parameters: a reject's reason code (`tanso.reasons`, read back from the
stored reason) or one of validation's own (`validate.*` below); the listing says it in the current language
(`--lang`), what was expected by the catalogue's `validate.expected.<code>` (a plugin registers its codes' own).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tanso import reasons
from tanso.diagnostics import InputError
from tanso.i18n import MESSAGES, register, t
from tanso.plan.sql import condition, ident, literal
from tanso.plan.units import UnitProblem, conversion_factor, is_currency, unit_problem
from tanso.run.input_files import input_files
from tanso.run.inputs import load_factor_set, load_input
from tanso.run.session import Session

PRINT_LIMIT = 50
CERTIFICATE_COLUMN = "certificate_id"
EXPECTED = "validate.expected."

_MASS_EXPECTED = {"en": "the mass unit of the gas (kg, g, t, lb …); the gas is in column gas",
                  "ja": "ガスの質量の単位（kg、g、t、lb …）。ガスは列 gas にある"}
VALIDATE_MESSAGES: dict[str, dict[str, str]] = {
    # the listing's frame
    "validate.ok": {"en": "ok: {files} files read, no problems", "ja": "問題なし：{files} ファイルを読んだ"},
    "validate.row": {"en": "row {row}", "ja": "{row} 行目"},
    "validate.column": {"en": "column {column}", "ja": "列 {column}"},
    "validate.where": {"en": "{row}, {column}", "ja": "{row}、{column}"},
    "validate.line": {"en": "{where}: {problem}", "ja": "{where}：{problem}"},
    "validate.expected": {"en": "{problem} — expected {expected}", "ja": "{problem} — 期待：{expected}"},
    "validate.more": {"en": "… and {n} more", "ja": "… ほか {n} 件"},
    "validate.summary": {"en": "{n} problem{s} in {files} file{fs}", "ja": "{files} ファイルに {n} 件の問題"},
    # a reason's own "column X: " (the listing names the column before it)
    "validate.column_prefix": {"en": "column {column}: ", "ja": "列 {column}："},
    # problems validation finds itself
    "validate.factor_unit": {"en": "{reason}{rows}", "ja": "{reason}{rows}"},
    "validate.unit_column": {"en": "{reason}{rows}", "ja": "{reason}{rows}"},
    "validate.rows": {"en": " ({rows} rows)", "ja": "（{rows} 行）"},
    "validate.not_mass": {"en": "'{value}' is not a mass{rows}", "ja": "'{value}' は質量ではない{rows}"},
    "validate.per_unknown": {
        "en": "{reason} (and no input row a rule reads with this set is in that unit as written){rows}",
        "ja": "{reason}（このセットで読む入力行にも、書かれたままのこの単位の行はない）{rows}"},
    "validate.converts_to_none": {
        "en": "'{value}' converts to no unit that factor set{s} {sets} {are} stated per{rows} (read by rule {rule}); "
              "its rows would be rejected",
        "ja": "'{value}' は係数セット {sets} の単位のどれにも換算できない{rows}（ルール {rule} が読む）。その行は不採用になる"},
    "validate.certificate_twice": {"en": "certificate '{value}' is claimed more than once (also {others})",
                                   "ja": "証書 '{value}' が複数回使われている（ほかに {others}）"},
    "validate.lookup_missing": {"en": "'{value}' is not in {mapping} ({mapping_file}){rows}",
                                "ja": "'{value}' は {mapping}（{mapping_file}）にない{rows}"},
}
_A_NUMBER = {"en": "a number", "ja": "数値"}
_A_VALUE = {"en": "a value", "ja": "値"}
_DECLARED_VALUE = {"en": "one of the values declared: {declared}", "ja": "宣言された値（{declared}）のいずれか"}
# what was expected, by a problem's code (a plugin registers `validate.expected.<code>` for its own codes)
EXPECTED_BY_CODE: dict[str, dict[str, str]] = {
    "validate.not_mass": _MASS_EXPECTED,
    "validate.factor_unit": _MASS_EXPECTED,
    "validate.unit_column": {"en": "a known unit (kWh, l, m3, kg, km …) or a currency (USD, EUR)",
                             "ja": "既知の単位（kWh、l、m3、kg、km …）または通貨（USD、EUR）"},
    "validate.per_unknown": {"en": "a unit (kWh, l, m3, km, t·km …) or a currency (USD)",
                             "ja": "単位（kWh、l、m3、km、t·km …）または通貨（USD）"},
    "validate.converts_to_none": {"en": "one of {pers}, or a unit convertible to one",
                                  "ja": "{pers} のいずれか、またはそれに換算できる単位"},
    "validate.certificate_twice": {"en": "each certificate retired once", "ja": "証書はそれぞれ一度だけ償却する"},
    "validate.lookup_missing": {"en": "a value of {column} that {mapping} lists", "ja": "{mapping} にある {column} の値"},
    **dict.fromkeys(("column.not_number", "column.not_number_plain", "column.not_number_sign", "column.not_float"),
                    _A_NUMBER),
    "column.not_number_written_as": {"en": "a number written as {example}", "ja": "{example} の形の数値"},
    "column.not_whole_number": {"en": "a whole number", "ja": "整数"},
    "column.not_boolean": {"en": "a boolean (true or false)", "ja": "真偽値（true または false）"},
    "column.not_date": {"en": "a date (YYYY-MM-DD)", "ja": "日付（YYYY-MM-DD）"},
    "column.not_date_written_as": {"en": "a date written as {example}", "ja": "{example} の形の日付"},
    "column.too_many_decimals": {"en": "at most {scale} decimal places", "ja": "小数点以下 {scale} 桁まで"},
    **dict.fromkeys(("column.required", "unselected_missing", "lookup.key_missing"), _A_VALUE),
    "column.row_id_missing": {"en": "a row id", "ja": "行 ID"},
    "column.duplicate_row_id": {"en": "a row id no other row has", "ja": "ほかの行にない行 ID"},
    "column.not_compared": {"en": "{declared}", "ja": "{declared}"},
    **dict.fromkeys(("column.not_in", "column.not_in_spelled"), _DECLARED_VALUE),
    "period_unreadable": {"en": "a period (a year YYYY, a month YYYY-MM or a day YYYY-MM-DD)",
                          "ja": "期間（年 YYYY、月 YYYY-MM、日 YYYY-MM-DD）"},
}
register(VALIDATE_MESSAGES | {EXPECTED + code: texts for code, texts in EXPECTED_BY_CODE.items()})


@dataclass
class Problem:
    """One problem: where, the value as written, and what it is as a code with parameters (said in any language);
    `problem` and `expected` are the English text (the JSON report's)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    expected: str | None = None
    code: str | None = None        # a reason's code (tanso.reasons) or validation's own (validate.*)
    parameters: dict[str, str] = field(default_factory=dict)


def _problem(file: str, row: int | None, column: str | None, value: str | None, code: str, rows: int = 1,
             **parameters: str) -> Problem:
    """A problem validation finds itself (`validate.<code>`), with the number of rows holding the value."""
    parameters = {"value": value, "column": column, **parameters, "rows": str(rows)}
    found = Problem(file, row, column, value, "", None, f"validate.{code}", parameters)
    found.problem, found.expected = said(found, "en")
    return found


def said(problem: Problem | dict[str, Any], lang: str | None = None) -> tuple[str, str | None]:
    """(the problem, what was expected) in `lang`, from the problem's code and parameters."""
    item = problem if isinstance(problem, dict) else asdict(problem)
    code, values = item["code"], item["parameters"]
    if code is None:   # a file that cannot be read at all: its error, as it was said
        return item["problem"], item["expected"]
    expected = t(EXPECTED + code, lang=lang, **values) if EXPECTED + code in MESSAGES else None
    if not code.startswith("validate."):   # a reject's reason, less the column the listing names before it
        text = reasons.render_one(values["reason"], lang)
        prefix = t("validate.column_prefix", lang=lang, column=values.get("column"))
        return text.removeprefix(prefix) if "column" in values else text, expected
    rows = int(values["rows"])
    shown = {**values, "rows": t("validate.rows", lang=lang, rows=rows) if rows > 1 else "",
             "reason": reasons.render(values.get("reason"), lang)}
    return t(code, lang=lang, **shown), expected


def validate(prepared, data_dir: Path) -> dict[str, Any]:
    ruleset, registry = prepared.ruleset, prepared.registry
    session = Session(registry, data_dir)   # the connection a run uses (settings, SQL macros)
    con = session.con
    problems: list[Problem] = []
    files: list[str] = []
    loaded = {}
    needed = _needed_inputs(prepared)
    for name in sorted(ruleset.inputs):
        table = ruleset.inputs[name]
        paths = input_files(data_dir, table, registry)
        path = None if not paths else paths[0] if len(paths) == 1 else data_dir / str(table.file)
        if path is None and name not in needed:
            continue   # declared but read by nothing that runs: a run does not need the file
        try:
            con.execute("SELECT 1").fetchall()
            result = load_input(con, registry, table, data_dir)
        except InputError as error:
            problems.append(Problem(str(path or data_dir / name), None, None, None, str(error)))
            continue
        loaded[name] = result
        files.append(str(result.file))
        for row_id, row, reason in con.execute(f"SELECT row_id, input_row, reason FROM {result.rejects} "
                                               f"ORDER BY input_row").fetchall():
            problems += _from_reason(data_dir, str(result.file), row, reason)   # the part and its row
    factors = {}
    for name, declared in sorted(ruleset.factor_sets.items()):
        path = data_dir / declared.file
        try:
            con.execute("SELECT 1").fetchall()   # a loader may leave a result open; registering a table needs none
            factors[name] = load_factor_set(con, registry, name, path, {}, declared.removals, declared.sheet)
        except InputError as error:
            problems.append(Problem(str(path), None, None, None, str(error)))
            continue
        files.append(str(path))
    unit_problems, written_as_per = _unit_columns(con, prepared, loaded, factors)
    problems += unit_problems
    for name, table in factors.items():
        problems += _factor_units(con, name, table.relation, table.source_file, written_as_per)
    problems += _certificates(con, ruleset, loaded)
    problems += _lookup_keys(con, ruleset, loaded)
    problems.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    return {"format": "tanso-validation.v1", "ok": not problems, "files": files, "problems": len(problems),
            "items": [asdict(p) for p in problems]}


def _needed_inputs(prepared) -> set[str]:
    """Inputs something of the ruleset reads (a rule, a calculator, the boundary, a metric or check)."""
    graph = prepared.graph
    return {node.removeprefix("table:") for node in graph.nodes if node.startswith("table:")
            and any(True for _ in graph.successors(node))}


def _from_reason(data_dir: Path, file: str, row: int, reason: str) -> list[Problem]:
    """The problems a reject's reason states, read by their codes (`tanso.reasons.parse`). The reason names the
    file under the data folder (as outputs do); validation names it as the folder was given, as its other
    problems do."""
    problems = []
    for part in reasons.parse(reason):
        if part.file is not None:
            file, row = str(data_dir / part.file), int(part.row)
        values = {**part.values, "reason": part.text}
        found = Problem(file, row, part.values.get("column"), _unquoted(part.values.get("value")), "", None,
                        part.code or "", values)
        found.problem, found.expected = said(found, "en")
        problems.append(found)
    return problems


def _unquoted(value: str | None) -> str | None:
    """A value as the file writes it: a reason shows a text value in quotes, a quote in it doubled."""
    if value is not None and len(value) > 1 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _distinct(con, relation: str, column: str, wheres: list[str] = ()) -> list[list[tuple[str, int, int]]]:
    """(value, first row, rows) for each distinct non-empty value of a column, in value order: of all its rows,
    then of the rows meeting each condition in `wheres`, from one scan."""
    per_where = "".join(f", min(_row) FILTER (WHERE {w}), count(*) FILTER (WHERE {w})" for w in wheres)
    found = con.execute(f"SELECT CAST({ident(column)} AS VARCHAR) AS v, min(_row), count(*){per_where} FROM {relation} "
                        f"WHERE {ident(column)} IS NOT NULL GROUP BY v ORDER BY v").fetchall()
    return [[(row[0], row[1 + 2 * i], row[2 + 2 * i]) for row in found if row[2 + 2 * i]] for i in range(1 + len(wheres))]


def _factor_units(con, name: str, relation: str, file: str, written_as_per: set[tuple[str, str]]) -> list[Problem]:
    problems = []
    for value, row, rows in _distinct(con, relation, "unit")[0]:
        problem = unit_problem(value)
        if problem is None and not _converts(value, "kg"):
            problems.append(_problem(file, row, "unit", value, "not_mass", rows))
        elif problem is not None:
            problems.append(_problem(file, row, "unit", value, "factor_unit", rows, reason=problem))
    for value, row, rows in _distinct(con, relation, "per")[0]:
        problem = unit_problem(value)
        if problem is not None and (name, value) not in written_as_per:
            problems.append(_problem(file, row, "per", value, "per_unknown", rows, reason=problem))
    return problems


def _unit_columns(con, prepared, loaded, factors) -> tuple[list[Problem], set[tuple[str, str]]]:
    """Problems of unit-like input columns, and the (factor set, per) pairs some input row uses as
    written (a count such as 'night' or 'piece': not a unit pint knows, but the same word both sides)."""
    ruleset, problems = prepared.ruleset, []
    policies = {n: p.value for n, p in ruleset.policies.items()}
    unit_like: dict[str, set[str]] = {}
    # rule → (table, unit column, where, [factor set or None for each step reading the column])
    readers: dict[str, tuple[str, str, Any, list]] = {}
    for rule in ruleset.rules.values():
        source = rule.node.source
        if source is None or source.table is None:
            continue
        columns = {c.name for c in ruleset.inputs[source.table].columns}
        for step in rule.steps:
            unit = getattr(step.parameters, "unit", None)
            if isinstance(unit, str) and unit in columns and not getattr(step.parameters, "quantity_unit", None):
                unit_like.setdefault(source.table, set()).add(unit)
                factor_name = getattr(step.parameters, "factors", None)
                entry = readers.setdefault(f"{rule.id}\0{unit}", (source.table, unit, source, []))
                entry[3].append(factor_name if isinstance(factor_name, str) else None)
    for name, table in ruleset.inputs.items():
        for column in table.columns:
            if column.type_name == "text" and (column.name in ("unit", "currency") or column.name.endswith("_unit")):
                unit_like.setdefault(name, set()).add(column.name)
    pers = {name: [r[0] for r in con.execute(f"SELECT DISTINCT CAST(per AS VARCHAR) FROM {f.relation} "
                                              f"WHERE per IS NOT NULL ORDER BY ALL").fetchall()]
            for name, f in factors.items()}
    # Where a rule reads the unit with factor sets (every method of a first_of chain): does each value
    # convert to something one of them is per? Currencies convert through exchange rates (data): not judged.
    written_as_per: set[tuple[str, str]] = {   # a rule's fixed unit (quantity_unit: "night") is written too
        (step.parameters.factors, step.parameters.quantity_unit) for rule in ruleset.rules.values() for step in rule.steps
        if isinstance(getattr(step.parameters, "quantity_unit", None), str)
        and isinstance(getattr(step.parameters, "factors", None), str)}
    accepted_words: set[tuple[str, str]] = set()     # (table, value) matching a per exactly
    # One scan per (table, column), shared by every rule that reads it (each with its own `where`).
    wheres: dict[tuple[str, str], dict[str, str]] = {}
    for rule_key, (table, column, source, _) in sorted(readers.items()):
        if table in loaded:
            wheres.setdefault((table, column), {})[rule_key] = (
                "TRUE" if source.where is None else f"coalesce({condition(source.where, policies=policies)}, FALSE)")
    values = {key: _distinct(con, loaded[key[0]].relation, key[1], list(by_rule.values()))
              for key, by_rule in wheres.items()}
    for rule_key, (table, column, source, sets) in sorted(readers.items()):
        if table not in loaded:
            continue
        rows = values[table, column][1 + list(wheres[table, column]).index(rule_key)]
        determinable = all(name in pers for name in sets)
        candidates = [(name, per) for name in sets if name in pers for per in pers[name]]
        for value, row, n in rows:
            exact = [(name, per) for name, per in candidates if per == value]
            if exact:
                written_as_per.update(exact)
                accepted_words.add((table, value))
                continue
            if not determinable or unit_problem(value) is not None or is_currency(value) \
                    or any(is_currency(per) for _, per in candidates):
                continue
            if not any(_converts(value, per) for _, per in candidates):
                shown = sorted({per for _, per in candidates})
                several = len(set(sets)) > 1
                problems.append(_problem(
                    *loaded[table].locate(row), column, value, "converts_to_none", n, s="s" if several else "",
                    are="are" if several else "is", sets=", ".join(sorted(set(sets))), rule=rule_key.split(chr(0))[0],
                    pers=f"{', '.join(shown[:8])}{' …' if len(shown) > 8 else ''}"))
    for name, columns in sorted(unit_like.items()):
        if name not in loaded:
            continue
        for column in sorted(columns):
            found = values.get((name, column)) or _distinct(con, loaded[name].relation, column)
            for value, row, rows in found[0]:
                problem = unit_problem(value)
                if problem is not None and (name, value) not in accepted_words:
                    problems.append(_problem(*loaded[name].locate(row), column, value, "unit_column", rows,
                                             reason=problem))
    return problems, written_as_per


def _converts(unit: str, per: str) -> bool:
    try:
        conversion_factor(unit, per)
    except UnitProblem:
        return False
    return True


def _certificates(con, ruleset, loaded) -> list[Problem]:
    tables = [name for name, table in sorted(ruleset.inputs.items())
              if name in loaded and any(c.name == CERTIFICATE_COLUMN for c in table.columns)]
    if not tables:
        return []
    union = " UNION ALL ".join(
        f"SELECT {literal(str(loaded[t].file))} AS file, _row, CAST({ident(CERTIFICATE_COLUMN)} AS VARCHAR) AS id "
        f"FROM {loaded[t].relation} WHERE {ident(CERTIFICATE_COLUMN)} IS NOT NULL" for t in tables)
    problems = []
    for file, row, value, claims in con.execute(
            f"SELECT file, _row, id, list(file || ' row ' || CAST(_row AS VARCHAR) ORDER BY file, _row) "
            f"OVER (PARTITION BY id) FROM ({union}) QUALIFY count(*) OVER (PARTITION BY id) > 1 "
            f"ORDER BY file, _row").fetchall():
        others = [c.removeprefix(f"{file} ") for c in claims if c != f"{file} row {row}"]
        problems.append(_problem(file, row, CERTIFICATE_COLUMN, value, "certificate_twice", others=", ".join(others)))
    return problems


def _lookup_keys(con, ruleset, loaded) -> list[Problem]:
    """Keys of a table that its lookups' mapping tables do not list (each value once, with its first row)."""
    sources = [r.node.source for r in ruleset.rules.values()] + [i.node.source for i in ruleset.exclusions.values()]
    pairs = sorted({(s.table, lookup.table, lookup.key) for s in sources if s is not None and s.table in loaded
                    for lookup in s.lookups if lookup.table in loaded})
    problems = []
    for table, mapping, key in pairs:
        for value, row, rows in con.execute(
                f"SELECT CAST(t.{ident(key)} AS VARCHAR) AS v, min(t._row), count(*) FROM {loaded[table].relation} t "
                f"ANTI JOIN {loaded[mapping].relation} m ON m.{ident(key)} = t.{ident(key)} "
                f"WHERE t.{ident(key)} IS NOT NULL GROUP BY v ORDER BY v").fetchall():
            problems.append(_problem(str(loaded[table].file), row, key, value, "lookup_missing", rows, mapping=mapping,
                                     mapping_file=loaded[mapping].file.name))
    return problems


def render(report: dict[str, Any], limit: int = PRINT_LIMIT, lang: str | None = None) -> str:
    """The listing, grouped by file, in `lang` (default: the current language): each problem said from its code."""
    items = report["items"]
    if not items:
        return t("validate.ok", lang=lang, files=len(report["files"])) + "\n"
    lines, current = [], None
    for item in items[:limit]:
        if item["file"] != current:
            current = item["file"]
            lines.append(current)
        where = [t("validate.row", lang=lang, row=item["row"]) if item["row"] is not None else None,
                 t("validate.column", lang=lang, column=item["column"]) if item["column"] else None]
        where = t("validate.where", lang=lang, row=where[0], column=where[1]) if all(where) else where[0] or where[1]
        problem, expected = said(item, lang)
        text = t("validate.line", lang=lang, where=where, problem=problem) if where else problem
        lines.append("  " + (t("validate.expected", lang=lang, problem=text, expected=expected) if expected else text))
    if len(items) > limit:
        lines.append(t("validate.more", lang=lang, n=len(items) - limit))
    files = len({i["file"] for i in items})
    lines.append(t("validate.summary", lang=lang, n=len(items), s="s" if len(items) != 1 else "", files=files,
                   fs="s" if files != 1 else ""))
    return "\n".join(lines) + "\n"
