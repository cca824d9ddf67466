"""The per-user cache (analysed grammar, pint's parsed units) is only a shortcut: a damaged or stale
entry is rebuilt and the results are the same as without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Parses the ruleset (grammar), checks it, and converts a unit whose exact value needs the registry's
# 60-digit precision (pint's cache keys by definition files, not by the precision they were read at).
PROGRAM = """
from pathlib import Path
from tanso.run import prepare
from tanso.plan.units import conversion_factor
prepared = prepare(Path({ruleset!r}))
print(len(prepared.ruleset.rules), conversion_factor("gal", "L"), conversion_factor("ft3", "m**3"))
"""


def _run(cache: Path) -> str:
    env = {**os.environ, "TANSO_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins"),
                                          os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run([sys.executable, "-c", PROGRAM.format(ruleset=str(REPO / "rulesets" / "ghgp-current"))],
                               env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    return completed.stdout


def test_cold_warm_and_damaged_cache_give_the_same_results(tmp_path):
    cold = _run(tmp_path)
    assert cold.split()[1:] == ["3.785411784", "0.028316846592"]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.parent.name == "grammar" for p in written) and any(p.parent.name.startswith("pint-") for p in written)
    assert all(oct(p.stat().st_mode)[-3:] == "700" for p in tmp_path.iterdir())
    assert _run(tmp_path) == cold                      # warm
    for path in written:                               # torn by a crash, or written by another version
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert _run(tmp_path) == cold


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    assert _run(blocked).split()[1:] == ["3.785411784", "0.028316846592"]


def test_a_cache_folder_others_can_write_is_not_used(tmp_path):
    shared = tmp_path / "grammar"
    shared.mkdir()
    shared.chmod(0o777)   # e.g. made beforehand in a shared place by someone else
    _run(tmp_path)
    assert list(shared.iterdir()) == []
