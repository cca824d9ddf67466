"""The `tanso` command. Thin: parse arguments, call the library, render.

Exit codes: 0 success · 1 the ruleset has errors (diagnostics printed) · 2 an input or factor file
cannot be used (or `validate` found problems) · 3 an invariant of the run was violated (a bug: please
report) · 4 a `check` failed and --fail-on-check was given · 5 totals incomplete: rows were rejected
beyond the ruleset's stated tolerances (`accept rejects`) and --allow-rejects was not given · 64 bad command-line usage · 73 --out cannot be written · 75 --out is
being written by another run · 69 the backend cannot start (--backend spark without pyspark or Java) · 130 interrupted (SIGINT, Ctrl-C) · 143 terminated (SIGTERM).
No user mistake ends in a traceback.
"""

from __future__ import annotations

import os
import signal
import sys

_signalled: list[int] = []   # SIGINT / SIGTERM received, in order


def _record_signal(signum, frame) -> None:
    _signalled.append(signum)


# Run as the `tanso` executable: a signal during the imports below is remembered, not a traceback;
# main() acts on it. (Imported as a library, the importer's own handlers are left alone.)
_EXECUTABLE = os.path.basename(getattr(sys.modules.get("__main__"), "__file__", None) or "") == "tanso"
if _EXECUTABLE:
    for _s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_s, _record_signal)

import tempfile  # noqa: E402
import threading  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import click  # noqa: E402
import duckdb  # noqa: E402
from rich.console import Console  # noqa: E402

from tanso.diagnostics import InputError, TansoError  # noqa: E402
from tanso.run.outputs import SIGNALS, finish, release_signals, staged_output, write_manifest  # noqa: E402

EXIT_CHECK_FAILED = 4
EXIT_INCOMPLETE = 5
EXIT_USAGE = 64
EXIT_SIGNAL = 128   # + the signal number: 130 SIGINT, 143 SIGTERM
PRINT_SKIPPED = 20  # rows `factors import` did not convert, listed before a count
_err = Console(stderr=True, highlight=False)


def _overrides(values: tuple[str, ...], option: str = "--set") -> dict[str, str]:
    result = {}
    for value in values:
        if "=" not in value or not value.partition("=")[0].strip():
            raise click.BadParameter(f"'{value}' is not name=value", param_hint=option)
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


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: unwind (deleting the temporary output folder), then exit 128 + signal."""


def _on_signal(signum, frame) -> None:
    first = not _signalled
    _signalled.append(signum)
    if first:   # later ones are only remembered, so that cleaning up is never cut short
        raise Interrupted(signum)


_out_path: list[Path] = []   # the --out of the running command, for the interruption message


def _exit_interrupted() -> None:
    where = f": {_out_path[-1]} left as it was" if _out_path else ""
    click.echo(f"interrupted{where}", err=True)
    sys.exit(EXIT_SIGNAL + _signalled[0])


def _usage_number(low: int):
    def callback(ctx, param, value):
        if value is not None and value < low:
            raise click.BadParameter(f"{value} is not a number of threads (at least {low})")
        return value
    return callback


def _memory_limit(ctx, param, value: str | None) -> str | None:
    """A memory limit DuckDB understands (512MB, 2GB, 1.5GiB …): refused as usage, not at run time."""
    if value is None:
        return None
    try:
        duckdb.connect().execute("SET memory_limit = ?", [value])
    except duckdb.Error:
        raise click.BadParameter(f"'{value}' is not a memory size (e.g. 512MB, 2GB, 1.5GiB)") from None
    return value


def backend_options(command):
    """--backend and --spark-master, shared by evaluate and compare."""
    command = click.option("--spark-master", envvar="TANSO_SPARK_MASTER", default=None, metavar="URL",
                           help="Spark master for --backend spark (default local[2]; env TANSO_SPARK_MASTER)")(command)
    return click.option("--backend", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
                        help="where the rule plans run: embedded DuckDB, or Spark (pip install 'tanso[spark]', Java 17)")(command)


def _backend_failed(error: Exception) -> None:
    if _signalled:
        _exit_interrupted()
    click.echo(f"error: the backend could not evaluate the data: {(str(error).splitlines() or [''])[0]}", err=True)
    sys.exit(InputError.exit_code)


def _write_failed(error: OSError) -> None:
    from tanso.run.outputs import OutputError
    if _signalled:
        _exit_interrupted()
    where = f" {error.filename}" if error.filename else ""
    click.echo(f"error: cannot write{where}: {error.strerror or error}", err=True)
    sys.exit(OutputError.exit_code)


def _fail(error: TansoError) -> None:
    if _signalled:
        _exit_interrupted()
    if error.diagnostics is not None and error.diagnostics.items:
        click.echo(error.diagnostics.render(), err=True, nl=False)
    else:
        click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


@contextmanager
def _output(out_dir: Path | None, command: str):
    """Where a command writes: a locked temporary folder beside --out (moved into place by `finish`),
    or a scratch folder deleted at the end when there is no --out. Yields (folder, staged or None)."""
    if out_dir is None:
        with tempfile.TemporaryDirectory(prefix="tanso-run-") as scratch:
            yield Path(scratch), None
        return
    with staged_output(out_dir, command) as staged:
        yield staged.path, staged


ruleset_argument = click.argument("ruleset", type=click.Path(exists=True, path_type=Path))
overlay_option = click.option("--overlay", "overlays", multiple=True, type=click.Path(exists=True, path_type=Path),
                              help="apply this ruleset as an overlay (repeatable, applied in order)")
set_option = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="override a policy option")
allow_rejects_option = click.option("--allow-rejects", is_flag=True,
                                    help=f"exit 0, not {EXIT_INCOMPLETE}, when rows are rejected beyond the ruleset's "
                                         f"stated tolerances (the totals are still reported as incomplete)")


def _completeness_lines(results: list[tuple[str, object]]) -> str:
    """The first lines of a run's output: what the rejects leave out of the totals, and for each lookup
    the keys its mapping table lacks (the accountant's negative check)."""
    from tanso.run.completeness import lines
    from tanso.run.lookups import lines as lookup_lines
    text = [line for label, result in results
            for line in lines(result.completeness, label) + lookup_lines(result.completeness.get("lookups", []))]
    return "\n".join(text) + "\n\n" if text else ""


def _exit_if_incomplete(results: list[tuple[str, object]], allow_rejects: bool) -> None:
    incomplete = [(label, r) for label, r in results if r.incomplete]
    if not incomplete:
        return
    rows = ", ".join(f"{label + ': ' if label else ''}{r.completeness['rows_not_accepted']:,} rows" for label, r in incomplete)
    if allow_rejects:
        click.echo(f"warning: totals incomplete ({rows} rejected beyond any stated tolerance); accepted by "
                   f"--allow-rejects", err=True)
        return
    click.echo(f"error: totals incomplete: {rows} rejected beyond any stated tolerance (see the first lines, and "
               f"rejects.csv under --out); state one with 'accept rejects RULE up to N rows \"why\"' in the "
               f"ruleset, or pass --allow-rejects (exit {EXIT_INCOMPLETE})", err=True)
    sys.exit(EXIT_INCOMPLETE)


class _Group(click.Group):
    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        in_main_thread = threading.current_thread() is threading.main_thread()
        handlers = {s: signal.signal(s, _on_signal) for s in SIGNALS} if in_main_thread else {}
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, set()) if in_main_thread else None
        try:
            if _signalled:   # arrived while the program was starting
                _exit_interrupted()
            self._main(*args, **kwargs)
        finally:
            if in_main_thread:
                release_signals(mask)
                for s, handler in handlers.items():
                    # The executable is done: a signal from now until the process ends changes nothing. Left to
                    # a Python handler, interpreter shutdown resets it to the default, which kills the process
                    # (exit -2) with its outputs already complete; an ignored signal stays ignored.
                    signal.signal(s, signal.SIG_IGN if _EXECUTABLE else handler)
            _signalled.clear()
            _out_path.clear()

    def _main(self, *args, **kwargs):
        # Click's usage errors exit 2, which is also our exit code for an unusable input file; catch
        # them by type (not by exit code) so only bad command-line usage becomes EXIT_USAGE.
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except (Interrupted, KeyboardInterrupt):
            _signalled.append(signal.SIGINT) if not _signalled else None
            _exit_interrupted()
        except click.UsageError as error:
            error.show()
            sys.exit(EXIT_USAGE)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            if _signalled:
                _exit_interrupted()
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except SystemExit:
            raise
        except BaseException as error:
            if _signalled:   # e.g. DuckDB's RuntimeError('Query interrupted')
                _exit_interrupted()
            if isinstance(error, RecursionError):
                click.echo("error: the ruleset is nested too deeply to process (simplify the deepest expression)",
                           err=True)
                sys.exit(1)
            if isinstance(error, MemoryError):
                click.echo("error: out of memory (try --memory-limit, which lets DuckDB spill to disk)", err=True)
                sys.exit(InputError.exit_code)
            raise
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group)
@click.version_option(package_name="tanso")
def main() -> None:
    """Tanso: greenhouse-gas accounting rules as code."""


data_option = click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                           default=None, help="also read every input and factor file in DIR (as `tanso validate`)")


@main.command()
@ruleset_argument
@overlay_option
@set_option
@data_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="with --data: how to print the problems")
def check(ruleset: Path, overlays, sets, data_dir: Path | None, fmt: str) -> None:
    """Parse and resolve RULESET; print every problem at once. With --data, validate the files too."""
    from tanso.run import prepare
    try:
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets))
    except TansoError as error:
        _fail(error)
    _warn(prepared)
    if data_dir is not None:
        _validate(prepared, data_dir, fmt)
        return
    r = prepared.ruleset
    click.echo(f"ok: {r.name} ({' → '.join(r.layers)}): {len(r.rules)} rules, {len(r.exclusions)} exclusions, "
               f"{len(r.metrics)} metrics, {len(r.checks)} checks, {len(r.inputs)} inputs")


def _validate(prepared, data_dir: Path, fmt: str) -> None:
    import json

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


@main.command()
@ruleset_argument
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder with the input files (name.csv, name.parquet or name.xlsx) and factor files")
@overlay_option
@set_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
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
        nodes = select(prepared.graph, selector) if selector is not None else None
        if nodes is not None:  # show the inputs, factor sets and policies of the chosen rules too
            nodes |= {p for n in list(nodes) for p in prepared.graph.predecessors(n) if not p.startswith("rule:")}
    except TansoError as error:
        _fail(error)
    click.echo(render(prepared.graph, fmt, nodes), nl=False)


@main.command()
@ruleset_argument
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder with one file per input table (name.csv, name.parquet or name.xlsx)")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="write ledger, rejects, excluded, summary and manifest.json here")
@click.option("--out-format", type=click.Choice(["csv", "parquet", "json"]), default="csv", show_default=True)
@click.option("--format", "fmt", default="table", show_default=True, help="how to print the result (a reporter)")
@overlay_option
@set_option
@click.option("--select", "selector", default=None, help="evaluate only these rules (dbt-style: rule+, +rule)")
@click.option("--threads", type=int, default=None, callback=_usage_number(1), help="DuckDB threads (default: all cores)")
@click.option("--memory-limit", default=None, callback=_memory_limit, help="DuckDB memory limit, e.g. 512MB (default: DuckDB's, 80% of RAM); "
                                                   "above it DuckDB spills to a temporary folder")
@click.option("--fail-on-check", is_flag=True, help=f"exit {EXIT_CHECK_FAILED} when a check fails")
@allow_rejects_option
@backend_options
def evaluate(ruleset: Path, data_dir: Path, out_dir: Path | None, out_format: str, fmt: str, overlays, sets,
             selector: str | None, threads: int | None, memory_limit: str | None, fail_on_check: bool,
             allow_rejects: bool, backend: str, spark_master: str | None) -> None:
    """Evaluate RULESET on the tables in --data and print totals by scope and category."""
    from tanso.graph import select
    from tanso.run import evaluate as run_evaluate
    from tanso.run import export, prepare
    if out_dir is not None:
        _out_path.append(out_dir)
    try:
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets))
        _warn(prepared)
        reporters = {name: r for name, r in prepared.registry.reporters.items() if r.kind == "run"}
        reporter = reporters.get(fmt)
        if reporter is None:
            raise click.BadParameter(f"unknown format '{fmt}'; one of {', '.join(reporters)}", param_hint="--format")
        selected = select(prepared.graph, selector) if selector is not None else None
        with _output(out_dir, "tanso evaluate") as (target, staged):
            with _progress() as report:
                result = run_evaluate(prepared.ruleset, prepared.registry, prepared.graph, data_dir, target,
                                      selected=selected, threads=threads, memory_limit=memory_limit,
                                      progress=report, backend=backend, spark_master=spark_master)
            if reporter.suffix != ".json":   # JSON carries the same block as `completeness`
                click.echo(_completeness_lines([("", result)]), nl=False)
            click.echo(reporter.write(result, None), nl=False)
            if staged is not None:
                written = export(result, target, out_format)   # manifest.json last, with every file's hash
                finish(staged)
                click.echo(f"wrote {', '.join(str(out_dir / p.name) for p in written)}, {out_dir / 'manifest.json'}")
    except TansoError as error:
        _fail(error)
    except duckdb.Error as error:  # e.g. a value too large for its declared decimal type
        _backend_failed(error)
    except OSError as error:       # e.g. the disk filled up while writing
        _write_failed(error)
    _exit_if_incomplete([("", result)], allow_rejects)
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
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="write both runs (ledgers, manifests) and the comparison (JSON, and the report) here")
@click.option("--format", "fmt", default="table", show_default=True, help="table, json or html")
@set_option
@click.option("--threads", type=int, default=None, callback=_usage_number(1), help="DuckDB threads (default: all cores)")
@click.option("--memory-limit", default=None, callback=_memory_limit, help="DuckDB memory limit, e.g. 512MB (default: DuckDB's, 80% of RAM); "
                                                   "above it DuckDB spills to a temporary folder")
@allow_rejects_option
@backend_options
def compare(base: Path, revised: Path | None, data_dir: Path, out_dir: Path | None, fmt: str, sets,
            threads: int | None, memory_limit: str | None, allow_rejects: bool, backend: str,
            spark_master: str | None) -> None:
    """Evaluate BASE and REVISED on --data and attribute the difference to each change.

    Without REVISED, the revision is BASE with the --set values (e.g. --set scope2.market.matching=hourly).
    """
    from tanso.compare import compare as run_compare
    from tanso.run import prepare
    if out_dir is not None:
        _out_path.append(out_dir)
    try:
        base_prepared = prepare(base)
        revised_prepared = prepare(revised or base, overrides=_overrides(sets), registry=base_prepared.registry)
        _warn(revised_prepared)
        registry = base_prepared.registry
        reporter = registry.reporters.get(f"compare-{fmt}")
        if reporter is None:
            known = [r.name.removeprefix("compare-") for r in registry.reporters.values() if r.kind == "comparison"]
            raise click.BadParameter(f"unknown format '{fmt}'; one of {', '.join(known)}", param_hint="--format")
        with _output(out_dir, "tanso compare") as (target, staged):
            with _progress() as report:
                comparison = run_compare(base_prepared.ruleset, revised_prepared.ruleset, registry, data_dir, target,
                                         threads=threads, memory_limit=memory_limit, progress=report,
                                         backend=backend, spark_master=spark_master)
            sides = [("base", comparison.base), ("revised", comparison.revised)]
            if reporter.suffix == ".txt":   # JSON and HTML carry the same blocks
                click.echo(_completeness_lines(sides), nl=False)
            click.echo(reporter.write(comparison, None), nl=False)
            if staged is not None:
                written = [target / "comparison.json"]
                registry.reporters["compare-json"].write(comparison, written[0])
                for extra in (r for r in registry.reporters.values() if r.kind == "comparison" and r.suffix == ".html"):
                    written.append(target / f"comparison{extra.suffix}")
                    extra.write(comparison, written[-1])
                # Each run's manifest lists its own files; the folder's manifest, last, lists them all.
                for run, folder in ((comparison.base, "base"), (comparison.revised, "revised")):
                    write_manifest(target / folder, run.manifest)
                write_manifest(target, {"format": "tanso-comparison-manifest.v1",
                                        "base": {"ruleset": comparison.base.ruleset.name,
                                                 "digest": comparison.base.digest},
                                        "revised": {"ruleset": comparison.revised.ruleset.name,
                                                    "digest": comparison.revised.digest}})
                finish(staged)
                click.echo(f"wrote {', '.join(str(out_dir / p.name) for p in written)}, {out_dir / 'base'}, "
                           f"{out_dir / 'revised'}, {out_dir / 'manifest.json'}")
    except TansoError as error:
        _fail(error)
    except duckdb.Error as error:
        _backend_failed(error)
    except OSError as error:
        _write_failed(error)
    _exit_if_incomplete(sides, allow_rejects)


@main.group()
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


from tanso.audit.diff_cli import diff as _diff  # noqa: E402
from tanso.audit.explain_cli import explain as _explain  # noqa: E402
main.add_command(_diff)
main.add_command(_explain)

if __name__ == "__main__":
    main()
