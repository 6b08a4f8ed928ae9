"""`Lazy`: a value built on first use, once, even when threads ask for it at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:  # the second thread waits, then finds the value the first one built
                value = self._value
                if value is None:
                    value = self._value = self._build()
        return value

    def is_built(self) -> bool:
        return self._value is not None

    def reset(self) -> None:
        """Forget the value: the next `get` builds it again (new data, changed settings)."""
        with self._lock:
            self._value = None
