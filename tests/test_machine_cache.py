"""What browsercheck keeps per machine: where, how it is written, and what its keys are made of."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from browsercheck import _machine_cache
from browsercheck._browserdata import cache_dir
from browsercheck._forms import FORMS

_CHROME = FORMS[0].example


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "/tmp/xdg-cache", "relative/cache"])
def test_the_cache_directory_on_linux_is_platformdirs_without_importing_it(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XDG base directory rule: ``$XDG_CACHE_HOME`` where it is an absolute path (a relative
    one is ignored), else ``~/.cache``."""
    import platformdirs

    monkeypatch.delenv("BROWSERCHECK_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    expected = Path(xdg if xdg and xdg.startswith("/") else os.path.expanduser("~/.cache"), "browsercheck")
    assert cache_dir() == expected
    if xdg != "relative/cache":  # platformdirs before 4 took a relative one as it was
        assert cache_dir() == Path(platformdirs.user_cache_dir("browsercheck"))


def test_browsercheck_cache_dir_overrides_the_users_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    assert _machine_cache.cache_file("x.marshal") == tmp_path / "x.marshal"


def test_a_fresh_process_reads_its_first_form_without_importing_platformdirs_or_building_parsers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A second process on the machine: the policy, ua-parser's rules and what the parsers call the
    forms are kept; Chrome's User-Agent is judged without the parsers, the bot check or platformdirs.
    (In a first one, all are built, and kept.)"""
    monkeypatch.delenv("BROWSERCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code = (
        "import sys, browsercheck\n"
        f"v = browsercheck.check({_CHROME!r})\n"
        "print(v.status.value, v.client.browser, v.client.os, *(m in sys.modules for m in"
        " ('platformdirs', 'crawlerdetect', 'browsercheck._resolver')))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
        for _ in range(2)
    ]
    first, second = (run.stdout.split() for run in runs)
    assert first == ["supported", "chrome", "Windows", "False", "True", "True"]
    assert second == ["supported", "chrome", "Windows", "False", "False", "False"]
    assert {p.name for p in (tmp_path / "browsercheck").iterdir()} >= {"forms.marshal", "default-policy.marshal"}


def test_a_whole_file_or_none(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "kept.bin"
    _machine_cache.write_whole(target, b"one")
    _machine_cache.write_whole(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["kept.bin"]  # no partial file left
    (tmp_path / "a-file").write_text("in the way of a directory")
    _machine_cache.write_whole(tmp_path / "a-file" / "kept.bin", b"x")  # passed by: no error


def test_the_stamps_name_each_file_by_size_and_time(tmp_path: Path) -> None:
    code = dict((name, (size, mtime)) for name, size, mtime in _machine_cache.own_code())
    assert "./_detect.py" in code and "./_forms.py" in code
    assert any(name.startswith("./_speedups") for name in code) or "_speedups" not in sys.modules
    assert code["./_detect.py"][0] == os.stat(Path(_machine_cache.__file__).parent / "_detect.py").st_size
    providers = {name for name, *_ in _machine_cache.package_files("crawlerdetect")}
    assert "providers/crawlers.py" in providers
    with pytest.raises(ImportError):
        _machine_cache.package_files("no_such_package_here")
