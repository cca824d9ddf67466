"""Registers the GHG Protocol calculators and policy options (entry point `ghgp`)."""

from __future__ import annotations

from tanso import hookimpl
from tanso_ghgp.boundary import BOUNDARY_METHODS
from tanso_ghgp.calculators import CALCULATORS
from tanso_ghgp.provider_emissions import PROVIDER_EMISSIONS
from tanso_ghgp.scope2 import MARKET_BASED
from tanso_ghgp.factor_sets import FACTOR_SETS
from tanso_ghgp.investees import INVESTEE_SHARE
from tanso_ghgp.revision import ALL_OPTIONS
from tanso_ghgp.vocabularies import VOCABULARIES
from tanso_ghgp.ssbj import SSBJ_OPTIONS


@hookimpl
def tanso_calculators():
    return [*CALCULATORS, MARKET_BASED, PROVIDER_EMISSIONS, INVESTEE_SHARE]


@hookimpl
def tanso_factor_sets():
    return FACTOR_SETS


@hookimpl
def tanso_boundary_methods():
    return BOUNDARY_METHODS


@hookimpl
def tanso_policy_options():
    # boundary.approach, gwp.set and gwp.methane_by_origin first (as before), then the options of the
    # GHG Protocol revision drafts; each carries status, source_doc and as_of (see revision.py).
    return [*ALL_OPTIONS, *SSBJ_OPTIONS]


@hookimpl
def tanso_vocabularies():
    return VOCABULARIES
