"""Tanso: a rules engine for corporate greenhouse-gas accounting.

Plugins implement the hooks of `tanso.hookspecs` with the `hookimpl` marker re-exported here.
"""

__all__ = ["hookimpl"]


def __getattr__(name: str):
    # Made on first use, so that `import tanso.cli` imports nothing before the executable's signal handlers.
    if name == "hookimpl":
        import pluggy
        globals()["hookimpl"] = marker = pluggy.HookimplMarker("tanso")
        return marker
    raise AttributeError(f"module 'tanso' has no attribute {name!r}")
