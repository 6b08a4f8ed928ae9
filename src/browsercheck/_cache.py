"""A bounded cache for verdicts: lock-free reads, so a repeated User-Agent costs one dict lookup."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Holds at most ``maxsize`` entries, and at most ``maxbytes`` by ``cost``; drops the oldest
    inserted first.

    First-in-first-out rather than least-recently-used: a hit then changes nothing, so reads need no
    lock, and a flood of distinct junk keys only cycles through the cache instead of growing it.
    A count alone does not bound memory: a client chooses how long its User-Agent and hints are, so
    ``cost(key, value)`` says what an entry holds, in bytes, and `bytes` is their sum. An entry that
    costs more than the whole budget is not kept.
    """

    def __init__(self, maxsize: int, maxbytes: int | None = None, cost: Callable[[K, V], int] | None = None) -> None:
        if not isinstance(maxsize, int) or maxsize < 0:
            raise ValueError(f"cache size must be a whole number >= 0, got {maxsize!r}")
        if maxbytes is not None and (not isinstance(maxbytes, int) or maxbytes < 0):
            raise ValueError(f"cache bytes must be a whole number >= 0, got {maxbytes!r}")
        if maxbytes is not None and cost is None:
            raise ValueError("a cache bounded by bytes needs a cost function")
        self.maxsize = maxsize
        self.maxbytes = maxbytes
        self._cost = cost
        self.bytes = 0
        """What the entries held cost, by ``cost``: never more than ``maxbytes``."""
        self._data: dict[K, tuple[V, int]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        entry = self._data.get(key)
        return None if entry is None else entry[0]

    def put(self, key: K, value: V) -> None:
        if self.maxsize == 0:
            return
        cost = self._cost(key, value) if self._cost is not None and self.maxbytes is not None else 0
        if self.maxbytes is not None and cost > self.maxbytes:
            return
        with self._lock:  # eviction iterates the dict: no other writer may change it meanwhile
            old = self._data.get(key)
            if old is None:
                if len(self._data) >= self.maxsize:
                    self._drop_oldest()
            else:  # an update keeps its place
                self.bytes -= old[1]
            self._data[key] = (value, cost)
            self.bytes += cost
            while self.maxbytes is not None and self.bytes > self.maxbytes:
                self._drop_oldest()

    def _drop_oldest(self) -> None:
        self.bytes -= self._data.pop(next(iter(self._data)))[1]

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0
