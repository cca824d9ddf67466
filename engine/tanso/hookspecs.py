"""THE plugin contract of Tanso, in one file.

Every hook here is documented; `tests/test_hookspecs.py` fails when one is not, and `docs/plugin_hooks.md`
must describe each by name. Built-in plugins (under `plugins/`) implement these hooks through the same
entry-point group (`tanso`) as any third-party package. Each hook returns a list of the objects
defined in `tanso.contracts`; the engine merges the lists of all plugins and refuses duplicates.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("tanso")


@hookspec
def tanso_calculators() -> list:
    """Return `Calculator` objects: named methods a rule's `calc` can call.

    A calculator declares a pydantic model for its parameters, the input columns it requires, the
    policy options it reads, and a `compile` function that turns one rule into a relational plan
    (`CalcPlan`: a ledger SELECT and a rejects SELECT over the rule's rows). It never sees rows.
    """


@hookspec
def tanso_policy_options() -> list:
    """Return `PolicyOption` objects: the typed choices a ruleset's `set` lines may make.

    Each option has a dotted name, a Python type that pydantic validates, a default (the behaviour
    of the standard in force), a doc string, and for draft options its `status`, `source_doc` and
    `as_of`. An option whose values only re-weight a ledger column (a GWP set weighting `gas`) declares
    a `Weighting` (contracts.py): a comparison then re-weights a rule's rows for its other values
    instead of running the rule again, where that is exact.
    """


@hookspec
def tanso_readers() -> list:
    """Return `Reader` objects: how to load an input or factor file of a given suffix.

    A reader registers the file as a relation in the backend connection with every column as text
    (or native types where the format has them); the engine then casts to the declared schema and
    rejects rows that do not fit, naming file, row and column. A row the reader could not split is
    kept with a `_problem` text saying why (a reject too); `Reader.options` names the declaration's
    clauses (`encoding`, `numbers`, `dates`, `sheet`, `header_row`) the reader takes.
    """


@hookspec
def tanso_factor_sets() -> list:
    """Return `FactorSetSource` objects: factor tables shipped by a plugin, with provenance.

    A ruleset names a shipped set in `calc ...(factors: NAME)` without declaring a file; a factor
    set declared in the ruleset with `factors NAME file "..."` takes precedence.
    """


@hookspec
def tanso_boundary_methods() -> list:
    """Return `BoundaryMethod` objects: how a ruleset's `boundary` line weights entities.

    The method reads an entities table (ownership, control) and the policies it declares, and
    compiles to SQL giving each entity a weight between 0 and 1 with a reason. Every rule whose rows
    have an `entity` column is weighted by it; rows of weight-0 entities go to `excluded`.
    """


@hookspec
def tanso_reporters() -> list:
    """Return `Reporter` objects: output formats for `tanso evaluate --format` and `--out`."""


@hookspec
def tanso_functions() -> list:
    """Return `ExpressionFunction` objects usable in `metric` and `check` expressions.

    A function compiles to a scalar SQL query over the run's ledger (and input tables); the
    engine evaluates the surrounding arithmetic exactly with Python decimals.
    """


@hookspec
def tanso_factor_layouts() -> list:
    """Return `FactorLayout` objects: publishers' factor files `tanso factors import` converts.

    A layout reads a publisher's file as published (e.g. a national database's workbook) by its
    column names and writes a factor set whose every row names where it was read from; a file not
    in the layout is refused naming file, sheet, row and column.
    """


@hookspec
def tanso_vocabularies() -> list:
    """Return `Vocabulary` objects: synonym files `tanso suggest` uses to match item names to factors.

    Each term of a concept counts as the same word when an item's text (a ledger description, an
    invoice line) is compared with a factor's name, in any language the file writes terms in.
    """


@hookspec
def tanso_scopes() -> list:
    """Return `Scope` objects: the scopes and categories a rule's or exclusion's `scope` clause may name.

    With none registered the engine accepts any (it knows no domain); once registered, `scope 9` or
    `scope 3 category 17` is a diagnostic naming the allowed ones and the standard that defines them.
    """


@hookspec
def tanso_commands() -> list:
    """Return `Command` objects: subcommands of `tanso` that a plugin adds (`tanso engage`).

    The engine's own commands win a name clash. A plugin command is loaded only when it is called or
    the command list is shown, so that plugins cost nothing to the other commands' start.
    """
