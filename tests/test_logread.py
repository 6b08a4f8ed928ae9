"""Reading logs in chunks of whole lines: mapped views or reads, any range split, nothing lost."""

from __future__ import annotations

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
