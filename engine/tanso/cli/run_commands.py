"""`tanso evaluate`, `tanso compare` and `tanso test`: run a ruleset, compare two, run its YAML tests."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from tanso.audit.cli import log_options
from tanso.audit.log import record_run
from tanso.cli import (lang_option, _backend_failed, _completeness_lines, _exit_if_incomplete, _fail, _memory_limit, _out_path,
                       _output, _overrides, _usage_number, _warn, _write_failed, allow_rejects_option,
                       backend_options,
                       overlay_option, ruleset_argument, selection_options, set_option)
from tanso.cli.output import progress as _progress
from tanso.cli.output import say, verbosity
from tanso.diagnostics import TansoError
from tanso.i18n import t
from tanso.run.execute import EVALUATE_MEMORY_LIMIT, SCENARIO_BACKEND
from tanso.run.outputs import finish, write_manifest

EXIT_CHECK_FAILED = 4


def engine_options(default_memory: str):
    """--threads and --memory-limit, as evaluate and compare both take them (with their own default limit)."""
    def options(command):
        command = click.option("--memory-limit", default=None, callback=_memory_limit,
                               help=f"DuckDB memory limit, e.g. 2GB or 50% (default: {default_memory}); "
                                    "above it DuckDB spills to disk, in the system's temporary folder ($TMPDIR); a "
                                    "run removes the temporary folders killed runs left there")(command)
        return click.option("--threads", type=int, default=None, callback=_usage_number(1),
                            help="DuckDB threads (default: all cores)")(command)
    return options


@contextlib.contextmanager
def _reported_failures() -> Iterator[None]:
    """A user's mistake, a value the engine refuses or a full disk ends in a message and an exit code,
    never a traceback (the staged --out folder is removed by `_output` on the way out)."""
    import duckdb
    try:
        yield
    except TansoError as error:
        _fail(error)
    except duckdb.Error as error:  # e.g. a value too large for its declared decimal type
        _backend_failed(error)
    except OSError as error:       # e.g. the disk filled up while writing
        _write_failed(error)


def _publish(staged, out_dir: Path, command: str, log_file: Path | None, by: str | None, written: list[str],
             printed: str = ".txt") -> None:
    """Move the finished run into --out, record it in the workspace log and say what was written: on stderr
    when stdout carries a JSON or HTML document (`printed`, its suffix), so that it stays one document."""
    finish(staged)
    record_run(out_dir, command, log_file, by)
    if not verbosity.quiet:
        files = ", ".join(str(out_dir / name) for name in [*written, "manifest.json"])
        click.echo(t("wrote", files=files), err=printed != ".txt")


@click.command()
@ruleset_argument
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="folder with one file per input table (name.csv, name.parquet or name.xlsx)")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="write ledger, rejects, excluded, summary and manifest.json here")
@click.option("--out-format", type=click.Choice(["csv", "parquet", "json"]), default="csv", show_default=True)
@click.option("--format", "fmt", default="table", show_default=True, help="how to print the result (a reporter)")
@click.option("--report", "report_names", default=None, metavar="NAMES",
              help="also write these reports into --out, comma-separated (html, xlsx: report.html, report.xlsx)")
@overlay_option
@set_option
@selection_options
@engine_options(default_memory=f"{EVALUATE_MEMORY_LIMIT}; 80% gives DuckDB's own, 80% of RAM")
@click.option("--fail-on-check", is_flag=True, help=f"exit {EXIT_CHECK_FAILED} when a check fails")
@allow_rejects_option
@log_options
@backend_options
@click.option("--previous", "previous", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="an earlier run's --out: list the periods it reported that this run reports differently "
                   "(restated by a provider's new model version, changed, withdrawn), with the size of each")
@lang_option
def evaluate(ruleset: Path, data_dir: Path, out_dir: Path | None, out_format: str, fmt: str, overlays, sets,
             selector: str | None, excluder: str | None, threads: int | None, memory_limit: str | None,
             fail_on_check: bool,
             allow_rejects: bool, log_file: Path | None, by: str | None, previous: Path | None, backend: str,
             spark_master: str | None, report_names: str | None) -> None:
    """Evaluate RULESET on the tables in --data and print totals by scope and category."""
    from tanso.run import evaluate as run_evaluate
    from tanso.run import export, prepare
    from tanso.run.manifest import invocation
    if out_dir is not None:
        _out_path.append(out_dir)
    with _reported_failures():
        prepared = prepare(ruleset, overlays=overlays, overrides=_overrides(sets))
        _warn(prepared)
        reporters = {name: r for name, r in prepared.registry.reporters.items() if r.kind == "run"}
        reporter = reporters.get(fmt)
        if reporter is None:
            raise click.BadParameter(f"unknown format '{fmt}'; one of {', '.join(reporters)}", param_hint="--format")
        files = _file_reporters(prepared.registry, report_names, out_dir)
        selected = _selected(prepared.graph, selector, excluder)
        with _output(out_dir, "tanso evaluate") as (target, staged):
            with _progress() as report:
                result = run_evaluate(prepared.ruleset, prepared.registry, prepared.graph, data_dir, target,
                                      selected=selected, threads=threads, memory_limit=memory_limit,
                                      progress=report, previous=previous, backend=backend, spark_master=spark_master)
            if reporter.suffix != ".json":   # JSON carries the same block as `completeness`
                say(_completeness_lines([("", result)]), nl=False)
            if not verbosity.quiet:
                _print_document(reporter.write(result, None))
            if staged is not None:
                result.manifest["invocation"] = invocation(ruleset, overlays, data_dir, sets, selector, out_format,
                                                          prepared.ruleset.cited, out_dir, excluder, previous)
                reports = [f"report{extra.suffix}" for extra in files]
                for extra, name in zip(files, reports):   # before export: the manifest, written last, lists them
                    extra.write(result, target / name)
                written = export(result, target, out_format)   # manifest.json last, with every file's hash
                _publish(staged, out_dir, "evaluate", log_file, by, [p.name for p in written] + reports,
                         reporter.suffix)
    _exit_if_incomplete([("", result)], allow_rejects)
    if fail_on_check and any(c["passed"] is False for c in result.checks):
        sys.exit(EXIT_CHECK_FAILED)


def _file_reporters(registry, names: str | None, out_dir: Path | None) -> list:
    """The reporters `--report` names (kind "file"), checked before the run starts."""
    if not names:
        return []
    known = {name: r for name, r in registry.reporters.items() if r.kind == "file"}
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown report {', '.join(repr(n) for n in unknown)}; one of {', '.join(known)}",
                                 param_hint="--report")
    if out_dir is None:
        raise click.BadParameter("reports are written into the run folder: give --out DIR", param_hint="--report")
    return [known[name] for name in dict.fromkeys(wanted)]


@click.command(name="test")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", "show_coverage", is_flag=True, help="report which rules no case exercised, per ruleset")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="exit 1 when a ruleset's rule coverage is below PERCENT (implies --coverage)")
def test_command(path: Path, show_coverage: bool, fail_under: float | None) -> None:
    """Run the YAML ruleset tests in PATH (a ruleset folder, a test file, or a tree of them)."""
    from tanso.testing import run_command
    sys.exit(run_command(path, show_coverage=show_coverage, fail_under=fail_under, echo=click.echo))


@click.command()
@click.argument("base", type=click.Path(exists=True, path_type=Path))
@click.argument("revised", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="write both runs (ledgers, manifests) and the comparison (JSON, and the report) here")
@click.option("--format", "fmt", default="table", show_default=True, help="table, json or html")
@set_option
@selection_options
@engine_options(default_memory=f"{EVALUATE_MEMORY_LIMIT}, as evaluate; 80% gives DuckDB's own, 80% of RAM")
@allow_rejects_option
@backend_options
@log_options
@lang_option
def compare(base: Path, revised: Path | None, data_dir: Path, out_dir: Path | None, fmt: str, sets,
            selector: str | None, excluder: str | None, threads: int | None, memory_limit: str | None,
            allow_rejects: bool, log_file: Path | None, by: str | None, backend: str, spark_master: str | None) -> None:
    """Evaluate BASE and REVISED on --data and attribute the difference to each change.

    Without REVISED, the revision is BASE with the --set values (e.g. --set scope2.market.matching=hourly).
    """
    from tanso.compare import compare as run_compare
    from tanso.run import prepare
    if out_dir is not None:
        _out_path.append(out_dir)
    with _reported_failures():
        base_prepared = prepare(base)
        revised_prepared = prepare(revised or base, overrides=_overrides(sets), registry=base_prepared.registry)
        _warn(revised_prepared)
        registry = base_prepared.registry
        reporter = registry.reporters.get(f"compare-{fmt}")
        if reporter is None:
            known = [r.name.removeprefix("compare-") for r in registry.reporters.values() if r.kind == "comparison"]
            raise click.BadParameter(f"unknown format '{fmt}'; one of {', '.join(known)}", param_hint="--format")
        import networkx as nx
        selected = _selected(nx.compose(base_prepared.graph, revised_prepared.graph), selector, excluder)
        with _output(out_dir, "tanso compare") as (target, staged):
            with _progress() as report:
                comparison = run_compare(base_prepared.ruleset, revised_prepared.ruleset, registry, data_dir, target,
                                         selected=selected, threads=threads, memory_limit=memory_limit, progress=report,
                                         backend=backend, spark_master=spark_master)
            sides = [(t("side.base"), comparison.base), (t("side.revised"), comparison.revised)]
            if reporter.suffix == ".txt":   # JSON and HTML carry the same blocks
                beyond = comparison.beyond_range_said()
                say(_completeness_lines(sides) + "".join(line + "\n" for line in beyond) + ("\n" if beyond else ""),
                    nl=False)
            if not verbosity.quiet:
                _print_document(reporter.write(comparison, None))
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
                                                    "digest": comparison.revised.digest},
                                        # the runs on --backend; the scenarios' rule totals in DuckDB by design
                                        "backend": {"base": comparison.base.manifest["backend"],
                                                    "revised": comparison.revised.manifest["backend"],
                                                    "scenarios": SCENARIO_BACKEND.label}})
                _publish(staged, out_dir, "compare", log_file, by, [p.name for p in written] + ["base", "revised"],
                         reporter.suffix)
    _exit_if_incomplete(sides, allow_rejects, len(comparison.beyond_range))


def _print_document(text: str) -> None:
    """A report on stdout ends its last line (an HTML page does not), so 'wrote …' starts a line of its own."""
    click.echo(text, nl=bool(text) and not text.endswith("\n"))


def _selected(graph, selector: str | None, excluder: str | None) -> set[str] | None:
    """The nodes --select and --exclude choose (None: every rule)."""
    from tanso.graph.selectors import select
    return None if selector is None and excluder is None else select(graph, selector, excluder)


def register(group: click.Group) -> None:
    for command in (evaluate, compare, test_command):
        group.add_command(command)
