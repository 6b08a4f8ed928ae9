"""One registry of browser facts: every table the package reads derives from it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from types import ModuleType
from typing import Any

import pytest

from browsercheck import _browsers, _browserslist, _dataconvert, _detect, _hints, _judge, _policy, _policy_loader
from browsercheck._browsers import ENGINE_FACTS, OS_FACTS, REGISTRY, canonical_key, derive
from browsercheck.notice import _build as _notice


def test_every_table_is_what_the_registry_derives() -> None:
    derived = derive(REGISTRY, ENGINE_FACTS, OS_FACTS)
    for field, table in vars(derived).items():
        assert getattr(_browsers, field) == table, field
    assert len(vars(derived)) == 17


@pytest.mark.parametrize(
    ("module", "name", "table"),
    [
        (_policy, "OS_KEYS", "OS_KEYS"),
        (_policy, "ENGINE_FROM_BROWSER", "ENGINE_FROM_BROWSER"),
        (_judge, "_ENGINE_NAMES", "ENGINE_NAMES"),
        (_notice, "_SAME_PRODUCT", "EDITIONS"),
        (_notice, "DOWNLOAD_PAGES", "DOWNLOAD_PAGES"),
        (_hints, "BRANDS", "BRANDS"),
        (_hints, "ANDROID_EDITIONS", "ANDROID_EDITIONS"),
        (_hints, "OS_PLATFORMS", "OS_PLATFORMS"),
        (_detect, "FAMILIES", "FAMILIES"),
        (_detect, "IOS_EDITIONS", "IOS_EDITIONS"),
        (_detect, "OS_FAMILIES", "OS_FAMILIES"),
        (_detect, "DESKTOP_OSES", "DESKTOP_OSES"),
        (_policy_loader, "ALIASES", "ALIASES"),
        (_policy_loader, "DOWNLOAD_PAGES", "DOWNLOAD_PAGES"),
        (_browserslist, "_BASELINE_NAMES", "BASELINE_BROWSERSLIST"),
        (_dataconvert, "_BBM_NAMES", "BASELINE_NAMES"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_the_modules_read_the_registrys_tables(module: ModuleType, name: str, table: str) -> None:
    # the same objects, not copies that could drift
    assert vars(module)[name] is getattr(_browsers, table)


@pytest.mark.parametrize("token", sorted(_browsers.TOKENS))
def test_detection_reads_every_registry_token(token: str) -> None:
    found = _detect.product_tokens().find(f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 {token}/12.3")
    assert found == (token, "12.3")


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0.0.0 xOPR/12.3",  # inside a name
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0.0.0 opr/12.3",  # case as written
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0.0.0 OPR/beta",  # no version
    ],
)
def test_a_token_is_read_only_as_written(ua: str) -> None:
    assert _detect.product_tokens().find(ua) is None


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_every_id_of_a_record_names_it_in_a_policy(key: str) -> None:
    record = REGISTRY[key]
    assert record.key == key
    for name in (key, record.bcd, record.browserslist):
        if name is not None:
            assert canonical_key(name) == key, name


def test_records_are_consistent() -> None:
    for key, record in REGISTRY.items():
        assert record.engine is None or record.engine in _browsers.ENGINES, key
        for edition in (record.android, record.ios):
            assert edition is None or edition in REGISTRY, (key, edition)
    for os, facts in OS_FACTS.items():
        assert facts.policy_key is None or facts.policy_key == os.lower().replace("ipados", "ios"), os


def test_aliases_name_registry_keys() -> None:
    assert set(_browsers.ALIASES.values()) <= set(REGISTRY)


def test_two_records_cannot_claim_one_brand() -> None:
    twice = {
        "a": _browsers.Browser("a", "A", _browsers.BLINK, brands=("Same",)),
        "b": _browsers.Browser("b", "B", _browsers.BLINK, brands=("same",)),
    }
    with pytest.raises(ValueError, match="brand 'same' names both 'a' and 'b'"):
        derive(twice, ENGINE_FACTS, OS_FACTS)


# A browser added as one entry of the registry, in a fresh interpreter whose _browsers module is the
# shipped source with the entry inserted: detection, hints, policies, judging and notices know it.
NEW_ENTRY = """
    Browser(
        "testfox",
        "Test Fox",
        BLINK,
        browserslist="tfx",
        brands=("Test Fox",),
        tokens=("TestFox",),
        android="testfox_android",
        download="https://testfox.example/download",
    ),
    Browser("testfox_android", "Test Fox for Android", BLINK, browserslist="and_tfx"),
"""
PROGRAM = """
import importlib.util, json, pathlib, sys, types
path = pathlib.Path(importlib.util.find_spec("browsercheck").origin).parent / "_browsers.py"
anchor = "REGISTRY: Mapping[str, Browser] = _records("
source = path.read_text(encoding="utf-8")
assert anchor in source
module = types.ModuleType("browsercheck._browsers")
module.__package__ = "browsercheck"
sys.modules[module.__name__] = module
exec(compile(source.replace(anchor, anchor + NEW_ENTRY), str(path), "exec"), module.__dict__)

import browsercheck
desktop = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/157.0.0.0 Safari/537.36 TestFox/3.1")
android = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/157.0.0.0 Mobile Safari/537.36 TestFox/3.1")
rules = "browsers: {tfx: '>=4', and_tfx: '>=4', chrome: '>=125'}\\nrecommend: [testfox, firefox]"
policy = browsercheck.parse_policy(rules)
on_desktop = browsercheck.check(desktop, policy=policy)
on_android = browsercheck.check(android, policy=policy)
hinted = browsercheck.check(headers={"Sec-CH-UA": '"Test Fox";v="5", "Chromium";v="157"'}, policy=policy)
notice = on_android.notice("en")
chrome = browsercheck.check(desktop.replace(" TestFox/3.1", "").replace("157", "100"), policy=policy)
print(json.dumps({
    "desktop": [on_desktop.client.browser, on_desktop.client.name, on_desktop.client.version,
                on_desktop.status.value, on_desktop.rule],
    "android": [on_android.client.browser, on_android.status.value, on_android.rule],
    "hinted": [hinted.client.browser, hinted.client.version, hinted.status.value],
    "notice": [notice.advice, [[link.key, link.url] for link in notice.links]],
    "switch": [[link.key, link.url] for link in chrome.notice("en").links],
}))
"""


def test_a_new_record_shows_up_everywhere() -> None:
    program = f"NEW_ENTRY = {NEW_ENTRY!r}\n" + textwrap.dedent(PROGRAM)
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    seen: dict[str, Any] = json.loads(out.stdout)
    assert seen["desktop"] == ["testfox", "Test Fox", "3.1", "outdated", "testfox >=4"]
    assert seen["android"] == ["testfox_android", "outdated", "testfox_android >=4"]
    assert seen["hinted"] == ["testfox", "5", "supported"]
    # the Android edition is the same product: "update Test Fox, or switch to Firefox"
    assert seen["notice"] == ["update_or_switch", [["firefox", "https://www.mozilla.org/firefox/new/"]]]
    # and Test Fox is recommended with its download page
    assert seen["switch"] == [
        ["testfox", "https://testfox.example/download"],
        ["firefox", "https://www.mozilla.org/firefox/new/"],
    ]
