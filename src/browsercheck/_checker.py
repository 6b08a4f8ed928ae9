"""`Checker`: detection, a policy and a cache put together. The one entry point every adapter uses."""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _clock
from ._cache import BoundedCache
from ._hints import HINT_HEADERS, MAX_HINT_LENGTH, apply_hints, hint_values, lower_names, parse_hints
from ._lazy import Lazy
from ._model import Client, Verdict
from ._policy import Policy

if TYPE_CHECKING:
    import datetime as dt

    from ._detect import Detector

DEFAULT_CACHE_SIZE = 10_000
DEFAULT_CACHE_BYTES = 16 * 1024 * 1024
_Key = str | tuple[str, tuple[str | None, ...]]  # the User-Agent, with the hints when sent
_MAX_KEY_LENGTH = 2048  # = the detector's MAX_UA_LENGTH: it reads no further, so neither does the key


# What a cached verdict holds besides its strings: the Verdict, its Client, their tuples and
# frozensets, the dict slot (about 700 bytes measured with tracemalloc), and with hints the key's
# two tuples and the fields the hints named (about 300 more). Rounded up: an estimate must not
# fall short of what an entry holds (tests check it: 1.04x for 2 KB User-Agents with ten 1 KB
# hints, 1.45x for a plain User-Agent, on CPython 3.11).
_ENTRY_OVERHEAD = 1024
_HINTS_OVERHEAD = 1024


def _entry_cost(key: _Key, verdict: Verdict) -> int:
    """The bytes a cache entry holds: the strings the client chose (User-Agent, hints, and what
    detection copied from them into the verdict), plus the records around them."""
    # loops, not sum() over generators: this is paid on every uncached check (1.7 us with them)
    size = sys.getsizeof
    if isinstance(key, str):
        cost = size(key) + _ENTRY_OVERHEAD
    else:
        cost = size(key[0]) + _ENTRY_OVERHEAD + _HINTS_OVERHEAD
        for hint in key[1]:
            if hint is not None:
                cost += size(hint)
    client = verdict.client
    for text in (client.name, client.version, client.engine_version, client.os, client.os_version, client.model):
        if text is not None:
            cost += size(text)
    for text in verdict.reasons:
        cost += size(text)
    for text in client.notes:
        cost += size(text)
    return cost


@functools.cache
def _judge() -> Callable[[Client, Policy], Verdict]:
    """`judge`, imported on the first check (an import statement in `check` costs a microsecond a call)."""
    from ._judge import judge

    return judge


def _default_detector() -> Detector:
    from ._detect import Detector

    return Detector.default()


_detector = Lazy(_default_detector)


def shared_detector() -> Detector:
    """The default detector, shared; made on first use (it builds its parsers, a few thousand
    regexes, where a User-Agent first needs them: `Detector.build`)."""
    return _detector.get()


class Checker:
    """Judges User-Agents against one policy. Safe to share between threads.

    ``Checker()`` uses the default policy; ``Checker("policy.yaml")`` or
    ``Checker(load_policy("policy.yaml"))`` a policy of one's own. Verdicts are cached per
    User-Agent, at most ``cache_size`` of them (0 turns the cache off) holding at most
    ``cache_bytes``: a client chooses how long its headers are. ``detector`` replaces
    detection: any callable from a User-Agent to a `Client`, such as
    ``browsercheck.Detector(other_ua_parser_resolver, bot_check)``.
    """

    def __init__(
        self,
        policy: Policy | str | os.PathLike[str] | None = None,
        *,
        detector: Callable[[str], Client] | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        date: dt.date | str | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        if policy is None:  # today's without importing the policy reader, where it is cached
            from ._policy_cache import default_policy

            policy = default_policy(date=date)
        elif not isinstance(policy, Policy):
            from ._policy_loader import load_policy

            policy = load_policy(policy, date=date)
        elif date is not None and policy.query is not None:
            from ._evergreen import evaluate
            from ._policy_loader import as_date

            day = as_date(date)
            assert day is not None  # for mypy: as_date gives None only for None
            policy = evaluate(policy, day)
            policy = _pinned(policy)
        self.policy: Policy = policy
        self._detector = detector
        self._cache: BoundedCache[_Key, Verdict] = BoundedCache(cache_size, cache_bytes, _entry_cost)
        # a policy from a query moves with the calendar: after midnight (UTC) the first check starts
        # evaluating it again in a thread, and goes on with the old policy until the new one is in
        self._refresh_at = _refresh_time(policy)
        self._refreshing = threading.Lock()

    def check(self, user_agent: str | bytes | None = None, *, headers: Mapping[str, Any] | None = None) -> Verdict:
        """The verdict for one request.

        ``user_agent`` is the User-Agent header; when it is ``None`` it is read from ``headers``
        (any mapping, or an object with ``items()`` such as werkzeug's ``Headers``; names in any
        case), which may also carry User-Agent Client Hints (``Sec-CH-UA``, ...): they refine what a
        Chromium User-Agent says, or stand in for it. No User-Agent at all is a verdict
        (``unknown``), as is any string: only a value of the wrong type raises `TypeError`.
        """
        hints: tuple[str | None, ...] | None = None
        if headers is not None:
            headers = lower_names(_as_mapping(headers))
            if user_agent is None:
                found = headers.get("user-agent")
                user_agent = found if isinstance(found, str | bytes) else ""
            values = hint_values(headers)
            if any(values):
                # capped: a longer hint is ignored anyway, and the key must not grow without bound
                hints = tuple(v[: MAX_HINT_LENGTH + 1] if v else v for v in values)
        if user_agent is None:
            user_agent = ""
        elif isinstance(user_agent, bytes):
            user_agent = user_agent.decode("utf-8", "replace")
        elif not isinstance(user_agent, str):
            raise TypeError(
                f"user_agent must be a str, bytes or None, got {type(user_agent).__name__}: {user_agent!r:.80}"
            )
        if self._refresh_at is not None and _clock.now() >= self._refresh_at:
            self._start_refresh()
        if len(user_agent) > _MAX_KEY_LENGTH:
            user_agent = user_agent[:_MAX_KEY_LENGTH]
        key: _Key = user_agent if hints is None else (user_agent, hints)
        cache = self._cache  # read before the policy: a refresh swaps the policy first, then the cache
        verdict = cache.get(key)
        if verdict is None:
            client = self.detect(user_agent)
            if hints is not None:
                client = apply_hints(client, parse_hints(dict(zip(HINT_HEADERS, hints, strict=True))))
            verdict = _judge()(client, self.policy)
            cache.put(key, verdict)
        return verdict

    def detect(self, user_agent: str) -> Client:
        """What the User-Agent says, before any policy: uncached. (`classify` and the audit call the
        detector itself, thousands of times: to change detection, give ``detector=``, not a
        subclass's ``detect``.)"""
        return self._detector_in_use()(user_agent)

    def _detector_in_use(self) -> Callable[[str], Client]:
        """The detector given, or the shared default one."""
        return self._detector if self._detector is not None else shared_detector()

    def build(self) -> None:
        """Build now what judging builds where a User-Agent first needs it: the default detector's
        parsers, bot check and fixed forms (`Detector.build`; 55-65 ms and 13 MB, in each process
        that has not).
        A server that loads the application and then forks its workers (gunicorn ``--preload``)
        calls it before, so that they share one copy; the audit calls it before it forks. A
        detector of one's own may be any callable, and is left as it is."""
        from ._detect import Detector

        detector = self._detector_in_use()
        if isinstance(detector, Detector):
            detector.build()

    def clear_cache(self) -> None:
        self._cache.clear()

    def _start_refresh(self) -> threading.Thread | None:
        if not self._refreshing.acquire(blocking=False):
            return None  # another request started it
        self._refresh_at = None
        thread = threading.Thread(target=self._refresh, name="browsercheck-policy-refresh", daemon=True)
        thread.start()
        return thread

    def _refresh(self) -> None:
        import datetime as dt
        import logging

        from ._evergreen import evaluate

        try:
            day = dt.datetime.fromtimestamp(_clock.now(), dt.UTC).date()
            if day != self.policy.date:
                policy = evaluate(self.policy, day)
                self.policy = policy
                self._cache = BoundedCache(self._cache.maxsize, self._cache.maxbytes, _entry_cost)  # see check()
            # the next day, or (a clock behind the policy's day) an hour from now
            self._refresh_at = max(_refresh_time(self.policy) or 0.0, _clock.now() + 3600)
        except Exception:  # the old policy stays; try again in an hour
            logging.getLogger("browsercheck").exception("browsercheck: cannot evaluate the policy for today")
            self._refresh_at = _clock.now() + 3600
        finally:
            self._refreshing.release()


def _refresh_time(policy: Policy) -> float | None:
    if policy.query is None or policy.query.pinned or policy.date is None:
        return None
    from ._evergreen import next_midnight

    return next_midnight(policy.date)


def _pinned(policy: Policy) -> Policy:
    import dataclasses

    assert policy.query is not None
    return dataclasses.replace(policy, query=dataclasses.replace(policy.query, pinned=True))


def _as_mapping(headers: object) -> Mapping[Any, Any]:
    """``headers`` as a mapping: a mapping as it is, an object with ``items()`` (werkzeug's
    ``Headers``, ``http.client.HTTPMessage``) read into a dict; anything else is a TypeError."""
    if isinstance(headers, Mapping):
        return headers
    items = getattr(headers, "items", None)
    if callable(items) and not isinstance(headers, str | bytes):
        try:
            return dict(items())
        except (TypeError, ValueError):
            pass  # items() that are not (name, value) pairs: reported below
    raise TypeError(
        "headers must be a mapping of header names to values (a dict, or an object with items()),"
        f" got {type(headers).__name__}: {headers!r:.80}"
    )
