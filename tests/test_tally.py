"""Counting combined lines: the C counter and the Python one count alike, on any bytes."""

from __future__ import annotations

import io
import os
import random
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from browsercheck.audit import _logread as logread
from browsercheck.audit import _tally as tally

if TYPE_CHECKING:
    from browsercheck._speedups import CombinedCounter

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)


def line(addr: str, ua: str, referer: str = "-") -> bytes:
    return f'{addr} - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "{referer}" "{ua}"\n'.encode()


def require_c_counter() -> type[CombinedCounter]:
    """The C counter; where it was not built the test skips, unless BROWSERCHECK_REQUIRE_SPEEDUPS=1
    (as CI sets it), where that is a failure."""
    if tally.compiled_counter is None:
        if os.environ.get("BROWSERCHECK_REQUIRE_SPEEDUPS") == "1":
            pytest.fail("browsercheck._speedups is required here (BROWSERCHECK_REQUIRE_SPEEDUPS=1) but was not built")
        pytest.skip("browsercheck._speedups was not built (no C compiler at install)")
    return tally.compiled_counter


@pytest.fixture(params=["c", "python"])
def counting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test once with the C counter and once with the Python one."""
    if request.param == "python":
        monkeypatch.setattr(tally, "compiled_counter", None)
    else:
        require_c_counter()
    return str(request.param)


def count(chunks: list[bytes] | list[memoryview]) -> tally.Tally:
    t = tally.Tally()
    for chunk in chunks:
        t.add_chunk(chunk)
    t.finish()
    return t


def summary(t: tally.Tally) -> tuple[object, ...]:
    return (t.lines, t.malformed, t.examples, dict(t.requests), t.visitors, t.visitor_level, t.first, t.last)


# Lines at the edges of the format, each beside a good one: the User-Agent key, or malformed.
EDGES = [
    b"",  # an empty line
    b"no quotes at all",
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "',  # cut after the opening quote
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (cut',
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" ""',  # empty User-Agent
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "a \\"quoted\\" word"',  # Apache
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "a \\x22quoted\\x22 word"',  # nginx
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "caf\xe9 \xff\xfe\x00 bytes"',
    b'" "',  # nothing but the separator
    b'" ""',  # the separator and an empty User-Agent, no address
    b'x" " "y"',  # the last separator counts
    b'nospace" "ua"',
    b'  leading spaces " "ua"',
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "' + b"A" * 70_000 + b'"',
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "crlf line"\r',  # ends "\r\n"
    b'1.2.3.4 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "two"\r\r',
    b"\r",
]


@pytest.mark.parametrize("edge", EDGES, ids=range(len(EDGES)))
def test_edge_lines_count_alike(edge: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    require_c_counter()
    chunk = line("10.0.0.1", CHROME) + edge + b"\n" + line("10.0.0.2", CHROME)
    in_c = count([chunk])
    monkeypatch.setattr(tally, "compiled_counter", None)
    in_python = count([chunk])
    assert summary(in_c) == summary(in_python)
    assert in_c.requests[CHROME.encode()] == 2


def test_the_c_counter_is_used_when_built(counting: str) -> None:
    assert (tally.Tally()._counter is not None) == (counting == "c")


def test_random_bytes_count_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fuzzed chunks of quotes, spaces, backslashes and newlines, split anywhere: same tallies."""
    require_c_counter()
    rng = random.Random(2026)
    alphabet = b'"  \\\n\r-ab1.\xff'
    chunks = [bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 400))) for _ in range(300)]
    chunks += [line(f"10.0.{i}.1", f"UA {i % 7}") for i in range(50)]
    rng.shuffle(chunks)
    in_c = count(chunks)
    in_c_views = count([memoryview(chunk) for chunk in chunks])  # as read from a mapped file
    monkeypatch.setattr(tally, "compiled_counter", None)
    in_python = count(chunks)
    assert summary(in_c) == summary(in_python) == summary(in_c_views)
    assert in_c.lines > 300 and in_c.malformed > 0 and len(in_c.requests) > 7


def test_counts_requests_and_visitors(counting: str) -> None:
    chunk = b"".join(
        [line("10.0.0.1", CHROME), line("10.0.0.1", CHROME), line("10.0.0.2", CHROME), line("10.0.0.1", "-")]
    )
    t = count([chunk[:100], chunk[100:]])  # a chunk may end inside a line: that line is cut (malformed)
    assert (t.lines, t.malformed) == (5, 2)
    t = count([chunk])
    assert (t.lines, t.malformed, dict(t.requests)) == (4, 0, {CHROME.encode(): 3, b"-": 1})
    assert t.visitors == {CHROME.encode(): {hash(b"10.0.0.1"), hash(b"10.0.0.2")}, b"-": {hash(b"10.0.0.1")}}
    assert t.first is not None and t.first == t.last and t.first.hour == 10


def test_visitors_are_sampled_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    require_c_counter()
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 300)
    chunks = [b"".join(line(f"10.{j}.{i // 256}.{i % 256}", f"UA {i % 3}") for i in range(1000)) for j in range(3)]
    in_c = count(chunks)
    monkeypatch.setattr(tally, "compiled_counter", None)
    in_python = count(chunks)
    assert in_c.visitor_level >= 3
    assert summary(in_c) == summary(in_python)
    assert sum(map(len, in_c.visitors.values())) <= 300


def test_tallies_sampled_at_different_levels_merge_to_the_same_sample(
    counting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 500)
    lines = [line(f"10.0.{i // 256}.{i % 256}", CHROME) for i in range(3000)]
    whole, busy, quiet = count([b"".join(lines)]), count([b"".join(lines[:2900])]), count([b"".join(lines[2900:])])
    assert busy.visitor_level > quiet.visitor_level  # the busy one sampled more
    quiet.merge(busy)
    assert (quiet.visitor_level, quiet.visitors) == (whole.visitor_level, whole.visitors)
    assert quiet.requests == whole.requests


def test_only_finished_tallies_merge(counting: str) -> None:
    unfinished = tally.Tally()
    unfinished.add_chunk(line("10.0.0.1", CHROME))
    if counting == "c":
        with pytest.raises(ValueError, match="only finished tallies merge"):
            count([]).merge(unfinished)
    unfinished.finish()
    merged = count([line("10.0.0.2", CHROME)])
    merged.merge(unfinished)
    assert merged.requests[CHROME.encode()] == 2


def test_the_c_counter_refuses_wrong_arguments() -> None:
    counter = require_c_counter()(100)
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'str'"):
        counter.add("text")  # type: ignore[arg-type]
    counter.sample(2)
    with pytest.raises(ValueError, match="sample\\(\\): level must be from 2 to 62, got 1"):
        counter.sample(1)
    with pytest.raises(TypeError, match="missing required argument 'max_line'"):
        require_c_counter()()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="max_line must be 0 or more, got -1"):
        require_c_counter()(-1)
    assert (counter.level, counter.visitors) == (2, 0)


PIECES = st.sampled_from(
    [b'" "', b'"', b"\n", b"\r\n", b"\r", b" ", b"\\", b"-", b"10.0.0.1 ", b"[27/Nov/2026:10:00:00 +0100]", b"\xff"]
)


@given(
    data=st.lists(PIECES | st.binary(max_size=30) | st.sampled_from([line("10.0.0.2", CHROME)]), max_size=80).map(
        b"".join
    ),
    chunk_size=st.integers(1, 300),
    draw=st.data(),
)
@settings(max_examples=400, deadline=None)
def test_any_bytes_lose_no_line_and_count_alike(data: bytes, chunk_size: int, draw: st.DataObject) -> None:
    """Read as the audit reads (chunks of whole lines, long lines cut) and counted in C and in
    Python: every line is counted once, as a request or as malformed, alike in both."""
    require_c_counter()
    lengths = sorted({len(line) for line in data.split(b"\n")})  # the limit at a line's length, or beside it
    max_line = max(0, draw.draw(st.sampled_from(lengths), "a line's length") + draw.draw(st.integers(-1, 1), "off by"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(logread, "CHUNK_SIZE", chunk_size)
        patch.setattr(logread, "MAX_LINE", max_line)
        chunks = [bytes(chunk) for chunk in logread.line_chunks(io.BytesIO(data).readinto)]
        in_c = count(chunks)
        patch.setattr(tally, "compiled_counter", None)
        in_python = count(chunks)
    assert summary(in_c) == summary(in_python)
    assert in_c.lines == data.count(b"\n") + (not data.endswith(b"\n") and bool(data))
    assert in_c.lines - in_c.malformed == sum(in_c.requests.values())
