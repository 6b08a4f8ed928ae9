"""``@browsercheck.exempt``: a view the middleware leaves alone (no banner, no block page, no
script tag), beside the path prefixes of ``exclude=``. Flask, Django and Starlette/FastAPI views."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
