"""ua-parser-builtins' rules kept once per machine: the first verdict of a fresh process then needs
no import of ua-parser, and a cache that is missing, corrupt or unwritable changes nothing."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from browsercheck import _machine_cache, _resolver
from browsercheck._resolver import NativeResolver, builtin_rules


def _ua_parsers_rules() -> tuple[list[_resolver.Rule], list[_resolver.Rule]]:
    from ua_parser import load_lazy_builtins

    user_agent, os_rules, _ = load_lazy_builtins()
    return [_resolver._FIELDS(m) for m in user_agent], [_resolver._FIELDS(m) for m in os_rules]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_rules_are_ua_parsers_and_are_kept_for_the_next_process(cache_dir: Path) -> None:
    assert builtin_rules() == _ua_parsers_rules()
    (kept,) = cache_dir.iterdir()
    assert _machine_cache.kept(kept.name) == _ua_parsers_rules()
    assert builtin_rules() == _ua_parsers_rules()  # now read from the cache


def test_a_fresh_process_with_the_rules_kept_judges_without_importing_ua_parser(cache_dir: Path) -> None:
    builtin_rules()
    code = (
        "import sys, browsercheck\n"
        "v = browsercheck.check('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36')\n"
        "print(v.client.browser, v.client.os, 'ua_parser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert out.stdout.split() == ["chrome", "Windows", "False"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00garbage",
        marshal.dumps(_ua_parsers_rules()),
        ([("x", None, None, None, None, None)], []),
        [1, 2],
    ],
    ids=["empty", "garbage", "no-checksum", "an-empty-part", "wrong-shape"],
)
def test_a_corrupt_cache_is_read_past_and_written_anew(cache_dir: Path, content: object) -> None:
    builtin_rules()
    (kept,) = cache_dir.iterdir()
    if isinstance(content, bytes):
        kept.write_bytes(content)
    else:
        _machine_cache.keep(kept.name, content)
    assert builtin_rules() == _ua_parsers_rules()
    assert _machine_cache.kept(kept.name) == _ua_parsers_rules()


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("in the way of a directory")
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    assert builtin_rules() == _ua_parsers_rules()
    resolver = NativeResolver.builtin()
    browser, os_ = resolver.browser_and_os("Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0")
    assert (browser and browser.family, os_ and os_.family) == ("Firefox", "Linux")
