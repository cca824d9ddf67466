"""A per-user folder for derived data that is slow to rebuild: the analysed grammar, pint's parsed units.

Nothing in it is ever needed: each library that writes there keys an entry by what it was derived
from (lark: the grammar, its options and lark's version; pint: its definition files, under a folder
named for pint's version and our decimal precision) and rebuilds a missing or stale one. The folder
is `$TANSO_CACHE_DIR`, else `$XDG_CACHE_HOME/tanso`, else `~/.cache/tanso`, created for its owner
only: the entries are pickles, so they are read only from a folder no one else can write (one that
another user owns or may write is not used, and nothing is cached).
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
        status = folder.stat()
    except OSError:
        return None
    # A folder someone else owns or can write (made before us in a shared place) is not trusted.
    if status.st_uid != os.getuid() or status.st_mode & 0o022:
        return None
    return folder
