"""A rule or exclusion names a scope and category the plugins register (`tanso_scopes`): with the GHG
Protocol's registered, `scope 9` or `scope 3 category 17` is a diagnostic with its caret under the number at
fault, not an inventory line of its own; the engine itself knows no scopes, so with none registered any number
is accepted."""

from __future__ import annotations

import types

import pluggy
import pytest

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso import hookspecs
from tanso.diagnostics import RulesetError
from tanso.plugins import Registry, load_registry


def _case(tmp_path, scope_clause: str, extra: str = ""):
    text = fuel_ruleset(extra=extra).replace("  scope 1\n", f"  {scope_clause}\n")
    assert scope_clause in text
    return make_case(tmp_path, text, {"fuel_use": [fuel_row("F1", "2")]}, {"fuels": FUEL_FACTORS})


def _errors(case, registry=None) -> list:
    with pytest.raises(RulesetError) as raised:
        case.prepare(registry=registry)
    return raised.value.diagnostics.errors


def pointed_at(case, error) -> str:
    """The text under the diagnostic's caret."""
    line = (case.ruleset / "case.tanso").read_text().splitlines()[error.span.line - 1]
    assert error.span.end_line == error.span.line
    return line[error.span.column - 1:error.span.end_column - 1]


def test_a_scope_the_standard_does_not_have_is_an_error_at_its_number(tmp_path):
    case = _case(tmp_path, "scope 9")
    [error] = _errors(case)
    assert error.message == "there is no scope 9"
    assert pointed_at(case, error) == "9"
    assert error.expected == "scope 1, 2, 3"
    assert error.hint.startswith("as defined in") and "Corporate Standard" in error.hint


@pytest.mark.parametrize("clause, expected, meant", [
    ("scope 3 category 17", "category 1 to 16", None),
    ("scope 3 category 0", "category 1 to 16", None),
    ("scope 3 category 61", "category 1 to 16", "scope 3 category 16"),        # two digits swapped
    ("scope 1 category 1", "no category: write `scope 1` alone", "scope 3 category 1"),   # the scope that has it
])
def test_a_category_its_scope_does_not_have_is_an_error_at_its_number(tmp_path, clause, expected, meant):
    case = _case(tmp_path, clause)
    [error] = _errors(case)
    scope, category = clause.split()[1], clause.split()[3]
    assert error.message == f"scope {scope} has no category {category}"
    assert pointed_at(case, error) == category
    assert error.expected == expected
    assert error.hint.startswith(f"did you mean '{meant}'?" if meant else "as defined in")


def test_a_scope_that_does_not_have_the_category_is_meant_as_the_one_that_has(tmp_path):
    case = _case(tmp_path, "scope 4 category 14")
    [error] = _errors(case)
    assert (error.message, pointed_at(case, error)) == ("there is no scope 4", "4")
    assert error.hint.startswith("did you mean 'scope 3 category 14'?")


def test_an_exclusion_is_held_to_the_same_scopes(tmp_path):
    extra = '\nexclude s3.cat99 "no such category" scope 3 category 99\n'
    case = _case(tmp_path, "scope 1", extra)
    [error] = _errors(case)
    assert error.message == "scope 3 has no category 99"
    assert pointed_at(case, error) == "99"


def test_every_category_of_the_standard_and_the_drafts_category_16_are_accepted(tmp_path):
    for number, category in [(1, None), (2, None), *((3, c) for c in range(1, 17))]:
        clause = f"scope {number}" + (f" category {category}" if category else "")
        _case(tmp_path / f"{number}-{category}", clause).prepare()


def test_with_no_scopes_registered_any_scope_is_accepted(tmp_path):
    """A domain plugin that registers no scopes (here: the GHG Protocol plugin's hooks but that one)."""
    ghgp = load_registry().manager.get_plugin("ghgp")
    without = types.SimpleNamespace(**{name: getattr(ghgp, name) for name in dir(ghgp)
                                       if name.startswith("tanso_") and name != "tanso_scopes"})
    manager = pluggy.PluginManager("tanso")
    manager.add_hookspecs(hookspecs)
    for name, plugin in load_registry().manager.list_name_plugin():
        manager.register(without if name == "ghgp" else plugin, name=name)
    registry = Registry(manager)
    assert registry.scopes == {}
    prepared = _case(tmp_path, "scope 9").prepare(registry=registry)
    assert prepared.ruleset.rules["s1.fuel"].node.scope == 9
