"""ASGI middleware (ASGI 3): FastAPI, Starlette, Django's ASGI handler, any ASGI application.

    from browsercheck.asgi import BrowserCheckMiddleware
    app.add_middleware(BrowserCheckMiddleware, mode="block", site="haninge.se")

The verdict is published in the request's state: ``scope["state"]["browsercheck"]``, so
``request.state.browsercheck`` in Starlette and FastAPI (``None`` on excluded paths). Lifespan and
websocket scopes pass untouched. ``nonce`` is a callable that takes the scope and returns the page's
CSP nonce (or ``None``).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any, Unpack

from ._exempt import starlette_view_exempt
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

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BrowserCheckMiddleware:
    """Judges each HTTP request's browser; publishes the verdict; shows the notice or blocks, by ``mode``."""

    def __init__(
        self,
        app: ASGIApp,
        /,
        policy: Policy | str | os.PathLike[str] | None = None,
        *,
        nonce: Callable[[Scope], str | None] | None = None,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = None
        try:
            decision = self._page_decision(scope) if self.pages_alike else None
            if decision is None:
                request = _request(scope, lazy=self.lazy)
                decision = decide(self.settings, request, self.nonce(scope) if self.nonce else None, lazy=self.lazy)
        except Exception:  # browsercheck must never break the site
            logger.exception("browsercheck failed; the request passes unchecked")
            await self.app(scope, receive, send)
            return
        scope = dict(scope)  # the server's scope is not ours to change; its request's state is shared
        state = scope.get("state")
        if not isinstance(state, MutableMapping):  # none, or one that cannot be written into: a copy
            state = scope["state"] = dict(state) if isinstance(state, Mapping) else {}
        # written into, not copied: what the application puts in it (Starlette's ``request.state``)
        # reaches the middleware around this one
        state["browsercheck"] = decision.verdict
        state[SETTINGS] = self.settings
        if decision.unjudged:
            state[UNJUDGED] = True
        if decision.action == "pass":
            await self.app(scope, receive, send)
        elif decision.action == "block" and decision.block is not None:
            await _respond(send, *decision.block)
        elif decision.action in ENDPOINTS and request is not None:  # (`decide`'s only)
            form = await _read_form(receive) if decision.action == "dismiss" else b""
            await _respond(send, *endpoint_response(self.settings, decision, request, form))
        else:
            await self.app(scope, receive, _RewritingSend(send, decision, self.settings, state))

    def _page_decision(self, scope: Scope) -> Decision | None:
        decision = script_page(self.settings, scope.get("path", "/") or "/", scope.get("method", "GET"))
        if decision is not None and starlette_view_exempt(scope):
            return UNJUDGED_PASS
        return decision


def _request(scope: Scope, *, lazy: bool = False) -> RequestInfo:
    path = scope.get("path", "/") or "/"
    raw = scope.get("raw_path")  # the path as sent: "path" is decoded ("/a%3Fb" reads "/a?b")
    raw_path = None  # none sent: RequestInfo encodes "path" again
    if isinstance(raw, bytes) and raw.startswith(b"/") and not raw.startswith(b"//"):
        raw_path = raw.decode("latin-1").split("?", 1)[0]  # some servers left the query in it
    return RequestInfo(
        method=scope.get("method", "GET"),
        path=path,
        query=scope.get("query_string", b"").decode("latin-1"),
        scheme=scope.get("scheme", "http"),
        headers=LazyHeaders(lambda: _headers(scope)) if lazy else _headers(scope),
        raw_path=raw_path,
        native=scope,
        exempt=lambda: starlette_view_exempt(scope),
    )


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        if name in READ_HEADERS:
            value = raw_value.decode("latin-1")
            if name in headers:  # a repeated header: HTTP/2 sends each cookie apart
                value = headers[name] + ("; " if name == "cookie" else ", ") + value
            headers[name] = value
    return headers


async def _read_form(receive: Receive) -> bytes:
    body = b""
    while len(body) <= MAX_DISMISS_BODY:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return body[:MAX_DISMISS_BODY]


async def _respond(send: Send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": body})


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


class _RewritingSend:
    """The ``send`` the application gets: its response passes through a `Rewriter` (banner, Vary)."""

    def __init__(self, send: Send, decision: Decision, settings: Settings, state: MutableMapping[str, Any]) -> None:
        self._send = send
        self._state = state
        self._rewriter = Rewriter(decision, settings)
        self._start: Message | None = None
        self._first_body = True

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        rewriter = self._rewriter
        if kind == "http.response.start":
            headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in message.get("headers", ())]
            if self._state.get(RENDERED):
                rewriter.without_banner()
            rewriter.start(message["status"], headers)
            self._start = message
            if rewriter.decided:
                await self._send_start()
        elif kind == "http.response.body":
            more = message.get("more_body", False)
            if not more and self._first_body:  # the whole body in one message
                out = rewriter.feed_whole(message.get("body", b""))
            else:
                out = rewriter.feed(message.get("body", b""))
                if not more:
                    out += rewriter.end()
            self._first_body = False
            if rewriter.decided:
                await self._send_start()
                if out or not more:
                    await self._send({**message, "body": out})
        else:
            # another message (a file the server sends itself, ``http.response.pathsend``,
            # ``zerocopysend``; trailers) goes out after the start and what was held back: a body
            # the application does not send through here is not rewritten
            held = rewriter.end() if not rewriter.decided else b""
            await self._send_start()
            if held:
                await self._send({"type": "http.response.body", "body": held, "more_body": True})
            await self._send(message)

    async def _send_start(self) -> None:
        if self._start is None:
            return
        start, self._start = self._start, None
        await self._send({**start, "headers": _encode(self._rewriter.headers)})
