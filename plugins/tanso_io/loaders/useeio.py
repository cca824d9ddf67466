"""US EPA supply chain GHG emission factors for US commodities and industries (USEEIO v2 based).

Layout implemented: "SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv" (USEEIO v2.0.1-411,
2022 USD), also the v1.2 (2021 USD) file of the same shape. Columns, matched by name (case and
whitespace tolerant):

    2017 NAICS Code | 2017 NAICS Title | GHG | Unit | Supply Chain Emission Factors without Margins |
    Margins of Supply Chain Emission Factors | Supply Chain Emission Factors with Margins | Reference USEEIO Code

`Unit` reads like "kg CO2e/2022 USD, purchaser price": the mass unit and gas come from it (a `GHG`
column naming a gas, e.g. "Carbon dioxide", overrides the gas), `per` is the currency "USD" and the
currency year becomes the `currency_year` column and part of the edition. Option
`margins=True` (default) takes "with Margins" (purchaser price); `margins=False` takes "without
Margins" (producer price). Match column: `naics_code`.
"""

from __future__ import annotations

import re
from pathlib import Path

from tanso_io.loaders._common import (ConversionResult, LoaderError, cell, column, decimal_text, digest, find_header,
                                      norm, read_rows, write_factor_csv)

PUBLISHER = "US EPA (Supply Chain GHG Emission Factors, USEEIO)"
LICENCE = "Public domain (US Government work, 17 U.S.C. 105)"
UNIT = re.compile(r"(kg|g|t)\s*([a-z0-9]*)\s*/\s*(\d{4})\s*([a-z]{3})\s*(?:,\s*(.*))?")
GASES = {"carbon dioxide": "CO2", "co2": "CO2", "methane": "CH4", "ch4": "CH4", "nitrous oxide": "N2O", "n2o": "N2O",
         "co2e": "CO2e", "all ghgs": "CO2e", "": "CO2e"}


def convert(path: Path, out_path: Path, *, publisher=None, edition=None, licence=None, version=None,
            margins: bool = True) -> ConversionResult:
    rows = read_rows(path)
    h = find_header(rows, [r"(\d{4} )?naics code", "unit"], path)
    header = rows[h]
    code = column(header, r"(\d{4} )?naics code", path=path)
    title = column(header, r"(\d{4} )?naics title", required=False)
    ghg = column(header, r"ghg", required=False)
    unit_col = column(header, r"unit", path=path)
    label = "supply chain emission factors with margins" if margins else "supply chain emission factors without margins"
    factor = column(header, re.escape(label), path=path)
    file_version = re.search(r"v(\d+(?:\.\d+)+)", Path(path).name)
    out, skipped, years = [], [], set()
    for number, row in enumerate(rows[h + 1:], start=h + 2):
        naics = cell(row, code)
        if not naics:
            continue
        value, note = decimal_text(cell(row, factor))
        unit_text = cell(row, unit_col)
        m = UNIT.fullmatch(norm(unit_text))
        if value is None or m is None:
            skipped.append(f"row {number}: " + ("no number" if value is None else f"unit '{unit_text}' not understood"))
            continue
        mass, gas_text, year, currency, price = m.groups()
        gas = GASES.get(norm(cell(row, ghg))) if ghg is not None and norm(cell(row, ghg)) else GASES.get(gas_text)
        if gas is None:
            skipped.append(f"row {number}: gas '{cell(row, ghg) or gas_text}' not understood")
            continue
        years.add(year)
        out.append({"factor_id": f"USEEIO-{naics}-{gas}", "naics_code": naics, "naics_title": cell(row, title),
                    "gas": gas, "value": value, "unit": mass, "per": currency.upper(), "currency_year": year,
                    "price_basis": "purchaser" if margins else "producer",
                    "source": f"{Path(path).name} row {number}, column '{header[factor].strip()}' "
                              f"({unit_text}){note}"})
    if not out:
        raise LoaderError(f"{path}: no convertible rows")
    if edition is None:
        edition = (f"Supply Chain GHG Emission Factors {('v' + file_version.group(1)) if file_version else '(version not in file name)'}"
                   f", {'/'.join(sorted(years))} USD, {'purchaser' if margins else 'producer'} price")
    common = {"publisher": publisher or PUBLISHER, "edition": edition, "licence": licence or LICENCE,
              "version": version or digest(path)}
    for row in out:
        row.update(common)
    write_factor_csv(out_path, ["naics_code"], out, ["naics_title", "currency_year", "price_basis"])
    return ConversionResult(Path(out_path), len(out), ["naics_code"], skipped)
