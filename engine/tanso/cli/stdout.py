"""Standard output that outlives its reader: `tanso evaluate … | head` still writes the run.

A command's product is its files (the run folder, the log); what it prints is a view of them. When the
reader of a pipe leaves early (`head`, quitting `less`), Python raises BrokenPipeError at the next write,
which stopped evaluate before it wrote its outputs (exit 73, "cannot write: Broken pipe"). Behind this
wrapper the command goes on as if printing, its files and its exit code as they would be.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator, TextIO


class ReaderMayLeave:
    """`stream` until a write or flush finds its reader gone; from then on, nowhere."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._leave()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    def _leave(self) -> None:
        """Also point the file descriptor at /dev/null: what the interpreter flushes at exit, and any child
        process sharing it, then writes nowhere instead of raising again."""
        self.reader_gone = True
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):   # not a file descriptor (a test's captured stream)
            pass

    def __getattr__(self, name: str):
        return getattr(self._stream, name)   # encoding, isatty, fileno, buffer … as the stream's


@contextmanager
def reader_may_leave() -> Iterator[None]:
    """sys.stdout behind `ReaderMayLeave` for the block."""
    stream = sys.stdout
    sys.stdout = ReaderMayLeave(stream)
    try:
        yield
    finally:
        sys.stdout = stream
