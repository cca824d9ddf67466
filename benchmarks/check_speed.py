"""Benchmark: `tanso check` on a large ruleset (issue #13's target: < 0.5 s for ~5,000 lines).

    .venv/bin/python benchmarks/check_speed.py --repeat 5
    .venv/bin/python benchmarks/check_speed.py --profile         # one cProfile run, 25 heaviest functions
    .venv/bin/python benchmarks/check_speed.py --roots /tmp/before .   # engines alternated, run for run
    .venv/bin/python benchmarks/check_speed.py --cache cold            # every run with an empty cache
    .venv/bin/python benchmarks/check_speed.py --instructions --roots /tmp/before .   # valgrind: load-independent
    .venv/bin/python benchmarks/check_speed.py --edit --instructions --roots /tmp/before .   # after editing one file

The ruleset is rulesets/ghgp-current (668 lines) plus copies of its three rule files (scope1, scope2,
scope3) with every rule and exclusion renamed `<id>_cN` (all but s2.market, which consumes its
certificates), until it has at least --lines lines (default 5,124: the size the issue measured). The copies read the same inputs and factor sets, so
the whole ruleset resolves and checks cleanly; it is written to benchmarks/out/check-<lines>/.
Each run is `python -m tanso.cli check FOLDER` in its own subprocess, as a user runs it (imports
included); wall and CPU (user+sys of the child) are reported with the 1-minute load average. The cache
(`tanso.cache`: grammar tables, pint's units, parsed files) is the script's own: `--cache warm` (default)
fills it with one untimed run per checkout first, `--cache cold` gives every run an empty one (a first check).
The untimed run also writes the modules' bytecode (`__pycache__`), which the runs use as an installed
tanso does: PYTHONDONTWRITEBYTECODE is removed from the runs' environment. `--edit` times the check a user
runs after changing one file: before each round, a new comment line is appended to one copy of scope3.tanso
(229 lines), so that file's cache entry misses (in every checkout's cache) and the other 47 are read back.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "rulesets" / "ghgp-current"
RULE_FILES = ("scope1.tanso", "scope2.tanso", "scope3.tanso")
_RENAME = re.compile(r"^(rule|exclude) ([A-Za-z0-9_.]+)", re.MULTILINE)
# s2.market consumes its certificates: a second rule on the same tables is an error, so copies omit it.
_CONSUMER = re.compile(r"^rule s2\.market .*\n(?:[ \t]+.*\n)*", re.MULTILINE)


def _copy_text(name: str, copy: int) -> str:
    """Rule file `name` of ghgp-current with every rule and exclusion renamed `<id>_c<copy>`."""
    return _RENAME.sub(lambda m: f"{m[1]} {m[2]}_c{copy}", _CONSUMER.sub("", (SOURCE / name).read_text(encoding="utf-8")))


def build(lines: int) -> Path:
    """A ruleset folder of at least `lines` lines: ghgp-current plus renamed copies of its rules."""
    folder = HERE / "out" / f"check-{lines}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("tests"))
    total = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.tanso"))
    copy = 0
    while total < lines:
        copy += 1
        for name in RULE_FILES:
            text = _copy_text(name, copy)
            (folder / f"copy{copy}_{name}").write_text(text, encoding="utf-8")
            total += len(text.splitlines())
    return folder


EDITED = "copy1_scope3.tanso"


def edit(folder: Path, round_: int) -> None:
    """A new text for one file of the ruleset (its original plus a comment naming the round): not in any cache."""
    text = _copy_text("scope3.tanso", 1)
    (folder / EDITED).write_text(f"{text}# edited for round {round_} at {time.time_ns()}\n", encoding="utf-8")


def run_once(folder: Path, env: dict[str, str], cache: str) -> dict:
    if cache == "cold":
        with tempfile.TemporaryDirectory(prefix="tanso-cache-") as empty:
            return run_once(folder, {**env, "TANSO_CACHE_DIR": empty}, "warm")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "tanso.cli", "check", str(folder)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    out, err = child.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"check failed:\n{out.decode()}{err.decode()}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "load": load, "output": out.decode().strip()}


def instructions(folder: Path, env: dict[str, str]) -> int:
    """Instructions of one check (valgrind's cachegrind, no cache simulation): unlike CPU seconds, the
    same on a loaded machine as on a quiet one, so small changes can be compared while others run."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on PATH")
    child = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                            sys.executable, "-m", "tanso.cli", "check", str(folder)],
                           env={**env, "PYTHONHASHSEED": "0"}, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", child.stderr)
    if child.returncode != 0 or found is None:
        raise SystemExit(f"check under valgrind failed:\n{child.stdout}{child.stderr}")
    return int(found[1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=5_124)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="one cProfile run in this process")
    parser.add_argument("--cache", choices=("warm", "cold"), default="warm",
                        help="warm: the script's cache, filled by one untimed run; cold: an empty cache every run")
    parser.add_argument("--roots", nargs="+", type=Path, default=None,
                        help="checkouts whose engine/ and plugins/ to time, alternated run for run (default: the "
                             "modules on PYTHONPATH)")
    parser.add_argument("--edit", action="store_true",
                        help=f"before each round, change {EDITED} so that its cache entry misses (a check after an edit)")
    parser.add_argument("--instructions", action="store_true",
                        help="count one check's instructions per checkout (valgrind) instead of timing runs")
    args = parser.parse_args()
    folder = build(args.lines)
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.tanso"))
    print(f"ruleset {folder.relative_to(HERE.parent)}: {lines:,} lines in {len(list(folder.glob('*.tanso')))} files")
    if args.profile:
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.enable()
        from tanso.cli import main as cli
        try:
            cli(["check", str(folder)], standalone_mode=False)
        finally:
            profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    roots = args.roots or [None]
    envs = []
    for i, root in enumerate(roots):
        env = {**os.environ, "TANSO_CACHE_DIR": str(HERE / "out" / f"check-cache-{i}")}
        # As a user's install runs: with the modules' bytecode (pip writes it; a checkout on first run).
        # Without it, every run compiled the engine's modules from source (~0.2 s of a check).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if root is not None:
            env["PYTHONPATH"] = os.pathsep.join(str(root.resolve() / p) for p in ("engine", "plugins"))
        envs.append(env)
    if args.cache == "warm":
        for env in envs:
            run_once(folder, env, "warm")
    if args.instructions:
        if args.edit:
            edit(folder, 0)
        for root, env in zip(roots, envs):
            with tempfile.TemporaryDirectory(prefix="tanso-cache-") as empty:
                env = {**env, "TANSO_CACHE_DIR": empty} if args.cache == "cold" else env
                print(f"{root or 'PYTHONPATH'} ({args.cache} cache{', one file edited' if args.edit else ''}): "
                      f"{instructions(folder, env):,} instructions")
        return
    runs: list[list[dict]] = [[] for _ in roots]
    for round_ in range(args.repeat):
        if args.edit:
            edit(folder, round_ + 1)
        for series, env in zip(runs, envs):
            series.append(run_once(folder, env, args.cache))
    print(runs[0][0]["output"])
    for root, series in zip(roots, runs):
        print(f"{root or 'PYTHONPATH'} ({args.cache} cache):")
        for i, r in enumerate(series, 1):
            print(f"  run {i}: wall {r['wall_s']:.3f} s  CPU {r['cpu_s']:.3f} s  load before {r['load']:.2f}")
        print(f"  median wall {statistics.median(r['wall_s'] for r in series):.3f} s, "
              f"median CPU {statistics.median(r['cpu_s'] for r in series):.3f} s")

if __name__ == "__main__":
    main()
