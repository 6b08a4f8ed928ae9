"""Auditing access logs: count the lines, judge each distinct User-Agent once, report.

With several cores, workers count (`_count`) while this process builds the parsers, then judges
the User-Agents as the counting first finds them, and counts along only when none waits. Those left
when the counting ends are judged by this process, and where there are many by forks of it too
(which have the parsers built), from the moment the counting ends: while the workers' tallies
travel and this process reads them and puts the report's User-Agents in order, the cores stay
busy. Workers are forked (POSIX); elsewhere, or for small logs, everything runs in this process,
one step after the other. Python's cyclic garbage collector is paused while an audit runs here
(`collector_paused`; not for one on Dask).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from .._evergreen import minimums_of
from .._model import Client, Status
from .._policy import Policy
from ._count import ProgressCallback, count
from ._days import count_days
from ._logfields import resolve_for
from ._logformats import decode, line_format, unescape
from ._logread import STDIN, Source, held_open, inspect
from ._processes import ForkedBatches, can_fork, cores
from ._report import AuditReport, UserAgentStats, make_stats
from ._tally import Tally

if TYPE_CHECKING:
    from .._checker import Checker


def audit(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    policy: Policy | str | os.PathLike[str] | None = None,
    *,
    compare: Policy | str | os.PathLike[str] | None = None,
    log_format: str = "combined",
    ua_field: str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    counts: bool = False,
    dask: Any = None,
    addr_field: str | None = None,
    time_field: str | None = None,
    by_day: bool = False,
) -> AuditReport:
    """Audit access logs against ``policy`` (default: the shipped one).

    ``paths`` are log files, plain or gzip/bzip2/xz, or ``"-"`` for standard input (once; a single
    path alone is one log). ``compare``
    judges the same traffic under a second policy. ``log_format`` is ``"combined"`` (default), an
    nginx ``log_format`` template, ``"regex:"`` with a named group ``ua``, or ``"json"`` (with
    ``ua_field``, ``addr_field``, ``time_field``: dotted paths; without them the usual names are
    tried on the first line), ``"w3c"`` (IIS), ``"cloudfront"``, or a preset (``"alb"``,
    ``"haproxy"``, ``"caddy"``, ``"traefik"``). ``workers`` defaults to the number of cores.
    ``by_day``: also count people's requests per status per day, for a log that spans days (a
    second reading of the logs; not of streams).

    ``counts=True``: ``paths`` are tables of requests (and visitors) per User-Agent that a SQL
    engine counted (`_countstable`). ``dask``: a ``distributed.Client``, a scheduler's address
    (``"tcp://host:8786"``) or ``"local"``: the logs (paths or fsspec URLs) are counted and their
    User-Agents judged on its workers (`_dask`); the report is the same, a JSON or W3C log's fields
    resolved from the first lines of the first file or URL. Neither counts ``by_day`` (a table has
    no times; a cluster reads the logs once): the report's notes say so.

    Raises `LogReadError` (an ``OSError``) for a log that cannot be read, `LogFormatError` (a
    ``ValueError``) for a format without a User-Agent, `PolicyError` for a bad policy,
    `CountsTableError` for a table that is not counts, `ClusterError` for a scheduler that cannot
    be reached, `MissingExtraError` for an extra that is not installed.
    """
    paths = _log_paths(paths)
    if counts and dask is not None:
        raise ValueError("tables of counts are read here: audit them without dask")
    if counts:
        with collector_paused():
            return _audit_counts(paths, policy, compare, by_day=by_day)
    if dask is not None:
        from ._dask import audit_on_dask

        return audit_on_dask(
            paths,
            dask,
            policy,
            compare=compare,
            log_format=log_format,
            ua_field=ua_field,
            addr_field=addr_field,
            time_field=time_field,
            by_day=by_day,
        )
    fmt = line_format(log_format, ua_field=ua_field, addr_field=addr_field, time_field=time_field)
    inspected = [inspect(os.fspath(p)) for p in paths]
    fmt = resolve_for(fmt, inspected)  # the fields a JSON or W3C log names, from its first lines
    workers = _worker_count(workers, inspected)
    started = time.perf_counter()
    # each plain file read as it was inspected, however logrotate renames or replaces it meanwhile
    with held_open(inspected) as sources, collector_paused():
        judge = _Judge(policy, compare, workers)
        try:
            # the policies load, and User-Agents are judged as they are first counted, while workers count
            tally = count(sources, fmt, workers, progress, meanwhile=judge.prepare, alongside=judge)
            counted = counts_of(tally)
            del tally  # its visitors' hashes, counted: what judging and the report make takes their place
            order = busiest_first(counted)  # the report's, known from the counts: while the forks judge
            judge.add(counted.user_agents)  # the rest, with the forks that judge those waiting, if any
        finally:
            judge.close()
        days = None
        notes: list[str] = []
        if by_day and spans_days(counted):
            if any(source.streamed for source in sources):
                notes.append(NO_DAYS_IN_STREAMS)
            else:
                status = {ua: judged[0] for ua, judged in judge.done.items()}
                days = count_days(sources, fmt, lambda raw: status.get(ua_text(raw), Status.UNKNOWN), workers)
        checker, other = judge.checkers
        return _report(
            counted,
            _rows(counted, judge.done, order),
            policy=checker.policy,
            compare_policy=other.policy if other else None,
            sources=[s.name for s in sources],
            seconds=time.perf_counter() - started,
            notes=notes,
            by_day=days,
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, where it runs, until the block ends however it
    does. An audit makes a few objects a User-Agent, none in a cycle, and each collection walks
    the many it made before: on 1M lines with 48,000 User-Agents, making the report took 61-64 ms
    with it and 44-47 without.

    As it runs again, the young objects are moved to the oldest generation uncollected
    (`_promoted_uncollected`)."""
    if not gc.isenabled():
        yield
        return
    try:
        gc.disable()
        yield
    finally:
        try:
            _promoted_uncollected()
        finally:
            gc.enable()


@functools.cache
def _moves_lists_whole() -> bool:
    """Whether ``gc.freeze()`` and ``gc.unfreeze()`` move the generations' lists whole: not from
    3.14 on, where they mark every object of the incremental collector's spaces and unfreezing
    ends its cycle early, nor on a build without the GIL, where each walks the whole heap (which
    its collector scans anyway)."""
    import sysconfig  # here: 1 ms of a fresh process where nothing imported it

    return sys.version_info < (3, 14) and not sysconfig.get_config_var("Py_GIL_DISABLED")


def _promoted_uncollected() -> None:
    """The process's young objects moved to the oldest generation, none walked. Else the first
    allocation once the collector runs again collects the youngest generation, where all that was
    made while it was paused still is: the audit's report and judgements (on 1M lines with 48,000
    User-Agents, 16-27 ms after the audit had ended). The program's own young objects are moved
    too: a cycle among them that became garbage before or during the audit is found by the next
    collection of the oldest generation, later than it would have been. Where the program froze
    objects of its own (``gc.freeze`` before forking workers) they must stay frozen, so nothing is
    moved (a thread that freezes objects in the instant between the check and the move is not
    told apart)."""
    if _moves_lists_whole() and gc.get_freeze_count() == 0:
        try:
            gc.freeze()
        finally:
            gc.unfreeze()  # even where an interrupt came in between: nothing is left frozen


# -- the steps, each with a public name: counting, merging, judging, reporting -------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """What a report needs of counting: requests and visitors per User-Agent as sent, and totals.

    Made from a `Tally` (`counts_of`) or read from a table that a SQL engine counted."""

    user_agents: Mapping[str, tuple[int, int]]
    """User-Agent as sent (``""``: none) -> (requests, visitors)."""
    lines: int
    malformed: int = 0
    examples: tuple[str, ...] = ()
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None
    visitors_sampled: bool = False
    visitors_counted: bool = True
    """``False``: the log (or table) has no client address: visitors are not counted."""
    notes: tuple[str, ...] = ()
    """What the reading found worth saying (which JSON field was read, what was not counted)."""


def count_logs(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    log_format: str = "combined",
    ua_field: str | None = None,
    addr_field: str | None = None,
    time_field: str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> Tally:
    """Count log files (plain or compressed) into one finished `Tally`, as `audit` does (a JSON or
    W3C log's fields resolved from the first lines of the first file)."""
    fmt = line_format(log_format, ua_field=ua_field, addr_field=addr_field, time_field=time_field)
    inspected = [inspect(os.fspath(p)) for p in _log_paths(paths)]
    fmt = resolve_for(fmt, inspected)
    with held_open(inspected) as sources:
        return count(sources, fmt, _worker_count(workers, sources), progress, meanwhile=lambda: None)


def _log_paths(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str | os.PathLike[str]]:
    """The logs to read: one path alone is one log (not a sequence of one-letter names); at least
    one; standard input at most once (it can be read once)."""
    logs = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not logs:
        raise ValueError("audit needs at least one log file (or '-' for standard input)")
    if sum(os.fspath(p) == STDIN for p in logs) > 1:
        raise ValueError("standard input ('-') can be read once: give it once")
    return logs


def merge_tallies(tallies: Iterable[Tally]) -> Tally:
    """One finished tally of many (the first is merged into): in any order or grouping, alike."""
    merged: Tally | None = None
    for tally in tallies:
        if merged is None:
            merged = tally
        else:
            merged.merge(tally)
    if merged is None:
        raise ValueError("merge_tallies: no tally to merge")
    return merged


def counts_of(tally: Tally) -> Counts:
    """A finished tally's counts, its User-Agents as sent (escapes undone; ``-`` as ``""``); whether
    visitors were counted and the format's notes, from the tally's line format."""
    fmt = tally.line_format
    return Counts(
        user_agents=_distinct(tally),
        lines=tally.lines,
        malformed=tally.malformed,
        examples=tuple(tally.examples),
        first=tally.first,
        last=tally.last,
        visitors_sampled=tally.visitor_level > 0,
        visitors_counted=(fmt is None or fmt.gives_address) and tally.addressed,
        notes=_notes_of(tally),
    )


def _notes_of(tally: Tally) -> tuple[str, ...]:
    """The format's notes, and where a format that can have addresses had none (standard input,
    whose fields could not be looked at first), that visitors were not counted."""
    fmt = tally.line_format
    if fmt is None:
        return ()
    if fmt.gives_address and not tally.addressed and tally.lines:
        return (*fmt.notes, NO_ADDRESSES)
    return fmt.notes


NO_ADDRESSES = "visitors not counted: no line read had a client address"


def spans_days(counts: Counts) -> bool:
    """Whether the counted lines were logged on more than one day (the per-day chart needs two)."""
    return counts.first is not None and counts.last is not None and counts.first.date() != counts.last.date()


def judge_user_agents(
    user_agents: Iterable[str], policy: PolicySource | None = None, compare: PolicySource | None = None
) -> dict[str, Judgement]:
    """Judge each User-Agent once in this process, under ``policy`` and the ``compare`` one."""
    return {ua: Judgement._make(fields) for ua, fields in judged_fields(user_agents, policy, compare).items()}


def judged_fields(
    user_agents: Iterable[str], policy: PolicySource | None = None, compare: PolicySource | None = None
) -> dict[str, JudgementFields]:
    """`judge_user_agents`, each judgement's fields in a plain tuple (as the audit keeps them)."""
    judge = _Judge(policy, compare)
    judge.add(user_agents)  # each once: `add` skips those judged
    return judge.done


def build_report(
    counts: Counts,
    judgements: Mapping[str, JudgementFields],
    *,
    policy: Policy | str,
    compare_policy: Policy | str | None = None,
    sources: Sequence[str] = (),
    seconds: float = 0.0,
    notes: Sequence[str] = (),
    by_day: Mapping[datetime.date, Mapping[Status, int]] | None = None,
) -> AuditReport:
    """The report of ``counts`` with a judgement of each of their User-Agents (a `Judgement`, or
    its fields in a plain tuple, as the audit keeps them: in an audit of 48,000 User-Agents, taking
    the forks' judgements as named tuples took 21 ms, as plain ones 6).

    ``policy``: the `Policy` judged under (the report shows its name and its minimums, as `audit`'s
    does), or only its name (the report then has no minimums: the HTML charts draw no line).
    ``notes`` are said after the counts' own; ``by_day``: people's requests per status per day
    (`AuditReport.by_day`), if counted. Raises ``ValueError`` where a User-Agent of ``counts`` has
    no judgement."""
    return _report(
        counts,
        _rows(counts, judgements, busiest_first(counts)),
        policy=policy,
        compare_policy=compare_policy,
        sources=sources,
        seconds=seconds,
        notes=notes,
        by_day=by_day,
    )


def report_of(
    counts: Counts,
    stats: list[UserAgentStats],
    *,
    policy: Policy | str,
    compare_policy: Policy | str | None = None,
    sources: Sequence[str] = (),
    seconds: float = 0.0,
    notes: Sequence[str] = (),
    by_day: Mapping[datetime.date, Mapping[Status, int]] | None = None,
) -> AuditReport:
    """`build_report`'s report from its rows, a `make_stats` per User-Agent of ``counts``, in any
    order (on Dask, made as each share's judgements come)."""
    return _report(
        counts,
        _rows_busiest_first(stats),
        policy=policy,
        compare_policy=compare_policy,
        sources=sources,
        seconds=seconds,
        notes=notes,
        by_day=by_day,
    )


def busiest_first(counts: Counts) -> list[str]:
    """The User-Agents of ``counts`` in the report's order, most requests first, then by User-Agent
    (`_rows_busiest_first`'s, told by the counts alone: the audit orders them while its forks judge)."""
    minus_requests = {ua: -requests for ua, (requests, _) in counts.user_agents.items()}
    order = sorted(minus_requests)
    order.sort(key=minus_requests.__getitem__)  # stable: by User-Agent where the requests are alike
    return order


def _rows(
    counts: Counts, judgements: Mapping[str, JudgementFields], order: Iterable[str]
) -> tuple[UserAgentStats, ...]:
    """The report's row of each User-Agent of ``counts``, in ``order``; ``ValueError`` for one
    that ``judgements`` does not judge."""
    user_agents = counts.user_agents
    rows = []
    for ua in order:
        if (judged := judgements.get(ua)) is None:
            raise ValueError(f"no judgement of the counts' User-Agent {ua!r}")
        requests, visitors = user_agents[ua]
        rows.append(make_stats(ua, requests, visitors, *judged))
    return tuple(rows)


def _report(
    counts: Counts,
    rows: tuple[UserAgentStats, ...],
    *,
    policy: Policy | str,
    compare_policy: Policy | str | None = None,
    sources: Sequence[str] = (),
    seconds: float = 0.0,
    notes: Sequence[str] = (),
    by_day: Mapping[datetime.date, Mapping[Status, int]] | None = None,
) -> AuditReport:
    """The report of ``rows``, as they are ordered (`busiest_first`: the caller sorts them)."""
    return AuditReport(
        policy=_name(policy),
        compare_policy=None if compare_policy is None else _name(compare_policy),
        sources=tuple(sources),
        lines=counts.lines,
        malformed=counts.malformed,
        malformed_examples=counts.examples,
        first=counts.first,
        last=counts.last,
        user_agents=rows,
        visitors_sampled=counts.visitors_sampled,
        seconds=seconds,
        minimums={} if isinstance(policy, str) else dict(minimums_of(policy)),
        visitors_counted=counts.visitors_counted,
        notes=(*counts.notes, *notes),
        by_day=by_day,
    )


def _rows_busiest_first(stats: list[UserAgentStats]) -> tuple[UserAgentStats, ...]:
    """Most requests first, then by User-Agent. In two stable sorts, each by one str or one int
    key: Python sorts those with its own comparisons, without a tuple a row (2.5x faster)."""
    stats.sort(key=attrgetter("user_agent"))
    stats.sort(key=lambda s: -s.requests)
    return tuple(stats)


def _name(policy: Policy | str) -> str:
    return policy if isinstance(policy, str) else policy.name


def _audit_counts(
    paths: Sequence[str | os.PathLike[str]],
    policy: PolicySource | None,
    compare: PolicySource | None,
    *,
    by_day: bool = False,
) -> AuditReport:
    from ._countstable import read_counts

    started = time.perf_counter()
    judge = _Judge(policy, compare, cores() if can_fork() else 1)  # in forks where there are many
    judge.prepare()  # a bad policy is named before a large table is read
    counts = read_counts(paths)
    judge.add(counts.user_agents)
    checker, other = judge.checkers
    return build_report(
        counts,
        judge.done,
        policy=checker.policy,
        compare_policy=other.policy if other else None,
        sources=[os.fspath(p) for p in paths],
        seconds=time.perf_counter() - started,
        notes=[NO_DAYS_IN_COUNTS] if by_day else [],
    )


NO_DAYS_IN_COUNTS = "people per day not charted: tables of counts have no times"
NO_DAYS_IN_STREAMS = "people per day not charted: standard input and pipes cannot be read a second time"


_PARALLEL_FROM_BYTES = 16 << 20  # below, a fork costs more than counting the log in this process


def _worker_count(requested: int | None, sources: list[Source]) -> int:
    if requested is not None and requested < 1:
        raise ValueError(f"workers must be at least 1, got {requested}")
    if not can_fork():
        return 1  # workers share this process's state by forking; elsewhere one process does all
    if requested is not None:
        return requested
    if all(s.size is not None and s.size < _PARALLEL_FROM_BYTES for s in sources):
        return 1
    return cores()


# -- judging -------------------------------------------------------------------------------------------


def ua_text(raw: bytes) -> str:
    """A logged User-Agent as it was sent: escapes undone, ``-`` (none sent) as ``""``."""
    return "" if raw == b"-" else decode(unescape(raw))


def _distinct(tally: Tally) -> dict[str, tuple[int, int]]:
    """Requests and visitors per User-Agent as sent: a User-Agent logged in two forms (``"-"`` and
    ``""``, nginx's ``\\x22`` and Apache's ``\\"``) is one, its visitors each counted once."""
    scale = 1 << tally.visitor_level
    visitors = tally.visitor_counts()
    out: dict[str, tuple[int, int]] = {}
    # The forms that a text may share with another: with an escape, "-" or "", or not UTF-8 (its
    # text then has "\\xNN"). Any other form is the text's UTF-8, the only one that gives it
    # without an escape: where two forms give one text, all but that one are here.
    escaped: dict[str, list[bytes]] = {}
    shared: list[str] = []
    for raw, requests in tally.requests.items():
        # `ua_text`, its common case written out, and the visitors counted at once (48,000
        # User-Agents: 39-45 ms instead of 52-59)
        if b"\\" not in raw and raw != b"-":
            text = raw.decode("utf-8", "backslashreplace")
            if not raw or not (raw.isascii() or "\\" not in text):
                escaped.setdefault(text, []).append(raw)
        else:
            text = ua_text(raw)
            escaped.setdefault(text, []).append(raw)
        if text in out:  # logged in two forms
            shared.append(text)
            out[text] = (out[text][0] + requests, 0)
        else:
            out[text] = (requests, visitors.get(raw, 0) * scale)
    for text in shared:
        forms = escaped[text]
        if (utf8 := text.encode("utf-8", "surrogateescape")) in tally.requests and utf8 not in forms:
            forms = [utf8, *forms]
        out[text] = (out[text][0], tally.distinct_visitors(forms) * scale)
    return out


PolicySource = Policy | str | os.PathLike[str]
"""A policy or its file."""


class Judgement(NamedTuple):
    """What the report needs of a verdict (it pickles: judged on one machine, reported on another)."""

    status: Status
    browser: str | None
    name: str
    major: str | None
    compare_status: Status | None


JudgementFields = tuple[Status, str | None, str, str | None, Status | None]
"""A `Judgement`'s fields in a plain tuple, as the audit judges and keeps them: a fork's 12,000
pickle and load in 3 ms, as named tuples in 20."""

_PARALLEL_FROM_USER_AGENTS = 20_000
"""Fewer are judged in this process (about 10 CPU-us each): a fork would save less than a tenth of a
second, and it holds a copy of this process, parsers and all (on 1M lines with 7,866 User-Agents,
137 MB summed over the audit's processes with the fork, 85 without; 0.53 s against 0.59)."""
_BATCH = 100  # User-Agents judged at a time: small enough to share out evenly, large enough to stay in order


class _Judge:
    """Judges each distinct User-Agent once, under the policy and the compared one: as the counting
    offers them (`offer`, `step`), and where many wait when it ends, in forks of this process too
    (`counted`)."""

    def __init__(self, policy: PolicySource | None, compare: PolicySource | None, workers: int = 1) -> None:
        """``policy`` ``None``: the shipped one; ``compare`` ``None``: no second policy; ``workers``:
        the processes that may judge where many User-Agents wait."""
        self._sources = policy, compare
        self._workers = workers
        self._checkers: tuple[Checker, Checker | None] | None = None
        self._done: dict[str, JudgementFields] = {}
        self._offered: set[str] = set()
        self._waiting: list[str] = []
        """Offered, not yet judged: from `_next` on."""
        self._next = 0
        self._forked: ForkedBatches[list[str], list[JudgementFields]] | None = None
        """Batches of User-Agents that forks of this process judge, and this process with them."""

    def prepare(self) -> None:
        """Load the policies (raises `PolicyError`) and build the parsers (`Checker.build`)."""
        from .._checker import Checker  # here: after the workers fork, not before

        if self._checkers is None:
            policy, compare = self._sources
            other = Checker(compare, cache_size=0) if compare is not None else None
            self._checkers = Checker(policy, cache_size=0), other
        self._checkers[0].build()

    @property
    def checkers(self) -> tuple[Checker, Checker | None]:
        """The policy's checker and the compared policy's (or ``None``)."""
        if self._checkers is None:
            self.prepare()
        assert self._checkers is not None
        return self._checkers

    def offer(self, user_agents: list[bytes]) -> None:
        """User-Agents (as logged) first counted by one of the counting processes, to be judged by
        `step` while the counting goes on: each once, however many processes saw it."""
        new = {text for raw in user_agents if (text := ua_text(raw)) not in self._offered}
        self._offered |= new
        self._waiting += sorted(new)  # in order, alike ones follow each other: a fifth faster

    def step(self) -> bool:
        """Judge the next few offered User-Agents (with the forks, once `counted` started them);
        ``False`` if none is waiting."""
        if self._forked is not None:
            return self._forked.take_one()
        batch = self._waiting[self._next : self._next + _BATCH]
        if not batch:
            return False
        self._record(batch, self._judge_all(batch))
        self._next += len(batch)
        if self._next == len(self._waiting):
            self._waiting, self._next = [], 0
        return True

    def counted(self) -> None:
        """The counting has ended, its tallies still to come: where many offered User-Agents wait,
        forks of this process start on them now, so that a core the counting leaves is not idle
        while the tallies travel and are read. This process joins them in `step` and `add`."""
        waiting = self._waiting[self._next :]
        if self._forked is None and self._workers > 1 and len(waiting) >= _PARALLEL_FROM_USER_AGENTS:
            self._waiting, self._next = [], 0
            self._fork(waiting)

    def add(self, uas: Iterable[str]) -> None:
        """Judge those of ``uas`` not judged yet (with the forks `counted` started, if any, and in
        forks if many are left)."""
        self._join_forks()
        done = self._done
        uas = sorted({ua for ua in uas if ua not in done})  # in order, alike ones follow each other
        if self._workers > 1 and len(uas) >= _PARALLEL_FROM_USER_AGENTS:
            self._fork(uas)
            self._join_forks()
        else:
            self._record(uas, self._judge_all(uas))

    def close(self) -> None:
        """Stop the forks judging, if any (where the audit fails before `add` joins them)."""
        forked, self._forked = self._forked, None
        if forked is not None:
            forked.stop()

    def _fork(self, uas: list[str]) -> None:
        """``workers - 1`` forks start on ``uas``. The audits that fork pause the collector
        (`collector_paused`): the forks, which inherit that, leave this process's memory pages
        untouched by collections (what ``gc.freeze()`` before forking is otherwise for)."""
        # the policies and the parsers loaded before forking, so that the forks have them
        self.checkers[0].build()
        batches = [uas[i : i + _BATCH] for i in range(0, len(uas), _BATCH)]
        self._forked = ForkedBatches(self._judge_all, batches, self._workers)

    def _join_forks(self) -> None:
        """Judge with the forks until no batch is left, and take their judgements."""
        if (forked := self._forked) is None:
            return
        try:
            for batch, fields in zip(forked.batches, forked.results(), strict=True):
                self._record(batch, fields)
        finally:
            self.close()

    def _judge_all(self, uas: list[str]) -> list[JudgementFields]:
        checker, other = self.checkers
        return _judge_each(uas, checker._detector_in_use(), checker.policy, other.policy if other else None)

    def _record(self, uas: list[str], judged: list[JudgementFields]) -> None:
        self._done.update(zip(uas, judged, strict=True))

    @property
    def done(self) -> dict[str, JudgementFields]:
        """Each User-Agent judged so far."""
        return self._done


def _judge_each(
    uas: Iterable[str], detect: Callable[[str], Client], policy: Policy, compare: Policy | None
) -> list[JudgementFields]:
    """A `Judgement`'s fields for each of ``uas``, detected once and judged under ``policy`` (and
    ``compare``): only the status is asked of judging, not a whole `Verdict` (its reasons are never
    read here)."""
    from .._judge import status

    judged = []
    for ua in uas:
        client = detect(ua)
        version = client.version
        judged.append(
            (
                status(client, policy),
                client.browser,
                client.name,
                version.partition(".")[0] if version else None,
                status(client, compare) if compare is not None else None,
            )
        )
    return judged


def progress_bar(stream: Any = None) -> ProgressCallback:
    """A progress bar on ``stream`` (stderr), redrawn at most ten times a second."""
    out = stream or sys.stderr
    last = [0.0]

    def show(done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and (total is None or done < total):
            return
        last[0] = now
        mb = done / 1e6
        if total:
            filled = int(30 * min(done, total) / total)
            out.write(
                f"\r[{'#' * filled}{' ' * (30 - filled)}] {100 * done / total:5.1f}%  {mb:,.0f} / {total / 1e6:,.0f} MB"
            )
        else:
            out.write(f"\r{mb:,.0f} MB read")
        out.flush()

    return show
