"""The syntax tree of each cleanly parsed .tanso file, kept in the user's cache (`tanso.cache`).

Parsing is most of what `tanso check` does (lark: ~0.3 ms per line); an unchanged file is read back
instead. An entry is named by the sha256 of the file's text and of everything the tree is derived
from: the grammar, the modules that build it (`parser`, `to_ast`, `ast`, this one), lark's and Python's
versions. The file's name is not in the key: it is written as a placeholder and put back on reading,
so the spans name the file as it is called now. An entry is never trusted: a wrong header, key or
checksum, a truncated or unreadable pickle, a class outside the syntax tree, or anything but a
`Module` is ignored and the file parsed again. Files with syntax errors are not cached (their
diagnostics come from the parser each time).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path, PurePath

from tanso import installed
from tanso.cache import cache_folder
from tanso.dsl import ast

HEADER = b"tanso-ast 1\n"
_DIGEST = 32   # sha256: the key, then the payload's checksum, after the header
_FILE = "file"   # the persistent id of the file's name (and of its Path) in a pickle


@lru_cache(maxsize=1)
def _code_key() -> bytes:
    """Everything besides the text that a tree depends on."""
    here = Path(__file__).parent
    digest = hashlib.sha256(f"{installed.version('lark')} {sys.version}".encode())
    for name in ("tanso.lark", "parser.py", "to_ast.py", "ast.py", "parse_cache.py"):
        digest.update((here / name).read_bytes())
    return digest.digest()


@lru_cache(maxsize=1)
def _folder() -> Path | None:
    return cache_folder("ast")


def _key(text: str) -> bytes:
    return hashlib.sha256(_code_key() + text.encode("utf-8", "surrogatepass")).digest()


class _Pickler(pickle.Pickler):
    def __init__(self, stream, file: str):
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.file, self.path = file, Path(file)

    def persistent_id(self, obj):
        if type(obj) is str and obj == self.file or isinstance(obj, PurePath) and obj == self.path:
            return (_FILE, type(obj) is str)
        return None


class _Unpickler(pickle.Unpickler):
    """Builds only syntax-tree nodes and the few value types they hold."""

    _ALLOWED = {("decimal", "Decimal"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "Path")}

    def __init__(self, stream, file: str):
        super().__init__(stream)
        self.file = file

    def persistent_load(self, pid):
        if pid == (_FILE, True):
            return self.file
        if pid == (_FILE, False):
            return Path(self.file)
        raise pickle.UnpicklingError("unknown persistent id")

    def find_class(self, module: str, name: str):
        if module == ast.__name__ and isinstance(getattr(ast, name, None), type) or (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a syntax tree")


def load(text: str, file: str) -> ast.Module | None:
    """The cached tree of `text`, its spans naming `file`; None when there is no usable entry."""
    folder = _folder()
    if folder is None:
        return None
    key = _key(text)
    try:
        data = (folder / key.hex()).read_bytes()
    except OSError:
        return None
    start = len(HEADER) + 2 * _DIGEST
    if (not data.startswith(HEADER) or data[len(HEADER):len(HEADER) + _DIGEST] != key
            or data[len(HEADER) + _DIGEST:start] != hashlib.sha256(data[start:]).digest()):
        return None
    try:
        module = _Unpickler(io.BytesIO(data[start:]), file).load()
    except Exception:   # unreadable despite its checksum (e.g. written by a different build): parse again
        return None
    return module if isinstance(module, ast.Module) else None


def store(text: str, file: str, module: ast.Module) -> None:
    """Keep `module` for the next parse of `text` (atomically; a failure to write is no error)."""
    folder = _folder()
    if folder is None:
        return
    key = _key(text)
    stream = io.BytesIO()
    try:
        _Pickler(stream, file).dump(module)
    except (pickle.PicklingError, RecursionError):   # a tree too deep to pickle is parsed each time
        return
    payload = stream.getvalue()
    target = folder / key.hex()
    partial = folder / f".{key.hex()}.{os.getpid()}"
    try:
        partial.write_bytes(HEADER + key + hashlib.sha256(payload).digest() + payload)
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
