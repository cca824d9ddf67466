"""Ruleset tests as data: YAML cases with given rows, policy values and expected amounts.

In the manner of OpenFisca's YAML tests (a pytest plugin collects them, see `tanso.testing_pytest`),
dbt's unit tests (`given` tables replace the inputs, `expect` states the outcome) and Catala's rule
coverage (which rules no case ever exercised). The engine knows nothing of GHG here: expectations are
about the ledger, rejects, exclusions, metrics and checks of a run.

A test file is a YAML list of cases::

    - name: one stationary diesel row, AR5
      ruleset: ..            # optional; default: the ruleset folder holding this tests/ folder
      data: ../../data       # optional; a data folder whose tables (and factor files) are the base
      policies: {gwp.set: AR6}                 # applied like `--set`
      given:                                   # replaces the base table of that name
        fuel_use:
          - {row_id: F1, fuel: diesel, use: stationary, quantity: 100, unit: l}
        fuels: [...]                           # a factor set: written at the path the ruleset declares
      expect:
        total: 268.9075                        # kg CO2e of the whole ledger
        totals: [{scope: 1, co2e_kg: 268.9075}]  # category / basis omitted = summed over all of them
        rules: {s1.stationary: 268.9075}
        gases: {CO2: 268, CH4: 0.011}          # mass of each gas, kg
        rejects: [{row_id: F2, rule: s1.stationary, reason_contains: "no factor"}]
        rejects_count: 1
        excluded: [{row_id: F3, reason_contains: "test bench"}]
        excluded_count: 1
        metrics: {intensity: 354.9455}
        checks: {s1.coverage: false}
        tolerance: 0                           # absolute; 0 (the default) is exact equality

Numbers are exact. A number in the YAML is read as a `Decimal` from its text (`268.891` is exactly
268.891, never the float 268.89099999…); quoted strings (`"268.891"`) are accepted too. `rejects`
and `excluded` list rows that must be there (others may be too); `rejects_count` / `excluded_count`
state how many there are in all (`rejects_count: 0`: none). A declared input that neither `given`
nor the `data` folder provides is an empty table; a given row may omit declared columns (empty
values) but not name an undeclared one. Given factor rows lacking the provenance columns
(publisher, edition, licence) get the value "test"; they are written as CSV, also for a factor set
declared in another format (e.g. a `.pact.json` file), which then reads them instead of its file.

Every problem in the YAML (unknown keys, wrong types) is reported with its file and line.

Cases of one file with the same ruleset, data, policies and given rows check one evaluate, made for the
first of them (e.g. a demo's totals in one case and its coverage in another cost one run).
"""

from tanso.testing.files import (MODELS, CaseSpec, TestFileError, default_ruleset, discover, display,
                                 is_ruleset_test, load_file)
from tanso.testing.runner import CaseResult, Coverage, coverage, run_case, run_command, run_file

__all__ = ["MODELS", "CaseResult", "CaseSpec", "Coverage", "TestFileError", "coverage", "default_ruleset",
           "discover", "display", "is_ruleset_test", "load_file", "run_case", "run_command", "run_file"]
