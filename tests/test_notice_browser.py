"""The notice in a real browser: rendered, looked at (screenshots), and checked by axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import browsercheck
from browsercheck.cli import SAMPLES, _preview_page
from browsercheck.notice import Notice

from .conftest import artifact

IOS_15 = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
)
LOCALES = ["en", "sv", "fi", "nb", "da", "de", "fr", "es", "pl", "uk", "ar", "fa"]
CASES = [(status, locale, SAMPLES[status]) for status in ("outdated", "unsupported") for locale in LOCALES] + [
    ("outdated-ios", "sv", IOS_15),
    ("outdated-ios", "ar", IOS_15),
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _notice(ua: str, locale: str) -> Notice:
    notice = browsercheck.check(ua).notice(
        locale, site="haninge.se", dismiss_url="/browsercheck/dismiss", dismiss_next="/", nonce="abc123"
    )
    assert notice is not None
    return notice


class Seen(NamedTuple):
    """What a page looked like to axe-core and to the eye, in headless Chromium."""

    violations: list[dict[str, Any]]
    passes: int
    heading: str
    direction: str
    accent_bar: tuple[str, str]
    """The notice's left and right border widths."""


_LOOK = """() => {
  const s = getComputedStyle(document.querySelector('section.browsercheck-notice'));
  return {heading: document.getElementById('browsercheck-notice-title').innerText,
          direction: s.direction, bar: [s.borderLeftWidth, s.borderRightWidth]};
}"""


def _look(chromium: Any, axe_js: str, html: str, screenshot: Path) -> Seen:
    """Render ``html``, run axe-core on it, keep a screenshot (also for CI's artifacts)."""
    page = chromium.new_page(viewport={"width": 800, "height": 500})
    try:
        page.set_content(html)
        page.add_script_tag(content=axe_js)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        page.screenshot(path=str(screenshot), full_page=True)
        artifact(screenshot)
        facts = page.evaluate(_LOOK)
    finally:
        page.close()
    assert screenshot.stat().st_size > 0
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]]} for v in result["violations"]
    ]
    return Seen(violations, len(result["passes"]), facts["heading"], facts["direction"], tuple(facts["bar"]))


def _expected_direction(locale: str) -> tuple[str, tuple[str, str]]:
    """Right to left: the accent bar on the right, where the text starts."""
    return ("rtl", ("0px", "6px")) if locale in ("ar", "fa") else ("ltr", ("6px", "0px"))


@pytest.mark.parametrize(("name", "locale", "ua"), CASES, ids=[f"{n}-{loc}" for n, loc, _ in CASES])
def test_notice_has_no_accessibility_violations(
    chromium: Any, axe_js: str, tmp_path: Path, name: str, locale: str, ua: str
) -> None:
    notice = _notice(ua, locale)
    seen = _look(chromium, axe_js, _preview_page(notice), tmp_path / f"notice-{name}-{locale}.png")
    assert seen.violations == [], json.dumps(seen.violations, indent=2, ensure_ascii=False)
    assert seen.passes > 10, "axe ran its checks"
    assert seen.heading == notice.title
    assert (seen.direction, seen.accent_bar) == _expected_direction(locale)


def test_notice_is_a_region_landmark_with_its_heading_as_name(chromium: Any) -> None:
    notice = _notice(SAMPLES["outdated"], "sv")
    page = chromium.new_page()
    try:
        page.set_content(_preview_page(notice))
        region = page.get_by_role("region", name=notice.title)
        assert region.count() == 1
        assert region.get_attribute("lang") == "sv"
        dismiss = page.get_by_role("button", name="Dölj meddelandet")
        assert dismiss.is_visible()
    finally:
        page.close()


def _block_page(locale: str) -> str:
    """The block page the WSGI middleware serves Internet Explorer, in ``locale``."""
    from browsercheck.wsgi import BrowserCheckMiddleware

    def site(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise AssertionError("a blocked browser never reaches the site")

    app = BrowserCheckMiddleware(site, mode="block", site="haninge.se")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_USER_AGENT": SAMPLES["unsupported"],
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_LANGUAGE": locale,
        "HTTP_SEC_FETCH_DEST": "document",
    }
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None, /) -> Any:
        statuses.append(status)
        return lambda data: None

    body = b"".join(app(environ, start_response))
    assert statuses and statuses[0].startswith("406")
    return body.decode("utf-8")


@pytest.mark.parametrize("locale", ["ar", "fa", "sv"])
def test_block_page_in_a_real_browser(chromium: Any, axe_js: str, tmp_path: Path, locale: str) -> None:
    seen = _look(chromium, axe_js, _block_page(locale), tmp_path / f"block-page-{locale}.png")
    assert seen.violations == [], json.dumps(seen.violations, indent=2, ensure_ascii=False)
    assert seen.heading == _notice(SAMPLES["unsupported"], locale).title
    assert (seen.direction, seen.accent_bar) == _expected_direction(locale)
