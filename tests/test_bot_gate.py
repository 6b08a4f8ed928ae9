"""The bot patterns' native pass names the first pattern that matches, as one native rule a pattern
would: plain-text patterns run fifty to a rule (half the memory), and which of them matched, and
whether another kind of pattern came before it, is found after."""

from __future__ import annotations

import re

import pytest
from crawlerdetect.providers import crawlers

from browsercheck import _bots
from browsercheck._bots import _extractor, _index, _is_literal, _PatternSet, _unanchored, fold
from corpus import distinct_user_agents


def _one_rule_a_pattern(patterns: list[str], text: str) -> int | None:
    """The first of ``patterns`` (none with lookarounds) that matches ``text`` folded, each run
    as a native rule of its own."""
    entries = [
        (i, re.escape(re.sub(r"\\(.)", r"\1", p).lower()) if _is_literal(p) else f"(?i){p}")
        for i, p in enumerate(patterns)
    ]
    return _index(_extractor(entries).extract(fold(text)))


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("delta and beta", 1),  # two groups match: the first group's text
        ("zeta then beta", 1),  # the group's first text that is in the text, not its first text
        ("only eta here", 4),
        ("xyzbot and gamma", 2),  # a pattern that is no plain text, before a plain text that matches
        ("gamma alone", 3),
        ("nothing", None),
    ],
    ids=["two-groups", "within-a-group", "a-later-group", "regex-before-text", "text-after-regex", "none"],
)
def test_the_first_pattern_that_matches_is_named(monkeypatch: pytest.MonkeyPatch, text: str, first: int | None) -> None:
    monkeypatch.setattr(_bots, "_GROUP", 2)  # groups: [alpha, beta], [gamma, delta], [eta, zeta]
    patterns = ["alpha", "beta", r"[a-z]+bot", "gamma", "eta", "delta", "zeta"]
    gate = _PatternSet(patterns)
    assert gate.first(text) == first == _one_rule_a_pattern(patterns, text)


def test_crawlerdetects_patterns_name_the_same_first_as_one_rule_each_on_the_corpus() -> None:
    patterns = [_unanchored(p) for p in crawlers.data if not _bots._LOOKAROUND.search(p)]
    gate = _PatternSet(patterns)
    entries = [
        (i, re.escape(re.sub(r"\\(.)", r"\1", p).lower()) if _is_literal(p) else f"(?i){p}")
        for i, p in enumerate(patterns)
    ]
    reference = _extractor(entries)
    uas = distinct_user_agents(4000)
    uas += ["Mozilla/5.0 (compatible; " + name + "/1.0)" for name in ("AhrefsBot", "SemrushBot", "MJ12bot", "curl")]
    found = [gate.first(ua) for ua in uas]
    assert found == [_index(reference.extract(fold(ua))) for ua in uas]
    assert sum(i is not None for i in found) > 300  # the corpus does hold bots
