"""Access-log formats: where the User-Agent, the client address and the time are in a line.

``combined`` (nginx's and Apache's default) is read by a fast path in `_tally`; every other format
becomes a `LineFormat` that takes one line (bytes, no newline) to its fields, or to ``None`` when
the line is malformed. Fields stay bytes as logged; `unescape` undoes the servers' escaping.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .._errors import LogFormatError as LogFormatError

COMBINED = "combined"
COMBINED_TEMPLATE = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
)
COMMON = "common"
JSON = "json"
REGEX_PREFIX = "regex:"
DEFAULT_UA_FIELDS = ("http_user_agent", "user_agent", "userAgent", "ua", "agent")
DEFAULT_ADDR_FIELDS = ("remote_addr", "client_ip", "clientip", "ip", "addr", "remote_host")
DEFAULT_TIME_FIELDS = ("time_local", "time_iso8601", "time", "timestamp", "@timestamp")

_QUOTED = rb'(?:[^"\\]*(?:\\.[^"\\]*)*)'  # a quoted field's content, with \" escapes (unrolled: fast)
_VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")
_FIELD_GROUPS = {"http_user_agent": "ua", "remote_addr": "addr", "time_local": "time", "time_iso8601": "time"}
_ESCAPE = re.compile(rb"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Fields:
    ua: bytes | None
    addr: bytes
    time: bytes | None


class LineFormat:
    """A format read line by line: a regex with named groups ``ua`` (``addr``, ``time``), or JSON."""

    def __init__(self, name: str, pattern: re.Pattern[bytes] | None = None, ua_field: str = "") -> None:
        self.name = name
        self._pattern = pattern
        self._ua_field = ua_field

    def parse(self, line: bytes) -> Fields | None:
        if self._pattern is not None:
            m = self._pattern.match(line)
            if m is None:
                return None
            groups = m.groupdict()
            return Fields(groups["ua"], groups.get("addr") or b"", groups.get("time"))
        return _parse_json(line, self._ua_field)


def _parse_json(line: bytes, ua_field: str) -> Fields | None:
    """A JSON record's fields; a record with no User-Agent field at all is malformed."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None
    if not isinstance(record, dict):
        return None
    names = (ua_field,) if ua_field else DEFAULT_UA_FIELDS
    found = [_lookup(record, name) for name in names]
    present = [value for value in found if value is not _MISSING]
    if not present or not (present[0] is None or isinstance(present[0], str)):
        return None
    ua = present[0]
    addr = next((v for f in DEFAULT_ADDR_FIELDS if (v := _lookup(record, f)) is not _MISSING), None)
    when = next((v for f in DEFAULT_TIME_FIELDS if (v := _lookup(record, f)) is not _MISSING), None)
    return Fields(
        ua.encode("utf-8", "surrogateescape") if ua is not None else None,
        str(addr).encode("utf-8", "surrogateescape") if addr is not None else b"",
        str(when).encode("utf-8", "surrogateescape") if when is not None else None,
    )


_MISSING = object()


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


def line_format(spec: str, *, ua_field: str | None = None) -> LineFormat | None:
    """The `LineFormat` for a ``--log-format`` value; ``None`` for ``combined`` (the fast path).

    Raises `LogFormatError` for a format that has no User-Agent or cannot be compiled.
    """
    if spec == COMBINED:
        return None
    if spec == COMMON:
        raise LogFormatError(
            "the 'common' log format has no User-Agent field, so there is nothing to judge: "
            "log in 'combined' format (nginx's and Apache's default) or give a format with $http_user_agent"
        )
    if spec == JSON:
        return LineFormat(JSON, ua_field=ua_field or "")
    if spec.startswith(REGEX_PREFIX):
        return LineFormat("regex", _user_regex(spec[len(REGEX_PREFIX) :]))
    if "$" in spec:
        return LineFormat("template", template_regex(spec))
    raise LogFormatError(
        f"unknown log format {spec!r}: use 'combined', an nginx log_format template "
        "('$remote_addr ... \"$http_user_agent\"'), 'regex:' with a named group 'ua', or 'json'"
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
