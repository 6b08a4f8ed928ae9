"""The fast bot check gives crawlerdetect's answer."""

from __future__ import annotations

import pytest
from crawlerdetect import CrawlerDetect

from browsercheck._bots import BotDetector, _unanchored, fold
from corpus import distinct_user_agents

from .conftest import load_cases

CASES = load_cases("user_agents.yaml")
# Strings that exercise the corners of the fast path: exclusions stripped to nothing, anchored
# patterns, the pattern with a lookahead (run by Python's re), device names that contain "bot".
CORNERS = [
    "Mozilla/5.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    "Java/1.8.0_151",
    "Mozilla/5.0 Java/1.8",
    "b0t",
    "YandexSearch/24.10 Android",
    "Mozilla/5.0 (Linux; Android 12; YandexModule2-00001) YandexSomething",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (Linux; Android 9; POWER BOT) AppleWebKit/537.36 Chrome/100.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 9; M bot 51) AppleWebKit/537.36 Chrome/100.0.0.0 Mobile Safari/537.36",
    "  curl/8.5.0  ",
    "git/2.39.5",
    "Dart/3.4 (dart:io)",
]
USER_AGENTS = sorted({c["ua"] for c in CASES} | set(CORNERS))


@pytest.fixture(scope="module")
def detector() -> BotDetector:
    return BotDetector.from_crawlerdetect()


@pytest.mark.parametrize("ua", USER_AGENTS)
def test_same_answer_as_crawlerdetect(detector: BotDetector, ua: str) -> None:
    assert (detector(ua) is not None) == CrawlerDetect().is_crawler(ua)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("^curl", "curl"), ("^b0t$", "b0t"), ("price\\$", "price\\$"), ("a|b$", "a|b"), ("bot", "bot")],
)
def test_unanchored_drops_only_outer_anchors(pattern: str, expected: str) -> None:
    assert _unanchored(pattern) == expected


def test_lookaround_patterns_run_in_python() -> None:
    detector = BotDetector(["Yandex(?!Search)", "^Java/"], exclusions=["Mozilla/[\\d.]*"])
    assert detector("YandexBot/3.0") == "YandexBot"
    assert detector("YandexSearch/24.10") is None
    assert detector("Java/1.8") == "Java"
    assert detector("Mozilla/5.0") is None  # nothing left after the exclusions


def test_same_answers_as_crawlerdetect_on_the_benchmark_corpus(detector: BotDetector) -> None:
    uas = distinct_user_agents(3000)
    crawler = CrawlerDetect()
    disagree = [ua for ua in uas if (detector(ua) is not None) != crawler.is_crawler(ua)]
    assert disagree == []
    assert sum(detector(ua) is not None for ua in uas) > 100  # the corpus does hold bots


# Python's re, ignoring case, also matches these to ASCII letters; Rust's regex engine does not
# match the first two. Bot names written with them, in a plain-text pattern ("baiduspider") and in
# regular expressions ("Sitemap(s)? Generator", "NewsBlur .*Finder") the native engine runs.
LOOKALIKES = {"i": ["\u0130", "\u0131"], "s": ["\u017f"], "k": ["\u212a"]}


@pytest.mark.parametrize("name", ["baiduspider", "Sitemaps Generator", "NewsBlur Feed Finder", "SemrushBot", "okhttp"])
@pytest.mark.parametrize("letter", sorted(LOOKALIKES))
def test_same_answer_as_crawlerdetect_with_letters_re_folds(detector: BotDetector, name: str, letter: str) -> None:
    crawler = CrawlerDetect()
    for lookalike in LOOKALIKES[letter]:
        for written in (name.replace(letter, lookalike), name.upper().replace(letter.upper(), lookalike)):
            ua = f"Mozilla/5.0 {written} Safari/537.36"
            assert (detector(ua) is not None) == crawler.is_crawler(ua), ua


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("GoogleBot", "googlebot"),
        ("B\u0130NG", "bing"),
        ("b\u0131ng", "bing"),
        ("\u017fpider", "spider"),
        ("o\u212aHTTP", "okhttp"),
    ],
)
def test_fold_keeps_one_character_for_one(text: str, folded: str) -> None:
    assert fold(text) == folded
