"""``"browsercheck.django.context_processors.browsercheck"`` in a template engine's
``context_processors``: ``{{ browsercheck.status }}`` (the verdict) and ``{{ browsercheck_notice }}``
(the region: a `Notice` renders as it, through ``__html__``), each judged only if a template uses it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .notices import notice_of, verdict_of


def browsercheck(request: HttpRequest) -> dict[str, Any]:
    # callables: Django's templates call them when (and only if) a template reads them
    return {"browsercheck": lambda: verdict_of(request), "browsercheck_notice": lambda: notice_of(request)}
