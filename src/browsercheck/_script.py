"""Script mode's two endpoints, framework-free: the script every page links to, and the notice it
asks for.

A page in script mode is the same for every browser (one ``<script src=".../notice.js" defer>``
tag), so a shared cache may keep one copy. What differs per person is answered here, at
``notice_path``: JSON ``{"status": ..., "notice": null | {...}}`` (``?format=html``: the notice's
``<style>`` and region as a fragment), with ``Vary`` naming exactly the request headers read and
``Cache-Control: private``. The script (`static/notice.js`, ES5 and XMLHttpRequest, for the old
browsers it is meant for) puts the region at the top of the body and the CSS into the head, with
the nonce of its own tag; the region's dismiss form posts to the same endpoint as in banner mode.
"""

from __future__ import annotations

import functools
import hashlib
import json
from html import escape
from importlib.resources import files

from ._lazy import Lazy
from ._middleware import (
    HINTS_VARY,
    NEXT_STAND_IN,
    Decision,
    RequestInfo,
    Settings,
    dismiss_response,
    logger,
    notice_for,
    query_fields,
    safe_redirect,
)
from ._model import Verdict
from .notice import Notice
from .notice._html import CSS

Response = tuple[int, list[tuple[str, str]], bytes]

ENDPOINTS = ("dismiss", "script", "notice")
"""`decide`'s actions that browsercheck answers itself, with `endpoint_response`."""
_NO_NOTICE: Response = 200, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], b"{}"


def endpoint_response(settings: Settings, decision: Decision, request: RequestInfo, form: bytes = b"") -> Response:
    """The answer of one of browsercheck's own endpoints (`ENDPOINTS`); ``form``: the dismissal's
    POST body. The notice endpoint never fails: where building the notice does, that is logged
    and it answers with none, as a page would then show none."""
    if decision.action == "dismiss":
        return dismiss_response(settings, request, form, decision.verdict)
    if decision.action == "script":
        return script_response(request)
    try:
        return notice_response(settings, request)
    except Exception:
        logger.exception("browsercheck failed on the notice endpoint; it answers with no notice")
        return _NO_NOTICE


def _load_script() -> tuple[bytes, str]:
    body = files("browsercheck").joinpath("static/notice.js").read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


_script = Lazy(_load_script)


def script_response(request: RequestInfo) -> Response:
    """The script: the same for everyone, cacheable anywhere for a day (revalidated by its ETag)."""
    body, etag = _script.get()
    headers = [("Cache-Control", "public, max-age=86400"), ("ETag", etag)]
    if request.headers.get("if-none-match") == etag:
        return 304, headers, b""
    if request.method not in ("GET", "HEAD"):
        return 405, [("Allow", "GET, HEAD"), ("Content-Length", "0")], b""
    headers += [("Content-Type", "text/javascript; charset=utf-8"), ("Content-Length", str(len(body)))]
    return 200, headers, body if request.method == "GET" else b""


def notice_response(settings: Settings, request: RequestInfo) -> Response:
    """The notice for this request, as JSON (or an HTML fragment with ``?format=html``)."""
    headers = request.headers
    verdict = settings.checker.check(headers.get("user-agent", ""), headers=headers)
    query = query_fields(request.query, 20) if request.query else {}
    here = escape(safe_redirect(query.get("next", ["/"])[0]))
    # the page to return to is filled in last: the rest is the same for every page, made once
    notice = notice_for(settings, request, verdict, NEXT_STAND_IN)
    vary = ("User-Agent", *(("Accept-Language",) if settings.locale is None else ()), "Cookie", *HINTS_VARY)
    common = [("Cache-Control", "private"), ("Vary", ", ".join(vary)), ("X-Robots-Tag", "noindex")]
    if query.get("format", [""])[0] == "html":
        body = (notice.html.replace(NEXT_STAND_IN, here) if notice is not None else "").encode()
        content_type = "text/html; charset=utf-8"
    else:
        body = _json(verdict, notice).replace(_JSON_NEXT, json.dumps(here)[1:-1].encode())
        content_type = "application/json"
    return 200, [*common, ("Content-Type", content_type), ("Content-Length", str(len(body)))], body


_JSON_NEXT = json.dumps(NEXT_STAND_IN)[1:-1].encode()


@functools.lru_cache(maxsize=256)  # keyed by the verdict and the cached notice: a few hundred kinds
def _json(verdict: Verdict, notice: Notice | None) -> bytes:
    data: dict[str, object] = {"status": verdict.status.value, "notice": None}
    if notice is not None:
        data["notice"] = {
            "status": notice.status.value,
            "locale": notice.locale,
            "dir": notice.direction,
            "title": notice.title,
            "text": notice.text,
            "region": notice.region,
            "css": CSS,
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
