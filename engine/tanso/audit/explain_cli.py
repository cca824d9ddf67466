"""`tanso explain OUT [SELECTOR]…`: the command around `tanso.audit.explain`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tanso.audit.explain import DEFAULT_DEPTH, DEFAULT_TOP, LEVELS, as_json, explain as explain_figure
from tanso.audit.run_folder import NotARunFolder, RunFolder
from tanso.cli import _error_word, lang_option
from tanso.diagnostics import TansoError
from tanso.i18n import t

_LEVEL_HELP = ", ".join(f"{n} {name}" for n, name in enumerate(("the figure only", *LEVELS)))


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.argument("selector", nargs=-1)
@click.option("--depth", type=click.IntRange(0, len(LEVELS)), default=DEFAULT_DEPTH, show_default=True,
              help=f"how far down to explain: {_LEVEL_HELP}")
@click.option("--top", type=click.IntRange(1), default=DEFAULT_TOP, show_default=True,
              help="parts listed per level, largest first; the others are summed in one 'and N more' line")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="html: one self-contained page with expandable levels")
@lang_option
def explain(out: Path, selector: tuple[str, ...], depth: int, top: int, fmt: str) -> None:
    """Explain a figure of the run in OUT (a folder `tanso evaluate --out` wrote), without re-running it:
    the rules that make it (with their text), methods, factors, policy values, boundary weights and the
    input rows that contribute most, each level adding up exactly to its parent, and the rows the figure
    does not include.

    SELECTOR (none: the total) — scope:1, scope:2.market (or scope:2 basis:market), scope:none (outside
    the scopes), category:6, entity:ACME-DE, rule:s1.stationary, rule:s3.* (a pattern), row:fuel_use:F0002
    (by key), row:fuel_use#17 (by row number), gas:CH4. Different kinds must all hold; one kind given
    twice means either. Where rules declare bases and none is selected, the figure is in the first basis.

    Exit codes: 0 explained (also when nothing matches: it says so) · 64 a bad selector or option ·
    66 OUT is missing, unreadable or not a run folder.
    """
    import duckdb
    try:
        folder = RunFolder.open(out)
        explanation = explain_figure(folder, selector, depth=depth, top=top)
    except TansoError as error:
        click.echo(f"{_error_word()} {error}", err=True)
        sys.exit(error.exit_code)
    except duckdb.Error as error:   # a damaged table of the run folder
        click.echo(f"{_error_word()} " + t("explain.unreadable_table", out=out, error=(str(error).splitlines() or [''])[0]),
                   err=True)
        sys.exit(NotARunFolder.exit_code)
    if fmt == "json":
        click.echo(json.dumps(as_json(explanation), indent=2))
    elif fmt == "html":
        from tanso.audit.explain_html import render
        click.echo(render(explanation), nl=False)
    else:
        from tanso.audit.explain_text import render
        click.echo(render(explanation), nl=False)
