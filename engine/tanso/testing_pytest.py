"""pytest plugin: every case of a ruleset test file (`tests/*.yaml` next to a ruleset or inside a
`rulesets/` tree) is a test item, as OpenFisca's test runner does for its YAML tests.

Registered through the `pytest11` entry point, so `pytest` from the repository root collects the
ruleset tests of the folders in `testpaths`. A failed expectation is reported as its message
(file:line, expected, got, diff) — no Python traceback.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tanso.testing import CaseSpec, TestFileError, is_ruleset_test, load_file, run_case
from tanso.testing.runner import release


class CaseFailed(Exception):
    """A case whose expectations were not met (or that could not run); the message says why."""


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if is_ruleset_test(file_path):
        return RulesetTestFile.from_parent(parent, path=file_path)
    return None


class RulesetTestFile(pytest.File):
    def collect(self):
        try:
            specs = load_file(self.path)
        except TestFileError as error:
            raise self.CollectError(str(error)) from None  # shown as the message alone
        sharing = Counter(spec.run_key for spec in specs)
        first: dict[tuple, int] = {}
        grouped = self.config.pluginmanager.hasplugin("xdist")
        for spec in specs:
            case = RulesetTestCase.from_parent(self, name=spec.name, spec=spec)
            if grouped and (sharing[spec.run_key] > 1 or "@" in spec.name):
                # Cases sharing a run: one worker runs them in turn, and evaluates once. A case named with
                # an `@` is a group of its own: xdist's loadgroup takes what follows a node id's last `@` as
                # its group, so "10 kWh @ spark" would otherwise be scheduled with the group "spark".
                first.setdefault(spec.run_key, spec.line)
                case.add_marker(pytest.mark.xdist_group(f"{self.nodeid}:{first[spec.run_key]}"))
            yield case


def pytest_sessionfinish() -> None:
    release()   # the run cases of a file shared (runner.run_case)


class RulesetTestCase(pytest.Item):
    def __init__(self, *, spec: CaseSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        result = run_case(self.spec)
        if not result.passed:
            raise CaseFailed(result.message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.spec.line - 1, f"case {self.spec.name!r}"
