"""`_Layer`: a ruleset being composed, layer by layer, before it is bound into a `Ruleset`."""

from __future__ import annotations

from dataclasses import field

from tanso.dsl import ast
from tanso.frozen import mutable
from tanso.model.ruleset import Item, PolicyValue


@mutable
class _Layer:
    """A ruleset being composed: mutable while loading, frozen into `Ruleset` at the end."""

    name: str = ""
    header: ast.Header | None = None
    period: ast.ReportingPeriod | None = None     # the last layer's that states one
    layers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    policies: dict[str, PolicyValue] = field(default_factory=dict)
    inputs: dict[str, ast.InputTable] = field(default_factory=dict)
    input_layers: dict[str, str] = field(default_factory=dict)   # input → the layer that declares it
    factor_sets: dict[str, ast.FactorSetDecl] = field(default_factory=dict)
    rules: dict[str, tuple[ast.Rule, str]] = field(default_factory=dict)
    exclusions: dict[str, Item] = field(default_factory=dict)
    metrics: dict[str, Item] = field(default_factory=dict)
    checks: dict[str, Item] = field(default_factory=dict)
    boundary: tuple[ast.Boundary, str] | None = None
    accepts: dict[str, Item] = field(default_factory=dict)
    approvals: Item | None = None

    def owner_of(self, item_id: str) -> dict | None:
        for table in (self.rules, self.exclusions, self.metrics, self.checks):
            if item_id in table:
                return table
        return None

    def all_ids(self) -> list[str]:
        return [*self.rules, *self.exclusions, *self.metrics, *self.checks]
