"""DuckDB's memory limit: evaluate bounds it by default (448MB, benchmarks/README.md), `80%` gives DuckDB's own
default back, and above the limit DuckDB spills into the system's temporary folder, never the current one."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case


@pytest.fixture
def case(tmp_path):
    return make_case(tmp_path / "case", fuel_ruleset(), {"fuel_use": [fuel_row("r1", "10")]}, {"fuels": FUEL_FACTORS})


@pytest.mark.parametrize("given, expected", [
    (None, "427.2 MiB"),                                                             # evaluate's default: 448MB
    ("1GB", "953.6 MiB"),
    ("80%", duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]),   # DuckDB's own
])
def test_evaluate_bounds_duckdbs_memory_unless_told_otherwise(case, given, expected):
    prepared = case.prepare()
    from tanso.run import evaluate
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, case.data, case.root / "out",
                      memory_limit=given)
    assert result.connection.execute("SELECT current_setting('memory_limit')").fetchone()[0] == expected


def test_duckdb_spills_into_the_systems_temporary_folder_not_the_current_one(case, tmp_path):
    here, scratch = tmp_path / "here", tmp_path / "scratch"
    here.mkdir(), scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": os.pathsep.join(sys.path)}
    outcome = subprocess.run([sys.executable, "-m", "tanso.cli", "-vv", "evaluate", str(case.ruleset), "--data",
                              str(case.data)], cwd=here, env=env, capture_output=True, text=True)
    assert outcome.returncode == 0, outcome.stderr
    assert f"spilling to {scratch / 'tanso-duckdb-'}" in outcome.stderr
    assert list(here.iterdir()) == [] and list(scratch.glob("tanso-duckdb-*")) == []   # removed at the end
