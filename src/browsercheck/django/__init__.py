"""browsercheck for Django: an installable app with its middleware, settings, template tags, a
context processor and a system check.

    INSTALLED_APPS = [..., "browsercheck.django"]
    MIDDLEWARE = [..., "django.middleware.gzip.GZipMiddleware", ..., "browsercheck.django.BrowserCheckMiddleware", ...]
    BROWSERCHECK = {"MODE": "banner", "SITE": "haninge.se"}

Django is imported only here, never by ``import browsercheck``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .middleware import BrowserCheckMiddleware as BrowserCheckMiddleware

__all__ = ["BrowserCheckMiddleware"]


def __getattr__(name: str) -> Any:
    # imported on first use: Django loads this package (INSTALLED_APPS) before its settings allow middleware
    if name == "BrowserCheckMiddleware":
        from .middleware import BrowserCheckMiddleware

        return BrowserCheckMiddleware
    raise AttributeError(f"module 'browsercheck.django' has no attribute {name!r}")
