"""The HTML report: one self-contained page, charts with their text and data, safe with what
clients sent, accessible in a real browser (light, dark, print)."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import browsercheck
from bench_report import many_user_agents
from browsercheck import Status
from browsercheck.audit._report import AuditReport
from browsercheck.cli import main

from .conftest import artifact
from .test_audit import CHROME_124, CHROME_157, GOOGLEBOT, HOSTILE, IE11, line

SAFARI_17_4 = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


class Page(HTMLParser):
    """The tags, attributes and text of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "access.log"
    lines = [line(f"10.0.0.{i}", CHROME_157) for i in range(6)]
    lines += [line("10.0.1.1", CHROME_124), line("10.0.1.2", SAFARI_17_4), line("10.0.1.3", IE11)]
    lines += [line("10.0.1.4", GOOGLEBOT), line("10.0.1.5", "-"), "not a log line\n"]
    path.write_text("".join(lines))
    return path


@pytest.fixture
def days_log(tmp_path: Path) -> Path:
    """Three days: Monday all supported, Tuesday half outdated, Thursday (no Wednesday) one unsupported in four."""
    path = tmp_path / "days.log"
    lines = [line(f"10.0.0.{i}", CHROME_157, "23/Nov/2026:10:00:00 +0100") for i in range(4)]
    lines += [line(f"10.0.1.{i}", ua, "24/Nov/2026:23:59:59 +0100") for i, ua in enumerate([CHROME_157, CHROME_124])]
    lines += [line(f"10.0.2.{i}", CHROME_157, "26/Nov/2026:00:00:00 +0100") for i in range(3)]
    lines += [
        line("10.0.2.9", IE11, "26/Nov/2026:08:00:00 +0100"),
        line("10.0.3.1", GOOGLEBOT, "26/Nov/2026:09:00:00 +0100"),
    ]
    path.write_text("".join(lines))
    return path


@pytest.fixture
def lenient(tmp_path: Path) -> Path:
    path = tmp_path / "lenient.yaml"
    path.write_text("name: Lenient\nbrowsers: {chrome: '>=100', ie: true}\n")
    return path


def test_the_page_fetches_nothing_and_runs_nothing(log: Path, lenient: Path) -> None:
    html = browsercheck.audit([log], compare=lenient).to_html()
    page = Page(html)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "image", "use", "video", "audio"}
    attributes = {name for _, attrs in page.tags for name in attrs}
    assert not attributes & {"src", "href", "srcset", "xlink:href", "style", "background"}
    assert not re.search(r"url\(|@import|@font-face", html)
    assert {attrs.get("xmlns") for tag, attrs in page.tags if tag == "svg"} == {"http://www.w3.org/2000/svg"}


def test_every_chart_has_a_text_alternative_and_a_table(log: Path, lenient: Path) -> None:
    html = browsercheck.audit([log], compare=lenient).to_html()
    page = Page(html)
    ids = {attrs.get("id") for _, attrs in page.tags}
    charts = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(charts) >= 4  # by status, Chrome, Safari, Internet Explorer, the comparison
    for chart in charts:
        assert chart["role"] == "img"
        title, desc = (chart["aria-labelledby"] or "").split()
        assert {title, desc} <= ids
    for figure in re.findall(r"<figure.*?</figure>", html):
        if "browser-" in figure:
            assert "<table>" in figure  # a browser's chart and its rows
    found = re.search(r"<desc id=\"status-d\">(.*?)</desc>", html)
    assert found is not None
    assert "supported 60.0%; outdated 20.0%; unsupported 10.0%; unknown 10.0%" in unescape(found.group(1))


def test_the_policy_minimum_is_drawn_between_the_versions_that_meet_it_and_those_below(log: Path) -> None:
    html = browsercheck.audit([log]).to_html()
    chrome = re.search(r'<svg[^>]*aria-labelledby="(browser-\d)-t[^>]*>(?:(?!</svg>).)*Google Chrome by major', html)
    assert chrome is not None
    svg = html[chrome.start() : html.index("</svg>", chrome.start())]
    order = [svg.index(">157 supported<"), svg.index("policy minimum: 125"), svg.index(">124 outdated<")]
    assert order == sorted(order)
    safari = html[html.index("Safari by major") :]
    safari = safari[: safari.index("</svg>")]
    assert safari.index("policy minimum: 17.5") < safari.index(">17 outdated<")


def test_the_comparison_side_by_side_with_the_browsers_that_change(log: Path, lenient: Path) -> None:
    html = browsercheck.audit([log], compare=lenient).to_html()
    section = html[html.index('<h2 id="compare">') :]
    section = section[: section.index("</section>")]
    assert "change = requests under Lenient minus under Baseline widely available, 2026-11-27" in section
    changes = section[section.index("Browsers that change status") :]
    rows = re.findall(r"<tr>(.*?)</tr>", changes)
    cells = [re.sub(r"<[^>]+>", "|", row).strip("|").split("||") for row in rows[1:]]
    assert cells == [
        ["Google Chrome", "124", "outdated", "supported", "1"],
        ["Internet Explorer", "11", "unsupported", "supported", "1"],
        ["Safari", "17", "outdated", "unknown", "1"],  # Lenient does not name Safari
    ]


def test_people_per_status_per_day(days_log: Path) -> None:
    report = browsercheck.audit([days_log], by_day=True)
    assert {
        day.isoformat(): {s.value: n for s, n in counts.items() if n} for day, counts in (report.by_day or {}).items()
    } == {
        "2026-11-23": {"supported": 4},
        "2026-11-24": {"supported": 1, "outdated": 1},  # 23:59:59 local time: the day the log writes
        "2026-11-26": {"supported": 3, "unsupported": 1},  # the bot is not people
    }
    html = report.to_html()
    section = html[html.index('<h2 id="by-day">') :]
    section = section[: section.index("</section>")]
    assert "from 0.0% on 2026-11-23 to 50.0% on 2026-11-24" in unescape(section)
    rows = [re.sub(r"<[^>]+>", "|", row).strip("|").split("||") for row in re.findall(r"<tr>(.*?)</tr>", section)]
    assert rows[1:] == [
        ["2026-11-23", "4", "0", "0", "0", "0.0%"],
        ["2026-11-24", "1", "1", "0", "0", "50.0%"],
        ["2026-11-26", "3", "0", "1", "0", "25.0%"],
    ]
    assert "Tue 2026-11-24 (2)" in section


def test_no_days_without_by_day_or_for_a_single_day(days_log: Path, log: Path) -> None:
    assert browsercheck.audit([days_log]).by_day is None
    assert browsercheck.audit([log], by_day=True).by_day is None  # one day: nothing to chart
    assert 'id="by-day"' not in browsercheck.audit([log], by_day=True).to_html()


def test_days_of_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "app.jsonl"
    records = [("2026-11-27T10:00:00Z", CHROME_157), ("2026-11-28T10:00:00Z", CHROME_124)]
    path.write_text(
        "".join(json.dumps({"user_agent": ua, "remote_addr": "10.0.0.1", "time": t}) + "\n" for t, ua in records)
    )
    report = browsercheck.audit([path], log_format="json", by_day=True)
    assert [(day.isoformat(), counts[Status.OUTDATED]) for day, counts in (report.by_day or {}).items()] == [
        ("2026-11-27", 0),
        ("2026-11-28", 1),
    ]


def test_what_clients_sent_is_text_never_markup(tmp_path: Path) -> None:
    path = tmp_path / "hostile.log"
    path.write_text("".join(line(f"10.0.0.{i}", ua.replace('"', '\\"')) for i, ua in enumerate(HOSTILE.values())))
    html = browsercheck.audit([path]).to_html()
    page = Page(html)
    assert "img" not in {tag for tag, _ in page.tags}
    assert not any("onerror" in attrs for _, attrs in page.tags)
    text = "".join(page.text)
    assert HOSTILE["html"] in text  # shown as sent
    assert "\\x1b]0;pwned\\x07" in text and "\x1b" not in html and "\u202e" not in html


def test_the_empty_user_agent_and_uncounted_visitors_are_said(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(line("10.0.0.1", "-"))
    report = browsercheck.audit([path])
    assert "(empty User-Agent)" in report.to_html()
    html = AuditReport(**{**_fields(report), "visitors_counted": False}).to_html()
    assert "visitors not counted: the log has no client address" in html


def _fields(report: AuditReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in report.__dataclass_fields__}


def test_cli_writes_the_page(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--format", "html", str(log)]) == 0
    assert capsys.readouterr().out == browsercheck.audit([log]).to_html()


def test_a_report_of_50000_user_agents_weighs_under_2_mb() -> None:
    html = many_user_agents(50_000).to_html(top=10)
    assert len(html.encode("utf-8")) < 2_000_000
    assert "… and 9,990 more outdated User-Agents: --top 10000 to list them" in html


# -- in a real browser --------------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "media"), [("light", "screen"), ("dark", "screen"), ("light", "print")])
def test_the_page_in_chromium_is_accessible(
    chromium: Any, axe_js: str, tmp_path: Path, days_log: Path, lenient: Path, scheme: str, media: str
) -> None:
    html = browsercheck.audit([days_log], compare=lenient, by_day=True).to_html()
    assert 'id="by-day"' in html and 'id="compare"' in html
    page = chromium.new_page(viewport={"width": 1000, "height": 900}, color_scheme=scheme)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.emulate_media(media=media, color_scheme=scheme)
        page.set_content(html)
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.add_script_tag(content=axe_js)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        screenshot = tmp_path / f"audit-report-{scheme}-{media}.png"
        page.screenshot(path=str(screenshot), full_page=True)
        artifact(screenshot)
    finally:
        page.close()
    violations = [{"id": v["id"], "nodes": [n["html"] for n in v["nodes"]]} for v in result["violations"]]
    assert violations == [], json.dumps(violations, indent=2)
    assert len(result["passes"]) > 10, "axe ran its checks"
    dark = scheme == "dark" and media == "screen"
    assert body == ("rgb(22, 22, 26)" if dark else "rgb(255, 255, 255)")
    assert [url for url in requests if not url.startswith(("about:", "data:"))] == []
