"""crawlerdetect's exclusions taken out of a User-Agent, and its patterns searched for in what is
left (`_bots._CaseBlind`): in lower case on the folded text where that means the same, always what
``re`` ignoring case finds."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import pytest
from crawlerdetect.providers import crawlers, exclusions
from hypothesis import given, settings
from hypothesis import strategies as st

from browsercheck._bots import BotDetector, _CaseBlind, _leading_text, exclusions_stripper, known_starts
from corpus import distinct_user_agents

from .conftest import load_cases, speedups_missing

IGNORING_CASE = re.compile("|".join(exclusions.data), re.IGNORECASE)
# as `BotDetector` writes them: each alternative starting with known text (compared with the above)
BRANCHES = [branch for pattern in exclusions.data for branch in known_starts(pattern)]
EXCLUSIONS = "|".join(BRANCHES)

# the letters Python's re, ignoring case, matches to ASCII ones, in the words the exclusions name
ODD_CASES = [
    "MOZILLA/5.0 (WINDOWS NT 10.0; WIN64; X64) APPLEWEBKIT/537.36 (KHTML, LIKE GECKO) SAFARI/537.36 Bot",
    "Mozilla/5.0 (Mac\u0131ntosh; \u0130ntel Mac OS X 14_5) Safar\u0131/605.1.15 \u212aHTML, Crawler",
    "Mozilla/5.0 (X11; Linux x86_64) \u017fafari/1.0 compatible spider",
    "Mozilla/5.0 (Linux; Android 9; POWER BOT) \u00e9t\u00e9 \U0001f916 Chrome/100.0.0.0",
    "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
    "",
]


@pytest.fixture(scope="module", params=["tried where a branch starts", "tried everywhere"])
def strip(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """The exclusions as the bot check strips them (in C, where a branch's leading text is), and as
    ``re`` alone does (where `_speedups` was not built)."""
    if request.param == "tried everywhere":
        return _CaseBlind(EXCLUSIONS).removed_from
    stripper = exclusions_stripper(BRANCHES)
    if stripper._starts is None:
        speedups_missing()
    return stripper.removed_from


def test_crawlerdetects_exclusions_run_on_the_folded_text_where_each_starts() -> None:
    assert _CaseBlind(EXCLUSIONS)._folded is not None
    assert BotDetector.from_crawlerdetect()._exclusion_branches == BRANCHES
    assert _leading_text("[ ]Intel") == " intel"  # a class of one character, as that character
    if exclusions_stripper(BRANCHES)._starts is None:
        speedups_missing()


@pytest.mark.parametrize("ua", ODD_CASES)
def test_same_text_left_as_re_ignoring_case(ua: str, strip: Callable[[str], str]) -> None:
    assert strip(ua) == IGNORING_CASE.sub("", ua)


def test_same_text_left_on_the_test_data_and_the_corpus(strip: Callable[[str], str]) -> None:
    uas = {case["ua"] for case in load_cases("user_agents.yaml")} | set(distinct_user_agents(3000, seed=9))
    assert [ua for ua in uas if strip(ua) != IGNORING_CASE.sub("", ua)] == []


@pytest.mark.parametrize(
    ("pattern", "leading"),
    [
        ("[ ]Intel", " intel"),  # a class of one character, as that character
        (r"[\.]NET", ".net"),
        (r"\.NET CLR [\d\.]*", ".net clr "),
        ("Yandex(?!Search)", "yandex"),
        ("a[ ]?b", "a"),  # an optional character: the text stops before it
        (r"Foo\.?bar", "foo"),
        ("abc{2}", "ab"),
        ("ab+c", "ab"),  # once at least: what follows is not next to it
        (r"x\[ ]y", "x[ "),  # an escaped bracket is text, and so is a lone "]"
        (r"\\[ ]x", "\\ x"),  # an escaped backslash, then a class of one
        (r"[\d]x", ""),  # a class of digits is no text
        ("(?:Mobile )?Safari", ""),
        ("Safari|Chrome", ""),
        ("^Mozilla", ""),
        ("caf\u00e9", ""),
    ],
)
def test_a_patterns_leading_text(pattern: str, leading: str) -> None:
    assert _leading_text(pattern) == leading
    if leading:  # every match starts with it
        for m in re.finditer(pattern, f"x {leading.upper()} {pattern} 12 Abc aB FOO.BAR x[ ]y", re.IGNORECASE):
            assert m.group().lower().startswith(leading)


def test_every_exclusion_is_stripped_where_it_stands() -> None:
    """A text for each of crawlerdetect's exclusions (its leading text, then digits), in both
    cases: stripped as ``re`` strips it, by the search that tries them only where they start."""
    stripper = exclusions_stripper(BRANCHES)
    for branch in BRANCHES:
        lead = _leading_text(branch)
        for text in (f"x{lead}9.9_9 y", f"({lead.upper()}/1.2;{lead}", f"{lead}{lead}"):
            assert stripper.removed_from(text) == IGNORING_CASE.sub("", text), (branch, text)


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.text("abAB. ", min_size=1, max_size=3), st.sampled_from(["", "?", "*", "+", "[0-9]*", r"\.x"])),
        min_size=1,
        max_size=5,
    ),
    st.text(st.sampled_from("abAB. 09x\u0130\u0131"), max_size=30),
)
def test_any_branches_are_stripped_as_re_strips_them(branches: list[tuple[str, str]], text: str) -> None:
    """Branches of text (escaped) and a tail that may make their last character optional: the
    search tried where their leading texts are strips what ``re`` strips, ignoring case."""
    written = [re.escape(head) + tail for head, tail in branches]
    expected = re.sub("|".join(written), "", text, flags=re.IGNORECASE)
    assert exclusions_stripper(written).removed_from(text) == expected


def test_a_branch_whose_start_is_not_known_strips_everywhere() -> None:
    """One branch without a leading text (a group first) and no place is known: ``re`` alone."""
    branches = [*BRANCHES, "(?:Mobile|Tablet) Safari"]
    stripper = exclusions_stripper(branches)
    assert stripper._starts is None
    ua = "Mozilla/5.0 (Linux; Android 14; K) Tablet Safari x"
    assert stripper.removed_from(ua) == re.sub("|".join(branches), "", ua, flags=re.IGNORECASE) == " (; ; K)  x"


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(["Safari/1.2", "LINUX", "like ", "Gecko", "x86_64", " .NET CLR 2.0", "Build", "bot"])),
    st.text(st.sampled_from("aI\u0131\u0130\u017fK\u212a ;/._9"), max_size=12),
)
def test_same_text_left_for_any_mix(words: list[str], noise: str) -> None:
    ua = noise.join(words) + noise
    expected = IGNORING_CASE.sub("", ua)
    assert _CaseBlind(EXCLUSIONS).removed_from(ua) == expected
    assert exclusions_stripper(BRANCHES).removed_from(ua) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"[0-Z]+bot",
        r"[A-z]bot",
        r"[0-_]bot",
        r"[ -_]bot",
        r"[!-~]bot",
        r"[\--A]bot",
        r"[]0-A]bot",
        r"[a-]bot",
        r"\Wbot",
        r"(?i)bot",
        r"\bbot",
        r"caf\u00e9",
    ],
    ids=[
        "a range from a digit to a letter",
        "a range across cases",
        "a range of other characters holding A-Z",
        "a range from a space holding A-Z",
        "a range holding both cases",
        "a range from an escape",
        "a class starting with ]",
        "a dash after a letter",
        "an escape of letters",
        "inline flags",
        "a boundary",
        "non-ASCII",
    ],
)
def test_other_patterns_run_as_they_are(pattern: str) -> None:
    blind = _CaseBlind(pattern)
    assert blind._folded is None
    for text in ("KBOT is a Bot", "caf\u00e9 caf\u00c9 -bot", "\u0130bot xbot", "abot _bot Abot ]bot -bot"):
        assert blind.removed_from(text) == re.sub(pattern, "", text, flags=re.IGNORECASE)
        found = re.search(pattern, text, flags=re.IGNORECASE)
        assert blind.search(text) == (found.group() if found else None)


BOTS = [
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; \u0130ntelligent SPIDER/1.0; Crawl\u0131ng \u212a\u017fcan)",
]


def test_each_pattern_finds_what_re_ignoring_case_finds() -> None:
    """The exact check of the first pattern the gate found: in lower case wherever that means the
    same (crawlerdetect's catch-all among them: 13 us a long User-Agent ignoring case, 3 us so)."""
    texts = [*BOTS, *ODD_CASES, *(_CaseBlind(EXCLUSIONS).removed_from(ua) for ua in BOTS)]
    folded = 0
    for pattern in crawlers.data:
        blind = _CaseBlind(pattern)
        folded += blind._folded is not None
        for text in texts:
            found = re.search(pattern, text, flags=re.IGNORECASE)
            assert blind.search(text) == (found.group() if found else None), (pattern, text)
    assert folded > len(crawlers.data) * 0.9
    catch_all = next(p for p in crawlers.data if p.startswith("[a-z0-9\\-_]*(bot|crawl"))
    assert _CaseBlind(catch_all)._folded is not None


# every character with a case (a character without one is matched alike ignoring case or not, and
# `fold` leaves it as it is), and all of ASCII
CASED = [chr(c) for c in range(sys.maxunicode + 1) if c < 128 or chr(c).lower() != chr(c) or chr(c).upper() != chr(c)]


@pytest.mark.parametrize("pattern", [r"[A-Z]", r"[a-z0-9\-_]*x", r"[^a-f]", r"[K-S]x", r"[0-9_\-]x", r"[a-z-]x"])
def test_a_class_of_letters_lowered_finds_on_the_folded_text_what_it_finds_ignoring_case(pattern: str) -> None:
    blind = _CaseBlind(pattern)
    assert blind._folded is not None
    ignoring_case = re.compile(pattern, re.IGNORECASE)
    for text in (f"{c}x" for c in CASED):
        found = ignoring_case.search(text)
        assert blind.search(text) == (found.group() if found else None), text


@pytest.mark.parametrize(
    ("pattern", "branches"),
    [
        (r"(like )?Gecko(.[\d\.]*)?", (r"like Gecko(.[\d\.]*)?", r"Gecko(.[\d\.]*)?")),
        ("(Mobile )?Safari", ("Mobile Safari", "Safari")),
        (r"(Mobile )?Safari\.\d", (r"Mobile Safari\.\d", r"Safari\.\d")),
    ],
)
def test_an_optional_head_becomes_two_alternatives(pattern: str, branches: tuple[str, ...]) -> None:
    assert known_starts(pattern) == branches
    whole = re.compile(pattern, re.IGNORECASE)
    split = re.compile("|".join(branches), re.IGNORECASE)
    for text in ("like Gecko/2010", "Gecko like Gecko", "like Geck", "Mobile Safari.1", "Safari Mobile", "LIKE gecko"):
        assert [m.span() for m in split.finditer(text)] == [m.span() for m in whole.finditer(text)]


@pytest.mark.parametrize(
    "pattern",
    ["(like )?A|B", "(a.)?b", r"CPU OS ([0-9_])* like Mac OS X", "(like )??Gecko", "(like )?+Gecko", r"(ab)?c\1"],
    ids=["another alternative after it", "not plain text", "no head", "lazy", "possessive", "a reference to it"],
)
def test_other_patterns_are_left_as_they_are(pattern: str) -> None:
    # splitting these would reorder the alternatives, or write a pattern that does not compile
    assert known_starts(pattern) == (pattern,)


def test_every_exclusion_starts_with_known_text() -> None:
    """No exclusion left with an optional head: with one, ``re`` tries every exclusion everywhere."""
    written = BotDetector.from_crawlerdetect()._exclusion_branches
    assert [branch for branch in written if branch.startswith("(") and ")?" in branch] == []
