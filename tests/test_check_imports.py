"""`tanso check` imports only what checking needs (issue #13: < 0.5 s for ~5,000 lines). Each library below
cost it 0.05-0.5 s when a command module or plugin imported it at the top; this keeps them off its path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Libraries of evaluate, compare, the reports and the graph commands: never imported by check. pydantic
# validates ruleset tests and a plugin's parameter types tanso.parameters does not know; check has none.
NEVER = ("altair", "vl_convert", "jinja2", "xlsxwriter", "duckdb", "pyarrow", "sklearn", "networkx", "rich",
         "python_calamine", "pydantic", "pydantic_core")
# Needed by a first check only: the parser (lark) for files not parsed before, pint for units not checked
# before (with numpy and scipy, which pint's `uncertainties` imports), importlib.metadata (with email,
# zipfile and csv) to index the installed entry points and versions (`tanso.installed`).
COLD_ONLY = ("lark", "pint", "numpy", "scipy", "importlib.metadata", "email", "zipfile", "csv")
# The standard library of the commands that write (scratch and staged folders: socket, tempfile, secrets,
# shutil), of a tanso.toml (tomllib: there is none here), of a did-you-mean (difflib: this ruleset has no
# mistake) and of exact JSON (fractions): 3-20 M instructions each, paid by every check when imported at the top.
STDLIB_NOT_NEEDED = ("socket", "tempfile", "secrets", "shutil", "tomllib", "difflib", "fractions")


def _imported_by_check(cache: Path) -> set[str]:
    """Top-level packages (and importlib's submodules) `python -X importtime -m tanso.cli check` imports, from
    its own report."""
    env = {**os.environ, "TANSO_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins")])}
    completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "tanso.cli", "check",
                                str(REPO / "rulesets" / "ghgp-current")],
                               env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("ok: ")
    modules = [line.rsplit("|", 1)[1].strip()
               for line in completed.stderr.splitlines() if line.startswith("import time:") and "|" in line]
    return {m.split(".")[0] for m in modules} | {m for m in modules if m.startswith("importlib.")}


def test_check_does_not_import_the_libraries_of_other_commands(tmp_path):
    cold = _imported_by_check(tmp_path)
    assert {"tanso", "lark", "importlib.metadata"} <= cold    # the report is read right
    assert sorted(cold & set(NEVER)) == []
    warm = _imported_by_check(tmp_path)
    assert sorted(warm & set(NEVER + COLD_ONLY + STDLIB_NOT_NEEDED)) == []
