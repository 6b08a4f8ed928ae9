"""Log formats users bring, and the fields the audit reads from them: sample lines written here
from each format's documentation (AWS CloudFront and ALB, IIS, HAProxy, Caddy, Traefik)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

import browsercheck
from browsercheck import Status
from browsercheck.audit import _logread as logread
from browsercheck.cli import main

from .test_audit import CHROME_124, CHROME_157, IE11

IE11_WIN10 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def people(report: browsercheck.AuditReport) -> dict[str, tuple[str, int, int]]:
    return {u.user_agent: (u.status.value, u.requests, u.visitors) for u in report.user_agents}


# -- JSON lines: which field is which ---------------------------------------------------------------


def test_json_without_ua_field_finds_the_usual_name_and_says_which(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"userAgent": CHROME_157, "ip": "10.0.0.1"}, {"userAgent": IE11, "ip": "10.0.0.2"}]
    log = write(tmp_path, "app.jsonl", [json.dumps(r) for r in records])
    assert main(["audit", "--log-format", "json", str(log)]) == 0
    err = capsys.readouterr().err
    assert "User-Agent read from the JSON field 'userAgent'" in err
    assert "client address read from the JSON field 'ip'" in err


def test_json_without_a_user_agent_field_lists_the_fields_it_saw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write(tmp_path, "app.jsonl", [json.dumps({"client": {"agent_string": CHROME_157}, "path": "/"})])
    assert main(["audit", "--log-format", "json", str(log)]) == 2
    err = capsys.readouterr().err
    assert (
        "for the User-Agent; their fields are: client.agent_string, path (name the User-Agent's with --ua-field)" in err
    )
    assert "no line could be read" not in err  # the real problem, not "no line could be read as 'json'"


def test_addr_and_time_fields_of_json_lines(tmp_path: Path) -> None:
    records = [
        {"ua": CHROME_157, "peer": {"address": "10.0.0.1"}, "when": "2026-11-27T09:00:00Z"},
        {"ua": CHROME_157, "peer": {"address": "10.0.0.1"}, "when": "2026-11-27T09:30:00Z"},
        {"ua": CHROME_157, "peer": {"address": "10.0.0.2"}, "when": "2026-11-28T11:00:00Z"},
    ]
    log = write(tmp_path, "app.jsonl", [json.dumps(r) for r in records])
    report = browsercheck.audit([log], log_format="json", addr_field="peer.address", time_field="when")
    assert people(report) == {CHROME_157: ("supported", 3, 2)}
    assert (report.first.isoformat(), report.last.isoformat()) == (  # type: ignore[union-attr]
        "2026-11-27T09:00:00+00:00",
        "2026-11-28T11:00:00+00:00",
    )
    assert report.visitors_counted


@pytest.mark.parametrize("option", ["--addr-field", "--time-field", "--ua-field"])
def test_a_field_the_log_does_not_have_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    log = write(tmp_path, "app.jsonl", [json.dumps({"user_agent": CHROME_157, "remote_addr": "10.0.0.1"})])
    assert main(["audit", "--log-format", "json", option, "nope", str(log)]) == 2
    err = capsys.readouterr().err
    assert "have no field 'nope'" in err and "their fields are: user_agent, remote_addr" in err


def test_a_log_without_addresses_says_visitors_are_not_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write(tmp_path, "app.jsonl", [json.dumps({"user_agent": ua}) for ua in (CHROME_157, CHROME_157, IE11)])
    report = browsercheck.audit([log], log_format="json")
    assert not report.visitors_counted
    assert "visitors not counted: the log has no client address" in report.to_text()
    assert "not counted" in report.to_html().split('id="by-browser"')[1]
    assert main(["audit", "--log-format", "json", str(log)]) == 0
    captured = capsys.readouterr()
    assert "no client address field (tried remote_addr, " in captured.err
    table = captured.out.split("People, by status (bots apart)\n")[1].split("\n\n")[0]
    assert ["supported", "2", "66.7%", "-"] in [row.split() for row in table.splitlines()]


@pytest.mark.parametrize("addr_field", [None, "nope"], ids=["usual-names", "a-name-no-line-has"])
def test_json_on_standard_input_without_addresses_counts_no_visitors(
    monkeypatch: pytest.MonkeyPatch, addr_field: str | None
) -> None:
    # its fields cannot be looked at before it is read: no line's address is counted as a visitor
    lines = "".join(json.dumps({"user_agent": ua}) + "\n" for ua in (CHROME_157, CHROME_157, IE11))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    report = browsercheck.audit(["-"], log_format="json", addr_field=addr_field)
    assert report.requests == 3 and not report.visitors_counted
    assert "visitors not counted: no line read had a client address" in report.notes
    assert {u.visitors for u in report.user_agents} == {0}


def test_the_json_and_csv_reports_give_no_visitors_where_none_were_counted(tmp_path: Path) -> None:
    log = write(tmp_path, "app.jsonl", [json.dumps({"user_agent": ua}) for ua in (CHROME_157, CHROME_157, IE11)])
    report = browsercheck.audit([log], log_format="json")
    data = report.to_dict()
    assert data["visitors_counted"] is False
    assert {c["visitors"] for c in data["by_status"].values()} == {None}
    assert {b["visitors"] for b in data["by_browser"]} == {None}
    assert {u["visitors"] for rows in data["top_user_agents"].values() for u in rows} == {None}
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert rows and {row["visitors"] for row in rows} == {""}
    counted = browsercheck.audit(
        [write(tmp_path, "ip.jsonl", [json.dumps({"user_agent": IE11, "ip": "10.0.0.1"})])], log_format="json"
    )
    assert counted.to_dict()["by_status"]["unsupported"]["visitors"] == 1


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        (1_764_237_600, "2025-11-27T10:00:00+00:00"),  # seconds: Caddy's ts
        (1_764_237_600.5, "2025-11-27T10:00:00.500000+00:00"),
        (1_764_237_600_123, "2025-11-27T10:00:00.123000+00:00"),  # milliseconds: pino's time
        (1_764_237_600_123_456, "2025-11-27T10:00:00.123456+00:00"),  # microseconds
        (1e300, None),  # no time at all: the request still counts
        (int("1" * 400), None),  # an integer no float holds
    ],
    ids=["seconds", "fraction", "milliseconds", "microseconds", "no-time", "huge-integer"],
)
def test_a_json_time_as_a_number_since_1970(tmp_path: Path, time: float, expected: str | None) -> None:
    line = json.dumps({"user_agent": IE11, "ip": "10.0.0.1", "time": time})
    for workers in (1, 2):
        report = browsercheck.audit([write(tmp_path, "app.jsonl", [line, line])], log_format="json", workers=workers)
        assert (report.lines, report.malformed, report.requests) == (2, 0, 2)
        assert (report.first.isoformat() if report.first else None) == expected


def test_json_user_agents_are_read_as_sent(tmp_path: Path) -> None:
    # JSON's escapes are undone once, by JSON; bytes that are not UTF-8 (nginx's escape=json writes
    # them as they came) and an escaped lone surrogate keep their request, shown as escapes
    log = tmp_path / "app.jsonl"
    sent = "back\\slash x\\x22y"  # backslashes a client sent, which JSON escapes as \\\\
    log.write_bytes(
        json.dumps({"ip": "10.0.0.1", "user_agent": sent}).encode()
        + b'\n{"ip": "10.0.0.1", "user_agent": "caf\xe9/1.0"}\n'
        + b'{"ip": "10.0.0.1", "user_agent": "lone\\ud800/1.0"}\n'
    )
    report = browsercheck.audit([log], log_format="json")
    assert report.malformed == 0
    assert sorted(u.user_agent for u in report.user_agents) == [sent, "caf\\xe9/1.0", "lone\\ud800/1.0"]


def test_json_field_names_are_shown_with_their_control_characters_escaped(tmp_path: Path) -> None:
    log = write(tmp_path, "app.jsonl", [json.dumps({"\x1b]0;pwned\x07agent": "x"})])
    with pytest.raises(browsercheck.LogFormatError) as raised:
        browsercheck.audit([log], log_format="json")
    assert "\\x1b]0;pwned\\x07agent" in str(raised.value) and "\x1b" not in str(raised.value)


@pytest.mark.parametrize(
    ("pattern", "counted"),
    [(r"regex:(?P<addr>\S+) (?P<time>\S+) (?P<ua>.*)", True), (r"regex:\S+ (?P<time>\S+) (?P<ua>.*)", False)],
    ids=["with-addr", "without-addr"],
)
def test_regex_groups_addr_and_time(tmp_path: Path, pattern: str, counted: bool) -> None:
    log = write(
        tmp_path, "custom.log", [f"10.0.0.1 2026-11-27T09:00:00Z {IE11}", f"10.0.0.1 2026-11-27T10:00:00Z {IE11}"]
    )
    report = browsercheck.audit([log], log_format=pattern)
    assert report.visitors_counted is counted
    assert report.last is not None and report.last.hour == 10
    assert ("visitors not counted" in report.to_text()) is not counted


# -- formats users bring ------------------------------------------------------------------------------

IIS = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2026-11-27 09:00:00",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
    "cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
    "2026-11-27 09:00:01 10.0.0.5 GET / - 443 - 203.0.113.11 " + IE11_WIN10.replace(" ", "+") + " - 200 0 0 15",
    "2026-11-27 09:00:02 10.0.0.5 GET /app.css - 443 - 203.0.113.11 " + IE11_WIN10.replace(" ", "+") + " - 200 0 0 3",
    "2026-11-27 09:05:00 10.0.0.5 GET / - 443 - 203.0.113.12 " + CHROME_157.replace(" ", "+")
    + " https://www.example.org/ 200 0 0 9",
]  # fmt: skip

CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) "
    "cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken"
)


def cloudfront_line(when: str, addr: str, ua: str) -> str:
    date, time = when.split()
    quoted = ua.replace(" ", "%20")
    return "\t".join(
        [date, time, "ARN56-P1", "5120", addr, "GET", "d111111abcdef8.cloudfront.net", "/index.html", "200", "-",
         quoted, "-", "-", "Hit", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", "www.example.org",
         "https", "120", "0.001"]
    )  # fmt: skip


CLOUDFRONT = [
    "#Version: 1.0",
    "#Fields: " + CLOUDFRONT_FIELDS,
    cloudfront_line("2026-11-27 09:00:02", "203.0.113.12", CHROME_124),
    cloudfront_line("2026-11-27 09:10:00", "203.0.113.13", CHROME_157),
    cloudfront_line("2026-11-28 08:00:00", "203.0.113.13", CHROME_157),
]

ALB = [
    'http 2026-11-27T09:00:00.123456Z app/my-loadbalancer/50dc6c495c0c9188 203.0.113.20:2817 10.0.0.1:80 0.000 '
    f'0.001 0.000 200 200 34 366 "GET http://www.example.org:80/ HTTP/1.1" "{IE11_WIN10}" - - '
    'arn:aws:elasticloadbalancing:eu-north-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 '
    '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2026-11-27T09:00:00.122000Z "forward" "-" "-" '
    '"10.0.0.1:80" "200" "-" "-"',
    'h2 2026-11-27T09:01:00.000001Z app/my-loadbalancer/50dc6c495c0c9188 [2001:db8::7]:51000 10.0.0.1:80 0.000 '
    f'0.002 0.000 200 200 40 1200 "GET https://www.example.org:443/news HTTP/2.0" "{CHROME_157}" '
    'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-north-1:123456789012:targetgroup/'
    'my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.org" '
    '"arn:aws:acm:eu-north-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 '
    '2026-11-27T09:01:00.000000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-"',
]  # fmt: skip

HAPROXY = [
    "Nov 27 10:00:00 lb1 haproxy[2345]: 203.0.113.30:51234 [27/Nov/2026:10:00:00.123] www~ web/srv1 "
    f'0/0/1/2/3 200 5120 - - ---- 1/1/0/0/0 0/0 {{www.example.org|{CHROME_124}}} {{}} "GET / HTTP/1.1"',
    "Nov 27 10:00:05 lb1 haproxy[2345]: 203.0.113.30:51240 [27/Nov/2026:10:00:05.456] www~ web/srv2 "
    f'0/0/1/2/3 200 812 - - ---- 2/2/0/0/0 0/0 {{www.example.org|{CHROME_124}}} {{}} "GET /app.js HTTP/1.1"',
]  # fmt: skip

CADDY = [
    json.dumps({
        "level": "info", "ts": 1795770000.5, "logger": "http.log.access.log0", "msg": "handled request",
        "request": {"remote_ip": "203.0.113.40", "remote_port": "51000", "client_ip": "203.0.113.40",
                    "proto": "HTTP/2.0", "method": "GET", "host": "www.example.org", "uri": "/",
                    "headers": {"User-Agent": [IE11_WIN10], "Accept": ["text/html"]}},
        "bytes_read": 0, "duration": 0.0012, "size": 5120, "status": 200,
        "resp_headers": {"Content-Type": ["text/html; charset=utf-8"]},
    })
]  # fmt: skip

TRAEFIK = [
    json.dumps({
        "ClientAddr": "203.0.113.50:40112", "ClientHost": "203.0.113.50", "ClientPort": "40112",
        "DownstreamContentSize": 5120, "DownstreamStatus": 200, "Duration": 1200000, "RequestMethod": "GET",
        "RequestPath": "/", "RequestProtocol": "HTTP/1.1", "RouterName": "web@docker",
        "StartUTC": "2026-11-27T09:00:00.123456789Z", "request_User-Agent": CHROME_157,
        "level": "info", "msg": "", "time": "2026-11-27T10:00:00+01:00",
    })
]  # fmt: skip


@pytest.mark.parametrize(
    ("log_format", "lines", "expected", "first"),
    [
        ("w3c", IIS, {IE11_WIN10: ("unsupported", 2, 1), CHROME_157: ("supported", 1, 1)}, "2026-11-27T09:00:01"),
        ("cloudfront", CLOUDFRONT, {CHROME_157: ("supported", 2, 1), CHROME_124: ("outdated", 1, 1)},
         "2026-11-27T09:00:02"),
        ("alb", ALB, {IE11_WIN10: ("unsupported", 1, 1), CHROME_157: ("supported", 1, 1)}, "2026-11-27T09:00:00"),
        ("haproxy", HAPROXY, {CHROME_124: ("outdated", 2, 1)}, "2026-11-27T10:00:00"),
        ("caddy", CADDY, {IE11_WIN10: ("unsupported", 1, 1)}, "2026-11-27T"),
        ("traefik", TRAEFIK, {CHROME_157: ("supported", 1, 1)}, "2026-11-27T10:00:00"),
        ("json", CADDY, {IE11_WIN10: ("unsupported", 1, 1)}, "2026-11-27T"),  # found without naming it
        ("json", TRAEFIK, {CHROME_157: ("supported", 1, 1)}, "2026-11-27T10:00:00"),
    ],
    ids=["iis-w3c", "cloudfront", "aws-alb", "haproxy", "caddy", "traefik", "caddy-as-json", "traefik-as-json"],
)  # fmt: skip
def test_formats_users_bring(
    tmp_path: Path, log_format: str, lines: list[str], expected: dict[str, tuple[str, int, int]], first: str
) -> None:
    report = browsercheck.audit([write(tmp_path, "access.log", lines)], log_format=log_format)
    assert people(report) == expected
    assert report.malformed == 0
    assert report.requests == sum(requests for _, requests, _ in expected.values())  # directives are no requests
    assert report.first is not None and report.first.isoformat().startswith(first)
    assert report.visitors_counted


@pytest.mark.parametrize("marked", [0, 3], ids=["before-software", "before-fields"])
def test_an_iis_log_written_as_utf8_with_its_byte_order_mark(tmp_path: Path, marked: int) -> None:
    lines = [("\ufeff" + line if i == marked else line) for i, line in enumerate(IIS)]
    path = tmp_path / "u_ex261127.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = browsercheck.audit([path], log_format="w3c")
    assert (report.malformed, report.requests) == (0, 3)
    assert people(report)[IE11_WIN10] == ("unsupported", 2, 1)


def test_haproxy_lines_are_read_with_or_without_a_syslog_prefix(tmp_path: Path) -> None:
    bare = HAPROXY[0].split("haproxy[2345]: ", 1)[1]  # as HAProxy writes it to a file of its own
    assert bare.startswith("203.0.113.30:51234 [")
    report = browsercheck.audit([write(tmp_path, "haproxy.log", [HAPROXY[0], bare])], log_format="haproxy")
    assert people(report) == {CHROME_124: ("outdated", 2, 1)} and report.malformed == 0


def test_a_w3c_log_split_into_byte_ranges_reads_every_part_by_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [cloudfront_line(f"2026-11-27 09:{i // 60 % 60:02}:{i % 60:02}", f"203.0.{i // 250}.{i % 250}",
                            CHROME_124 if i % 3 else CHROME_157) for i in range(6000)]  # fmt: skip
    log = write(tmp_path, "cloudfront.log", ["#Version: 1.0", "#Fields: " + CLOUDFRONT_FIELDS, *rows])
    monkeypatch.setattr(logread, "CHUNK_SIZE", 16 * 1024)  # many ranges: only the first holds the header
    one = browsercheck.audit([log], log_format="cloudfront", workers=1)
    two = browsercheck.audit([log], log_format="cloudfront", workers=2)
    assert people(one) == people(two) == {CHROME_124: ("outdated", 4000, 4000), CHROME_157: ("supported", 2000, 2000)}
    assert two.malformed == 0 and two.lines == 6000
    gz = tmp_path / "cloudfront.log.gz"  # CloudFront delivers its logs gzipped
    gz.write_bytes(gzip.compress(log.read_bytes()))
    assert people(browsercheck.audit([gz], log_format="cloudfront")) == people(one)


def test_a_w3c_log_on_standard_input_or_without_user_agents_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("\n".join(IIS).encode())))
    assert main(["audit", "--log-format", "w3c", "-"]) == 2
    assert "give the log as a file" in capsys.readouterr().err
    log = write(tmp_path, "iis.log", ["#Fields: date time c-ip cs-uri-stem", "2026-11-27 09:00:00 203.0.113.1 /"])
    assert main(["audit", "--log-format", "w3c", str(log)]) == 2
    assert "has no cs(User-Agent)" in capsys.readouterr().err


def test_an_unknown_format_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(browsercheck.LogFormatError, match="'w3c' \\(IIS\\), 'cloudfront', or one of alb, caddy"):
        browsercheck.audit([write(tmp_path, "a.log", ["x"])], log_format="apache")


def test_statuses_are_the_judges(tmp_path: Path) -> None:
    report = browsercheck.audit([write(tmp_path, "access.log", ALB)], log_format="alb")
    assert {u.status for u in report.user_agents} == {Status.UNSUPPORTED, Status.SUPPORTED}


def test_json_on_standard_input_without_a_user_agent_field_says_to_name_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"path": "/", "agent_string": "x"}\n')))
    assert main(["audit", "--log-format", "json", "-"]) == 2
    assert "none had a User-Agent field of a usual name: name it with --ua-field" in capsys.readouterr().err
