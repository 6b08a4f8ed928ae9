"""Reading logs: plain, gzip, bzip2 or xz (told by their first bytes, not their names), files,
pipes or standard input, in large chunks that end at a line's end, in constant memory.

Files are read, never mapped into memory: a mapped file that shrinks while it is read (logrotate's
``copytruncate``) kills the process with SIGBUS, where a read just ends early. Chunks are views of
one buffer that each reader reuses, so reading allocates nothing per chunk. A line is at most
`MAX_LINE` bytes: of a longer one (a corrupt log, a "gzip bomb" of zeros without a newline) the
first ``MAX_LINE + 2`` bytes are kept, which the counters count as one malformed line, and the rest
is skipped up to its newline without being held.
"""

from __future__ import annotations

import bz2
import contextlib
import dataclasses
import errno
import gzip
import io
import lzma
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from .._errors import LogReadError as LogReadError

CHUNK_SIZE = 1 << 20  # small enough to stay in cache while its lines are counted
MAX_LINE = 64 << 10
"""Bytes of a line (without its line end) beyond which it is malformed and not read whole."""
Chunk = bytes | memoryview
"""Whole lines of a log: bytes, or a view of a reader's buffer (valid until the next chunk)."""
STDIN = "-"
_MAGIC: dict[bytes, Callable[[BinaryIO], io.BufferedIOBase]] = {
    b"\x1f\x8b": lambda f: gzip.GzipFile(fileobj=f),
    b"BZh": lambda f: bz2.BZ2File(f),
    b"\xfd7zXZ\x00": lambda f: lzma.LZMAFile(f),  # noqa: SIM115
}
_UNREAD = {b"\x28\xb5\x2f\xfd": "zstd", b"\x04\x22\x4d\x18": "lz4", b"PK\x03\x04": "zip", b"7z\xbc\xaf": "7-Zip"}
"""Compressions a log may come in that the audit does not decompress: named, not counted as lines."""
_CORRUPT = (OSError, EOFError, zlib.error, lzma.LZMAError)
"""What reading a corrupt or cut compressed log raises (gzip's zlib.error is no OSError)."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    size: int | None
    """Bytes on disk (compressed), for progress; ``None`` for a stream: standard input, a pipe,
    a FIFO (``<(zcat old.log.gz)``), which is read once, from start to end, by one process."""
    compressed: bool
    """Told for files; a stream's first bytes are only looked at when it is read."""
    fd: int | None = None
    """A file held open while it is audited (`held_open`): it is read (a plain one in byte ranges)
    as the file it was when inspected, in this process and in the forks that count, however its
    name is renamed or replaced meanwhile (logrotate's rename-and-create, its ".1.gz" to ".2.gz").
    ``None``: read by name."""

    @property
    def streamed(self) -> bool:
        return self.size is None


def inspect(name: str) -> Source:
    """Check that a log can be read, before any work starts. Raises `LogReadError` naming it.

    Only a regular file is opened here: opening a FIFO waits for its writer, and reading a pipe's
    first bytes would take them from the audit.
    """
    if name == STDIN:
        return Source(name, None, compressed=False)
    try:
        mode = os.stat(name).st_mode
    except OSError as e:
        raise LogReadError(f"{name}: cannot read: {e.strerror}") from None
    if stat.S_ISDIR(mode):
        raise LogReadError(f"{name}: is a directory, not a log file")
    if not stat.S_ISREG(mode):  # a pipe, a FIFO, a device: read when it is counted
        if not os.access(name, os.R_OK):
            raise LogReadError(f"{name}: cannot read: {os.strerror(errno.EACCES)}")
        return Source(name, None, compressed=False)
    try:
        with open(name, "rb") as f:
            head = f.read(6)
            size = os.fstat(f.fileno()).st_size
    except OSError as e:
        raise LogReadError(f"{name}: cannot read: {e.strerror}") from None
    _refuse_unread(name, head)
    return Source(name, size, compressed=_opener(head) is not None)


def _opener(head: bytes) -> Callable[[BinaryIO], io.BufferedIOBase] | None:
    return next((open_ for magic, open_ in _MAGIC.items() if head.startswith(magic)), None)


def _refuse_unread(name: str, head: bytes) -> None:
    """A `LogReadError` for a log in a compression the audit does not read (its bytes would be
    counted as malformed lines, and the audit would report nothing)."""
    for magic, kind in _UNREAD.items():
        if head.startswith(magic):
            raise LogReadError(f"{name}: is compressed with {kind}, which the audit does not read: decompress it first")


def chunks(source: Source, progress: list[int] | None = None) -> Iterator[memoryview]:
    """The whole log's lines in chunks, decompressed. ``progress[0]`` grows with the bytes read
    from disk (for files). Each chunk is valid until the next is asked for."""
    if source.name == STDIN:
        raw: Any = sys.stdin.buffer
    elif source.fd is not None:  # held open (`held_open`): read from its start, at offsets of its own
        raw = io.BufferedReader(_FromStart(source.fd))
    else:
        raw = open(source.name, "rb")  # noqa: SIM115
    if not hasattr(raw, "peek"):  # a pipe's buffer has it; a replaced stdin may not
        raw = io.BufferedReader(raw)
    try:
        head = raw.peek(6)[:6]
        _refuse_unread(source.name, head)
        opener = _opener(head)
        stream: Any = opener(raw) if opener else raw
        try:
            for chunk in line_chunks(in_pieces(stream.readinto) if opener else stream.readinto):
                if progress is not None and not source.streamed:
                    progress[0] = raw.tell()  # on disk, so compressed logs count their compressed bytes
                yield chunk
        except _CORRUPT as e:
            raise LogReadError(f"{source.name}: cannot read: {e}") from None
    finally:
        if source.name != STDIN:
            raw.close()


DECOMPRESSED_PIECE = 64 << 10
"""Bytes asked of a decompressor at a time. Python's decompressing readers make a new bytes object
of the size asked for and copy it: asked for a whole chunk, that is a block glibc maps and unmaps
each time wherever its trim threshold is set (Dask's workers set it to 64 KiB), and counting a .gz
then took half as long again; pieces under the threshold come from the heap, reused."""


def in_pieces(readinto: Callable[[memoryview], int | None]) -> Callable[[memoryview], int]:
    """``readinto`` (a decompressing stream's) that fills the view `DECOMPRESSED_PIECE` by piece,
    up to its end or the stream's."""

    def fill(view: memoryview) -> int:
        filled = 0
        while filled < len(view):
            n = readinto(view[filled : filled + DECOMPRESSED_PIECE])
            if not n:
                break
            filled += n
        return filled

    return fill


def ranges(source: Source, count: int) -> list[tuple[int, int]]:
    """``count``-ish byte ranges of a plain file, for workers that read their own part."""
    size = source.size or 0
    step = max(8 * CHUNK_SIZE, -(-size // max(count, 1)))
    return [(start, min(start + step, size)) for start in range(0, size, step)]


@contextlib.contextmanager
def held_open(sources: list[Source]) -> Iterator[list[Source]]:
    """``sources``, each file among them (plain or compressed) held open until the block ends
    (`Source.fd`). Where the system cannot read at an offset (``os.pread``) they are read by name."""
    held: list[Source] = []
    try:
        for source in sources:
            if source.streamed or not hasattr(os, "pread"):
                held.append(source)
                continue
            try:
                fd = os.open(source.name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError as e:
                raise LogReadError(f"{source.name}: cannot read: {e.strerror}") from None
            held.append(dataclasses.replace(source, fd=fd))
        yield held
    finally:
        for source in held:
            if source.fd is not None:
                os.close(source.fd)


def read_range(source: Source, start: int, end: int) -> Iterator[memoryview]:
    """The lines that start in ``[start, end)`` of a plain file, in chunks. A file that shrank
    meanwhile reads as far as it goes now."""
    skip_first = start > 0
    if skip_first:
        start -= 1  # the line that ends there, if one does, is the previous range's
    try:
        if source.fd is not None:
            yield from line_chunks(_reader_at(source.fd, start), stop=end - start, skip_first=skip_first)
            return
        with open(source.name, "rb", buffering=0) as f:
            f.seek(start)
            yield from line_chunks(f.readinto, stop=end - start, skip_first=skip_first)
    except OSError as e:
        raise LogReadError(f"{source.name}: cannot read: {e.strerror or e}") from None


def _reader_at(fd: int, position: int) -> Callable[[memoryview], int]:
    """``readinto`` of ``fd`` from ``position`` on, each read at its offset: processes that share
    the descriptor (forks) share no file position."""

    def readinto(view: memoryview) -> int:
        nonlocal position
        if _PREADV:  # straight into the buffer
            n = os.preadv(fd, [view], position)
        else:
            data = os.pread(fd, len(view), position)
            n = len(data)
            view[:n] = data
        position += n
        return n

    return readinto


_PREADV = hasattr(os, "preadv")


class _FromStart(io.RawIOBase):
    """A held log's descriptor read from its start as a file, at offsets of its own (forks that
    share the descriptor share no position). Closing it leaves the descriptor open: `held_open`
    closes that."""

    def __init__(self, fd: int) -> None:
        self._readinto = _reader_at(fd, 0)
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._readinto(memoryview(buffer).cast("B"))
        self._position += n
        return n

    def tell(self) -> int:
        return self._position


def line_chunks(
    readinto: Callable[[memoryview], int | None], stop: int | None = None, skip_first: bool = False
) -> Iterator[memoryview]:
    """Whole lines from ``readinto`` (a file's or stream's), in chunks of about `CHUNK_SIZE`:
    views of one buffer, each valid until the next chunk is asked for. A line over `MAX_LINE`
    bytes comes as its first ``MAX_LINE + 2`` bytes and a newline, the rest skipped unread.

    ``stop``: only the lines that start within the first ``stop`` bytes. ``skip_first``: the
    first line (up to and with its newline) is not ours.
    """
    buffer = bytearray(CHUNK_SIZE + MAX_LINE + 2)  # a chunk, after the start of a line carried over
    view = memoryview(buffer)
    base = 0  # bytes read before buffer[0]
    kept = 0  # buffer[:kept]: the start of a line not yet ended
    skipping = skip_first  # dropping the rest of a line, up to its newline
    while stop is None or base < stop:
        want = CHUNK_SIZE if stop is None else min(CHUNK_SIZE, max(stop - base - kept, 8192))
        n = readinto(view[kept : kept + want])
        if not n:  # the end (or a file that shrank)
            if kept and not skipping:
                yield view[:kept]
            return
        end = kept + n
        if skipping:  # kept == 0
            newline = buffer.find(b"\n", 0, end)
            if newline < 0:
                base += end
                continue
            skipping = False
            base += newline + 1
            end -= newline + 1
            buffer[:end] = buffer[newline + 1 : newline + 1 + end]
            if stop is not None and base >= stop:
                return
        if stop is not None and stop - base <= end:  # the buffer holds the start of our last line
            newline = buffer.find(b"\n", stop - base - 1, end)
            if newline >= 0:
                yield view[: newline + 1]
                return
        last = buffer.rfind(b"\n", 0, end) + 1  # the lines before it are whole
        if last:
            yield view[:last]
        kept = end - last
        if kept >= MAX_LINE + 2:  # over MAX_LINE, even if "\r\n" ends it
            cut = last + MAX_LINE + 2
            buffer[cut] = ord("\n")
            yield view[last : cut + 1]
            skipping = True
            base += end
            kept = 0
        elif last:
            buffer[:kept] = buffer[last:end]
            base += last
