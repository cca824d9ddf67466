"""A pre-imported `tanso` that forks one child process per command (the corpus's fast runner).

Started once per test session. It imports the CLI, the engine and the plugins (about 1.5 s, the
bulk of a `tanso` start), then reads one JSON request per line on stdin — args, cwd, stdout and
stderr file paths — forks, and in the child runs `tanso.cli.main(args)` with stdout and stderr
redirected to the files, exactly as the `tanso` executable would (an uncaught exception prints its
traceback on stderr and exits 1). The parent answers one line: the child's exit code (negative:
killed by that signal) and its CPU seconds. No thread is started before a fork: the zygote never opens a connection.
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def main() -> None:
    import tanso.cli   # noqa: F401  (the imports are the point)
    import tanso.compare  # noqa: F401
    import tanso.run  # noqa: F401
    from tanso.plugins import load_registry
    load_registry()   # imports every plugin module (entry points)
    _warm()
    import threading
    assert threading.active_count() == 1, "a thread before fork"
    requests, answers = sys.stdin, sys.stdout
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status, usage = os.wait4(pid, 0)
        answers.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime:.3f}\n")
        answers.flush()


def _warm() -> None:
    """What a run builds or imports lazily, done once here (pure Python, no thread): pint's unit
    registry (seconds) and the modules a run imports on first use."""
    import importlib
    import pkgutil

    from tanso.plan import units
    units.registry()
    for package in ("tanso", "tanso_ghgp", "tanso_io", "tanso_report", "tanso_functions"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if not info.name.endswith(("testing_pytest", "__main__")):
                try:
                    importlib.import_module(info.name)
                except Exception:   # an optional dependency missing: the run will say so itself
                    pass
    from pathlib import Path

    from tanso.run import prepare
    prepare(Path(__file__).resolve().parents[2] / "rulesets" / "ghgp-current")   # builds the parser
    for name in ("rich.progress", "rich.table", "pyarrow.parquet", "pyarrow.csv", "python_calamine", "yaml"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _child(request: dict) -> None:
    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.update(request.get("env", {}))
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        sys.stdin = open(os.devnull)
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        from tanso.cli import main as tanso
        try:
            tanso(request["args"], prog_name="tanso")
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            if not isinstance(exit_.code, (int, type(None))):
                print(exit_.code, file=sys.stderr)
        except BaseException:   # what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


if __name__ == "__main__":
    main()
