"""The default policy kept once a day per machine (`_policy_cache`): read from the cache it is the
policy read from its YAML; anything wrong with the cache only means the YAML is read again."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import browsercheck
from browsercheck import Policy, _browserdata, _clock, _machine_cache, _policy_cache
from browsercheck._lazy import Lazy
from browsercheck._policy_cache import policy_from_plain, policy_to_plain
from browsercheck._policy_loader import read_default_policy

CHROME_129 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36"
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory, and browser data not yet read, as in a fresh process."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_browserdata, "_current", Lazy(_browserdata.newest))
    return tmp_path / _policy_cache.CACHE_FILE


def _fresh_process() -> None:
    """What a new process has: browser data not read yet."""
    _browserdata._current.reset()


def _same(a: Policy, b: Policy) -> None:
    """Two policies that judge alike: every field equal (policies compare by identity)."""
    for name in ("name", "source", "unknown", "recommend", "date"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("browsers", "engines", "os", "data"):
        assert dict(getattr(a, name)) == dict(getattr(b, name)), name
    assert (a.site.name, a.site.locale, dict(a.site.links)) == (b.site.name, b.site.locale, dict(b.site.links))
    assert {k: dict(v) for k, v in a.site.messages.items()} == {k: dict(v) for k, v in b.site.messages.items()}
    assert (a.query is None) == (b.query is None)
    if a.query is not None and b.query is not None:
        assert (a.query.queries, a.query.line, a.query.name, a.query.pinned) == (
            b.query.queries,
            b.query.line,
            b.query.name,
            b.query.pinned,
        )
        assert dict(a.query.explicit) == dict(b.query.explicit)


def test_the_policy_read_from_the_cache_is_the_policy_read_from_yaml(cache: Path) -> None:
    written = _policy_cache.default_policy()
    assert cache.exists()
    _fresh_process()
    read = _policy_cache.default_policy()
    assert read is not written  # this one came from the cache
    _same(read, read_default_policy())
    assert read.date == dt.date(2026, 11, 27) and read.query is not None and not read.query.pinned
    assert browsercheck.Checker(read).check(CHROME_129).status is browsercheck.Status.SUPPORTED


def test_a_fresh_process_with_the_policy_cached_reads_no_yaml(tmp_path: Path) -> None:
    noon = _clock.now()  # the suite's day, in the processes too: the day is part of the key
    code = textwrap.dedent(
        f"""
        import sys, browsercheck
        browsercheck._clock.now = lambda: {noon!r}
        verdict = browsercheck.check({CHROME_129!r})
        print(verdict.status.value, verdict.policy.name, "yaml" in sys.modules, "browsercheck.notice" in sys.modules)
        """
    )
    env = {"BROWSERCHECK_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env) for _ in "12"
    ]
    name = f"Baseline widely available, {_today().isoformat()}"
    assert runs[0].stdout == f"supported {name} True True\n"  # read from YAML, and cached
    assert runs[1].stdout == f"supported {name} False False\n"  # from the cache
    assert [run.stderr for run in runs] == ["", ""]


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00garbage", marshal.dumps(("key", "text")), ("key", "text"), None, 7],
    ids=["empty", "not marshal", "no checksum", "another shape", "none", "a number"],
)
def test_a_corrupt_cache_is_read_past_and_replaced(cache: Path, content: object) -> None:
    if isinstance(content, bytes):
        cache.write_bytes(content)
    else:
        _machine_cache.keep(cache.name, content)
    policy = _policy_cache.default_policy()
    _same(policy, read_default_policy())
    _fresh_process()
    assert _machine_cache.kept(cache.name)[0] == _policy_cache._key(_today())  # written anew


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("browsers", {"chrome": (1, 2, 3, 4, 5)}),  # a rule of the wrong types
        ("recommend", "chrome"),  # a text where the keys' tuple is: read letter by letter, "c"...
        ("recommend", ("chrome", "nosuch")),  # a browser without a download page: the notice failed
        ("recommend", ("chrome", "example")),  # a download page of the site's (below), but no browser
        ("query", (">0.5%", 1, "Ours", {}, False)),
    ],
)
def test_a_cached_policy_that_is_not_a_policy_is_read_past(cache: Path, field: str, value: object) -> None:
    """Behind a right checksum (made by hand): no policy the loader would not have made, whose
    verdicts or notices would fail later."""
    _policy_cache.default_policy()
    key, text, plain, stale = _machine_cache.kept(cache.name)
    plain[field] = value
    if value == ("chrome", "example"):
        name, locale, messages, links = plain["site"]
        plain["site"] = (name, locale, messages, {**links, "example": "https://example.org/"})
    _machine_cache.keep(cache.name, (key, text, plain, stale))
    _fresh_process()
    policy = _policy_cache.default_policy()
    _same(policy, read_default_policy())
    old_ie = "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)"
    notice = browsercheck.check(old_ie, policy=policy).notice()
    assert notice is not None and notice.text


def test_a_cache_that_cannot_be_written_is_passed_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(not_a_folder))
    monkeypatch.setattr(_browserdata, "_current", Lazy(_browserdata.newest))
    _same(_policy_cache.default_policy(), read_default_policy())


def test_the_next_day_the_policy_is_read_for_that_day(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _policy_cache.default_policy().date == dt.date(2026, 11, 27)
    tomorrow = _clock.now() + 86400
    monkeypatch.setattr(_clock, "now", lambda: tomorrow)
    _fresh_process()
    assert _policy_cache.default_policy().date == dt.date(2026, 11, 28)
    _fresh_process()
    assert _policy_cache.default_policy().date == dt.date(2026, 11, 28)  # and cached for it


def test_browser_data_stored_by_an_update_is_a_new_key(cache: Path) -> None:
    first = _policy_cache.default_policy()
    shipped = json.loads((Path(_browserdata.__file__).parent / "data" / "browsers.json").read_text())
    shipped["sources"]["caniuse-lite"]["version"] = "1.0.99999999"
    (cache.parent / _browserdata.CACHE_FILE).write_text(json.dumps(shipped))
    _fresh_process()
    after = _policy_cache.default_policy()
    assert first.data["caniuse-lite"] != "1.0.99999999"
    assert after.data["caniuse-lite"] == "1.0.99999999"


def test_a_changed_shipped_data_file_is_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = Path(_policy_cache.__file__).parent / "data"
    (tmp_path / "data").mkdir()
    for source in shipped.iterdir():
        (tmp_path / "data" / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(_policy_cache, "_PACKAGE", tmp_path)
    day = dt.date(2026, 12, 1)
    before = _policy_cache._key(day)
    with open(tmp_path / "data" / "browsers.json", "a") as edited:
        edited.write("\n")  # an upgrade's file: another size
    assert before is not None and _policy_cache._key(day) not in (None, before)


def test_a_process_keeps_the_browser_data_it_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _policy_cache.default_policy()
    shipped = json.loads((Path(_browserdata.__file__).parent / "data" / "browsers.json").read_text())
    shipped["sources"]["caniuse-lite"]["version"] = "1.0.99999999"
    (cache.parent / _browserdata.CACHE_FILE).write_text(json.dumps(shipped))
    _fresh_process()
    _policy_cache.default_policy()  # cached on the updated data
    monkeypatch.setattr(_browserdata, "_current", Lazy(_browserdata.shipped))  # one that read the shipped data
    _browserdata.browser_data()
    assert _policy_cache.default_policy().data["caniuse-lite"] != "1.0.99999999"


def test_a_process_on_older_browser_data_caches_nothing_for_the_newer(cache: Path) -> None:
    shipped = json.loads((Path(_browserdata.__file__).parent / "data" / "browsers.json").read_text())
    stored = cache.parent / _browserdata.CACHE_FILE
    shipped["sources"]["caniuse-lite"]["version"] = "1.0.88888888"
    stored.write_text(json.dumps(shipped))
    assert _browserdata.browser_data().versions["caniuse-lite"] == "1.0.88888888"  # read, in this process
    shipped["sources"]["caniuse-lite"]["version"] = "1.0.99999999"  # then another process updates it
    stored.write_text(json.dumps(shipped) + " ")
    assert _policy_cache.default_policy().data["caniuse-lite"] == "1.0.88888888"  # on what it read
    _fresh_process()
    assert _policy_cache.default_policy().data["caniuse-lite"] == "1.0.99999999"


def test_the_stale_data_warning_is_given_from_the_cache_too(
    cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_clock, "now", lambda: dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC).timestamp())
    warning = (
        "browsercheck: browser data is 189 days older than 2027-06-01 (from 2026-11-24: "
        "baseline-browser-mapping 2.11.40, caniuse-lite 1.0.30001828); run `browsercheck data update`"
    )
    _policy_cache.default_policy()
    assert [r.getMessage() for r in caplog.records] == [warning]
    caplog.clear()
    _fresh_process()
    policy = _policy_cache.default_policy()
    assert _machine_cache.kept(cache.name)[3] is not None  # it came from the cache
    assert policy.date == dt.date(2027, 6, 1)
    assert [r.getMessage() for r in caplog.records] == [warning]


def test_load_policy_and_checker_without_a_date_read_the_cache(cache: Path) -> None:
    policy = _policy_cache.default_policy()
    assert cache.exists()
    _fresh_process()
    for loaded in (browsercheck.load_policy(), browsercheck.default_policy(), browsercheck.Checker().policy):
        _same(loaded, policy)
        assert loaded is not policy


# -- the plain form, on a policy with every field -----------------------------------------------------

EVERY_FIELD = """\
schema: 1
name: Everything
browserslist: baseline widely available on 2025-01-01
browsers:
  chrome: {supported: ">=120,<200", unsupported_below: "100.0.1"}
  ie: false
  samsung: true
engines:
  blink: ">=110"
os:
  windows: ">=10"
unknown: notify
recommend: [firefox]
site:
  name: example.org
  locale: sv
  messages: {sv: {outdated.title: "Uppdatera webbläsaren"}}
  links: {firefox: "https://example.org/firefox"}
"""


def test_a_policy_with_every_field_comes_back_from_plain_data() -> None:
    policy = browsercheck.parse_policy(EVERY_FIELD, "every.yaml")
    plain = policy_to_plain(policy)
    back = policy_from_plain(marshal.loads(marshal.dumps(plain)))
    _same(back, policy)
    assert [str(rule) for rule in back.browsers.values()] == [str(rule) for rule in policy.browsers.values()]
    assert back.browsers["chrome"].minimum == policy.browsers["chrome"].minimum


def _today() -> dt.date:
    from browsercheck._evergreen import today

    return today()
