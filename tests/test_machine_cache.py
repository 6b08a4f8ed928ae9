"""What browsercheck keeps per machine: where, how it is written, and what its keys are made of."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browsercheck import _machine_cache
from browsercheck._browserdata import cache_dir
from browsercheck._forms import FORMS

_CHROME = FORMS[0].example


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("xdg", [None, "", "/tmp/xdg-cache", "relative/cache"])
def test_the_cache_directory_on_linux_is_platformdirs_without_importing_it(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The XDG base directory rule: ``$XDG_CACHE_HOME`` where it is an absolute path (a relative
    one is ignored), else ``$HOME/.cache``."""
    import platformdirs

    monkeypatch.delenv("BROWSERCHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    expected = Path(xdg, "browsercheck") if xdg and xdg.startswith("/") else tmp_path / ".cache" / "browsercheck"
    assert cache_dir() == expected
    if xdg != "relative/cache":  # platformdirs before 4 took a relative one as it was
        assert cache_dir() == Path(platformdirs.user_cache_dir("browsercheck"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
@pytest.mark.parametrize("home", [None, "", "relative/home"])
def test_without_an_absolute_home_the_cache_directory_is_platformdirs(
    home: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """platformdirs then looks further (the user's passwd entry), or says it cannot: never a
    directory relative to wherever the process runs."""
    import platformdirs

    monkeypatch.delenv("BROWSERCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    try:
        expected: Path | None = Path(platformdirs.user_cache_dir("browsercheck"))
    except RuntimeError:  # no home directory to be found (platformdirs 4)
        expected = None
    if expected is None or not expected.is_absolute():  # platformdirs 3 takes a relative $HOME as it is
        with pytest.raises(OSError, match="set BROWSERCHECK_CACHE_DIR"):
            cache_dir()
    else:
        assert cache_dir() == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
def test_a_relative_cache_directory_from_platformdirs_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs 3 gives "~/.cache/..." where it finds no home: never a directory relative to
    wherever the process runs."""
    import platformdirs

    for name in ("BROWSERCHECK_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *args: "~/.cache/browsercheck")
    with pytest.raises(OSError, match=re.escape("only ~/.cache/browsercheck")):
        cache_dir()


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
    kept = {p.name for p in (tmp_path / "browsercheck").iterdir()}
    assert "default-policy.marshal" in kept and any(name.startswith("forms-") for name in kept)


def test_a_cache_built_into_an_image_serves_a_fresh_process(tmp_path: Path) -> None:
    """The README's recipe: built once (`Checker().build()`), the rules and the forms serve every
    later process, on another day too (the policy evaluated anew), without the parsers for Chrome."""
    env = {**os.environ, "BROWSERCHECK_CACHE_DIR": str(tmp_path)}
    build = "import browsercheck; browsercheck.Checker().build()"
    subprocess.run([sys.executable, "-c", build], check=True, env=env)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert [name.split("-")[0] for name in kept] == ["default", "forms", "ua"], kept
    (tmp_path / "default-policy.marshal").unlink()  # another day
    code = (
        "import sys, browsercheck\n"
        f"v = browsercheck.check({_CHROME!r})\n"
        "print(v.status.value, v.client.browser, 'crawlerdetect' in sys.modules, 'ua_parser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["supported", "chrome", "False", "False"]


def test_a_whole_file_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path / "deeper"))
    _machine_cache.keep("kept.bin", ("one", 1))
    _machine_cache.keep("kept.bin", ("two", 2))
    assert _machine_cache.kept("kept.bin") == ("two", 2)
    assert [p.name for p in (tmp_path / "deeper").iterdir()] == ["kept.bin"]  # no partial file left
    (tmp_path / "deeper" / "dir.bin").mkdir()
    _machine_cache.keep("dir.bin", 1)  # cannot take a directory's place: passed by, nothing left
    assert sorted(p.name for p in (tmp_path / "deeper").iterdir()) == ["dir.bin", "kept.bin"]
    (tmp_path / "a-file").write_text("in the way of a directory")
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    _machine_cache.keep("kept.bin", 1)  # passed by: no error
    assert _machine_cache.kept("kept.bin") is None


def _written_ago(path: Path, days: float) -> None:
    when = time.time() - days * 24 * 3600
    os.utime(path, (when, when))


_KIND = r"kind-[0-9]+\.bin"


def test_writing_a_file_of_a_kind_removes_the_kinds_old_and_surplus_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_machine_cache, "KEPT_PER_KIND", 8)
    for k in range(12):  # twelve versions, the first written longest ago
        _machine_cache.keep(f"kind-{k}.bin", k, kind=_KIND)
        _written_ago(tmp_path / f"kind-{k}.bin", 12 - k)
    assert len(list(tmp_path.iterdir())) == 8  # each write kept the newest eight, itself among them
    (tmp_path / "kind-3.bin.4242.1").write_bytes(b"half")  # a writer stopped half-way
    _written_ago(tmp_path / "kind-3.bin.4242.1", 0.5)
    for other in ("other.bin", "kind-notes.txt", "kind-1.bin.bak"):  # not of the kind: never removed
        (tmp_path / other).write_bytes(b"not browsercheck's")
        _written_ago(tmp_path / other, 400)
    _machine_cache.keep("kind-12.bin", 12, kind=_KIND)
    # the newest seven beside the one written, the half-written one the newest of them
    kept = ["kind-12.bin", "kind-3.bin.4242.1", "kind-11.bin", "kind-10.bin", "kind-9.bin", "kind-8.bin", "kind-7.bin",
            "kind-6.bin"]  # fmt: skip
    others = ["other.bin", "kind-notes.txt", "kind-1.bin.bak"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept + others)
    assert _machine_cache.kept("kind-12.bin") == 12
    monkeypatch.setattr(_machine_cache, "KEPT_PER_KIND", 20)  # room for all: only age removes
    _written_ago(tmp_path / "kind-10.bin", 31)
    _machine_cache.keep("kind-13.bin", 13, kind=_KIND)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted({*kept, *others, "kind-13.bin"} - {"kind-10.bin"})  # written 31 days ago
    _written_ago(tmp_path / "kind-11.bin", 31)
    _machine_cache.keep("kind-14.bin", 14)  # written without a kind: nothing is removed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*left, "kind-14.bin"])


def test_pruning_passes_by_what_it_cannot_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    (tmp_path / "kind-1.bin").mkdir()  # a directory of the kind's name: passed by
    _written_ago(tmp_path / "kind-1.bin", 100)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "kind-2.bin").write_bytes(b"old")
    _written_ago(tmp_path / "elsewhere" / "kind-2.bin", 100)
    (tmp_path / "kind-2.bin").symlink_to(tmp_path / "elsewhere" / "kind-2.bin")  # not a file it wrote either
    long_ago = time.time() - 100 * 24 * 3600
    os.utime(tmp_path / "kind-2.bin", (long_ago, long_ago), follow_symlinks=False)
    _machine_cache.keep("kind-3.bin", 1, kind=_KIND)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "kind-1.bin", "kind-2.bin", "kind-3.bin"]
    assert (tmp_path / "elsewhere" / "kind-2.bin").exists()
    _machine_cache.prune(tmp_path / "missing", _KIND, written="kind-3.bin")  # no error


def test_a_file_gone_while_pruning_is_passed_by_and_the_rest_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    (tmp_path / "kind-1.bin").write_bytes(b"old")
    _written_ago(tmp_path / "kind-1.bin", 100)
    listing = os.scandir

    class Gone:
        """An entry listed, then removed by another process before it is looked at."""

        name, path = "kind-0.bin", str(tmp_path / "kind-0.bin")

        def is_file(self, follow_symlinks: bool = True) -> bool:
            raise FileNotFoundError(self.path)

    @contextlib.contextmanager
    def with_one_gone(folder: Any) -> Iterator[list[Any]]:
        with listing(folder) as entries:
            yield [Gone(), *entries]

    with monkeypatch.context() as listing_one_gone:  # only while pruning: pathlib lists with it too (3.13)
        listing_one_gone.setattr(os, "scandir", with_one_gone)
        _machine_cache.keep("kind-2.bin", 2, kind=_KIND)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kind-2.bin"]


def test_an_upgrade_leaves_one_file_of_the_forms_and_the_rules_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forms and ua-parser's rules are kept per version: the files of versions long gone go."""
    env = {**os.environ, "BROWSERCHECK_CACHE_DIR": str(tmp_path)}
    for stale in ("forms-00000000.marshal", "ua-parser-rules-1-2-4.marshal"):
        (tmp_path / stale).write_bytes(b"of an older version")
        _written_ago(tmp_path / stale, 60)
    code = f"import browsercheck; browsercheck.Checker().build(); browsercheck.check({_CHROME!r})"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [name.startswith(("default-", "forms-", "ua-parser-rules-")) for name in names] == [True] * 3, names
    assert not {"forms-00000000.marshal", "ua-parser-rules-1-2-4.marshal"} & set(names)


def _damaged(data: bytes) -> list[bytes]:
    """``data`` cut short, with a byte changed, and with its checksum's bytes changed."""
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    return [data[:2], data[:-1], bytes(flipped), b"\0\0\0\0" + data[4:], b""]


def test_a_damaged_or_strange_kept_file_is_passed_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never an error, never a wrong value, never a wait: not kept, as far as the reader knows."""
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path))
    _machine_cache.keep("kept.bin", ("right", 1))
    data = (tmp_path / "kept.bin").read_bytes()
    for damaged in _damaged(data):
        (tmp_path / "kept.bin").write_bytes(damaged)
        assert _machine_cache.kept("kept.bin") is None, damaged
    # a code object that marshal cannot make (SystemError), behind a right checksum
    code = bytes.fromhex("630000000084000000000000000100000000000000f306000000970064005300")
    (tmp_path / "kept.bin").write_bytes(zlib.crc32(code).to_bytes(4, "big") + code)
    assert _machine_cache.kept("kept.bin") is None
    os.mkfifo(tmp_path / "fifo.bin")  # would block a reader until a writer came
    assert _machine_cache.kept("fifo.bin") is None
    (tmp_path / "zero.bin").symlink_to("/dev/zero")  # would never end
    assert _machine_cache.kept("zero.bin") is None
    (tmp_path / "large.bin").write_bytes(b"\0" * (_machine_cache.MAX_SIZE + 1))
    assert _machine_cache.kept("large.bin") is None
    assert _machine_cache.kept("missing.bin") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rule is Linux's")
def test_without_a_cache_directory_nothing_is_kept_and_verdicts_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user without a home directory (a container's uid without a passwd entry): platformdirs
    cannot say where the cache is. Nothing is kept, nothing fails."""
    import platformdirs

    from browsercheck import _forms_cache, _policy_cache, _resolver
    from browsercheck._browserdata import cached
    from browsercheck._detect import Detector

    def no_home(*args: object, **kwargs: object) -> str:
        raise RuntimeError("Could not determine home directory")

    for name in ("BROWSERCHECK_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(platformdirs, "user_cache_dir", no_home)
    with pytest.raises(OSError, match="set BROWSERCHECK_CACHE_DIR"):
        cache_dir()
    assert cached() is None
    assert _forms_cache.kept(FORMS, _forms_cache.key_of(FORMS)) is None
    _machine_cache.keep("kept.bin", 1)
    assert _policy_cache.default_policy().name == _policy_cache.default_policy().name
    assert _resolver.builtin_rules()[0]
    detector = Detector.default()
    assert detector(_CHROME).browser == "chrome" and detector("curl/8.5.0").bot == "curl"


def test_the_stamps_name_each_file_by_size_and_time_and_where_they_are() -> None:
    where, stamps = _machine_cache.own_code()
    code = {name: (size, mtime) for name, size, mtime in stamps}
    assert where == str(Path(_machine_cache.__file__).parent)
    assert "./_detect.py" in code and "./_forms.py" in code
    assert code["./_detect.py"][0] == os.stat(Path(where) / "_detect.py").st_size
    try:
        from browsercheck import _speedups
    except ImportError:
        pass  # no C compiler where it was installed: nothing compiled to stamp
    else:
        assert f"./{Path(_speedups.__file__).name}" in code  # the C extension is code too
    engine_where, engine = _machine_cache.package_files("ua_parser_rs")
    assert any(name.endswith((".so", ".pyd")) for name, *_ in engine)  # the native engine itself
    assert os.path.isabs(engine_where)
    assert "providers/crawlers.py" in {name for name, *_ in _machine_cache.package_files("crawlerdetect")[1]}


@pytest.mark.parametrize("where", ["missing", "zip"])
def test_a_package_not_installed_as_a_folder_of_files_has_no_stamps(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"stampless_{where}"
    if where == "zip":
        with zipfile.ZipFile(tmp_path / "packages.zip", "w") as archive:
            archive.writestr(f"{name}/__init__.py", "")
        monkeypatch.syspath_prepend(str(tmp_path / "packages.zip"))
    with pytest.raises(ImportError, match=f"{name} is not installed as a folder of files"):
        _machine_cache.package_files(name)
