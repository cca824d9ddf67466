"""Running cases for real (DuckDB, the installed plugins), rule coverage, and the `tanso test` command."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from tanso.diagnostics import TansoError
from tanso.scratch import owned_folder
from tanso.testing.checker import Checker, query
from tanso.testing.data import as_text, build_data, reading_given_tables, shared_registry
from tanso.testing.files import CaseSpec, TestFileError, discover, display, load_file

if TYPE_CHECKING:
    from tanso.model.ruleset import Ruleset
    from tanso.run.execute import RunResult


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


@dataclass
class _Run:
    """A case's run, kept for the next cases of its file with the same `CaseSpec.run_key`."""
    key: tuple
    folder: tempfile.TemporaryDirectory
    ruleset: Ruleset
    result: RunResult
    exercised: frozenset[str]


_kept: _Run | None = None   # the last run: cases sharing one follow each other (testing_pytest groups them)


def release() -> None:
    """Close the kept run and remove its folder."""
    global _kept
    if _kept is not None:
        run, _kept = _kept, None
        try:
            run.result.connection.close()
        finally:
            run.folder.cleanup()


def run_case(spec: CaseSpec) -> CaseResult:
    """Evaluate one case for real (DuckDB, installed plugins) and compare with its expectations; a case
    whose run the previous case made (same file and `run_key`) checks that run instead of making it again."""
    global _kept
    outcome = CaseResult(spec.file, spec.name, spec.line, ruleset=spec.ruleset_path)
    if _kept is None or _kept.key != spec.run_key:
        release()
        _kept = _evaluate(spec, outcome)
        if _kept is None:
            return outcome
    outcome.ruleset_name, outcome.rules = _kept.ruleset.name, tuple(_kept.ruleset.rules)
    outcome.exercised = _kept.exercised
    outcome.failures = Checker(spec, _kept.result, _kept.ruleset).run()
    return outcome


def _evaluate(spec: CaseSpec, outcome: CaseResult) -> _Run | None:
    """The case's run, or None with `outcome.error` saying why it could not be made."""
    from tanso.run import prepare
    overrides = {name: as_text(value) for name, value in spec.model.policies.items()}
    try:
        prepared = prepare(spec.ruleset_path, overrides=overrides, registry=shared_registry())
    except TansoError as error:
        outcome.error = f"{spec.where('ruleset')}: the ruleset cannot be used: {_tanso_error(error)}"
        return None
    outcome.ruleset_name = prepared.ruleset.name
    outcome.rules = tuple(prepared.ruleset.rules)
    ruleset = reading_given_tables(prepared.ruleset, spec.model.given, spec.data_path)
    folder = owned_folder("test")
    try:
        made = _evaluate_in(Path(folder.name), spec, ruleset, prepared, outcome)
    except BaseException:
        folder.cleanup()
        raise
    if made is None:
        folder.cleanup()
        return None
    return _Run(spec.run_key, folder, ruleset, *made)


def _evaluate_in(scratch: Path, spec: CaseSpec, ruleset: Ruleset, prepared,
                 outcome: CaseResult) -> tuple[RunResult, frozenset[str]] | None:
    """The case's data folder and run in `scratch`, and the rules with a ledger row or a reject; None with
    `outcome.error` set where the data or the run failed."""
    import duckdb

    from tanso.run import evaluate
    problems = build_data(spec, ruleset, scratch / "data")
    if problems:
        outcome.error = "\n".join(problems)
        return None
    try:
        result = evaluate(ruleset, prepared.registry, prepared.graph, scratch / "data", scratch / "out")
    except TansoError as error:
        outcome.error = f"{spec.where()}: the run failed: {_tanso_error(error)}"
        return None
    except duckdb.Error as error:
        outcome.error = f"{spec.where()}: the backend could not evaluate the data: {str(error).splitlines()[0]}"
        return None
    try:
        return result, frozenset(
            r[0] for r in query(result.connection, "SELECT DISTINCT rule_id FROM run_ledger UNION "
                                                    "SELECT DISTINCT rule_id FROM run_rejects") if r[0] is not None)
    except BaseException:
        result.connection.close()
        raise


def _tanso_error(error: TansoError) -> str:
    if error.diagnostics is not None and error.diagnostics.items:
        return "\n" + error.diagnostics.render().rstrip()
    return str(error)


def run_file(path: Path) -> list[CaseResult]:
    """Run every case of one test file (raises `TestFileError` when the file itself is wrong)."""
    try:
        return [run_case(spec) for spec in load_file(Path(path))]
    finally:
        release()


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
    try:
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
    finally:
        release()   # also when interrupted: the kept run's connection and folder (as run_file)
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
