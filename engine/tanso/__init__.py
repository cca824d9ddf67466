"""Tanso: a rules engine for corporate greenhouse-gas accounting.

Plugins implement the hooks of `tanso.hookspecs` with the `hookimpl` marker re-exported here.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("tanso")

__all__ = ["hookimpl"]
