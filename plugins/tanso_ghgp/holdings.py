"""The group as a tree of holdings (GHG Protocol Corporate Standard, rev. 2004, chapter 3).

Each row of the entities table says how its `parent` holds the entity (an empty parent: the reporting
company holds it directly): the parent's equity share and whether the parent has financial control,
operational control or joint financial control of it. Its category of holding is declared in the
`holding` column or derived from those columns (see `derived_holding`). The Corporate Standard's Table 1
(ch. 3, "Financial accounting categories") then gives each level its share under each approach, and an
entity's share in the inventory is the product of the shares of every level from the top down: a 60 %
subsidiary's 50 % venture is 30 % under equity share, and 50 % under financial control, where the
subsidiary counts 100 % (the standard's Holland Industries example, ch. 3, Table 2). Control is thus
decided level by level: an entity held through an associate is outside a control boundary whatever
its own flags say.

One recursive query walks every entity's chain of parents up to the top; no Python loop over rows.
"""

from __future__ import annotations


from tanso.frozen import frozen
from tanso.plan.sql import ident

CS_2004 = "GHG Protocol Corporate Standard (rev. 2004), ch. 3, Table 1"

# Categories of holding, Corporate Standard ch. 3, Table 1 (the two subsidiary rows split by ownership).
HOLDINGS: dict[str, str] = {
    "wholly_owned_subsidiary": "a wholly owned subsidiary",
    "partly_owned_subsidiary": "a partly owned subsidiary",
    "associate": "an associate (significant influence, no financial control)",
    "joint_venture": "a joint venture with joint financial control",
    "non_incorporated_jv": "a non-incorporated joint venture or partnership with joint financial control",
    "fixed_asset_investment": "a fixed-asset investment (neither significant influence nor financial control)",
}

# IAS 28 (Investments in Associates and Joint Ventures), para. 5: holding 20 % or more presumes
# significant influence. Used only to derive a category the entities table does not declare.
SIGNIFICANT_INFLUENCE = "0.2"


@frozen
class Columns:
    """Names of the entities table's optional columns (None: the table has no such column)."""

    parent: str | None
    holding: str | None
    joint_financial_control: str | None


def _column(name: str | None, default: str) -> str:
    return f"t.{ident(name)}" if name else default


def derived_holding(columns: Columns) -> str:
    """SQL: the declared category, else one derived from the row's flags and share."""
    share = "coalesce(t.equity_share, 0)"
    joint = _column(columns.joint_financial_control, "FALSE")
    derived = (f"CASE WHEN coalesce(t.financial_control, FALSE) THEN CASE WHEN {share} = 1 THEN "
               f"'wholly_owned_subsidiary' ELSE 'partly_owned_subsidiary' END "
               f"WHEN coalesce({joint}, FALSE) THEN 'joint_venture' "
               f"WHEN {share} >= {SIGNIFICANT_INFLUENCE} THEN 'associate' ELSE 'fixed_asset_investment' END")
    declared = _column(columns.holding, "NULL")
    return f"coalesce(CAST({declared} AS VARCHAR), {derived})"


def level_share(approach: str, joint_venture_equity_accounted: bool = False) -> str:
    """SQL over a level (`holding`, `share`, `operational_control`): its share under the approach.

    Table 1: under equity share every category counts at its equity share except fixed-asset
    investments (0 %); under financial control subsidiaries count 100 %, joint ventures with joint
    financial control at their equity share, associates and fixed-asset investments 0 %. Operational
    control counts 100 % of what the holder operates, whatever the category (ch. 3). With
    `joint_venture_equity_accounted` (financial control as in the financial statements, IFRS 11
    para. 24) an incorporated joint venture is equity-accounted, hence not consolidated; a
    non-incorporated one (a joint operation, IFRS 11 para. 20) stays proportional."""
    if approach == "equity_share":
        return "CASE WHEN holding = 'fixed_asset_investment' THEN 0 ELSE share END"
    if approach == "operational_control":
        return "CASE WHEN coalesce(operational_control, FALSE) THEN 1 ELSE 0 END"
    joint = "0" if joint_venture_equity_accounted else "share"
    return (f"CASE WHEN holding IN ('wholly_owned_subsidiary', 'partly_owned_subsidiary') THEN 1 "
            f"WHEN holding = 'joint_venture' THEN {joint} WHEN holding = 'non_incorporated_jv' THEN share ELSE 0 END")


def inconsistent(columns: Columns) -> str:
    """SQL over an entities row: why its declared category contradicts its other columns, else NULL."""
    if columns.holding is None:
        return "NULL"
    declared, share = f"t.{ident(columns.holding)}", "coalesce(t.equity_share, 0)"
    control = "coalesce(t.financial_control, FALSE)"
    joint = _column(columns.joint_financial_control, "NULL")
    return (f"CASE WHEN {declared} = 'wholly_owned_subsidiary' AND {share} <> 1 THEN 'a wholly owned subsidiary needs equity_share 1' "
            f"WHEN {declared} = 'partly_owned_subsidiary' AND {share} >= 1 THEN 'a partly owned subsidiary needs equity_share below 1' "
            f"WHEN {declared} IN ('wholly_owned_subsidiary', 'partly_owned_subsidiary') AND t.financial_control = FALSE "
            f"THEN 'a subsidiary is financially controlled, but financial_control is false' "
            f"WHEN {declared} IN ('associate', 'joint_venture', 'non_incorporated_jv', 'fixed_asset_investment') AND {control} "
            f"THEN 'financial_control is true, so it is a subsidiary' "
            f"WHEN {declared} IN ('joint_venture', 'non_incorporated_jv') AND {joint} = FALSE "
            f"THEN 'a joint venture has joint financial control, but the column says false' END")


def tree_sql(table: str, columns: Columns, approach: str, joint_venture_equity_accounted: bool = False) -> str:
    """Per entity: `entity, _row, holding, share` (its own level), `weight` (the product of the
    levels' shares under the approach, top down), `path` (entities from the top down to it), `zero_at`
    (the level nearest to it whose share is 0, or NULL), `problem` (a cycle or an unknown parent, else
    NULL) and `missing` (the ancestor, or parent, that is not a valid row: no row, or its row was
    rejected; NULL for a cycle). DECIMAL(38,30) keeps a product of five 6-decimal shares exact."""
    parent = f"CAST({_column(columns.parent, 'NULL')} AS VARCHAR)"
    levels = (f"SELECT CAST(t.entity AS VARCHAR) AS entity, t._row, {parent} AS parent, {derived_holding(columns)} AS holding, "
              f"CAST(coalesce(t.equity_share, 0) AS DECIMAL(18,6)) AS share, t.operational_control FROM {table} t")
    own = level_share(approach, joint_venture_equity_accounted)
    return f"""
WITH RECURSIVE levels AS (SELECT *, CAST({own} AS DECIMAL(18,6)) AS own FROM ({levels})),
up(entity, next, path, weight, zero_at) AS (
  SELECT entity, parent, [entity], CAST(own AS DECIMAL(38,30)), CASE WHEN own = 0 THEN entity END FROM levels
  UNION ALL
  SELECT u.entity, p.parent, list_prepend(p.entity, u.path), CAST(u.weight * p.own AS DECIMAL(38,30)),
         coalesce(u.zero_at, CASE WHEN p.own = 0 THEN p.entity END)
  FROM up u JOIN levels p ON p.entity = u.next WHERE NOT list_contains(u.path, p.entity))
SELECT l.entity, l._row, l.parent, l.holding, l.share, u.weight, u.path, u.zero_at,
       CASE WHEN u.next IS NOT NULL AND NOT list_contains(u.path, u.next) THEN u.next END AS missing,
       CASE WHEN u.next IS NULL THEN NULL
            WHEN list_contains(u.path, u.next) THEN CASE WHEN u.next = l.entity THEN 'its parents form a cycle: '
                 ELSE 'it is held through a cycle: ' END || array_to_string(list_prepend(u.next, u.path), ' > ')
            WHEN u.next = l.parent THEN 'its parent ''' || u.next || ''' is not a valid row of the entities table (no row, or its row was rejected)'
            ELSE 'it is held through ''' || u.path[1] || ''', whose parent ''' || u.next || ''' is not a valid row of the entities table (no row, or its row was rejected)' END AS problem
FROM levels l JOIN up u ON u.entity = l.entity
WHERE u.next IS NULL OR list_contains(u.path, u.next) OR u.next NOT IN (SELECT entity FROM levels)"""
