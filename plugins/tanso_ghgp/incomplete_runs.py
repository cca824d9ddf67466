"""What `base-year`, `decompose` and `engage` say about run folders whose totals are incomplete: a figure derived
from an incomplete run is provisional, said on the first lines and by exit code 5, as `tanso evaluate` says it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tanso.audit.run_folder import RunFolder
from tanso.i18n import t
from tanso_ghgp import messages  # noqa: F401  (registers the words below)

def announce(runs: dict[str, Path]) -> bool:
    """Print one INCOMPLETE line per incomplete run (`runs`: what each is called → its folder); whether any was."""
    found = False
    for name, path in runs.items():
        left_out = RunFolder.open(path).rows_left_out
        if left_out:
            click.echo(t("provisional.run", name=t(f"provisional.{name}"), path=path, rows=left_out,
                         s="s" if left_out != 1 else ""))
            found = True
    return found


def refuse(error: Exception) -> None:
    """A run folder these commands cannot use: said after the run's language's "error:", exit 1 (as Click's
    refusals were)."""
    from tanso.cli import _error_word   # here: the CLI loads this plugin's commands
    click.echo(f"{_error_word()} {error}", err=True)
    sys.exit(1)


def exit_provisional() -> None:
    """Exit with `tanso evaluate`'s code for totals left incomplete (after the output is written)."""
    from tanso.cli import EXIT_INCOMPLETE   # here: the CLI loads this plugin's commands
    sys.exit(EXIT_INCOMPLETE)
