"""Forked worker processes that cannot leave their parent waiting, nor outlive it: a worker that
fails says so, one that dies is noticed, and all die with their parent, however it ends (SIGTERM
from ``timeout``, systemd or a container stop; SIGKILL). Ctrl-C is the parent's to handle: it
stops its workers. The audit's counting and judging both run on these."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from .._errors import AuditWorkerError

T = TypeVar("T")
R = TypeVar("R")

POLL_SECONDS = 1.0
"""How often a process waiting for workers checks that they are alive."""


def fork_context() -> Any:
    return multiprocessing.get_context("fork")


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def start(target: Callable[..., None], args: tuple[Any, ...], count: int) -> list[Any]:
    """``count`` forked processes running ``target(*args)``, each bound to die with this one."""
    ctx = fork_context()
    parent = os.getpid()
    processes = [ctx.Process(target=_child, args=(parent, target, *args), daemon=True) for _ in range(count)]
    # Ctrl-C reaches the whole process group. Held back while forking: a child must not die of it
    # before it ignores it, and this process gets it, pending, as soon as the forks are done.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for p in processes:
            p.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return processes


def _child(parent: int, target: Callable[..., None], *args: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us (it was blocked since the fork)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    die_with(parent)
    target(*args)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with(parent: int) -> None:
    """End this process when ``parent`` ends: at once on Linux (the kernel sends SIGKILL), else
    within `POLL_SECONDS` (a thread watches for the parent's pid to change)."""
    if not _parent_death_signal():
        threading.Thread(target=_watch, args=(parent,), name="browsercheck-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # it ended before we asked
        os._exit(1)


def _parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def os_threads() -> int | None:
    """The threads this process runs, as the OS counts them (Linux's /proc), or ``None``."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def wait_for_threads(at_most: int | None, seconds: float = 0.05) -> None:
    """Wait, at most ``seconds``, until this process runs no more than ``at_most`` OS threads.

    A thread joined in Python may still be ending in the OS (from Python 3.12 on, ``join()``
    returns first): a fork then copies a process that runs another thread, which 3.12 warns of
    (a lock that thread held stays held in the fork)."""
    if at_most is None:
        return
    deadline = time.monotonic() + seconds
    while (running := os_threads()) is not None and running > at_most and time.monotonic() < deadline:
        time.sleep(0.0005)


def failure(e: BaseException) -> str:
    """The message a worker sends for an unexpected exception (a bug)."""
    return f"an audit worker failed: {type(e).__name__}: {e}"


def receive(results: Any, processes: Sequence[Any]) -> tuple[str, Any]:
    """The next ``(kind, value)`` from ``results``; raises `AuditWorkerError` if a worker reports a
    failure (``"failed"``) or stops without a word."""
    while True:
        try:
            kind, value = results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            check_alive(processes)
            continue
        if kind == "failed":
            raise AuditWorkerError(value)
        return kind, value


def check_alive(processes: Sequence[Any]) -> None:
    """A worker that died (killed, out of memory) sends nothing more: say so rather than wait."""
    for p in processes:
        if p.exitcode not in (None, 0):
            raise AuditWorkerError(f"an audit worker process stopped (exit code {p.exitcode}); the audit is incomplete")


def stop(processes: Sequence[Any]) -> None:
    for p in processes:
        if p.is_alive():
            p.terminate()
        p.join()


def forked_batches(function: Callable[[T], R], batches: Sequence[T], processes: int) -> list[R]:
    """The results of ``function`` on every batch, in the batches' order. This process and
    ``processes - 1`` forks of it (which have all it has built: parsers, policies) each take the
    next batch no one has taken, until none is left: a core that runs faster, or is less busy,
    does more. A fork's results come back pickled: plain values travel fastest."""
    with ForkedBatches(function, batches, processes) as work:
        return work.results()


class ForkedBatches(Generic[T, R]):
    """`forked_batches` begun: the forks take batches from the start, this process joins them in
    `results` (after other work of its own, meanwhile). Used as a context manager, which stops the
    forks however it is left."""

    def __init__(self, function: Callable[[T], R], batches: Sequence[T], processes: int) -> None:
        self._function = function
        self.batches = batches
        """The batches, in the order of `results`."""
        ctx = fork_context()
        self._taken = ctx.Value("q", 0)  # batches handed out so far
        self._results: Any = ctx.Queue()
        self._forks: list[Any] = []
        self._done: dict[int, R] = {}  # what this process did, by batch
        try:
            self._forks += start(_run, (function, batches, self._taken, self._results), processes - 1)
        except BaseException:
            stop(self._forks)
            raise

    def take_one(self) -> bool:
        """Do here the next batch no one has taken (between other work); ``False`` if none is left."""
        return _take_batches(self._function, self.batches, self._taken, self._done, 1)

    def results(self) -> list[R]:
        """Take batches with the forks until none is left; each batch's result, in order."""
        _take_batches(self._function, self.batches, self._taken, self._done)
        for _ in self._forks:
            _, theirs = receive(self._results, self._forks)
            self._done.update(theirs)
        return [self._done[index] for index in range(len(self.batches))]

    def stop(self) -> None:
        """Stop the forks (done or not)."""
        stop(self._forks)

    def __enter__(self) -> ForkedBatches[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _take_batches(
    function: Callable[[T], R], batches: Sequence[T], taken: Any, done: dict[int, R], most: int | None = None
) -> bool:
    """Do the batches no other process has taken, up to ``most``, into ``done`` by their index;
    ``False`` if none was left."""
    did = 0
    while most is None or did < most:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
        if index >= len(batches):
            return did > 0
        done[index] = function(batches[index])
        did += 1
    return True


def _run(function: Callable[[T], R], batches: Sequence[T], taken: Any, results: Any) -> None:
    try:
        done: dict[int, R] = {}
        _take_batches(function, batches, taken, done)
        results.put(("done", done))
    except Exception as e:  # a bug: reported, so that the parent stops instead of waiting
        results.put(("failed", failure(e)))
