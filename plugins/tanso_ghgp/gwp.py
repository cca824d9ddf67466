"""IPCC global warming potentials (100-year) from the `globalwarmingpotentials` package (CC0-1.0).

Values are read from the package's CSV as text, so 27.9 stays exactly 27.9. The package cites
AR4/AR5 from the GHG Protocol's GWP table (2016) and AR6 from IPCC AR6 WG1 Table 7.SM.7.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from tanso import installed
from tanso.contracts import Weighting
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


# Values the package's columns lack, each with the table it comes from. AR4: the package's AR4 column is
# the GHG Protocol's 2016 table, which omits these HFCs; IPCC AR4 WG1 Table 2.14 has them (the same
# values as the EPA's AR4 table carried by atomic6ghg, which a test compares). AR5 Table 8.A.1 gives the
# HFOs as "<1": taken as 1, an upper bound, and said so in the ledger's gwp label. AR6 WG1 Table 7.SM.7.
SUPPLEMENTS: dict[str, dict[str, tuple[Decimal, str]]] = {
    "AR4GWP100": {gas: (Decimal(value), "IPCC AR4 WG1 Table 2.14") for gas, value in (
        ("HFC41", "92"), ("HFC134", "1100"), ("HFC143", "353"), ("HFC152", "53"), ("HFC161", "12"),
        ("HFC236CB", "1340"), ("HFC236EA", "1370"), ("HFC245CA", "693"))},
    "AR5GWP100": {gas: (Decimal(1), "IPCC AR5 WG1 Table 8.A.1 gives <1; taken as 1, an upper bound")
                  for gas in ("HFO1234YF", "HFO1234ZE(E)")},
    "AR6GWP100": {"HFO1234YF": (Decimal("0.501"), "IPCC AR6 WG1 Table 7.SM.7"),
                  "HFO1234ZE(E)": (Decimal("1.37"), "IPCC AR6 WG1 Table 7.SM.7")},
}


@lru_cache(maxsize=None)
def gwp_table(column: str) -> dict[str, Decimal]:
    """The package's column, completed by SUPPLEMENTS where it is empty."""
    import csv   # here, not at the top: loading the plugin (every command does) needs neither
    from importlib import resources

    text = resources.files("globalwarmingpotentials").joinpath("globalwarmingpotentials.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    table = {"CO2": Decimal(1)}
    for row in rows:
        if row.get(column):
            table[normalise_gas(row["Species"])] = Decimal(row[column])
    for gas, (value, _) in SUPPLEMENTS.get(column, {}).items():
        table.setdefault(gas, value)
    return table


# CO2 from biomass combustion is reported separately, outside the scopes (Corporate Standard 2004,
# ch. 4): its mass stays in the ledger (`amount`) and it adds nothing to CO2e.
BIOGENIC = {"CO2BIOGENIC", "BIOGENICCO2", "CO2_BIOGENIC"}


def is_biogenic(gas: str) -> bool:
    return normalise_gas(gas).replace("_", "") in {b.replace("_", "") for b in BIOGENIC}


# Gases outside the Kyoto basket, which the Corporate Standard (2004, ch. 4 and 9) has reported
# separately, not in the scopes: the ozone-depleting substances of the Montreal Protocol (CFCs,
# HCFCs, halons …) and the hydrocarbons and ethers of refrigerant blends. Like biogenic CO2, their
# mass stays in the ledger and they add nothing to a scope's CO2e.
NON_KYOTO_PREFIXES = ("CFC", "HCFC", "HALON", "CCL4", "CH3CCL3", "CH3BR")
NON_KYOTO_NAMES = {"PROPANE", "BUTANE", "ISOBUTANE", "PENTANE", "ISOPENTANE", "PROPYLENE", "PROPENE",
                   "DIMETHYLETHER", "CH3OCH3", "R290", "R600", "R600A", "R601", "R601A", "R1270", "RE170"}


def is_non_kyoto(gas: str) -> bool:
    name = normalise_gas(gas).replace("_", "")
    return name.startswith(NON_KYOTO_PREFIXES) or name in NON_KYOTO_NAMES


# Methane by origin: fossil methane's GWP includes the CO2 it oxidises to. AR5 WG1 Table 8.A.1 gives
# 30 (fossil) / 28 (non-fossil); AR6 WG1 Table 7.15 gives 29.8 / 27.0 (the GHG Protocol's GWP table,
# 2024, lists the same). AR4 makes no split. Factor tables name the gases CH4_fossil / CH4_nonfossil.
METHANE_BY_ORIGIN = {"AR5": {"CH4FOSSIL": Decimal("30"), "CH4NONFOSSIL": Decimal("28")},
                     "AR6": {"CH4FOSSIL": Decimal("29.8"), "CH4NONFOSSIL": Decimal("27.0")}}


@lru_cache(maxsize=None)
def _package_version() -> str | None:
    """The version of the package `gwp_table` read (once per process, as the table): asking `installed` each
    time fingerprints sys.path's metadata, and a comparison asks for every rule in each scenario."""
    return installed.version("globalwarmingpotentials")


def gas_weights(gwp_set: str, gases: list[str], methane_by_origin: bool = True) -> GasWeights:
    """Weights for the gases a factor table uses, keyed by their spelling in that table. Without
    `methane_by_origin` (or in AR4) fossil and non-fossil methane both take the CH4 value."""
    table = dict(gwp_table(GWP_SETS[gwp_set]))
    split = METHANE_BY_ORIGIN.get(gwp_set) if methane_by_origin else None
    table |= split or {"CH4FOSSIL": table["CH4"], "CH4NONFOSSIL": table["CH4"]}
    version = _package_version()
    supplements = SUPPLEMENTS.get(GWP_SETS[gwp_set], {})
    weights, notes = {}, {}
    for gas in gases:
        name = normalise_gas(gas).replace("_", "")
        if is_biogenic(gas):
            weights[gas], notes[gas] = Decimal(0), "biogenic: reported outside the scopes"
        elif is_non_kyoto(gas):
            weights[gas], notes[gas] = Decimal(0), "not a Kyoto gas: reported outside the scopes"
        elif name in table:
            weights[gas] = table[name]
            if name in supplements:
                notes[gas] = supplements[name][1]
    origin = " CH4 by origin" if split else ""
    return GasWeights(label=f"{gwp_set}{origin} (globalwarmingpotentials {version})", weights=weights, notes=notes)


GWP_POLICIES = ("gwp.set", "gwp.methane_by_origin")


def policy_weights(policies: dict, gases: list[str]) -> GasWeights:
    """The weights the run's GWP policies choose."""
    return gas_weights(policies["gwp.set"], gases, policies["gwp.methane_by_origin"])


def _weighting_table(policy, gases: list[str]) -> dict[str, Decimal]:
    """The weights `policy_weights` gives the calculators, for a comparison's re-weighting."""
    return dict(policy_weights({name: policy(name) for name in GWP_POLICIES}, gases).weights)


# Both GWP options change CO2e only through these weights of the ledger's `gas` (every calculator that
# reads them passes `policy_weights` to factor_product): a comparison re-weights per-gas sums for them.
GWP_WEIGHTING = Weighting(column="gas", weights=_weighting_table)
