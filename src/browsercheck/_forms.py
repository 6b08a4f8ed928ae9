"""The few User-Agents most browsers send, read without the parsers.

Chrome on Windows, macOS, Linux and (reduced) Android, Firefox on the desktop, Safari on the iPhone
and the Mac send their User-Agents in a handful of fixed forms where only version numbers change. A
User-Agent that is one of them, whole, needs neither the bot patterns (none matches it) nor
ua-parser's browser and OS rules (they read what the numbers say): those cost 10 of the 18
microseconds of reading a browser, and these forms are a third of a busy site's distinct
User-Agents.

Only the shape of each form (a regex, and which of its numbers are the browser's and the OS's
version) is written here. What the parsers name it (the browser's and the OS's family, an OS's
fixed version) is read from the parsers themselves when a detector is built, on an example of the
form, and a form they read otherwise than its shape says (another version of ua-parser's rules,
a bot pattern that matches it, another resolver) is not used: such User-Agents are then read by
the parsers, as any other.
"""

from __future__ import annotations

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
    ``re.ASCII``), its groups numbered as ``browser`` and ``os`` say (the groups of the version's
    major, minor, patch and patch-minor, 0 for none; ``os`` empty: the OS's text is fixed)."""

    prefix: str
    rest: str
    browser: tuple[int, ...]
    os: tuple[int, ...]
    example: str


_CHROME = r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)"
_BLINK = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
_FIREFOX = r"[0-9]+\.[0-9]+\) Gecko/20100101 Firefox/([0-9]+)\.([0-9]+)"
_SAFARI = r"([0-9]+)\.([0-9]+)(?:\.([0-9]+))?"

FORMS = (
    Form(
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK}131.0.0.0 Safari/537.36",
    ),
    Form(
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_BLINK}",
        rf"{_CHROME} Safari/537\.36",
        (1, 2, 3, 4),
        (),
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_BLINK}120.0.6099.109 Safari/537.36",
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
        "Mozilla/5.0 (iPhone; CPU iPhone OS ",
        r"([0-9]+)_([0-9]+)(?:_([0-9]+))? like Mac OS X\) AppleWebKit/605\.1\.15 \(KHTML, like Gecko\)"
        rf" Version/{_SAFARI} Mobile/[0-9A-Z]+ Safari/604\.1",
        (4, 5, 6),
        (1, 2, 3),
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        " Version/17.6.1 Mobile/15E148 Safari/604.1",
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


class _Known(NamedTuple):
    """A form the parsers read as its shape says: the families they named, the version's groups (in
    the alternation of all forms), and the OS where its text is fixed."""

    browser: str
    browser_groups: tuple[int, ...]
    os: str | Read
    os_groups: tuple[int, ...]


_PADDING = ((None,) * 4, (None,) * 3, (None,) * 2, (None,), ())
"""The fields after a version's groups: ``_PADDING[len(groups)]``."""


class Forms:
    """``forms.read(ua)``: the browser and the OS of a User-Agent in one of the `FORMS` that the
    parsers were seen to read as its shape says, or ``None`` (then the parsers read it)."""

    def __init__(
        self,
        forms: tuple[Form, ...],
        bot_and_next: Callable[[str], tuple[str | None, str | None]],
        browser_and_os: Callable[[str], tuple[Part | None, Part | None]],
    ) -> None:
        """Each form is kept if, on its example, the bot check finds nothing (no bot, no agent's
        mark, no browser's token) and ``browser_and_os`` reads what the form's shape says."""
        # one alternation of all forms, compiled once (3 ms of start-up as a regex each; a fifth of
        # the time of trying each in turn): each form ends in an empty group named by its place,
        # which tells which matched, and where the next one's groups are numbered from
        alternatives = (f"{re.escape(form.prefix)}(?:{form.rest})(?P<_{k}>)" for k, form in enumerate(forms))
        pattern = re.compile("|".join(alternatives), re.ASCII)
        self._fullmatch = pattern.fullmatch if forms else _none
        starts = [0, *(pattern.groupindex[f"_{k}"] for k in range(len(forms)))]
        self._known = [
            _learn(form, k, start, self._fullmatch, bot_and_next, browser_and_os)
            for k, (form, start) in enumerate(zip(forms, starts, strict=False))
        ]
        self.kept = tuple(form for form, known in zip(forms, self._known, strict=True) if known is not None)
        """The forms read without the parsers."""

    def read(self, ua: str) -> tuple[Read, Read] | None:
        m = self._fullmatch(ua)
        if m is None:
            return None
        known = self._known[int(m.lastgroup[1:])]  # type: ignore[index]  # the form's empty group: the last
        if known is None:
            return None
        browser = Read(known.browser, *m.group(*known.browser_groups), *_PADDING[len(known.browser_groups)])
        if isinstance(known.os, Read):
            return browser, known.os
        return browser, Read(known.os, *m.group(*known.os_groups), *_PADDING[len(known.os_groups)])


def _none(ua: str) -> None:
    return None


def _learn(
    form: Form,
    k: int,
    start: int,
    fullmatch: Callable[[str], re.Match[str] | None],
    bot_and_next: Callable[[str], tuple[str | None, str | None]],
    browser_and_os: Callable[[str], tuple[Part | None, Part | None]],
) -> _Known | None:
    """``form`` (the ``k``-th, its groups numbered after ``start``) with the families the parsers
    give its example (the OS whole where its text is fixed), if they read it as its shape says."""
    m = fullmatch(form.example)
    if m is None or m.lastgroup != f"_{k}":
        raise ValueError(f"the example of a User-Agent form is not of its form: {form.example!r}")
    if bot_and_next(form.example) != (None, None):
        return None
    browser, os = browser_and_os(form.example)
    browser_groups = tuple(start + i for i in form.browser)
    if browser is None or os is None or _fields(browser) != _version(browser.family, m, browser_groups):
        return None
    if not form.os:
        return _Known(browser.family, browser_groups, _fields(os), ())
    os_groups = tuple(start + i for i in form.os)
    if _fields(os) != _version(os.family, m, os_groups):
        return None
    return _Known(browser.family, browser_groups, os.family, os_groups)


def _version(family: str, m: re.Match[str], groups: tuple[int, ...]) -> Read:
    return Read(family, *(m.group(i) for i in groups), *_PADDING[len(groups)])


def _fields(part: Part) -> Read:
    return Read(part.family, part.major, part.minor, part.patch, part.patch_minor)
