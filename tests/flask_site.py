"""A Flask site that uses the extension: a page of its own layout with the template helpers, a
plain page, an exempt view, a view that raises. Served by Flask's test client (test_flask.py) and
by gunicorn (serve_flask.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template_string

import browsercheck
from browsercheck.flask import BrowserCheck

PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Flask home</title>\n</head>\n'
    "<body>\n<h1>Flask home</h1>\n</body>\n</html>\n"
)
OWN_LAYOUT = (
    "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<title>Own layout</title>\n{{ browsercheck_style() }}</head>\n"
    "<body>\n<header>{{ browsercheck_notice() }}</header>\n<h1>Own layout</h1>\n</body>\n</html>\n"
)


class ViewFailed(Exception):
    pass


def create_app(config: dict[str, Any] | None = None, **options: Any) -> Flask:
    app = Flask("browsercheck-flask-site")
    app.config.update(config or {})

    @app.get("/")
    def home() -> Any:
        return PAGE

    @app.get("/own")
    def own() -> Any:
        return render_template_string(OWN_LAYOUT)

    @app.get("/embedded")
    @browsercheck.exempt
    def embedded() -> Any:
        return PAGE

    @app.get("/verdict")
    def verdict() -> Any:
        return "none" if g.browsercheck is None else str(g.browsercheck.status)

    @app.get("/boom")
    def boom() -> Any:
        raise ViewFailed("the view's own error")

    BrowserCheck(app, **options)
    return app
