"""The middleware in Flask, Django (WSGI and ASGI), Starlette and FastAPI, through their test clients."""

from __future__ import annotations

import logging
import urllib.parse
from typing import Any

import pytest

import browsercheck
from browsercheck._middleware import safe_redirect

from .webapps import FRAMEWORKS, GZIPPED, PAGE, STREAM_PARTS, Client

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
NAVIGATION = {
    "Accept": "text/html,application/xhtml+xml",
    "Sec-Fetch-Dest": "document",
    "Accept-Language": "sv-SE,sv;q=0.9",
}
BANNER = 'class="browsercheck-notice'
HINTS_VARY = (
    "Sec-CH-UA, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Mobile, Sec-CH-UA-Platform, Sec-CH-UA-Platform-Version, "
    "Sec-CH-UA-Model, Sec-CH-UA-Arch, Sec-CH-UA-Bitness, Sec-CH-UA-WoW64, Sec-CH-UA-Form-Factors"
)


def vary_of(*read: str) -> str:
    """The page's own Vary, then every request header the decision read: the User-Agent, ``read``,
    what tells a navigation (Accept, Sec-Fetch-Dest) and every Client Hint."""
    return ", ".join(["Accept-Encoding", "User-Agent", *read, "Accept", "Sec-Fetch-Dest", HINTS_VARY])


pytestmark = pytest.mark.parametrize("framework", FRAMEWORKS)


def visit(client: Client, ua: str | None, path: str = "/", **extra: str) -> Any:
    headers = {**NAVIGATION, **extra}
    if ua is not None:
        headers["User-Agent"] = ua
    return client.get(path, headers)


def assert_length_right(response: Any) -> None:
    if "content-length" in response.headers:
        assert int(response.headers["content-length"]) == len(response.body)


# -- banner --------------------------------------------------------------------------------------------


def test_banner_for_an_outdated_browser(framework: str) -> None:
    r = visit(Client(framework, site="haninge.se"), CHROME_124)
    assert r.status == 200
    head, body = r.text.split('<body class="home">', 1)
    assert "<style>" in head and head.index("<style>") < head.index("</head>")  # the CSS in the head
    assert body.lstrip().startswith(f"<section {BANNER}")  # the notice first thing in the body
    assert "Hej! Du använder en gammal webbläsare" in body
    assert "Inom kort kommer vissa funktioner på <bdi>haninge.se</bdi> inte fungera" in body
    assert_length_right(r)
    assert r.headers["etag"] == 'W/"v1"'
    assert r.headers["vary"] == vary_of("Accept-Language", "Cookie")  # appended, not replaced


def test_no_banner_for_a_current_browser_but_vary_still(framework: str) -> None:
    r = visit(Client(framework), CHROME_157)
    assert r.text == PAGE
    assert r.headers["etag"] == '"v1"'
    assert r.headers["vary"] == vary_of("Accept-Language")  # no notice to dismiss: the cookie is not read
    assert_length_right(r)


def test_fixed_locale_does_not_vary_on_accept_language(framework: str) -> None:
    r = visit(Client(framework, locale="en"), CHROME_124)
    assert "Hi! You are using an old browser" in r.text
    assert r.headers["vary"] == vary_of("Cookie")


@pytest.mark.parametrize(
    "ua",
    [GOOGLEBOT, "facebookexternalhit/1.1", "curl/8.5.0", None, "", "SomeUnknownThing/1.0"],
    ids=["googlebot", "link-preview", "curl", "no-ua-header", "empty-ua", "unknown"],
)
def test_never_a_banner_for_bots_missing_or_unknown_user_agents(framework: str, ua: str | None) -> None:
    for mode in ("banner", "block"):
        r = visit(Client(framework, mode=mode), ua)
        assert (r.status, r.text) == (200, PAGE)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Dest": "script", "Accept": "*/*"},
        {"Sec-Fetch-Dest": "iframe", "Accept": "text/html"},
        {"Sec-Fetch-Dest": "empty", "Accept": "text/html"},
        {"Accept": "application/json"},
        {"Accept": "*/*"},
    ],
    ids=["script", "iframe", "fetch", "json-accept", "any-accept"],
)
def test_only_top_level_html_navigations(framework: str, headers: dict[str, str]) -> None:
    r = Client(framework).get("/", {"User-Agent": IE11, **headers})
    assert r.text == PAGE
    # unchanged, but a navigation would have had the banner: a cache must not serve this page to it
    assert r.headers["vary"] == "Accept-Encoding, Accept, Sec-Fetch-Dest"


@pytest.mark.parametrize(
    ("path", "expected_status"),
    [("/json", 200), ("/gzip", 200), ("/sse", 200), ("/notmodified", 304), ("/missing", 404), ("/static/app.js", 200)],
)
def test_responses_left_alone(framework: str, path: str, expected_status: int) -> None:
    r = visit(Client(framework), IE11, path)
    assert r.status == expected_status
    assert BANNER.encode() not in r.body
    if path == "/gzip":  # compressed bodies are never opened (httpx decompresses what it receives)
        assert r.headers["content-encoding"] == "gzip"
        assert r.body in (GZIPPED, PAGE.encode())
    if path in ("/json", "/gzip", "/sse", "/static/app.js"):
        assert "User-Agent" not in r.headers.get("vary", "")
    if path == "/notmodified":
        # a page load's 304 says what the page it revalidates would (RFC 9110 15.4.5): its Vary
        assert "User-Agent" in r.headers.get("vary", "")


def test_streaming_response(framework: str) -> None:
    r = visit(Client(framework), IE11, "/stream")
    assert r.status == 200
    head, body = r.text.split("<body>", 1)
    assert head.startswith("<!DOCTYPE html>\n<html>\n<head><title>Stream</title><style>")
    assert body.startswith(f"<section {BANNER}")
    assert body.endswith("\n" + "".join(STREAM_PARTS[2:]))  # every part after the banner, in order
    assert_length_right(r)


@pytest.mark.parametrize("ua", [IE11, CHROME_157], ids=["banner", "no-banner"])
def test_head_and_get_agree(framework: str, ua: str) -> None:
    client = Client(framework)
    get = visit(client, ua)
    head = client.request("HEAD", "/", {**NAVIGATION, "User-Agent": ua})
    assert (head.status, head.body) == (200, b"")
    assert_length_right(get)
    # HEAD cannot know the banner's length without the body: it states none, or GET's
    assert head.headers.get("content-length") in (None, get.headers.get("content-length"))
    assert (head.headers["vary"], head.headers["etag"]) == (get.headers["vary"], get.headers["etag"])


def test_banner_before_body_close(framework: str) -> None:
    r = visit(Client(framework, insert="before_body_close"), IE11)
    assert r.text.index("<p>Welcome</p>") < r.text.index(BANNER) < r.text.index("</body>")
    assert_length_right(r)


def test_csp_nonce_on_the_style(framework: str) -> None:
    r = visit(Client(framework, nonce=lambda request: "r4nd0m"), IE11)
    assert '<style nonce="r4nd0m">' in r.text


# -- the verdict for the app -------------------------------------------------------------------------------


@pytest.mark.parametrize(("ua", "expected"), [(IE11, "unsupported"), (CHROME_157, "supported"), (GOOGLEBOT, "bot")])
def test_annotate_publishes_the_verdict_and_changes_nothing(framework: str, ua: str, expected: str) -> None:
    client = Client(framework, mode="annotate")
    assert visit(client, ua, "/verdict").text == expected
    r = visit(client, ua)
    assert r.text == PAGE
    assert r.headers["vary"] == "Accept-Encoding"


def test_excluded_paths_are_not_checked(framework: str) -> None:
    client = Client(framework, exclude=["/verdict"])
    assert visit(client, IE11, "/verdict").text == "none"
    by_segment = Client(framework, exclude=["/echo/health", "/echo/static/"])
    assert "<p>none</p>" in visit(by_segment, GOOGLEBOT, "/echo/health").text
    assert "<p>none</p>" in visit(by_segment, GOOGLEBOT, "/echo/health/db").text
    assert "<p>none</p>" in visit(by_segment, GOOGLEBOT, "/echo/static/app.css").text
    assert "<p>bot</p>" in visit(by_segment, GOOGLEBOT, "/echo/healthcare/").text  # not a prefix of a segment
    assert "<p>bot</p>" in visit(by_segment, GOOGLEBOT, "/echo/statics").text
    callable_client = Client(framework, exclude=lambda path: path.endswith("dict"))
    assert visit(callable_client, IE11, "/verdict").text == "none"


# -- block ------------------------------------------------------------------------------------------------


def test_block_page_for_an_unsupported_browser(framework: str) -> None:
    r = visit(Client(framework, mode="block", site="haninge.se"), IE11)
    assert r.status == 406
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-robots-tag"] == "noindex"
    assert "User-Agent" in r.headers["vary"]
    assert '<meta name="robots" content="noindex">' in r.text
    assert '<html lang="sv" dir="ltr">' in r.text
    assert "Den här webbläsaren fungerar inte med <bdi>haninge.se</bdi>." in r.text
    assert 'action="/.browsercheck/dismiss?continue"' in r.text and "Fortsätt ändå" in r.text
    assert_length_right(r)


def test_block_mode_shows_outdated_browsers_the_banner(framework: str) -> None:
    r = visit(Client(framework, mode="block"), CHROME_124)
    assert r.status == 200
    assert BANNER in r.text


def test_without_continue_no_cookie_lets_a_blocked_browser_through(framework: str) -> None:
    client = Client(framework, mode="block", allow_continue=False)
    r = visit(client, IE11, Cookie="browsercheck_dismissed=1")  # a cookie made by hand
    assert r.status == 406
    assert "Cookie" not in r.headers["vary"]  # not read
    r = client.request("POST", "/.browsercheck/dismiss", {"User-Agent": IE11}, data={"next": "/"})
    assert r.status == 403
    assert "set-cookie" not in r.headers
    # an outdated browser's banner can still be dismissed there
    r = client.request("POST", "/.browsercheck/dismiss", {"User-Agent": CHROME_124}, data={"next": "/"})
    assert (r.status, r.headers["location"]) == (303, "/")
    assert r.headers["set-cookie"].startswith("browsercheck_dismissed=1")
    assert visit(client, CHROME_124, Cookie="browsercheck_dismissed=1").text == PAGE


def test_block_status_continue_and_hook(framework: str) -> None:
    r = visit(Client(framework, mode="block", block_status=426, allow_continue=False), IE11)
    assert r.status == 426
    assert "Fortsätt ändå" not in r.text

    def own_page(verdict: browsercheck.Verdict, notice: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        return 403, [("Content-Type", "text/plain")], f"no {verdict.client.browser}".encode()

    r = visit(Client(framework, mode="block", block_response=own_page), IE11)
    assert (r.status, r.text, r.headers["cache-control"]) == (403, "no ie", "no-store")


# -- dismissal ----------------------------------------------------------------------------------------------


def test_dismiss_sets_a_cookie_and_redirects_back(framework: str) -> None:
    client = Client(framework)
    r = client.request("POST", "/.browsercheck/dismiss", {"User-Agent": IE11}, data={"next": "/stream?x=1"})
    assert r.status == 303
    assert r.headers["location"] == "/stream?x=1"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("browsercheck_dismissed=1; Max-Age=2592000; Path=/; SameSite=Lax; HttpOnly")
    again = visit(client, IE11, Cookie="other=1; browsercheck_dismissed=1")
    assert again.text == PAGE
    blocked_mode = Client(framework, mode="block")
    # hiding a notice is not "continue anyway" on a block page: each has its own cookie
    assert visit(blocked_mode, IE11, Cookie="browsercheck_dismissed=1").status == 406
    r = blocked_mode.request("POST", "/.browsercheck/dismiss?continue", {"User-Agent": IE11}, data={"next": "/"})
    assert r.headers["set-cookie"].startswith("browsercheck_continue=1; Max-Age=2592000;")
    assert visit(blocked_mode, IE11, Cookie="browsercheck_continue=1").status == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "http:/evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
    ],
)
def test_dismiss_never_redirects_off_site(framework: str, target: str) -> None:
    r = Client(framework).request("POST", "/.browsercheck/dismiss", {}, data={"next": target})
    assert (r.status, r.headers["location"]) == (303, "/")


@pytest.mark.parametrize(
    ("posted", "location"),
    [("/%E2%82%AC", "/%E2%82%AC"), ("/%FF", "/%FF"), ("/a b", "/a%20b"), ("/x?q=%C3%A5", "/x?q=%C3%A5")],
    ids=["utf-8-euro", "byte-ff", "space", "query"],
)
def test_dismiss_redirects_to_any_path_in_ascii(framework: str, posted: str, location: str) -> None:
    # the form as a browser sends it: "next" percent-encoded once more
    body = "next=" + urllib.parse.quote(urllib.parse.unquote_to_bytes(posted), safe="")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    r = Client(framework).request("POST", "/.browsercheck/dismiss", headers, data=body)
    assert (r.status, r.headers["location"]) == (303, location)


@pytest.mark.parametrize(
    ("path", "next_value"),
    [
        ("/echo/a%3Fb%23c", "/echo/a%3Fb%23c"),  # "?" and "#" in the path, not a query
        ("/echo/%E6%97%A5%E6%9C%AC?q=1", "/echo/%E6%97%A5%E6%9C%AC?q=1"),
        ("/echo/a%2Fb", "/echo/a%2Fb"),
        ("/echo/100%25", "/echo/100%25"),
    ],
    ids=["encoded-query-and-fragment", "non-latin-1", "encoded-slash", "encoded-percent"],
)
def test_dismissal_returns_to_the_same_page(framework: str, path: str, next_value: str) -> None:
    client = Client(framework)
    page = visit(client, CHROME_124, path)
    assert f'<input type="hidden" name="next" value="{next_value}">' in page.text
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = urllib.parse.urlencode({"next": next_value})
    r = client.request("POST", "/.browsercheck/dismiss", headers, data=body)
    assert (r.status, r.headers["location"]) == (303, next_value)


def test_dismiss_path_wants_post(framework: str) -> None:
    r = Client(framework).get("/.browsercheck/dismiss")
    assert (r.status, r.headers["allow"]) == (405, "POST")


# -- hostile input and failures -----------------------------------------------------------------------------------


def test_hostile_user_agent_and_accept_language(framework: str) -> None:
    hostile = '<script>alert("x")</script> MSIE 6.0; Windows NT 5.1'
    r = visit(Client(framework), hostile, **{"Accept-Language": "ÿ;q=x," * 500})
    assert r.status == 200
    assert "<script>alert" not in r.text


def test_a_failure_inside_browsercheck_passes_the_request(framework: str, caplog: pytest.LogCaptureFixture) -> None:
    class Broken(browsercheck.Checker):
        def check(self, *args: Any, **kwargs: Any) -> browsercheck.Verdict:
            raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="browsercheck"):
        r = visit(Client(framework, checker=Broken()), IE11)
    assert (r.status, r.text) == (200, PAGE)
    assert "browsercheck failed; the request passes unchecked" in caplog.text


def test_what_the_client_sent_is_escaped_in_the_log(framework: str, caplog: pytest.LogCaptureFixture) -> None:
    def evil(ua: str) -> browsercheck.Client:
        name = "Firefox\n2026-11-30 INFO forged line \x1b[2J"
        return browsercheck.Client("firefox", name, "100", "gecko", "100", None, None, browsercheck.Device.DESKTOP)

    with caplog.at_level(logging.INFO, logger="browsercheck"):
        visit(Client(framework, checker=browsercheck.Checker(detector=evil)), "x", "/echo/a%0Ab%1B")
    [record] = [r for r in caplog.records if "notice for" in r.getMessage()]
    message = record.getMessage()
    assert "\n" not in message and "\x1b" not in message
    assert message == (
        "browsercheck: notice for Firefox\\n2026-11-30 INFO forged line \\x1b[2J 100 (outdated) on /echo/a%0Ab%1B"
    )


def test_a_page_in_latin_1_gets_the_notice_in_latin_1(framework: str) -> None:
    r = visit(Client(framework), CHROME_124, "/latin1")
    text = r.body.decode("iso-8859-1")
    assert "Hej! Du använder en gammal webbläsare" in text
    assert "<p>Välkommen</p>" in text
    assert_length_right(r)


def test_each_notice_and_block_is_logged(framework: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="browsercheck"):
        visit(Client(framework, mode="block"), IE11)
        visit(Client(framework), CHROME_124)
    assert "browsercheck: blocked Internet Explorer 11.0 on Windows 10 (unsupported) on /" in caplog.text
    assert "browsercheck: notice for Google Chrome 124.0.0.0 on Windows 10 (outdated) on /" in caplog.text


def test_client_hints_asked_for_and_varied_on(framework: str) -> None:
    policy = browsercheck.parse_policy("browsers: {chrome: '>=125'}\nos: {windows: '>=11'}")
    client = Client(framework, policy=policy, client_hints=True, critical_hints=True)
    r = visit(
        client,
        CHROME_157,
        **{"Sec-CH-UA": '"Google Chrome";v="157", "Chromium";v="157"', "Sec-CH-UA-Platform": '"Windows"'},
    )
    assert r.headers["accept-ch"] == "Sec-CH-UA-Platform-Version"
    assert r.headers["critical-ch"] == "Sec-CH-UA-Platform-Version"
    assert r.headers["vary"] == vary_of("Accept-Language")


def test_safe_redirect(framework: str) -> None:
    assert safe_redirect("/a/b?c=d#e") == "/a/b?c=d#e"
    assert safe_redirect("") == "/"


def test_each_page_returns_to_itself_after_dismissal(framework: str) -> None:
    client = Client(framework)
    first = visit(client, CHROME_124, "/stream?q=1&x=2")
    second = visit(client, CHROME_124, "/")
    assert '<input type="hidden" name="next" value="/stream?q=1&amp;x=2">' in first.text
    assert '<input type="hidden" name="next" value="/">' in second.text
    assert "\x00" not in first.text + second.text
