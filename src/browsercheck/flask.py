"""browsercheck as a Flask extension.

    from flask import Flask
    from browsercheck.flask import BrowserCheck

    app = Flask(__name__)
    BrowserCheck(app, site="haninge.se")          # or: browsercheck = BrowserCheck(); browsercheck.init_app(app)

Options are the middleware's keyword arguments (`browsercheck.wsgi`), or ``app.config`` keys
``BROWSERCHECK_<OPTION>`` (``BROWSERCHECK_MODE``, ``BROWSERCHECK_POLICY``, ...); arguments win over
the config. The verdict is ``g.browsercheck`` (``None`` on excluded paths); templates get
``browsercheck_notice()`` and ``browsercheck_style()``, which return Markup (the notice is then not
inserted a second time). ``@browsercheck.exempt`` on a view leaves its pages alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Unpack

from flask import Flask, current_app, g, request
from markupsafe import Markup

from ._exempt import flask_view_exempt
from ._middleware import RENDERED, UNJUDGED, Settings, notice_for
from ._options import OPTION_NAMES, Options, SettingError
from ._policy import Policy
from .notice import Notice
from .wsgi import BrowserCheckMiddleware, Environ, _request

__all__ = ["BrowserCheck"]

PREFIX = "BROWSERCHECK_"
CONFIG_KEYS = frozenset(PREFIX + name.upper() for name in (*OPTION_NAMES, "policy"))


class BrowserCheck:
    def __init__(
        self,
        app: Flask | None = None,
        policy: Policy | str | os.PathLike[str] | None = None,
        *,
        nonce: Callable[[Environ], str | None] | None = None,
        **options: Unpack[Options],
    ) -> None:
        self.policy = policy
        self.nonce = nonce
        self.options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        unknown = sorted(key for key in app.config if key.startswith(PREFIX) and key not in CONFIG_KEYS)
        if unknown:
            raise ValueError(f"unknown config key {unknown[0]}; browsercheck reads {', '.join(sorted(CONFIG_KEYS))}")
        from_config: dict[str, Any] = {
            key[len(PREFIX) :].lower(): value for key, value in app.config.items() if key in CONFIG_KEYS
        }
        policy = self.policy if self.policy is not None else from_config.pop("policy", None)
        from_config.pop("policy", None)
        options: dict[str, Any] = {**from_config, **self.options}

        def view_exempt(environ: Environ) -> bool:
            return flask_view_exempt(app, environ)

        try:
            middleware = BrowserCheckMiddleware(
                app.wsgi_app, policy, nonce=self.nonce, view_exempt=view_exempt, **options
            )
        except SettingError as error:
            if error.option in from_config and error.option not in self.options:
                raise error.renamed(f'app.config["{PREFIX}{error.option.upper()}"]') from None
            raise
        app.wsgi_app = middleware  # type: ignore[method-assign]
        self.settings = middleware.settings  # the last app's; each app keeps its own in app.extensions
        app.extensions["browsercheck"] = _State(middleware.settings, self.nonce)
        app.before_request(_publish)
        app.jinja_env.globals.update(browsercheck_notice=browsercheck_notice, browsercheck_style=browsercheck_style)


class _State:
    def __init__(self, settings: Settings, nonce: Callable[[Environ], str | None] | None) -> None:
        self.settings = settings
        self.nonce = nonce


def _publish() -> None:
    environ = request.environ
    verdict = environ.get("browsercheck.verdict")
    state: _State | None = current_app.extensions.get("browsercheck")
    if verdict is None and environ.get(UNJUDGED) and state is not None:  # script mode's pages: judged here
        headers = _request(environ).headers
        verdict = state.settings.checker.check(headers.get("user-agent", ""), headers=headers)
    g.browsercheck = verdict


def _notice() -> Notice | None:
    environ = request.environ
    if "browsercheck.notice" in environ:
        return environ["browsercheck.notice"]  # type: ignore[no-any-return]
    state: _State | None = current_app.extensions.get("browsercheck")
    verdict = g.get("browsercheck")
    notice = None
    if state is not None and verdict is not None:
        info = _request(environ)
        nonce = state.nonce(environ) if state.nonce is not None else None
        notice = notice_for(state.settings, info, verdict, info.sent_url(), nonce)
    environ["browsercheck.notice"] = notice
    environ[RENDERED] = True
    return notice


def browsercheck_notice() -> Markup:
    """The notice's region for this request (empty when none is due): ``{{ browsercheck_notice() }}``."""
    notice = _notice()
    return Markup(notice.region if notice is not None else "")


def browsercheck_style() -> Markup:
    """The notice's ``<style>`` for the page's head (empty when none is due)."""
    notice = _notice()
    return Markup(notice.style if notice is not None else "")
