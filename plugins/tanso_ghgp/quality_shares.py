"""Shares of emissions by data-quality level, and the primary-data share, per scope and category.

Relational over the run's `run_groups` (the ledger summed by rule, method, data type and level): the
Scope 3 revision asks each category's emissions disaggregated by data type in levels (progress update
A1, 31 Mar 2026); the primary share is what levels 3 and 4 (supplier-specific, measured) carry.
"""

from __future__ import annotations

from decimal import Decimal

from tanso.plan.sql import literal
from tanso_ghgp.data_quality import PRIMARY_LEVELS

SHARE = Decimal("0.001")


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
