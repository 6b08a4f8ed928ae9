"""An audit's report: the numbers, and their terminal, Markdown, CSV and JSON forms.

User-Agents and malformed lines are what clients sent: the text forms show their control
characters as escapes (`visible`), Markdown escapes its own and HTML's special characters too, and
CSV keeps a spreadsheet from reading a cell as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._model import Status, slots_maker
from .._visible import visible

NO_ADDRESS = "the log has no client address"

HUMAN = (Status.SUPPORTED, Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN)


@dataclass(frozen=True, slots=True)
class UserAgentStats:
    """One distinct User-Agent of the log, its traffic and its verdict."""

    user_agent: str
    requests: int
    visitors: int
    status: Status
    browser: str | None
    name: str
    major: str | None
    compare_status: Status | None = None


make_stats: Callable[[str, int, int, Status, str | None, str, str | None, Status | None], UserAgentStats] = slots_maker(
    UserAgentStats,
    ("user_agent", "requests", "visitors", "status", "browser", "name", "major", "compare_status"),
)
"""``UserAgentStats(...)``, its fields in their order, faster (as `make_client` makes a Client): a
report has a row per distinct User-Agent (28,000 rows: 0.06 s through ``__init__``)."""


@dataclass(frozen=True, slots=True)
class Count:
    requests: int
    visitors: int
    share: float
    """Of people's requests (bots: of all requests)."""


@dataclass(frozen=True, slots=True)
class BrowserCount:
    browser: str | None
    name: str
    major: str | None
    status: Status
    requests: int
    visitors: int
    share: float
    """Of people's requests."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """People of one browser and major version whose status the compared policy changes."""

    browser: str | None
    name: str
    major: str | None
    status: Status
    compare_status: Status
    requests: int
    visitors: int


EMPTY_USER_AGENT = "(empty User-Agent)"
"""How reports show a request that sent no User-Agent (logged as ``-`` or ``""``)."""


@dataclass(frozen=True)
class AuditReport:
    """What `browsercheck.audit` found. ``user_agents`` has every distinct User-Agent, busiest first."""

    policy: str
    compare_policy: str | None
    sources: tuple[str, ...]
    lines: int
    malformed: int
    malformed_examples: tuple[str, ...]
    first: datetime.datetime | None
    last: datetime.datetime | None
    user_agents: tuple[UserAgentStats, ...]
    visitors_sampled: bool = False
    """True when the log had more distinct visitors than are counted exactly: visitors are estimates."""
    visitors_counted: bool = True
    """False when the log format gives no client address: ``visitors`` then count User-Agents, not people."""
    seconds: float = field(default=0.0, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
    """What the audit found out about the log's format (which JSON fields it read), for the user."""
    minimums: Mapping[str, str | bool] = field(default_factory=dict)
    by_day: Mapping[datetime.date, Mapping[Status, int]] | None = field(default=None, compare=False)
    """People's requests per status per day (``audit(by_day=True)`` on a log that spans days)."""
    """The policy's rules: per browser key its minimum version, ``False`` (unsupported) or ``True``."""

    @property
    def requests(self) -> int:
        """Lines that could be read (the malformed ones left out)."""
        return self.lines - self.malformed

    @property
    def human_requests(self) -> int:
        return sum(u.requests for u in self.user_agents if u.status is not Status.BOT)

    @property
    def by_status(self) -> dict[Status, Count]:
        """Requests and visitors per status; shares of people's requests, bots' of all requests."""
        return self._by_status(lambda u: u.status)

    @property
    def compared_by_status(self) -> dict[Status, Count] | None:
        """``by_status`` under the ``compare`` policy, or ``None`` without one."""
        if self.compare_policy is None:
            return None
        return self._by_status(lambda u: u.compare_status or u.status)

    def _by_status(self, status_of: Any) -> dict[Status, Count]:
        requests: dict[Status, int] = defaultdict(int)
        visitors: dict[Status, int] = defaultdict(int)
        for u in self.user_agents:
            requests[status_of(u)] += u.requests
            visitors[status_of(u)] += u.visitors
        people = sum(requests[s] for s in HUMAN) or 1
        everyone = sum(requests.values()) or 1
        return {
            s: Count(requests[s], visitors[s], requests[s] / (everyone if s is Status.BOT else people))
            for s in (*HUMAN, Status.BOT)
        }

    @property
    def by_browser(self) -> list[BrowserCount]:
        """People's requests per browser and major version, busiest first."""
        groups: dict[tuple[str | None, str, str | None, Status], list[int]] = defaultdict(lambda: [0, 0])
        for u in self.user_agents:
            if u.status is not Status.BOT:
                group = groups[(u.browser, u.name, u.major, u.status)]
                group[0] += u.requests
                group[1] += u.visitors
        people = self.human_requests or 1
        rows = [BrowserCount(b, n, m, s, r, v, r / people) for (b, n, m, s), (r, v) in groups.items()]
        return sorted(rows, key=lambda row: (-row.requests, row.name, row.major or ""))

    @property
    def status_changes(self) -> list[StatusChange]:
        """People's browsers whose status differs under the ``compare`` policy, busiest first."""
        groups: dict[tuple[str | None, str, str | None, Status, Status], list[int]] = defaultdict(lambda: [0, 0])
        for u in self.user_agents:
            if u.compare_status is not None and u.compare_status is not u.status and u.status is not Status.BOT:
                group = groups[(u.browser, u.name, u.major, u.status, u.compare_status)]
                group[0] += u.requests
                group[1] += u.visitors
        rows = [StatusChange(b, n, m, s, c, r, v) for (b, n, m, s, c), (r, v) in groups.items()]
        return sorted(rows, key=lambda row: (-row.requests, row.name, row.major or ""))

    def top_user_agents(self, status: Status | str | None = None, n: int = 10) -> list[UserAgentStats]:
        """The busiest distinct User-Agents, of one status if given."""
        wanted = Status(status) if status is not None else None
        return [u for u in self.user_agents if wanted is None or u.status is wanted][:n]

    # -- forms -------------------------------------------------------------------------------------------

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        """The report as JSON's types; visitors ``None`` where the log had no client address."""
        compared = self.compared_by_status
        visitors = self._visitors
        return {
            "policy": self.policy,
            "compare_policy": self.compare_policy,
            "sources": list(self.sources),
            "lines": self.lines,
            "requests": self.requests,
            "human_requests": self.human_requests,
            "malformed": {"lines": self.malformed, "examples": list(self.malformed_examples)},
            "time_span": {
                "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None,
            },
            "distinct_user_agents": len(self.user_agents),
            "visitors_sampled": self.visitors_sampled,
            "visitors_counted": self.visitors_counted,
            "by_status": {s.value: _count(c, visitors(c.visitors)) for s, c in self.by_status.items()},
            "compared_by_status": (
                {s.value: _count(c, visitors(c.visitors)) for s, c in compared.items()} if compared else None
            ),
            "by_browser": [
                {
                    "browser": b.browser,
                    "name": b.name,
                    "major": b.major,
                    "status": b.status.value,
                    "requests": b.requests,
                    "visitors": visitors(b.visitors),
                    "share": round(b.share, 6),
                }
                for b in self.by_browser
            ],
            "top_user_agents": {
                s.value: [
                    {
                        "user_agent": u.user_agent,
                        "requests": u.requests,
                        "visitors": visitors(u.visitors),
                        "browser": u.browser,
                    }
                    for u in self.top_user_agents(s, top)
                ]
                for s in (Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN, Status.BOT)
            },
            "user_agents_not_listed": {  # no silent cut: how many more each list has beyond ``top``
                s.value: max(0, sum(1 for u in self.user_agents if u.status is s) - top)
                for s in (Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN, Status.BOT)
            },
        }

    def to_json(self, top: int = 10) -> str:
        return json.dumps(self.to_dict(top), ensure_ascii=False, indent=2) + "\n"

    def to_csv(self, top: int = 10) -> str:
        """One table: a row per status, per browser and major version, and per top User-Agent (its
        visitors empty where the log had no client address)."""

        def visitors(n: int) -> Any:
            return self._visitors(n, missing="")

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        rows: list[list[Any]] = [
            ["section", "status", "browser", "name", "major", "requests", "visitors", "share", "user_agent"]
        ]
        for s, c in self.by_status.items():
            rows.append(["status", s.value, "", "", "", c.requests, visitors(c.visitors), f"{c.share:.6f}", ""])
        compared = self.compared_by_status
        for s, c in (compared or {}).items():
            rows.append(["compare_status", s.value, "", "", "", c.requests, visitors(c.visitors), f"{c.share:.6f}", ""])
        for b in self.by_browser:
            row = ["browser", b.status.value, b.browser or "", b.name, b.major or "", b.requests, visitors(b.visitors)]
            rows.append([*row, f"{b.share:.6f}", ""])
        for s in (Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN, Status.BOT):
            for u in self.top_user_agents(s, top):
                row = ["top_user_agent", s.value, u.browser or "", u.name, u.major or "", u.requests]
                rows.append([*row, visitors(u.visitors), "", u.user_agent])
        writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
        return out.getvalue()

    def _visitors(self, count: int, missing: Any = None) -> Any:
        """``count``, or ``missing`` where the log had no client address (no visitor was counted)."""
        return count if self.visitors_counted else missing

    def to_html(self, top: int = 10) -> str:
        """One self-contained, accessible page with charts (no script; nothing fetched)."""
        from ._html_report import render

        return render(self, top)

    def to_markdown(self, top: int = 10) -> str:
        return _render(self, top, markdown=True)

    def to_text(self, top: int = 10) -> str:
        return _render(self, top, markdown=False)


def _count(c: Count, visitors: int | None) -> dict[str, Any]:
    return {"requests": c.requests, "visitors": visitors, "share": round(c.share, 6)}


def _csv_cell(value: Any) -> Any:
    """Text with its control characters visible, and never a formula: a spreadsheet reads a cell
    that starts with = + - @ as one (OWASP's "CSV injection"), so such a cell starts with ' instead."""
    if not isinstance(value, str):
        return value
    text = visible(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&"})
"""Characters that start Markdown or HTML inside a table cell, backslash-escaped (CommonMark)."""


def _markdown(text: str) -> str:
    """Text for a Markdown cell: control characters visible, then Markdown's and HTML's escaped."""
    return visible(text).translate(_MARKDOWN)


def _table(headers: list[str], rows: list[list[str]], markdown: bool, right: set[int]) -> list[str]:
    """Cells come escaped for their form (`_render`)."""
    if markdown:
        lines = ["| " + " | ".join(headers) + " |"]
        lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return lines
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _code(text: str) -> str:
    """A User-Agent as a Markdown code span in a table cell: shown literally, so that neither its
    HTML, its Markdown nor a bare URL in it (which GitHub would link) takes effect. A code span
    undoes no backslash escapes, so its fence is longer than any run of backticks inside, and only
    ``|`` is escaped (GitHub's tables read ``\\|`` as ``|`` inside code spans too)."""
    shown = visible(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith(("`", " ")) or shown.endswith(("`", " ")) else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def _more(shown: int, total: int, what: str) -> list[str]:
    """The line that says a table was cut, and how to see the rest."""
    if total <= shown:
        return []
    return [f"... and {total - shown:,} more {what}: --top {total} to list them"]


def _render(report: AuditReport, top: int, markdown: bool) -> str:
    h = "## " if markdown else ""
    text = _markdown if markdown else visible  # for every string that came from a log, a policy or a path
    agent = _code if markdown else visible
    lines = []
    title = f"browsercheck audit: {text(report.policy)}"
    lines += [f"# {title}" if markdown else title, ""]
    span = ""
    if report.first and report.last:
        span = f", {report.first:%Y-%m-%d %H:%M} to {report.last:%Y-%m-%d %H:%M}"
    lines.append(
        f"{report.requests:,} requests from {', '.join(map(text, report.sources))}{span}; "
        f"{len(report.user_agents):,} distinct User-Agents; "
        f"{report.malformed:,} malformed line{'' if report.malformed == 1 else 's'}"
    )
    if not report.visitors_counted:
        lines.append(f"visitors not counted: {NO_ADDRESS}")
    elif report.visitors_sampled:
        lines.append("(visitors are estimated from a sample: the log has more than are counted exactly)")
    counted = report.visitors_counted

    def people(n: int) -> str:
        return f"{n:,}" if counted else "-"

    lines += ["", f"{h}People, by status (bots apart)"]
    rows = []
    compared = report.compared_by_status
    for s, c in report.by_status.items():
        row = [s.value, f"{c.requests:,}", _pct(c.share), people(c.visitors)]
        if compared:
            other = compared[s]
            row += [f"{other.requests:,}", _pct(other.share), f"{other.requests - c.requests:+,}"]
        rows.append(row)
    headers = ["status", "requests", "share", "visitors"]
    if compared:
        headers += [f"requests under {text(report.compare_policy or '')}", "share", "change"]
    lines += _table(headers, rows, markdown, right=set(range(1, len(headers))))
    lines += ["", "(bots' share is of all requests)"]
    if compared:
        lines.append(
            f"(change: requests under {text(report.compare_policy or '')} minus under {text(report.policy)}; "
            "+ means more requests would have that status)"
        )
    lines += ["", f"{h}People, by browser and major version"]
    browsers = report.by_browser
    browser_rows = [
        [text(b.name), text(b.major or ""), b.status.value, f"{b.requests:,}", _pct(b.share), people(b.visitors)]
        for b in browsers[:top]
    ]
    lines += _table(["browser", "major", "status", "requests", "share", "visitors"], browser_rows, markdown, {3, 4, 5})
    lines += _more(len(browser_rows), len(browsers), "browsers and versions")
    if compared:
        changes = report.status_changes
        lines += ["", f"{h}Browsers that change status under {text(report.compare_policy or '')}"]
        if changes:
            change_rows = [
                [text(c.name), text(c.major or ""), f"{c.status.value} -> {c.compare_status.value}", f"{c.requests:,}"]
                for c in changes[:top]
            ]
            lines += _table(["browser", "major", "status", "requests"], change_rows, markdown, {3})
            lines += _more(len(change_rows), len(changes), "browsers and versions")
        else:
            lines.append("none: every browser keeps its status")
    for s in (Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN):
        every = report.top_user_agents(s, len(report.user_agents))
        if every:
            lines += ["", f"{h}Top {s.value} User-Agents"]
            ua_rows = [
                [f"{u.requests:,}", agent(u.user_agent) if u.user_agent else EMPTY_USER_AGENT] for u in every[:top]
            ]
            lines += _table(["requests", "user agent"], ua_rows, markdown, {0})
            lines += _more(len(ua_rows), len(every), f"{s.value} User-Agents")
    if report.malformed_examples:
        lines += ["", f"{h}Malformed lines (examples)"]
        lines += [f"    {visible(e)}" for e in report.malformed_examples]  # indented: a code block in Markdown too
        if report.malformed > len(report.malformed_examples):
            lines.append(f"... and {report.malformed - len(report.malformed_examples):,} more malformed lines")
    return "\n".join(lines) + "\n"
