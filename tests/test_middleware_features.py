"""What users of browser-update notices ask for, through every framework's test client: a reminder
interval apart from "continue anyway", silence where no upgrade can be had, a preview for staff
only, exempt views. And the records templates use: Status equal to its value, Notice.__html__."""

from __future__ import annotations

from typing import Any

import pytest

import browsercheck
from browsercheck._upgrade import can_upgrade

from .webapps import ASGI, FRAMEWORKS, PAGE, Client

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
WIN7_CHROME_109 = (
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36"
)
NAVIGATION = {"Accept": "text/html", "Sec-Fetch-Dest": "document", "Accept-Language": "sv"}
REGION = '<section class="browsercheck-notice'


def visit(client: Client, ua: str, path: str = "/", **extra: str) -> Any:
    return client.get(path, {**NAVIGATION, "User-Agent": ua, **extra})


def post(client: Client, path: str, ua: str) -> Any:
    return client.request("POST", path, {"User-Agent": ua}, data={"next": "/"})


# -- reminders, apart from "continue anyway" ---------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_remind_after_days_is_the_dismissal_cookies_life(framework: str) -> None:
    client = Client(framework, mode="block", remind_after_days=7, continue_days=1)
    hide = post(client, "/.browsercheck/dismiss", CHROME_124)
    assert hide.headers["set-cookie"].startswith("browsercheck_dismissed=1; Max-Age=604800;")
    go_on = post(client, "/.browsercheck/dismiss?continue", IE11)
    assert go_on.headers["set-cookie"].startswith("browsercheck_continue=1; Max-Age=86400;")
    # each cookie does its own job only
    assert visit(client, CHROME_124, Cookie="browsercheck_dismissed=1").text == PAGE
    assert REGION in visit(client, CHROME_124, Cookie="browsercheck_continue=1").text
    assert visit(client, IE11, Cookie="browsercheck_dismissed=1").status == 406
    assert visit(client, IE11, Cookie="browsercheck_continue=1").status == 200


# -- no notice where no upgrade can be had -------------------------------------------------------------------


UPGRADE_CASES = [
    ("windows-7-chrome-109", WIN7_CHROME_109, False),
    (
        "windows-8.1-firefox-115",
        "Mozilla/5.0 (Windows NT 6.3; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
        False,
    ),
    (
        "macos-10.14-safari-14",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 "
        "Safari/605.1.15",
        False,
    ),
    (
        "ios-12.5.7-iphone-6",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/12.1.2 Mobile/15E148 Safari/604.1",
        False,
    ),
    (
        "ios-15.8-chrome",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
        False,
    ),
    (
        "ipados-15.8",
        "Mozilla/5.0 (iPad; CPU OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6.6 "
        "Mobile/15E148 Safari/604.1",
        False,
    ),
    (
        "ios-16.7.10-iphone-8",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6.1 Mobile/15E148 Safari/604.1",
        False,
    ),
    (
        "ios-16.5-can-update",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.5 Mobile/15E148 Safari/604.1",
        True,
    ),
    (
        "ios-17.4-can-update",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        True,
    ),
    ("windows-10-chrome-124", CHROME_124, True),
]


@pytest.mark.parametrize(("ua", "upgradable"), [c[1:] for c in UPGRADE_CASES], ids=[c[0] for c in UPGRADE_CASES])
def test_who_can_upgrade(ua: str, upgradable: bool) -> None:
    verdict = browsercheck.check(ua)
    assert verdict.status == "outdated"
    assert can_upgrade(verdict.client) is upgradable


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_notify_unupgradable_false_keeps_quiet_there_only(framework: str) -> None:
    quiet = Client(framework, notify_unupgradable=False)
    assert visit(quiet, WIN7_CHROME_109).text == PAGE
    assert REGION in visit(quiet, CHROME_124).text
    assert REGION in visit(Client(framework), WIN7_CHROME_109).text  # told by default


def test_notify_unupgradable_false_does_not_lift_a_block() -> None:
    ie_on_windows_7 = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"
    assert visit(Client("flask", mode="block", notify_unupgradable=False), ie_on_windows_7).status == 406


# -- preview ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_preview_is_ignored_unless_the_site_allows_it(framework: str) -> None:
    for client in (Client(framework), Client(framework, preview=lambda request: False)):
        assert visit(client, CHROME_157, "/?browsercheck-preview=outdated").text == PAGE
    allowed = visit(Client(framework, preview=True), CHROME_157, "/?browsercheck-preview=outdated")
    assert REGION in allowed.text and allowed.headers["cache-control"] == "no-store"
    blocked = visit(Client(framework, mode="block", preview=True), CHROME_157, "/?browsercheck-preview=unsupported")
    assert blocked.status == 406
    unknown = visit(Client(framework, preview=True), CHROME_157, "/?browsercheck-preview=everything")
    assert unknown.text == PAGE


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_preview_callable_gets_the_frameworks_request(framework: str) -> None:
    seen: list[Any] = []

    def staff_only(request: Any) -> bool:
        seen.append(request)
        return ("x-staff", "yes") in [(k.decode(), v.decode()) for k, v in request.get("headers", [])] or (
            request.get("HTTP_X_STAFF") == "yes"
        )

    client = Client(framework, preview=staff_only)
    assert REGION in visit(client, CHROME_157, "/?browsercheck-preview=outdated", **{"X-Staff": "yes"}).text
    assert visit(client, CHROME_157, "/?browsercheck-preview=outdated", **{"X-Staff": "no"}).text == PAGE
    kind = "scope" if framework in ASGI else "environ"
    assert all(("type" in r) is (kind == "scope") for r in seen) and len(seen) == 2


# -- records for templates --------------------------------------------------------------------------------------


def test_status_is_equal_to_its_value() -> None:
    verdict = browsercheck.check(CHROME_124)
    assert verdict.status == "outdated" and str(verdict.status) == "outdated" and f"{verdict.status}" == "outdated"
    assert browsercheck.Status("bot") is browsercheck.Status.BOT


def test_a_notice_renders_as_its_region_in_jinja_and_django() -> None:
    import jinja2
    from django.utils.html import conditional_escape, format_html
    from markupsafe import Markup, escape

    notice = browsercheck.check(CHROME_124).notice("sv")
    assert notice is not None
    assert escape(notice) == Markup(notice.region) and conditional_escape(notice) == notice.region
    assert format_html("<div>{}</div>", notice) == f"<div>{notice.region}</div>"
    page = jinja2.Environment(autoescape=True).from_string("{{ notice }}").render(notice=notice)
    assert page == notice.region


def test_import_browsercheck_loads_no_web_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys, browsercheck\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'django', 'flask', 'starlette', 'fastapi',"
        " 'jinja2', 'markupsafe', 'werkzeug'})\n"
        "print(loaded)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
