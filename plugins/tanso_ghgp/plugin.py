"""Registers the GHG Protocol calculators and policy options (entry point `ghgp`)."""

from __future__ import annotations

from typing import Literal

from tanso import hookimpl
from tanso.contracts import PolicyOption
from tanso_ghgp.boundary import BOUNDARY_METHODS
from tanso_ghgp.calculators import CALCULATORS
from tanso_ghgp.scope2 import MARKET_BASED
from tanso_ghgp.factor_sets import FACTOR_SETS
from tanso_ghgp.gwp import SOURCES


@hookimpl
def tanso_calculators():
    return [*CALCULATORS, MARKET_BASED]


@hookimpl
def tanso_factor_sets():
    return FACTOR_SETS


@hookimpl
def tanso_boundary_methods():
    return BOUNDARY_METHODS


@hookimpl
def tanso_policy_options():
    return [
        PolicyOption(
            name="boundary.approach", type=Literal["equity_share", "financial_control", "operational_control"],
            default="operational_control",
            doc="How entities are consolidated: at their equity share, or 100% of those the company controls "
                "(financially or operationally).",
            status="published", source_doc="GHG Protocol Corporate Standard (2004), chapter 3"),
        PolicyOption(
            name="gwp.set", type=Literal["AR4", "AR5", "AR6"], default="AR5",
            doc="IPCC assessment report whose 100-year GWPs turn CH4, N2O and F-gases into CO2e.\n"
                + "; ".join(f"{k}: {v}" for k, v in SOURCES.items()),
            status="published", source_doc="GHG Protocol Corporate Standard (2004) ch. 4; GWP values table (2016)",
            revised="AR6"),
        PolicyOption(
            name="gwp.methane_by_origin", type=bool, default=True,
            doc="Weight fossil and non-fossil methane (factor gases CH4_fossil / CH4_nonfossil) separately: "
                "AR5 30 / 28 (WG1 Table 8.A.1), AR6 29.8 / 27.0 (WG1 Table 7.15). False: both take the CH4 value.",
            status="published", source_doc="GHG Protocol Global Warming Potential Values (2016; v2.0 2024)"),
    ]
