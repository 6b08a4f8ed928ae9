"""What evaluating a policy's query costs the first verdict, and the verdict path after it.

    python benchmarks/bench_policy.py [--repeat 15]

Each figure is the median of fresh processes (nothing cached): loading the shipped default policy,
a browserslist query evaluated on the shipped data (Baseline widely available with downstream),
beside loading the same rules typed in as fixed minimums (the default before queries); then the
difference, which is what the query adds to the first verdict. Then, in one process, evaluating the
query again (a long-lived Checker's daily refresh) and a few other queries, and the cost of a
cached check under today's default policy (its date check included) beside a fixed one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import logging
import os
import statistics
import subprocess
import sys
import timeit

import browsercheck
from browsercheck._browserdata import browser_data
from browsercheck._browserslist import Evaluator
from browsercheck._evergreen import evaluate

FIXED = """\
schema: 1
name: Baseline widely available, 2026-11-27
browsers: {chrome: ">=125", chrome_android: ">=125", edge: ">=125", webview_android: ">=125", firefox: ">=126",
  firefox_android: ">=126", safari: ">=17.5", safari_ios: ">=17.5", samsunginternet_android: ">=27",
  opera: ">=111", ie: false, edge_legacy: false}
recommend: [firefox, chrome, edge]
"""
LOAD = """
import time, browsercheck
start = time.perf_counter()
{load}
print((time.perf_counter() - start) * 1000)
"""
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def fresh_ms(load: str, repeat: int) -> float:
    code = LOAD.format(load=load)
    # as an installed package runs: from bytecode (a first run writes it, even where the environment
    # says not to), not compiling the modules' source in every process
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env)
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout)
        for _ in range(repeat)
    ]
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    query = fresh_ms("browsercheck.default_policy(date='2026-11-27')", args.repeat)
    # the default before queries: the shipped file read as a resource, then its fixed rules parsed
    resource = "importlib.resources.files('browsercheck').joinpath('data/supported_browsers.yaml').read_text()"
    fixed = fresh_ms(f"import importlib.resources; {resource}; browsercheck.parse_policy({FIXED!r})", args.repeat)
    print(f"fresh process, median of {args.repeat}:")
    print(f"  default policy, query evaluated  {query:7.2f} ms")
    print(f"  the same rules as fixed minimums {fixed:7.2f} ms")
    print(f"  the query adds                   {query - fixed:7.2f} ms to the first verdict")

    logging.disable(logging.WARNING)  # the data is stale for 2027: said once per evaluation
    policy = browsercheck.default_policy(date="2026-11-27")
    n = 50
    again = min(timeit.repeat(functools.partial(evaluate, policy, dt.date(2027, 6, 1)), number=n, repeat=5)) / n * 1000
    print(f"warm: the daily re-evaluation       {again:7.2f} ms")
    evaluator = Evaluator(browser_data(), dt.date(2026, 11, 27))
    for q in ("defaults", "last 2 years", "> 0.5%", "baseline 2024 with downstream"):
        t = min(timeit.repeat(functools.partial(evaluator.select, q), number=n, repeat=5)) / n * 1000
        print(f"warm: {q!r:<32} {t:7.2f} ms")

    query_checker = browsercheck.Checker(browsercheck.default_policy())  # today's: it checks the date
    fixed_checker = browsercheck.Checker(browsercheck.parse_policy(FIXED))
    for checker in (query_checker, fixed_checker):
        checker.check(CHROME)
    n = 200_000
    for label, checker in (("query policy", query_checker), ("fixed policy", fixed_checker)):
        t = min(timeit.repeat(functools.partial(checker.check, CHROME), number=n, repeat=5)) / n * 1e9
        print(f"cached check, {label}:  {t:5.0f} ns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
