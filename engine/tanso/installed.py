"""The installed distributions' `tanso` entry points and versions, kept in the user's cache (`tanso.cache`).

Every command loads the plugins, and `tanso check` keys its cached trees and unit answers by lark's and
pint's versions; `importlib.metadata` answers these by importing email, zipfile and csv and reading the
installed distributions' metadata (~0.06 G instructions of a warm check). The answers are kept in one JSON
file per interpreter and `sys.path` (versions added as they are asked for), with a fingerprint of what they
were read from: every `*.dist-info` (named with its version) and `*.egg-info` entry in each `sys.path`
folder, with the modification times of its `entry_points.txt` (and an egg-info's PKG-INFO, which holds its
version). Installing, upgrading or removing a distribution, or rewriting its entry points in place, changes
the fingerprint, and the index is read again from `importlib.metadata`; a file that is unreadable or not
the index is ignored and rewritten."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

from tanso.cache import cache_folder
from tanso.frozen import frozen

GROUP = "tanso"
_FORMAT = 1
_INFO = (".dist-info", ".egg-info")
# importlib.metadata's pattern of an entry point's value: module, optional attribute path, optional extras.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


@frozen
class EntryPoint:
    """A `tanso` entry point, with the distribution that declares it."""

    name: str
    value: str
    package: str
    version: str

    def load(self) -> Any:
        """The object the entry point names, as `importlib.metadata.EntryPoint.load` finds it."""
        found = _VALUE.match(self.value)
        if found is None:
            raise ValueError(f"not an entry point value: {self.value!r}")
        target = importlib.import_module(found["module"])
        for part in filter(None, (found["attr"] or "").split(".")):
            target = getattr(target, part)
        return target


def entry_points() -> list[EntryPoint]:
    """The `tanso` entry points, in `importlib.metadata.entry_points(group="tanso")`'s order."""
    return [EntryPoint(*row) for row in _index()["entry_points"]]


def version(distribution: str) -> str | None:
    """The installed version of `distribution` (as `importlib.metadata.version`), None if not installed. A
    distribution not asked about before is looked up and added to the index."""
    index, name = _index(), _normalise(distribution)
    if name not in index["versions"]:
        from importlib import metadata

        with _LOCK:   # threads of one run may ask at once; the index is written whole
            try:
                index["versions"][name] = metadata.version(distribution)
            except metadata.PackageNotFoundError:
                index["versions"][name] = None
            _save(index)
    return index["versions"][name]


def fingerprint() -> str:
    """What the index depends on: the metadata entries of every `sys.path` folder, with their files' mtimes."""
    digest = hashlib.sha256(f"{_FORMAT} {sys.executable} {sys.version}".encode())
    for folder in sys.path:
        digest.update(f"\0{folder}".encode("utf-8", "surrogatepass"))
        try:
            entries = sorted(e.name for e in os.scandir(folder or ".") if e.name.endswith(_INFO))
        except OSError:   # a missing folder, or a zip file: its own modification time
            with contextlib.suppress(OSError):
                digest.update(str(os.stat(folder).st_mtime_ns).encode())
            continue
        for name in entries:   # a dist-info's name holds its version; an egg-info's PKG-INFO does
            digest.update(f"\1{name}".encode("utf-8", "surrogatepass"))
            for file in ("entry_points.txt", "PKG-INFO") if name.endswith(".egg-info") else ("entry_points.txt",):
                with contextlib.suppress(OSError):
                    digest.update(f"{file}{os.stat(os.path.join(folder or '.', name, file)).st_mtime_ns}".encode())
    return digest.hexdigest()


def _index() -> dict[str, Any]:
    """The index for the current fingerprint: this process's, the cache's, or read from the metadata."""
    key = fingerprint()
    current = _LAST[0]
    if current is None or current["key"] != key:
        with _LOCK:
            current = _LAST[0] = _cached(key)
    return current


# The index this process read last, replaced whole when the fingerprint changes (a process that installs a
# plugin, e.g. a test, then sees it).
_LAST: list[dict[str, Any] | None] = [None]
_LOCK = threading.Lock()


def _cached(key: str) -> dict[str, Any]:
    path = _path()
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            index = json.loads(path.read_text(encoding="utf-8"))
            if _valid(index) and index["key"] == key:
                return index
    index = {"key": key, "entry_points": _read_entry_points(), "versions": {}}
    _save(index)
    return index


def _path() -> Path | None:
    folder = cache_folder("installed")
    name = hashlib.sha256(repr((sys.executable, sys.path)).encode()).hexdigest()[:32]
    return folder / f"{name}.json" if folder is not None else None


def _save(index: dict[str, Any]) -> None:
    path = _path()
    if path is None:
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(index, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
    except OSError:   # only a shortcut
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def _valid(index: Any) -> bool:
    return (isinstance(index, dict) and isinstance(index.get("key"), str)
            and isinstance(index.get("versions"), dict)
            and all(isinstance(k, str) and isinstance(v, (str, type(None))) for k, v in index["versions"].items())
            and isinstance(index.get("entry_points"), list)
            and all(isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row)
                    for row in index["entry_points"]))


def _read_entry_points() -> list[list[str]]:
    """The `tanso` entry points from `importlib.metadata` (which reads each distribution's metadata only for
    the few that declare one), with their distribution's name and version."""
    from importlib import metadata

    return [[ep.name, ep.value, ep.dist.metadata["Name"], ep.dist.version] for ep in metadata.entry_points(group=GROUP)]


def _normalise(name: str) -> str:
    """PEP 503's normalised name, as importlib.metadata compares distributions."""
    return re.sub(r"[-_.]+", "-", name).lower()
