"""Charts for the HTML report as inline SVG: no script, no font or image to fetch.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>`` (its
text alternative); the page puts the chart's data table beside it. Colours come from the page's
CSS classes (``bar-supported``, ...), so light, dark and print styles apply to the charts too, and
every bar carries its number as text: colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

_WIDTH = 720
_LABEL = 190  # the column of row labels
_VALUE = 110  # room after the longest bar for its number
_ROW = 26
_BAR = 18


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    share: float
    """Of the largest possible bar (0..1)."""
    value: str
    """The number shown after the bar."""
    kind: str
    """A status: the bar's colour class."""


@dataclass(frozen=True, slots=True)
class Segment:
    share: float
    kind: str
    label: str
    """Shown on the segment where it fits, else only ``short``, else nothing (the table has it all)."""
    short: str = ""


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> str:
    return (
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    chart_id: str, title: str, desc: str, bars: list[Bar], rule_after: int | None = None, rule_label: str = ""
) -> str:
    """Horizontal bars, one a row; with ``rule_after``, a dashed line drawn below that row (the
    policy's minimum: the rows above it meet it; -1: above every row) and labelled ``rule_label``."""
    span = _WIDTH - _LABEL - _VALUE
    body: list[str] = []
    y = 4

    def rule() -> None:
        nonlocal y
        body.append(
            f'<text class="rule-label" x="{_WIDTH - 6}" y="{y + 12}" text-anchor="end">{escape(rule_label)}</text>'
            f'<line class="rule" x1="4" x2="{_WIDTH - 4}" y1="{y + 17}" y2="{y + 17}"/>'
        )
        y += 22

    if rule_after == -1:
        rule()
    for i, bar in enumerate(bars):
        length = max(bar.share * span, 1.0 if bar.share > 0 else 0.0)
        middle = y + _ROW / 2
        body.append(
            f'<text class="label" x="{_LABEL - 8}" y="{middle:.0f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(bar.label)}</text>'
            f'<rect class="bar-{bar.kind}" x="{_LABEL}" y="{middle - _BAR / 2:.0f}" '
            f'width="{length:.1f}" height="{_BAR}"/>'
            f'<text class="value" x="{_LABEL + length + 6:.1f}" y="{middle:.0f}" '
            f'dominant-baseline="middle">{escape(bar.value)}</text>'
        )
        y += _ROW
        if i == rule_after:
            rule()
    return _svg(chart_id, title, desc, y + 4, body)


def stacked_chart(chart_id: str, title: str, desc: str, rows: list[tuple[str, list[Segment]]]) -> str:
    """One bar a row, split into segments that add up to the whole; a segment wide enough shows its label."""
    span = _WIDTH - _LABEL - 8
    body = []
    y = 4
    height = 34
    for label, segments in rows:
        body.append(
            f'<text class="label" x="{_LABEL - 8}" y="{y + height / 2:.0f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        x = float(_LABEL)
        for segment in segments:
            width = segment.share * span
            if width <= 0:
                continue
            body.append(
                f'<rect class="bar-{segment.kind}" x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{height - 8}"/>'
            )
            text = next((t for t in (segment.label, segment.short) if t and width > 9 * len(t)), "")
            if text:
                body.append(
                    f'<text class="on-bar" x="{x + width / 2:.1f}" y="{y + height / 2:.0f}" text-anchor="middle" '
                    f'dominant-baseline="middle">{escape(text)}</text>'
                )
            x += width
        y += height
    return _svg(chart_id, title, desc, y + 4, body)
