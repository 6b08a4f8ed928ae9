"""Speed work changes no verdict: every User-Agent of the benchmark corpus and the test data is
judged as the snapshot written before it says (``benchmarks/verdict_snapshot.py``)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import verdict_snapshot


def test_every_corpus_verdict_is_the_snapshots() -> None:
    expected: dict[str, Any] = json.loads(gzip.decompress(verdict_snapshot.SNAPSHOT.read_bytes()))
    uas = verdict_snapshot.corpus()
    assert len(expected) == len(uas) > 20_000
    assert verdict_snapshot.changed(expected, verdict_snapshot.verdicts(uas)) == []
