"""UK DESNZ (formerly BEIS/DEFRA) "Greenhouse gas reporting: conversion factors" — the *flat file*.

Layout implemented: the flat-format file of the 2023 and 2024 editions, as published (.xlsx: the
sheet with the header below, "Factors by Category" in those editions, found by its header; the
`sheet=` option names it) or that sheet saved as CSV. Title and notes rows above the header are
skipped; the header has the columns (matched by name, tolerant to case and whitespace)

    ID | Scope | Level 1 | Level 2 | Level 3 | Level 4 | Column Text | UOM | GHG/Unit | GHG Conversion Factor <year>

Only the rows whose GHG/Unit is the total "kg CO2e" are converted (gas CO2e, unit kg). The rows
"kg CO2e of CO2 / CH4 / N2O per unit" are the same total split by gas, still in CO2e (weighted by
the edition's GWPs), so they are neither gas masses nor additive to the total: they are skipped and
counted in `skipped`. Rows without a number, or whose UOM has no unit mapping, are skipped too.
Rows of Scope "Outside of Scopes" are the biogenic CO2 of bioenergy (kg CO2e = kg CO2): gas
`CO2_biogenic`, which Tanso keeps as mass and leaves out of every scope.

Match columns: `desnz_key` — the non-blank of Level 1 … Level 4 and Column Text joined by " > "
(e.g. "Fuels > Liquid fuels > Diesel (average biofuel blend)") — and `uom`, the UOM text as
published ("litres", "kWh (Net CV)", "km", …): DESNZ publishes one factor per UOM, so a row of
activity data names which one it uses. `per` is the pint-readable unit of the UOM.
"""

from __future__ import annotations

from pathlib import Path

from tanso_io.loaders._common import (ConversionResult, LoaderError, cell, column, digest, norm, published_number,
                                      read_sheet, write_factor_csv, year_in)

PUBLISHER = "UK DESNZ (Department for Energy Security and Net Zero), GHG conversion factors"
LICENCE = "Open Government Licence v3.0 (attribution: Department for Energy Security and Net Zero)"

# DESNZ UOM text (normalised) → pint-readable `per`.
UOM_UNITS = {
    "kwh": "kWh", "kwh (net cv)": "kWh", "kwh (gross cv)": "kWh", "mwh": "MWh", "gj": "GJ", "therms": "therm",
    "litres": "l", "litre": "l", "million litres": "megaliter", "cubic metres": "m**3", "cubic metre": "m**3",
    "tonnes": "tonne", "tonne": "tonne", "kg": "kg", "km": "km", "miles": "mile", "mile": "mile",
    "passenger.km": "km", "passenger km": "km", "tonne.km": "tonne*km", "tonne km": "tonne*km",
}
TOTAL = "kg co2e"
OUTSIDE = "outside of scopes"


def convert(path: Path, out_path: Path, *, publisher=None, edition=None, licence=None, version=None,
            sheet: str | None = None) -> ConversionResult:
    table, h = read_sheet(path, ["level 1", "uom", "ghg/unit"], sheet)
    rows, header = table.rows, table.rows[h]
    col = {name: column(header, pattern, path=table.at(h + 1)) for name, pattern in (
        ("scope", r"scope"), ("l1", r"level 1"), ("l2", r"level 2"), ("l3", r"level 3"), ("l4", r"level 4"),
        ("text", r"column text"), ("uom", r"uom"), ("ghg", r"ghg ?/ ?unit"),
        ("factor", r"ghg conversion factor( \d{4})?"))}
    col["id"] = column(header, r"id", required=False)
    year = year_in(norm(header[col["factor"]])) or year_in(Path(path).name)
    if edition is None:
        if year is None:
            raise LoaderError(f"{path}: no year in the 'GHG Conversion Factor <year>' header or file name; "
                              f"pass edition=")
        edition = f"GHG conversion factors {year} (flat file)"
    common = {"publisher": publisher or PUBLISHER, "edition": edition, "licence": licence or LICENCE,
              "version": version or digest(path)}
    out, skipped = [], []
    for number, row in enumerate(rows[h + 1:], start=h + 2):
        if not any(c.strip() for c in row):
            continue
        ghg = norm(cell(row, col["ghg"]))
        uom = cell(row, col["uom"])
        value, note = published_number(table, number, row, col["factor"], header[col["factor"]])
        if ghg != TOTAL:
            skipped.append(f"row {number}: GHG/Unit '{cell(row, col['ghg'])}' is not the total kg CO2e")
            continue
        if value is None:
            skipped.append(f"row {number}: no number in '{header[col['factor']]}'")
            continue
        per = UOM_UNITS.get(norm(uom))
        if per is None:
            skipped.append(f"row {number}: UOM '{uom}' has no unit mapping")
            continue
        levels = [cell(row, col[k]) for k in ("l1", "l2", "l3", "l4", "text")]
        key = " > ".join(part for part in levels if part)
        ident = cell(row, col["id"])
        out.append({
            "factor_id": f"DESNZ-{year or edition}-{ident or number}", "desnz_key": key, "uom": uom,
            "scope": cell(row, col["scope"]), "level_1": levels[0], "level_2": levels[1], "level_3": levels[2],
            "level_4": levels[3], "column_text": levels[4],
            "gas": "CO2_biogenic" if norm(cell(row, col["scope"])) == OUTSIDE else "CO2e", "value": value, "unit": "kg",
            "per": per,
            **common,
            "source": table.at(number) + (f" (ID {ident})" if ident else "")
                      + table.column(col["factor"], header[col["factor"]]) + note})
    if not out:
        raise LoaderError(f"{path}: no convertible rows")
    match = ["desnz_key", "uom"]
    write_factor_csv(out_path, match, out, ["scope", "level_1", "level_2", "level_3", "level_4", "column_text"])
    return ConversionResult(Path(out_path), len(out), match, skipped)


