"""`tanso check`, `tanso validate` and `tanso graph`: a ruleset's problems, its files' problems, its graph."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tanso.cli import (lang_option, _backend_failed, _fail, _overrides, _warn, overlay_option, ruleset_argument, selection_options,
                       set_option, started_up)
from tanso.diagnostics import InputError, TansoError

data_option = click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                           default=None, help="also read every input and factor file in DIR (as `tanso validate`)")


@click.command()
@ruleset_argument
@overlay_option
@set_option
@data_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="with --data: how to print the problems")
@lang_option
def check(ruleset: Path, overlays, sets, data_dir: Path | None, fmt: str) -> None:
    """Parse and resolve RULESET; print every problem at once. With --data, validate the files too."""
    from tanso.plugins import load_registry
    from tanso.run import prepare
    try:
        registry = load_registry()
        started_up()
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets), registry=registry)
    except TansoError as error:
        _fail(error)
    _warn(prepared)
    if data_dir is not None:
        _validate(prepared, data_dir, fmt)
        return
    from tanso.i18n import t
    r = prepared.ruleset
    click.echo(t("check.ok", name=r.name, layers=" → ".join(r.layers), rules=len(r.rules), exclusions=len(r.exclusions),
                 metrics=len(r.metrics), checks=len(r.checks), inputs=len(r.inputs)))


def _validate(prepared, data_dir: Path, fmt: str) -> None:
    import json

    import duckdb

    from tanso.run.validate import render, validate
    try:
        report = validate(prepared, data_dir)
    except TansoError as error:
        _fail(error)
    except duckdb.Error as error:
        _backend_failed(error)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, default=str))
    else:
        click.echo(render(report), nl=False)
    sys.exit(0 if report["ok"] else InputError.exit_code)


@click.command()
@ruleset_argument
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder with the input files (name.csv, name.parquet or name.xlsx) and factor files")
@overlay_option
@set_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
def validate(ruleset: Path, data_dir: Path, overlays, sets, fmt: str) -> None:
    """Read every input and factor file RULESET declares in --data and report every problem at once
    (types, duplicates, unknown units, factor units, certificates claimed twice), without evaluating.
    Exit 0 when clean, 2 when there are problems."""
    from tanso.run import prepare
    try:
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets))
    except TansoError as error:
        _fail(error)
    _warn(prepared)
    _validate(prepared, data_dir, fmt)


@click.command()
@ruleset_argument
@overlay_option
@click.option("--format", "fmt", type=click.Choice(["text", "dot", "mermaid"]), default="text")
@selection_options
def graph(ruleset: Path, overlays, fmt: str, selector: str | None, excluder: str | None) -> None:
    """Print the evaluation order and dependencies of RULESET."""
    from tanso.cli.run_commands import _selected
    from tanso.graph import render
    from tanso.run import prepare
    try:
        prepared = prepare(ruleset, overlays=overlays)
        nodes = _selected(prepared.graph, selector, excluder)
        if nodes is not None:  # show the inputs, factor sets and policies of the chosen rules too
            nodes |= {p for n in list(nodes) for p in prepared.graph.predecessors(n) if not p.startswith("rule:")}
    except TansoError as error:
        _fail(error)
    click.echo(render(prepared.graph, fmt, nodes), nl=False)


def register(group: click.Group) -> None:
    for command in (check, validate, graph):
        group.add_command(command)
