"""The same small site in Flask, Django (WSGI and ASGI), Starlette and FastAPI, behind browsercheck,
and a client for each that speaks to it through its own protocol (WSGI or ASGI test clients)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Home</title>\n</head>\n'
    '<body class="home">\n<h1>Home</h1>\n<p>Welcome</p>\n</body>\n</html>\n'
)
STREAM_PARTS = [
    "<!DOCTYPE html>\n<html>\n<head><title>Stream</title></head>\n",
    "<body>\n",
    "<p>one</p>\n",
    "<p>two</p>\n</body></html>\n",
]
GZIPPED = gzip.compress(PAGE.encode(), mtime=0)
LATIN1_PAGE = (
    '<!DOCTYPE html>\n<html lang="sv">\n<head><title>Hem</title></head>\n<body>\n<p>Välkommen</p>\n</body>\n</html>\n'
).encode("iso-8859-1")


def echo_page(verdict: Any) -> str:
    """The page at /echo/<anything>: says the verdict it was given."""
    text = _verdict_text(verdict)
    return f"<!DOCTYPE html>\n<html>\n<head><title>Echo</title></head>\n<body>\n<p>{text}</p>\n</body>\n</html>\n"


PAGE_HEADERS = {"ETag": '"v1"', "Vary": "Accept-Encoding"}
FRAMEWORKS = ["flask", "django-wsgi", "django-asgi", "starlette", "fastapi"]


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def _verdict_text(verdict: Any) -> str:
    return "none" if verdict is None else verdict.status.value


# -- Flask ---------------------------------------------------------------------------------------------------


def flask_app(**options: Any) -> Any:
    from flask import Flask, request, stream_with_context
    from flask import Response as FlaskResponse

    from browsercheck.wsgi import BrowserCheckMiddleware

    app = Flask("browsercheck-test")

    @app.get("/")
    def home() -> Any:
        return FlaskResponse(PAGE, content_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @app.get("/stream")
    def stream() -> Any:
        return FlaskResponse(stream_with_context(iter(STREAM_PARTS)), content_type="text/html")

    @app.get("/gzip")
    def gzipped() -> Any:
        return FlaskResponse(GZIPPED, content_type="text/html", headers={"Content-Encoding": "gzip"})

    @app.get("/json")
    def data() -> Any:
        return {"ok": True}

    @app.get("/verdict")
    def verdict() -> Any:
        return _verdict_text(request.environ.get("browsercheck.verdict"))

    @app.get("/static/app.js")
    def script() -> Any:
        return FlaskResponse("console.log(1)", content_type="text/javascript")

    @app.get("/sse")
    def events() -> Any:
        return FlaskResponse("data: 1\n\n", content_type="text/event-stream")

    @app.get("/notmodified")
    def not_modified() -> Any:
        return FlaskResponse(status=304)

    @app.get("/missing")
    def missing() -> Any:
        return FlaskResponse(PAGE, status=404, content_type="text/html")

    @app.get("/echo/<path:rest>")
    def echo(rest: str) -> Any:
        return FlaskResponse(echo_page(request.environ.get("browsercheck.verdict")), content_type="text/html")

    @app.get("/latin1")
    def latin1() -> Any:
        return FlaskResponse(LATIN1_PAGE, content_type="text/html; charset=iso-8859-1")

    app.wsgi_app = BrowserCheckMiddleware(app.wsgi_app, **options)  # type: ignore[method-assign]
    return app


# -- Django ----------------------------------------------------------------------------------------------------


DJANGO_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "browsercheck.django.context_processors.browsercheck",
            ]
        },
    }
]


def _django_setup() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="browsercheck-tests",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF="tests.django_urls",
            MIDDLEWARE=[],
            INSTALLED_APPS=["browsercheck.django"],
            TEMPLATES=DJANGO_TEMPLATES,
            USE_TZ=True,
        )
        django.setup()


def django_wsgi_app(**options: Any) -> Any:
    _django_setup()
    from django.core.wsgi import get_wsgi_application

    from browsercheck.wsgi import BrowserCheckMiddleware

    return BrowserCheckMiddleware(get_wsgi_application(), **options)


def django_asgi_app(**options: Any) -> Any:
    _django_setup()
    from django.core.asgi import get_asgi_application

    from browsercheck.asgi import BrowserCheckMiddleware

    return BrowserCheckMiddleware(get_asgi_application(), **options)


# -- Starlette and FastAPI ---------------------------------------------------------------------------------------


def _starlette_routes() -> list[Any]:
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import Route

    async def home(request: Request) -> StarletteResponse:
        return HTMLResponse(PAGE, headers=PAGE_HEADERS)

    async def stream(request: Request) -> StarletteResponse:
        async def parts() -> Any:
            for part in STREAM_PARTS:
                yield part

        return StreamingResponse(parts(), media_type="text/html")

    async def gzipped(request: Request) -> StarletteResponse:
        return StarletteResponse(GZIPPED, media_type="text/html", headers={"Content-Encoding": "gzip"})

    async def data(request: Request) -> StarletteResponse:
        return JSONResponse({"ok": True})

    async def verdict(request: Request) -> StarletteResponse:
        return PlainTextResponse(_verdict_text(getattr(request.state, "browsercheck", None)))

    async def script(request: Request) -> StarletteResponse:
        return StarletteResponse("console.log(1)", media_type="text/javascript")

    async def events(request: Request) -> StarletteResponse:
        return StarletteResponse("data: 1\n\n", media_type="text/event-stream")

    async def not_modified(request: Request) -> StarletteResponse:
        return StarletteResponse(status_code=304)

    async def missing(request: Request) -> StarletteResponse:
        return HTMLResponse(PAGE, status_code=404)

    async def echo(request: Request) -> StarletteResponse:
        return HTMLResponse(echo_page(getattr(request.state, "browsercheck", None)))

    async def latin1(request: Request) -> StarletteResponse:
        return StarletteResponse(LATIN1_PAGE, media_type="text/html; charset=iso-8859-1")

    return [
        Route("/", home),
        Route("/stream", stream),
        Route("/gzip", gzipped),
        Route("/json", data),
        Route("/verdict", verdict),
        Route("/static/app.js", script),
        Route("/sse", events),
        Route("/notmodified", not_modified),
        Route("/missing", missing),
        Route("/echo/{rest:path}", echo),
        Route("/latin1", latin1),
    ]


def starlette_app(**options: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    from browsercheck.asgi import BrowserCheckMiddleware

    return Starlette(routes=_starlette_routes(), middleware=[Middleware(BrowserCheckMiddleware, **options)])


def fastapi_app(**options: Any) -> Any:
    from fastapi import FastAPI

    from browsercheck.asgi import BrowserCheckMiddleware

    app = FastAPI()
    app.router.routes.extend(_starlette_routes())
    app.add_middleware(BrowserCheckMiddleware, **options)
    return app


APPS: dict[str, Callable[..., Any]] = {
    "flask": flask_app,
    "django-wsgi": django_wsgi_app,
    "django-asgi": django_asgi_app,
    "starlette": starlette_app,
    "fastapi": fastapi_app,
}
ASGI = {"django-asgi", "starlette", "fastapi"}


class Client:
    """Requests to one framework's app, through its own test client."""

    def __init__(self, framework: str, **options: Any) -> None:
        self.framework = framework
        app = APPS[framework](**options)
        if framework in ASGI:
            from starlette.testclient import TestClient

            self._asgi = TestClient(app, follow_redirects=False)
        else:
            from werkzeug.test import Client as WerkzeugClient

            self._wsgi = WerkzeugClient(app, use_cookies=False)  # tests send their own Cookie headers

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, data: Any = None) -> Response:
        headers = headers or {}
        if self.framework in ASGI:
            raw = {
                name.encode(): value.encode("latin-1") for name, value in headers.items()
            }  # any byte, as on the wire
            if isinstance(data, str | bytes):
                r = self._asgi.request(method, path, headers=raw, content=data)
            else:
                r = self._asgi.request(method, path, headers=raw, data=data)
            joined: dict[str, str] = {}
            for name, value in r.headers.multi_items():
                joined[name] = f"{joined[name]}, {value}" if name in joined else value
            return Response(r.status_code, joined, r.content)
        w = self._wsgi.open(path, method=method, headers=headers, data=data)
        joined = {}
        for name, value in w.headers.items():
            name = name.lower()
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        body = b"".join(w.iter_encoded()) if method != "HEAD" else b""
        w.close()
        return Response(w.status_code, joined, body)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers)
