"""ua-parser's native (ua-parser-rs) resolver, for the two domains browsercheck reads.

``ua_parser.regex.Resolver`` compiles the device rules too, the largest set (a third of the start-up
time), which browsercheck never asks for: the device class comes from the User-Agent's own tokens.
This resolver compiles the browser and OS rules only and answers like ua-parser's.

The rules come from ua-parser-builtins, whose only way in imports all of ua-parser (12-14 ms and
5 MB in a fresh process, for a list of strings): `builtin_rules` keeps them once per machine and
version of ua-parser-builtins in the user's cache directory, and reads them from there.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
from operator import attrgetter
from typing import TYPE_CHECKING, Protocol

import ua_parser_rs

from ._machine_cache import keep, kept

if TYPE_CHECKING:
    from ua_parser import Domain, Matchers, PartialResult

_FIELDS = attrgetter("regex", "family", "major", "minor", "patch", "patch_minor")
Rule = tuple[str, str | None, str | None, str | None, str | None, str | None]
"""A rule as the native engine takes it: the regex and its five replacements."""


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

    def __init__(self, matchers: Matchers | tuple[list[Rule], list[Rule]]) -> None:
        user_agent_rules, os_rules, *_ = matchers
        self._user_agent = ua_parser_rs.UserAgentExtractor(_as_rules(user_agent_rules))
        self._os = ua_parser_rs.OSExtractor(_as_rules(os_rules))

    @classmethod
    def builtin(cls) -> NativeResolver:
        """On ua-parser-builtins' rules, read as `builtin_rules` reads them."""
        return cls(builtin_rules())

    def browser_and_os(self, ua: str, /) -> tuple[Part | None, Part | None]:
        """The browser and the OS as ua-parser reads them, as the native engine returns them
        (what `Detector` reads, without building ua-parser's result objects around them)."""
        return self._user_agent.extract(ua), self._os.extract(ua)

    def os_of(self, ua: str, /) -> Part | None:
        """The OS alone, as `browser_and_os` reads it: for a browser that its own token names."""
        return self._os.extract(ua)

    def __call__(self, ua: str, domains: Domain, /) -> PartialResult:
        from ua_parser import OS, Domain, PartialResult, UserAgent

        if Domain.DEVICE in domains:
            raise ValueError("this resolver does not read devices: use ua_parser.regex.Resolver")
        user_agent = os = None
        if Domain.USER_AGENT in domains and (m := self._user_agent.extract(ua)):
            user_agent = UserAgent(m.family, m.major, m.minor, m.patch, m.patch_minor)
        if Domain.OS in domains and (o := self._os.extract(ua)):
            os = OS(o.family, o.major, o.minor, o.patch, o.patch_minor)
        return PartialResult(domains=domains, string=ua, user_agent=user_agent, os=os, device=None)


def _as_rules(rules: object) -> list[Rule]:
    return [rule if isinstance(rule, tuple) else _FIELDS(rule) for rule in rules]  # type: ignore[attr-defined]


def builtin_rules() -> tuple[list[Rule], list[Rule]]:
    """ua-parser-builtins' browser and OS rules, from this machine's cache where it holds them for
    the installed ua-parser-builtins, else from ua-parser (and then written to the cache: a cache
    that cannot be read or written is passed by, never an error)."""
    cache = _cache_name()
    if cache is not None:
        rules = kept(cache)
        if _well_formed(rules):
            return rules  # type: ignore[no-any-return]  # its shape checked
    from ua_parser import load_lazy_builtins

    user_agent_rules, os_rules, _ = load_lazy_builtins()
    rules = [_FIELDS(m) for m in user_agent_rules], [_FIELDS(m) for m in os_rules]
    if cache is not None:
        keep(cache, rules, kind=_KIND)
    return rules


def _cache_name() -> str | None:
    """The file in which this machine keeps the rules of the installed ua-parser-builtins (named by
    the size and time of the file they come from, so that an upgrade is a new file), or ``None``."""
    try:
        spec = importlib.util.find_spec("ua_parser_builtins")  # finds it without importing ua-parser
        locations = spec.submodule_search_locations if spec is not None else None
        source = os.stat(os.path.join(next(iter(locations or ())), "lazy.py"))
    except (ImportError, ValueError, OSError, StopIteration):
        return None
    return f"ua-parser-rules-{source.st_size}-{source.st_mtime_ns}-{marshal.version}.marshal"


_KIND = r"ua-parser-rules-[0-9]+--?[0-9]+-[0-9]+\.marshal"  # a time before 1970 is negative
"""The names `_cache_name` gives."""


def _well_formed(rules: object) -> bool:
    return (
        isinstance(rules, tuple)
        and len(rules) == 2
        and all(isinstance(part, list) and part for part in rules)
        and all(
            isinstance(rule, tuple)
            and len(rule) == 6
            and isinstance(rule[0], str)
            and all(field is None or isinstance(field, str) for field in rule)
            for part in rules
            for rule in part
        )
    )
