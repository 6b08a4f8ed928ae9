"""browsercheck for FastAPI and Starlette: a dependency and template helpers.

    from fastapi import Depends, FastAPI
    import browsercheck.fastapi

    @app.get("/")
    def home(verdict: browsercheck.Verdict = Depends(browsercheck.fastapi.verdict)) -> dict[str, str]:
        return {"status": verdict.status}

The dependency works with or without the middleware (`browsercheck.asgi`): it takes the
middleware's verdict where there is one, else judges the request itself, on the default policy
(``Depends(browsercheck.fastapi.Verdicts("policy.yaml"))`` for another). `setup_templates` gives a
``Jinja2Templates`` ``browsercheck_notice()`` and ``browsercheck_style()``. A route is exempt from
the middleware with ``@browsercheck.exempt`` on its endpoint, or ``browsercheck.exempt(Route(...))``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Unpack

# at run time: FastAPI reads the dependency's signature and must find Request itself
from starlette.requests import Request

from ._checker import Checker
from ._lazy import Lazy
from ._middleware import RENDERED, SETTINGS, UNJUDGED, Settings, notice_for
from ._model import Verdict
from ._options import Options
from ._policy import Policy
from .asgi import _request
from .notice import Notice

if TYPE_CHECKING:
    from markupsafe import Markup
    from starlette.templating import Jinja2Templates

__all__ = ["Verdicts", "setup_templates", "verdict"]


class Verdicts:
    """A dependency judging requests on ``policy``: ``Depends(Verdicts("policy.yaml"))``. Without a
    policy or checker, the middleware's verdict is taken where there is one."""

    def __init__(
        self, policy: Policy | str | os.PathLike[str] | None = None, *, checker: Checker | None = None
    ) -> None:
        self._checker = Lazy(lambda: checker or Checker(policy))
        self._own = policy is not None or checker is not None

    def __call__(self, request: Request) -> Verdict:
        published = request.scope.get("state", {}).get("browsercheck")
        if isinstance(published, Verdict) and not self._own:
            return published
        headers = request.headers
        return self._checker.get().check(headers.get("user-agent", ""), headers=headers)


_default = Verdicts()


def verdict(request: Request) -> Verdict:
    """The request's verdict: ``verdict: Verdict = Depends(browsercheck.fastapi.verdict)``."""
    return _default(request)


def setup_templates(
    templates: Jinja2Templates, policy: Policy | str | os.PathLike[str] | None = None, **options: Unpack[Options]
) -> None:
    """``{{ browsercheck_notice() }}`` and ``{{ browsercheck_style() }}`` in ``templates``: the notice's
    region and its ``<style>`` for the request in the template's context (Markup, empty when none
    is due). Behind the middleware its settings are used (and it then inserts no second notice);
    without it, these: the middleware's options."""
    from jinja2 import pass_context
    from markupsafe import Markup

    fallback = Lazy(lambda: Settings(policy, **options))

    def notice(context: Any) -> Notice | None:
        request = context.get("request")
        if request is None:
            return None
        state = request.scope.setdefault("state", {})
        if "browsercheck.notice" in state:
            return state["browsercheck.notice"]  # type: ignore[no-any-return]
        settings = state.get(SETTINGS) or fallback.get()
        found = state.get("browsercheck")
        if found is None and (SETTINGS not in state or state.get(UNJUDGED)):  # judged here
            found = settings.checker.check(request.headers.get("user-agent", ""), headers=request.headers)
        result = None
        if found is not None:
            info = _request(request.scope)
            result = notice_for(settings, info, found, info.sent_url())
        state["browsercheck.notice"] = result
        state[RENDERED] = True
        return result

    @pass_context
    def browsercheck_notice(context: Any) -> Markup:
        found = notice(context)
        return Markup(found.region if found is not None else "")

    @pass_context
    def browsercheck_style(context: Any) -> Markup:
        found = notice(context)
        return Markup(found.style if found is not None else "")

    templates.env.globals["browsercheck_notice"] = browsercheck_notice
    templates.env.globals["browsercheck_style"] = browsercheck_style
