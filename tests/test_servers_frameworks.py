"""The framework adapters served for real on 127.0.0.1 (Django and Flask under gunicorn, FastAPI
under uvicorn, Django with GZipMiddleware on), over HTTP and in headless Chromium: the banner
visible, script mode putting the notice in with JavaScript on and leaving the page alone with it
off, dismissal working.

Named to sort after the tests that run event loops of their own: once the session's Chromium is
up, Playwright's loop runs in this thread and ``asyncio.run`` refuses to start another."""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import artifact
from .test_servers import CHROME_124, CHROME_157, NAVIGATION, _context, _free_port, _served, fetch

TITLE = "Hej! Du använder en gammal webbläsare"
REGION = b'<section class="browsercheck-notice'
TAG = b'<script src="/.browsercheck/notice.js" defer></script>'

COMMANDS = {
    "django": ["-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:{port}", "tests.serve_django:application"],
    "flask": ["-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:{port}", "tests.serve_flask:app"],
    "fastapi": ["-m", "uvicorn", "tests.serve_fastapi:app", "--host", "127.0.0.1", "--port", "{port}"],
}
SERVERS = [(framework, mode) for framework in COMMANDS for mode in ("banner", "script")]


@pytest.fixture(scope="module", params=SERVERS, ids=[f"{f}-{m}" for f, m in SERVERS])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, int]]:
    framework, mode = request.param
    port = _free_port()
    command = [sys.executable, *(part.format(port=port) for part in COMMANDS[framework])]
    with _served(command, port, {"BROWSERCHECK_TEST_MODE": mode}):
        yield framework, mode, port


def test_served_over_http(server: tuple[str, str, int]) -> None:
    framework, mode, port = server
    status, headers, body = fetch(port, "/", {**NAVIGATION, "User-Agent": CHROME_124, "Accept-Encoding": "gzip"})
    assert status == 200
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    if framework == "django":  # GZipMiddleware above browsercheck: compressed after the notice went in
        assert headers["Content-Encoding"] == "gzip"
    if mode == "banner":
        assert REGION in body and "User-Agent" in headers["Vary"]
        return
    assert TAG in body and REGION not in body and "User-Agent" not in (headers.get("Vary") or "")
    _, _, modern = fetch(port, "/", {**NAVIGATION, "User-Agent": CHROME_157, "Accept-Encoding": "gzip"})
    assert (gzip.decompress(modern) if framework == "django" else modern) == body
    status, headers, answer = fetch(port, "/.browsercheck/notice", {"User-Agent": CHROME_124})
    assert status == 200 and headers["Cache-Control"] == "private"
    assert json.loads(answer)["notice"]["region"].encode().startswith(REGION)


def _notice(page: Any) -> Any:
    return page.get_by_role("region", name=TITLE)


def test_a_real_browser_sees_the_notice_and_dismisses_it(
    chromium: Any, server: tuple[str, str, int], tmp_path: Path
) -> None:
    framework, mode, port = server
    context = _context(chromium, CHROME_124, viewport={"width": 900, "height": 500})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/?from=test")
        _notice(page).wait_for(state="visible", timeout=10_000)  # in script mode: once the script asked
        assert page.get_by_role("heading", level=1).first.is_visible()
        shot = tmp_path / f"{framework}-{mode}-old-browser.png"
        page.screenshot(path=str(shot), full_page=True)
        artifact(shot)
        page.get_by_role("button", name="Dölj meddelandet").click()
        page.wait_for_url(f"http://127.0.0.1:{port}/?from=test")
        page.wait_for_load_state("networkidle")
        assert _notice(page).count() == 0
        page.reload()
        page.wait_for_load_state("networkidle")
        assert _notice(page).count() == 0
    finally:
        context.close()


def test_a_current_browser_sees_no_notice(chromium: Any, server: tuple[str, str, int]) -> None:
    _, _, port = server
    context = _context(chromium, CHROME_157)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_load_state("networkidle")
        assert _notice(page).count() == 0
    finally:
        context.close()


def test_without_javascript(chromium: Any, server: tuple[str, str, int]) -> None:
    """Banner mode needs no JavaScript; script mode then leaves the page as it was."""
    _, mode, port = server
    context = _context(chromium, CHROME_124, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_load_state("networkidle")
        assert _notice(page).count() == (1 if mode == "banner" else 0)
        assert page.locator("script[src='/.browsercheck/notice.js']").count() == (1 if mode == "script" else 0)
    finally:
        context.close()


CSP = "default-src 'self'; script-src 'nonce-r4nd0m'; style-src 'nonce-r4nd0m'"


def test_script_mode_under_a_strict_content_security_policy(chromium: Any) -> None:
    """The tag carries the page's nonce; the script gives its own nonce to the style it adds, so the
    notice shows styled where inline scripts and styles without it are refused. The Flask site
    answers Chromium's requests directly (routed in the browser to the test client, on loopback)."""
    import urllib.parse

    from .flask_site import create_app

    app = create_app(mode="script", site="haninge.se", nonce=lambda environ: "r4nd0m")

    @app.after_request
    def policy(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = CSP
        return response

    client = app.test_client()
    refused: list[str] = []

    def answer(route: Any) -> None:
        url = urllib.parse.urlsplit(route.request.url)
        path = url.path + ("?" + url.query if url.query else "")
        headers = {k: v for k, v in route.request.headers.items() if not k.startswith(":")}
        r = client.open(path, method=route.request.method, headers=headers, data=route.request.post_data_buffer)
        route.fulfill(status=r.status_code, headers=dict(r.headers), body=r.get_data())

    context = _context(chromium, CHROME_124)
    try:
        context.route("http://127.0.0.1:9/**", answer)  # port 9 (discard): nothing is ever sent there
        page = context.new_page()
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("http://127.0.0.1:9/")
        _notice(page).wait_for(state="visible", timeout=10_000)
        bar = page.evaluate("getComputedStyle(document.querySelector('.browsercheck-notice')).borderLeftWidth")
        assert bar == "6px"  # the notice's own CSS applied
        assert refused == []
    finally:
        context.close()
