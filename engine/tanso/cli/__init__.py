"""The `tanso` command. Thin: parse arguments, call the library, render.

This module is the command group (signal handling, exit codes) and the helpers and options its
commands share. The commands are in `ruleset_commands` (check, validate, graph), `run_commands`
(evaluate, compare, test), `plugin_commands` (factors, plugins) and `tanso.audit` (verify, log,
approve, keygen, export, diff, explain).

Exit codes: 0 success · 1 the ruleset has errors (diagnostics printed) · 2 an input or factor file
cannot be used (or `validate` found problems) · 3 an invariant of the run was violated (a bug: please
report) · 4 a `check` failed and --fail-on-check was given · 5 totals incomplete: rows were rejected
beyond the ruleset's stated tolerances (`accept rejects`) and --allow-rejects was not given · 8 / 9 / 77 the audit
commands: altered / cannot verify / refused by separation of duties (`tanso.audit`) · 64 bad command-line usage · 73 --out cannot be written · 75 --out is
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

import contextvars  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import threading  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import click  # noqa: E402

from tanso.cli.config import assign_envvars  # noqa: E402
from tanso.cli.stdout import reader_may_leave  # noqa: E402
from tanso.diagnostics import InputError, TansoError  # noqa: E402
from tanso.run.outputs import SIGNALS, release_signals  # noqa: E402

EXIT_INCOMPLETE = 5
EXIT_USAGE = 64
EXIT_SIGNAL = 128   # + the signal number: 130 SIGINT, 143 SIGTERM


def _overrides(values: tuple[str, ...], option: str = "--set") -> dict[str, str]:
    result = {}
    for value in values:
        if "=" not in value or not value.partition("=")[0].strip():
            raise click.BadParameter(f"'{value}' is not name=value", param_hint=option)
        name, _, text = value.partition("=")
        result[name.strip()] = text.strip()
    return result


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


def _redeliver_swallowed(unraisable) -> None:
    """sys.unraisablehook while a command runs. A signal that lands in a finaliser or a weakref callback
    (e.g. one of the import system's) raises Interrupted where Python can only print "Exception ignored"
    and go on: the run would finish as if never interrupted, under a traceback-like message. Forget it and
    send the signal again, 20 ms later from another thread, so that it lands once the finaliser has returned
    (should it land in one again, this repeats)."""
    if isinstance(unraisable.exc_value, (Interrupted, KeyboardInterrupt)) and _signalled:
        signum = _signalled.pop()
        again = threading.Timer(0.02, os.kill, args=(os.getpid(), signum))
        again.daemon = True
        again.start()
    else:
        sys.__unraisablehook__(unraisable)


_out_path: list[Path] = []   # the --out of the running command, for the interruption message


def _is_program() -> bool:
    """Whether this process is the `tanso` command (the executable or `python -m tanso.cli`), not a library
    user or a test calling `main` in-process."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return _EXECUTABLE or getattr(spec, "name", None) == "tanso.cli.__main__"


def started_up() -> None:
    """Called by a command once its modules and the plugins are imported. As the program, the objects made so
    far (modules, classes, functions, the registry: ~24k the collector tracks) live until it exits, so they are
    moved out of the garbage collector's generations (`gc.freeze`): each full collection while a large ruleset
    is read and bound traversed them all again (~4 % of a `tanso check`). A process that imports tanso (a test
    calling `main` in-process) keeps its own collector as it was."""
    if _is_program():
        import gc
        gc.freeze()


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
    import duckdb
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
    import duckdb
    if _signalled:
        _exit_interrupted()
    if isinstance(error, duckdb.OutOfMemoryException):   # the limit's, not the data's
        _out_of_memory(f"DuckDB reached its limit ({_limit_in(error)})")
    click.echo(f"error: the backend could not evaluate the data: {(str(error).splitlines() or [''])[0]}", err=True)
    if isinstance(error, duckdb.OutOfRangeException) and "Overflow" in str(error):
        click.echo("hint: exact decimals hold a ledger row and a total under 10^16 kg CO2e; a factor or a quantity "
                   "orders of magnitude too large (a unit mistaken for another) is the usual cause", err=True)
    sys.exit(InputError.exit_code)


def _out_of_memory(cause: str) -> None:
    """DuckDB's limit reached and Python's MemoryError end in the same advice: the one knob is DuckDB's limit."""
    click.echo(f"error: out of memory: {cause}. --memory-limit sets what DuckDB may hold before it spills to disk: "
               f"more (e.g. 2GB, or 80% for DuckDB's own default) if DuckDB reached it, less if the machine ran out",
               err=True)
    sys.exit(InputError.exit_code)


def _limit_in(error: Exception) -> str:
    """The 'used/limit' DuckDB's out-of-memory message ends with, e.g. '488.4 MiB/488.2 MiB used'."""
    import re
    found = re.search(r"\(([^()]*/[^()]*used)\)", str(error))
    return found.group(1) if found else "--memory-limit"


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
        click.echo(f"{_error_word()} {error}", err=True)
    sys.exit(error.exit_code)


def _error_word() -> str:
    """"error:" in the run's language (as a diagnostic says it), red at a terminal."""
    from tanso import terminal
    from tanso.i18n import t
    word = f"{t('diag.error')}:"
    return click.style(word, fg="red", bold=True) if terminal.colour(sys.stderr) else word


@contextmanager
def _output(out_dir: Path | None, command: str):
    """Where a command writes: a locked temporary folder beside --out (moved into place by `finish`),
    or a scratch folder deleted at the end when there is no --out. Yields (folder, staged or None)."""
    from tanso.run.outputs import staged_output
    from tanso.scratch import owned_folder   # here: socket and tempfile are for the commands that write
    if out_dir is None:
        with owned_folder("run") as scratch:
            yield Path(scratch), None
        return
    with staged_output(out_dir, command) as staged:
        yield staged.path, staged


ruleset_argument = click.argument("ruleset", type=click.Path(exists=True, path_type=Path))
overlay_option = click.option("--overlay", "overlays", multiple=True, type=click.Path(exists=True, path_type=Path),
                              help="apply this ruleset as an overlay (repeatable, applied in order)")
set_option = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="override a policy option")


def selection_options(command):
    """--select and --exclude (dbt-style selectors, `tanso.graph.selectors`), shared by evaluate, compare and graph."""
    command = click.option("--exclude", "excluder", default=None, metavar="SELECTOR",
                           help="leave out these rules (same syntax as --select)")(command)
    return click.option("--select", "selector", default=None, metavar="SELECTOR",
                        help="only these rules, dbt-style: rule id or prefix (s3.*), tag:NAME, path:FILE; rule+ adds "
                             "its dependents, +rule what it needs; a,b intersects, 'a b' unites")(command)


def _set_language(ctx, param, value: str) -> None:
    from tanso.i18n import set_language
    set_language(value)


# Reports and diagnostics in this language (tanso.i18n); eager, so every message after it uses it.
lang_option = click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True, is_eager=True,
                           expose_value=False, callback=_set_language, help="language of the report and diagnostics")


allow_rejects_option = click.option("--allow-rejects", is_flag=True,
                                    help=f"exit 0, not {EXIT_INCOMPLETE}, when rows are rejected beyond the ruleset's "
                                         f"stated tolerances (the totals are still reported as incomplete)")


def _completeness_lines(results: list[tuple[str, object]]) -> str:
    """The first lines of a run's output: the reporting period the totals cover, the units read by convention, what the rejects leave out of
    them, and for each lookup the keys its mapping table lacks (the accountant's negative check)."""
    from tanso.i18n import t
    from tanso.run.completeness import lines
    from tanso.run.lookups import lines as lookup_lines
    from tanso import terminal
    text = []
    for label, result in results:
        if result.ruleset.period is not None:
            where = t("complete.where", label=label) if label else ""
            text.append(where + t("reporting_period", period=str(result.ruleset.period)))
        text += [(t("complete.where", label=label) if label else "") + t("unit.convention.gal", unit=unit)
                 for unit in result.unit_conventions]
        verdict, *rest = lines(result.completeness, label, result.ruleset.as_given) or [None]
        if verdict is not None and terminal.colour():   # at a glance: red when rows are left out beyond any tolerance
            verdict = (click.style(verdict, fg="red", bold=True) if result.incomplete
                       else click.style(verdict, fg="green"))
        text += [line for line in (verdict, *rest) if line is not None]
        text += lookup_lines(result.completeness.get("lookups", []))
    return "\n".join(text) + "\n\n" if text else ""


def _exit_if_incomplete(results: list[tuple[str, object]], allow_rejects: bool, beyond_range: int = 0) -> None:
    """Exit 5 where a run (or, in a comparison, the `beyond_range` rules of some scenarios) left rows out of the
    totals beyond any stated tolerance, unless --allow-rejects."""
    incomplete = [(label, r) for label, r in results if r.incomplete]
    if not incomplete and not beyond_range:
        return
    from tanso.i18n import t
    rows = ", ".join([*(t("exit.rows", where=t("complete.where", label=label) if label else "",
                          rows=r.completeness["rows_not_accepted"], s="" if r.completeness["rows_not_accepted"] == 1 else "s")
                        for label, r in incomplete),
                      *([t("exit.scenarios", count=beyond_range, s="" if beyond_range == 1 else "s")] if beyond_range else [])])
    if allow_rejects:
        click.echo(t("exit.incomplete_allowed", rows=rows), err=True)
        return
    click.echo(t("exit.incomplete", rows=rows, code=EXIT_INCOMPLETE), err=True)
    sys.exit(EXIT_INCOMPLETE)


# The built-in commands: each module is imported when its command runs or is listed, so that `tanso check`
# does not import what evaluate, explain or the reports need (charts, Excel, the audit trail).
BUILT_IN_COMMANDS = {
    "check": "tanso.cli.ruleset_commands:check", "validate": "tanso.cli.ruleset_commands:validate",
    "graph": "tanso.cli.ruleset_commands:graph", "evaluate": "tanso.cli.run_commands:evaluate",
    "compare": "tanso.cli.run_commands:compare", "test": "tanso.cli.run_commands:test_command",
    "diff": "tanso.audit.diff_cli:diff", "explain": "tanso.audit.explain_cli:explain",
    "verify": "tanso.audit.cli:verify", "log": "tanso.audit.cli:log_command", "approve": "tanso.audit.cli:approve",
    "keygen": "tanso.audit.cli:keygen", "export": "tanso.audit.cli:export",
    "factors": "tanso.cli.plugin_commands:factors", "plugins": "tanso.cli.plugin_commands:plugins",
    "docs": "tanso.cli.docs_command:docs", "init": "tanso.cli.authoring:init", "fmt": "tanso.cli.authoring:fmt",
    "suggest": "tanso.cli.suggest_commands:suggest",
}


class _Group(click.Group):
    def _built_in(self, name: str) -> click.Command | None:
        if name not in self.commands and name in BUILT_IN_COMMANDS:
            module, _, attribute = BUILT_IN_COMMANDS[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            assign_envvars(command, name)
            self.add_command(command, name)
        return self.commands.get(name)

    def built_in_commands(self) -> dict[str, click.Command]:
        """Every built-in command, imported (tanso.toml's checks and `tanso docs` need them all)."""
        for name in BUILT_IN_COMMANDS:
            self._built_in(name)
        return self.commands

    def _plugin_commands(self) -> dict:
        """The `tanso_commands` of the installed plugins (loaded only when asked for: see get_command)."""
        from tanso.plugins import load_registry
        try:
            return {name: c.command for name, c in load_registry().commands.items()
                    if name not in self.commands and name not in BUILT_IN_COMMANDS}
        except TansoError as error:   # a broken plugin must not hide the built-in commands
            logging.getLogger("tanso.cli").warning("plugin commands unavailable: %s", error)
            return {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*self.built_in_commands(), *self._plugin_commands()])

    def get_command(self, ctx: click.Context, name: str):
        return self._built_in(name) or self._plugin_commands().get(name)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        in_main_thread = threading.current_thread() is threading.main_thread()
        handlers = {s: signal.signal(s, _on_signal) for s in SIGNALS} if in_main_thread else {}
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, set()) if in_main_thread else None
        unraisable_hook, sys.unraisablehook = sys.unraisablehook, _redeliver_swallowed
        try:
            if _signalled:   # arrived while the program was starting
                _exit_interrupted()
            # In a copy of the context: --lang holds for this invocation only, not for later calls in-process
            with reader_may_leave():
                contextvars.copy_context().run(self._main, *args, **kwargs)
        finally:
            sys.unraisablehook = unraisable_hook
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
        from tanso.cli.config import Config, ConfigError, load
        try:
            try:
                self.config = load(self)
            except ConfigError as error:   # raised by the group's callback: --help and --version still work
                self.config = Config(None, {}, error)
            code = super().main(*args, standalone_mode=False, default_map=self.config.default_map, **kwargs)
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
                _out_of_memory("the machine's memory ran out")
            raise
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group)
@click.version_option(package_name="tanso")
@click.option("-q", "--quiet", is_flag=True, help="evaluate and compare print only warnings and errors (no progress, "
                                                    "totals or files written: the exit code tells); other commands "
                                                    "still print their answer")
@click.option("-v", "--verbose", count=True, help="show the tanso.* log on stderr: -v INFO, -vv DEBUG")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also write the tanso.* log, at DEBUG, to this file")
def main(quiet: bool, verbose: int, log_file: Path | None) -> None:
    """Tanso: greenhouse-gas accounting rules as code.

    Defaults come from tanso.toml (in this folder or a parent) and TANSO_* environment variables:
    a flag beats its environment variable, which beats tanso.toml, which beats the built-in default
    (`tanso docs` lists them all).
    """
    from tanso.cli.output import configure
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose contradict each other; give one")
    configure(quiet, verbose, log_file)
    config = getattr(click.get_current_context().command, "config", None)
    if config is not None and config.error is not None:
        raise config.error
    if config is not None and config.path is not None:
        logging.getLogger("tanso.cli").info("defaults from %s", config.path)


# The group's own options; a command's are given theirs when it loads (_Group._built_in).
assign_envvars(main)
