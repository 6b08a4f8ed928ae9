"""YAML composed with the safe loader, within limits: a policy is a page of text.

The limits are far above any real policy and refuse a hostile one before it costs seconds and
gigabytes (PyYAML composes 5M keys in minutes; 100k nested brackets end in RecursionError).
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_NODES = 10_000
MAX_DEPTH = 50


class LimitError(yaml.MarkedYAMLError):
    """A limit was passed; ``problem_mark`` is where."""


class LimitedLoader(yaml.SafeLoader):
    """The safe loader, counting the nodes it composes and how deep: past a limit it stops."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.nodes = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.nodes += 1
        self.depth += 1
        try:
            if self.nodes > MAX_NODES:
                raise LimitError(problem=f"more than {MAX_NODES:,} values", problem_mark=self._mark())
            if self.depth > MAX_DEPTH:
                raise LimitError(problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=self._mark())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _mark(self) -> Any:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call]
