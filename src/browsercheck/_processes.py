"""Forked worker processes that cannot leave their parent waiting: a worker that fails says so, one
that dies is noticed. The audit's counting and judging both run on these."""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

POLL_SECONDS = 1.0
"""How often a process waiting for workers checks that they are alive."""


def fork_context() -> Any:
    return multiprocessing.get_context("fork")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def failure(e: BaseException) -> str:
    """The message a worker sends for an unexpected exception (a bug)."""
    return f"an audit worker failed: {type(e).__name__}: {e}"


def receive(results: Any, processes: Sequence[Any]) -> tuple[str, Any]:
    """The next ``(kind, value)`` from ``results``; raises `RuntimeError` if a worker reports a
    failure (``"failed"``) or stops without a word."""
    while True:
        try:
            kind, value = results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            check_alive(processes)
            continue
        if kind == "failed":
            raise RuntimeError(value)
        return kind, value


def check_alive(processes: Sequence[Any]) -> None:
    """A worker that died (killed, out of memory) sends nothing more: say so rather than wait."""
    for p in processes:
        if p.exitcode not in (None, 0):
            raise RuntimeError(f"an audit worker process stopped (exit code {p.exitcode}); the audit is incomplete")


def stop(processes: Sequence[Any]) -> None:
    for p in processes:
        if p.is_alive():
            p.terminate()
        p.join()


def forked_map(function: Callable[[T], R], shares: Sequence[T]) -> list[R]:
    """``[function(share) for share in shares]``, the first in this process and each other in a
    fork of it (which has all this process has built: parsers, policies)."""
    ctx = fork_context()
    results: Any = ctx.Queue()
    processes = [
        ctx.Process(target=_run, args=(function, share, index, results), daemon=True)
        for index, share in enumerate(shares[1:], start=1)
    ]
    for p in processes:
        p.start()
    try:
        out: list[Any] = [function(shares[0])] + [None] * len(processes)
        for _ in processes:
            _, (index, value) = receive(results, processes)
            out[index] = value
        return out
    finally:
        stop(processes)


def _run(function: Callable[[T], R], share: T, index: int, results: Any) -> None:
    try:
        results.put(("done", (index, function(share))))
    except Exception as e:  # a bug: reported, so that the parent stops instead of waiting
        results.put(("failed", failure(e)))
