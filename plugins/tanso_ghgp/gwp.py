"""IPCC global warming potentials (100-year) from the `globalwarmingpotentials` package (CC0-1.0).

Values are read from the package's CSV as text, so 27.9 stays exactly 27.9. The package cites
AR4/AR5 from the GHG Protocol's GWP table (2016) and AR6 from IPCC AR6 WG1 Table 7.SM.7.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from importlib import metadata, resources

from tanso.plan.factor_product import GasWeights

GWP_SETS = {"AR4": "AR4GWP100", "AR5": "AR5GWP100", "AR6": "AR6GWP100"}
SOURCES = {
    "AR4": "IPCC AR4 WG1 (2007) Table 2.14, as tabulated by the GHG Protocol (2016)",
    "AR5": "IPCC AR5 WG1 (2013) Table 8.A.1, as tabulated by the GHG Protocol (2016)",
    "AR6": "IPCC AR6 WG1 (2021) Table 7.SM.7",
}


def normalise_gas(name: str) -> str:
    """`HFC-134a` and `HFC134a` are the same gas."""
    return name.replace("-", "").replace(" ", "").upper()


@lru_cache(maxsize=None)
def gwp_table(column: str) -> dict[str, Decimal]:
    text = resources.files("globalwarmingpotentials").joinpath("globalwarmingpotentials.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table = {"CO2": Decimal(1)}
    for row in rows:
        if row.get(column):
            table[normalise_gas(row["Species"])] = Decimal(row[column])
    return table


# CO2 from biomass combustion is reported separately, outside the scopes (Corporate Standard 2004,
# ch. 4): its mass stays in the ledger (`amount`) and it adds nothing to CO2e.
BIOGENIC = {"CO2BIOGENIC", "BIOGENICCO2", "CO2_BIOGENIC"}


def is_biogenic(gas: str) -> bool:
    return normalise_gas(gas).replace("_", "") in {b.replace("_", "") for b in BIOGENIC}


# Methane by origin: fossil methane's GWP includes the CO2 it oxidises to. AR5 WG1 Table 8.A.1 gives
# 30 (fossil) / 28 (non-fossil); AR6 WG1 Table 7.15 gives 29.8 / 27.0 (the GHG Protocol's GWP table,
# 2024, lists the same). AR4 makes no split. Factor tables name the gases CH4_fossil / CH4_nonfossil.
METHANE_BY_ORIGIN = {"AR5": {"CH4FOSSIL": Decimal("30"), "CH4NONFOSSIL": Decimal("28")},
                     "AR6": {"CH4FOSSIL": Decimal("29.8"), "CH4NONFOSSIL": Decimal("27.0")}}


def gas_weights(gwp_set: str, gases: list[str], methane_by_origin: bool = True) -> GasWeights:
    """Weights for the gases a factor table uses, keyed by their spelling in that table. Without
    `methane_by_origin` (or in AR4) fossil and non-fossil methane both take the CH4 value."""
    table = dict(gwp_table(GWP_SETS[gwp_set]))
    split = METHANE_BY_ORIGIN.get(gwp_set) if methane_by_origin else None
    table |= split or {"CH4FOSSIL": table["CH4"], "CH4NONFOSSIL": table["CH4"]}
    version = metadata.version("globalwarmingpotentials")
    weights = {gas: table[normalise_gas(gas).replace("_", "")] for gas in gases
               if normalise_gas(gas).replace("_", "") in table}
    weights |= {gas: Decimal(0) for gas in gases if is_biogenic(gas)}
    origin = " CH4 by origin" if split else ""
    return GasWeights(label=f"{gwp_set}{origin} (globalwarmingpotentials {version})", weights=weights)


GWP_POLICIES = ("gwp.set", "gwp.methane_by_origin")


def policy_weights(policies: dict, gases: list[str]) -> GasWeights:
    """The weights the run's GWP policies choose."""
    return gas_weights(policies["gwp.set"], gases, policies["gwp.methane_by_origin"])
