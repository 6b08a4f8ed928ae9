"""The default policy, read once a day per machine: the first verdict of a fresh process without YAML.

Reading the default policy imports PyYAML, packaging's specifiers and the notice messages, checks
every field and evaluates its browserslist query on the browser data: about 60 ms of a fresh
process's first verdict, for a result that changes only with the calendar, the data and browsercheck
itself. `default_policy` keeps the evaluated policy in the user's cache directory (beside
`_resolver`'s rules), as plain data (marshal: loading it runs no code), under a key of

- the day it was evaluated for (UTC, as `_evergreen.today`): the next day reads the policy again;
- the size and time of browsercheck's modules and shipped data, and of the browser data
  ``browsercheck data update`` stored: an upgrade, an edit or an update is a new key;
- the default policy's text itself, compared in full.

A cache that cannot be read, written or understood is passed by: the policy is then read as before.
The warning that the browser data is stale is kept with the policy and given again on every load.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._machine_cache import cache_file, keep, kept, own_code, stamps, stat_pair
from ._policy import Policy, Query, Rule, Site

FORMAT = 1
"""Of the plain data below: a change to it is a new format, and the old files are passed by."""
CACHE_FILE = "default-policy.marshal"
_PACKAGE = Path(__file__).parent
_DEFAULT_TEXT = _PACKAGE / "data" / "supported_browsers.yaml"


def default_policy(*, date: dt.date | str | None = None) -> Policy:
    """The default policy evaluated for today, from this machine's cache where it holds it, else
    read (and then cached); for another ``date``, read (the reader imported only then)."""
    if date is not None:
        from ._policy_loader import read_default_policy

        return read_default_policy(date=date)
    from . import _browserdata
    from ._evergreen import today

    day = today()
    key = _key(day)
    text = _default_text()
    if key is not None and text is not None:
        entry = _read(key, text)
        # where this process read the browser data before, the policy is on that data, as before
        if entry is not None and (
            not _browserdata.is_loaded() or _browserdata.browser_data().versions == entry[0].data
        ):
            policy, stale = entry
            if stale is not None:
                _browserdata.warn(f"browsercheck: {stale}")
            return policy
    data_was_loaded = _browserdata.is_loaded()
    from ._policy_loader import read_default_policy

    policy = read_default_policy()
    # kept only if it is what a fresh process would read: evaluated here, on the data the key names
    # (data this process loaded before may be older than the files), for the day of the key
    if key is None or text is None or data_was_loaded or policy.date != day or _key(day) != key:
        return policy
    data = _browserdata.browser_data()
    stored = cache_file(_browserdata.CACHE_FILE)
    if key[3] is not None and data.origin != str(stored):  # stored data unreadable (warned), or older
        return policy
    _write(key, text, policy, data.staleness(day))
    return policy


def _key(day: dt.date) -> tuple[Any, ...] | None:
    """What the cached policy depends on besides its text, or ``None`` where it cannot be told."""
    from ._browserdata import CACHE_FILE as DATA_FILE

    try:
        shipped = stamps(_PACKAGE / "data")
        try:
            stored: tuple[int, int] | None = stat_pair(os.stat(cache_file(DATA_FILE)))
        except FileNotFoundError:
            stored = None
        return FORMAT, own_code(), shipped, stored, day.isoformat()
    except OSError:
        return None


def _default_text() -> str | None:
    try:
        return _DEFAULT_TEXT.read_text("utf-8")
    except (OSError, UnicodeDecodeError):  # not installed as files (a zip): read the usual way
        return None


def _read(key: tuple[Any, ...], text: str) -> tuple[Policy, str | None] | None:
    """The policy cached under ``key`` for ``text`` and its staleness warning, or ``None``."""
    try:
        stored_key, stored_text, plain, stale = kept(CACHE_FILE)  # not four (or None): TypeError, ValueError
        if stored_key != key or stored_text != text or not (stale is None or isinstance(stale, str)):
            return None
        return policy_from_plain(plain), stale
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # not kept, or not what this version writes: read the policy


def _write(key: tuple[Any, ...], text: str, policy: Policy, stale: str | None) -> None:
    keep(CACHE_FILE, (key, text, policy_to_plain(policy), stale))


# -- a policy as plain data (strings, numbers, tuples, dicts) and back ---------------------------------


def policy_to_plain(policy: Policy) -> dict[str, Any]:
    query = policy.query
    return {
        "name": policy.name,
        "source": policy.source,
        "browsers": _rules_to_plain(policy.browsers),
        "engines": _rules_to_plain(policy.engines),
        "os": _rules_to_plain(policy.os),
        "unknown": policy.unknown,
        "recommend": tuple(policy.recommend),
        "site": (
            policy.site.name,
            policy.site.locale,
            {locale: dict(texts) for locale, texts in policy.site.messages.items()},
            dict(policy.site.links),
        ),
        "query": None
        if query is None
        else (query.queries, query.line, query.name, _rules_to_plain(query.explicit), query.pinned),
        "date": None if policy.date is None else policy.date.isoformat(),
        "data": dict(policy.data),
    }


def policy_from_plain(plain: dict[str, Any]) -> Policy:
    """The policy `policy_to_plain` gave ``plain`` for; TypeError, ValueError or KeyError where
    ``plain`` is not such data."""
    site_name, locale, messages, links = plain["site"]
    query = plain["query"]
    date = plain["date"]
    return Policy(
        name=_str(plain["name"]),
        source=_str(plain["source"]),
        browsers=_rules_from_plain(plain["browsers"]),
        engines=_rules_from_plain(plain["engines"]),
        os=_rules_from_plain(plain["os"]),
        unknown=plain["unknown"] if plain["unknown"] in ("allow", "notify") else _fail("unknown", plain["unknown"]),
        recommend=_recommended(plain["recommend"], links),
        site=Site(
            name=None if site_name is None else _str(site_name),
            locale=None if locale is None else _str(locale),
            messages=MappingProxyType(
                {_str(loc): MappingProxyType(_strings(texts)) for loc, texts in messages.items()}
            ),
            links=MappingProxyType(_strings(links)),
        ),
        query=None
        if query is None
        else Query(
            queries=tuple(_str(q) for q in _tuple(query[0])),
            line=_int(query[1]),
            name=_str(query[2]),
            explicit=_rules_from_plain(query[3]),
            pinned=bool(query[4]),
        ),
        date=None if date is None else dt.date.fromisoformat(date),
        data=MappingProxyType(_strings(plain["data"])),
    )


def _rules_to_plain(rules: Any) -> dict[str, tuple[Any, ...]]:
    return {
        key: (
            rule.subject,
            None if rule.supported is None else str(rule.supported),
            rule.blocked,
            None if rule.unsupported_below is None else str(rule.unsupported_below),
            rule.line,
        )
        for key, rule in rules.items()
    }


def _rules_from_plain(plain: dict[str, Any]) -> MappingProxyType[str, Rule]:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    rules = {}
    for key, (subject, supported, blocked, below, line) in plain.items():
        rules[_str(key)] = Rule(
            _str(subject),
            None if supported is None else SpecifierSet(_str(supported)),
            blocked=bool(blocked),
            unsupported_below=None if below is None else Version(_str(below)),
            line=None if line is None else _int(line),
        )
    return MappingProxyType(rules)


def _strings(mapping: dict[Any, Any]) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in mapping.items()}


def _str(value: object) -> str:
    return value if isinstance(value, str) else _fail("text", value)


def _tuple(value: object) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else _fail("tuple", value)


def _recommended(keys: object, links: object) -> tuple[str, ...]:
    """Browsers' keys, each with a download page (the site's or one known), as the loader checks
    them: the notice names each (`BROWSERS`) and links to its page."""
    from ._browsers import BROWSERS, DOWNLOAD_PAGES

    pages = links if isinstance(links, dict) else {}
    for key in _tuple(keys):
        if not (isinstance(key, str) and key in BROWSERS and (key in pages or key in DOWNLOAD_PAGES)):
            _fail("browser with a download page", key)
    return keys  # type: ignore[return-value]  # a tuple of such keys


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else _fail("number", value)


def _fail(what: str, value: object) -> Any:
    raise TypeError(f"cached policy: expected a {what}, got {value!r:.40}")
