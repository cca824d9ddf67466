"""Policy options for the GHG Protocol revision drafts (2025–2026), next to the rules in force.

Each option's `default` is what the standards in force do (Corporate Standard 2004, Scope 2 Guidance
2015, Scope 3 Standard 2011); `revised` is what the drafts propose, where they propose a value.
`status` is the maturity of that proposal, `source_doc` / `as_of` where it comes from:

- consulted: a public consultation proposal, consultation closed (Scope 2, Oct 2025 – 31 Jan 2026);
- progress_update: a technical working group's direction, not approved by the ISB (Corporate, Scope 3);
- white_paper: a request for information, no requirements yet (Actions and Market Instruments);
- published: final (LSR Standard, PCAF, the GHG Protocol GWP table).

The docs are short summaries in our own words with a citation; they do not reproduce the standards'
text (the GHG Protocol's terms of use restrict that). The research behind every entry is the design
note `revision-options.md` (sections 1–6), dated 2026-11-23; `as_of` is the date of the cited
document (a month where the document gives no day).

Which options change numbers, and where:

| option | read by |
|---|---|
| `boundary.approach`, `boundary.financial_control_basis` | boundary method `consolidation` (weights entities) |
| `gwp.set`, `gwp.methane_by_origin` | every factor-based calculator (gas weights) |
| `scope2.market.*` matching, exemption, deliverability, SSS, fallback, legacy | calculator `market_based` |
| `scope3.supplier_allocation` | calculator `supplier_allocation` |
| `scope3.cat16.facilitated_weight` | rules, in a calc argument (`emissions: x * policy("…")`) |
| `ami.*`, `scope1.market_instruments`, `scope3.required_in_inventory`, `scope3.disaggregate_by_data_type`, `scope3.split_required_optional`, `scope3.verification_status`, `scope3.cat15.disclose_coverage` | the `inventory` reporter (`tanso_report`), and rules outside the scopes |
| the others | rules through `where policy("…") = …`, metrics and checks |

A `set` of an option nothing reads is a warning (`tanso check`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Optional

from tanso.contracts import Field, PolicyOption
from tanso_ghgp.gwp import GWP_WEIGHTING, SOURCES

Share = Annotated[Decimal, Field(ge=0, le=1)]
GWh = Annotated[Decimal, Field(ge=0)]

# Source documents (design note §11 numbering in brackets).
CS_2004 = "GHG Protocol Corporate Standard, revised edition (2004)"
S2_2015 = "GHG Protocol Scope 2 Guidance (2015)"
S3_2011 = "GHG Protocol Scope 3 Standard (2011)"
CS_PU = "GHG Protocol Corporate Standard Phase 1 Progress Update (Dec 2025) [S8], via [S15][S30]"
S2_CONSULT = "GHG Protocol Scope 2 Public Consultation (20 Oct 2025 – 31 Jan 2026) [S1], via [S30]"
S3_PU = "GHG Protocol Scope 3 Standard Revisions: Phase 1 Progress Update (31 Mar 2026) [S9][S16]"
AMI_WP = "GHG Protocol Actions and Market Instruments Phase 1 White Paper / RFI (Mar 2026) [S10][S11][S12]"
LSR = "GHG Protocol Land Sector and Removals Standard v1.0 (30 Jan 2026), v1.1 (30 Jun 2026) [S13]"
GWP_TABLE = "GHG Protocol IPCC Global Warming Potential Values v2.0 (7 Aug 2024) [S24]"
PCAF_B = "PCAF Global GHG Standard Part B, Facilitated Emissions (1 Dec 2023) [S21]"
EU_SIZES = ("EU Accounting Directive 2013/34/EU art. 3(2)-(3), amounts of Delegated Directive (EU) 2023/2775 "
            "(17 Oct 2023, financial years from 1 Jan 2024)")

CS_PU_AS_OF = "2025-12"          # the progress update gives a month only
S2_AS_OF = "2026-01-31"          # consultation closed; no post-consultation decision found
S3_AS_OF = "2026-03-31"
AMI_AS_OF = "2026-03-31"

# The options already registered before the revision options, with their metadata extended.
BOUNDARY_APPROACH = PolicyOption(
    name="boundary.approach", type=Literal["equity_share", "financial_control", "operational_control"],
    default="operational_control",
    doc="How entities are consolidated: at their equity share, or 100% of those the company controls "
        "(financially or operationally). In force: any of the three, applied consistently "
        f"({CS_2004}, ch. 3). Draft: equity share is dropped as a consolidation approach (non-controlled "
        "investees go to Scope 3 category 15 instead) and consolidation is control-based, financial control "
        "recommended. ISO 14064-1 harmonisation may reopen this.",
    status="progress_update", source_doc=f"{CS_2004} ch. 3 (in force); {CS_PU} (draft)", as_of=CS_PU_AS_OF,
    revised="financial_control")

GWP_SET = PolicyOption(
    name="gwp.set", type=Literal["AR4", "AR5", "AR6"], default="AR5",
    doc="IPCC assessment report whose 100-year GWPs turn CH4, N2O and F-gases into CO2e.\n"
        + "; ".join(f"{k}: {v}" for k, v in SOURCES.items())
        + "\nThe GHG Protocol's GWP table (v2.0) lists AR6; no revision draft changes the rule, so AR6 is the "
          "likely revised default (AR5 stays common for regulatory consistency).",
    status="published", source_doc=f"{CS_2004} ch. 4; {GWP_TABLE}", as_of="2024-08-07", revised="AR6",
    weighting=GWP_WEIGHTING)

GWP_METHANE_BY_ORIGIN = PolicyOption(
    name="gwp.methane_by_origin", type=bool, default=True,
    doc="Weight fossil and non-fossil methane (factor gases CH4_fossil / CH4_nonfossil) separately: "
        "AR5 30 / 28 (WG1 Table 8.A.1), AR6 29.8 / 27.0 (WG1 Table 7.15). False: both take the CH4 value.",
    status="published", source_doc="GHG Protocol Global Warming Potential Values (2016; v2.0 2024)",
    as_of="2024-08-07", revised=True, weighting=GWP_WEIGHTING)


# Where each option's default (the behaviour in force) comes from; the longest matching prefix wins.
IN_FORCE = {
    "boundary.": f"{CS_2004}, ch. 3",
    "scope3.required_in_inventory": f"{CS_2004}, ch. 4 (Scope 3 optional) and {S3_2011}",
    "biogenic.": f"{CS_2004}, ch. 4",
    "removals.": f"{CS_2004}, ch. 4 (no removals accounting in force)",
    "scope1.": "no guidance in force (GHG Protocol, Interim Update on Accounting for Biomethane Certificates)",
    "scope2.": S2_2015,
    "ami.": f"{CS_2004}, ch. 8 and {S2_2015} (dual reporting)",
    "scope3.": S3_2011,
    "scope3.cat16.facilitated_weight": PCAF_B,
}


def _in_force(name: str) -> str:
    return IN_FORCE[max((p for p in IN_FORCE if name.startswith(p)), key=len)]


def _option(name, type_, default, revised, status, source_doc, as_of, doc, recorded_only=False) -> PolicyOption:
    return PolicyOption(name=name, type=type_, default=default, doc=doc, status=status, source_doc=source_doc,
                        as_of=as_of, revised=revised, recorded_only=recorded_only, in_force_source=_in_force(name))


REVISION_OPTIONS: list[PolicyOption] = [
    # ---------------------------------------------------------------- 1. organisational boundary
    _option("boundary.non_controlled_investees_to_cat15", bool, False, True, "progress_update", CS_PU, CS_PU_AS_OF,
            "Report investees the company does not control (associates, equity-method investees) in Scope 3 "
            "category 15. In force: outside the inventory under a control approach, and optional unless the "
            "Scope 3 Standard is claimed (ghgp_current claims it and sets true). Draft: required. Rules select on it with "
            "`where policy(\"boundary.non_controlled_investees_to_cat15\") = true`."),
    _option("boundary.financial_control_basis", Literal["ghgp_2004", "financial_statements"], "ghgp_2004",
            "financial_statements", "progress_update", CS_PU, CS_PU_AS_OF,
            "Which definition the entities table's `financial_control` column follows: the GHG Protocol's own "
            "(2004, ch. 3) or the consolidation perimeter of the financial statements (IFRS 10 / ASC 810), as "
            "the draft proposes. Under financial_statements the boundary method `consolidation` equity-accounts "
            "an incorporated joint venture (IFRS 11 para. 24): outside Scope 1/2, its equity share in category 15; "
            "a non-incorporated one (a joint operation, IFRS 11 para. 20) stays proportional. The draft's own "
            "treatment of joint arrangements was not found: this is the financial statements' reading."),
    _option("boundary.scope12_max_excluded_share", Optional[Share], None, Decimal("0.01"), "progress_update",
            f"{CS_PU} (single secondary source; verify against the PDF)", CS_PU_AS_OF,
            "Largest share of Scope 1 (and, separately, Scope 2) emissions that may be left out: "
            "excluded estimate ÷ (reported + excluded estimate). In force: no number, exclusions disclosed and "
            "justified. Draft: 1% for each scope, so excluded sources must still be estimated. For checks."),
    _option("scope3.required_in_inventory", bool, False, True, "progress_update", CS_PU, CS_PU_AS_OF,
            "Whether Scope 3 is part of a Corporate Standard inventory. In force: optional unless the Scope 3 "
            "Standard is claimed. Draft: required, with the Scope 3 exclusion threshold "
            "(`scope3.coverage_threshold`). For rules and checks."),
    # ---------------------------------------------------------------- 2. scope 1 and biogenic
    _option("biogenic.report_separately", Literal[True], True, True, "published",
            f"{CS_2004} ch. 4; {LSR}", "2026-06-30",
            "CO2 from burning biomass stays outside the scopes: the ledger keeps its mass and it adds nothing to "
            "CO2e (factor gas CO2_biogenic); CH4 and N2O from biomass are in Scope 1. The LSR Standard (in effect "
            "1 Jan 2027) keeps land-sector emissions and removals as separate figures, never netted. Locked: "
            "where the final LSR text puts biogenic product CO2 was not confirmed."),
    _option("removals.report", bool, False, False, "published", LSR, "2026-06-30",
            "Report CO2 removals, as a separate line that is never netted against emissions. Optional under the "
            "LSR Standard (with traceability, permanence and reversal-monitoring requirements); forestry is "
            "outside v1.0. For rules that read removal data."),
    _option("scope1.market_instruments", Literal["not_recognised", "statement_2"], "not_recognised",
            "statement_2", "white_paper", f"{AMI_WP}; interim biomethane update [S14]", AMI_AS_OF,
            "Fuel certificates (biomethane, SAF, hydrogen, green materials) in Scope 1. In force: no guidance; "
            "the physical fuel is reported at its own factor. AMI draft: the physical Scope 1 is unchanged and "
            "certificate claims appear only in a separate market-based statement (Statement 2)."),
    # ---------------------------------------------------------------- 3. scope 2
    _option("scope2.location.factor_hierarchy", Literal["grid_average", "most_precise_accessible"],
            "grid_average", "most_precise_accessible", "consulted", S2_CONSULT, S2_AS_OF,
            "Location-based factors. In force: annual grid-average factors, regional preferred to national "
            f"({S2_2015}). Draft: use the most precise factor that is accessible — hourly, consumption-based, "
            "local grid boundary first; no national factor in countries with several synchronous grids (US, "
            "Canada, China, Australia, Japan …). Rules choose the factor set with "
            "`where policy(\"scope2.location.factor_hierarchy\") = …` or a `first_of` chain."),
    _option("scope2.market.matching", Literal["annual", "hourly"], "annual", "hourly", "consulted",
            f"{S2_CONSULT}, Quality Criterion 4", S2_AS_OF,
            "Time matching of certificates to consumption. In force: annual in practice (certificates issued and "
            "redeemed close to the consumption period). Draft: same hour, with profile fallbacks. The calculator "
            "`market_based` adds its `hourly_by` columns (default `hour`) to the allocation keys; a row without "
            "an hour value is matched by no certificate (its consumption takes the supplier rate, residual mix "
            "or fallback). Consultation feedback: 22% support, 70% oppose (Q71) [S6]."),
    _option("scope2.market.hourly_exemption_gwh", Optional[GWh], None, None, "consulted",
            f"{S2_CONSULT}; EnergyTag FAQ [S17]; consultation feedback [S6]", S2_AS_OF,
            "Entities whose consumption in the rule's rows is at most this many GWh keep annual matching when "
            "`scope2.market.matching = hourly` (deliverability still applies); none: no exemption. Applied per "
            "entity by `market_based`. The draft leaves the value blank ([X] GWh) — so `revised` is open too: "
            "show results at 5, 10 and 50 GWh (EnergyTag suggested 5–10 GWh; 50 GWh was the survey's modal "
            "answer). The draft also consults an SME criterion, not modelled here."),
    _option("scope2.market.deliverability", Literal["none", "same_market"], "none", "same_market", "consulted",
            f"{S2_CONSULT}, Quality Criterion 5", S2_AS_OF,
            "Where certificates may come from. In force: the same market, in practice national or wider "
            "(e.g. the European GO system), i.e. whatever `allocate_by` says. Draft: generation deliverable to "
            "the load, i.e. inside the consumption's market boundary (bidding zone, NEM region, eGRID subregion "
            "…). `market_based` adds its `market_by` columns (default `grid_region`) to the allocation keys. "
            "Price-ratio (1.05×) and firm-transmission alternatives are not modelled. Feedback: 30% support, "
            "59% oppose (Q83)."),
    _option("scope2.market.standard_supply_service", bool, False, True, "consulted",
            f"{S2_CONSULT}, proposed Quality Criterion 6", S2_AS_OF,
            "Clean electricity from regulated or default supply and mandated programmes paid for by all customers "
            "is allocated pro rata to those customers; no more than that share may be claimed and an unclaimed "
            "share is not transferable. Where on, `market_based` adds the rows of its `sss` table (the allocated "
            "shares) to the certificates. Allocation basis open. Feedback: 49% support (Q97)."),
    _option("scope2.market.residual_mix_fallback", Literal["location", "fossil"], "location", "fossil",
            "consulted", f"{S2_CONSULT}, proposed Quality Criterion 9", S2_AS_OF,
            "What uncovered consumption takes where no residual mix is published. In force: the location-based "
            f"grid average, disclosed ({S2_2015}). Draft: never the generic grid average; a fossil-only grid "
            "average or a conservative default (coal or oil). `market_based` then uses its `fossil` factor set "
            "instead of `location`. Feedback: 46% support, 40% oppose (Q124)."),
    _option("scope2.market.legacy_clause", bool, False, None, "consulted", f"{S2_CONSULT}; FAQ Q7 [S3]", S2_AS_OF,
            "Whether contracts signed before the new rules take effect keep counting although they fail hourly "
            "matching or deliverability. Under consideration in the draft (no decision; 90% support, contract "
            "signed before the implementation date preferred). Where on, `market_based` matches certificates "
            "flagged in its `legacy` column with the annual, in-force keys."),
    _option("ami.scope2_market_placement", Literal["inventory_dual_reporting", "ami_statement_2"],
            "inventory_dual_reporting", "ami_statement_2", "white_paper", AMI_WP, AMI_AS_OF,
            "Where the market-based Scope 2 figure is reported: beside the location-based one in the inventory "
            "(dual reporting, kept by the Scope 2 draft) or in the AMI market-based statement. Unresolved "
            "between the two drafts."),
    # ---------------------------------------------------------------- 4. scope 3
    _option("scope3.coverage_threshold", Optional[Share], None, Decimal("0.95"), "progress_update", S3_PU, S3_AS_OF,
            f"Least share of required Scope 3 emissions to report: reported ÷ (reported + estimated exclusions). "
            f"In force: no number, exclusions disclosed and justified ({S3_2011}). Draft: 95%, with exclusions "
            "estimated by any method (hotspot analysis included). For checks."),
    _option("scope3.split_required_optional", bool, False, True, "progress_update", S3_PU, S3_AS_OF,
            "Report emissions inside each category's minimum boundary separately from optional ones (B7)."),
    _option("scope3.disaggregate_by_data_type", bool, False, True, "progress_update", S3_PU, S3_AS_OF,
            "Break each category down by data type (spend-based, average data, supplier-specific …) (A1). In "
            "force: only the share from supplier data. The ledger's `data_type` column carries what is needed; "
            "the level names of the draft are unverified."),
    _option("scope3.min_primary_share", Optional[Share], None, None, "progress_update", S3_PU, S3_AS_OF,
            "Least share of each Scope 3 category's emissions from primary data (data-quality levels 3 and 4: "
            "supplier-specific or measured). The progress update asks for data-specificity goals and performance "
            "metrics (A6); no number was found in any GHG Protocol source, so the draft value is unset too. For "
            "the check s3.primary_share (function lowest_primary_share), which names each category and its share."),
    _option("scope3.small_company_relief", bool, False, None, "progress_update",
            f"{S3_PU}, B1 (the 95% threshold it relaxes) and B10a-d (relevance criteria); {S3_2011} Table 6.1; "
            f"{S2_CONSULT}, hourly-matching exemption option 2 (SME categorisation); {EU_SIZES}", S3_AS_OF,
            "Report only the Scope 3 categories the company's relevance assessment (input scope3_relevance: one row "
            "per category, relevant or not, the criteria met, the justification) marks relevant. No GHG Protocol "
            "draft proposes a Scope 3 relief for small companies (design note 4.11; searched again 2026-11-30): this "
            "models issue #15's request on the nearest provisions, so the draft value is unset. The relevance "
            "criteria are the Scope 3 Standard's (Table 6.1: size, influence, risk, stakeholders, outsourcing, "
            "sector guidance), which the progress update restates (B10). Under it the rule s3.small_company_relief "
            "(calculator relevance_relief) puts each category left out in `excluded` with its justification and "
            "estimated size (scope3_estimates) where known; a category left out without a justification, or by a "
            "company that is not small (scope3.small_company_relief.size_class, from input company_size), is a "
            "reject naming why; the check s3.small_company_relief.conflicts names a category left out that rules compute. "
            "The estimates still count in scope3.coverage_threshold's check."),
    _option("scope3.small_company_relief.size_class", Literal["small", "medium"], "small", None, "progress_update",
            f"{EU_SIZES}; {S2_CONSULT}, hourly-matching exemption option 2 (SME categorisation via the draft SBTi "
            f"categorisation, based on the EU's size classes)", S3_AS_OF,
            "Who may claim scope3.small_company_relief: an undertaking that exceeds at most one of three limits. "
            "small (art. 3(2)): balance sheet EUR 5,000,000, net turnover EUR 10,000,000, 50 employees; medium "
            "(art. 3(3)): EUR 25,000,000, EUR 50,000,000, 250 employees (an SME). Amounts in EUR from input "
            "company_size. The drafts name no size class for Scope 3; calculator relevance_relief reads it."),
    _option("scope3.verification_status", bool, False, True, "progress_update", S3_PU, S3_AS_OF,
            "Disclose whether the inventory or each category is fully, partially or not verified (A2)."),
    _option("scope3.supplier_allocation", Literal["always", "homogeneous_only"], "always", "homogeneous_only",
            "progress_update", S3_PU, S3_AS_OF,
            "Allocating a supplier's corporate total to purchases: allowed for any supplier in practice; the draft "
            "limits it to suppliers with homogeneous output (A8; homogeneity test open). Rules gate the "
            "`supplier_allocation` method with `where policy(…)`."),
    _option("scope3.cat15.scope", Literal["equity_s1s2", "equity_plus_debt_s1s2s3"], "equity_s1s2",
            "equity_plus_debt_s1s2s3", "progress_update", f"{S3_PU}, proposals C6 and C10; {S3_2011} Table 5.9",
            S3_AS_OF,
            "Category 15 boundary and attribution. In force: the investee's Scope 1+2 at the equity share "
            "(its Scope 3 optional). Draft: the investee's Scope 1+2+3, attributed over equity + debt (EVIC for "
            "listed investees), as in PCAF. Rules pick the `pcaf_attribution` parameters with "
            "`where policy(\"scope3.cat15.scope\") = …`."),
    _option("scope3.cat15.disclose_coverage", bool, False, True, "progress_update", S3_PU, S3_AS_OF,
            "Disclose the share of the portfolio's carrying value the category 15 figure covers (C9)."),
    _option("scope3.cat16.enabled", bool, False, True, "progress_update", S3_PU, S3_AS_OF,
            "A new category 16, other value-chain activities: facilitated emissions, insurance underwriting, "
            "licensing (most subcategories optional). In force: 15 categories; facilitation and underwriting are "
            "optional parts of category 15. Rules for category 16 select on this option."),
    _option("scope3.cat16.facilitated_weight", Share, Decimal("0.33"), Decimal("0.33"), "published",
            f"{PCAF_B}; {S3_PU} (cat 16)", "2023-12-01",
            "Weight on facilitated emissions (bond and equity issuance, syndicated loans). PCAF requires 33% and "
            "allows 100% as a separate line. Whether the GHG Protocol's category 16 adopts the weight was not "
            "found."),
    # ---------------------------------------------------------------- 5. AMI
    _option("ami.separate_statements", bool, False, True, "white_paper", AMI_WP, AMI_AS_OF,
            "Report in separate statements: 1 physical inventory (Scope 1, location-based Scope 2, Scope 3), "
            "2 market-based (market-based Scope 2, commodity certificates), 3 impact (avoided emissions, "
            "mitigation beyond the value chain), 4 non-GHG indicators. In force: one inventory, optional "
            "information beside it."),
    _option("ami.credit_netting", Literal[False], False, False, "white_paper", f"{CS_2004} ch. 8; {AMI_WP}",
            AMI_AS_OF,
            "Carbon credits and avoided emissions are never subtracted from scope totals, in force and in the "
            "AMI draft. Locked."),
]

# Every option of this plugin, in registration order (the three above first).
ALL_OPTIONS: list[PolicyOption] = [BOUNDARY_APPROACH, GWP_SET, GWP_METHANE_BY_ORIGIN, *REVISION_OPTIONS]

# What the drafts would set: every option whose `revised` differs from its default (and is decided).
def draft_values() -> dict[str, object]:
    return {o.name: o.revised for o in ALL_OPTIONS if o.revised is not None and o.revised != o.default}


# The exemption thresholds results should be shown at (the draft leaves the value blank).
HOURLY_EXEMPTION_SENSITIVITY_GWH = (Decimal(5), Decimal(10), Decimal(50))

SCOPE2_MARKET_POLICIES = ("scope2.market.matching", "scope2.market.hourly_exemption_gwh",
                          "scope2.market.deliverability", "scope2.market.standard_supply_service",
                          "scope2.market.residual_mix_fallback", "scope2.market.legacy_clause")
