"""The pieces a notice's paragraphs are made of: links to browsers, and messages with their values.

A module of their own so that building (``_build``) and rendering (``_html``) both use them
without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    """A recommended browser's download page."""

    key: str
    name: str
    url: str


Value = str | tuple[Link, ...] | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A message with its placeholders filled: ``browsers`` is a list of links or of names."""

    template: str
    values: Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class ListWords:
    """How a language joins a list of names: ``"{items} or {last}"`` and the separator ``", "``."""

    conjunction: str
    separator: str

    def join(self, items: Iterable[str]) -> str:
        """``"A, B or C"``; a single item alone."""
        items = list(items)
        if len(items) < 2:
            return "".join(items)
        return self.conjunction.format(items=self.separator.join(items[:-1]), last=items[-1])
