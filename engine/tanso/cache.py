"""A per-user folder for derived data that is slow to rebuild: the analysed grammar, pint's parsed units.

Nothing in it is ever needed: each library that writes there keys an entry by what it was derived
from (lark: the grammar, its options and lark's version; pint: its definition files, under a folder
named for pint's version and our decimal precision) and rebuilds a missing or stale one. The folder
is `$TANSO_CACHE_DIR`, else `$XDG_CACHE_HOME/tanso`, else `~/.cache/tanso`, created for its owner
only: the entries are pickles, so they are read only from a folder no one else can write.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder(name: str) -> Path | None:
    """The folder `name` under the user's tanso cache, created; None where it cannot be created."""
    root = os.environ.get("TANSO_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "tanso")
    folder = Path(root) / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder
