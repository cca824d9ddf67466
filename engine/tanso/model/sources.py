"""The names a run records a ruleset's files by, independent of where it was run from.

The ledger's `rule_source`, the metrics, checks and rejects reasons cite a rule as `file:line`; those bytes
enter the digest. Naming a file relative to the working folder made the digest depend on the folder the
command ran in. A file is named instead relative to the ruleset's own root: the deepest folder holding every
file of the resolved chain (its base layers and overlays), found after following symlinks. That root travels
with the ruleset — a checkout anywhere, run from any folder, by a relative, absolute or symlinked path, cites
`scope1.tanso:7`, a draft and its base `ghgp-current/scope1.tanso:7` — where a project root (the folder of a
`tanso.toml`) is optional, found from the working folder, and may hold unrelated rulesets. The same names
key a run folder's copy of the ruleset (`ruleset/…`) and the ruleset version id.

A ruleset's files lie in one folder. Where the folders of the chain are not the root and the folders just
below it — an overlay (`--overlay`, a revision beside a symlinked base) from elsewhere on the disk — their
common folder could be `/`, and the citations would carry the machine's paths (`home/ana/…/scope1.tanso`).
Each file is then named by its folder's last name (`ghgp-current/scope1.tanso`, `rev/rev.tanso`), or as
many last names as tell the folders apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePath


def cited_names(files: Iterable[str]) -> dict[str, str]:
    """Each file (as given: relative to the working folder or absolute) → its name relative to the
    ruleset's root, in POSIX form."""
    real = {name: os.path.realpath(name) for name in dict.fromkeys(files)}
    if not real:
        return {}
    folders = {os.path.dirname(path) for path in real.values()}
    root = os.path.commonpath(folders)
    if all(len(PurePath(os.path.relpath(folder, root)).parts) <= 1 for folder in folders):
        return {name: PurePath(os.path.relpath(path, root)).as_posix() for name, path in real.items()}
    named = _distinct_tails(folders)
    return {name: f"{named[os.path.dirname(path)]}/{os.path.basename(path)}" for name, path in real.items()}


def _distinct_tails(folders: set[str]) -> dict[str, str]:
    """Each folder → its last names, as few as tell the folders apart (`rev`, else `a/rev` and `b/rev`)."""
    parts = {folder: PurePath(folder).parts for folder in folders}
    for count in range(1, max(map(len, parts.values())) + 1):
        tails = {folder: PurePath(*names[-count:]).as_posix() for folder, names in parts.items()}
        if len(set(tails.values())) == len(tails):
            return tails
    raise AssertionError("distinct folders have distinct paths")
