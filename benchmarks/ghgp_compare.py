"""Benchmark: `tanso.compare.compare(ghgp-current, ghgp-draft-2026)` (Shapley over every change the
draft makes) against one `tanso.run.evaluate` of ghgp-current and one of the draft, in the same run.

    .venv/bin/python benchmarks/ghgp_compare.py --rows 1000000 --repeat 1
    .venv/bin/python benchmarks/ghgp_compare.py --rows 10000000 --repeat 1 --json benchmarks/out/ghgp-compare-10M.json

Data: benchmarks/ghgp_current.py's generator run from the draft's input declarations
(`ghgp_current.py --draft-data`, benchmarks/data/ghgp-draft-N/): the same N rows and proportions as
ghgp-current's benchmark, plus the `hour` of electricity and certificate rows (period follows the
hour), `investee_s3_t`, and the draft's extra inputs and factor files copied from the Acme demo.
ghgp-current reads the same files and ignores the extra columns.

Each measurement runs in its own subprocess (peak RSS = that child's ru_maxrss from os.wait4, CPU =
its user+sys; ghgp_current._wait kills a child above --rss-kill-mb). Per repeat: evaluate current,
evaluate draft, compare (order rotated between repeats). Every compare run checks that the Shapley
parts of each basis sum exactly (Fraction) to the difference. Target (issue): compare ≤ 4× one
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
import ghgp_current as gc  # noqa: E402  (data generator, _wait, phase_totals)

RULESETS = {"current": gc.RULESET, "draft": gc.DRAFT}
KINDS = ("evaluate-current", "evaluate-draft", "compare")


TRACE = False


def _marks(sampler=None):
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()

    def progress(message: str, *counts: int) -> None:
        marks.append((message, time.perf_counter() - t0))
        if sampler:  # live, with the previous phase's peak RSS split (ghgp_current._MemorySampler)
            sampler.mark(f"{marks[-1][1]:8.2f} s", message)
        elif TRACE:  # live, so a run that fails or is stopped still shows where it was
            print(f"    [{marks[-1][1]:8.2f} s] {message}", file=sys.stderr, flush=True)
    return marks, progress


def _sampler():
    """--trace: a memory sampler of every session's database (a comparison opens one or two)."""
    if not TRACE:
        return None
    from tanso.run.session import Session
    sampler, init = gc._MemorySampler(watch_connect=False), Session.__init__

    def watched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        sampler.adopt(self.con)
    Session.__init__ = watched
    return sampler


def _end(sampler, wall: float) -> None:
    if sampler:
        sampler.mark(f"{wall:8.2f} s", "end")
        sampler.stop()


def worker_evaluate(which: str, rows: int, out: Path, memory_limit: str | None) -> dict:
    from tanso.run import evaluate, prepare
    prepared = prepare(RULESETS[which])
    sampler = _sampler()
    marks, progress = _marks(sampler)
    t0 = time.perf_counter()
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, gc.data_dir(rows), out,
                      memory_limit=memory_limit, progress=progress)
    wall = time.perf_counter() - t0
    _end(sampler, wall)
    return {"kind": f"evaluate-{which}", "wall_s": wall, "ledger_rows": result.ledger_rows,
            "rejects": result.rejects_count, "digest": result.digest,
            "total_co2e_kg": str(sum(r["co2e_kg"] for r in result.summary)), "phases": marks}


def worker_compare(rows: int, out: Path, memory_limit: str | None) -> dict:
    from tanso.compare import bases, compare, headline
    from tanso.run import prepare
    base = prepare(gc.RULESET)
    revised = prepare(gc.DRAFT, registry=base.registry)
    sampler = _sampler()
    marks, progress = _marks(sampler)
    t0 = time.perf_counter()
    comparison = compare(base.ruleset, revised.ruleset, base.registry, gc.data_dir(rows), out,
                         memory_limit=memory_limit, progress=progress)
    wall = time.perf_counter() - t0
    _end(sampler, wall)
    views = []
    for basis in bases(comparison):
        view = headline(comparison, basis)
        shapley = sum((Fraction(p["shapley"]) for p in view["parts"]), Fraction(0))
        if shapley != Fraction(view["delta_kg"]):
            raise SystemExit(f"basis {basis}: Shapley parts sum to {shapley}, difference is {view['delta_kg']}")
        views.append({"basis": basis, "base_kg": str(view["base_kg"]), "revised_kg": str(view["revised_kg"]),
                      "delta_kg": str(view["delta_kg"]), "interaction_kg": str(view["interaction_kg"]),
                      "shapley_sum_equals_delta": True,
                      "parts": {p["change"].key: str(gc_round(p["shapley"])) for p in view["parts"]}})
    return {"kind": "compare", "wall_s": wall, "changes": [c.key for c in comparison.changes],
            "structural": [c.key for c in comparison.changes if c.structural],
            "scenarios_evaluated": comparison.scenarios_evaluated, "rule_dependencies": comparison.rule_dependencies,
            "ledger_rows": [comparison.base.ledger_rows, comparison.revised.ledger_rows],
            "digests": [comparison.base.digest, comparison.revised.digest],
            "headlines": views, "phases": marks}


def gc_round(value) -> object:
    from tanso.compare import to_decimal
    return to_decimal(Fraction(value), 3)


def run_child(kind: str, rows: int, memory_limit: str | None) -> dict:
    out = HERE / "out" / f"ghgp-compare-{kind}-{rows}"
    with tempfile.NamedTemporaryFile("w+", suffix=".json", delete=False) as handle:
        result_file = handle.name
    load = os.getloadavg()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--rows", str(rows),
                             "--out", str(out), "--result", result_file,
                             *(["--memory-limit", memory_limit] if memory_limit else []),
                             *(["--trace"] if TRACE else [])])
    status, usage = gc._wait(proc.pid)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} worker failed (exit {os.waitstatus_to_exitcode(status)})")
    info = json.loads(Path(result_file).read_text())
    os.unlink(result_file)
    info.update(peak_rss_mb=usage.ru_maxrss / 1024, user_s=usage.ru_utime, sys_s=usage.ru_stime,
                loadavg_before=load)
    return info


def compare_phases(marks: list[tuple[str, float]], wall: float) -> dict[str, float]:
    """base run, revised run, scenarios (all of them), and what follows the last scenario."""
    out = {"base run": 0.0, "revised run": 0.0, "scenarios": 0.0}
    bounds = marks + [("end", wall)]
    seen_scenario = False
    for (label, t), (next_label, t_next) in zip(bounds, bounds[1:]):
        if label.startswith("base: "):  # the runs' own progress marks, prefixed
            out["base run"] += t_next - t
        elif label.startswith("revision: "):
            out["revised run"] += t_next - t
        elif label.startswith("scenario "):
            seen_scenario = True
            # no mark ends the last scenario: its span runs to the end and includes the attribution
            key = "last scenario + attribution, row changes" if next_label == "end" else "scenarios"
            out[key] = out.get(key, 0.0) + t_next - t
    if marks:
        out["before the first mark (graphs)"] = marks[0][1]
    if not seen_scenario:
        out.pop("scenarios")
    return out


def slowest_scenarios(marks: list[tuple[str, float]], n: int = 8) -> list[tuple[float, str]]:
    spans = [(b[1] - a[1], a[0]) for a, b in zip(marks, marks[1:]) if a[0].startswith("scenario ")]
    return sorted(spans, reverse=True)[:n]


def scenarios_by_rule(c: dict) -> list[tuple[str, int, float]]:
    """Scenario count and seconds grouped by the rules that need them: a scenario's non-structural
    changes are a subset of those rules' options (the rules run in it). Combinations of only
    boundary.approach / gwp.set (with structural rule changes) are needed by nearly every rule. The
    last scenario is left out: no mark ends it before the attribution."""
    structural = set(c["structural"])
    groups: dict[str, list[float]] = {}
    for (label, t), (_, t_next) in zip(c["phases"], c["phases"][1:]):
        if label.startswith("scenario "):
            keys = {x for x in label.split(": ", 1)[1].split(", ") if x != "base"} - structural
            rules = sorted(r for r, players in c["rule_dependencies"].items() if keys <= set(players))
            name = ", ".join(rules) if len(rules) <= 3 else f"{len(rules)} rules"
            groups.setdefault(name, []).append(t_next - t)
    return sorted(((name, len(spans), sum(spans)) for name, spans in groups.items()), key=lambda r: -r[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit in the workers (default: engine's)")
    parser.add_argument("--rss-kill-mb", type=int, default=12_000, help="kill a worker above this RSS")
    parser.add_argument("--only", choices=KINDS, action="append", help="run only these measurements (repeatable)")
    parser.add_argument("--trace", action="store_true", help="workers print each progress mark live (stderr) with the previous phase's peak RSS "
                             "(DuckDB per database, Arrow, rest; spilled)")
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    gc.DATA_RULESET = gc.DRAFT     # data from the draft's declarations: benchmarks/data/ghgp-draft-N/
    gc.RSS_KILL_MB = args.rss_kill_mb
    global TRACE
    TRACE = args.trace
    if args.worker:
        if args.worker == "compare":
            info = worker_compare(args.rows, args.out, args.memory_limit)
        else:
            info = worker_evaluate(args.worker.split("-")[1], args.rows, args.out, args.memory_limit)
        args.result.write_text(json.dumps(info, default=str))
        return

    folder = gc.generate(args.rows)
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    print(f"rows {args.rows:,} ({folder.name}, {size / 1e6:.0f} MB Parquet); nproc {os.cpu_count()}; "
          f"python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC", flush=True)
    kinds = [k for k in KINDS if k in (args.only or KINDS)]
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for i in range(args.repeat):
        for kind in kinds[i % len(kinds):] + kinds[:i % len(kinds)]:
            info = run_child(kind, args.rows, args.memory_limit)
            runs[kind].append(info)
            print(f"  run {i + 1} {kind:16s} {info['wall_s']:8.2f} s  user+sys {info['user_s'] + info['sys_s']:7.1f} s  "
                  f"peak {info['peak_rss_mb']:6.0f} MB  load before {info['loadavg_before'][0]:.2f}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": args.rows, "runs": runs}, indent=2, default=str))
    if set(kinds) != set(KINDS):
        return
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["user_s"] + r["sys_s"] for r in v) for k, v in runs.items()}
    mem = {k: statistics.median(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    c = runs["compare"][-1]
    print(f"\nchanges ({len(c['changes'])}; structural {len(c['structural'])}): {', '.join(c['changes'])}")
    print(f"scenarios evaluated {c['scenarios_evaluated']} (base and revised runs included)")
    print("rules with their (non-structural) options: " + "; ".join(
        f"{r} {len(d)}" for r, d in sorted(c["rule_dependencies"].items(), key=lambda kv: -len(kv[1]))[:10]))
    print(f"{'':18s}{'wall s':>9s}{'CPU s':>9s}{'input rows/s':>15s}{'peak MB':>10s}")
    for kind in KINDS:
        print(f"{kind:18s}{med[kind]:9.2f}{cpu[kind]:9.1f}{args.rows / med[kind]:15,.0f}{mem[kind]:10.0f}")
    both = med["evaluate-current"] + med["evaluate-draft"]
    print(f"ratio compare / evaluate(current): {med['compare'] / med['evaluate-current']:.2f}x wall "
          f"(target <= 4x), {cpu['compare'] / cpu['evaluate-current']:.2f}x CPU, "
          f"{mem['compare'] / mem['evaluate-current']:.2f}x peak memory")
    print(f"ratio compare / (evaluate current + evaluate draft): {med['compare'] / both:.2f}x wall")
    for view in c["headlines"]:
        if True:
            print(f"basis {view['basis']}: {view['base_kg']} -> {view['revised_kg']} kg, delta {view['delta_kg']} kg "
                  f"(sum of Shapley parts == delta: checked exactly), interaction {view['interaction_kg']} kg")
            top = sorted(view["parts"].items(), key=lambda kv: -abs(float(kv[1])))[:8]
            for key, part in top:
                print(f"    {key:44s} shapley {part} kg")
    same = [c["digests"][i] == runs[k][-1]["digest"] for i, k in enumerate(KINDS[:2])]
    print(f"compare's base / revised run digests equal the separate evaluates': {same[0]} / {same[1]}")
    print("shapley parts == delta (exact) for every basis: " + ", ".join(str(v["basis"]) for v in c["headlines"]))
    phases = compare_phases(c["phases"], c["wall_s"])
    print("compare phases: " + "; ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    print("scenarios by the rules they run for: " + "; ".join(
        f"[{r}] {n} scenarios {t:.1f} s" for r, n, t in scenarios_by_rule(c)[:6]))
    print("slowest scenarios: " + "; ".join(f"{s:.1f} s {m}" for s, m in slowest_scenarios(c["phases"])))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": args.rows, "runs": runs, "median_wall_s": med, "median_cpu_s": cpu,
                                         "median_peak_rss_mb": mem, "compare_phases": phases}, indent=2, default=str))


if __name__ == "__main__":
    main()
