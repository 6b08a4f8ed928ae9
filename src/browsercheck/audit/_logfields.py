"""Formats whose fields are named in the log, fixed from its first lines before counting.

JSON lines: which field holds the User-Agent, the client address, the time (the user's names, or
the first of the usual ones that the first lines have). W3C extended logs (AWS CloudFront, IIS):
the columns of the ``#Fields:`` header. Fixed once, in this process, every byte range of a file,
counted by any process, reads its lines alike (only the first range holds the header). A later
``#Fields:`` line that names other columns (IIS after a restart with other settings) is not
followed: its lines are read by the first header's columns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .._visible import visible
from ._logformats import _BOM, _MISSING, JSON, PRESETS, LineFormat, LogFormatError, _lookup
from ._logread import Source, chunks


def resolve_for(fmt: LineFormat | None, sources: Sequence[Source]) -> LineFormat | None:
    """`resolve` on the first lines of the first log that is a file (not a stream)."""
    if not learns_fields(fmt):
        return fmt
    return resolve(fmt, first_lines(sources))


def learns_fields(fmt: LineFormat | None) -> bool:
    """Whether ``fmt`` (JSON lines, a W3C log) takes its fields from the log's first lines."""
    return fmt is not None and bool(fmt.columns or fmt.name == JSON or PRESETS.get(fmt.name, ("",))[0] == JSON)


def first_lines(sources: Sequence[Source], count: int = 20) -> list[bytes]:
    """Up to ``count`` lines from the start of the first log that can be read twice (a file)."""
    source = next((s for s in sources if not s.streamed), None)
    if source is None:
        return []
    for chunk in chunks(source):  # the first chunk: at least one whole line, decompressed
        return bytes(chunk[: 1 << 20]).split(b"\n", count)[:count]
    return []


def resolve(fmt: LineFormat | None, first_lines: Sequence[bytes]) -> LineFormat | None:
    """``fmt`` with its fields fixed from the first lines of the first log (the first name tried
    that any of them has): which JSON fields hold
    the User-Agent, address and time, or a W3C log's columns. Raises `LogFormatError` when the log
    has none of them (naming what it has). Without lines (a stream) JSON tries every usual name on
    every line, and a W3C log cannot be read."""
    if fmt is None:
        return None
    if fmt.columns:
        return _resolve_w3c(fmt, first_lines)
    if fmt.name not in (JSON, *[k for k, v in PRESETS.items() if v[0] == JSON]):
        return fmt
    records = [r for line in first_lines if isinstance(r := _json(line), dict)]
    if not records:
        return fmt  # no JSON object to learn from: every line is tried, and malformed ones counted
    names = list(dict.fromkeys(name for record in records for name in _names(record)))[:40]
    notes: list[str] = []
    found: dict[str, tuple[str, ...]] = {}
    for kind, tried, what in (
        ("ua", fmt.ua_fields, "User-Agent"),
        ("addr", fmt.addr_fields, "client address"),
        ("time", fmt.time_fields, "time"),
    ):
        name = next((n for n in tried if any(_lookup(r, n) is not _MISSING for r in records)), None)
        option = f"--{kind}-field"
        if name is None and (kind in fmt.explicit or kind == "ua"):
            tried_text = f"no field {tried[0]!r}" if kind in fmt.explicit else f"none of {', '.join(tried)}"
            raise LogFormatError(
                f"the first JSON lines have {tried_text} for the {what}; their fields are: "
                + (visible(", ".join(names)) or "none")
                + (f" (name the {what}'s with {option})" if kind not in fmt.explicit else "")
            )
        found[kind] = (name,) if name else ()
        if name is not None and kind not in fmt.explicit:
            notes.append(f"{what} read from the JSON field {name!r}")
        elif name is None and kind == "addr":
            notes.append(
                f"no client address field (tried {', '.join(tried)}): visitors not counted; name it with {option}"
            )
    return replace(
        fmt,
        ua_fields=found["ua"],
        addr_fields=found["addr"],
        time_fields=found["time"],
        gives_address=bool(found["addr"]),
        notes=tuple(notes),
    )


def _json(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _names(record: dict[str, Any], prefix: str = "", depth: int = 0) -> list[str]:
    """A record's field names as dotted paths (three levels): for an error message."""
    names: list[str] = []
    for key, value in record.items():
        if isinstance(value, dict) and value and depth < 2:
            names += _names(value, f"{prefix}{key}.", depth + 1)
        else:
            names.append(f"{prefix}{key}")
    return names


def _resolve_w3c(fmt: LineFormat, first_lines: Sequence[bytes]) -> LineFormat:
    lines = (line.removeprefix(_BOM) for line in first_lines)  # a log written as UTF-8 may start with its mark
    header = next((line for line in lines if line.startswith(b"#Fields:")), None)
    if header is None:
        raise LogFormatError(
            f"a {fmt.name!r} log starts with a '#Fields:' line naming its fields; the first log has none "
            "(standard input cannot be looked at before it is read: give the log as a file)"
        )
    columns = tuple(header[len(b"#Fields:") :].decode("ascii", "replace").split())
    if "cs(User-Agent)" not in columns:
        raise LogFormatError(
            f"the log's '#Fields:' has no cs(User-Agent): there is nothing to judge ({visible(' '.join(columns))})"
        )
    return replace(fmt, columns=columns, gives_address="c-ip" in columns)
