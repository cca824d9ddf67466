"""Registers the GHG Protocol calculators and policy options (entry point `ghgp`)."""

from __future__ import annotations

from tanso import hookimpl
from tanso.contracts import Command
from tanso_ghgp.boundary import BOUNDARY_METHODS
from tanso_ghgp.calculators import CALCULATORS
from tanso_ghgp.data_quality import with_levels
from tanso_ghgp.hybrid import SUPPLIER_HYBRID
from tanso_ghgp.quality_shares import FUNCTIONS
from tanso_ghgp.relief import FUNCTIONS as RELIEF_FUNCTIONS, RELEVANCE_RELIEF
from tanso_ghgp.provider_emissions import PROVIDER_EMISSIONS
from tanso_ghgp.scope2 import MARKET_BASED
from tanso_ghgp.scopes import SCOPES
from tanso_ghgp.factor_sets import FACTOR_SETS
from tanso_ghgp.investees import FUNCTIONS as INVESTEE_FUNCTIONS, INVESTEE_SHARE
from tanso_ghgp.labels import register_labels
from tanso_ghgp.revision import ALL_OPTIONS
from tanso_ghgp.vocabularies import VOCABULARIES
from tanso_ghgp.ssbj import SSBJ_OPTIONS

register_labels()   # the Japanese names of the methods and data types its calculators write

@hookimpl
def tanso_calculators():
    return with_levels([*CALCULATORS, MARKET_BASED, PROVIDER_EMISSIONS, INVESTEE_SHARE, SUPPLIER_HYBRID,
                        RELEVANCE_RELIEF])


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


@hookimpl
def tanso_scopes():
    return SCOPES


@hookimpl
def tanso_functions():
    return [*FUNCTIONS, *INVESTEE_FUNCTIONS, *RELIEF_FUNCTIONS]


@hookimpl
def tanso_commands():
    # imported here, not at the top: a command's module loads only when `tanso` looks for plugin commands
    from tanso_ghgp import base_year, decomposition, engage_cli
    return [Command("engage", engage_cli.engage, "the Pareto engagement list of a run's Scope 3 category"),
            Command("decompose", decomposition.main, "a category's change split into activity and intensity per supplier"),
            Command("base-year", base_year.main, "whether the base year must be recalculated (significance threshold)")]
