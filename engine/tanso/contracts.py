"""The objects plugins hand to the engine through the hooks in `tanso.hookspecs`.

Plain frozen dataclasses, and `Parameters` classes (`tanso.parameters`) where values are validated. The
engine knows these shapes, never a particular calculator or policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Union

from tanso.dsl import ast
from tanso.frozen import frozen
# Field, Parameters and ValidationError are what plugins declare their parameters with, from here.
from tanso.parameters import Custom, Field, Parameters, ValidationError  # noqa: F401

if TYPE_CHECKING:
    from tanso.plan.context import BoundaryContext, CalcContext, FunctionContext


# An entity's share in the inventory, as the ledger holds it. 38 digits of an exact product co2e_kg ×
# weight = 18 decimals of kg + 4 of the weight + 16 integer digits: sums over a large group's ledger
# (tests/test_determinism.py's reach past 10 Gt in kg) and 18-decimal factors stay in range. Seven
# places were tried and overflowed both; a weight with more places (a chain of shares whose product
# needs more) is refused by name, never rounded.
BOUNDARY_WEIGHT_PLACES = 4
BOUNDARY_WEIGHT_TYPE = f"DECIMAL({BOUNDARY_WEIGHT_PLACES + 1},{BOUNDARY_WEIGHT_PLACES})"

# The columns every calculator's ledger SELECT must produce (selected by name), with these SQL types.
# `CalcContext.passthrough(alias)` gives the first five; the engine adds the rule's lineage around them.
CALC_LEDGER_COLUMNS: dict[str, str] = {
    "row_id": "VARCHAR",
    "input_row": "BIGINT",
    "entity": "VARCHAR",
    "period": "VARCHAR",
    "boundary_weight": BOUNDARY_WEIGHT_TYPE,  # the entity's share in the inventory (1 without a boundary)
    "gas": "VARCHAR",
    "amount": "DECIMAL(38,18)",       # mass of the gas, kg
    "co2e_kg": "DECIMAL(38,18)",      # CO2-equivalent, kg, at 100% (the engine applies the weight)
    "quantity": "DECIMAL(18,6)",      # the activity amount the factor multiplied
    "quantity_unit": "VARCHAR",
    "factor_id": "VARCHAR",
    "factor_set": "VARCHAR",
    "factor_version": "VARCHAR",
    "gwp": "VARCHAR",                 # which weight turned the gas into CO2e (e.g. "AR5 CH4=28")
    "method": "VARCHAR",
    "data_type": "VARCHAR",
}

# The columns every calculator's rejects SELECT must produce, and its excluded SELECT where it has one.
CALC_REJECT_COLUMNS: dict[str, str] = {"row_id": "VARCHAR", "reason": "VARCHAR"}
CALC_EXCLUDED_COLUMNS: dict[str, str] = CALC_REJECT_COLUMNS

# Rows of an input table a calculator consumes as instruments (a table parameter, not the rule's
# rows) that it refuses: invalid, or an instrument id listed twice. The engine adds the rule.
CALC_INSTRUMENT_REJECT_COLUMNS: dict[str, str] = {"input_table": "VARCHAR", "row_id": "VARCHAR",
                                                  "input_row": "BIGINT", "reason": "VARCHAR"}

# Claims: which instrument (a row of an instrument table, by its id) covered how much of which of the
# rule's rows. One rule row may be covered by several instruments, one instrument may cover several
# rows. The engine adds rule_id, rule_source and input_table, writes them as the run's `claims`
# output and asserts that no instrument id is claimed from more than one row of its table or beyond
# `instrument_quantity` (the instrument's whole quantity, in `quantity_unit`).
CALC_CLAIM_COLUMNS: dict[str, str] = {
    "instrument_table": "VARCHAR",
    "instrument_row_id": "VARCHAR",
    "instrument_row": "BIGINT",      # 1-based data row of the instrument's file
    "instrument_id": "VARCHAR",      # e.g. the certificate_id
    "row_id": "VARCHAR",             # the rule row covered …
    "input_row": "BIGINT",
    "factor_id": "VARCHAR",          # … and the factor_id of its ledger row for the covered part
    "quantity": "DECIMAL(18,6)",     # how much of the instrument covers that row
    "quantity_unit": "VARCHAR",
    "instrument_quantity": "DECIMAL(18,6)",
}


COLUMN_EXPRESSION_EXPECTED = "a column name or arithmetic of columns and numbers"

# A parameter that names a column (`quantity: amount`) or computes a per-row value from columns
# (`quantity: mass_t * distance_km`): a text, or the tree `tanso.model.bind` already parsed. See
# `CalcContext.value_sql`. A wrong value is one error of type `column_expression` saying what is expected.
ColumnExpression = Annotated[Union[str, ast.BinaryOp, ast.UnaryOp],
                             Custom(lambda value: isinstance(value, (str, ast.BinaryOp, ast.UnaryOp)),
                                    "column_expression", COLUMN_EXPRESSION_EXPECTED)]


@frozen
class CalcPlan:
    """A calculator's compiled form, as SQL (DuckDB dialect) over the relation named `src`.

    `ledger` yields one row per (src row × gas) with CALC_LEDGER_COLUMNS; `rejects` yields one row per
    src row the calculator cannot compute, with CALC_REJECT_COLUMNS; `excluded`, where given, one row
    per src row the method deliberately leaves out, with the reason (CALC_EXCLUDED_COLUMNS: e.g. a
    figure a later version of the same figure supersedes). Every src row must be in exactly one of
    them; the engine checks this on every run (conservation).
    """

    ledger: str
    rejects: str
    excluded: str | None = None
    # Optional: instrument rows refused (CALC_INSTRUMENT_REJECT_COLUMNS) and claims (CALC_CLAIM_COLUMNS).
    instrument_rejects: str | None = None
    claims: str | None = None
    # Optional: which rows it leaves to the next method of a first_of chain, decided row by row.
    pricing: Pricing | None = None


@dataclass(frozen=True)   # a dataclass: factor_product's KeyedPricing extends it with keyword-only fields
class Pricing:
    """Which src rows a method prices, decided per row by LEFT JOINs with small plan-time tables (the keys
    and units it has factors for): a first_of chain then selects each method's rows with joins, without
    materialising every earlier method's rejects, and builds rejects (with their reasons) only for the few
    rows no method prices, from `over`. `joins` and `rejected` take the row's alias and a prefix for the
    aliases of the joins; `rejected` is never NULL and true exactly for the rows `rejects` yields."""

    joins: Callable[[str, str], str]      # (row alias, prefix) → "LEFT JOIN … prefix… ON …" clauses
    rejected: Callable[[str, str], str]   # (row alias, prefix) → the condition of a row the method leaves
    over: Callable[[str], CalcPlan]       # the same plan (ledger, rejects) over another relation of src's rows


@frozen
class Calculator:
    name: str
    doc: str
    parameters: type[Parameters]
    compile: Callable[["CalcContext"], CalcPlan]
    required_columns: tuple[str, ...] = ()
    reads_policies: tuple[str, ...] = ()
    data_type: str = "secondary"   # what the method's results are, by default
    factor_parameters: tuple[str, ...] = ("factors",)  # parameters that name factor sets
    table_parameters: tuple[str, ...] = ()             # parameters that name input tables (e.g. certificates)
    exclusive_tables: tuple[str, ...] = ()             # of those, tables whose rows one rule alone may consume
    # The calculator weights rows by the boundary itself (CalcContext.entity_weights), e.g. after mapping an
    # account to its entity: its rules depend on the boundary although their rows have no `entity` column.
    reads_boundary: bool = False
    # Its ledger rows read the boundary weight only through `CalcContext.passthrough` (the `boundary_weight` column
    # the totals multiply by), never in their arithmetic, and their entity is the row's own: the rows of the entities
    # a boundary includes give the same ledger under any weights, so a comparison re-weights its totals between
    # boundaries that include the same entities instead of running it again (compare/boundaries.py).
    weight_only_in_passthrough: bool = False
    # The policies a call with these parameters can be affected by (a subset of reads_policies); lets a
    # comparison skip scenarios that cannot differ. By default, all of reads_policies.
    relevant_policies: Callable[[Parameters], tuple[str, ...]] | None = None
    # What its ledger rows record by default, as (method, data type) pairs, for the reference (`tanso docs`)
    # and for readers of the ledger: a method may add a qualifier in parentheses (`… (hourly)`), and a rule's
    # `method:` / `data_type:` parameter, where the calculator has one, records its own instead.
    methods: tuple[tuple[str, str], ...] = ()
    # The data-quality level its ledger rows record, by their data type, as (data type, level) pairs: the engine
    # writes it in the ledger's `data_quality` column unless the rule's row declares its own in a `data_quality`
    # column (e.g. "3+" for a verified figure). A data type not listed records no level.
    levels: tuple[tuple[str, str], ...] = ()

    def policies_read(self, parameters: Parameters) -> tuple[str, ...]:
        return self.relevant_policies(parameters) if self.relevant_policies else self.reads_policies


@frozen
class BoundaryMethod:
    """Decides which entities are in the inventory and with what weight (e.g. equity share).

    `compile(ctx)` returns SQL yielding `entity VARCHAR, weight BOUNDARY_WEIGHT_TYPE, reason VARCHAR`, one
    row per entity; weight 0 puts the entity's rows in `excluded` with the reason; weight NULL refuses
    the entity (e.g. it is held through a parent whose row was rejected): its row of each table parameter
    and its rows are rejected with the reason, and the run goes on, incomplete. Parameters named
    in `table_parameters` name input tables; `ctx.tables` maps them to relations.
    """

    name: str
    doc: str
    parameters: type[Parameters]
    compile: Callable[["BoundaryContext"], str]
    reads_policies: tuple[str, ...] = ()
    table_parameters: tuple[str, ...] = ("entities",)


@frozen
class Weighting:
    """What makes an option a *weighting* of one ledger column (e.g. a GWP set weighting `gas`): its
    values change a rule's rows only through the weights a calculator passes to `factor_product`
    (`GasWeights`), so a row's `co2e_kg` is `amount × weights[row's column]`. A comparison then sums a
    rule's rows per column value once and re-weights the sums for the option's other values, where that
    is provably exact (`tanso.compare.reweight`), instead of planning and running the rule again.

    `weights(policy, values)` gives the weight (an exact decimal) of each of `values` that the policies
    in force (`policy(name)` → value) weight; a value without a weight is absent (`factor_product` then
    rejects its rows). It must be the very table the calculators reading the option pass on."""

    column: str
    weights: Callable[[Callable[[str], Any], list[str]], dict[str, Decimal]]


@frozen
class PolicyOption:
    """A typed policy choice. `type` is what `tanso.parameters.validate_value` takes (Literal, bool, Decimal with
    `Annotated[…, Field(ge=…)]`, optional ones…; any other type pydantic validates)."""

    name: str
    type: Any
    default: Any
    doc: str
    status: str = "published"       # consulted / progress_update / white_paper / published
    source_doc: str | None = None
    as_of: str | None = None
    revised: Any = None             # the value the revision drafts propose, where they do
    # True for an option that describes the inventory (recorded in the manifest) rather than
    # changing a number or the report: setting it is never reported as having no effect.
    recorded_only: bool = False
    # Where the default (the behaviour in force) comes from, when that is not `source_doc` (which then
    # describes the proposal): a run that leaves the option at its default cites this, as in force.
    in_force_source: str | None = None
    # A weighting of a ledger column (see Weighting): a comparison re-weights instead of re-running.
    weighting: Weighting | None = None


@frozen
class Reader:
    """Registers a file as a relation. `register(con, path, relation_name)` creates a view or table
    whose columns are the file's (text, or native types where the format has them) plus `_row`, the
    1-based data row for messages; it must raise `tanso.diagnostics.InputError` naming the file for
    an unusable one. A row the reader could not split (too many fields, a blank line, bytes the encoding
    does not have) is kept with a text column `_problem` saying why: the engine makes it a reject.
    `options` names the keyword arguments `register` accepts from the input's declaration
    (`encoding`: the `encoding "cp932"` clause, a Python codec name; None for the default UTF-8). A
    reader that lists `numbers` keeps numbers as the file writes them, so the engine reads them by the
    input's `numbers "1.234,56"` clause; any other reader's numbers are read as 1234.56. Likewise `dates`:
    a reader that lists it keeps dates as the file writes them, read by the input's `dates "31.03.2025"`
    clause; any other reader's dates are read as YYYY-MM-DD. `sheet` and `header_row` (the `sheet "電力"` and
    `header row 3` clauses; the header's sheet row, or line of a text file) choose which cells are the table:
    an input declaring one a reader does not list is refused, not read otherwise. `first_sheet`, if listed, is
    passed False for a factor set: without `sheet`, a file of several sheets is refused, not its first read.
    A reader may number rows as the file shows them (an Excel sheet's row), gaps included, rather than 1..n."""

    format: str
    suffixes: tuple[str, ...]
    register: Callable[..., None]
    options: tuple[str, ...] = ()
    # A reader that takes `sheet`: the names of a file's sheets in their order, for an input's `sheets "2025-*"`
    # (every sheet it matches read with `sheet=`, as one table).
    sheet_names: Callable[[Path], list[str]] | None = None


@frozen
class FactorSetSource:
    name: str
    title: str
    path: Path
    publisher: str
    edition: str
    licence: str
    version: str
    removals: bool = False  # negative values (removals, sinks) are allowed; otherwise a negative value is refused


@frozen
class Reporter:
    name: str
    suffix: str
    doc: str
    write: Callable[[Any, Path | None], str | None]  # (result, file or None) → text to print
    kind: str = "run"  # "run": a tanso.run.RunResult; "comparison": a tanso.compare.Comparison; "file": a
    #                    RunResult written only into the run folder (`evaluate --report NAME`, as report<suffix>)
    # Options that change what the reporter shows (so setting them is not "read by nothing"), and
    # input tables it reads where the ruleset declares them (loaded and checked by every run;
    # their relations are in RunResult.inputs).
    reads_policies: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()


@frozen
class ExpressionFunction:
    """A function for `metric` / `check` expressions; `compile` returns one scalar SQL query. `findings`,
    where given, returns SQL yielding one text per finding that explains the value (a check's flags:
    which periods jumped, which regions are outside the allowed ones); the run lists them with the
    check or metric, in its output, JSON and manifest. `notes`, likewise, yields information that is no
    flag (each category's share beside the minimum it meets): listed apart, so a passing check reads as
    passing."""

    name: str
    doc: str
    compile: Callable[["FunctionContext"], str]
    arguments: tuple[str, ...] = field(default_factory=tuple)
    findings: Callable[["FunctionContext"], str] | None = None
    notes: Callable[["FunctionContext"], str] | None = None


@frozen
class FactorLayout:
    """A publisher's factor file layout that `tanso factors import --layout NAME FILE --out OUT` turns into
    a factor set: a CSV with the factor columns and, per factor, its provenance (publisher, edition,
    licence, version, and in `source` the file, sheet, row and column it was read from).

    `convert(path, out_path, *, publisher, edition, licence, version, **options)` writes the file and
    returns an object with `rows` (factors written), `match` (the columns to match on) and `skipped`
    ("row N: why" for each row not converted); it raises `ValueError` with a message naming file, sheet,
    row and column for a file that is not in the layout. `options` names the keyword options it takes."""

    name: str
    doc: str
    convert: Callable[..., Any]
    options: tuple[str, ...] = ()


@frozen
class Vocabulary:
    """Synonyms `tanso suggest` reads, so that an item written one way meets a factor named another
    ("ガソリン代" → the gasoline factor; "petrol" → "motor gasoline"). A CSV with columns `concept`, `term`,
    `source` (where the term was taken from) and optionally `broader`: every term of a concept counts as the
    same word, and a concept with a broader one as that one too."""

    name: str
    path: Path
    doc: str


@frozen
class Scope:
    """A scope a rule or exclusion may name (`scope 3 category 4`) and the categories it has, with the
    standard that defines them. The engine knows no scopes: with none registered any number is accepted;
    once a plugin registers them, a scope or category outside them is a diagnostic, not a line of its own
    in the inventory."""

    name: str                       # the scope's number as text (the registry's key)
    number: int
    categories: tuple[int, ...]     # empty: the scope has no categories
    source: str                     # where the scope and its categories are defined (document, edition)


@frozen
class Command:
    """A `tanso` subcommand a plugin adds (e.g. `tanso engage`), so that domain tools built on a run folder
    are found where users look, beside the engine's own commands, without the engine knowing them."""

    name: str
    command: Any   # a click.Command; typed loosely so that importing the contracts does not import click
    doc: str


def on_first_call(target: str) -> Callable[..., Any]:
    """The function `module:name`, imported when first called. A plugin lists its readers and reporters
    with it, so that loading the plugins (every command does) does not import what they need only to run
    (DuckDB, Arrow, charts, Excel): `tanso check` never calls them."""
    module, _, name = target.partition(":")

    def call(*args, **kwargs):
        import importlib
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__qualname__ = call.__name__ = name
    call.__module__ = module
    return call
