"""`tanso verify OUT`: is a run folder exactly what the run wrote?

1. manifest.json is a tanso manifest, byte for byte in the form tanso writes, and its content matches
   its own `canonical_sha256`;
2. every file is listed in `outputs` with its sha256 and size, and nothing else is there;
3. the ledger adds up to the summary exactly: the ledger's sums (decimals, in DuckDB), grouped as the
   summary is, equal the summary's lines one by one.

A folder written by `compare` holds a run in each of base/ and revised/: each is verified too. Which
log entry recorded the manifest, and what approvals it has, is checked by `tanso.audit.checks`.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from tanso.audit import CannotVerify
from tanso.audit.report import Report, Said
from tanso.plan.sql import literal
from tanso.run.execute import SUMMARY_KEYS
from tanso.run.ledger import LEDGER_FILE
from tanso.run.outputs import CANONICAL_FIELD, MANIFEST, canonical_digest, manifest_text, output_differences

COMPARISON_FORMAT = "tanso-comparison-manifest.v1"
MANIFEST_FORMATS = ("tanso-manifest.v1", COMPARISON_FORMAT)
SUMMARY_FILES = ("summary.csv", "summary.parquet", "summary.json")
SUMMARY_COLUMNS = (*SUMMARY_KEYS, "co2e_kg", "ledger_rows")

SummaryLine = tuple[Any, ...]   # the summary keys as text (None for empty), co2e_kg a Decimal, ledger_rows an int


def read_manifest(folder: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest of a run folder and its bytes; CannotVerify when the folder is not a tanso run."""
    if not folder.is_dir():
        raise CannotVerify(Said("run.not_a_folder", folder=str(folder)))
    path = folder / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CannotVerify(Said("run.no_manifest", folder=str(folder), manifest=MANIFEST)) from None
    except OSError as error:
        raise CannotVerify(Said("run.unreadable", path=str(path), error=str(error.strerror or error))) from None
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise CannotVerify(Said("run.not_json", path=str(path), error=str(error))) from None
    if not isinstance(manifest, dict) or manifest.get("format") not in MANIFEST_FORMATS:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise CannotVerify(Said("run.unknown_format", path=str(path), found=repr(found), formats=", ".join(MANIFEST_FORMATS)))
    if not isinstance(manifest.get("outputs"), dict):
        raise CannotVerify(Said("run.no_outputs", path=str(path)))
    return manifest, data


def verify_run(folder: Path, prefix: str = "") -> Report:
    """Every check of the run folder itself (no log): see the module docstring."""
    report = Report(str(folder))
    try:
        manifest, data = read_manifest(folder)
    except CannotVerify as error:
        report.add("cannot verify", prefix + MANIFEST, error.said)
        return report
    _check_manifest(manifest, data, prefix, report)
    differences = output_differences(folder, manifest["outputs"])
    for name, expected, found in differences:
        if found is None:
            report.add("altered", prefix + name, Said("verify.missing"), _listed(expected), Said("verify.no_file"))
        elif expected is None:
            report.add("altered", prefix + name, Said("verify.added"), Said("verify.no_file"), found["sha256"])
        else:
            report.add("altered", prefix + name, Said("verify.sha_differs"), _listed(expected), _listed(found))
    report.facts.append(Said("verify.hashed", prefix=prefix or "", manifest=MANIFEST, n=len(manifest["outputs"])))
    summary = next((name for name in SUMMARY_FILES if name in manifest["outputs"]), None)
    # An altered Parquet file is not read: it is already reported, and a damaged one can crash its reader.
    unreadable = sorted({LEDGER_FILE, summary} & {name for name, *_ in differences if name.endswith(".parquet")})
    if unreadable:
        report.facts.append(Said("verify.not_summed", prefix=prefix, files=", ".join(unreadable)))
    elif LEDGER_FILE in manifest["outputs"] and summary is not None:
        _check_sums(folder / LEDGER_FILE, folder / summary, prefix, report)
    for name in sorted(manifest["outputs"]):
        inside = ".." not in Path(name).parts and (folder / name).is_file()
        if name.endswith("/" + MANIFEST) and inside:   # a run inside this folder (compare's base/ and revised/)
            inner = verify_run(folder / Path(name).parent, prefix + name.removesuffix(MANIFEST))
            report.problems += inner.problems
            report.facts += inner.facts
    return report


def _listed(entry: Any) -> str:
    """An `outputs` entry as shown: its sha256 and size."""
    if isinstance(entry, dict):
        return Said("verify.listed", sha256=entry.get("sha256"), size=entry.get("size"))
    return repr(entry)


def _check_manifest(manifest: dict[str, Any], data: bytes, prefix: str, report: Report) -> None:
    written = manifest_text(manifest).encode("utf-8")
    if data != written:
        found, expected = data.decode("utf-8", "replace").splitlines(), written.decode("utf-8").splitlines()
        line = next((i for i, (a, b) in enumerate(zip(expected, found)) if a != b), min(len(expected), len(found)))
        report.add("altered", Said("verify.line", file=prefix + MANIFEST, line=line + 1), Said("verify.edited"),
                   repr(expected[line]) if line < len(expected) else Said("verify.end_of_file"),
                   repr(found[line]) if line < len(found) else Said("verify.end_of_file"))
    recorded = manifest.get(CANONICAL_FIELD)
    if recorded is None:
        report.add("cannot verify", prefix + MANIFEST, Said("verify.no_canonical", field=CANONICAL_FIELD))
    elif recorded != canonical_digest(manifest):
        report.add("altered", prefix + MANIFEST, Said("verify.canonical_differs", field=CANONICAL_FIELD),
                   recorded, canonical_digest(manifest))


def _check_sums(ledger: Path, summary: Path, prefix: str, report: Report) -> None:
    """The ledger's boundary-weighted sums by the summary keys against the summary, line by line."""
    try:
        expected = ledger_sums(ledger)
    except (duckdb.Error, ArithmeticError, ValueError) as error:   # ValueError: text that is not UTF-8
        report.add("altered", prefix + ledger.name, Said("verify.not_ledger", error=(str(error).splitlines() or [""])[0]))
        return
    try:
        found = summary_lines(summary)
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError, csv.Error, pa.ArrowException) as error:
        report.add("altered", prefix + summary.name, Said("verify.not_summary", error=repr(error)))
        return
    first_line = 2 if summary.suffix == ".csv" else 1   # a CSV's header is line 1
    for index in range(max(len(expected), len(found))):
        want = expected[index] if index < len(expected) else None
        have = found[index] if index < len(found) else None
        if want != have:
            report.add("altered", Said("verify.line", file=prefix + summary.name, line=index + first_line),
                       Said("verify.sums_differ"), _render(want), _render(have))
            return
    report.facts.append(Said("verify.sums_equal", prefix=prefix, file=summary.name, n=len(found), ledger=ledger.name))


def ledger_sums(ledger: Path) -> list[SummaryLine]:
    keys = ", ".join(SUMMARY_KEYS)
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT {keys}, sum(co2e_kg * boundary_weight), count(*) FROM read_parquet("
                           f"{literal(str(ledger))}) GROUP BY ALL ORDER BY ALL NULLS FIRST").fetchall()
    return [_line(row) for row in rows]


def summary_lines(path: Path) -> list[SummaryLine]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [[row[c] for c in SUMMARY_COLUMNS] for row in csv.DictReader(handle)]
    elif path.suffix == ".json":
        rows = [[row[c] for c in SUMMARY_COLUMNS]
                for row in json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)]
    else:
        rows = [[row[c] for c in SUMMARY_COLUMNS] for row in pq.read_table(path).to_pylist()]
    return [_line(row) for row in rows]


def _line(row) -> SummaryLine:
    *keys, co2e, count = row
    return (*(None if k is None or k == "" else str(k) for k in keys), Decimal(str(co2e)), int(count))


def _render(line: SummaryLine | None) -> str:
    if line is None:
        return "no line"
    return ", ".join(f"{name}={'' if value is None else value}" for name, value in zip(SUMMARY_COLUMNS, line))
