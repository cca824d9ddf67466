"""The names a run records a ruleset's files by, independent of where it was run from.

The ledger's `rule_source`, the metrics, checks and rejects reasons cite a rule as `file:line`; those bytes
enter the digest. Naming a file relative to the working folder made the digest depend on the folder the
command ran in. A file is named instead relative to the ruleset's own root: the deepest folder holding every
file of the resolved chain (its base layers and overlays), found after following symlinks. That root travels
with the ruleset — a checkout anywhere, run from any folder, by a relative, absolute or symlinked path, cites
`scope1.tanso:7`, a draft and its base `ghgp-current/scope1.tanso:7` — where a project root (the folder of a
`tanso.toml`) is optional, found from the working folder, and may hold unrelated rulesets. The same names
key a run folder's copy of the ruleset (`ruleset/…`) and the ruleset version id.
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
    root = os.path.commonpath([os.path.dirname(path) for path in real.values()])
    return {name: PurePath(os.path.relpath(path, root)).as_posix() for name, path in real.items()}
