"""Temporary folders of a run, and the sweep of those that killed runs left behind.

A run makes folders in the system's temporary folder — DuckDB's spill (`duckdb`), the staging of
Spark's ledger files (`spark`), CSV and part-file conversions (`csv`, `parts`), a re-performance
(`reperform`) … — and removes them when it ends; a run that is killed (SIGKILL, the machine's OOM
killer, a CI timeout) cannot, and two days of killed benchmark runs left 81 spill folders, 22 GB. So
every such folder is made here, named `tanso-<kind>-<pid>-…`, and records its owner in an `owner.json`
file — pid, process start time, host and PID namespace; the first time a process makes one in a parent
folder, it first removes the folders there whose owner is gone, whatever their kind.

What is never removed: a folder without a readable owner file (not ours, an older tanso's, or one whose
owner is still writing the file), one of another user, another host or another PID namespace (a
container sharing the temporary folder: its pids are not ours to judge), and one whose process is alive
(a pid now held by a process that started later is a reuse: the owner is gone). Two runs sweeping at
once: each claims a folder by renaming it to a name under its own pid first (a rename happens once),
so a sweep killed half-way leaves a folder the next sweep removes. Not on Windows, which has no
signal-0 probe of a process.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

OWNER = "owner.json"
_NAME = re.compile(r"^tanso-(?P<kind>[a-z]+)-(?P<pid>\d+)-\w+$")
_SWEPT: set[str] = set()   # the parent folders this process has swept


def owned_folder(kind: str, parent: str | Path | None = None) -> tempfile.TemporaryDirectory:
    """A new folder `tanso-<kind>-<pid>-…` in `parent` (the system's temporary folder) with its owner file,
    after sweeping the folders dead runs left there. Removed by its `cleanup()`, at the end of a `with`, or
    when it is garbage-collected."""
    if not re.fullmatch("[a-z]+", kind):
        raise ValueError(f"a folder kind is lowercase letters: {kind!r}")
    root = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    if str(root) not in _SWEPT:   # once a process: a run reads each of dozens of CSV files through a folder
        _SWEPT.add(str(root))
        sweep(root)
    folder = tempfile.TemporaryDirectory(prefix=f"tanso-{kind}-{os.getpid()}-", dir=root)
    _write_owner(Path(folder.name), _identity())
    return folder


def sweep(root: Path) -> list[Path]:
    """Remove the folders under `root` that `owned_folder` made and whose owner process is gone; return them."""
    if os.name != "posix":
        return []
    me = _identity()
    removed = []
    try:
        entries = [(e, match) for e in os.scandir(root)
                   if (match := _NAME.match(e.name)) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    for entry, match in entries:
        folder = Path(entry.path)
        try:
            mine = entry.stat(follow_symlinks=False).st_uid == os.getuid()
        except OSError:
            continue   # removed meanwhile by another run's sweep
        if not mine or not _abandoned(folder, me):
            continue
        claimed = root / f"tanso-{match['kind']}-{me['pid']}-swept{os.urandom(4).hex()}"
        try:
            folder.rename(claimed)
        except OSError:
            continue   # another run claimed it first
        try:
            _remove(claimed, me)
        except OSError as error:   # what is left is this process's to judge next time, never a reason to stop
            log.warning("could not remove all of %s: %s", claimed, error)
            continue
        log.info("removed %s, a temporary folder of a run that ended without removing it", folder)
        removed.append(folder)
    return removed


def _remove(folder: Path, me: dict) -> None:
    """Remove a claimed folder, its owner file (now naming this process) last: a sweep killed half-way leaves a
    folder the next sweep can judge."""
    _write_owner(folder, me)
    for child in folder.iterdir():
        if child.name == OWNER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (folder / OWNER).unlink()
    folder.rmdir()


def _write_owner(folder: Path, identity: dict) -> None:
    partial = folder / f"{OWNER}.partial"
    partial.write_text(json.dumps(identity), encoding="utf-8")
    partial.replace(folder / OWNER)   # a sweep reads a whole owner file or none


def _abandoned(folder: Path, me: dict) -> bool:
    """Whether the folder's owner, a process of this host and PID namespace, is no longer running."""
    try:
        owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
        pid = int(owner["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if (owner.get("host"), owner.get("pid_namespace")) != (me["host"], me["pid_namespace"]) or pid == me["pid"]:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False   # alive, another user's
    started = _start_time(pid)
    return owner.get("started") is not None and started is not None and started != owner["started"]


def _identity() -> dict:
    pid = os.getpid()
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = None
    return {"pid": pid, "started": _start_time(pid), "host": socket.gethostname(), "pid_namespace": namespace}


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux); None where /proc does not say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])   # field 22; the name in parentheses may hold spaces
