"""Data-quality levels of ledger rows, by the data type their method records.

The Scope 3 revision's progress update asks each category's emissions disaggregated by data type "in
differentiated levels" (A1) with a verification status (A2) (GHG Protocol Scope 3 Standard Revisions:
Phase 1 Progress Update, 31 Mar 2026). The level names and count below (1 spend-based, 2 secondary
average, 3 supplier-specific, 4 direct measurement, "+" when third-party verified) are the project's
reading of that proposal, not a published table (see rulesets/ghgp-draft-2026). Financed emissions use
PCAF's data-quality score instead (PCAF Global GHG Standard Part A, 2nd ed. 2022, section 5.4:
1 verified reported emissions … 5 asset-class average): a reported, unverified figure scores 2.
A row declares its own level in a `data_quality` column (e.g. "3+" for a verified supplier figure).
"""

from __future__ import annotations

import dataclasses

from tanso.contracts import Calculator

# (data type, level) for the Scope 3 draft's levels; "primary" is measured or the partner's own figure.
SCOPE3_LEVELS = (("spend-based", "1"), ("secondary", "2"), ("supplier-specific", "3"),
                 ("supplier-specific (verified)", "3+"), ("primary", "4"))
PCAF_LEVELS = (("primary", "PCAF 2"),)
PCAF_CALCULATORS = ("pcaf_attribution", "investee_share")
PRIMARY_LEVELS = ("3", "3+", "4", "4+", "PCAF 1", "PCAF 2")   # supplier-specific, measured or reported


def with_levels(calculators: list[Calculator]) -> list[Calculator]:
    """Each calculator declaring the level of its rows' data types (PCAF's score for financed emissions)."""
    return [dataclasses.replace(c, levels=PCAF_LEVELS if c.name in PCAF_CALCULATORS else SCOPE3_LEVELS)
            for c in calculators]
