"""The workspace log: an append-only, hash-chained file of JSON lines recording runs and approvals.

Each entry is one line of canonical JSON with `seq` (1, 2, …), `prev` (the previous entry's `hash`, 64
zeros for the first) and `hash` (the sha256 of the entry's canonical JSON without `hash`). An edited
entry no longer matches its hash; a deleted, inserted or moved entry breaks `seq` and `prev`. A chain
cannot show that its *last* entries were removed: the shorter chain is intact. Against that, pin the
head elsewhere (`tanso log --head`, then `tanso verify --log FILE --head HASH`); every approval signs
the hash before it, and an evidence pack records the head.

Where: `--log FILE`, else `$TANSO_LOG`, else `tanso-log.jsonl` in the folder that holds the run's
`--out` folder (never in the repository by surprise). Appends hold an exclusive `flock` on the log, so
concurrent runs never interleave; readers hold a shared one.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from tanso.audit import Altered, CannotVerify
from tanso.audit.report import Problem, Said, sha256_bytes
from tanso.audit.ruleset_version import ruleset_version_id
from tanso.run.outputs import MANIFEST, OutputError, canonical_json

LOG_NAME = "tanso-log.jsonl"
ENTRY_FORMAT = "tanso-log.v1"
GENESIS = "0" * 64
RUN_MANIFEST = "tanso-manifest.v1"


def log_path(out: Path | None = None, explicit: Path | None = None) -> Path:
    """--log, else $TANSO_LOG, else tanso-log.jsonl beside the run folder OUT (or in the current folder)."""
    if explicit is not None:
        return explicit
    if os.environ.get("TANSO_LOG"):
        return Path(os.environ["TANSO_LOG"])
    folder = Path(os.path.abspath(out)).parent if out is not None else Path.cwd()
    return folder / LOG_NAME


@dataclass(frozen=True)
class Line:
    number: int
    raw: bytes
    entry: dict[str, Any] | None     # None: the line is not a JSON object
    complete: bool = True            # False: the file ends without a newline after it


def entry_hash(entry: dict[str, Any]) -> str:
    return sha256_bytes(canonical_json({k: v for k, v in entry.items() if k != "hash"}))


def parse(data: bytes) -> list[Line]:
    parts = data.split(b"\n")
    complete = parts[-1] == b""
    if complete:
        parts.pop()
    lines = []
    for number, raw in enumerate(parts, 1):
        try:
            entry = json.loads(raw)
        except (ValueError, RecursionError):   # also a byte that is not UTF-8, or nesting beyond reason
            entry = None
        lines.append(Line(number, raw, entry if isinstance(entry, dict) else None,
                          complete or number < len(parts)))
    return lines


def read_log(path: Path) -> list[Line]:
    """Every line of the log, read under a shared lock (never half an append)."""
    try:
        with path.open("rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
            data = handle.read()
    except FileNotFoundError:
        raise CannotVerify(Said("log.none", path=str(path))) from None
    except OSError as error:
        raise CannotVerify(Said("log.unreadable", path=str(path), error=str(error.strerror or error))) from None
    lines = parse(data)
    if not lines:
        raise CannotVerify(Said("log.empty", path=str(path)))
    if not any(line.entry is not None and line.entry.get("format") == ENTRY_FORMAT for line in lines):
        raise CannotVerify(Said("log.not_a_log", path=str(path), format=ENTRY_FORMAT))
    return lines


def entries(lines: list[Line]) -> list[dict[str, Any]]:
    return [line.entry for line in lines if line.entry is not None]


def line_problems(line: Line) -> list[Problem]:
    """What is wrong with one line on its own: damaged, not canonical, not an entry, not matching its hash."""
    subject, entry = f"log line {line.number}", line.entry
    if entry is None:
        return [Problem("altered", subject, "not a JSON object: the line is damaged or truncated")]
    problems = []
    if not line.complete:
        problems.append(Problem("altered", subject, "the log ends in the middle of this line (a torn append, or "
                                                    "the file was truncated)"))
    if canonical_json(entry) != line.raw:
        problems.append(Problem("altered", subject, "not written as tanso writes entries (edited by hand?)"))
    if entry.get("format") != ENTRY_FORMAT:
        problems.append(Problem("altered", subject, "not a tanso log entry", ENTRY_FORMAT, str(entry.get("format"))))
    if entry.get("hash") != entry_hash(entry):
        problems.append(Problem("altered", subject, "the entry does not match its hash: it was edited",
                                str(entry.get("hash")), entry_hash(entry)))
    return problems


def chain_problems(lines: list[Line]) -> list[Problem]:
    """Every break of the chain: a damaged or edited line, a sequence number or `prev` out of place."""
    problems = []
    previous, expected_seq = GENESIS, 1
    for line in lines:
        problems += line_problems(line)
        entry, subject = line.entry, f"log line {line.number}"
        if entry is None:
            previous, expected_seq = None, expected_seq + 1
            continue
        seq = entry.get("seq")
        if seq != expected_seq:
            problems.append(Problem("altered", subject, "sequence number out of place: an entry was deleted, "
                                                        "inserted or moved", str(expected_seq), str(seq)))
        if previous is not None and entry.get("prev") != previous:
            problems.append(Problem("altered", subject, "`prev` is not the hash of the entry before: an entry was "
                                                        "deleted, inserted, moved or edited", previous,
                                    str(entry.get("prev"))))
        previous = entry.get("hash")
        expected_seq = seq + 1 if isinstance(seq, int) else expected_seq + 1
    return problems


def head(lines: list[Line]) -> dict[str, Any] | None:
    """The last entry's sequence number and hash: what to pin elsewhere against truncation."""
    last = lines[-1].entry if lines else None
    return None if last is None else {"seq": last.get("seq"), "hash": last.get("hash")}


def utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def current_user(by: str | None) -> str:
    """--by, else the login name ($USER, $LOGNAME or the password database)."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def out_reference(out: Path, log: Path) -> str:
    """OUT as the log records it: relative to the log's folder when inside it (the workspace can move)."""
    out, folder = Path(os.path.abspath(out)), Path(os.path.abspath(log)).parent
    try:
        return out.relative_to(folder).as_posix()
    except ValueError:
        return str(out)


def manifest_shas(entry: dict[str, Any]) -> set[str]:
    """The manifests an entry is about: a run's folder and each run inside it (a comparison's base, revised)."""
    rulesets = entry.get("rulesets") if isinstance(entry.get("rulesets"), dict) else {}
    shas = {entry.get("manifest_sha256"), *(r.get("manifest_sha256") for r in rulesets.values() if isinstance(r, dict))}
    return {sha for sha in shas if isinstance(sha, str)}


class Book:
    """The log held with an exclusive lock: read once, then appended to."""

    def __init__(self, path: Path, fd: int, lines: list[Line]):
        self.path, self.fd, self.lines = path, fd, lines

    def append(self, fields: dict[str, Any], sign: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> dict:
        """Add an entry after the last one (which must be intact) and make it durable."""
        last = self.lines[-1] if self.lines else None
        if last is not None and (last.entry is None or not last.complete or last.entry.get("hash") != entry_hash(last.entry)
                                 or not isinstance(last.entry.get("seq"), int)):
            raise Altered(f"the last line of the log {self.path} is damaged or edited: nothing is appended to it "
                          f"(`tanso verify --log {self.path}` shows what)")
        entry = {"format": ENTRY_FORMAT, "seq": last.entry["seq"] + 1 if last else 1,
                 "prev": last.entry["hash"] if last else GENESIS, "time": utc_now(), **fields}
        if sign is not None:
            entry = sign(entry)
        entry["hash"] = entry_hash(entry)
        data = canonical_json(entry) + b"\n"
        try:
            written = 0
            while written < len(data):
                written += os.write(self.fd, data[written:])
            os.fsync(self.fd)
        except OSError as error:
            raise OutputError(f"cannot append to the log {self.path}: {error.strerror or error}") from None
        self.lines.append(Line(len(self.lines) + 1, data[:-1], entry))
        return entry


@contextlib.contextmanager
def open_for_append(path: Path) -> Iterator[Book]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise OutputError(f"cannot open the log {path}: {error.strerror or error}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)   # appends are short: wait for the holder
        size = os.fstat(fd).st_size
        yield Book(path, fd, parse(os.pread(fd, size, 0)) if size else [])
    finally:
        os.close(fd)   # releases the lock


def run_fields(out: Path, command: str, log: Path, by: str | None) -> dict[str, Any]:
    """The log entry of a finished run: who, which folder, its manifest's sha256, and each ruleset version."""
    data = (out / MANIFEST).read_bytes()
    manifest = json.loads(data)
    rulesets = {}
    for name in [MANIFEST, *(n for n in sorted(manifest.get("outputs", {})) if n.endswith("/" + MANIFEST))]:
        inner_data = (out / name).read_bytes()
        inner = json.loads(inner_data)
        if inner.get("format") == RUN_MANIFEST:
            files = inner["ruleset"]["files"]
            rulesets[Path(name).parent.as_posix()] = {
                "name": inner["ruleset"]["name"], "version": ruleset_version_id(files), "files": files,
                "manifest_sha256": sha256_bytes(inner_data)}
    return {"type": "run", "user": current_user(by), "command": command, "out": out_reference(out, log),
            "manifest_sha256": sha256_bytes(data), "rulesets": rulesets,
            "approvals_required": (manifest.get("approvals") or {}).get("required", {}),
            "tanso_version": manifest.get("tanso_version")}


def record_run(out: Path, command: str, log: Path | None, by: str | None) -> dict[str, Any]:
    """Append the run entry of the run just moved into place at OUT."""
    path = log_path(out, log)
    try:
        with open_for_append(path) as book:
            return book.append(run_fields(out, command, path, by))
    except (OutputError, Altered) as error:
        raise type(error)(f"{out} is written, but the run is not logged: {error}") from None
