"""Script mode through every framework's test client: pages the same for every browser, the notice
endpoint per request, the script itself."""

from __future__ import annotations

import json

import pytest

from .webapps import FRAMEWORKS, PAGE, Client

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
TAG = '<script src="/.browsercheck/notice.js" defer></script>'
REGION = '<section class="browsercheck-notice'
HINTS = (
    "Sec-CH-UA, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Mobile, Sec-CH-UA-Platform, Sec-CH-UA-Platform-Version, "
    "Sec-CH-UA-Model, Sec-CH-UA-Arch, Sec-CH-UA-Bitness, Sec-CH-UA-WoW64, Sec-CH-UA-Form-Factors"
)

pytestmark = pytest.mark.parametrize("framework", FRAMEWORKS)


def test_every_browser_gets_the_same_page(framework: str) -> None:
    client = Client(framework, mode="script", site="haninge.se")
    requests = [
        {"User-Agent": ua, "Accept": "text/html", "Accept-Language": lang, "Cookie": cookie}
        for ua in (IE11, CHROME_124, CHROME_157, GOOGLEBOT)
        for lang in ("sv", "en")
        for cookie in ("", "browsercheck_dismissed=1")
    ]
    responses = [client.get("/", headers) for headers in requests]
    bodies = {r.body.decode() for r in responses}
    assert len(bodies) == 1
    page = bodies.pop()
    # before </body> where the whole page is known at once, else in the head (found by the scan)
    assert page in (PAGE.replace("</body>", TAG + "</body>"), PAGE.replace("</head>", TAG + "</head>"))
    assert {r.headers["vary"] for r in responses} == {"Accept-Encoding"}  # the page's own, nothing added
    assert {r.headers["etag"] for r in responses} == {'W/"v1"'}
    assert all(int(r.headers["content-length"]) == len(r.body) for r in responses if "content-length" in r.headers)


def test_only_html_pages_get_the_tag(framework: str) -> None:
    client = Client(framework, mode="script")
    assert TAG not in client.get("/json", {"User-Agent": CHROME_124}).text
    assert TAG.encode() not in client.get("/gzip", {"User-Agent": CHROME_124}).body
    assert client.get("/missing", {"User-Agent": CHROME_124}).status == 404
    assert TAG not in client.get("/missing", {"User-Agent": CHROME_124}).text
    # streamed: the head is found as a browser finds it, the tag goes there
    assert f"{TAG}</head>" in client.get("/stream", {"User-Agent": CHROME_124}).text


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("<html><body><p>x</p></body>\n</html>\n", f"<html><body><p>x</p>{TAG}</body>\n</html>\n"),
        ("<html><body><p>x</p></BODY  >", f"<html><body><p>x</p>{TAG}</BODY  >"),
        ("<html><head></head><body><p>x</p>", f"<html><head>{TAG}</head><body><p>x</p>"),  # no end: the scan
        ("<p>a fragment</p>", "<p>a fragment</p>"),  # not a page: left alone
        ("<body><!-- </body> -->", f"<body>{TAG}<!-- </body> -->"),  # ends in a comment: the scan
    ],
    ids=["closing-tags", "upper-case", "no-closing-tags", "fragment", "comment-at-end"],
)
def test_where_the_tag_goes(framework: str, page: str, expected: str) -> None:
    from browsercheck._middleware import Settings
    from browsercheck._rewrite import Rewriter

    del framework  # the same core for all: once is enough
    settings = Settings(mode="script")
    rewriter = Rewriter(settings.script_decisions[0], settings)
    rewriter.start(200, [("Content-Type", "text/html"), ("Content-Length", str(len(page)))])
    body = rewriter.feed(page.encode()) + rewriter.end()
    assert body.decode() == expected
    length = dict(rewriter.headers).get("Content-Length")
    assert length is None or int(length) == len(body)


def test_the_notice_endpoint_answers_per_request(framework: str) -> None:
    client = Client(framework, mode="script", site="haninge.se")
    r = client.get("/.browsercheck/notice?next=%2Fstream%3Fa%3D1", {"User-Agent": CHROME_124, "Accept-Language": "sv"})
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "private"
    assert r.headers["vary"] == f"User-Agent, Accept-Language, Cookie, {HINTS}"
    data = json.loads(r.body)
    assert data["status"] == "outdated"
    notice = data["notice"]
    assert notice["title"] == "Hej! Du använder en gammal webbläsare" and notice["locale"] == "sv"
    assert notice["region"].startswith(REGION) and 'name="next" value="/stream?a=1"' in notice["region"]
    assert ".browsercheck-notice{" in notice["css"]
    html = client.get("/.browsercheck/notice?format=html", {"User-Agent": CHROME_124})
    assert html.headers["content-type"] == "text/html; charset=utf-8" and REGION in html.text
    assert html.text.startswith("<style>")


def test_a_failing_notice_endpoint_answers_with_no_notice(
    framework: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import browsercheck._script

    def broken(*args: object) -> None:
        raise RuntimeError("a bug in building the notice")

    monkeypatch.setattr(browsercheck._script, "notice_response", broken)
    r = Client(framework, mode="script").get("/.browsercheck/notice", {"User-Agent": CHROME_124})
    # the script then shows nothing: never the application's 404 or a server error for it to parse
    assert (r.status, r.headers["content-type"], r.body) == (200, "application/json", b"{}")
    assert "browsercheck failed on the notice endpoint" in caplog.text


@pytest.mark.parametrize(
    ("ua", "cookie", "status"),
    [
        (CHROME_157, "", "supported"),
        (GOOGLEBOT, "", "bot"),
        (CHROME_124, "browsercheck_dismissed=1", "outdated"),
    ],
    ids=["current", "bot", "dismissed"],
)
def test_no_notice_where_none_is_due(framework: str, ua: str, cookie: str, status: str) -> None:
    r = Client(framework, mode="script").get("/.browsercheck/notice", {"User-Agent": ua, "Cookie": cookie})
    assert json.loads(r.body) == {"status": status, "notice": None}


def test_the_next_page_is_on_this_site_only(framework: str) -> None:
    r = Client(framework, mode="script").get("/.browsercheck/notice?next=//evil.example/", {"User-Agent": CHROME_124})
    assert 'name="next" value="/"' in json.loads(r.body)["notice"]["region"]


def test_the_script_is_small_cacheable_and_revalidated(framework: str) -> None:
    client = Client(framework, mode="script")
    r = client.get("/.browsercheck/notice.js")
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["cache-control"] == "public, max-age=86400" and "vary" not in r.headers
    assert len(r.body) < 2048
    again = client.get("/.browsercheck/notice.js", {"If-None-Match": r.headers["etag"]})
    assert (again.status, again.body) == (304, b"")


def test_the_endpoints_exist_in_script_mode_only(framework: str) -> None:
    assert Client(framework, mode="banner").get("/.browsercheck/notice.js").status == 404


def test_a_nonce_goes_on_the_tag(framework: str) -> None:
    nonce = (lambda scope: "r4nd0m") if framework in ("django-asgi", "starlette", "fastapi") else (lambda env: "r4nd0m")
    r = Client(framework, mode="script", nonce=nonce).get("/", {"User-Agent": CHROME_124})
    assert r.text.count('<script src="/.browsercheck/notice.js" defer nonce="r4nd0m"></script>') == 1


# -- the script itself: ES5 that Internet Explorer 11 runs ------------------------------------------------------

# Every name the script uses, each one Internet Explorer 11 has (currentScript it lacks: the script
# looks for its own tag then). A new name has to be checked against IE11 before it joins the list.
IE11_NAMES = {
    "JSON", "XMLHttpRequest", "appendChild", "body", "createElement", "createTextNode", "css", "currentScript",
    "data", "document", "documentElement", "e", "encodeURIComponent", "exec", "getAttribute", "getElementById",
    "getElementsByTagName", "head", "i", "insertAdjacentHTML", "length", "location", "match", "me", "nonce",
    "notice", "onreadystatechange", "open", "parse", "pathname", "readyState", "region", "replace", "responseText",
    "scripts", "search", "send", "setAttribute", "setRequestHeader", "src", "status", "style", "test", "url",
    "window", "xhr",
}  # fmt: skip


def test_the_script_is_es5_with_what_ie11_has(framework: str) -> None:
    from calmjs.parse import es5
    from calmjs.parse.asttypes import Identifier
    from calmjs.parse.walkers import Walker

    source = Client(framework, mode="script").get("/.browsercheck/notice.js").text
    tree = es5(source)  # an ES5 parser: `let`, arrow functions, classes, template strings fail here
    names = {node.value for node in Walker().filter(tree, lambda node: isinstance(node, Identifier))}
    assert names <= IE11_NAMES, sorted(names - IE11_NAMES)
    assert "fetch" not in names and "Promise" not in names


def test_pages_are_not_judged_and_say_so(framework: str) -> None:
    """The page is the same for everyone, so nothing on it may depend on the verdict: none is made
    (and the application can tell this None from an excluded path's)."""
    r = Client(framework, mode="script").get("/verdict", {"User-Agent": CHROME_124, "Accept": "text/html"})
    assert r.text == "none"


def test_the_endpoint_honours_preview_and_silence(framework: str) -> None:
    asked = "/.browsercheck/notice?browsercheck-preview=outdated"
    assert json.loads(Client(framework, mode="script").get(asked, {"User-Agent": CHROME_157}).body)["notice"] is None
    shown = json.loads(Client(framework, mode="script", preview=True).get(asked, {"User-Agent": CHROME_157}).body)
    assert shown["status"] == "supported" and shown["notice"]["status"] == "outdated"
    windows_7 = CHROME_124.replace("Windows NT 10.0", "Windows NT 6.1").replace("124.0.0.0", "109.0.0.0")
    quiet = Client(framework, mode="script", notify_unupgradable=False)
    assert json.loads(quiet.get("/.browsercheck/notice", {"User-Agent": windows_7}).body)["notice"] is None


def test_head_gets_the_headers_of_get(framework: str) -> None:
    r = Client(framework, mode="script").request("HEAD", "/", {"User-Agent": CHROME_124})
    assert r.status == 200 and r.body == b"" and "User-Agent" not in r.headers.get("vary", "")


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "OPTIONS"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/page",
        "/static/app.css",
        "/static",
        "/health",
        "/.browsercheck/notice.js",
        "/.browsercheck/notice",
        "/.browsercheck/dismiss",
        "/.browsercheck/other",
    ],
)
def test_pages_told_from_path_and_method_decide_as_decide_does(framework: str, path: str, method: str) -> None:
    # The adapters' short way for script mode's pages must never decide otherwise than `decide`:
    # where it answers, the decisions are the same; where it does not, `decide` takes the request.
    from browsercheck._middleware import RequestInfo, Settings, decide, script_page

    del framework  # the same core for all: once is enough
    settings = Settings(mode="script", exclude=["/static/", "/health"])
    request = RequestInfo(method=method, path=path, query="", scheme="https", headers={"user-agent": IE11})
    short = script_page(settings, path, method)
    full = decide(settings, request, lazy=True)
    if short is not None:
        assert short == full
    assert (short is not None) == (full.action == "rewrite")
