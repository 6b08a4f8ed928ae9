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

import hashlib
import json
import urllib.parse
from importlib.resources import files

from ._lazy import Lazy
from ._middleware import HINTS_VARY, RequestInfo, Settings, notice_for, safe_redirect
from .notice._html import CSS

Response = tuple[int, list[tuple[str, str]], bytes]


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
    query = urllib.parse.parse_qs(request.query, max_num_fields=20)
    here = safe_redirect(query.get("next", ["/"])[0])
    notice = notice_for(settings, request, verdict, here)
    vary = ("User-Agent", *(("Accept-Language",) if settings.locale is None else ()), "Cookie", *HINTS_VARY)
    common = [("Cache-Control", "private"), ("Vary", ", ".join(vary)), ("X-Robots-Tag", "noindex")]
    if query.get("format", [""])[0] == "html":
        body = (notice.html if notice is not None else "").encode()
        content_type = "text/html; charset=utf-8"
    else:
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
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        content_type = "application/json"
    return 200, [*common, ("Content-Type", content_type), ("Content-Length", str(len(body)))], body
