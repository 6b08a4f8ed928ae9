"""The few User-Agents most browsers send, read without the parsers.

Chrome on Windows (10 and 11, 64-bit, and 32-bit Chrome on them; 8.1 and 7, 64-bit), macOS, Linux
and Android (reduced: phones and tablets); Edge, Opera, Vivaldi and Yandex Browser on 64-bit Windows
10 and 11, Edge on macOS; Samsung Internet (reduced); Firefox on the desktop and on Android; Safari,
Chrome, Firefox and Edge on the iPhone, Safari and Chrome on the iPad, Safari on the Mac send their
User-Agents in fixed forms where only version numbers change. A User-Agent that is one of them,
whole, needs no bot patterns (none matches it) and no ua-parser rules (they read what the numbers
say; where the browser's own token names it, the token is read as `Detector` reads it): those take
more than half the time of reading a browser. In the benchmark corpus and logs, 47-49% of the
distinct User-Agents are of these forms (39% before the forms of 2026-12-01 were added), read in
4-5 us instead of 9-11.

Only the shape of each form (a regex, and which of its numbers are the browser's and the OS's
version) is written here. What the parsers name it (the browser's and the OS's family, an OS's
fixed version, the token) is read from the parsers themselves when a detector builds its forms, on
an example of each, and a form they read otherwise than its shape says (another version of
ua-parser's rules, a bot pattern that matches it, another resolver) is not used: such User-Agents
are then read by the parsers, as any other. What the default detector's parsers call the forms is
kept per machine (`_forms_cache`), so that a fresh process reads them without building its parsers.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._resolver import Part


class Read(NamedTuple):
    """A browser or an OS as a form says it: what `Part` tells."""

    family: str
    major: str | None
    minor: str | None
    patch: str | None
    patch_minor: str | None


class Form(NamedTuple):
    """A User-Agent's fixed form: ``prefix``, then text that ``rest`` matches whole (ASCII digits:
    ``re.ASCII``), its groups numbered as ``browser`` and ``os`` say: the groups of the version's
    major, minor, patch and patch-minor. ``browser`` empty: the browser's own token names it (the
    registry's, as the bot check's pass finds it); ``os`` empty: the OS's text is fixed."""

    prefix: str
    rest: str
    browser: tuple[int, ...]
    os: tuple[int, ...]
    example: str


# Numbers of at most six digits and iOS builds as Apple writes them ("15E148", "22A3354"): a 13-digit
# number is a time stamp to the agents' marks ("Name/1700000000000"), and a word after Mobile/ can be
# a bot's name or a product ua-parser knows
_N = "[0-9]{1,6}"
_BUILD = "[0-9]{2}[A-Z][0-9]{1,4}[a-z]?"
_CHROME = rf"({_N})\.({_N})\.({_N})\.({_N})"
_BLINK = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
_SAMSUNG = "AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/"
_FIREFOX = rf"{_N}\.{_N}\) Gecko/20100101 Firefox/({_N})\.({_N})"
_SAFARI = rf"({_N})\.({_N})(?:\.({_N}))?"
_IOS = rf"({_N})_({_N})(?:_({_N}))?"
_WEBKIT = r"AppleWebKit/605\.1\.15 \(KHTML, like Gecko\)"
_MOBILE_SAFARI = rf"{_IOS} like Mac OS X\) {_WEBKIT} Version/{_SAFARI} Mobile/{_BUILD} Safari/604\.1"
"""Safari on the iPhone and the iPad, after the device's name: iOS's version, then Safari's."""

FORMS = (
    Form(
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}131.0.0.0 Safari/537.36",
    ),
    Form(  # Edge: its token Edg/ names it
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36 Edg/{_N}\.{_N}\.{_N}\.{_N}",
        (),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    ),
    Form(  # Opera, Vivaldi and Yandex Browser: their tokens name them
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36 OPR/{_N}\.{_N}\.{_N}\.{_N}",
        (),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}131.0.0.0 Safari/537.36 OPR/116.0.0.0",
    ),
    Form(
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36 Vivaldi/{_N}\.{_N}\.{_N}\.{_N}",
        (),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}130.0.0.0 Safari/537.36 Vivaldi/7.0.3495.27",
    ),
    Form(  # Yandex Browser's token comes before Safari's (Yowser/: its "Alice" assistant)
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}",
        rf"{_CHROME} YaBrowser/{_N}\.{_N}\.{_N}\.{_N}(?: Yowser/{_N}\.{_N})? Safari/537\.36",
        (),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}124.0.0.0 YaBrowser/24.6.0.0 Safari/537.36",
    ),
    Form(  # 32-bit Chrome on 64-bit Windows, before Chrome's reduced User-Agent said Win64 always
        f"Mozilla/5.0 (Windows NT 10.0; WOW64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; WOW64) {_BLINK}109.0.0.0 Safari/537.36",
    ),
    Form(  # Windows 7 and 8.1, whose last Chrome is 109
        f"Mozilla/5.0 (Windows NT 6.1; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Windows NT 6.1; Win64; x64) {_BLINK}109.0.0.0 Safari/537.36",
    ),
    Form(
        f"Mozilla/5.0 (Windows NT 6.3; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Windows NT 6.3; Win64; x64) {_BLINK}109.0.0.0 Safari/537.36",
    ),
    Form(
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_BLINK}120.0.6099.109 Safari/537.36",
    ),
    Form(
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_BLINK}",
        rf"{_CHROME} Safari/537\.36 Edg/{_N}\.{_N}\.{_N}\.{_N}",
        (),
        (),
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_BLINK}131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    ),
    Form(
        f"Mozilla/5.0 (X11; Linux x86_64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (X11; Linux x86_64) {_BLINK}131.0.0.0 Safari/537.36",
    ),
    Form(  # Chrome's reduced User-Agent on Android phones: the model and Android's version hidden
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK}",
        rf"{_CHROME} Mobile Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK}131.0.0.0 Mobile Safari/537.36",
    ),
    Form(  # on Android tablets: no "Mobile"
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Linux; Android 10; K) {_BLINK}131.0.0.0 Safari/537.36",
    ),
    Form(  # Samsung Internet's reduced User-Agent, on phones and tablets
        f"Mozilla/5.0 (Linux; Android 10; K) {_SAMSUNG}",
        rf"({_N})\.({_N}) Chrome/{_N}\.{_N}\.{_N}\.{_N} Mobile Safari/537\.36",
        (1, 2),
        (),
        f"Mozilla/5.0 (Linux; Android 10; K) {_SAMSUNG}27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
    ),
    Form(
        f"Mozilla/5.0 (Linux; Android 10; K) {_SAMSUNG}",
        rf"({_N})\.({_N}) Chrome/{_N}\.{_N}\.{_N}\.{_N} Safari/537\.36",
        (1, 2),
        (),
        f"Mozilla/5.0 (Linux; Android 10; K) {_SAMSUNG}27.0 Chrome/125.0.0.0 Safari/537.36",
    ),
    Form(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:",
        _FIREFOX,
        (1, 2),
        (),
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    Form(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:",
        _FIREFOX,
        (1, 2),
        (),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    Form(
        "Mozilla/5.0 (X11; Linux x86_64; rv:",
        _FIREFOX,
        (1, 2),
        (),
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    Form(
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:",
        _FIREFOX,
        (1, 2),
        (),
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    Form(  # Firefox on Android: Android's major version alone, then the device class
        "Mozilla/5.0 (Android ",
        rf"({_N}); Mobile; rv:{_N}\.{_N}\) Gecko/{_N}\.{_N} Firefox/({_N})\.({_N})",
        (2, 3),
        (1,),
        "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
    ),
    Form(
        "Mozilla/5.0 (Android ",
        rf"({_N}); Tablet; rv:{_N}\.{_N}\) Gecko/{_N}\.{_N} Firefox/({_N})\.({_N})",
        (2, 3),
        (1,),
        "Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0",
    ),
    Form(
        "Mozilla/5.0 (iPhone; CPU iPhone OS ",
        _MOBILE_SAFARI,
        (4, 5, 6),
        (1, 2, 3),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " Version/17.6.1 Mobile/15E148 Safari/604.1",
    ),
    Form(  # Chrome and Firefox on the iPhone: their tokens CriOS/ and FxiOS/ name them
        "Mozilla/5.0 (iPhone; CPU iPhone OS ",
        rf"{_IOS} like Mac OS X\) {_WEBKIT} CriOS/{_N}\.{_N}\.{_N}\.{_N} Mobile/{_BUILD} Safari/604\.1",
        (),
        (1, 2, 3),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    ),
    Form(
        "Mozilla/5.0 (iPhone; CPU iPhone OS ",
        rf"{_IOS} like Mac OS X\) {_WEBKIT} FxiOS/{_N}\.{_N}(?:\.{_N})? Mobile/{_BUILD} Safari/605\.1\.15",
        (),
        (1, 2, 3),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
    ),
    Form(  # Edge on the iPhone: its token EdgiOS/ names it (three numbers: major, build, patch)
        "Mozilla/5.0 (iPhone; CPU iPhone OS ",
        rf"{_IOS} like Mac OS X\) {_WEBKIT} Version/{_N}\.{_N} EdgiOS/{_N}\.{_N}\.{_N} Mobile/{_BUILD}"
        r" Safari/60(?:5\.1\.15|4\.1)",
        (),
        (1, 2, 3),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " Version/17.0 EdgiOS/131.2903.92 Mobile/15E148 Safari/605.1.15",
    ),
    Form(  # an iPad before iPadOS 13, or one asking for mobile sites (since, it sends the Mac's form)
        "Mozilla/5.0 (iPad; CPU OS ",
        _MOBILE_SAFARI,
        (4, 5, 6),
        (1, 2, 3),
        "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6"
        " Mobile/15E148 Safari/604.1",
    ),
    Form(  # Chrome on the iPad: its token CriOS/ names it
        "Mozilla/5.0 (iPad; CPU OS ",
        rf"{_IOS} like Mac OS X\) {_WEBKIT} CriOS/{_N}\.{_N}\.{_N}\.{_N} Mobile/{_BUILD} Safari/604\.1",
        (),
        (1, 2, 3),
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    ),
    Form(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/",
        rf"{_SAFARI} Safari/605\.1\.15",
        (1, 2, 3),
        (),
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " Version/17.6 Safari/605.1.15",
    ),
)


Token = tuple[str, str]
"""A browser's own token and its version, as `ProductTokens.at` finds it: ``("Edg", "131.0.0.0")``."""

FormRead = tuple[str | None, Read | None, Read]
"""What `Forms.read` tells of a User-Agent of a form: the name of the token that names the browser,
or the browser (the other ``None``), and the OS."""


class Learned(NamedTuple):
    """What the parsers were seen to call a form's example: the browser's family, or the name of the
    token that names the browser (the other ``None``); the OS's family, or the whole OS where the
    form's text of it is fixed. Plain data: kept per machine (`_forms_cache`)."""

    browser: str | None
    token: str | None
    os: str | Read


class _Known(NamedTuple):
    """A form the parsers read as its shape says: the browser's family and its version's groups (in
    the alternation of all forms), or the name of the token that names the browser; and the OS:
    its family and version's groups, or the whole OS where the form's text of it is fixed."""

    browser: str | None
    browser_groups: tuple[int, ...]
    token: str | None
    os: str | Read
    os_groups: tuple[int, ...]


_PADDING = ((None,) * 4, (None,) * 3, (None,) * 2, (None,), ())
"""The fields after a version's groups: ``_PADDING[len(groups)]``."""


class Forms:
    """``forms.read(ua)``: for a User-Agent in one of the `FORMS` that the parsers were seen to read
    as its shape says, the name of the browser's token (where one names it), else the browser, and
    the OS, as `Detector` reads them; else ``None`` (then the parsers read it)."""

    def __init__(
        self,
        forms: tuple[Form, ...],
        bot_and_next: Callable[[str], tuple[str | None, str | None]],
        browser_and_os: Callable[[str], tuple[Part | None, Part | None]],
        token_named: Callable[[str, str], Token | None],
    ) -> None:
        """Each form is kept if, on its example, the bot check finds no bot and nothing after it
        (no agent's mark, no browser's token; for a form its token names, a token that
        ``token_named`` reads as the browser's), and ``browser_and_os`` reads what the form's shape
        says. (That the bot check and the parsers read every User-Agent of a form so is not
        checked here: `tests/test_forms.py` sweeps each form's versions for the shipped ones.)"""
        self._compile(forms)
        self._know(self.learn(bot_and_next, browser_and_os, token_named))

    @classmethod
    def known(cls, forms: tuple[Form, ...], learned: tuple[Learned | None, ...]) -> Forms:
        """``forms`` as a `Forms` of the same forms learned them (``learned``), the parsers not asked:
        what `_forms_cache` kept for the same parsers."""
        self = cls.__new__(cls)
        self._compile(forms)
        self._know(learned)
        return self

    def learn(
        self,
        bot_and_next: Callable[[str], tuple[str | None, str | None]],
        browser_and_os: Callable[[str], tuple[Part | None, Part | None]],
        token_named: Callable[[str, str], Token | None],
    ) -> tuple[Learned | None, ...]:
        """What the parsers call each form on its example (``None``: a form they read otherwise)."""
        return tuple(
            _learn(form, k, start, self._fullmatch, bot_and_next, browser_and_os, token_named)
            for k, (form, start) in enumerate(zip(self._forms, self._starts, strict=True))
        )

    def knowing(self, learned: tuple[Learned | None, ...]) -> Forms:
        """These forms, as ``learned`` (the regex not compiled again)."""
        other = copy.copy(self)
        other._know(learned)
        return other

    def _compile(self, forms: tuple[Form, ...]) -> None:
        # one alternation of all forms, tried in a fifth of the time of each form in turn; forms that
        # follow each other with the same prefix share it (it is not read again for the next). Each
        # form ends in an empty group named by its place, which tells which matched, and where the
        # next one's groups start
        alternatives = []
        for prefix, alike in itertools.groupby(enumerate(forms), key=lambda numbered: numbered[1].prefix):
            rests = "|".join(f"{form.rest}(?P<_{k}>)" for k, form in alike)
            alternatives.append(f"{re.escape(prefix)}(?:{rests})")
        pattern = re.compile("|".join(alternatives), re.ASCII)
        self._forms = forms
        self._fullmatch = pattern.fullmatch if forms else no_form
        self._starts = [pattern.groupindex[f"_{k - 1}"] if k else 0 for k in range(len(forms))]

    def _know(self, learned: tuple[Learned | None, ...]) -> None:
        if len(learned) != len(self._forms):
            raise ValueError(f"{len(learned)} forms learned for {len(self._forms)} forms")
        self.learned = learned
        """What the parsers call each form (``None``: a form they read otherwise), as `Forms.known` takes it."""
        self._known = [
            None if entry is None else _known(form, start, entry)
            for form, start, entry in zip(self._forms, self._starts, learned, strict=True)
        ]
        self.kept = tuple(form for form, known in zip(self._forms, self._known, strict=True) if known is not None)
        """The forms read without the parsers."""

    def read(self, ua: str) -> FormRead | None:
        m = self._fullmatch(ua)
        if m is None:
            return None
        known = self._known[int(m.lastgroup[1:])]  # type: ignore[index]  # the form's empty group: the last
        if known is None:
            return None
        os = known.os if isinstance(known.os, Read) else _version(known.os, m, known.os_groups)
        if known.browser is None:
            return known.token, None, os  # the form has the token after a space, a digit after its "/"
        return None, _version(known.browser, m, known.browser_groups), os


def no_form(ua: str) -> None:
    """`Forms.read` where no form is read."""
    return None


def _learn(
    form: Form,
    k: int,
    start: int,
    fullmatch: Callable[[str], re.Match[str] | None],
    bot_and_next: Callable[[str], tuple[str | None, str | None]],
    browser_and_os: Callable[[str], tuple[Part | None, Part | None]],
    token_named: Callable[[str, str], Token | None],
) -> Learned | None:
    """What the parsers call ``form`` (the ``k``-th, its groups numbered after ``start``) on its
    example (the families, the token, the OS whole where its text is fixed), if they read it as its
    shape says."""
    m = fullmatch(form.example)
    if m is None or m.lastgroup != f"_{k}":
        raise ValueError(f"the example of a User-Agent form is not of its form: {form.example!r}")
    if any(len(groups) > 4 for groups in (form.browser, form.os)):
        raise ValueError(f"a form's version is read from at most four groups: {form.example!r}")
    bot, then = bot_and_next(form.example)
    browser, os = browser_and_os(form.example)
    if bot is not None or os is None:
        return None
    if not form.browser:  # its token names it: the browser as ua-parser reads it is not asked for
        if then is None or token_named(form.example, then) is None:
            return None
        family, token = None, then
    elif (
        then is not None
        or browser is None
        or _fields(browser) != _version(browser.family, m, tuple(start + i for i in form.browser))
    ):
        return None
    else:
        family, token = browser.family, None
    if form.os and _fields(os) != _version(os.family, m, tuple(start + i for i in form.os)):
        return None
    return Learned(family, token, os.family if form.os else _fields(os))


def _known(form: Form, start: int, learned: Learned) -> _Known:
    """``learned`` of ``form``, its groups numbered after ``start``, as `Forms.read` reads it."""
    browser_groups = tuple(start + i for i in form.browser)
    return _Known(learned.browser, browser_groups, learned.token, learned.os, tuple(start + i for i in form.os))


def _version(family: str, m: re.Match[str], groups: tuple[int, ...]) -> Read:
    # made as Read._make makes it, without its call: a third of the time (what a form saves is spent
    # on such calls); group() of two groups or more gives a tuple, of one its text
    numbers = m.group(*groups) if len(groups) > 1 else (m.group(groups[0]),)
    return _new(Read, (family, *numbers, *_PADDING[len(groups)]))


_new = tuple.__new__


def _fields(part: Part) -> Read:
    return Read(part.family, part.major, part.minor, part.patch, part.patch_minor)
