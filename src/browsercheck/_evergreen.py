"""Policies that move with the calendar: a browserslist query's selection turned into rules, for a day.

A selected browser's rule is its lowest selected version as a minimum (browserslist-useragent's
``allowHigherVersions`` reading); "op_mini all" is every version. caniuse's names become
browsercheck keys through the policy aliases, and caniuse's Edge 12-18 is ``edge_legacy``.
Browsers browsercheck has no key for (BlackBerry, IE Mobile, Baidu) are left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from packaging.specifiers import SpecifierSet

from . import _clock
from ._browsers import canonical_key
from ._policy import Policy, Rule, release

_FIRST_CHROMIUM_EDGE = 79


def today() -> dt.date:
    """The day policies are evaluated for when none is given: UTC's, the same on every server."""
    return dt.datetime.fromtimestamp(_clock.now(), dt.UTC).date()


def next_midnight(day: dt.date) -> float:
    """The time (seconds since 1970) at which ``day`` ends in UTC."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
    return end.timestamp()


def minimums(selected: Iterable[str]) -> dict[str, str | bool]:
    """``["chrome 125", "chrome 126", "op_mini all"]`` -> ``{"chrome": "125", "opera_mini": True}``."""
    lowest: dict[str, tuple[int, ...]] = {}
    every: set[str] = set()  # "op_mini all"
    for item in selected:
        name, _, version = item.partition(" ")
        low = version.split("-")[0]  # "16.0-16.2": a range of releases caniuse counts as one
        parts = low.split(".")
        if name == "edge" and parts[0].isdigit() and int(parts[0]) < _FIRST_CHROMIUM_EDGE:
            name = "edge_legacy"
        key = canonical_key(name)
        if key is None:
            continue
        if version == "all":
            every.add(key)
        elif all(part.isdigit() for part in parts):  # not "TP": a preview has no version to compare
            numbers = release(low)
            if key not in lowest or numbers < lowest[key]:
                lowest[key] = numbers
    shown: dict[str, str | bool] = {key: ".".join(map(str, v)) for key, v in lowest.items() if key not in every}
    return shown | dict.fromkeys(sorted(every), True)


def rules_from(selected: Sequence[str], line: int) -> dict[str, Rule]:
    rules = {}
    for key, minimum in minimums(selected).items():
        supported = None if minimum is True else SpecifierSet(f">={minimum}")
        rules[key] = Rule(key, supported, line=line)
    return rules


def evaluate(policy: Policy, day: dt.date) -> Policy:
    """``policy`` with its query evaluated for ``day`` (the same policy if it has no query).

    Raises `QueryError` or `DataError` when the query cannot be evaluated on the data in use."""
    query = policy.query
    if query is None:
        return policy
    from ._browserdata import browser_data, warn
    from ._browserslist import Evaluator

    data = browser_data()
    selected = Evaluator(data, day).select(query.queries)
    if warning := data.staleness(day):
        warn(f"browsercheck: {warning}")
    browsers = rules_from(selected, query.line) | dict(query.explicit)
    return dataclasses.replace(
        policy,
        name=f"{query.name}, {day.isoformat()}",
        browsers=MappingProxyType(browsers),
        date=day,
        data=MappingProxyType(data.versions),
    )


def minimums_of(policy: Policy) -> Mapping[str, str | bool]:
    """What ``policy show`` prints: per browser, its lowest supported version, or false / true."""
    shown: dict[str, str | bool] = {}
    for key, rule in sorted(policy.browsers.items()):
        if rule.blocked:
            shown[key] = False
        elif rule.supported is None:
            shown[key] = True
        elif rule.minimum is not None:
            shown[key] = ".".join(map(str, rule.minimum))
        else:
            shown[key] = str(rule.supported)
    return shown
