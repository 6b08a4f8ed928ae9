"""Reading logs in chunks of whole lines: any range split, nothing lost, memory bounded, files that
change while they are read, pipes and FIFOs."""

from __future__ import annotations

import gzip
import io
import itertools
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from browsercheck.audit import _logread as logread
from browsercheck.audit._logread import Source, chunks, held_open, inspect, ranges, read_range

LINES = [f"10.0.0.{i % 250} - - line {i} {'x' * (i % 97)}\n".encode() for i in range(3000)]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logread, "CHUNK_SIZE", 4096)  # many chunks from a small file


def whole(source: Source, count: int) -> list[bytes]:
    out = []
    for start, end in _small_ranges(source.size or 0, count):
        out += [bytes(chunk) for chunk in read_range(source, start, end)]
    assert all(chunk.endswith(b"\n") for chunk in out[:-1])
    return out


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("tail", [b"", b"last line without a newline"])
@pytest.mark.parametrize("held", [False, True], ids=["by-name", "held-open"])
def test_ranges_read_every_line_once(tmp_path: Path, tail: bytes, held: bool) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(LINES) + tail)
    with held_open([inspect(str(path))]) as (open_source,):
        source = open_source if held else inspect(str(path))
        assert (source.fd is not None) is held
        for count in (1, 3, 7):
            assert b"".join(whole(source, count)) == path.read_bytes()  # every line once, in order


def test_a_held_log_is_read_as_inspected_however_its_name_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(LINES))
    descriptors = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with held_open([inspect(str(path))]) as (source,):
        assert source.fd is not None
        path.rename(tmp_path / "access.log.1")  # logrotate: rename, then create the log anew
        path.write_bytes(b"new\n")
        assert b"".join(whole(source, 3)) == b"".join(LINES)
    if descriptors is not None:
        assert len(os.listdir("/proc/self/fd")) == descriptors  # closed when the block ends


def _small_ranges(size: int, count: int) -> list[tuple[int, int]]:
    """Ranges that cut through lines anywhere (the real ones are at least 8 MiB)."""
    step = max(1, -(-size // count))
    return [(start, min(start + step, size)) for start in range(0, size, step)]


def test_the_real_ranges_cover_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logread, "CHUNK_SIZE", 1024)  # ranges of 8 KiB
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(LINES))
    source = inspect(str(path))
    spans = ranges(source, 50)
    assert len(spans) == 27 and spans[0][0] == 0 and spans[-1][1] == source.size  # 8 KiB each at least
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_an_empty_file_reads_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    assert list(read_range(Source(str(path), 0, compressed=False), 0, 0)) == []


def split_lines(data: bytes) -> list[tuple[bytes, int]]:
    """The lines of ``data``, each with its length as the counters see it (a "\r\n" ends a line
    as "\n" does; a "\r" at the very end is the last line's own)."""
    lines = data.split(b"\n")
    out = [(line, len(line) - line.endswith(b"\r")) for line in lines[:-1]]
    return out if lines[-1] == b"" else [*out, (lines[-1], len(lines[-1]))]


def assert_read_faithfully(data: bytes, read: bytes, max_line: int) -> None:
    """The lines read are the lines written, one for one; one over ``max_line`` may be cut short,
    but stays over it."""
    written, got = split_lines(data), split_lines(read)
    assert len(got) == len(written)
    for (original, length), (line, length_read) in zip(written, got, strict=True):
        if length <= max_line:
            assert line == original
        else:
            assert original.startswith(line) and length_read > max_line


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("newline_at_end", [True, False])
def test_a_line_over_the_limit_is_cut_and_the_rest_skipped(tmp_path: Path, newline_at_end: bool) -> None:
    long = b"A" * (3 * logread.MAX_LINE)
    data = LINES[0] + long + b"\r\n" + LINES[1] + long + (b"\n" if newline_at_end else b"")
    path = tmp_path / "long.log"
    path.write_bytes(data)
    plain = whole(inspect(str(path)), 3)
    assert max(len(chunk) for chunk in plain) < logread.CHUNK_SIZE + logread.MAX_LINE + 3
    assert_read_faithfully(data, b"".join(plain), logread.MAX_LINE)
    path.write_bytes(gzip.compress(data))
    streamed = b"".join(bytes(chunk) for chunk in chunks(inspect(str(path))))
    assert_read_faithfully(data, streamed, logread.MAX_LINE)


@given(
    data=st.binary(max_size=3000) | st.lists(st.sampled_from([b"\n", b"\r", b"x" * 7, b"y" * 40])).map(b"".join),
    count=st.integers(1, 9),
    chunk_size=st.integers(1, 200),
    max_line=st.integers(0, 120),
)
@settings(max_examples=300, deadline=None)
def test_any_bytes_read_in_any_ranges_lose_no_line(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, count: int, chunk_size: int, max_line: int
) -> None:
    path = tmp_path_factory.mktemp("any") / "any.log"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(logread, "CHUNK_SIZE", chunk_size)
        patch.setattr(logread, "MAX_LINE", max_line)
        # read as a plain file whatever its first bytes (inspect names a zip's or zstd's)
        plain = Source(str(path), len(data), compressed=False)
        assert_read_faithfully(data, b"".join(whole(plain, count)), max_line)
        streamed = b"".join(bytes(chunk) for chunk in logread.line_chunks(io.BytesIO(data).readinto))
        assert_read_faithfully(data, streamed, max_line)


def peak_memory_of(script: str, *args: str) -> tuple[int, int]:
    """(peak MB before, peak MB after) of ``script`` run in a new interpreter (VmHWM: Linux)."""
    program = (
        "import re\n"
        "peak = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) // 1024\n"
        "before = peak()\n" + script + "print(before, peak())\n"
    )
    out = subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split()[-2:])
    return before, after


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc (Linux)")


@needs_proc
def test_reading_a_large_file_keeps_the_process_small(tmp_path: Path) -> None:
    """Memory does not grow with the part of a log read."""
    path = tmp_path / "big.log"
    with open(path, "wb") as f:
        for _ in range(64):
            f.write(b"".join(LINES[:2000]) * 8)
    script = (
        "import hashlib, sys\n"
        "from browsercheck.audit._logread import Source, read_range\n"
        "digest = hashlib.md5()\n"
        "for chunk in read_range(Source(sys.argv[1], None, compressed=False), 0, 1 << 40):\n"
        "    digest.update(chunk)\n"
    )
    before, after = peak_memory_of(script, str(path))
    assert path.stat().st_size >> 20 > 60
    assert after - before < 16  # megabytes: a chunk's buffer, not the file's 70


@needs_proc
def test_a_gzip_bomb_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """256 MiB of zeros without a newline, in 256 KB of gzip: one malformed line, not 256 MiB held."""
    path = tmp_path / "bomb.log.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(b'10.0.0.1 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"\n')
        zeros = bytes(1 << 20)
        for _ in range(256):
            f.write(zeros)
        f.write(b'\n10.0.0.2 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"\n')
    script = (
        "import sys, browsercheck\n"
        "report = browsercheck.audit([sys.argv[1]], workers=1)\n"
        "print(report.lines, report.malformed, report.requests)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "1", "2"]
    before, after = peak_memory_of(
        "import sys\nfrom browsercheck.audit._logread import chunks, inspect\n"
        "print(sum(len(c) for c in chunks(inspect(sys.argv[1]))))\n",
        str(path),
    )
    assert after - before < 32  # megabytes: chunks and the decompressor's buffers, never the whole line


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_a_compressed_log_is_decompressed_in_small_pieces_into_whole_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # Decompressors make a new object of the size they are asked for: asked for a whole chunk,
    # glibc maps and unmaps it each time where its trim threshold is low (Dask's workers), and
    # counting is half as slow again. Asked for small pieces, the chunks must still be whole.
    import bz2
    import lzma

    monkeypatch.setattr(logread, "CHUNK_SIZE", 256 << 10)
    lines = b"".join(b'1.2.3.%d - - [x] "GET / HTTP/1.1" 200 1 "-" "agent %d"\n' % (i % 250, i) for i in range(20_000))
    compressors: dict[str, Callable[[bytes], bytes]] = {
        ".gz": gzip.compress,
        ".bz2": bz2.compress,
        ".xz": lzma.compress,
    }
    path = tmp_path / f"access.log{suffix}"
    path.write_bytes(compressors[suffix](lines))
    asked: list[int] = []
    real = logread.in_pieces

    def spied(readinto: Callable[[memoryview], int | None]) -> Callable[[memoryview], int]:
        def record(view: memoryview) -> int | None:
            asked.append(len(view))
            return readinto(view)

        return real(record)

    monkeypatch.setattr(logread, "in_pieces", spied)
    read = [bytes(chunk) for chunk in chunks(inspect(str(path)))]
    assert b"".join(read) == lines
    assert all(chunk.endswith(b"\n") for chunk in read)
    assert len(read) < len(lines) // (200 << 10) + 2  # whole chunks, not a piece each
    assert max(asked) == logread.DECOMPRESSED_PIECE
