"""Baseline: which browser versions support every Baseline feature, for a date or a year.

The same answer as baseline-browser-mapping's ``getCompatibleVersions`` on the same data: the
timeline says from which date each version holds all features; "widely available" on a date is
the newest entry at least 30 months before it (months counted as JavaScript's ``setMonth`` does).
"""

from __future__ import annotations

import datetime as dt

from ._browserdata import BrowserData

CORE = ("chrome", "chrome_android", "edge", "firefox", "firefox_android", "safari", "safari_ios")
DOWNSTREAM = (
    "webview_android",
    "samsunginternet_android",
    "opera_android",
    "opera",
    "ya_android",
    "uc_android",
    "qq_android",
    "kai_os",
    "facebook_android",
    "instagram_android",
)
_FIRST = dt.date(2015, 7, 29)  # the first Baseline date: before it, every version counts


class BaselineError(ValueError):
    pass


def add_months(day: dt.date, months: int) -> dt.date:
    """JavaScript's ``setMonth(getMonth() + months)``: a day past the month's end runs into the next
    month (2027-08-31 minus 30 months is 2025-03-03, not 2025-02-28)."""
    years, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + years, month + 1, 1) + dt.timedelta(days=day.day - 1)


def compatible_versions(
    data: BrowserData,
    *,
    widely_on: dt.date | None = None,
    year: int | None = None,
    today: dt.date,
    downstream: bool = False,
    kaios: bool = False,
) -> list[tuple[str, str]]:
    """``[(browser, minimum version), ...]``: Baseline widely available on ``widely_on`` (default
    ``today``), or every feature that was newly available by the end of ``year``. Version ``"0"``
    means every version (a date before Baseline began)."""
    if widely_on is not None and year is not None:
        raise BaselineError("a Baseline year and a widely-available date cannot be combined")
    cutoff = dt.date(year, 12, 31) if year is not None else add_months(widely_on or today, -30)
    browsers = CORE + tuple(b for b in DOWNSTREAM if downstream and (kaios or b != "kai_os"))
    if cutoff < _FIRST:
        return [(b, "0") for b in browsers]
    latest: dict[str, str] = {}
    for date, versions in data.baseline:
        if date > cutoff:
            break
        latest.update(versions)
    return [(b, latest[b]) for b in browsers if b in latest]
