"""Reading logs: plain, gzip, bzip2 or xz (told by their first bytes, not their names), files or
standard input, in large chunks that end at a line's end, in constant memory."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import mmap
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

CHUNK_SIZE = 1 << 20  # small enough to stay in cache while its lines are counted
Chunk = bytes | memoryview
"""Whole lines of a log: bytes, or a view of a file mapped into memory."""
STDIN = "-"
_MAGIC: dict[bytes, Callable[[BinaryIO], io.BufferedIOBase]] = {
    b"\x1f\x8b": lambda f: gzip.GzipFile(fileobj=f),
    b"BZh": lambda f: bz2.BZ2File(f),
    b"\xfd7zXZ\x00": lambda f: lzma.LZMAFile(f),  # noqa: SIM115
}


class LogReadError(OSError):
    """A log that cannot be read; the message names it."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    size: int | None
    """Bytes on disk (compressed), for progress; ``None`` for standard input."""
    compressed: bool


def inspect(name: str) -> Source:
    """Check that a log can be read, before any work starts. Raises `LogReadError` naming it."""
    if name == STDIN:
        return Source(name, None, compressed=False)
    try:
        with open(name, "rb") as f:
            head = f.read(6)
            size = os.fstat(f.fileno()).st_size
    except IsADirectoryError:
        raise LogReadError(f"{name}: is a directory, not a log file") from None
    except OSError as e:
        raise LogReadError(f"{name}: cannot read: {e.strerror}") from None
    return Source(name, size, compressed=any(head.startswith(m) for m in _MAGIC))


def _opener(head: bytes) -> Callable[[BinaryIO], io.BufferedIOBase] | None:
    return next((open_ for magic, open_ in _MAGIC.items() if head.startswith(magic)), None)


def chunks(source: Source, progress: list[int] | None = None) -> Iterator[bytes]:
    """The log's bytes in chunks of whole lines. ``progress[0]`` grows with the bytes read from disk."""
    raw: Any = sys.stdin.buffer if source.name == STDIN else open(source.name, "rb")  # noqa: SIM115
    if not hasattr(raw, "peek"):  # a pipe's buffer has it; a replaced stdin may not
        raw = io.BufferedReader(raw)
    try:
        head = raw.peek(6)[:6]
        opener = _opener(head)
        stream: io.BufferedIOBase | BinaryIO = opener(raw) if opener else raw
        try:
            while True:
                chunk = stream.read(CHUNK_SIZE)
                if not chunk:
                    return
                if not chunk.endswith(b"\n"):
                    chunk += stream.readline()
                if progress is not None and source.size is not None:
                    progress[0] = raw.tell()  # on disk, so compressed logs count their compressed bytes
                yield chunk
        except (OSError, EOFError, lzma.LZMAError) as e:
            raise LogReadError(f"{source.name}: cannot read: {e}") from None
    finally:
        if source.name != STDIN:
            raw.close()


def ranges(source: Source, count: int) -> list[tuple[int, int]]:
    """``count``-ish byte ranges of a plain file, for workers that read their own part."""
    size = source.size or 0
    step = max(8 * CHUNK_SIZE, -(-size // max(count, 1)))
    return [(start, min(start + step, size)) for start in range(0, size, step)]


def read_range(name: str, start: int, end: int) -> Iterator[Chunk]:
    """The lines that start in ``[start, end)`` of a plain file, in chunks: views of the file
    mapped into memory (no copy is made), or read where it cannot be mapped (an empty file, some
    file systems). A view is valid until the next chunk is asked for."""
    with open(name, "rb") as f:
        try:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            yield from _read(f, start, end)
            return
        with mapped:
            yield from _views(mapped, start, end)


def _views(mapped: mmap.mmap, start: int, end: int) -> Iterator[memoryview]:
    size = len(mapped)
    start = min(start, size)  # the file may have shrunk since its ranges were made
    if start and mapped[start - 1] != ord("\n"):  # the line that started before us is the previous range's
        newline = mapped.find(b"\n", start)
        start = size if newline < 0 else newline + 1
    with memoryview(mapped) as whole:
        while start < min(end, size):
            stop = min(start + CHUNK_SIZE, end, size)
            if mapped[stop - 1] != ord("\n"):  # to the end of the line
                newline = mapped.find(b"\n", stop)
                stop = size if newline < 0 else newline + 1
            with whole[start:stop] as chunk:
                yield chunk
            _forget(mapped, start, stop)
            start = stop


_DONTNEED = getattr(mmap, "MADV_DONTNEED", None)


def _forget(mapped: mmap.mmap, start: int, stop: int) -> None:
    """Let go of the pages of a chunk counted: they stay in the page cache, not in this process's
    memory (else a process's size would grow with the part of the log it reads)."""
    if _DONTNEED is not None:
        first_page = start - start % mmap.PAGESIZE
        mapped.madvise(_DONTNEED, first_page, stop - first_page)


def _read(f: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    if start:
        f.seek(start - 1)
        if f.read(1) != b"\n":
            f.readline()  # the line that started before us belongs to the previous range
    position = f.tell()
    while position < end:
        chunk = f.read(min(CHUNK_SIZE, end - position))
        if not chunk:
            return
        if not chunk.endswith(b"\n"):
            chunk += f.readline()
        position = f.tell()
        yield chunk
