"""A Django site that uses browsercheck as a Django app: the middleware from settings, template
tags, the context processor, an exempt view, an async view and a view that raises. Served by
Django's test clients (test_django.py) and by gunicorn (serve_django.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template import engines
from django.urls import path

import browsercheck

# Long enough for GZipMiddleware (it leaves bodies under 200 bytes alone)
PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Django home</title>\n</head>\n'
    "<body>\n<h1>Django home</h1>\n"
    + "<p>A paragraph of the page, there to be compressed.</p>\n" * 8
    + "</body>\n</html>\n"
)
OWN_LAYOUT = (
    "{% load browsercheck %}<!DOCTYPE html>\n<html lang='en'>\n<head>\n<title>Own layout</title>\n"
    "{% browsercheck_style %}</head>\n<body>\n<header>{% browsercheck_notice %}</header>\n<h1>Own layout</h1>\n"
    "</body>\n</html>\n"
)
CONTEXT_LAYOUT = (
    "<!DOCTYPE html>\n<html>\n<head><title>Context</title></head>\n<body>\n{{ browsercheck_notice }}\n"
    "<p>status: {{ browsercheck.status }}</p>\n</body>\n</html>\n"
)


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


def stream(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(iter([PAGE[:60], PAGE[60:]]), content_type="text/html")


async def async_home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


def own(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(OWN_LAYOUT).render({}, request))


def context(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(CONTEXT_LAYOUT).render({}, request))


@browsercheck.exempt
def embedded(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


def verdict(request: HttpRequest) -> HttpResponse:
    found = request.browsercheck
    return HttpResponse("none" if found is None else found.status, content_type="text/plain")


def hints(request: HttpRequest) -> HttpResponse:
    """A page that asks for Client Hints of its own."""
    response = HttpResponse(PAGE, content_type="text/html; charset=utf-8")
    response["Accept-CH"] = "Sec-CH-UA-Model, Sec-CH-DPR"
    return response


class ViewFailed(Exception):
    pass


def boom(request: HttpRequest) -> HttpResponse:
    raise ViewFailed("the view's own error")


urlpatterns = [
    path("", home),
    path("stream", stream),
    path("async", async_home),
    path("own", own),
    path("context", context),
    path("embedded", embedded),
    path("verdict", verdict),
    path("boom", boom),
    path("hints", hints),
]
