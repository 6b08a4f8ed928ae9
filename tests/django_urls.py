"""Django views of the test site (see webapps.py): the same routes and responses as the others."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path, re_path

from .webapps import GZIPPED, LATIN1_PAGE, PAGE, PAGE_HEADERS, STREAM_PARTS, echo_page


def home(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(PAGE, content_type="text/html; charset=utf-8")
    for name, value in PAGE_HEADERS.items():
        response[name] = value
    return response


def stream(request: HttpRequest) -> StreamingHttpResponse:
    if hasattr(request, "scope"):  # under ASGI Django wants an asynchronous iterator

        async def parts() -> Any:
            for part in STREAM_PARTS:
                yield part

        return StreamingHttpResponse(parts(), content_type="text/html")
    return StreamingHttpResponse(iter(STREAM_PARTS), content_type="text/html")


def gzipped(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(GZIPPED, content_type="text/html")
    response["Content-Encoding"] = "gzip"
    return response


def data(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def _published(request: HttpRequest) -> Any:
    scope = getattr(request, "scope", None)
    return scope["state"].get("browsercheck") if scope is not None else request.META.get("browsercheck.verdict")


def verdict(request: HttpRequest) -> HttpResponse:
    found = _published(request)
    return HttpResponse("none" if found is None else found.status.value, content_type="text/plain")


def echo(request: HttpRequest) -> HttpResponse:
    return HttpResponse(echo_page(_published(request)), content_type="text/html")


def latin1(request: HttpRequest) -> HttpResponse:
    return HttpResponse(LATIN1_PAGE, content_type="text/html; charset=iso-8859-1")


def script(request: HttpRequest) -> HttpResponse:
    return HttpResponse("console.log(1)", content_type="text/javascript")


def events(request: HttpRequest) -> HttpResponse:
    return HttpResponse("data: 1\n\n", content_type="text/event-stream")


def not_modified(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=304)


def missing(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, status=404, content_type="text/html")


urlpatterns = [
    path("", home),
    path("stream", stream),
    path("gzip", gzipped),
    path("json", data),
    path("verdict", verdict),
    path("static/app.js", script),
    path("sse", events),
    path("notmodified", not_modified),
    path("missing", missing),
    re_path(r"^echo/", echo),
    path("latin1", latin1),
]
