from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of a data file: a YAML list of mappings, each with an ``id``."""
    with open(DATA / name, encoding="utf-8") as f:
        cases: list[dict[str, Any]] = yaml.safe_load(f)
    ids = [case["id"] for case in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"{name}: duplicate case ids {sorted(duplicates)}")
    return cases
