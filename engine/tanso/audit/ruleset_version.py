"""A ruleset version's identity: one hash over every ruleset file of the resolved chain.

Two checkouts of the same methodology get the same id wherever they stand on disk; a changed byte in
any layer gives another. The log records it for each run; `tanso diff` prints it for each side.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from tanso.model.ruleset import Ruleset
from tanso.model.sources import cited_names
from tanso.run.inputs import file_digest


def ruleset_file_hashes(ruleset: Ruleset) -> dict[str, str]:
    """Each source file of the resolved chain (base first), named as given, with its sha256 (a run's manifest
    lists them under `ruleset.files` by their cited names)."""
    return {name: file_digest(Path(name)) for name in ruleset.files if Path(name).exists()}


def ruleset_version_id(file_hashes: Mapping[str, str]) -> str:
    """sha256 over the sorted (path, file sha256) pairs, each path as a run cites it: relative to the
    folder holding all the files (`ghgp-current/scope1.tanso`, `tanso.model.sources`), so the id does not
    depend on where the ruleset is checked out. `file_hashes` is `ruleset_file_hashes(…)`, or a manifest's
    `ruleset.files`."""
    cited = cited_names(file_hashes)
    pairs = sorted((cited[name], digest) for name, digest in file_hashes.items())
    return hashlib.sha256("".join(f"{name}\0{digest}\n" for name, digest in pairs).encode()).hexdigest()
