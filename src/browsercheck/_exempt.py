"""``@browsercheck.exempt``: a view the middleware leaves alone (no banner, no block page, no
script tag), beside the path prefixes of ``exclude=``. Flask, Django and Starlette/FastAPI views."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, TypeVar

ATTRIBUTE = "browsercheck_exempt"

View = TypeVar("View", bound=Callable[..., Any])


def exempt(view: View) -> View:
    """Mark ``view`` exempt: its pages are never changed, nor blocked (the verdict is still published)."""
    try:
        setattr(view, ATTRIBUTE, True)
    except (AttributeError, TypeError):  # a bound method or a builtin: wrap it as Django's csrf_exempt does

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        setattr(wrapper, ATTRIBUTE, True)
        return wrapper  # type: ignore[return-value]
    return view


def is_exempt(view: object) -> bool:
    return getattr(view, ATTRIBUTE, False) is True


# Kept on a router (or Flask app): how many routes it had when last looked at, and whether any was
# exempt. Most sites exempt nothing: then no request pays for matching its route here.
_KNOWN = "_browsercheck_any_exempt"


def has_exempt(owner: Any, size: int, views: Callable[[], Iterable[Any]]) -> bool:
    """Whether any of ``views`` is exempt, remembered on ``owner`` while it has ``size`` routes."""
    known = getattr(owner, _KNOWN, None)
    if known is None or known[0] != size:
        known = (size, any(is_exempt(view) for view in views()))
        setattr(owner, _KNOWN, known)
    return bool(known[1])


def _starlette_views(routes: Iterable[Any]) -> Iterable[Any]:
    for route in routes:
        yield route
        yield getattr(route, "endpoint", None)
        yield from _starlette_views(getattr(route, "routes", None) or ())


def starlette_view_exempt(scope: MutableMapping[str, Any]) -> bool:
    """Whether the Starlette or FastAPI endpoint this request will reach is exempt (the endpoint,
    or its `Route` wrapped in `exempt`): the routes are matched as the router will match them.
    Other ASGI applications have no such routes: never exempt."""
    router = getattr(scope.get("app"), "router", None)
    routes = getattr(router, "routes", None)
    if routes is None or not has_exempt(router, len(routes), lambda: _starlette_views(routes or ())):
        return False
    from starlette.routing import Match

    child_scope = dict(scope)
    while routes is not None:
        for route in routes:
            match, child = route.matches(child_scope)
            if match is Match.FULL:
                child_scope.update(child)
                if is_exempt(route) or is_exempt(getattr(route, "endpoint", None)):
                    return True
                routes = getattr(route, "routes", None)  # a Mount: its own routes
                break
        else:
            return False
    return False


def flask_view_exempt(app: Any, environ: dict[str, Any]) -> bool:
    """Whether the Flask view this request will reach is exempt (matched as Flask will match it)."""
    views = app.view_functions
    if not has_exempt(app, len(views), views.values):
        return False
    try:
        endpoint, _ = app.url_map.bind_to_environ(environ).match()
    except Exception:  # not found, another method, a redirect: no view of ours
        return False
    return is_exempt(views.get(str(endpoint)))
