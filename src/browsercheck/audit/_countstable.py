"""Counts that a SQL engine made: tables of requests (and visitors) per User-Agent.

What ``SELECT user_agent, count(*) AS requests, count(DISTINCT client_ip) AS visitors FROM logs
GROUP BY user_agent`` gives in BigQuery, Athena, Spark SQL, DuckDB or ClickHouse, saved as CSV
(with a header), JSON lines, or Parquet (with pyarrow): the audit then judges each User-Agent once
and reports as it does for logs. Rows of one User-Agent add up (tables per day or per shard):
their requests exactly, their visitors as visitor-days or visitor-shards (each table counted its
own distinct visitors). A table without ``visitors`` counts none.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, cast

from .._errors import CountsTableError, MissingExtraError
from ._audit import Counts

REQUIRED = ("user_agent", "requests")
OPTIONAL = ("visitors",)


def read_counts(paths: Sequence[str | os.PathLike[str]]) -> Counts:
    """The `Counts` of the tables at ``paths`` (``.csv``, ``.jsonl``/``.ndjson``/``.json``,
    ``.parquet``; ``.gz`` for the text ones). Raises `CountsTableError` naming the file, row and
    column of anything that is not a count, `MissingExtraError` for Parquet without pyarrow."""
    if not paths:
        raise ValueError("--counts needs at least one table")
    totals: dict[str, list[int]] = {}
    has_visitors = False
    for path in paths:
        name = os.fspath(path)
        for row_name, row in _rows(name):
            ua, requests, visitors = _row(name, row_name, row)
            has_visitors = has_visitors or "visitors" in row
            seen = totals.setdefault(ua, [0, 0])
            seen[0] += requests
            seen[1] += visitors
    return Counts(
        user_agents={ua: (requests, visitors) for ua, (requests, visitors) in totals.items()},
        lines=sum(requests for requests, _ in totals.values()),
        visitors_counted=has_visitors or not totals,
        notes=() if has_visitors or not totals else ("visitors not counted: the tables have no visitors column",),
    )


def _rows(name: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, row) of the table, ``where`` as a message names it: ``line 3``, ``row 3``."""
    base = name[:-3] if name.endswith(".gz") else name
    kind = os.path.splitext(base)[1].lower()
    if kind == ".parquet":
        yield from _parquet_rows(name)
        return
    if kind not in (".csv", ".jsonl", ".ndjson", ".json"):
        raise CountsTableError(f"{name}: unknown kind of table {kind or '(no suffix)'!r}: use .csv, .jsonl or .parquet")
    try:
        raw = cast(IO[bytes], gzip.open(name) if name.endswith(".gz") else open(name, "rb"))  # noqa: SIM115
    except OSError as e:
        raise CountsTableError(f"{name}: cannot read: {e.strerror or e}") from None
    # "utf-8-sig": a byte order mark that Excel and PowerShell write is not part of the first column's name
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text:
        try:
            if kind == ".csv":
                yield from _csv_rows(name, text)
            else:
                yield from _json_rows(name, text)
        except (OSError, EOFError) as e:
            raise CountsTableError(f"{name}: cannot read: {e}") from None


def _csv_rows(name: str, text: Iterable[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    reader = csv.DictReader(text)
    try:
        _check_columns(name, reader.fieldnames or [])
        for row in reader:
            yield f"line {reader.line_num}", row
    except csv.Error as e:  # a field over the csv module's limit (128 KiB), a NUL where it reads none
        raise CountsTableError(f"{name}: after line {reader.line_num}: not CSV: {e}") from None


def _json_rows(name: str, text: Iterable[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for number, line in enumerate(text, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            raise CountsTableError(f"{name}: line {number}: not JSON: {e}") from None
        except RecursionError:
            raise CountsTableError(f"{name}: line {number}: not a row: nested deeper than Python reads") from None
        if not isinstance(row, dict):
            raise CountsTableError(f"{name}: line {number}: not a JSON object: {line.strip()[:80]!r}")
        _check_columns(name, row.keys(), f"line {number}: ")
        yield f"line {number}", row


def _parquet_rows(name: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError(f"{name}: reading Parquet needs pyarrow: pip install pyarrow") from None
    try:
        table = pq.read_table(name)
    except (OSError, ValueError) as e:
        raise CountsTableError(f"{name}: cannot read as Parquet: {e}") from None
    _check_columns(name, table.column_names)
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c in table.column_names]
    for number, row in enumerate(table.select(columns).to_pylist(), 1):
        yield f"row {number}", row


def _check_columns(name: str, columns: Iterable[str], where: str = "") -> None:
    have = set(columns)
    missing = [c for c in REQUIRED if c not in have]
    if missing:
        shown = ", ".join(sorted(have)) or "none"
        raise CountsTableError(
            f"{name}: {where}no column {' or '.join(map(repr, missing))} (columns: {shown}); a table of counts"
            " has user_agent, requests and optionally visitors"
        )


def _row(name: str, where: str, row: Mapping[str, Any]) -> tuple[str, int, int]:
    ua = row.get("user_agent")
    if ua is None or ua == "-":
        ua = ""  # none sent, as a log's "-"
    elif not isinstance(ua, str):
        raise CountsTableError(f"{name}: {where}: user_agent is not text: {ua!r:.80}")
    requests = _count(name, where, "requests", row.get("requests"))
    visitors = _count(name, where, "visitors", row.get("visitors"), missing_is_zero=True)
    return ua, requests, visitors


def _count(name: str, where: str, column: str, value: Any, missing_is_zero: bool = False) -> int:
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)  # a CSV's count, as nearly all are: no pattern matched (a third of the read)
    if missing_is_zero and (value is None or value == ""):
        return 0
    number = _whole_number(value)
    if number is None or number < 0:
        raise CountsTableError(f"{name}: {where}: {column} is not a count (a whole number, 0 or more): {value!r:.80}")
    return number


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None  # an int to Python, not a count to anyone
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # what JSON writers make of a SQL engine's big counts: 1.2e6
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


_DIGITS = re.compile(r"\s*[0-9]+\s*")
