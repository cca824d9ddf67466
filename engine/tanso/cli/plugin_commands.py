"""`tanso factors` (import a publisher's factor file, list the layouts) and `tanso plugins` (what is installed)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tanso import terminal
from tanso.cli import _fail, _overrides, _write_failed
from tanso.diagnostics import InputError, TansoError

PRINT_SKIPPED = 20  # rows `factors import` did not convert, listed before a count


@click.group()
def factors() -> None:
    """Factor sets: import a publisher's factor file as one."""


@factors.command(name="layouts")
def factor_layouts() -> None:
    """List the publishers' layouts `tanso factors import` reads, with their options."""
    from tanso.plugins import load_registry
    for layout in load_registry().factor_layouts.values():
        click.echo(f"{layout.name}: {layout.doc}" + (f" (options: {', '.join(layout.options)})" if layout.options else ""))


@factors.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layout", "layout_name", required=True, help="the publisher's layout: see `tanso factors layouts`")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the factor set to write (CSV), e.g. data/factors/moe.csv")
@click.option("--edition", default=None, help="the edition, where the file does not say it (or to restate it)")
@click.option("--publisher", default=None, help="replace the publisher the layout records")
@click.option("--licence", default=None, help="replace the licence the layout records")
@click.option("--option", "options", multiple=True, metavar="NAME=VALUE",
              help="a layout option, e.g. basis=physical, price=producer, sheet=NAME (repeatable)")
def import_factors(file: Path, layout_name: str, out_path: Path, edition: str | None, publisher: str | None,
                   licence: str | None, options: tuple[str, ...]) -> None:
    """Convert FILE, a publisher's factor file as published, into a factor set with provenance per factor."""
    from tanso.plugins import load_registry
    try:
        layouts = load_registry().factor_layouts
    except TansoError as error:
        _fail(error)
    layout = layouts.get(layout_name.replace("_", "-"))
    if layout is None:
        raise click.BadParameter(f"unknown layout '{layout_name}'; one of {', '.join(layouts)}", param_hint="--layout")
    chosen = _overrides(options, "--option")
    unknown = sorted(set(chosen) - set(layout.options))
    if unknown:
        raise click.BadParameter(f"layout {layout.name} has no option {', '.join(unknown)}; its options: "
                                 f"{', '.join(layout.options) or 'none'}", param_hint="--option")
    values = {k: {"true": True, "false": False}.get(v.lower(), v) for k, v in chosen.items()}
    try:
        result = layout.convert(file, out_path, publisher=publisher, edition=edition, licence=licence, version=None,
                                **values)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(InputError.exit_code)
    except OSError as error:
        _write_failed(error)
    click.echo(f"wrote {out_path}: {result.rows:,} factors from {file} (layout {layout.name}); match on "
               f"{', '.join(result.match)}")
    if result.skipped:
        click.echo(f"{len(result.skipped):,} rows not converted:")
        for line in result.skipped[:PRINT_SKIPPED]:
            click.echo(f"  {line}")
        if len(result.skipped) > PRINT_SKIPPED:
            click.echo(f"  … and {len(result.skipped) - PRINT_SKIPPED:,} more")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def plugins(as_json: bool) -> None:
    """List every hook implementation with its package and version, built-in or third-party."""
    import json

    from tanso.plugins import load_registry
    try:
        rows = load_registry().implementations()
    except TansoError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], indent=2))
        return
    from rich.table import Table
    table = Table(title="tanso plugins")
    for column in ("hook", "name", "plugin", "package", "version"):
        table.add_column(column, no_wrap=column in ("hook", "name"))   # identifiers are never cut
    for r in rows:
        table.add_row(r.hook, r.name, r.plugin, r.package, r.version)
    out = terminal.console()
    out.print(table)
    click.echo(out.file.getvalue() + "what each takes and does: tanso docs --page calculators (options, …)")


def register(group: click.Group) -> None:
    for command in (factors, plugins):
        group.add_command(command)
