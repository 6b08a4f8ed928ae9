"""Reading logs in chunks of whole lines: mapped views or reads, any range split, nothing lost."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

import browsercheck._logread as logread
from browsercheck._logread import Source, inspect, ranges, read_range

LINES = [f"10.0.0.{i % 250} - - line {i} {'x' * (i % 97)}\n".encode() for i in range(3000)]


@pytest.fixture(params=["mapped", "read"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test with the file mapped into memory, and once more read (where mmap fails)."""
    monkeypatch.setattr(logread, "CHUNK_SIZE", 4096)  # many chunks from a small file
    if request.param == "read":

        def no_mmap(*args: object, **kwargs: object) -> None:
            raise OSError("cannot map here")

        monkeypatch.setattr("mmap.mmap", no_mmap)
    return str(request.param)


def whole(source: Source, count: int, reading: str) -> list[bytes]:
    chunks = []
    for start, end in ranges(source, count):
        for chunk in read_range(source.name, start, end):
            assert isinstance(chunk, memoryview if reading == "mapped" else bytes)
            chunks.append(bytes(chunk))
    assert all(chunk.endswith(b"\n") for chunk in chunks[:-1])
    return chunks


@pytest.mark.parametrize("tail", [b"", b"last line without a newline"])
def test_ranges_read_every_line_once(
    tmp_path: Path, reading: str, tail: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(LINES) + tail)
    monkeypatch.setattr(logread, "ranges", lambda source, count: _small_ranges(source.size or 0, count))
    for count in (1, 3, 7):
        chunks = whole(inspect(str(path)), count, reading)
        assert b"".join(chunks) == path.read_bytes()  # every line once, in order, each chunk whole lines


def _small_ranges(size: int, count: int) -> list[tuple[int, int]]:
    """Ranges that cut through lines anywhere (the real ones are at least 8 MiB)."""
    step = -(-size // count)
    return [(start, min(start + step, size)) for start in range(0, size, step)]


def test_an_empty_file_reads_as_nothing(tmp_path: Path, reading: str) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    assert list(read_range(str(path), 0, 0)) == []


def test_mapped_chunks_are_views_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(b"".join(LINES))
    chunks = read_range(str(path), 0, path.stat().st_size)
    assert isinstance(chunks, types.GeneratorType)
    first = next(chunks)
    assert isinstance(first, memoryview) and bytes(first[:9]) == b"10.0.0.0 "
    chunks.close()  # the file is unmapped: a view is valid only until the next chunk
    with pytest.raises(ValueError, match="released"):
        bytes(first)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc (Linux)")
def test_reading_a_large_file_keeps_the_process_small(tmp_path: Path) -> None:
    """Mapped pages already counted are let go: memory does not grow with the part of a log read."""
    path = tmp_path / "big.log"
    with open(path, "wb") as f:
        for _ in range(64):
            f.write(b"".join(LINES[:2000]) * 8)
    # the peak of this new program (VmHWM); getrusage's maxrss would carry over the parent's
    script = (
        "import hashlib, re, sys\n"
        "from browsercheck._logread import read_range\n"
        "peak = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) // 1024\n"
        "before = peak()\n"
        "digest = hashlib.md5()\n"
        "for chunk in read_range(sys.argv[1], 0, 1 << 40):\n"
        "    digest.update(chunk)\n"
        "print(before, peak())\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    assert path.stat().st_size >> 20 > 60
    assert after - before < 16  # megabytes: a few chunks' pages, not the file's 70
