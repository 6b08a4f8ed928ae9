"""A FastAPI site: the dependency, templates with the helpers, an exempt endpoint and an exempt
Starlette route, with or without the middleware. Served by Starlette's test client
(test_fastapi.py) and by uvicorn (serve_fastapi.py)."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.routing import Route

import browsercheck
import browsercheck.fastapi
from browsercheck.asgi import BrowserCheckMiddleware

PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>FastAPI home</title>\n</head>\n'
    "<body>\n<h1>FastAPI home</h1>\n</body>\n</html>\n"
)
OWN_LAYOUT = (
    "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<title>Own layout</title>\n{{ browsercheck_style() }}</head>\n"
    "<body>\n<header>{{ browsercheck_notice() }}</header>\n<h1>Own layout</h1>\n</body>\n</html>\n"
)
NO_POLICY_FOR_CHROME = browsercheck.parse_policy("browsers: {chrome: false}")


def create_app(middleware: dict[str, Any] | None = None) -> FastAPI:
    """The site; behind the middleware with these options, unless ``None``."""
    app = FastAPI()
    environment = jinja2.Environment(loader=jinja2.DictLoader({"own.html": OWN_LAYOUT}), autoescape=True)
    templates = Jinja2Templates(env=environment)
    browsercheck.fastapi.setup_templates(templates, site="haninge.se")

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return PAGE

    @app.get("/verdict")
    def verdict(found: browsercheck.Verdict = Depends(browsercheck.fastapi.verdict)) -> dict[str, str]:
        return {"status": found.status, "browser": str(found.client.browser)}

    @app.get("/strict")
    def strict(
        found: browsercheck.Verdict = Depends(browsercheck.fastapi.Verdicts(NO_POLICY_FOR_CHROME)),
    ) -> dict[str, str]:
        return {"status": found.status}

    @app.get("/own", response_class=HTMLResponse)
    def own(request: Request) -> Any:
        return templates.TemplateResponse(request, "own.html")

    @app.get("/embedded", response_class=HTMLResponse)
    @browsercheck.exempt
    def embedded() -> str:
        return PAGE

    async def raw(request: Any) -> HTMLResponse:
        return HTMLResponse(PAGE)

    app.router.routes.append(browsercheck.exempt(Route("/route-embedded", raw)))
    if middleware is not None:
        app.add_middleware(BrowserCheckMiddleware, **middleware)
    return app
