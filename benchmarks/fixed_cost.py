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
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _count_statements(counter: Counter) -> None:
    """Count every statement the session's connection executes (the planner and the run share it)."""
    import tanso.run.session as session_module

    class CountingConnection:
        def __init__(self, inner):
            self._inner = inner

        def execute(self, sql, *args, **kwargs):
            counter[" ".join(str(sql).split()[:3])] += 1
            return self._inner.execute(sql, *args, **kwargs)

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
    parser.add_argument("--statements", action="store_true", help="list the statement kinds counted")
    args = parser.parse_args()
    from tanso.run import evaluate, prepare
    counter: Counter = Counter()
    _count_statements(counter)
    prepared = prepare(args.ruleset)
    with tempfile.TemporaryDirectory() as scratch:
        data = _emptied(args.data, Path(scratch) / "data") if args.empty else args.data
        walls, cpus, digests, counts = [], [], set(), []
        for _ in range(args.repeat):
            counter.clear()
            before, t0 = os.times(), time.perf_counter()
            result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, Path(scratch) / "out")
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
        for kind, n in counter.most_common(25):
            print(f"  {n:5d}  {kind}")
    if len(digests) != 1:
        sys.exit("digest differs between runs")


if __name__ == "__main__":
    main()
