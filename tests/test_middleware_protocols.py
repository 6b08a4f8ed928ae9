"""PEP 3333 and ASGI 3 details the framework tests do not reach, and the options' checks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from browsercheck._options import Mode
from browsercheck.asgi import BrowserCheckMiddleware as ASGIMiddleware
from browsercheck.wsgi import BrowserCheckMiddleware as WSGIMiddleware

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
PAGE = b"<html><head></head><body><p>hi</p></body></html>"


def environ(**extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "wsgi.url_scheme": "http",
        "HTTP_USER_AGENT": IE11,
        "HTTP_ACCEPT": "text/html",
        **extra,
    }


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[str, str]]]] = []
        self.written: list[bytes] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        self.calls.append((status, headers))
        return self.written.append


def run_wsgi(app: Any, env: dict[str, Any]) -> tuple[Recorder, bytes]:
    recorder = Recorder()
    result = app(env, recorder)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return recorder, b"".join(recorder.written) + body


def test_wsgi_write_callable_apps_get_the_banner() -> None:
    def legacy(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(PAGE)))])
        write(PAGE[:20])
        write(PAGE[20:])
        return []

    recorder, body = run_wsgi(WSGIMiddleware(legacy), environ())
    assert b'class="browsercheck-notice' in body
    assert len(recorder.calls) == 1
    headers = dict(recorder.calls[0][1])
    assert int(headers["Content-Length"]) == len(body)


def test_wsgi_close_is_called_on_the_apps_iterable() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield PAGE

        def close(self) -> None:
            closed.append(True)

    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return Body()

    run_wsgi(WSGIMiddleware(app), environ())
    assert closed == [True]
    closed.clear()
    run_wsgi(WSGIMiddleware(app, mode="annotate"), environ())  # passed through untouched: still closed
    assert closed == [True]


class ClosingList(list[bytes]):
    closed = False

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("mode", ["banner", "script"])
@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda page: [page], id="list"),
        pytest.param(lambda page: (page,), id="tuple"),
        pytest.param(lambda page: [page[:20], page[20:]], id="list-of-two"),
        pytest.param(lambda page: iter([page]), id="iterator"),
        pytest.param(lambda page: ClosingList([page]), id="list-with-close"),
    ],
)
def test_wsgi_the_page_is_changed_once_however_the_app_returns_it(mode: Mode, shape: Any) -> None:
    returned: list[Iterable[bytes]] = []

    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(PAGE)))])
        returned.append(shape(PAGE))
        return returned[-1]

    recorder, body = run_wsgi(WSGIMiddleware(app, mode=mode), environ())
    assert body.count(b"<script" if mode == "script" else b'class="browsercheck-notice') == 1
    assert len(recorder.calls) == 1
    assert int(dict(recorder.calls[0][1])["Content-Length"]) == len(body)
    assert body.startswith(b"<html><head>") and body.endswith(b"</body></html>")
    if isinstance(returned[0], ClosingList):
        assert returned[0].closed  # its close() is the server's to call, through ours


def test_wsgi_lazy_start_response_and_generators() -> None:
    def app(env: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        yield b"<html><bo"
        yield b"dy>x</body></html>"

    recorder, body = run_wsgi(WSGIMiddleware(app), environ())
    assert body.startswith(b"<html><style>") or body.startswith(b"<html><body><style>")
    assert recorder.calls[0][0] == "200 OK"


def test_wsgi_error_after_start_reraises_exc_info() -> None:
    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("late")
        except ValueError:
            import sys

            start_response("500 Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"x"]

    with pytest.raises(ValueError, match="late"):
        run_wsgi(WSGIMiddleware(app), environ())


def test_wsgi_publishes_the_verdict_in_environ() -> None:
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.update(env)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    run_wsgi(WSGIMiddleware(app, mode="annotate"), environ())
    assert seen["browsercheck.verdict"].client.browser == "ie"


def test_wsgi_per_request_state_is_not_kept_on_the_middleware() -> None:
    middleware = WSGIMiddleware(lambda env, sr: (sr("200 OK", [("Content-Type", "text/html")]), [PAGE])[1])
    before = dict(vars(middleware))
    run_wsgi(middleware, environ())
    assert dict(vars(middleware)) == before


# -- ASGI --------------------------------------------------------------------------------------------------------


def run_asgi(app: Any, scope: dict[str, Any], body: bytes = b"") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    received = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return received.pop(0) if received else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def http_scope(**extra: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "scheme": "http",
        "headers": [(b"user-agent", IE11.encode()), (b"accept", b"text/html")],
        **extra,
    }


@pytest.mark.parametrize("kind", ["lifespan", "websocket"])
def test_asgi_non_http_scopes_pass_untouched(kind: str) -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": kind, "path": "/", "headers": []}
    run_asgi(ASGIMiddleware(app), scope)
    assert seen == [scope]
    assert seen[0] is scope


def test_asgi_scope_is_copied_and_state_published() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        scope["state"]["user_id"] = 42  # as a view sets ``request.state.user_id``
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    request_state = {"mine": 1}
    scope = http_scope(state=request_state)
    run_asgi(ASGIMiddleware(app, mode="annotate"), scope)
    assert seen[0] is not scope  # the scope is copied
    assert seen[0]["state"]["browsercheck"].client.browser == "ie"
    assert seen[0]["state"]["mine"] == 1
    # the request's state is shared, as Starlette's ``request.state`` needs: a middleware around
    # this one reads what the application put in it
    assert request_state["user_id"] == 42


def test_asgi_scope_without_state_gets_one() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    scope = http_scope()
    scope.pop("state", None)
    run_asgi(ASGIMiddleware(app, mode="annotate"), scope)
    assert seen[0]["state"]["browsercheck"].client.browser == "ie"
    assert "state" not in scope  # the server's scope itself is not changed


def test_asgi_streamed_body_with_banner_in_a_later_message() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        for part in (b"<html><head></head>", b"<bo", b"dy><p>1</p>", b"</body></html>"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent = run_asgi(ASGIMiddleware(app), http_scope())
    assert sent[0]["type"] == "http.response.start"
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert body.startswith(b"<html><head><style>")
    assert b'<body><section class="browsercheck-notice' in body
    assert body.endswith(b"<p>1</p></body></html>")
    assert sent[-1]["more_body"] is False


def test_asgi_page_without_body_tag_passes_unchanged_within_bounds() -> None:
    big = b"<p>" + b"x" * 200_000 + b"</p>"

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        for i in range(0, len(big), 10_000):
            await send({"type": "http.response.body", "body": big[i : i + 10_000], "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    sent = run_asgi(ASGIMiddleware(app), http_scope())
    body_messages = [m for m in sent if m["type"] == "http.response.body"]
    assert b"".join(m["body"] for m in body_messages) == big
    # at most the 64 KiB window was held back: the rest streamed as it came
    assert len(body_messages) > 10


def _wsgi_app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    return []


async def _asgi_app(scope: Any, receive: Any, send: Any) -> None:
    return None


# -- options ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "popup"}, "mode must be one of annotate, banner, block, script; got 'popup'"),
        ({"insert": "top"}, "insert must be one of after_body_open, before_body_close; got 'top'"),
        ({"block_status": 200}, "block_status must be an HTTP error status (400-599), got 200"),
        ({"dismiss_path": "dismiss"}, "dismiss_path must be a path starting with '/', got 'dismiss'"),
        ({"notice_path": "x"}, "notice_path must be a path starting with '/', got 'x'"),
        ({"dismiss_cookie": "a b"}, "dismiss_cookie must be a plain cookie name"),
        ({"remind_after_days": 0}, "remind_after_days must be a number of days more than 0, got 0"),
        ({"continue_days": "7"}, "continue_days must be a number of days more than 0, got '7'"),
        ({"continue_cookie": ""}, "continue_cookie must be a plain cookie name"),
        ({"preview": "yes"}, "preview must be True, False or a callable from the request, got 'yes'"),
        ({"notify_unupgradable": 0}, "notify_unupgradable must be True or False, got 0"),
        ({"exclude": 5}, "exclude must be a sequence of path prefixes or a callable, got 5"),
        ({"site": 5}, "site must be a non-empty string or None, got 5"),
        ({"locale": ""}, "locale must be a non-empty string or None, got ''"),
        ({"block_response": "page.html"}, "block_response must be a callable (verdict, notice)"),
        ({"checker": "fast"}, "checker must be a browsercheck.Checker or None, got 'fast'"),
        ({"exclude": "/static"}, "exclude must be a sequence of path prefixes or a callable, got '/static'"),
    ],
)
def test_bad_options_name_the_value(options: dict[str, Any], message: str) -> None:
    import re

    with pytest.raises(ValueError, match=re.escape(message)):
        WSGIMiddleware(_wsgi_app, **options)
    with pytest.raises(ValueError, match=re.escape(message)):
        ASGIMiddleware(_asgi_app, **options)


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="site_name"):
        WSGIMiddleware(_wsgi_app, site_name="x")  # type: ignore[call-arg]


def test_bad_policy_file_is_reported_at_start(tmp_path: Any) -> None:
    import browsercheck

    path = tmp_path / "p.yaml"
    path.write_text("browsers: {chrom: 1}\n")
    with pytest.raises(browsercheck.PolicyError, match="unknown browser 'chrom'"):
        WSGIMiddleware(_wsgi_app, policy=str(path))


def test_a_failure_on_the_response_passes_it_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    import browsercheck._rewrite as middleware

    def broken(status: int, headers: Any) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(middleware, "rewritable", broken)

    def wsgi_app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [PAGE]

    recorder, body = run_wsgi(WSGIMiddleware(wsgi_app), environ())
    assert (body, recorder.calls[0][1]) == (PAGE, [("Content-Type", "text/html")])

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": PAGE})

    sent = run_asgi(ASGIMiddleware(asgi_app), http_scope())
    assert sent[0]["headers"] == [(b"content-type", b"text/html")]
    assert sent[1]["body"] == PAGE


def test_asgi_cookies_sent_apart_are_read_as_one_header() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": PAGE})

    scope = http_scope()
    scope["headers"] = [*scope["headers"], (b"cookie", b"a=1"), (b"cookie", b"browsercheck_dismissed=1")]
    sent = run_asgi(ASGIMiddleware(app), scope)
    assert sent[1]["body"] == PAGE  # dismissed: no banner


# -- the core's rules, apart from any framework -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("/health", True),
        ("/health/live", True),
        ("/healthcare/", False),
        ("/healthy-eating", False),
        ("/static/app.css", True),
        ("/static", True),
        ("/statistics", False),
        ("/favicon.ico", True),
        ("/favicon.ico.html", False),
        ("/.well-known/security.txt", True),
        ("/", False),
    ],
)
def test_default_exclusions_match_whole_path_segments(path: str, excluded: bool) -> None:
    from browsercheck._middleware import Settings

    assert Settings().excluded(path) is excluded


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        ("/ok/path?q=1", "/ok/path?q=1"),
        ("/a\nb", "/a\\nb"),
        ("x\r\n2026-11-30 INFO forged", "x\\r\\n2026-11-30 INFO forged"),
        ("\x1b]0;title\x07\x1b[2J", "\\x1b]0;title\\x07\\x1b[2J"),
        ("line\u2028separator\x85", "line\\u2028separator\\x85"),
        ("/välkommen", "/välkommen"),
    ],
    ids=["plain", "newline", "crlf", "terminal-escapes", "unicode-line-breaks", "non-ascii-letters"],
)
def test_printable_escapes_control_characters(text: str, logged: str) -> None:
    from browsercheck._middleware import printable

    assert printable(text) == logged


def hidden_next(body: bytes) -> str:
    import re

    found = re.search(rb'name="next" value="([^"]*)"', body)
    assert found is not None, body
    return found.group(1).decode("ascii")


def html_page(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [PAGE]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"PATH_INFO": "/a?b#c"}, "/a%3Fb%23c"),
        ({"PATH_INFO": "/a?b", "SCRIPT_NAME": "/app"}, "/app/a%3Fb"),
        ({"PATH_INFO": "/\xe6\x97\xa5", "QUERY_STRING": "q=%C3%A5&x=\xe5"}, "/%E6%97%A5?q=%C3%A5&amp;x=%E5"),
        ({"PATH_INFO": "/a?b", "RAW_URI": "/a%3Fb?q=1", "QUERY_STRING": "q=1"}, "/a%3Fb?q=1"),
        ({"PATH_INFO": "/a?b", "REQUEST_URI": "/a%3fb"}, "/a%3fb"),
        ({"PATH_INFO": "/x", "RAW_URI": "http://evil.example/x"}, "/x"),  # absolute form: not a path
    ],
    ids=["decoded-path", "script-name", "latin-1-bytes", "raw-uri", "request-uri", "absolute-raw-uri"],
)
def test_wsgi_page_to_return_to_is_the_path_as_sent(extra: dict[str, str], expected: str) -> None:
    _, body = run_wsgi(WSGIMiddleware(html_page), environ(**extra))
    assert hidden_next(body) == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"path": "/a?b", "raw_path": b"/a%3Fb"}, "/a%3Fb"),
        ({"path": "/echo/日本", "raw_path": b"/echo/%E6%97%A5%E6%9C%AC"}, "/echo/%E6%97%A5%E6%9C%AC"),
        ({"path": "/echo/日本"}, "/echo/%E6%97%A5%E6%9C%AC"),  # no raw_path: encoded again
        ({"path": "/a", "raw_path": b"/a?q=1", "query_string": b"q=1"}, "/a?q=1"),  # query left in raw_path
    ],
    ids=["raw-path", "non-latin-1", "no-raw-path", "query-in-raw-path"],
)
def test_asgi_page_to_return_to_is_the_path_as_sent(extra: dict[str, Any], expected: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": PAGE})

    sent = run_asgi(ASGIMiddleware(app), http_scope(**extra))
    assert hidden_next(b"".join(m.get("body", b"") for m in sent)) == expected


@pytest.mark.parametrize(
    ("form", "location"),
    [(b"next=%2F%25E2%2582%25AC", b"/%E2%82%AC"), (b"next=/%E2%82%AC", b"/%E2%82%AC"), (b"next=/%FF", b"/%FF")],
    ids=["encoded-twice", "utf-8", "byte-ff"],
)
def test_asgi_dismiss_location_is_ascii(form: bytes, location: bytes) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the dismiss endpoint answers itself")

    scope = http_scope(method="POST", path="/.browsercheck/dismiss")
    sent = run_asgi(ASGIMiddleware(app), scope, body=form)
    assert sent[0]["status"] == 303
    assert dict(sent[0]["headers"])[b"location"] == location


def test_a_page_in_utf_16_is_left_alone_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    page = "<html><body><p>x</p></body></html>".encode("utf-16")

    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-16"), ("Content-Length", str(len(page)))])
        return [page]

    with caplog.at_level(logging.WARNING, logger="browsercheck"):
        recorder, body = run_wsgi(WSGIMiddleware(app), environ(PATH_INFO="/u"))
    assert body == page
    assert dict(recorder.calls[0][1])["Content-Length"] == str(len(page))
    assert "browsercheck: no notice on /u: the page's charset 'utf-16' does not write ASCII as ASCII" in caplog.text


# -- what a client or an application may send, and the middleware must take ---------------------------

FIREFOX_140 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"


def test_asgi_a_file_the_server_sends_itself_goes_after_the_start() -> None:
    # Starlette's FileResponse sends http.response.pathsend where the server offers it: the held
    # start goes out first (ASGI's order), and the file as it is
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.pathsend", "path": "/srv/index.html"})

    scope = http_scope(extensions={"http.response.pathsend": {}})
    for mode in ("banner", "script"):
        sent = run_asgi(ASGIMiddleware(app, mode=mode), scope)
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.pathsend"], mode


@pytest.mark.parametrize("mode", ["banner", "script"])
def test_asgi_what_was_held_back_goes_out_before_a_message_of_another_kind(mode: Mode) -> None:
    head = b"<!doctype html><html><head><title>t</title>"

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": head, "more_body": True})
        await send({"type": "http.response.zerocopysend", "file": 7, "more_body": False})

    sent = run_asgi(ASGIMiddleware(app, mode=mode), http_scope(extensions={"http.response.zerocopysend": {}}))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body", "http.response.zerocopysend"]
    assert sent[1]["body"] == head and sent[1]["more_body"] is True


def test_asgi_a_state_that_cannot_be_written_into_is_copied() -> None:
    from types import MappingProxyType

    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(dict(scope["state"]))
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    run_asgi(ASGIMiddleware(app, mode="annotate"), http_scope(state=MappingProxyType({"db": "pool"})))
    assert seen[0]["db"] == "pool" and seen[0]["browsercheck"].client.browser == "ie"


@pytest.mark.parametrize("where", ["body", "query"])
def test_a_dismissal_with_many_fields_is_answered(where: str) -> None:
    fields = "&".join(f"f{i}=1" for i in range(40))
    form = f"{fields}&next=/x".encode() if where == "body" else b"next=/x"
    query = fields if where == "query" else ""

    recorder, _ = run_wsgi(
        WSGIMiddleware(_wsgi_app),
        environ(
            REQUEST_METHOD="POST",
            PATH_INFO="/.browsercheck/dismiss",
            QUERY_STRING=query,
            CONTENT_LENGTH=str(len(form)),
            **{"wsgi.input": __import__("io").BytesIO(form)},
        ),
    )
    assert recorder.calls[0][0].startswith("303")
    scope = http_scope(method="POST", path="/.browsercheck/dismiss", query_string=query.encode())
    sent = run_asgi(ASGIMiddleware(_asgi_app), scope, body=form)
    assert sent[0]["status"] == 303


def test_the_notice_endpoint_answers_a_query_of_many_fields() -> None:
    import json

    query = "&".join(f"f{i}=1" for i in range(40)) + "&next=/x"
    recorder, body = run_wsgi(
        WSGIMiddleware(_wsgi_app, mode="script"), environ(PATH_INFO="/.browsercheck/notice", QUERY_STRING=query)
    )
    assert recorder.calls[0][0].startswith("200")
    assert json.loads(body)["status"] == "unsupported"


def test_a_preview_query_of_many_fields_is_still_judged(caplog: pytest.LogCaptureFixture) -> None:
    query = "&".join(f"f{i}=1" for i in range(60)) + "&browsercheck-preview=outdated"
    with caplog.at_level(logging.ERROR, logger="browsercheck"):
        recorder, _ = run_wsgi(
            WSGIMiddleware(page_app(PAGE, ("Content-Type", "text/html")), preview=True),
            environ(HTTP_USER_AGENT=FIREFOX_140, QUERY_STRING=query),
        )
    assert "User-Agent" in dict(recorder.calls[0][1])["Vary"]  # judged, not passed unchecked
    assert not caplog.records


def page_app(body: bytes, *headers: tuple[str, str], status: str = "200 OK") -> Any:
    def app(env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response(status, list(headers))
        return [body]

    return app


def test_a_page_whose_charset_browsercheck_cannot_read_passes_unchanged(caplog: pytest.LogCaptureFixture) -> None:
    page = b'<html><head><meta charset="utf-8\x00"></head><body>Hi</body></html>'
    with caplog.at_level(logging.WARNING, logger="browsercheck"):
        recorder, body = run_wsgi(WSGIMiddleware(page_app(page, ("Content-Type", "text/html"))), environ())
    assert recorder.calls[0][0].startswith("200")
    assert body == page
    assert "is not one Python knows" in caplog.text


@pytest.mark.parametrize("mode", ["banner", "script"])
def test_a_content_length_that_is_no_number_is_left_as_it_is(mode: Mode) -> None:
    app = page_app(PAGE, ("Content-Type", "text/html"), ("Content-Length", "\u00b2"))  # "²": isdigit() says yes
    recorder, body = run_wsgi(WSGIMiddleware(app, mode=mode), environ())
    assert recorder.calls[0][0].startswith("200")
    assert body != PAGE  # the banner or the tag went in
    # left as it is, or (where the adapter had the whole body) made the body's
    assert dict(recorder.calls[0][1])["Content-Length"] in ("\u00b2", str(len(body)))


def test_a_page_loads_304_says_what_the_page_would() -> None:
    # RFC 9110 15.4.5: a 304 carries the ETag and Vary that a 200 would have; with the banner, that
    # 200's ETag is weak
    app = page_app(b"", ("ETag", '"v1"'), status="304 Not Modified")
    recorder, _ = run_wsgi(WSGIMiddleware(app), environ(HTTP_SEC_FETCH_DEST="document"))
    headers = dict(recorder.calls[0][1])
    assert recorder.calls[0][0].startswith("304")
    assert "User-Agent" in headers["Vary"]
    assert headers["ETag"] == 'W/"v1"'
    recorder, _ = run_wsgi(WSGIMiddleware(app), environ(HTTP_SEC_FETCH_DEST="image", HTTP_ACCEPT="image/*"))
    assert dict(recorder.calls[0][1]) == {"ETag": '"v1"'}  # not a page load: left alone


@pytest.mark.parametrize(
    "headers",
    [
        (("Content-Type", "application/pdf"),),
        (("Content-Type", "text/html"), ("Content-Encoding", "gzip")),
    ],
    ids=["pdf", "gzip-html"],
)
def test_block_mode_varies_every_page_load_another_browser_would_be_blocked_on(
    headers: tuple[tuple[str, str], ...],
) -> None:
    app = page_app(b"%PDF-1.7", *headers)
    recorder, body = run_wsgi(WSGIMiddleware(app, mode="block"), environ(HTTP_USER_AGENT=FIREFOX_140))
    assert recorder.calls[0][0].startswith("200") and body == b"%PDF-1.7"
    assert "User-Agent" in dict(recorder.calls[0][1])["Vary"]
    recorder, _ = run_wsgi(WSGIMiddleware(app, mode="banner"), environ(HTTP_USER_AGENT=FIREFOX_140))
    assert "Vary" not in dict(recorder.calls[0][1])  # banner mode changes no such response
