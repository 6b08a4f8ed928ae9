"""Counting a whole audit's logs into one `Tally`: in this process, or shared with forked workers.

Tasks: plain files in byte ranges that the counting process reads itself, compressed files whole
(so rotated ``.gz`` logs are decompressed in parallel), streams (standard input, pipes, FIFOs: they
can be read only once, from start to end) in chunks that this process reads and hands out (a few
queued at a time: memory stays bounded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ._logformats import LineFormat
from ._logread import LogReadError, Source, chunks, ranges, read_range
from ._processes import failure, fork_context, os_threads, receive, start, stop, wait_for_threads
from ._tally import Tally

ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes read, total bytes or None) as the audit reads."""


class Alongside(Protocol):
    """Work this process does while its workers count, before counting along with them: the audit
    judges the User-Agents counted so far (`_audit._Judge`), so that when the counting ends little
    judging is left, and the cores are busy throughout."""

    def offer(self, user_agents: list[bytes]) -> None:
        """User-Agents (as logged) that a counting process saw for the first time."""

    def step(self) -> bool:
        """Do a little of the work (a millisecond or two); ``False`` if none is waiting."""

    def counted(self) -> None:
        """Every line is counted and every User-Agent offered; the workers' tallies may still be on
        their way. No thread the counting started runs then, in Python or (up to 50 ms waited
        for it) in the OS: this process may fork."""


Task = tuple[Any, ...]
"""("range", source, start, end), ("file", source), ("stream", source), or ("bytes", chunk): a chunk
of a stream that another process read."""


def count(
    sources: list[Source],
    fmt: LineFormat | None,
    workers: int,
    progress: ProgressCallback | None,
    meanwhile: Callable[[], None],
    alongside: Alongside | None = None,
) -> Tally:
    """Count ``sources``. ``meanwhile`` (loading what judging needs) runs before any line is read
    here: first when counting in this process, while the workers count when there are workers.
    With workers, ``alongside`` is offered the User-Agents as they are first counted, and this
    process does its work before it takes a part of the logs to count."""
    total = sum(s.size or 0 for s in sources) if all(s.size is not None for s in sources) else None
    if workers > 1:
        return _count_in_workers(sources, fmt, workers, progress, total, meanwhile, alongside)
    meanwhile()
    tally = Tally(fmt)
    done = 0
    try:
        for task in _tasks(sources, 16) + [("stream", source) for source in sources if source.streamed]:
            for n in count_task(task, tally):
                done += n
                if progress:
                    progress(done, total)
    except OSError as e:
        raise LogReadError(read_error(e)) from None
    tally.finish()
    return tally


def _count_in_workers(
    sources: list[Source],
    fmt: LineFormat | None,
    workers: int,
    progress: ProgressCallback | None,
    total: int | None,
    meanwhile: Callable[[], None],
    alongside: Alongside | None,
) -> Tally:
    """Count in ``workers - 1`` forked processes while this one does ``meanwhile`` (builds the
    parsers), then count along with them, taking a part whenever ``alongside`` has nothing to do:
    the share each counts adjusts itself to the log."""
    ctx = fork_context()
    helpers = workers - 1
    threads = os_threads()  # before the tasks queue starts its own
    tasks_ahead = _tasks(sources, workers * 8)
    streams = [source for source in sources if source.streamed]
    tasks: Any = ctx.Queue(maxsize=len(tasks_ahead) + workers + 3 * helpers)
    results: Any = ctx.Queue()
    processes: list[Any] = []
    counted = 0
    # Workers still counting. Once none is, every task was taken (the tasks come before the ends
    # the workers took), and this process, which counts a task whole between messages, has none
    # begun: the counting has ended, though this process may not have taken its own end yet.
    counting = helpers
    taking = True  # this process may take tasks: the tasks queue's feeder thread may run
    tally = Tally(fmt)
    theirs: list[Tally] = []

    def tell_if_counted() -> None:
        # `alongside` may fork this process when told (judging): not while another thread runs.
        # Called as the last worker says it counted and once this process takes no more tasks:
        # both hold at the later of the two, once.
        if counting == 0 and not taking and alongside is not None:
            alongside.counted()

    def handle(kind: str, value: Any) -> None:
        nonlocal counted, counting
        if kind == "progress":
            counted += value
            if progress:
                progress(counted, total)
        elif kind == "seen":
            assert alongside is not None  # workers say what they see only when asked to
            alongside.offer(value)
        elif kind == "counted":
            counting -= 1
            tell_if_counted()
        elif kind == "error":
            raise LogReadError(value)
        else:
            theirs.append(value.unpack())

    def received() -> None:
        while not results.empty():  # the workers' progress and findings, as they come
            handle(*receive(results, processes))

    def work_alongside() -> bool:
        # only while workers count: what waits when they are done is the caller's (in forks, if much)
        return alongside is not None and len(theirs) < helpers and alongside.step()

    try:
        announce = alongside is not None
        processes += start(_worker, (tasks, results, fmt, announce), helpers)  # in the try: an interrupt stops them
        for task in tasks_ahead:
            tasks.put(task)
        meanwhile()
        try:
            for source in streams:
                for chunk in chunks(source):
                    tasks.put(("bytes", bytes(chunk)))  # a copy: the queue pickles it later
                    handle("progress", len(chunk))  # a stream's progress: what this process read
        except OSError as e:
            raise LogReadError(read_error(e)) from None
        for _ in range(workers):
            tasks.put(None)  # one for each worker, and one for this process
        while True:
            received()
            if counting == 0:
                break  # every task was taken: what the queue holds is this process's end
            if work_alongside():
                continue  # a part of the logs is taken only when nothing else waits
            if (task := tasks.get()) is None:
                break
            try:
                for done in count_task(task, tally):
                    if done:
                        handle("progress", done)
                    if alongside is not None:
                        alongside.offer(tally.new_user_agents())
            except OSError as e:  # reading; not judging, which `alongside` does outside this
                raise LogReadError(read_error(e)) from None
        tasks.close()
        tasks.join_thread()  # its feeder thread has sent all and ended: judging may fork this process
        wait_for_threads(threads)  # ended in the OS too (Python 3.12+ returns from the join first)
        taking = False
        tell_if_counted()
        while len(theirs) < helpers:
            if work_alongside():
                received()
            else:
                handle(*receive(results, processes))
        # counted in C, its visitors stay packed (sampled or not): the workers' merge into them in one
        # pass a User-Agent (a Python-counted tally's are sets)
        tally.finish(packed=True)
        for other in theirs:
            tally.merge(other)
        return tally
    except BaseException:
        tasks.cancel_join_thread()  # the workers stopped early: what they left unread is dropped
        raise
    finally:
        stop(processes)


def _tasks(sources: list[Source], ranges_per_file: int) -> list[Task]:
    """The tasks of the files (streams are read by this process)."""
    tasks: list[Task] = []
    for source in sources:
        if source.compressed:
            tasks.append(("file", source))
        elif not source.streamed:
            tasks.extend(("range", source, start, end) for start, end in ranges(source, ranges_per_file))
    return tasks


def count_task(task: Task, tally: Tally) -> Iterator[int]:
    """Count one task into ``tally``, yielding the bytes read from disk as it goes (a chunk of a
    stream, which the main process reads and shares out, yields 0 once counted)."""
    kind, source, *rest = task
    if kind == "range":
        start, end = rest
        for chunk in read_range(source, start, end):
            tally.add_chunk(chunk)
        yield end - start
    elif kind == "file":
        position = [0]
        reported = 0
        for chunk in chunks(source, position):
            tally.add_chunk(chunk)
            yield position[0] - reported
            reported = position[0]
    elif kind == "stream":  # read here, counted here
        for chunk in chunks(source):
            tally.add_chunk(chunk)
            yield len(chunk)
    else:
        tally.add_chunk(source)  # a chunk of a stream, its progress counted as it was read
        yield 0  # counted: its new User-Agents can be told


def read_error(e: OSError) -> str:
    if isinstance(e, LogReadError):
        return str(e)  # names the log already
    return f"{e.filename or 'log'}: cannot read: {e.strerror or e}"


def _worker(tasks: Any, results: Any, fmt: LineFormat | None, announce: bool) -> None:
    """Count tasks until told to stop; ``announce``: say which User-Agents were first counted, as
    each piece of a task is (a compressed file's chunk by chunk, not only once it is all read)."""
    tally = Tally(fmt)
    try:
        for task in iter(tasks.get, None):
            for done in count_task(task, tally):
                if done:
                    results.put(("progress", done))
                if announce and (new := tally.new_user_agents()):
                    results.put(("seen", new))
        results.put(("counted", None))  # before the tally is packed and sent
        packed = tally.pack()
        del tally  # its User-Agents, packed, and before pickled again: memory stays lower
    except OSError as e:
        results.put(("error", read_error(e)))
    except Exception as e:  # a bug: reported, so that the audit stops instead of waiting for this worker
        results.put(("failed", failure(e)))
    else:
        results.put(("tally", packed))
