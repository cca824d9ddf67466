"""Temporary folders of killed runs (DuckDB's spill and every other) are removed by the next run; nothing else
is (tanso/scratch.py).

Real processes, no mock: a Python process opens a run's session (the DuckDB connection and its spill
folder) in a temporary folder of the test's own ($TMPDIR), reports its folder and waits; it is then
killed with SIGKILL, which no cleanup survives.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.plugins import load_registry
from tanso.run.session import Session
from tanso.scratch import OWNER, _start_time, owned_folder, sweep

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sweep probes processes with signal 0 (POSIX)")

HOLD_A_SESSION = ("import sys; from pathlib import Path; from tanso.plugins import load_registry; "
                  "from tanso.run.session import Session; "
                  "s = Session(load_registry(), Path('.')); print(s._spill.name, flush=True); sys.stdin.read()")


def start_run(tmp: Path) -> tuple[subprocess.Popen, Path]:
    """A process holding a session whose spill folder is under `tmp`; (the process, its spill folder)."""
    env = os.environ | {"TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen([sys.executable, "-c", HOLD_A_SESSION], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    folder = Path(process.stdout.readline().strip())
    assert folder.parent == tmp and folder.name.startswith(f"tanso-duckdb-{process.pid}-"), folder
    return process, folder


@pytest.fixture
def tmp(tmp_path, monkeypatch) -> Path:
    """This process's temporary folder for the test (the runs it starts get it as $TMPDIR)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_the_spill_folder_of_a_killed_run_is_removed_when_the_next_run_starts_and_a_live_runs_is_kept(tmp):
    killed, left = start_run(tmp)
    living, kept = start_run(tmp)   # its sweep leaves the first folder: that process still runs
    try:
        assert left.is_dir()
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert left.is_dir()    # a killed run cannot remove its folder
        session = Session(load_registry(), Path("."))
        assert not left.exists()
        assert kept.is_dir() and Path(session._spill.name).is_dir()
    finally:
        living.kill()
        living.wait()
        killed.kill()


def test_a_folder_not_made_by_a_run_of_this_machine_is_never_removed(tmp):
    process, _ = start_run(tmp)
    process.send_signal(signal.SIGKILL)
    process.wait()
    dead = process.pid
    identity = json.loads(next(tmp.glob(f"tanso-duckdb-{dead}-*/{OWNER}")).read_text())
    kept = {
        "no owner file": (f"tanso-duckdb-{dead}-noowner", None),
        "an older tanso's name": ("tanso-duckdb-abc123", identity),
        "another host": (f"tanso-duckdb-{dead}-elsewhere", identity | {"host": identity["host"] + "-other"}),
        "another PID namespace": (f"tanso-duckdb-{dead}-container", identity | {"pid_namespace": "pid:[1]"}),
        "an owner file that is not JSON": (f"tanso-duckdb-{dead}-garbled", "{"),
        "not a spill folder's name": (f"my-tanso-duckdb-{dead}-notes", identity),
        "a live process": (f"tanso-duckdb-{os.getppid()}-alive", identity | {"pid": os.getppid(),
                                                                             "started": _start_time(os.getppid())}),
    }
    # The pid of a live process that started after the folder's owner: the pid was reused, the owner is gone.
    reused = f"tanso-duckdb-{os.getppid()}-reused"
    (tmp / reused).mkdir()
    (tmp / reused / OWNER).write_text(json.dumps(identity | {"pid": os.getppid(), "started": 1}))
    for name, owner in kept.values():
        (tmp / name).mkdir()
        if owner is not None:
            (tmp / name / OWNER).write_text(owner if isinstance(owner, str) else json.dumps(owner))
    (tmp / f"tanso-duckdb-{dead}-file").write_text("a file, not a folder")
    removed = sweep(tmp)
    # The killed run's folder and the reused pid's, and nothing else.
    assert len(removed) == 2 and not any(p.exists() for p in removed)
    names = {p.name for p in removed}
    assert reused in names and any(name.startswith(f"tanso-duckdb-{dead}-") for name in names)
    for why, (name, _) in kept.items():
        assert (tmp / name).is_dir(), why
    assert (tmp / f"tanso-duckdb-{dead}-file").is_file()


# ----------------------------------------------------------------------------- every temporary folder of a run

RUN_KINDS = ("duckdb", "run", "spark", "parts", "csv", "reperform", "evidence", "rev", "test")
HOLD_FOLDERS = ("import sys; from tanso.scratch import owned_folder; "
                "held = [owned_folder(kind) for kind in sys.argv[1:]]; "
                "print(' '.join(f.name for f in held), flush=True); sys.stdin.read()")


def test_every_kind_of_temporary_folder_a_killed_run_left_is_removed_by_the_next_run(tmp):
    env = os.environ | {"TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    killed = subprocess.Popen([sys.executable, "-c", HOLD_FOLDERS, *RUN_KINDS], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    left = [Path(name) for name in killed.stdout.readline().split()]
    assert [f.name.split("-")[1] for f in left] == list(RUN_KINDS) and all((f / OWNER).is_file() for f in left)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    with owned_folder("csv") as mine:   # the next run, reading a CSV file
        assert not any(f.exists() for f in left) and Path(mine).is_dir()
    assert not Path(mine).exists()


def test_a_killed_evaluate_leaves_only_owned_folders_and_the_next_run_removes_them(tmp_path):
    """A real `tanso evaluate` without --out (its outputs in a `run` folder, DuckDB's spill in a `duckdb`
    one), killed with SIGKILL while it reads 200,000 rows."""
    case = make_case(tmp_path / "case", fuel_ruleset(), {"fuel_use": [fuel_row(f"F{i}", "1") for i in range(200_000)]},
                     {"fuels": FUEL_FACTORS})
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = os.environ | {"TMPDIR": str(temporary), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    run = subprocess.Popen([sys.executable, "-m", "tanso.cli", "evaluate", str(case.ruleset), "--data", str(case.data)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while {f.name.split("-")[1] for f in temporary.glob("tanso-*-*")} < {"run", "duckdb"}:
            assert run.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    left = list(temporary.glob("tanso-*"))
    assert left and all((f / OWNER).is_file() for f in left), left
    assert sorted(sweep(temporary)) == sorted(left) and not list(temporary.iterdir())


HOLD_A_SPARK_BACKEND = ("import sys; from tanso.backends.spark import SparkBackend; "
                        "backend = SparkBackend('local[1]'); print(backend._staging, flush=True); sys.stdin.read()")


@pytest.mark.spark
def test_the_spark_staging_folder_of_a_killed_run_is_removed_by_the_next_run(tmp_path):
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Java is not installed; the Spark tests run in CI")
    staging = tmp_path / "staging"   # TANSO_SPARK_STAGING: on a cluster, a folder every executor can write
    env = os.environ | {"TANSO_SPARK_STAGING": str(staging), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    run = subprocess.Popen([sys.executable, "-c", HOLD_A_SPARK_BACKEND], env=env, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        left = Path(run.stdout.readline().strip())
    finally:
        os.killpg(run.pid, signal.SIGKILL)   # the Python driver and its JVM
        run.wait()
    assert left.parent == staging and left.name.startswith(f"tanso-spark-{run.pid}-") and (left / OWNER).is_file()
    assert sweep(staging) == [left] and not left.exists()
