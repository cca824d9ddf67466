"""Loaders for publishers' factor files that cannot ship with Tanso (users drop their own copy in).

    from tanso_io.loaders import convert
    convert("ghg-conversion-factors-2024-flat-format.csv", "desnz_flat", "data/factors/desnz.csv")

Each layout module reads the publisher's table (as CSV) by column *name*, tolerant to case and
whitespace, and writes a Tanso factor file (factor_id, match columns, gas, value, unit, per,
publisher, edition, licence, version, source). See docs/factor-sets.md.
"""

from __future__ import annotations

from pathlib import Path

from tanso_io.loaders import desnz_flat, epa_hub, japan_grid, useeio
from tanso_io.loaders._common import ConversionResult, LoaderError

LAYOUTS = {
    "desnz_flat": desnz_flat.convert,
    "epa_hub_stationary": epa_hub.convert,
    "useeio": useeio.convert,
    "japan_grid": japan_grid.convert,
}


def convert(path: str | Path, layout: str, out_path: str | Path, *, publisher: str | None = None,
            edition: str | None = None, licence: str | None = None, version: str | None = None,
            **options) -> ConversionResult:
    """Convert the publisher file at `path` (one of LAYOUTS) into a Tanso factor CSV at `out_path`.

    publisher / edition / licence / version override what is read from the file or defaulted;
    `version` defaults to the first 12 hex digits of the input file's SHA-256. Layout-specific
    `options` are documented on each module's `convert`.
    """
    if layout not in LAYOUTS:
        raise LoaderError(f"unknown layout '{layout}'; known: {', '.join(LAYOUTS)}")
    return LAYOUTS[layout](Path(path), Path(out_path), publisher=publisher, edition=edition, licence=licence,
                           version=version, **options)


__all__ = ["LAYOUTS", "ConversionResult", "LoaderError", "convert"]
