"""Japan Ministry of the Environment (環境省): the emission-intensity database for supply-chain emissions,
「サプライチェーンを通じた組織の温室効果ガス排出等の算定のための排出原単位データベース」 (Ver.3.x, Excel).

Layout implemented: the workbook's sheet [5] 産業連関表ベースの排出原単位 (input-output based
intensities), found by a header row with a sector-name column — or named with `sheet=`. The sheet
has title rows, then a header of one or two rows: a group row (物量ベース / 金額ベース, merged cells
spanning their columns) over the column row, joined here column by column. Columns, by name:

    [部門コード | 列部門コード] | 部門名 (or 品目名) | 単位 | 排出原単位 [t-CO2eq/単位] (per physical unit) |
    生産者価格ベース [t-CO2eq/百万円] | 購入者価格ベース [t-CO2eq/百万円]

Options: `basis="money"` (default: per JPY, from per million yen — value ÷ 1000 as kg per yen, exact)
or `"physical"` (per the row's 単位, mapped to a unit: t, kg, kL, L, m3, kWh, MWh, GJ; other units are
skipped and listed); `price="purchaser"` (default, 購入者価格: what a buyer paid) or `"producer"`
(生産者価格). Match column `sector`: the sector code where the sheet has one, else the sector name;
`sector_name`, `published_value`, `published_as` and `price_basis` keep what was published. Gas:
CO2e (t-CO2eq: the database's GWP-weighted total). Rows without a factor (blank, "-") are skipped and
listed; a factor that is neither a number nor blank is an error naming sheet, row and column.

The edition is read from "Ver.N.N" in the sheet's title rows or the file name (else pass `edition=`).
The layout was written from the database's published description; the workbook itself could not be
read here (docs/factor-sets.md says what was checked), so a file that differs says which column or
sheet it lacks rather than being guessed at.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from tanso_io.loaders._common import (TWELVE, ConversionResult, LoaderError, Sheet, cell, column, digest, norm,
                                      published_number, read_sheet, write_factor_csv)

PUBLISHER = ("Japan Ministry of the Environment (環境省): サプライチェーンを通じた組織の温室効果ガス排出等の算定のための"
             "排出原単位データベース")
LICENCE = ("Public Data License 1.0 (PDL1.0; formerly the Government of Japan Standard Terms of Use 2.0), compatible "
           "with CC BY 4.0: cite 環境省「排出原単位データベース」 with its version and say the factors were converted "
           "(t-CO2eq per million yen → kg per yen) by tanso factors import; check the terms of your edition")
NAME = r"(列)?(部門名|品目名)|sector( name)?"
CODE = r"(列)?部門コード|(部門)?コード|sector code|code"
UNITS = {"t": "tonne", "kg": "kg", "kl": "kl", "l": "l", "m3": "m**3", "kwh": "kWh", "mwh": "MWh", "gj": "GJ",
         "mj": "MJ"}
MILLION_YEN_TO_YEN_KG = Decimal("0.001")   # t per million yen → kg per yen: × 1000 ÷ 1,000,000


def _joined_header(rows: list[list[str]], h: int) -> list[str]:
    """The column row, each cell prefixed by the group label above it (merged cells: carried right)."""
    header, above = rows[h], rows[h - 1] if h > 0 else []
    if sum(1 for c in above if c.strip()) < 2:   # a blank or title row, not a group row
        return list(header)
    group, joined = "", []
    for i in range(max(len(header), len(above))):
        group = cell(above, i) or group
        joined.append(f"{group} {cell(header, i)}".strip() if cell(header, i) else cell(header, i))
    return joined


def _columns(table: Sheet, header: list[str], h: int, basis: str, price: str) -> dict[str, int | None]:
    where = table.at(h + 1)
    found = {"name": column(header, NAME, path=where), "code": column(header, CODE, required=False)}
    if basis == "money":
        label = {"purchaser": "購入者", "producer": "生産者"}[price]
        found["factor"] = column(header, rf".*{label}.*", path=where)
        if "百万円" not in header[found["factor"]]:
            raise LoaderError(f"{where}{table.column(found['factor'], header[found['factor']])}: no per-million-yen "
                              f"unit (百万円) in the header, so the factor's unit cannot be told")
    else:
        found["unit"] = column(header, r"(物量ベース )?(単位|物量単位)", path=where)
        found["factor"] = column(header, r".*物量.*原単位.*|.*/単位.*", path=where)
    return found


def convert(path: Path, out_path: Path, *, publisher=None, edition=None, licence=None, version=None,
            basis: str = "money", price: str = "purchaser", sheet: str | None = None) -> ConversionResult:
    if basis not in ("money", "physical"):
        raise LoaderError("basis must be 'money' (per yen) or 'physical' (per the published unit)")
    if price not in ("purchaser", "producer"):
        raise LoaderError("price must be 'purchaser' (購入者価格) or 'producer' (生産者価格)")
    table, h = read_sheet(path, [NAME], sheet)
    header = _joined_header(table.rows, h)
    col = _columns(table, header, h, basis, price)
    edition = edition or _edition(table, h, path, basis, price)
    common = {"publisher": publisher or PUBLISHER, "edition": edition, "licence": licence or LICENCE,
              "version": version or digest(path)}
    out, skipped = [], []
    for number, row in enumerate(table.rows[h + 1:], start=h + 2):
        name, code = cell(row, col["name"]), cell(row, col["code"])
        if not name and not code:
            continue
        value, note = published_number(table, number, row, col["factor"], header[col["factor"]])
        if value is None:
            skipped.append(f"row {number}: no factor for '{name or code}'")
            continue
        published = header[col["factor"]].strip()
        factor = {"factor_id": f"MOE-IDB-{code or name}-{price if basis == 'money' else 'physical'}",
                  "sector": code or name, "sector_name": name, "gas": "CO2e", "published_value": value,
                  "price_basis": price if basis == "money" else "", **common}
        where = f"{table.at(number)}{table.column(col['factor'], published)}"
        if basis == "money":
            kg_per_yen = (Decimal(value) * MILLION_YEN_TO_YEN_KG).quantize(TWELVE, ROUND_HALF_EVEN).normalize()
            exact = kg_per_yen == Decimal(value) * MILLION_YEN_TO_YEN_KG
            out.append({**factor, "value": format(kg_per_yen, "f"), "unit": "kg", "per": "JPY",
                        "published_as": "t-CO2eq/百万円",
                        "source": f"{where}: {value} t-CO2eq per million yen = {format(kg_per_yen, 'f')} kg per yen"
                                  + ("" if exact else " (rounded half-even to 12 decimals)") + note})
            continue
        unit = cell(row, col["unit"])
        per = UNITS.get(norm(unit).replace("³", "3"))
        if per is None:
            skipped.append(f"row {number}: unit '{unit}' of '{name or code}' has no unit mapping")
            continue
        out.append({**factor, "value": value, "unit": "t", "per": per, "published_as": f"t-CO2eq/{unit}",
                    "source": where + note})
    if not out:
        raise LoaderError(f"{table.at(h + 1)}: no convertible rows under the header")
    write_factor_csv(out_path, ["sector"], out, ["sector_name", "price_basis", "published_value", "published_as"])
    return ConversionResult(Path(out_path), len(out), ["sector"], skipped)


def _edition(table: Sheet, h: int, path: Path, basis: str, price: str) -> str:
    text = " ".join(c for row in table.rows[:h] for c in row) + " " + Path(path).stem
    found = re.search(r"(?<![a-z])v(?:er)?\.?\s*(\d+)[.\-_](\d+)", text, re.IGNORECASE)
    if found is None:
        raise LoaderError(f"{path}: no 'Ver.N.N' in the sheet's title rows or the file name; pass edition= "
                          f"(e.g. 'Ver.3.4')")
    what = {"money": f"per yen ({'購入者価格, purchaser' if price == 'purchaser' else '生産者価格, producer'} price)",
            "physical": "per physical unit"}[basis]
    return f"排出原単位データベース Ver.{found.group(1)}.{found.group(2)}, sheet '{table.name or path.name}', {what}"
