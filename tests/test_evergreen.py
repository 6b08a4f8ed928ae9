"""Policies from queries: the shipped data, Baseline for a date, the default policy moving with the
calendar, `policy show`, and a long-lived Checker that re-evaluates its policy every day."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

import browsercheck
from browsercheck import Status, _clock, parse_policy
from browsercheck._browserdata import DataError, browser_data, parse
from browsercheck.cli import main

WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"


def chrome(major: int) -> str:
    return f"{WINDOWS} Chrome/{major}.0.0.0 Safari/537.36"


def safari(version: str) -> str:
    return f"{MAC} AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{version} Safari/605.1.15"


def firefox(major: int) -> str:
    return f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{major}.0) Gecko/20100101 Firefox/{major}.0"


def minimums(policy: browsercheck.Policy) -> dict[str, str]:
    return {k: str(r.supported) for k, r in policy.browsers.items() if not r.blocked}


# -- the shipped data ------------------------------------------------------------------------------


def test_shipped_data_names_its_sources_and_is_small() -> None:
    data = browser_data()
    assert data.versions == {"baseline-browser-mapping": "2.11.40", "caniuse-lite": "1.0.30001828"}
    assert data.date == dt.date(2026, 11, 24)
    assert {s.license for s in data.sources.values()} == {"Apache-2.0", "CC-BY-4.0"}
    shipped = Path(browsercheck.__file__).parent / "data" / "browsers.json"
    assert shipped.stat().st_size < 100_000
    notice = (shipped.parent / "NOTICE.browsers.md").read_text()
    assert "Apache License, Version 2.0" in notice and "Attribution 4.0" in notice


def test_shipped_data_is_consistent() -> None:
    data = browser_data()
    dates = [d for d, _ in data.baseline]
    assert dates == sorted(dates) and dates[0] == dt.date(2015, 7, 29)
    for name, agent in data.agents.items():
        assert agent.versions[: len(agent.released)] == agent.released, name
        assert set(agent.usage) == set(agent.versions) == set(agent.release_dates), name
    # every Baseline version of a core browser is a version caniuse knows (but for the newest
    # releases: the packages are published on different days)
    caniuse = {"chrome": "chrome", "firefox": "firefox", "safari": "safari", "edge": "edge"}
    for day, versions in data.baseline:
        if day > data.date - dt.timedelta(days=30):
            break
        for browser, name in caniuse.items():
            if browser in versions:
                known = {v.split("-")[0].removesuffix(".0") for v in data.agents[name].versions}
                assert versions[browser].removesuffix(".0") in known, (browser, versions[browser])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not browser data: Expecting value"),
        ("{", "not browser data: Expecting property name"),
        ('{"format": 2}', "format 2, this version reads 1"),
        ('{"format": 1}', "KeyError: 'sources'"),
        ("[" * 100_000, "not browser data"),
    ],
    ids=["empty", "truncated", "future-format", "no-sources", "deep-nesting"],
)
def test_corrupt_data_is_a_data_error_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        parse(text, "/cache/browsers.json")
    assert str(info.value).startswith("/cache/browsers.json: ")
    assert message in str(info.value)


# -- Baseline for a date: the default policy -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # as browserslist 4.29.6 answers; on 2026-11-27 the hand-typed default this replaced (but for
        # Opera for Android, now judged by its Chromium version: caniuse lists no version of it >= 83)
        ("2026-11-27", {"chrome": "125", "firefox": "126", "safari": "17.5", "samsung": "27", "opera": "111"}),
        ("2027-01-01", {"chrome": "125", "firefox": "127", "safari": "17.5", "samsung": "27", "opera": "111"}),
        ("2027-03-01", {"chrome": "127", "firefox": "129", "safari": "17.5", "samsung": "28", "opera": "113"}),
        ("2027-06-01", {"chrome": "130", "firefox": "132", "safari": "18", "samsung": "28", "opera": "115"}),
    ],
)
def test_default_policy_is_baseline_widely_available_on_the_day(day: str, expected: dict[str, str]) -> None:
    policy = browsercheck.default_policy(date=day)
    assert policy.name == f"Baseline widely available, {day}"
    assert policy.date == dt.date.fromisoformat(day)
    keys = {
        "chrome": ("chrome", "chrome_android", "edge", "webview_android"),
        "firefox": ("firefox", "firefox_android"),
        "safari": ("safari", "safari_ios"),
        "samsung": ("samsunginternet_android",),
        "opera": ("opera",),
    }
    want = {key: f">={expected[name]}" for name, group in keys.items() for key in group}
    assert minimums(policy) == want
    assert {k for k, r in policy.browsers.items() if r.blocked} == {"ie", "edge_legacy"}
    assert policy.recommend == ("firefox", "chrome", "edge")


def test_default_policy_judges_by_the_day() -> None:
    before = browsercheck.Checker(date="2026-11-27")
    after = browsercheck.Checker(date="2027-06-01")
    assert before.check(chrome(127)).status is Status.SUPPORTED
    assert after.check(chrome(127)).status is Status.OUTDATED
    assert after.check(safari("17.6")).status is Status.OUTDATED
    assert after.check(safari("18.0")).status is Status.SUPPORTED
    assert after.check(firefox(132)).status is Status.SUPPORTED
    # a Chromium browser the query does not name is judged by its Chromium version
    samsung = (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36"
    )
    assert before.check(samsung).status is Status.SUPPORTED
    assert after.check(samsung).status is Status.OUTDATED
    assert after.check(samsung).rule == "samsunginternet_android >=28"
    opera_12 = "Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18"
    assert after.check(opera_12).status is Status.OUTDATED


def test_default_policy_without_a_date_is_todays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_clock, "now", lambda: _midnight("2027-03-01") + 86399)  # 23:59:59 UTC
    policy = browsercheck.default_policy()
    assert policy.date == dt.date(2027, 3, 1)
    assert policy.name == "Baseline widely available, 2027-03-01"
    assert str(policy.browsers["firefox"].supported) == ">=129"


def test_browsers_entries_override_the_query() -> None:
    policy = parse_policy(
        "browserslist: baseline widely available\nbrowsers: {chrome: 100, safari: false}", date="2027-06-01"
    )
    assert str(policy.browsers["chrome"].supported) == ">=100"
    assert policy.browsers["safari"].blocked
    assert str(policy.browsers["firefox"].supported) == ">=132"


def test_a_date_in_the_wrong_format_names_it() -> None:
    with pytest.raises(ValueError, match=r"invalid date '2027-6-1' \(expected YYYY-MM-DD\)"):
        browsercheck.default_policy(date="2027-6-1")
    with pytest.raises(ValueError, match="invalid date '2027-02-30'"):
        browsercheck.Checker(date="2027-02-30")


# -- policy show -----------------------------------------------------------------------------------


def test_policy_show_json_is_exactly_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "show", "--date", "2027-06-01", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "name": "Baseline widely available, 2027-06-01",
        "date": "2027-06-01",
        "data": {"baseline-browser-mapping": "2.11.40", "caniuse-lite": "1.0.30001828"},
        "minimums": {
            "chrome": "130",
            "chrome_android": "130",
            "edge": "130",
            "edge_legacy": False,
            "firefox": "132",
            "firefox_android": "132",
            "ie": False,
            "opera": "115",
            "safari": "18",
            "safari_ios": "18",
            "samsunginternet_android": "28",
            "webview_android": "130",
        },
    }


def test_policy_show_of_a_file_with_true_and_false(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: Ours\nbrowserslist: last 1 version, op_mini all\nbrowsers: {ie: false}\n")
    assert main(["policy", "show", str(path), "--date", "2026-11-30", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["name"] == "Ours, 2026-11-30"
    assert shown["minimums"]["opera_mini"] is True
    assert shown["minimums"]["ie"] is False
    assert shown["minimums"]["chrome"] == "158"  # the last released Chrome in this data
    assert "bb" not in shown["minimums"]


def test_policy_show_text_and_staleness(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "show", "--date", "2026-12-01"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[:3] == [
        "Baseline widely available, 2026-12-01",
        "  evaluated for 2026-12-01 on baseline-browser-mapping 2.11.40, caniuse-lite 1.0.30001828",
        "  browserslist: baseline widely available with downstream",
    ]
    assert "  chrome                   125" in out.splitlines()
    assert err == ""  # 7 days old: fresh
    assert main(["policy", "show", "--date", "2027-03-01"]) == 0
    err = capsys.readouterr().err
    assert "warning: browser data is 97 days older than 2027-03-01 (from 2026-11-24" in err
    # in a process of its own (pytest catches what the logger says): said once, not also logged
    import subprocess
    import sys

    command = [sys.executable, "-m", "browsercheck", "policy", "show", "--date", "2027-03-01"]
    err = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    assert err.count("browser data is 97 days older") == 1, err
    assert "run `browsercheck data update`" in err


def test_policy_show_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["policy", "show", "--date", "2027-13-01"])
    assert info.value.code == 2
    assert "invalid date '2027-13-01' (expected YYYY-MM-DD)" in capsys.readouterr().err


def test_stale_data_is_logged_at_load(caplog: pytest.LogCaptureFixture) -> None:
    browsercheck.default_policy(date="2026-12-01")
    assert not caplog.records
    browsercheck.default_policy(date="2027-06-01")
    assert [r.getMessage() for r in caplog.records] == [
        "browsercheck: browser data is 189 days older than 2027-06-01 (from 2026-11-24: "
        "baseline-browser-mapping 2.11.40, caniuse-lite 1.0.30001828); run `browsercheck data update`"
    ]


def test_policy_validate_says_when_the_data_is_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("browserslist: baseline widely available on 2024-01-01\n")
    assert main(["policy", "validate", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok ('p.yaml, 2026-11-27', 7 browser rules)\n"
    monkeypatch.setattr(_clock, "now", lambda: _midnight("2027-06-01"))
    assert main(["policy", "validate", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: ok ('p.yaml, 2027-06-01', 7 browser rules)",
        f"{path}: warning: browser data is 189 days older than 2027-06-01 (from 2026-11-24: "
        "baseline-browser-mapping 2.11.40, caniuse-lite 1.0.30001828); run `browsercheck data update`",
    ]


# -- evergreen: a long-lived Checker ---------------------------------------------------------------


def _midnight(day: str) -> float:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC).timestamp()


def test_checker_re_evaluates_its_policy_after_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = browsercheck.default_policy()
    checker = browsercheck.Checker(policy)
    # the day the policy was evaluated for ends; pretend it is now 2027-06-01, 00:00:05 UTC
    monkeypatch.setattr(_clock, "now", lambda: _midnight("2027-06-01") + 5)
    assert checker._refresh_at is not None and checker._refresh_at <= _clock.now()
    thread = checker._start_refresh()
    assert thread is not None
    thread.join()
    assert checker.policy.name == "Baseline widely available, 2027-06-01"
    assert checker.check(chrome(129)).status is Status.OUTDATED
    assert checker._refresh_at == _midnight("2027-06-02")
    again = checker._start_refresh()
    assert again is not None
    again.join()
    assert checker.policy.name == "Baseline widely available, 2027-06-01"


def test_check_after_midnight_starts_the_refresh_off_the_request_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from browsercheck import _evergreen

    release = threading.Event()
    real = _evergreen.evaluate

    def slow(policy: browsercheck.Policy, day: dt.date) -> browsercheck.Policy:
        release.wait(10)
        return real(policy, day)

    checker = browsercheck.Checker(browsercheck.default_policy())
    monkeypatch.setattr(_evergreen, "evaluate", slow)
    old = checker.policy
    monkeypatch.setattr(_clock, "now", lambda: _midnight("2027-06-01") + 5)
    verdict = checker.check(chrome(129))  # answered at once with the policy in force
    assert verdict.policy is old and verdict.status is Status.SUPPORTED
    assert checker.check(chrome(128)).policy is old  # one refresh at a time, none started again
    release.set()
    for _ in range(500):
        if checker.policy is not old:
            break
        threading.Event().wait(0.01)
    assert checker.policy.name == "Baseline widely available, 2027-06-01"
    assert checker.check(chrome(129)).status is Status.OUTDATED  # the cache went with the old policy


def test_pinned_dates_never_move(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = browsercheck.Checker(date="2026-11-27")
    assert checker._refresh_at is None
    monkeypatch.setattr(_clock, "now", lambda: _midnight("2027-06-01"))
    assert checker.check(chrome(127)).status is Status.SUPPORTED
    assert browsercheck.Checker(browsercheck.load_policy(date="2026-11-27"))._refresh_at is None
    assert browsercheck.Checker(parse_policy("browsers: {chrome: 100}"))._refresh_at is None


def test_a_policy_evaluated_for_another_day_is_re_evaluated_by_the_checker() -> None:
    unpinned = browsercheck.default_policy()
    checker = browsercheck.Checker(unpinned, date="2027-06-01")
    assert checker.policy.name == "Baseline widely available, 2027-06-01"
    assert checker._refresh_at is None


def test_policy_file_with_a_query(tmp_path: Path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: Ours
            browserslist:
              - baseline widely available on 2025-01-01
              - not safari < 17.2
            """
        )
    )
    policy = browsercheck.load_policy(path, date="2027-06-01")
    assert policy.name == "Ours, 2027-06-01"
    assert minimums(policy)["safari"] == ">=17.2"
    assert minimums(policy)["chrome"] == ">=101"  # browserslist 4.29.6 agrees


def test_import_reads_no_browser_data() -> None:
    # the data, the query modules and what they need are loaded with the first query policy
    import subprocess
    import sys

    lazy = (
        "browsercheck._browserdata",
        "browsercheck._browserslist",
        "browsercheck._evergreen",
        "datetime",
        "logging",
        "platformdirs",
    )
    code = f"import sys, browsercheck; print(sorted(m for m in {lazy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
