"""`tanso check`, run as the program, moves its start-up objects out of the garbage collector's generations
(`tanso.cli.started_up`: each full collection while a large ruleset is read traversed them again); a process
that calls `main` in-process (a test, a library user) keeps its collector as it was."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import ACME_RULESET
from tanso.cli import main

REPO = Path(__file__).resolve().parents[1]

# `python -m tanso.cli check RULESET`, then the number of frozen objects, from inside the same process.
_AS_PROGRAM = """
import gc, runpy, sys
sys.argv = ["tanso", "check", sys.argv[1]]
try:
    runpy.run_module("tanso.cli", run_name="__main__", alter_sys=True)
except SystemExit as done:
    assert done.code in (0, None), done.code
print(gc.get_freeze_count())
"""


def test_check_as_the_program_freezes_what_start_up_made(tmp_path):
    env = {**os.environ, "TANSO_CACHE_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins")])}
    completed = subprocess.run([sys.executable, "-c", _AS_PROGRAM, str(ACME_RULESET)], env=env,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    ok, frozen = completed.stdout.splitlines()
    assert ok.startswith("ok: ")
    assert int(frozen) > 1000


def test_check_called_in_process_leaves_the_collector_alone():
    before = gc.get_freeze_count()
    outcome = CliRunner().invoke(main, ["check", str(ACME_RULESET)])
    assert outcome.exit_code == 0, outcome.output
    assert gc.get_freeze_count() == before
