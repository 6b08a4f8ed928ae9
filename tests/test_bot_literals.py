"""The bot check's plain-text search: `_speedups.LiteralSet` (C) and the fallback where it was not
compiled (ua-parser-rs, in groups) name the same pattern for every User-Agent."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from browsercheck import _bots
from browsercheck._bots import BotDetector
from corpus import distinct_user_agents

from .conftest import load_cases, speedups_missing

if TYPE_CHECKING:
    from browsercheck._speedups import LiteralSet


def _literal_set_type() -> type[LiteralSet]:
    try:
        from browsercheck._speedups import LiteralSet
    except ImportError:
        speedups_missing()
    return LiteralSet


def _first_contained(texts: Sequence[str], text: str) -> int | None:
    return next((i for i, t in enumerate(texts) if t in text), None)


@pytest.mark.parametrize(
    ("texts", "text", "expected"),
    [
        (["bot", "spider"], "Googlebot/2.1", 0),
        (["bot", "spider"], "Baiduspider/2.0", 1),
        (["bot", "spider"], "Mozilla/5.0 Firefox/146.0", None),
        (["spider", "bot"], "spiderbot", 0),  # the first in the texts' order, not in the string's
        (["bot", "spider"], "botspider", 0),
        (["abcd", "bc"], "xabcx", 1),  # a text inside another one that did not complete
        (["crawler", "crawl"], "webcrawl", 1),
        (["abx", "bc"], "abc", 1),  # "ab" led nowhere on "c": on from "b", the longest suffix
        (["abcdx", "bcdy", "cde"], "abcde", 2),  # and from there again, deeper in the trie
        (["", "bot"], "anything", 0),  # the empty text is in every string
        (["bot"], "", None),
        (["bot"], "rob\u00f6t bot", 0),  # characters beyond ASCII and beyond Latin-1 are read past
        (["bot"], "\U0001f916 bot", 0),
        (["bot"], "BOT", None),  # exact: the caller folds the case
    ],
    ids=lambda value: repr(value)[:30],
)
def test_literal_set_names_the_first_text_contained(texts: list[str], text: str, expected: int | None) -> None:
    assert _literal_set_type()(texts).first(text) == expected


@settings(max_examples=500)
@given(
    st.lists(st.text("abc.-/", max_size=4), max_size=12),
    st.text(st.sampled_from("abc.-/xé\u0131\U0001f916"), max_size=40),
)
def test_literal_set_agrees_with_a_plain_search(texts: list[str], text: str) -> None:
    assert _literal_set_type()(texts).first(text) == _first_contained(texts, text)


def _places(texts: Sequence[str], text: str) -> list[int]:
    return [i for i in range(len(text)) if any(text.startswith(t, i) for t in texts)]


@pytest.mark.parametrize(
    ("texts", "text", "expected"),
    [
        (["ab", "b", "abc", "bcd", "x"], "zabcd xx", [1, 2, 6, 7]),  # texts inside texts, and ending alike
        (["bcd", "abcde"], "abcde", [0, 1]),  # the longer one ends after, and starts before
        (["aa"], "aaaa", [0, 1, 2]),  # overlapping
        (["bot"], "rob\u00f6t \U0001f916 bot", [8]),  # places in characters, whatever their width
        (["bot"], "", []),
        (["bot"], "BOT", []),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_literal_set_tells_where_each_text_starts(texts: list[str], text: str, expected: list[int]) -> None:
    assert _literal_set_type()(texts, starts=True).starts(text) == expected


@settings(max_examples=500)
@given(
    st.lists(st.text("abc.-/", min_size=1, max_size=4), max_size=12),
    st.text(st.sampled_from("abc.-/xé\u0131\U0001f916"), max_size=40),
)
def test_literal_set_starts_agree_with_a_plain_search(texts: list[str], text: str) -> None:
    found = _literal_set_type()(texts, starts=True)
    assert found.starts(text) == _places(texts, text)
    assert found.first(text) == _first_contained(texts, text)  # the same as without starts


def test_literal_set_starts_need_it_made_so_and_no_empty_text() -> None:
    with pytest.raises(ValueError, match="made with starts=True"):
        _literal_set_type()(["bot"]).starts("bot")
    with pytest.raises(ValueError, match="text 1 is empty: it starts nowhere"):
        _literal_set_type()(["bot", ""], starts=True)
    with pytest.raises(TypeError, match="bytes"):
        _literal_set_type()(["bot"], starts=True).starts(b"bot")  # type: ignore[arg-type]


@pytest.mark.parametrize("texts", [["bot", "caf\u00e9"], ["bot", b"spider"]], ids=["non-ASCII", "bytes"])
def test_literal_set_refuses_what_is_not_ascii_text(texts: list[object]) -> None:
    with pytest.raises(ValueError, match="text 1 is not an ASCII str"):
        _literal_set_type()(texts)  # type: ignore[arg-type]


def test_literal_set_reads_only_str() -> None:
    with pytest.raises(TypeError, match="bytes"):
        _literal_set_type()(["bot"]).first(b"bot")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def detectors() -> tuple[BotDetector, BotDetector]:
    """The detector on C's search, and the one built where `_speedups` is missing."""
    _literal_set_type()
    compiled = BotDetector.from_crawlerdetect(then=_detector_then())
    _bots._COMPILED = False
    try:
        fallback = BotDetector.from_crawlerdetect(then=_detector_then())
        assert fallback("Googlebot/2.1") == "Googlebot"  # its exclusions, built on the first bot: re's too
    finally:
        _bots._COMPILED = True
    assert compiled._gate._literals is not None and fallback._gate._literals is None
    assert fallback._exclusions is not None and fallback._exclusions._starts is None
    return compiled, fallback


def _detector_then() -> tuple[str, ...]:
    from browsercheck._detect import Detector

    return tuple(Detector.after_bots())


# Bot names written with the letters Python's re folds to ASCII ones (see `_bots.fold`), in
# plain-text patterns ("baiduspider", "okhttp") and not ("Sitemaps Generator").
LOOKALIKES = [
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; BA\u0130DUSP\u0130DER/2.0)",
    "Mozilla/5.0 (compatible; ba\u0131du\u017fpider/2.0)",
    "o\u212aHTTP/4.12.0",
    "okhttp/4.12.0",
    "Sitemap\u017f Generator 1.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
    " \u0130\u0131\u017f\u212a",
]
USER_AGENTS = sorted({case["ua"] for case in load_cases("user_agents.yaml")} | set(LOOKALIKES))


@pytest.mark.parametrize("ua", USER_AGENTS)
def test_compiled_and_fallback_search_agree(detectors: tuple[BotDetector, BotDetector], ua: str) -> None:
    compiled, fallback = detectors
    assert compiled.scan(ua) == fallback.scan(ua)


def test_compiled_and_fallback_search_agree_on_the_benchmark_corpus(
    detectors: tuple[BotDetector, BotDetector],
) -> None:
    compiled, fallback = detectors
    uas = distinct_user_agents(3000, seed=5)
    assert [ua for ua in uas if compiled.scan(ua) != fallback.scan(ua)] == []
    assert sum(compiled(ua) is not None for ua in uas) > 100  # bots were found, by either


def test_without_the_c_extension_the_groups_run(
    detectors: tuple[BotDetector, BotDetector], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "browsercheck._speedups", None)  # as where it was not compiled
    detector = BotDetector.from_crawlerdetect(then=_detector_then())
    assert detector._gate._literals is None
    compiled, _ = detectors
    for ua in LOOKALIKES:
        assert detector.scan(ua) == compiled.scan(ua)
    assert detector(LOOKALIKES[0]) is not None
    assert detector(LOOKALIKES[-1]) is None
