"""The pieces a notice's paragraphs are made of: links to browsers, and messages with their values.

A module of their own so that building (``_build``) and rendering (``_html``) both use them
without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
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
