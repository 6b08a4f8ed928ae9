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
