"""Product tokens a browser writes of itself ("YaBrowser/24.1.8.90.00"), found in a User-Agent.

The registry names some forty tokens; one Python alternation over them costs more than parsing the
rest of the User-Agent, since ``re`` tries each at every position. ua-parser's native engine matches
them all at once; Python then reads the version where the token stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ua_parser_rs

_VERSION = re.compile(r"\d+(?:\.\d+)*")
_BOUNDARY = re.compile(r"[\w.-]")  # what may not stand before a token: "xOPR/1" is no Opera


class ProductTokens:
    """``tokens.find(ua)`` is ``(name, version)`` of the first of ``names`` that ``ua`` carries
    as ``Name/1.2`` (case as written, not inside a longer name), or ``None``."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = tuple(names)
        self._native: ua_parser_rs.UserAgentExtractor | None = None  # built where first needed
        self._any: re.Pattern[str] | None = None

    def rules(self) -> list[tuple[str, str, None, None, None, None]]:
        """ua-parser-rs rules that name the token found: to run with others in one extractor."""
        return [(rf"(?:^|[^\w.-]){re.escape(name)}/\d", name, None, None, None, None) for name in self._names]

    def find(self, ua: str) -> tuple[str, str] | None:
        if self._native is None:
            self._native = ua_parser_rs.UserAgentExtractor(self.rules())
        found = self._native.extract(ua)
        return None if found is None else self.at(ua, str(found.family))

    def at(self, ua: str, name: str) -> tuple[str, str] | None:
        """``(name, version)`` where the native engine found ``name``."""
        start = ua.find(name + "/")
        while start > 0 and _BOUNDARY.match(ua, start - 1):
            start = ua.find(name + "/", start + 1)
        version = _VERSION.match(ua, start + len(name) + 1)
        return (name, version.group()) if version else None

    def remove(self, ua: str) -> str:
        """``ua`` without the tokens (and their versions)."""
        if self._any is None:
            names = "|".join(sorted(map(re.escape, self._names), key=len, reverse=True))
            self._any = re.compile(rf"(?<![\w.-])(?:{names})/[\d.]+")
        return self._any.sub("", ua)
