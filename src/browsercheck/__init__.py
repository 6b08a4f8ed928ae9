"""browsercheck: is this visitor's browser good enough for this site, and what do we tell them?

>>> import browsercheck
>>> v = browsercheck.check("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko")
>>> v.status, v.client.browser, v.client.version
(<Status.UNSUPPORTED: 'unsupported'>, 'ie', '11.0')

Importing is cheap: the parsers are built where a User-Agent first needs them.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

# The subpackage first (its __init__ is empty): importing a submodule sets it as an attribute of its
# package, and would replace the function `audit` defined below with the module on the first audit
from . import _pickling as _pickling  # Policy and Verdict pickle (copyreg)
from . import audit as _audit_subpackage  # noqa: F401
from ._checker import Checker as Checker
from ._errors import AuditWorkerError as AuditWorkerError
from ._errors import BrowsercheckError as BrowsercheckError
from ._errors import ClusterError as ClusterError
from ._errors import CountsTableError as CountsTableError
from ._errors import LogFormatError as LogFormatError
from ._errors import LogReadError as LogReadError
from ._errors import MissingExtraError as MissingExtraError
from ._errors import PolicyError as PolicyError
from ._errors import Problem as Problem
from ._exempt import exempt as exempt
from ._hints import HINT_HEADERS as HINT_HEADERS
from ._hints import ClientHints as ClientHints
from ._hints import hints_to_request as hints_to_request
from ._hints import read_hints as read_hints
from ._lazy import Lazy
from ._model import Client as Client
from ._model import Device as Device
from ._model import Status as Status
from ._model import Verdict as Verdict
from ._policy import Policy as Policy
from ._policy import Rule as Rule
from ._policy import Site as Site

if TYPE_CHECKING:
    import datetime as dt

    from ._detect import Detector as Detector
    from .audit._report import AuditReport as AuditReport
    from .audit._report import UserAgentStats as UserAgentStats

__all__ = [
    "HINT_HEADERS",
    "AuditReport",
    "AuditWorkerError",
    "BrowsercheckError",
    "Checker",
    "Client",
    "ClientHints",
    "ClusterError",
    "CountsTableError",
    "Detector",
    "Device",
    "LogFormatError",
    "LogReadError",
    "MissingExtraError",
    "Policy",
    "PolicyError",
    "Problem",
    "Rule",
    "Site",
    "Status",
    "UserAgentStats",
    "Verdict",
    "audit",
    "check",
    "check_many",
    "classify",
    "default_policy",
    "exempt",
    "hints_to_request",
    "load_policy",
    "parse_policy",
    "read_hints",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "Detector":  # imported on first use: it loads ua-parser
        from ._detect import Detector

        return Detector
    if name in ("AuditReport", "UserAgentStats"):  # imported on first use: only audits need them
        from .audit import _report

        return getattr(_report, name)
    raise AttributeError(f"module 'browsercheck' has no attribute {name!r}")


_checkers_lock = threading.Lock()
_default_checker = Lazy(Checker)
_policy_checkers: weakref.WeakKeyDictionary[Policy, Checker] = weakref.WeakKeyDictionary()


def check(
    user_agent: str | bytes | None = None,
    *,
    headers: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
) -> Verdict:
    """The verdict for one request's User-Agent (or its ``headers``) under ``policy``.

    ``policy`` defaults to the shipped default policy. Verdicts are cached per policy; to judge
    many requests against a policy file of one's own, make a `Checker` once and reuse it.
    """
    return _checker_for(policy).check(user_agent, headers=headers)


def _checker_for(policy: Policy | None) -> Checker:
    if policy is None:
        return _default_checker.get()
    if not isinstance(policy, Policy):
        raise TypeError(
            f"policy must be a Policy or None, got {type(policy).__name__}: {policy!r:.80}"
            " (read a file once with browsercheck.load_policy(path))"
        )
    checker = _policy_checkers.get(policy)
    if checker is None:
        with _checkers_lock:
            checker = _policy_checkers.setdefault(policy, Checker(policy))
    return checker


def check_many(user_agents: Iterable[str | bytes | None], *, policy: Policy | None = None) -> list[Verdict]:
    """Verdicts for many User-Agents, in order; each distinct string is judged once."""
    checker = _checker_for(policy)
    seen: dict[str | bytes | None, Verdict] = {}
    out = []
    for ua in user_agents:
        verdict = seen.get(ua)
        if verdict is None:
            verdict = seen[ua] = checker.check(ua)
        out.append(verdict)
    return out


def classify(values: Any, policy: Policy | None = None) -> Any:
    """Judge a column of User-Agents row by row: a pandas Series, a pyarrow Array or ChunkedArray,
    or a polars Series, in; that library's table out, with columns status, browser, version, os,
    os_version and bot, one row per value. Each distinct value is judged once."""
    from ._classify import classify as run

    return run(values, policy)


def audit(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    policy: Policy | str | os.PathLike[str] | None = None,
    *,
    compare: Policy | str | os.PathLike[str] | None = None,
    log_format: str = "combined",
    ua_field: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    counts: bool = False,
    dask: Any = None,
    addr_field: str | None = None,
    time_field: str | None = None,
    by_day: bool = False,
) -> AuditReport:
    """Audit web-server access logs: who visits with which browser, and what the policy does to them.

    ``paths``: log files, plain or gzip/bzip2/xz, or ``"-"`` for standard input (a single path
    alone is one log). ``log_format``:
    ``"combined"`` (default), an nginx template, ``"regex:..."``, ``"json"`` (``ua_field``,
    ``addr_field``, ``time_field``: dotted paths, else the usual names), ``"w3c"`` (IIS),
    ``"cloudfront"``, ``"alb"``, ``"haproxy"``, ``"caddy"``, ``"traefik"``. ``by_day``: count people
    per status per day too (for `AuditReport.to_html`'s chart; a second reading). See `AuditReport`.
    ``counts=True``: ``paths`` are tables of counts per User-Agent (CSV, JSON lines, Parquet) that a
    SQL engine made. ``dask``: a ``distributed.Client``, a scheduler address or ``"local"``: count
    and judge on its workers (``pip install 'browsercheck[dask]'``).
    """
    from .audit._audit import audit as run

    return run(
        paths,
        policy,
        compare=compare,
        log_format=log_format,
        ua_field=ua_field,
        workers=workers,
        progress=progress,
        counts=counts,
        dask=dask,
        addr_field=addr_field,
        time_field=time_field,
        by_day=by_day,
    )


def load_policy(source: str | os.PathLike[str] | None = None, *, date: dt.date | str | None = None) -> Policy:
    """Read and validate a policy file (``None``: the default policy).

    A ``browserslist:`` query in it is evaluated for ``date`` (``"YYYY-MM-DD"`` or a `datetime.date`;
    default: today, UTC). Raises `PolicyError` listing every problem, each with its file, line and field.
    """
    from ._policy_loader import load_policy as load

    return load(source, date=date)


def parse_policy(text: str, filename: str = "<string>", *, date: dt.date | str | None = None) -> Policy:
    """Validate policy YAML given as text; ``filename`` names it in error messages."""
    from ._policy_loader import parse_policy as parse

    return parse(text, filename, date=date)


def default_policy(*, date: dt.date | str | None = None) -> Policy:
    """The default policy shipped with browsercheck: Baseline "widely available" on ``date`` (default today)."""
    from ._policy_cache import default_policy as load  # today's without the policy reader, where cached

    return load(date=date)
