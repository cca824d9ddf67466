"""A small audited workspace for the audit tests (verify, log, approvals, evidence): a ruleset and a data
folder, runs evaluated with relative paths as a user types them (from the workspace folder), the log
beside the run folders, and key pairs. Everything is real: the CLI, DuckDB, Ed25519."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.cli import main

# A rejected row (coal has no factor) under a stated tolerance, and several summary lines.
TOLERANCE = 'accept rejects s1.fuel up to 1 row "F9 burns coal, which the test factors lack"\n'
ROWS = [fuel_row("F1", "100"), fuel_row("F2", "250.5", entity="E2"), fuel_row("F3", "42", period="2025-02"),
        fuel_row("F4", "7.25", entity="E2", period="2025-02"), fuel_row("F9", "10", fuel="coal")]


def cli(*args, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run `tanso ARGS` as a user would (in `cwd`); the result has exit_code, stdout and stderr."""
    with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
        result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
    return result


@dataclass
class Workspace:
    root: Path          # where the user works: ruleset/, data/, runs/

    @property
    def log(self) -> Path:
        return self.root / "runs" / "tanso-log.jsonl"

    def evaluate(self, out: str = "runs/out", *options) -> Path:
        result = cli("evaluate", "ruleset", "--data", "data", "--out", out, *options, cwd=self.root)
        assert result.exit_code == 0, result.output
        return self.root / out

    def keys(self, name: str) -> tuple[Path, Path]:
        """NAME's private and public key."""
        result = cli("keygen", "--out", self.root / "keys" / name)
        assert result.exit_code == 0, result.output
        return self.root / "keys" / f"{name}.pem", self.root / "keys" / f"{name}.pub.pem"

    def approve(self, out: Path, role: str, by: str, key: Path, note: str = "checked") -> Result:
        return cli("approve", out, "--role", role, "--by", by, "--key", key, "--note", note)


def workspace(root: Path, statements: str = "") -> Workspace:
    """The fuel ruleset (plus `statements`) and its data under `root`; nothing evaluated yet."""
    make_case(root, fuel_ruleset(extra=TOLERANCE + statements), {"fuel_use": ROWS}, {"fuels": FUEL_FACTORS})
    (root / "keys").mkdir()
    return Workspace(root)


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
