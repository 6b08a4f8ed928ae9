"""System checks: the settings are usable, and the middleware sits below GZipMiddleware."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIDDLEWARE = "browsercheck.django.BrowserCheckMiddleware"
MIDDLEWARE_PATHS = (MIDDLEWARE, "browsercheck.django.middleware.BrowserCheckMiddleware")
COMPRESSORS = ("django.middleware.gzip.GZipMiddleware",)


@checks.register()  # type: ignore[untyped-decorator]
def check_middleware_order(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    ours = [i for i, path in enumerate(middleware) if path in MIDDLEWARE_PATHS]
    if not ours:
        return []
    problems = []
    for i, path in enumerate(middleware):
        if path in COMPRESSORS and i > ours[0]:
            problems.append(
                checks.Warning(
                    f"{path} is below {MIDDLEWARE} in MIDDLEWARE: it compresses pages before browsercheck"
                    " sees them, so no notice is ever inserted.",
                    hint=f"Move {MIDDLEWARE} below {path} (responses pass the list from the bottom up).",
                    id="browsercheck.W001",
                )
            )
    return problems


@checks.register()  # type: ignore[untyped-decorator]
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from .conf import read

    try:
        read(getattr(settings, "BROWSERCHECK", {}))
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="browsercheck.E001")]
    return []
