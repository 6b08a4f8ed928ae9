"""Bot detection: crawlerdetect's maintained patterns, run fast.

crawlerdetect (MIT) keeps about 1,500 bot patterns and a list of browser tokens it strips from the
User-Agent before matching them. Run as it ships (one Python alternation) it manages a few thousand
User-Agents a second. Here the same patterns run in ua-parser's native regex engine, which matches
them all at once, and the slow part, stripping the tokens with Python's ``re``, runs only when the
raw User-Agent already matches a pattern with its anchors removed: stripping only removes text, so a
User-Agent that matches no unanchored pattern cannot match after stripping. Browsers take the fast
path; the answer is crawlerdetect's (a test compares them on every User-Agent in the test data).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Protocol

# The native engine (Rust's regex crate) has no lookarounds; such patterns run in Python's re.
_LOOKAROUND = re.compile(r"\(\?<?[=!]")


class _Extractor(Protocol):
    def extract(self, s: str, /) -> object | None: ...


class _PatternSet:
    """Patterns matched together; the native engine where it can compile them, ``re`` where not."""

    def __init__(self, patterns: Sequence[str]) -> None:
        import ua_parser_rs

        native = [p for p in patterns if not _LOOKAROUND.search(p)]
        python = [p for p in patterns if _LOOKAROUND.search(p)]
        try:
            extractor = ua_parser_rs.UserAgentExtractor(map(_native_entry, native))
        except ValueError:  # other syntax the native engine lacks: find which, one by one
            accepted = []
            for pattern in native:
                try:
                    ua_parser_rs.UserAgentExtractor([_native_entry(pattern)])
                except ValueError:
                    python.append(pattern)
                else:
                    accepted.append(pattern)
            extractor = ua_parser_rs.UserAgentExtractor(map(_native_entry, accepted))
        self._native: _Extractor = extractor
        self._python = [re.compile(f"({p})", re.IGNORECASE) for p in python]

    def search(self, text: str) -> str | None:
        """The text matched by the first pattern that matches, or ``None``."""
        found = self._native.extract(text)
        if found is not None:
            return str(getattr(found, "family", "")) or None
        for pattern in self._python:
            if m := pattern.search(text):
                return m.group(1)
        return None


def _native_entry(pattern: str) -> tuple[str, None, None, None, None, None]:
    # group 1 around the whole pattern: the extractor reports group 1 as the "family"
    return (f"(?i)({pattern})", None, None, None, None, None)


def _unanchored(pattern: str) -> str:
    """The pattern without a leading ``^`` or trailing ``$``: it then matches a superset."""
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


_SEPARATORS = frozenset(" ;,()[]+")


def _product_name(ua: str, matched: str) -> str:
    """The product token around the matched text, without its version: "facebookexternalhit"."""
    start = ua.lower().find(matched.lower())
    if start < 0:  # the match spans text that stripping joined: report it as matched
        return matched.strip() or ua
    end = start + len(matched)
    while start > 0 and ua[start - 1] not in _SEPARATORS:
        start -= 1
    while end < len(ua) and ua[end] not in _SEPARATORS:
        end += 1
    return ua[start:end].split("/", 1)[0] or matched


class BotDetector:
    """``detector(ua)`` is the text that marks ``ua`` as a bot, or ``None`` for a browser."""

    def __init__(self, patterns: Sequence[str], exclusions: Sequence[str]) -> None:
        self._patterns = tuple(patterns)
        self._gate = _PatternSet([_unanchored(p) for p in self._patterns])
        self._exclusions = re.compile("|".join(exclusions), re.IGNORECASE)
        self._exact: _PatternSet | None = None  # built on the first User-Agent past the gate
        self._lock = threading.Lock()

    @classmethod
    def from_crawlerdetect(cls) -> BotDetector:
        from crawlerdetect.providers import crawlers, exclusions

        return cls(crawlers.data, exclusions.data)

    def __call__(self, ua: str) -> str | None:
        ua = ua.strip()
        if not ua or self._gate.search(ua) is None:
            return None
        stripped = self._exclusions.sub("", ua)
        if not stripped:
            return None
        matched = self._exact_patterns().search(stripped)
        return _product_name(ua, matched) if matched is not None else None

    def _exact_patterns(self) -> _PatternSet:
        if self._exact is None:
            with self._lock:
                if self._exact is None:
                    self._exact = _PatternSet(self._patterns)
        return self._exact
