"""`status()`, the audit's and `classify`'s judging: the status `judge` gives, from a table of
statuses by versions cut short. It must agree with `judge` on every client, under every kind of
policy, and never take two clients alike that a rule tells apart."""

from __future__ import annotations

import dataclasses

import pytest

import browsercheck
import verdict_snapshot
from browsercheck import Device, Status
from browsercheck._checker import shared_detector
from browsercheck._judge import judge, status
from browsercheck._model import Client

POLICIES = {
    "shipped": None,
    "minimums-of-several-numbers-and-os-rules": """
browsers: {chrome: ">=120.0.6099.110", safari_ios: ">=16.4", safari: ">=15.6.1", firefox: ">=115.0", edge: false,
           chrome_ios: ">=17.2"}
engines: {blink: ">=119", webkit: ">=605.1"}
os: {windows: ">=10", ios: ">=15.2", macos: ">=10.15", android: ">=10"}
""",
    "ranges-turn-the-table-off": """
browsers: {chrome: ">=109,<130", safari_ios: "<=16.2", firefox: "~=128.0"}
""",
    "a-floor-turns-the-table-off": """
browsers:
  chrome: {supported: ">=126", unsupported_below: 115}
  safari_ios: true
""",
    "an-os-range-alone": """
browsers: {chrome: ">=120"}
os: {windows: ">=10,!=10.0.1"}
""",
}


def _policy(text: str | None) -> browsercheck.Policy:
    return browsercheck.Checker().policy if text is None else browsercheck.parse_policy(text)


@pytest.fixture(scope="module")
def corpus_clients() -> list[Client]:
    detect = shared_detector()
    return [detect(ua) for ua in verdict_snapshot.corpus()]


@pytest.mark.parametrize("text", POLICIES.values(), ids=POLICIES.keys())
def test_every_corpus_client_gets_the_status_judge_gives(text: str | None, corpus_clients: list[Client]) -> None:
    policy = _policy(text)
    for _ in range(2):  # the second round is answered from the table the first filled
        differ = [
            (c.name, c.version, c.os, c.os_version, status(c, policy), judge(c, policy).status)
            for c in corpus_clients
            if status(c, policy) is not judge(c, policy).status
        ]
        assert differ == []


SAFARI_IOS = Client(
    browser="safari_ios",
    name="Mobile Safari",
    version="16.3.9",
    engine="webkit",
    engine_version="16.3.9",
    os="iOS",
    os_version="16.3.9",
    device=Device.MOBILE,
)


def _at(version: str) -> Client:
    return dataclasses.replace(SAFARI_IOS, version=version, engine_version=version, os_version=version)


@pytest.mark.parametrize(
    ("rule", "below", "at"),
    [
        (">=16.4", "16.3.9", "16.4.0.1"),  # the table reads two numbers: 16.3 and 16.4
        (">=16.4.1", "16.4.0.9", "16.4.1"),  # three
        ("<=16.2", "16.2.0.1", "16.2"),  # a range: no table, every version decided on its own
        (">=16.0,<16.3", "16.3.0.0.1", "16.2.9"),
    ],
    ids=["two-numbers", "three-numbers", "at-most", "a-range"],
)
def test_versions_a_rule_tells_apart_are_not_taken_alike(rule: str, below: str, at: str) -> None:
    policy = browsercheck.parse_policy(f'browsers: {{safari_ios: "{rule}"}}')
    first, second = _at(below), _at(at)
    assert judge(first, policy).status is not judge(second, policy).status  # the case is a real one
    for client in (first, second, first, second):
        assert status(client, policy) is judge(client, policy).status


def test_an_apps_releases_are_alike_but_its_engines_are_not() -> None:
    policy = browsercheck.parse_policy('browsers: {chrome_android: ">=120"}\nengines: {blink: ">=120"}')
    app = Client(
        browser="facebook",
        name="Facebook",
        version="440.0.0.33.116",
        engine="blink",
        engine_version="119.0.6045.193",
        os="Android",
        os_version="14",
        device=Device.MOBILE,
    )
    newer_app = dataclasses.replace(app, version="441.1.0.1.1")
    newer_engine = dataclasses.replace(app, engine_version="120.0.6099.43")
    assert status(app, policy) is Status.OUTDATED
    assert status(newer_app, policy) is Status.OUTDATED
    assert status(newer_engine, policy) is Status.SUPPORTED


def test_a_browser_on_ios_is_told_apart_by_its_webkit_under_its_own_rule() -> None:
    policy = browsercheck.parse_policy('browsers: {chrome_ios: ">=17.2"}')
    chrome_ios = dataclasses.replace(
        _at("17.1.2"), browser="chrome_ios", name="Chrome for iOS", version="131.0.6778.73", fallback="safari_ios"
    )
    later_ios = dataclasses.replace(chrome_ios, engine_version="17.2", os_version="17.2")
    assert status(chrome_ios, policy) is Status.OUTDATED  # every iOS browser is the system's WebKit
    assert status(later_ios, policy) is Status.SUPPORTED


def test_a_frozen_os_version_is_told_apart_in_the_table() -> None:
    policy = browsercheck.parse_policy("browsers: {chrome: true}\nos: {windows: '>=11'}")
    windows = dataclasses.replace(
        SAFARI_IOS, browser="chrome", name="Google Chrome", engine="blink", os="Windows", os_version="10"
    )
    frozen = dataclasses.replace(windows, frozen=frozenset({"os_version"}))
    assert status(windows, policy) is Status.OUTDATED
    assert status(frozen, policy) is Status.UNKNOWN  # Windows 11 also says "Windows NT 10.0"


def test_a_bot_is_a_bot_under_any_policy() -> None:
    bot = dataclasses.replace(SAFARI_IOS, bot="Googlebot")
    assert status(bot, browsercheck.parse_policy("browsers: {safari_ios: false}")) is Status.BOT
