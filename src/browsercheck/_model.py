"""The records browsercheck returns: what was detected (`Client`) and what was decided (`Verdict`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._policy import Policy
    from .notice import Notice


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


# A frozen dataclass's __init__ sets each field through object.__setattr__: 1.8 us for a Client,
# a tenth of detecting one. Detection and judging make one per User-Agent, so they build theirs
# through the slots' own descriptors instead (half the time), each bound by its field's name.
# tests/test_model.py checks that the makers take every field, in order.
_new = object.__new__
_CLIENT = {field: getattr(Client, field).__set__ for field in Client.__slots__}
_VERDICT = {field: getattr(Verdict, field).__set__ for field in Verdict.__slots__}
_set_browser, _set_name, _set_version = _CLIENT["browser"], _CLIENT["name"], _CLIENT["version"]
_set_engine, _set_engine_version = _CLIENT["engine"], _CLIENT["engine_version"]
_set_os, _set_os_version, _set_device = _CLIENT["os"], _CLIENT["os_version"], _CLIENT["device"]
_set_bot, _set_fallback, _set_model = _CLIENT["bot"], _CLIENT["fallback"], _CLIENT["model"]
_set_frozen, _set_from_hints, _set_notes = _CLIENT["frozen"], _CLIENT["from_hints"], _CLIENT["notes"]
_set_status, _set_client, _set_rule = _VERDICT["status"], _VERDICT["client"], _VERDICT["rule"]
_set_reasons, _set_policy = _VERDICT["reasons"], _VERDICT["policy"]
_NOTHING: frozenset[str] = frozenset()


def make_client(
    browser: str | None,
    name: str,
    version: str | None,
    engine: str | None,
    engine_version: str | None,
    os: str | None,
    os_version: str | None,
    device: Device,
    bot: str | None,
    fallback: str | None,
    frozen: frozenset[str],
    notes: tuple[str, ...],
) -> Client:
    """``Client(...)`` as detection makes it (no model, nothing from hints), faster."""
    client: Client = _new(Client)
    _set_browser(client, browser)
    _set_name(client, name)
    _set_version(client, version)
    _set_engine(client, engine)
    _set_engine_version(client, engine_version)
    _set_os(client, os)
    _set_os_version(client, os_version)
    _set_device(client, device)
    _set_bot(client, bot)
    _set_fallback(client, fallback)
    _set_model(client, None)
    _set_frozen(client, frozen)
    _set_from_hints(client, _NOTHING)
    _set_notes(client, notes)
    return client


def make_verdict(status: Status, client: Client, rule: str | None, reasons: tuple[str, ...], policy: Policy) -> Verdict:
    """``Verdict(...)``, faster."""
    verdict: Verdict = _new(Verdict)
    _set_status(verdict, status)
    _set_client(verdict, client)
    _set_rule(verdict, rule)
    _set_reasons(verdict, reasons)
    _set_policy(verdict, policy)
    return verdict
