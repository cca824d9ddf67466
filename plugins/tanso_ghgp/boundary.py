"""Organisational boundary (GHG Protocol Corporate Standard 2004, chapter 3).

The entities table is a tree of holdings (see `holdings`): each entity's weight in the inventory is the
product, from the top down, of each level's share under `boundary.approach` as the standard's Table 1
gives it for the level's category of holding. Entities of weight 0 are outside Scope 1/2; their
equity share reaches category 15 through the calculator `investee_share` (see `investees`), which reads
the same table, so no entity is counted in both.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from tanso.contracts import BOUNDARY_WEIGHT_PLACES, BOUNDARY_WEIGHT_TYPE, BoundaryMethod, Field, Parameters
from tanso.diagnostics import InputError
from tanso.i18n import register
from tanso.plan.context import BoundaryContext
from tanso.plan.sql import ident, literal
from tanso.reasons import reason_sql
from tanso_ghgp.holdings import CS_2004, HOLDINGS, Columns, inconsistent, tree_sql

APPROACHES = ("equity_share", "financial_control", "operational_control")
Approach = Literal["equity_share", "financial_control", "operational_control"]
BASIS = "boundary.financial_control_basis"


class ConsolidationParameters(Parameters):
    entities: str = Field(description="input table with one row per entity: how its parent holds it")
    parent: str | None = Field(default=None, description="text column: the entity holding this one (empty: the "
                                                          "reporting company holds it directly)")
    holding: str | None = Field(default=None, description="text column: the category of holding (Corporate Standard "
                                                          "ch. 3, Table 1): " + ", ".join(HOLDINGS) +
                                                          "; empty: derived from the other columns")
    joint_financial_control: str | None = Field(
        default=None, description="boolean column: financial control is shared (a joint venture); under financial "
                                  "control the entity then counts at its equity share")


def columns_of(p: ConsolidationParameters) -> Columns:
    return Columns(parent=p.parent, holding=p.holding, joint_financial_control=p.joint_financial_control)


# Why an entity of weight 0 is outside Scope 1/2 (excluded.csv, by code: tanso.reasons), held directly or through
# an ancestor of weight 0 (with its category of holding, but under operational control); `standard` is the
# Corporate Standard's table (after the basis, where one applies).
_WHERE = " (boundary.approach = {approach}; {standard})"
_WHERE_JA = "（boundary.approach = {approach}；{standard}）"
_PHRASES = {"equity_share": ("0% under equity share", "出資比率基準で 0%"),
            "financial_control": ("not under financial control", "財務支配力の下にない"),
            "operational_control": ("not under operational control", "経営支配力の下にない")}
_HOLDINGS_JA = {"wholly_owned_subsidiary": "完全子会社", "partly_owned_subsidiary": "一部所有の子会社",
                "associate": "関連会社（重要な影響力あり、財務支配力なし）",
                "joint_venture": "財務支配力を共同で持つ合弁会社",
                "non_incorporated_jv": "財務支配力を共同で持つ法人格のない合弁事業またはパートナーシップ",
                "fixed_asset_investment": "固定資産投資（重要な影響力も財務支配力もない）"}


def _who(approach: str, name: str) -> tuple[str, str]:
    """An entity outside, in English and Japanese: its name, with its category of holding where the approach has one."""
    if approach == "operational_control":
        return "{" + name + "}", "{" + name + "}"
    return "{" + name + "} ({holding})", "{" + name + "}（{holding}）"


register({
    **{f"reason.boundary.{approach}": {"en": _who(approach, "entity")[0] + " is " + en + _WHERE,
                                       "ja": _who(approach, "entity")[1] + " は" + ja + _WHERE_JA}
       for approach, (en, ja) in _PHRASES.items()},
    **{f"reason.boundary.{approach}.held": {"en": "{entity} is held through " + _who(approach, "ancestor")[0]
                                                  + ", which is " + en + _WHERE,
                                            "ja": "{entity} は " + _who(approach, "ancestor")[1]
                                                  + " を通じて保有され、{ancestor} は" + ja + _WHERE_JA}
       for approach, (en, ja) in _PHRASES.items()},
    **{f"reason.holding.{key}": {"en": HOLDINGS[key], "ja": ja} for key, ja in _HOLDINGS_JA.items()},
})


def _label(holding: str) -> str:
    return "CASE " + " ".join(f"WHEN {holding} = '{k}' THEN '{v}'" for k, v in HOLDINGS.items()) + " END"


def _check(ctx: BoundaryContext, table: str, columns: Columns, tree: str) -> None:
    """Refuse a table the tree cannot be built from, naming its rows: shares outside 0..1, a declared
    category its other columns contradict, cycles, weights the ledger cannot hold. (An entity held
    through a parent that is not a valid row is not refused here: its row is rejected, see
    `compile_consolidation`.)"""
    file = ctx.files.get("entities", "the entities table")
    found = ctx.query(
        f"SELECT _row, entity, 'equity_share ' || CAST(equity_share AS VARCHAR) || ' is outside 0..1 (a share above 100% "
        f"cannot be held)' FROM {table} WHERE equity_share > 1 OR equity_share < 0 "
        f"UNION ALL SELECT t._row, t.entity, 'holding ' || t.{ident(columns.holding or 'entity')} || ': ' || ({inconsistent(columns)}) "
        f"FROM {table} t WHERE ({inconsistent(columns)}) IS NOT NULL "
        f"UNION ALL SELECT _row, entity, problem FROM ({tree}) WHERE problem IS NOT NULL AND missing IS NULL "
        f"UNION ALL SELECT _row, entity, 'its share in the inventory is ' || rtrim(CAST(weight AS VARCHAR), '0') || ' (' || "
        f"array_to_string(path, ' > ') || '), more than the {BOUNDARY_WEIGHT_PLACES} decimal places of a boundary weight' "
        f"FROM ({tree}) WHERE problem IS NULL AND weight <> round(weight, {BOUNDARY_WEIGHT_PLACES}) ORDER BY 1 LIMIT 10")
    if found:
        shown = "; ".join(f"row {row} ({entity}): {problem}" for row, entity, problem in found)
        raise InputError(f"boundary consolidation: {file}: {shown}")


def compile_consolidation(ctx: BoundaryContext) -> str:
    approach = ctx.policies["boundary.approach"]
    table, columns = ctx.tables["entities"], columns_of(ctx.parameters)
    present = {row[0] for row in ctx.query(f"SELECT column_name FROM (DESCRIBE {table})")}
    for parameter, name in (("parent", columns.parent), ("holding", columns.holding),
                            ("joint_financial_control", columns.joint_financial_control)):
        if name is not None and name not in present:
            raise InputError(f"boundary consolidation: the entities table has no column '{name}' (parameter {parameter})")
    equity_accounted = ctx.policies.get(BASIS) == "financial_statements"
    tree = tree_sql(table, columns, approach, joint_venture_equity_accounted=equity_accounted)
    _check(ctx, table, columns, tree)
    basis = f"{BASIS} = financial_statements; " if equity_accounted and approach == "financial_control" else ""
    where = {"approach": literal(approach), "standard": literal(basis + CS_2004)}
    if approach != "operational_control":
        where["holding"] = _label("z.holding")
    outside = reason_sql(f"boundary.{approach}", entity="z.entity", **where)
    held = reason_sql(f"boundary.{approach}.held", entity="t.entity", ancestor="z.entity", **where)
    # An entity held through a parent that is not a valid row (its row rejected, or none) has no place in
    # the tree: weight NULL, and the reason names that ancestor; the engine rejects its entities row and
    # its rows (tanso.contracts.BoundaryMethod), and the run completes, flagged incomplete.
    file = ctx.files.get("entities", "the entities table")
    weights = (f"SELECT t.entity, CASE WHEN t.missing IS NULL THEN CAST(t.weight AS {BOUNDARY_WEIGHT_TYPE}) END AS weight, "
               f"CASE WHEN t.missing IS NOT NULL THEN replace(t.problem, 'the entities table', {literal(file)}) "
               f"WHEN t.weight = 0 THEN CASE WHEN t.zero_at = t.entity THEN {outside} ELSE {held} END "
               f"END AS reason FROM ({tree}) t LEFT JOIN ({tree}) z ON z.entity = t.zero_at")
    # The recursive query runs once, at plan time, on the planning catalogue (DuckDB); the run reads its
    # small result like any plan-time table, on every backend (Spark has no recursive CTE to run it on).
    # Named by its SQL, which reads only the session's inputs (read once, never replaced): a table of that
    # name holds this result already (a comparison plans the boundary in each of its scenarios).
    table = f"boundary_holdings_{hashlib.sha256(weights.encode()).hexdigest()[:16]}"
    ctx.query(f"CREATE TEMP TABLE IF NOT EXISTS {table} AS {weights}")
    return f"SELECT entity, weight, reason FROM {table}"


BOUNDARY_METHODS = [
    BoundaryMethod(name="consolidation", doc="Weights entities by the `boundary.approach` policy, level by level "
                                             "along the tree of holdings (Corporate Standard ch. 3, Table 1).",
                   parameters=ConsolidationParameters, compile=compile_consolidation,
                   reads_policies=("boundary.approach", BASIS)),
]
