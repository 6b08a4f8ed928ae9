"""The records browsercheck returns: what was detected (`Client`) and what was decided (`Verdict`)."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ._policy import Policy
    from .notice import Notice

_T = TypeVar("_T")


class Status(enum.StrEnum):
    """How a browser stands against a policy: a string equal to its value (``status == "outdated"``)."""

    SUPPORTED = "supported"
    """Meets the policy."""
    OUTDATED = "outdated"
    """A known browser below the policy's minimum: the site still works, show the notice."""
    UNSUPPORTED = "unsupported"
    """Blocked by the policy (``false``, or below its hard floor): the site will not work."""
    UNKNOWN = "unknown"
    """No browser recognised, or one the policy cannot judge. Never blocked by default."""
    BOT = "bot"
    """A crawler, link preview, monitor, HTTP library or command-line client."""


class Device(enum.Enum):
    DESKTOP = "desktop"
    MOBILE = "mobile"
    TABLET = "tablet"
    BOT = "bot"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Client:
    """What a User-Agent says about the browser behind it.

    Versions are strings as the browser sent them (``"124.0.0.0"``); ``None`` where the
    User-Agent does not say. ``frozen`` names the fields whose value the browser froze (Chromium's
    ``Windows NT 10.0`` is also Windows 11): the real value may be higher.
    """

    browser: str | None
    """Canonical key (MDN browser-compat-data ids: ``"chrome"``, ``"safari_ios"``, ...)."""
    name: str
    """Human name: ``"Google Chrome"``, ``"Internet Explorer"``; ``"Unknown"`` when unrecognised."""
    version: str | None
    engine: str | None
    """``"blink"``, ``"gecko"``, ``"webkit"``, ``"trident"``, ``"edgehtml"``, ``"presto"``."""
    engine_version: str | None
    """Chromium version for Blink, Firefox version for Gecko, Safari/iOS release for WebKit."""
    os: str | None
    os_version: str | None
    device: Device
    bot: str | None = None
    """What identified a bot (``"Googlebot"``, ``"curl"``); ``None`` for browsers."""
    fallback: str | None = None
    """The key whose rule applies when the policy does not name ``browser``: ``"safari_ios"``
    for every iOS browser, ``"webview_android"`` for Android in-app browsers."""
    model: str | None = None
    """The device model, where Client Hints tell it (``Sec-CH-UA-Model``)."""
    frozen: frozenset[str] = frozenset()
    from_hints: frozenset[str] = frozenset()
    """The fields that User-Agent Client Hints supplied or corrected."""
    notes: tuple[str, ...] = ()
    """How detection reached a value it had to infer, in plain words."""

    @property
    def is_bot(self) -> bool:
        return self.bot is not None

    @property
    def on_ios(self) -> bool:
        """On iOS and iPadOS every browser is the system's WebKit."""
        return self.os in ("iOS", "iPadOS")

    @property
    def label(self) -> str:
        """``"Google Chrome 124 on Windows 10"``: for reasons and reports."""
        text = self.name
        if self.version:
            text += " " + self.version
        if self.os:
            text += " on " + self.os + (" " + self.os_version if self.os_version else "")
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "browser": {"key": self.browser, "name": self.name, "version": self.version},
            "engine": {"name": self.engine, "version": self.engine_version},
            "os": {"name": self.os, "version": self.os_version},
            "device": self.device.value,
            "model": self.model,
            "bot": self.bot,
            "fallback": self.fallback,
            "frozen": sorted(self.frozen),
            "from_hints": sorted(self.from_hints),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision for one client under one policy, with the reasons a person can read."""

    status: Status
    client: Client
    rule: str | None
    """The policy rule that decided, e.g. ``"chrome >=125"``; ``None`` when none applied."""
    reasons: tuple[str, ...]
    policy: Policy
    """The policy that judged."""

    @property
    def recommendations(self) -> tuple[str, ...]:
        """Browser keys the policy recommends, in its order."""
        return self.policy.recommend

    @property
    def needs_notice(self) -> bool:
        """True when the person should be told: outdated, unsupported, and unknown browsers when
        the policy says ``unknown: notify``."""
        if self.status is Status.UNKNOWN:
            return self.policy.unknown == "notify"
        return self.status in (Status.OUTDATED, Status.UNSUPPORTED)

    def notice(
        self,
        locale: str | None = None,
        *,
        accept_language: str | None = None,
        site: str | None = None,
        dismiss_url: str | None = None,
        dismiss_next: str | None = None,
        nonce: str | None = None,
        heading_level: int = 2,
    ) -> Notice | None:
        """What to tell the person, or ``None`` when nothing is to be told (see `needs_notice`).

        The language is ``locale`` if given, else the best match for ``accept_language``, else the
        policy's ``site.locale``, else English. ``site`` overrides the policy's site name.
        ``dismiss_url`` adds a dismiss button (a POST form, no JavaScript) with ``dismiss_next``
        as the page to return to; ``nonce`` is the page's CSP nonce for the ``<style>`` element.
        """
        from .notice import build_notice

        return build_notice(
            self,
            locale=locale,
            accept_language=accept_language,
            site=site,
            dismiss_url=dismiss_url,
            dismiss_next=dismiss_next,
            nonce=nonce,
            heading_level=heading_level,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            **self.client.to_dict(),
            "rule": self.rule,
            "reasons": list(self.reasons),
            "policy": self.policy.name,
            "recommendations": list(self.recommendations),
        }


def slots_maker(cls: type[_T], fields: Sequence[str], fixed: Mapping[str, object] | None = None) -> Callable[..., _T]:
    """``make(*values)``: a new ``cls`` (a class with slots, a frozen dataclass's), its slots
    ``fields`` set to ``values`` in order and its slots ``fixed`` to their values, without its
    ``__init__``. A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``:
    1.8 us for a `Client`, a tenth of detecting one, and detection and judging make one per
    User-Agent. Made in C where `_speedups` was compiled (0.06-0.19 us), else through each slot's
    descriptor (0.7 us).

    Every slot of ``cls`` and of the classes it derives from (but ``__dict__`` and ``__weakref__``,
    left empty) must be named once (`ValueError`); ``cls`` must be made by ``object.__new__`` and
    not be abstract (`TypeError`)."""
    if not isinstance(cls, type):
        raise TypeError(f"slots_maker() makes instances of a class, got {cls!r}")
    if cls.__new__ is not object.__new__:
        raise TypeError(f"slots_maker(): {cls.__name__} has a __new__ of its own")
    if inspect.isabstract(cls):
        raise TypeError(f"slots_maker(): {cls.__name__} is abstract")
    fields, fixed = tuple(fields), dict(fixed or {})
    named = [*fields, *fixed]
    if bad := [name for name in named if not isinstance(name, str) or not name.isidentifier()]:
        raise TypeError(f"slots_maker(): a slot is named by an identifier, got {bad[0]!r}")
    slots = _data_slots(cls)
    if sorted(named) != sorted(slots):
        raise ValueError(f"a maker of {cls.__name__} sets each of its slots {slots} once, got {tuple(named)}")
    try:
        from ._speedups import SlotsMaker
    except ImportError:  # installed where it could not be compiled
        return _descriptors_maker(cls, fields, fixed)
    maker: Callable[..., _T] = SlotsMaker(cls, fields, fixed)
    return maker


def _data_slots(cls: type) -> tuple[str, ...]:
    """The slots of ``cls`` and of the classes it derives from, base classes' first, that hold
    data (not ``__dict__`` or ``__weakref__``)."""
    slots: list[str] = []
    for klass in reversed(cls.__mro__):
        own = klass.__dict__.get("__slots__", ())
        slots += [slot for slot in ((own,) if isinstance(own, str) else own) if slot not in ("__dict__", "__weakref__")]
    return tuple(slots)


def _descriptors_maker(cls: type[_T], fields: tuple[str, ...], fixed: dict[str, object]) -> Callable[..., _T]:
    """`slots_maker`'s maker in Python: a function written for ``cls`` (as `dataclasses` writes an
    ``__init__``) that sets each slot through its descriptor, one line a slot; a loop over the
    descriptors took twice the time (1.2 us a `Client` against 0.7)."""
    scope: dict[str, object] = {"_new": object.__new__, "_cls": cls}
    lines = []
    for i, name in enumerate((*fields, *fixed)):
        scope[f"_set{i}"] = getattr(cls, name).__set__
        if i < len(fields):
            lines.append(f"    _set{i}(made, v{i})")
        else:
            scope[f"_value{i}"] = fixed[name]
            lines.append(f"    _set{i}(made, _value{i})")
    name = f"making_a_{cls.__name__}" if cls.__name__.isidentifier() else "make"  # what a call's error names
    parameters = "".join(f"v{i}, " for i in range(len(fields)))
    source = f"def {name}({parameters}/):\n    made = _new(_cls)\n" + "\n".join(lines) + "\n    return made\n"
    exec(source, scope)  # text made here, of names and numbers only
    make: Callable[..., _T] = scope.pop(name)  # type: ignore[assignment]  # out of its own globals: no cycle
    return make


_NOTHING: frozenset[str] = frozenset()

make_client: Callable[
    [
        str | None,
        str,
        str | None,
        str | None,
        str | None,
        str | None,
        str | None,
        Device,
        str | None,
        str | None,
        frozenset[str],
        tuple[str, ...],
    ],
    Client,
] = slots_maker(
    Client,
    (
        *("browser", "name", "version", "engine", "engine_version", "os", "os_version", "device", "bot"),
        *("fallback", "frozen", "notes"),
    ),
    {"model": None, "from_hints": _NOTHING},  # set by Client Hints only
)
"""``Client(...)`` as detection makes it (no model, nothing from hints), faster: the fields in
their order, without ``model`` and ``from_hints``."""


def no_browser(name: str, device: Device, bot: str | None = None, notes: tuple[str, ...] = ()) -> Client:
    """A client that is no browser: nothing sent, or a bot (``bot`` its name)."""
    return make_client(None, name, None, None, None, None, None, device, bot, None, _NOTHING, notes)


make_verdict: Callable[[Status, Client, str | None, tuple[str, ...], Policy], Verdict] = slots_maker(
    Verdict, ("status", "client", "rule", "reasons", "policy")
)
"""``Verdict(...)``, faster."""
