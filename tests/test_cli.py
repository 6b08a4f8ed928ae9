"""The command line, called as main([...])."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from browsercheck.cli import main

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_124 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)


def test_check_prints_a_readable_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", CHROME_124]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "outdated: Google Chrome 124.0.0.0 on Windows 10"
    assert "  policy:     Baseline widely available, 2026-11-27 (rule: chrome >=125)" in out
    assert "  - Google Chrome 124.0.0.0 does not meet chrome >=125" in out


def test_check_json_from_stdin_one_line_per_input_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{IE11}\n\ncurl/8.5.0\r\n"))
    assert main(["check", "--json", "-"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["status"] for r in rows] == ["unsupported", "unknown", "bot"]
    assert [r["user_agent"] for r in rows] == [IE11, "", "curl/8.5.0"]
    first = rows[0]
    assert first["browser"] == {"key": "ie", "name": "Internet Explorer", "version": "11.0"}
    assert first["os"] == {"name": "Windows", "version": "10"}
    assert first["engine"] == {"name": "trident", "version": "11.0"}
    assert first["device"] == "desktop"
    assert first["reasons"] == ["Internet Explorer is unsupported by the policy (ie: false)"]


def test_check_with_own_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("name: Lenient\nbrowsers: {chrome: '>=100', ie: true}\n")
    assert main(["check", "--policy", str(policy), "--json", CHROME_124, IE11]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["status"], r["policy"]) for r in rows] == [("supported", "Lenient"), ("supported", "Lenient")]


def test_check_with_broken_policy_exits_2_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("browsers: {chrom: 125}\n")
    assert main(["check", "--policy", str(policy), CHROME_124]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{policy}:1: browsers.chrom: unknown browser 'chrom' (did you mean 'chrome'?)" in captured.err


def test_policy_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: Good\nbrowsers: {chrome: 125}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("browsers:\n  chrome: '>=x'\nunknown: maybe\n")
    assert main(["policy", "validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok ('Good', 1 browser rule)\n"
    assert main(["policy", "validate", str(good), str(bad)]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"2 problems in policy {bad}:",
        f"  {bad}:2: browsers.chrome: invalid version specifier '>=x'",
        f"  {bad}:3: unknown: expected 'allow' or 'notify', got 'maybe'",
    ]


def test_shipped_policy_validates(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parents[1] / "data" / "supported_browsers.yaml"
    assert main(["policy", "validate", str(path)]) == 0


@pytest.mark.parametrize("argv", [[], ["check"], ["nonsense"], ["policy"], ["check", "--bogus", "x"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as e:  # argparse exits itself on usage errors
        code = int(e.code or 0)
    assert code == 2
    assert capsys.readouterr().err


SAFARI_16 = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Safari/605.1.15"
)


def test_check_prints_the_swedish_notice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--lang", "sv", "--site", "haninge.se", SAFARI_16]) == 0
    out = capsys.readouterr().out
    assert "  notice (sv):\n  | Hej! Du använder en gammal webbläsare\n  |\n" in out
    assert "  | Inom kort kommer vissa funktioner på haninge.se inte fungera" in out


def test_check_json_carries_the_notice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--lang", "en", "--json", IE11, "curl/8.5.0"]) == 0
    old, bot = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert old["notice"]["title"] == "Hi! Your browser does not work here"
    assert old["notice"]["locale"] == "en"
    assert old["notice"]["html"].startswith("<style>")
    assert bot["notice"] is None


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["notice", "--lang", "sv"], "Hej! Du använder en gammal webbläsare\n\nInom kort kommer vissa funktioner"),
        (["notice", "--lang", "en", "--status", "unsupported"], "Hi! Your browser does not work here\n\n"),
    ],
)
def test_notice_preview_text(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(expected)


def test_notice_preview_html_is_a_whole_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "--lang", "sv", "--status", "unsupported", "--format", "html", "--site", "haninge.se"]) == 0
    page = capsys.readouterr().out
    assert page.startswith('<!DOCTYPE html>\n<html lang="sv" dir="ltr">')
    assert '<section class="browsercheck-notice browsercheck-notice--unsupported"' in page
    assert "Den här webbläsaren fungerar inte med <bdi>haninge.se</bdi>." in page


def test_notice_preview_json_for_a_real_user_agent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "--ua", CHROME_124, "--format", "json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["advice"]) == ("outdated", "update_or_switch")


def test_notice_for_a_bot_says_it_gets_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "--ua", "curl/8.5.0"]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "no notice: curl is a bot (a crawler, link preview or HTTP client), and bots are never shown one\n"
    )
    assert captured.err == ""


def test_check_with_client_hints_headers(capsys: pytest.CaptureFixture[str]) -> None:
    chrome_137 = CHROME_124.replace("124.0.0.0", "137.0.0.0")
    brave = 'Sec-CH-UA: "Brave";v="137", "Chromium";v="137", "Not/A)Brand";v="24"'
    assert main(["check", "--json", "--header", brave, "-H", 'Sec-CH-UA-Platform: "Windows"', chrome_137]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["browser"]["key"], row["from_hints"]) == ("brave", ["browser", "version"])


def test_check_with_a_malformed_header_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--header", "no colon here", CHROME_124]) == 2
    assert "--header needs 'Name: value', got 'no colon here'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "notice"])
def test_a_language_without_a_catalog_is_said_on_stderr(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [command, IE11, "--lang", "xx-YY"] if command == "check" else [command, "--lang", "xx-YY"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("browsercheck: no notice catalog for 'xx-YY': the notice is in 'en' (catalogs: ar,")
    assert "Hi! " in captured.out  # English, as said


@pytest.mark.parametrize("lang", ["fi-FI", "ar-SE", "no", "de-AT"])
def test_a_language_with_a_catalog_is_used_without_a_word(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "--lang", lang]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "Hi! " not in captured.out


def test_notice_preview_page_marks_its_own_text_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "--lang", "fa", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert '<html lang="fa" dir="rtl">' in page
    assert '<main lang="en" dir="ltr">' in page


def test_check_shows_control_characters_of_a_user_agent_as_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "Mozilla/5.0 \x1b]0;pwned\x07\x1b[2J"]) == 0
    out = capsys.readouterr().out
    assert "  user agent: Mozilla/5.0 \\x1b]0;pwned\\x07\\x1b[2J\n" in out
    assert "\x1b" not in out and "\x07" not in out
