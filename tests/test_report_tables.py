"""The report's tables say what they leave out, name the empty User-Agent, and explain a comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

import browsercheck
from browsercheck.cli import main

from .test_audit import CHROME_124, CHROME_157, IE11, line

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"


@pytest.fixture
def many_browsers(tmp_path: Path) -> Path:
    """People on 30 Firefox versions (90-119), one request each, and one who sent no User-Agent."""
    path = tmp_path / "access.log"
    lines = [line(f"10.0.1.{v}", FIREFOX.format(v=v)) for v in range(90, 120)]
    path.write_text("".join(lines) + line("10.0.2.1", "-"))
    return path


@pytest.mark.parametrize("form", ["to_text", "to_markdown"])
def test_a_cut_table_says_how_many_more_and_how_to_list_them(many_browsers: Path, form: str) -> None:
    text = getattr(browsercheck.audit([many_browsers]), form)(top=5)
    browsers = text.split("People, by browser and major version")[1].split("\n\n")[0]
    assert browsers.count("Firefox") == 5
    assert "... and 26 more browsers and versions: --top 31 to list them" in browsers  # 30 Firefox + unknown
    outdated = text.split("Top outdated User-Agents")[1].split("\n\n")[0]
    assert "... and 25 more outdated User-Agents: --top 30 to list them" in outdated


def test_an_uncut_table_says_nothing_more(many_browsers: Path) -> None:
    assert "more" not in browsercheck.audit([many_browsers]).to_text(top=100)


def test_top_applies_to_the_browser_table_from_the_cli(many_browsers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--top", "40", str(many_browsers)]) == 0
    browsers = capsys.readouterr().out.split("People, by browser and major version")[1].split("\n\n")[0]
    assert browsers.count("Firefox") == 30  # no silent cut at 20 rows


@pytest.mark.parametrize("form", ["to_text", "to_markdown"])
def test_the_empty_user_agent_is_named(many_browsers: Path, form: str) -> None:
    text = getattr(browsercheck.audit([many_browsers]), form)()
    unknown = text.split("Top unknown User-Agents")[1].split("\n\n")[0]
    assert "(empty User-Agent)" in unknown
    assert "(none)" not in text


def test_the_comparison_says_its_direction_and_which_browsers_change(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join([line("10.0.0.1", CHROME_157), line("10.0.0.2", CHROME_124), line("10.0.0.3", IE11)]))
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("name: Lenient\nbrowsers: {chrome: '>=100', ie: true}\n")
    report = browsercheck.audit([log], compare=lenient)
    text = report.to_text()
    assert "requests under Lenient" in text
    assert "(change: requests under Lenient minus under Baseline widely available, 2026-11-27;" in text
    changes = text.split("Browsers that change status under Lenient")[1].split("\n\n")[0].strip().splitlines()
    assert [row.split() for row in changes[2:]] == [
        ["Google", "Chrome", "124", "outdated", "->", "supported", "1"],
        ["Internet", "Explorer", "11", "unsupported", "->", "supported", "1"],
    ]
    assert [(c.name, c.status.value, c.compare_status.value) for c in report.status_changes] == [
        ("Google Chrome", "outdated", "supported"),
        ("Internet Explorer", "unsupported", "supported"),
    ]


def test_json_says_how_many_user_agents_it_does_not_list(many_browsers: Path) -> None:
    data = browsercheck.audit([many_browsers]).to_dict(top=5)
    assert len(data["top_user_agents"]["outdated"]) == 5
    assert data["user_agents_not_listed"] == {"outdated": 25, "unsupported": 0, "unknown": 0, "bot": 0}
