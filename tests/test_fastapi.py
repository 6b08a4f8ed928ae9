"""browsercheck for FastAPI and Starlette: the dependency with and without the middleware, the
Jinja2Templates helpers, exempt endpoints and routes, script mode; through Starlette's test client."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .fastapi_site import PAGE, create_app

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
NAVIGATION = {"Accept": "text/html", "Accept-Language": "sv-SE,sv;q=0.9", "Sec-Fetch-Dest": "document"}
REGION = '<section class="browsercheck-notice'


def get(client: TestClient, path: str, ua: str, **headers: str) -> Any:
    return client.get(path, headers={**NAVIGATION, "User-Agent": ua, **headers})


@pytest.mark.parametrize("middleware", [None, {"mode": "annotate"}], ids=["alone", "behind-middleware"])
def test_the_dependency_gives_the_verdict(middleware: dict[str, Any] | None) -> None:
    client = TestClient(create_app(middleware))
    assert get(client, "/verdict", CHROME_124).json() == {"status": "outdated", "browser": "chrome"}
    assert get(client, "/verdict", IE11).json() == {"status": "unsupported", "browser": "ie"}
    assert get(client, "/strict", CHROME_157).json() == {"status": "unsupported"}


@pytest.mark.parametrize(
    "middleware", [None, {"mode": "banner", "site": "haninge.se"}], ids=["alone", "behind-middleware"]
)
def test_template_helpers_show_the_notice_once(middleware: dict[str, Any] | None) -> None:
    client = TestClient(create_app(middleware))
    page = get(client, "/own", CHROME_124).text
    head, body = page.split("</head>")
    assert head.count("<style>") == 1 and body.count(REGION) == 1 and "&lt;" not in page
    assert body.index("<header>") < body.index(REGION) and "<bdi>haninge.se</bdi>" in body
    modern = get(client, "/own", CHROME_157).text
    assert REGION not in modern and "<style" not in modern


@pytest.mark.parametrize("path", ["/embedded", "/route-embedded"])
def test_exempt_endpoints_and_routes_are_left_alone(path: str) -> None:
    client = TestClient(create_app({"mode": "block"}))
    r = get(client, path, IE11)
    assert (r.status_code, r.text) == (200, PAGE) and "vary" not in r.headers
    assert get(client, "/", IE11).status_code == 406


def test_script_mode_pages_are_the_same_for_every_browser() -> None:
    client = TestClient(create_app({"mode": "script"}))
    pages = [get(client, "/", ua) for ua in (IE11, CHROME_124, CHROME_157)]
    assert len({p.content for p in pages}) == 1 and "vary" not in pages[0].headers
    assert '<script src="/.browsercheck/notice.js" defer></script></body>' in pages[0].text


def test_a_route_made_exempt_after_the_first_request_is_honoured() -> None:
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    import browsercheck

    app = create_app({"mode": "block"})
    client = TestClient(app)
    assert get(client, "/", IE11).status_code == 406  # the routes have been looked at

    async def later(request: Any) -> HTMLResponse:
        return HTMLResponse(PAGE)

    app.router.routes.append(browsercheck.exempt(Route("/later", later)))
    assert get(client, "/later", IE11).status_code == 200
