"""Judging: a `Client` and a `Policy` in, a `Verdict` with its reasons out.

The browser is judged by the most specific rule the policy has for it (its own key, then the key it
falls back to, then its engine); the operating system by the policy's ``os:`` rule, if any. The
verdict is the worse of the two.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Generic, NamedTuple, TypeVar

from packaging.version import Version

from ._browsers import ENGINE_NAMES as _ENGINE_NAMES
from ._model import Client, Status, Verdict, make_verdict
from ._policy import OS_KEYS, Policy, Rule

_LEADING_VERSION = re.compile(r"\d+(?:\.\d+)*")  # the part of a version string every browser's shares
_WINDOWS_NAMED_VERSIONS = {"XP": "5.1", "Vista": "6.0"}
_SEVERITY = {Status.SUPPORTED: 0, Status.UNKNOWN: 1, Status.OUTDATED: 2, Status.UNSUPPORTED: 3}


class _Step(NamedTuple):
    rule: Rule | None
    version: str | None
    subject: str
    """What the version is the version of, for the reason: "Google Chrome", "iOS", "Chromium"."""
    why: str | None
    """Why this step was taken, when the policy did not name the browser itself."""


class _Decision(NamedTuple):
    status: Status
    rule: Rule | None
    reasons: tuple[str, ...]


_T = TypeVar("_T")


class _PerPolicy(Generic[_T]):
    """A value per policy, made on first use. It goes with its policy (the last policy's value is
    held until another policy is asked for).

    ``WeakKeyDictionary.get`` makes a weak reference at each call (0.9 us, a sixth of judging a
    new User-Agent): the last policy asked for is answered first, from a weak reference of its own.
    """

    def __init__(self, make: Callable[[Policy], _T]) -> None:
        self._make = make
        self._values: weakref.WeakKeyDictionary[Policy, _T] = weakref.WeakKeyDictionary()
        self._last: tuple[weakref.ref[Policy] | None, _T | None] = (None, None)

    def __call__(self, policy: Policy) -> _T:
        held, value = self._last  # one read: another thread may replace the pair meanwhile
        if held is not None and held() is policy:
            return value  # type: ignore[return-value]  # None only with held None
        found = self._values.get(policy)
        if found is None:
            found = self._values.setdefault(policy, self._make(policy))
        self._last = (weakref.ref(policy), found)
        return found


# Decisions already made, per policy, by what judging reads of a client: distinct User-Agents share
# them (a Chrome release on Windows 10 is judged alike whatever else its string says), and an audit
# judges thousands. A policy's decisions go with it; each policy keeps at most _MEMO_SIZE.
_Key = tuple[object, ...]
_decisions: _PerPolicy[dict[_Key, _Decision]] = _PerPolicy(lambda policy: {})
_MEMO_SIZE = 4096


def judge(client: Client, policy: Policy) -> Verdict:
    """The verdict of ``policy`` on ``client``."""
    decision = _decision(client, policy)
    rule = decision.rule
    reasons = (*client.notes, *decision.reasons) if client.notes else decision.reasons
    return make_verdict(decision.status, client, rule.text if rule is not None else None, reasons, policy)


def status(client: Client, policy: Policy) -> Status:
    """``judge(client, policy).status``, without the verdict around it: for judging thousands of
    distinct User-Agents of which only the status is read (an audit, `classify`)."""
    if client.bot is not None:
        return Status.BOT
    table = _tables(policy)
    if table.depth is None:
        return _decision(client, policy).status
    c, depth = client, table.depth
    os_rule = policy.os.get(OS_KEYS.get(c.os or "", "")) if table.os_depth else None
    # the OS's version (and whether it is frozen) is read only by an OS rule
    os_part = (_cut(c.os_version, table.os_depth), "os_version" in c.frozen) if os_rule is not None else None
    key: _Key
    own = table.own_depth.get(c.browser) if c.browser is not None else None
    if own is not None:
        # judged by its own rule (`_steps` stop at the first rule), which reads ``own`` numbers:
        # neither its fallback nor its engine's rule is read, nor its engine's version but on iOS
        engine_version = _cut(c.engine_version, own) if c.on_ios else None
        key = (c.browser, _cut(c.version, own), engine_version, c.os, os_part)
    else:
        # its key and its own version change no status (an app judged by its engine or as the
        # browser it falls back to: one entry for all its releases)
        key = (None, c.engine, _cut(c.engine_version, depth), c.fallback, c.os, os_part)
    found = table.statuses.get(key)
    if found is None:
        found = _decide(client, policy).status
        if len(table.statuses) >= _MEMO_SIZE:
            table.statuses.clear()
        table.statuses[key] = found
    return found


# Statuses alone, per policy, by versions cut short. Where each of a policy's rules is ">=X",
# "true" or "false" (the shipped policy's are), a version's status depends on its first N numbers
# only, N the most numbers any rule's X has: under "chrome >=109", "120.0.6099.109" and
# "120.0.6099.130" are alike (if v[:N] > X then v > X, if v[:N] < X then v < X, and if v[:N] == X
# then v >= X). So an audit decides about once per browser, major version and OS, not once per
# release. Any other rule (a range, a floor) turns the table off for its policy (``depth`` None):
# "<=16.2" tells 16.2.0.1 from 16.2, which a cut version cannot.
class _StatusTable(NamedTuple):
    depth: int | None
    """For the engines' versions and any browser's (``None``: no table)."""
    own_depth: Mapping[str, int]
    """Per browser key with a rule, for the version its own rule reads."""
    os_depth: int
    """For the OS's version (0: the policy has no OS rule)."""
    statuses: dict[_Key, Status]


def _status_table(policy: Policy) -> _StatusTable:
    browsers = _depth((*policy.browsers.values(), *policy.engines.values()))
    os = _depth(policy.os.values()) if policy.os else 0
    if browsers is None or os is None:
        return _StatusTable(None, {}, 0, {})
    own = {key: len(rule.minimum) if rule.minimum else 1 for key, rule in policy.browsers.items()}
    return _StatusTable(browsers, own, os, {})


_tables = _PerPolicy(_status_table)


def _depth(rules: Iterable[Rule]) -> int | None:
    """How many of a version's numbers ``rules`` read, or ``None`` where a rule reads more than a
    cut version tells (see `_StatusTable`)."""
    depth = 1
    for rule in rules:
        if rule.blocked:
            continue  # decided before any version is read
        if rule.unsupported_below is not None:
            return None
        if rule.supported is None:
            continue
        if rule.minimum is None:
            return None
        depth = max(depth, len(rule.minimum))
    return depth


def _cut(version: str | None, depth: int) -> str | None:
    """``version`` up to its ``depth``-th dot: all that a rule reading ``depth`` numbers reads of it
    (a finer key than needed where a part is not a number, "17.0a1": still a right one)."""
    if not version:
        return version
    end = -1
    for _ in range(depth):
        end = version.find(".", end + 1)
        if end < 0:
            return version
    return version[:end]


def _decision(client: Client, policy: Policy) -> _Decision:
    """`_decide`, remembered per policy by what it reads of ``client``."""
    c = client
    key = (c.bot, c.browser, c.name, c.version, c.engine, c.engine_version, c.fallback, c.os, c.os_version, c.frozen)
    memo = _decisions(policy)
    decision = memo.get(key)
    if decision is None:
        decision = _decide(client, policy)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()  # a flood of distinct versions: start over rather than grow
        memo[key] = decision
    return decision


def _decide(client: Client, policy: Policy) -> _Decision:
    """What `judge` decides, from the fields of ``client`` its memo's key holds (not its notes)."""
    if client.bot is not None:
        reason = f"'{client.bot}' identifies a bot: bots are never shown a notice"
        return _Decision(Status.BOT, None, (reason,))
    decision = _judge_browser(client, policy)
    os_decision = _judge_os(client, policy)
    if os_decision is None:
        return decision
    worse = _SEVERITY[os_decision.status] > _SEVERITY[decision.status]
    return _Decision(
        os_decision.status if worse else decision.status,
        os_decision.rule if worse else decision.rule,
        (*decision.reasons, *os_decision.reasons),
    )


def _judge_browser(client: Client, policy: Policy) -> _Decision:
    if client.browser is not None and (rule := policy.rule_for(client.browser)) is not None:
        # `_steps`' first, as nine clients in ten are judged, without a generator or a step around it
        version, subject = _own_version(client)
        return _apply(rule, version, subject, client.name)
    for step in _steps(client, policy):
        if step.rule is not None:
            return _apply(step.rule, step.version, step.subject, client.name, why=step.why)
    if client.browser is None and client.engine is None:
        known = client.name == "Unknown"
        what = "no browser was recognised" if known else f"{client.name} is not a browser browsercheck knows"
        return _Decision(Status.UNKNOWN, None, (what,))
    reason = f"the policy has no rule for {client.name}"
    reason += f" nor for its engine ({_ENGINE_NAMES[client.engine]})" if client.engine else " and its engine is unknown"
    return _Decision(Status.UNKNOWN, None, (reason,))


def _steps(client: Client, policy: Policy) -> Iterator[_Step]:
    """The rules that could judge ``client``, most specific first (made as asked for: the first
    usually has a rule, and the others' reasons need not be written)."""
    if client.browser is not None:
        yield _Step(policy.rule_for(client.browser), *_own_version(client), None)
    if client.fallback is not None:
        subject = "iOS" if client.on_ios else _ENGINE_NAMES.get(client.engine or "", client.name)
        why = f"the policy does not name {client.name}: judged as {client.fallback}"
        yield _Step(policy.rule_for(client.fallback), client.engine_version, subject, why)
    if client.engine is not None:
        subject = _ENGINE_NAMES[client.engine]
        why = f"the policy does not name {client.name}: judged by its engine, {subject}"
        yield _Step(policy.engine_rule(client.engine), client.engine_version, subject, why)


def _own_version(client: Client) -> tuple[str | None, str]:
    """The version its browser's own rule reads, and what it is the version of: on iOS, but for
    Safari, the iOS release."""
    if client.on_ios and client.browser != "safari_ios":
        return client.engine_version, "iOS"
    return client.version, client.name


def _apply(
    rule: Rule, version: str | None, subject: str, name: str, *, why: str | None = None, frozen: bool = False
) -> _Decision:
    """``version`` (of ``subject``, "iOS" for Chrome on iOS) against ``rule``, which judges ``name``
    (a `_Step`'s fields, without building one). A ``frozen`` version is a lower bound: the real one
    may be higher, so a rule it does not meet cannot be decided."""
    if rule.blocked:
        return _Decision(Status.UNSUPPORTED, rule, _reasons(why, f"{name} is unsupported by the policy ({rule})"))
    plain = _LEADING_VERSION.match(version) if version else None
    minimum = rule.minimum
    if plain is not None and minimum is not None and rule.unsupported_below is None and not frozen:
        # the common case, ">=X" on a browser's version, without packaging's general machinery;
        # its first len(X) numbers decide (see `_StatusTable`)
        numbers = plain.group().split(".", len(minimum))[: len(minimum)]
        if tuple(map(int, numbers)) >= minimum:
            return _Decision(Status.SUPPORTED, rule, _reasons(why, f"{subject} {version} meets {rule.text}"))
        return _Decision(Status.OUTDATED, rule, _reasons(why, f"{subject} {version} does not meet {rule.text}"))
    parsed = Version(plain.group()) if plain is not None else None
    if parsed is None and rule.supported is None and rule.unsupported_below is None:
        return _Decision(Status.SUPPORTED, rule, _reasons(why, f"every version of {name} meets the policy ({rule})"))
    if parsed is None:
        return _Decision(
            Status.UNKNOWN, rule, _reasons(why, f"the {subject} version is unknown, so {rule} cannot be checked")
        )
    shown = f"{subject} {version}"
    meets = rule.supported is None or rule.supported.contains(parsed, prereleases=True)
    below_floor = rule.unsupported_below is not None and parsed < rule.unsupported_below
    if frozen and (below_floor or not meets):
        said = f"{shown} is frozen in the User-Agent (the real version may be later): {rule} not judged"
        return _Decision(Status.UNKNOWN, rule, _reasons(why, said))
    if below_floor:
        said = f"{shown} is below the policy's floor of {rule.unsupported_below} ({rule})"
        return _Decision(Status.UNSUPPORTED, rule, _reasons(why, said))
    if meets:
        return _Decision(Status.SUPPORTED, rule, _reasons(why, f"{shown} meets {rule}"))
    return _Decision(Status.OUTDATED, rule, _reasons(why, f"{shown} does not meet {rule}"))


def _reasons(why: str | None, verdict: str) -> tuple[str, ...]:
    """Why the step was taken, if it says, then what it found."""
    return (why, verdict) if why else (verdict,)


def _judge_os(client: Client, policy: Policy) -> _Decision | None:
    if not policy.os:
        return None  # most policies have no OS rule
    key = OS_KEYS.get(client.os or "")
    rule = policy.os.get(key) if key else None
    if rule is None or client.os is None:
        return None
    version = client.os_version
    if client.os == "Windows" and version in _WINDOWS_NAMED_VERSIONS:
        version = _WINDOWS_NAMED_VERSIONS[version]
    return _apply(rule, version, client.os, client.os, frozen="os_version" in client.frozen)
