"""Auditing access logs: count the lines, judge each distinct User-Agent once, report.

With several cores, workers count (`_count`) while this process builds the parsers, then counts
along; then the distinct User-Agents are judged by this process and forks of it, which have the
parsers built. Workers are forked (POSIX); elsewhere, or for small logs, everything runs in this
process, one step after the other.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._evergreen import minimums_of
from .._model import Status
from .._policy import Policy
from ._count import ProgressCallback, count
from ._days import count_days
from ._logfields import resolve_for
from ._logformats import decode, line_format, unescape
from ._logread import Source, inspect
from ._processes import can_fork, forked_batches
from ._report import AuditReport, UserAgentStats
from ._tally import Tally

if TYPE_CHECKING:
    from .._checker import Checker


def audit(
    paths: Sequence[str | os.PathLike[str]],
    policy: Policy | str | os.PathLike[str] | None = None,
    *,
    compare: Policy | str | os.PathLike[str] | None = None,
    log_format: str = "combined",
    ua_field: str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    addr_field: str | None = None,
    time_field: str | None = None,
    by_day: bool = False,
) -> AuditReport:
    """Audit access logs against ``policy`` (default: the shipped one).

    ``paths`` are log files, plain or gzip/bzip2/xz, or ``"-"`` for standard input. ``compare``
    judges the same traffic under a second policy. ``log_format`` is ``"combined"`` (default), an
    nginx ``log_format`` template, ``"regex:"`` with a named group ``ua``, or ``"json"`` (with
    ``ua_field``, ``addr_field``, ``time_field``: dotted paths; without them the usual names are
    tried on the first line), ``"w3c"`` (IIS), ``"cloudfront"``, or a preset (``"alb"``,
    ``"haproxy"``, ``"caddy"``, ``"traefik"``). ``workers`` defaults to the number of cores.
    ``by_day``: also count people's requests per status per day, for a log that spans days (a
    second reading of the logs; not of streams).

    Raises `LogReadError` (an ``OSError``) for a log that cannot be read, `LogFormatError` (a
    ``ValueError``) for a format without a User-Agent, `PolicyError` for a bad policy.
    """
    if not paths:
        raise ValueError("audit needs at least one log file (or '-' for standard input)")
    fmt = line_format(log_format, ua_field=ua_field, addr_field=addr_field, time_field=time_field)
    sources = [inspect(os.fspath(p)) for p in paths]
    fmt = resolve_for(fmt, sources)  # the fields a JSON or W3C log names, from its first lines
    workers = _worker_count(workers, sources)
    started = time.perf_counter()
    judge = _Judge(policy, compare)
    tally = count(sources, fmt, workers, progress, meanwhile=judge.prepare)  # policies load meanwhile
    uas = _distinct(tally)
    judge.add(sorted(uas), workers)  # in order, alike ones follow each other: a fifth faster than at random
    stats = [judge.stats(ua, requests, visitors) for ua, (requests, visitors) in uas.items()]
    days = None
    if by_day and tally.first is not None and tally.last is not None and tally.first.date() != tally.last.date():
        status = {s.user_agent: s.status for s in stats}
        days = count_days(sources, fmt, lambda raw: status.get(ua_text(raw), Status.UNKNOWN), workers)
    return AuditReport(
        policy=judge.checkers[0].policy.name,
        compare_policy=other.policy.name if (other := judge.checkers[1]) else None,
        sources=tuple(s.name for s in sources),
        lines=tally.lines,
        malformed=tally.malformed,
        malformed_examples=tuple(tally.examples),
        first=tally.first,
        last=tally.last,
        user_agents=tuple(sorted(stats, key=lambda s: (-s.requests, s.user_agent))),
        visitors_sampled=tally.visitor_level > 0,
        seconds=time.perf_counter() - started,
        minimums=dict(minimums_of(judge.checkers[0].policy)),
        visitors_counted=fmt is None or fmt.gives_address,
        notes=fmt.notes if fmt is not None else (),
        by_day=days,
    )


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
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# -- judging -------------------------------------------------------------------------------------------


def ua_text(raw: bytes) -> str:
    """A logged User-Agent as it was sent: escapes undone, ``-`` (none sent) as ``""``."""
    return "" if raw == b"-" else decode(unescape(raw))


def _distinct(tally: Tally) -> dict[str, tuple[int, int]]:
    """Requests and visitors per User-Agent as sent."""
    scale = 1 << tally.visitor_level
    out: dict[str, tuple[int, int]] = {}
    for raw, requests in tally.requests.items():
        text = ua_text(raw)
        old_requests, old_visitors = out.get(text, (0, 0))
        out[text] = (old_requests + requests, old_visitors + len(tally.visitors.get(raw, ())) * scale)
    return out


PolicySource = Policy | str | os.PathLike[str]
"""A policy or its file."""

Judgement = tuple[Status, str | None, str, str | None, Status | None]
"""What the report needs of a verdict: status, browser key, name, major version, compared status."""

_PARALLEL_FROM_USER_AGENTS = 2000  # fewer are judged in this process sooner than a fork is made
_BATCH = 100  # User-Agents judged at a time: small enough to share out evenly, large enough to stay in order


class _Judge:
    """Judges each distinct User-Agent once, under the policy and the compared one."""

    def __init__(self, policy: PolicySource | None, compare: PolicySource | None) -> None:
        """``policy`` ``None``: the shipped one; ``compare`` ``None``: no second policy."""
        self._sources = policy, compare
        self._checkers: tuple[Checker, Checker | None] | None = None
        self._done: dict[str, Judgement] = {}

    def prepare(self) -> None:
        """Load the policies (raises `PolicyError`) and build the parsers (else built on first use)."""
        from .._checker import Checker, shared_detector  # here: after the workers fork, not before

        if self._checkers is None:
            policy, compare = self._sources
            other = Checker(compare, cache_size=0) if compare is not None else None
            self._checkers = Checker(policy, cache_size=0), other
        shared_detector()

    @property
    def checkers(self) -> tuple[Checker, Checker | None]:
        """The policy's checker and the compared policy's (or ``None``)."""
        if self._checkers is None:
            self.prepare()
        assert self._checkers is not None
        return self._checkers

    def add(self, uas: list[str], workers: int = 1) -> None:
        """Judge ``uas``; with ``workers`` > 1 and many of them, in as many processes."""
        if workers > 1 and len(uas) >= _PARALLEL_FROM_USER_AGENTS:
            self.prepare()  # before forking, so that the forks have the parsers
            gc.freeze()  # as Python's docs advise before forking: the forks' collections then leave this
            # process's objects, and so their memory pages, untouched
            try:
                batches = [uas[i : i + _BATCH] for i in range(0, len(uas), _BATCH)]
                self._done.update(forked_batches(self._judge_all, batches, workers))
            finally:
                gc.unfreeze()
        else:
            self._done.update(self._judge_all(uas))

    def _judge_all(self, uas: list[str]) -> dict[str, Judgement]:
        checker, other = self.checkers
        return {ua: _judge(ua, checker, other) for ua in uas}

    def stats(self, ua: str, requests: int, visitors: int) -> UserAgentStats:
        status, browser, name, major, compared = self._done[ua]
        return UserAgentStats(ua, requests, visitors, status, browser, name, major, compared)


def _judge(ua: str, checker: Checker, other: Checker | None) -> Judgement:
    from .._judge import judge

    client = checker.detect(ua)  # once, for both policies
    verdict = judge(client, checker.policy)
    return (
        verdict.status,
        client.browser,
        client.name,
        client.version.split(".")[0] if client.version else None,
        judge(client, other.policy).status if other else None,
    )


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
