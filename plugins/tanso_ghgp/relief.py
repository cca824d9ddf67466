"""The small-company relief: report only the most relevant Scope 3 categories, every other one justified.

No GHG Protocol draft proposes such a relief (design note revision-options.md 4.11; searched again
2026-11-30): the option `scope3.small_company_relief` models issue #15's request on the nearest cited
provisions, and the draft preset leaves it off.

- Which categories are relevant is the company's assessment (an input table, one row per category)
  against the relevance criteria: the Scope 3 Standard's (2011, Table 6.1: size, influence, risk,
  stakeholders, outsourcing, sector guidance) as the Scope 3 progress update (31 Mar 2026, B10a-d)
  restates them.
- Who is small: the EU Accounting Directive 2013/34/EU, art. 3(2) (small) or 3(3) (medium), at the
  amounts of Delegated Directive (EU) 2023/2775: an undertaking that does not exceed at least two of the
  three limits. The Scope 2 consultation's SME exemption option draws on the SBTi categorisation, itself
  based on the EU's (CSDDD) size classes.

The calculator `relevance_relief` reads the categories the assessment leaves out: each is `excluded` with
its justification and the estimated size of its emissions where the estimates table has one, or rejected
naming why (no justification; the company is not small, or its size is unknown). It computes no emissions.
The function `relief_conflicts` counts the categories left out that rules nevertheless compute.
"""

from __future__ import annotations

from decimal import Decimal

from tanso.contracts import CALC_LEDGER_COLUMNS, CalcPlan, Calculator, ExpressionFunction, Field, Parameters
from tanso.i18n import t
from tanso.plan.context import CalcContext
from tanso.plan.sql import ident, literal

OPTION = "scope3.small_company_relief"
SIZE_CLASS = "scope3.small_company_relief.size_class"
DIRECTIVE = "EU Accounting Directive 2013/34/EU art. 3({article}), amounts of Delegated Directive (EU) 2023/2775"
# (balance sheet total EUR, net turnover EUR, average employees): not exceeding two of the three.
LIMITS = {"small": (Decimal(5_000_000), Decimal(10_000_000), 50, 2),
          "medium": (Decimal(25_000_000), Decimal(50_000_000), 250, 3)}


class ReliefParameters(Parameters):
    size: str = Field(description="input table with the company's one row: balance_sheet_eur, net_turnover_eur, "
                                  "employees (average over the financial year)")
    estimates: str = Field(description="input table of estimated emissions of what the inventory leaves out: "
                                       "category, estimated_kg (the exclusion estimates of scope3.coverage_threshold)")


def _names(column: str) -> str:
    """SQL: a Scope 3 category's number and name, as the reports write it."""
    names = {n: "category {} ({})".format(n, t(f"cat.{n}", lang="en")) for n in range(1, 17)}
    cases = " ".join(f"WHEN {n} THEN {literal(name)}" for n, name in names.items())
    return f"CASE {column} {cases} ELSE 'category ' || CAST({column} AS VARCHAR) END"


def _eligibility(ctx: CalcContext, p: ReliefParameters) -> str:
    """SQL of one row: why the company may not claim the relief (NULL where it may)."""
    balance, turnover, employees, article = LIMITS[ctx.policies.get(SIZE_CLASS) or "small"]
    size, cited = ctx.input_table(p.size), DIRECTIVE.format(article=article)
    exceeded = (f"(CASE WHEN balance_sheet_eur > {literal(balance)} THEN 1 ELSE 0 END + CASE WHEN net_turnover_eur > "
                f"{literal(turnover)} THEN 1 ELSE 0 END + CASE WHEN employees > {employees} THEN 1 ELSE 0 END)")
    described = (f"'balance sheet EUR ' || CAST(balance_sheet_eur AS VARCHAR) || ' (limit {balance:,}), net turnover "
                 f"EUR ' || CAST(net_turnover_eur AS VARCHAR) || ' (limit {turnover:,}), ' || CAST(employees AS VARCHAR) "
                 f"|| ' employees (limit {employees})'")
    return f"""
SELECT CASE WHEN count(*) = 0 THEN {literal(f'the relief ({OPTION}) needs the company size: the input {p.size} has no valid row (balance_sheet_eur, net_turnover_eur, employees)')}
            WHEN count(*) > 1 THEN 'the relief ({OPTION}) is judged on the reporting company''s one row: the input {p.size} has ' || CAST(count(*) AS VARCHAR) || ' rows'
            WHEN max({exceeded}) >= 2 THEN 'the relief ({OPTION}) is refused: the company is not a ' || {literal(ctx.policies.get(SIZE_CLASS) or 'small')}
                 || ' undertaking: ' || any_value({described}) || ', ' || CAST(max({exceeded}) AS VARCHAR)
                 || ' of the 3 limits exceeded, at most 1 may be ({cited})'
       END AS refused
FROM {size}"""


def compile_relevance_relief(ctx: CalcContext) -> CalcPlan:
    p: ReliefParameters = ctx.parameters
    estimates = ctx.input_table(p.estimates)
    checked = ctx.view("relief", f"""
SELECT s._row_id, s.category, s.justification, e.refused, x.kg, x.rows
FROM {ctx.src} s CROSS JOIN ({_eligibility(ctx, p)}) e
LEFT JOIN (SELECT category, sum(estimated_kg) AS kg, count(*) AS rows FROM {estimates} GROUP BY category) x
       ON x.category = s.category""")
    justified = "nullif(trim(justification), '') IS NOT NULL"
    rejects = (f"SELECT _row_id AS row_id, coalesce(refused, {_names('category')} || ' is left out under the relief "
               f"without a justification (column justification): state why it is not among the most relevant') "
               f"AS reason FROM {checked} WHERE refused IS NOT NULL OR NOT {justified}")
    magnitude = (f"CASE WHEN kg IS NULL THEN 'its size is not estimated' ELSE 'estimated ' || "
                 f"CAST(CAST(round(kg / 1000, 3) AS DECIMAL(38,3)) AS VARCHAR) || ' t CO2e (' || {literal(p.estimates)} "
                 f"|| ', ' || CAST(rows AS VARCHAR) || ' row' || CASE WHEN rows = 1 THEN '' ELSE 's' END || ')' END")
    excluded = (f"SELECT _row_id AS row_id, {_names('category')} || ' not reported under the small-company relief "
                f"({OPTION}): ' || trim(justification) || '; ' || {magnitude} AS reason "
                f"FROM {checked} WHERE refused IS NULL AND {justified}")
    ledger = ("SELECT " + ", ".join(f"CAST(NULL AS {kind}) AS {ident(name)}" for name, kind in CALC_LEDGER_COLUMNS.items())
              + " WHERE FALSE")
    return CalcPlan(ledger=ledger, rejects=rejects, excluded=excluded)


RELEVANCE_RELIEF = Calculator(
    name="relevance_relief",
    doc="A Scope 3 category the company's relevance assessment leaves out under the small-company relief: "
        "excluded with its justification and estimated size, or rejected (no justification; the company is not "
        "small). Computes no emissions.",
    parameters=ReliefParameters, compile=compile_relevance_relief, required_columns=("category", "justification"),
    factor_parameters=(), table_parameters=("size", "estimates"), reads_policies=(SIZE_CLASS,), data_type="secondary",
    methods=(("none: a category left out is excluded, with no ledger row", "secondary"),))


def _conflicts(ctx) -> str:
    """Categories the assessment leaves out that rules compute: (category, ledger rows, kg)."""
    relevance = ctx.inputs.get("scope3_relevance")
    if not ctx.policies.get(OPTION) or relevance is None:
        return "SELECT NULL AS category, 0 AS rows, 0 AS kg WHERE FALSE"
    return (f"SELECT l.category, count(*) AS rows, sum(l.co2e_kg * l.boundary_weight) AS kg FROM {ctx.ledger} l "
            f"WHERE l.scope = 3 AND l.category IN (SELECT category FROM {relevance} WHERE NOT relevant) "
            f"GROUP BY l.category")


def relief_conflicts(ctx) -> str:
    return f"SELECT count(*) FROM ({_conflicts(ctx)})"


def relief_conflict_findings(ctx) -> str:
    return (f"SELECT {_names('category')} || ' is left out under the small-company relief (scope3_relevance) but its "
            f"rules compute ' || CAST(rows AS VARCHAR) || CASE WHEN rows = 1 THEN ' ledger row, ' ELSE ' ledger rows, ' "
            f"END || CAST(CAST(round(kg / 1000, 3) AS DECIMAL(38,3)) AS VARCHAR) || ' t CO2e: mark it relevant, or leave "
            f"its data out' "
            f"FROM ({_conflicts(ctx)}) ORDER BY category")


FUNCTIONS = [ExpressionFunction("relief_conflicts", "the number of Scope 3 categories the relevance assessment "
                                "(input scope3_relevance) leaves out under the small-company relief that rules "
                                "nevertheless compute; names each", relief_conflicts, (),
                                findings=relief_conflict_findings)]
