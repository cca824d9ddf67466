"""Loaders for publishers' factor files that cannot ship with Tanso (users drop their own copy in).

    from tanso_io.loaders import convert
    convert("ghg-conversion-factors-2024-flat-format.xlsx", "desnz-flat", "data/factors/desnz.csv")

or `tanso factors import --layout desnz-flat FILE --out data/factors/desnz.csv`. Each layout module
reads the publisher's table — from its workbook as published (.xlsx) where the layout says so, or
from the table saved as CSV — by column *name*, tolerant to case and whitespace, and writes a Tanso
factor file (factor_id, match columns, gas, value, unit, per, publisher, edition, licence, version,
source: the file, sheet, row and column of each factor). See docs/factor-sets.md.
"""

from __future__ import annotations

from pathlib import Path

from tanso_io.loaders import desnz_flat, epa_hub, japan_grid, moe_idb, useeio
from tanso_io.loaders._common import ConversionResult, LoaderError

LAYOUTS = {
    "desnz_flat": desnz_flat.convert,
    "epa_hub": epa_hub.convert,
    "moe_idb": moe_idb.convert,
    "useeio": useeio.convert,
    "japan_grid": japan_grid.convert,
}
ALIASES = {"epa_hub_stationary": "epa_hub"}   # the name it had when only its CSV was read


def convert(path: str | Path, layout: str, out_path: str | Path, *, publisher: str | None = None,
            edition: str | None = None, licence: str | None = None, version: str | None = None,
            **options) -> ConversionResult:
    """Convert the publisher file at `path` (one of LAYOUTS) into a Tanso factor CSV at `out_path`.

    publisher / edition / licence / version override what is read from the file or defaulted;
    `version` defaults to the first 12 hex digits of the input file's SHA-256. Layout-specific
    `options` are documented on each module's `convert`.
    """
    name = layout.replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in LAYOUTS:
        raise LoaderError(f"unknown layout '{layout}'; known: {', '.join(LAYOUTS)}")
    if not Path(path).is_file():
        raise LoaderError(f"{path}: no such file")
    return LAYOUTS[name](Path(path), Path(out_path), publisher=publisher, edition=edition, licence=licence,
                         version=version, **options)


__all__ = ["LAYOUTS", "ConversionResult", "LoaderError", "convert"]
