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
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tanso.diagnostics import InputError
from tanso.plan.sql import condition, ident, literal
from tanso.plan.units import UnitProblem, conversion_factor, is_currency, unit_problem
from tanso.run.input_files import input_files
from tanso.run.inputs import load_factor_set, load_input
from tanso.run.session import Session

PRINT_LIMIT = 50
CERTIFICATE_COLUMN = "certificate_id"
_READ_REASON = re.compile(r"^(?P<file>.*?) row (?P<row>\d+): (?:column (?P<column>[^:]+): )?(?P<message>.*)$", re.S)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")


@dataclass
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    expected: str | None = None


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
            problems.append(_from_reason(data_dir, str(result.file), row, reason))   # the part and its row
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


def _from_reason(data_dir: Path, file: str, row: int, reason: str) -> Problem:
    """The problem a reject's reason states. The reason names the file under the data folder (as outputs do);
    validation names it as the folder was given, as its other problems do."""
    match = _READ_REASON.match(reason)
    if match is None:
        return Problem(file, row, None, None, reason)
    message, column = match["message"], match["column"]
    file, row = str(data_dir / match["file"]) if match["file"] else file, int(match["row"])
    quoted = _QUOTED.search(message)
    value = quoted.group(1).replace("''", "'") if quoted else None
    expected = None
    if " is not " in message:
        expected = message.split(" is not ", 1)[1]
    elif "decimal places" in message:
        expected = "at most " + message.split("more than ", 1)[1] if "more than " in message else None
    elif "duplicate row id" in message:
        expected = "a row id no other row has"
    elif "row id is missing" in message or "missing value (the row id)" in message:
        expected = "a row id"
    elif "missing value" in message:
        expected = "a value"
    return Problem(file, row, column, value, message, expected)


def _distinct(con, relation: str, column: str, wheres: list[str] = ()) -> list[list[tuple[str, int, int]]]:
    """(value, first row, rows) for each distinct non-empty value of a column, in value order: of all its rows,
    then of the rows meeting each condition in `wheres`, from one scan."""
    per_where = "".join(f", min(_row) FILTER (WHERE {w}), count(*) FILTER (WHERE {w})" for w in wheres)
    found = con.execute(f"SELECT CAST({ident(column)} AS VARCHAR) AS v, min(_row), count(*){per_where} FROM {relation} "
                        f"WHERE {ident(column)} IS NOT NULL GROUP BY v ORDER BY v").fetchall()
    return [[(row[0], row[1 + 2 * i], row[2 + 2 * i]) for row in found if row[2 + 2 * i]] for i in range(1 + len(wheres))]


def _rows_note(rows: int) -> str:
    return f" ({rows} rows)" if rows > 1 else ""


def _factor_units(con, name: str, relation: str, file: str, written_as_per: set[tuple[str, str]]) -> list[Problem]:
    problems = []
    for value, row, rows in _distinct(con, relation, "unit")[0]:
        problem = unit_problem(value)
        if problem is None:
            try:
                conversion_factor(value, "kg")
            except UnitProblem:
                problem = f"'{value}' is not a mass"
        if problem is not None:
            problems.append(Problem(file, row, "unit", value, problem + _rows_note(rows),
                                    "the mass unit of the gas (kg, g, t, lb …); the gas is in column gas"))
    for value, row, rows in _distinct(con, relation, "per")[0]:
        problem = unit_problem(value)
        if problem is not None and (name, value) not in written_as_per:
            problem += " (and no input row a rule reads with this set is in that unit as written)"
            problems.append(Problem(file, row, "per", value, problem + _rows_note(rows),
                                    "a unit (kWh, l, m3, km, t·km …) or a currency (USD)"))
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
                problems.append(Problem(
                    *loaded[table].locate(row), column, value,
                    f"'{value}' converts to no unit that factor set{'s' if len(set(sets)) > 1 else ''} "
                    f"{', '.join(sorted(set(sets)))} {'is' if len(set(sets)) == 1 else 'are'} stated per{_rows_note(n)} "
                    f"(read by rule {rule_key.split(chr(0))[0]}); its rows would be rejected",
                    f"one of {', '.join(shown[:8])}{' …' if len(shown) > 8 else ''}, or a unit convertible to one"))
    for name, columns in sorted(unit_like.items()):
        if name not in loaded:
            continue
        for column in sorted(columns):
            found = values.get((name, column)) or _distinct(con, loaded[name].relation, column)
            for value, row, rows in found[0]:
                problem = unit_problem(value)
                if problem is not None and (name, value) not in accepted_words:
                    problems.append(Problem(*loaded[name].locate(row), column, value, problem + _rows_note(rows),
                                            "a known unit (kWh, l, m3, kg, km …) or a currency (USD, EUR)"))
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
        problems.append(Problem(file, row, CERTIFICATE_COLUMN, value,
                                f"certificate '{value}' is claimed more than once (also {', '.join(others)})",
                                "each certificate retired once"))
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
            problems.append(Problem(str(loaded[table].file), row, key, value,
                                    f"'{value}' is not in {mapping} ({loaded[mapping].file.name}){_rows_note(rows)}",
                                    f"a value of {key} that {mapping} lists"))
    return problems


def render(report: dict[str, Any], limit: int = PRINT_LIMIT) -> str:
    items = report["items"]
    if not items:
        return f"ok: {len(report['files'])} files read, no problems\n"
    lines, current = [], None
    for item in items[:limit]:
        if item["file"] != current:
            current = item["file"]
            lines.append(current)
        where = ", ".join(x for x in (f"row {item['row']}" if item["row"] is not None else None,
                                      f"column {item['column']}" if item["column"] else None) if x)
        text = f"  {where + ': ' if where else ''}{item['problem']}"
        if item["expected"]:
            text += f" — expected {item['expected']}"
        lines.append(text)
    if len(items) > limit:
        lines.append(f"… and {len(items) - limit} more")
    files = len({i["file"] for i in items})
    lines.append(f"{len(items)} problem{'s' if len(items) != 1 else ''} in {files} file{'s' if files != 1 else ''}")
    return "\n".join(lines) + "\n"
