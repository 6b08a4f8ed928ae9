"""Auditing access logs: count the lines, judge each distinct User-Agent once, report.

The counting (`_tally`) runs in worker processes, one per core: plain files are split into byte
ranges that each worker reads itself; compressed logs and standard input are read here and handed
out in chunks. While they count, this process builds the parsers and then judges each User-Agent
the workers report as new, so that judging overlaps counting. Workers are forked (POSIX); elsewhere,
or for small logs, everything runs in this process, one step after the other.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ._checker import Checker
from ._logformats import LineFormat, decode, line_format, unescape
from ._logread import STDIN, LogReadError, Source, chunks, inspect, ranges, read_range
from ._model import Status
from ._policy import Policy
from ._report import AuditReport, UserAgentStats
from ._tally import Tally

ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes read, total bytes or None) as the audit reads."""


def audit(
    paths: Sequence[str | os.PathLike[str]],
    policy: Policy | str | os.PathLike[str] | None = None,
    *,
    compare: Policy | str | os.PathLike[str] | None = None,
    log_format: str = "combined",
    ua_field: str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> AuditReport:
    """Audit access logs against ``policy`` (default: the shipped one).

    ``paths`` are log files, plain or gzip/bzip2/xz, or ``"-"`` for standard input. ``compare``
    judges the same traffic under a second policy. ``log_format`` is ``"combined"`` (default), an
    nginx ``log_format`` template, ``"regex:"`` with a named group ``ua``, or ``"json"`` (with
    ``ua_field``). ``workers`` defaults to the number of cores.

    Raises `LogReadError` (an ``OSError``) for a log that cannot be read, `LogFormatError` (a
    ``ValueError``) for a format without a User-Agent, `PolicyError` for a bad policy.
    """
    if not paths:
        raise ValueError("audit needs at least one log file (or '-' for standard input)")
    fmt = line_format(log_format, ua_field=ua_field)
    sources = [inspect(os.fspath(p)) for p in paths]
    checker = Checker(policy, cache_size=0)
    other = Checker(compare, cache_size=0) if compare is not None else None
    workers = _worker_count(workers, sources)
    started = time.perf_counter()
    judge = _Judge(checker, other)
    tally = _count(sources, fmt, workers, progress, judge)
    uas = _distinct(tally)
    judge.add(uas)  # the User-Agents not judged while counting
    stats = [judge.stats(ua, requests, visitors) for ua, (requests, visitors) in uas.items()]
    return AuditReport(
        policy=checker.policy.name,
        compare_policy=other.policy.name if other else None,
        sources=tuple(s.name for s in sources),
        lines=tally.lines,
        malformed=tally.malformed,
        malformed_examples=tuple(tally.examples),
        first=tally.first,
        last=tally.last,
        user_agents=tuple(sorted(stats, key=lambda s: (-s.requests, s.user_agent))),
        visitors_sampled=tally.visitor_level > 0,
        seconds=time.perf_counter() - started,
    )


_PARALLEL_FROM_BYTES = 16 << 20  # below, a fork costs more than counting the log in this process


def _worker_count(requested: int | None, sources: list[Source]) -> int:
    if requested is not None and requested < 1:
        raise ValueError(f"workers must be at least 1, got {requested}")
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # workers share this process's state by forking; elsewhere one process does all
    if requested is not None:
        return requested
    if all(s.size is not None and s.size < _PARALLEL_FROM_BYTES for s in sources):
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# -- counting ------------------------------------------------------------------------------------------


def _count(
    sources: list[Source],
    fmt: LineFormat | None,
    workers: int,
    progress: ProgressCallback | None,
    judge: _Judge,
) -> Tally:
    total = sum(s.size or 0 for s in sources) if all(s.size is not None for s in sources) else None
    if workers <= 1:
        tally = Tally(fmt)
        done = 0
        for source in sources:
            position = [0]
            for chunk in chunks(source, position):
                tally.add_chunk(chunk)
                if progress:
                    progress(done + position[0], total)
            done += source.size or 0
        tally.finish()
        return tally
    return _count_in_workers(sources, fmt, workers, progress, total, judge)


def _count_in_workers(
    sources: list[Source],
    fmt: LineFormat | None,
    workers: int,
    progress: ProgressCallback | None,
    total: int | None,
    judge: _Judge,
) -> Tally:
    ctx = multiprocessing.get_context("fork")
    # plain files: byte ranges the workers read themselves, all queued at once; compressed files and
    # standard input: chunks read here, a few queued at a time (memory stays bounded)
    range_tasks = [
        ("range", source.name, start, end)
        for source in sources
        if source.name != STDIN and not source.compressed
        for start, end in ranges(source, workers * 8)
    ]
    streams = [source for source in sources if source.name == STDIN or source.compressed]
    tasks: Any = ctx.Queue(maxsize=len(range_tasks) + 3 * workers)
    results: Any = ctx.Queue()
    processes = [ctx.Process(target=_count_worker, args=(tasks, results, fmt), daemon=True) for _ in range(workers)]
    for p in processes:
        p.start()
    counted = streamed = 0  # bytes of ranges the workers counted; bytes this process read for them
    try:
        for task in range_tasks:
            tasks.put(task)
        if streams:
            judge.prepare()  # before this process is busy reading
        for source in streams:
            position = [0]
            for chunk in chunks(source, position):
                tasks.put(("bytes", chunk))
                if progress:
                    progress(counted + streamed + position[0], total)
            streamed += source.size or position[0]
        for _ in processes:
            tasks.put(None)
        if not streams:
            judge.prepare()  # while the workers count
        tally = Tally(fmt)
        tally.finish()  # merged with finished tallies
        finished = 0
        while finished < len(processes):
            try:
                kind, value = results.get(timeout=1)
            except queue.Empty:
                _check_alive(processes)
                continue
            if kind == "progress":
                counted += value
                if progress:
                    progress(counted + streamed, total)
            elif kind == "user_agents":
                judge.add(map(ua_text, value))
            elif kind == "error":
                raise LogReadError(value)
            elif kind == "failed":
                raise RuntimeError(value)
            else:
                tally.merge(value)
                finished += 1
        return tally
    finally:
        for p in processes:
            if p.is_alive():
                p.terminate()
            p.join()


def _check_alive(processes: list[Any]) -> None:
    """A worker that died (killed, out of memory) sends nothing more: say so rather than wait."""
    for p in processes:
        if p.exitcode not in (None, 0):
            raise RuntimeError(f"an audit worker process stopped (exit code {p.exitcode}); the audit is incomplete")


def _count_worker(tasks: Any, results: Any, fmt: LineFormat | None) -> None:
    tally = Tally(fmt)
    try:
        for task in iter(tasks.get, None):
            if task[0] == "range":
                _, name, start, end = task
                for chunk in read_range(name, start, end):
                    tally.add_chunk(chunk)
                results.put(("progress", end - start))
            else:
                tally.add_chunk(task[1])
            if new := tally.new_user_agents():
                results.put(("user_agents", new))
    except OSError as e:
        results.put(("error", f"{e.filename or 'log'}: cannot read: {e.strerror or e}"))
        return
    except Exception as e:  # a bug: reported, so that the audit stops instead of waiting for this worker
        results.put(("failed", f"an audit worker failed: {type(e).__name__}: {e}"))
        return
    tally.finish()
    results.put(("tally", tally))


# -- judging -------------------------------------------------------------------------------------------


def ua_text(raw: bytes) -> str:
    """A logged User-Agent as it was sent: escapes undone, ``-`` (none sent) as ``""``."""
    return "" if raw == b"-" else decode(unescape(raw))


def _distinct(tally: Tally) -> dict[str, tuple[int, int]]:
    """Requests and visitors per User-Agent as sent."""
    scale = 1 << tally.visitor_level
    visitors = Counter(ua for ua, _ in tally.visitors)
    out: dict[str, tuple[int, int]] = {}
    for raw, requests in tally.requests.items():
        text = ua_text(raw)
        old_requests, old_visitors = out.get(text, (0, 0))
        out[text] = (old_requests + requests, old_visitors + visitors.get(raw, 0) * scale)
    return out


class _Judge:
    """Judges each distinct User-Agent once, under the policy and the compared one."""

    def __init__(self, checker: Checker, other: Checker | None) -> None:
        self._checker = checker
        self._other = other
        self._done: dict[str, tuple[Status, str | None, str, str | None, Status | None]] = {}

    def prepare(self) -> None:
        """Build the parsers now (they are built on first use otherwise)."""
        from ._checker import shared_detector

        shared_detector()

    def add(self, uas: Iterable[str]) -> None:
        for ua in uas:
            if ua not in self._done:
                verdict = self._checker.check(ua)
                client = verdict.client
                self._done[ua] = (
                    verdict.status,
                    client.browser,
                    client.name,
                    client.version.split(".")[0] if client.version else None,
                    self._other.check(ua).status if self._other else None,
                )

    def stats(self, ua: str, requests: int, visitors: int) -> UserAgentStats:
        status, browser, name, major, compared = self._done[ua]
        return UserAgentStats(ua, requests, visitors, status, browser, name, major, compared)


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
