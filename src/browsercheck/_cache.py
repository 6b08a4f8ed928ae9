"""A bounded cache for verdicts: lock-free reads, so a repeated User-Agent costs one dict lookup."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Holds at most ``maxsize`` entries and drops the oldest inserted first.

    First-in-first-out rather than least-recently-used: a hit then changes nothing, so reads need no
    lock, and a flood of distinct junk keys only cycles through the cache instead of growing it.
    """

    def __init__(self, maxsize: int) -> None:
        if not isinstance(maxsize, int) or maxsize < 0:
            raise ValueError(f"cache size must be a whole number >= 0, got {maxsize!r}")
        self.maxsize = maxsize
        self._data: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        return self._data.get(key)

    def put(self, key: K, value: V) -> None:
        if self.maxsize == 0:
            return
        with self._lock:  # eviction iterates the dict: no other writer may change it meanwhile
            if key not in self._data and len(self._data) >= self.maxsize:
                del self._data[next(iter(self._data))]
            self._data[key] = value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
