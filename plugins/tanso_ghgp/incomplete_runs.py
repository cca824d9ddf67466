"""What `base-year`, `decompose` and `engage` say about run folders whose totals are incomplete: a figure derived
from an incomplete run is provisional, said on the first lines and by exit code 5, as `tanso evaluate` says it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tanso.audit.run_folder import RunFolder

def announce(runs: dict[str, Path]) -> bool:
    """Print one INCOMPLETE line per incomplete run (`runs`: what each is called → its folder); whether any was."""
    found = False
    for name, path in runs.items():
        left_out = RunFolder.open(path).rows_left_out
        if left_out:
            click.echo(f"INCOMPLETE: the {name} run {path} left {left_out:,} rejected row{'s' if left_out != 1 else ''} "
                       f"out of its totals beyond its tolerances: what follows is provisional")
            found = True
    return found


def exit_provisional() -> None:
    """Exit with `tanso evaluate`'s code for totals left incomplete (after the output is written)."""
    from tanso.cli import EXIT_INCOMPLETE   # here: the CLI loads this plugin's commands
    sys.exit(EXIT_INCOMPLETE)
