"""Real User-Agent strings, one test each, judged under the default policy."""

from __future__ import annotations

from typing import Any

import pytest

import browsercheck
from browsercheck import Status
from browsercheck._checker import shared_detector
from browsercheck._detect import Detector

from .conftest import expected_fields, load_cases, verdict_field

CASES = load_cases("user_agents.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_user_agent(case: dict[str, Any]) -> None:
    verdict = browsercheck.check(case["ua"])
    expected = expected_fields(case)
    actual = {name: verdict_field(verdict, name) for name in expected}
    assert actual == expected, verdict.reasons


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_verdict_explains_itself(case: dict[str, Any]) -> None:
    verdict = browsercheck.check(case["ua"])
    assert verdict.reasons, "a verdict without a reason"
    if verdict.status in (Status.SUPPORTED, Status.OUTDATED, Status.UNSUPPORTED):
        assert verdict.rule is not None
        assert verdict.rule.split()[0].rstrip(":") in verdict.reasons[-1] or verdict.rule in verdict.reasons[-1]


def test_ios_browsers_are_judged_by_ios_not_their_own_version() -> None:
    # Chrome for iOS 157 on iOS 15.8 is WebKit 15.8: outdated, whatever its own number says
    ua = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/157.0.7500.0 Mobile/15E148 Safari/604.1"
    )
    verdict = browsercheck.check(ua)
    assert verdict.status is Status.OUTDATED
    assert verdict.client.version == "157.0.7500.0"
    assert "iOS 15.8 does not meet safari_ios >=17.5" in verdict.reasons


@pytest.fixture(scope="module")
def without_the_shared_pass() -> Detector:
    """A detector whose bot check does not look for agents' marks and tokens in its own pass."""
    from ua_parser import load_lazy_builtins

    from browsercheck._bots import BotDetector
    from browsercheck._resolver import NativeResolver

    return Detector(NativeResolver(load_lazy_builtins()), BotDetector.from_crawlerdetect())


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_one_pass_after_the_bot_patterns_answers_as_two(
    without_the_shared_pass: Detector, case: dict[str, Any]
) -> None:
    # the default detector finds agents' marks and browser tokens in the bot patterns' pass
    assert shared_detector()(case["ua"]) == without_the_shared_pass(case["ua"])


class _ReadsTheBrowserToo:
    """browsercheck's own resolver without its `os_of`: the detector then reads the browser too
    where a token names it, as before it read the OS alone there."""

    def __init__(self) -> None:
        from browsercheck._resolver import NativeResolver

        self._resolver = NativeResolver.builtin()
        self.browser_and_os = self._resolver.browser_and_os

    def __call__(self, ua: str, domains: Any) -> Any:
        return self._resolver(ua, domains)


def test_a_browser_its_token_names_is_detected_as_with_ua_parsers_browser_read() -> None:
    """Where the registry's token names the browser (Edg/, OPR/, CriOS/...) and no device name is
    blanked, ua-parser's reading of the browser is not asked for: the clients are compared with
    those made with it read, on the test data and the corpus."""
    from browsercheck._bots import BotDetector
    from browsercheck._browsers import TOKENS
    from corpus import distinct_user_agents

    reads_both = Detector(_ReadsTheBrowserToo(), BotDetector.from_crawlerdetect(then=Detector.after_bots()))
    ours = shared_detector()
    ours.build()
    assert ours._named_by_token != ours._browser_and_os and reads_both._named_by_token == reads_both._browser_and_os
    uas = {case["ua"] for case in CASES} | set(distinct_user_agents(4000, seed=5))
    named = [ua for ua in uas if ours._bot_and_next(ua)[1] in TOKENS]
    assert len(named) > 500
    assert [ua for ua in named if ours(ua) != reads_both(ua)] == []
