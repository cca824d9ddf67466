"""A folder or file as it is now, or as it was at a git revision (`PATH@REV`).

A revision is read with `git ls-tree` and `git cat-file` into a scratch folder, never by a checkout and
never over the network, so a methodology can be compared with its own history while the working tree
stays as it is. Files read from git are shown as `PATH@REV`, with the line numbers of that revision.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from tanso.diagnostics import Diagnostic, Diagnostics, TansoError
from tanso.scratch import owned_folder

REVISION_MARK = "@"
# Local reads only: no credential prompt, no lazy fetch of a partial clone's missing objects.
_GIT_ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1"}


class RevisionError(TansoError):
    """PATH or PATH@REV names no file, repository, revision or path there: a command-line mistake."""

    exit_code = 64


@dataclass(frozen=True)
class _Revision:
    top: Path          # the repository's top folder, resolved
    commit: str
    rev: str           # as the user wrote it, for display
    scratch: Path      # where its files are copied, resolved

    def git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return _git(self.top, *args)

    def copy(self, repo_path: PurePosixPath) -> Path | None:
        """The file at the revision, copied into the scratch folder; None when it is not a file there."""
        target = self.scratch / repo_path
        if not target.is_file():
            blob = self.git("cat-file", "blob", f"{self.commit}:{repo_path.as_posix()}")
            if blob.returncode != 0:
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
        return target

    def show(self, name: str) -> str:
        try:
            inside = _absolute(name).resolve().relative_to(self.scratch)
        except ValueError:
            return name
        real = self.top / inside
        try:
            real = real.relative_to(Path.cwd().resolve())
        except ValueError:
            pass
        return f"{real}{REVISION_MARK}{self.rev}"


@dataclass(frozen=True)
class Place:
    """Where files are read: `path` itself, or for PATH@REV its copy in a scratch folder, filled on demand."""

    path: Path
    label: str                         # as the user wrote it
    revision: _Revision | None = None

    def file(self, relative: str) -> Path | None:
        """A file below this folder, ready to read; None when it does not exist (there, at that revision)."""
        if self.revision is None:
            candidate = self.path / relative
            return candidate if candidate.is_file() else None
        inside = self.path.relative_to(self.revision.scratch).as_posix()
        return self.revision.copy(PurePosixPath(os.path.normpath(f"{inside}/{relative}")))

    def show(self, name: str) -> str:
        """A file name as the user knows it: `PATH@REV` for a copy read from git."""
        return name if self.revision is None else self.revision.show(name)

    def copy_rulesets(self, suffix: str = ".tanso") -> None:
        """Copy the ruleset files of this place's folder and of the folders beside it, where `extends`
        looks for a base ruleset (its parent folder, and the folders in that)."""
        if self.revision is None:
            return
        repo_path = PurePosixPath(self.path.relative_to(self.revision.scratch).as_posix())
        kind = self.revision.git("cat-file", "-t", f"{self.revision.commit}:{_spec(repo_path)}").stdout.strip()
        folder = repo_path if kind == b"tree" else repo_path.parent
        around = folder.parent
        listing = self.revision.git("ls-tree", "-r", "-z", "--name-only", self.revision.commit, "--",
                                    _spec(around) or ".")
        for name in listing.stdout.decode().split("\0"):
            path = PurePosixPath(name)
            if name.endswith(suffix) and len(path.relative_to(around).parts) <= 2:
                self.revision.copy(path)

    def relabel(self, diagnostics: Diagnostics) -> Diagnostics:
        """The same diagnostics with files read from git named `PATH@REV` (their excerpts kept)."""
        if self.revision is None:
            return diagnostics
        relabelled, read = Diagnostics(), set()

        def moved(span):
            if span is None:
                return None
            shown = self.show(span.file)
            if shown not in read:   # the excerpt is read from the copy, under the name shown
                read.add(shown)
                try:
                    relabelled.sources.add(shown, _absolute(span.file).read_text(encoding="utf-8-sig"))
                except (OSError, UnicodeDecodeError):
                    pass
            return replace(span, file=shown)

        for item in diagnostics.items:
            notes = tuple(replace(note, span=moved(note.span)) for note in item.notes)
            relabelled.items.append(Diagnostic(item.message, moved(item.span), item.expected, item.hint, notes,
                                               item.severity))
        return relabelled


def open_place(spec: str, stack: ExitStack) -> Place:
    """`spec` as a path if it exists, else as PATH@REV (split at the last @). The scratch folder of a
    revision is deleted when `stack` closes. Raises `RevisionError` with what is wrong."""
    as_is = Path(spec)
    if as_is.exists() or REVISION_MARK not in spec:
        if not as_is.exists():
            raise RevisionError(f"{spec}: no such file or folder (PATH, or PATH@REV to read it from git)")
        return Place(as_is, spec)
    path_text, _, rev = spec.rpartition(REVISION_MARK)
    if not path_text or not rev:
        raise RevisionError(f"'{spec}' is not PATH@REV (e.g. rulesets/ghgp-current@HEAD~1)")
    path = _absolute(path_text)
    anchor = next((p for p in (path, *path.parents) if p.is_dir()), None)
    found = _git(anchor, "rev-parse", "--show-toplevel") if anchor else None
    if found is None or found.returncode != 0:
        raise RevisionError(f"{spec}: {path_text} is not in a git repository")
    top = Path(found.stdout.decode().strip()).resolve()
    relative = os.path.relpath(path.resolve(), top)
    if relative.startswith(".."):
        raise RevisionError(f"{spec}: {path_text} is outside the repository {top}")
    repo_path = PurePosixPath(Path(relative).as_posix())
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit.returncode != 0:
        raise RevisionError(f"{spec}: unknown revision '{rev}' in the repository {top}")
    commit_id = commit.stdout.decode().strip()
    if _git(top, "cat-file", "-e", f"{commit_id}:{_spec(repo_path)}").returncode != 0:
        raise RevisionError(f"{spec}: {repo_path} does not exist at revision '{rev}' ({commit_id[:12]})")
    # One level down: `extends` also looks in the folder above a ruleset's, which for a file at the
    # repository's top must be this empty folder, not the system's temporary folder.
    scratch = Path(stack.enter_context(owned_folder("rev"))).resolve() / top.name
    return Place(scratch / repo_path, spec, _Revision(top, commit_id, rev, scratch))


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, env=_GIT_ENV, check=False)
    except FileNotFoundError:
        raise RevisionError("PATH@REV needs git, which is not installed (not on PATH)") from None


def _spec(repo_path: PurePosixPath) -> str:
    """A path as `REV:path` wants it: the repository's top folder is the empty path."""
    return "" if str(repo_path) == "." else repo_path.as_posix()


def _absolute(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else Path.cwd() / path
