"""Shares of emissions by data-quality level, and the primary-data share, per scope and category.

Relational over the run's `run_groups` (the ledger summed by rule, method, data type and level): the
Scope 3 revision asks each category's emissions disaggregated by data type in levels (progress update
A1, 31 Mar 2026); the primary share is what levels 3 and 4 (supplier-specific, measured) carry.
"""

from __future__ import annotations

from decimal import Decimal

from tanso.contracts import ExpressionFunction
from tanso.i18n import register
from tanso.plan.sql import literal
from tanso.reasons import reason_sql
from tanso_ghgp.data_quality import PRIMARY_LEVELS

SHARE = Decimal("0.001")
# The checks' findings and notes, by code (tanso.reasons): stored in English, said in the run's language.
register({
    "reason.primary_share": {"en": "category {category}: primary data {share}% of its emissions",
                             "ja": "カテゴリ{category}：一次データが排出量の {share}%"},
    "reason.primary_share_below": {"en": "category {category}: primary data {share}% of its emissions, below the "
                                         "minimum {minimum}",
                                   "ja": "カテゴリ{category}：一次データが排出量の {share}%、最低値 {minimum} を下回る"},
})


def level_shares(con, groups: str) -> list[dict]:
    """(scope, category, basis, level, kg, share of the line's emissions, primary share of the line)."""
    primary = ", ".join(literal(level) for level in PRIMARY_LEVELS)
    cursor = con.execute(f"""
WITH lines AS (SELECT scope, category, basis, coalesce(data_quality, 'unstated') AS level, sum(co2e_kg) AS kg
               FROM {groups} GROUP BY ALL)
SELECT scope, category, basis, level, kg,
       CASE WHEN sum(kg) OVER w <> 0 THEN kg / sum(kg) OVER w END AS share,
       CASE WHEN sum(kg) OVER w <> 0 THEN sum(CASE WHEN level IN ({primary}) THEN kg ELSE 0 END) OVER w
            / sum(kg) OVER w END AS primary_share
FROM lines WINDOW w AS (PARTITION BY scope, category, basis)
ORDER BY scope, category NULLS FIRST, basis NULLS FIRST, level""")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def percent(share: Decimal | None) -> str:
    return "—" if share is None else f"{(Decimal(share) * 100).quantize(Decimal('0.1'))}%"


def _category_shares(ctx) -> str:
    """Each Scope 3 category's primary share of its emissions (location basis), from the run's ledger."""
    primary = ", ".join(literal(level) for level in PRIMARY_LEVELS)
    # The quotient (a double in DuckDB) kept to 6 decimals: an exact decimal to compare with the minimum.
    return (f"SELECT category, CAST(round(coalesce(sum(co2e_kg * boundary_weight) FILTER (WHERE data_quality IN "
            f"({primary})), 0) / sum(co2e_kg * boundary_weight), 6) AS DECIMAL(7,6)) AS share FROM {ctx.ledger} "
            f"WHERE scope = 3 AND coalesce(basis, 'location') = 'location' GROUP BY category "
            f"HAVING sum(co2e_kg * boundary_weight) <> 0")


def lowest_primary_share(ctx) -> str:
    """The lowest primary-data share of any Scope 3 category with emissions (a share of 0 to 1)."""
    return f"SELECT min(share) FROM ({_category_shares(ctx)})"


MINIMUM = "scope3.min_primary_share"


def _listing(ctx, below: bool) -> str:
    """Each category and its primary share, lowest first; with `below`, those under the minimum (the check's
    failures, naming the minimum), else the others (information: all of them while no minimum is set)."""
    minimum = ctx.policies.get(MINIMUM)
    if minimum is None and below:
        return "SELECT NULL WHERE FALSE"
    condition = "TRUE" if minimum is None else f"share {'<' if below else '>='} {literal(Decimal(minimum))}"
    said = {"category": "category", "share": "CAST(CAST(round(share * 100, 1) AS DECIMAL(4,1)) AS VARCHAR)"}
    text = (reason_sql("primary_share_below", **said, minimum=literal(percent(Decimal(minimum)))) if below
            else reason_sql("primary_share", **said))
    return f"SELECT {text} FROM ({_category_shares(ctx)}) WHERE {condition} ORDER BY share, category"


def primary_share_findings(ctx) -> str:
    """The categories below `scope3.min_primary_share`: what a failed check is about."""
    return _listing(ctx, below=True)


def primary_share_notes(ctx) -> str:
    """The other categories' shares: information, never a flag."""
    return _listing(ctx, below=False)


FUNCTIONS = [ExpressionFunction("lowest_primary_share", "the lowest share of primary data (levels 3 and 4) of any "
                                "Scope 3 category with emissions, location basis; flags each category below "
                                "scope3.min_primary_share and lists the others' shares as information",
                                lowest_primary_share, (), findings=primary_share_findings, notes=primary_share_notes)]
