"""User-Agent Client Hints: what Chromium browsers say in ``Sec-CH-UA*`` headers, and how it refines
what their frozen User-Agent string says.

The headers are RFC 9651 structured fields, parsed with ``http-sf``. A malformed field is ignored on
its own and named in the client's notes; nothing here raises for what a client sends.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._browsers import (
    ANDROID,
    ANDROID_EDITIONS,
    BLINK,
    BRANDS,
    BROWSERS,
    EDITIONS,
    LINUX,
    OS_FACTS,
    OS_PLATFORMS,
    WINDOWS,
)
from ._model import Client, Device, no_browser

if TYPE_CHECKING:
    from ._policy import Policy

MAX_HINT_LENGTH = 1024

# Every hint browsercheck reads, lower-cased, in the order they are read (and cached by). Chromium
# sends the first, -Mobile and -Platform on every request; the others after the site asks (Accept-CH).
UA = "sec-ch-ua"
FULL_VERSION_LIST = "sec-ch-ua-full-version-list"
MOBILE = "sec-ch-ua-mobile"
PLATFORM = "sec-ch-ua-platform"
PLATFORM_VERSION = "sec-ch-ua-platform-version"
MODEL = "sec-ch-ua-model"
ARCH = "sec-ch-ua-arch"
BITNESS = "sec-ch-ua-bitness"
WOW64 = "sec-ch-ua-wow64"
FORM_FACTORS = "sec-ch-ua-form-factors"
HINT_HEADERS = (UA, FULL_VERSION_LIST, MOBILE, PLATFORM, PLATFORM_VERSION, MODEL, ARCH, BITNESS, WOW64, FORM_FACTORS)
_LIST_FIELDS = frozenset({UA, FULL_VERSION_LIST, FORM_FACTORS})
DISPLAY_NAMES = {
    UA: "Sec-CH-UA",
    FULL_VERSION_LIST: "Sec-CH-UA-Full-Version-List",
    MOBILE: "Sec-CH-UA-Mobile",
    PLATFORM: "Sec-CH-UA-Platform",
    PLATFORM_VERSION: "Sec-CH-UA-Platform-Version",
    MODEL: "Sec-CH-UA-Model",
    ARCH: "Sec-CH-UA-Arch",
    BITNESS: "Sec-CH-UA-Bitness",
    WOW64: "Sec-CH-UA-WoW64",
    FORM_FACTORS: "Sec-CH-UA-Form-Factors",
}

# Brands, Android editions and platforms come from the registry of browser facts. A brand not there
# (and every GREASE brand) is ignored. An edition's own brand ("OperaMobile") names the browser better
# than its product's ("Opera"), any other brand better than Google Chrome, and that better than Chromium.
_GENERIC_RANK = {"chrome": 2, "chromium": 3}
_GENERIC = frozenset(_GENERIC_RANK) | {"chrome_android"}


# A brand's version as browsers send it: "141", "141.0.7390.123", Yandex's "25.8.1.800". Anything
# else ("1e5", " 141 ", "-5", a 25-digit number) would be judged as a version: the hint is ignored.
_BRAND_VERSION = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,10}){0,5}")

# Brands only automation sends: Chrome's old headless mode names itself in the hints even where
# the program gave it a browser's User-Agent (a "HeadlessChrome/" token there is a bot already).
_AUTOMATION_BRANDS = {"headlesschrome": "HeadlessChrome"}


def _rank(key: str) -> int:
    return _GENERIC_RANK.get(key, 0 if key in EDITIONS else 1)


# Windows' platform version is the Windows.Foundation.UniversalApiContract version: 0.1-0.3 were
# 7, 8 and 8.1, 1-10 Windows 10, 13 and up Windows 11.
_WINDOWS_BEFORE_10 = {"0.1": "7", "0.2": "8", "0.3": "8.1"}
_FIRST_WINDOWS_11 = 13


def hints_to_request(policy: Policy) -> tuple[str, ...]:
    """The hints, beyond Chromium's defaults, that ``policy`` can use: a site sends them in its
    ``Accept-CH`` header (and ``Critical-CH`` to have them on the first request too)."""
    wanted = []
    if policy.os:
        wanted.append(DISPLAY_NAMES[PLATFORM_VERSION])
    chromium_rules = [policy.browsers.get(k) for k in BROWSERS if BROWSERS[k].engine == "blink"]
    chromium_rules += [policy.engine_rule("blink")]
    if any(rule and rule.supported and any("." in s.version for s in rule.supported) for rule in chromium_rules):
        wanted.append(DISPLAY_NAMES[FULL_VERSION_LIST])  # a rule on minor versions needs the full version
    return tuple(wanted)


def is_grease(brand: str) -> bool:
    """Chromium's made-up brand: "Not" "A" "Brand" with punctuation between, in any shape
    (``"Not-A.Brand"``, ``"Not/A)Brand"``, ``" Not;A Brand"``)."""
    return "".join(c for c in brand.lower() if c.isalpha()) == "notabrand"


@dataclass(frozen=True, slots=True)
class ClientHints:
    """The hints of one request, each ``None`` when not sent or malformed."""

    brands: tuple[tuple[str, str], ...] = ()
    """(brand, version) pairs without GREASE, in the order sent."""
    full_versions: tuple[tuple[str, str], ...] = ()
    mobile: bool | None = None
    platform: str | None = None
    platform_version: str | None = None
    model: str | None = None
    arch: str | None = None
    bitness: str | None = None
    wow64: bool | None = None
    form_factors: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    """One sentence per malformed hint, naming it."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def read_hints(headers: Mapping[str, Any]) -> ClientHints | None:
    """The Client Hints in ``headers`` (any mapping; names in any case), or ``None`` if none."""
    values = hint_values(lower_names(headers))
    if not any(values):
        return None
    return parse_hints(dict(zip(HINT_HEADERS, values, strict=True)))


def lower_names(headers: Mapping[Any, Any]) -> Mapping[str, Any]:
    """``headers`` by lower-cased text names (``bytes`` names decoded); as given if they are so."""
    if all(isinstance(k, str) and k.islower() for k in headers):
        return headers
    return {(k.decode("latin-1") if isinstance(k, bytes) else str(k)).lower(): v for k, v in headers.items()}


def hint_values(headers: Mapping[str, Any]) -> tuple[str | None, ...]:
    """The raw value of every hint in `HINT_HEADERS` order, from headers by `lower_names`: also
    the cache key of a request."""
    out = []
    for name in HINT_HEADERS:
        value = headers.get(name)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out.append(value if isinstance(value, str) else None)
    return tuple(out)


def parse_hints(raw: Mapping[str, str | None]) -> ClientHints:
    import http_sf

    fields: dict[str, Any] = {}
    problems = []
    for name in HINT_HEADERS:
        text = raw.get(name)
        if text is None:
            continue
        if len(text) > MAX_HINT_LENGTH:
            problems.append(f"{DISPLAY_NAMES[name]} is longer than {MAX_HINT_LENGTH} characters: ignored")
            continue
        try:
            kind = "list" if name in _LIST_FIELDS else "item"
            parsed = http_sf.parse(text.encode("latin-1", "replace"), tltype=kind)
            fields[name] = _value(name, parsed)
        except (http_sf.StructuredFieldError, ValueError, TypeError) as e:
            problems.append(f"{DISPLAY_NAMES[name]} is malformed ({e}): ignored")
    return ClientHints(
        brands=fields.get(UA, ()),
        full_versions=fields.get(FULL_VERSION_LIST, ()),
        mobile=fields.get(MOBILE),
        platform=fields.get(PLATFORM),
        platform_version=fields.get(PLATFORM_VERSION),
        model=fields.get(MODEL),
        arch=fields.get(ARCH),
        bitness=fields.get(BITNESS),
        wow64=fields.get(WOW64),
        form_factors=fields.get(FORM_FACTORS, ()),
        problems=tuple(problems),
    )


def _value(name: str, parsed: Any) -> Any:
    """The Python value of a parsed hint; ValueError if it is not the type the hint must be."""
    if name in (UA, FULL_VERSION_LIST):
        brands = []
        for member in parsed:
            brand, params = member
            version = params.get("v")
            if not isinstance(brand, str) or not isinstance(version, str):
                raise ValueError("each brand must be a string with a string version v")
            if not is_grease(brand):
                if _BRAND_VERSION.fullmatch(version) is None:
                    raise ValueError("a brand's version v is not a version number")
                brands.append((brand, version))
        return tuple(brands)
    if name == FORM_FACTORS:
        factors = tuple(member[0] for member in parsed)
        if not all(isinstance(f, str) for f in factors):
            raise ValueError("form factors must be strings")
        return factors
    value = parsed[0]
    if name in (MOBILE, WOW64):
        if not isinstance(value, bool):
            raise ValueError("expected ?0 or ?1")
        return value
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _brand(hints: ClientHints) -> tuple[str, str, str | None] | None:
    """The most specific known brand: (key, version, full version)."""
    full = {brand.lower(): version for brand, version in hints.full_versions}
    known = [(brand.lower(), version) for brand, version in hints.brands if brand.lower() in BRANDS]
    if not known:
        known = [(brand.lower(), version) for brand, version in hints.full_versions if brand.lower() in BRANDS]
    if not known:
        return None
    known.sort(key=lambda item: _rank(BRANDS[item[0]]))
    brand, version = known[0]
    return BRANDS[brand], version, full.get(brand)


def _automation(hints: ClientHints) -> str | None:
    """The name of an automation brand the hints carry, if any."""
    for brand, _ in (*hints.brands, *hints.full_versions):
        if (name := _AUTOMATION_BRANDS.get(brand.lower())) is not None:
            return name
    return None


def _chromium_version(hints: ClientHints) -> str | None:
    for source in (hints.full_versions, hints.brands):
        for brand, version in source:
            if brand.lower() == "chromium":
                return version
    return None


def _os_version(platform: str, version: str) -> str | None:
    parts = version.split(".")
    if not all(p.isdigit() for p in parts):
        return None
    if platform == WINDOWS:
        major = int(parts[0])
        if major == 0:
            return _WINDOWS_BEFORE_10.get(".".join(parts[:2]))
        return "11" if major >= _FIRST_WINDOWS_11 else "10"
    while len(parts) > 1 and parts[-1] == "0":  # "14.0.0" -> "14", "14.5.0" -> "14.5"
        parts.pop()
    return ".".join(parts)


def apply_hints(client: Client, hints: ClientHints) -> Client:
    """``client`` refined by ``hints``.

    Hints refine a Chromium User-Agent (or stand in for a missing one); they never override another
    engine's: a Firefox User-Agent with Chrome's hints stays Firefox, and the conflict is noted.
    """
    notes = list(client.notes) + list(hints.problems)
    if client.bot is None and (automation := _automation(hints)) is not None:
        notes.append(f"Client Hints name the brand {automation}: a browser a program drives")
        bot = no_browser(automation, Device.BOT, bot=automation, notes=tuple(notes))
        return dataclasses.replace(bot, from_hints=frozenset({"bot"}))
    brand = _brand(hints)
    if client.bot is not None or client.engine not in (None, BLINK):
        if brand is not None and client.bot is None:
            notes.append(
                f"Client Hints name {BROWSERS[brand[0]].name} {brand[1]} but the User-Agent is "
                f"{client.name}: the User-Agent is believed, the hints are ignored"
            )
        return dataclasses.replace(client, notes=tuple(notes))

    changes: dict[str, Any] = {}
    learned: set[str] = set()

    def learn(field: str, value: Any) -> None:
        changes[field] = value
        learned.add(field)

    platform = OS_PLATFORMS.get((hints.platform or "").lower(), hints.platform or None)
    if platform and platform != client.os:
        # A platform browsercheck knows contradicts the User-Agent's (an unknown one is only learnt:
        # quoting it would put what a client sends into the reasons); "request desktop site" on
        # Android sends a Linux User-Agent and the true hints: no contradiction.
        known = platform in OS_FACTS
        if known and client.os is not None and not (platform == ANDROID and client.os == LINUX):
            notes.append(_contradiction("platform", platform, client.os))
        learn("os", platform)
        changes["os_version"] = None  # the User-Agent's version was of another OS
    os = changes.get("os", client.os)
    if platform and hints.platform_version is not None:
        version = _os_version(platform, hints.platform_version)
        if version is None:
            notes.append(f"Sec-CH-UA-Platform-Version {hints.platform_version!r} is not a version: ignored")
        else:
            learn("os_version", version)

    chromium = _chromium_version(hints)
    contradicted = False
    if brand is not None:
        key, version, full = brand
        if os == ANDROID:
            key = ANDROID_EDITIONS.get(key, key)
        if full is not None and _major(full) != _major(version):
            notes.append(
                f"Sec-CH-UA-Full-Version-List gives {BROWSERS[key].name} {full}, not version {version}: ignored"
            )
            full = None
        ua_is_more_specific = key in _GENERIC and client.browser not in (None, *_GENERIC)
        if not ua_is_more_specific:
            told = full or version
            if key != client.browser:
                if client.browser is not None and client.browser not in _GENERIC and _sends_hints(client.browser):
                    notes.append(_contradiction("browser", BROWSERS[key].name, client.name))
                learn("browser", key)
                changes["name"] = BROWSERS[key].name
                learn("version", told)
            elif _major(told) != _major(client.version) and client.version is not None:
                if key not in _GENERIC and chromium is not None and _major(told) == _major(chromium):
                    # Opera's hints give its brand Chromium's number: its own token is right
                    notes.append(
                        f"Client Hints give {client.name} the Chromium version {told}; the User-Agent's "
                        f"{client.name} {client.version} is believed"
                    )
                else:
                    notes.append(_contradiction("major version", told, client.version))
                    learn("version", told)
                    contradicted = True
            elif _more_precise(told, client.version):
                learn("version", told)
    if (
        chromium is not None
        and client.engine_version is not None
        and _major(chromium) != _major(client.engine_version)
        and not contradicted
    ):
        notes.append(_contradiction("Chromium version", chromium, client.engine_version))
    if chromium is not None and _more_precise(chromium, client.engine_version):
        changes["engine"] = "blink"
        learn("engine_version", chromium)
    if hints.model:
        learn("model", hints.model)
    device = _device(hints, os)
    if device is not None and device is not client.device:
        learn("device", device)

    if not changes and len(notes) == len(client.notes):
        return client
    if learned:
        notes.append("from Client Hints: " + ", ".join(f"{f} {_shown(changes[f])}" for f in sorted(learned)))
    # what the hints told is no longer frozen, unless they froze it too ("124.0.0.0")
    frozen = {f for f in client.frozen if f not in learned or str(changes.get(f, "")).endswith(".0.0.0")}
    return dataclasses.replace(
        client,
        **changes,
        from_hints=client.from_hints | learned,
        frozen=frozenset(frozen),
        notes=tuple(notes),
    )


def _sends_hints(key: str) -> bool:
    """Whether the browser (or the product it is an edition of) names itself in Client Hints: an
    in-app browser's WebView brand is no contradiction of the app's own name."""
    return bool(BROWSERS[key].brands or BROWSERS[EDITIONS.get(key, key)].brands)


def _contradiction(what: str, hinted: str, said: str | None) -> str:
    """Hints are believed over the User-Agent: the browser computes them itself, while a User-Agent
    is often overridden (automation's --user-agent, extensions, "request desktop site")."""
    return f"Client Hints contradict the User-Agent on the {what} ({hinted}, not {said}): the hints are believed"


def _major(version: str | None) -> str | None:
    return version.split(".", 1)[0] if version else None


def _shown(value: Any) -> str:
    return value.value if isinstance(value, Device) else str(value)


def _more_precise(new: str, old: str | None) -> bool:
    """True when ``new`` says more than ``old``: "124.0.6367.82" over "124.0.0.0" or "124"."""
    if old is None or new.split(".")[0] != old.split(".")[0]:
        return True  # where they disagree, the hints are the newer truth
    if "." not in new or new.endswith(".0.0.0"):
        return False
    return old.endswith(".0.0.0") or old.count(".") < new.count(".")


def _device(hints: ClientHints, os: str | None) -> Device | None:
    factors = {f.lower() for f in hints.form_factors}
    if "tablet" in factors:
        return Device.TABLET
    if "mobile" in factors or hints.mobile:
        return Device.MOBILE
    if "desktop" in factors or (hints.mobile is False and os not in ("Android", "iOS")):
        return Device.DESKTOP
    return None
