"""The example's evaluate on Spark in this process: wall time, CPU of Python and of Spark's JVM, digest.

    python benchmarks/spark_example.py                    # the test suite's settings (tests/test_spark_backend.py)
    python benchmarks/spark_example.py --engine-defaults  # tanso.backends.spark's own

`rulesets/ghgp-current` on `examples/acme/data`, as `tests/test_spark_backend.py` evaluates it (its data are
kilobytes: the time is Spark's analysing, planning and jobs, not its rows). The JVM and SparkSession start is
left out. Compare a change side by side: two `git archive`s, one process each, started at the same second; on
a shared machine the CPU seconds (local mode: driver and executors are one JVM) are the figure to compare.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _jvm_cpu_seconds() -> float:
    from pyspark import SparkContext
    fields = Path(f"/proc/{SparkContext._gateway.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine-defaults", action="store_true", help="without the test suite's TINY_DATA settings")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from test_spark_backend import TINY_DATA

    from tanso.backends.spark import spark_session
    from tanso.run import evaluate, prepare
    spark_session(settings=None if args.engine_defaults else TINY_DATA)
    prepared = prepare(REPO / "rulesets" / "ghgp-current")
    own, jvm, wall = _own_cpu_seconds(), _jvm_cpu_seconds(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tanso-spark-example-") as out:
        result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, REPO / "examples" / "acme" / "data",
                          Path(out), backend="spark")
    print(f"evaluate on Spark: wall {time.perf_counter() - wall:.1f} s, CPU Python {_own_cpu_seconds() - own:.1f} s "
          f"+ JVM {_jvm_cpu_seconds() - jvm:.1f} s, digest {result.digest}")


if __name__ == "__main__":
    main()
