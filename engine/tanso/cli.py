"""The `tanso` command. Thin: parse arguments, call the library, render.

Exit codes: 0 success · 1 the ruleset has errors (diagnostics printed) · 2 an input or factor file
cannot be used · 3 an invariant of the run was violated (a bug: please report) · 4 a `check` failed
and --fail-on-check was given · 64 bad command-line usage.
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click
import duckdb
from rich.console import Console

from tanso.diagnostics import InputError, TansoError

EXIT_CHECK_FAILED = 4
EXIT_USAGE = 64
_err = Console(stderr=True, highlight=False)


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"'{value}' is not name=value", param_hint="--set")
        name, _, text = value.partition("=")
        result[name.strip()] = text.strip()
    return result


@contextmanager
def _progress():
    """A spinner with the current step on stderr (only on a terminal); yields the step reporter."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=_err,
                  transient=True, disable=not _err.is_terminal) as progress:
        task = progress.add_task("starting", total=None)
        yield lambda message: progress.update(task, description=message)


def _warn(prepared) -> None:
    """Print a ruleset's warnings (e.g. an option set that nothing reads) on stderr."""
    if prepared.warnings.items:
        click.echo(prepared.warnings.render(), err=True, nl=False)


def _fail(error: TansoError) -> None:
    if error.diagnostics is not None and error.diagnostics.items:
        click.echo(error.diagnostics.render(), err=True, nl=False)
    else:
        click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


ruleset_argument = click.argument("ruleset", type=click.Path(exists=True, path_type=Path))
overlay_option = click.option("--overlay", "overlays", multiple=True, type=click.Path(exists=True, path_type=Path),
                              help="apply this ruleset as an overlay (repeatable, applied in order)")
set_option = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="override a policy option")


class _Group(click.Group):
    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        # Click's usage errors exit 2, which is also our exit code for an unusable input file; catch
        # them by type (not by exit code) so only bad command-line usage becomes EXIT_USAGE.
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            error.show()
            sys.exit(EXIT_USAGE)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group)
@click.version_option(package_name="tanso")
def main() -> None:
    """Tanso: greenhouse-gas accounting rules as code."""


@main.command()
@ruleset_argument
@overlay_option
@set_option
def check(ruleset: Path, overlays, sets) -> None:
    """Parse and resolve RULESET; print every problem at once."""
    from tanso.run import prepare
    try:
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets))
    except TansoError as error:
        _fail(error)
    _warn(prepared)
    r = prepared.ruleset
    click.echo(f"ok: {r.name} ({' → '.join(r.layers)}): {len(r.rules)} rules, {len(r.exclusions)} exclusions, "
               f"{len(r.metrics)} metrics, {len(r.checks)} checks, {len(r.inputs)} inputs")


@main.command()
@ruleset_argument
@overlay_option
@click.option("--format", "fmt", type=click.Choice(["text", "dot", "mermaid"]), default="text")
@click.option("--select", "selector", default=None, help="rule, rule+ (and dependents), +rule (and what it needs)")
def graph(ruleset: Path, overlays, fmt: str, selector: str | None) -> None:
    """Print the evaluation order and dependencies of RULESET."""
    from tanso.graph import render, select
    from tanso.run import prepare
    try:
        prepared = prepare(ruleset, overlays=overlays)
        nodes = select(prepared.graph, selector) if selector else None
        if nodes is not None:  # show the inputs, factor sets and policies of the chosen rules too
            nodes |= {p for n in list(nodes) for p in prepared.graph.predecessors(n) if not p.startswith("rule:")}
    except TansoError as error:
        _fail(error)
    click.echo(render(prepared.graph, fmt, nodes), nl=False)


@main.command()
@ruleset_argument
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder with one file per input table (name.csv, name.parquet or name.xlsx)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="write ledger, rejects, excluded, summary and manifest.json here")
@click.option("--out-format", type=click.Choice(["csv", "parquet", "json"]), default="csv", show_default=True)
@click.option("--format", "fmt", default="table", show_default=True, help="how to print the result (a reporter)")
@overlay_option
@set_option
@click.option("--select", "selector", default=None, help="evaluate only these rules (dbt-style: rule+, +rule)")
@click.option("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
@click.option("--memory-limit", default=None, help="DuckDB memory limit, e.g. 512MB (default: DuckDB's, 80% of RAM); "
                                                   "above it DuckDB spills to a temporary folder")
@click.option("--fail-on-check", is_flag=True, help=f"exit {EXIT_CHECK_FAILED} when a check fails")
def evaluate(ruleset: Path, data_dir: Path, out_dir: Path | None, out_format: str, fmt: str, overlays, sets,
             selector: str | None, threads: int | None, memory_limit: str | None, fail_on_check: bool) -> None:
    """Evaluate RULESET on the tables in --data and print totals by scope and category."""
    from tanso.graph import select
    from tanso.run import evaluate as run_evaluate
    from tanso.run import export, prepare
    try:
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets))
        _warn(prepared)
        reporter = prepared.registry.reporters.get(fmt)
        if reporter is None:
            raise click.BadParameter(f"unknown format '{fmt}'; one of {', '.join(prepared.registry.reporters)}",
                                     param_hint="--format")
        selected = select(prepared.graph, selector) if selector else None
        with tempfile.TemporaryDirectory(prefix="tanso-run-") as scratch:
            target = out_dir or Path(scratch)
            with _progress() as report:
                result = run_evaluate(prepared.ruleset, prepared.registry, prepared.graph, data_dir, target,
                                      selected=selected, threads=threads, memory_limit=memory_limit,
                                      progress=report)
            click.echo(reporter.write(result, None), nl=False)
            if out_dir is not None:
                written = export(result, out_dir, out_format)
                click.echo(f"wrote {', '.join(str(p) for p in written)}, {out_dir / 'manifest.json'}")
    except TansoError as error:
        _fail(error)
    except duckdb.Error as error:  # e.g. a value too large for its declared decimal type
        click.echo(f"error: the backend could not evaluate the data: {str(error).splitlines()[0]}", err=True)
        sys.exit(InputError.exit_code)
    if fail_on_check and any(c["passed"] is False for c in result.checks):
        sys.exit(EXIT_CHECK_FAILED)


@main.command(name="test")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", "show_coverage", is_flag=True, help="report which rules no case exercised, per ruleset")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="exit 1 when a ruleset's rule coverage is below PERCENT (implies --coverage)")
def test_command(path: Path, show_coverage: bool, fail_under: float | None) -> None:
    """Run the YAML ruleset tests in PATH (a ruleset folder, a test file, or a tree of them)."""
    from tanso.testing import run_command
    sys.exit(run_command(path, show_coverage=show_coverage, fail_under=fail_under, echo=click.echo))


@main.command()
@click.argument("base", type=click.Path(exists=True, path_type=Path))
@click.argument("revised", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="write both runs (ledgers, manifests) and the comparison (JSON, and the report) here")
@click.option("--format", "fmt", default="table", show_default=True, help="table, json or html")
@set_option
@click.option("--threads", type=int, default=None)
@click.option("--memory-limit", default=None, help="DuckDB memory limit, e.g. 512MB (default: DuckDB's, 80% of RAM); "
                                                   "above it DuckDB spills to a temporary folder")
def compare(base: Path, revised: Path | None, data_dir: Path, out_dir: Path | None, fmt: str, sets,
            threads: int | None, memory_limit: str | None) -> None:
    """Evaluate BASE and REVISED on --data and attribute the difference to each change.

    Without REVISED, the revision is BASE with the --set values (e.g. --set scope2.market.matching=hourly).
    """
    from tanso.compare import compare as run_compare
    from tanso.run import prepare
    try:
        base_prepared = prepare(base)
        revised_prepared = prepare(revised or base, overrides=_overrides(sets), registry=base_prepared.registry)
        _warn(revised_prepared)
        registry = base_prepared.registry
        reporter = registry.reporters.get(f"compare-{fmt}")
        if reporter is None:
            known = [r.name.removeprefix("compare-") for r in registry.reporters.values() if r.kind == "comparison"]
            raise click.BadParameter(f"unknown format '{fmt}'; one of {', '.join(known)}", param_hint="--format")
        with tempfile.TemporaryDirectory(prefix="tanso-compare-") as scratch:
            target = out_dir or Path(scratch)
            with _progress() as report:
                comparison = run_compare(base_prepared.ruleset, revised_prepared.ruleset, registry, data_dir, target,
                                         threads=threads, memory_limit=memory_limit, progress=report)
            click.echo(reporter.write(comparison, None), nl=False)
            if out_dir is not None:
                written = [out_dir / "comparison.json"]
                registry.reporters["compare-json"].write(comparison, written[0])
                for extra in (r for r in registry.reporters.values() if r.kind == "comparison" and r.suffix == ".html"):
                    written.append(out_dir / f"comparison{extra.suffix}")
                    extra.write(comparison, written[-1])
                click.echo(f"wrote {', '.join(str(p) for p in written)}, {out_dir / 'base'}, {out_dir / 'revised'}")
    except TansoError as error:
        _fail(error)
    except duckdb.Error as error:
        click.echo(f"error: the backend could not evaluate the data: {str(error).splitlines()[0]}", err=True)
        sys.exit(InputError.exit_code)


@main.command()
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
        table.add_column(column)
    for r in rows:
        table.add_row(r.hook, r.name, r.plugin, r.package, r.version)
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
