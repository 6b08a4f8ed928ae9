"""Work shared out over forked processes: every batch done once, failures reported, not waited for."""

from __future__ import annotations

import os
import threading
import time

import pytest

from browsercheck import AuditWorkerError
from browsercheck.audit._processes import forked_batches, os_threads, wait_for_threads

PARENT = os.getpid()


_started: set[int] = set()  # the processes that have taken a batch


def slow_start(batch: int) -> tuple[int, int]:
    """``batch`` and which process did it. Each process takes its time over its first batch, so
    that another takes the next ones meanwhile."""
    if os.getpid() not in _started:
        _started.add(os.getpid())
        time.sleep(0.2)
    return batch, os.getpid()


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_every_batch_is_done_once_shared_out_and_returned_in_order(processes: int) -> None:
    _started.clear()
    done = forked_batches(slow_start, range(20), processes)
    assert [batch for batch, _ in done] == list(range(20))
    by = {process for _, process in done}
    if processes == 1:
        assert by == {PARENT}
    else:
        assert len(by) > 1  # another took batches while the first one slept


def failing_in_a_fork(batch: int) -> int:
    if os.getpid() == PARENT:
        time.sleep(0.5)  # the fork takes the other batch meanwhile
        return batch
    raise ValueError(f"batch {batch} went wrong")


def test_a_fork_that_fails_stops_the_work_with_its_message() -> None:
    with pytest.raises(AuditWorkerError, match=r"an audit worker failed: ValueError: batch \d went wrong"):
        forked_batches(failing_in_a_fork, range(2), 2)


def dying_in_a_fork(batch: int) -> int:
    if os.getpid() == PARENT:
        time.sleep(0.5)
        return batch
    os._exit(3)


def test_a_fork_that_dies_stops_the_work() -> None:
    with pytest.raises(AuditWorkerError, match=r"an audit worker process stopped \(exit code 3\)"):
        forked_batches(dying_in_a_fork, range(2), 2)


def test_waiting_for_threads_waits_for_one_ending_and_not_for_one_running() -> None:
    """A thread joined in Python may still be ending in the OS (3.12+): a fork waits for it to end,
    not for a thread that goes on (the host application's), beyond its bound."""
    before = os_threads()
    if before is None:
        pytest.skip("this OS does not tell its threads (/proc)")
    ending = threading.Thread(target=time.sleep, args=(0.01,))
    ending.start()
    wait_for_threads(before, seconds=5)
    assert not ending.is_alive() and os_threads() == before
    going_on = threading.Event()
    running = threading.Thread(target=going_on.wait)
    running.start()
    try:
        wait_for_threads(before, seconds=0.01)  # returns at its bound
        assert running.is_alive() and os_threads() == before + 1
    finally:
        going_on.set()
        running.join()
