"""What a run left: exit code, stdout, stderr and (when it finished) its output files, read back."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    out: Path
    finished: bool = False
    total: Decimal | None = None
    rejects: list[dict[str, str]] = field(default_factory=list)
    excluded: list[dict[str, str]] = field(default_factory=list)
    covered: dict[str, set[int]] = field(default_factory=dict)    # table → input rows in ledger/rejects/excluded
    rule_tables: set[str] = field(default_factory=set)           # tables some rule reads rows of
    rows: dict[str, int] = field(default_factory=dict)           # baseline only: data rows per source table
    files_text: str = ""

    @property
    def text(self) -> str:
        return "\n".join((self.stdout, self.stderr, self.files_text))

    def source_tables(self) -> set[str]:
        return set(self.rule_tables)

    def reject_keys(self) -> set[tuple[str, str, str]]:
        return {(r["input_table"], r["input_row"], r["rule_id"]) for r in self.rejects}


def read_outcome(code: int, stdout: str, stderr: str, out: Path) -> Outcome:
    outcome = Outcome(code, stdout, stderr, out)
    if not (out / "manifest.json").exists():
        return outcome
    outcome.finished = True
    outcome.rejects, outcome.excluded = _read(out / "rejects.csv"), _read(out / "excluded.csv")
    outcome.total = sum((Decimal(r["co2e_kg"]) for r in _read(out / "summary.csv") if r["co2e_kg"]), Decimal(0))
    covered: dict[str, set[int]] = {}
    with (out / "ledger.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        table_at, row_at = header.index("input_table"), header.index("input_row")
        seen = set()
        for record in reader:
            key = (record[table_at], record[row_at])
            if key not in seen:
                seen.add(key)
                covered.setdefault(key[0], set()).add(int(key[1]))
    outcome.rule_tables = set(covered)
    for r in (*outcome.rejects, *outcome.excluded):
        covered.setdefault(r["input_table"], set()).add(int(r["input_row"]))
        if r.get("rule_id") or r.get("exclusion_id"):
            outcome.rule_tables.add(r["input_table"])
    outcome.covered = covered
    outcome.files_text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                                   for p in (out / "rejects.csv", out / "excluded.csv") if p.exists())
    return outcome
