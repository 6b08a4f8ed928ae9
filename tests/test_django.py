"""browsercheck as a Django app: settings, the middleware on the sync and async paths below
GZipMiddleware, request.browsercheck, template tags, the context processor, the system check,
exempt views, previews, script mode; through Django's own test clients."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest

from .webapps import _django_setup

_django_setup()

from django.core import checks  # noqa: E402  (Django's settings first)
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402

from browsercheck.django.conf import configured, read  # noqa: E402

from .django_site import PAGE, ViewFailed  # noqa: E402

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
NAVIGATION = {"HTTP_ACCEPT": "text/html", "HTTP_ACCEPT_LANGUAGE": "sv-SE,sv;q=0.9", "HTTP_SEC_FETCH_DEST": "document"}
GZIP = "django.middleware.gzip.GZipMiddleware"
OURS = "browsercheck.django.BrowserCheckMiddleware"
REGION = '<section class="browsercheck-notice'
TITLE = "Hej! Du använder en gammal webbläsare"


@pytest.fixture
def site(request: pytest.FixtureRequest) -> Iterator[None]:
    """The Django site of django_site.py, GZip above browsercheck, with ``BROWSERCHECK`` from the
    test's ``settings`` mark."""
    mark = request.node.get_closest_marker("browsercheck")
    config = {"SITE": "haninge.se", **(mark.args[0] if mark else {})}
    with override_settings(ROOT_URLCONF="tests.django_site", MIDDLEWARE=[GZIP, OURS], BROWSERCHECK=config):
        yield


def get(path: str, ua: str, **extra: str) -> Any:
    return Client().get(path, **NAVIGATION, HTTP_USER_AGENT=ua, **extra)


def aget(path: str, ua: str, **extra: str) -> Any:
    meta = {**NAVIGATION, "HTTP_USER_AGENT": ua, **extra}
    headers = {key[5:].replace("_", "-"): value for key, value in meta.items()}  # AsyncClient takes headers

    async def run() -> Any:
        return await AsyncClient().get(path, headers=headers)

    return asyncio.run(run())


# -- the middleware, configured from settings -----------------------------------------------------------


@pytest.mark.parametrize("client", ["sync", "async"])
def test_banner_is_inserted_before_gzip_compresses(site: None, client: str) -> None:
    fetch = get if client == "sync" else aget
    r = fetch("/", CHROME_124, HTTP_ACCEPT_ENCODING="gzip")
    assert r["Content-Encoding"] == "gzip"
    page = gzip.decompress(r.content).decode()
    assert REGION in page and TITLE in page and "<bdi>haninge.se</bdi>" in page
    assert "User-Agent" in r["Vary"] and "Accept-Encoding" in r["Vary"]
    plain = fetch("/", CHROME_157, HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(plain.content).decode() == PAGE


@pytest.mark.parametrize("path", ["/async", "/stream"])
def test_async_views_and_streams_get_the_banner(site: None, path: str) -> None:
    r = aget(path, CHROME_124)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert REGION in body.decode()
    assert r.get("Content-Length") in (None, str(len(body)))


def test_the_async_path_is_taken_under_asgi() -> None:
    from browsercheck.django import BrowserCheckMiddleware

    async def view(request: Any) -> Any:
        return None

    assert BrowserCheckMiddleware(view).is_async
    assert not BrowserCheckMiddleware(lambda request: None).is_async


@pytest.mark.browsercheck({"MODE": "block"})
def test_block_mode_from_settings(site: None) -> None:
    r = get("/", IE11)
    assert r.status_code == 406 and r["Cache-Control"] == "no-store"
    assert "Fortsätt ändå" in r.content.decode()


def test_dismissal_sets_the_cookie(site: None) -> None:
    form = "application/x-www-form-urlencoded"  # as the notice's form posts
    r = Client().post("/.browsercheck/dismiss", "next=%2Fown%3Fx%3D1", content_type=form, HTTP_USER_AGENT=CHROME_124)
    assert (r.status_code, r["Location"]) == (303, "/own?x=1")
    cookie = r.cookies["browsercheck_dismissed"]
    assert cookie["max-age"] == 30 * 86400 and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert REGION not in get("/", CHROME_124, HTTP_COOKIE="browsercheck_dismissed=1").content.decode()


@pytest.mark.browsercheck({"MODE": "annotate"})
def test_request_browsercheck_is_judged_on_first_access(site: None, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = configured().settings
    calls: list[str] = []
    real = settings.checker

    class Counting:
        policy = real.policy

        def check(self, ua: str, headers: Any = None) -> Any:
            calls.append(ua)
            return real.check(ua, headers=headers)

    monkeypatch.setattr(settings, "checker", Counting())
    assert get("/", CHROME_124).content.decode() == PAGE
    assert calls == []  # not needed, not judged
    assert get("/verdict", CHROME_124).content == b"outdated"
    assert calls == [CHROME_124]
    assert get("/.well-known/x", CHROME_124).status_code == 404


def test_a_view_that_raises_is_never_masked(site: None) -> None:
    with pytest.raises(ViewFailed, match="the view's own error"):
        get("/boom", CHROME_124)
    with pytest.raises(ViewFailed, match="the view's own error"):
        aget("/boom", CHROME_124)
    r = Client(raise_request_exception=False).get("/boom", **NAVIGATION, HTTP_USER_AGENT=CHROME_124)
    assert r.status_code == 500


def test_the_policy_from_settings(tmp_path: Any) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: No Chrome\nbrowsers: {chrome: false}\n")
    config = {"POLICY": str(policy), "MODE": "annotate"}
    with override_settings(ROOT_URLCONF="tests.django_site", MIDDLEWARE=[OURS], BROWSERCHECK=config):
        assert get("/verdict", CHROME_157).content == b"unsupported"


# -- settings and the system check --------------------------------------------------------------------------


def test_an_unknown_setting_is_named() -> None:
    with pytest.raises(ImproperlyConfigured, match='unknown key "SITE_NAME"; the keys are ALLOW_CONTINUE, '):
        read({"SITE_NAME": "haninge.se"})


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"MODE": "popup"}, "BROWSERCHECK[\"MODE\"] must be one of annotate, banner, block, script; got 'popup'"),
        ({"REMIND_AFTER_DAYS": -1}, 'BROWSERCHECK["REMIND_AFTER_DAYS"] must be a number of days more than 0, got -1'),
        ({"PREVIEW": "staff"}, 'BROWSERCHECK["PREVIEW"] must be True, False or a callable from the request'),
        ({"NONCE": "abc"}, 'BROWSERCHECK["NONCE"] must be a callable from the request to its CSP nonce'),
        ({"POLICY": "/nonexistent/policy.yaml"}, 'BROWSERCHECK["POLICY"]: '),
    ],
    ids=["mode", "remind", "preview", "nonce", "policy"],
)
def test_a_bad_setting_names_itself_and_what_it_accepts(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        read(config)
    assert str(caught.value).startswith(message)


def test_a_bad_setting_stops_the_middleware_and_shows_in_the_checks() -> None:
    with override_settings(ROOT_URLCONF="tests.django_site", MIDDLEWARE=[OURS], BROWSERCHECK={"MODE": "popup"}):
        with pytest.raises(ImproperlyConfigured, match='BROWSERCHECK\\["MODE"\\]'):
            Client().get("/")
        found = checks.run_checks()
    assert [e.id for e in found] == ["browsercheck.E001"]


@pytest.mark.parametrize(
    ("middleware", "warned"),
    [([GZIP, OURS], False), ([OURS, GZIP], True), ([OURS], False)],
    ids=["gzip-above", "gzip-below", "no-gzip"],
)
def test_system_check_warns_when_gzip_is_below(middleware: list[str], warned: bool) -> None:
    with override_settings(MIDDLEWARE=middleware):
        found = [e.id for e in checks.run_checks()]
    assert found == (["browsercheck.W001"] if warned else [])


# -- templates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["annotate", "banner"])
def test_template_tags_show_the_notice_once(site: None, mode: str) -> None:
    with override_settings(BROWSERCHECK={"SITE": "haninge.se", "MODE": mode}):
        page = get("/own", CHROME_124).content.decode()
        modern = get("/own", CHROME_157).content.decode()
    head, body = page.split("</head>")
    assert head.count("<style>") == 1 and ".browsercheck-notice{" in head
    assert body.count(REGION) == 1 and body.index("<header>") < body.index(REGION)  # where the template put it
    assert "<style" not in modern and REGION not in modern


def test_template_tags_respect_the_dismissal(site: None) -> None:
    page = get("/own", CHROME_124, HTTP_COOKIE="browsercheck_dismissed=1").content.decode()
    assert REGION not in page and "<style" not in page


def test_context_processor_renders_the_notice_without_safe(site: None) -> None:
    page = get("/context", CHROME_124).content.decode()
    assert page.count(REGION) == 1 and "&lt;section" not in page
    assert "<p>status: outdated</p>" in page
    modern = get("/context", CHROME_157).content.decode()
    assert REGION not in modern and "<p>status: supported</p>" in modern


# -- exemption, preview, script mode -----------------------------------------------------------------------


@pytest.mark.browsercheck({"MODE": "block"})
def test_an_exempt_view_is_left_alone(site: None) -> None:
    r = get("/embedded", IE11)
    assert r.status_code == 200 and r.content.decode() == PAGE and r["Vary"] == "Accept-Encoding"  # GZip's only
    assert get("/", IE11).status_code == 406


@pytest.mark.browsercheck({"PREVIEW": lambda request: request.headers.get("X-Staff") == "yes"})
def test_preview_only_for_requests_the_site_allows(site: None) -> None:
    asked = get("/?browsercheck-preview=outdated", CHROME_157, HTTP_X_STAFF="yes")
    assert REGION in asked.content.decode() and asked["Cache-Control"] == "no-store"
    ignored = get("/?browsercheck-preview=outdated", CHROME_157, HTTP_X_STAFF="no")
    assert ignored.content.decode() == PAGE


@pytest.mark.browsercheck({"MODE": "script"})
def test_script_mode_pages_are_the_same_for_every_browser(site: None) -> None:
    pages = [get("/", ua) for ua in (IE11, CHROME_124, CHROME_157)]
    assert len({p.content for p in pages}) == 1
    assert '<script src="/.browsercheck/notice.js" defer></script></body>' in pages[0].content.decode()
    assert all(p["Vary"] == "Accept-Encoding" for p in pages)  # GZip's only: nothing browsercheck read
    r = Client().get("/.browsercheck/notice?next=/", HTTP_USER_AGENT=CHROME_124, HTTP_ACCEPT_LANGUAGE="sv")
    data = json.loads(r.content)
    assert data["status"] == "outdated" and data["notice"]["title"] == TITLE
    assert r["Cache-Control"] == "private" and r["Vary"].startswith("User-Agent, Accept-Language, Cookie, Sec-CH-UA")
    script = Client().get("/.browsercheck/notice.js")
    assert script["Content-Type"] == "text/javascript; charset=utf-8" and b"XMLHttpRequest" in script.content


# -- what the middleware must leave as Django and the application made it -----------------------------


@pytest.mark.parametrize("mode", ["annotate", "script"])
def test_a_preview_on_a_page_of_template_tags(site: None, mode: str) -> None:
    # there request.browsercheck is judged on first use (a lazy object stands in for it)
    with override_settings(BROWSERCHECK={"SITE": "haninge.se", "MODE": mode, "PREVIEW": True}):
        r = get("/own?browsercheck-preview=outdated", CHROME_157)
    assert r.status_code == 200
    assert r.content.decode().count(REGION) == 1


def test_the_applications_own_accept_ch_is_kept(tmp_path: Any) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: Windows 10 up\nbrowsers: {chrome: '>=125'}\nos: {windows: '>=10'}\n")
    config = {"POLICY": str(policy), "CLIENT_HINTS": True}
    with override_settings(ROOT_URLCONF="tests.django_site", MIDDLEWARE=[OURS], BROWSERCHECK=config):
        accepted = [name.strip() for name in get("/hints", CHROME_157)["Accept-CH"].split(",")]
    assert accepted[:2] == ["Sec-CH-UA-Model", "Sec-CH-DPR"]
    assert "Sec-CH-UA-Platform-Version" in accepted  # browsercheck's, beside them


@pytest.mark.parametrize("ua", [IE11, CHROME_157], ids=["banner", "no-banner"])
def test_head_says_gets_length_below_common_middleware(ua: str) -> None:
    # CommonMiddleware above browsercheck measures a body that has no Content-Length: HEAD's
    # must be GET's, banner and all
    middleware = ["django.middleware.common.CommonMiddleware", OURS]
    with override_settings(ROOT_URLCONF="tests.django_site", MIDDLEWARE=middleware, BROWSERCHECK={"SITE": "x.se"}):
        got = get("/", ua)
        head = Client().head("/", **NAVIGATION, HTTP_USER_AGENT=ua)
    assert head.status_code == got.status_code == 200
    assert head["Content-Length"] == got["Content-Length"] == str(len(got.content))
