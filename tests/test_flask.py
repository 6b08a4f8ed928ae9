"""browsercheck as a Flask extension: options from arguments and app.config, the verdict in g,
the Jinja helpers, exempt views, errors, script mode; through Flask's test client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup

from browsercheck.flask import BrowserCheck, browsercheck_notice

from .flask_site import PAGE, ViewFailed, create_app

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_157 = CHROME_124.replace("124.0.0.0", "157.0.0.0")
NAVIGATION = {"Accept": "text/html", "Accept-Language": "sv-SE,sv;q=0.9", "Sec-FETCH-DEST": "document"}
REGION = '<section class="browsercheck-notice'


def get(app: Flask, path: str, ua: str, **headers: str) -> Any:
    return app.test_client().get(path, headers={**NAVIGATION, "User-Agent": ua, **headers})


def test_banner_with_options_as_arguments() -> None:
    app = create_app(site="haninge.se")
    page = get(app, "/", CHROME_124).get_data(as_text=True)
    assert REGION in page and "<bdi>haninge.se</bdi>" in page
    assert get(app, "/", CHROME_157).get_data(as_text=True) == PAGE


def test_options_from_app_config_and_arguments_win() -> None:
    app = create_app({"BROWSERCHECK_MODE": "block", "BROWSERCHECK_SITE": "config.example"}, site="haninge.se")
    r = get(app, "/", IE11)
    assert r.status_code == 406 and "<bdi>haninge.se</bdi>" in r.get_data(as_text=True)


def test_init_app_later() -> None:
    extension = BrowserCheck(mode="block")
    app = Flask("later")
    app.get("/")(lambda: PAGE)
    extension.init_app(app)
    assert get(app, "/", IE11).status_code == 406


def test_an_unknown_config_key_is_named() -> None:
    with pytest.raises(ValueError, match="unknown config key BROWSERCHECK_SITE_NAME; browsercheck reads "):
        create_app({"BROWSERCHECK_SITE_NAME": "x"})


def test_a_bad_config_value_names_the_key_and_what_it_accepts() -> None:
    message = "app.config[\"BROWSERCHECK_MODE\"] must be one of annotate, banner, block, script; got 'popup'"
    with pytest.raises(ValueError, match=re.escape(message)):
        create_app({"BROWSERCHECK_MODE": "popup"})
    with pytest.raises(ValueError, match=re.escape("mode must be one of")):
        create_app(mode="popup")


def test_the_verdict_is_in_g() -> None:
    app = create_app(mode="annotate")
    assert get(app, "/verdict", CHROME_124).get_data() == b"outdated"
    assert get(app, "/verdict", IE11).get_data() == b"unsupported"


@pytest.mark.parametrize("mode", ["annotate", "banner"])
def test_jinja_helpers_show_the_notice_once(mode: str) -> None:
    app = create_app(mode=mode, site="haninge.se")
    page = get(app, "/own", CHROME_124).get_data(as_text=True)
    head, body = page.split("</head>")
    assert head.count("<style>") == 1 and body.count(REGION) == 1
    assert body.index("<header>") < body.index(REGION)
    assert "&lt;" not in page
    modern = get(app, "/own", CHROME_157).get_data(as_text=True)
    assert REGION not in modern and "<style" not in modern


def test_helpers_return_markup() -> None:
    app = create_app()
    with app.test_request_context("/", headers={"User-Agent": CHROME_157}):
        assert isinstance(browsercheck_notice(), Markup)


def test_an_exempt_view_is_left_alone() -> None:
    app = create_app(mode="block")
    r = get(app, "/embedded", IE11)
    assert (r.status_code, r.get_data(as_text=True)) == (200, PAGE) and "Vary" not in r.headers
    assert get(app, "/", IE11).status_code == 406


def test_a_view_that_raises_is_never_masked() -> None:
    app = create_app()
    app.testing = True  # Flask lets the view's exception through
    with pytest.raises(ViewFailed, match="the view's own error"):
        get(app, "/boom", CHROME_124)
    app.testing = False
    assert get(app, "/boom", CHROME_124).status_code == 500


def test_script_mode_pages_are_the_same_for_every_browser() -> None:
    app = create_app(mode="script")
    pages = [get(app, "/", ua) for ua in (IE11, CHROME_124, CHROME_157)]
    assert len({p.get_data() for p in pages}) == 1 and "Vary" not in pages[0].headers
    assert b'<script src="/.browsercheck/notice.js" defer></script></body>' in pages[0].get_data()
    notice = app.test_client().get("/.browsercheck/notice?format=html", headers={"User-Agent": CHROME_124})
    assert REGION in notice.get_data(as_text=True) and notice.headers["Cache-Control"] == "private"


def test_preview_for_an_allowed_request_only() -> None:
    app = create_app(preview=lambda environ: environ.get("HTTP_X_STAFF") == "yes")
    assert REGION in get(app, "/?browsercheck-preview=unsupported", CHROME_157, **{"X-Staff": "yes"}).get_data(
        as_text=True
    )
    assert get(app, "/?browsercheck-preview=unsupported", CHROME_157).get_data(as_text=True) == PAGE


def test_script_mode_pages_still_give_the_verdict_in_g() -> None:
    app = create_app(mode="script")
    assert get(app, "/verdict", CHROME_124).get_data() == b"outdated"


def test_the_policy_from_app_config(tmp_path: Any) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: No Chrome\nbrowsers: {chrome: false}\n")
    app = create_app({"BROWSERCHECK_POLICY": str(policy), "BROWSERCHECK_MODE": "annotate"})
    assert get(app, "/verdict", CHROME_157).get_data() == b"unsupported"


def test_options_are_typed_and_checked() -> None:
    with pytest.raises(TypeError, match="unknown browsercheck option 'site_name'"):
        BrowserCheck(Flask("typo"), site_name="x")  # type: ignore[call-arg]
