"""Access-log formats: where the User-Agent, the client address and the time are in a line.

``combined`` (nginx's and Apache's default) is read by a fast path in `_tally`; every other format
becomes a `LineFormat` that takes one line (bytes, no newline) to its fields, or to ``None`` when
the line is malformed. Fields stay bytes as logged; `unescape` undoes the servers' escaping.

Formats whose fields are named in the log (JSON lines, W3C extended) learn them from its first
lines before counting (`_logfields`). Presets name the formats of AWS ALB, HAProxy, Caddy and
Traefik.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote_to_bytes

from .._errors import LogFormatError as LogFormatError

COMBINED = "combined"
COMBINED_TEMPLATE = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
)
COMMON = "common"
JSON = "json"
REGEX_PREFIX = "regex:"
W3C = "w3c"
CLOUDFRONT = "cloudfront"
DEFAULT_UA_FIELDS = (
    "http_user_agent", "user_agent", "userAgent", "ua", "agent", "user_agent.original",
    "request.headers.user-agent", "request.headers.User-Agent", "request_User-Agent", "httpRequest.userAgent",
    "http.request.headers.user-agent", "headers.user-agent", "headers.User-Agent",
)  # fmt: skip
"""Where JSON logs keep the User-Agent: nginx's and Apache's variables, common app loggers, Caddy
(``request.headers.User-Agent``, a list), Traefik, Google Cloud, Elastic Common Schema."""
DEFAULT_ADDR_FIELDS = (
    "remote_addr", "client_ip", "clientip", "ip", "addr", "remote_host", "request.remote_ip", "request.client_ip",
    "ClientHost", "httpRequest.remoteIp", "client.ip", "source.ip",
)  # fmt: skip
DEFAULT_TIME_FIELDS = ("time_local", "time_iso8601", "time", "timestamp", "@timestamp", "ts", "StartUTC")
PRESETS = {
    "caddy": ("json", "request.headers.User-Agent", "request.remote_ip", "ts"),
    "traefik": ("json", "request_User-Agent", "ClientHost", "time"),  # StartUTC has nanoseconds
    # AWS Application Load Balancer: type time elb client:port target:port 3 times, 2 statuses,
    # 2 sizes, "request" "user_agent" ...
    "alb": (
        r"regex:^\S+ (?P<time>\S+) \S+ (?P<addr>\S+):\d+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ "
        r'"(?:[^"\\]|\\.)*" "(?P<ua>(?:[^"\\]|\\.)*)"',
        "",
        "",
        "",
    ),
    # HAProxy's "option httplog": client:port [accept date] frontend backend/server timers status
    # bytes cookies termination connections queues {captured request headers} ...; the User-Agent
    # is the last captured request header ("capture request header User-Agent len 256"). The
    # address is tried only after a space (or at the line's start), and the date's brackets hold at
    # most 64 characters: a line that does not match costs time linear in its length, not quadratic.
    "haproxy": (
        r"regex:(?:.*? )?(?P<addr>\S+):\d+ \[(?P<time>[^\]]{1,64})\] \S+ \S+ \S+ -?\d+ \S+ \S+ \S+ \S+ \S+ \S+ "
        r"\{(?:[^|}]*\|)*(?P<ua>[^|}]*)\}",
        "",
        "",
        "",
    ),
}
"""Named formats: (format, User-Agent field, address field, time field)."""
_HAPROXY_TIME = re.compile(rb"(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d)(?:\.\d+)?")

_QUOTED = rb'(?:[^"\\]*(?:\\.[^"\\]*)*)'  # a quoted field's content, with \" escapes (unrolled: fast)
_VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")
_FIELD_GROUPS = {"http_user_agent": "ua", "remote_addr": "addr", "time_local": "time", "time_iso8601": "time"}
_ESCAPE = re.compile(rb"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Fields:
    ua: bytes | None
    addr: bytes
    time: bytes | None


@dataclass(frozen=True)
class LineFormat:
    """A format read line by line: a regex with named groups ``ua`` (``addr``, ``time``), JSON
    lines, or W3C extended (space- or tab-separated fields named by a ``#Fields:`` header)."""

    name: str
    pattern: re.Pattern[bytes] | None = None
    ua_fields: tuple[str, ...] = DEFAULT_UA_FIELDS
    """JSON: the fields tried for the User-Agent, in order (one once `resolve`d)."""
    addr_fields: tuple[str, ...] = DEFAULT_ADDR_FIELDS
    time_fields: tuple[str, ...] = DEFAULT_TIME_FIELDS
    columns: tuple[str, ...] = ()
    """W3C: the fields of a line, from its ``#Fields:`` header."""
    explicit: tuple[str, ...] = ()
    """Which of "ua", "addr", "time" the user named (a missing one is then an error)."""
    gives_address: bool = True
    """False when the format has no client address: visitors cannot be counted."""
    notes: tuple[str, ...] = ()
    """What `resolve` found, for the user: which fields it read."""

    def parse(self, line: bytes) -> Fields | None:
        if self.pattern is not None:
            m = self.pattern.match(line)
            if m is None:
                return None
            groups = m.groupdict()
            when = groups.get("time")
            if when is not None and self.name == "haproxy" and (t := _HAPROXY_TIME.match(when)):
                when = t.group(1) + b" +0000"  # HAProxy logs local time without a zone: read as UTC
            return Fields(groups["ua"], groups.get("addr") or b"", when)
        if self.columns:
            return _parse_w3c(line, self.columns, self.name == CLOUDFRONT)
        return _parse_json(line, self)

    def data_lines(self, lines: list[bytes]) -> list[bytes]:
        """``lines`` without a W3C log's directives (``#Version:``, ``#Fields:``, ...): they are no requests."""
        if not self.columns:
            return lines
        return [line for line in lines if not line.startswith((b"#", _BOM + b"#"))]


def _parse_json(line: bytes, fmt: LineFormat) -> Fields | None:
    """A JSON record's fields; a record with no User-Agent field at all is malformed."""
    try:
        # bytes that are not UTF-8 (nginx's escape=json writes them as they came) kept as surrogates,
        # and given back as the same bytes: the request is counted, its User-Agent as sent
        record = json.loads(line.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None
    if not isinstance(record, dict):
        return None
    present = [value for name in fmt.ua_fields if (value := _value(record, name)) is not _MISSING]
    if not present or not (present[0] is None or isinstance(present[0], str)):
        return None
    ua = present[0]
    addr = next((v for f in fmt.addr_fields if (v := _value(record, f)) is not _MISSING), None)
    when = next((v for f in fmt.time_fields if (v := _value(record, f)) is not _MISSING), None)
    if isinstance(when, int | float) and not isinstance(when, bool):  # Caddy's "ts": seconds since 1970
        when = _from_epoch(when)
    return Fields(
        as_logged(_encoded(ua)) if ua is not None else None,
        _encoded(str(addr)) if addr is not None else b"",
        _encoded(str(when)) if when is not None else None,
    )


def _encoded(text: str) -> bytes:
    """A JSON string's bytes as the log had them (its bytes that were not UTF-8 came in as
    surrogates); a lone surrogate it escaped (``"\\ud800"``) stays written so."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


_MISSING = object()
_BOM = b"\xef\xbb\xbf"
"""UTF-8's byte order mark, which a W3C log written as UTF-8 may start with."""


def as_logged(ua: bytes) -> bytes:
    """A User-Agent read whole from a field (JSON, W3C) written as a server logs one, escapes and
    all: `ua_text` undoes a server's escapes (``\\x22``, ``\\\\``) once, and must give it back as it
    was (a backslash in it stays one)."""
    return ua.replace(b"\\", b"\\\\") if b"\\" in ua else ua


def _from_epoch(value: float) -> str | None:
    """A time logged as a number since 1970, in ISO 8601: seconds (Caddy's ``ts``), or, where the
    number is too large for seconds (after 2286), milliseconds (pino's ``time``), microseconds or
    nanoseconds. ``None`` where it is no time at all (NaN, infinite, out of range): the request
    still counts."""
    try:
        for scale in (1, 1e3, 1e6, 1e9):
            if abs(seconds := value / scale) < 1e10:
                return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat()
    except (ValueError, OverflowError, OSError):  # an integer of 309 digits is no float
        pass
    return None


def _lookup(record: dict[str, Any], path: str) -> Any:
    """``record["a"]["b"]`` for ``"a.b"``; a key with a dot in it is tried whole first."""
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _value(record: dict[str, Any], path: str) -> Any:
    """A field's value; a list of one header's values (Caddy logs headers so) is its first."""
    value = _lookup(record, path)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _parse_w3c(line: bytes, columns: tuple[str, ...], cloudfront: bool) -> Fields | None:
    """A W3C extended line: CloudFront separates fields by tabs and percent-encodes the User-Agent;
    IIS separates them by spaces and writes a User-Agent's spaces as ``+``."""
    values = line.split(b"\t") if b"\t" in line else line.split(b" ")
    if len(values) != len(columns):
        return None
    fields = dict(zip(columns, values, strict=True))
    ua = fields.get("cs(User-Agent)")
    if ua is None:
        return None
    ua = as_logged(unquote_to_bytes(ua) if cloudfront else ua.replace(b"+", b" "))
    when = None
    if "date" in fields and "time" in fields:
        when = fields["date"] + b"T" + fields["time"] + b"+00:00"  # W3C logs are in UTC
    return Fields(ua, fields.get("c-ip", b""), when)


def line_format(
    spec: str, *, ua_field: str | None = None, addr_field: str | None = None, time_field: str | None = None
) -> LineFormat | None:
    """The `LineFormat` for a ``--log-format`` value; ``None`` for ``combined`` (the fast path).

    Raises `LogFormatError` for a format that has no User-Agent or cannot be compiled.
    """
    if spec in PRESETS:
        base, ua, addr, when = PRESETS[spec]
        fmt = line_format(base, ua_field=ua_field or ua or None, addr_field=addr_field or addr or None,
                          time_field=time_field or when or None)  # fmt: skip
        return replace(fmt, name=spec) if fmt is not None else None
    if spec == COMBINED:
        return None
    if spec == COMMON:
        raise LogFormatError(
            "the 'common' log format has no User-Agent field, so there is nothing to judge: "
            "log in 'combined' format (nginx's and Apache's default) or give a format with $http_user_agent"
        )
    if spec == JSON:
        named = {"ua": ua_field, "addr": addr_field, "time": time_field}
        return LineFormat(
            JSON,
            ua_fields=(ua_field,) if ua_field else DEFAULT_UA_FIELDS,
            addr_fields=(addr_field,) if addr_field else DEFAULT_ADDR_FIELDS,
            time_fields=(time_field,) if time_field else DEFAULT_TIME_FIELDS,
            explicit=tuple(k for k, v in named.items() if v),
        )
    if spec in (W3C, CLOUDFRONT):
        return LineFormat(spec, columns=("#unresolved",))
    if spec.startswith(REGEX_PREFIX):
        pattern = _user_regex(spec[len(REGEX_PREFIX) :])
        return LineFormat("regex", pattern, gives_address="addr" in pattern.groupindex)
    if "$" in spec:
        pattern = template_regex(spec)
        return LineFormat("template", pattern, gives_address="addr" in pattern.groupindex)
    raise LogFormatError(
        f"unknown log format {spec!r}: use 'combined', an nginx log_format template "
        "('$remote_addr ... \"$http_user_agent\"'), 'regex:' with a named group 'ua', 'json', "
        f"'w3c' (IIS), 'cloudfront', or one of {', '.join(sorted(PRESETS))}"
    )


def _user_regex(pattern: str) -> re.Pattern[bytes]:
    try:
        compiled = re.compile(pattern.encode("utf-8"))
    except re.error as e:
        raise LogFormatError(f"invalid regex {pattern!r}: {e}") from None
    if "ua" not in compiled.groupindex:
        raise LogFormatError(f"the regex {pattern!r} has no named group 'ua': write (?P<ua>...) around the User-Agent")
    return compiled


def template_regex(template: str) -> re.Pattern[bytes]:
    """An nginx ``log_format`` (or Apache-style ``$var``) template as a regex over a log line."""
    parts: list[bytes] = []
    used: set[str] = set()
    position = 0
    for m in _VARIABLE.finditer(template):
        literal = template[position : m.start()]
        parts.append(re.escape(literal.encode("utf-8")))
        name = m.group(1) or m.group(2)
        group = _FIELD_GROUPS.get(name)
        quoted = literal.endswith('"') and template[m.end() : m.end() + 1] == '"'
        bracketed = literal.endswith("[") and template[m.end() : m.end() + 1] == "]"
        body = _QUOTED if quoted else rb"[^\]]*" if bracketed else rb"\S*"
        if group is not None and group not in used:
            used.add(group)
            parts.append(b"(?P<" + group.encode() + b">" + body + b")")
        else:
            parts.append(b"(?:" + body + b")")
        position = m.end()
    parts.append(re.escape(template[position:].encode("utf-8")))
    if "ua" not in used:
        raise LogFormatError(f"the log format {template!r} has no $http_user_agent: there is nothing to judge")
    return re.compile(b"".join(parts) + rb"\s*$")


def unescape(field: bytes) -> bytes:
    """A logged field as it was sent: nginx's ``\\x22`` and Apache's ``\\"`` escapes undone."""
    if b"\\" not in field:
        return field
    return _ESCAPE.sub(_unescape_one, field)


def _unescape_one(m: re.Match[bytes]) -> bytes:
    escaped = m.group(1)
    if escaped[:1] == b"x" and len(escaped) == 3:
        return bytes([int(escaped[1:], 16)])
    return {b"n": b"\n", b"t": b"\t", b"r": b"\r"}.get(escaped, escaped)


def decode(field: bytes) -> str:
    """Text for a logged field; bytes that are not UTF-8 survive as ``\\xNN`` escapes."""
    return field.decode("utf-8", "backslashreplace")
