"""`units.unit_problem` answers kept in the user's cache (`tanso.cache`), so that `tanso check` of a ruleset
whose units were checked before does not import pint and read its definitions (0.3–0.5 s).

The answers are one JSON object (unit as written → the problem, or null for a known unit) in a file named
for what they depend on: the source of `tanso.plan.units` (our spellings and definitions, the precision)
and pint's version. A file that cannot be read or is not such an object is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from tanso import installed
from tanso.cache import cache_folder
from tanso.plan import units


@lru_cache(maxsize=1)
def _answers_file() -> Path | None:
    folder = cache_folder("units")
    if folder is None:
        return None
    digest = hashlib.sha256(Path(units.__file__).read_bytes() + str(installed.version("pint")).encode())
    return folder / f"{digest.hexdigest()[:32]}.json"


def _answers(path: Path) -> dict[str, str | None]:
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    valid = isinstance(answers, dict) and all(isinstance(v, (str, type(None))) for v in answers.values())
    return answers if valid else {}


def unit_problem(unit: str | None) -> str | None:
    """`units.unit_problem(unit)`, answered from the cache where it was asked before."""
    path = _answers_file()
    if path is None or unit is None:
        return units.unit_problem(unit)
    answers = _answers(path)
    if str(unit) in answers:
        return answers[str(unit)]
    answers[str(unit)] = problem = units.unit_problem(unit)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(answers, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
    except OSError:   # only a shortcut
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return problem
