"""Bot detection: crawlerdetect's maintained patterns, run fast.

crawlerdetect (MIT) keeps about 1,500 bot patterns and a list of browser tokens it strips from the
User-Agent before matching them. Run as it ships (one Python alternation) it manages a few thousand
User-Agents a second. Here the patterns, anchors removed, are matched all at once: the plain-text
ones by an Aho-Corasick search in C, the others in ua-parser's native regex engine. Stripping only
removes text, so a User-Agent that matches none of them cannot be a bot: browsers stop there. The
rest are stripped as crawlerdetect strips them, and the first pattern found is checked exactly,
with Python's ``re``; in the rare case it
does not hold, crawlerdetect's own full expression decides. The answer is always crawlerdetect's
(a test compares them on every User-Agent in the test data and the benchmark corpus).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from . import _speedups

# The native engine (Rust's regex crate) has no lookarounds; such patterns run in Python's re.
_LOOKAROUND = re.compile(r"\(\?<?[=!]")


class _Found(Protocol):
    @property
    def family(self) -> str: ...


class _Extractor(Protocol):
    def extract(self, s: str, /) -> _Found | None: ...


# A pattern that is plain text: no metacharacters but escaped punctuation ("baidu\.com").
_LITERAL = re.compile(r"(?:[^.^$*+?{}\[\]|()\\]|\\[^0-9A-Za-z])*")

# What Python's re.IGNORECASE also matches to ASCII letters, beyond their other case: the dotted
# and dotless i, the long s, the Kelvin sign (str.lower would turn "İ" into two characters).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


_UNESCAPE = re.compile(r"\\(.)")


def _is_literal(pattern: str) -> bool:
    return pattern.isascii() and _LITERAL.fullmatch(pattern) is not None


def fold(text: str) -> str:
    """``text`` in lower case such that an ASCII text is in it exactly where Python's ``re``,
    ignoring case, finds that text in ``text``."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


class _PatternSet:
    """Patterns matched together, ignoring case: ``first(text)`` is the index of the first that
    matches, or of one before it that matches only without anchors (a superset: callers check).

    They run on the text `fold`ed, so that case is ignored as Python's ``re`` ignores it (Rust's
    case folding leaves the dotless i and the dotted I apart from i). Plain-text patterns (nine in
    ten) are searched for as they are, in lower case: by `_speedups.LiteralSet` (Aho-Corasick in
    C: built in a millisecond, where the native engine took 20 ms and 2 MB more for them), or
    where that was not compiled by the native engine, fifty to a rule (see `_GROUP`). The others
    run in the native engine case-insensitively, and those it cannot run (lookarounds) in ``re``.
    """

    def __init__(self, patterns: Sequence[str], folded: Sequence[str] = ()) -> None:
        literals: list[tuple[int, str]] = []
        others: list[tuple[int, str]] = []
        for i, p in enumerate(patterns):  # one pass: a few thousand patterns, on every start
            if _is_literal(p):
                literals.append((i, _UNESCAPE.sub(r"\1", p).lower() if "\\" in p else p.lower()))
            elif not _LOOKAROUND.search(p):
                others.append((i, f"(?i){p}"))
        # patterns written for the folded text, run as they are (after the others)
        then = [(len(patterns) + i, p) for i, p in enumerate(folded)]
        # the plain texts in C where it was compiled (`LiteralSet`: one pass, whatever their number)
        self._literals = _literal_set([text for _, text in literals])
        self._literal_index = [i for i, _ in literals]
        if self._literals is not None:
            self._groups: list[list[tuple[int, str]]] = []
            self._native, rejected = _native_syntax(others + then)
        else:
            # the plain-text patterns _GROUP to a native rule, in their order: a rule that matches
            # says one of its texts is in the folded text, and Python finds the first (bots only)
            self._groups = [literals[k : k + _GROUP] for k in range(0, len(literals), _GROUP)]
            groups = [(-1 - k, "|".join(re.escape(text) for _, text in group)) for k, group in enumerate(self._groups)]
            self._native, rejected = _native_syntax(groups + others + then)
        python = [(i, p) for i, p in enumerate(patterns) if _LOOKAROUND.search(p)]
        python += [(i, patterns[i]) for i, _ in rejected]
        self._python = [(i, re.compile(p, re.IGNORECASE), _leading_text(p)) for i, p in sorted(python)]
        # the others alone, for where a group matched: was one of them first? (built now: built on
        # the first bot, its 5 ms would land on a request; the C search needs none)
        self._others = _extractor([entry for entry in others if entry not in rejected]) if self._groups else None

    def first(self, text: str) -> int | None:
        folded = fold(text)
        index = _index(self._native.extract(folded))
        if self._literals is not None:  # the first plain text, and the first other (or then) pattern
            if (k := self._literals.first(folded)) is not None and (index is None or self._literal_index[k] < index):
                index = self._literal_index[k]
        elif index is not None and index < 0:  # a group of plain texts: which text, and any other before it
            assert self._others is not None  # for mypy: built with the groups
            index = self._first_plain(folded, -1 - index)
            other = _index(self._others.extract(folded))
            if other is not None and (index is None or other < index):
                index = other
        for i, pattern, required in self._python:
            if index is not None and i > index:
                break
            # a plain search for the text the pattern starts with first: re ignoring case is slow
            if required in folded and pattern.search(text):
                return i
        return index

    def _first_plain(self, folded: str, group: int) -> int | None:
        """The first plain-text pattern in ``folded``, from ``group`` on (the groups before it had none)."""
        for texts in self._groups[group:]:
            for i, text in texts:
                if text in folded:
                    return i
        return None


def _literal_set(texts: Sequence[str], starts: bool = False) -> _speedups.LiteralSet | None:
    """The C search over ``texts`` (lower-case ASCII; with ``starts``, where each starts too), or
    ``None`` where `_speedups` was not compiled (or is turned off, see `_COMPILED`): then
    ua-parser-rs runs them, in `_GROUP`s (and ``re`` strips the exclusions alone)."""
    if not _COMPILED:
        return None
    try:
        from ._speedups import LiteralSet
    except ImportError:  # installed where it could not be compiled
        return None
    return LiteralSet(texts, starts=starts)


_COMPILED = True
"""False runs the plain texts as the fallback does, where `_speedups` is missing (tests compare both)."""

_GROUP = 50
"""Plain-text patterns a native rule: the pass over them is twice as fast as with one rule each and
holds half the memory (about 4 MB less), and it compiles as fast."""


# One character at the head of a pattern: plain, an escaped punctuation mark, or a class of one such
# ("[ ]", "[\\.]"); then the quantifier after it, if any
_HEAD_UNIT = re.compile(r"(?:([^.^$*+?{}\[\]|()\\])|\\([^0-9A-Za-z])|\[(?:([^\]\\^])|\\([^0-9A-Za-z]))\])([?*+{]?)")


def _leading_text(pattern: str) -> str:
    """Lower-case text every match of ``pattern`` (ignoring case) starts with: its leading plain
    text, escapes undone, a class of one character read as that character ("yandex" of
    "Yandex(?!Search)", " intel" of "[ ]Intel"); "" where that cannot be told (an alternation, a
    class or group first)."""
    if "|" in pattern or not pattern.isascii():
        return ""
    text: list[str] = []
    at = 0
    while (m := _HEAD_UNIT.match(pattern, at)) is not None:
        *character, quantifier = m.groups()
        if quantifier in ("?", "*", "{"):
            break  # it may be missing: the text stops before it
        text.append(next(c for c in character if c is not None))
        if quantifier == "+":
            break  # once at least: what follows is not next to it
        at = m.end()
    return "".join(text).lower()


def _extractor(entries: Sequence[tuple[int, str]]) -> _Extractor:
    """The native engine over ``entries``: ``extract(text)`` names the first that matches."""
    import ua_parser_rs

    return ua_parser_rs.UserAgentExtractor((p, str(i), None, None, None, None) for i, p in entries)


def _native_syntax(entries: list[tuple[int, str]]) -> tuple[_Extractor, list[tuple[int, str]]]:
    """The native engine over those of ``entries`` it compiles, and those it does not (compiled
    once where all do: building it is most of the bot check's start-up)."""
    try:
        return _extractor(entries), []
    except ValueError:  # other syntax the native engine lacks: find which, one by one
        accepted, rejected = [], []
        for entry in entries:
            try:
                _extractor([entry])
            except ValueError:
                rejected.append(entry)
            else:
                accepted.append(entry)
        return _extractor(accepted), rejected


def _index(found: _Found | None) -> int | None:
    """The index a native rule was named by, of the rule that matched."""
    return int(found.family) if found is not None else None


# An expression whose letters mean the same in lower case: no escape but \d and escaped punctuation,
# no inline flags, and in a class letters only alone or in a range of one case ("[A-Z]" lowered is
# "[a-z]"), other ranges only of digits ("[0-_]" holds A-Z, which "[0-_]" lowered on the folded
# text would not find; "[0-A]" lowered would hold "[\]^_`" too), a "-" only last, and no class
# that starts with "]" (which Python reads as a character of the class).
_FOLDABLE = re.compile(
    r"(?:[^\\\[(]|\\[d\W]|\((?!\?)|\(\?:"
    r"|\[\^?(?:[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]|[A-Za-z0-9](?!-)|[^\]\\A-Za-z0-9-](?!-)|\\[d\W](?!-)|-(?=\]))+\])*"
)


class _CaseBlind:
    """A pattern matched ignoring case, as Python's ``re`` ignores it, faster.

    ``re`` ignoring case tries every branch and every letter of a class both ways, slowly: 17 us a
    User-Agent for crawlerdetect's 52 exclusions, 13 us for its catch-all pattern
    ``[a-z0-9\\-_]*(bot|crawl|...)`` on a long User-Agent. Where the pattern's letters mean the same
    in lower case, it runs in lower case, case-sensitively, on the `fold`ed text, which has one
    character for each of the text's and ASCII letters exactly where ``re`` ignoring case would
    match them: the same spans, taken out of the text itself, in a third to a fifth of the time.
    Any other pattern runs as it is.

    ``starts_with``: the texts (in lower case) one of which every match starts with, where known
    (crawlerdetect's exclusions: the text each of its 53 branches starts with). Then `removed_from`
    tries the pattern only where the C search (`_speedups.LiteralSet.starts`) finds one of them;
    ``re`` tries the branches at every place whose character can start one (most letters and the
    space can): 1.4 us a bot's User-Agent instead of 4.7 (the benchmark corpus's 1,194 bots).
    """

    def __init__(self, pattern: str, starts_with: Sequence[str] = ()) -> None:
        self._folded = re.compile(pattern.lower()) if pattern.isascii() and _FOLDABLE.fullmatch(pattern) else None
        self._exact = None if self._folded is not None else re.compile(pattern, re.IGNORECASE)
        known = self._folded is not None and bool(starts_with) and all(starts_with)
        self._starts = _literal_set(starts_with, starts=True) if known else None

    def search(self, text: str) -> str | None:
        """The text of ``text`` that the first match spans, or ``None``."""
        if self._folded is None:
            assert self._exact is not None  # for mypy: one of the two is compiled
            m = self._exact.search(text)
            return m.group() if m else None
        m = self._folded.search(fold(text))
        return text[m.start() : m.end()] if m else None

    def removed_from(self, text: str) -> str:
        """``text`` without what the pattern matches (``text`` itself where it matches nothing)."""
        if self._folded is None:
            assert self._exact is not None
            return self._exact.sub("", text)
        folded = fold(text)
        kept: list[str] = []
        end = 0
        for m in self._folded.finditer(folded) if self._starts is None else self._matches_at_starts(folded):
            kept.append(text[end : m.start()])
            end = m.end()
        if not kept:
            return text
        kept.append(text[end:])
        return "".join(kept)

    def _matches_at_starts(self, folded: str) -> Iterator[re.Match[str]]:
        """What ``finditer`` finds, tried only where one of the texts every match starts with is:
        elsewhere no match can start."""
        assert self._folded is not None and self._starts is not None  # for mypy: made together
        match, end = self._folded.match, 0
        for start in self._starts.starts(folded):
            if start >= end and (m := match(folded, start)) is not None:
                end = m.end()  # never empty (it starts with a text): the next is tried after it
                yield m


# An alternative that starts with an optional plain text, "(like )?Gecko(.[\\d\\.]*)?": greedy (not
# "??" or "?+"), and the rest neither another alternative nor a reference to the group.
_OPTIONAL_HEAD = re.compile(r"\(([^.^$*+?{}\[\]|()\\]+)\)\?(?![?+*{])((?:[^|\\]|\\\D)*)")


def known_starts(pattern: str) -> tuple[str, ...]:
    """``pattern`` as alternatives that each start with known text, to be put in its place in an
    alternation: "(like )?Gecko" as "like Gecko" and "Gecko", which match the same, in the same
    order. Python's ``re`` skips to where an alternation can start only where every alternative
    starts with a known character: crawlerdetect's one optional head made it try all 52
    exclusions at every position (stripping the corpus's User-Agents took a third longer)."""
    if m := _OPTIONAL_HEAD.fullmatch(pattern):
        return m.group(1) + m.group(2), m.group(2)
    return (pattern,)


def _unanchored(pattern: str) -> str:
    """The pattern without a leading ``^`` or trailing ``$``: it then matches a superset."""
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


_SEPARATORS = frozenset(" ;,()[]+")


def _product_name(ua: str, matched: str) -> str:
    """The product token around the matched text, without its version: "facebookexternalhit"."""
    start = ua.lower().find(matched.lower())
    if start < 0:  # the match spans text that stripping joined: report it as matched
        return matched.strip() or ua
    end = start + len(matched)
    while start > 0 and ua[start - 1] not in _SEPARATORS:
        start -= 1
    while end < len(ua) and ua[end] not in _SEPARATORS:
        end += 1
    token = ua[start:end]
    if "://" in token:  # the match is in the bot's contact address ("+http://www.baidu.com/..."): not a name
        return _named_beside_url(ua, token)
    return token.split("/", 1)[0] or matched


# The name a bot gives itself, where the pattern that found it matched its contact address: its
# "compatible;" product ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://...", "(KHTML, like
# Gecko; compatible; Google-PageRenderer; +https://..."), else the product it starts with
# ("meta-externalagent/1.1 (+https://...", "Slack-ImgProxy (+https://...")
_OWN_NAME = re.compile(r"[(;] ?compatible; ?([A-Za-z][\w.-]*)(?=[/;)]| \+)|^(?!Mozilla/)([A-Za-z][\w.-]*)(?=/|\s|$)")


def _named_beside_url(ua: str, url: str) -> str:
    """The bot's own name in ``ua``, else the host of its contact address ``url``."""
    if m := _OWN_NAME.search(ua):
        return m.group(1) or m.group(2)
    return url.split("://", 1)[1].split("/", 1)[0] or url


NOT_SCANNED = -1


def exclusions_stripper(branches: Sequence[str]) -> _CaseBlind:
    """crawlerdetect's exclusions (as `known_starts` writes them) as one pattern, tried only where a
    branch's leading text is (where each has one)."""
    return _CaseBlind("|".join(branches), [_leading_text(branch) for branch in branches])


class BotDetector:
    """``detector(ua)`` is the text that marks ``ua`` as a bot, or ``None`` for a browser.

    ``then``: patterns (the native engine's syntax, written for the text in lower case, as `fold`
    makes it) for the same native pass to look for where no bot pattern matches: `scan` tells the
    first that did. A caller that looks for more in every User-Agent so saves a pass of its own.
    """

    def __init__(self, patterns: Sequence[str], exclusions: Sequence[str], then: Sequence[str] = ()) -> None:
        self._patterns = tuple(patterns)
        self.then = tuple(then)
        self._gate = _PatternSet([_unanchored(p) for p in self._patterns], self.then)
        self._exclusion_branches = [branch for pattern in exclusions for branch in known_starts(pattern)]
        self._exclusions: _CaseBlind | None = None  # compiled for the first bot: 1 ms of every start
        self._exact: dict[int, _CaseBlind] = {}
        self._everything: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_crawlerdetect(cls, then: Sequence[str] = ()) -> BotDetector:
        from crawlerdetect.providers import crawlers, exclusions

        return cls(crawlers.data, exclusions.data, then)

    def __call__(self, ua: str) -> str | None:
        return self.scan(ua)[0]

    def scan(self, ua: str) -> tuple[str | None, int | None]:
        """``(bot, None)`` for a bot; ``(None, i)`` where no bot pattern matched and ``then[i]``
        was the first of the others that did (in lower case: a superset); ``(None, None)`` where
        none did; ``(None, NOT_SCANNED)`` where a bot pattern matched only what crawlerdetect's
        exclusions take away (then was not looked at)."""
        ua = ua.strip()
        first = self._gate.first(ua) if ua else None
        if first is None:
            return None, None
        if first >= len(self._patterns):
            return None, first - len(self._patterns)
        bot = self._bot(ua, first)
        return bot, None if bot is not None else NOT_SCANNED

    def _bot(self, ua: str, first: int) -> str | None:
        """The bot ``ua`` is, its patterns' `first` match known."""
        if self._exclusions is None:  # a race compiles it twice: harmless
            self._exclusions = exclusions_stripper(self._exclusion_branches)
        stripped = self._exclusions.removed_from(ua)
        if stripped is ua:  # no exclusion in it (the stripper returns the text itself): same first match
            index: int | None = first
        else:
            index = self._gate.first(stripped) if stripped else None
        if index is None or index >= len(self._patterns):
            return None
        if (matched := self._pattern(index).search(stripped)) is not None:
            return _product_name(ua, matched)
        # an anchored pattern matched only without its anchors: the full expression decides
        if m := self._all_patterns().search(stripped):
            return _product_name(ua, m.group())
        return None

    def _pattern(self, index: int) -> _CaseBlind:
        pattern = self._exact.get(index)
        if pattern is None:
            pattern = self._exact[index] = _CaseBlind(self._patterns[index])
        return pattern

    def _all_patterns(self) -> re.Pattern[str]:
        if self._everything is None:
            with self._lock:
                if self._everything is None:
                    self._everything = re.compile("|".join(f"(?:{p})" for p in self._patterns), re.IGNORECASE)
        return self._everything


# -- what crawlerdetect's list misses, and what it must not see ---------------------------------------
# Agents and fetchers that borrow a browser's User-Agent and add a mark of their own. Real browsers
# never write these: "like Gecko;" followed by a name inside the engine's parentheses, "compatible;"
# inside a WebKit, Blink or Gecko string (Internet Explorer's "compatible; MSIE" has none of them),
# a URL, a "+mailto:" or "+domain.tld" contact, a domain name or an e-mail address (browsers name
# no site of their own; an app's reversed "com.example.app" id is no domain), product names of AI
# agents, scanners, monitors and PowerShell (its "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows
# 10.0.19045; en-US) PowerShell/7.4.1": a command line), a version that is the time of the request in milliseconds since
# 1970 ("Time/1710630666672": scripts stamp their requests so), and a product written before a
# desktop browser's "Mozilla/5.0" ("PS_Daily/1.0 Mozilla/5.0 (Macintosh; ..."; the devices that
# write something first, TVs and feature phones, have no desktop platform there).
_AGENT_MARKERS = (
    r"like Gecko(?:; (?:compatible; ?)?(?P<inside>[^;)]+)|, (?P<engine>(?!Safari\b)[A-Z][a-z][\w-]*)\))",
    r"\(compatible; ?(?P<compatible>[A-Za-z][\w.-]*/[\d.]+)[^)]*\).*(?:AppleWebKit|Gecko/|Chrome/)",
    r"(?:AppleWebKit|Gecko/|Chrome/).*\(compatible; ?(?P<after>[A-Za-z][\w.-]*/[\d.]+)",
    r"(?P<url>\+https?://[^\s;)]+|[(;,] ?https?://[^\s;)]+|\+mailto:[^\s;)]+|\+[\w-]+\.[a-z]{2,}\b"
    r"|(?<![\w.-])[A-Za-z][\w-]*(?:\.[\w-]+)*\.(?:com|net|org|io|ai|co|app|dev|party|de|fr|nl|se|ru|uk)\b(?!\.)"
    r"|[\w.+-]+@[a-z][\w-]*\.[a-z]{2,})",
    r"(?P<name>\b[\w.]+-User\b|\b(?:[A-Z][\w-]* ?)?(?:Agent|Scan|Scanner|Headers|Diagnostics|Inspector|Research"
    r"|Monitor|Monitoring|Synthetics|Measurement|Verify|Watcher|Check|Checker)\b"
    r"|\b(?:ChatGPT|Claude|Perplexity|Devin|Manus|Sitebulb|Playwright|Selenium|Puppeteer|Checkly"
    r"|PowerShell|WindowsPowerShell))\b",
    r"(?P<stamp>\b[A-Za-z][\w-]*)/1\d{12}\b",
    r"^(?P<before>[A-Za-z][\w.-]*(?:/[\d.]+)?) Mozilla/[45]\.0 \((?:Windows NT|Macintosh|X11)",
)
# Where a browser names its device or itself, crawlerdetect's words ("Bot", "Spider", "Speedy")
# are model names: "C Bot Tab 70", "XBot Junior", "yandexstation_2". The Android model slot (with
# its Build/), the device list after HbbTV/, and the Cronet network stack of Android TV apps.
_DEVICE_NAMES = (
    ("Android", r"(Android[ _]?[\d.]*; (?:[a-z]{2}[-_][A-Za-z]{2,3}; )?)[^;)]*"),
    ("HbbTV/", r"((?:HbbTV|FVC)/[\d.]+ )\([^)]*\)"),
    ("FVC/", r"((?:HbbTV|FVC)/[\d.]+ )\([^)]*\)"),
    ("Cronet/", r"(; )Cronet/[\d.]+"),
)


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)  # on first use: importing browsercheck compiles nothing


_GATE_PLAIN = (("(?<![\\w.-])", "(?:^|[^\\w.-])"), ("(?!\\.)", ""), ("(?!Safari\\b)", ""))
"""The markers' lookarounds, and what the gate writes instead."""


def _plain(marker: str) -> str:
    for lookaround, instead in _GATE_PLAIN:
        marker = marker.replace(lookaround, instead)
    return marker


AGENT_GATE = tuple(_plain(marker) for marker in _AGENT_MARKERS)
"""The markers for the native engine, as a gate: browsers (nearly all User-Agents) stop there, in
a microsecond, and `agent_marker` names the mark. Lookarounds dropped or made plain: a superset."""


def agent_marker(ua: str) -> str | None:
    """What marks ``ua`` as an agent or fetcher in a browser's clothes, or ``None`` (run where
    `AGENT_GATE` matched: this is Python's ``re``)."""
    m = _pattern("|".join(_AGENT_MARKERS)).search(ua)
    if m is None:
        return None
    if url := m.group("url"):  # the contact's host: "+https://sitebulb.com" -> "sitebulb.com"
        return re.sub(r"^[+(;, ]*(?:https?://|mailto:)?", "", url).split("/", 1)[0].split("@")[-1] or url
    found = next(v for v in m.groupdict().values() if v)
    return found.strip().split("/", 1)[0].strip() or found


# A desktop browser's own string, whole, and one product more: after it ("... Safari/537.36
# Silktide", "... Firefox/89.0 MonitoRSS/1.0", "(compatible; MSIE 7.0; Windows NT) NewsNow/1.0") or
# between Chrome's last two tokens ("Chrome/140.0.0.0 newsai/1.0 Safari/537.36") or in Chrome's
# place ("(KHTML, like Gecko) KarnoProspectingStudio/0.1 Safari/537.36"). A desktop browser's own:
# on a Mac, macOS as browsers freeze it (10_15_7, or older); an app that writes the real one
# ("Intel Mac OS X 15_5") wrote its own string, and is not judged by this. The browsers that
# write their name there are in ua-parser's list or the registry's tokens (Edg, OPR, Vivaldi, Avast,
# ...: the caller asks only where neither named one), or are forks from before Chrome 50 (2016) and
# Firefox 57 (2017, when Firefox dropped the extensions its XUL forks were built on): CoolNovo,
# CometBird. Since, what adds a product of its own to Chrome's, Firefox's or Safari's string on a
# desktop is a program (monitors, scanners, readers), or names a browser ("TeslaBrowser/1.0"). A
# product's name is a word of at most 40 characters: not text cut off at MAX_UA_LENGTH.
_APPENDED = (
    r"^Mozilla/[45]\.0 \((?:Windows NT|Macintosh; Intel Mac OS X 10[_.]|X11)[^()]*\) (?:AppleWebKit/[\d.]+ \(KHTML, "
    r"like Gecko\) (?:Chrome/(?P<chrome>\d+)[\d.]*(?: (?P<between>[A-Za-z][\w-]{0,39}/[\d.]+))?|Version/[\d.]+"
    r"|(?P<instead>(?!Chrome/|Version/)[A-Za-z][\w-]{0,39}/[\d.]+)) Safari/[\d.]+"
    r"|Gecko/20100101 Firefox/(?P<firefox>\d+)[\d.]*)(?: (?P<after>[A-Za-z][\w-]{0,39}(?:/[\d.]+)?))?$"
    r"|^Mozilla/[45]\.0 \(compatible; MSIE [\d.]+; Windows NT[^()]*\) (?P<ie>(?!like Gecko)\w\S{0,39})(?: |$)"
)
_FIRST_CHROME, _FIRST_FIREFOX = 50, 57
_BEFORE_SAFARI = ("Chrome/", "Version/")


def appended_product(ua: str) -> str | None:
    """The name of the product a program added to a desktop browser's own string ("Silktide"), or
    ``None``. For User-Agents read as Chrome, Firefox, Safari or Internet Explorer on a desktop."""
    # the browser's own ending first, without a string search (nearly every User-Agent stops here)
    last = ua.rfind(" ") + 1
    if ua.startswith("Safari/", last):
        if ua.startswith(_BEFORE_SAFARI, ua.rfind(" ", 0, last - 1) + 1):
            return None
    elif ua.startswith("Firefox/", last) or ua.endswith((")", " like Gecko")):
        return None
    m = _pattern(_APPENDED).match(ua)
    if m is None:
        return None
    chrome, firefox = m.group("chrome"), m.group("firefox")
    if (chrome and int(chrome) < _FIRST_CHROME) or (firefox and int(firefox) < _FIRST_FIREFOX):
        return None
    product = m.group("between") or m.group("instead") or m.group("after") or m.group("ie")
    if product is None or _pattern(_BROWSING_WORDS).search(product):
        return None
    return product.split("/", 1)[0]


def without_device_names(ua: str) -> str:
    """``ua`` with the device-model slots blanked: what is left to be checked for bots."""
    for literal, pattern in _DEVICE_NAMES:
        if literal in ua:  # a plain search first: re tries a pattern at every position
            ua = _pattern(pattern).sub(r"\1", ua)
    return ua


# Where no browser, engine or OS is recognised, a string that neither starts as browsers do
# ("Mozilla/") nor names a browser or a device that browses (feature phones, TVs, consoles) is a
# program: a monitor, a script, an HTTP library ("collectd/5.5.1", "Datadog Agent/5.10.1"). Text
# that is not even a product and its version ("-", "asdf") stays unknown.
_BROWSING_WORDS = (
    r"(?i)^mozilla/|browser|midp|profile/|wap|mobile|phone|tv|opera|docomo|chromium|galaxy|nintendo|amiga|teleca"
    r"|mosaic|lynx|links|w3m|dillo|hotjava|\[\w\w\]"
)
_PRODUCT = r"[A-Za-z][\w.+-]*(?: [A-Za-z][\w.+-]*)*/v?\d"


def program_name(ua: str) -> str | None:
    """The name of the program ``ua`` is ("collectd" of "collectd/5.5.1"), if it is a product with a
    version that names nothing that browses; else ``None``. For strings no browser was found in."""
    if _pattern(_PRODUCT).match(ua) is None or _pattern(_BROWSING_WORDS).search(ua) is not None:
        return None
    return re.split(r"[/;(]", ua.strip(), maxsplit=1)[0].strip()[:60] or ua[:60]
