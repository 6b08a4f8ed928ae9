"""How fast does `browsercheck audit` read a log, beside the loops a user would write, in one run?

    python benchmarks/bench_audit.py [--lines 1000000] [--log access.log] [--repeat 5] [--before SRC]
    python benchmarks/bench_audit.py --issue-cases [--before SRC]    # the three logs of #17's targets

On a generated "combined" log (`make_log.py`: Zipf-like User-Agents and visitors) it prints lines
per second of: reading alone; the "floor", a plain loop that reads each line and takes the
User-Agent with a regex; the naive loop, `user_agents.parse` on every line (timed on the first
lines: the whole log would take minutes); and the whole `browsercheck.audit()` call in a fresh
interpreter (loading the policy and building the parsers are in it; importing browsercheck, about
0.06 s, is not), with its C line counter and without (as installed where nothing compiles). The
floor and the audit run ``--repeat`` times, taking turns, as this machine's speed drifts by tens of
percent within a minute: medians are printed, and the range of the audit/floor ratio over the
pairs. Memory: the peak resident size of the audit's largest process (a worker's includes what it
shares with the main one), on the log and on a tenth of it, and the peaks of all its processes
summed. References in the same run, where installed: `awk | sort | uniq -c` (the shell's answer to
"which User-Agents, how often") and GoAccess (a log analyser in C). Judging: CPU-microseconds per
distinct User-Agent as the audit judges them (sorted, uncached, in one process, the parsers built
first), of which detection, beside `ua_parser.parse` on the same User-Agents.

``--before SRC`` (a ``src`` folder, say from ``git archive main src data | tar -x -C /tmp/before``)
runs that tree's audit and judging too, in turns with this checkout's: before/after figures of one
run. ``--issue-cases`` runs the three logs of issue #17's targets, one after the other, and ends
with each target beside its figure:

    python benchmarks/bench_audit.py --lines 100000                 # a small log
    python benchmarks/bench_audit.py                                # 1M lines, ~8,000 distinct UAs
    python benchmarks/bench_audit.py --user-agents 80000 --visitors 120000 --skew 0.6   # ~50,000

Needs the `bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).parent))
from make_log import write_log

_AUDIT = """
import re, resource, sys, time
import browsercheck
from browsercheck.audit import _tally
if sys.argv[2] == "python":
    _tally.compiled_counter = None
elif _tally.compiled_counter is None:
    sys.exit("browsercheck._speedups is not built: reinstall where a C compiler is")
start = time.perf_counter()
report = browsercheck.audit([sys.argv[1]])
seconds = time.perf_counter() - start
try:  # this program's own peak; getrusage's would carry over the benchmark's, the program that started it
    own = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1])
except OSError:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, report.lines, len(report.user_agents), max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""


def reading(path: Path) -> float:
    start = time.perf_counter()
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    return lines / (time.perf_counter() - start)


_USER_AGENT = re.compile(rb'.*"([^"]*)"')  # the last quoted field; greedy, so one pass a line


def floor(path: Path) -> float:
    """Read each line and take its User-Agent with a regex; nothing else (a plain loop: no generator
    in between, the fastest way to write it)."""
    start = time.perf_counter()
    lines = 0
    with open(path, "rb") as f:
        for line in f:
            lines += 1
            if m := _USER_AGENT.match(line):
                m.group(1)
    return lines / (time.perf_counter() - start)


def count_first(path: Path) -> float:
    """The floor, counting each User-Agent, then judging each distinct one once (one process)."""
    import browsercheck

    start = time.perf_counter()
    counts = collections.Counter(_user_agents(path))
    checker = browsercheck.Checker(cache_size=0)
    for ua in counts:
        if ua is not None:
            checker.check(ua.decode("utf-8", "backslashreplace"))
    return counts.total() / (time.perf_counter() - start)


def _user_agents(path: Path) -> Iterator[bytes | None]:
    """Each line's User-Agent (``None`` for a line without one)."""
    with open(path, "rb") as f:
        for line in f:
            m = _USER_AGENT.match(line)
            yield m.group(1) if m else None


def naive(path: Path, lines: int) -> float:
    import user_agents

    user_agent = re.compile(r'.*"([^"]*)"')
    start = time.perf_counter()
    with open(path, encoding="utf-8", errors="replace") as f:
        for _, line in zip(range(lines), f, strict=False):
            if m := user_agent.match(line):
                user_agents.parse(m.group(1))
    return lines / (time.perf_counter() - start)


def audit_in_subprocess(path: Path, counting: str = "c", src: str | None = None) -> tuple[float, int, int, int, int]:
    """Seconds, lines, distinct User-Agents, the largest process's peak (kB), and the peaks of the
    audit's processes summed (kB; each read from /proc while it lives, so a little under);
    ``src``: another tree's browsercheck."""
    with subprocess.Popen(
        [sys.executable, "-c", _AUDIT, str(path), counting], stdout=subprocess.PIPE, text=True, env=_with_src(src)
    ) as process:
        peaks: dict[int, int] = {}
        while process.poll() is None:
            for pid in _process_tree(process.pid):
                peaks[pid] = max(peaks.get(pid, 0), _peak_kb(pid))
            time.sleep(0.01)
        out = process.stdout.read() if process.stdout else ""
    if process.returncode:
        raise SystemExit(f"the audit failed ({process.returncode})")
    seconds, lines, distinct, peak_kb = out.split()
    return float(seconds), int(lines), int(distinct), int(peak_kb), max(sum(peaks.values()), int(peak_kb))


# The audit runs from bytecode, as an installed package does (pip compiles it at install): where
# PYTHONDONTWRITEBYTECODE is set, a checkout's modules would be compiled from source in every run.
_BYTECODE = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo += [int(child) for child in children]
    return found


def _peak_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(r"VmHWM:\s+(\d+)", status)
    return int(m[1]) if m else 0


def shell_seconds(command: list[str]) -> float:
    """Wall seconds of ``command``."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def awk_sort_uniq(path: Path) -> list[str] | None:
    """The User-Agents (the sixth field between quotes) and how often each comes, most first."""
    if shutil.which("awk") is None or shutil.which("sort") is None:
        return None
    return ["sh", "-c", f"awk -F'\"' '{{print $6}}' '{path}' | sort | uniq -c | sort -rn > /dev/null"]


def goaccess(path: Path, out: Path) -> list[str] | None:
    if shutil.which("goaccess") is None:
        return None
    return ["goaccess", str(path), "--log-format=COMBINED", "--no-progress", "-o", str(out)]


_JUDGING = """
import sys, time, gc
from browsercheck.audit import _audit
with open(sys.argv[1], encoding="utf-8") as f:
    uas = f.read().split("\\n")
judge = _audit._Judge(None, None)
judge.prepare()  # the policy and the parsers, built before the clock starts (the audit overlaps them)
checker, _ = judge.checkers
gc.collect()
start = time.process_time()
if sys.argv[2] == "judge":
    judge.add(uas)  # one process, as the audit judges them: sorted, each once, uncached
else:
    for ua in uas:
        checker.detect(ua)
print((time.process_time() - start) / len(uas) * 1e6)
"""
"""Judging (or detection alone) of distinct User-Agents, each in a fresh process: the parsers' regex
engines build their automata as they go, so a second pass in one process would be the faster."""

_UA_PARSER = """
import sys, time, gc
import ua_parser
with open(sys.argv[1], encoding="utf-8") as f:
    uas = f.read().split("\\n")
ua_parser.parse(uas[0])  # its parser built before the clock starts
gc.collect()
start = time.process_time()
for ua in uas:
    ua_parser.parse(ua)
print((time.process_time() - start) / len(uas) * 1e6)
"""


def distinct_file(path: Path, out: Path) -> int:
    """The log's distinct User-Agents, sorted, one a line in ``out`` (none has a newline)."""
    distinct = sorted({ua.decode("utf-8", "backslashreplace") for ua in _user_agents(path) if ua is not None})
    out.write_text("\n".join(distinct), encoding="utf-8")
    return len(distinct)


def judging_cpu_us(uas: Path, src: str | None = None) -> tuple[float, float]:
    """CPU-microseconds per distinct User-Agent of ``uas`` to judge it as the audit does, and of
    that, to detect it; in a fresh interpreter (``src``: another tree's browsercheck)."""
    return float(_python(_JUDGING, str(uas), "judge", src=src)), float(_python(_JUDGING, str(uas), "detect", src=src))


def ua_parser_cpu_us(uas: Path) -> float | None:
    """CPU-microseconds per distinct User-Agent of `ua_parser.parse`, or None where not installed."""
    try:
        return float(_python(_UA_PARSER, str(uas)))
    except subprocess.CalledProcessError:
        return None


def _python(script: str, *args: str, src: str | None = None) -> str:
    env = _with_src(src)
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, env=env
    ).stdout


def _with_src(src: str | None) -> dict[str, str]:
    env = dict(_BYTECODE)
    if src is not None:
        env["PYTHONPATH"] = src
    return env


ISSUE_CASES = [
    ("100k lines", dict(lines=100_000, user_agents=20_000, visitors=60_000, skew=1.1), 1.0),
    (
        "1M lines, a few thousand distinct UAs",
        dict(lines=1_000_000, user_agents=20_000, visitors=60_000, skew=1.1),
        2.0,
    ),
    ("1M lines, ~50,000 distinct UAs", dict(lines=1_000_000, user_agents=80_000, visitors=120_000, skew=0.6), 1.0),
]
"""Issue #17's logs, each with its target for the audit against the floor."""


def write_case_log(path: Path, shape: dict[str, float]) -> None:
    """The generated log of a case (`ISSUE_CASES`' shapes: lines, user_agents, visitors, skew)."""
    write_log(path, int(shape["lines"]), int(shape["user_agents"]), visitors=int(shape["visitors"]), skew=shape["skew"])


JUDGING_TARGET_US = 15
MEMORY_TARGET_MB = 80


class Case(NamedTuple):
    name: str
    lines: int
    distinct: int
    vs_floor: float
    """The audit's median rate over the floor's."""
    vs_floor_before: float | None
    judging_us: float
    judging_us_before: float | None
    summed_mb: float
    summed_mb_before: float | None


def run_case(path: Path, args: argparse.Namespace, tmp: Path, name: str) -> Case:
    """Every figure of one log, printed; the targets' figures returned."""
    before = args.before
    tenth = tmp / "tenth.log"
    with open(path, "rb") as src, open(tenth, "wb") as dst:
        for _, line in zip(range(max(1, args.lines // 10)), src, strict=False):
            dst.write(line)
    uas = tmp / "distinct.txt"
    distinct_file(path, uas)

    audit_in_subprocess(tenth)  # writes the bytecode the timed runs start from
    if before:
        audit_in_subprocess(tenth, src=before)
    read_rate = reading(path)
    count_first_rate = count_first(path)
    naive_rate = naive(path, args.naive_lines)
    judging, judging_before = [], []
    for _ in range(3):  # in turns, as below
        judging.append(judging_cpu_us(uas))
        if before:
            judging_before.append(judging_cpu_us(uas, before))
    parse_us = ua_parser_cpu_us(uas)
    floor_rates, audit_rates, before_rates, awk_rates, goaccess_rates = [], [], [], [], []
    summed, summed_before = [], []
    for _ in range(args.repeat):  # in turns: this machine's speed drifts
        floor_rates.append(floor(path))
        seconds, lines, distinct, peak_kb, summed_kb = audit_in_subprocess(path)
        audit_rates.append(lines / seconds)
        summed.append(summed_kb)
        if before:
            before_seconds, _, _, _, before_kb = audit_in_subprocess(path, src=before)
            before_rates.append(lines / before_seconds)
            summed_before.append(before_kb)
        if command := awk_sort_uniq(path):
            awk_rates.append(lines / shell_seconds(command))
        if command := goaccess(path, tmp / "goaccess.json"):
            goaccess_rates.append(lines / shell_seconds(command))
    python_seconds, _, _, _, _ = audit_in_subprocess(path, "python")
    _, tenth_lines, tenth_distinct, tenth_peak_kb, _ = audit_in_subprocess(tenth)

    floor_rate, audit_rate = statistics.median(floor_rates), statistics.median(audit_rates)
    pairs = sorted(a / f for a, f in zip(audit_rates, floor_rates, strict=True))
    print(f"\n{name}: {lines:,} lines, {distinct:,} distinct User-Agents; {resource.getpagesize()}-byte pages\n")
    print(f"  {'':58} {'lines/s':>12}  {'vs floor':>8}")
    for label, rate in [
        ("reading the lines, nothing else", read_rate),
        (f"floor: read + regex for the User-Agent (median of {args.repeat})", floor_rate),
        ("count first, judge each distinct once (one process)", count_first_rate),
        (f"naive: user_agents.parse per line (first {args.naive_lines:,})", naive_rate),
        (f"browsercheck.audit(), parsers built in it (median of {args.repeat})", audit_rate),
        (f"the same, before ({before}) (median of {len(before_rates)})", statistics.median(before_rates or [0])),
        ("browsercheck.audit counting in Python (no C compiler)", lines / python_seconds),
        (f"awk | sort | uniq -c | sort -rn (median of {len(awk_rates)})", statistics.median(awk_rates or [0])),
        (f"GoAccess, JSON report (median of {len(goaccess_rates)})", statistics.median(goaccess_rates or [0])),
    ]:
        if rate:
            print(f"  {label:58} {rate:>12,.0f}  {rate / floor_rate:>7.2f}x")
    print(f"\n  audit vs floor, run by run: {pairs[0]:.2f}x to {pairs[-1]:.2f}x")
    if before_rates:
        turns = sorted(a / b for a, b in zip(audit_rates, before_rates, strict=True))
        print(f"  audit vs before, run by run: {turns[0]:.2f}x to {turns[-1]:.2f}x faster")
    print(f"  audit vs naive: {audit_rate / naive_rate:,.0f}x; whole audit {lines / audit_rate:.2f} s (median)")
    judging_us, detection_us = statistics.median(j[0] for j in judging), statistics.median(j[1] for j in judging)
    print(
        f"  judging: {judging_us:.1f} CPU-us per distinct User-Agent as the audit judges (median of 3), of which"
        f" detection {detection_us:.1f} (target <= {JUDGING_TARGET_US})"
    )
    if judging_before:
        print(f"  judging before: {statistics.median(j[0] for j in judging_before):.1f} CPU-us (median of 3)")
    if parse_us is not None:
        print(f"  ua_parser.parse on the same User-Agents: {parse_us:.1f} CPU-us each (browser, OS, device)")
    print(
        f"  memory summed over the audit's processes: {statistics.median(summed) / 1024:,.0f} MB (median;"
        f" {min(summed) / 1024:,.0f}-{max(summed) / 1024:,.0f}; target <= {MEMORY_TARGET_MB} MB)"
    )
    if summed_before:
        print(f"  the same, before: {statistics.median(summed_before) / 1024:,.0f} MB (median)")
    print(
        f"  peak memory: {peak_kb / 1024:,.0f} MB for {lines:,} lines ({distinct:,} User-Agents), "
        f"{tenth_peak_kb / 1024:,.0f} MB for {tenth_lines:,} lines ({tenth_distinct:,} User-Agents)"
    )
    return Case(
        name,
        lines,
        distinct,
        audit_rate / floor_rate,
        statistics.median(before_rates) / floor_rate if before_rates else None,
        judging_us,
        statistics.median(j[0] for j in judging_before) if judging_before else None,
        statistics.median(summed) / 1024,
        statistics.median(summed_before) / 1024 if summed_before else None,
    )


def _shown(after: float, before: float | None, form: str) -> str:
    return format(after, form) + (f" (before {format(before, form)})" if before is not None else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path, help="an existing combined log instead of a generated one")
    parser.add_argument("--naive-lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the floor and the audit, taking turns")
    parser.add_argument("--user-agents", type=int, default=20_000, help="the generated log's pool of User-Agents")
    parser.add_argument("--visitors", type=int, default=60_000, help="the generated log's visitors")
    parser.add_argument("--skew", type=float, default=1.1, help="the generated log's Zipf exponent of User-Agents")
    parser.add_argument("--before", help="another tree's src folder, run in turns with this checkout's")
    parser.add_argument("--issue-cases", action="store_true", help="the three logs of issue #17's targets")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.log is not None:
            cases = [run_case(args.log, args, tmp, str(args.log))]
        else:
            wanted = (
                ISSUE_CASES
                if args.issue_cases
                else [
                    (
                        "generated",
                        dict(lines=args.lines, user_agents=args.user_agents, visitors=args.visitors, skew=args.skew),
                        None,
                    )
                ]
            )
            cases = []
            for name, shape, _ in wanted:
                path = tmp / "access.log"
                started = time.perf_counter()
                write_case_log(path, shape)
                size_mb = path.stat().st_size / 1e6
                took = time.perf_counter() - started
                print(f"\ngenerated {int(shape['lines']):,} lines ({size_mb:,.0f} MB) in {took:.1f} s")
                args.lines = int(shape["lines"])
                cases.append(run_case(path, args, tmp, name))
    if args.issue_cases:
        print("\nIssue #17's targets (medians of this run; before: the --before tree's, in turns)\n")
        for case, (_, _, target) in zip(cases, ISSUE_CASES, strict=True):
            shown = _shown(case.vs_floor, case.vs_floor_before, ".2f")
            print(f"  {case.name:40} audit vs floor {shown:>24}  target >= {target:.1f}x")
        for case in cases:
            shown = _shown(case.judging_us, case.judging_us_before, ".1f")
            print(f"  {case.name:40} judging CPU-us  {shown:>24}  target <= {JUDGING_TARGET_US}")
        for case in cases:
            shown = _shown(case.summed_mb, case.summed_mb_before, ".0f")
            print(f"  {case.name:40} MB summed       {shown:>24}  target <= {MEMORY_TARGET_MB} (1M lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
