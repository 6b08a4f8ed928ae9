"""`browsercheck policy suggest`: the tightest policy under which at most a share of people are notified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import browsercheck
from browsercheck import Status
from browsercheck.audit._report import AuditReport
from browsercheck.audit._suggest import SuggestError, parse_share
from browsercheck.cli import main
from make_log import write_log

from .test_audit import GOOGLEBOT, IE11, line

TODAY = "2026-11-27"


def notified(report: AuditReport) -> float:
    """The share of people (visitors that are not bots) shown the notice."""
    people = sum(
        report.by_status[s].visitors for s in (Status.SUPPORTED, Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN)
    )
    return sum(report.by_status[s].visitors for s in (Status.OUTDATED, Status.UNSUPPORTED)) / people


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suggest") / "access.log"
    write_log(path, 6000, user_agents=300)
    return path


def suggested(log: Path, share: str, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    assert main(["policy", "suggest", str(log), "--notify-at-most", share, "--date", TODAY, *more]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("share", ["2%", "10%"])
def test_the_suggestion_notifies_at_most_the_share_and_no_minimum_can_rise(
    log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], share: str
) -> None:
    text = suggested(log, share, capsys)
    target = float(share.rstrip("%")) / 100
    policy = tmp_path / "suggested.yaml"
    policy.write_text(text)
    browsercheck.load_policy(policy)  # a valid policy
    assert notified(browsercheck.audit([log], policy)) <= target
    browsers = yaml.safe_load(text)["browsers"]
    comments = {row.split(":")[0].strip(): row for row in text.splitlines() if row.startswith("  ")}
    raised = 0
    for key, value in browsers.items():
        if not isinstance(value, str) or "the newest version people use" in comments[key]:
            continue
        if "no people on it" in comments[key]:
            continue
        tighter = dict(browsers, **{key: f">={int(value.removeprefix('>=')) + 1}"})
        policy.write_text(yaml.safe_dump({"name": "tighter", "browsers": tighter}))
        assert notified(browsercheck.audit([log], policy)) > target, f"{key} could rise above {value}"
        raised += 1
    assert raised >= 3  # the log has Chrome, Firefox, Safari, Edge, Samsung Internet ... people


def test_each_rule_says_the_share_it_notifies(log: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = json.loads(suggested(log, "5%", capsys, "--format", "json"))
    shares = data["suggested"]["notifies"]
    assert sum(shares.values()) == pytest.approx(data["suggested"]["notified"], abs=1e-5)
    assert data["suggested"]["notified"] <= 0.05
    policy = tmp_path / "suggested.json"  # the JSON form is a policy too (YAML reads JSON)
    policy.write_text(json.dumps({k: v for k, v in data.items() if k != "suggested"}))
    assert notified(browsercheck.audit([log], policy)) == pytest.approx(data["suggested"]["notified"], abs=1e-6)
    text = suggested(log, "5%", capsys)
    chrome = next(row for row in text.splitlines() if row.startswith("  chrome:"))
    assert f"# notifies {100 * shares['chrome']:.2f}%" in chrome


def test_a_base_policy_is_the_start_and_its_unsupported_browsers_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "access.log"
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0.0.0 Safari/537.36"
    )
    lines = [line(f"10.0.{v}.{i}", chrome.format(v)) for v in range(150, 159) for i in range(10)]  # 90 people
    lines += [line("10.1.0.1", IE11), line("10.1.0.2", GOOGLEBOT)]
    log.write_text("".join(lines))
    base = tmp_path / "base.yaml"
    base.write_text("name: Ours\nbrowsers: {chrome: '>=100', ie: false}\n")
    text = suggested(log, "25%", capsys, "--base", str(base))
    browsers = yaml.safe_load(text)["browsers"]
    # 91 people: IE (1) is notified whatever; 22 more fit: Chrome 150 and 151 (20), not 152 too
    assert browsers == {"chrome": ">=152", "ie": False}
    assert "# notifies 21.98%" in text and "ie: false" in text


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("150%", "between 0% and 100%, got '150%'"),
        ("-1%", "between 0% and 100%, got '-1%'"),
        ("two", "a percentage such as 2% or 0.5%, got 'two'"),
    ],
    ids=["above-100", "negative", "not-a-number"],
)
def test_a_bad_share_exits_2_naming_it(log: Path, capsys: pytest.CaptureFixture[str], share: str, message: str) -> None:
    assert main(["policy", "suggest", str(log), f"--notify-at-most={share}"]) == 2  # "=": -1% is no option
    assert message in capsys.readouterr().err
    with pytest.raises(SuggestError):
        parse_share(share)


def test_a_log_without_people_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "bots.log"
    log.write_text(line("10.0.0.1", GOOGLEBOT))
    assert main(["policy", "suggest", str(log), "--notify-at-most", "2%"]) == 2
    assert "the log has no people in it" in capsys.readouterr().err


def test_a_share_that_cannot_be_met_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "ie.log"
    log.write_text(line("10.0.0.1", IE11))
    assert main(["policy", "suggest", str(log), "--notify-at-most", "0%"]) == 2
    assert "100.00% are notified whatever the minimums" in capsys.readouterr().err
