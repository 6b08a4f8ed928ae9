"""The fixed forms most browsers send are read without the parsers, exactly as the parsers read them."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pytest

import browsercheck
from browsercheck._detect import FORMS_AFTER, Detector
from browsercheck._forms import FORMS, Form, Forms, no_form

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
    """The default detector, and one that reads every User-Agent with the parsers."""
    with_forms, parsers_only = _reading_forms(), Detector.default()
    parsers_only._use_forms((), after=0)
    return with_forms, parsers_only


def _reading_forms() -> Detector:
    """The default detector, reading forms from the first User-Agent on."""
    detector = Detector.default()
    detector._use_forms(FORMS, after=0)
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
    with_forms, parsers_only = detectors
    r = random.Random(form)
    sent = [_SENT[form](r, major) for major in range(1, 400)]
    assert all(with_forms._read_form(ua) is not None for ua in sent), "the test's User-Agents are of the form"
    for ua in sent:
        assert with_forms(ua) == parsers_only(ua), ua


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


def test_the_default_detector_reads_forms_only_once_it_has_read_many() -> None:
    """Building the forms costs a few milliseconds, which they save only over about as many
    User-Agents: a process that judges a few does not build them, its first verdict does not wait."""
    detector = Detector.default()
    chrome = FORMS[0].example
    for _ in range(FORMS_AFTER - 1):
        detector(chrome)
    assert not isinstance(getattr(detector._read_form, "__self__", None), Forms)
    detector(chrome)  # read by the parsers still: the forms are built after it
    assert isinstance(getattr(detector._read_form, "__self__", None), Forms)
    assert detector._read_form(chrome) is not None


def test_a_detector_of_ones_own_parts_asks_them_of_every_user_agent() -> None:
    """The forms are checked against the shipped bot patterns and rules, not against others: a bot
    check of one's own is asked of a form's User-Agent too."""
    from browsercheck._resolver import NativeResolver

    chrome = FORMS[0].example
    detector = Detector(NativeResolver.builtin(), lambda ua: "Blocked" if ua == chrome else None)
    for _ in range(FORMS_AFTER + 1):
        assert detector(chrome).bot == "Blocked"


def test_a_detector_told_of_many_user_agents_builds_its_forms_at_once() -> None:
    """An audit or a column says how many distinct User-Agents it is about to read: as many as the
    detector would read before building its forms, and it builds them now."""
    detector = Detector.default()
    detector.expect_reads(FORMS_AFTER - 1)
    assert not isinstance(getattr(detector._read_form, "__self__", None), Forms)
    for _ in range(10):
        detector(FORMS[0].example)
    detector.expect_reads(FORMS_AFTER - 10)
    assert isinstance(getattr(detector._read_form, "__self__", None), Forms)
    own = Detector(detector._resolver, detector._bots)
    own.expect_reads(10 * FORMS_AFTER)  # a detector of one's own parts reads no forms, however many
    assert own._read_form is no_form


def test_a_checker_tells_its_detector_what_it_expects() -> None:
    detector = Detector.default()
    browsercheck.Checker(detector=detector)._expect_reads(FORMS_AFTER)
    assert isinstance(getattr(detector._read_form, "__self__", None), Forms)
    told = []

    class Callable:  # a detector of one's own: any callable, whatever else it has, is not told
        def __call__(self, ua: str) -> browsercheck.Client:
            return detector(ua)

        def expect_reads(self, count: int) -> None:
            told.append(count)

    browsercheck.Checker(detector=Callable())._expect_reads(FORMS_AFTER)
    assert told == []


def test_an_audits_judging_and_a_column_tell_how_many_they_are_about_to_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Judged in bulk, the distinct User-Agents are counted out to the detector first, so that the
    forms are built before the first one where there are enough to pay for them."""
    from browsercheck.audit._audit import judge_user_agents

    told: list[int] = []
    monkeypatch.setattr(browsercheck.Checker, "_expect_reads", lambda self, count: told.append(count))
    uas = [FORMS[0].example, FORMS[4].example, "curl/8.5.0"]
    judge_user_agents(uas + uas)
    assert told == [3]
    pytest.importorskip("pyarrow")
    import pyarrow as pa

    browsercheck.classify(pa.array(uas * 5 + [None]))
    assert told == [3, 4]


def test_nothing_to_read_builds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from browsercheck import _checker

    monkeypatch.setattr(_checker, "shared_detector", lambda: pytest.fail("the parsers were built"))
    browsercheck.Checker()._expect_reads(0)


@pytest.mark.parametrize(("browser", "os"), [((1, 2, 3, 4, 4), ()), ((1, 2), (1, 2, 3, 4, 1))])
def test_a_form_reads_a_version_from_at_most_four_groups(browser: tuple[int, ...], os: tuple[int, ...]) -> None:
    detector = Detector.default()
    form = FORMS[0]._replace(browser=browser, os=os)
    with pytest.raises(ValueError, match="a form's version is read from at most four groups"):
        _forms(detector, (form,))
