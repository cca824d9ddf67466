"""The syntax tree of each cleanly parsed .tanso file, kept in the user's cache (`tanso.cache`).

Parsing is most of what `tanso check` does (lark: ~0.3 ms per line); an unchanged file is read back
instead. An entry is named by the sha256 of the file's text and of everything the tree is derived
from: the grammar, the modules that build it (`parser`, `to_ast`, `ast`, this one), lark's and Python's
versions. The file's name is not in the key: the file is parsed under a placeholder name for the entry,
which is put back in the entry's bytes on reading (one `bytes.replace`, not a call per span), so the
spans name the file as it is called now. An entry is never trusted: a wrong header, key or
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
import struct
import sys
from functools import lru_cache
from pathlib import Path

from tanso import installed
from tanso.cache import cache_folder
from tanso.dsl import ast

HEADER = b"tanso-ast 2\n"
_DIGEST = 32   # sha256: the key, then the payload's checksum, after the header
# The name a cached file is parsed under. No .tanso text holds it (a file that does is not cached), and pickle
# protocol 3 writes every text as BINUNICODE without frames, so the name can be put back by replacing bytes.
PLACEHOLDER = "\x00tanso:file\x00"
_PROTOCOL = 3
_CHUNK = 1 << 20


def _encoded(name: str) -> bytes:
    """`name` as pickle protocol 3 writes a text (BINUNICODE: 'X', its length, its UTF-8)."""
    data = name.encode("utf-8", "surrogatepass")
    return b"X" + struct.pack("<I", len(data)) + data


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


class _Unpickler(pickle.Unpickler):
    """Builds only syntax-tree nodes and the few value types they hold."""

    _ALLOWED = {("decimal", "Decimal"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "Path")}

    def find_class(self, module: str, name: str):
        if module == ast.__name__ and isinstance(getattr(ast, name, None), type) or (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a syntax tree")


def cacheable(text: str) -> bool:
    """Whether the tree of `text` can be kept (parsed under PLACEHOLDER, which the text must not hold)."""
    return _folder() is not None and PLACEHOLDER not in text


def _read(payload: bytes, file: str) -> ast.Module | None:
    try:
        # Through a buffered reader: the C unpickler then takes the bytes in large chunks (`peek`), not with a
        # `read` call per opcode (protocol 3 has no frames).
        stream = io.BufferedReader(io.BytesIO(payload.replace(_encoded(PLACEHOLDER), _encoded(file))), _CHUNK)
        module = _Unpickler(stream).load()
    except Exception:   # unreadable despite its checksum (e.g. written by a different build): parse again
        return None
    return module if isinstance(module, ast.Module) else None


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
    return _read(data[start:], file)


def store(text: str, module: ast.Module, file: str) -> ast.Module | None:
    """Keep `module`, parsed from `text` under PLACEHOLDER, for the next parse of `text` (atomically; a failure
    to write is no error). Returns it read back as `file`'s, as the next check reads it; None when it cannot
    be pickled (a tree too deep: parsed each time)."""
    try:
        payload = pickle.dumps(module, protocol=_PROTOCOL)
    except (pickle.PicklingError, RecursionError):
        return None
    named, folder = _read(payload, file), _folder()
    if named is None or folder is None:
        return None
    key = _key(text)
    target = folder / key.hex()
    partial = folder / f".{key.hex()}.{os.getpid()}"
    try:
        partial.write_bytes(HEADER + key + hashlib.sha256(payload).digest() + payload)
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return named
