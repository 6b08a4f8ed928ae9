from __future__ import annotations

from django.apps import AppConfig


class BrowserCheckConfig(AppConfig):  # type: ignore[misc]
    name = "browsercheck.django"
    label = "browsercheck"
    verbose_name = "browsercheck"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
