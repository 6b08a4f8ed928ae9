"""WSGI middleware (PEP 3333): Flask, Django, any WSGI application.

    from browsercheck.wsgi import BrowserCheckMiddleware
    app.wsgi_app = BrowserCheckMiddleware(app.wsgi_app, policy="policy.yaml", mode="banner", site="haninge.se")

The verdict is published as ``environ["browsercheck.verdict"]`` (``None`` on excluded paths, and on
script mode's pages, which are the same for everyone: there ``environ["browsercheck.unjudged"]``
is True, and `browsercheck.check` judges if the application must know). See
`browsercheck._middleware.Settings` for the options; ``nonce`` here is a callable that takes the
WSGI environ and returns the page's CSP nonce (or ``None``); ``view_exempt`` one that tells whether
the view that will answer was marked ``@browsercheck.exempt`` (the Flask extension passes it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from types import TracebackType
from typing import Any, Protocol, Unpack

from ._middleware import (
    MAX_DISMISS_BODY,
    READ_HEADERS,
    RENDERED,
    SETTINGS,
    UNJUDGED,
    UNJUDGED_PASS,
    Decision,
    LazyHeaders,
    RequestInfo,
    Settings,
    decide,
    logger,
    script_page,
)
from ._options import Options
from ._policy import Policy
from ._rewrite import Rewriter
from ._script import ENDPOINTS, endpoint_response

__all__ = ["BrowserCheckMiddleware"]

Environ = dict[str, Any]
ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


class StartResponse(Protocol):
    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = ..., /
    ) -> Callable[[bytes], object]: ...


WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class BrowserCheckMiddleware:
    """Judges each request's browser; publishes the verdict; shows the notice or blocks, by ``mode``."""

    def __init__(
        self,
        app: WSGIApp,
        /,
        policy: Policy | str | os.PathLike[str] | None = None,
        *,
        nonce: Callable[[Environ], str | None] | None = None,
        view_exempt: Callable[[Environ], bool] | None = None,
        **options: Unpack[Options],
    ) -> None:
        self.app = app
        self.settings = Settings(policy, **options)
        self.nonce = nonce
        # script mode's pages are the same for everyone: none is judged (a page that depended on
        # the verdict could not be kept as one copy); the notice endpoint judges
        self.lazy = self.settings.mode == "script"
        # ... and, without a nonce, each gets the same tag: told from the path and the method alone
        self.pages_alike = self.lazy and nonce is None
        self.view_exempt = view_exempt

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        request = None
        try:
            decision = self._page_decision(environ) if self.pages_alike else None
            if decision is None:
                request = _request(environ, self.view_exempt, lazy=self.lazy)
                decision = decide(self.settings, request, self.nonce(environ) if self.nonce else None, lazy=self.lazy)
        except Exception:  # browsercheck must never break the site
            logger.exception("browsercheck failed; the request passes unchecked")
            return self.app(environ, start_response)
        environ["browsercheck.verdict"] = decision.verdict
        if decision.unjudged:
            environ[UNJUDGED] = True
        environ[SETTINGS] = self.settings
        if decision.action == "pass":
            return self.app(environ, start_response)
        if decision.action == "block" and decision.block is not None:
            return _respond(start_response, *decision.block)
        if decision.action in ENDPOINTS and request is not None:  # (`decide`'s only)
            form = _read_form(environ) if decision.action == "dismiss" else b""
            return _respond(start_response, *endpoint_response(self.settings, decision, request, form))
        return _rewrite(self.app, environ, start_response, decision, self.settings)

    def _page_decision(self, environ: Environ) -> Decision | None:
        decision = script_page(self.settings, environ.get("PATH_INFO", "") or "/", environ.get("REQUEST_METHOD", "GET"))
        if decision is not None and self.view_exempt is not None and self.view_exempt(environ):
            return UNJUDGED_PASS
        return decision


def _request(
    environ: Environ, view_exempt: Callable[[Environ], bool] | None = None, *, lazy: bool = False
) -> RequestInfo:
    path = environ.get("PATH_INFO", "") or "/"
    # The path as sent (gunicorn's RAW_URI, REQUEST_URI elsewhere): PATH_INFO is decoded, so
    # "/a%3Fb" in it reads "/a?b". Without them, SCRIPT_NAME + PATH_INFO is encoded again.
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    raw_path = None
    if isinstance(raw, str) and raw.startswith("/") and not raw.startswith("//"):
        raw_path = raw.split("?", 1)[0].split("#", 1)[0]
    return RequestInfo(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=path,
        query=environ.get("QUERY_STRING", ""),
        scheme=environ.get("wsgi.url_scheme", "http"),
        headers=LazyHeaders(lambda: _headers(environ)) if lazy else _headers(environ),
        raw_path=raw_path,
        script_name=environ.get("SCRIPT_NAME", ""),
        native=environ,
        exempt=(lambda: view_exempt(environ)) if view_exempt is not None else None,
    )


_ENVIRON_KEYS = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in READ_HEADERS)


def _headers(environ: Environ) -> dict[str, str]:
    return {name: environ[key] for name, key in _ENVIRON_KEYS if key in environ}


def _read_form(environ: Environ) -> bytes:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_DISMISS_BODY)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def _respond(start_response: StartResponse, status: int, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:  # a block_response hook's own status
        reason = "Error" if status >= 400 else "OK"
    start_response(f"{status} {reason}", headers)
    return [body]


def _rewrite(
    app: WSGIApp, environ: Environ, start_response: StartResponse, decision: Decision, settings: Settings
) -> Iterable[bytes]:
    """Run the app with its response passed through a `Rewriter` (the banner, Vary)."""
    rewriter = Rewriter(decision, settings)
    state: dict[str, Any] = {"status": None, "write": None}

    def send_headers() -> Callable[[bytes], object]:
        if state["write"] is None:
            state["write"] = start_response(state["status"], rewriter.headers, state.get("exc_info"))
        return state["write"]  # type: ignore[no-any-return]

    def our_start_response(
        status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and exc_info[1] is not None and state["write"] is not None:
            raise exc_info[1].with_traceback(exc_info[2])  # headers sent already: PEP 3333 says re-raise
        state["status"], state["exc_info"] = status, exc_info
        if environ.get(RENDERED):
            rewriter.without_banner()
        rewriter.start(int(status.split(" ", 1)[0]), headers)
        if rewriter.decided:
            send_headers()
        return write

    def write(data: bytes) -> None:  # for applications that still use write() (PEP 3333 allows it)
        out = rewriter.feed(data)
        if rewriter.decided:
            send_headers()(out)

    iterable = app(environ, our_start_response)
    if type(iterable) is list and len(iterable) == 1 and state["status"] is not None and not rewriter.decided:
        # the whole page, known now (most frameworks answer so), its headers not yet sent: done
        # here, without the iterator that streams a body (a list has no close() to pass on)
        out = rewriter.feed_whole(iterable[0])
        send_headers()
        return [out] if out else []
    return _Body(iterable, rewriter, send_headers)


class _Body:
    """The rewritten body; closes the application's iterable when the server closes it."""

    def __init__(self, iterable: Iterable[bytes], rewriter: Rewriter, send_headers: Callable[[], object]) -> None:
        self._iterable = iterable
        self._rewriter = rewriter
        self._send_headers = send_headers

    def __iter__(self) -> Iterator[bytes]:
        rewriter = self._rewriter
        if isinstance(self._iterable, list | tuple) and len(self._iterable) == 1:  # the whole body, known
            out = rewriter.feed_whole(self._iterable[0])
            self._send_headers()
            if out:
                yield out
            return
        for data in self._iterable:
            out = rewriter.feed(data)
            if rewriter.decided:
                self._send_headers()
                if out:
                    yield out
        rest = rewriter.end()
        self._send_headers()
        if rest:
            yield rest

    def close(self) -> None:
        close = getattr(self._iterable, "close", None)
        if close is not None:
            close()
