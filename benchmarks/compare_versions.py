"""Before against after: the first verdict, memory and uncached check() of two checkouts, in turns.

    git archive main src data | tar -x -C /tmp/before
    python benchmarks/compare_versions.py /tmp/before/src [--rounds 7]

Each round runs, for each version, a fresh process that imports browsercheck and judges one
User-Agent (milliseconds, resident MB after it) and a process that times uncached ``check()``
against ``ua_parser.parse`` on 2,000 User-Agents neither has seen; and one fresh process of
``user_agents`` for reference. Prints medians and ranges.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from bench_check import _CHROME, _FIRST, BYTECODE

HERE = Path(__file__).parent
_CHECK = f"""
import gc, sys, time
sys.path.insert(0, {str(HERE)!r})
from corpus import distinct_user_agents
import browsercheck, ua_parser
uas = distinct_user_agents(3000, seed=int(sys.argv[1]))
ua_parser.parse(uas[0])
browsercheck.check("curl/8.5.0")  # of no fixed form: the parsers built before the clock, in either tree
checker = browsercheck.Checker(cache_size=0)
sample = uas[1000:3000]
gc.collect()
start = time.perf_counter()
for ua in sample:
    ua_parser.parse(ua)
reference = time.perf_counter() - start
start = time.perf_counter()
for ua in sample:
    checker.check(ua)
print(reference / len(sample) * 1e6, (time.perf_counter() - start) / len(sample) * 1e6)
"""


def _run(code: str, src: str | None, *args: str) -> list[float]:
    env = dict(BYTECODE)
    if src is not None:
        env["PYTHONPATH"] = src
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env)
    return [float(x) for x in out.stdout.split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="the src folder of the version to compare with")
    parser.add_argument("--after", default=str(HERE.parent / "src"), help="default: this checkout's src")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    versions = {"before": args.before, "after": args.after}
    for src in versions.values():
        _run(_FIRST, src, "browsercheck", _CHROME)  # writes the bytecode the rounds run from
    seen: dict[str, dict[str, list[float]]] = {name: {"ms": [], "mb": [], "us": [], "ratio": []} for name in versions}
    reference_ms = []
    for i in range(args.rounds):
        for name, src in versions.items():
            seconds, kb = _run(_FIRST, src, "browsercheck", _CHROME)
            reference_us, check_us = _run(_CHECK, src, str(100 + i))
            seen[name]["ms"].append(seconds * 1e3)
            seen[name]["mb"].append(kb / 1024)
            seen[name]["us"].append(check_us)
            seen[name]["ratio"].append(check_us / reference_us)
        reference_ms.append(_run(_FIRST, None, "user_agents", _CHROME)[0] * 1e3)
    med = statistics.median
    print(f"median of {args.rounds} rounds in turns; user_agents' first parse {med(reference_ms):.0f} ms")
    for name, figures in seen.items():
        ms, ratio = figures["ms"], figures["ratio"]
        print(
            f"  {name:6} first verdict {med(ms):.0f} ms ({min(ms):.0f}-{max(ms):.0f}), "
            f"{med(ms) / med(reference_ms):.2f}x user_agents; memory {med(figures['mb']):.1f} MB; "
            f"uncached check {med(figures['us']):.1f} us, {med(ratio):.2f}x ua_parser.parse "
            f"({min(ratio):.2f}-{max(ratio):.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
