"""The resolved ruleset: layers composed, names bound, policy values typed. Immutable.

A ruleset that `extends` another is an overlay: it can add, replace (`replace rule`) or `remove`
items by id and change any policy, and it yields a new `Ruleset`; the base is never modified
(OpenFisca reforms, as data).

Plain frozen dataclasses, not pydantic models: their fields are built by `tanso.model.bind` from values it has
already checked, so validating them again bought nothing, and building their pydantic schemas (which walk
every syntax-tree class) was a tenth of `tanso check`'s time. `dataclasses.replace` derives a changed copy.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tanso.dsl import ast
from tanso.frozen import frozen


@frozen
class PolicyValue:
    name: str
    value: Any
    provenance: ast.Provenance
    layer: str            # the ruleset (or "default", or "command line") that chose the value
    span: ast.Span | None


@frozen
class CalcStep:
    """One calculator call of a rule; a `first_of` chain has several, tried in order."""

    calculator: str
    parameters: Any       # the calculator's validated `Parameters` instance
    span: ast.Span


@frozen
class BoundaryStep:
    method: str
    parameters: Any
    span: ast.Span
    layer: str


@frozen
class Rule:
    node: ast.Rule
    steps: tuple[CalcStep, ...]
    layer: str

    @property
    def id(self) -> str:
        return self.node.id


@frozen
class Item:
    """An exclusion, metric or check, with the layer that last defined it."""

    node: Any
    layer: str


@frozen
class Arguments:
    """What a ruleset was loaded from, as given: its path, its overlays' and the `--set` values (`name=value`), which
    a run folder records (`invocation`) so that the run can be re-performed."""

    path: Path
    overlays: tuple[Path, ...] = ()
    sets: tuple[str, ...] = ()


@frozen
class Ruleset:
    name: str
    title: str | None
    status: str | None
    source: str | None
    as_of: str | None
    layers: tuple[str, ...]                       # base first, then each overlay in applied order
    files: tuple[str, ...]                        # every source file, for the manifest's hashes
    policies: dict[str, PolicyValue]
    inputs: dict[str, ast.InputTable]
    factor_sets: dict[str, ast.FactorSetDecl]
    rules: dict[str, Rule]
    exclusions: dict[str, Item]
    metrics: dict[str, Item]
    checks: dict[str, Item]
    boundary: BoundaryStep | None = None
    # Stated tolerances for rejected rows (`accept rejects TARGET up to …`), by target: a rule id or an
    # input table (rows refused while reading it).
    accepts: dict[str, Item] = field(default_factory=dict)
    # The sign-offs a run needs before it is final (`require approvals …`): an Item of ast.RequireApprovals.
    approvals: Item | None = None
    # Each of `files` → its name relative to the ruleset's root (`tanso.model.sources`): what runs record.
    cited: dict[str, str] = field(default_factory=dict)
    # `period 2025-04-01 to 2026-03-31`: the days the inventory covers; rows of an input's `period` column
    # outside them are excluded, across a boundary rejected (tanso.run.reporting_period)
    period: ast.ReportingPeriod | None = None
    loaded_from: Arguments | None = None   # None: composed in memory (a comparison's scenario keeps its base's)

    def cite(self, span: ast.Span, *, column: bool = False) -> str:
        """`file:line` (`:column`) as a run records it: the file named relative to the ruleset's root, so the
        ledger and digest are the same from any working folder (diagnostics keep the working folder's path)."""
        place = f"{self.cited.get(span.file, span.file)}:{span.line}"
        return f"{place}:{span.column}" if column else place

    def as_given(self, citation: str) -> str:
        """A `cite` citation with its file named as given (relative to the working folder): what a terminal shows,
        so that it can be opened from there. Any other text is returned as it is."""
        file, colon, rest = citation.partition(":")
        given = next((name for name, cited in self.cited.items() if cited == file), None)
        return f"{given}{colon}{rest}" if given is not None else citation

    def policy(self, name: str) -> Any:
        return self.policies[name].value

    def columns_of(self, table: str) -> dict[str, ast.Column]:
        return {c.name: c for c in self.inputs[table].columns}


def lookup_columns(inputs: dict[str, ast.InputTable], source: ast.Source) -> dict[str, str]:
    """Name → type of the columns a source's lookups add: each mapping table's columns but its key."""
    added: dict[str, str] = {}
    for lookup in source.lookups:
        mapping = inputs.get(lookup.table)
        if mapping is not None:
            added |= {c.name: c.type_name for c in mapping.columns if c.name != mapping.key}
    return added


def literal_value(expr: ast.Expr) -> Any:
    """The Python value of a constant expression (names read as their text)."""
    if isinstance(expr, ast.Literal):
        return expr.value
    if isinstance(expr, ast.Name):
        return expr.dotted
    if isinstance(expr, ast.ListExpr):
        return [literal_value(item) for item in expr.items]
    if isinstance(expr, ast.UnaryOp) and expr.operator == "-":
        inner = literal_value(expr.operand)
        if isinstance(inner, Decimal):
            return -inner
    raise ValueError("not a constant")
