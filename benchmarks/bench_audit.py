"""How fast does `browsercheck audit` read a log, beside the loops a user would write, in one run?

    python benchmarks/bench_audit.py [--lines 1000000] [--log access.log] [--repeat 5]

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
distinct User-Agent, detection and verdict, as the audit judges them (sorted, uncached).

    python benchmarks/bench_audit.py --lines 100000                 # a small log
    python benchmarks/bench_audit.py                                # 1M lines, ~8,000 distinct UAs
    python benchmarks/bench_audit.py --user-agents 80000 --visitors 120000 --skew 0.6   # ~50,000

Needs the `bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import collections
import gc
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


def audit_in_subprocess(path: Path, counting: str = "c") -> tuple[float, int, int, int, int]:
    """Seconds, lines, distinct User-Agents, the largest process's peak (kB), and the peaks of the
    audit's processes summed (kB; each read from /proc while it lives, so a little under)."""
    with subprocess.Popen(
        [sys.executable, "-c", _AUDIT, str(path), counting], stdout=subprocess.PIPE, text=True, env=_BYTECODE
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


def judging_cpu_us(path: Path) -> tuple[float, int]:
    """CPU-microseconds per distinct User-Agent of the log to detect and judge it, as the audit
    does (uncached, in sorted order), in this process with the parsers already built."""
    import browsercheck

    distinct = sorted({ua.decode("utf-8", "backslashreplace") for ua in _user_agents(path) if ua is not None})
    checker = browsercheck.Checker(cache_size=0)
    checker.check(distinct[0])
    gc.collect()
    start = time.process_time()
    for ua in distinct:
        checker.check(ua)
    return (time.process_time() - start) / len(distinct) * 1e6, len(distinct)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path, help="an existing combined log instead of a generated one")
    parser.add_argument("--naive-lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the floor and the audit, taking turns")
    parser.add_argument("--user-agents", type=int, default=20_000, help="the generated log's pool of User-Agents")
    parser.add_argument("--visitors", type=int, default=60_000, help="the generated log's visitors")
    parser.add_argument("--skew", type=float, default=1.1, help="the generated log's Zipf exponent of User-Agents")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.log
        if path is None:
            path = Path(tmp) / "access.log"
            started = time.perf_counter()
            write_log(path, args.lines, args.user_agents, visitors=args.visitors, skew=args.skew)
            size_mb = path.stat().st_size / 1e6
            print(f"generated {args.lines:,} lines ({size_mb:,.0f} MB) in {time.perf_counter() - started:.1f} s")
        tenth = Path(tmp) / "tenth.log"
        with open(path, "rb") as src, open(tenth, "wb") as dst:
            for _, line in zip(range(max(1, args.lines // 10)), src, strict=False):
                dst.write(line)

        audit_in_subprocess(tenth)  # writes the bytecode the timed runs start from
        read_rate = reading(path)
        count_first_rate = count_first(path)
        naive_rate = naive(path, args.naive_lines)
        judging_us, _ = judging_cpu_us(path)
        floor_rates, audit_rates, awk_rates, goaccess_rates, summed = [], [], [], [], []
        for _ in range(args.repeat):
            floor_rates.append(floor(path))
            seconds, lines, distinct, peak_kb, summed_kb = audit_in_subprocess(path)
            audit_rates.append(lines / seconds)
            summed.append(summed_kb)
            if command := awk_sort_uniq(path):
                awk_rates.append(lines / shell_seconds(command))
            if command := goaccess(path, Path(tmp) / "goaccess.json"):
                goaccess_rates.append(lines / shell_seconds(command))
        python_seconds, _, _, _, _ = audit_in_subprocess(path, "python")
        _, tenth_lines, tenth_distinct, tenth_peak_kb, _ = audit_in_subprocess(tenth)

    floor_rate, audit_rate = statistics.median(floor_rates), statistics.median(audit_rates)
    pairs = sorted(a / f for a, f in zip(audit_rates, floor_rates, strict=True))
    print(f"\n{lines:,} lines, {distinct:,} distinct User-Agents; {resource.getpagesize()}-byte pages\n")
    print(f"  {'':58} {'lines/s':>12}  {'vs floor':>8}")
    for name, rate in [
        ("reading the lines, nothing else", read_rate),
        (f"floor: read + regex for the User-Agent (median of {args.repeat})", floor_rate),
        ("count first, judge each distinct once (one process)", count_first_rate),
        (f"naive: user_agents.parse per line (first {args.naive_lines:,})", naive_rate),
        (f"browsercheck.audit(), parsers built in it (median of {args.repeat})", audit_rate),
        ("browsercheck.audit counting in Python (no C compiler)", lines / python_seconds),
        (f"awk | sort | uniq -c | sort -rn (median of {len(awk_rates)})", statistics.median(awk_rates or [0])),
        (f"GoAccess, JSON report (median of {len(goaccess_rates)})", statistics.median(goaccess_rates or [0])),
    ]:
        if rate:
            print(f"  {name:58} {rate:>12,.0f}  {rate / floor_rate:>7.2f}x")
    print(f"\n  audit vs floor, run by run: {pairs[0]:.2f}x to {pairs[-1]:.2f}x")
    print(f"  audit vs naive: {audit_rate / naive_rate:,.0f}x; whole audit {lines / audit_rate:.2f} s (median)")
    print(f"  judging: {judging_us:.1f} CPU-us per distinct User-Agent, detection and verdict (target <= 15)")
    print(
        f"  memory summed over the audit's processes: {statistics.median(summed) / 1024:,.0f} MB (median;"
        f" {min(summed) / 1024:,.0f}-{max(summed) / 1024:,.0f}; target <= 80 MB)"
    )
    print(
        f"  peak memory: {peak_kb / 1024:,.0f} MB for {lines:,} lines ({distinct:,} User-Agents), "
        f"{tenth_peak_kb / 1024:,.0f} MB for {tenth_lines:,} lines ({tenth_distinct:,} User-Agents)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
