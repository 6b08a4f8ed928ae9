"""The notice for a request, for a page's own template (tags and context processor)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import LazyObject, empty

from .._middleware import notice_for, quote_url
from .._model import Verdict
from ..notice import Notice
from .conf import configured
from .middleware import RENDERED, publish, request_info


def verdict_of(request: HttpRequest) -> Any:
    """``request.browsercheck``, judged here where the middleware is not installed."""
    if not hasattr(request, "browsercheck"):
        publish(request, configured().settings, None, request_info(request))
    return request.browsercheck


def _judged(verdict: Any) -> Verdict | None:
    """The `Verdict` itself where ``request.browsercheck`` is judged on first use (a lazy object
    stands in for it, which ``dataclasses.replace``, as a preview makes it, does not take)."""
    if isinstance(verdict, LazyObject):
        if verdict._wrapped is empty:
            verdict._setup()
        return verdict._wrapped  # type: ignore[no-any-return]
    return verdict  # type: ignore[no-any-return]


def notice_of(request: HttpRequest) -> Notice | None:
    """The notice this request should see (``None``: none, or dismissed), remembered for the page.
    The page is then marked, so that the middleware does not insert a second one."""
    cached = request.META.get("browsercheck.notice", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    verdict = _judged(verdict_of(request))
    notice = None
    if verdict is not None:
        config = configured()
        info = request_info(request)
        nonce = config.nonce(request) if config.nonce is not None else None
        here = quote_url(request.get_full_path(), "/!$&'()*+,;=:@%?")
        notice = notice_for(config.settings, info, verdict, here, nonce)
    request.META["browsercheck.notice"] = notice
    request.META[RENDERED] = True
    return notice
