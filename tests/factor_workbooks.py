"""Small workbooks in the publishers' layouts, built with openpyxl for the factor-import tests.

Each is laid out as the publisher's file is (sheets, title rows, merged group headers, unit rows),
with a handful of rows. The MoE values are fictional (its database could not be read here and its
values are not shipped); the DESNZ values are plausible test values typed by hand; the EPA Hub values
are those of its 2024 Table 1 (a US Government work, public domain). `moved` shifts every table down
and right, as a publisher's next edition might.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

MOE_SHEET = "5 産業連関表ベース"   # Excel forbids [ ] in sheet names
MOE_HEADER = ["部門コード", "部門名", "単位", "排出原単位（t-CO2eq/単位）", "生産者価格ベース（t-CO2eq/百万円）",
              "購入者価格ベース（t-CO2eq/百万円）"]
MOE_ROWS = [
    ["0111", "米", "t", 1.23, 2.1, 2.9],
    ["2611", "銑鉄・粗鋼", "t", 2.05, 5.1, 5.43],
    ["3311", "電子部品", "-", "-", 2.2, 2.8],
    ["5111", "卸売", None, None, 0.5, 0.52],
    ["6811", "情報サービス", None, None, None, 1.2],
]

DESNZ_SHEET = "Factors by Category"
DESNZ_HEADER = ["ID", "Scope", "Level 1", "Level 2", "Level 3", "Level 4", "Column Text", "UOM", "GHG/Unit",
                "GHG Conversion Factor 2024"]
DESNZ_ROWS = [
    [1001, "Scope 1", "Fuels", "Gaseous fuels", "Natural gas", None, None, "cubic metres", "kg CO2e", 2.04542],
    [1002, "Scope 1", "Fuels", "Gaseous fuels", "Natural gas", None, None, "kWh (Net CV)", "kg CO2e", 0.2027],
    [1003, "Scope 1", "Fuels", "Gaseous fuels", "Natural gas", None, None, "kWh (Net CV)", "kg CO2e of CO2 per unit",
     0.20227],
    [1004, "Scope 1", "Fuels", "Liquid fuels", "Diesel (average biofuel blend)", None, None, "litres", "kg CO2e",
     2.51279],
    [1009, "Outside of Scopes", "Outside of Scopes", "Biofuel", "Biodiesel ME", None, None, "litres", "kg CO2e", 2.4],
]

EPA_SHEET = "Emission Factors Hub"
EPA_TABLE_1 = [
    ["Table 1 Stationary Combustion"],
    ["Fuel Type", "Heat Content (HHV)", "CO2 Factor", "CH4 Factor", "N2O Factor", "CO2 Factor", "CH4 Factor",
     "N2O Factor"],
    [None, "mmBtu per short ton", "kg CO2 per mmBtu", "g CH4 per mmBtu", "g N2O per mmBtu", "kg CO2 per short ton",
     "g CH4 per short ton", "g N2O per short ton"],
    ["Coal and Coke"],
    ["Anthracite", 25.09, 103.69, 11, 1.6, 2602, 276, 40],
    ["Biomass Fuels - Solid"],
    ["Wood and Wood Residuals", 17.48, 93.80, 7.2, 3.6, 1640, 126, 63],
    [None, "mmBtu per scf", "kg CO2 per mmBtu", "g CH4 per mmBtu", "g N2O per mmBtu", "kg CO2 per scf",
     "g CH4 per scf", "g N2O per scf"],
    ["Natural Gas"],
    ["Natural Gas", 0.001026, 53.06, 1.0, 0.10, 0.05444, 0.00103, 0.00010],
    [None, "mmBtu per gallon", "kg CO2 per mmBtu", "g CH4 per mmBtu", "g N2O per mmBtu", "kg CO2 per gallon",
     "g CH4 per gallon", "g N2O per gallon"],
    ["Petroleum Products"],
    ["Distillate Fuel Oil No. 2", 0.138, 73.96, 3.0, 0.60, 10.21, 0.41, 0.08],
    [None],
    ["Source: test workbook in the Hub's layout"],
    [None],
    ["Table 2 Mobile Combustion CO2"],
    ["Fuel Type", "kg CO2 per unit", "Unit"],
    ["Aviation Gasoline", 8.31, "gallon"],
]


def _put(sheet, top: int, left: int, rows: list[list]) -> None:
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(row=top + r, column=left + c, value=value)


def moe_workbook(path: Path, *, moved: bool = False, sheet: bool = True, header: list[str] = MOE_HEADER,
                 rows: list[list] = MOE_ROWS) -> Path:
    """The MoE database's workbook: a cover sheet, and sheet [5] with title rows, a group row whose merged
    cells span 物量ベース and 金額ベース, the column row, and one row per sector."""
    book = Workbook()
    cover = book.active
    cover.title = "表紙"
    cover["A1"] = "サプライチェーンを通じた組織の温室効果ガス排出等の算定のための排出原単位データベース"
    cover["A2"] = "TEST WORKBOOK: fictional values in the database's layout"
    if sheet:
        data = book.create_sheet(MOE_SHEET)
        top, left = (4, 3) if moved else (1, 1)
        _put(data, top, left, [["[5] 産業連関表ベースの排出原単位"], ["排出原単位データベース Ver.3.4（テスト用、架空の値）"], []])
        data.cell(row=top + 3, column=left + 2, value="物量ベース")
        data.cell(row=top + 3, column=left + 4, value="金額ベース")
        data.merge_cells(start_row=top + 3, start_column=left + 2, end_row=top + 3, end_column=left + 3)
        data.merge_cells(start_row=top + 3, start_column=left + 4, end_row=top + 3, end_column=left + 5)
        _put(data, top + 4, left, [header, *rows])
    book.save(path)
    return path


def desnz_workbook(path: Path, *, moved: bool = False, sheet: bool = True, rows: list[list] = DESNZ_ROWS) -> Path:
    """The DESNZ flat file: an Introduction sheet, then the factors under title and notes rows."""
    book = Workbook()
    intro = book.active
    intro.title = "Introduction"
    intro["A1"] = "Greenhouse gas reporting: conversion factors 2024 — TEST WORKBOOK in the flat-file layout"
    if sheet:
        data = book.create_sheet(DESNZ_SHEET)
        top, left = (8, 2) if moved else (1, 1)
        _put(data, top, left, [["UK Government GHG Conversion Factors for Company Reporting"],
                               ["Factor set: Full set (test values typed by hand)"], ["Year: 2024"], [],
                               DESNZ_HEADER, *rows])
    book.save(path)
    return path


def epa_workbook(path: Path, *, moved: bool = False, table: list[list] = EPA_TABLE_1) -> Path:
    """The Hub: one sheet, title rows, then its tables one below the other (Table 1 first)."""
    book = Workbook()
    hub = book.active
    hub.title = EPA_SHEET
    top, left = (6, 3) if moved else (1, 2)
    _put(hub, top, left, [["Emission Factors for Greenhouse Gas Inventories"], ["Last Modified: test workbook"], [],
                          *table])
    book.save(path)
    return path
