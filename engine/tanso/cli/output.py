"""What a command shows besides its result: progress, log records, and how much of either (--quiet, -v).

Results go to stdout; progress and log records to stderr, so `tanso evaluate … > totals.txt` captures
the totals alone. Progress is drawn only on a terminal; a phase that counts its steps (the rules
planned, the ledger's parts written, a comparison's scenarios) shows done/total and the time left.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tanso.frozen import mutable

if TYPE_CHECKING:   # rich is imported by the commands that draw (not by `tanso check`)
    from rich.console import Console

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@mutable
class Verbosity:
    quiet: bool = False
    verbose: int = 0


verbosity = Verbosity()


def stderr() -> Console:
    """The console progress is drawn on: stderr's width, coloured only on a terminal without NO_COLOR."""
    from rich.console import Console

    from tanso import terminal
    coloured = terminal.colour(sys.stderr)
    return Console(stderr=True, highlight=False, no_color=not coloured, width=terminal.width(sys.stderr))


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (a test runner swaps it between commands)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure(quiet: bool, verbose: int, log_file: Path | None) -> None:
    """Route the `tanso.*` loggers: warnings on stderr (none with --quiet), INFO with -v, DEBUG with -vv;
    --log-file FILE receives DEBUG whatever is shown."""
    verbosity.quiet, verbosity.verbose = quiet, verbose
    logger = logging.getLogger("tanso")
    for handler in list(logger.handlers):
        if getattr(handler, "_tanso", False):
            logger.removeHandler(handler)
            handler.close()
    shown = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    console = _Stderr()
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.setLevel(shown)
    handlers: list[logging.Handler] = [console]
    if log_file is not None:
        try:
            file = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as error:
            raise click.BadParameter(f"cannot write {log_file}: {error.strerror or error}",
                                     param_hint="--log-file") from None
        file.setFormatter(logging.Formatter(LOG_FORMAT))
        file.setLevel(logging.DEBUG)
        handlers.append(file)
    for handler in handlers:
        handler._tanso = True
        logger.addHandler(handler)
    logger.setLevel(min(h.level for h in handlers))
    logger.propagate = False


@contextmanager
def progress():
    """A progress line on stderr (only on a terminal, never with --quiet); yields the reporter that the
    library calls as `progress(message)` at a phase and `progress(message, done, total)` within one."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    log = logging.getLogger("tanso.progress")
    shown = sys.stderr.isatty() and not verbosity.quiet
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _steps(), TimeElapsedColumn(),
                  console=stderr(), transient=True, disable=not shown) as bar:
        current = [bar.add_task("starting", total=None)]

        def report(message: str, done: int | None = None, total: int | None = None) -> None:
            task = bar.tasks[-1]
            if done is None or task.total != total or done < task.completed:   # a new phase
                log.info(message if total is None else f"{message} ({done}/{total})")
                bar.remove_task(current[0])
                current[0] = bar.add_task(message, total=total, completed=done or 0)
            else:
                log.debug(f"{message} ({done}/{total})")
                bar.update(current[0], completed=done, description=message)
        yield report


def _steps():
    """A column showing `12/40 · 0:09 left` for a phase that counts its steps; nothing for one that does not."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Steps(ProgressColumn):
        def render(self, task) -> Text:
            if task.total is None:
                return Text("")
            left = task.time_remaining
            eta = "" if left is None else f" · {int(left) // 60}:{int(left) % 60:02d} left"
            return Text(f"{int(task.completed)}/{int(task.total)}{eta}", style="progress.remaining")

    return Steps()


def say(text: str, nl: bool = True) -> None:
    """Print what a run reports beyond its exit code (totals, files written): not with --quiet."""
    if not verbosity.quiet:
        click.echo(text, nl=nl)
