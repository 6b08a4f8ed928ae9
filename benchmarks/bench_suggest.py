"""How long does `browsercheck policy suggest` take beside the audit of the same log?

    python benchmarks/bench_suggest.py [--lines 1000000] [--log access.log] [--repeat 3]

Both run in fresh interpreters on a generated "combined" log (`make_log.py`), taking turns; the
medians are printed, and their ratio (the issue's target: suggest at most twice the audit's time).
Suggest is the audit plus one more detection of each distinct User-Agent that is not a bot, and
the raising of minimums, which works on versions, not on lines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_log import write_log


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = args.log
        if log is None:
            log = Path(tmp) / "access.log"
            write_log(log, args.lines)
        cli = [sys.executable, "-m", "browsercheck"]
        audit, suggest = [], []
        for _ in range(args.repeat):
            audit.append(_timed([*cli, "audit", "--no-progress", "--format", "json", str(log)]))
            suggest.append(_timed([*cli, "policy", "suggest", str(log), "--notify-at-most", "2%"]))
    a, s = statistics.median(audit), statistics.median(suggest)
    print(str(args.log) if args.log else f"{args.lines:,} lines")
    print(f"audit   {a:.2f} s (median of {args.repeat})")
    print(f"suggest {s:.2f} s (median of {args.repeat}): {s / a:.2f} x the audit")


if __name__ == "__main__":
    main()
