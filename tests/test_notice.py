"""Notices: the words, the languages, the advice, the HTML."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import browsercheck
from browsercheck import Status
from browsercheck.notice import Notice, build_notice, default_catalogs
from browsercheck.notice._html import CSS
from browsercheck.notice._messages import MESSAGES, PACKAGE_LOCALE_DIR, Catalogs, placeholders
from browsercheck.notice._negotiate import negotiate, parse_accept_language

SAFARI_16_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Safari/605.1.15"
)
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
CHROME_109_WIN7 = (
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36"
)
SAFARI_13_MAC_10_13 = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.1.2 Safari/605.1.15"
)
CHROME_IOS_15 = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID_100 = (
    "Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/100.0.4896.127 "
    "Mobile Safari/537.36"
)
CHROME_157 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)

# The original notice of haninge.se, verbatim (shared/seed/notice.txt)
ORIGINAL_TITLE = "Hej! Du använder en gammal webbläsare"
ORIGINAL_BODY = (
    "Inom kort kommer vissa funktioner på haninge.se inte fungera med den här gamla webbläsaren.\n\n"
    "Vi vill gärna ha dig kvar som besökare och rekommenderar att byta till Mozilla Firefox, "
    "Google Chrome eller Microsoft Edge."
)


def notice(ua: str, locale: str | None = "sv", **options: Any) -> Notice:
    result = browsercheck.check(ua).notice(locale, **options)
    assert result is not None
    return result


# -- the words ---------------------------------------------------------------------------------------


def test_swedish_outdated_notice_is_the_original() -> None:
    n = notice(SAFARI_16_MAC, site="haninge.se")
    assert (n.locale, n.title, n.text, n.advice) == ("sv", ORIGINAL_TITLE, ORIGINAL_BODY, "switch")


def test_english_outdated_notice_is_the_faithful_counterpart() -> None:
    n = notice(SAFARI_16_MAC, "en", site="haninge.se")
    assert n.title == "Hi! You are using an old browser"
    assert n.text == (
        "Soon some features on haninge.se will not work with this old browser.\n\n"
        "We would like to keep you as a visitor and recommend switching to Mozilla Firefox, Google Chrome "
        "or Microsoft Edge."
    )


@pytest.mark.parametrize(
    ("locale", "title", "body"),
    [
        ("sv", "Hej! Din webbläsare fungerar inte här", "Den här webbläsaren fungerar inte med haninge.se."),
        ("en", "Hi! Your browser does not work here", "This browser does not work with haninge.se."),
    ],
)
def test_unsupported_notice_says_plainly_it_does_not_work(locale: str, title: str, body: str) -> None:
    n = notice(IE11, locale, site="haninge.se")
    assert (n.status, n.title, n.paragraphs[0]) == (Status.UNSUPPORTED, title, body)
    assert [link.key for link in n.links] == ["firefox", "chrome", "edge"]


# The languages the package ships catalogs for (English, the source, needs none).
SHIPPED = {"sv", "fi", "nb", "da", "de", "fr", "es", "pl", "uk", "ar", "fa"}

STATUS_CASES = [
    (SAFARI_16_MAC, Status.OUTDATED),
    (IE11, Status.UNSUPPORTED),
    (CHROME_157, Status.SUPPORTED),
    ("curl/8.5.0", Status.BOT),
    ("", Status.UNKNOWN),
]


@pytest.mark.parametrize("locale", ["en", *sorted(SHIPPED)])
@pytest.mark.parametrize(("ua", "status"), STATUS_CASES, ids=[s.value for _, s in STATUS_CASES])
def test_every_status_in_every_locale(ua: str, status: Status, locale: str) -> None:
    verdict = browsercheck.check(ua)
    assert verdict.status is status
    n = verdict.notice(locale)
    if status in (Status.OUTDATED, Status.UNSUPPORTED):
        assert n is not None
        assert n.locale == locale
        english = [MESSAGES[f"{status.value}.title"], MESSAGES[f"{status.value}.body"].format(site="this site")]
        if locale == "en":
            assert [n.title, n.paragraphs[0]] == english
        else:  # the catalog's words, not English left in place
            assert n.title != english[0] and n.paragraphs[0] != english[1]
        assert all(p.strip() and "{" not in p for p in n.paragraphs)
    else:
        assert n is None


def test_no_site_name_reads_this_site() -> None:
    assert notice(SAFARI_16_MAC).paragraphs[0] == (
        "Inom kort kommer vissa funktioner på den här webbplatsen inte fungera med den här gamla webbläsaren."
    )


# -- the advice ---------------------------------------------------------------------------------------


def test_ios_advice_is_to_update_ios_not_to_switch() -> None:
    n = notice(CHROME_IOS_15, site="haninge.se")
    assert n.advice == "ios"
    assert n.links == ()
    assert n.paragraphs[1].startswith("Uppdatera iOS under Inställningar")
    assert "Firefox" not in n.text


@pytest.mark.parametrize(("ua", "os"), [(CHROME_109_WIN7, "Windows 7"), (SAFARI_13_MAC_10_13, "macOS 10.13.6")])
def test_no_update_path_says_what_is_actionable(ua: str, os: str) -> None:
    n = notice(ua, "en", site="haninge.se")
    assert n.advice == "old_os"
    assert n.links == ()
    assert n.paragraphs[1] == (
        f"No current version of Mozilla Firefox, Google Chrome or Microsoft Edge runs on {os}. "
        "To use haninge.se fully, update the operating system or use another device."
    )


@pytest.mark.parametrize("ua", [CHROME_124, CHROME_ANDROID_100])
def test_never_recommends_switching_to_the_browser_already_in_use(ua: str) -> None:
    n = notice(ua)
    assert n.advice == "update_or_switch"
    assert [link.key for link in n.links] == ["firefox", "edge"]
    assert (
        n.paragraphs[1]
        == (
            "Vi vill gärna ha dig kvar som besökare och rekommenderar att uppdatera Google Chrome"
            if ua == CHROME_124
            else "Vi vill gärna ha dig kvar som besökare och rekommenderar att uppdatera Chrome for Android"
        )
        + ", eller att byta till Mozilla Firefox eller Microsoft Edge."
    )


def test_only_the_browser_in_use_recommended_means_update_it() -> None:
    policy = browsercheck.parse_policy("browsers: {chrome: 125}\nrecommend: [chrome]")
    n = browsercheck.check(CHROME_124, policy=policy).notice("en")
    assert n is not None
    assert (n.advice, n.links) == ("update", ())
    assert n.paragraphs[1] == "We would like to keep you as a visitor and recommend updating Google Chrome."


def test_links_go_to_official_download_pages_and_site_links_win() -> None:
    assert {link.key: link.url for link in notice(IE11).links} == {
        "firefox": "https://www.mozilla.org/firefox/new/",
        "chrome": "https://www.google.com/chrome/",
        "edge": "https://www.microsoft.com/edge/download",
    }
    policy = browsercheck.parse_policy(
        "browsers: {ie: false}\nrecommend: [firefox, opera]\n"
        "site: {links: {firefox: 'https://www.mozilla.org/sv-SE/firefox/new/'}}"
    )
    n = browsercheck.check(IE11, policy=policy).notice("sv")
    assert n is not None
    assert [(link.name, link.url) for link in n.links] == [
        ("Mozilla Firefox", "https://www.mozilla.org/sv-SE/firefox/new/"),
        ("Opera", "https://www.opera.com/download"),
    ]
    assert n.paragraphs[1].endswith("rekommenderar att byta till Mozilla Firefox eller Opera.")


# -- languages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sv-SE,sv;q=0.9,en;q=0.5", "sv"),
        ("sv-FI", "sv"),
        ("en-GB,en;q=0.9", "en"),
        ("fi, sv;q=0.5, en;q=0.4", "sv"),
        ("en;q=0.4, sv;q=0.8", "sv"),
        ("de-DE, de;q=0.9", "sv"),  # nothing available: the site's default
        ("*", "sv"),
        ("sv;q=0, *", "en"),
        ("SV-se", "sv"),
        ("en;q=1.5, sv;q=abc", "sv"),  # invalid q-values drop their entries
        ("ÿÿ;;;q=,,,", "sv"),
        ("", "sv"),
        ("en-" + "x" * 5000, "sv"),
        (",".join(["de"] * 100) + ",en", "sv"),  # only the first 32 ranges are read
    ],
)
def test_accept_language_negotiation(header: str, expected: str) -> None:
    assert negotiate(header, {"sv", "en"}, default="sv") == expected


def test_parse_accept_language_orders_by_q_and_keeps_ties() -> None:
    assert parse_accept_language("da, en-gb;q=0.8, en;q=0.7, sv;q=0.8") == [
        ("da", 1.0),
        ("en-gb", 0.8),
        ("sv", 0.8),
        ("en", 0.7),
    ]


def test_language_comes_from_argument_then_header_then_policy_then_english() -> None:
    verdict = browsercheck.check(IE11)
    assert verdict.notice(accept_language="sv-SE,en;q=0.5").locale == "sv"  # type: ignore[union-attr]
    assert verdict.notice("en", accept_language="sv-SE").locale == "en"  # type: ignore[union-attr]
    assert verdict.notice().locale == "en"  # type: ignore[union-attr]
    swedish_site = browsercheck.parse_policy("browsers: {ie: false}\nsite: {name: haninge.se, locale: sv}")
    on_site = browsercheck.check(IE11, policy=swedish_site)
    assert on_site.notice().locale == "sv"  # type: ignore[union-attr]
    assert on_site.notice(accept_language="en-US").locale == "en"  # type: ignore[union-attr]
    assert "haninge.se" in on_site.notice().text  # type: ignore[union-attr]


def test_another_language_is_one_new_catalog_file(tmp_path: Path) -> None:
    po = tmp_path / "is" / "LC_MESSAGES" / "browsercheck.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: is\\n"\n\n'
        'msgctxt "outdated.title"\nmsgid "Hi! You are using an old browser"\nmsgstr "Halló! Þú notar gamlan vafra"\n\n'
        'msgctxt "list.or"\nmsgid "{items} or {last}"\nmsgstr "{items} eða {last}"\n',
        encoding="utf-8",
    )
    with open(po, "rb") as src, open(po.with_suffix(".mo"), "wb") as dst:
        write_mo(dst, read_po(src))
    catalogs = Catalogs([tmp_path, PACKAGE_LOCALE_DIR])
    assert catalogs.locales == {"en", "is", *SHIPPED}
    n = build_notice(browsercheck.check(SAFARI_16_MAC), accept_language="is-IS, sv;q=0.5", catalogs=catalogs)
    assert n is not None
    assert (n.locale, n.title) == ("is", "Halló! Þú notar gamlan vafra")
    assert "Mozilla Firefox, Google Chrome eða Microsoft Edge" in n.text  # translated list joining
    assert n.paragraphs[0] == MESSAGES["outdated.body"].format(site="this site")  # untranslated: English


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fi-FI,fi;q=0.9,en;q=0.5", "fi"),
        ("sv-FI", "sv"),
        ("ar-SE,ar;q=0.9", "ar"),
        ("fa-IR", "fa"),
        ("fa-AF", "fa"),
        ("nb-NO,nb;q=0.9", "nb"),
        ("no", "nb"),  # the Norwegian macrolanguage: Bokmål is its written standard here
        ("no-NO, en;q=0.5", "nb"),
        ("nn-NO, en;q=0.5", "en"),  # Nynorsk has no catalog: the next choice
        ("da-DK", "da"),
        ("de-AT", "de"),
        ("de-CH, fr-CH;q=0.8", "de"),
        ("fr-CA", "fr"),
        ("es-MX", "es"),
        ("es-419", "es"),
        ("pl-PL", "pl"),
        ("uk-UA, ru;q=0.8", "uk"),
        ("ru-RU, uk;q=0.5", "uk"),  # no Russian catalog: Ukrainian was acceptable
        ("ru-RU", "sv"),  # nothing acceptable: the site's default
        ("zh-Hant-TW", "sv"),
    ],
)
def test_negotiation_finds_the_shipped_languages(header: str, expected: str) -> None:
    assert negotiate(header, default_catalogs().locales, default="sv") == expected


@pytest.mark.parametrize("locale", sorted(SHIPPED))
@pytest.mark.parametrize("key", [k for k in MESSAGES if "{site}" in MESSAGES[k]])
def test_no_sentence_starts_in_lower_case_when_the_site_has_no_name(locale: str, key: str) -> None:
    """Where the site gives no name, "site.fallback" ("this site") takes its slot: each language's
    sentences must be worded so that it never opens one ("tämä sivusto ei toimi")."""
    catalogs = default_catalogs()
    text = catalogs.message(locale, key).format(
        site=catalogs.message(locale, "site.fallback"), browsers="Firefox", browser="Firefox", os="Windows 7"
    )
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        assert not sentence[:1].islower(), f"{locale} {key}: {sentence!r}"


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_right_to_left_notices(locale: str) -> None:
    n = notice(SAFARI_16_MAC, locale, site="haninge.se", dismiss_url="/.browsercheck/dismiss")
    assert n.direction == "rtl" and n.locale == locale
    assert f'lang="{locale}" dir="rtl"' in n.region
    # Latin names and the site keep their own direction inside the Arabic-script sentence
    assert '<a href="https://www.mozilla.org/firefox/new/"><bdi>Mozilla Firefox</bdi></a>' in n.region
    assert "<bdi>haninge.se</bdi>" in n.region
    assert "Mozilla Firefox، Google Chrome" in n.text  # the Arabic comma between names
    assert ".browsercheck-notice[dir=rtl]{border-left:0;border-right:6px solid" in n.style


@pytest.mark.parametrize("locale", ["en", *sorted(SHIPPED - {"ar", "fa"})])
def test_left_to_right_notices(locale: str) -> None:
    n = notice(SAFARI_16_MAC, locale, site="haninge.se")
    assert n.direction == "ltr"
    assert f'lang="{locale}" dir="ltr"' in n.region
    assert "Mozilla Firefox, Google Chrome" in n.text


def _package_catalogs_copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE_LOCALE_DIR, tmp_path / "locale")
    return tmp_path / "locale"


@pytest.mark.parametrize("damage", [b"", b"not a catalog", b"\xde\x12\x04\x95" + b"\xff" * 40])
def test_a_corrupt_catalog_falls_back_to_english_with_one_logged_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: bytes
) -> None:
    locale_dir = _package_catalogs_copy(tmp_path)
    broken = locale_dir / "fi" / "LC_MESSAGES" / "browsercheck.mo"
    broken.write_bytes(damage)
    catalogs = Catalogs([locale_dir])
    verdict = browsercheck.check(SAFARI_16_MAC)
    with caplog.at_level("ERROR", logger="browsercheck"):
        first = build_notice(verdict, accept_language="fi", catalogs=catalogs)
        second = build_notice(verdict, accept_language="fi", catalogs=catalogs)
    assert first is not None and second is not None
    assert (first.locale, first.title) == ("en", MESSAGES["outdated.title"])  # lang matches the words
    assert second.title == first.title
    errors = [r.getMessage() for r in caplog.records]
    assert len(errors) == 1 and str(broken) in errors[0]
    sv = build_notice(verdict, accept_language="sv", catalogs=catalogs)
    assert sv is not None and sv.title.startswith("Hej!")  # the other languages are unharmed


def test_a_catalog_removed_after_start_falls_back_to_english(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    locale_dir = _package_catalogs_copy(tmp_path)
    catalogs = Catalogs([locale_dir])
    (locale_dir / "de" / "LC_MESSAGES" / "browsercheck.mo").unlink()
    with caplog.at_level("ERROR", logger="browsercheck"):
        n = build_notice(browsercheck.check(IE11), accept_language="de-AT", catalogs=catalogs)
    assert n is not None and (n.locale, n.title) == ("en", MESSAGES["unsupported.title"])
    assert ["'de' is missing" in r.getMessage() for r in caplog.records] == [True]


# -- catalogs ------------------------------------------------------------------------------------------

CATALOGS = sorted(PACKAGE_LOCALE_DIR.glob("*/LC_MESSAGES/browsercheck.po"))


def test_the_shipped_catalogs() -> None:
    assert {p.parent.parent.name for p in CATALOGS} == SHIPPED
    assert all(p.with_suffix(".mo").is_file() for p in CATALOGS)


def _entries(catalog: Any) -> set[tuple[str | None, str, str]]:
    return {(m.context, str(m.id), str(m.string)) for m in catalog if m.id}


@pytest.mark.parametrize("po", CATALOGS, ids=[p.parent.parent.name for p in CATALOGS])
def test_compiled_catalog_is_in_sync_with_its_source(po: Path) -> None:
    with open(po, "rb") as f:
        source = read_po(f)
    with open(po.with_suffix(".mo"), "rb") as f:
        compiled = read_mo(f)
    assert _entries(compiled) == _entries(source), f"run: pybabel compile -d {PACKAGE_LOCALE_DIR} -D browsercheck"


@pytest.mark.parametrize("po", CATALOGS, ids=[p.parent.parent.name for p in CATALOGS])
def test_catalog_translates_every_message_with_its_placeholders(po: Path) -> None:
    with open(po, "rb") as f:
        catalog = read_po(f)
    entries = {(m.context, str(m.id)): m for m in catalog if m.id}
    assert set(entries) == set(MESSAGES.items())
    for (key, text), message in entries.items():
        assert message.string, f"{key} is not translated"
        assert not message.fuzzy, f"{key} is fuzzy"
        assert placeholders(str(message.string)) == placeholders(text), key


def test_template_for_translators_lists_every_message() -> None:
    with open(PACKAGE_LOCALE_DIR / "browsercheck.pot", "rb") as f:
        template = read_po(f)
    assert {(m.context, str(m.id)) for m in template if m.id} == set(MESSAGES.items()), (
        "run: pybabel extract --no-default-keywords -k _:1c,2 --omit-header --no-location "
        "-o src/browsercheck/notice/locale/browsercheck.pot src/browsercheck/notice/_messages.py"
    )


# -- site overrides ------------------------------------------------------------------------------------


def test_site_overrides_a_message_per_locale() -> None:
    policy = browsercheck.parse_policy(
        "browsers: {ie: false}\nsite:\n  name: haninge.se\n  messages:\n    sv:\n"
        "      unsupported.title: 'Hej! Den här webbläsaren stöds inte längre'\n"
    )
    verdict = browsercheck.check(IE11, policy=policy)
    assert verdict.notice("sv").title == "Hej! Den här webbläsaren stöds inte längre"  # type: ignore[union-attr]
    assert verdict.notice("en").title == "Hi! Your browser does not work here"  # type: ignore[union-attr]


def test_overrides_are_checked_at_load_time() -> None:
    text = (
        "browsers: {ie: false}\n"
        "recommend: [firefox, safari]\n"
        "site:\n"
        "  messages:\n"
        "    sv:\n"
        "      outdated.body: 'Vissa funktioner fungerar inte.'\n"
        "      advice.switch: 'Byt till {browers}.'\n"
        "      outdated.titel: 'Hej'\n"
        "      dismiss: 'Dölj {'\n"
        "    'sv se': {}\n"
        "  links: {chrome: 'javascript:alert(1)'}\n"
    )
    with pytest.raises(browsercheck.PolicyError) as info:
        browsercheck.parse_policy(text, "p.yaml")
    assert [str(p) for p in info.value.problems] == [
        "p.yaml:2: recommend: no download page is known for 'safari': add one under site.links",
        "p.yaml:6: site.messages.sv.outdated.body: missing placeholder {site}",
        "p.yaml:7: site.messages.sv.advice.switch: unknown placeholder {browers} (this message has: {browsers})",
        "p.yaml:7: site.messages.sv.advice.switch: missing placeholder {browsers}",
        "p.yaml:8: site.messages.sv.outdated.titel: unknown message 'outdated.titel' (did you mean 'outdated.title'?)",
        "p.yaml:9: site.messages.sv.dismiss: malformed placeholder in 'Dölj {': "
        "Single '{' encountered in format string",
        "p.yaml:10: site.messages.sv se: invalid locale 'sv se' (expected a language tag such as 'sv')",
        "p.yaml:11: site.links.chrome: expected an http(s) URL, got 'javascript:alert(1)'",
    ]


# -- HTML ------------------------------------------------------------------------------------------------


class _Tree(HTMLParser):
    """Start tags with their attributes, text, and whether every element was closed."""

    VOID = frozenset({"input", "meta", "br", "img", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert tree.open == [], f"unclosed: {tree.open}"
    return tree


def test_html_is_a_labelled_region_with_heading_lang_and_dir() -> None:
    n = notice(SAFARI_16_MAC, site="haninge.se")
    tree = parse(n.html)
    tags = dict(tree.tags)
    region = tags["section"]
    assert region["role"] == "region"
    assert region["lang"] == "sv" and region["dir"] == "ltr"
    assert tags["h2"]["id"] == region["aria-labelledby"]
    assert ORIGINAL_TITLE in tree.text
    assert [a["href"] for t, a in tree.tags if t == "a"] == [
        "https://www.mozilla.org/firefox/new/",
        "https://www.google.com/chrome/",
        "https://www.microsoft.com/edge/download",
    ]
    assert all("style" not in attrs for _, attrs in tree.tags), "no style attributes (CSP)"
    assert "form" not in tags  # no dismiss URL, no dismiss button


def test_html_escapes_everything_from_the_request_and_the_policy() -> None:
    hostile = '<script>alert("x")</script>&"'
    n = notice(IE11, site=hostile, dismiss_url='/dismiss?a=1&b="2"', dismiss_next=hostile, nonce='n"><script>')
    assert "<script>" not in n.html
    tree = parse(n.html)
    assert "".join(tree.text).count(hostile) == 1  # the site name, as text
    tags = dict(tree.tags)
    assert tags["style"]["nonce"] == 'n"><script>'
    assert tags["form"] == {"method": "post", "action": '/dismiss?a=1&b="2"'}
    assert tags["input"] == {"type": "hidden", "name": "next", "value": hostile}
    assert tags["button"] == {"type": "submit"}
    assert "Dölj meddelandet" in tree.text


def test_hostile_policy_messages_are_escaped() -> None:
    policy = browsercheck.parse_policy(
        "browsers: {ie: false}\nsite:\n  messages:\n    en:\n      unsupported.title: '<img src=x onerror=alert(1)>'\n"
    )
    n = browsercheck.check(IE11, policy=policy).notice("en")
    assert n is not None
    assert "<img" not in n.html and "&lt;img src=x onerror=alert(1)&gt;" in n.html


def test_heading_level_is_configurable_and_checked() -> None:
    assert '<h3 id="browsercheck-notice-title">' in notice(IE11, heading_level=3).html
    with pytest.raises(ValueError, match="heading_level must be 1 to 6, got 7"):
        notice(IE11, heading_level=7)


def test_css_renders_in_old_browsers() -> None:
    assert "var(" not in CSS and not re.search(r"[{;]\s*--", CSS), "no custom properties (IE11)"
    for modern in ("grid", "flex", "clamp(", "min(", "max(", ":is(", ":where(", "@supports"):
        assert modern not in CSS


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("background", ["#fff4d6", "#fde8e7"], ids=["outdated", "unsupported"])
@pytest.mark.parametrize("foreground", ["#1b1b1b", "#0b4f9c", "#062f5e"], ids=["text", "link", "link-focus"])
def test_text_contrast_is_at_least_4_5_to_1(foreground: str, background: str) -> None:
    assert foreground in CSS and background in CSS
    assert contrast(foreground, background) >= 4.5


def test_button_contrast() -> None:
    assert "background:#1b1b1b;color:#fff" in CSS
    assert contrast("#ffffff", "#1b1b1b") >= 4.5


def test_notice_json_form() -> None:
    n = notice(IE11, "en", site="haninge.se")
    data = n.to_dict()
    assert data["status"] == "unsupported" and data["locale"] == "en" and data["dir"] == "ltr"
    assert data["text"] == n.text and data["html"] == n.html
    assert data["links"][0] == {
        "browser": "firefox",
        "name": "Mozilla Firefox",
        "url": "https://www.mozilla.org/firefox/new/",
    }


def test_rtl_locale_gets_dir_rtl(tmp_path: Path) -> None:
    target = tmp_path / "ar" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PACKAGE_LOCALE_DIR / "sv" / "LC_MESSAGES" / "browsercheck.mo", target / "browsercheck.mo")
    n = build_notice(browsercheck.check(IE11), locale="ar", catalogs=Catalogs([tmp_path]))
    assert n is not None
    assert (n.locale, n.direction) == ("ar", "rtl")
    assert 'dir="rtl"' in n.html


def test_unknown_browsers_are_told_only_when_the_policy_says_notify() -> None:
    garbage = "SomeBrowser/1.0"
    assert browsercheck.check(garbage).notice("sv") is None
    notify = browsercheck.parse_policy("browsers: {chrome: 125}\nunknown: notify\nsite: {name: haninge.se}")
    n = browsercheck.check(garbage, policy=notify).notice("sv")
    assert n is not None
    assert (n.status, n.title) == (Status.UNKNOWN, "Hej! Vi känner inte igen din webbläsare")
    assert n.paragraphs[0] == "Vissa funktioner på haninge.se kanske inte fungerar med den."
    assert browsercheck.check("curl/8.5.0", policy=notify).notice("sv") is None  # bots never
