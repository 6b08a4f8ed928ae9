"""How fast is browsercheck, beside what a user would otherwise reach for, in one run?

    python benchmarks/bench_check.py [--count 4000]

Prints, on the same distinct User-Agents: `user_agents.parse` (the usual choice), ua-parser 1.x on
each resolver it has (the evidence for using the native one), crawlerdetect against browsercheck's
bot check, browsercheck's uncached and cached `check()`, import time and first-call setup time.
Needs the `bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ua_parser import Domain

sys.path.insert(0, str(Path(__file__).parent))
from corpus import distinct_user_agents


def per_second(fn: Callable[[str], object], uas: Sequence[str]) -> float:
    """Calls per second of ``fn`` over ``uas``, each once: the best of three passes if cheap."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        for ua in uas:
            fn(ua)
        best = min(best, time.perf_counter() - start)
        if best > 2:  # slow libraries: one pass is evidence enough
            break
    return len(uas) / best


def repeated_ns(fn: Callable[[str], object], ua: str, calls: int = 200_000) -> float:
    fn(ua)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn(ua)
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e9


def subprocess_seconds(code: str, runs: int = 7) -> float:
    """The median of what ``code`` itself reports, in a fresh interpreter each run."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=BYTECODE)
        times.append(float(out.stdout))
    return statistics.median(times)


def _with_domains(resolver: Callable[[str, Domain], object], domains: Domain) -> Callable[[str], object]:
    return lambda ua: resolver(ua, domains)


_FIRST = """
import re, sys, time
start = time.perf_counter()
if sys.argv[1] == "browsercheck":
    import browsercheck
    browsercheck.check(sys.argv[2])
else:
    import user_agents
    user_agents.parse(sys.argv[2])
seconds = time.perf_counter() - start
print(seconds, re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read())[1])
"""
_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)


# Fresh interpreters run from bytecode, as an installed package does (pip compiles it at install):
# where PYTHONDONTWRITEBYTECODE is set, a checkout's modules would be compiled from source in each.
BYTECODE = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


_WEBVIEW = (
    "Mozilla/5.0 (Linux; Android 13; SM-S918B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Version/4.0 Chrome/131.0.6778.200 Mobile Safari/537.36"
)
"""A browser of no fixed form (an app's WebView, its model named): read by the parsers and the bot check."""


def first_verdict(library: str, ua: str = _CHROME, cache: str | None = None) -> tuple[float, float]:
    """Seconds from nothing imported to the first answer in a fresh interpreter, and the memory
    (resident MB) after it; ``cache``: browsercheck's cache directory (what it keeps per machine)."""
    env = BYTECODE if cache is None else {**BYTECODE, "BROWSERCHECK_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, "-c", _FIRST, library, ua], capture_output=True, text=True, check=True, env=env
    )
    seconds, rss_kb = out.stdout.split()
    return float(seconds), int(rss_kb) / 1024


def uncached_rates(chunk: Sequence[str], check_first: bool = False) -> tuple[float, float]:
    """Calls per second of `ua_parser.parse` and of an uncached `Checker.check` over ``chunk``,
    User-Agents neither has seen (ua-parser's own cache keeps the last 2,000 it parsed);
    ``check_first``: browsercheck's turn first (the second finds the strings' hashes made)."""
    import ua_parser

    import browsercheck

    checker = browsercheck.Checker(cache_size=0)

    def rate(call: Callable[[str], object]) -> float:
        gc.collect()
        start = time.perf_counter()
        for ua in chunk:
            call(ua)
        return len(chunk) / (time.perf_counter() - start)

    if check_first:
        ours = rate(checker.check)
        return rate(ua_parser.parse), ours
    reference = rate(ua_parser.parse)
    return reference, rate(checker.check)


def targets(rounds: int) -> None:
    """Issue #17's targets beside their references, taking turns round by round (this machine's
    speed drifts by tens of percent within a minute), which goes first changing every round:
    medians, and the range of the ratios."""
    import ua_parser

    import browsercheck

    chunk = 2000
    uas = distinct_user_agents(chunk * (rounds + 1), seed=17)
    ua_parser.parse(uas[0])
    browsercheck.Checker().build()
    with tempfile.TemporaryDirectory() as kept:
        # a machine where browsercheck ran before: the policy, ua-parser's rules and what the parsers
        # call the fixed forms are kept (this first run writes them, and the bytecode the rounds run from)
        first_verdict("browsercheck", cache=kept)
        firsts, others, nothing_kept, rates = [], [], [], []
        for i in range(rounds):
            firsts.append((first_verdict("browsercheck", cache=kept), first_verdict("user_agents")))
            others.append((first_verdict("browsercheck", _WEBVIEW, kept), first_verdict("user_agents", _WEBVIEW)))
            with tempfile.TemporaryDirectory() as empty:  # the machine's first process: nothing kept
                nothing_kept.append(first_verdict("browsercheck", cache=empty))
            rates.append(uncached_rates(uas[chunk * (i + 1) : chunk * (i + 2)], check_first=i % 2 == 1))
    med = statistics.median
    print(f"\ntargets of #17 (median of {rounds} interleaved rounds; ratio range over the rounds)")
    print("  first verdict in a fresh process, and memory after it (target <= 0.80x user_agents, <= 30 MB):")
    for what, pairs in (
        ("Chrome on Windows, where browsercheck ran before", firsts),
        ("an Android WebView (no fixed form), the same", others),
    ):
        ours, theirs = [b[0] * 1e3 for b, _ in pairs], [u[0] * 1e3 for _, u in pairs]
        ratios = sorted(b[0] / u[0] for b, u in pairs)
        memory = sorted(b[1] for b, _ in pairs)
        print(
            f"    {what}: browsercheck {med(ours):.0f} ms, user_agents {med(theirs):.0f} ms: {med(ratios):.2f}x"
            f" ({ratios[0]:.2f}-{ratios[-1]:.2f}); {med(memory):.1f} MB ({memory[0]:.1f}-{memory[-1]:.1f}),"
            f" user_agents {med([u[1] for _, u in pairs]):.1f} MB"
        )
    theirs = [u[0] * 1e3 for _, u in firsts]
    cold = sorted(b[0] * 1e3 for b in nothing_kept)
    print(
        f"    Chrome on Windows, a machine's first process (nothing kept yet; it keeps it):"
        f" {med(cold):.0f} ms ({cold[0]:.0f}-{cold[-1]:.0f}), {med(cold) / med(theirs):.2f}x;"
        f" {med([b[1] for b in nothing_kept]):.1f} MB"
    )
    reference_us = [1e6 / r for r, _ in rates]
    check_us = [1e6 / c for _, c in rates]
    check_ratios = sorted(c / r for r, c in zip(reference_us, check_us, strict=True))
    print(
        f"  uncached check() {med(check_us):.1f} us, ua_parser.parse {med(reference_us):.1f} us, on {chunk:,} "
        f"new User-Agents a round: {med(check_ratios):.2f}x the time ({check_ratios[0]:.2f}-{check_ratios[-1]:.2f};"
        " target <= 1.00x)"
    )


def row(name: str, rate: float, baseline: float | None = None, note: str = "") -> None:
    ratio = f"{rate / baseline:8.1f}x" if baseline else " " * 9
    print(f"  {name:<52} {rate:>12,.0f}/s {1e6 / rate:>9.1f} us {ratio}  {note}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000, help="distinct User-Agents (default 4000)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds for the targets (default 7)")
    args = parser.parse_args(argv)

    import ua_parser
    import user_agents
    from crawlerdetect import CrawlerDetect

    import browsercheck
    from browsercheck._bots import BotDetector

    uas = distinct_user_agents(args.count)
    slow_subset = uas[: max(200, args.count // 10)]
    print(
        f"browsercheck {browsercheck.__version__}, Python {sys.version.split()[0]}, ua-parser "
        f"{'.'.join(map(str, ua_parser.VERSION))}; {len(uas):,} distinct User-Agents "
        f"(the slow ones on the first {len(slow_subset):,})\n"
    )

    print("distinct User-Agents, each once (uncached)    calls/s    per call   vs user_agents")
    baseline = per_second(user_agents.parse, uas)
    row("user_agents.parse (browser, OS, device)", baseline, baseline)

    matchers = ua_parser.load_lazy_builtins()
    resolvers: list[tuple[str, Callable[[], ua_parser.Resolver], Sequence[str]]] = [
        ("native (ua-parser-rs)", lambda: ua_parser.regex.Resolver(matchers), uas),
        ("basic (pure Python)", lambda: ua_parser.BasicResolver(ua_parser.load_builtins()), slow_subset),
    ]
    if importlib.util.find_spec("re2"):
        resolvers.append(("re2 (google-re2)", lambda: ua_parser.re2.Resolver(matchers), uas))
    else:
        print("  (ua-parser's re2 resolver not measured: google-re2 is not installed)")
    for name, make, sample in resolvers:
        resolver = make()
        resolver(sample[0], Domain.ALL)  # lazy matchers compile on first use
        for domains, what, note in [
            (Domain.USER_AGENT, "browser only", ""),
            (Domain.USER_AGENT | Domain.OS, "browser+OS", "what browsercheck asks for"),
            (Domain.ALL, "browser+OS+device", ""),
        ]:
            rate = per_second(_with_domains(resolver, domains), sample)
            row(f"ua-parser {name}: {what}", rate, baseline, note)

    row("crawlerdetect.is_crawler", per_second(lambda ua: CrawlerDetect().is_crawler(ua), slow_subset), baseline)
    bots = BotDetector.from_crawlerdetect()
    bots(uas[0])
    row("browsercheck bot check (same patterns)", per_second(bots, uas), baseline)

    browsercheck.Checker().build()  # the shared parsers built outside the timing (a form's User-Agent builds none)
    uncached = browsercheck.Checker(cache_size=0)
    row(
        "browsercheck check(), uncached: everything",
        per_second(uncached.check, uas),
        baseline,
        "browser, OS, device, bot, policy",
    )

    print("\nthe same User-Agent again (cached)               ns per call")
    hot = uas[1]
    print(f"  {'dict lookup':<52} {repeated_ns({hot: 1}.get, hot):>10,.0f}")
    print(f"  {'browsercheck.check(ua)':<52} {repeated_ns(browsercheck.check, hot):>10,.0f}")
    checker = browsercheck.Checker()
    print(f"  {'Checker.check(ua)':<52} {repeated_ns(checker.check, hot):>10,.0f}")
    print(f"  {'user_agents.parse(ua)':<52} {repeated_ns(user_agents.parse, hot, 20_000):>10,.0f}")

    targets(args.rounds)

    print("\nstart-up (median of 7 fresh interpreters)          ms")
    bare = subprocess_seconds("import time; t = time.perf_counter(); import json; print(time.perf_counter() - t)")
    imp = subprocess_seconds(
        "import time; t = time.perf_counter(); import browsercheck; print(time.perf_counter() - t)"
    )
    first = subprocess_seconds(
        "import browsercheck, time; t = time.perf_counter(); browsercheck.check('Mozilla/5.0'); "
        "print(time.perf_counter() - t)",
        runs=3,
    )
    ua_imp = subprocess_seconds(
        "import time; t = time.perf_counter(); import user_agents; print(time.perf_counter() - t)"
    )
    print(f"  {'import json (for scale)':<52} {bare * 1e3:>8.1f}")
    print(f"  {'import browsercheck':<52} {imp * 1e3:>8.1f}")
    print(f"  {'import user_agents':<52} {ua_imp * 1e3:>8.1f}")
    print(f"  {'first check() of no fixed form: builds the parsers':<52} {first * 1e3:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
