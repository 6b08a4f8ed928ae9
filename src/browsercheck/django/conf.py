"""``settings.BROWSERCHECK`` read into the middleware's `Settings`, once (again after a test's
``override_settings``). Keys are the middleware's options in upper case (``"MODE"``,
``"SITE"``, ``"REMIND_AFTER_DAYS"``, ...), plus ``"POLICY"`` and ``"NONCE"`` (a callable from the
request to the page's CSP nonce). A key that is none of them, or a bad value, raises
ImproperlyConfigured naming it as written and what it accepts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest

from .._lazy import Lazy
from .._middleware import Settings
from .._options import OPTION_NAMES, SettingError

ADAPTER_KEYS = frozenset({"POLICY", "NONCE"})
KEYS = frozenset(name.upper() for name in OPTION_NAMES) | ADAPTER_KEYS


@dataclass(frozen=True)
class Configured:
    settings: Settings
    nonce: Callable[[HttpRequest], str | None] | None


def _from_settings() -> Configured:
    return read(getattr(django_settings, "BROWSERCHECK", {}))


_configured = Lazy(_from_settings)


def configured() -> Configured:
    """The settings in force; built on first use."""
    return _configured.get()


def read(config: Mapping[str, Any]) -> Configured:
    if not isinstance(config, Mapping):
        raise ImproperlyConfigured(f"settings.BROWSERCHECK must be a dict, got {type(config).__name__}")
    unknown = sorted(str(key) for key in config if key not in KEYS)
    if unknown:
        raise ImproperlyConfigured(
            f'settings.BROWSERCHECK has an unknown key "{unknown[0]}"; the keys are {", ".join(sorted(KEYS))}'
        )
    options = {key.lower(): value for key, value in config.items() if key not in ADAPTER_KEYS}
    nonce = config.get("NONCE")
    if nonce is not None and not callable(nonce):
        raise ImproperlyConfigured(
            f'BROWSERCHECK["NONCE"] must be a callable from the request to its CSP nonce, got {nonce!r}'
        )
    try:
        return Configured(Settings(config.get("POLICY"), **options), nonce)
    except SettingError as error:
        raise ImproperlyConfigured(str(error.renamed(f'BROWSERCHECK["{error.option.upper()}"]'))) from None
    except (ValueError, OSError) as error:  # PolicyError is a ValueError
        raise ImproperlyConfigured(f'BROWSERCHECK["POLICY"]: {error}') from error


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "BROWSERCHECK":
        _configured.reset()


setting_changed.connect(_reset)
