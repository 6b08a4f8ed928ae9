"""Regenerate browsercheck's shipped browser data from the npm packages (a maintainer's tool).

    python scripts/update_browser_data.py            # the newest versions
    python scripts/update_browser_data.py --baseline 2.11.40 --caniuse 1.0.30001828 --browserslist 4.29.6

Needs npm. Fetches the tarballs with ``npm pack``, converts them with the same code as
``browsercheck data update`` and writes src/browsercheck/data/browsers.json. The Firefox ESR
version is read from browserslist, which keeps it in its code. Then regenerate the agreement
test data (tests/reference/generate.js) and run the tests.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "src"))

from browsercheck._browserdata import BASELINE, CANIUSE  # noqa: E402
from browsercheck._dataconvert import build, dumps, read_members  # noqa: E402

OUT = ROOT / "src" / "browsercheck" / "data" / "browsers.json"


def npm(*args: str, cwd: Path) -> str:
    return subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def fetch(package: str, version: str, folder: Path) -> tuple[bytes, str, str]:
    """The package's tarball, its exact version and its publication date (YYYY-MM-DD)."""
    (packed,) = json.loads(npm("pack", f"{package}@{version}", "--json", cwd=folder))
    times = json.loads(npm("view", package, "time", "--json", cwd=folder))
    return (folder / packed["filename"]).read_bytes(), packed["version"], times[packed["version"]][:10]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="latest", metavar="VERSION")
    parser.add_argument("--caniuse", default="latest", metavar="VERSION")
    parser.add_argument("--browserslist", default="latest", metavar="VERSION")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        baseline, baseline_version, baseline_date = fetch(BASELINE, args.baseline, folder)
        caniuse, caniuse_version, caniuse_date = fetch(CANIUSE, args.caniuse, folder)
        browserslist, browserslist_version, _ = fetch("browserslist", args.browserslist, folder)
    code = read_members(browserslist, ("index.js",))["index.js"].decode()
    esr = re.search(r"FIREFOX_ESR_VERSION = '(\d+)'", code)
    if esr is None:
        raise SystemExit("browserslist's index.js names no FIREFOX_ESR_VERSION")
    data = build(baseline, caniuse, baseline_date=baseline_date, caniuse_date=caniuse_date, firefox_esr=esr.group(1))
    OUT.write_text(dumps(data), encoding="utf-8")
    print(
        f"{OUT.relative_to(ROOT)}: {BASELINE} {baseline_version} ({baseline_date}), "
        f"{CANIUSE} {caniuse_version} ({caniuse_date}), Firefox ESR {esr.group(1)} "
        f"from browserslist {browserslist_version}; {OUT.stat().st_size:,} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
