"""An audit spread over a Dask cluster: the same steps as on one machine, on its workers.

Parts (compressed files whole, plain files in byte ranges) are counted on the workers into
tallies, which are merged on the workers in a tree (a tally merges alike in any order: visitors
carry a hash that is the same on every machine) and made into counts there. Meanwhile each part's
distinct User-Agents are listed, sorted, the lists merged in a tree of their own, and each run of
the merged list judged on a worker under the policy (it pickles): the judging starts when the parts
are counted, not after the tallies' merge. Each step starts where the one before ends, in one
graph; this process gathers the counts and the judgements and builds the report. Time grows with
lines / workers (counting) and distinct User-Agents / workers (judging); a worker's memory with the
distinct User-Agents and visitors of its parts while counting, with all distinct User-Agents while
judging.

Paths are files that the workers can read at the same path (a shared file system; for
``"local"``, this machine's), or fsspec URLs (``s3://bucket/logs/*.gz``, ``gs://``,
``file://``), read by the workers with fsspec and the store's package. A worker lost while it
counts or judges: Dask gives its part to another worker; a part lost again and again fails the
audit with `AuditWorkerError` naming the part, never a report without it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import time
import weakref
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._errors import AuditWorkerError, ClusterError, LogReadError, MissingExtraError
from ._audit import (
    Counts,
    Judgement,
    JudgementFields,
    PolicySource,
    counts_of,
    judged_fields,
    report_of,
    spans_days,
    ua_text,
)
from ._count import count_task, read_error
from ._logfields import first_lines, learns_fields, resolve
from ._logformats import LineFormat, line_format
from ._logread import _CORRUPT, STDIN, Source, in_pieces, inspect, line_chunks
from ._processes import cores
from ._report import make_stats
from ._tally import Tally

if TYPE_CHECKING:
    from .._policy import Policy
    from ._report import AuditReport

RANGE_BYTES = 64 << 20
"""Plain files are counted in parts of about this size (fewer, larger tasks cost less to schedule)."""
FAN_IN = 8
"""Tallies merged by one task: the tree is log8(parts) deep."""
JUDGE_SHARES_PER_WORKER = 4
"""The sorted distinct User-Agents are judged in this many runs a worker (a few: a slow worker's
run is taken up by another)."""
CONNECT_SECONDS = 10
"""How long a scheduler's address is tried before the audit says it cannot be reached."""
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")
_INSTALL_DASK = "pip install 'browsercheck[dask]'"


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the logs that one task counts."""

    name: str
    """The path or URL, as given."""
    start: int
    end: int | None
    """A plain file's bytes [start, end); ``None``: the whole file (compressed)."""
    url: bool

    def __str__(self) -> str:
        return self.name if self.end is None else f"{self.name} bytes {self.start}-{self.end}"


def audit_on_dask(
    paths: Sequence[str | os.PathLike[str]],
    dask: Any,
    policy: PolicySource | None = None,
    *,
    compare: PolicySource | None = None,
    log_format: str = "combined",
    ua_field: str | None = None,
    addr_field: str | None = None,
    time_field: str | None = None,
    by_day: bool = False,
) -> AuditReport:
    """Audit ``paths`` on the cluster of ``dask``: a ``distributed.Client``, an address, or ``"local"``.

    A JSON or W3C log's fields are resolved here, before counting, from the first lines of the
    first part (a file or a URL: read here, with fsspec for URLs), as `audit` does on one machine.
    ``by_day``: not counted on a cluster (the logs are read once); the report's notes say so."""
    fmt = line_format(log_format, ua_field=ua_field, addr_field=addr_field, time_field=time_field)
    started = time.perf_counter()
    from .._checker import Checker

    checker = Checker(policy, cache_size=0)  # here: a policy that cannot be used is named before any work,
    other = Checker(compare, cache_size=0) if compare is not None else None  # and no parsers are built here
    names = [os.fspath(p) for p in paths]
    parts = [part for name in names for part in _parts(name)]
    if learns_fields(fmt):
        fmt = resolve(fmt, _first_lines(parts[0]))
    with _client(dask) as client:
        # one graph: counted, then merged and made into counts while the parts' User-Agents are
        # judged in runs, on the workers, each step as soon as the one before is done there;
        # this process only gathers the counts and judgements.
        # The policies go in the judging tasks themselves (a few kB): scattered, they were data
        # named by their content, the same name in each audit, which the last audit's release of
        # it could take from under the next one ("lost dependencies", mid-audit)
        counting, counted = _count_on(client, parts, fmt)
        sharing, judging = _judge_on(client, counting, checker.policy, other.policy if other else None)
        try:
            (counts,) = _gather(client, [counted])
            counted_user_agents = counts.user_agents
            stats = []
            for judged_share in _as_done(client, judging):  # a share's rows are made while others are judged
                stats += [make_stats(ua, *counted_user_agents[ua], *judged) for ua, *judged in judged_share.rows()]
        finally:
            for future in (*counting, counted, *sharing, *judging):
                _LABELS.pop(future.key, None)
    if len(stats) != len(counted_user_agents):  # the shares cover the merged User-Agents once: never
        raise AuditWorkerError(f"judging: {len(counted_user_agents) - len(stats)} User-Agents were not judged")
    return report_of(
        counts,
        stats,
        policy=checker.policy,
        compare_policy=other.policy if other else None,
        sources=names,
        seconds=time.perf_counter() - started,
        notes=[NO_DAYS_ON_DASK] if by_day and spans_days(counts) else [],
    )


NO_DAYS_ON_DASK = "people per day not charted: on Dask the logs are read once (audit without --dask for the chart)"


def _first_lines(part: Part, count: int = 20) -> list[bytes]:
    """Up to ``count`` lines from the start of ``part``'s file or URL (as `first_lines` reads a file)."""
    if not part.url:
        return first_lines([inspect(part.name)], count)
    with contextlib.closing(_url_chunks(Part(part.name, 0, part.end, url=True))) as chunks:
        for chunk in chunks:  # the first chunk: at least one whole line, decompressed
            return bytes(chunk[: 1 << 20]).split(b"\n", count)[:count]
    return []


# -- the cluster ----------------------------------------------------------------------------------------


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingExtraError(f"auditing on Dask needs dask.distributed: {_INSTALL_DASK}") from None
    return distributed


@contextlib.contextmanager
def _client(dask: Any) -> Iterator[Any]:
    """The client of ``dask``; one this made (from an address, or ``"local"``) is closed after."""
    distributed = _distributed()
    if isinstance(dask, distributed.Client):
        yield dask
        return
    if not isinstance(dask, str) or not dask:
        raise ValueError(f"dask must be a distributed.Client, a scheduler address or 'local', got {dask!r:.80}")
    if dask == "local":
        with (
            distributed.LocalCluster(
                n_workers=cores(), threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(dask, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {dask}: {e}") from None
    with client:
        yield client


def _gather(client: Any, futures: list[Any]) -> list[Any]:
    """The futures' results; a part lost with its workers more often than Dask allows, or an
    error, stops the audit naming it."""
    distributed = _distributed()
    try:
        return list(client.gather(futures))
    except distributed.KilledWorker as e:
        raise _lost(e) from None


def _as_done(client: Any, futures: list[Any]) -> Iterator[Any]:
    """The futures' results as each is done, fetched meanwhile (`client.gather` fetches them all at
    the end); errors as `_gather`'s, and a cancelled one named (``with_results`` would hand out its
    cancellation as a result)."""
    distributed = _distributed()
    try:
        # on the client's loop: without it, Dask's default client's, and none where the client given
        # was made with set_as_default=False
        for future in distributed.as_completed(futures, loop=client.loop):
            if future.cancelled():
                raise AuditWorkerError(
                    f"{_part_named(future.key)}: cancelled (the client restarted or lost its scheduler?):"
                    " no report without it"
                )
            yield future.result()
    except distributed.KilledWorker as e:
        raise _lost(e) from None


def _lost(e: Exception) -> AuditWorkerError:
    task = e.args[0] if e.args else "a task"
    return AuditWorkerError(
        f"{_part_named(task)}: lost with each worker that ran it (killed: out of memory?"
        " a machine lost?), more often than Dask's allowed-failures: no report without it"
    )


def _part_named(task: Any) -> str:
    """What the task did (``counting access.log bytes 0-67108864``)."""
    if task in _LABELS:
        return _LABELS[task]
    if "merge_part_tallies" in str(task):
        return f"merging tallies (task {task})"
    return f"judging: merging User-Agents (task {task})" if "merge_user_agents" in str(task) else f"task {task}"


_LABELS: dict[Any, str] = {}
"""Future key -> the part it counts or judges, for messages."""


# -- counting -------------------------------------------------------------------------------------------


def _parts(name: str) -> list[Part]:
    """The parts of one path or URL (a glob: of each file it matches)."""
    if name == STDIN:
        raise ValueError("standard input cannot be audited on Dask: its workers cannot read it")
    if "://" not in name:
        source = inspect(name)
        if source.streamed:
            raise LogReadError(f"{name}: is a pipe or FIFO: Dask's workers cannot read it")
        if source.compressed:
            return [Part(name, 0, None, url=False)]
        return [Part(name, start, end, url=False) for start, end in _ranges(source.size or 0)]
    fs, path = _filesystem(name)
    try:
        found = sorted(fs.glob(path)) if any(c in path for c in "*?[") else [path]
        if not found:
            raise LogReadError(f"{name}: matches no file")
        parts: list[Part] = []
        for match in found:
            url = fs.unstrip_protocol(match) if match != path else name
            if match.endswith(_COMPRESSED_SUFFIXES):
                parts.append(Part(url, 0, None, url=True))
            else:
                parts.extend(Part(url, start, end, url=True) for start, end in _ranges(fs.size(match)))
    except FileNotFoundError:
        raise LogReadError(f"{name}: cannot read: no such file") from None
    except LogReadError:
        raise
    except Exception as e:  # the store's own errors too: botocore's NoCredentialsError is no OSError
        raise LogReadError(f"{name}: cannot read: {type(e).__name__}: {e}") from None
    return parts


def _ranges(size: int) -> list[tuple[int, int]]:
    """Byte ranges of `RANGE_BYTES` (an empty file: one, empty, so that it is still named)."""
    return [(start, min(start + RANGE_BYTES, size)) for start in range(0, size, RANGE_BYTES)] or [(0, 0)]


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's filesystem of ``url`` and the path in it; errors name the URL and what to install."""
    try:
        import fsspec
    except ImportError:
        raise MissingExtraError(f"{url}: reading URLs needs fsspec: {_INSTALL_DASK}") from None
    scheme = url.split("://", 1)[0]
    try:
        return fsspec.core.url_to_fs(url)  # type: ignore[no-any-return]
    except ValueError as e:  # fsspec: "Protocol not known"
        raise LogReadError(f"{url}: unknown URL scheme {scheme!r}: {e}") from None
    except ImportError as e:  # the store's package: s3fs, gcsfs, ...
        extra = f"pip install 'browsercheck[{scheme}]'" if scheme == "s3" else str(e)
        raise MissingExtraError(f"{url}: reading {scheme}:// needs its package: {extra}") from None


def count_part(part: Part, fmt: LineFormat | None) -> Tally:
    """Count one part into a finished tally (on a worker)."""
    tally = Tally(fmt)
    try:
        if not part.url:
            if part.end is None:  # compressed: read whole, its format told by its first bytes
                task: tuple[Any, ...] = ("file", Source(part.name, None, compressed=True))
            else:
                task = ("range", Source(part.name, part.end, compressed=False), part.start, part.end)
            for _ in count_task(task, tally):
                pass
        else:
            for chunk in _url_chunks(part):
                tally.add_chunk(chunk)
    except OSError as e:
        raise LogReadError(read_error(e)) from None
    tally.finish(packed=True)  # its visitors packed: it is sent to the merge, perhaps on another worker
    return tally


def _url_chunks(part: Part) -> Generator[memoryview]:
    import fsspec

    try:
        if part.end is None:
            with fsspec.open(part.name, "rb", compression="infer") as f:
                yield from line_chunks(in_pieces(f.readinto))
        else:
            with fsspec.open(part.name, "rb") as f:
                if part.start:
                    f.seek(part.start - 1)  # the line that ends there, if one does, is the previous part's
                yield from line_chunks(
                    f.readinto, stop=part.end - part.start + (part.start > 0), skip_first=part.start > 0
                )
    except LogReadError:
        raise
    except (*_CORRUPT, Exception) as e:  # the store's own errors too (credentials, throttling)
        raise LogReadError(f"{part}: cannot read: {type(e).__name__}: {e}") from None


def merge_part_tallies(*tallies: Tally) -> Tally:
    """Merge tallies (on a worker) into a new one: a node of the reduction tree. The tallies given
    keep their requests (a tally's merge adds into it): a part's are listed meanwhile
    (`user_agents_of_part`), perhaps by another thread of the same worker."""
    merged = Tally(tallies[0].line_format)
    merged.finish()
    for tally in tallies:
        merged.merge(tally)
    return merged


def counts_of_tally(tally: Tally) -> Counts:
    """The counts of the merged tally (on a worker): smaller to send than the tally (its visitors
    counted, not listed)."""
    return counts_of(_a_tally(tally))


def _a_tally(tally: object) -> Tally:
    """``tally``, if a worker's counting returned one (else `AuditWorkerError`, naming what it returned)."""
    if not isinstance(tally, Tally):
        raise AuditWorkerError(f"counting: a worker returned {type(tally).__name__}, not a tally")
    return tally


def _tree(client: Any, merge: Callable[..., Any], leaves: list[Any]) -> tuple[list[Any], Any]:
    """The futures of a reduction tree over ``leaves`` on the workers, ``merge`` taking `FAN_IN` at
    a time: its inner nodes, and its root (the one leaf, where there is one)."""
    nodes: list[Any] = []
    level = leaves
    while len(level) > 1:
        level = [client.submit(merge, *level[i : i + FAN_IN], pure=False) for i in range(0, len(level), FAN_IN)]
        nodes += level
    return nodes, level[0]


def _count_on(client: Any, parts: list[Part], fmt: LineFormat | None) -> tuple[list[Any], Any]:
    """The futures of the parts' counting, and of their `Counts`: the parts' tallies merged on
    the workers in a tree, `FAN_IN` at a time."""
    futures = client.map(count_part, parts, fmt=fmt, pure=False)
    for future, part in zip(futures, parts, strict=True):
        _LABELS[future.key] = f"counting {part}"
    _, merged = _tree(client, merge_part_tallies, futures)
    counted = client.submit(counts_of_tally, merged, pure=False)
    _LABELS[counted.key] = "counting: the merged tally's counts"
    return futures, counted


# -- judging --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserAgents:
    """The distinct User-Agents (as sent) of a part, or of several merged: each once, in sorted order."""

    user_agents: tuple[str, ...]


def user_agents_of_part(tally: Tally) -> UserAgents:
    """The distinct User-Agents of a counted part (on the worker that counted it)."""
    return UserAgents(tuple(sorted({ua_text(raw) for raw in _a_tally(tally).requests})))


def merge_user_agents(*parts: UserAgents) -> UserAgents:
    """The User-Agents of several parts in one, each once (on a worker): a node of a reduction tree
    like the tallies', so that a judging task is sent one object, not one per part."""
    runs = sorted(itertools.chain.from_iterable(part.user_agents for part in parts))  # merges the sorted runs
    return UserAgents(tuple(dict.fromkeys(runs)))  # a third of the time of sorting their set


@dataclass(frozen=True, slots=True)
class Judged:
    """Judgements of a share of the User-Agents, in one object: Dask looks into lists and dicts
    that a task returns item by item (for 24,000 User-Agents that took twice as long as judging
    them); an object of its own is pickled whole. Held as columns, the User-Agents and each field
    of their `Judgement`: a share of 3,500 pickles in 1.4 ms and unpickles in 0.3, against 4.6 and
    2.4 as a dict of judgements (an object each)."""

    user_agents: tuple[str, ...]
    fields: tuple[tuple[Any, ...], ...]
    """A column per field of `Judgement`, in the User-Agents' order."""

    @classmethod
    def of(cls, judged: Mapping[str, JudgementFields]) -> Judged:
        return cls(tuple(judged), tuple(zip(*judged.values(), strict=True)) or ((),) * len(Judgement._fields))

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """``(user_agent, *judgement)`` for each User-Agent (an iterator: read once)."""
        return zip(self.user_agents, *self.fields, strict=True)


def share(merged: UserAgents, number: int, shares: int) -> tuple[str, ...]:
    """The ``number``-th of ``shares`` runs of the sorted User-Agents, as even as whole ones can be.

    Runs, not a hash's buckets: alike User-Agents (one browser's versions, say) are then judged one
    after another, and the parsers find what they read still in the processor's caches (28,000
    User-Agents judged in 8 buckets by CRC-32 took 13% longer than in sorted order, in one process)."""
    total = len(merged.user_agents)
    return merged.user_agents[total * number // shares : total * (number + 1) // shares]


def judge_share(number: int, shares: int, policy: Policy, compare: Policy | None, merged: UserAgents) -> Judged:
    """Judge the User-Agents of the ``number``-th of ``shares`` (on a worker)."""
    compared = _one_of(compare) if compare is not None else None
    return Judged.of(judged_fields(share(merged, number, shares), _one_of(policy), compared))


_POLICIES: weakref.WeakValueDictionary[bytes, Policy] = weakref.WeakValueDictionary()


def _one_of(policy: Policy) -> Policy:
    """The policy this worker already holds that pickles as ``policy`` does, or ``policy``: each task
    unpickles a copy of its own, and judging keeps what it decided per policy object (`_judge`),
    which the worker's later tasks then find (judging 28,000 User-Agents in eight tasks on two
    workers took about 28 us each without, by a task timeline: every task started cold)."""
    return _POLICIES.setdefault(pickle.dumps(policy), policy)


def _judge_on(client: Any, counting: list[Any], policy: Policy, compare: Policy | None) -> tuple[list[Any], list[Any]]:
    """Futures of the gathering of the parts' distinct User-Agents (merged in a tree, `FAN_IN` at a
    time), and of the judgement of each share of them, over the workers: started as soon as the
    parts are counted, not after their tallies are merged, and with no round trip through this
    process."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    shares = workers * JUDGE_SHARES_PER_WORKER
    level = [client.submit(user_agents_of_part, part, pure=False) for part in counting]
    for future, counted_part in zip(level, counting, strict=True):
        _LABELS[future.key] = f"judging: the User-Agents of {_LABELS.get(counted_part.key, 'a part')}"
    nodes, merged = _tree(client, merge_user_agents, level)
    judging = [
        client.submit(judge_share, number, shares, policy, compare, merged, pure=False) for number in range(shares)
    ]
    for number, future in enumerate(judging, 1):
        _LABELS[future.key] = f"judging User-Agents, share {number} of {shares}"
    return level + nodes, judging
