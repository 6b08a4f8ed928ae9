"""A policy suggested from traffic: the tightest minimums under which at most a given share of
people would be shown the notice.

People are the visitors that are not bots (requests, where the log has no client address). Each
distinct User-Agent of an audit is detected once more and placed where the judge would place it:
under the rule of the base policy that decides it, with the major version compared (an iPhone's
Chrome under ``safari_ios`` with its iOS version, Vivaldi under ``chrome`` with its Chromium
version), or as notified whatever the minimums are (a browser the policy does not support, one
below a hard floor, an operating system the policy's ``os:`` rule rejects), or as never notified
(unknown, or a rule without a minimum). Then minimums are raised, one step at a time, cheapest
step first: a step raises one browser's minimum to the next major version people use, and costs
the people on the version it leaves behind. It stops when no step fits the share: raising any one
minimum by one major version from there notifies more than the share (save a minimum already at
the newest version people use: a minimum above it would notify people on the latest release).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .._errors import BrowsercheckError
from .._judge import _apply, _judge_os, _steps  # the judge's own steps: the suggestion must agree with it
from .._model import Client, Status
from .._policy import Policy, Rule, release
from ._report import HUMAN, AuditReport

NOTIFIED = (Status.OUTDATED, Status.UNSUPPORTED)
RuleValue = str | bool | dict[str, str]
"""A rule as a policy file writes it: ">=125", true, false, or {supported, unsupported_below}."""


class SuggestError(BrowsercheckError, ValueError):
    """No policy can be suggested: no people in the log, or a share that cannot be met."""


@dataclass(frozen=True, slots=True)
class SuggestedRule:
    key: str
    value: RuleValue
    notifies: float
    """The share of people this rule shows the notice."""
    note: str = ""


@dataclass(frozen=True)
class Suggestion:
    base: str
    target: float
    notified: float
    """The share of people the suggested policy notifies (at most ``target``)."""
    fixed: float
    """The share notified whatever the minimums (unsupported browsers, hard floors, ``os:`` rules)."""
    weight: str
    """What a person is: "visitors" or "requests" (a log without client addresses)."""
    rules: tuple[SuggestedRule, ...]
    engines: dict[str, RuleValue] = field(default_factory=dict)
    os: dict[str, RuleValue] = field(default_factory=dict)
    unknown: str = "allow"
    recommend: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date: dt.date | None = None

    @property
    def minimums(self) -> dict[str, RuleValue]:
        return {rule.key: rule.value for rule in self.rules}

    def to_yaml(self) -> str:
        sources = ", ".join(self.sources)
        lines = [
            f"# Suggested by `browsercheck policy suggest` from {sources}, on {self.base}:",
            f"# the highest minimums under which at most {_pct(self.target)} of people ({self.weight} that",
            f"# are not bots) would be shown the notice; with it {_pct(self.notified)} are",
            f"# ({_pct(self.fixed)} whatever the minimums). Each comment gives the share a rule notifies.",
            "schema: 1",
            f"name: {json.dumps(f'Suggested: at most {_pct(self.target)} notified')}",
            "browsers:",
        ]
        width = max((len(r.key) + len(_yaml_value(r.value)) for r in self.rules), default=0) + 4
        for rule in self.rules:
            entry = f"  {rule.key}: {_yaml_value(rule.value)}"
            comment = f"notifies {_pct(rule.notifies)}" + (f"; {rule.note}" if rule.note else "")
            lines.append(f"{entry:<{width}}  # {comment}")
        for section, rules in (("engines", self.engines), ("os", self.os)):
            if rules:
                lines.append(f"{section}:")
                lines += [f"  {key}: {_yaml_value(value)}" for key, value in rules.items()]
        lines.append(f"unknown: {self.unknown}")
        lines.append(f"recommend: [{', '.join(self.recommend)}]")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        shown = {
            "schema": 1,
            "name": f"Suggested: at most {_pct(self.target)} notified",
            "browsers": self.minimums,
            **({"engines": self.engines} if self.engines else {}),
            **({"os": self.os} if self.os else {}),
            "unknown": self.unknown,
            "recommend": list(self.recommend),
            "suggested": {
                "from": list(self.sources),
                "base": self.base,
                "notify_at_most": self.target,
                "notified": round(self.notified, 6),
                "notified_whatever_the_minimums": round(self.fixed, 6),
                "people": self.weight,
                "notifies": {rule.key: round(rule.notifies, 6) for rule in self.rules},
            },
        }
        return json.dumps(shown, indent=2, ensure_ascii=False) + "\n"


def _pct(share: float) -> str:
    return f"{100 * share:.2f}%"


def _yaml_value(value: RuleValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # JSON's strings and flow mappings are YAML's too


def _rule_value(rule: Rule, supported: str | None = None) -> RuleValue:
    """A rule as a policy file writes it; ``supported`` in place of the rule's own specifier."""
    if rule.blocked:
        return False
    spec = supported if supported is not None else str(rule.supported) if rule.supported is not None else None
    if rule.unsupported_below is not None:
        return {"supported": spec if spec is not None else "", "unsupported_below": str(rule.unsupported_below)}
    return True if spec is None else spec


def parse_share(text: str) -> float:
    """``"2%"`` or ``"2"`` -> 0.02; raises `SuggestError` outside 0-100%."""
    value = text.strip().removesuffix("%").strip()
    try:
        share = float(value) / 100
    except ValueError:
        raise SuggestError(f"--notify-at-most must be a percentage such as 2% or 0.5%, got {text!r}") from None
    if not 0 <= share <= 1:
        raise SuggestError(f"--notify-at-most must be between 0% and 100%, got {text!r}")
    return share


@dataclass
class _Traffic:
    """Where people stand under the base policy's rules."""

    by_version: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    """Per adjustable browser key: people per major version compared."""
    fixed: Counter[str] = field(default_factory=Counter)
    """Per rule key (or "os"): people notified whatever the minimums."""
    people: int = 0


def suggest(report: AuditReport, base: Policy, target: float) -> Suggestion:
    """The tightest policy, from ``base``'s rules, under which at most ``target`` of the people of
    ``report`` (audited under ``base``) are notified. Raises `SuggestError`."""
    from .._checker import shared_detector

    counted = report.visitors_counted
    traffic = _Traffic()
    detect = shared_detector()
    for ua in report.user_agents:
        if ua.status not in HUMAN:
            continue
        weight = ua.visitors if counted else ua.requests
        traffic.people += weight
        _place(detect(ua.user_agent), base, weight, traffic)
    if traffic.people == 0:
        raise SuggestError("the log has no people in it (only bots, or nothing read): there is nothing to suggest from")
    budget = int(target * traffic.people)  # people who may be notified
    fixed = sum(traffic.fixed.values())
    if fixed > budget:
        worst = ", ".join(f"{key} {_pct(n / traffic.people)}" for key, n in traffic.fixed.most_common(3))
        raise SuggestError(
            f"at most {_pct(target)} of people cannot be met: {_pct(fixed / traffic.people)} are notified whatever "
            f"the minimums (browsers the policy does not support or whose system it rejects: {worst})"
        )
    minimums = _raise_minimums(traffic.by_version, budget - fixed)
    rules = []
    notified = fixed
    for key, rule in sorted(base.browsers.items()):
        versions = traffic.by_version.get(key)
        if key in minimums and versions:
            minimum = minimums[key]
            below = sum(n for major, n in versions.items() if major < minimum)
            notified += below
            newest = max(versions)
            note = "the newest version people use" if minimum == newest else ""
            share = (below + traffic.fixed[key]) / traffic.people
            rules.append(SuggestedRule(key, _rule_value(rule, f">={minimum}"), share, note))
        else:
            value = _rule_value(rule)
            note = "" if key in traffic.fixed or versions else "no people on it in the log: kept as in the base policy"
            rules.append(SuggestedRule(key, value, traffic.fixed[key] / traffic.people, note))
    return Suggestion(
        base=base.name,
        target=target,
        notified=notified / traffic.people,
        fixed=fixed / traffic.people,
        weight="visitors" if counted else "requests",
        rules=tuple(rules),
        engines={rule.subject.split(" ", 1)[-1]: _rule_value(rule) for rule in base.engines.values()},
        os={rule.subject.split(" ", 1)[-1]: _rule_value(rule) for rule in base.os.values()},
        unknown=base.unknown,
        recommend=base.recommend,
        sources=report.sources,
        date=base.date,
    )


def _place(client: Client, policy: Policy, weight: int, traffic: _Traffic) -> None:
    """Put one User-Agent's people where ``policy``'s judge would: see the module's docstring."""
    if client.bot is not None:
        return
    os_decision = _judge_os(client, policy)
    if os_decision is not None and os_decision.status in NOTIFIED:
        traffic.fixed["os"] += weight
        return
    step = next((s for s in _steps(client, policy) if s.rule is not None), None)
    if step is None or step.rule is None:
        return  # unknown: never notified
    rule = step.rule
    adjustable = (
        rule.subject in policy.browsers and rule.minimum is not None and not rule.blocked and step.version is not None
    )
    if adjustable and rule.unsupported_below is not None:
        status = _apply(rule, step.version, step.subject, client.name, why=step.why).status
        if status is Status.UNSUPPORTED:  # below the hard floor: whatever the minimum
            traffic.fixed[rule.subject] += weight
            return
    if adjustable:
        try:
            major = release(step.version.split(".")[0]) if step.version else ()
        except ValueError:
            major = ()
        if major:
            traffic.by_version[rule.subject][major[0]] += weight
            return
    if _apply(rule, step.version, step.subject, client.name, why=step.why).status in NOTIFIED:
        traffic.fixed[rule.subject] += weight


def _raise_minimums(by_version: dict[str, Counter[int]], budget: int) -> dict[str, int]:
    """Each browser's minimum: from its oldest version in use, raised cheapest step first while
    the people left behind fit ``budget``."""
    versions = {key: sorted(counts) for key, counts in by_version.items() if counts}
    position = dict.fromkeys(versions, 0)  # the minimum is versions[key][position[key]]
    spent = 0
    while True:
        steps = [
            (by_version[key][majors[position[key]]], key)
            for key, majors in versions.items()
            if position[key] + 1 < len(majors)
        ]
        fitting = [(cost, key) for cost, key in steps if spent + cost <= budget]
        if not fitting:
            return {key: majors[position[key]] for key, majors in versions.items()}
        cost, key = min(fitting)
        spent += cost
        position[key] += 1


def suggest_logs(
    paths: Sequence[str],
    target: float,
    base: str | None = None,
    *,
    date: dt.date | None = None,
    log_format: str = "combined",
    ua_field: str | None = None,
    workers: int | None = None,
    addr_field: str | None = None,
    time_field: str | None = None,
) -> Suggestion:
    """Audit ``paths`` under ``base`` (default: the shipped policy, evaluated for ``date``) and suggest."""
    from .._policy_loader import load_policy
    from ._audit import audit

    policy = load_policy(base, date=date)
    report = audit(
        paths, policy, log_format=log_format, ua_field=ua_field, workers=workers, addr_field=addr_field,
        time_field=time_field,
    )  # fmt: skip
    if report.requests == 0:
        raise SuggestError(f"no line could be read as {log_format!r} ({report.lines:,} lines)")
    return suggest(report, policy, target)
