"""Shared helpers for the publisher-layout loaders: tolerant header matching, exact decimals, output."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

BASE_COLUMNS = ["factor_id", "gas", "value", "unit", "per", "publisher", "edition", "licence", "version", "source"]
TWELVE = Decimal("1e-12")


class LoaderError(ValueError):
    """The file is not in the expected layout, or provenance cannot be determined."""


@dataclass
class ConversionResult:
    out_path: Path
    rows: int
    match: list[str]
    skipped: list[str] = field(default_factory=list)  # "row N: reason"


def norm(text: object) -> str:
    """Header text for matching by name: case-folded, whitespace collapsed, NBSP and newlines as spaces."""
    return re.sub(r"\s+", " ", str(text or "").replace("\u00a0", " ").replace("\u3000", " ")).strip().casefold()


def read_rows(path: Path) -> list[list[str]]:
    """All rows of a CSV file (UTF-8 with or without BOM, else CP932 for Japanese government files)."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LoaderError(f"{path}: not UTF-8 or CP932 text")
    return [row for row in csv.reader(text.splitlines())]


def find_header(rows: list[list[str]], required: list[str], path: Path) -> int:
    """Index of the first row containing every `required` normalised header (title rows above are skipped)."""
    for index, row in enumerate(rows):
        cells = [norm(c) for c in row]
        if all(any(r == c or re.fullmatch(r, c) for c in cells) for r in required):
            return index
    raise LoaderError(f"{path}: no header row with columns {', '.join(required)}")


def column(header: list[str], *patterns: str, required: bool = True, path: Path | None = None) -> int | None:
    """Position of the first header cell matching one of the regex patterns (normalised, full match)."""
    cells = [norm(c) for c in header]
    for pattern in patterns:
        for index, cell in enumerate(cells):
            if re.fullmatch(pattern, cell):
                return index
    if required:
        raise LoaderError(f"{path}: no column matching {' or '.join(patterns)}; header is {header}")
    return None


def cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return str(row[index]).replace("\u00a0", " ").strip()


def decimal_text(text: str) -> tuple[str | None, str]:
    """Exact decimal text of a published number ('1,234.5' → '1234.5'); None if blank or not a number.
    More than 12 decimals are rounded half-even to 12 (the factor-file limit) and the note says so."""
    cleaned = text.replace(",", "").replace(" ", "").strip()
    if cleaned in ("", "-", "–", "—", "n/a", "N/A", "NA"):
        return None, ""
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, ""
    if not value.is_finite():
        return None, ""
    if value.as_tuple().exponent < -12:
        rounded = value.quantize(TWELVE, rounding=ROUND_HALF_EVEN).normalize()
        return format(rounded, "f"), f" (published {cleaned}, rounded half-even to 12 decimals)"
    return format(value, "f") if "e" in cleaned.lower() else cleaned, ""


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def year_in(text: str) -> str | None:
    found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", text)
    return found[-1] if found else None


def write_factor_csv(out_path: Path, match: list[str], rows: list[dict], extra: list[str] | None = None) -> Path:
    columns = ["factor_id", *match, *BASE_COLUMNS[1:], *(extra or [])]
    seen: dict[tuple, str] = {}
    for row in rows:
        key = (*(row[m] for m in match), row["gas"])
        if key in seen:
            raise LoaderError(f"two factors for {dict(zip([*match, 'gas'], key))}: {seen[key]} and {row['source']}")
        seen[key] = row["source"]
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return out_path
