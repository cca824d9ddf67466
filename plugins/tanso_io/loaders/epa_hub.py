"""US EPA GHG Emission Factors Hub — Table 1, stationary combustion.

Layout implemented: the Hub 2023/2024 workbook as published (.xlsx: one sheet, "Emission Factors
Hub", holds every table one below the other; Table 1 is the block from its title row "Table 1
Stationary Combustion" to the next "Table N" title), or Table 1 saved as CSV. Title rows above the
header are skipped. The header is the row with "Fuel Type"; when the Hub's unit row ("mmBtu per short
ton", "kg CO2 per mmBtu", "g CH4 per mmBtu", …) follows it, the two are joined. Columns are found by
name (case and whitespace tolerant):

    Fuel Type | Heat Content (HHV) … | CO2 Factor (kg CO2 per mmBtu) | CH4 Factor (g CH4 per mmBtu) |
    N2O Factor (g N2O per mmBtu) | CO2 Factor (kg CO2 per short ton|gallon|scf|unit) | … | Unit

Table 1 repeats its unit row before each fuel group ("… kg CO2 per scf …" before natural gas, "… per
gallon" before petroleum products): the per-unit factors below such a row are per its unit. Rows
with no number in the chosen columns (the Hub's section rows such as "Coal and Coke") are taken as
the `fuel_category` of the rows below them. The CO2 of the Hub's "Biomass Fuels" sections (wood,
landfill gas, biodiesel, ethanol …) is `CO2_biogenic`, reported outside the scopes; the `biomass`
column says which fuels these are. Options: `basis="mmbtu"` (default; per = megaBtu, HHV) or
`basis="unit"` (per the physical unit of the factor's unit row, header or `Unit` column: short ton,
gallon, scf); `sheet=` names the workbook's sheet. Match column: `fuel` (the Fuel Type text as
published). A factor cell that is neither a number nor blank is an error naming its sheet, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

from tanso_io.loaders._common import (ConversionResult, LoaderError, Sheet, cell, digest, norm, published_number,
                                      read_sheet, write_factor_csv, year_in)

PUBLISHER = "US EPA (GHG Emission Factors Hub)"
LICENCE = "Public domain (US Government work, 17 U.S.C. 105)"
PHYSICAL = {"short ton": "short_ton", "short tons": "short_ton", "gallon": "gallon", "gallons": "gallon",
            "scf": "scf", "mmbtu": "megaBtu"}
_PER = r"(mmbtu|short tons?|gallons?|scf|unit)"
FACTOR = re.compile(rf"(co2|ch4|n2o) factor\W*(kg|g)(?: (?:co2|ch4|n2o))? (?:per|/) ?{_PER}\W*")
UNIT_CELL = re.compile(rf"(kg|g) (co2|ch4|n2o) per {_PER}")
TITLE = re.compile(r"table (\d+)\b.*")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[()]", " ", norm(text))).strip()


def _is_unit_row(row: list[str], fuel_col: int) -> bool:
    return not cell(row, fuel_col) and any(" per " in norm(c) for c in row)


def _headers(rows: list[list[str]], h: int, fuel_col: int) -> tuple[list[str], int]:
    """The header, joined with the unit row under it; the index of the first row after them."""
    header = rows[h]
    if h + 1 < len(rows) and _is_unit_row(rows[h + 1], fuel_col):
        unit_row = rows[h + 1]
        width = max(len(header), len(unit_row))
        joined = [f"{cell(header, i)} ({cell(unit_row, i)})" if cell(unit_row, i) else cell(header, i)
                  for i in range(width)]
        return joined, h + 2
    return header, h + 1


def _table_end(rows: list[list[str]], first: int) -> int:
    """Where Table 1 ends: at the next table's title row (a workbook holds them all), else the end."""
    for index in range(first, len(rows)):
        titled = [TITLE.fullmatch(norm(c)) for c in rows[index][:3]]
        if any(m and m.group(1) != "1" for m in titled):
            return index
    return len(rows)


def convert(path: Path, out_path: Path, *, publisher=None, edition=None, licence=None, version=None,
            basis: str = "mmbtu", sheet: str | None = None) -> ConversionResult:
    if basis not in ("mmbtu", "unit"):
        raise LoaderError("basis must be 'mmbtu' or 'unit'")
    table, h = read_sheet(path, ["fuel type"], sheet)
    rows = table.rows
    fuel_col = next(i for i, c in enumerate(rows[h]) if norm(c) == "fuel type")
    header, first = _headers(rows, h, fuel_col)
    unit_col = next((i for i, c in enumerate(header) if norm(c) == "unit"), None)
    factors = {}  # gas → (column, mass unit, per key)
    for i, text in enumerate(header):
        m = FACTOR.match(_plain(text))
        if m is None:
            continue
        gas, mass, per = m.group(1).upper(), m.group(2), m.group(3)
        if (per == "mmbtu") == (basis == "mmbtu") and gas not in factors:
            factors[gas] = (i, mass, per)
    if set(factors) != {"CO2", "CH4", "N2O"}:
        raise LoaderError(f"{table.at(h + 1)}: expected CO2, CH4 and N2O factor columns per {basis}; found "
                          f"{sorted(factors)} in header {header}")
    if edition is None:
        year = year_in(Path(path).name) or year_in(" ".join(c for r in rows[:h] for c in r))
        if year is None:
            raise LoaderError(f"{path}: cannot tell the Hub edition from the file name or title; pass edition=")
        edition = f"GHG Emission Factors Hub {year}"
    common = {"publisher": publisher or PUBLISHER, "edition": edition, "licence": licence or LICENCE,
              "version": version or digest(path)}
    out, skipped = _factor_rows(table, header, factors, fuel_col, unit_col, first, _table_end(rows, first), common)
    if not out:
        raise LoaderError(f"{path}: no convertible rows")
    write_factor_csv(out_path, ["fuel"], out, ["fuel_category", "biomass"])
    return ConversionResult(Path(out_path), len(out), ["fuel"], skipped)


def _factor_rows(table: Sheet, header: list[str], factors: dict, fuel_col: int, unit_col: int | None, first: int,
                 end: int, common: dict) -> tuple[list[dict], list[str]]:
    out, skipped, category = [], [], ""
    for number, row in enumerate(table.rows[first:end], start=first + 1):
        if _is_unit_row(row, fuel_col):   # a fuel group's unit row: what its per-unit factors are per
            for gas, (i, mass, per) in list(factors.items()):
                m = UNIT_CELL.fullmatch(_plain(cell(row, i)))
                if m is not None and per != "mmbtu":
                    factors[gas] = (i, m.group(1), m.group(3))
            continue
        fuel = cell(row, fuel_col)
        if not fuel:
            continue
        values = {gas: published_number(table, number, row, i, header[i]) for gas, (i, _, _) in factors.items()}
        if all(v is None for v, _ in values.values()):
            category = fuel
            continue
        for gas, (i, mass, per_key) in factors.items():
            value, note = values[gas]
            if value is None:
                skipped.append(f"row {number}: no {gas} value for '{fuel}'")
                continue
            per = PHYSICAL.get(norm(cell(row, unit_col)) if per_key == "unit" else per_key)
            if per is None:
                skipped.append(f"row {number}: unit '{cell(row, unit_col) if per_key == 'unit' else per_key}' of "
                               f"'{fuel}' has no mapping")
                continue
            biomass = norm(category).startswith("biomass")
            labelled = "CO2_biogenic" if biomass and gas == "CO2" else gas
            out.append({"factor_id": f"EPA-HUB-{number}-{labelled}", "fuel": fuel, "fuel_category": category,
                        "biomass": str(biomass).lower(), "gas": labelled, "value": value, "unit": mass, "per": per,
                        **common, "source": f"{table.at(number)}{table.column(i, header[i])}{note}"})
    return out, skipped
