"""``{% load browsercheck %}``: ``{% browsercheck_notice %}`` (the notice's region, nothing for a
browser that needs none) and ``{% browsercheck_style %}`` (its ``<style>``, for the head). Both
need the request in the context (``django.template.context_processors.request``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..notices import notice_of

register = template.Library()


def _notice(context: Any) -> Any:
    request = context.get("request")
    return None if request is None else notice_of(request)


@register.simple_tag(takes_context=True)  # type: ignore[untyped-decorator]
def browsercheck_notice(context: Any) -> SafeString:
    notice = _notice(context)
    return mark_safe(notice.region if notice is not None else "")


@register.simple_tag(takes_context=True)  # type: ignore[untyped-decorator]
def browsercheck_style(context: Any) -> SafeString:
    notice = _notice(context)
    return mark_safe(notice.style if notice is not None else "")
