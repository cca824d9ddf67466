"""Ruleset tests as data: YAML cases with given rows, policy values and expected amounts.

In the manner of OpenFisca's YAML tests (a pytest plugin collects them, see `tanso.testing_pytest`),
dbt's unit tests (`given` tables replace the inputs, `expect` states the outcome) and Catala's rule
coverage (which rules no case ever exercised). The engine knows nothing of GHG here: expectations are
about the ledger, rejects, exclusions, metrics and checks of a run.

A test file is a YAML list of cases::

    - name: one stationary diesel row, AR5
      ruleset: ..            # optional; default: the ruleset folder holding this tests/ folder
      data: ../../data       # optional; a data folder whose tables (and factor files) are the base
      policies: {gwp.set: AR6}                 # applied like `--set`
      given:                                   # replaces the base table of that name
        fuel_use:
          - {row_id: F1, fuel: diesel, use: stationary, quantity: 100, unit: l}
        fuels: [...]                           # a factor set: written at the path the ruleset declares
      expect:
        total: 268.9075                        # kg CO2e of the whole ledger
        totals: [{scope: 1, co2e_kg: 268.9075}]  # category / basis omitted = summed over all of them
        rules: {s1.stationary: 268.9075}
        gases: {CO2: 268, CH4: 0.011}          # mass of each gas, kg
        rejects: [{row_id: F2, rule: s1.stationary, reason_contains: "no factor"}]
        rejects_count: 1
        excluded: [{row_id: F3, reason_contains: "test bench"}]
        excluded_count: 1
        metrics: {intensity: 354.9455}
        checks: {s1.coverage: false}
        tolerance: 0                           # absolute; 0 (the default) is exact equality

Numbers are exact. A number in the YAML is read as a `Decimal` from its text (`268.891` is exactly
268.891, never the float 268.89099999…); quoted strings (`"268.891"`) are accepted too. `rejects`
and `excluded` list rows that must be there (others may be too); `rejects_count` / `excluded_count`
state how many there are in all (`rejects_count: 0`: none). A declared input that neither `given`
nor the `data` folder provides is an empty table; a given row may omit declared columns (empty
values) but not name an undeclared one. Given factor rows lacking the provenance columns
(publisher, edition, licence) get the value "test"; they are written as CSV, also for a factor set
declared in another format (e.g. a `.pact.json` file), which then reads them instead of its file.

Every problem in the YAML (unknown keys, wrong types) is reported with its file and line.
"""

from __future__ import annotations

import csv
import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tanso.diagnostics import TansoError

TEST_SUFFIXES = (".yaml", ".yml")
TESTS_FOLDER = "tests"
RULESETS_TREE = "rulesets"
FACTOR_PROVENANCE = ("publisher", "edition", "licence")
_PRECISION = 100  # decimal digits for differences and sums: more than any DECIMAL(38,18) holds


# ----------------------------------------------------------------------------- the file format

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TotalExpectation(_Strict):
    """kg CO2e of the ledger rows of a scope (and category, basis when given; omitted = all)."""

    scope: int
    category: int | None = None
    basis: str | None = None
    co2e_kg: Decimal


class RejectExpectation(_Strict):
    row_id: str
    rule: str | None = None
    reason_contains: str | None = None


class ExcludedExpectation(_Strict):
    row_id: str
    reason_contains: str | None = None


class Expect(_Strict):
    total: Decimal | None = None
    totals: list[TotalExpectation] = Field(default_factory=list)
    rules: dict[str, Decimal] = Field(default_factory=dict)
    gases: dict[str, Decimal] = Field(default_factory=dict)
    rejects: list[RejectExpectation] = Field(default_factory=list)
    rejects_count: int | None = Field(default=None, ge=0)
    excluded: list[ExcludedExpectation] = Field(default_factory=list)
    excluded_count: int | None = Field(default=None, ge=0)
    metrics: dict[str, Decimal] = Field(default_factory=dict)
    checks: dict[str, bool] = Field(default_factory=dict)
    tolerance: Decimal = Field(default=Decimal(0), ge=0)


Scalar = bool | int | Decimal | str | None


class CaseModel(_Strict):
    name: str = Field(min_length=1)
    ruleset: str | None = None
    data: str | None = None
    policies: dict[str, bool | int | Decimal | str] = Field(default_factory=dict)
    given: dict[str, list[dict[str, Scalar]]] = Field(default_factory=dict)
    expect: Expect = Field(default_factory=Expect)


_MODELS = (CaseModel, Expect, TotalExpectation, RejectExpectation, ExcludedExpectation)
_KNOWN_KEYS = sorted({name for model in _MODELS for name in model.model_fields})


class TestFileError(Exception):
    """A test file that cannot be read: bad YAML, unknown keys, wrong types. Every problem at once,
    each with file:line."""

    __test__ = False  # not a pytest test class

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# ----------------------------------------------------------------------------- reading YAML exactly

class _Loader(yaml.SafeLoader):
    """Safe YAML where numbers are Decimals built from their text and dates stay text."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
    return Decimal(special.get(text.lower(), text))


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))

Path_ = tuple[Any, ...]


def _marks(node: yaml.Node, path: Path_, into: dict[Path_, int], problems: list[str], where: str) -> None:
    """Record the (1-based) line of every mapping key and sequence item, by its path; flag duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(f"{where}:{line}: duplicate key '{key}' (first at line {seen[key]})")
            seen[key] = line
            into[(*path, key)] = line
            _marks(value_node, (*path, key), into, problems, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            into[(*path, index)] = item.start_mark.line + 1
            _marks(item, (*path, index), into, problems, where)


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class CaseSpec:
    """One case of a test file, validated, with where it is written."""

    file: Path
    index: int
    line: int
    model: CaseModel
    marks: dict[Path_, int] = field(repr=False, default_factory=dict)  # path inside the case → line

    @property
    def name(self) -> str:
        return self.model.name

    def line_of(self, *path: Any) -> int:
        """The line of the deepest part of `path` that the YAML spells out (else the case's line)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.marks:
                return self.marks[path[:end]]
        return self.line

    def where(self, *path: Any) -> str:
        return f"{display(self.file)}:{self.line_of(*path)} case '{self.name}'"

    @property
    def ruleset_path(self) -> Path:
        if self.model.ruleset is not None:
            return (self.file.parent / self.model.ruleset).resolve()
        return default_ruleset(self.file)

    @property
    def data_path(self) -> Path | None:
        return None if self.model.data is None else (self.file.parent / self.model.data).resolve()


def default_ruleset(test_file: Path) -> Path:
    folder = test_file.resolve().parent
    return folder.parent if folder.name == TESTS_FOLDER else folder


def _loc_text(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _problem_text(error: dict) -> str:
    loc = error["loc"]
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
        return f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if error["type"] == "missing":
        return f"missing key '{loc[-1]}'"
    shown = _loc_text(loc)
    return f"{shown}: {error['msg']}" if shown else error["msg"]


def load_file(path: Path) -> list[CaseSpec]:
    """Read and validate a test file; raise `TestFileError` with every problem (file:line) at once."""
    path = Path(path)
    where = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TestFileError([f"{where}: cannot read: {error}"]) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes().count(b"\n", 0, error.start) + 1
        raise TestFileError([f"{where}:{line}: not UTF-8 text (byte 0x{error.object[error.start]:02x}); "
                             f"save the file as UTF-8"]) from None
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        raise TestFileError([f"{where}{line}: invalid YAML: {reason}"]) from None
    problems: list[str] = []
    if data is None:
        raise TestFileError([f"{where}: the file holds no cases (expected a list of cases)"])
    if not isinstance(data, list):
        raise TestFileError([f"{where}:{root.start_mark.line + 1}: expected a list of cases, found a "
                             f"{type(data).__name__}"])
    marks: dict[Path_, int] = {}
    _marks(root, (), marks, problems, where)
    cases, names = [], {}
    for index, raw in enumerate(data):
        line = marks.get((index,), 1)
        case_marks = {key[1:]: value for key, value in marks.items() if key[:1] == (index,) and len(key) > 1}
        if not isinstance(raw, dict):
            problems.append(f"{where}:{line}: case {index + 1}: expected a mapping with name, given, expect; "
                            f"found a {type(raw).__name__}")
            continue
        label = f"case '{raw['name']}'" if isinstance(raw.get("name"), str) else f"case {index + 1}"
        try:
            model = CaseModel.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                loc = item["loc"]
                at = next((case_marks[loc[:end]] for end in range(len(loc), 0, -1) if loc[:end] in case_marks), line)
                problems.append(f"{where}:{at} {label}: {_problem_text(item)}")
            continue
        if model.name in names:
            problems.append(f"{where}:{line} {label}: a case of this name is already at line {names[model.name]}")
        names[model.name] = line
        cases.append(CaseSpec(path, index, line, model, case_marks))
    if problems:  # in the order of the file
        raise TestFileError(sorted(problems, key=lambda text: int(text[len(where) + 1:].split(" ", 1)[0].rstrip(":"))))
    return cases


# ----------------------------------------------------------------------------- discovery

def is_ruleset_test(path: Path) -> bool:
    """A YAML file in a `tests` folder that is inside a `rulesets/` tree or next to a ruleset
    (the folder above `tests` holds .tanso files)."""
    path = Path(path)
    if path.suffix not in TEST_SUFFIXES or path.parent.name != TESTS_FOLDER:
        return False
    return RULESETS_TREE in path.resolve().parent.parts or any(path.parent.parent.glob("*.tanso"))


def discover(path: Path) -> list[Path]:
    """Test files under `path`: a YAML file is itself; a ruleset folder gives its tests/*.yaml; any
    other folder gives every `**/tests/*.yaml` that belongs to a ruleset."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    if any(path.glob("*.tanso")):
        return sorted(p for p in (path / TESTS_FOLDER).glob("*") if p.suffix in TEST_SUFFIXES and p.is_file())
    found = []
    for candidate in path.rglob("*"):
        relative = candidate.relative_to(path).parts
        if any(part.startswith(".") or part in ("node_modules", "__pycache__") for part in relative):
            continue
        if candidate.is_file() and is_ruleset_test(candidate):
            found.append(candidate)
    return sorted(found)


# ----------------------------------------------------------------------------- running

@dataclass
class CaseResult:
    file: Path
    name: str
    line: int
    failures: list[str] = field(default_factory=list)   # each a full message with file:line
    error: str | None = None                             # the case could not run at all
    ruleset: Path | None = None
    ruleset_name: str | None = None
    rules: tuple[str, ...] = ()                          # every rule of the ruleset
    exercised: frozenset[str] = frozenset()              # rules with a ledger row or a reject

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    @property
    def message(self) -> str:
        return self.error if self.error is not None else "\n".join(self.failures)


_registry = None


def _load_registry():
    global _registry
    if _registry is None:
        from tanso.plugins import load_registry
        _registry = load_registry()
    return _registry


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]], declared=None) -> None:
    """Rows as a CSV file; for an input (`declared`), under the file's own column names and in its encoding."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in list(path.parent.iterdir()):  # the base may hold name.parquet: the given rows win
        if stale.stem == path.stem and (stale.is_file() or stale.is_symlink()):
            stale.unlink()  # a link to the base file: the base itself is never written
    headers = {c.name: c.header for c in declared.columns} | {declared.key: declared.key_header} if declared else {}
    with path.open("w", newline="", encoding=(declared and declared.encoding) or "utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([headers.get(column, column) for column in columns])
        for row in rows:
            writer.writerow([_text(row.get(column)) for column in columns])


def _link_tree(source: Path, target: Path) -> None:
    """The base data folder, as links to its files (copies where links are not possible)."""
    def link(src: str, dst: str) -> None:
        try:
            os.symlink(os.path.abspath(src), dst)
        except OSError:
            shutil.copy2(src, dst)
    shutil.copytree(source, target, copy_function=link)


def _reading_given_tables(ruleset, given: dict[str, Any], base: Path | None):
    """Given rows are written as CSV: a factor set declared in another format (a PACT file, a workbook)
    reads them from a CSV of the same name instead, and so does an input declared with `file "…"` that
    the case gives or the base data folder does not hold (its rows, or an empty table, are `NAME.csv`)."""
    from tanso.run.input_files import input_files
    moved = {name: replace(declared, file=Path(declared.file).with_suffix(".csv").as_posix())
             for name, declared in ruleset.factor_sets.items()
             if name in given and not declared.file.lower().endswith(".csv")}
    registry = _load_registry()
    inputs = {name: replace(declared, file=None) for name, declared in ruleset.inputs.items()
              if declared.file is not None and (name in given or base is None or not base.is_dir()
                                                or not input_files(base, declared, registry))}
    if not moved and not inputs:
        return ruleset
    return replace(ruleset, factor_sets={**ruleset.factor_sets, **moved}, inputs={**ruleset.inputs, **inputs})


def _build_data(spec: CaseSpec, ruleset, data_dir: Path) -> list[str]:
    """Write the case's data folder; return problems with the given tables (file:line)."""
    from tanso.run.inputs import FACTOR_COLUMNS, find_file
    problems = []
    base = spec.data_path
    if base is not None:
        if not base.is_dir():
            return [f"{spec.where('data')}: data folder {display(base)} does not exist"]
        _link_tree(base, data_dir)
    else:
        data_dir.mkdir(parents=True)
    for table, rows in spec.model.given.items():
        if table in ruleset.inputs:
            declared = ruleset.inputs[table]
            columns = list(dict.fromkeys(([declared.key] if declared.key else []) + [c.name for c in declared.columns]))
            for index, row in enumerate(rows):
                unknown = [k for k in row if k not in columns]
                for key in unknown:
                    hint = difflib.get_close_matches(key, columns, n=1)
                    problems.append(f"{spec.where('given', table, index, key)}: given {table} row {index + 1}: "
                                    f"column '{key}' is not declared for input '{table}'"
                                    + (f" (did you mean '{hint[0]}'?)" if hint else "")
                                    + f"; declared: {', '.join(columns)}")
            _write_csv(data_dir / f"{table}.csv", columns, rows, declared)
        elif table in ruleset.factor_sets:
            columns = list(dict.fromkeys(k for row in rows for k in row))
            columns += [c for c in FACTOR_COLUMNS if c not in columns]
            filled = [{**{k: "test" for k in FACTOR_PROVENANCE}, **row} for row in rows]
            _write_csv(data_dir / ruleset.factor_sets[table].file, columns, filled)
        else:
            known = sorted([*ruleset.inputs, *ruleset.factor_sets])
            hint = difflib.get_close_matches(table, known, n=1)
            problems.append(f"{spec.where('given', table)}: given '{table}' is neither an input nor a factor set of "
                            f"the ruleset" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                            + f"; it has: {', '.join(known)}")
    registry = _load_registry()
    for name, declared in ruleset.inputs.items():  # neither given nor in the base: an empty table
        if name not in spec.model.given and find_file(data_dir, name, registry) is None:
            columns = list(dict.fromkeys(([declared.key] if declared.key else []) + [c.name for c in declared.columns]))
            _write_csv(data_dir / f"{name}.csv", columns, [], declared)
    return problems


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal):
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    return str(value)


def _query(con, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


class _Checker:
    """Compares one run with one case's expectations; collects a message per failure."""

    def __init__(self, spec: CaseSpec, result, ruleset):
        self.spec, self.result, self.ruleset = spec, result, ruleset
        self.con = result.connection
        self.expect = spec.model.expect
        self.failures: list[str] = []

    def fail(self, path: tuple, message: str) -> None:
        self.failures.append(f"{self.spec.where('expect', *path)}: {message}")

    def amount(self, path: tuple, what: str, expected: Decimal, got: Decimal | None) -> None:
        got = Decimal(0) if got is None else Decimal(got)
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            diff = got - expected
            ok = abs(diff) <= self.expect.tolerance
        if not ok:
            self.fail(path, f"{what} expected {_fmt(expected)} got {_fmt(got)} (diff {_fmt(diff)})")

    def sum_ledger(self, column: str, where: str = "TRUE", params: Iterable[Any] = ()) -> Decimal | None:
        """The inventory amount: each ledger row's value times its entity's boundary weight."""
        return _query(self.con, f"SELECT sum({column} * boundary_weight) FROM run_ledger WHERE {where}", params)[0][0]

    def run(self) -> list[str]:
        e = self.expect
        if e.total is not None:
            self.amount(("total",), "total", e.total, self.sum_ledger("co2e_kg"))
        for index, item in enumerate(e.totals):
            where, params, label = ["scope = ?"], [item.scope], [f"scope {item.scope}"]
            for column, value in (("category", item.category), ("basis", item.basis)):
                if value is not None:
                    where.append(f"{column} = ?")
                    params.append(value)
                    label.append(f"{column} {value}")
            self.amount(("totals", index), f"total of {' '.join(label)}", item.co2e_kg,
                        self.sum_ledger("co2e_kg", " AND ".join(where), params))
        for rule, expected in e.rules.items():
            if rule not in self.ruleset.rules:
                hint = difflib.get_close_matches(rule, list(self.ruleset.rules), n=1)
                self.fail(("rules", rule), f"rule {rule} is not in the ruleset"
                          + (f" (did you mean '{hint[0]}'?)" if hint else f"; rules: {', '.join(self.ruleset.rules)}"))
                continue
            self.amount(("rules", rule), f"rule {rule}", expected, self.sum_ledger("co2e_kg", "rule_id = ?", [rule]))
        for gas, expected in e.gases.items():
            self.amount(("gases", gas), f"gas {gas} amount (kg)", expected, self.sum_ledger("amount", "gas = ?", [gas]))
        self.rows("rejects", e.rejects, "run_rejects", e.rejects_count)
        self.rows("excluded", e.excluded, "run_excluded", e.excluded_count)
        for metric, expected, found in self.declared("metric", e.metrics, self.result.metrics):
            if found["problem"] is not None or found["value"] is None:
                self.fail(("metrics", metric), f"metric {metric} expected {_fmt(expected)} but it could not be "
                          f"computed: {found['problem'] or 'no value'}")
            else:
                self.amount(("metrics", metric), f"metric {metric}", expected, found["value"])
        for check, expected, found in self.declared("check", e.checks, self.result.checks):
            if found["passed"] != expected:
                why = f" ({found['problem']})" if found["problem"] else ""
                self.fail(("checks", check), f"check {check} expected to {'pass' if expected else 'fail'}, "
                          f"it {'passed' if found['passed'] else 'failed'}{why}")
        return self.failures

    def declared(self, kind: str, expected: dict, results: list[dict]):
        """(id, expected, result) for each expected metric or check the run has; a missing one fails."""
        by_id = {r["id"]: r for r in results}
        for item_id, value in expected.items():
            if item_id in by_id:
                yield item_id, value, by_id[item_id]
            else:
                self.fail((f"{kind}s", item_id), f"{kind} {item_id} is not in the ruleset"
                          + (f"; {kind}s: {', '.join(by_id)}" if by_id else ""))

    def rows(self, key: str, expected: list, table: str, count: int | None) -> None:
        with_rule = key == "rejects"
        columns = "row_id, rule_id, reason" if with_rule else "row_id, coalesce(exclusion_id, rule_id), reason"
        actual = _query(self.con, f"SELECT {columns} FROM {table} ORDER BY ALL")
        noun = "reject" if with_rule else "exclusion"
        for index, item in enumerate(expected):
            same_row = [r for r in actual if r[0] == item.row_id]
            match = [r for r in same_row
                     if (not with_rule or item.rule is None or r[1] == item.rule)
                     and (item.reason_contains is None or item.reason_contains in (r[2] or ""))]
            if match:
                continue
            wanted = [f"row {item.row_id}"]
            if with_rule and item.rule is not None:
                wanted.append(f"rule {item.rule}")
            if item.reason_contains is not None:
                wanted.append(f"reason containing {item.reason_contains!r}")
            seen = "; ".join(f"{r[1] or '(input)'}: {r[2]}" for r in same_row)
            self.fail((key, index), f"expected a {noun} of {', '.join(wanted)}; "
                      + (f"row {item.row_id} has: {seen}" if same_row else f"row {item.row_id} has none"))
        if count is not None and count != len(actual):
            shown = ", ".join(f"{r[0]} ({r[1] or 'input'})" for r in actual[:10]) + (" …" if len(actual) > 10 else "")
            self.fail((f"{key}_count",), f"{key}_count expected {count} got {len(actual)}"
                      + (f": {shown}" if actual else ""))


def run_case(spec: CaseSpec) -> CaseResult:
    """Evaluate one case for real (DuckDB, installed plugins) and compare with its expectations."""
    import duckdb

    from tanso.run import evaluate, prepare
    outcome = CaseResult(spec.file, spec.name, spec.line, ruleset=spec.ruleset_path)
    overrides = {name: _text(value) for name, value in spec.model.policies.items()}
    try:
        prepared = prepare(spec.ruleset_path, overrides=overrides, registry=_load_registry())
    except TansoError as error:
        outcome.error = f"{spec.where('ruleset')}: the ruleset cannot be used: {_tanso_error(error)}"
        return outcome
    outcome.ruleset_name = prepared.ruleset.name
    outcome.rules = tuple(prepared.ruleset.rules)
    ruleset = _reading_given_tables(prepared.ruleset, spec.model.given, spec.data_path)
    with tempfile.TemporaryDirectory(prefix="tanso-test-") as scratch:
        problems = _build_data(spec, ruleset, Path(scratch) / "data")
        if problems:
            outcome.error = "\n".join(problems)
            return outcome
        try:
            result = evaluate(ruleset, prepared.registry, prepared.graph, Path(scratch) / "data",
                              Path(scratch) / "out")
        except TansoError as error:
            outcome.error = f"{spec.where()}: the run failed: {_tanso_error(error)}"
            return outcome
        except duckdb.Error as error:
            outcome.error = f"{spec.where()}: the backend could not evaluate the data: {str(error).splitlines()[0]}"
            return outcome
        try:
            outcome.exercised = frozenset(
                r[0] for r in _query(result.connection, "SELECT DISTINCT rule_id FROM run_ledger UNION "
                                                        "SELECT DISTINCT rule_id FROM run_rejects") if r[0] is not None)
            outcome.failures = _Checker(spec, result, ruleset).run()
        finally:
            result.connection.close()
    return outcome


def _tanso_error(error: TansoError) -> str:
    if error.diagnostics is not None and error.diagnostics.items:
        return "\n" + error.diagnostics.render().rstrip()
    return str(error)


def run_file(path: Path) -> list[CaseResult]:
    """Run every case of one test file (raises `TestFileError` when the file itself is wrong)."""
    return [run_case(spec) for spec in load_file(Path(path))]


# ----------------------------------------------------------------------------- coverage

@dataclass(frozen=True)
class Coverage:
    ruleset: Path
    name: str
    rules: tuple[str, ...]
    covered: tuple[str, ...]

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if r not in self.covered)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.covered) / len(self.rules) if self.rules else 100.0

    def render(self) -> str:
        text = (f"coverage {self.name} ({display(self.ruleset)}): {len(self.covered)}/{len(self.rules)} rules "
                f"({self.percent:.1f}%)")
        return text + (f"; uncovered: {', '.join(self.uncovered)}" if self.uncovered else "")


def coverage(results: Iterable[CaseResult]) -> list[Coverage]:
    """Per ruleset: which of its rules at least one case produced a ledger row or a reject for."""
    by_ruleset: dict[Path, tuple[str, list[str], set[str]]] = {}
    for result in results:
        if result.ruleset is None or result.ruleset_name is None:
            continue
        name, rules, covered = by_ruleset.setdefault(result.ruleset, (result.ruleset_name, [], set()))
        rules.extend(r for r in result.rules if r not in rules)
        covered |= result.exercised
    return [Coverage(path, name, tuple(rules), tuple(r for r in rules if r in covered))
            for path, (name, rules, covered) in sorted(by_ruleset.items())]


# ----------------------------------------------------------------------------- the `tanso test` command

def run_command(path: Path, *, show_coverage: bool = False, fail_under: float | None = None,
                echo: Callable[[str], None] = print) -> int:
    """Discover, run and report; the exit code: 0 when every case passes (and coverage is at least
    `fail_under` percent for every ruleset), 1 otherwise."""
    files = discover(path)
    if not files:
        echo(f"no ruleset tests found in {path} (expected tests/*.yaml next to a ruleset)")
        return 1
    results: list[CaseResult] = []
    file_errors = 0
    for file in files:
        try:
            specs = load_file(file)
        except TestFileError as error:
            file_errors += 1
            echo(f"ERROR {display(file)}\n" + _indent(str(error)))
            continue
        for spec in specs:
            result = run_case(spec)
            results.append(result)
            echo(f"{'PASS' if result.passed else 'FAIL'} {display(file)}:{result.line} {result.name}")
            if not result.passed:
                echo(_indent(result.message))
    failed = sum(not r.passed for r in results)
    summary = f"{len(results) - failed} passed, {failed} failed"
    if file_errors:
        summary += f", {file_errors} file{'s' if file_errors > 1 else ''} with errors"
    echo(summary)
    code = 0 if failed == 0 and file_errors == 0 else 1
    if show_coverage or fail_under is not None:
        for item in coverage(results):
            line = item.render()
            if fail_under is not None and item.percent < fail_under:
                line += f" — below --fail-under {fail_under:g}%"
                code = 1
            echo(line)
    return code


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
