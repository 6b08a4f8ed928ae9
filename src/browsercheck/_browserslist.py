"""browserslist queries, evaluated as browserslist 4 evaluates them, for a date, on the shipped data.

`select` returns what ``browserslist(query, {mobileToDesktop: true})`` returns: ``"name version"``
strings with caniuse's browser names. Mobile browsers take their desktop versions
(``mobileToDesktop``), since caniuse lists only the newest version of Chrome for Android: without
it "last 2 versions" would make Chrome for Android 1 version old "outdated". The clause
grammar (``,``/``or``/``and``/``not``) and each query's arithmetic follow browserslist's code,
so that the agreement tests can compare answers one for one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ._baseline import CORE, BaselineError, add_months, compatible_versions
from ._browserdata import Agent, BrowserData
from ._browsers import BASELINE_BROWSERSLIST
from ._browserslist_grammar import QUERIES, Node, parse

_YEAR_MS = 365.259641 * 24 * 60 * 60 * 1000
_MAX_DIGITS = 30
_LONG_NUMBER = re.compile(r"\d{31,}")
_ANDROID_EVERGREEN_FIRST = "37"
_OP_MOB_BLINK_FIRST = 14
DEFAULTS = ("> 0.5%", "last 2 versions", "Firefox ESR", "not dead")
_DEAD = ("Baidu >= 0", "ie <= 11", "ie_mob <= 11", "bb <= 10", "op_mob <= 12.1", "samsung 4")
_ALIASES = {
    "fx": "firefox",
    "ff": "firefox",
    "ios": "ios_saf",
    "explorer": "ie",
    "blackberry": "bb",
    "explorermobile": "ie_mob",
    "operamini": "op_mini",
    "operamobile": "op_mob",
    "chromeandroid": "and_chr",
    "firefoxandroid": "and_ff",
    "ucandroid": "and_uc",
    "qqandroid": "and_qq",
}
_DESKTOP = {"and_chr": "chrome", "and_ff": "firefox", "ie_mob": "ie", "android": "chrome"}
_BASELINE_NAMES = BASELINE_BROWSERSLIST  # baseline-browser-mapping name -> browserslist id

SUPPORTED_FORMS = (
    "defaults",
    "> N%, >= N%, < N%, <= N%",
    "cover N%",
    "last N versions",
    "last N major versions",
    "last N <browser> versions",
    "last N <browser> major versions",
    "<browser> >= V (also >, <, <=)",
    "<browser> V",
    "<browser> V-W",
    "Firefox ESR",
    "op_mini all",
    "dead",
    "unreleased versions",
    "unreleased <browser> versions",
    "since YYYY, since YYYY-MM, since YYYY-MM-DD",
    "last N years",
    "baseline widely available [on YYYY-MM-DD]",
    "baseline newly available",
    "baseline YYYY",
    "... with downstream [including kaios]",
    "not <query>",
    "<query> and <query>",
    "<query> or <query>, <query>, <query>",
)


class QueryError(ValueError):
    """A query browsercheck cannot evaluate; the message names it."""


class Unsupported(QueryError):
    """A valid browserslist query that browsercheck does not evaluate (regions, features, node, ...)."""


@dataclass(slots=True)
class _Browser:
    name: str
    versions: list[str]
    released: list[str]
    release_dates: dict[str, int | None] = field(default_factory=dict)


class Evaluator:
    """Queries against one data set, on one day (``today``: what "now" means to the queries)."""

    def __init__(self, data: BrowserData, today: dt.date) -> None:
        self.data = data
        self.today = today
        self.now_ms = (today - dt.date(1970, 1, 1)).days * 86_400_000
        self.version_aliases: dict[str, dict[str, str]] = {}
        for name, agent in data.agents.items():
            aliases = self.version_aliases[name] = {}
            for full in agent.versions:
                if "-" in full:
                    for part in full.split("-"):
                        aliases[part] = full
        self.version_aliases.setdefault("firefox", {})["esr"] = data.firefox_esr
        self.usage = {
            f"{name} {version}": usage for name, agent in data.agents.items() for version, usage in agent.usage.items()
        }

    # -- the grammar ----------------------------------------------------------------------------

    def select(self, queries: str | Sequence[str]) -> list[str]:
        """The selected ``"name version"`` strings, each once, as browserslist returns them."""
        result = self._resolve(queries)
        return list(dict.fromkeys(result))

    def _resolve(self, queries: str | Sequence[str]) -> list[str]:
        result: list[str] = []
        for index, node in enumerate(parse(queries)):
            if node.negated and index == 0:
                raise QueryError(f"write a query (for instance 'defaults') before '{node.query}'")
            if _LONG_NUMBER.search(node.query):  # int() refuses 4,300 digits; no query needs 31
                shown = node.query if len(node.query) <= 40 else node.query[:35] + "..."
                raise QueryError(f"'{shown}': a number over {_MAX_DIGITS} digits")
            try:
                selected = [self._zero(j) for j in _SELECT[node.kind](self, node)]
            except Unsupported:
                raise
            except QueryError as e:
                if str(e).startswith("'"):
                    raise
                raise QueryError(f"'{node.query}': {e}") from None
            except (ValueError, OverflowError) as e:  # a date or number out of range
                raise QueryError(f"'{node.query}': {e}") from None
            if not node.negated and node.compose == "or":
                result.extend(selected)
                continue
            chosen = set(selected)
            keep = not node.negated
            result = [j for j in result if (j in chosen) == keep]
        return result

    def _zero(self, item: str) -> str:
        name, _, version = item.partition(" ")
        return f"{name} {self._browser(name).versions[0]}" if version == "0" else item

    # -- data -----------------------------------------------------------------------------------

    def _browser(self, name: str) -> _Browser:
        browser = self._find(name)
        if browser is None:
            raise QueryError(f"unknown browser '{name}'")
        return browser

    def _find(self, name: str) -> _Browser | None:
        name = name.lower()
        name = _ALIASES.get(name, name)
        agent = self.data.agents.get(name)
        if agent is None:
            return None
        desktop_name = _DESKTOP.get(name)
        if desktop_name is None or desktop_name not in self.data.agents:
            return _Browser(name, list(agent.versions), list(agent.released), dict(agent.release_dates))
        desktop = self.data.agents[desktop_name]
        if name != "android":
            return _Browser(name, list(desktop.versions), list(desktop.released), dict(desktop.release_dates))
        return _android(agent, desktop)

    def _all(self) -> list[_Browser]:
        return [b for name in self.data.agents if (b := self._find(name)) is not None]

    def _normalize_version(self, browser: _Browser, version: str) -> str | None:
        if version in browser.versions:
            return version
        if alias := self.version_aliases.get(browser.name, {}).get(version):
            return alias
        return browser.versions[0] if len(browser.versions) == 1 else None

    def _by_year(self, since_ms: float) -> list[str]:
        since = since_ms / 1000
        return [
            f"{b.name} {v}"
            for b in self._all()
            for v, date in b.release_dates.items()
            if date is not None and date >= since
        ]

    def _op_mob_jump(self) -> float:
        return _major(self.data.agents["op_mob"].released[-1]) - _OP_MOB_BLINK_FIRST + 1

    def _jumps(self, items: list[str], name: str, count: int) -> list[str]:
        # caniuse's Opera Mobile jumps from Presto 12.1 to a current Chromium version
        if name != "op_mob":
            return items
        jump = self._op_mob_jump()
        if count <= jump:
            return items[-1:]
        return items[int(jump) - 1 - count :]

    # -- the queries ----------------------------------------------------------------------------

    def last_major_versions(self, node: Node) -> list[str]:
        count = int(node.groups[0] or 0)
        return [
            item
            for b in self._all()
            for item in self._jumps([f"{b.name} {v}" for v in _major_versions(b.released, count)], b.name, count)
        ]

    def last_versions(self, node: Node) -> list[str]:
        count = int(node.groups[0] or 0)
        return [
            item
            for b in self._all()
            for item in self._jumps([f"{b.name} {v}" for v in _last(b.released, count)], b.name, count)
        ]

    def last_browser_major_versions(self, node: Node) -> list[str]:
        count, b = int(node.groups[0] or 0), self._browser(node.groups[1] or "")
        return self._jumps([f"{b.name} {v}" for v in _major_versions(b.released, count)], b.name, count)

    def last_browser_versions(self, node: Node) -> list[str]:
        count, b = int(node.groups[0] or 0), self._browser(node.groups[1] or "")
        return self._jumps([f"{b.name} {v}" for v in _last(b.released, count)], b.name, count)

    def unreleased_versions(self, node: Node) -> list[str]:
        return [f"{b.name} {v}" for b in self._all() for v in b.versions if v not in b.released]

    def unreleased_browser_versions(self, node: Node) -> list[str]:
        b = self._browser(node.groups[0] or "")
        return [f"{b.name} {v}" for v in b.versions if v not in b.released]

    def last_years(self, node: Node) -> list[str]:
        return self._by_year(self.now_ms - _YEAR_MS * float(node.groups[0] or 0))

    def since(self, node: Node) -> list[str]:
        year, month, day = (int(g) if g else None for g in (*node.groups, None, None)[:3])
        return self._by_year(_utc_ms(year or 0, (month or 1) - 1, day or 1))

    def baseline(self, node: Node) -> list[str]:
        year, availability, date, downstream, kaios = node.groups
        availability = availability.lower() if availability else None
        if availability == "newly" and date:
            raise QueryError(f"'{node.query}': newly available takes no date (write widely available on a date)")
        # baseline-browser-mapping gives KaiOS only among the downstream browsers
        wide = bool(downstream or kaios)
        try:
            if year:
                found = compatible_versions(
                    self.data, year=int(year), today=self.today, downstream=wide, kaios=bool(kaios)
                )
            else:
                if date:
                    try:
                        on = dt.date.fromisoformat(date)
                    except ValueError:
                        raise QueryError(f"'{node.query}': {date} is not a date") from None
                elif availability == "newly":
                    # browserslist asks for "widely available" 30 months from now
                    on = add_months(self.today, 30)
                else:
                    on = self.today
                found = compatible_versions(
                    self.data, widely_on=on, today=self.today, downstream=wide, kaios=bool(kaios)
                )
        except BaselineError as e:
            raise QueryError(f"'{node.query}': {e}") from None
        if kaios and not downstream:
            found = [(b, v) for b, v in found if b in CORE or b == "kai_os"]
        # browserslist resolves "<name> >= <version>" for each: the same, without parsing them
        rays = [
            Node(f"{_BASELINE_NAMES[b]} >= {v}", "browser_ray", (_BASELINE_NAMES[b], ">=", v))
            for b, v in found
            if b in _BASELINE_NAMES
        ]
        return [item for ray in rays for item in self.browser_ray(ray)]

    def popularity(self, node: Node) -> list[str]:
        sign, share = node.groups[0] or ">=", _parse_float(node.groups[1] or "")
        compare = _COMPARE[sign]
        return [item for item, usage in self.usage.items() if usage is not None and compare(usage, share)]

    def cover(self, node: Node) -> list[str]:
        coverage = _parse_float(node.groups[0] or "")
        usages = self.usage
        ranked = sorted(usages, key=lambda item: -(usages[item] or 0))
        covered, result = 0.0, []
        usages = self.usage
        for item in ranked:
            usage = usages[item]
            if not usage:
                break
            covered += usage
            result.append(item)
            if covered >= coverage:
                break
        return result

    def browser_range(self, node: Node) -> list[str]:
        b = self._browser(node.groups[0] or "")
        low = _parse_float(self._normalize_version(b, node.groups[1] or "") or node.groups[1] or "")
        high = _parse_float(self._normalize_version(b, node.groups[2] or "") or node.groups[2] or "")
        return [f"{b.name} {v}" for v in b.released if _parse_latest(v) >= low and _parse_float(v) <= high]

    def browser_ray(self, node: Node) -> list[str]:
        name, sign, version = (g or "" for g in node.groups)
        b = self._browser(name)
        alias = self.version_aliases.get(b.name, {}).get(version.lower())
        if alias and not re.fullmatch(r"[\d.]+", version):
            version = alias
        if not re.search(r"[\d.]+", version):
            raise QueryError(f"unknown version {version} of {name}")
        if sign in (">", ">="):
            bound, compare = _parse_latest(version), _COMPARE[sign]
            return [f"{b.name} {v}" for v in b.released if compare(_parse_latest(v), bound)]
        limit, compare = _parse_float(version), _COMPARE[sign]
        return [f"{b.name} {v}" for v in b.released if compare(_parse_float(v), limit)]

    def firefox_esr(self, node: Node) -> list[str]:
        return [f"firefox {self.data.firefox_esr}"]

    def opera_mini_all(self, node: Node) -> list[str]:
        return ["op_mini all"]

    def phantomjs_1_9(self, node: Node) -> list[str]:
        return ["safari 5"]

    def phantomjs_2_1(self, node: Node) -> list[str]:
        return ["safari 6"]

    def browser_version(self, node: Node) -> list[str]:
        name, version = node.groups[0] or "", node.groups[1] or ""
        if version.lower() == "tp":
            version = "TP"
        b = self._browser(name)
        found = self._normalize_version(b, version)
        if not found:
            other = version + ".0" if "." not in version else re.sub(r"\.0$", "", version)
            found = self._normalize_version(b, other)
        if not found:
            raise QueryError(f"unknown version {version} of {name}")
        return [f"{b.name} {found}"]

    def defaults(self, node: Node) -> list[str]:
        return self._resolve(DEFAULTS)

    def dead(self, node: Node) -> list[str]:
        return self._resolve(_DEAD)

    def unsupported(self, node: Node) -> list[str]:
        raise Unsupported(f"'{node.query}' is a browserslist query browsercheck does not evaluate")

    def unknown(self, node: Node) -> list[str]:
        if self._find(node.query) is not None:
            raise QueryError(f"'{node.query}': name versions for the browser, e.g. '{node.query} >= 100'")
        raise QueryError(f"'{node.query}': unknown browserslist query")


def _android(agent: Agent, chrome: Agent) -> _Browser:
    """browserslist's Android data with mobileToDesktop: the old Android Browser, then Chrome's versions."""
    old = re.compile(r"^(?:[2-4]\.|[34]$)")

    def joined(own: Sequence[str], chromes: Sequence[str]) -> list[str]:
        start = list(chromes).index(_ANDROID_EVERGREEN_FIRST) if _ANDROID_EVERGREEN_FIRST in chromes else len(chromes)
        return [v for v in own if old.match(v)] + list(chromes[start:])

    released = joined(agent.released, chrome.released)
    dates = dict(agent.release_dates)
    for version in released:
        if version not in dates:
            dates[version] = chrome.release_dates.get(version)
    return _Browser("android", joined(agent.versions, chrome.versions), released, dates)


def _last(versions: list[str], count: int) -> list[str]:
    return versions[-count:] if count else list(versions)  # as JavaScript's slice(-0): every version


def _major(version: str) -> float:
    match = re.match(r"\s*[+-]?\d+", version)
    return int(match.group()) if match else math.nan


def _major_versions(released: list[str], count: int) -> list[str]:
    if not released:
        return []
    majors: list[float] = []
    for major in map(_major, released):
        if major not in majors or math.isnan(major):  # JavaScript's indexOf never finds NaN
            majors.append(major)
    index = len(majors) - count
    minimum = majors[index] if 0 <= index < len(majors) else None
    if minimum is None or not minimum or math.isnan(minimum):
        return list(released)
    selected: list[str] = []
    for version in reversed(released):
        if minimum > _major(version):
            break
        selected.insert(0, version)
    return selected


_FLOAT = re.compile(r"\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")


def _parse_float(text: str) -> float:
    """JavaScript's parseFloat: the number at the start, else NaN ("16.0-16.2" is 16)."""
    match = _FLOAT.match(text)
    return float(match.group()) if match else math.nan


def _parse_latest(version: str) -> float:
    parts = version.split("-")
    return _parse_float(parts[1] if len(parts) > 1 and parts[1] else version)


def _utc_ms(year: int, month: int, day: int) -> float:
    """JavaScript's Date.UTC(year, month, day): months and days past the end carry over."""
    if 0 <= year <= 99:
        year += 1900
    years, month = divmod(month, 12)
    year += years
    try:
        start = dt.date(year, month + 1, 1)
    except ValueError:
        raise QueryError(f"year {year} is out of range") from None
    return ((start - dt.date(1970, 1, 1)).days + day - 1) * 86_400_000


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}

_SELECT: dict[str, Callable[[Evaluator, Node], list[str]]] = {kind: getattr(Evaluator, kind) for kind, _, _ in QUERIES}
