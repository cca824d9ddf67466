"""A warm cache never serves a stale answer: after a ruleset file, the grammar or a plugin changes, `tanso check`
says what the changed code and files say, not what the cache held (issue #13: check reads parsed files back).

Each test checks a copy of ghgp-current twice with one cache (the second run reads every file back), changes one
thing, and checks again with the same cache, as a user's `tanso check` runs: a process of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _check(root: Path, cache: Path, ruleset: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TANSO_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join([str(root / "engine"), str(root / "plugins")])}
    return subprocess.run([sys.executable, "-m", "tanso.cli", "check", str(ruleset)], cwd=ruleset.parent, env=env,
                          capture_output=True, text=True, timeout=300)


def _copies(tmp_path: Path, *parts: str) -> tuple[Path, Path]:
    """A copy of ghgp-current, and a root whose `parts` (engine, plugins) are copies and the others this checkout's."""
    ruleset = tmp_path / "rs"
    shutil.copytree(REPO / "rulesets" / "ghgp-current", ruleset, ignore=shutil.ignore_patterns("tests"))
    root = tmp_path / "root"
    for part in ("engine", "plugins"):
        if part in parts:
            shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / part).parent.mkdir(exist_ok=True)
            (root / part).symlink_to(REPO / part)
    return ruleset, root


def _warm(root: Path, cache: Path, ruleset: Path) -> None:
    runs = [_check(root, cache, ruleset) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.startswith("ok: ")
    assert len(list((cache / "ast").iterdir())) == len(list(ruleset.glob("*.tanso")))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edited_file_is_read_anew(tmp_path):
    ruleset, root = _copies(tmp_path)
    cache = tmp_path / "cache"
    _warm(root, cache, ruleset)
    _edit(ruleset / "scope1.tanso", "calc fuel_combustion(factors: fuels)", "calc fuel_combustion(factors: fuelz)")
    changed = _check(root, cache, ruleset)
    assert changed.returncode == 1 and "unknown factor set 'fuelz'" in changed.stderr
    assert "rs/scope1.tanso:10:" in changed.stderr
    _edit(ruleset / "scope1.tanso", "factors: fuelz)", "factors: fuels)")   # back as it was: the entry is read again
    assert _check(root, cache, ruleset).returncode == 0


def test_a_changed_grammar_parses_every_file_again(tmp_path):
    ruleset, root = _copies(tmp_path, "engine")
    cache = tmp_path / "cache"
    _warm(root, cache, ruleset)
    _edit(root / "engine" / "tanso" / "dsl" / "tanso.lark", '"calc" call', '"compute" call')
    changed = _check(root, cache, ruleset)
    assert changed.returncode == 1, changed.stdout
    assert "error: unexpected 'calc'\n  --> rs/scope1.tanso:10:3\n" in changed.stderr


def test_a_changed_plugin_is_asked_again(tmp_path):
    ruleset, root = _copies(tmp_path, "plugins")
    cache = tmp_path / "cache"
    _warm(root, cache, ruleset)
    _edit(root / "plugins" / "tanso_ghgp" / "calculators.py", 'Calculator(name="fuel_combustion"',
          'Calculator(name="fuel_burning"')
    changed = _check(root, cache, ruleset)
    assert changed.returncode == 1
    assert "unknown calculator 'fuel_combustion'" in changed.stderr and "fuel_burning" in changed.stderr
