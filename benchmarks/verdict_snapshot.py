"""The verdict of every User-Agent in the benchmark corpus, written down, and compared with that.

    python benchmarks/verdict_snapshot.py write   # tests/data/corpus_verdicts.json.gz
    python benchmarks/verdict_snapshot.py check   # exit 1 naming every verdict that changed

Speed work must not change a verdict: the snapshot was written by the code before it, and
``tests/test_verdict_snapshot.py`` checks every verdict against it (what detection found, the
status, the rule and every reason), under the default policy pinned to one day.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from corpus import distinct_user_agents

SNAPSHOT = Path(__file__).parent.parent / "tests" / "data" / "corpus_verdicts.json.gz"
COUNT = 20_000  # the pool make_log.py draws the audit benchmark's logs from
DATE = "2026-11-30"  # the default policy is a query: pinned so that the calendar changes nothing


def corpus() -> list[str]:
    """The benchmark's User-Agents (20,000 distinct, the audit logs' pool) and the test data's."""
    import yaml

    uas = distinct_user_agents(COUNT)
    for name in ("user_agents.yaml", "client_hints.yaml"):
        cases = yaml.safe_load((SNAPSHOT.parent / name).read_text(encoding="utf-8"))
        uas += [case["ua"] for case in cases if isinstance(case.get("ua"), str)]
    return list(dict.fromkeys(uas))


def verdicts(uas: list[str]) -> dict[str, Any]:
    """Each User-Agent's verdict as JSON, checked uncached (a fresh detection each)."""
    import browsercheck

    checker = browsercheck.Checker(date=DATE, cache_size=0)
    return {ua: _record(checker.check(ua)) for ua in uas}


def _record(verdict: Any) -> dict[str, Any]:
    record: dict[str, Any] = verdict.client.to_dict()
    record["status"] = verdict.status.value
    record["rule"] = verdict.rule
    record["reasons"] = list(verdict.reasons)
    return record


def changed(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """A line for each User-Agent whose verdict differs, or that one of them lacks."""
    lines = []
    for ua in expected.keys() | actual.keys():
        if expected.get(ua) != actual.get(ua):
            lines.append(f"{ua!r}: {expected.get(ua)} -> {actual.get(ua)}")
    return sorted(lines)


def main(argv: list[str]) -> int:
    if argv[1:] == ["write"]:
        SNAPSHOT.write_bytes(gzip.compress(json.dumps(verdicts(corpus()), sort_keys=True).encode(), mtime=0))
        return 0
    if argv[1:] == ["check"]:
        expected = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
        differences = changed(expected, verdicts(corpus()))
        print("\n".join(differences[:50]) or f"all {len(expected):,} verdicts unchanged")
        return 1 if differences else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
