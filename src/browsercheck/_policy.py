"""A validated, immutable support policy and the rules in it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from . import _browsers

if TYPE_CHECKING:
    import datetime as dt

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

UnknownAction = Literal["allow", "notify"]

DEFAULT_RECOMMEND: tuple[str, ...] = ("firefox", "chrome", "edge")

# Engine rules a policy gets from its browser rules unless it sets `engines:` itself (a Chromium
# derivative the policy does not name is held to Chrome's rule, and so on), and the key of each
# operating system's rule under `os:`: both from the registry of browser facts.
ENGINE_FROM_BROWSER = _browsers.ENGINE_FROM_BROWSER
OS_KEYS = _browsers.OS_KEYS


@dataclass(frozen=True, slots=True)
class Rule:
    """What a policy says of one browser (or engine)."""

    subject: str
    """The browser key, or ``"engine blink"`` for an engine rule."""
    supported: SpecifierSet | None
    """Versions that meet the policy; ``None``: every version."""
    blocked: bool = False
    """``false`` in the policy: never works here."""
    unsupported_below: Version | None = None
    """The hard floor: below it a browser is unsupported, not merely outdated."""
    line: int | None = None
    text: str = field(init=False, repr=False, compare=False)
    """How reasons quote the rule: ``"chrome >=125"``; made once, since every verdict uses it."""
    minimum: tuple[int, ...] | None = field(init=False, repr=False, compare=False)
    """For the common rule ``>=X`` (X a plain release): X as numbers, compared without packaging."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "minimum", _plain_minimum(self.supported))
        if self.blocked:
            text = f"{self.subject}: false"
        elif self.supported is None:
            text = f"{self.subject}: true"
        else:
            text = f"{self.subject} {self.supported}"
        if self.unsupported_below is not None:
            text += f" (unsupported below {self.unsupported_below})"
        object.__setattr__(self, "text", text)  # a frozen dataclass sets derived fields this way

    def __str__(self) -> str:
        return self.text


def _plain_minimum(supported: SpecifierSet | None) -> tuple[int, ...] | None:
    if supported is None or len(supported) != 1:
        return None
    (spec,) = supported
    if spec.operator != ">=" or not all(part.isdigit() for part in spec.version.split(".")):
        return None
    return release(spec.version)


def release(version: str) -> tuple[int, ...]:
    """``"17.5.0"`` -> ``(17, 5)``: a plain release's numbers, trailing zeros dropped, so that tuples
    compare as PEP 440 versions do (17.5 == 17.5.0)."""
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False)
class Site:
    """What the notices say of the site, and how the site words them."""

    name: str | None = None
    """The site's own name, used in notices: ``"haninge.se"``."""
    locale: str | None = None
    """The notice language when the request does not choose one."""
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=_empty)
    """Per-locale replacements of notice messages: ``{"sv": {"outdated.title": "..."}}``."""
    links: Mapping[str, str] = field(default_factory=_empty)
    """Download pages by browser key, added to or replacing the built-in ones."""


@dataclass(frozen=True, slots=True, eq=False)
class Query:
    """A policy's browserslist query, kept so that the policy can be evaluated again for another day."""

    queries: tuple[str, ...]
    line: int
    name: str
    """The policy's name without the date."""
    explicit: Mapping[str, Rule]
    """The policy's own ``browsers:`` rules: they override what the query selects."""
    pinned: bool
    """Evaluated for a date the caller chose: the policy never moves."""


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)  # identity: rules hold mappings
class Policy:
    """A support policy. Build one with `load_policy`; it is immutable and safe to share."""

    name: str
    source: str
    """Where it was read from: a path, or ``"<default>"``, ``"<string>"``."""
    browsers: Mapping[str, Rule]
    engines: Mapping[str, Rule] = field(default_factory=lambda: MappingProxyType({}))
    os: Mapping[str, Rule] = field(default_factory=lambda: MappingProxyType({}))
    """Operating-system rules by `OS_KEYS` value: ``{"windows": Rule(">=10")}``."""
    unknown: UnknownAction = "allow"
    recommend: tuple[str, ...] = DEFAULT_RECOMMEND
    site: Site = field(default_factory=Site)
    query: Query | None = None
    """The browserslist query the browser rules come from, if any."""
    date: dt.date | None = None
    """The day the query was evaluated for."""
    data: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The versions of the browser data the query was evaluated on: ``{"caniuse-lite": "1.0.30001828"}``."""

    def __repr__(self) -> str:
        return f"Policy(name={self.name!r}, source={self.source!r}, {len(self.browsers)} browser rules)"

    def rule_for(self, key: str) -> Rule | None:
        return self.browsers.get(key)

    def engine_rule(self, engine: str) -> Rule | None:
        """The explicit ``engines:`` rule, else the rule of the engine's reference browser."""
        if rule := self.engines.get(engine):
            return rule
        reference = ENGINE_FROM_BROWSER.get(engine)
        return self.browsers.get(reference) if reference else None
