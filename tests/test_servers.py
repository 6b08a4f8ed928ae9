"""The middleware served for real: gunicorn (WSGI) and uvicorn (ASGI) on 127.0.0.1, over HTTP; and
what a person sees in a real browser (headless Chromium), with screenshots."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browsercheck._hints import DISPLAY_NAMES

from .conftest import artifact

ROOT = Path(__file__).parents[1]
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
NAVIGATION = {"Accept": "text/html", "Accept-Language": "sv-SE,sv;q=0.9"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(command: list[str], port: int) -> Iterator[int]:
    with _served(command, port):
        yield port


@contextlib.contextmanager
def _served(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` started, listening on ``port`` (with ``env`` added to the environment); stopped
    at the end, whatever happened."""
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"{command[2]} exited: {output}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"{command[2]} did not listen on 127.0.0.1:{port} within 30 s")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[int]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "tests.serve_wsgi:app",
    ]
    yield from _serve(command, port)


@pytest.fixture(scope="module")
def uvicorn() -> Iterator[int]:
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "tests.serve_asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    yield from _serve(command, port)


def fetch(
    port: int, path: str, headers: dict[str, str], method: str = "GET", body: str | None = None
) -> tuple[int, Any, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_gunicorn_serves_the_banner_over_http(gunicorn: int) -> None:
    status, headers, body = fetch(gunicorn, "/", {**NAVIGATION, "User-Agent": CHROME_124})
    assert status == 200
    assert b"Hej! Du anv\xc3\xa4nder en gammal webbl\xc3\xa4sare" in body
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Vary"].startswith("Accept-Encoding, User-Agent, Accept-Language, Cookie, Accept, Sec-Fetch-Dest")
    status, headers, body = fetch(gunicorn, "/stream", {**NAVIGATION, "User-Agent": CHROME_124})
    assert status == 200
    assert b'<body><section class="browsercheck-notice' in body
    status, _, body = fetch(gunicorn, "/", {**NAVIGATION, "User-Agent": CHROME_157})
    assert b"browsercheck-notice" not in body


def test_gunicorn_dismissal(gunicorn: int) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = fetch(gunicorn, "/.browsercheck/dismiss", form, "POST", "next=%2F%3Fa%3D1")
    assert (status, headers["Location"]) == (303, "/?a=1")
    cookie = headers["Set-Cookie"].split(";")[0]
    _, _, body = fetch(gunicorn, "/", {**NAVIGATION, "User-Agent": CHROME_124, "Cookie": cookie})
    assert b"browsercheck-notice" not in body


def test_uvicorn_serves_the_block_page_over_http(uvicorn: int) -> None:
    status, headers, body = fetch(uvicorn, "/", {**NAVIGATION, "User-Agent": IE11})
    assert status == 406
    assert headers["Cache-Control"] == "no-store"
    assert b'<meta name="robots" content="noindex">' in body
    status, _, body = fetch(uvicorn, "/", {**NAVIGATION, "User-Agent": CHROME_124})
    assert status == 200
    assert b"browsercheck-notice" in body
    status, _, body = fetch(uvicorn, "/json", {"Accept": "application/json", "User-Agent": IE11})
    assert (status, body) == (200, b'{"ok":true}')


@pytest.mark.parametrize("server", ["gunicorn", "uvicorn"])
def test_dismissal_returns_to_an_encoded_path_over_http(request: pytest.FixtureRequest, server: str) -> None:
    """Servers decode the path for the application; the way back is the path as it was sent."""
    port = request.getfixturevalue(server)
    path = "/echo/%E6%97%A5%E6%9C%AC/a%3Fb%23c"
    status, _, body = fetch(port, path, {**NAVIGATION, "User-Agent": CHROME_124})
    found = re.search(rb'name="next" value="([^"]*)"', body)
    assert status == 200 and found is not None
    assert found.group(1) == path.encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = fetch(port, "/.browsercheck/dismiss", form, "POST", urllib.parse.urlencode({"next": path}))
    assert (status, headers["Location"]) == (303, path)


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])


FLOOD_HINTS = list(DISPLAY_NAMES.values())  # every Client Hint header, as browsers spell them


def flood_request(i: int) -> dict[str, str]:
    """An outdated Chrome, each time another 2 KB User-Agent and ten other 1 KB hints."""
    ua = CHROME_124 + f" Flood/{i:06d} " + "x" * (2048 - len(CHROME_124) - 14)
    return {**NAVIGATION, "User-Agent": ua, **{name: f'"{i}{"y" * 1000}"' for name in FLOOD_HINTS}}


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads a process's memory from /proc (Linux)")
def test_a_flood_of_distinct_large_requests_over_http() -> None:
    """Hundreds of distinct 12 KB requests through uvicorn: no errors, and memory bounded by the
    caches' byte budgets (here the verdict cache's is 2 MiB), not by their entry counts."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "tests.serve_flood:app", "--host", "127.0.0.1", "--port", str(port)]
    with _served(command, port) as process:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        statuses: dict[int, int] = {}
        try:

            def send(i: int) -> None:
                connection.request("GET", f"/echo/{i}", headers=flood_request(i))
                response = connection.getresponse()
                body = response.read()
                status = response.status if b"browsercheck-notice" in body else -response.status
                statuses[status] = statuses.get(status, 0) + 1

            for i in range(100):  # warm up: parsers built, caches' budgets reached
                send(i)
            before = _rss_kib(process.pid)
            for i in range(100, 700):
                send(i)
            after = _rss_kib(process.pid)
        finally:
            connection.close()
    assert statuses == {200: 700}  # every one answered, every one with its notice
    # measured: +5.9 MiB (the notices' 4 MiB budget filling up); +13.8 MiB without a byte budget
    growth_mib = (after - before) / 1024
    assert growth_mib < 12, f"uvicorn grew by {growth_mib:.1f} MiB over 600 requests"


# -- what a person sees ------------------------------------------------------------------------------------------


def _context(chromium: Any, ua: str, **options: Any) -> Any:
    """A browser that presents itself as ``ua``: Client Hints too, as that browser would send them
    (the headless Chromium would otherwise send its own version in them)."""
    major = ua.split("Chrome/")[1].split(".")[0]
    hints = f'"Google Chrome";v="{major}", "Chromium";v="{major}", "Not-A.Brand";v="99"'
    return chromium.new_context(
        user_agent=ua,
        locale="sv-SE",
        extra_http_headers={"Sec-CH-UA": hints, "Sec-CH-UA-Platform": '"Windows"', "Sec-CH-UA-Mobile": "?0"},
        **options,
    )


def _page(chromium: Any, ua: str) -> Any:
    context = _context(chromium, ua, viewport={"width": 900, "height": 500})
    return context, context.new_page()


@pytest.mark.parametrize(("name", "ua", "visible"), [("old", CHROME_124, True), ("modern", CHROME_157, False)])
def test_a_real_browser_sees_the_notice_only_when_old(
    chromium: Any, gunicorn: int, tmp_path: Path, name: str, ua: str, visible: bool
) -> None:
    context, page = _page(chromium, ua)
    try:
        page.goto(f"http://127.0.0.1:{gunicorn}/")
        notice = page.get_by_role("region", name="Hej! Du använder en gammal webbläsare")
        assert (notice.count() == 1 and notice.is_visible()) is visible
        assert page.get_by_role("heading", name="Home").is_visible()
        shot = tmp_path / f"middleware-{name}-browser.png"
        page.screenshot(path=str(shot), full_page=True)
        artifact(shot)
    finally:
        context.close()


def test_a_person_can_dismiss_the_notice_without_javascript(chromium: Any, gunicorn: int) -> None:
    context = _context(chromium, CHROME_124, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{gunicorn}/?from=test")
        page.get_by_role("button", name="Dölj meddelandet").click()
        page.wait_for_url(f"http://127.0.0.1:{gunicorn}/?from=test")
        assert page.get_by_role("region", name="Hej! Du använder en gammal webbläsare").count() == 0
        page.reload()
        assert page.get_by_role("region", name="Hej! Du använder en gammal webbläsare").count() == 0
    finally:
        context.close()
