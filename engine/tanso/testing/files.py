"""Test files: the YAML format of a case (pydantic models), reading it exactly (numbers as Decimals,
every problem with file:line at once) and finding the test files of a ruleset."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

TEST_SUFFIXES = (".yaml", ".yml")
TESTS_FOLDER = "tests"
RULESETS_TREE = "rulesets"

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



MODELS = (CaseModel, Expect, TotalExpectation, RejectExpectation, ExcludedExpectation)


def _keys_at(loc: tuple) -> list[str]:
    """The keys allowed where `loc` (pydantic's path to an unknown key) puts it: a typo is matched against
    its own level's keys (`rulez` under expect → rules), not every key of the format."""
    model: type[BaseModel] = CaseModel
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        inner = _model_in(model.model_fields[part].annotation) if part in model.model_fields else None
        if inner is None:
            break
        model = inner
    return sorted(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or as list items (`list[RejectExpectation]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for m in map(_model_in, get_args(annotation)) if m is not None), None)


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
    # One object per reading of the file (load_file): only its cases share a run (run_key), so a file read
    # again after its ruleset or data changed never gets a run of the files as they were.
    reading: object = field(repr=False, compare=False, default_factory=object)

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

    @property
    def run_key(self) -> tuple[object, str, str, str]:
        """What the case's evaluate depends on: cases of one reading of a file with the same key (e.g. a
        demo's totals and its coverage) expect different things of one run, which they share (runner.run_case)."""
        return (self.reading, str(self.ruleset_path), str(self.data_path),
                self.model.model_dump_json(include={"policies", "given"}))


def default_ruleset(test_file: Path) -> Path:
    folder = test_file.resolve().parent
    return folder.parent if folder.name == TESTS_FOLDER else folder


def _loc_text(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _problem_text(error: dict) -> str:
    loc = error["loc"]
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        allowed = _keys_at(loc)
        hint = difflib.get_close_matches(key, allowed, n=1)
        return f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else f" (keys here: {', '.join(allowed)})")
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
    cases, names, reading = [], {}, object()
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
        cases.append(CaseSpec(path, index, line, model, case_marks, reading))
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
