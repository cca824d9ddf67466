"""Output for a person: the terminal's width, colour only on a terminal (never under NO_COLOR), progress
with done/total on a terminal's stderr and nowhere else."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

from click.testing import CliRunner

from tanso import terminal
from tanso.cli import main


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_width_is_columns_then_the_terminal_then_the_table_s_own(monkeypatch):
    monkeypatch.setenv("COLUMNS", "73")
    assert terminal.width(_Terminal()) == 73 and terminal.console(_Terminal()).width == 73
    monkeypatch.delenv("COLUMNS")
    assert terminal.width(io.StringIO()) == terminal.FALLBACK_WIDTH


def test_colour_only_on_a_terminal_and_never_under_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert terminal.colour(_Terminal()) and not terminal.colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.colour(_Terminal())


def test_plugins_fits_the_terminal_width_without_cutting_an_identifier():
    outcome = CliRunner().invoke(main, ["plugins"], env={"COLUMNS": "90"})
    assert outcome.exit_code == 0
    assert max(len(line) for line in outcome.output.splitlines()) <= 90
    assert "tanso_calculators" in outcome.output and "\x1b[" not in outcome.output   # no colour into a pipe


def _run_with_stderr_on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "tanso.cli", *args], stdout=subprocess.PIPE, stderr=secondary,
                               env=env)
    os.close(secondary)
    drawn = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    out = process.stdout.read().decode()
    process.stdout.close()
    os.close(primary)
    return process.wait(), out, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.decode(errors="replace"))


def test_progress_shows_the_phase_and_done_of_total_on_a_terminal_only(fuel_case):
    code, out, drawn = _run_with_stderr_on_a_terminal(["evaluate", str(fuel_case.ruleset), "--data",
                                                       str(fuel_case.data)])
    assert code == 0 and "Scope 1" in out
    assert "planning s1.fuel" in drawn and "1/1" in drawn
    piped = subprocess.run([sys.executable, "-m", "tanso.cli", "evaluate", str(fuel_case.ruleset), "--data",
                            str(fuel_case.data)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    assert piped.returncode == 0 and piped.stderr == ""


def test_quiet_draws_no_progress_even_on_a_terminal(fuel_case):
    code, out, drawn = _run_with_stderr_on_a_terminal(["-q", "evaluate", str(fuel_case.ruleset), "--data",
                                                       str(fuel_case.data)])
    assert (code, out) == (0, "") and "planning" not in drawn


def test_a_report_is_coloured_at_the_terminal_and_plain_in_its_file(monkeypatch, tmp_path):
    """Reporters lay out for the terminal (its width, colour there), and the copy written under --out
    has the same text without escape codes."""
    from rich.table import Table

    from tanso_report import display
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "64")
    monkeypatch.setattr(sys, "stdout", _Terminal())
    out = display.console()
    table = Table(title="totals")
    table.add_column("scope", style="bold")
    table.add_row("Scope 1")
    out.print(table)
    shown = display.finish(out, tmp_path / "report.txt")
    written = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "\x1b[" in shown and "\x1b[" not in written
    assert re.sub(r"\x1b\[[0-9;]*m", "", shown) == written and out.width == 64
