"""Print a pip constraints file that pins each run-time dependency to the lowest version it allows.

CI installs the package with these constraints and runs the tests, so the lower bounds in
pyproject.toml stay true: a bound that no longer works fails there instead of at a user's.
A dependency without a lower bound is an error: it would admit any version, however old.

    python .ci/lowest_constraints.py [pyproject.toml] > lowest.txt
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement


def lowest(requirement: Requirement) -> str:
    """The lowest version `requirement` admits, read from its ``>=``, ``==`` or ``~=`` clause."""
    for spec in requirement.specifier:
        if spec.operator in (">=", "==", "~="):
            return spec.version
    raise SystemExit(f"{requirement}: no lower bound (>=, == or ~=); every run-time dependency needs one")


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "pyproject.toml")
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        print(f"{requirement.name}=={lowest(requirement)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
