"""The GHG Protocol's scopes and Scope 3 categories, registered so that a rule or exclusion naming another
(`scope 9`, `scope 3 category 17`) is a diagnostic rather than an inventory line of its own.

Scopes 1-3: Corporate Standard (2004), ch. 4. Scope 3's categories 1-15: Scope 3 Standard (2011), Table 5.1.
Category 16 (other value-chain activities) is the revision drafts' (Scope 3 Phase 1 Progress Update, B11 and
C2-C4); a ruleset of the standard in force selects its rules on `scope3.cat16.enabled`.
"""

from __future__ import annotations

from tanso.contracts import Scope
from tanso_ghgp.revision import CS_2004, S3_2011, S3_PU

SCOPES = [
    Scope("1", 1, (), f"{CS_2004}, ch. 4"),
    Scope("2", 2, (), f"{CS_2004}, ch. 4"),
    Scope("3", 3, tuple(range(1, 17)), f"{S3_2011}, Table 5.1 (categories 1-15); {S3_PU}, B11 (category 16)"),
]
