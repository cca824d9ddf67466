"""Per-evaluate fixed cost on the Acme demo: what one `evaluate` costs when the data is tiny, so the
time is planning (statements sent to DuckDB, plan-time queries) rather than rows.

    PYTHONPATH=engine:plugins .venv/bin/python benchmarks/fixed_cost.py --repeat 5
    PYTHONPATH=engine:plugins .venv/bin/python benchmarks/fixed_cost.py --ruleset rulesets/ghgp-draft-2026 --empty

Each evaluate runs in this process after one `prepare()` (imports and parsing are not counted), with a
fresh session each time, as every YAML ruleset test does. It prints the digest (results must not move
when the planner gets cheaper), the median wall and CPU seconds of an evaluate, and how many statements
went to DuckDB. --empty evaluates on the demo's inputs with every activity row removed (headers kept).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _kind(sql: str) -> str:
    """A statement's first words, and for a statement creating or filling a relation, the relation's
    name up to its `__` (rule_ledger, rejects, candidates …), so a kind groups one job of the plan."""
    words = sql.split()
    target = next((w for w in words[:6] if "__" in w or w.startswith(("run_", "plan_"))), None)
    head = " ".join(w for w in words[:4] if w.upper() == w and w.isalpha() or w in ("*",))
    return f"{head} {re.sub(r'__.*|_[0-9].*', '', target)}" if target else " ".join(words[:3])


def _count_statements(counter: Counter, cpu: Counter) -> None:
    """Count every statement the session's connection executes (the planner and the run share it), and
    the process CPU seconds spent in each kind."""
    import tanso.run.session as session_module

    class CountingConnection:
        def __init__(self, inner):
            self._inner = inner

        def execute(self, sql, *args, **kwargs):
            kind = _kind(str(sql))
            counter[kind] += 1
            start = time.process_time()
            try:
                return self._inner.execute(sql, *args, **kwargs)
            finally:
                cpu[kind] += time.process_time() - start

        def __getattr__(self, name):
            return getattr(self._inner, name)

    original = session_module.Session.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.con = CountingConnection(self.con)
    session_module.Session.__init__ = init


def _emptied(data: Path, into: Path) -> Path:
    """A copy of `data` where every CSV keeps its header only (factor files and other formats as they are)."""
    shutil.copytree(data, into)
    for path in into.glob("*.csv"):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text(lines[0] if lines else "")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ruleset", type=Path, default=ROOT / "rulesets" / "ghgp-current")
    parser.add_argument("--data", type=Path, default=ROOT / "examples" / "acme" / "data")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--empty", action="store_true", help="the demo's inputs without their rows")
    parser.add_argument("--statements", action="store_true",
                        help="list the statement kinds counted, with their CPU seconds in the last evaluate")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the last evaluate (CPU clock) to this file")
    args = parser.parse_args()
    from tanso.run import evaluate, prepare
    counter: Counter = Counter()
    cpu: Counter = Counter()
    _count_statements(counter, cpu)
    prepared = prepare(args.ruleset)
    with tempfile.TemporaryDirectory() as scratch:
        data = _emptied(args.data, Path(scratch) / "data") if args.empty else args.data
        walls, cpus, digests, counts = [], [], set(), []
        for _ in range(args.repeat):
            counter.clear()
            cpu.clear()
            profiler = cProfile.Profile(time.process_time) if args.profile else None
            before, t0 = os.times(), time.perf_counter()
            if profiler:
                profiler.enable()
            result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, Path(scratch) / "out")
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            walls.append(time.perf_counter() - t0)
            after = os.times()
            cpus.append(after.user + after.system - before.user - before.system)
            digests.add(result.digest)
            counts.append(sum(counter.values()))
            result.connection.close()
    print(f"{args.ruleset.name} on {'emptied ' if args.empty else ''}{args.data.name}: digest {' '.join(digests)}; "
          f"evaluate median wall {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s "
          f"(runs: {', '.join(f'{w:.2f}' for w in walls)}); statements {counts[-1]}; load {os.getloadavg()[0]:.2f}")
    if args.statements:
        print(f"  {sum(cpu.values()):.2f} s CPU in statements")
        for kind, seconds in cpu.most_common(80):
            print(f"  {counter[kind]:5d}  {seconds:6.2f} s  {kind}")
    if len(digests) != 1:
        sys.exit("digest differs between runs")


if __name__ == "__main__":
    main()
