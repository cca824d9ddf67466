"""The plugin contract stays documented and the installed plugins keep to it.

Modelled on datasette's `test_plugin_hooks_are_documented`: every hookspec in `tanso.hookspecs`
needs a docstring and a `## <hook>(` section in docs/plugin_hooks.md. Every entry point of the
`tanso` group must load, and each hook implementation must return a list of the contract type its
hookspec names (`Return `X` objects` → `tanso.contracts.X`).
"""

from __future__ import annotations

import inspect
import re
from importlib import metadata
from pathlib import Path

import pytest

from tanso import contracts, hookspecs
from tanso.plugins import ENTRY_POINT_GROUP, load_registry

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugin_hooks.md"
HOOKS = sorted(name for name, obj in vars(hookspecs).items()
               if name.startswith("tanso_") and callable(obj) and hasattr(obj, "tanso_spec"))
ENTRY_POINTS = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def _contract_type(hook: str) -> type:
    """The contract class a hookspec's docstring names first: 'Return `Calculator` objects…'."""
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    match = re.match(r"Return `(\w+)` objects", doc)
    assert match, f"{hook}: docstring must start with 'Return `ContractClass` objects'"
    cls = getattr(contracts, match.group(1), None)
    assert inspect.isclass(cls), f"{hook}: `{match.group(1)}` is not a class in tanso.contracts"
    return cls


def test_hooks_found():
    assert len(HOOKS) >= 6, HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hookspec_has_docstring(hook: str):
    doc = inspect.getdoc(getattr(hookspecs, hook))
    assert doc and doc.strip(), f"hookspec {hook} has no docstring"


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_are_documented(hook: str):
    headings = re.findall(r"^## (\w+)\(", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    assert hook in headings, f"docs/plugin_hooks.md has no '## {hook}()' section"


def test_documented_hooks_exist():
    """No section for a hook that no longer exists (a renamed hook must be renamed in the docs)."""
    headings = re.findall(r"^## (\w+)\(", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(headings) == HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hookspec_names_a_contract(hook: str):
    _contract_type(hook)


def test_entry_points_exist():
    assert ENTRY_POINTS, f"no entry point in group '{ENTRY_POINT_GROUP}': is tanso installed (pip install -e .)?"


@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=[ep.name for ep in ENTRY_POINTS])
def test_entry_point_loads(entry_point):
    module = entry_point.load()
    implemented = [name for name in HOOKS if callable(getattr(module, name, None))]
    assert implemented, f"entry point {entry_point.name} ({entry_point.value}) implements no tanso hook"
    unknown = [name for name in dir(module)
               if name.startswith("tanso_") and hasattr(getattr(module, name), "tanso_impl") and name not in HOOKS]
    assert not unknown, f"{entry_point.name} implements hooks that have no spec: {unknown}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_implementations_return_contract_objects(hook: str):
    expected = _contract_type(hook)
    manager = load_registry().manager
    for impl in getattr(manager.hook, hook).get_hookimpls():
        result = impl.function()
        assert isinstance(result, list), f"{impl.plugin_name}.{hook} returned {type(result).__name__}, not a list"
        wrong = [type(item).__name__ for item in result if not isinstance(item, expected)]
        assert not wrong, f"{impl.plugin_name}.{hook} returned {wrong}, expected {expected.__name__} objects"
