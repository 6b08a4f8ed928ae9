"""The middleware's options, named and typed once: every adapter (WSGI, ASGI, Django, Flask) takes
them as keyword arguments typed by `Options`, and Django's and Flask's settings are read against
its keys. `browsercheck._middleware.Settings` checks the values and holds the defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from ._errors import BrowsercheckError

if TYPE_CHECKING:
    from ._checker import Checker
    from ._model import Verdict
    from .notice import Notice

Mode = Literal["annotate", "banner", "block", "script"]
Where = Literal["after_body_open", "before_body_close"]
BlockHook = Callable[["Verdict", "Notice"], "tuple[int, list[tuple[str, str]], bytes]"]
"""Replaces the block page: (status, headers, body) from the verdict and its notice."""
PreviewGate = Callable[[Any], bool]
"""Whether a request may preview the notice: called with the framework's own request (the WSGI
environ, the ASGI scope, Django's HttpRequest, Flask's request)."""

MODES: tuple[Mode, ...] = ("annotate", "banner", "block", "script")
WHERE: tuple[Where, ...] = ("after_body_open", "before_body_close")


class Options(TypedDict, total=False):
    """The keyword options of every adapter; see `browsercheck._middleware.Settings` for each."""

    mode: Mode
    site: str | None
    locale: str | None
    exclude: Sequence[str] | Callable[[str], bool]
    insert: Where
    block_status: int
    allow_continue: bool
    block_response: BlockHook | None
    dismiss_path: str
    dismiss_cookie: str
    remind_after_days: float
    continue_cookie: str
    continue_days: float
    notice_path: str
    notify_unupgradable: bool
    preview: bool | PreviewGate
    client_hints: bool
    critical_hints: bool
    checker: Checker | None


OPTION_NAMES = frozenset(Options.__optional_keys__)


class SettingError(BrowsercheckError, ValueError):
    """A bad option value. ``option`` is its name as an argument (``mode``); adapters that read
    settings name it as their users wrote it (``BROWSERCHECK["MODE"]``, ``BROWSERCHECK_MODE``)."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option} {problem}")
        self.option = option
        self.problem = problem

    def renamed(self, name: str) -> SettingError:
        error = SettingError(self.option, self.problem)
        error.args = (f"{name} {self.problem}",)
        return error
