"""The corpus's runner and fixtures (imported by test_corpus.py; not a conftest.py, whose module name
would clash with tests/conftest.py): two zygote runners, the mutations run two at a time, and the
unmutated runs (baselines) of each base."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import corpus_bases as bases
from corpus_outcome import Outcome, read_outcome
from mutations import Case, Mutation

HERE = Path(__file__).resolve().parent

TANSO = [str(Path(sys.executable).parent / "tanso")]
WORKERS = 2          # the corpus runs two mutations at a time (CI has 2 cores)
CPU_SECONDS: list[float] = []   # of every tanso process the zygotes ran


class Zygote:
    """One pre-imported tanso; `run(args, cwd)` forks a child per command (see zygote.py)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(HERE / "zygote.py")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=os.environ.copy())

    def run(self, args: list[str], cwd: Path) -> tuple[int, str, str]:
        out, err = cwd / ".stdout", cwd / ".stderr"
        request = {"args": list(args), "cwd": str(cwd), "stdout": str(out), "stderr": str(err),
                   "env": {"COLUMNS": "120"}}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().split()
        assert answer, "the zygote died"
        CPU_SECONDS.append(float(answer[1]))
        try:
            return int(answer[0]), out.read_text(errors="replace"), err.read_text(errors="replace")
        finally:
            out.unlink(missing_ok=True)
            err.unlink(missing_ok=True)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


class Pool:
    """Up to WORKERS zygotes, each started when a command first finds none idle (a process that runs
    only the demo's mutations, one at a time, starts one); `run` borrows one, blocking while all are busy."""

    def __init__(self):
        self.idle: queue.Queue[Zygote] = queue.Queue()
        self.all: list[Zygote] = []
        self.starting = threading.Lock()

    def run(self, args, cwd):
        with self.starting:
            if self.idle.empty() and len(self.all) < WORKERS:
                self.all.append(Zygote())
                self.idle.put(self.all[-1])
        z = self.idle.get()
        try:
            return z.run(args, cwd)
        finally:
            self.idle.put(z)

    def close(self):
        for z in self.all:
            z.close()


@pytest.fixture(scope="session")
def zygote():
    pool = Pool()
    yield pool.run
    pool.close()


def readonly_parent(root: Path) -> str:
    # root writes anywhere whatever the mode: use a folder that cannot be created at all
    return "/proc/tanso-corpus-readonly" if os.geteuid() == 0 else str(root / "ro")


def execute(m: Mutation, root: Path, zygote) -> tuple[Case, Outcome]:
    """Copy the base into root, mutate it, run the command; the run's Outcome."""
    ruleset, data = bases.build(m.base, root)
    case = Case(root, ruleset, data, root / "out")
    threads = "1" if m.base == "mini" else "2"
    case.command = [a.format(ruleset=ruleset, data=data, out=case.out, root=root, readonly=readonly_parent(root),
                             threads=threads) for a in m.args]
    if m.mutate is not None:
        m.mutate(case)
    code, stdout, stderr = m.run(case, TANSO, zygote) if m.run else zygote(case.command, root)
    return case, read_outcome(code, stdout, stderr, case.out)


def batched(m: Mutation) -> bool:
    """Run by corpus_results, all at once: the mini base's mutations that do not run themselves."""
    return m.base == "mini" and m.run is None


@pytest.fixture(scope="session")
def corpus_results(request, zygote, tmp_path_factory):
    """Every selected mutation that the zygotes run (not the demo's, not the self-running ones), run
    WORKERS at a time at the first test's request; each test then checks its own result."""
    selected = [item.callspec.params["m"] for item in request.session.items
                if getattr(item, "callspec", None) and isinstance(item.callspec.params.get("m"), Mutation)]
    batch = [m for m in selected if batched(m)]
    results: dict[str, object] = {}

    def one(m: Mutation):
        root = tmp_path_factory.mktemp(re.sub(r"[^\w.-]", "_", m.name))
        try:
            results[m.name] = execute(m, root, zygote)
        except BaseException:
            results[m.name] = traceback.format_exc()

    with ThreadPoolExecutor(WORKERS) as workers:
        list(workers.map(one, batch))
    return results


@pytest.fixture(scope="session")
def baseline(zygote, tmp_path_factory):
    """The unmutated run of a base, computed once: its Outcome and the row count of each source table."""
    done: dict[str, Outcome] = {}

    def get(base: str) -> Outcome:
        if base not in done:
            root = tmp_path_factory.mktemp(f"baseline-{base}")
            case, outcome = execute(Mutation("baseline", "none", None, 0, ""), root, zygote) if base == "mini" else \
                execute(Mutation("baseline", "none", None, 0, "", base=base), root, zygote)
            assert outcome.code == 0, outcome.stderr
            outcome.rows = {t: bases.table_rows(case.data, case.ruleset, t) for t in outcome.source_tables()}
            done[base] = outcome
        return done[base]
    return get
