"""How long does the HTML report of a large audit take to render, and how much does it weigh?

    python benchmarks/bench_report.py [--user-agents 50000] [--repeat 5]

A report of ``--user-agents`` distinct User-Agents (spread over six browsers, a hundred major
versions and every status, as a long log of a busy site gives) rendered as HTML, text and JSON;
prints the median time of each and the HTML's size. The issue's target: under 1 s and 2 MB for
50,000 User-Agents (the size is asserted in tests/test_report_html.py; times only printed here).
"""

from __future__ import annotations

import argparse
import statistics
import time

from browsercheck import Status
from browsercheck.audit._report import AuditReport, UserAgentStats

_NAMES = ["Google Chrome", "Mozilla Firefox", "Safari", "Microsoft Edge", "Samsung Internet", "Opera"]
_STATUSES = (Status.SUPPORTED, Status.OUTDATED, Status.UNSUPPORTED, Status.UNKNOWN, Status.BOT)


def many_user_agents(n: int) -> AuditReport:
    """A report of ``n`` distinct User-Agents, busiest first."""
    agents = tuple(
        UserAgentStats(
            f"Mozilla/5.0 (X11; Linux x86_64; build {i}) AppleWebKit/537.36 Chrome/{60 + i % 100}.0.0.0",
            n - i, 1 + i % 7, _STATUSES[i % 5], _NAMES[i % 6].split()[-1].lower(), _NAMES[i % 6],
            str(60 + i % 100),
        )
        for i in range(n)
    )  # fmt: skip
    return AuditReport(
        "Baseline widely available", None, ("access.log",), n * 10, 0, (), None, None, agents,
        minimums={"chrome": "125", "firefox": "126", "safari": "17.5", "edge": "125"},
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user-agents", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report = many_user_agents(args.user_agents)
    for form in ("to_html", "to_text", "to_json"):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            out = getattr(report, form)()
            times.append(time.perf_counter() - started)
        size = len(out.encode("utf-8"))
        median = statistics.median(times)
        print(f"{form:8} {args.user_agents:,} User-Agents: {median:.3f} s (median of {args.repeat}), {size:,} bytes")


if __name__ == "__main__":
    main()
