"""`audit --counts`: tables of requests and visitors per User-Agent that a SQL engine counted give
the report the raw audit gives. The README's DuckDB recipe runs here, on a generated log."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

import browsercheck
from browsercheck.cli import main
from make_log import write_log

README = Path(__file__).parents[1] / "README.md"
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0"


def recipe(marker: str) -> str:
    """The fenced block of the README whose first line is ``marker``."""
    for block in re.findall(r"```\w+\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        if block.startswith(marker):
            return str(block)
    raise AssertionError(f"no README block starts with {marker!r}")


def per_status(report: browsercheck.AuditReport) -> dict[str, tuple[int, int]]:
    return {status.value: (c.requests, c.visitors) for status, c in report.by_status.items()}


def test_the_readme_duckdb_recipe_counts_what_the_audit_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra")
    write_log(tmp_path / "access.log", 20_000, user_agents=2000)
    monkeypatch.chdir(tmp_path)  # the recipe reads access.log and writes counts.csv here
    duckdb.connect().execute(recipe("-- DuckDB"))
    raw = browsercheck.audit(["access.log"], workers=1)
    counted = browsercheck.audit(["counts.csv"], counts=True)
    assert per_status(counted) == per_status(raw)
    assert counted.requests == raw.requests and counted.malformed == 0
    assert {s.user_agent: (s.requests, s.visitors) for s in counted.user_agents} == {
        s.user_agent: (s.requests, s.visitors) for s in raw.user_agents
    }
    assert main(["audit", "--counts", "--format", "json", "counts.csv"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == json.loads(raw.to_json())["by_status"]


ROWS = [
    {"user_agent": IE11, "requests": 30, "visitors": 3},
    {"user_agent": FIREFOX, "requests": 70, "visitors": 7},
    {"user_agent": "-", "requests": 5, "visitors": 1},
]


def write_table(path: Path, rows: list[dict[str, Any]]) -> Path:
    if path.suffix == ".csv":
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".parquet":
        pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_each_kind_of_table_gives_the_same_report(tmp_path: Path, suffix: str) -> None:
    report = browsercheck.audit([write_table(tmp_path / f"counts{suffix}", ROWS)], counts=True)
    assert (report.lines, report.requests, report.malformed) == (105, 105, 0)
    stats = {s.user_agent: (s.requests, s.visitors, s.status.value) for s in report.user_agents}
    assert stats == {IE11: (30, 3, "unsupported"), FIREFOX: (70, 7, "supported"), "": (5, 1, "unknown")}


def test_tables_of_one_user_agent_add_up_and_visitors_are_optional(tmp_path: Path) -> None:
    one = write_table(tmp_path / "day1.csv", ROWS)
    two = write_table(tmp_path / "day2.jsonl", [{"user_agent": IE11, "requests": 10}])
    report = browsercheck.audit([one, two], counts=True)
    assert {s.user_agent: (s.requests, s.visitors) for s in report.user_agents}[IE11] == (40, 3)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("no_requests.csv", "user_agent,visitors\nx,1\n", "no column 'requests'", id="missing-column"),
        pytest.param("no_ua.jsonl", '{"requests": 1}\n', "line 1: no column 'user_agent'", id="missing-column-json"),
        pytest.param("words.csv", "user_agent,requests\nx,many\n", "line 2: requests is not a count", id="not-numeric"),
        pytest.param(
            "negative.csv", "user_agent,requests,visitors\nx,5,-1\n", "visitors is not a count", id="negative"
        ),
        pytest.param("fraction.jsonl", '{"user_agent": "x", "requests": 1.5}\n', "1.5", id="fraction"),
        pytest.param("superscript.csv", "user_agent,requests\nx,\u00b2\n", "'\u00b2'", id="a-digit-int-refuses"),
        pytest.param("bool.jsonl", '{"user_agent": "x", "requests": true}\n', "True", id="boolean"),
        pytest.param("broken.jsonl", '{"user_agent": \n', "line 1: not JSON", id="not-json"),
        pytest.param("deep.jsonl", "[" * 100_000 + "\n", "line 1: not a row", id="nested-too-deep"),
        pytest.param(
            "long.csv", 'user_agent,requests\n"' + "x" * 140_000 + '",3\n', "not CSV: field larger", id="long-field"
        ),
        pytest.param("counts.xlsx", "", "unknown kind of table '.xlsx'", id="unknown-suffix"),
        pytest.param("missing.csv", None, "cannot read", id="missing-file"),
    ],
)
def test_a_table_that_cannot_be_used_is_named_and_nothing_is_printed(
    tmp_path: Path, name: str, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(browsercheck.CountsTableError, match=re.escape(message)):
        browsercheck.audit([path], counts=True)
    assert main(["audit", "--counts", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and str(path) in err and message in err


def test_an_empty_table_is_no_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("user_agent,requests\n")
    assert main(["audit", "--counts", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "count no request" in err


def test_parquet_without_pyarrow_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    path = tmp_path / "counts.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(browsercheck.MissingExtraError, match="pip install pyarrow"):
        browsercheck.audit([path], counts=True)


def test_a_csv_table_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Excel and PowerShell write one before the first column's name
    path = tmp_path / "counts.csv"
    path.write_text(f"user_agent,requests,visitors\n{IE11},10,4\n", encoding="utf-8-sig")
    report = browsercheck.audit([path], counts=True)
    assert [(u.user_agent, u.requests, u.visitors) for u in report.user_agents] == [(IE11, 10, 4)]


def test_a_table_without_visitors_says_visitors_are_not_counted(tmp_path: Path) -> None:
    table = write_table(tmp_path / "counts.jsonl", [{"user_agent": IE11, "requests": 10}])
    report = browsercheck.audit([table], counts=True)
    assert not report.visitors_counted and "visitors not counted" in report.to_text()
    with_visitors = browsercheck.audit([write_table(tmp_path / "counts.csv", ROWS)], counts=True)
    assert with_visitors.visitors_counted and with_visitors.notes == ()


def test_the_html_report_of_counts_draws_the_policys_minimums_and_says_it_has_no_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = write_table(tmp_path / "counts.csv", ROWS)
    report = browsercheck.audit([table], counts=True, by_day=True)
    write_log(tmp_path / "a.log", 10)
    assert report.minimums == browsercheck.audit([tmp_path / "a.log"], workers=1).minimums
    assert report.minimums["ie"] is False and report.by_day is None
    assert main(["audit", "--counts", "--format", "html", str(table)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("<!DOCTYPE html>") and 'id="by-day"' not in out and "Firefox" in out
    assert "people per day not charted: tables of counts have no times" in err
