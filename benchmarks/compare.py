"""Benchmark: `tanso.compare.compare` (Shapley over every change of a draft-like overlay) against one
`tanso.run.evaluate` of the base, on the data of benchmarks/run.py.

    .venv/bin/python benchmarks/compare.py --rows 1000000
    .venv/bin/python benchmarks/compare.py --rows 10000000 --json benchmarks/out/compare-10M.json

Base: benchmarks/ruleset/bench.tanso. Revision: benchmarks/ruleset/bench_draft.tanso (gwp.set AR5 →
AR6, a consolidation boundary, and a policy-gated rule added with the policy it reads: 4 changes).
Each measurement runs in its own subprocess (peak RSS = that child's ru_maxrss from os.wait4),
evaluate and compare alternating; the median of the repeats is reported. Target: compare ≤ 4× one
evaluate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench  # noqa: E402  (the data generator and layout of benchmarks/run.py)

BASE = HERE / "ruleset" / "bench.tanso"
DRAFT = HERE / "ruleset" / "bench_draft.tanso"


def write_entities(folder: Path) -> None:
    """50 entities E00..E49: every fifth is not under operational control; equity 50-100 %."""
    path = folder / "entities.csv"
    lines = ["entity,parent,country,equity_share,financial_control,operational_control"]
    for i in range(bench.N_ENTITIES):
        lines.append(f"E{i:02d},E00,JP,{0.5 + (i % 6) / 10:.1f},true,{'false' if i % 5 == 4 else 'true'}")
    path.write_text("\n".join(lines) + "\n")


def worker_evaluate(rows: int, out: Path) -> dict:
    from tanso.run import evaluate, prepare
    prepared = prepare(BASE)
    t0 = time.perf_counter()
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, bench.data_dir(rows), out)
    wall = time.perf_counter() - t0
    return {"kind": "evaluate", "wall_s": wall, "ledger_rows": result.ledger_rows,
            "total_co2e_kg": str(sum(r["co2e_kg"] for r in result.summary))}


def worker_compare(rows: int, out: Path) -> dict:
    from tanso.compare import bases, compare, headline
    from tanso.run import prepare
    base = prepare(BASE)
    revised = prepare(DRAFT, registry=base.registry)
    marks = []
    t0 = time.perf_counter()
    comparison = compare(base.ruleset, revised.ruleset, base.registry, bench.data_dir(rows), out,
                         progress=lambda message, *counts: marks.append((message, round(time.perf_counter() - t0, 2))))
    wall = time.perf_counter() - t0
    views = []
    for basis in bases(comparison):
        view = headline(comparison, basis)
        shapley = sum((Fraction(p["shapley"]) for p in view["parts"]), Fraction(0))
        assert shapley == Fraction(view["delta_kg"]), "Shapley parts do not sum to the difference"
        views.append({"basis": basis, "base_kg": str(view["base_kg"]), "revised_kg": str(view["revised_kg"]),
                      "delta_kg": str(view["delta_kg"]), "interaction_kg": str(view["interaction_kg"]),
                      "parts": {p["change"].key: {"one_at_a_time": str(p["one_at_a_time"]),
                                                  "sequential": str(p["sequential"]),
                                                  "shapley": str(p["shapley"])} for p in view["parts"]}})
    return {"kind": "compare", "wall_s": wall, "changes": [c.key for c in comparison.changes],
            "scenarios_evaluated": comparison.scenarios_evaluated, "rule_dependencies": comparison.rule_dependencies,
            "headlines": views, "phases": marks}


def run_child(kind: str, rows: int) -> dict:
    out = HERE / "out" / f"compare-{kind}-{rows}"
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as handle:
        result_file = handle.name
    load = os.getloadavg()[0]
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--rows", str(rows),
                             "--out", str(out), "--result", result_file])
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} worker failed")
    info = json.loads(Path(result_file).read_text())
    os.unlink(result_file)
    info.update(peak_rss_mb=usage.ru_maxrss / 1024, user_s=usage.ru_utime, sys_s=usage.ru_stime,
                loadavg_1m_before=load)
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--worker", choices=["evaluate", "compare"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        info = (worker_evaluate if args.worker == "evaluate" else worker_compare)(args.rows, args.out)
        args.result.write_text(json.dumps(info, default=str))
        return

    bench.generate(args.rows)
    write_entities(bench.data_dir(args.rows))
    print(f"rows {args.rows:,}; nproc {os.cpu_count()}; python {sys.version.split()[0]}", flush=True)
    runs: dict[str, list[dict]] = {"evaluate": [], "compare": []}
    for i in range(args.repeat):
        for kind in ("evaluate", "compare") if i % 2 == 0 else ("compare", "evaluate"):
            info = run_child(kind, args.rows)
            runs[kind].append(info)
            print(f"  run {i + 1} {kind:8s} {info['wall_s']:8.2f} s  peak {info['peak_rss_mb']:7.0f} MB  "
                  f"user+sys {info['user_s'] + info['sys_s']:6.1f} s  load before {info['loadavg_1m_before']:.1f}",
                  flush=True)
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
    mem = {k: statistics.median(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    c = runs["compare"][-1]
    print(f"\nchanges ({len(c['changes'])}): {', '.join(c['changes'])}; scenarios evaluated {c['scenarios_evaluated']} "
          f"(base and revised runs included)")
    print(f"{'':10s}{'wall s':>9s}{'input rows/s':>15s}{'peak MB':>10s}")
    for kind in ("evaluate", "compare"):
        print(f"{kind:10s}{med[kind]:9.2f}{args.rows / med[kind]:15,.0f}{mem[kind]:10.0f}")
    print(f"ratio compare/evaluate: {med['compare'] / med['evaluate']:.2f}x wall (target <= 4x), "
          f"{mem['compare'] / mem['evaluate']:.2f}x peak memory")
    for view in c["headlines"]:
        print(f"basis {view['basis']}: delta {view['delta_kg']} kg, interaction {view['interaction_kg']} kg")
        for key, part in view["parts"].items():
            print(f"  {key:32s} shapley {part['shapley']}")
    print("compare phases (s since start): " + ", ".join(f"{m} @{s}" for m, s in c["phases"]))
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "runs": runs, "median_wall_s": med,
                                         "median_peak_rss_mb": mem}, indent=2, default=str))


if __name__ == "__main__":
    main()
