"""Fixtures of the corpus: the zygote runner and the unmutated runs (baselines) of each base."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bases  # noqa: E402
from outcome import Outcome, read_outcome  # noqa: E402

TANSO = [str(Path(sys.executable).parent / "tanso")]


class Zygote:
    """One pre-imported tanso; `run(args, cwd)` forks a child per command (see zygote.py)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(HERE / "zygote.py")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        self.lock = threading.Lock()

    def run(self, args: list[str], cwd: Path) -> tuple[int, str, str]:
        out, err = cwd / ".stdout", cwd / ".stderr"
        request = {"args": list(args), "cwd": str(cwd), "stdout": str(out), "stderr": str(err),
                   "env": {"COLUMNS": "120"}}
        with self.lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        assert answer, "the zygote died"
        try:
            return int(answer), out.read_text(errors="replace"), err.read_text(errors="replace")
        finally:
            out.unlink(missing_ok=True)
            err.unlink(missing_ok=True)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def zygote():
    z = Zygote()
    yield z.run
    z.close()


@pytest.fixture(scope="session")
def baseline(zygote, tmp_path_factory):
    """The unmutated run of a base, computed once: its Outcome and the row count of each source table."""
    done: dict[str, Outcome] = {}

    def get(base: str) -> Outcome:
        if base not in done:
            root = tmp_path_factory.mktemp(f"baseline-{base}")
            ruleset, data = bases.build(base, root)
            code, stdout, stderr = zygote(["evaluate", str(ruleset), "--data", str(data), "--out", str(root / "out")], root)
            assert code == 0, stderr
            outcome = read_outcome(code, stdout, stderr, root / "out")
            outcome.rows = {t: bases.csv_rows(data / f"{t}.csv") for t in outcome.source_tables()}
            done[base] = outcome
        return done[base]
    return get
