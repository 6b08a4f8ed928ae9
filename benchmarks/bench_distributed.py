"""How fast are the audit's ways past one process, beside what a user would otherwise run, in one run?

    python benchmarks/bench_distributed.py [--lines 400000] [--repeat 3] [--before SRC] [--skip-dask]

``--before SRC`` (another tree's ``src`` folder) runs 2. and 3. in that tree too, in turns with
this checkout's; ``--skip-dask`` runs only 2. and 3. Each prints its target (#14).

1. A Dask LocalCluster of 2 worker processes auditing four ``.gz`` logs, beside the local audit with
   one worker (``--workers 1``); the cluster's start is timed apart (it is paid once per cluster).
2. ``audit --counts`` of a 50,000-row table (50,000 distinct User-Agents, as a SQL engine counts a
   month), in a fresh interpreter, parsers built in it.
3. ``classify()`` of 1M rows with 10,000 distinct values (pyarrow), beside the loop
   ``[check(ua) for ua in values]``; each in a fresh interpreter (verdicts are cached per process),
   the parsers built before the clock starts (once a process, either way).

Also the per-core counting rate of the C counter, from which the README works out what a month of
logs on many workers takes. Figures are printed, never asserted. Needs the test extra (dask, pyarrow).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from corpus import distinct_user_agents
from make_log import write_log

_COUNTS = """
import sys, time
t = time.perf_counter()
import browsercheck
report = browsercheck.audit([sys.argv[1]], counts=True)
print(time.perf_counter() - t, len(report.user_agents))
"""

_CLASSIFY = """
import random, sys, time
import pyarrow as pa
import browsercheck
from corpus import distinct_user_agents
distinct = distinct_user_agents(10_000)
rng = random.Random(1)
values = pa.array(rng.choices(distinct, k=1_000_000))
browsercheck.check("curl/8.5.0")  # the parsers are built once a process (0.5 s), for either way: not timed
t = time.perf_counter()
if sys.argv[1] == "classify":
    table = browsercheck.classify(values)
else:
    verdicts = [browsercheck.check(ua) for ua in values.to_pylist()]
print(time.perf_counter() - t)
"""


def in_fresh_python(script: str, *args: str, src: str | None = None) -> list[str]:
    """The words ``script`` prints; ``src``: another tree's browsercheck (its src folder)."""
    env = {**os.environ, "PYTHONPATH": src} if src else None
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
        env=env,
    )
    return out.stdout.split()


def dask_against_one_worker(folder: Path, lines: int, repeat: int) -> None:
    import importlib

    import browsercheck

    distributed: Any = importlib.import_module("distributed")  # typed in part: its calls are untyped

    logs = []
    for i in range(4):
        plain = folder / f"access-{i}.log"
        write_log(plain, lines, seed=i)
        with open(plain, "rb") as f, gzip.open(plain.with_suffix(".log.gz"), "wb", compresslevel=6) as g:
            shutil.copyfileobj(f, g)
        plain.unlink()
        logs.append(plain.with_suffix(".log.gz"))
    start = time.perf_counter()
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        started = time.perf_counter() - start
        browsercheck.audit(logs[:1], dask=client)  # the workers import browsercheck and build parsers once
        one, two = [], []
        for _ in range(repeat):  # taking turns: this machine's speed drifts
            t = time.perf_counter()
            local = browsercheck.audit(logs, workers=1)
            one.append(time.perf_counter() - t)
            t = time.perf_counter()
            spread = browsercheck.audit(logs, dask=client)
            two.append(time.perf_counter() - t)
    assert spread.to_dict() == local.to_dict()
    a, b = statistics.median(one), statistics.median(two)
    print(f"four .gz logs, {4 * lines:,} lines, {len(local.user_agents):,} distinct User-Agents:")
    print(f"  --workers 1:                  {a:6.2f} s  ({4 * lines / a / 1e6:.2f}M lines/s)")
    pairs = sorted(x / y for x, y in zip(one, two, strict=True))
    print(
        f"  LocalCluster, 2 processes:    {b:6.2f} s  ({a / b:.2f}x; {pairs[0]:.2f}-{pairs[-1]:.2f}x run by run;"
        f" target >= 1.5x; the cluster started in {started:.1f} s)"
    )


def counts_table(folder: Path, repeat: int, before: str | None) -> None:
    table = folder / "counts.csv"
    with open(table, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["user_agent", "requests", "visitors"])
        for i, ua in enumerate(distinct_user_agents(50_000, seed=7)):
            writer.writerow([ua, 1000 // (i + 1) + 1, 100 // (i + 1) + 1])
    runs, runs_before = [], []
    for _ in range(repeat):  # in turns: this machine's speed drifts
        seconds, distinct = in_fresh_python(_COUNTS, str(table))
        runs.append(float(seconds))
        if before:
            runs_before.append(float(in_fresh_python(_COUNTS, str(table), src=before)[0]))
    print(
        f"--counts, a table of {int(distinct):,} rows: {statistics.median(runs):.2f} s (median of {repeat};"
        f" {min(runs):.2f}-{max(runs):.2f}; import and parsers included; target < 2 s)"
    )
    if runs_before:
        print(f"  before ({before}): {statistics.median(runs_before):.2f} s (median of {repeat})")


def classify_against_loop(repeat: int, before: str | None) -> None:
    print("1M rows, 10,000 distinct User-Agents (pyarrow):")
    trees = [("", None), *([(f"before ({before}) ", before)] if before else [])]
    loops: dict[str, list[float]] = {name: [] for name, _ in trees}
    spreads: dict[str, list[float]] = {name: [] for name, _ in trees}
    for _ in range(repeat):  # in turns, the trees too: this machine's speed drifts within a minute
        for name, src in trees:
            loops[name].append(float(in_fresh_python(_CLASSIFY, "loop", src=src)[0]))
            spreads[name].append(float(in_fresh_python(_CLASSIFY, "classify", src=src)[0]))
    for name, _ in trees:
        loop, spread = statistics.median(loops[name]), statistics.median(spreads[name])
        pairs = sorted(a / b for a, b in zip(loops[name], spreads[name], strict=True))
        print(f"  {name}[check(ua) for ua in values]: {loop:6.2f} s (median of {repeat})")
        print(
            f"  {name}classify(values):             {spread:6.3f} s  ({loop / spread:.1f}x;"
            f" {pairs[0]:.1f}-{pairs[-1]:.1f}x run by run; target >= 5x)"
        )


def per_core_rate(folder: Path, lines: int) -> None:
    import browsercheck

    plain = folder / "rate.log"
    write_log(plain, lines, seed=9)
    t = time.perf_counter()
    report = browsercheck.audit([plain], workers=1)
    seconds = time.perf_counter() - t
    size = plain.stat().st_size
    print(
        f"one core, plain log: {report.lines / seconds / 1e6:.2f}M lines/s, {size / seconds / 1e6:.0f} MB/s"
        f" ({size / report.lines:.0f} bytes a line)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=400_000, help="lines of each of the four logs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="another tree's src folder: --counts and classify() run in it too")
    parser.add_argument("--skip-dask", action="store_true", help="only --counts and classify()")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_dask:
            per_core_rate(folder, args.lines)
            dask_against_one_worker(folder, args.lines, args.repeat)
        counts_table(folder, args.repeat, args.before)
        classify_against_loop(args.repeat, args.before)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
