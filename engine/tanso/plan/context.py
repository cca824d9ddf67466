"""What a calculator sees while compiling one rule: its parameters, the policy values, the name
of its input relation, factor tables, and helpers that register small plan-time tables.

Calculators never see rows. Plan-time queries here touch only distinct values (units, keys) and
factor tables, which are small.
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import TYPE_CHECKING, Any, Callable

from tanso.contracts import Parameters
from tanso.frozen import frozen, mutable
from tanso.plan.sql import arithmetic, float_as_decimal, fraction, ident

if TYPE_CHECKING:   # pyarrow is imported where tables are built, not by `tanso check`
    import pyarrow as pa

LEDGER_SCALE = 18  # decimals of a kg in the ledger's amount and co2e_kg (contracts.CALC_LEDGER_COLUMNS)


@frozen
class FactorTable:
    """A loaded factor set: `relation` holds its rows; provenance for the ledger and manifest."""

    name: str
    relation: str
    columns: tuple[str, ...]
    version: str
    publisher: str
    edition: str
    licence: str
    source_file: str
    # What plan-time queries found in `relation` (its gases, whether a match is unique): its rows do not
    # change once loaded, so the rules that share a factor set ask once per session, not once per rule.
    facts: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@mutable
class CalcContext:
    rule_id: str
    calculator: str
    parameters: Parameters
    policies: dict[str, Any]
    src: str                                   # relation with the rule's rows
    columns: dict[str, str]                    # the rows' columns → declared type (text, decimal, …)
    query: Callable[[str], list[tuple]]        # run a small plan-time query
    register: Callable[[str, pa.Table], str]   # register an Arrow table; returns its relation name
    factor_table: Callable[[str], FactorTable]
    input_table: Callable[[str], str]          # an input table named by a parameter → relation of valid rows
    # Runs `CREATE OR REPLACE VIEW|TABLE … AS …` on the run's backend; None: through `query` (DuckDB alone).
    define: Callable[[str], None] | None = None
    passthrough_columns: tuple[str, ...] = field(default=("entity", "period"))
    # The run's entity weights (entity, weight, reason), or None without a boundary: for a calculator that
    # finds a row's entity itself (through a mapping table), which the engine could not weight beforehand.
    entity_weights: Callable[[], str | None] = field(default=lambda: None)
    precision: list[dict] = field(default_factory=list)  # effective-factor precision, for the manifest
    # A plan-time query whose rows are many (the factor rows a rule matches): its result as an Arrow table, with
    # no Python object per value. The planner sets it; factor_product needs it.
    query_arrow: Callable[[str], pa.Table] | None = None
    # A ledger-only plan, summed once per scenario of a comparison: see `rows`.
    ledger_only: bool = False
    # src's rows without their boundary weight, a view defined when first asked for (None: src's own rows carry
    # it, as derived rows do), and the SQL giving a relation of such rows their weight back: a table computed from
    # them that reads no weight is keyed by which entities the boundary includes, not by their weights
    # (run/reuse.py), so a comparison computes it once for boundaries that weigh the same entities differently.
    # See `boundary_rows` and `weighted`.
    unweighted_src: Callable[[], str] | None = None
    weigh: Callable[[str], str] | None = None

    def record_precision(self, entry: dict) -> None:
        """Note the scale and the rounded effective factors of a factor product (see factor_product)."""
        self.precision.append(entry)

    @property
    def float_columns(self) -> frozenset[str]:
        return frozenset(name for name, kind in self.columns.items() if kind == "float")

    def _arithmetic(self, value, alias: str) -> str:
        return arithmetic(value, alias, self.policies, self.float_columns)

    def value_sql(self, value, alias: str, scale: int = 6) -> str:
        """SQL for a ColumnExpression parameter. A column is used as it is (a `float` column as the
        decimal it prints, rounded half-even to `scale` places); an expression is exact for + - × and
        rounded half-even to `scale` decimals (division is the one inexact step)."""
        if isinstance(value, str):
            column = f"{alias}.{ident(value)}"
            return float_as_decimal(column, scale) if value in self.float_columns else column
        # try(): an expression beyond DECIMAL(18,scale) in a row is NULL there (a reject), never a run abort.
        return f"try(CAST(round_even({self._arithmetic(value, alias)}, {scale}) AS DECIMAL(18,{scale})))"

    def product_operand_sql(self, value, alias: str) -> str:
        """The value `product_sql` multiplies by the factor: the quantity, or a share's numerator."""
        numerator, denominator = (value, None) if isinstance(value, str) else fraction(value)
        if denominator is None:
            return self.value_sql(value, alias)
        return f"CAST(round_even({self._arithmetic(numerator, alias)}, 6) AS DECIMAL(38,6))"

    def product_sql(self, value, alias: str, factor: str, factor_rest: str | None = None) -> str:
        """`value × factor` for a ColumnExpression value. Where the value divides (a share such as
        `area / building_area`), the division is done last, (a × factor) ÷ b, so its one rounding (half-even,
        6 places) is not multiplied by the factor. `factor_rest` is what a factor has past 12 decimals (see
        factor_product): its product is rounded half-even to the ledger's 18 decimals and added."""
        numerator, denominator = (value, None) if isinstance(value, str) else fraction(value)
        if denominator is None:
            return _with_rest(self.value_sql(value, alias), factor, factor_rest)
        wide = f"CAST(round_even({self._arithmetic(numerator, alias)}, 6) AS DECIMAL(38,6))"
        return (f"CAST(tanso_divide({_with_rest(wide, factor, factor_rest)}, "
                f"{self._arithmetic(denominator, alias)}) AS DECIMAL(38,18))")

    def view(self, name: str, sql: str) -> str:
        """Register an intermediate relation of this rule's plan (e.g. rows split by instrument)."""
        relation = f"{self.rule_id}__{name}"
        self._define(f"CREATE OR REPLACE VIEW {relation} AS {sql}")
        return relation

    def table(self, name: str, sql: str) -> str:
        """Materialise a relation the plan reads more than once: a small one every row joins (e.g.
        effective factors), or rows that several later steps read (e.g. an allocation), so that its
        work is done once instead of once per reader."""
        relation = f"{self.rule_id}__{name}"
        self._define(f"CREATE OR REPLACE TABLE {relation} AS {sql}")
        return relation

    def rows(self, name: str, sql: str) -> str:
        """The rule's rows as several later steps read them (e.g. with their kWh, or what certificates leave):
        a view in a run, whose ledger parts and rejects read them once each (a table would hold every column
        of every row); a table in a comparison's scenarios, where the same rows are summed under many
        combinations of options and a table is computed once per content and shared (run/reuse.py)."""
        return self.table(name, sql) if self.ledger_only else self.view(name, sql)

    def _define(self, statement: str) -> None:
        if self.define is None:
            self.query(statement)
        else:
            self.define(statement)

    def boundary_rows(self) -> str:
        """The rule's rows (src's), without their boundary weight where the planner can leave it out."""
        return self.unweighted_src() if self.unweighted_src is not None else self.src

    def weighted(self, relation: str) -> str:
        """SQL of `relation`'s rows (some of `boundary_rows`'s, with columns added) with their boundary weight."""
        if self.unweighted_src is None or self.weigh is None:
            return f"SELECT * FROM {relation}"
        return self.weigh(relation)

    def with_source(self, src: str, unweighted: str | None = None) -> "CalcContext":
        """The same context over other rows, for calculators that chain building blocks; `unweighted`: the same
        rows without their boundary weight (see `boundary_rows`)."""
        return replace(self, src=src, rule_id=f"{self.rule_id}_{src.rsplit('__', 1)[-1]}",
                       unweighted_src=None if unweighted is None else lambda: unweighted)

    def passthrough(self, alias: str) -> str:
        """Lineage columns every ledger row carries, selected from the rule's rows."""
        parts = [f"{alias}._row_id AS row_id", f"{alias}._row AS input_row",
                 f"{alias}._boundary_weight AS boundary_weight"]
        for name in self.passthrough_columns:
            parts.append(f"{alias}.{ident(name)} AS {ident(name)}" if name in self.columns
                         else f"CAST(NULL AS VARCHAR) AS {ident(name)}")
        return ", ".join(parts)


def _with_rest(value: str, factor: str, factor_rest: str | None) -> str:
    product = f"{value} * {factor}"
    if factor_rest is None:
        return product
    return f"({product} + CAST(round_even({value} * {factor_rest}, {LEDGER_SCALE}) AS DECIMAL(38,{LEDGER_SCALE})))"


@mutable
class BoundaryContext:
    parameters: Parameters
    policies: dict[str, Any]
    tables: dict[str, str]                     # table parameter → relation with its valid rows
    query: Callable[[str], list[tuple]]
    files: dict[str, str] = field(default_factory=dict)   # table parameter → its file's name, for messages


@mutable
class FunctionContext:
    """What an expression function sees: its arguments and the run's relations."""

    arguments: dict[str, Any]
    positional: list[Any]
    ledger: str                                # relation of the run's ledger
    inputs: dict[str, str]                     # input table name → relation
    rules: dict[str, tuple[int | None, int | None]]  # rule id → (scope, category)
    rule_tables: dict[str, str] = field(default_factory=dict)   # rule id → the input table its rows come from
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)   # input table → its declared columns
    # (input table, SQL of an input row number) → SQL text naming its file and row
    place: Callable[[str, str], str] = field(default=lambda table, row: f"'{table} row ' || CAST({row} AS VARCHAR)")
    # The run's entity weights (entity, weight, reason; weight NULL: refused), None without a boundary.
    boundary: str | None = None
    # The run's option values: for findings that name the threshold they compare with
    policies: dict[str, Any] = field(default_factory=dict)
