"""Snapshot tests of the rendered diagnostics, in the manner of Catala's cram tests.

Each `tests/diagnostics/<case>.tanso` is a small ruleset with mistakes; `<case>.expected` beside it is
exactly what `tanso check tests/diagnostics/<case>.tanso` prints on stderr, run from the repository
root. The test runs the real command through click's CliRunner and compares byte for byte.

Regenerate the snapshots after an intended change of wording with

    TANSO_UPDATE_SNAPSHOTS=1 pytest tests/test_diagnostics.py

and review the diff before committing. Base rulesets for `extends` live in the folder ruleset
`tests/diagnostics/bases/` (found by `extends bases`) and `named_otherwise/`; only top-level `*.tanso` files are cases.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from tanso.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = REPO_ROOT / "tests" / "diagnostics"
CASES = sorted(CASES_DIR.glob("*.tanso"))
UPDATE = os.environ.get("TANSO_UPDATE_SNAPSHOTS") == "1"


# Only the plugins shipped with tanso itself: a third-party plugin installed in the environment
# would add calculators or policy options to the "expected: one of …" lines.
BUILT_IN_PLUGINS = ",".join(sorted(ep.name for ep in metadata.distribution("tanso").entry_points
                                   if ep.group == "tanso"))


def _runner() -> CliRunner:
    try:  # click < 8.2 mixes stderr into output unless told not to
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


def test_cases_exist():
    assert len(CASES) >= 10, f"expected the diagnostics cases in {CASES_DIR}"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_diagnostics_snapshot(case: Path, monkeypatch: pytest.MonkeyPatch):
    # Paths in the output are shown relative to the working directory: run from the repository
    # root so they read `tests/diagnostics/<case>.tanso` whatever directory pytest started in.
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("TANSO_LOAD_PLUGINS", BUILT_IN_PLUGINS)
    relative = case.relative_to(REPO_ROOT).as_posix()
    result = _runner().invoke(main, ["check", relative], catch_exceptions=False)
    actual = result.stderr_bytes

    expected_file = case.with_suffix(".expected")
    if UPDATE:
        expected_file.write_bytes(actual)
    assert expected_file.exists(), f"no snapshot {expected_file}; run with TANSO_UPDATE_SNAPSHOTS=1 to create it"
    expected = expected_file.read_bytes()

    assert result.exit_code == 1, f"exit code {result.exit_code}, stdout {result.stdout!r}, stderr {actual!r}"
    assert result.stdout == "", "a failing check prints nothing on stdout"
    assert b"Traceback" not in actual
    assert actual.decode("utf-8") == expected.decode("utf-8"), f"diagnostics of {relative} differ from {expected_file.name}"
    assert actual == expected


def test_no_orphan_snapshots():
    """Every .expected file belongs to a case (a renamed case leaves no stale snapshot behind)."""
    orphans = [p.name for p in CASES_DIR.glob("*.expected") if not p.with_suffix(".tanso").exists()]
    assert not orphans
