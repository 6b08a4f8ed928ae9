"""The Django middleware: thin glue over the framework-free decision (`browsercheck._middleware`).

Put it BELOW ``django.middleware.gzip.GZipMiddleware`` in ``MIDDLEWARE`` (Django runs the list top
to bottom on the way in, bottom to top on the way out): then browsercheck sees the page before
GZip compresses it, and the notice goes in. Above GZip it would see a compressed page and leave
it alone; the system check ``browsercheck.W001`` says so.

``request.browsercheck`` is the verdict (``None`` on excluded paths), judged on first access where
nothing else needed it. Works on Django's sync and async paths. A view that raises is never
caught here: only browsercheck's own failures are logged and the request passed on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.urls import Resolver404, get_resolver, resolve
from django.utils.functional import SimpleLazyObject

from .._exempt import has_exempt, is_exempt
from .._middleware import (
    MAX_DISMISS_BODY,
    READ_HEADERS,
    Decision,
    RequestInfo,
    Settings,
    decide,
    logger,
)
from .._rewrite import Rewriter, _changed
from .._script import ENDPOINTS, endpoint_response
from .conf import configured

RENDERED = "browsercheck.rendered"
"""Set in ``request.META`` when a template tag or the context processor put the notice into the
page: the middleware then inserts no second one."""

_META_KEYS = tuple((name, "HTTP_" + name.upper().replace("-", "_")) for name in READ_HEADERS)


def request_info(request: HttpRequest) -> RequestInfo:
    meta = request.META
    raw = meta.get("RAW_URI") or meta.get("REQUEST_URI")
    raw_path = None
    if isinstance(raw, str) and raw.startswith("/") and not raw.startswith("//"):
        raw_path = raw.split("?", 1)[0].split("#", 1)[0]
    return RequestInfo(
        method=request.method or "GET",
        path=request.path_info or "/",
        query=meta.get("QUERY_STRING", ""),
        scheme=request.scheme or "http",
        headers={name: meta[key] for name, key in _META_KEYS if key in meta},
        raw_path=raw_path,
        script_name=meta.get("SCRIPT_NAME", "") or "",
        native=request,
        exempt=lambda: _view_exempt(request),
    )


def _view_exempt(request: HttpRequest) -> bool:
    urlconf = getattr(request, "urlconf", None)
    resolver = get_resolver(urlconf)
    if not has_exempt(resolver, 0, lambda: _views(resolver.url_patterns)):  # most sites: no view to find
        return False
    try:
        match = resolve(request.path_info, urlconf=urlconf)
    except Resolver404:
        return False
    return is_exempt(match.func)


def _views(patterns: Iterable[Any]) -> Iterator[Any]:
    for pattern in patterns:
        yield getattr(pattern, "callback", None)
        yield from _views(getattr(pattern, "url_patterns", None) or ())


def publish(request: HttpRequest, settings: Settings, decision: Decision | None, info: RequestInfo) -> None:
    """``request.browsercheck``: the decision's verdict, or judged on first access."""
    if decision is not None and not decision.unjudged:
        request.browsercheck = decision.verdict
        return
    headers = info.headers
    request.browsercheck = SimpleLazyObject(
        lambda: settings.checker.check(headers.get("user-agent", ""), headers=headers)
    )


class BrowserCheckMiddleware:
    """Configured from ``settings.BROWSERCHECK`` (see `browsercheck.django.conf`)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        configured()  # a bad setting is an error at start, naming it
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        settings, decision, early = self._before(request)
        if early is not None:
            return early
        response = self.get_response(request)
        return self._after(request, response, settings, decision)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        settings, decision, early = self._before(request)
        if early is not None:
            return early
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        response = await get_response(request)
        return self._after(request, response, settings, decision)

    def _before(self, request: HttpRequest) -> tuple[Settings, Decision | None, HttpResponseBase | None]:
        """The decision, and the response when browsercheck answers itself (block page, endpoints)."""
        config = configured()
        settings = config.settings
        try:
            info = request_info(request)
            nonce = config.nonce(request) if config.nonce is not None else None
            decision = decide(settings, info, nonce, lazy=True)
            publish(request, settings, decision, info)
            if decision.action in ENDPOINTS:
                form = (
                    request.body[:MAX_DISMISS_BODY]
                    if decision.action == "dismiss" and request.method == "POST"
                    else b""
                )
                return settings, None, _response(*endpoint_response(settings, decision, info, form))
            if decision.action == "block" and decision.block is not None:
                return settings, None, _response(*decision.block)
        except Exception:  # browsercheck must never break the site
            logger.exception("browsercheck failed; the request passes unchecked")
            if not hasattr(request, "browsercheck"):
                request.browsercheck = None
            return settings, None, None
        return settings, decision, None

    def _after(
        self, request: HttpRequest, response: HttpResponseBase, settings: Settings, decision: Decision | None
    ) -> HttpResponseBase:
        if decision is None or decision.action != "rewrite":
            return response
        try:
            if decision.banner and request.META.get(RENDERED):  # the page's own template showed it
                decision = dataclasses.replace(decision, banner=None, style="")
            return _rewrite(response, decision, settings)
        except Exception:
            logger.exception("browsercheck failed on a response; it passes unchanged")
            return response


def _rewrite(response: HttpResponseBase, decision: Decision, settings: Settings) -> HttpResponseBase:
    if decision.head and isinstance(response, HttpResponse):
        # Django keeps a HEAD response's body for the server to drop, and CommonMiddleware measures
        # it for a Content-Length: it gets GET's banner, so that the lengths agree
        decision = dataclasses.replace(decision, head=False)
    rewriter = Rewriter(decision, settings)
    rewriter.start(response.status_code, list(response.items()))
    if rewriter.decided:
        _set_headers(response, rewriter.headers)
        return response
    if isinstance(response, StreamingHttpResponse):
        # Django sends the headers before the body: a length the body will change is dropped now
        _set_headers(response, _changed(rewriter.headers, None))
        if response.is_async:
            response.streaming_content = _rewritten_async(response.streaming_content, rewriter)
        else:
            response.streaming_content = _rewritten(response.streaming_content, rewriter)
        return response
    if isinstance(response, HttpResponse):
        body = rewriter.feed_whole(response.content)
        _set_headers(response, rewriter.headers)
        response.content = body
        return response
    # a FileResponse or another kind of body: left as it is, only the headers settled
    _set_headers(response, _changed(rewriter.headers, 0))
    return response


def _rewritten(content: Iterable[bytes], rewriter: Rewriter) -> Iterator[bytes]:
    for data in content:
        out = rewriter.feed(bytes(data))
        if out:
            yield out
    rest = rewriter.end()
    if rest:
        yield rest


async def _rewritten_async(content: AsyncIterator[bytes], rewriter: Rewriter) -> AsyncIterator[bytes]:
    async for data in content:
        out = rewriter.feed(bytes(data))
        if out:
            yield out
    rest = rewriter.end()
    if rest:
        yield rest


def _set_headers(response: HttpResponseBase, headers: list[tuple[str, str]]) -> None:
    """The response's headers made ``headers``. A name given twice (the application's Accept-CH
    and browsercheck's) is one header with both values, as HTTP reads it: Django keeps one value
    a name."""
    merged: dict[str, tuple[str, str]] = {}
    for name, value in headers:
        lower = name.lower()
        merged[lower] = (merged[lower][0], f"{merged[lower][1]}, {value}") if lower in merged else (name, value)
    for name in list(response.headers):
        if name.lower() not in merged:
            del response.headers[name]
    for name, value in merged.values():
        response.headers[name] = value


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=status)
    for name, value in headers:
        if name.lower() == "set-cookie":
            _set_cookie(response, value)
        else:
            response.headers[name] = value
    return response


def _set_cookie(response: HttpResponse, header: str) -> None:
    """A Set-Cookie the core wrote, as Django's cookie API writes it."""
    first, *attributes = (part.strip() for part in header.split(";"))
    name, _, value = first.partition("=")
    flags = {a.split("=", 1)[0].lower(): (a.split("=", 1)[1] if "=" in a else True) for a in attributes}
    max_age = flags.get("max-age")
    response.set_cookie(
        name,
        value,
        max_age=int(max_age) if isinstance(max_age, str) else None,
        path=str(flags.get("path", "/")),
        secure="secure" in flags,
        httponly="httponly" in flags,
        samesite=str(flags["samesite"]) if "samesite" in flags else None,
    )
