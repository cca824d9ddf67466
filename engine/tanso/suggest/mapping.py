"""The review table a person confirms suggestions in, and the lookup table rules read.

The review table (CSV, or Excel when its name ends in .xlsx) has one row per distinct item: the item
(its first column is named as the input column it came from), its unit, rows and quantity, the
status (suggested / confirmed / rejected), the factor proposed or chosen, the score and reason, the
alternatives, who decided and when, and what they decided (so that `accept` finds what was edited since). The lookup table beside it holds the confirmed rows only: the
item as the key, the factor set and the columns the factor set is matched on; a rule reads it with
`from TABLE lookup MAP on COLUMN`, so an item nobody confirmed is rejected by name, never computed.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tanso.diagnostics import InputError
from tanso.i18n import register, t
from tanso.plan.units import unit_problem

register({
    "suggest.unit_unchecked": {"en": "the row's unit '{unit}' cannot be checked ({problem}): no factor is suggested",
                               "ja": "行の単位「{unit}」を確認できない（{problem}）：係数は提案しない"},
    "suggest.none_confident": {
        "en": "no confident suggestion: no factor of the ruleset shares a word or concept with this item in a unit "
              "it converts to, and none is spelled like it (spelling alone counts from a score of {floor}: half the "
              "item's characters, by weight, in the factor's name)",
        "ja": "確かな候補なし：この項目と語・概念を共有し単位を換算できる係数がなく、綴りの似た係数もない"
              "（綴りだけの一致はスコア {floor} 以上：項目の文字の重みの半分が係数名にある場合に限る）"},
})

STATUSES = ("suggested", "confirmed", "rejected")
COLUMNS = ("unit", "rows", "quantity", "status", "factor_set", "factor", "score", "reason", "alternatives", "by", "at",
           "recorded")   # recorded: the decision `by` and `at` refer to, to tell an edit in the file from it


def review_path(mapping: Path, review: Path | None = None) -> Path:
    """The review table of a lookup table: --review, else NAME.review.csv beside it."""
    return review or mapping.with_name(mapping.stem + ".review.csv")


@contextlib.contextmanager
def locked(review: Path) -> Iterator[None]:
    """Hold the review table for one read-decide-write: two people confirming at once would otherwise
    each write the table they read, and the later write would drop the earlier decision (the log kept
    both). An exclusive `flock` on `.NAME.lock` beside it; decisions are short, so a second one waits."""
    lock = review.with_name(f".{review.name}.lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise InputError(f"cannot lock the review table {review} ({lock}: {error.strerror or error})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # releases the lock; the file stays, so every writer locks the same inode


def read(path: Path) -> tuple[str, list[dict[str, str]]]:
    """(the item column's name, rows) of a review table; a bad status or factor names file, row and column."""
    if not path.exists():
        raise InputError(f"no review table {path} (run `tanso suggest` first)")
    header, rows = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else _read_csv(path)
    missing = [c for c in ("status", "factor_set", "factor") if c not in header]
    if not header or missing:
        raise InputError(f"{path}: not a review table of tanso suggest (missing column {', '.join(missing) or 'item'})")
    key = header[0]
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        status = (row.get("status") or "").strip().lower()
        if status not in STATUSES:
            raise InputError(f"{path}:{number}: column status: '{row.get('status')}' is not one of {', '.join(STATUSES)}")
        row["status"] = status
        if status == "confirmed" and not (row.get("factor_set") and parse_factor(row.get("factor") or "")):
            raise InputError(f"{path}:{number}: column factor: a confirmed row needs factor_set and factor written "
                             f"column=value (e.g. sector=JP-STEEL); found '{row.get('factor')}'")
        item = row.get(key) or ""
        if (item, row.get("unit") or "") in seen:
            raise InputError(f"{path}:{number}: item '{item}' is also on row {seen[item, row.get('unit') or '']}")
        seen[item, row.get("unit") or ""] = number
    return key, rows


def parse_factor(text: str) -> dict[str, str] | None:
    """`sector=JP-STEEL, year=2024` → {'sector': 'JP-STEEL', 'year': '2024'}; None if not in that form."""
    pairs = [p.partition("=") for p in text.split(", ")] if text.strip() else []
    if not pairs or any(not name.strip() or not sep for name, sep, _ in pairs):
        return None
    return {name.strip(): value.strip() for name, _, value in pairs}


def write(path: Path, key: str, rows: list[dict[str, str]]) -> None:
    """The review table, replaced atomically (CSV with a BOM so Excel reads Japanese; or .xlsx)."""
    columns = (key, *COLUMNS)
    if path.suffix.lower() == ".xlsx":
        _atomic(path, lambda tmp: _write_xlsx(tmp, columns, rows))
    else:
        _atomic(path, lambda tmp: _write_csv(tmp, columns, rows))


def write_lookup(path: Path, key: str, rows: list[dict[str, str]]) -> int:
    """The confirmed rows as the lookup table a rule reads, one per item (an item confirmed in two units
    must map to one factor: the lookup is keyed by the text alone); returns how many."""
    confirmed: list[dict[str, str]] = []
    for row in sorted((r for r in rows if r["status"] == "confirmed"), key=lambda r: (r[key], r.get("at", ""))):
        if confirmed and confirmed[-1][key] == row[key]:
            if (confirmed[-1]["factor_set"], confirmed[-1]["factor"]) != (row["factor_set"], row["factor"]):
                raise InputError(f"item '{row[key]}' is confirmed as {confirmed[-1]['factor_set']}: "
                                 f"{confirmed[-1]['factor']} in unit '{confirmed[-1].get('unit')}' and as "
                                 f"{row['factor_set']}: {row['factor']} in unit '{row.get('unit')}'; the rules look "
                                 f"it up by its text alone: confirm one factor for both, or reject one")
            confirmed[-1] = row
            continue
        confirmed.append(row)
    for row in confirmed:
        # The key column holds the item's text; a factor matched on a column of the same name would overwrite it.
        clash = (parse_factor(row["factor"]) or {}).get(key)
        if clash is not None and clash != row[key]:
            raise InputError(f"item '{row[key]}' is confirmed as {row['factor_set']}: {row['factor']}, but the lookup "
                             f"table is keyed by column '{key}', the column that factor is matched on: it cannot map "
                             f"'{row[key]}' to {key}={clash}. Confirm a factor with {key}={row[key]}, or reject it")
    matched = list(dict.fromkeys(c for r in confirmed for c in parse_factor(r["factor"])))
    columns = (key, "factor_set", *[c for c in matched if c not in (key, "factor_set")], "confirmed_by", "confirmed_at")
    out = [{key: r[key], "factor_set": r["factor_set"], **parse_factor(r["factor"]), "confirmed_by": r.get("by", ""),
            "confirmed_at": r.get("at", "")} for r in confirmed]
    _atomic(path, lambda tmp: _write_csv(tmp, columns, out, bom=False))
    return len(out)


def _atomic(path: Path, writer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
        return list(reader.fieldnames or []), rows


def _write_csv(path: Path, columns, rows, bom: bool = True) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _read_xlsx(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    from openpyxl import load_workbook
    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    header = values[0] if values else []
    return header, [dict(zip(header, row)) for row in values[1:] if any(row)]


def _write_xlsx(path: Path, columns, rows) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation
    book = Workbook()
    sheet = book.active
    sheet.title = "suggestions"
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=False)
    sheet.add_data_validation(status)
    status.add(f"E2:E{max(len(rows) + 1, 2)}")
    sheet.freeze_panes = "B2"
    book.save(path)


def merge(key: str, existing: list[dict[str, str]], items, suggestions: dict) -> tuple[list[dict[str, str]], int]:
    """The review rows after a run of `suggest`: every existing row kept as it is (confirmed, rejected or
    suggested), a proposal for each item not yet in the table (new text, or the same text in another unit),
    from `suggestions` ((text, unit) → ranked suggestions); and how many were proposed."""
    rows = {(r[key], r.get("unit", "")): r for r in existing}
    proposed = 0
    for item in items:
        here = (item.text, item.unit or "")
        if here in rows:
            rows[here].update(rows=str(item.rows), quantity=item.quantity)
            continue
        proposed += 1
        ranked = suggestions.get(here, [])
        best = ranked[0] if ranked else None
        rows[here] = {key: item.text, "unit": item.unit or "", "rows": str(item.rows), "quantity": item.quantity,
                      "status": "suggested", "factor_set": best.candidate.factor_set if best else "",
                      "factor": _factor_text(best.candidate) if best else "",
                      "score": f"{best.score:.4f}" if best else "",
                      "reason": best.reason if best else none_reason(item.unit),
                      "alternatives": " | ".join(f"{n}) {s.candidate.label} ({s.score:.4f})"
                                                 for n, s in enumerate(ranked[1:], start=2)),
                      "by": "", "at": "", "recorded": ""}
    return sorted(rows.values(), key=lambda r: (r[key], r.get("unit", ""))), proposed


def none_reason(unit: str | None) -> str:
    """Why an item has no suggestion, in the run's language: its unit is not one, or no factor shares a word
    with it in a unit it converts to and none is spelled like it (the matcher's floor for spelling alone)."""
    from tanso.suggest.matcher import SPELLING_FLOOR   # here: confirm and accept need no scikit-learn
    problem = unit_problem(unit) if unit else None
    if problem:
        return t("suggest.unit_unchecked", unit=unit, problem=problem)
    return t("suggest.none_confident", floor=f"{SPELLING_FLOOR:.2f}")


def _factor_text(candidate) -> str:
    return ", ".join(f"{c}={v}" for c, v in candidate.key)


def decide(path: Path, key: str, rows: list[dict[str, str]], items: tuple[str, ...], status: str, by: str, at: str,
           factor: str | None = None) -> list[dict[str, str]]:
    """Set `status` on the rows of `items` (each text, in any unit), with who and when; `factor` chooses an
    alternative by its number (2, 3 …) or names a factor as `set: column=value`. Returns the rows changed."""
    changed = []
    for item in items:
        found = [r for r in rows if r[key] == item]
        if not found:
            raise InputError(f"{path}: no item '{item}' in column {key}")
        for row in found:
            if factor:
                row["factor_set"], row["factor"] = _chosen(path, row, factor)
            if status == "confirmed" and not parse_factor(row["factor"]):
                raise InputError(f"{path}: item '{item}' has no factor to confirm; choose one with --factor set: column=value")
            row.update(status=status, by=by, at=at, recorded=decision(row))
            changed.append(row)
    return changed


def decision(row: dict[str, str]) -> str:
    """A row's decision as recorded: its status and, unless rejected, its factor."""
    return row["status"] if row["status"] == "rejected" else f"{row['status']} {row['factor_set']}: {row['factor']}"


def edited(rows: list[dict[str, str]], by: str, at: str) -> list[dict[str, str]]:
    """Record who and when for the rows whose status or factor was edited in the file since the last
    decision recorded (a new row counts as decided 'suggested'); returns them."""
    changed = [r for r in rows if decision(r) != (r.get("recorded") or decision({**r, "status": "suggested"}))]
    for row in changed:
        row.update(by=by, at=at, recorded=decision(row))
    return changed


def _chosen(path: Path, row: dict[str, str], factor: str) -> tuple[str, str]:
    text = factor.strip()
    if text.isdigit():
        listed = {n.strip(): label for n, _, label in (a.partition(") ") for a in row["alternatives"].split(" | ") if a)}
        if text not in listed:
            raise InputError(f"{path}: item has no alternative {text} (its alternatives: {row['alternatives'] or 'none'})")
        text = listed[text].rsplit(" (", 1)[0]
    factor_set, _, key = text.partition(": ")
    if not factor_set or not parse_factor(key):
        raise InputError(f"--factor '{factor}': write an alternative's number or a factor as `set: column=value`")
    return factor_set.strip(), key.strip()
