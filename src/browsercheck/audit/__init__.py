"""The log audit: counting access logs, judging each distinct User-Agent once, reporting.

`browsercheck.audit()` is the entry point. Its steps have public names here, for audits spread
over other machinery (Dask, a SQL engine's counts): `count_logs` -> `Tally` (finished, picklable),
`merge_tallies` -> one `Tally`, `counts_of` -> `Counts`, `judge_user_agents` -> a `Judgement`
of each, `build_report` -> `AuditReport`. Imported on first use: ``import browsercheck`` stays cheap.
Import them by name (``from browsercheck.audit import count_logs``): ``browsercheck.audit`` itself
is the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._audit import Counts as Counts
    from ._audit import Judgement as Judgement
    from ._audit import build_report as build_report
    from ._audit import count_logs as count_logs
    from ._audit import counts_of as counts_of
    from ._audit import judge_user_agents as judge_user_agents
    from ._audit import merge_tallies as merge_tallies
    from ._tally import Tally as Tally

__all__ = [
    "Counts",
    "Judgement",
    "Tally",
    "build_report",
    "count_logs",
    "counts_of",
    "judge_user_agents",
    "merge_tallies",
]


def __getattr__(name: str) -> Any:
    if name == "Tally":
        from ._tally import Tally

        return Tally
    if name in __all__:
        from . import _audit

        return getattr(_audit, name)
    raise AttributeError(f"module 'browsercheck.audit' has no attribute {name!r}")
