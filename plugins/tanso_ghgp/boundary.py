"""Organisational boundary (GHG Protocol Corporate Standard 2004, chapter 3).

Under the equity share approach an entity counts at its equity share; under a control approach it
counts 100% if the company has (financial / operational) control and 0% otherwise, except that under
financial control a joint venture whose financial control the company shares counts at its equity
share (2004, ch. 3, "joint financial control"). The entities table has `entity, equity_share,
financial_control, operational_control` and, optionally, the column named by `joint_financial_control`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tanso.contracts import BoundaryMethod, Parameters
from tanso.diagnostics import InputError
from tanso.plan.context import BoundaryContext
from tanso.plan.sql import ident

APPROACHES = ("equity_share", "financial_control", "operational_control")
Approach = Literal["equity_share", "financial_control", "operational_control"]


class ConsolidationParameters(Parameters):
    entities: str = Field(description="input table with one row per entity")
    joint_financial_control: str | None = Field(
        default=None, description="boolean column of the entities table: financial control is shared (a joint "
                                  "venture); under financial control the entity then counts at its equity share")


def compile_consolidation(ctx: BoundaryContext) -> str:
    approach = ctx.policies["boundary.approach"]
    table = ctx.tables["entities"]
    if approach == "equity_share":
        return (f"SELECT entity, equity_share AS weight, CASE WHEN coalesce(equity_share, 0) = 0 THEN "
                f"'no equity share in ' || entity || ' (boundary.approach = equity_share)' END AS reason FROM {table}")
    column = approach  # financial_control / operational_control: a boolean column of the same name
    joint = ctx.parameters.joint_financial_control
    if joint is not None and joint not in {row[0] for row in ctx.query(f"SELECT column_name FROM (DESCRIBE {table})")}:
        raise InputError(f"boundary consolidation: the entities table has no column '{joint}' "
                         f"(parameter joint_financial_control)")
    shared = (f"coalesce({ident(joint)}, FALSE) AND NOT coalesce({column}, FALSE)"
              if joint is not None and approach == "financial_control" else "FALSE")
    return (f"SELECT entity, CASE WHEN {column} THEN 1 WHEN {shared} THEN coalesce(equity_share, 0) ELSE 0 END AS weight, "
            f"CASE WHEN NOT coalesce({column}, FALSE) AND NOT ({shared}) "
            f"THEN entity || ' is not under {column.replace('_', ' ')} (boundary.approach = {approach})' "
            f"WHEN {shared} AND coalesce(equity_share, 0) = 0 THEN 'no equity share in ' || entity || "
            f"' (joint financial control)' END AS reason FROM {table}")


BOUNDARY_METHODS = [
    BoundaryMethod(name="consolidation", doc="Weights entities by the `boundary.approach` policy.",
                   parameters=ConsolidationParameters, compile=compile_consolidation,
                   reads_policies=("boundary.approach",)),
]
