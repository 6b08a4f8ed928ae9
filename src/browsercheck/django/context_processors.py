"""``"browsercheck.django.context_processors.browsercheck"`` in a template engine's
``context_processors``: ``{{ browsercheck.status }}`` (the verdict) and ``{{ browsercheck_notice }}``
(the notice's region, safe; empty when none is due), each judged only if a template uses it.

Django's ``{{ }}`` turns an object into ``str`` before escaping it, so a `Notice` there would not
reach its ``__html__`` (only ``conditional_escape`` and ``format_html`` honour it): the region is
given as a SafeString."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from .notices import notice_of, verdict_of


def browsercheck(request: HttpRequest) -> dict[str, Any]:
    def region() -> SafeString:
        notice = notice_of(request)
        return mark_safe(notice.region if notice is not None else "")  # escaped when built

    # callables: Django's templates call them when (and only if) a template reads them
    return {"browsercheck": lambda: verdict_of(request), "browsercheck_notice": region}
