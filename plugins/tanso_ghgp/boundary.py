"""Organisational boundary (GHG Protocol Corporate Standard 2004, chapter 3).

Under the equity share approach an entity counts at its equity share; under a control approach it
counts 100% if the company has (financial / operational) control and 0% otherwise. The entities
table has `entity, equity_share, financial_control, operational_control`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tanso.contracts import BoundaryMethod, Parameters
from tanso.plan.context import BoundaryContext

APPROACHES = ("equity_share", "financial_control", "operational_control")
Approach = Literal["equity_share", "financial_control", "operational_control"]


class ConsolidationParameters(Parameters):
    entities: str = Field(description="input table with one row per entity")


def compile_consolidation(ctx: BoundaryContext) -> str:
    approach = ctx.policies["boundary.approach"]
    table = ctx.tables["entities"]
    if approach == "equity_share":
        return (f"SELECT entity, equity_share AS weight, CASE WHEN coalesce(equity_share, 0) = 0 THEN "
                f"'no equity share in ' || entity || ' (boundary.approach = equity_share)' END AS reason FROM {table}")
    column = approach  # financial_control / operational_control: a boolean column of the same name
    return (f"SELECT entity, CASE WHEN {column} THEN 1 ELSE 0 END AS weight, CASE WHEN NOT coalesce({column}, FALSE) "
            f"THEN entity || ' is not under {column.replace('_', ' ')} (boundary.approach = {approach})' END AS reason "
            f"FROM {table}")


BOUNDARY_METHODS = [
    BoundaryMethod(name="consolidation", doc="Weights entities by the `boundary.approach` policy.",
                   parameters=ConsolidationParameters, compile=compile_consolidation,
                   reads_policies=("boundary.approach",)),
]
