"""Counting a log: requests per User-Agent, visitors, malformed lines, the time span.

The audit's work scales with the distinct User-Agents, not the lines: lines are only counted here,
each distinct User-Agent is judged once afterwards. The "combined" format, nearly every site's, is
read by one comprehension over a chunk's lines with bytes methods (no regex: Python's ``re`` scans
a line character by character, ``bytes.rfind`` at memory speed); every other format goes line by
line through a `LineFormat`.

Visitors (address + User-Agent) are counted exactly up to `VISITOR_SAMPLE_LIMIT` distinct ones;
past that a fixed share of them is kept (chosen by the hash of the address, which forked workers share) and
the count is scaled up: memory stays bounded however long the log.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Iterable
from operator import itemgetter

from ._logformats import Fields, LineFormat, decode

MAX_EXAMPLES = 5
VISITOR_SAMPLE_LIMIT = 1_000_000
_TIME_FORMATS = ("%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S")

_FIRST = itemgetter(0)


class Tally:
    """What one process counted; tallies of parts of a log `merge` into the whole."""

    def __init__(self, line_format: LineFormat | None = None) -> None:
        self.line_format = line_format
        self._quoted_keys = line_format is None  # the fast path's keys keep their closing quote
        self.lines = 0
        self.malformed = 0
        self.examples: list[str] = []
        self.requests: Counter[bytes] = Counter()
        """Requests per User-Agent, as logged (escaped; ``-`` for none)."""
        self.visitors: set[tuple[bytes, bytes]] = set()
        self.visitor_level = 0
        """Visitors are kept if their address's ``hash & (2**level - 1) == 0``: one address in
        2**level, with all its User-Agents. By the address, which `finish` leaves as it is, so that
        tallies sampled before and after it, or at other levels, sample alike and merge."""
        self.first: datetime.datetime | None = None
        self.last: datetime.datetime | None = None
        self._reported: set[bytes] = set()

    # -- counting -----------------------------------------------------------------------------------

    def add_chunk(self, chunk: bytes) -> None:
        """Count the whole lines in ``chunk`` (a trailing line without newline counts too)."""
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n")
        lines = chunk.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        if self.line_format is None:
            self._add_combined(lines)
        else:
            self._add_lines(lines, self.line_format)

    def _add_combined(self, lines: list[bytes]) -> None:
        """The fast path: (User-Agent, address) of each line in one comprehension.

        A combined line ends with the quoted User-Agent, which follows the referer's closing quote
        and a space: the last ``" "`` of the line starts it (inside a logged User-Agent a quote is
        escaped, so the sequence cannot occur there). The key keeps the closing quote, and `finish`
        strips it once per distinct User-Agent: a key without it was a truncated line.
        """
        pairs = [(p[2], line.split(b" ", 1)[0]) for line in lines if (p := line.rpartition(b'" "'))[1]]
        self._add_pairs(pairs)
        self.lines += len(lines)
        if len(pairs) != len(lines):
            self.malformed += len(lines) - len(pairs)
            self._examples(line for line in lines if b'" "' not in line)
        self._time_of(lines)
        self._time_of(reversed(lines))

    def _time_of(self, lines: Iterable[bytes]) -> None:
        """The time of the first line (of up to ten) that has one."""
        for line in itertools.islice(lines, 10):
            if (when := parse_time(line[line.find(b"[") + 1 : line.find(b"]")])) is not None:
                self._seen(when)
                return

    def _add_lines(self, lines: list[bytes], line_format: LineFormat) -> None:
        parsed: list[Fields] = []
        bad: list[bytes] = []
        for line in lines:
            fields = line_format.parse(line)
            if fields is None:
                bad.append(line)
            else:
                parsed.append(fields)
        self.lines += len(lines)
        self.malformed += len(bad)
        self._examples(bad)
        self._add_pairs([(b"-" if f.ua is None else f.ua, f.addr) for f in parsed])
        times = [f.time for f in parsed if f.time]
        for text in times[:1] + times[-1:]:
            if (when := parse_time(text)) is not None:
                self._seen(when)

    def _add_pairs(self, pairs: list[tuple[bytes, bytes]]) -> None:
        """Count (User-Agent, address) pairs: requests per User-Agent, and the visitors."""
        self.requests.update(map(_FIRST, pairs))
        self._add_visitors(pairs)

    def _add_visitors(self, pairs: Iterable[tuple[bytes, bytes]]) -> None:
        """Keep the visitors this level samples, and sample more while they are too many."""
        if self.visitor_level == 0:
            self.visitors.update(pairs)
        else:
            mask = (1 << self.visitor_level) - 1
            self.visitors.update(p for p in pairs if hash(p[1]) & mask == 0)
        while len(self.visitors) > VISITOR_SAMPLE_LIMIT:
            self._sample_more()

    def _sample_more(self) -> None:
        self.visitor_level += 1
        mask = (1 << self.visitor_level) - 1
        self.visitors = {p for p in self.visitors if hash(p[1]) & mask == 0}

    def _examples(self, lines: Iterable[bytes]) -> None:
        for line in lines:
            if len(self.examples) >= MAX_EXAMPLES:
                return
            self.examples.append(decode(line[:300]))

    def _seen(self, when: datetime.datetime) -> None:
        if self.first is None or when < self.first:
            self.first = when
        if self.last is None or when > self.last:
            self.last = when

    def new_user_agents(self) -> list[bytes]:
        """The User-Agents (as logged) first seen since the last call, for judging them early."""
        new = self.requests.keys() - self._reported
        self._reported |= new
        if self._quoted_keys:
            return [key[:-1] for key in new if key.endswith(b'"')]
        return list(new)

    def finish(self) -> None:
        """Settle into `requests` and `visitors`; strip the fast path's closing quotes (a key
        without one came from a cut line: malformed)."""
        if not self._quoted_keys:
            return
        self._quoted_keys = False
        requests: Counter[bytes] = Counter()
        for key, count in self.requests.items():
            if key.endswith(b'"'):
                requests[key[:-1]] += count
            else:
                self.malformed += count
                self._examples([b"... " + key])
        self.requests = requests
        self.visitors = {(ua[:-1], addr) for ua, addr in self.visitors if ua.endswith(b'"')}

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_reported"}  # only the worker needs it

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._reported = set()

    def merge(self, other: Tally) -> None:
        """Add a `finish`ed tally to this finished one."""
        if self._quoted_keys or other._quoted_keys:
            raise ValueError("only finished tallies merge")
        self.lines += other.lines
        self.malformed += other.malformed
        self.examples += other.examples[: MAX_EXAMPLES - len(self.examples)]
        self.requests.update(other.requests)
        while self.visitor_level < other.visitor_level:
            self._sample_more()
        self._add_visitors(other.visitors)  # what the other kept at a lower level is filtered again
        for when in (other.first, other.last):
            if when is not None:
                self._seen(when)


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
