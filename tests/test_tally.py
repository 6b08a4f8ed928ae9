"""Counting combined lines: the C counter and the Python one count alike, on any bytes."""

from __future__ import annotations

import copy
import io
import itertools
import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browsercheck.audit import _logread as logread
from browsercheck.audit import _tally as tally
from browsercheck.audit import _visitorhash
from browsercheck.audit._logformats import line_format
from browsercheck.audit._visitorhash import visitor_hash

from .conftest import speedups_missing

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
        speedups_missing()
    return tally.compiled_counter


@pytest.fixture(params=["c", "python"])
def counting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test once with the C counter and once with the Python one (and its union and sampling
    of packed visitors)."""
    if request.param == "python":
        monkeypatch.setattr(tally, "compiled_counter", None)
        monkeypatch.setattr(tally, "compiled_union", None)
        monkeypatch.setattr(tally, "compiled_sample", None)
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


def _counted_and_first_seen(chunks: list[bytes]) -> tuple[tally.Tally, list[bytes]]:
    t = tally.Tally()
    first_seen: list[bytes] = []
    for chunk in chunks:
        t.add_chunk(chunk)
        first_seen += t.new_user_agents()
    t.finish()
    return t, first_seen


@pytest.mark.parametrize("lines_in_chunk", [1, 2, 3, 5, 8, 9, 17, 5_000])
def test_lines_counted_as_read_ahead_count_alike_as_the_tables_grow(
    lines_in_chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The C counter reads a few lines ahead of the one it counts: chunks shorter and longer than
    that, malformed lines among the requests, and tables that grow while lines wait, count as
    Python counts them, User-Agents told in the order first seen."""
    require_c_counter()
    rng = random.Random(lines_in_chunk)
    lines = [
        f"malformed {i}\n".encode()
        if rng.random() < 0.1
        else line(f"10.0.{i % 7}.{i % 251}", f"UA {rng.randrange(3_000)}")
        for i in range(20_000)
    ]
    chunks = [b"".join(lines[i : i + lines_in_chunk]) for i in range(0, len(lines), lines_in_chunk)]
    in_c, seen_in_c = _counted_and_first_seen(chunks)
    monkeypatch.setattr(tally, "compiled_counter", None)
    in_python, seen_in_python = _counted_and_first_seen(chunks)
    assert summary(in_c) == summary(in_python)
    assert seen_in_c == seen_in_python
    assert len(in_c.requests) > 2_000 and in_c.malformed > 1_000


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
    one, two = visitor_hash(b"10.0.0.1"), visitor_hash(b"10.0.0.2")
    assert t.visitors == {CHROME.encode(): {one, two}, b"-": {one}}
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


# -- the visitor hash: the same everywhere -------------------------------------------------------------

VECTORS = json.loads((Path(__file__).parent / "data" / "visitor_hash_vectors.json").read_text())


def c_siphash() -> object:
    require_c_counter()
    from browsercheck import _speedups

    return _speedups.siphash


IMPLEMENTATIONS = {"python": lambda: _visitorhash.siphash, "c": c_siphash}


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_siphash_gives_the_papers_answer_and_the_shared_known_answers(implementation: str) -> None:
    siphash = IMPLEMENTATIONS[implementation]()
    paper = VECTORS["paper_siphash24"]
    assert siphash(bytes.fromhex(paper["key"]), bytes.fromhex(paper["data"]), 2, 4) == paper["hash"]  # type: ignore[operator]
    key = bytes.fromhex(VECTORS["key"])
    assert key == _visitorhash.KEY
    for data, expected in VECTORS["siphash13"]:
        assert siphash(key, bytes.fromhex(data), 1, 3) == expected, data  # type: ignore[operator]


def test_siphash13_is_what_cpython_hashes_bytes_with_when_unsalted() -> None:
    # an implementation not ours: CPython's hash(bytes) is SipHash-1-3, with key 0 when PYTHONHASHSEED=0
    inputs = [b"a", b"10.0.0.1", b"2001:db8::1", bytes(range(200))]
    script = f"import sys; print(sys.hash_info.algorithm, *[hash(d) % 2**64 for d in {inputs!r}])"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    algorithm, *hashes = out.split()
    if algorithm != "siphash13":
        pytest.skip(f"this Python hashes bytes with {algorithm}")
    assert [int(h) for h in hashes] == [_visitorhash.siphash(bytes(16), d) for d in inputs]


@given(key=st.binary(min_size=16, max_size=16), data=st.binary(max_size=100), rounds=st.sampled_from([(1, 3), (2, 4)]))
@settings(max_examples=300, deadline=None)
def test_c_and_python_siphash_agree_on_any_bytes(key: bytes, data: bytes, rounds: tuple[int, int]) -> None:
    assert c_siphash()(key, data, *rounds) == _visitorhash.siphash(key, data, *rounds)  # type: ignore[operator]


COUNT_IN_A_FRESH_INTERPRETER = """
import pickle, sys
from browsercheck.audit import _tally
if sys.argv[2] == "python":
    _tally.compiled_counter = None
t = _tally.Tally()
t.add_chunk(open(sys.argv[1], "rb").read())
t.finish()
sys.stdout.buffer.write(pickle.dumps(t))
"""


@pytest.mark.parametrize("counting_there", ["c", "python"])
def test_tallies_of_interpreters_salted_apart_merge_without_counting_a_visitor_twice(
    tmp_path: Path, counting_there: str
) -> None:
    """Two machines (here two interpreters, hash() salted apart) count halves of a log in which
    every visitor appears in both halves: merged, each visitor counts once."""
    if counting_there == "c":
        require_c_counter()
    halves = []
    for seed in ("1", "2"):
        log = tmp_path / f"half{seed}.log"
        log.write_bytes(b"".join(line(f"10.0.0.{i}", CHROME) for i in range(50)))
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", COUNT_IN_A_FRESH_INTERPRETER, str(log), counting_there],
            env=env,
            capture_output=True,
            check=True,
        )
        halves.append(pickle.loads(out.stdout))
    merged = halves[0]
    merged.merge(halves[1])
    assert merged.requests[CHROME.encode()] == 100
    assert len(merged.visitors[CHROME.encode()]) == 50
    here = count([b"".join(line(f"10.0.0.{i}", CHROME) for i in range(50))])
    assert merged.visitors == here.visitors  # and the same as this interpreter's


# -- the tally pickles and merges in any order -------------------------------------------------------


def test_a_finished_tally_pickles_and_an_unfinished_one_says_so(counting: str) -> None:
    t = count([line("10.0.0.1", CHROME), b"garbage\n"])
    again = pickle.loads(pickle.dumps(t))
    assert summary(again) == summary(t) and again.line_format is None
    again.merge(count([line("10.0.0.2", CHROME)]))
    assert len(again.visitors[CHROME.encode()]) == 2
    if counting == "c":
        unfinished = tally.Tally()
        unfinished.add_chunk(line("10.0.0.1", CHROME))
        with pytest.raises(TypeError, match="only a finished tally pickles"):
            pickle.dumps(unfinished)


def test_a_tally_finished_to_be_sent_keeps_its_visitors_packed_and_tells_the_same(counting: str) -> None:
    """A counting fork sends its tally with the visitors as the C counter packs them (8 bytes each,
    little-endian, on every machine): what it tells, pickled or merged, is what a tally finished
    with Python sets tells."""
    lines = [line(f"10.0.{i % 7}.{i}", CHROME if i % 3 else "curl/8.5.0") for i in range(200)]
    as_sets, kept_packed = tally.Tally(), tally.Tally()
    for t in (as_sets, kept_packed):
        t.add_chunk(b"".join(lines))
    as_sets.finish()
    kept_packed.finish(packed=True)
    if counting == "c":
        assert kept_packed._packed is not None and kept_packed._visitors == {}  # no set built yet
        first = kept_packed._packed[CHROME.encode()][:8]
        assert int.from_bytes(first, "little") in as_sets.visitors[CHROME.encode()]
    sent = pickle.loads(pickle.dumps(kept_packed))
    assert summary(sent) == summary(as_sets)
    into_sets, into_packed = count([line("10.9.9.9", CHROME)]), count([line("10.9.9.9", CHROME)])
    into_sets.merge(as_sets)
    into_packed.merge(pickle.loads(pickle.dumps(kept_packed)))
    assert summary(into_packed) == summary(into_sets)
    assert summary(kept_packed) == summary(as_sets)  # read where it was counted: unpacked then


def test_new_user_agents_are_told_once_in_the_order_first_counted(counting: str) -> None:
    """What the audit judges while the counting goes on: each User-Agent once, as logged."""
    t = tally.Tally()
    t.add_chunk(line("10.0.0.1", "b") + line("10.0.0.2", "a") + line("10.0.0.3", "b") + b"garbage\n")
    assert t.new_user_agents() == [b"b", b"a"]
    assert t.new_user_agents() == []
    t.add_chunk(line("10.0.0.4", "a") + line("10.0.0.5", 'q \\"x\\"') + line("10.0.0.6", "-"))
    assert t.new_user_agents() == [b'q \\"x\\"', b"-"]
    t.finish()
    assert set(t.requests) == {b"a", b"b", b'q \\"x\\"', b"-"}
    assert t.new_user_agents() == []  # finished: those were told
    assert pickle.loads(pickle.dumps(t)).new_user_agents() == []  # sent: told where counted


def test_a_tally_that_counted_no_visitor_takes_a_packed_one_as_it_is(counting: str) -> None:
    """The audit's own process judges while its workers count, and counts no line: it takes the
    workers' packed visitors without unpacking them, and tells the same as a tally with sets."""
    lines = [line(f"10.0.{i % 7}.{i}", CHROME if i % 3 else "curl/8.5.0") for i in range(200)]
    sent = pickle.loads(pickle.dumps(count([b"".join(lines)])))
    as_sets = count([b"".join(lines)])
    judged_only = count([])
    judged_only.merge(sent)
    assert judged_only._packed is not None  # not unpacked by the merge
    for ua in (CHROME.encode(), b"curl/8.5.0", b"never seen"):
        assert judged_only.visitor_count(ua) == len(as_sets.visitors.get(ua, ()))
    assert judged_only._packed is not None  # nor by counting them
    assert summary(judged_only) == summary(as_sets)
    judged_only.merge(count([line("10.9.9.9", CHROME), line("10.0.0.1", CHROME)]))  # a second tally unions in
    as_sets.merge(count([line("10.9.9.9", CHROME), line("10.0.0.1", CHROME)]))
    assert summary(judged_only) == summary(as_sets)
    assert judged_only.visitor_count(CHROME.encode()) == len(as_sets.visitors[CHROME.encode()])


HASHES = st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40), max_size=40)


@given(a=HASHES, b=HASHES)
def test_the_union_of_packed_visitors_is_the_union_of_their_sets(a: list[int], b: list[int]) -> None:
    """Both lists ascending, each hash once; so is their union, in C as in Python."""
    union = tally._pack(sorted(set(a) | set(b)))
    packed_a, packed_b = tally._pack(sorted(set(a))), tally._pack(sorted(set(b)))
    assert tally._union(packed_a, packed_b) == union
    if tally.compiled_union is not None:
        assert tally.compiled_union(packed_a, packed_b) == union
        assert tally.compiled_union(bytearray(packed_a), bytearray(packed_b)) == union


def test_the_c_union_refuses_what_is_not_packed_hashes() -> None:
    require_c_counter()
    assert tally.compiled_union is not None
    with pytest.raises(ValueError, match=r"8 bytes each, got 9 and 0 bytes"):
        tally.compiled_union(b"123456789", b"")
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        tally.compiled_union(b"")  # type: ignore[call-arg]


@given(hashes=HASHES, level=st.integers(0, 62))
def test_sampling_packed_visitors_keeps_what_sampling_their_set_keeps(hashes: list[int], level: int) -> None:
    """Ascending, each once, in C as in Python."""
    packed = tally._pack(sorted(set(hashes)))
    kept = tally._pack(sorted(h for h in set(hashes) if h & ((1 << level) - 1) == 0))
    assert tally._sample(packed, level) == kept
    if tally.compiled_sample is not None:
        assert tally.compiled_sample(packed, level) == tally.compiled_sample(bytearray(packed), level) == kept


def test_the_c_sampling_refuses_what_is_not_packed_hashes_or_a_level() -> None:
    """And from level 64 on keeps hash 0 alone, as Python's ``2**level - 1`` mask does."""
    require_c_counter()
    assert tally.compiled_sample is not None
    with pytest.raises(ValueError, match=r"8 bytes each, got 9 bytes"):
        tally.compiled_sample(b"123456789", 1)
    with pytest.raises(ValueError, match="level must be 0 or more, got -1"):
        tally.compiled_sample(b"", -1)
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        tally.compiled_sample(b"")  # type: ignore[call-arg]
    packed = tally._pack([0, 2**62, 2**63])
    for level in (62, 63, 64, 100):
        assert tally.compiled_sample(memoryview(packed), level) == tally._sample(packed, level)  # type: ignore[arg-type]
    assert tally.compiled_sample(packed, 64) == tally._pack([0])


def test_packed_visitors_stay_packed_as_they_are_sampled(counting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tally that holds its visitors packed (the audit's own; a pickled one) samples them more
    without making sets, itself or as another merges in at a lower level, and tells what tallies
    that hold sets tell, held either way (a site of over a million visitors: no Python int and set
    per visitor); a User-Agent whose visitors sampling drops keeps its requests."""
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 60)
    dropped = [addr for addr in (f"10.3.0.{i}" for i in range(40)) if visitor_hash(addr.encode()) & 1][:3]
    low = b"".join(line(f"10.2.0.{i}", CHROME if i % 3 else "curl/8.5.0") for i in range(40))
    low += b"".join(line(addr, "rare/1.0") for addr in dropped)  # odd hashes: none kept from level 1 on
    high = b"".join(line(f"10.1.{i // 250}.{i % 250}", CHROME if i % 4 else "curl/8.5.0") for i in range(400))

    def sent(t: tally.Tally) -> tally.Tally:
        copy: tally.Tally = pickle.loads(pickle.dumps(t))  # its visitors packed, as unpickled
        return copy

    as_sets = count([high])
    as_sets.merge(count([low]))  # at level 0: sampled as it merges
    as_sets._sample_more()
    assert as_sets.visitor_level > 1 and as_sets._packed is None
    assert as_sets.requests[b"rare/1.0"] == 3 and b"rare/1.0" not in as_sets.visitor_counts()
    for mine, theirs in (
        (sent(count([high])), sent(count([low]))),
        (count([high]), sent(count([low]))),
        (sent(count([high])), count([low])),
    ):
        mine.merge(theirs)
        mine._sample_more()
        assert mine.visitor_counts() == as_sets.visitor_counts()  # counted as they are held
        assert summary(mine) == summary(as_sets) and mine.visitor_level == as_sets.visitor_level
    packed, theirs = sent(count([high])), sent(count([low]))

    def no_sets(*args: object) -> None:
        raise AssertionError("packed visitors made into sets")

    monkeypatch.setattr(tally, "_as_sets", no_sets)
    monkeypatch.setattr(tally.Tally, "_keep_sampled", no_sets)
    packed.merge(theirs)
    packed._sample_more()
    assert packed._packed is not None and packed._visitors == {}
    assert packed.visitor_counts() == as_sets.visitor_counts()


def test_packed_visitors_are_in_order_and_merge_packed(counting: str) -> None:
    """A sent tally's visitors are ascending, as the union needs; merging sent tallies keeps them
    packed (a Dask reduction makes no set), and tells what sets tell."""
    lines = [line(f"10.{i % 5}.{i % 11}.{i}", CHROME if i % 3 else "curl/8.5.0") for i in range(300)]
    parts = []
    for i in range(3):
        part = tally.Tally()
        part.add_chunk(b"".join(lines[i::3]))
        part.finish(packed=True)  # packed by the C counter, where it counted
        parts.append(pickle.loads(pickle.dumps(part)))
    for part in parts:
        for packed in part._packed.values():
            hashes = list(tally._hashes(packed))
            assert hashes == sorted(set(hashes))
    reduced = count([])
    for part in parts:
        reduced.merge(part)
    assert reduced._packed is not None
    assert reduced.visitor_count(CHROME.encode()) == len(count([b"".join(lines)]).visitors[CHROME.encode()])
    assert summary(reduced) == summary(count([b"".join(lines)]))


def test_a_sent_tally_carries_its_visitors_as_bytes() -> None:
    """Not bytearrays: pickled at protocol 4, as multiprocessing sends a counting fork's tally, a
    bytearray takes a Python call each (a tally of 42,000 User-Agents pickled and loaded in 72 ms
    with them, in 32 with bytes)."""
    require_c_counter()
    part = tally.Tally()
    part.add_chunk(b"".join(line(f"10.0.0.{i}", CHROME if i % 2 else "curl/8.5.0") for i in range(20)))
    part.finish(packed=True)
    assert part._packed is not None and len(part._packed) == 2
    assert {type(packed) for packed in part._packed.values()} == {bytes}


@pytest.mark.parametrize("protocol", [4, 5])
def test_a_pickled_tally_keeps_every_count_and_visitor(
    counting: str, protocol: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """User-Agents of any bytes (none sent, escaped, not UTF-8), those whose visitors were all
    dropped by sampling, and a tally with none at all; sent as a fork's or a Dask worker's is."""
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 40)
    rare = [b"-", rb"a \x22q\x22", b"caf\xe9 \xff"]  # one visitor each
    t = tally.Tally()
    t.add_chunk(b"".join(line(f"10.1.{i // 250}.{i % 250}", CHROME) for i in range(300)))
    t.add_chunk(b"".join(line("10.2.0.1", "x").replace(b'"x"', b'"' + ua + b'"') for ua in rare))
    t.finish(packed=True)
    assert t.visitor_level > 0 and t.malformed == 0
    assert len(t.visitor_counts()) < len(t.requests) == 4  # some lost their only visitor
    for original in (t, count([])):
        copied = pickle.loads(pickle.dumps(original, protocol))
        assert copied.requests == original.requests
        assert copied.visitor_counts() == original.visitor_counts()
        assert summary(copied) == summary(original)


@pytest.mark.parametrize("protocol", [4, 5])
def test_a_packed_tally_unpacks_to_what_was_counted(
    counting: str, protocol: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a counting fork sends (`Tally.pack`, pickled as multiprocessing does) is the tally it
    counted: User-Agents of any bytes (none sent, escaped, not UTF-8, empty), sampled visitors, one
    whose only visitor sampling dropped, malformed examples and times; and a tally of nothing.
    Merged, it tells what the tally would have."""
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 40)
    rare = [b"-", rb"a \x22q\x22", b"caf\xe9 \xff", b""]  # one visitor each
    chunks = [
        b"".join(line(f"10.1.{i // 250}.{i % 250}", CHROME) for i in range(300)) + b"garbage\n",
        b"".join(line("10.2.0.1", "x").replace(b'"x"', b'"' + ua + b'"') for ua in rare),
    ]
    counted, sent = tally.Tally(), tally.Tally()
    for chunk in chunks:
        counted.add_chunk(chunk)
        sent.add_chunk(chunk)
    counted.finish()
    unpacked = pickle.loads(pickle.dumps(sent.pack(), protocol)).unpack()
    assert counted.visitor_level > 0 and len(counted.visitor_counts()) < len(counted.requests) == 5
    assert summary(unpacked) == summary(counted) and unpacked.malformed == 1
    assert summary(tally.Tally().pack().unpack()) == summary(count([]))


def test_a_packed_tally_merges_as_the_tally_would(counting: str) -> None:
    """A packed tally merged into one that holds its visitors packed (the audit's own; here, where
    counted in Python, one unpickled), sharing 50 of their 150 and 100, counts each visitor once,
    as the tally merged into one that holds sets does (the packed lists are united in one pass,
    which needs them in order)."""
    theirs = b"".join(line(f"10.1.{i % 3}.{i}", CHROME if i % 4 else "curl/8.5.0") for i in range(200))
    shared = b"".join(line(f"10.1.{i % 3}.{i}", CHROME) for i in range(0, 300, 3))
    counted, sent, into_sets, into_packed = tally.Tally(), tally.Tally(), tally.Tally(), tally.Tally()
    for t, chunk in ((counted, theirs), (sent, theirs), (into_sets, shared), (into_packed, shared)):
        t.add_chunk(chunk)
    counted.finish()
    into_sets.finish()
    into_packed.finish(packed=True)
    if counting == "python":
        into_packed = pickle.loads(pickle.dumps(into_packed))
    assert into_packed._packed is not None
    into_sets.merge(counted)
    into_packed.merge(pickle.loads(pickle.dumps(sent.pack())).unpack())
    # counted as they are held (reading `visitors` makes sets of them)
    assert into_packed.visitor_counts() == into_sets.visitor_counts() == {CHROME.encode(): 200, b"curl/8.5.0": 50}
    assert summary(into_packed) == summary(into_sets)


def test_the_c_counter_packs_what_it_tells_as_its_tables_grow_and_sample() -> None:
    """`packed_in_order` beside what the counter tells otherwise, as its tables grow (past 512 and
    1,024 User-Agents) and visitors are sampled (some User-Agents lose all of theirs)."""
    counter = require_c_counter()(1_000)
    told: list[bytes] = []
    rng = random.Random(7)
    for step in range(6):
        counter.add(
            b"".join(line(f"10.{step}.{rng.randrange(40)}.{i % 250}", f"UA {rng.randrange(1_500)}") for i in range(600))
        )
        told += counter.take_new()
        if step in (2, 4):
            counter.sample(step // 2 + 1)
        user_agents, lengths, requests, visitor_counts, visitors = counter.packed_in_order()
        ends = list(itertools.accumulate(tally._hashes(lengths)))
        assert [user_agents[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)] == told
        assert dict(zip(told, tally._hashes(requests), strict=True)) == counter.requests()
        packed, at = {}, 0
        for ua, count in zip(told, tally._hashes(visitor_counts), strict=True):
            if count:
                packed[ua], at = visitors[at : at + 8 * count], at + 8 * count
        assert packed == counter.visitors_packed() and at == len(visitors)
    assert len(told) > 1_024 and counter.level == 3 and len(packed) < len(told)


def test_a_packed_tally_counted_otherwise_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A packed tally is for a process of the same browsercheck: one whose visitors were hashed
    otherwise, or whose fields do not add up, is refused rather than merged wrong."""
    sent = count([line("10.0.0.1", CHROME), line("10.0.0.2", "curl/8.5.0")]).pack()
    with pytest.raises(ValueError, match="fields do not add up: 121 of 121 bytes of User-Agents, 16 of 24 bytes"):
        sent._replace(visitors=sent.visitors + bytes(8)).unpack()
    monkeypatch.setattr(tally, "VISITOR_HASH", "siphash13:browsercheck-2")
    with pytest.raises(ValueError, match="hashed by 'siphash13:browsercheck-1' cannot be merged"):
        sent.unpack()


def test_the_c_counter_packs_in_the_order_first_seen() -> None:
    """`CombinedCounter.packed_in_order`: each User-Agent's fields in turn, its visitors ascending
    (as two such lists unite in one pass), 8-byte integers little-endian on every machine."""
    counter = require_c_counter()(1_000)
    counter.add(line("10.0.0.1", "b") + line("10.0.0.2", "a") + line("10.0.0.3", "b") + line("10.0.0.1", "b"))
    user_agents, lengths, requests, visitor_counts, visitors = counter.packed_in_order()
    assert user_agents == b"ba"
    assert [list(tally._hashes(field)) for field in (lengths, requests, visitor_counts)] == [[1, 1], [3, 1], [2, 1]]
    hashes = list(tally._hashes(visitors))
    assert hashes[:2] == sorted(visitor_hash(f"10.0.0.{i}".encode()) for i in (1, 3))
    assert hashes[2:] == [visitor_hash(b"10.0.0.2")]
    assert visitors[:8] == min(hashes[:2]).to_bytes(8, "little")
    assert counter.packed_in_order() == (user_agents, lengths, requests, visitor_counts, visitors)  # reads only


def test_a_packed_tally_keeps_user_agents_with_any_bytes_apart() -> None:
    """A JSON log's User-Agent can hold a newline (the C counter's cannot): a packed tally keeps
    each User-Agent's length, not a separator."""
    fmt = line_format("json", ua_field="ua", addr_field="ip")
    t = tally.Tally(fmt)
    t.add_chunk(b'{"ua": "a\\nb", "ip": "10.0.0.1"}\n{"ua": "a", "ip": "10.0.0.2"}\n{"ua": "b", "ip": "10.0.0.1"}\n')
    unpacked = pickle.loads(pickle.dumps(t.pack())).unpack()  # as a counting fork sends it
    assert dict(unpacked.requests) == {b"a\nb": 1, b"a": 1, b"b": 1}
    assert summary(unpacked) == summary(t) and unpacked.line_format == fmt


def test_a_tally_merged_in_stays_as_it_was_counted(counting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`merge_tallies` changes only the first tally: one merged into it, held as sets, packed or
    sampled at a lower level, still tells its own counts after, and after later merges into the
    first (a day's tally kept beside the month's it went into)."""
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 40)
    days = [count([line(f"10.{day}.0.{i}", CHROME) for i in range(30)]) for day in range(3)]
    sent = [pickle.loads(pickle.dumps(day)) for day in days]
    sampled = count([line(f"10.9.{i // 250}.{i % 250}", CHROME) for i in range(200)])  # past the limit
    assert sampled.visitor_level > 0
    for parts in (days, sent, [days[0], sampled, days[1]]):
        before = copy.deepcopy([summary(part) for part in parts])  # a summary holds the tally's own sets
        month = count([])
        for part in parts:
            month.merge(part)
        assert [summary(part) for part in parts] == before


def test_a_tally_packed_before_the_visitors_were_in_order_loads_in_order() -> None:
    """As a browsercheck that packed them in its table's order pickled it (a Dask worker not yet upgraded)."""
    t = count([line(f"10.0.0.{i}", CHROME) for i in range(50)])
    state = t.__getstate__()
    del state["visitors_sorted"]
    descending = sorted(t.visitors[CHROME.encode()], reverse=True)
    state["packed_visitors"] = {CHROME.encode(): tally._pack(descending)}
    old = tally.Tally.__new__(tally.Tally)
    old.__setstate__(state)
    old.merge(pickle.loads(pickle.dumps(count([line("10.0.0.7", CHROME), line("10.9.9.9", CHROME)]))))
    assert old.visitor_count(CHROME.encode()) == 51  # packed, each once
    assert len(old.visitors[CHROME.encode()]) == 51


def test_a_pickled_tally_carries_its_visitors_packed(counting: str) -> None:
    """Pickled as sets of ints, a tally's visitors took about five times the bytes."""
    t = count([line(f"10.0.{i // 250}.{i % 250}", CHROME) for i in range(2_000)])
    packed = len(pickle.dumps(t))
    assert packed < 8 * 2_000 + 1_000
    assert len(pickle.loads(pickle.dumps(t)).visitors[CHROME.encode()]) == 2_000


def test_a_tally_pickled_with_its_visitors_as_sets_still_loads() -> None:
    """As a browsercheck before the packed visitors pickled it (a Dask worker not yet upgraded)."""
    t = count([line("10.0.0.1", CHROME), line("10.0.0.2", CHROME)])
    state = t.__getstate__()
    del state["packed_visitors"]
    state["visitors"] = {CHROME.encode(): {visitor_hash(b"10.0.0.1"), visitor_hash(b"10.0.0.2")}}
    old = tally.Tally.__new__(tally.Tally)
    old.__setstate__(state)
    assert summary(old) == summary(t)
    old.merge(pickle.loads(pickle.dumps(t)))
    assert len(old.visitors[CHROME.encode()]) == 2


def test_a_tally_hashed_otherwise_refuses_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pickle.dumps(count([line("10.0.0.1", CHROME)]))
    monkeypatch.setattr(tally, "VISITOR_HASH", "siphash13:browsercheck-2")
    with pytest.raises(ValueError, match="hashed by 'siphash13:browsercheck-1' cannot be merged"):
        pickle.loads(data)


def merged(parts: list[tally.Tally]) -> tally.Tally:
    out: tally.Tally = pickle.loads(pickle.dumps(parts[0]))  # a copy: parts are merged again in other orders
    for part in parts[1:]:
        out.merge(pickle.loads(pickle.dumps(part)))
    return out


def line_at(host: int, ua: str, hour: int) -> bytes:
    return f'10.0.0.{host} - - [27/Nov/2026:{hour:02}:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "{ua}"\n'.encode()


LOG_LINES = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from([CHROME, "-", "curl/8.5.0", "UA two"]), st.integers(0, 23)).map(
        lambda t: (
            f'10.0.0.{t[0]} - - [27/Nov/2026:{t[2]:02}:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "{t[1]}"\n'.encode()
        )
    )
    | st.sampled_from([b"garbage one\n", b"garbage two\n", b"\n", b'x" "cut\n', b"zz\n", b"aa\n", b"mm\n"]),
    max_size=60,
)


@given(lines=LOG_LINES, cuts=st.lists(st.integers(0, 60), min_size=2, max_size=2), limit=st.integers(2, 30))
@settings(max_examples=200, deadline=None)
def test_merging_is_associative_and_commutative(lines: list[bytes], cuts: list[int], limit: int) -> None:
    """Parts of a log counted apart (sampling visitors at their own levels) merge to the same tally
    in any grouping and order, and to the counts of the log counted whole."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tally, "VISITOR_SAMPLE_LIMIT", limit)
        i, j = sorted(min(c, len(lines)) for c in cuts)
        a, b, c = (count([b"".join(part)]) for part in (lines[:i], lines[i:j], lines[j:]))
        whole = count([b"".join(lines)])
        orders = [merged(list(order)) for order in itertools.permutations([a, b, c])]
        left, right = merged([merged([a, b]), c]), merged([a, merged([b, c])])
        sent = merged([part.pack().unpack() for part in (a, b, c)])  # as counting forks send them
    for result in [*orders, left, right, sent]:
        assert summary(result) == summary(left)
    # the time span aside: a chunk's times are read from its first and last lines (logs run in order)
    assert summary(left)[:-2] == summary(whole)[:-2]


def test_examples_are_the_least_distinct_malformed_lines() -> None:
    t = count([b"zeta\n", b"alpha\n", b"alpha\n", *[f"line {i}\n".encode() for i in range(9, 0, -1)]])
    assert t.examples == ["alpha", "line 1", "line 2", "line 3", "line 4"]


MALFORMED_PIECES = st.sampled_from(
    [
        line("10.0.0.1", CHROME),
        line("10.0.0.2", "curl/8.5.0"),
        b"garbage without a quote\n",
        b'ends in a quote but has no User-Agent"\n',  # malformed, and yet it ends as a good line does
        b'x" "\n',  # the separator, then nothing
        b"\n",
        b'1.2.3.4 "GET /" 200 "-" "' + b"y" * 90 + b'"\n',  # longer than the limit below
    ]
)


@given(lines=st.lists(MALFORMED_PIECES, max_size=40))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_examples_are_the_least_of_every_malformed_line(counting: str, lines: list[bytes]) -> None:
    """Malformed lines are found by a quick test first: whatever the mix, the examples are those
    that reading every line as `_user_agent` does finds (the fixture only chooses the counter)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(logread, "MAX_LINE", 100)
        t = count([b"".join(lines)])
    every = [ln for ln in b"".join(lines).split(b"\n")[:-1] if tally._user_agent(ln, 100) is None]
    assert t.malformed == len(every)
    assert t.examples == sorted({ln.decode() for ln in every})[: tally.MAX_EXAMPLES]
