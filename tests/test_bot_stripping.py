"""crawlerdetect's exclusions taken out of a User-Agent (`_bots._Stripper`): in lower case on the
folded text where that means the same, always what ``re.sub`` ignoring case leaves."""

from __future__ import annotations

import re

import pytest
from crawlerdetect.providers import exclusions
from hypothesis import given, settings
from hypothesis import strategies as st

from browsercheck._bots import BotDetector, _Stripper, known_starts
from corpus import distinct_user_agents

from .conftest import load_cases

IGNORING_CASE = re.compile("|".join(exclusions.data), re.IGNORECASE)
# as `BotDetector` writes them: each alternative starting with known text (compared with the above)
EXCLUSIONS = "|".join(branch for pattern in exclusions.data for branch in known_starts(pattern))

# the letters Python's re, ignoring case, matches to ASCII ones, in the words the exclusions name
ODD_CASES = [
    "MOZILLA/5.0 (WINDOWS NT 10.0; WIN64; X64) APPLEWEBKIT/537.36 (KHTML, LIKE GECKO) SAFARI/537.36 Bot",
    "Mozilla/5.0 (Mac\u0131ntosh; \u0130ntel Mac OS X 14_5) Safar\u0131/605.1.15 \u212aHTML, Crawler",
    "Mozilla/5.0 (X11; Linux x86_64) \u017fafari/1.0 compatible spider",
    "Mozilla/5.0 (Linux; Android 9; POWER BOT) \u00e9t\u00e9 \U0001f916 Chrome/100.0.0.0",
    "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54",
    "",
]


def test_crawlerdetects_exclusions_run_on_the_folded_text() -> None:
    assert _Stripper(EXCLUSIONS)._folded is not None


@pytest.mark.parametrize("ua", ODD_CASES)
def test_same_text_left_as_re_ignoring_case(ua: str) -> None:
    assert _Stripper(EXCLUSIONS)(ua) == IGNORING_CASE.sub("", ua)


def test_same_text_left_on_the_test_data_and_the_corpus() -> None:
    strip = _Stripper(EXCLUSIONS)
    uas = {case["ua"] for case in load_cases("user_agents.yaml")} | set(distinct_user_agents(3000, seed=9))
    assert [ua for ua in uas if strip(ua) != IGNORING_CASE.sub("", ua)] == []


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(["Safari/1.2", "LINUX", "like ", "Gecko", "x86_64", " .NET CLR 2.0", "Build", "bot"])),
    st.text(st.sampled_from("aI\u0131\u0130\u017fK\u212a ;/._9"), max_size=12),
)
def test_same_text_left_for_any_mix(words: list[str], noise: str) -> None:
    ua = noise.join(words) + noise
    assert _Stripper(EXCLUSIONS)(ua) == IGNORING_CASE.sub("", ua)


@pytest.mark.parametrize(
    "pattern",
    [r"[A-Z]+bot", r"\Wbot", r"(?i)bot", r"[^a-z]bot", r"\bbot", r"caf\u00e9"],
    ids=["letters in a class", "an escape of letters", "inline flags", "a negated class", "a boundary", "non-ASCII"],
)
def test_other_patterns_run_as_they_are(pattern: str) -> None:
    strip = _Stripper(pattern)
    assert strip._folded is None
    for text in ("KBOT is a Bot", "caf\u00e9 caf\u00c9 -bot", "\u0130bot xbot"):
        assert strip(text) == re.sub(pattern, "", text, flags=re.IGNORECASE)


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
    written = BotDetector.from_crawlerdetect()._exclusion_text
    assert [branch for branch in written.split("|") if branch.startswith("(") and ")?" in branch] == []
