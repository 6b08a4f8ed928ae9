"""ua-parser's native (ua-parser-rs) resolver, for the two domains browsercheck reads.

``ua_parser.regex.Resolver`` compiles the device rules too, the largest set (a third of the start-up
time), which browsercheck never asks for: the device class comes from the User-Agent's own tokens.
This resolver compiles the browser and OS rules only and answers like ua-parser's.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Protocol

import ua_parser_rs
from ua_parser import OS, Domain, Matchers, PartialResult, UserAgent

_FIELDS = attrgetter("regex", "family", "major", "minor", "patch", "patch_minor")


class Part(Protocol):
    """A browser or an OS as ua-parser names it (its ``UserAgent``, its ``OS``, or the native engine's)."""

    @property
    def family(self) -> str: ...
    @property
    def major(self) -> str | None: ...
    @property
    def minor(self) -> str | None: ...
    @property
    def patch(self) -> str | None: ...
    @property
    def patch_minor(self) -> str | None: ...


class NativeResolver:
    """``resolver(ua, domains) -> PartialResult`` for ``Domain.USER_AGENT`` and ``Domain.OS``."""

    def __init__(self, matchers: Matchers) -> None:
        user_agent_rules, os_rules, _ = matchers
        self._user_agent = ua_parser_rs.UserAgentExtractor(map(_FIELDS, user_agent_rules))
        self._os = ua_parser_rs.OSExtractor(map(_FIELDS, os_rules))

    def browser_and_os(self, ua: str, /) -> tuple[Part | None, Part | None]:
        """The browser and the OS as ua-parser reads them, as the native engine returns them
        (what `Detector` reads, without building ua-parser's result objects around them)."""
        return self._user_agent.extract(ua), self._os.extract(ua)

    def __call__(self, ua: str, domains: Domain, /) -> PartialResult:
        if Domain.DEVICE in domains:
            raise ValueError("this resolver does not read devices: use ua_parser.regex.Resolver")
        user_agent = os = None
        if Domain.USER_AGENT in domains and (m := self._user_agent.extract(ua)):
            user_agent = UserAgent(m.family, m.major, m.minor, m.patch, m.patch_minor)
        if Domain.OS in domains and (o := self._os.extract(ua)):
            os = OS(o.family, o.major, o.minor, o.patch, o.patch_minor)
        return PartialResult(domains=domains, string=ua, user_agent=user_agent, os=os, device=None)
