"""A pre-imported `tanso` that forks one child process per command (the corpus's fast runner).

Started once per test session. It imports the CLI, the engine and the plugins (about 1.5 s, the
bulk of a `tanso` start), then reads one JSON request per line on stdin — args, cwd, stdout and
stderr file paths — forks, and in the child runs `tanso.cli.main(args)` with stdout and stderr
redirected to the files, exactly as the `tanso` executable would (an uncaught exception prints its
traceback on stderr and exits 1). The parent answers one line: the child's exit code (negative:
killed by that signal). No thread is started before a fork: the zygote never opens a connection.
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
    requests, answers = sys.stdin, sys.stdout
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        answers.write(f"{os.waitstatus_to_exitcode(status)}\n")
        answers.flush()


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
