"""The audit as one HTML page: charts for a meeting's screen, tables for the record.

Self-contained: inline CSS and SVG, no script, and nothing fetched (no font, image or stylesheet),
so it works offline and as a mail attachment. Light and dark follow ``prefers-color-scheme``; print
gives black on white without cutting a chart in two. Every chart is an image with a text
alternative, followed by its data as a table. Everything a client sent (User-Agents, malformed
lines) is HTML-escaped, its control characters shown as escapes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from html import escape

from .._model import Status
from .._policy import release
from .._visible import visible
from ._charts import Bar, Segment, bar_chart, stacked_chart
from ._report import EMPTY_USER_AGENT, HUMAN, NO_ADDRESS, AuditReport, BrowserCount, Count

BROWSER_CHARTS = 8
"""Browsers charted by major version, busiest first (every one is in the table)."""
MAJORS_CHARTED = 16
"""Rows of a browser's chart; its older versions are drawn as one row."""

_CSS = """
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#4a4a55;--line:#c9c9d2;--rule:#1b1b1f;
--supported:#1d7a3a;--outdated:#b35c00;--unsupported:#b3261e;--unknown:#5b5b6b;--bot:#3a5fa8;--mixed:#8a8a99}
@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--bg:#16161a;--muted:#b9b9c6;--line:#3c3c46;--rule:#ececf1;
--supported:#4cc26f;--outdated:#f0a040;--unsupported:#ff7a70;--unknown:#a3a3b5;--bot:#86a8f0;--mixed:#77778a}}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;max-width:60rem;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.1rem}.muted{color:var(--muted)}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid var(--line);padding:.2rem .6rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;word-break:break-all}
figure{margin:1rem 0;break-inside:avoid}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:0 1.5rem;align-items:start}
.pair figcaption{grid-column:1/-1}.pair table{font-size:.8rem;margin:0}
@media (max-width:50rem){.pair{grid-template-columns:1fr}}.chart{max-width:48rem;display:block}
.chart text{fill:var(--fg);font-size:15px;font-family:inherit}.chart .on-bar{fill:#fff;font-weight:600}
.chart .rule{stroke:var(--rule);stroke-width:2;stroke-dasharray:6 4}.chart .rule-label{font-weight:600}
.bar-supported{fill:var(--supported)}.bar-outdated{fill:var(--outdated)}.bar-unsupported{fill:var(--unsupported)}
.bar-unknown{fill:var(--unknown)}.bar-bot{fill:var(--bot)}.bar-mixed{fill:var(--mixed)}
.more{font-style:italic;color:var(--muted)}
@media (prefers-color-scheme:dark){.chart .on-bar{fill:#16161a}}
@media print{:root{--fg:#000;--bg:#fff;--muted:#333;--rule:#000}body{max-width:none;font-size:11pt}
h2{break-after:avoid}table,figure{break-inside:avoid}}
"""


def render(report: AuditReport, top: int) -> str:
    browsers = report.by_browser
    parts = [_head(report), "<main>", _summary(report)]
    parts.append(_status_section(report))
    if report.by_day and len(report.by_day) > 1:
        parts.append(_day_section(report, top))
    parts.append(_browser_section(report, browsers, top))
    if report.compare_policy is not None:
        parts.append(_compare_section(report, top))
    parts.append(_user_agent_sections(report, top))
    parts.append(_malformed_section(report))
    parts.append(_sources_section(report))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _text(value: str) -> str:
    """Client-sent or user-given text for HTML: control characters shown, specials escaped."""
    return escape(visible(value))


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _head(report: AuditReport) -> str:
    title = f"browsercheck audit: {report.policy}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_text(title)}</h1><p class="muted">{_text(_span(report))}</p></header>'
    )


def _span(report: AuditReport) -> str:
    if report.first and report.last:
        return f"Requests from {report.first:%Y-%m-%d %H:%M} to {report.last:%Y-%m-%d %H:%M}"
    return "The log carries no times"


def _summary(report: AuditReport) -> str:
    people = report.human_requests
    notified = sum(report.by_status[s].requests for s in (Status.OUTDATED, Status.UNSUPPORTED))
    visitors = (
        f"visitors not counted: {NO_ADDRESS}."
        if not report.visitors_counted
        else "Visitors are estimated from a sample."
        if report.visitors_sampled
        else ""
    )
    share = _pct(notified / people) if people else "0.0%"
    return (
        '<section aria-labelledby="summary"><h2 id="summary">Summary</h2>'
        f"<p>{report.requests:,} requests, {people:,} of them from people (not bots), with "
        f"{len(report.user_agents):,} distinct User-Agents; {report.malformed:,} malformed "
        f"line{'' if report.malformed == 1 else 's'}. <strong>{share}</strong> of people's requests "
        f"would be shown the notice (outdated or unsupported browsers). {escape(visitors)}</p></section>"
    )


def _table(caption: str, headers: list[str], rows: list[list[str]], numeric: set[int], more: str = "") -> str:
    """Cells come escaped."""
    head = "".join(f'<th scope="col"{" class=n" if i in numeric else ""}>{h}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{c}</th>' if i == 0 else f"<td{' class=n' if i in numeric else ''}>{c}</td>")
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    tail = f'<p class="more">{more}</p>' if more else ""
    return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{tail}"


def _more(shown: int, total: int, what: str) -> str:
    return f"… and {total - shown:,} more {what}: --top {total} to list them" if total > shown else ""


def _status_section(report: AuditReport) -> str:
    counts = report.by_status
    people = sum(counts[s].requests for s in HUMAN)
    largest = max((counts[s].share for s in HUMAN), default=0) or 1
    bars = [
        Bar(s.value, counts[s].share / largest, f"{_pct(counts[s].share)} ({counts[s].requests:,})", s.value)
        for s in HUMAN
    ]
    desc = "Share of people's requests by status: " + "; ".join(f"{s.value} {_pct(counts[s].share)}" for s in HUMAN)
    chart = bar_chart("status", "People by status", desc + ".", bars)
    visitors = report.visitors_counted
    rows = [
        [s.value, f"{c.requests:,}", _pct(c.share), f"{c.visitors:,}" if visitors else "not counted"]
        for s, c in counts.items()
    ]
    table = _table(
        "People by status (bots' share is of all requests)",
        ["status", "requests", "share", "visitors"],
        rows,
        {1, 2, 3},
    )
    return (
        '<section aria-labelledby="by-status"><h2 id="by-status">People by status</h2>'
        f'<figure>{chart}<figcaption class="muted">{people:,} requests from people.</figcaption></figure>'
        f"{table}</section>"
    )


DAYS_CHARTED = 62
"""Days drawn (the latest); the table has the rows --top allows."""


def _day_section(report: AuditReport, top: int) -> str:
    days = list((report.by_day or {}).items())
    charted = days[-DAYS_CHARTED:]
    rows = []
    for day, counts in charted:
        total = sum(counts.values()) or 1
        segments = [Segment(counts.get(s, 0) / total, s.value, _pct(counts.get(s, 0) / total)) for s in HUMAN]
        rows.append((f"{day:%a %Y-%m-%d} ({sum(counts.values()):,})", segments))
    shares = [(day, _notified(counts)) for day, counts in charted]
    low, high = min(shares, key=lambda x: x[1]), max(shares, key=lambda x: x[1])
    desc = (
        f"People's requests by status on each of {len(charted)} days (their number after the date), "
        f"{charted[0][0]} to {charted[-1][0]}. The share shown the notice ranges from {_pct(low[1])} on "
        f"{low[0]} to {_pct(high[1])} on {high[0]}."
    )
    chart = stacked_chart("days", "People per status per day", desc, rows)
    cells = [
        [f"{day:%Y-%m-%d}", *(f"{counts.get(s, 0):,}" for s in HUMAN), _pct(_notified(counts))]
        for day, counts in (days[-top:] if top else [])
    ]
    table = _table(
        "People's requests per status per day (latest days)",
        ["day", *(s.value for s in HUMAN), "notified"],
        cells,
        {1, 2, 3, 4, 5},
        _more(len(cells), len(days), "days"),
    )
    cut = len(days) > DAYS_CHARTED
    more = f'<p class="more">The chart shows the latest {DAYS_CHARTED} of {len(days)} days.</p>' if cut else ""
    return (
        '<section aria-labelledby="by-day"><h2 id="by-day">People per status per day</h2>'
        f"<p>{escape(desc)}</p><figure>{chart}</figure>{more}{table}</section>"
    )


def _notified(counts: Mapping[Status, int]) -> float:
    """The share of a day's people's requests that would be shown the notice."""
    return sum(counts.get(s, 0) for s in (Status.OUTDATED, Status.UNSUPPORTED)) / (sum(counts.values()) or 1)


def _browser_section(report: AuditReport, browsers: list[BrowserCount], top: int) -> str:
    families: dict[tuple[str | None, str], list[BrowserCount]] = defaultdict(list)
    for row in browsers:
        families[(row.browser, row.name)].append(row)
    busiest = sorted(families.items(), key=lambda item: -sum(r.requests for r in item[1]))
    parts = [
        '<section aria-labelledby="by-browser"><h2 id="by-browser">People by browser and major version</h2>',
        "<p>Each chart shows one browser's major versions, newest first; the dashed line is the policy's "
        "minimum: versions above it meet the policy.</p>",
    ]
    for n, ((key, name), rows) in enumerate(busiest[:BROWSER_CHARTS]):
        parts.append(_browser_chart(report, f"browser-{n}", key, name, rows))
    if len(busiest) > BROWSER_CHARTS:
        parts.append(f'<p class="more">{len(busiest) - BROWSER_CHARTS:,} more browsers are in the table below.</p>')
    counted = report.visitors_counted
    cells = [
        [_text(b.name), _text(b.major or ""), b.status.value, f"{b.requests:,}", _pct(b.share),
         f"{b.visitors:,}" if counted else "not counted"]
        for b in browsers[:top]
    ]  # fmt: skip
    parts.append(
        _table(
            "People by browser and major version",
            ["browser", "major", "status", "requests", "share", "visitors"],
            cells,
            {3, 4, 5},
            _more(len(cells), len(browsers), "browsers and versions"),
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _major(row: BrowserCount) -> tuple[int, ...]:
    try:
        return release(row.major) if row.major else ()
    except ValueError:
        return ()


def _browser_chart(report: AuditReport, chart_id: str, key: str | None, name: str, rows: list[BrowserCount]) -> str:
    """The browser's busiest versions, newest first, the rest as one row; the policy's minimum drawn
    below the versions that meet it; beside it the same rows as a table."""
    order = {Status.SUPPORTED: 0, Status.UNKNOWN: 1, Status.OUTDATED: 2, Status.UNSUPPORTED: 3}
    total = sum(r.requests for r in rows) or 1
    busiest = sorted(rows, key=lambda r: -r.requests)
    shown = sorted(busiest[:MAJORS_CHARTED], key=lambda r: (tuple(-p for p in _major(r)), order.get(r.status, 4)))
    others = busiest[MAJORS_CHARTED:]
    others_requests = sum(r.requests for r in others)
    largest = max([r.requests for r in shown] + [others_requests]) or 1
    bars = [
        Bar(f"{r.major or '?'} {r.status.value}", r.requests / largest, _pct(r.requests / total), r.status.value)
        for r in shown
    ]
    cells = [[_text(r.major or "?"), r.status.value, f"{r.requests:,}", _pct(r.requests / total)] for r in shown]
    if others:
        label = f"{len(others)} other versions"
        bars.append(Bar(label, others_requests / largest, _pct(others_requests / total), "mixed"))
        cells.append([label, "mixed", f"{others_requests:,}", _pct(others_requests / total)])
    minimum = report.minimums.get(key or "")
    rule_after: int | None = None
    label = ""
    if isinstance(minimum, str):
        meets = 0
        while meets < len(shown) and shown[meets].status is Status.SUPPORTED:
            meets += 1
        rule_after = meets - 1
        label = f"policy minimum: {minimum}"
        said = f"The policy's minimum is {minimum}."
    elif minimum is False:
        said = "The policy does not support this browser at all."
    else:
        said = "The policy has no minimum of its own for this browser: it is judged by its engine (or not at all)."
    notified = sum(r.requests for r in rows if r.status in (Status.OUTDATED, Status.UNSUPPORTED))
    desc = (
        f"{name}: {sum(r.requests for r in rows):,} requests from people; {_pct(notified / total)} of them "
        f"would be shown the notice. {said} By version: "
        + "; ".join(f"{r.major or 'unknown'} {r.status.value} {_pct(r.requests / total)}" for r in shown)
        + (f"; {len(others)} other versions {_pct(others_requests / total)}" if others else "")
        + "."
    )
    chart = bar_chart(chart_id, f"{name} by major version", desc, bars, rule_after, label)
    table = _table(f"{_text(name)}: requests by version", ["major", "status", "requests", "share"], cells, {2, 3})
    return (
        f'<figure class="pair"><figcaption><h3>{_text(name)}</h3><p>{_text(desc.split(" By version:")[0])}</p>'
        f"</figcaption>{chart}{table}</figure>"
    )


def _compare_section(report: AuditReport, top: int) -> str:
    policy, other = report.policy, report.compare_policy or ""
    mine, theirs = report.by_status, report.compared_by_status or {}

    def segments(counts: dict[Status, Count]) -> list[Segment]:
        return [
            Segment(counts[s].share, s.value, f"{s.value} {_pct(counts[s].share)}", _pct(counts[s].share))
            for s in HUMAN
        ]

    desc = "; ".join(
        f"{s.value}: {_pct(mine[s].share)} under {policy}, {_pct(theirs[s].share)} under {other}" for s in HUMAN
    )
    chart = stacked_chart(
        "compare", f"People by status under {policy} and under {other}", desc + ".",
        [("this policy", segments(mine)), ("compared", segments(theirs))],
    )  # fmt: skip
    rows = [
        [s.value, f"{mine[s].requests:,}", _pct(mine[s].share), f"{theirs[s].requests:,}", _pct(theirs[s].share),
         f"{theirs[s].requests - mine[s].requests:+,}"]
        for s in HUMAN
    ]  # fmt: skip
    table = _table(
        f"People by status: change = requests under {_text(other)} minus under {_text(policy)}",
        ["status", f"under {_text(policy)}", "share", f"under {_text(other)}", "share", "change"],
        rows,
        {1, 2, 3, 4, 5},
    )
    changes = report.status_changes
    change_rows = [
        [_text(c.name), _text(c.major or ""), c.status.value, c.compare_status.value, f"{c.requests:,}"]
        for c in changes[:top]
    ]
    change_table = (
        _table(
            f"Browsers that change status under {_text(other)}",
            ["browser", "major", f"under {_text(policy)}", f"under {_text(other)}", "requests"],
            change_rows,
            {4},
            _more(len(change_rows), len(changes), "browsers and versions"),
        )
        if changes
        else "<p>No browser changes status.</p>"
    )
    return (
        '<section aria-labelledby="compare"><h2 id="compare">What if: '
        f"{_text(other)}</h2><p>This policy is <strong>{_text(policy)}</strong>; the compared one is "
        f"<strong>{_text(other)}</strong>.</p><figure>{chart}</figure>{table}{change_table}</section>"
    )


def _user_agent_sections(report: AuditReport, top: int) -> str:
    parts = []
    for s in (Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN):
        every = report.top_user_agents(s, len(report.user_agents))
        if not every:
            continue
        rows = [
            [
                f"{u.requests:,}",
                f"<code>{_text(u.user_agent)}</code>" if u.user_agent else EMPTY_USER_AGENT,
                _text(u.name),
            ]
            for u in every[:top]
        ]
        table = _table(
            f"Top {s.value} User-Agents", ["requests", "User-Agent", "read as"], rows, {0},
            _more(len(rows), len(every), f"{s.value} User-Agents"),
        )  # fmt: skip
        heading = f'<h2 id="ua-{s.value}">Top {s.value} User-Agents</h2>'
        parts.append(f'<section aria-labelledby="ua-{s.value}">{heading}{table}</section>')
    return "".join(parts)


def _malformed_section(report: AuditReport) -> str:
    if not report.malformed:
        return ""
    examples = "".join(f"<li><code>{_text(e)}</code></li>" for e in report.malformed_examples)
    return (
        '<section aria-labelledby="malformed"><h2 id="malformed">Malformed lines</h2>'
        f"<p>{report.malformed:,} lines could not be read; the first {len(report.malformed_examples)}:</p>"
        f"<ul>{examples}</ul></section>"
    )


def _sources_section(report: AuditReport) -> str:
    sources = "".join(f"<li><code>{_text(s)}</code></li>" for s in report.sources)
    rules = [
        [_text(key), "unsupported" if value is False else "every version" if value is True else _text(f">= {value}")]
        for key, value in report.minimums.items()
    ]
    policy = _table(f"The policy: {_text(report.policy)}", ["browser", "supported"], rules, set()) if rules else ""
    return (
        '<section aria-labelledby="sources"><h2 id="sources">Sources and policy</h2>'
        f"<ul>{sources}</ul><p>{report.lines:,} lines read.</p>{policy}</section>"
    )
