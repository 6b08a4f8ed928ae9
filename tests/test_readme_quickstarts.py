"""The README's quick starts, one per framework, and its template examples, run as pasted."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).parents[1] / "README.md"
ROOT = Path(__file__).parents[1]
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
NAVIGATION = {"Accept": "text/html", "Accept-Language": "sv"}
REGION = '<section class="browsercheck-notice'


def snippet(marker: str) -> str:
    """The fenced block after ``<!-- marker -->`` in the README."""
    found = re.search(rf"<!-- {re.escape(marker)} -->\n```[^\n]*\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert found is not None, f"README has no block marked {marker!r}"
    return found.group(1)


def run(code: str, name: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(code, f"README.md ({name})", "exec"), namespace)
    return namespace


def test_flask_quick_start() -> None:
    app = run(snippet("quickstart: flask"), "quickstart_flask")["app"]
    client = app.test_client()
    old = client.get("/", headers={**NAVIGATION, "User-Agent": CHROME_124}).get_data(as_text=True)
    assert REGION in old and "<bdi>haninge.se</bdi>" in old
    assert REGION not in client.get("/", headers={**NAVIGATION, "User-Agent": CHROME_157}).get_data(as_text=True)
    assert client.get("/status", headers={"User-Agent": CHROME_124}).get_data() == b"outdated"


def test_fastapi_quick_start() -> None:
    from starlette.testclient import TestClient

    client = TestClient(run(snippet("quickstart: fastapi"), "quickstart_fastapi")["app"])
    assert REGION in client.get("/", headers={**NAVIGATION, "User-Agent": CHROME_124}).text
    answer = client.get("/api/browser", headers={"User-Agent": CHROME_124}).json()
    assert answer == {"status": "outdated", "browser": "Google Chrome"}


def test_jinja_template_example() -> None:
    from flask import Flask, render_template_string

    from browsercheck.flask import BrowserCheck

    app = Flask("readme-jinja")
    app.get("/")(lambda: render_template_string(snippet("template: jinja")))
    BrowserCheck(app, mode="annotate")
    page = app.test_client().get("/", headers={**NAVIGATION, "User-Agent": CHROME_124}).get_data(as_text=True)
    assert "<style>" in page.split("</head>")[0] and f"<header>{REGION}" in page


DJANGO_PROJECT = """
import gzip, sys
import django
from django.core import checks
from django.test import Client

django.setup()
problems = [e.id for e in checks.run_checks()]
assert problems == [], problems
old = {"HTTP_USER_AGENT": sys.argv[1], "HTTP_ACCEPT": "text/html", "HTTP_ACCEPT_LANGUAGE": "sv"}
r = Client().get("/", HTTP_ACCEPT_ENCODING="gzip", **old)
assert r["Content-Encoding"] == "gzip", r.headers
page = gzip.decompress(r.content).decode()
assert '<section class="browsercheck-notice' in page and "<bdi>haninge.se</bdi>" in page, page
own = Client().get("/own", **old).content.decode()
assert "<style>" in own.split("</head>")[0] and '<header><section class="browsercheck-notice' in own, own
assert "<p>Your browser: Google Chrome (outdated)</p>" in own, own
print("ok")
"""

DJANGO_URLS = """
from django.http import HttpResponse
from django.template import engines
from django.urls import path

PAGE = "<!DOCTYPE html><html><head><title>Home</title></head><body>" + "<p>Text.</p>" * 30 + "</body></html>"


def home(request):
    return HttpResponse(PAGE)


def own(request):
    return HttpResponse(engines["django"].from_string(open("template.html").read()).render({}, request))


urlpatterns = [path("", home), path("own", own)]
"""

DJANGO_REST_OF_SETTINGS = """
SECRET_KEY = "readme"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "quickstart_urls"
STATIC_URL = "static/"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {
    "context_processors": ["django.template.context_processors.request"]}}]
"""


def test_django_quick_start_and_template_example(tmp_path: Path) -> None:
    """In a process of its own (Django's settings are one per process): the README's settings in a
    project's settings.py, with what every project already has."""
    (tmp_path / "quickstart_settings.py").write_text(snippet("quickstart: django") + DJANGO_REST_OF_SETTINGS)
    (tmp_path / "quickstart_urls.py").write_text(DJANGO_URLS)
    (tmp_path / "template.html").write_text(snippet("template: django"))
    (tmp_path / "check.py").write_text(textwrap.dedent(DJANGO_PROJECT))
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT / 'src'}", "DJANGO_SETTINGS_MODULE": "quickstart_settings"}
    import os

    result = subprocess.run(
        [sys.executable, "check.py", CHROME_124],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


@pytest.mark.parametrize("marker", ["quickstart: flask", "quickstart: django", "quickstart: fastapi"])
def test_quick_starts_need_no_policy_file(marker: str) -> None:
    assert "policy" not in snippet(marker).lower()
