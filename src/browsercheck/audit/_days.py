"""People's requests per status per day, for the HTML report's chart of a log that spans days.

The tally counts User-Agents, not days (its C counter reads no times), so the days are counted by
a second reading of the logs, in this process, once the User-Agents are judged: a line's day and
User-Agent are taken as the counters take them (its day as the log writes it: nginx's local date,
a W3C log's UTC date), and the day's requests are added to the status of its User-Agent. Streams
(standard input, pipes) cannot be read twice: then there are no days. Parts of the logs are
counted in forked processes, as many as the audit's workers. Parts of the logs are
counted in forked processes as the audit's workers count (1M lines: 2.3 s in one process).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from .._model import Status
from ._logformats import LineFormat
from ._logread import MAX_LINE, Source, chunks, ranges, read_range
from ._processes import forked_batches

ByDay = dict[dt.date, dict[Status, int]]
"""Requests of each day (the days the log has, in order), per status."""

MAX_DAYS = 366
"""Days kept: the latest ones of a longer log."""


Part = tuple[int, Source, int, int | None]
"""A part of the logs counted at once: its number, its log, and a byte range (end ``None``: the
whole log, compressed)."""
Counts = dict[tuple[int, dt.date, Status], int]
"""People's requests per (part, day, status)."""
_PEOPLE = (Status.SUPPORTED, Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN)


def count_days(
    sources: Sequence[Source], fmt: LineFormat | None, status_of: Callable[[bytes], Status], workers: int = 1
) -> ByDay:
    """Requests per day per status; ``status_of`` takes a User-Agent as logged. Empty for streams.
    With ``workers`` > 1, parts of the logs are counted in as many processes."""
    if any(source.streamed for source in sources):
        return {}
    parts: list[Part] = []
    for source in sources:
        if source.compressed:
            parts.append((len(parts), source, 0, None))
        else:
            parts += [
                (len(parts) + i, source, start, end) for i, (start, end) in enumerate(ranges(source, workers * 4))
            ]

    def count(part: Part) -> Counts:
        return _count_part(part, fmt, status_of)

    found = _merged(forked_batches(count, parts, workers) if workers > 1 and len(parts) > 1 else map(count, parts))
    days: dict[dt.date, dict[Status, int]] = {}
    for (_, day, status), n in found.items():
        days.setdefault(day, dict.fromkeys(_PEOPLE, 0))[status] += n
    return dict(sorted(days.items())[-MAX_DAYS:])


def _merged(results: Iterable[Counts]) -> Counts:
    out: Counts = {}
    for result in results:
        out.update(result)  # keys carry their part's number: none is in two results
    return out


def _count_part(part: Part, fmt: LineFormat | None, status_of: Callable[[bytes], Status]) -> Counts:
    index, source, start, end = part
    counts: Counter[tuple[bytes, bytes]] = Counter()
    for chunk in chunks(source) if end is None else read_range(source, start, end):
        text = bytes(chunk).replace(b"\r\n", b"\n")
        lines = [line for line in text.split(b"\n") if line and len(line) <= MAX_LINE]
        counts.update(_combined(lines) if fmt is None else _formatted(fmt.data_lines(lines), fmt))
    out: Counter[tuple[int, dt.date, Status]] = Counter()
    days: dict[bytes, dt.date | None] = {}
    statuses: dict[bytes, Status] = {}
    for (day_text, ua), n in counts.items():
        if day_text not in days:
            days[day_text] = _day(day_text)
        if ua not in statuses:
            statuses[ua] = status_of(ua)
        day, status = days[day_text], statuses[ua]
        if day is not None and status is not Status.BOT:
            out[(index, day, status)] += n
    return dict(out)


def _combined(lines: list[bytes]) -> list[tuple[bytes, bytes]]:
    """(day, User-Agent) of each combined line, taken as the tally takes them."""
    return [
        (line[(i := line.find(b"[")) + 1 : i + 12], p[2][:-1])
        for line in lines
        if (p := line.rpartition(b'" "'))[1] and p[2].endswith(b'"')
    ]


def _formatted(lines: list[bytes], fmt: LineFormat) -> list[tuple[bytes, bytes]]:
    out = []
    for line in lines:
        fields = fmt.parse(line)
        if fields is not None and fields.time:
            out.append((fields.time[:11], b"-" if fields.ua is None else fields.ua))
    return out


def _day(text: bytes) -> dt.date | None:
    """The date at the start of a logged time: ``27/Nov/2026`` (nginx, Apache, HAProxy) or ISO 8601."""
    value = text.decode("ascii", "replace")
    for form, length in (("%d/%b/%Y", 11), ("%Y-%m-%d", 10)):
        try:
            return dt.datetime.strptime(value[:length], form).date()
        except ValueError:
            continue
    return None
