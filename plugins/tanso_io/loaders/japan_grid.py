"""Japan: emission factors by electricity supplier (電気事業者別排出係数一覧), Ministry of the Environment / METI,
published each year for the mandatory reporting system (算定・報告・公表制度).

Layout implemented: the list as published for the FY2022 results (R5, 2023/2024 publication), saved
as CSV (UTF-8 or CP932). Title rows are skipped. Columns matched by name, Japanese or English
(case and whitespace tolerant):

    登録番号 / Registration number (optional) | 電気事業者名 / Electricity supplier |
    メニュー / Menu (optional) | 基礎排出係数 / Basic emission factor | 調整後排出係数 / Adjusted emission factor

The factor columns are in t-CO2/kWh; a unit in the header such as "(kg-CO2/kWh)" is honoured.
Option `factor="basic"` (default, 基礎排出係数) or `factor="adjusted"` (調整後排出係数, for market-based
Scope 2). Match columns: `supplier` and `menu` (blank menu → "-": the supplier's whole-company
or residual factor). Gas CO2, per kWh. Option `menu="-"` keeps one menu per supplier (e.g. the
whole-company factor) and matches on `supplier` alone, as rules that know the retailer but not the
menu need (rulesets/ssbj-2025).

`factor="national"`: the national average factor (全国平均係数), the list's row whose supplier cell reads
全国平均係数 (or "national average"), value in the basic factor's column, written once per general
electricity area (`grid_region` JP-HOKKAIDO … JP-OKINAWA), for location-based Scope 2 under the SHK
system and as its substitute value for a retailer not on the list.
"""

from __future__ import annotations

import re
from pathlib import Path

from tanso_io.loaders._common import (ConversionResult, LoaderError, cell, column, decimal_text, digest, find_header,
                                      norm, read_rows, write_factor_csv)

PUBLISHER = "Japan Ministry of the Environment / METI (電気事業者別排出係数)"
LICENCE = "Government of Japan Standard Terms of Use 2.0 (CC BY 4.0 compatible); cite the Ministry of the Environment"
SUPPLIER = r"(電気事業者名|事業者名|electricity supplier|supplier|electricity supplier name)"
MENU = r"(メニュー|menu)"
REG = r"(登録番号|registration number|registration no\.?)"
COLUMNS = {"basic": r"(基礎排出係数|basic emission factor)(.*)", "adjusted": r"(調整後排出係数|adjusted emission factor)(.*)"}
NATIONAL = re.compile(r"(全国平均係数|national average)", re.IGNORECASE)
AREAS = ("HOKKAIDO", "TOHOKU", "TOKYO", "CHUBU", "HOKURIKU", "KANSAI", "CHUGOKU", "SHIKOKU", "KYUSHU", "OKINAWA")


def convert(path: Path, out_path: Path, *, publisher=None, edition=None, licence=None, version=None,
            factor: str = "basic", menu: str | None = None) -> ConversionResult:
    if factor not in (*COLUMNS, "national"):
        raise LoaderError("factor must be 'basic', 'adjusted' or 'national'")
    national = factor == "national"
    factor = "basic" if national else factor
    rows = read_rows(path)
    h = find_header(rows, [SUPPLIER, COLUMNS[factor]], path)
    header = rows[h]
    supplier = column(header, SUPPLIER, path=path)
    menu_column = column(header, MENU, required=False)
    reg = column(header, REG, required=False)
    value_col = column(header, COLUMNS[factor], path=path)
    unit = "kg" if re.search(r"kg[-‐ ]?co2", norm(header[value_col])) else "t"
    if edition is None:
        raise LoaderError(f"{path}: the list does not state its fiscal year in a column; pass edition= "
                          f"(e.g. 'R5 (FY2022 results)')")
    common = {"publisher": publisher or PUBLISHER, "edition": edition, "licence": licence or LICENCE,
              "version": version or digest(path)}
    out, skipped = [], []
    for number, row in enumerate(rows[h + 1:], start=h + 2):
        name = cell(row, supplier)
        if not name or bool(NATIONAL.search(name)) != national:
            continue
        menu_name = cell(row, menu_column) or "-"
        if menu is not None and menu_name != menu:
            continue
        value, note = decimal_text(cell(row, value_col))
        if value is None:
            skipped.append(f"row {number}: no {factor} factor for '{name}'")
            continue
        ident = cell(row, reg)
        source = f"{Path(path).name} row {number}, column '{header[value_col].strip()}'{note}"
        if national:
            out += [{"factor_id": f"JP-NATIONAL-{area}", "grid_region": f"JP-{area}", "gas": "CO2", "value": value,
                     "unit": unit, "per": "kWh", **common, "source": source} for area in AREAS]
            continue
        out.append({"factor_id": f"JP-GRID-{factor}-{ident or number}" + (f"-{menu_name}" if menu_name != "-" else ""),
                    "supplier": name, "menu": menu_name, "registration_number": ident, "gas": "CO2", "value": value,
                    "unit": unit, "per": "kWh", **common,
                    "source": source})
    if not out:
        raise LoaderError(f"{path}: no convertible rows" + (" (no 全国平均係数 row)" if national else ""))
    if national:
        match, extra = ["grid_region"], []
    elif menu is not None:
        match, extra = ["supplier"], ["menu", "registration_number"]
    else:
        match, extra = ["supplier", "menu"], ["registration_number"]
    write_factor_csv(out_path, match, out, extra)
    return ConversionResult(Path(out_path), len(out), match, skipped)
