"""Detection: a User-Agent string in, a `Client` out.

ua-parser names the browser family and the OS; this module maps them onto canonical keys and adds
what ua-parser does not know: the engine and its version, iOS's shared WebKit, frozen tokens,
the device class, and bots.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from . import _forms_cache
from ._bots import (
    AGENT_GATE,
    NOT_SCANNED,
    BotDetector,
    agent_marker,
    appended_product,
    program_name,
    without_device_names,
)
from ._browsers import (
    ANDROID,
    ANDROID_EDITIONS,
    BLINK,
    BROWSERS,
    DESKTOP_OSES,
    EDGEHTML,
    FAMILIES,
    GECKO,
    IOS,
    IOS_EDITIONS,
    IPADOS,
    KAIOS,
    LINUX,
    MACOS,
    OS_FAMILIES,
    PRESTO,
    TOKENS,
    TRIDENT,
    WEBKIT,
    WINDOWS,
)
from ._forms import FORMS, Form, FormRead, Forms, no_form
from ._model import Client, Device, make_client, no_browser
from ._tokens import ProductTokens

if TYPE_CHECKING:
    from ua_parser import Domain, PartialResult

    from ._resolver import Part

MAX_UA_LENGTH = 2048
"""Characters of a User-Agent that are parsed. The longest real ones (in-app browsers) stay under
1,000; the cap keeps a 100 kB junk header from costing more than a normal one."""


class Resolver(Protocol):
    """ua-parser's resolver interface: ``resolver(ua, domains) -> PartialResult``."""

    def __call__(self, ua: str, domains: Domain, /) -> PartialResult: ...


BotCheck = Callable[[str], "str | None"]

_CHROMIUM = re.compile(r"Chrom(?:e|ium)/(\d+(?:\.\d+)*)")
_FIREFOX = re.compile(r"Firefox/(\d+(?:\.\d+)*)")
_GECKO_RV = re.compile(r"rv:(\d+(?:\.\d+)*)[^)]*\) Gecko")
_SAFARI_VERSION = re.compile(r"Version/(\d+(?:\.\d+)*)")
_PRESTO = re.compile(r"Presto/(\d+(?:\.\d+)*)")

_IOS_FROZEN_AT = "18.6"  # Safari 26+ on iOS keeps saying "CPU iPhone OS 18_6"
_APPLE_OSES = (IOS, IPADOS, MACOS)
_FIRST_REDUCED_CHROMIUM = 95
"""The reduced User-Agent's MINOR.BUILD.PATCH of "0.0.0": an origin trial from Chrome 95, every site's
from 101. Before, such a version was as sent (Android 4.4's WebView: Chrome/30.0.0.0, 33.0.0.0)."""
_FIRST_UNFROZEN_SAFARI = 26


_OWN_STRINGS = frozenset(("chrome", "firefox", "safari", "ie"))
"""The browsers whose desktop strings programs borrow and add their own name to (`appended_product`)."""

_AGENT = "!agent"  # what the first native pass names an agent's mark (no token has a "!")


class _FirstOf(Protocol):
    """A native extractor: the first rule that matches, by the name it was given."""

    def extract(self, ua: str, /) -> Part | None: ...


def _first_of(rules: list[tuple[str, str, None, None, None, None]]) -> _FirstOf:
    import ua_parser_rs

    return ua_parser_rs.UserAgentExtractor(rules)


@functools.cache
def product_tokens() -> ProductTokens:
    """The registry's User-Agent tokens, matched natively (built on first use)."""
    return ProductTokens(TOKENS)


def _version(part: Part | None) -> str | None:
    if part is None or (major := part.major) is None:
        return None
    if (minor := part.minor) is None:
        return major
    if (patch := part.patch) is None:
        return f"{major}.{minor}"
    if (patch_minor := part.patch_minor) is None:
        return f"{major}.{minor}.{patch}"
    return f"{major}.{minor}.{patch}.{patch_minor}"


def _major(version: str | None) -> int | None:
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _browser_key(family: str, version: str | None, os: str | None, token: str | None, ua: str) -> str | None:
    """The canonical key: a registry token in the User-Agent, else ua-parser's family; then the
    edition for the platform."""
    if token is not None:
        key: str | None = TOKENS[token]
    elif family in ("Edge", "Edge Mobile") and (_major(version) or 0) < 79:
        key = "edge_legacy"  # Edge 12-18 was EdgeHTML; Chromium Edge began at 79 (and says Edg/)
    elif family == "Android" and "Mozilla/" not in ua and "Safari" not in ua:
        key = None  # an Android app's HTTP stack (Cronet, Dalvik), not the stock browser
    else:
        key = FAMILIES.get(family)
    if os == ANDROID and key in (None, "safari") and "AppleWebKit" in ua and "Chrome/" not in ua:
        return "webview_android"  # the old stock browser ("Version/4.0 Mobile Safari/534.30")
    if key is None:
        return None
    if os in (IOS, IPADOS):
        if key == "webview_android":  # "Version/13.0 Chrome/84 Mobile/15E148": Chrome for iOS
            return "chrome_ios"
        return IOS_EDITIONS.get(key, key)
    if os == ANDROID:
        if key == "opera" and "; wv)" in ua:
            return "opera_mini"  # Opera Mini on Android is Chromium's WebView with an OPR/ token
        return ANDROID_EDITIONS.get(key, key)
    if os == KAIOS and key == "firefox":
        return "kaios"
    return key


def _engine(key: str | None, version: str | None, ua: str) -> tuple[str | None, str | None]:
    """The rendering engine and its version, from the tokens that say it."""
    if key == "ie":
        return TRIDENT, version
    if key == "edge_legacy":
        return EDGEHTML, version
    if "Presto/" in ua and (m := _PRESTO.search(ua)):
        return PRESTO, m.group(1)
    if m := _CHROMIUM.search(ua):
        return BLINK, m.group(1)
    if "Gecko/" in ua and (m := _FIREFOX.search(ua) or _GECKO_RV.search(ua)):
        # Firefox 110-119 froze rv:109.0: its own Firefox/NNN token is the truth
        return GECKO, m.group(1)
    if "AppleWebKit/" in ua and (m := _SAFARI_VERSION.search(ua)) and "Safari/" in ua:
        return WEBKIT, m.group(1)
    return None, None


def _device(ua: str, os: str | None) -> Device:
    if "iPad" in ua or "Tablet" in ua:
        return Device.TABLET
    if "iPhone" in ua or "iPod" in ua:
        return Device.MOBILE
    if os == ANDROID:
        # Android phones say "Mobile" (Presto's Opera "Opera Mobi", or Opera Mini, on phones only);
        # tablets (and Chromium's reduced tablet UA) do not
        return Device.MOBILE if "Mobile" in ua or "Opera Mobi" in ua or "Opera Mini" in ua else Device.TABLET
    if "Mobi" in ua or os in ("Windows Phone", KAIOS):
        return Device.MOBILE
    if os in DESKTOP_OSES:
        return Device.DESKTOP
    return Device.UNKNOWN


def clean_user_agent(ua: str) -> str:
    """The part of ``ua`` that is parsed: capped, and encodable (lone surrogates replaced)."""
    if len(ua) > MAX_UA_LENGTH:
        ua = ua[:MAX_UA_LENGTH]
    if not ua.isascii():
        ua = ua.encode("utf-8", "replace").decode("utf-8")
    return ua


_EMPTY = no_browser("Unknown", Device.UNKNOWN, notes=("no User-Agent was sent",))


_building = threading.Lock()
"""Held while a detector builds its parts (`Detector.build`): one at a time."""


def _new_lock_in_child() -> None:
    # a fork copies the lock as it is: held, where another thread was building, and then never
    # released in the child, whose first User-Agent of no fixed form would wait for it for ever
    global _building
    _building = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_in_child)


class Detector:
    """``detector(ua) -> Client``. Safe to share between threads: its parts are built once, by the
    first thread that needs them (the others wait); what else it builds after construction (a pass
    it needs for some bot checks) a race may build more than once, harmlessly.

    Both parts can be swapped: any ua-parser resolver (``ua_parser.BasicResolver(...)``), any
    callable that names a bot or returns ``None``. Such a detector asks them of every User-Agent:
    only `Detector.default` reads the fixed forms most browsers send without them (`_forms`), and
    builds its parts only for a User-Agent of no such form.
    """

    def __init__(self, resolver: Resolver, bots: BotCheck) -> None:
        self._start()
        self._attach(resolver, bots)

    def _start(self) -> None:
        """What does not depend on the parts."""
        self._tokens = product_tokens()
        # after the bot patterns, one native pass for the marks of agents, then the registry's
        # browser tokens: in the bot patterns' own pass where the bot check was built with them
        rules = [(rule, _AGENT, None, None, None, None) for rule in AGENT_GATE] + self._tokens.rules()
        self._after_bots = [name for _, name, *_ in rules]
        self._rules = rules
        self._marks_then_tokens: _FirstOf | None = None  # built where first needed
        # the fixed forms most browsers send, read without the parsers (`_use_forms`): none here
        self._forms: tuple[Form, ...] = ()
        self._read_form: Callable[[str], FormRead | None] = no_form
        self._form_prefixes: tuple[str, ...] = ()
        self._kept_forms: Forms | None = None  # read from what this machine keeps, until the parts are built
        self._forms_key: _forms_cache.Key | None = None  # what the kept forms depend on, as this detector was made
        self._make_parts: Callable[[], tuple[Resolver, BotCheck]] | None = None  # `default`'s, until built

    def _attach(self, resolver: Resolver, bots: BotCheck) -> None:
        self._resolver = resolver
        self._bots = bots
        # browsercheck's own resolver hands over its two parts as they are: a few microseconds a
        # User-Agent less than ua-parser's result objects (audits judge thousands)
        self._browser_and_os: Callable[[str], tuple[Part | None, Part | None]] = getattr(
            resolver, "browser_and_os", self._parse
        )
        # for a browser its own token names: the OS alone, where the resolver reads it alone
        os_of: Callable[[str], Part | None] | None = getattr(resolver, "os_of", None)
        self._named_by_token: Callable[[str], tuple[Part | None, Part | None]] = (
            self._browser_and_os if os_of is None else lambda ua: (None, os_of(ua))
        )
        scan = getattr(bots, "scan", None)
        same = getattr(bots, "then", None) == tuple(self.after_bots())
        self._scan: Callable[[str], tuple[str | None, int | None]] | None = scan if same else None

    def build(self) -> None:
        """Build now what `Detector.default` builds where a User-Agent first needs it: the parsers and
        the bot check (50-60 ms and 13 MB), and the fixed forms (4-5 ms). A server that forks its
        workers after loading the application calls it first, so that they share one copy; the
        audit calls it before it forks."""
        self._build_parts()
        if self._read_form == self._first_form:
            self._compile_forms()

    def _build_parts(self) -> None:
        """The parts, where a User-Agent first needs them: once, by the first thread that does (the
        others wait); kept forms read meanwhile are learned again from them (`_mend_kept_forms`)."""
        if self._make_parts is None:
            return  # built, or made of one's own parts
        with _building:
            make = self._make_parts
            if make is None:
                return
            self._attach(*make())
            if self._kept_forms is not None:
                self._mend_kept_forms(self._kept_forms)
            self._make_parts = None  # last: a thread that finds it so finds the parts and the forms

    def _mend_kept_forms(self, kept: Forms) -> None:
        """The forms read from what this machine keeps, learned again from the parts just built (a
        millisecond: their regex is compiled already); where the parts call them otherwise, read and
        kept as they say: a kept file that its key cannot tell from the right one (files alike in
        size and time) mends itself. Called with `_building` held; read from only once learned again."""
        learned = kept.learn(self._bot_and_next, self._browser_and_os, self._token_named)
        if learned == kept.learned:
            self._read_form = kept.read
        else:
            self._read_form = kept.knowing(learned).read
            _forms_cache.keep(self._forms, learned, self._forms_key)

    def _unbuilt(self, make: Callable[[], tuple[Resolver, BotCheck]]) -> None:
        """Parts that ``make`` builds where a User-Agent first needs them (`build`): until then each
        builds them, then does its work."""
        self._make_parts = make
        self._resolver = self._bots = None  # type: ignore[assignment]  # none yet: `build` attaches them
        self._browser_and_os = self._named_by_token = self._building_browser_and_os
        self._scan = self._building_scan

    def _building_browser_and_os(self, ua: str) -> tuple[Part | None, Part | None]:
        self._build_parts()
        return self._browser_and_os(ua)

    def _building_scan(self, ua: str) -> tuple[str | None, int | None]:
        self._build_parts()
        if self._scan is None:  # parts whose bot check has no `scan`
            return self._bots(ua), NOT_SCANNED
        return self._scan(ua)

    @staticmethod
    def after_bots() -> list[str]:
        """The patterns `BotDetector` can look for after its own (``then``, on lower-case text):
        agents' marks, then the registry's tokens, for `Detector.default`."""
        return [f"(?i){rule}" for rule in AGENT_GATE] + [rule.lower() for rule, *_ in product_tokens().rules()]

    def _bot_and_next(self, ua: str) -> tuple[str | None, str | None]:
        """The bot ``ua`` is, by crawlerdetect's patterns where they match other than a device's
        or a browser's own name; else what the pass after them found first: an agent's mark
        (`_AGENT`) or a browser token's name."""
        if self._scan is not None:
            bot, then = self._scan(ua)
        else:
            bot, then = self._bots(ua), NOT_SCANNED
        if bot is not None:
            bot = self._not_a_name(ua, bot)
            if bot is not None:
                return bot, None
            then = NOT_SCANNED  # a device's name: the pass after the bot patterns is still to run
        if then == NOT_SCANNED:
            if self._marks_then_tokens is None:
                self._marks_then_tokens = _first_of(self._rules)  # a race builds it twice: harmless
            first = self._marks_then_tokens.extract(ua)
            return None, first.family if first is not None else None
        return None, None if then is None else self._after_bots[then]

    def _use_forms(self, forms: tuple[Form, ...]) -> None:
        """Read ``forms`` without the parsers from the first User-Agent that begins as one of them
        (`_first_form`): they are compiled then (4-5 ms), and not in a process that meets none."""
        self._forms, self._kept_forms = forms, None
        self._form_prefixes = tuple(dict.fromkeys(form.prefix for form in forms))
        self._read_form = self._first_form if forms else no_form
        if forms and self._make_parts is not None:
            self._forms_key = _forms_cache.key_of(forms)  # before the parts are loaded

    def _first_form(self, ua: str) -> FormRead | None:
        """`_read_form` until a User-Agent begins as one of the forms: then they are compiled."""
        if not ua.startswith(self._form_prefixes):
            return None
        self._compile_forms()
        return self._read_form(ua)

    def _compile_forms(self) -> None:
        """The forms, read as this machine keeps what the parts call them where the parts are not
        built (until they are: `_build_parts` mends them), else learned from the parts (built for
        it), and kept where that differs. A race compiles them twice: harmless."""
        kept = _forms_cache.kept(self._forms, self._forms_key)
        if kept is None:
            forms = self._built_forms()
            self._read_form = forms.read
            _forms_cache.keep(self._forms, forms.learned, self._forms_key)
            return
        forms = Forms.known(self._forms, kept)
        with _building:  # not while another thread builds the parts: before it (which mends them), or after
            if self._make_parts is not None:
                self._kept_forms, self._read_form = forms, forms.read
            else:
                self._mend_kept_forms(forms)

    def _built_forms(self) -> Forms:
        return Forms(self._forms, self._bot_and_next, self._browser_and_os, self._token_named)

    def _token_named(self, ua: str, then: str) -> tuple[str, str] | None:
        """The browser's token ``then`` (what the pass after the bot patterns found first) and its
        version, where `__call__` reads only the OS beside it (no device name in ``ua``)."""
        if then == _AGENT or without_device_names(ua) != ua:
            return None
        return self._tokens.at(ua, then)

    def _not_a_name(self, ua: str, bot: str) -> str | None:
        """``bot``, unless crawlerdetect matched a device's or a browser's own name in ``ua``
        ("C Bot Tab 70", "CocCoc/46"): then what the rest of ``ua`` says."""
        masked = without_device_names(ua)
        if bot in TOKENS:
            masked = self._tokens.remove(masked)
        return self._bots(masked) if bot not in masked else bot

    def _parse(self, ua: str) -> tuple[Part | None, Part | None]:
        from ua_parser import Domain  # here: browsercheck's own resolver needs no ua-parser at all

        parsed = self._resolver(ua, Domain.USER_AGENT | Domain.OS)  # the device class comes from tokens
        return parsed.user_agent, parsed.os

    @classmethod
    def default(cls) -> Detector:
        """ua-parser's precompiled rules on its native resolver, and crawlerdetect's bot list: built
        where a User-Agent first needs them (`build`), which one of the fixed forms does not where
        this machine keeps what they call the forms (`_forms_cache`)."""
        detector = cls.__new__(cls)
        detector._start()
        detector._unbuilt(_default_parts)
        detector._use_forms(FORMS)
        return detector

    def __call__(self, ua: str) -> Client:
        ua = clean_user_agent(ua)
        if not ua or ua.isspace():
            return _EMPTY
        token = None
        browser: Part | None
        parsed_os: Part | None
        if (form := self._read_form(ua)) is not None:
            named, browser, parsed_os = form  # no bot, no agent's mark: as the parsers read it
            token = self._tokens.at(ua, named) if named is not None else None
        else:
            bot, first = self._bot_and_next(ua)
            if bot:
                return no_browser(bot, Device.BOT, bot=bot)
            if first == _AGENT and (agent := agent_marker(ua)):
                return no_browser(agent, Device.BOT, bot=agent)
            if first is not None:
                # the passes match a superset (ignoring case; an agent's mark that was none)
                token = (first != _AGENT and self._tokens.at(ua, first)) or self._tokens.find(ua)
            if token is not None and without_device_names(ua) == ua:
                # the browser's own token names it and its version: ua-parser's reading of the browser
                # would be read for nothing (a fifth of browsers; 3 us each). Where a device name is
                # blanked below, it decides whether the OS is read again, and is read.
                browser, parsed_os = self._named_by_token(ua)
            else:
                browser, parsed_os = self._browser_and_os(ua)
        family = browser.family if browser is not None else "Other"  # read once: each read makes a str
        if browser is not None and family not in FAMILIES and (masked := without_device_names(ua)) != ua:
            # ua-parser may name a bot after a device ("XBot Junior"): read what the device name hides
            browser, parsed_os = self._browser_and_os(masked)
            family = browser.family if browser is not None else "Other"
        version = _version(browser)
        os, os_version = _os(parsed_os, ua)
        key = _browser_key(family, version, os, token[0] if token else None, ua)
        if token is not None:
            version = token[1]  # the browser's own version, as its own token says
        elif key == "webview_android" and family in ("Android", "Other", "Safari", "Mobile Safari"):
            version = os_version  # the old stock browser: browser-compat-data numbers it by Android
        if key is None and family == "Android":
            family, version = "Android app", None  # an app's HTTP stack names only Android's version
        # an app's own HTTP requests on Apple's systems (CFNetwork, Alamofire, AFNetworking: "News/1
        # CFNetwork/1410.0.3 Darwin/22.6.0", "App/42 (iPhone; iOS 17.5; Scale/3.00)", which ua-parser
        # calls a WKWebView): it reads the OS from them, but no web view draws what they fetch (one
        # always says "Mozilla/5.0 (iPhone; ...) AppleWebKit/...")
        http_stack = (
            key in (None, "webview_ios") and os in _APPLE_OSES and "Mozilla/" not in ua and "AppleWebKit/" not in ua
        )
        if http_stack:
            key, family, version = None, f"{os} app", None
        if "HbbTV/" in ua:
            key = version = None  # a smart TV's browser: judged by the engine the string carries
            family = "HbbTV browser"
        if token is None and key in _OWN_STRINGS and os in DESKTOP_OSES and (product := appended_product(ua)):
            return no_browser(product, Device.BOT, bot=product)  # a program in a desktop browser's clothes
        name = _display_name(key, family)
        engine, engine_version = _engine(key, version, ua)
        if key is None and engine is None and os is None and (program := program_name(ua)):
            return no_browser(program, Device.BOT, bot=program)
        frozen: set[str] = set()
        notes: list[str] = []
        fallback = None

        if os in (IOS, IPADOS) and os_version and not http_stack:
            # Every iOS browser is the system's WebKit; since Safari 26 the OS token is frozen
            # at 18.6 and Safari's Version/ is the real release.
            safari = _SAFARI_VERSION.search(ua)
            safari_major = _major(safari.group(1)) if safari else None
            if safari and safari_major is not None and safari_major >= _FIRST_UNFROZEN_SAFARI:
                os_version = _major_minor(safari.group(1))
                notes.append(f"iOS version read from Version/{safari.group(1)}")
            elif os_version == _IOS_FROZEN_AT:  # exactly: an 18.6.2 is one, really
                frozen.add("os_version")
            engine = WEBKIT
            engine_version = version if key == "safari_ios" else os_version
            if key != "safari_ios":
                fallback = "safari_ios"
                notes.append(f"{name} on iOS uses the system's WebKit: judged by iOS {os_version}")
        elif os == ANDROID and "; wv)" in ua and key != "webview_android":
            fallback = "webview_android"  # an app's WebView, judged as one where not named

        if os == WINDOWS and os_version == "10":
            frozen.add("os_version")  # Windows 11 also says "Windows NT 10.0"
        elif os == MACOS and os_version and os_version.startswith("10.15"):
            frozen.add("os_version")  # browsers cap macOS at 10.15(.7)
        elif os == ANDROID and "Android 10; K)" in ua:
            frozen.add("os_version")  # Chromium's reduced Android token
        if engine == BLINK and (_major(engine_version) or 0) >= _FIRST_REDUCED_CHROMIUM:
            # Chromium sends MAJOR.0.0.0: only the major version is real (before, a version such
            # as Android 4.4 WebView's "Chrome/33.0.0.0" was as sent)
            if version and version.endswith(".0.0.0"):
                frozen.add("version")
            if engine_version and engine_version.endswith(".0.0.0"):
                frozen.add("engine_version")

        return make_client(
            key,
            name,
            version,
            engine,
            engine_version,
            os,
            os_version,
            _device(ua, os),
            None,
            fallback,
            frozenset(frozen),
            tuple(notes),
        )


def _default_parts() -> tuple[Resolver, BotCheck]:
    from ._resolver import NativeResolver

    return NativeResolver.builtin(), BotDetector.from_crawlerdetect(then=Detector.after_bots())


def _display_name(key: str | None, family: str) -> str:
    if key is not None:
        return BROWSERS[key].name
    return "Unknown" if family == "Other" else family


def _os(parsed: Part | None, ua: str) -> tuple[str | None, str | None]:
    if parsed is None or (family := parsed.family) == "Other":
        return None, None
    name = OS_FAMILIES.get(family, family)
    if name == IOS and "iPad" in ua:
        name = IPADOS
    version = None if name == LINUX else _version(parsed)
    return name, version
