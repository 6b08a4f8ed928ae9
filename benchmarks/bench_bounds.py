"""How fast could an audit be on the engines browsercheck runs? Their work alone, beside the floor.

    python benchmarks/bench_bounds.py [--repeat 5]            # issue #17's three logs
    python benchmarks/bench_bounds.py --log access.log        # a combined log of your own

Whatever else it does, an audit on these engines builds them (ua-parser-rs's browser and OS
extractors; the bot check, which makes crawlerdetect's patterns a C literal search and a native
pass; the fixed forms' regex), counts every line (the C counter, reading included) and runs them on
each distinct User-Agent. Which engine runs on which text is recorded as browsercheck's detector
runs them; then each engine's recorded calls are replayed alone and timed: what the engines take,
with nothing of browsercheck's between them but the loop that calls them.

For each log it prints those CPU milliseconds (the builds' each in a fresh interpreter; medians
over ``--repeat`` runs), and their sum split evenly over the cores (at least the longest build,
which one core does alone): no audit on these engines takes less wall time. Beside it: the floor of
``bench_audit.py`` (a plain loop that reads each line and takes its User-Agent with a regex) and
the audit itself, taking turns with it, with the CPU its processes spent (importing browsercheck
excluded, as in ``bench_audit.py``). What lies between the engines' CPU and the audit's is
browsercheck's own work: detection's and judging's Python, the messages between its processes, the
report.

Needs the `bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_audit import _BYTECODE, ISSUE_CASES, distinct_file, floor, write_case_log

_BUILDS = r"""
import json, time
from browsercheck import _resolver
from browsercheck._bots import BotDetector
from browsercheck._detect import Detector
from browsercheck._forms import FORMS, Forms
import crawlerdetect.providers.crawlers, ua_parser_rs  # imported before the clock starts

rules = _resolver.builtin_rules()
then = Detector.after_bots()
builds = {
    "the browser extractor (ua-parser-rs)": lambda: ua_parser_rs.UserAgentExtractor(rules[0]),
    "the OS extractor (ua-parser-rs)": lambda: ua_parser_rs.OSExtractor(rules[1]),
    "the bot check": lambda: BotDetector.from_crawlerdetect(then=then),
    "the forms' regex": lambda: Forms.known(FORMS, (None,) * len(FORMS)),
}
took = {}
for label, build in builds.items():
    start = time.process_time()
    build()
    took["building " + label] = time.process_time() - start
print(json.dumps(took))
"""

_RUNS = r"""
import json, os, statistics, sys, time
from browsercheck._checker import Checker
from browsercheck._speedups import CombinedCounter
from browsercheck.audit._logread import Source, read_range
from browsercheck.audit._tally import Tally

log, uas_file, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
uas = open(uas_file, encoding="utf-8").read().split("\n")
cpu = time.process_time


class Recorder:
    # stands in for an engine: records the arguments of each call of its methods, and makes it
    def __init__(self, label, engine, calls):
        self._label, self._engine, self._calls = label, engine, calls

    def __getattr__(self, name):
        method = getattr(self._engine, name)

        def recorded(*args):
            self._calls.setdefault((self._label, name), []).append(args)
            return method(*args)

        return recorded


def median_cpu(run):
    times = []
    for _ in range(repeat):
        start = cpu()
        run()
        times.append(cpu() - start)
    return statistics.median(times)


detector = Checker(cache_size=0)._detector_in_use()
for ua in uas:  # builds what the detector builds where first needed (an agent's pass, the tokens')
    detector(ua)
calls = {}
resolver, gate, forms = detector._resolver, detector._bots._gate, detector._read_form.__self__
engines = [
    ("the browser extractor (ua-parser-rs)", resolver, "_user_agent"),
    ("the OS extractor (ua-parser-rs)", resolver, "_os"),
    ("the bot check's native pass", gate, "_native"),
    ("the bot check's C literal search", gate, "_literals"),
    ("the agents' and tokens' native pass", detector, "_marks_then_tokens"),
    ("the tokens' native pass", detector._tokens, "_native"),
]
if detector._bots._exclusions is not None and detector._bots._exclusions._starts is not None:
    engines.append(("the bot exclusions' C search", detector._bots._exclusions, "_starts"))
for label, holder, name in engines:
    if getattr(holder, name) is not None:
        setattr(holder, name, Recorder(label, getattr(holder, name), calls))
fullmatch = forms._fullmatch


def recorded_fullmatch(text):
    calls.setdefault(("the forms' regex", "fullmatch"), []).append((text,))
    return fullmatch(text)


forms._fullmatch = recorded_fullmatch
for ua in uas:
    detector(ua)
for label, holder, name in engines:
    if isinstance(getattr(holder, name), Recorder):
        setattr(holder, name, getattr(holder, name)._engine)
forms._fullmatch = fullmatch
engine_of = {label: getattr(holder, name) for label, holder, name in engines}


def replay(method, arguments):
    def run():
        for args in arguments:
            method(*args)
    return run


took = {}
for (label, name), arguments in calls.items():
    method = fullmatch if label == "the forms' regex" else getattr(engine_of[label], name)
    took[f"{label} on {len(arguments):,} texts"] = median_cpu(replay(method, arguments))


def count():
    counter = CombinedCounter(Tally(None).max_line)
    for chunk in read_range(Source(log, os.path.getsize(log), compressed=False), 0, os.path.getsize(log)):
        counter.add(chunk)
        counter.take_new()


took["counting the lines in C, reading included"] = median_cpu(count)
print(json.dumps(took))
"""

_AUDIT_CPU = r"""
import resource, sys, time
import browsercheck

def used():  # this process's CPU and its children's, reaped (the audit joins its workers)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

cpu, start = used(), time.perf_counter()
browsercheck.audit([sys.argv[1]])
print(time.perf_counter() - start, used() - cpu)
"""


def _python(script: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, env=_BYTECODE
    ).stdout


def builds(repeat: int) -> dict[str, float]:
    """CPU seconds of each engine's build, medians of ``repeat`` fresh interpreters."""
    runs = [json.loads(_python(_BUILDS)) for _ in range(repeat)]
    return {label: statistics.median(run[label] for run in runs) for label in runs[0]}


def run_case(path: Path, name: str, repeat: int, tmp: Path) -> None:
    uas = tmp / "distinct.txt"
    distinct = distinct_file(path, uas)
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    took = builds(repeat) | json.loads(_python(_RUNS, str(path), str(uas), str(repeat)))
    floors, audits, audit_cpus = [], [], []
    for _ in range(repeat):  # in turns: this machine's speed drifts within a minute
        floors.append(lines / floor(path))
        wall, used = map(float, _python(_AUDIT_CPU, str(path)).split())
        audits.append(wall)
        audit_cpus.append(used)
    engines = sum(took.values())
    longest_build = max(seconds for label, seconds in took.items() if label.startswith("building"))
    bound = max(engines / cores, longest_build)
    floor_s, audit_s, audit_cpu = map(statistics.median, (floors, audits, audit_cpus))

    print(f"\n{name}: {lines:,} lines, {distinct:,} distinct User-Agents, {cores} cores\n")
    print(f"  {'the engines alone, CPU ms (medians of ' + str(repeat) + ')':70} {'ms':>8}")
    for label, seconds in took.items():
        print(f"    {label:68} {seconds * 1e3:>8.1f}")
    print(f"    {'sum':68} {engines * 1e3:>8.1f}")
    print(f"\n  at the least, over {cores} cores (never below the longest build): {bound * 1e3:.1f} ms of wall time")
    print(f"  floor, read + regex (median of {repeat}): {floor_s * 1e3:.1f} ms")
    print(f"  so an audit on these engines is at best {floor_s / bound:.2f}x the floor")
    print(
        f"  the audit (median of {repeat}): {audit_s * 1e3:.0f} ms of wall time, {floor_s / audit_s:.2f}x the floor;"
        f" {audit_cpu * 1e3:.0f} ms of CPU, of which the engines' {engines * 1e3:.0f}"
        f" and browsercheck's own {(audit_cpu - engines) * 1e3:.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, help="an existing combined log instead of #17's generated ones")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measure (the floor and the audit in turns)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.log is not None:
            run_case(args.log, str(args.log), args.repeat, tmp)
            return 0
        for name, shape, _ in ISSUE_CASES:
            path = tmp / "access.log"
            write_case_log(path, shape)
            run_case(path, name, args.repeat, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
