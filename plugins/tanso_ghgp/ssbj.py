"""Policy options of the SSBJ climate-related disclosure standard (published 5 March 2025).

SSBJ Sustainability Disclosure Standards: Universal Standard "Application of the Sustainability
Disclosure Standards" (適用基準), Theme-based Standard No. 1 "General Disclosures" (一般基準) and No. 2
"Climate-related Disclosures" (気候基準). Paragraph numbers below are the climate standard's, each
confirmed in public commentaries (searched 2026-11-30, "SSBJ 気候関連開示基準 第 項 Scope 3"): para. 47
(absolute gross Scope 1, 2, 3: newton-consulting.co.jp/bcmnavi/flash/id=8875, bbs.co.jp/column/column019-73)
and para. 49 with its proviso for a method a jurisdictional authority requires
(sn-hoki.co.jp/article/tamasters/tamaster4512348, "気候基準第49項ただし書き"). The Application Standard's
first-year Scope 3 relief is cited without a number: searches found the relief described but no paragraph.
No text of the standards is copied.
"""

from __future__ import annotations

from typing import Literal

from tanso.contracts import PolicyOption

SSBJ = "SSBJ Climate-related Disclosures Standard (気候関連開示基準, 5 Mar 2025)"
SSBJ_APPLICATION = "SSBJ Universal Standard, Application of the Sustainability Disclosure Standards (適用基準, 5 Mar 2025)"
SSBJ_SHK_SOLUTION = ("SSBJ deliberations on measuring under the SHK system (Dec 2025, practical solution in "
                     "development): basic emissions as the basis, direct → Scope 1, indirect → market-based Scope 2, "
                     "activity × national average factor as location-based Scope 2")
AS_OF = "2025-03-05"

SSBJ_OPTIONS: list[PolicyOption] = [
    PolicyOption(
        name="ssbj.measurement", type=Literal["ghgp_2004", "shk"], default="ghgp_2004", status="published",
        source_doc=f"{SSBJ}, para. 49 (the GHG Protocol Corporate Standard 2004, or a method a jurisdictional "
                   f"authority requires: in Japan the SHK system); {SSBJ_SHK_SOLUTION}", as_of=AS_OF,
        doc="How Scope 1 and 2 are measured: the GHG Protocol (2004), or the SHK system of the Act on Promotion of "
            "Global Warming Countermeasures (温対法 算定・報告・公表制度) for Japanese sites: purchased electricity at "
            "the retailer's basic emission factor (market-based) and at the national average factor "
            "(location-based). Rules select on it."),
    PolicyOption(
        name="ssbj.shk_market_factor", type=Literal["basic", "adjusted"], default="basic", status="published",
        source_doc=SSBJ_SHK_SOLUTION, as_of="2025-12-31",
        doc="Under ssbj.measurement = shk, the retailer factor for market-based Scope 2: the basic emission factor "
            "(基礎排出係数), the SSBJ's basis, or the adjusted one (調整後排出係数, voluntary reference information "
            "only). Rules select on it."),
    PolicyOption(
        name="ssbj.scope3_first_year_relief", type=bool, default=False, status="published",
        source_doc=f"{SSBJ_APPLICATION}, transitional provisions (first annual reporting period; paragraph not "
                   f"verified)", as_of=AS_OF,
        doc="In the first annual reporting period the entity may omit Scope 3. The `yuho` report then states the "
            "relief instead of the Scope 3 lines; the ledger keeps every figure."),
]
