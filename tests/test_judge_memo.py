"""Judging remembers its decisions per policy (an audit judges thousands of alike clients): what
it remembers must never leak between clients or between policies."""

from __future__ import annotations

import dataclasses
import gc
import weakref

import browsercheck
from browsercheck import Device, Status
from browsercheck._judge import judge, status
from browsercheck._model import Client

CHROME_IOS = Client(
    browser="chrome_ios",
    name="Chrome for iOS",
    version="157.0.7500.90",
    engine="webkit",
    engine_version="18.5",
    os="iOS",
    os_version="18.5",
    device=Device.MOBILE,
    fallback="safari_ios",
    notes=("Chrome for iOS on iOS uses the system's WebKit: judged by iOS 18.5",),
)


def test_a_clients_own_notes_lead_its_reasons_not_those_of_an_alike_client() -> None:
    policy = browsercheck.parse_policy("browsers: {safari_ios: '>=17'}")
    first = judge(CHROME_IOS, policy)
    alike = dataclasses.replace(CHROME_IOS, notes=("iOS version read from Version/26.1",))
    second = judge(alike, policy)
    assert first.reasons[0] == CHROME_IOS.notes[0]
    assert second.reasons[0] == "iOS version read from Version/26.1"
    assert CHROME_IOS.notes[0] not in second.reasons
    assert second.client is alike
    assert first.reasons[1:] == second.reasons[1:]


def test_the_same_client_under_two_policies_gets_each_policys_verdict() -> None:
    ua = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/140.0.0.0 Safari/537.36"
    )
    client = browsercheck.Checker().detect(ua)
    lenient = browsercheck.parse_policy("browsers: {chrome: '>=120'}")
    strict = browsercheck.parse_policy("browsers: {chrome: '>=150'}")
    for _ in range(2):  # the second round is answered from what the first remembered
        assert judge(client, lenient).status is Status.SUPPORTED
        assert judge(client, strict).status is Status.OUTDATED
        assert judge(client, strict).rule == "chrome >=150"
        assert judge(client, strict).policy is strict


def test_a_frozen_os_version_is_part_of_what_is_remembered() -> None:
    policy = browsercheck.parse_policy("browsers: {chrome: true}\nos: {windows: '>=11'}")
    unfrozen = dataclasses.replace(CHROME_IOS, browser="chrome", fallback=None, os="Windows", os_version="10", notes=())
    frozen = dataclasses.replace(unfrozen, frozen=frozenset({"os_version"}))
    assert judge(unfrozen, policy).status is Status.OUTDATED
    assert judge(frozen, policy).status is Status.UNKNOWN  # Windows 11 also says "Windows NT 10.0"


def test_what_is_remembered_of_a_policy_does_not_keep_it_alive() -> None:
    """A site that loads a policy per request (or tests that load hundreds) must not leak them:
    the memo of the last policy judged holds it only weakly."""
    policy = browsercheck.parse_policy("browsers: {chrome: '>=160'}")
    client = dataclasses.replace(CHROME_IOS, browser="chrome", os="Windows", os_version="10", notes=())
    assert judge(client, policy).status is Status.OUTDATED
    assert status(client, policy) is Status.OUTDATED
    gone = weakref.ref(policy)
    del policy
    gc.collect()
    assert gone() is None


def test_a_new_policy_at_a_dead_ones_address_is_not_answered_from_its_memo() -> None:
    """CPython reuses the memory of an object that is gone: a policy made there must not be taken
    for the last one judged."""
    client = dataclasses.replace(CHROME_IOS, browser="chrome", os="Windows", os_version="10", notes=())
    for minimum, expected in [(160, Status.OUTDATED), (100, Status.SUPPORTED)] * 20:
        policy = browsercheck.parse_policy(f"browsers: {{chrome: '>={minimum}'}}")
        assert judge(client, policy).status is expected
        assert status(client, policy) is expected
        del policy
