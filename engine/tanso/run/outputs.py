"""Output folders that are atomic, locked and complete.

A command that writes `--out OUT` never writes into OUT. It

1. takes an exclusive lock on `OUT.lock` beside OUT (`fcntl.flock`, non-blocking): a second run on
   the same OUT is refused at once, naming the running one. The kernel releases a flock when its
   process ends however it ends, so the lock of a killed run never blocks;
2. removes what killed runs left beside OUT (`.OUT.tmp-<pid>-<token>` folders; a `.OUT.old-…` folder
   is put back at OUT if OUT is missing) — safe, since only the holder of the lock touches them;
3. writes everything into a fresh `.OUT.tmp-<pid>-<token>` folder beside OUT (same parent, same file
   system), `manifest.json` last with the sha256 and size of every other file (`outputs`);
4. moves it into place. On Linux it *exchanges* the two folders in one atomic `renameat2
   (RENAME_EXCHANGE)`, so OUT is at every instant the previous complete run or the new one. Where the
   file system cannot exchange, OUT is renamed away to `.OUT.old-…` and the new folder renamed to OUT:
   between those two renames (two metadata operations, microseconds) OUT is absent, and a run killed
   right there leaves the previous run in `.OUT.old-…`, which the next run puts back before anything
   else. The previous folder is deleted only once the new one is in place.

An interrupted or failed run deletes its temporary folder and leaves OUT as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import hashlib
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any, Iterator

from tanso.diagnostics import TansoError

MANIFEST = "manifest.json"
_HASH_CHUNK = 1 << 20


class OutputError(TansoError):
    """--out cannot be written: under a regular file, not writable, not a folder tanso wrote."""

    exit_code = 73   # sysexits EX_CANTCREAT


class OutputBusy(TansoError):
    """Another tanso run holds the lock of this --out."""

    exit_code = 75   # sysexits EX_TEMPFAIL: try again later


def file_outputs(folder: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file under `folder` (POSIX relative paths), but its own manifest.json."""
    outputs = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST:
            continue
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            os.fsync(handle.fileno())   # on disk before the folder is renamed into place
        outputs[relative] = {"sha256": digest.hexdigest(), "size": size}
    return outputs


def manifest_text(document: dict[str, Any]) -> str:
    """A manifest as tanso writes it: sorted keys, indented, one final newline. `tanso verify` requires
    this exact form, so that no byte of a manifest (even whitespace) can change unseen."""
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


def canonical_json(document: Any) -> bytes:
    """A document's canonical JSON: sorted keys, no whitespace, UTF-8 — what its digests are taken of."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def canonical_digest(document: dict[str, Any]) -> str:
    """sha256 of the document's canonical JSON without its own `canonical_sha256`: an edit of a
    manifest's content that does not recompute it is detected."""
    return hashlib.sha256(canonical_json({k: v for k, v in document.items() if k != CANONICAL_FIELD})).hexdigest()


CANONICAL_FIELD = "canonical_sha256"


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write `folder/manifest.json` — last — with `outputs`: every other file's sha256 and size, and
    `canonical_sha256`, the digest of the rest of the manifest."""
    document = {**manifest, "outputs": file_outputs(folder)}
    document[CANONICAL_FIELD] = canonical_digest(document)
    path = folder / MANIFEST
    with path.open("w", encoding="utf-8") as handle:
        handle.write(manifest_text(document))
        handle.flush()
        os.fsync(handle.fileno())
    return path


def output_differences(folder: Path, listed: dict[str, Any]) -> list[tuple[str, dict | None, dict | None]]:
    """(file, as the manifest lists it, as found) for every file of `folder` (but manifest.json) that is
    missing (found None), not listed (listed None) or whose sha256 or size differs, by name."""
    present = file_outputs(folder)
    return [(name, listed.get(name), present.get(name)) for name in sorted(set(listed) | set(present))
            if listed.get(name) != present.get(name)]


def verify(folder: Path) -> list[str]:
    """Problems with a finished output folder: a file missing, changed or not listed in its manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{folder / MANIFEST}: {error}"]
    listed = manifest.get("outputs")
    if listed is None:
        return [f"{folder / MANIFEST} lists no outputs"]
    return [f"{name}: " + ("missing" if found is None else "not in the manifest" if expected is None
                           else "sha256 or size differs")
            for name, expected, found in output_differences(folder, listed)]


# ----------------------------------------------------------------------------- the staged folder

class Staged:
    """A locked --out being written: write into `.path`, then `commit()`."""

    def __init__(self, out: Path):
        self.out = out
        self.parent = out.parent
        self.lock_path = self.parent / f"{out.name}.lock"
        self.path: Path = self.parent / f".{out.name}.tmp-{os.getpid()}-{_token()}"
        self.committed = False
        self._lock_fd: int | None = None

    # -- lock
    def lock(self, command: str) -> None:
        while True:
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as error:
                raise OutputError(f"cannot create the lock file {self.lock_path}: {_reason(error)}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read(fd)
                os.close(fd)
                raise OutputBusy(f"{self.out} is being written by another tanso run ({holder or 'holder unknown'}); "
                                 f"wait for it to finish or choose another --out") from None
            # The file may have been unlinked by its previous holder between our open and our lock:
            # then the lock is on a file nobody else will see; start again on the current one.
            try:
                same = os.stat(self.lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._lock_fd = fd
        import socket   # here, not at the top: every command imports this module, few write (and socket is 8 M instructions)
        started = datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, started {started}: {command}\n".encode(), 0)

    def unlock(self) -> None:
        if self._lock_fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.lock_path)   # while still holding it (see lock())
        os.close(self._lock_fd)
        self._lock_fd = None

    # -- leftovers of killed runs (only called with the lock held)
    def clean_leftovers(self) -> None:
        pattern = re.compile(rf"^\.{re.escape(self.out.name)}\.(tmp|old)-\d+-[0-9a-f]+$")
        leftovers = sorted((p for p in self.parent.iterdir() if pattern.match(p.name) and p.is_dir()
                            and not p.is_symlink()), key=lambda p: p.name)
        for path in leftovers:
            if path.name.split(".")[-1].startswith("old-") and not os.path.lexists(self.out):
                os.rename(path, self.out)   # a run killed between its two renames: put the previous run back
            else:
                _rmtree(path)

    # -- commit
    def commit(self) -> None:
        """Move the finished folder to OUT. Called with SIGINT/SIGTERM blocked."""
        _fsync_dir(self.path)
        if os.path.lexists(self.out):
            if not _exchange(self.path, self.out):
                old = self.parent / f".{self.out.name}.old-{os.getpid()}-{_token()}"
                os.rename(self.out, old)
                os.rename(self.path, self.out)       # OUT is absent only between these two renames
                self.path = old
            self.committed = True
            _fsync_dir(self.parent)
            _rmtree(self.path)   # the previous run, now beside OUT
        else:
            os.rename(self.path, self.out)
            self.committed = True
            _fsync_dir(self.parent)

    def discard(self) -> None:
        if not self.committed:
            _rmtree(self.path)


@contextlib.contextmanager
def staged_output(out: Path, command: str) -> Iterator[Staged]:
    """Lock OUT, yield a Staged whose `.path` is an empty folder beside OUT; the caller writes into it
    and calls `finish()`. On any exception (or interruption) the folder is deleted and OUT is left as it was."""
    out = _normalise(out)
    _check_parent(out)
    staged = Staged(out)
    staged.lock(command)
    try:
        staged.clean_leftovers()
        _check_replaceable(out)
        try:
            # Inside the try: an interruption can land right after the folder is made (CI saw one).
            try:
                staged.path.mkdir()
            except OSError as error:
                raise OutputError(f"cannot create a folder beside {out}: {_reason(error)}") from None
            yield staged
        finally:
            staged.discard()
    finally:
        staged.unlock()


def finish(staged: Staged) -> None:
    """Commit with SIGINT and SIGTERM held back: the folder moves into place whole or not at all.
    Once it is in place they stay held back (the run is complete; the command only reports and exits):
    `release_signals()` drops what arrived meanwhile."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        staged.commit()
    except OSError as error:
        raise OutputError(f"cannot move the finished output into place at {staged.out}: {_reason(error)}") from None
    finally:
        if not staged.committed:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _token() -> str:
    """8 random hex digits naming a staged or previous folder (`secrets.token_hex(4)`, without importing secrets:
    every command imports this module for SIGNALS, few write)."""
    return os.urandom(4).hex()


def _rmtree(path: Path) -> None:
    import shutil   # here, not at the top, for the same reason
    shutil.rmtree(path, ignore_errors=True)


def release_signals(mask: set[int]) -> None:
    """Restore the signal mask `mask`, dropping (not delivering) any SIGINT/SIGTERM held back meanwhile."""
    pending = signal.sigpending() & SIGNALS
    if pending:
        saved = {s: signal.signal(s, signal.SIG_IGN) for s in pending}
        signal.pthread_sigmask(signal.SIG_UNBLOCK, pending)   # delivered now, and ignored
        signal.pthread_sigmask(signal.SIG_BLOCK, pending)
        for s, handler in saved.items():
            signal.signal(s, handler)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


# ----------------------------------------------------------------------------- checks

def _normalise(out: Path) -> Path:
    absolute = Path(os.path.abspath(out))
    if absolute.is_symlink():
        absolute = absolute.resolve()
    if absolute.parent == absolute:
        raise OutputError(f"--out {out} is a file system root; choose a folder inside it")
    return absolute


def _check_parent(out: Path) -> None:
    for ancestor in [out.parent, *out.parent.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(f"--out {out}: {ancestor} is a file, not a folder")
            break
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create the folder {out.parent} for --out: {_reason(error)}") from None
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write --out {out}: the folder {out.parent} is not writable")


def _check_replaceable(out: Path) -> None:
    """OUT is replaced whole: it must be absent, empty, or a folder a tanso command wrote (its manifest
    listing what is in it) — never a folder of the user's other files."""
    if not os.path.lexists(out):
        return
    if not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    manifest = _tanso_document(out / MANIFEST)
    # A folder an earlier version wrote: its manifest (evaluate) or comparison.json (compare) says so.
    if manifest is None and _tanso_document(out / "comparison.json") is None:
        raise OutputError(f"--out {out} holds files tanso did not write ({', '.join(entries[:3])}"
                          f"{', …' if len(entries) > 3 else ''}) and would be replaced whole; "
                          f"choose a new or empty folder")
    listed = None if manifest is None else manifest.get("outputs")
    if isinstance(listed, dict):
        present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST}
        foreign = sorted(present - set(listed))
        if foreign:
            raise OutputError(f"--out {out} holds files its manifest does not list ({', '.join(foreign[:3])}"
                              f"{', …' if len(foreign) > 3 else ''}); they would be deleted when the folder is "
                              f"replaced: move them away or choose another --out")


def _tanso_document(path: Path) -> dict | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and str(document.get("format", "")).startswith("tanso-") else None


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _read(fd: int) -> str:
    with contextlib.suppress(OSError):
        return os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    return ""


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes.util   # here, not at the top: ctypes and its util (subprocess) are ~30 M instructions of every command
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False        # the file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))
