"""The plugin manager: loads every `tanso` entry point (built-in or third-party) and merges hooks.

Set TANSO_LOAD_PLUGINS=name1,name2 to load only some entry points (datasette's DATASETTE_LOAD_PLUGINS),
and TANSO_TRACE_PLUGINS=1 to print each hook call.
"""

from __future__ import annotations

import logging
import os
import sys
from functools import cached_property
from pathlib import Path

import pluggy

from tanso import contracts, hookspecs, installed
from tanso.diagnostics import TansoError
from tanso.frozen import frozen

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = installed.GROUP


@frozen
class Implementation:
    hook: str
    name: str
    plugin: str
    package: str
    version: str


class Registry:
    """Everything the installed plugins provide, keyed by name, with where each came from."""

    def __init__(self, manager: pluggy.PluginManager):
        self.manager = manager
        self._implementations: list[Implementation] | None = None

    def _collect(self, hook: str, key: str = "name") -> dict[str, tuple[object, str]]:
        found: dict[str, tuple[object, str]] = {}
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            for item in impl.function() or []:
                name = getattr(item, key)
                if name in found and found[name][1] != impl.plugin_name:
                    raise TansoError(f"{hook}: '{name}' is provided by both {found[name][1]} "
                                     f"and {impl.plugin_name}; uninstall one of them")
                found[name] = (item, impl.plugin_name)
        return found

    @cached_property
    def calculators(self) -> dict[str, contracts.Calculator]:
        return {k: v for k, (v, _) in self._collect("tanso_calculators").items()}

    @cached_property
    def policy_options(self) -> dict[str, contracts.PolicyOption]:
        return {k: v for k, (v, _) in self._collect("tanso_policy_options").items()}

    @cached_property
    def readers(self) -> dict[str, contracts.Reader]:
        return {k: v for k, (v, _) in self._collect("tanso_readers", key="format").items()}

    @cached_property
    def factor_sets(self) -> dict[str, contracts.FactorSetSource]:
        return {k: v for k, (v, _) in self._collect("tanso_factor_sets").items()}

    @cached_property
    def boundary_methods(self) -> dict[str, contracts.BoundaryMethod]:
        return {k: v for k, (v, _) in self._collect("tanso_boundary_methods").items()}

    @cached_property
    def reporters(self) -> dict[str, contracts.Reporter]:
        return {k: v for k, (v, _) in self._collect("tanso_reporters").items()}

    @cached_property
    def functions(self) -> dict[str, contracts.ExpressionFunction]:
        return {k: v for k, (v, _) in self._collect("tanso_functions").items()}

    @cached_property
    def factor_layouts(self) -> dict[str, contracts.FactorLayout]:
        return {k: v for k, (v, _) in self._collect("tanso_factor_layouts").items()}

    @cached_property
    def vocabularies(self) -> dict[str, contracts.Vocabulary]:
        return {k: v for k, (v, _) in self._collect("tanso_vocabularies").items()}

    @cached_property
    def scopes(self) -> dict[int, contracts.Scope]:
        return {v.number: v for v, _ in self._collect("tanso_scopes").values()}

    @cached_property
    def commands(self) -> dict[str, contracts.Command]:
        return {k: v for k, (v, _) in self._collect("tanso_commands").items()}

    def reader_for(self, path: Path) -> contracts.Reader | None:
        """The reader with the longest suffix the file name ends with, so that `x.pact.json` can have
        a reader of its own beside one for `.json`."""
        name = path.name.lower()
        matches = [(len(s), reader) for reader in self.readers.values() for s in reader.suffixes if name.endswith(s)]
        return max(matches, key=lambda m: m[0])[1] if matches else None

    def implementations(self) -> list[Implementation]:
        """Every (hook, provided name) with the plugin's distribution and version, for `tanso plugins`.
        Found once per registry: every run's manifest lists them (a YAML test file evaluates many times with
        one registry)."""
        if self._implementations is None:
            self._implementations = self._find_implementations()
        return list(self._implementations)

    def _find_implementations(self) -> list[Implementation]:
        dists = {ep.name: (ep.package, ep.version) for ep in installed.entry_points()}
        rows = []
        for hook in sorted(n for n in dir(hookspecs) if n.startswith("tanso_")):
            key = "format" if hook == "tanso_readers" else "name"
            for impl in getattr(self.manager.hook, hook).get_hookimpls():
                package, version = dists.get(impl.plugin_name, (impl.plugin_name, "?"))
                for item in impl.function() or []:
                    rows.append(Implementation(hook, getattr(item, key), impl.plugin_name, package, version))
        return sorted(rows, key=lambda r: (r.hook, r.name))


def _trace(hook_name, hook_impls, kwargs):  # pragma: no cover - debugging aid
    print(f"tanso: calling {hook_name} on {[i.plugin_name for i in hook_impls]}", file=sys.stderr)


def load_registry() -> Registry:
    """Build a fresh manager from the installed entry points (cheap; call once per command). They are read from
    `tanso.installed`'s index, which knows when a distribution was installed or removed."""
    manager = pluggy.PluginManager("tanso")
    manager.add_hookspecs(hookspecs)
    wanted = os.environ.get("TANSO_LOAD_PLUGINS")
    for ep in installed.entry_points():
        if wanted is not None and ep.name not in wanted.split(","):
            continue
        try:
            module = ep.load()
        except Exception as error:  # a broken third-party plugin must not hide behind a traceback
            raise TansoError(f"plugin '{ep.name}' ({ep.value}) failed to load: {error}") from error
        if manager.get_plugin(ep.name) is None:
            manager.register(module, name=ep.name)
            log.debug("plugin %s loaded from %s", ep.name, ep.value)
    manager.check_pending()
    if os.environ.get("TANSO_TRACE_PLUGINS"):
        manager.add_hookcall_monitoring(_trace, lambda *a: None)
    return Registry(manager)
