"""User-Agent Client Hints: real header sets, GREASE, conflicts, malformed and hostile values."""

from __future__ import annotations

from typing import Any

import pytest

import browsercheck
from browsercheck import Status
from browsercheck._hints import hints_to_request, is_grease, read_hints

from .conftest import expected_fields, load_cases, verdict_field

CASES = load_cases("client_hints.yaml")
CHROME_157_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_header_set(case: dict[str, Any]) -> None:
    verdict = browsercheck.check(case.get("ua"), headers=case["headers"])
    expected = expected_fields(case)
    assert {name: verdict_field(verdict, name) for name in expected} == expected, verdict.reasons


REASONED = [c for c in CASES if "reason" in c]


@pytest.mark.parametrize("case", REASONED, ids=[c["id"] for c in REASONED])
def test_contradictions_are_named_in_the_reasons(case: dict[str, Any]) -> None:
    verdict = browsercheck.check(case.get("ua"), headers=case["headers"])
    assert case["reason"] in verdict.reasons


@pytest.mark.parametrize(
    "brand",
    [
        "Not-A.Brand",
        "Not/A)Brand",
        "Not?A_Brand",
        "Not_A Brand",
        " Not A;Brand",
        " Not;A Brand",
        "Not)A;Brand",
        "Not.A/Brand",
        "Not A(Brand",
        "Not:A-Brand",
        "Not=A?Brand",
    ],
)
def test_grease_brands_of_every_shape_are_dropped(brand: str) -> None:
    assert is_grease(brand)
    escaped = brand.replace('"', '\\"')
    for position in range(3):
        members = ['"Google Chrome";v="157"', '"Chromium";v="157"']
        members.insert(position, f'"{escaped}";v="{position * 41 + 8}"')
        hints = read_hints({"sec-ch-ua": ", ".join(members)})
        assert hints is not None
        assert hints.brands == (("Google Chrome", "157"), ("Chromium", "157"))


@pytest.mark.parametrize(
    "brand", ["Google Chrome", "Chromium", "Microsoft Edge", "Brave", "Not a browser", "NotABrandX"]
)
def test_real_brands_are_not_grease(brand: str) -> None:
    assert not is_grease(brand)


def test_unknown_brand_is_ignored_and_chrome_preferred_over_chromium() -> None:
    v = browsercheck.check(
        headers={"sec-ch-ua": '"Some New Browser";v="3", "Chromium";v="157", "Google Chrome";v="157"'}
    )
    assert v.client.browser == "chrome"


def test_verdict_says_which_facts_came_from_hints() -> None:
    headers = {
        "Sec-CH-UA": '"Microsoft Edge";v="157", "Chromium";v="157", "Not-A.Brand";v="99"',
        "Sec-CH-UA-Platform": '"Windows"',
        "Sec-CH-UA-Platform-Version": '"19.0.0"',
    }
    v = browsercheck.check(CHROME_157_WINDOWS + " Edg/157.0.0.0", headers=headers)
    assert v.client.os_version == "11"
    assert v.client.from_hints == {"os_version"}
    assert "from Client Hints: os_version 11" in v.reasons
    assert v.to_dict()["from_hints"] == ["os_version"]


def test_conflict_between_ua_and_hints_is_a_reason() -> None:
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:161.0) Gecko/20100101 Firefox/161.0"
    v = browsercheck.check(firefox, headers={"Sec-CH-UA": '"Google Chrome";v="124", "Chromium";v="124"'})
    assert v.client.browser == "firefox"
    assert (
        "Client Hints name Google Chrome 124 but the User-Agent is Mozilla Firefox: "
        "the User-Agent is believed, the hints are ignored"
    ) in v.reasons


def test_malformed_hints_are_named_in_the_reasons() -> None:
    headers = {"Sec-CH-UA": '"Google Chrome;v=157', "Sec-CH-UA-Mobile": "maybe", "Sec-CH-UA-Platform": '"Windows"'}
    v = browsercheck.check(CHROME_157_WINDOWS, headers=headers)
    assert v.status is Status.SUPPORTED
    problems = [r for r in v.reasons if "malformed" in r]
    assert [p.split(" is malformed")[0] for p in problems] == ["Sec-CH-UA", "Sec-CH-UA-Mobile"]


@pytest.mark.parametrize(
    "value",
    [
        '"' + "A" * 5000 + '";v="1"',
        '"\x00\x01";v="1"',
        "\u00ff\u00fe",
        "\ud800",
        '"Google Chrome";v=' + "9" * 3000,
        ",,,",
        "",
    ],
    ids=["5kB", "control", "latin1", "surrogate", "huge-number", "commas", "empty"],
)
def test_hostile_hints_never_raise(value: str) -> None:
    v = browsercheck.check(CHROME_157_WINDOWS, headers={"Sec-CH-UA": value, "Sec-CH-UA-Platform": value})
    assert v.client.browser == "chrome"


def test_long_hint_is_ignored_and_named() -> None:
    v = browsercheck.check(CHROME_157_WINDOWS, headers={"Sec-CH-UA-Model": '"' + "x" * 2000 + '"'})
    assert "Sec-CH-UA-Model is longer than 1024 characters: ignored" in v.reasons
    assert v.client.model is None


def test_hints_are_part_of_the_cache_key() -> None:
    checker = browsercheck.Checker()
    brave = checker.check(CHROME_157_WINDOWS, headers={"Sec-CH-UA": '"Brave";v="157", "Chromium";v="157"'})
    plain = checker.check(CHROME_157_WINDOWS)
    edge = checker.check(CHROME_157_WINDOWS, headers={"Sec-CH-UA": '"Microsoft Edge";v="157", "Chromium";v="157"'})
    assert (brave.client.browser, plain.client.browser, edge.client.browser) == ("brave", "chrome", "edge")


def test_bytes_header_values_are_read() -> None:
    v = browsercheck.check(headers={b"sec-ch-ua": b'"Google Chrome";v="124", "Chromium";v="124"'})  # type: ignore[dict-item]
    assert v.client.browser == "chrome"


# -- policies that use what only hints reveal ----------------------------------------------------------

WINDOWS_11_ONLY = "browsers: {chrome: '>=125'}\nos: {windows: '>=11'}\n"


def _check(policy_text: str, ua: str, headers: dict[str, str] | None = None) -> browsercheck.Verdict:
    return browsercheck.Checker(browsercheck.parse_policy(policy_text)).check(ua, headers=headers)


def test_frozen_windows_version_is_not_judged() -> None:
    v = _check(WINDOWS_11_ONLY, CHROME_157_WINDOWS)
    assert v.status is Status.UNKNOWN
    assert v.reasons[-1] == (
        "Windows 10 is frozen in the User-Agent (the real version may be later): os windows >=11 not judged"
    )


def test_hints_make_the_windows_version_known() -> None:
    eleven = {"Sec-CH-UA-Platform": '"Windows"', "Sec-CH-UA-Platform-Version": '"19.0.0"'}
    ten = {"Sec-CH-UA-Platform": '"Windows"', "Sec-CH-UA-Platform-Version": '"10.0.0"'}
    assert _check(WINDOWS_11_ONLY, CHROME_157_WINDOWS, eleven).status is Status.SUPPORTED
    verdict = _check(WINDOWS_11_ONLY, CHROME_157_WINDOWS, ten)
    assert (verdict.status, verdict.rule) == (Status.OUTDATED, "os windows >=11")
    assert verdict.reasons[-1] == "Windows 10 does not meet os windows >=11"


def test_os_rule_on_an_unfrozen_old_windows() -> None:
    xp = "Mozilla/5.0 (Windows NT 5.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
    v = _check("browsers: {chrome: true}\nos: {windows: {supported: '>=10', unsupported_below: 7}}", xp)
    assert (v.status, v.rule) == (Status.UNSUPPORTED, "os windows >=10 (unsupported below 7)")


def test_os_rule_keys_are_validated() -> None:
    with pytest.raises(browsercheck.PolicyError) as info:
        browsercheck.parse_policy("browsers: {}\nos: {windwos: 10}", "p.yaml")
    assert (
        str(info.value.problems[0])
        == "p.yaml:2: os.windwos: unknown operating system 'windwos' (did you mean 'windows'?)"
    )


def test_hints_a_policy_asks_for() -> None:
    assert hints_to_request(browsercheck.default_policy()) == ()
    assert hints_to_request(browsercheck.parse_policy(WINDOWS_11_ONLY)) == ("Sec-CH-UA-Platform-Version",)
    minor = browsercheck.parse_policy("browsers: {edge: '>=125.0.2535'}\nos: {android: 12}")
    assert hints_to_request(minor) == ("Sec-CH-UA-Platform-Version", "Sec-CH-UA-Full-Version-List")


def test_user_agent_header_with_bytes_name() -> None:
    v = browsercheck.check(headers={b"User-Agent": CHROME_157_WINDOWS})  # type: ignore[dict-item]
    assert v.client.browser == "chrome"


def test_an_unknown_platform_is_learnt_but_not_quoted_as_a_contradiction() -> None:
    hints = {"Sec-CH-UA-Platform": '"' + "z" * 1000 + '"'}
    v = browsercheck.check(CHROME_157_WINDOWS, headers=hints)
    assert v.client.os == "z" * 1000
    assert not any("contradict" in reason for reason in v.reasons)
