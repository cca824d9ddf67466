"""US EPA GHG Emission Factors Hub — Table 1, stationary combustion, exported from the Hub's Excel file to CSV.

Layout implemented: the Hub 2023/2024 Excel "Table 1 Stationary Combustion" saved as CSV. Title rows
above the header are skipped. The header is the row with "Fuel Type"; when the Hub's second header
row (units: "kg CO2 per mmBtu", "g CH4 per mmBtu", …) follows it, the two are joined. Columns are
found by name (case and whitespace tolerant):

    Fuel Type | Heat Content (HHV) … | CO2 Factor (kg CO2 per mmBtu) | CH4 Factor (g CH4 per mmBtu) |
    N2O Factor (g N2O per mmBtu) | CO2 Factor (kg CO2 per short ton|gallon|scf|unit) | … | Unit

Rows with no number in the chosen columns (the Hub's section rows such as "Coal and Coke") are taken
as the `fuel_category` of the rows below them. The CO2 of the Hub's "Biomass Fuels" sections (wood,
landfill gas, biodiesel, ethanol …) is `CO2_biogenic`, reported outside the scopes; the `biomass`
column says which fuels these are. Options: `basis="mmbtu"` (default; per = megaBtu, HHV)
or `basis="unit"` (per the physical unit given in the factor header or the `Unit` column:
short ton, gallon, scf). Match column: `fuel` (the Fuel Type text as published).
"""

from __future__ import annotations

import re
from pathlib import Path

from tanso_io.loaders._common import (ConversionResult, LoaderError, cell, decimal_text, digest, find_header, norm,
                                      read_rows, write_factor_csv, year_in)

PUBLISHER = "US EPA (GHG Emission Factors Hub)"
LICENCE = "Public domain (US Government work, 17 U.S.C. 105)"
PHYSICAL = {"short ton": "short_ton", "short tons": "short_ton", "gallon": "gallon", "gallons": "gallon",
            "scf": "scf", "mmbtu": "megaBtu"}
FACTOR = re.compile(r"(co2|ch4|n2o) factor\W*(kg|g)(?: (?:co2|ch4|n2o))? (?:per|/) ?(mmbtu|short tons?|gallons?|scf|unit)\W*")


def _headers(rows: list[list[str]], h: int) -> tuple[list[str], int]:
    header = rows[h]
    if h + 1 < len(rows):
        nxt = rows[h + 1]
        if not cell(nxt, 0) and any(" per " in norm(c) for c in nxt):
            width = max(len(header), len(nxt))
            joined = [f"{cell(header, i)} ({cell(nxt, i)})" if cell(nxt, i) else cell(header, i) for i in range(width)]
            return joined, h + 2
    return header, h + 1


def convert(path: Path, out_path: Path, *, publisher=None, edition=None, licence=None, version=None,
            basis: str = "mmbtu") -> ConversionResult:
    if basis not in ("mmbtu", "unit"):
        raise LoaderError("basis must be 'mmbtu' or 'unit'")
    rows = read_rows(path)
    h = find_header(rows, ["fuel type"], path)
    header, first = _headers(rows, h)
    fuel_col = next(i for i, c in enumerate(header) if norm(c) == "fuel type")
    unit_col = next((i for i, c in enumerate(header) if norm(c) == "unit"), None)
    factors = {}  # gas → (column, mass unit, per key)
    for i, text in enumerate(header):
        m = FACTOR.match(re.sub(r"\s+", " ", re.sub(r"[()]", " ", norm(text))).strip())
        if m is None:
            continue
        gas, mass, per = m.group(1).upper(), m.group(2), m.group(3)
        if (per == "mmbtu") == (basis == "mmbtu") and gas not in factors:
            factors[gas] = (i, mass, per)
    if set(factors) != {"CO2", "CH4", "N2O"}:
        raise LoaderError(f"{path}: expected CO2, CH4 and N2O factor columns per {basis}; found {sorted(factors)} "
                          f"in header {header}")
    if edition is None:
        year = year_in(Path(path).name) or year_in(" ".join(cell(r, 0) for r in rows[:h]))
        if year is None:
            raise LoaderError(f"{path}: cannot tell the Hub edition from the file name or title; pass edition=")
        edition = f"GHG Emission Factors Hub {year}"
    common = {"publisher": publisher or PUBLISHER, "edition": edition, "licence": licence or LICENCE,
              "version": version or digest(path)}
    out, skipped, category = [], [], ""
    for number, row in enumerate(rows[first:], start=first + 1):
        fuel = cell(row, fuel_col)
        if not fuel:
            continue
        values = {gas: decimal_text(cell(row, i)) for gas, (i, _, _) in factors.items()}
        if all(v is None for v, _ in values.values()):
            category = fuel
            continue
        for gas, (i, mass, per_key) in factors.items():
            value, note = values[gas]
            if value is None:
                skipped.append(f"row {number}: no {gas} value for '{fuel}'")
                continue
            if per_key == "unit":
                per = PHYSICAL.get(norm(cell(row, unit_col)))
                if per is None:
                    skipped.append(f"row {number}: unit '{cell(row, unit_col)}' of '{fuel}' has no mapping")
                    continue
            else:
                per = PHYSICAL[per_key]
            biomass = norm(category).startswith("biomass")
            labelled = "CO2_biogenic" if biomass and gas == "CO2" else gas
            out.append({"factor_id": f"EPA-HUB-{number}-{labelled}", "fuel": fuel, "fuel_category": category,
                        "biomass": str(biomass).lower(), "gas": labelled, "value": value, "unit": mass, "per": per,
                        **common,
                        "source": f"{Path(path).name} row {number}, column '{header[i].strip()}'{note}"})
    if not out:
        raise LoaderError(f"{path}: no convertible rows")
    write_factor_csv(out_path, ["fuel"], out, ["fuel_category", "biomass"])
    return ConversionResult(Path(out_path), len(out), ["fuel"], skipped)
