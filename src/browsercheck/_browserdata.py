"""The browser data the queries read: loaded on first use, checked, with its provenance and age.

Two places hold it: the copy shipped in the package (``data/browsers.json``) and the one
``browsercheck data update`` stores in the user's cache directory. The newer one wins; a cached
file that cannot be read is skipped with a warning, so the last good data stays in use.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._errors import BrowsercheckError
from ._lazy import Lazy

FORMAT = 1
BASELINE = "baseline-browser-mapping"
CANIUSE = "caniuse-lite"
STALE_AFTER_DAYS = 90
CACHE_FILE = "browsers.json"
_SHIPPED = "data/browsers.json"
_MAX_SIZE = 8 * 1024 * 1024


class DataError(BrowsercheckError, ValueError):
    """Browser data that cannot be used: the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Source:
    package: str
    version: str
    date: dt.date
    license: str


@dataclass(frozen=True, slots=True)
class Agent:
    """One caniuse browser: its versions in order, the released ones first."""

    name: str
    versions: tuple[str, ...]
    released: tuple[str, ...]
    usage: Mapping[str, float | None]
    """Global usage in percent by version (``None``: no figure)."""
    release_dates: Mapping[str, int | None]
    """Seconds since 1970 by version (``None``: not released)."""


@dataclass(frozen=True, slots=True, eq=False)
class BrowserData:
    sources: Mapping[str, Source]
    firefox_esr: str
    baseline: tuple[tuple[dt.date, Mapping[str, str]], ...]
    """Baseline's timeline: from each date on, these versions support every widely available feature."""
    agents: Mapping[str, Agent]
    origin: str
    """The file it was read from."""

    @property
    def date(self) -> dt.date:
        """How new the data is: the older of its sources' dates."""
        return min(s.date for s in self.sources.values())

    @property
    def versions(self) -> dict[str, str]:
        return {name: s.version for name, s in self.sources.items()}

    def staleness(self, on: dt.date) -> str | None:
        """A warning when the data is more than 90 days older than ``on``, else ``None``."""
        age = (on - self.date).days
        if age <= STALE_AFTER_DAYS:
            return None
        return (
            f"browser data is {age} days older than {on.isoformat()} (from {self.date.isoformat()}: "
            + ", ".join(f"{s.package} {s.version}" for s in self.sources.values())
            + "); run `browsercheck data update`"
        )


def parse(text: str | bytes, origin: str) -> BrowserData:
    """Check and read browser data; `DataError` names ``origin`` and the first problem found."""
    import json  # here: the first verdict reads a cached policy, and no browser data (`_policy_cache`)

    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise DataError(f"{origin}: not browser data: {e}") from None
    try:
        return _read(raw, origin)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise DataError(f"{origin}: not browser data: {type(e).__name__}: {e}") from None


def _read(raw: Any, origin: str) -> BrowserData:
    if raw["format"] != FORMAT:
        raise ValueError(f"format {raw['format']!r}, this version reads {FORMAT}")
    sources = {}
    for package in (BASELINE, CANIUSE):
        s = raw["sources"][package]
        sources[package] = Source(package, _text(s["version"]), dt.date.fromisoformat(s["date"]), _text(s["license"]))
    baseline = []
    for date, versions in raw["baseline"]:
        if date == "pre_baseline":
            continue  # versions before Baseline began: a query for then selects every version
        entry = {_text(k): _text(v) for k, v in versions.items()}
        baseline.append((dt.date.fromisoformat(date), MappingProxyType(entry)))
    if not baseline or [d for d, _ in baseline] != sorted(d for d, _ in baseline):
        raise ValueError("the Baseline timeline is empty or out of order")
    agents = {}
    for name, a in raw["agents"].items():
        versions = tuple(_text(v) for v in a["versions"])
        released = versions[: int(a["released"])]
        usage, dates = list(a["usage"]), list(a["dates"])
        if len(usage) != len(versions) or len(dates) != len(versions):
            raise ValueError(f"agent {name}: {len(versions)} versions but {len(usage)} usages, {len(dates)} dates")
        agents[_text(name)] = Agent(
            name,
            versions,
            released,
            MappingProxyType({v: None if u is None else float(u) for v, u in zip(versions, usage, strict=True)}),
            MappingProxyType({v: None if d is None else int(d) for v, d in zip(versions, dates, strict=True)}),
        )
    for needed in ("chrome", "firefox", "safari", "ios_saf", "edge"):
        if needed not in agents:
            raise ValueError(f"no agent {needed!r}")
    return BrowserData(
        MappingProxyType(sources), _text(raw["firefox_esr"]), tuple(baseline), MappingProxyType(agents), origin
    )


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"expected a non-empty string, got {value!r:.40}")
    return value


def warn(message: str) -> None:
    """A warning on the ``browsercheck`` logger (logging imported only then: it costs the first verdict 2 ms)."""
    import logging

    logging.getLogger("browsercheck").warning("%s", message)


def cache_dir() -> Path:
    """Where ``browsercheck data update`` stores data: ``$BROWSERCHECK_CACHE_DIR``, else the user's cache."""
    override = os.environ.get("BROWSERCHECK_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith("linux"):
        # the XDG rule platformdirs follows there, without importing it: a fresh process's first
        # verdict reads this cache, and platformdirs costs it 5-9 ms and 1 MB (tempfile, shutil,
        # random). Without an absolute $HOME, platformdirs looks further (the user's passwd entry).
        xdg, home = os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return Path(xdg, "browsercheck")
        if os.path.isabs(home):
            return Path(home, ".cache", "browsercheck")
    import platformdirs

    try:
        found = Path(platformdirs.user_cache_dir("browsercheck"))
    except RuntimeError as e:  # no home directory to be found (a user without a passwd entry)
        raise OSError(f"no cache directory for browsercheck ({e}): set BROWSERCHECK_CACHE_DIR") from None
    if not found.is_absolute():  # platformdirs 3 gives "~/.cache/..." where there is no home
        raise OSError(f"no cache directory for browsercheck (only {found}): set BROWSERCHECK_CACHE_DIR")
    return found


def shipped() -> BrowserData:
    path = Path(__file__).parent / _SHIPPED  # importlib.resources only where needed: 6 ms to import
    if path.exists():
        text = path.read_bytes()
    else:
        from importlib import resources

        text = resources.files("browsercheck").joinpath(_SHIPPED).read_bytes()
    return parse(text, f"<shipped {_SHIPPED}>")


def cached() -> BrowserData | None:
    """The data ``data update`` stored, or ``None``: none stored (or no cache directory), or
    unreadable (logged)."""
    try:
        path = cache_dir() / CACHE_FILE
    except OSError:
        return None
    try:
        if path.stat().st_size > _MAX_SIZE:
            raise DataError(f"{path}: larger than {_MAX_SIZE:,} bytes")
        return parse(path.read_bytes(), str(path))
    except FileNotFoundError:
        return None
    except (OSError, DataError) as e:
        warn(f"browsercheck: ignoring the cached browser data: {e}")
        return None


def newest() -> BrowserData:
    """The shipped data, or the cached data when it is newer."""
    data = shipped()
    other = cached()
    if other is not None and other.date >= data.date:
        return other
    return data


_current = Lazy(newest)


def browser_data() -> BrowserData:
    """The data in use, read on first use (not at import)."""
    return _current.get()


def is_loaded() -> bool:
    """Whether this process has read the data already (`browser_data` then gives what it read)."""
    return _current.is_built()


def reload() -> BrowserData:
    """Read the data again (after an update); the next queries use it."""
    _current.reset()
    return _current.get()
