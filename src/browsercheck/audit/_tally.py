"""Counting a log: requests per User-Agent, visitors, malformed lines, the time span.

The audit's work scales with the distinct User-Agents, not the lines: lines are only counted here,
each distinct User-Agent is judged once (`new_user_agents` tells which, while the counting goes on).
The "combined" format, nearly every site's, is counted by `_speedups.CombinedCounter` (C), or
where that could not be compiled by the same steps in Python: one comprehension over a chunk's
lines with bytes methods (no regex: Python's ``re`` scans a line character by character,
``bytes.rfind`` at memory speed). Every other format goes line by line through a `LineFormat`.

Visitors (address + User-Agent) are told apart by a stable hash of the address (`_visitorhash`):
a number in memory rather than the address, the same in every process and on every machine, so
that tallies counted anywhere merge. They are counted exactly up to
`VISITOR_SAMPLE_LIMIT` distinct ones; past that a fixed share of them is kept (those whose hash
ends in enough zero bits) and the count is scaled up: memory stays bounded however long the log.
A tally sent to another process carries them packed, 8 bytes each, in order: a Dask worker's
pickled, a counting fork's in a few byte strings (`Tally.pack`: no Python object a User-Agent in
the fork). Merged into a tally that holds its visitors as sets, it is unpacked one User-Agent at a
time; into one that holds them packed, or has none (the audit's own, counted in C; a Dask
reduction's), each User-Agent's two lists are united in one pass (`_speedups.union_packed`),
without a Python int per visitor. Sampled more, packed visitors stay packed
(`_speedups.sample_packed`).
"""

from __future__ import annotations

import array
import datetime
import heapq
import itertools
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _logread
from ._logformats import Fields, LineFormat, decode
from ._logread import Chunk
from ._visitorhash import VISITOR_HASH, visitor_hash

MAX_EXAMPLES = 5
_EXAMPLE_BYTES = 300  # of a malformed line, shown
VISITOR_SAMPLE_LIMIT = 1_000_000
_TIME_SPAN = 16 << 10  # bytes at each end of a chunk searched for the time of its first and last lines
_TIME_FORMATS = ("%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S")

_FIRST = itemgetter(0)

if TYPE_CHECKING:
    from .._speedups import CombinedCounter


def _compiled(name: str) -> Any:
    """`_speedups`' ``name``, or ``None`` where it could not be compiled (installed so: counted,
    united and sampled in Python, alike but slower)."""
    try:
        from .. import _speedups
    except ImportError:
        return None
    return getattr(_speedups, name, None)  # as a missing name imported: None


compiled_counter: type[CombinedCounter] | None = _compiled("CombinedCounter")
"""The C counter of combined lines, or ``None`` (tests set it to ``None`` to count in Python)."""
compiled_union: Callable[[Packed, Packed], bytes] | None = _compiled("union_packed")
"""`_speedups.union_packed`, or ``None`` (tests set it to ``None`` to unite in Python)."""
compiled_sample: Callable[[Packed, int], bytes] | None = _compiled("sample_packed")
"""`_speedups.sample_packed`, or ``None`` (tests set it to ``None`` to sample in Python)."""


class Tally:
    """What one process counted; tallies of parts of a log `merge` into the whole."""

    def __init__(self, line_format: LineFormat | None = None) -> None:
        self.line_format = line_format
        self.max_line = _logread.MAX_LINE
        """Longer lines are malformed (the readers cut them short: they are never held whole)."""
        self._counter = compiled_counter(self.max_line) if line_format is None and compiled_counter else None
        """Counts combined lines in C until `finish` takes its counts into `requests` and `visitors`."""
        self.lines = 0
        self.malformed = 0
        self.examples: list[str] = []
        self.requests: Counter[bytes] = Counter()
        """Requests per User-Agent, as logged (escaped; ``-`` for none)."""
        self._visitors: dict[bytes, set[int]] = {}
        self._packed: Mapping[bytes, Packed] | None = None
        """The visitors as `_speedups.CombinedCounter.visitors_packed` gives them: where ``finish``
        was asked to keep them so, and in a tally unpickled or unpacked; packed ones merged in stay
        so, and so do they as they are sampled more. Reading `visitors` makes sets of them."""
        self.visitor_level = 0
        """Visitors are kept if their address's ``hash & (2**level - 1) == 0``: one address in
        2**level, with all its User-Agents, so that tallies sampled at other levels merge."""
        self.first: datetime.datetime | None = None
        self.last: datetime.datetime | None = None
        self.addressed = line_format is None
        """Whether a line counted had a client address (a combined line always has): a JSON log
        on standard input without one, whose fields could not be looked at first, counts none."""
        self._announced = 0
        """How many of `requests` (in the order first seen) `new_user_agents` has given."""

    @property
    def visitors(self) -> dict[bytes, set[int]]:
        """The `visitor_hash` of each address that sent a User-Agent."""
        if self._packed is not None:
            self._visitors, self._packed = {ua: set(_hashes(packed)) for ua, packed in self._packed.items()}, None
        return self._visitors

    @visitors.setter
    def visitors(self, visitors: dict[bytes, set[int]]) -> None:
        self._visitors, self._packed = visitors, None

    # -- counting -----------------------------------------------------------------------------------

    def add_chunk(self, chunk: Chunk) -> None:
        """Count the whole lines in ``chunk`` (a trailing line without newline counts too)."""
        if self._counter is not None:  # reads a memoryview as it is, and "\r\n" as "\n"
            lines, spans = self._counter.add(chunk)
            self._keep_within_limit()
            if spans:  # the malformed lines, where they are: the chunk is not split (a millisecond each)
                self.malformed += len(spans)
                self._examples(bytes(chunk[start : min(end, start + _EXAMPLE_BYTES)]) for start, end in spans)
        else:
            text = _text(chunk)
            if self.line_format is not None:
                self._add_lines(_lines(text), self.line_format)
                return
            lines, malformed = self._add_combined(text)
            if malformed:
                self.malformed += malformed
                self._examples(_malformed(_lines(text), malformed, self.max_line))
        self.lines += lines
        self._time_of(bytes(chunk[:_TIME_SPAN]).split(b"\n", 10))
        self._time_of(reversed(bytes(chunk[-_TIME_SPAN:]).rsplit(b"\n", 11)))

    def new_user_agents(self) -> list[bytes]:
        """The User-Agents (as logged) first counted since the last call, in the order first seen:
        the audit judges them while the counting goes on."""
        if self._counter is not None:
            return self._counter.take_new()
        # the newest keys, from the end: a Counter keeps the order keys came in
        new = list(itertools.islice(reversed(self.requests), len(self.requests) - self._announced))
        new.reverse()
        self._announced = len(self.requests)
        return new

    def _add_combined(self, chunk: bytes) -> tuple[int, int]:
        """The lines of ``chunk`` and the malformed ones among them, counted in Python.

        `_user_agent` written out in the comprehension, which saves a call a line.
        """
        lines = _lines(chunk)
        max_line = self.max_line
        pairs = [
            (p[2][:-1], line.split(b" ", 1)[0])
            for line in lines
            if len(line) <= max_line and (p := line.rpartition(b'" "'))[1] and p[2].endswith(b'"')
        ]
        self._add_pairs(pairs)
        return len(lines), len(lines) - len(pairs)

    def _time_of(self, lines: Iterable[bytes]) -> None:
        """The time of the first line (of up to ten) that has one."""
        for line in itertools.islice(lines, 10):
            if (start := line.find(b"[")) >= 0 and (when := parse_time(line[start + 1 : line.find(b"]")])):
                self._seen(when)
                return

    def _add_lines(self, lines: list[bytes], line_format: LineFormat) -> None:
        lines = line_format.data_lines(lines)  # a W3C log's "#Fields:" and other directives are no requests
        parsed: list[Fields] = []
        bad: list[bytes] = []
        for line in lines:
            fields = line_format.parse(line) if len(line) <= self.max_line else None
            if fields is None:
                bad.append(line)
            else:
                parsed.append(fields)
        self.lines += len(lines)
        self.malformed += len(bad)
        self._examples(bad)
        self._add_pairs([(b"-" if f.ua is None else f.ua, f.addr) for f in parsed], counts_empty=False)
        self.addressed = self.addressed or any(f.addr for f in parsed)
        times = [f.time for f in parsed if f.time]
        for text in times[:1] + times[-1:]:
            if (when := parse_time(text)) is not None:
                self._seen(when)

    def _add_pairs(self, pairs: list[tuple[bytes, bytes]], counts_empty: bool = True) -> None:
        """Count (User-Agent, address) pairs: requests per User-Agent, and the visitors.
        ``counts_empty``: an empty address is a visitor (a combined line's first field, as the C
        counter counts it); else it is none (a field the line did not have)."""
        self.requests.update(map(_FIRST, pairs))
        mask = (1 << self.visitor_level) - 1
        visitors = self.visitors
        for ua, addr in set(pairs):
            if (addr or counts_empty) and (h := visitor_hash(addr)) & mask == 0:
                if (seen := visitors.get(ua)) is None:
                    visitors[ua] = {h}
                else:
                    seen.add(h)
        self._keep_within_limit()

    def _keep_within_limit(self) -> None:
        """Sample more while more visitors are kept than `VISITOR_SAMPLE_LIMIT`."""
        while self._visitor_count() > VISITOR_SAMPLE_LIMIT:
            self._sample_more()

    def _visitor_count(self) -> int:
        if self._counter is not None:
            return self._counter.visitors
        if self._packed is not None:
            return sum(map(len, self._packed.values())) // 8
        return sum(map(len, self._visitors.values()))

    def visitor_count(self, user_agent: bytes) -> int:
        """How many visitors (of those kept) sent ``user_agent`` (as logged), told without unpacking
        packed ones."""
        if self._packed is not None:
            return len(self._packed.get(user_agent, b"")) // 8
        return len(self._visitors.get(user_agent, ()))

    def distinct_visitors(self, user_agents: Iterable[bytes]) -> int:
        """The visitors (of those kept) that sent any of ``user_agents``, each counted once: one
        User-Agent logged in two forms (``"-"`` and ``""``, ``\\x22`` and ``\\"``)."""
        seen: set[int] = set()
        for ua in user_agents:
            if self._packed is not None:
                if (packed := self._packed.get(ua)) is not None:
                    seen.update(_hashes(packed))
            elif (hashes := self._visitors.get(ua)) is not None:
                seen |= hashes
        return len(seen)

    def visitor_counts(self) -> dict[bytes, int]:
        """`visitor_count` of each User-Agent that has visitors (of those kept)."""
        if self._packed is not None:
            return {ua: len(packed) // 8 for ua, packed in self._packed.items()}
        return {ua: len(hashes) for ua, hashes in self._visitors.items()}

    def _sample_more(self) -> None:
        self.visitor_level += 1
        if self._counter is not None:
            self._counter.sample(self.visitor_level)
        if self._packed is not None:  # they stay packed: no Python int and set made per visitor
            self._packed = _sampled(self._packed, self.visitor_level)
        else:
            self._keep_sampled(self._visitors)

    def _keep_sampled(self, visitors: dict[bytes, set[int]]) -> None:
        mask = (1 << self.visitor_level) - 1
        for ua, hashes in list(visitors.items()):
            if kept := {h for h in hashes if h & mask == 0}:
                visitors[ua] = kept
            else:
                del visitors[ua]

    def _examples(self, lines: Iterable[bytes]) -> None:
        """Keep the first `MAX_EXAMPLES` distinct malformed lines in sorted order, not in the order
        read: so the examples do not depend on which process read which part first, and tallies
        merge alike in any order."""
        self.examples = _least([*self.examples, *(decode(line[:_EXAMPLE_BYTES]) for line in lines)])

    def _seen(self, when: datetime.datetime) -> None:
        if self.first is None or when < self.first:
            self.first = when
        if self.last is None or when > self.last:
            self.last = when

    def finish(self, *, packed: bool = False) -> None:
        """Take the C counter's counts into `requests` and `visitors` (before `merge` or reading them).
        ``packed``: the visitors stay as the counter packs them, 8 bytes each, until read, and merge
        so: no Python int and set per visitor (58,603 visitors: about 1 MB against 6.6), for a tally
        to be pickled (a Dask worker's) or merged with packed ones (the audit's main process's)."""
        if self._counter is not None:
            self.requests = Counter(self._counter.requests())
            self._announced = len(self.requests)  # `take_new` gave those counted so far
            if packed:
                self._visitors, self._packed = {}, self._counter.visitors_packed()
            else:
                self.visitors = self._counter.visitors_by_user_agent()
            self._counter = None

    def pack(self) -> PackedTally:
        """This tally's counts in a few byte strings (the C counter's read as they are: it need not
        be finished): what a counting fork sends the audit's main process (`PackedTally.unpack`
        there). With the C counter no Python object is made a User-Agent: 48,185 took 11 ms to
        pack and pickle, against 60 to `finish` and pickle the tally (the main process takes a
        little longer to unpack them than to unpickle the tally, 24 ms against 20, while judging
        forks use the core the fork has left)."""
        if self._counter is not None:
            user_agents, lengths, requests, visitor_counts, visitors = self._counter.packed_in_order()
        else:
            packed = self._packed if self._packed is not None else _packed(self._visitors)
            in_turn = [packed.get(ua, b"") for ua in self.requests]
            user_agents, lengths = b"".join(self.requests), _pack(map(len, self.requests))
            requests = _pack(self.requests.values())
            visitor_counts, visitors = _pack(len(p) // 8 for p in in_turn), b"".join(in_turn)
        state = {name: getattr(self, name) for name in _STATE if name != "requests"}
        state["visitor_hash"] = VISITOR_HASH
        return PackedTally(state, user_agents, lengths, requests, visitor_counts, visitors)

    def __getstate__(self) -> dict[str, object]:
        """A finished tally pickles (to be merged in another process or on another machine)."""
        if self._counter is not None:
            raise TypeError("only a finished tally pickles: call finish() first")
        state = {name: getattr(self, name) for name in _STATE}
        # the visitors packed, 8 bytes each (pickled as sets they took five times the bytes)
        state["packed_visitors"] = self._packed if self._packed is not None else _packed(self._visitors)
        state["visitors_sorted"] = True
        state["visitor_hash"] = VISITOR_HASH
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        if (made_by := state.pop("visitor_hash", None)) != VISITOR_HASH:
            raise ValueError(
                f"a tally whose visitors were hashed by {made_by!r} cannot be merged with this "
                f"browsercheck's ({VISITOR_HASH!r}): count its logs again with this version"
            )
        for name in _STATE:
            setattr(self, name, state[name] if name in state else _STATE_BEFORE[name])
        self._announced = len(self.requests)
        # a tally pickled by a browsercheck before they were packed (a Dask worker not yet
        # upgraded, say) carries its visitors as sets, under their own name
        self._visitors = state.get("visitors", {})  # type: ignore[assignment]
        packed: dict[bytes, Packed] | None = state.get("packed_visitors")  # type: ignore[assignment]
        if packed is not None and not state.get("visitors_sorted"):  # packed before they were kept in order
            packed = {ua: _pack(sorted(_hashes(hashes))) for ua, hashes in packed.items()}
        self._packed = packed
        self._counter = None

    def merge(self, other: Tally) -> None:
        """Add a `finish`ed tally to this finished one. Merging is associative and commutative,
        up to the order of `examples` (the first few of each, in the order merged)."""
        if self._counter is not None or other._counter is not None:
            raise ValueError("only finished tallies merge")
        self.lines += other.lines
        self.malformed += other.malformed
        self.addressed = self.addressed or other.addressed
        self.examples = _least(self.examples + other.examples)
        self.requests.update(other.requests)
        while self.visitor_level < other.visitor_level:
            self._sample_more()
        # the other's visitors are read, never changed: it stays as it was counted
        theirs_packed: Mapping[bytes, Packed] | None = other._packed
        theirs_sets: Mapping[bytes, set[int]] = other._visitors
        filtered: dict[bytes, set[int]] | None = None  # their sets filtered to this level: new, this one's to grow
        if other.visitor_level < self.visitor_level:  # what the other kept at a lower level, filtered again: a copy
            if theirs_packed is not None:
                theirs_packed = _sampled(theirs_packed, self.visitor_level)
            else:
                theirs_sets = filtered = dict(theirs_sets)  # `_keep_sampled` puts new sets in it
                self._keep_sampled(filtered)
        if self._packed is not None or (theirs_packed is not None and not self._visitors):
            if theirs_packed is None:  # packed from their sets as they are: packing only reads them
                theirs_packed = _packed(theirs_sets)
            self._unite_packed(theirs_packed)
        else:
            visitors = self.visitors
            for ua, hashes in filtered.items() if filtered is not None else _as_sets(theirs_packed, theirs_sets):
                if (seen := visitors.get(ua)) is None:
                    visitors[ua] = hashes
                else:
                    seen |= hashes
        self._keep_within_limit()
        for when in (other.first, other.last):
            if when is not None:
                self._seen(when)

    def _unite_packed(self, theirs: Mapping[bytes, Packed]) -> None:
        """Merge another tally's visitors, packed, into this tally's packed ones (the audit's own,
        counted in C; or none: a Dask reduction's): one pass over the two lists of a User-Agent,
        in order, where sets would take a Python int and set entry per visitor, and a report
        counts them packed."""
        mine: dict[bytes, Packed] = {} if self._packed is None else dict(self._packed)
        union = compiled_union or _union
        for ua, hashes in theirs.items():
            seen = mine.get(ua)
            mine[ua] = hashes if seen is None else union(seen, hashes)  # never changed in place: shared
        self._visitors, self._packed = {}, mine


class PackedTally(NamedTuple):
    """A tally's counts in byte strings (`Tally.pack`), for another process on this machine: each
    User-Agent's fields in turn, integers 8 bytes each, little-endian."""

    state: dict[str, object]
    """The tally's `_STATE` but its requests, and the `VISITOR_HASH` it was counted with."""
    user_agents: bytes
    """The User-Agents as logged, one after the other."""
    lengths: bytes
    requests: bytes
    visitor_counts: bytes
    visitors: bytes
    """The visitors of each User-Agent in turn, packed (`Packed`)."""

    def unpack(self) -> Tally:
        """The tally, finished, its visitors packed (as ``finish(packed=True)`` leaves them). Raises
        ``ValueError`` where it was counted by a browsercheck that hashed visitors otherwise, or
        its fields do not add up."""
        text, at = self.user_agents, 0
        user_agents = []
        for length in _hashes(self.lengths):
            user_agents.append(text[at : at + length])
            at += length
        packed: dict[bytes, Packed] = {}
        visitors, seen = self.visitors, 0
        for ua, count in zip(user_agents, _hashes(self.visitor_counts), strict=True):
            if count:
                packed[ua] = visitors[seen : seen + 8 * count]
                seen += 8 * count
        if at != len(text) or seen != len(visitors):
            raise ValueError(
                f"a packed tally's fields do not add up: {at} of {len(text)} bytes of User-Agents, "
                f"{seen} of {len(visitors)} bytes of visitors"
            )
        requests = Counter(dict(zip(user_agents, _hashes(self.requests), strict=True)))
        tally = Tally.__new__(Tally)
        tally.__setstate__({**self.state, "requests": requests, "packed_visitors": packed, "visitors_sorted": True})
        return tally


Packed = bytes | bytearray
"""Visitor hashes, 8 bytes each, little-endian, ascending (each once)."""


def _hashes(packed: Packed) -> array.array[int]:
    hashes = array.array("Q")
    hashes.frombytes(packed)
    if sys.byteorder == "big":
        hashes.byteswap()
    return hashes


def _pack(ascending: Iterable[int]) -> bytes:
    values = array.array("Q", ascending)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def _packed(visitors: Mapping[bytes, set[int]]) -> dict[bytes, Packed]:
    return {ua: _pack(sorted(hashes)) for ua, hashes in visitors.items()}


def _as_sets(packed: Mapping[bytes, Packed] | None, sets: Mapping[bytes, set[int]]) -> Iterator[tuple[bytes, set[int]]]:
    """Visitors per User-Agent, ``packed`` (if not ``None``) or ``sets``, in sets of their own (a
    merge grows them), packed ones unpacked one User-Agent at a time (a merge holds no second copy
    of them all)."""
    if packed is None:
        return ((ua, set(hashes)) for ua, hashes in sets.items())
    return ((ua, set(_hashes(hashes))) for ua, hashes in packed.items())


def _sampled(packed: Mapping[bytes, Packed], level: int) -> dict[bytes, Packed]:
    """Packed visitors, those that sampling at ``level`` keeps (`Tally._keep_sampled` without a set
    made), User-Agents left with none dropped."""
    sample = compiled_sample or _sample
    return {ua: kept for ua, hashes in packed.items() if (kept := sample(hashes, level))}


def _sample(packed: Packed, level: int) -> bytes:
    """`_speedups.sample_packed`, in Python."""
    mask = (1 << level) - 1
    return _pack(h for h in _hashes(packed) if h & mask == 0)


def _union(a: Packed, b: Packed) -> bytes:
    """`_speedups.union_packed`, in Python."""
    return _pack(sorted(set(_hashes(a)).union(_hashes(b))))


_STATE_BEFORE = {"addressed": True}
"""What a tally pickled by an earlier browsercheck lacks: it counted a visitor a line."""
_STATE = (
    "addressed",
    "line_format",
    "max_line",
    "lines",
    "malformed",
    "examples",
    "requests",
    "visitor_level",
    "first",
    "last",
)
"""What a finished tally is: what pickles, with its visitors packed."""


def _least(examples: list[str]) -> list[str]:
    return heapq.nsmallest(MAX_EXAMPLES, set(examples))


def _user_agent(line: bytes, max_line: int) -> bytes | None:
    """The User-Agent of a combined line, as logged, or ``None`` for a malformed line (also one
    longer than ``max_line``).

    A combined line ends with the quoted User-Agent, which follows the referer's closing quote and
    a space: the last ``" "`` of the line starts it (inside a logged User-Agent a quote is escaped,
    so the sequence cannot occur there). A line cut short has no closing quote.
    """
    if len(line) > max_line:
        return None
    _, found, rest = line.rpartition(b'" "')
    return rest[:-1] if found and rest.endswith(b'"') else None


def _malformed(lines: list[bytes], count: int, max_line: int) -> list[bytes]:
    """The ``count`` malformed ones of combined ``lines``. Nearly always those that do not end with
    a quote, which a slice tells (a line that does not is malformed: its User-Agent would end with
    it); where fewer are, every line is read as `_user_agent` reads it, at twice the cost."""
    unquoted = [line for line in lines if line[-1:] != b'"']
    if len(unquoted) == count:
        return unquoted
    return [line for line in lines if _user_agent(line, max_line) is None]


def _text(chunk: Chunk) -> bytes:
    """The chunk as bytes, lines ending in ``\n`` only."""
    text = bytes(chunk)
    return text.replace(b"\r\n", b"\n") if b"\r" in text else text


def _lines(chunk: bytes) -> list[bytes]:
    lines = chunk.split(b"\n")
    if not lines[-1]:
        lines.pop()  # after the last newline
    return lines


def parse_time(text: bytes) -> datetime.datetime | None:
    """A logged time (nginx/Apache ``[10/Oct/2026:13:55:36 +0200]``, ISO 8601), or ``None``."""
    value = text.decode("ascii", "replace").strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    for form in _TIME_FORMATS:
        try:
            when = datetime.datetime.strptime(value, form)
        except ValueError:
            continue
        return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)
    return None
