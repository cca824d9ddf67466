"""Benchmark of `tanso suggest`: accuracy on the labelled set and speed on 100,000 ledger lines.

    PYTHONPATH=engine:plugins python benchmarks/suggest.py [--lines 100000] [--misses]

The labelled set (benchmarks/suggest/labelled.txt, one item a line: text | unit | kind | expected) was
written by hand from public factor names (the Japanese input-output table's sectors, NAICS titles,
the MoE SHK fuel list, the EPA Hub and ASHRAE 34 names shipped with tanso_ghgp) and the way ledgers,
invoices and receipts word purchases. "expected" lists the right factors (several, separated by "/",
only where the same fuel is listed by two sets in a unit the row converts to). The catalogue is
benchmarks/suggest/ruleset plus every shipped pack; us_spend is imported with `--layout useeio`.

Speed: the 100,000 lines are the labelled texts with what ledgers add (months, quantities, invoice
numbers, suppliers), mostly distinct; they are read through the input declaration, grouped to
distinct items by DuckDB, and ranked. Wall and CPU seconds and the load average are printed: the
machine may be shared.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from tanso.plugins import load_registry
from tanso.run import prepare
from tanso.suggest import distinct_items, load_matcher
from tanso.suggest.normalise import normalise, unit_of, without_quantities

HERE = Path(__file__).resolve().parent / "suggest"
SHORT = {"S": "jp_spend: sector=", "A": "jp_activity: fuel=", "U": "us_spend: naics_code="}
SUFFIXES = ["", " 1月分", " 3月分", " 2025/04", " 請求書No.{n}", " INV-{n}", " #{n}", " ({n}件)", " PO {n}", " 支店{n}",
            " Q1", " - March", " (Store {n})", " ×{n}", " {n}個"]


def labelled() -> list[dict[str, str]]:
    rows = []
    for line in (HERE / "labelled.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, unit, kind, expected = (p.strip() for p in line.split("|"))
            labels = {SHORT[e[0]] + e[2:] if e[:2] in {"S:", "A:", "U:"} else e for e in expected.split("/")}
            rows.append({"text": text, "unit": unit, "kind": kind, "labels": labels,
                         "lang": "en" if text.isascii() else "ja"})
    return rows


def data_folder(root: Path) -> Path:
    data = root / "data"
    (data / "factors").mkdir(parents=True)
    for name in ("jp_spend.csv", "jp_activity.csv"):
        (data / "factors" / name).write_bytes((HERE / "factors" / name).read_bytes())
    layout = load_registry().factor_layouts["useeio"]
    layout.convert(HERE / "factors" / "SupplyChainGHGEmissionFactors_NAICS_titles_placeholder.csv",
                   data / "factors" / "us_spend.csv", publisher="Tanso benchmark (NAICS titles; placeholder values)",
                   edition="placeholder", licence="CC0-1.0", version=None)
    (data / "item_map.csv").write_text("text,sector\n", encoding="utf-8")
    return data


def accuracy(matcher, items: list[dict[str, str]], show_misses: bool) -> dict[str, object]:
    known = {c.label for c in matcher.candidates}
    unknown = sorted({label for item in items for label in item["labels"]} - known)
    if unknown:
        sys.exit(f"labels that are no candidate of the catalogue: {unknown}")
    start = time.perf_counter()
    ranked = matcher.suggest([i["text"] for i in items], [unit_of(i["unit"]) for i in items], 3)
    seconds = time.perf_counter() - start
    groups: dict[str, list[int]] = {}
    for item, suggestions in zip(items, ranked):
        labels = [s.candidate.label for s in suggestions]
        hit1, hit3 = labels[:1] and labels[0] in item["labels"], bool(set(labels) & item["labels"])
        for group in ("all", item["lang"], item["kind"]):
            counts = groups.setdefault(group, [0, 0, 0])
            counts[0] += 1
            counts[1] += bool(hit1)
            counts[2] += hit3
        if show_misses and not hit1:
            print(f"{'top3' if hit3 else 'MISS'}  {item['text']} [{item['unit']}] want {sorted(item['labels'])}; "
                  f"got {labels}")
    return {"groups": groups, "seconds": seconds}


def lines(items: list[dict[str, str]], count: int, path: Path, distinct: bool = False) -> None:
    """`count` ledger lines from the labelled texts; `distinct`: each with a made-up word as well (a
    worst case, where no two lines read the same even without their quantities)."""
    rng = random.Random(18)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "unit", "amount"])
        for n in range(count):
            item = rng.choice(items)
            text = item["text"] + rng.choice(SUFFIXES).format(n=rng.randint(1, 9999))
            if distinct:
                text += " " + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
            writer.writerow([f"L{n:06d}", text, item["unit"], f"{rng.randint(100, 999999)}.00"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--misses", action="store_true", help="print every item whose top suggestion is wrong")
    args = parser.parse_args()
    items = labelled()
    with tempfile.TemporaryDirectory() as root:
        data = data_folder(Path(root))
        prepared = prepare(HERE / "ruleset")
        con = duckdb.connect()
        start = time.perf_counter()
        matcher, skipped = load_matcher(prepared.ruleset, prepared.registry, data, con)
        built = time.perf_counter() - start
        result = accuracy(matcher, items, args.misses)
        print(f"catalogue: {len(matcher.candidates):,} candidates from {len({c.factor_set for c in matcher.candidates})} "
              f"factor sets, indexed in {built:.2f} s" + (f"; skipped {skipped}" if skipped else ""))
        print(f"labelled set: {len(items)} items")
        for group, (n, top1, top3) in result["groups"].items():
            print(f"  {group:8} {n:4}  top-1 {top1 / n:6.1%}  top-3 {top3 / n:6.1%}")
        for distinct in (False, True):
            speed(con, prepared, matcher, data, items, args.lines, distinct)


def speed(con, prepared, matcher, data: Path, items, count: int, distinct: bool) -> None:
    lines(items, count, data / "items.csv", distinct)
    load_before = os.getloadavg()
    wall, cpu = time.perf_counter(), time.process_time()
    found = distinct_items(con, prepared.registry, prepared.ruleset, data, "items", "text", "unit")
    grouped = time.perf_counter() - wall
    ranked = matcher.suggest([i.text for i in found], [i.unit for i in found], 3)
    said = [r[0].reason for r in ranked if r]   # the review table says the best one's reason
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    scored = len({(without_quantities(normalise(i.text)), i.unit) for i in found})
    print(f"{count:,} lines{' (worst case: a made-up word on each)' if distinct else ''}: {len(found):,} distinct "
          f"items, {scored:,} distinct once quantities are stripped: {wall:.2f} s wall ({grouped:.2f} s reading and "
          f"grouping), {cpu:.2f} s CPU; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores; {len(said):,} items with a suggestion")


if __name__ == "__main__":
    main()
