"""`browsercheck data update` against a registry served on 127.0.0.1 from prepared tarballs: the
integrity hash is checked, the data converted and stored in the cache directory, where newer data
wins; every failure leaves the data in use as it was."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from browsercheck import _browserdata
from browsercheck.cli import main

BASELINE_JS = (
    "pre_baseline\nc,1,081211\n"
    "20150729\nc,38,141007\nca,38,141008\ne,12,150729\nf,38,150512\nfa,38,150512\ns,8,141016\nsi,8,140917\n"
    "20241001\nc,190,241001\nca,190,241001\ne,190,241001\nf,200,241001\nfa,200,241001\ns,29,241001\nsi,29,241001\n"
    "releases\nc,45,150901\n"
)
AGENTS = {  # caniuse letter: (name, versions, usage)
    "A": ("chrome", "189 190 191", [0.5, 9.5, 2.0]),
    "B": ("firefox", "199 200", [1.0, 3.0]),
    "C": ("safari", "28.0 29.0", [0.1, 2.0]),
    "D": ("ios_saf", "28.0-28.1 29.0", [1.0, 5.0]),
    "E": ("edge", "190", [4.0]),
    "F": ("and_chr", "191", [30.0]),  # caniuse lists only the newest Chrome for Android
    "G": ("and_ff", "200", [0.5]),
}


def tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def baseline_tarball(version: str) -> bytes:
    code = f"const n={json.dumps(BASELINE_JS)},a=(n,a)=>0;module.exports={{}};\n"
    return tarball(
        {"package.json": json.dumps({"name": "baseline-browser-mapping", "version": version}), "dist/index.cjs": code}
    )


def caniuse_tarball(version: str) -> bytes:
    letters = ",".join(f'{letter}:"{name}"' for letter, (name, _, _) in AGENTS.items())
    agents = ",".join(
        f'{letter}:{{A:{json.dumps(usage)},B:"webkit",C:["{versions}",3],E:"{name}",'
        f"F:{json.dumps([19000] + [30] * (len(usage) - 1))}}}"
        for letter, (name, versions, usage) in AGENTS.items()
    )
    return tarball(
        {
            "package.json": json.dumps({"name": "caniuse-lite", "version": version}),
            "data/browsers.js": f"module.exports={{{letters}}};",
            "data/agents.js": f"module.exports={{{agents}}};",
        }
    )


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class Registry:
    """An npm registry on 127.0.0.1: package documents and tarballs from a dict."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, package: str, version: str, date: str, data: bytes, *, hash_of: bytes | None = None) -> None:
        name = package.replace("/", "_")
        self.files[f"/{name}-{version}.tgz"] = data
        document = {
            "name": package,
            "dist-tags": {"latest": version},
            "versions": {
                version: {
                    "dist": {"tarball": f"{self.url}/{name}-{version}.tgz", "integrity": integrity(hash_of or data)}
                }
            },
            "time": {version: f"{date}T12:00:00.000Z"},
        }
        self.files[f"/{package}"] = json.dumps(document).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path / "cache"))
    served = Registry()
    try:
        yield served
    finally:
        served.close()
        monkeypatch.undo()
        _browserdata.reload()  # back to the shipped data for the other tests


def show(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["policy", "show", "--date", "2027-06-01", "--json"]) == 0
    shown: dict[str, object] = json.loads(capsys.readouterr().out)
    return shown


def test_update_stores_newer_data_that_then_wins(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.publish("baseline-browser-mapping", "9.0.0", "2027-05-20", baseline_tarball("9.0.0"))
    registry.publish("caniuse-lite", "1.0.40000000", "2027-05-18", caniuse_tarball("1.0.40000000"))
    assert main(["data", "update", "--registry", registry.url]) == 0
    stored = tmp_path / "cache" / "browsers.json"
    assert capsys.readouterr().out == (
        f"stored baseline-browser-mapping 9.0.0 (2027-05-20), caniuse-lite 1.0.40000000 (2027-05-18) in {stored}\n"
    )
    shown = show(capsys)
    assert shown["data"] == {"baseline-browser-mapping": "9.0.0", "caniuse-lite": "1.0.40000000"}
    # widely available on 2027-06-01: the versions of 2024-10-01 on, as the new data says
    assert shown["minimums"] == {
        "chrome": "190",
        "chrome_android": "190",
        "edge": "190",
        "edge_legacy": False,
        "firefox": "200",
        "firefox_android": "200",
        "ie": False,
        "safari": "29",
        "safari_ios": "29",
    }
    # a new process finds it too; the shipped data, older, loses
    assert _browserdata.newest().origin == str(stored)


@pytest.mark.parametrize("broken", ["integrity", "not-a-tarball", "not-the-package"])
def test_failed_update_changes_nothing(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    good = baseline_tarball("9.0.0")
    if broken == "integrity":
        registry.publish("baseline-browser-mapping", "9.0.0", "2027-05-20", good, hash_of=good + b"x")
    elif broken == "not-a-tarball":
        registry.publish("baseline-browser-mapping", "9.0.0", "2027-05-20", good[: len(good) // 2])
    else:
        registry.publish("baseline-browser-mapping", "9.0.0", "2027-05-20", caniuse_tarball("9.0.0"))
    registry.publish("caniuse-lite", "1.0.40000000", "2027-05-18", caniuse_tarball("1.0.40000000"))
    before = show(capsys)
    assert main(["data", "update", "--registry", registry.url]) == 3
    err = capsys.readouterr().err
    expected = {
        "integrity": "integrity check failed (expected sha512-",
        "not-a-tarball": "not a readable npm tarball",
        "not-the-package": "the tarball has no dist/index.cjs",
    }[broken]
    assert err.startswith("browsercheck data update: error: ") and expected in err
    assert not (tmp_path / "cache" / "browsers.json").exists()
    assert show(capsys) == before


def test_registry_must_be_https_except_on_this_machine(registry: Registry, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "update", "--registry", "http://registry.example"]) == 3
    assert capsys.readouterr().err == (
        "browsercheck data update: error: refusing http://registry.example/baseline-browser-mapping: "
        "the registry must be reached over HTTPS\n"
    )


def test_missing_package_is_an_error_naming_the_url(registry: Registry, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "update", "--registry", registry.url]) == 3
    err = capsys.readouterr().err
    assert f"cannot fetch {registry.url}/baseline-browser-mapping: HTTP Error 404" in err


def test_corrupt_cached_data_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "browsers.json").write_text('{"format": 1, "sources": {')  # cut short
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(folder))
    with caplog.at_level(logging.WARNING, logger="browsercheck"):
        data = _browserdata.newest()
    assert data.versions == {"baseline-browser-mapping": "2.11.40", "caniuse-lite": "1.0.30001828"}
    assert caplog.messages == [
        f"browsercheck: ignoring the cached browser data: {folder / 'browsers.json'}: not browser data: "
        "Expecting property name enclosed in double quotes: line 1 column 27 (char 26)"
    ]


def test_older_cached_data_loses_to_the_shipped_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = json.loads((Path(_browserdata.__file__).parent / "data" / "browsers.json").read_text())
    shipped["sources"]["caniuse-lite"]["date"] = "2025-01-01"
    shipped["sources"]["caniuse-lite"]["version"] = "1.0.1"
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "browsers.json").write_text(json.dumps(shipped))
    monkeypatch.setenv("BROWSERCHECK_CACHE_DIR", str(folder))
    assert _browserdata.newest().versions["caniuse-lite"] == "1.0.30001828"
