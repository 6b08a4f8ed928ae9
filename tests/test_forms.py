"""The fixed forms most browsers send are read without the parsers, exactly as the parsers read them."""

from __future__ import annotations

import concurrent.futures
import marshal
import os
import random
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import browsercheck
from browsercheck import _detect, _forms_cache, _machine_cache
from browsercheck._detect import Detector
from browsercheck._forms import FORMS, Form, Forms, no_form
from browsercheck._lazy import Lazy
from browsercheck._machine_cache import own_code, package_files

_BLINK = "AppleWebKit/537.36 (KHTML, like Gecko)"
_WIN = "Windows NT 10.0; Win64; x64"
_MAC = "Macintosh; Intel Mac OS X 10_15_7"
_WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"


def _chrome(r: random.Random, major: int) -> str:
    return (
        f"{major}.0.0.0" if r.random() < 0.5 else f"{major}.{r.randint(0, 3)}.{r.randint(0, 7999)}.{r.randint(0, 299)}"
    )


def _ios(r: random.Random, major: int) -> str:
    return f"{major}_{r.randint(0, 7)}" + (f"_{r.randint(1, 3)}" if r.random() < 0.4 else "")


def _safari(r: random.Random, major: int) -> str:
    return f"{major}.{r.randint(0, 7)}" + (f".{r.randint(1, 3)}" if r.random() < 0.4 else "")


def _mobile_safari(r: random.Random, v: int, device: str) -> str:
    build = r.choice(["15E148", "21G93", "22A3354"])
    return (
        f"Mozilla/5.0 ({device} {_ios(r, v % 30)} like Mac OS X) {_WEBKIT}"
        f" Version/{_safari(r, v % 30)} Mobile/{build} Safari/604.1"
    )


# the forms as browsers send them, written out here apart from the module's regexes
_SENT: dict[str, Callable[[random.Random, int], str]] = {
    "chrome windows": lambda r, v: f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36",
    "chrome mac": lambda r, v: f"Mozilla/5.0 ({_MAC}) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36",
    "chrome linux": lambda r, v: f"Mozilla/5.0 (X11; Linux x86_64) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36",
    "chrome android": lambda r, v: (
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} Chrome/{_chrome(r, v)} Mobile Safari/537.36"
    ),
    "chrome android tablet": lambda r, v: (
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
    ),
    "samsung internet android": lambda r, v: (
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} SamsungBrowser/{v % 40}.{r.randint(0, 9)}"
        f" Chrome/{_chrome(r, v)} Mobile Safari/537.36"
    ),
    "samsung internet android tablet": lambda r, v: (
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} SamsungBrowser/{v % 40}.{r.randint(0, 9)}"
        f" Chrome/{_chrome(r, v)} Safari/537.36"
    ),
    "edge windows": lambda r, v: (
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
        f" Edg/{v}.0.{r.randint(0, 3000)}.{r.randint(0, 99)}"
    ),
    "opera windows": lambda r, v: (
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
        f" OPR/{v % 150}.0.{r.randint(0, 5999)}.{r.randint(0, 99)}"
    ),
    "vivaldi windows": lambda r, v: (
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
        f" Vivaldi/{v % 12}.{r.randint(0, 9)}.{r.randint(0, 3999)}.{r.randint(0, 99)}"
    ),
    "yandex windows": lambda r, v: (
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/{_chrome(r, v)}"
        f" YaBrowser/{v % 30}.{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(0, 999)}"
        f"{r.choice(['', ' Yowser/2.5'])} Safari/537.36"
    ),
    "chrome windows 32-bit": lambda r, v: (
        f"Mozilla/5.0 (Windows NT 10.0; WOW64) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
    ),
    "chrome windows 7": lambda r, v: (
        f"Mozilla/5.0 (Windows NT 6.1; Win64; x64) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
    ),
    "chrome windows 8.1": lambda r, v: (
        f"Mozilla/5.0 (Windows NT 6.3; Win64; x64) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36"
    ),
    "edge mac": lambda r, v: f"Mozilla/5.0 ({_MAC}) {_BLINK} Chrome/{_chrome(r, v)} Safari/537.36 Edg/{_chrome(r, v)}",
    "firefox windows": lambda r, v: f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "firefox mac": lambda r, v: f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "firefox linux": lambda r, v: (
        f"Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.{r.randint(0, 2)}"
    ),
    "firefox ubuntu": lambda r, v: (
        f"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.{r.randint(0, 2)}"
    ),
    "firefox android": lambda r, v: (
        f"Mozilla/5.0 (Android {v % 20}; Mobile; rv:{r.choice([v, 109])}.0) Gecko/{v}.0 Firefox/{v}.{r.randint(0, 2)}"
    ),
    "firefox android tablet": lambda r, v: (
        f"Mozilla/5.0 (Android {v % 20}; Tablet; rv:{v}.0) Gecko/{v}.0 Firefox/{v}.0"
    ),
    "safari iphone": lambda r, v: _mobile_safari(r, v, "iPhone; CPU iPhone OS"),
    "chrome iphone": lambda r, v: (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS {_ios(r, v % 30)} like Mac OS X) {_WEBKIT}"
        f" CriOS/{v}.0.{r.randint(1000, 7000)}.{r.randint(0, 300)} Mobile/15E148 Safari/604.1"
    ),
    "firefox iphone": lambda r, v: (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS {_ios(r, v % 30)} like Mac OS X) {_WEBKIT}"
        f" FxiOS/{v}.{r.randint(0, 3)}{r.choice(['', '.1'])} Mobile/15E148 Safari/605.1.15"
    ),
    "edge iphone": lambda r, v: (
        f"Mozilla/5.0 (iPhone; CPU iPhone OS {_ios(r, v % 30)} like Mac OS X) {_WEBKIT} Version/{v % 30}.0"
        f" EdgiOS/{v}.{r.randint(1000, 3500)}.{r.randint(0, 99)} Mobile/15E148"
        f" Safari/{r.choice(['605.1.15', '604.1'])}"
    ),
    "chrome ipad": lambda r, v: (
        f"Mozilla/5.0 (iPad; CPU OS {_ios(r, v % 30)} like Mac OS X) {_WEBKIT}"
        f" CriOS/{v}.0.{r.randint(1000, 7000)}.{r.randint(0, 300)} Mobile/15E148 Safari/604.1"
    ),
    "safari ipad": lambda r, v: _mobile_safari(r, v, "iPad; CPU OS"),
    "safari mac": lambda r, v: (
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_WEBKIT} Version/{_safari(r, v % 30)} Safari/605.1.15"
    ),
}


@pytest.fixture(scope="module")
def detectors() -> tuple[Detector, Detector]:
    """The default detector as a fresh process makes it on a machine that keeps what the parsers
    call the forms (it reads them from there), and one that reads every User-Agent with the parsers."""
    _reading_forms()  # learns the forms, and keeps them
    with_forms, parsers_only = Detector.default(), Detector.default()
    with_forms(FORMS[0].example)
    assert with_forms._kept_forms is not None, "read from what this machine keeps"
    parsers_only._use_forms(())
    return with_forms, parsers_only


def _reading_forms() -> Detector:
    """The default detector, its forms learned from its parts (and kept)."""
    detector = Detector.default()
    detector.build()
    detector(FORMS[0].example)  # the first of a form: learned then
    assert _reads_forms(detector) and detector._kept_forms is None
    return detector


def _forms(detector: Detector, forms: tuple[Form, ...] = FORMS, **parts: Any) -> Forms:
    """``forms`` learned as ``detector`` learns them, any of its parts swapped."""
    return Forms(
        forms,
        parts.get("bot_and_next", detector._bot_and_next),
        parts.get("browser_and_os", detector._browser_and_os),
        parts.get("token_named", detector._token_named),
    )


def test_every_form_is_read_as_the_parsers_read_its_example(detectors: tuple[Detector, Detector]) -> None:
    """Were one dropped (ua-parser's rules read it otherwise now), its User-Agents would cost the
    parsers again: this names it."""
    with_forms, _ = detectors
    assert [form.example for form in with_forms._built_forms().kept] == [form.example for form in FORMS]


def test_each_form_is_swept_by_a_generator_of_its_own(detectors: tuple[Detector, Detector]) -> None:
    """Each generator below writes one form, and no two the same one: a generator that drifted into
    a neighbouring form (a tablet's into a phone's) would leave its own unswept."""
    fullmatch = detectors[0]._built_forms()._fullmatch
    written: dict[str, set[str | None]] = {}
    for name, write in _SENT.items():
        r = random.Random(name)
        matches = [fullmatch(write(r, major)) for major in range(1, 400)]
        written[name] = {m.lastgroup if m else None for m in matches}
    assert all(len(forms) == 1 and None not in forms for forms in written.values()), written
    swept = sorted(str(form) for forms in written.values() for form in forms)
    assert swept == sorted(f"_{k}" for k in range(len(FORMS)))


@pytest.mark.parametrize("form", sorted(_SENT))
def test_a_form_gives_the_client_the_parsers_give_at_every_version(
    form: str, detectors: tuple[Detector, Detector]
) -> None:
    """Read as a fresh process reads them: from what this machine keeps, the parts never built
    (which would learn the forms again, and mend what is kept)."""
    _, parsers_only = detectors
    with_forms = Detector.default()
    r = random.Random(form)
    sent = [_SENT[form](r, major) for major in range(1, 400)]
    assert all(with_forms._read_form(ua) is not None for ua in sent), "the test's User-Agents are of the form"
    for ua in sent:
        assert with_forms(ua) == parsers_only(ua), ua
    assert with_forms._make_parts is not None and with_forms._kept_forms is not None, "read from what is kept"


@pytest.mark.parametrize(
    "ua",
    [
        # a token after the form: another browser, or a program dressed as one
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0 Agency/93.8",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/131.0.0.0 Safari/537.36 Edge/18.19045",
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0 (Edition Yx GX)",
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/131.0.0.0 Safari/537.36 Vivaldi/7.0.3495.27 Bot/1.0",
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/131.0.0.0 Safari/537.36 YaBrowser/24.12.0.0 Yowser/2.5",  # not sent
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/131.0.0.0 YaBrowser/24.1.8.90.00 SA/3 Safari/537.36",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) {_WEBKIT} Version/17.0 EdgiOS/131.0.2903.92"
        " Mobile/15E148 Safari/605.1.15",
        f"Mozilla/5.0 (X11; Linux x86_64) {_BLINK} HeadlessChrome/131.0.0.0 Safari/537.36",
        f"Mozilla/5.0 (X11; Linux x86_64) {_BLINK} Chrome/131.0.0.0 Safari/537.36 (compatible; Googlebot/2.1)",
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} Chrome/131.0.0.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/490.0]",
        f"Mozilla/5.0 (Linux; Android 10; K; wv) {_BLINK} Version/4.0 Chrome/131.0.0.0 Mobile Safari/537.36",
        # a token on Android: the parsers read the browser beside it, where the model's slot is (`Detector`)
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK} Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) {_WEBKIT} CriOS/131.0.6778.73 Mobile/15E148"
        " Safari/604.1 OPT/5.3.0",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) {_WEBKIT} EdgiOS/131.0.2903.92 Mobile/15E148"
        " Safari/605.1.15",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) {_WEBKIT} Mobile/15E148 Instagram 355.0.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0 SeaMonkey/2.53",
        # the form with something changed: spacing, case, other digits, cut short
        f"Mozilla/5.0 ({_WIN}) {_BLINK} Chrome/1234567890123.0.0.0 Safari/537.36",  # an agent's time stamp
        f"Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) {_WEBKIT} Version/16.6 Mobile/IOI Safari/604.1",  # a bot
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) {_WEBKIT} Version/17.6 Mobile/WIRE Safari/604.1",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) {_WEBKIT} CriOS/131.0.6778.73 Mobile/XBLWP7"
        " Safari/604.1",  # ua-parser reads Windows Phone there
        f" Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/131.0.0.0 Safari/537.36",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/131.0.0.0 Safari/537.36 ",
        f"Mozilla/5.0 (windows nt 10.0; Win64; x64) {_BLINK} Chrome/131.0.0.0 Safari/537.36",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/\u0661\u0663\u0661.0.0.0 Safari/537.36",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/131.0.0 Safari/537.36",
        f"Mozilla/5.0 (Windows NT 6.2; Win64; x64) {_BLINK} Chrome/109.0.0.0 Safari/537.36",
        f"Mozilla/5.0 (Windows NT 6.1; WOW64) {_BLINK} Chrome/109.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Ubuntu; Linux i686; rv:133.0) Gecko/20100101 Firefox/133.0",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/131.0.0.0",
        f"Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) {_WEBKIT} Version/17.6 Safari/604.1",
        f"Mozilla/5.0 (iPod touch; CPU iPhone OS 12_5 like Mac OS X) {_WEBKIT} Version/12.1 Mobile/15E148 Safari/604.1",
    ],
)
def test_a_user_agent_that_is_not_a_form_whole_is_read_by_the_parsers(
    ua: str, detectors: tuple[Detector, Detector]
) -> None:
    with_forms, parsers_only = detectors
    assert with_forms._read_form(ua) is None
    assert with_forms(ua) == parsers_only(ua)


def _form(prefix: str, token: str | None = None) -> Form:
    return next(f for f in FORMS if f.example.startswith(prefix) and (token is None or f" {token}/" in f.example))


def test_a_form_the_parsers_read_otherwise_is_not_used() -> None:
    """Read on its example when the detector is built: a form is dropped where the parsers name
    another version than its shape says, where the bot check matches it or finds a token the form
    does not have, or where they read nothing."""
    detector = Detector.default()
    chrome = _form("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit")
    firefox = _form("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:")
    edge = _form("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit", "Edg")

    class Part:
        def __init__(self, family: str, *version: str | None) -> None:
            self.family = family
            self.major, self.minor, self.patch, self.patch_minor = (*version, None, None, None, None)[:4]

    def wrong_version(ua: str) -> tuple[Part | None, Part | None]:
        return Part("Chrome", "131", "0"), Part("Windows", "10")

    assert _forms(detector, (chrome, firefox, edge)).kept == (chrome, firefox, edge)
    assert _forms(detector, (chrome, firefox), browser_and_os=wrong_version).kept == ()
    assert _forms(detector, (chrome, edge), bot_and_next=lambda ua: ("Chrome-Lighthouse", None)).kept == ()
    assert _forms(detector, (chrome,), bot_and_next=lambda ua: (None, "Edg")).kept == ()  # a token it has not
    assert _forms(detector, (edge,), bot_and_next=lambda ua: (None, None)).kept == ()  # no token found
    assert _forms(detector, (edge,), token_named=lambda ua, then: None).kept == ()  # not read as the browser's
    assert _forms(detector, (chrome,), browser_and_os=lambda ua: (None, None)).kept == ()
    assert _forms(detector, ()).read(chrome.example) is None


def test_a_form_whose_example_is_not_of_it_is_an_error() -> None:
    detector = Detector.default()
    firefox = _form("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:")
    broken = FORMS[0]._replace(example=firefox.example)
    with pytest.raises(ValueError, match=re.escape(f"not of its form: '{firefox.example}'")):
        _forms(detector, (broken,))


def test_the_os_read_from_a_forms_numbers_is_the_parsers() -> None:
    """Safari on the iPhone: iOS's version comes from the form's numbers, Safari's from Version/
    (since Safari 26 they differ: the OS token is frozen at 18.6)."""
    detector = _reading_forms()
    ua = f"Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) {_WEBKIT} Version/26.1 Mobile/15E148 Safari/604.1"
    named, browser, os = detector._read_form(ua) or (None, None, None)
    assert named is None and browser is not None and os is not None
    assert (browser.family, browser.major, browser.minor, browser.patch) == ("Mobile Safari", "26", "1", None)
    assert (os.family, os.major, os.minor, os.patch) == ("iOS", "18", "6", None)
    client = detector(ua)
    assert (client.browser, client.version, client.os_version) == ("safari_ios", "26.1", "26.1")


def test_a_form_its_token_names_reads_the_os_from_its_numbers() -> None:
    """Chrome on the iPhone: CriOS/ names it (its version as written), iOS's version is the form's."""
    detector = _reading_forms()
    ua = f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) {_WEBKIT} CriOS/131.0.6778.73 Mobile/15E148"
    ua += " Safari/604.1"
    named, browser, os = detector._read_form(ua) or (None, None, None)
    assert (named, browser) == ("CriOS", None) and os is not None
    assert (os.family, os.major, os.minor, os.patch) == ("iOS", "17", "6", "1")
    client = detector(ua)
    assert (client.browser, client.version, client.os, client.os_version) == (
        "chrome_ios",
        "131.0.6778.73",
        "iOS",
        "17.6.1",
    )


def _reads_forms(detector: Detector) -> bool:
    return isinstance(getattr(detector._read_form, "__self__", None), Forms)


def _parts_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A count of the default detectors' parts built from now on."""
    built: list[int] = []
    make = _detect._default_parts

    def counted() -> Any:
        built.append(1)
        return make()

    monkeypatch.setattr(_detect, "_default_parts", counted)
    return built


def _kept_files(folder: Any) -> list[Any]:
    return sorted(folder.glob("forms-*.marshal"))


def test_a_form_is_read_without_the_parts_where_this_machine_keeps_what_they_call_the_forms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """The first default detector on a machine builds its parts for its first User-Agent, and
    learns the forms from them then; a later one (a fresh process) reads a form's User-Agent
    without them, as they read it, and builds them for the first User-Agent of no form."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    built = _parts_built(monkeypatch)
    chrome, bot = FORMS[0].example, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    first = Detector.default()
    assert not _reads_forms(first) and built == []  # nothing kept yet, and nothing built
    assert first(chrome) == detectors[1](chrome)
    assert built == [1] and _reads_forms(first) and len(_kept_files(tmp_path)) == 1

    later = Detector.default()
    assert not _reads_forms(later)  # compiled for the first User-Agent of a form
    edge = _form("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit", "Edg").example
    for ua in (chrome, edge, FORMS[-1].example):
        assert later(ua) == detectors[1](ua), ua
    assert built == [1] and _reads_forms(later) and later._kept_forms is not None
    assert later(bot).bot == "Googlebot"
    assert built == [1, 1]
    assert later(chrome) == detectors[1](chrome)


def test_forms_read_from_what_is_kept_are_the_forms_learned(detectors: tuple[Detector, Detector]) -> None:
    learned = _reading_forms()._built_forms()
    key = _forms_cache.key_of(FORMS)
    kept = _forms_cache.kept(FORMS, key)
    assert kept == learned.learned and all(entry is not None for entry in kept)
    known = Forms.known(FORMS, kept)
    assert known._known == learned._known and known.kept == FORMS
    assert [known.read(form.example) for form in FORMS] == [learned.read(form.example) for form in FORMS]
    assert _forms_cache.kept(FORMS[:-1], _forms_cache.key_of(FORMS[:-1])) is None  # other forms: learned anew
    with pytest.raises(ValueError, match="27 forms learned for 28 forms"):
        Forms.known(FORMS, kept[:-1])


def test_a_kept_file_that_is_wrong_mends_itself_once_the_parts_are_built(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """The key tells files apart by size and time: where that fails (two versions alike in both),
    what is kept may be another version's. It is trusted until the parts are built; then the forms
    are learned again from them, read as they say, and kept so."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    learned = _reading_forms()._built_forms().learned
    key = _forms_cache.key_of(FORMS)
    mac = FORMS.index(_form("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"))
    wrong = list(learned)
    wrong[0], wrong[mac] = learned[mac], learned[0]  # Chrome on Windows and on the Mac: each the other's OS
    _forms_cache.keep(FORMS, tuple(wrong), key)
    detector = Detector.default()
    chrome = FORMS[0].example
    assert detector(chrome).os == "macOS" and detectors[1](chrome).os == "Windows"  # trusted, as read
    assert detector("curl/8.5.0").bot == "curl"  # builds the parts: the forms learned again
    assert detector(chrome) == detectors[1](chrome)
    assert _forms_cache.kept(FORMS, key) == learned


@pytest.mark.parametrize("part", ["browsercheck", "ua_parser_rs", "crawlerdetect"])
def test_what_a_detector_learns_is_not_kept_where_the_files_changed_since_they_were_loaded(
    part: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """An upgrade while a process runs: it learns with the code it loaded, which is not what the
    files now say; the next process learns for itself."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    detector = Detector.default()  # takes the key as the files are
    if part == "browsercheck":  # its detection was loaded with this module, before the upgrade
        monkeypatch.setattr(_forms_cache, "own_code", lambda: ("/elsewhere", (("./_detect.py", 1, 2),)))
    else:
        monkeypatch.setattr(
            _forms_cache,
            "package_files",
            lambda name: ("/x", (("./__init__.py", 1, 2),)) if name == part else package_files(name),
        )
    assert detector(FORMS[0].example) == detectors[1](FORMS[0].example)
    assert _reads_forms(detector) and _kept_files(tmp_path) == []


def test_kept_forms_read_as_another_thread_builds_the_parts_are_mended_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """The parts built by another thread while this one reads what is kept: the build found
    nothing read yet to learn again, so the reading does it."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    learned = _reading_forms()._built_forms().learned
    mac = FORMS.index(_form("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"))
    wrong = list(learned)
    wrong[0], wrong[mac] = learned[mac], learned[0]
    _forms_cache.keep(FORMS, tuple(wrong), _forms_cache.key_of(FORMS))
    detector = Detector.default()
    known = Forms.known

    def known_while_built(forms: tuple[Form, ...], kept: Any) -> Forms:
        detector("curl/8.5.0")  # "another thread" builds the parts, between the reading of the file and its use
        return known(forms, kept)

    monkeypatch.setattr(Forms, "known", staticmethod(known_while_built))
    chrome = FORMS[0].example
    assert detector(chrome) == detectors[1](chrome)
    assert _forms_cache.kept(FORMS, _forms_cache.key_of(FORMS)) == learned


@pytest.mark.parametrize(
    "part", ["ua_parser_rs", "ua_parser_builtins", "crawlerdetect", "browsercheck", "python", "where"]
)
def test_what_is_kept_of_the_forms_is_passed_by_once_a_part_changes(
    part: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """Another version of ua-parser's rules or engine, of crawlerdetect's patterns, of browsercheck
    (an upgrade, an edit), of Python, or another install may call a form otherwise: it is learned
    again."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    _forms_cache.keep(FORMS, detectors[0]._built_forms().learned, _forms_cache.key_of(FORMS))
    assert _forms_cache.kept(FORMS, _forms_cache.key_of(FORMS)) is not None
    if part in ("browsercheck", "where"):  # another process, which loaded other files
        where, stamps = own_code()
        changed = ("/elsewhere", stamps) if part == "where" else (where, (("./_detect.py", 1, 2),))
        monkeypatch.setattr(_forms_cache, "_LOADED", changed)
    elif part == "python":
        monkeypatch.setattr(sys, "version", "3.99.0")
    else:
        monkeypatch.setattr(
            _forms_cache,
            "package_files",
            lambda name: ("/x", (("./__init__.py", 1, 2),)) if name == part else package_files(name),
        )
    assert _forms_cache.kept(FORMS, _forms_cache.key_of(FORMS)) is None


def test_no_key_no_keeping(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A part whose version cannot be told from its files (in a zip): nothing is kept or read."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))

    def not_files(name: str) -> Any:
        raise ImportError(f"{name} is not installed as a folder of files")

    monkeypatch.setattr(_forms_cache, "package_files", not_files)
    assert _forms_cache.key_of(FORMS) is None
    detector = Detector.default()
    assert detector(FORMS[0].example).browser == "chrome"
    assert list(tmp_path.iterdir()) == [] or _kept_files(tmp_path) == []


@pytest.mark.parametrize("stored", [b"", b"not marshal", marshal.dumps((1, 2)), None, (1, 2, 3), ("key", ())])
def test_kept_forms_that_cannot_be_read_are_learned_again(
    stored: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    key: Any = _forms_cache.key_of(FORMS)
    name = _forms_cache._file(key)
    if isinstance(stored, bytes):
        (tmp_path / name).write_bytes(stored)  # no checksum
    else:
        _machine_cache.keep(name, stored)
    assert _forms_cache.kept(FORMS, key) is None
    detector = Detector.default()
    assert detector(FORMS[0].example).browser == "chrome"
    assert _forms_cache.kept(FORMS, key) is not None  # learned again, and kept


def _form_at(prefix: str, token: str | None = None) -> int:
    return FORMS.index(_form(prefix, token))


@pytest.mark.parametrize(
    ("form", "entry"),
    [
        (0, (None, None, ("Windows", "10", None, None, None))),  # neither browser nor token
        (0, ("Chrome", "Edg", ("Windows", "10", None, None, None))),  # both
        (0, (None, "Edg", ("Windows", "10", None, None, None))),  # a token where the form has the numbers
        (0, ("Chrome", None, "Windows")),  # an OS's family where the form's OS is fixed
        (0, ("Chrome", None, ("Windows",))),  # an OS cut short
        (0, ("Chrome", None, 7)),
        ("edge", ("Edge", None, ("Windows", "10", None, None, None))),  # a browser where a token names it
        ("edge", (None, "NoSuchToken", ("Windows", "10", None, None, None))),  # a token the registry has not
        ("iphone", ("Mobile Safari", None, ("iOS", "17", "6", None, None))),  # the OS whole, where it has numbers
        (0, ["Chrome", None, ("Windows", "10", None, None, None)]),  # a list
    ],
)
def test_a_kept_entry_that_does_not_fit_its_form_is_not_read(
    form: int | str, entry: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """Behind a right key and checksum (written by hand): what a form could not have been learned
    as is no reading of it (its numbers would be read from groups it has not, or a token looked up
    that the registry has not: an error, or a wrong verdict), and all are learned again."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    at = {
        "edge": _form_at("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit", "Edg"),
        "iphone": _form_at("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1"),
    }.get(str(form), 0)
    key: Any = _forms_cache.key_of(FORMS)
    learned = detectors[0]._built_forms().learned
    plain = [None if e is None else _forms_cache._plain(e) for e in learned]
    _machine_cache.keep(_forms_cache._file(key), (key, tuple(plain)))
    assert _forms_cache.kept(FORMS, key) == learned  # as written by hand: read
    plain[at] = entry
    _machine_cache.keep(_forms_cache._file(key), (key, tuple(plain)))
    assert _forms_cache.kept(FORMS, key) is None
    detector = Detector.default()
    for ua in (FORMS[0].example, FORMS[at].example):
        assert detector(ua) == detectors[1](ua)


def test_a_cache_that_cannot_be_written_only_costs_the_learning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be")
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(blocked / "cache"))
    detector = Detector.default()
    assert detector(FORMS[0].example) == detectors[1](FORMS[0].example)
    assert _reads_forms(detector) and _forms_cache.kept(FORMS, _forms_cache.key_of(FORMS)) is None


@pytest.mark.parametrize("kept", ["nothing", "right", "wrong"])
def test_threads_that_need_the_parts_at_once_build_them_once(
    kept: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """With nothing kept, or what is kept right: every verdict the parsers'. Kept wrong (the key
    fooled): trusted until the parts are built, then mended, and kept so."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    learned = _reading_forms()._built_forms().learned
    if kept != "nothing":
        mac = FORMS.index(_form("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"))
        wrong = list(learned)
        if kept == "wrong":
            wrong[0], wrong[mac] = learned[mac], learned[0]
        _forms_cache.keep(FORMS, tuple(wrong), _forms_cache.key_of(FORMS))
    built = _parts_built(monkeypatch)
    detector = Detector.default()
    uas = ["curl/8.5.0", FORMS[0].example, "Mozilla/5.0 (compatible; bingbot/2.0)", FORMS[9].example, "", "x" * 3000]
    start = threading.Barrier(8)

    def read(k: int) -> list[Any]:
        start.wait()
        return [detector(ua) for ua in uas[k % len(uas) :] + uas[: k % len(uas)]]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(read, range(8)))
    assert built == [1]
    expected = {ua: detectors[1](ua) for ua in uas}
    if kept != "wrong":
        for k, clients in enumerate(results):
            assert clients == [expected[ua] for ua in uas[k % len(uas) :] + uas[: k % len(uas)]]
    assert [detector(ua) for ua in uas] == [expected[ua] for ua in uas]
    assert _forms_cache.kept(FORMS, _forms_cache.key_of(FORMS)) == learned


def test_a_detector_of_ones_own_parts_asks_them_of_every_user_agent() -> None:
    """The forms are checked against the shipped bot patterns and rules, not against others: a bot
    check of one's own is asked of a form's User-Agent too."""
    from browsercheck._resolver import NativeResolver

    chrome = FORMS[0].example
    detector = Detector(NativeResolver.builtin(), lambda ua: "Blocked" if ua == chrome else None)
    detector.build()  # nothing to build: its parts are given
    for _ in range(3):
        assert detector(chrome).bot == "Blocked"
    assert detector._read_form is no_form


def test_build_builds_the_parts_and_the_forms_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """What a fork inherits: the audit's judging forks, a preloading server's workers."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    built = _parts_built(monkeypatch)
    detector = Detector.default()
    detector.build()
    assert built == [1] and detector._resolver is not None and _reads_forms(detector)
    read = detector._read_form
    detector.build()
    detector(FORMS[0].example)
    detector("curl/8.5.0")
    assert built == [1] and detector._read_form == read


def test_a_process_that_meets_no_form_compiles_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    """Bots, apps, WebViews: User-Agents that do not begin as a form cost no compiling of the forms
    (4-5 ms of a first verdict); the first that does, once the parts are built, has them learned
    from the parts, not read from what is kept."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    _reading_forms()  # kept
    detector = Detector.default()
    webview = (
        "Mozilla/5.0 (Linux; Android 13; SM-S918B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Version/4.0 Chrome/131.0.6778.200 Mobile Safari/537.36"
    )
    for ua in ("curl/8.5.0", webview, "Mozilla/5.0 (compatible; Googlebot/2.1)", ""):
        assert detector(ua) == detectors[1](ua)
    assert detector._read_form == detector._first_form  # nothing compiled
    written: list[object] = []
    monkeypatch.setattr(_forms_cache, "keep", lambda *args: written.append(args))
    assert detector(FORMS[0].example) == detectors[1](FORMS[0].example)
    assert _reads_forms(detector) and detector._kept_forms is None
    assert written == []  # what is kept is what they learned: not written again


def test_a_fork_while_another_thread_builds_builds_its_own_in_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child of a fork taken while a thread held the building lock: the lock is the child's own
    (a copy of the held one would make it wait for ever), and the child builds its parts."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    make, started = _detect._default_parts, threading.Event()

    def slow() -> Any:
        started.set()
        time.sleep(0.5)
        return make()

    monkeypatch.setattr(_detect, "_default_parts", slow)
    detector = Detector.default()
    builder = threading.Thread(target=detector.build)
    builder.start()
    started.wait()
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: a fork while threads run
        pid = os.fork()
    if pid == 0:  # the child: answer within 20 s, or be killed by the alarm
        signal.alarm(20)
        os.write(write, (detector("curl/8.5.0").bot or "none").encode())
        os._exit(0)
    os.close(write)
    builder.join()
    answer = os.read(read, 100)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    assert (answer, status) == (b"curl", 0)


def test_a_checker_builds_only_browsercheck_s_own_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    built = _parts_built(monkeypatch)
    browsercheck.Checker(detector=Detector.default()).build()
    assert built == [1]
    asked = []

    class Callable:  # a detector of one's own: any callable, whatever else it has, is left as it is
        def __call__(self, ua: str) -> browsercheck.Client:
            raise AssertionError("not called")

        def build(self) -> None:
            asked.append(1)

    browsercheck.Checker(detector=Callable()).build()
    assert asked == []


def test_the_audit_builds_the_parts_before_it_forks_so_that_the_forks_share_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from browsercheck.audit import _audit

    events: list[str] = []
    build = browsercheck.Checker.build

    def recorded(self: browsercheck.Checker) -> None:
        events.append("build")
        build(self)

    monkeypatch.setattr(browsercheck.Checker, "build", recorded)

    class Forked:
        def __init__(self, *args: object) -> None:
            events.append("fork")

    monkeypatch.setattr(_audit, "ForkedBatches", Forked)
    judge = _audit._Judge(None, None, workers=2)
    judge._fork(["curl/8.5.0"])
    assert events == ["build", "build", "fork"]  # the policies loaded (`prepare`), then before forking


def test_judging_nothing_or_forms_alone_builds_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, detectors: tuple[Detector, Detector]
) -> None:
    from browsercheck import _checker

    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    _forms_cache.keep(FORMS, detectors[0]._built_forms().learned, _forms_cache.key_of(FORMS))
    monkeypatch.setattr(_checker, "_detector", Lazy(Detector.default))  # a fresh process's
    built = _parts_built(monkeypatch)
    assert browsercheck.check(FORMS[0].example).client.browser == "chrome"
    pytest.importorskip("pyarrow")
    import pyarrow as pa

    browsercheck.classify(pa.array([], pa.string()))
    browsercheck.classify(pa.array([FORMS[0].example, FORMS[4].example, FORMS[0].example]))
    assert built == []


@pytest.mark.parametrize(("browser", "os"), [((1, 2, 3, 4, 4), ()), ((1, 2), (1, 2, 3, 4, 1))])
def test_a_form_reads_a_version_from_at_most_four_groups(browser: tuple[int, ...], os: tuple[int, ...]) -> None:
    detector = Detector.default()
    form = FORMS[0]._replace(browser=browser, os=os)
    with pytest.raises(ValueError, match="a form's version is read from at most four groups"):
        _forms(detector, (form,))
