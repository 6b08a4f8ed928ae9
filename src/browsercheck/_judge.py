"""Judging: a `Client` and a `Policy` in, a `Verdict` with its reasons out."""

from __future__ import annotations

import re
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from ._model import Client, Status, Verdict
from ._policy import Policy, Rule

_LEADING_VERSION = re.compile(r"\d+(?:\.\d+)*")
_ENGINE_NAMES = {
    "blink": "Chromium",
    "gecko": "Gecko",
    "webkit": "WebKit",
    "trident": "Trident",
    "edgehtml": "EdgeHTML",
    "presto": "Presto",
}


class _Step(NamedTuple):
    rule: Rule | None
    version: str | None
    subject: str
    """What the version is the version of, for the reason: "Google Chrome", "iOS", "Chromium"."""
    why: str | None
    """Why this step was taken, when the policy did not name the browser itself."""


def judge(client: Client, policy: Policy) -> Verdict:
    """The verdict of ``policy`` on ``client``."""
    if client.bot is not None:
        reason = f"'{client.bot}' identifies a bot: bots are never shown a notice"
        return _verdict(Status.BOT, client, policy, None, (reason,))
    for step in _steps(client, policy):
        if step.rule is not None:
            return _apply(step.rule, step, client, policy)
    if client.browser is None and client.engine is None:
        what = (
            "no browser was recognised"
            if client.name == "Unknown"
            else f"{client.name} is not a browser browsercheck knows"
        )
        return _verdict(Status.UNKNOWN, client, policy, None, (*client.notes, what))
    reason = f"the policy has no rule for {client.name}"
    reason += f" nor for its engine ({_ENGINE_NAMES[client.engine]})" if client.engine else " and its engine is unknown"
    return _verdict(Status.UNKNOWN, client, policy, None, (*client.notes, reason))


def _steps(client: Client, policy: Policy) -> list[_Step]:
    """The rules that could judge ``client``, most specific first."""
    steps = []
    if client.browser is not None:
        if client.on_ios and client.browser != "safari_ios":
            steps.append(_Step(policy.rule_for(client.browser), client.engine_version, "iOS", None))
        else:
            steps.append(_Step(policy.rule_for(client.browser), client.version, client.name, None))
    if client.fallback is not None:
        subject = "iOS" if client.on_ios else _ENGINE_NAMES.get(client.engine or "", client.name)
        why = f"the policy does not name {client.name}: judged as {client.fallback}"
        steps.append(_Step(policy.rule_for(client.fallback), client.engine_version, subject, why))
    if client.engine is not None:
        subject = _ENGINE_NAMES[client.engine]
        why = f"the policy does not name {client.name}: judged by its engine, {subject}"
        steps.append(_Step(policy.engine_rule(client.engine), client.engine_version, subject, why))
    return steps


def _apply(rule: Rule, step: _Step, client: Client, policy: Policy) -> Verdict:
    reasons = [*client.notes] + ([step.why] if step.why else [])
    if rule.blocked:
        reasons.append(f"{client.name} is unsupported by the policy ({rule})")
        return _verdict(Status.UNSUPPORTED, client, policy, rule, reasons)
    version = _parse_version(step.version)
    if version is None and rule.supported is None and rule.unsupported_below is None:
        reasons.append(f"every version of {client.name} meets the policy ({rule})")
        return _verdict(Status.SUPPORTED, client, policy, rule, reasons)
    if version is None:
        reasons.append(f"the {step.subject} version is unknown, so {rule} cannot be checked")
        return _verdict(Status.UNKNOWN, client, policy, rule, reasons)
    shown = f"{step.subject} {step.version}"
    if rule.unsupported_below is not None and version < rule.unsupported_below:
        reasons.append(f"{shown} is below the policy's floor of {rule.unsupported_below} ({rule})")
        return _verdict(Status.UNSUPPORTED, client, policy, rule, reasons)
    if rule.supported is None or rule.supported.contains(version, prereleases=True):
        reasons.append(f"{shown} meets {rule}")
        return _verdict(Status.SUPPORTED, client, policy, rule, reasons)
    reasons.append(f"{shown} does not meet {rule}")
    return _verdict(Status.OUTDATED, client, policy, rule, reasons)


def _parse_version(text: str | None) -> Version | None:
    if not text or not (m := _LEADING_VERSION.match(text)):
        return None
    try:
        return Version(m.group())
    except InvalidVersion:  # pragma: no cover - a run of digits and dots is always valid
        return None


def _verdict(
    status: Status, client: Client, policy: Policy, rule: Rule | None, reasons: tuple[str, ...] | list[str]
) -> Verdict:
    return Verdict(
        status=status,
        client=client,
        rule=rule.text if rule is not None else None,
        reasons=tuple(reasons),
        policy=policy,
    )
