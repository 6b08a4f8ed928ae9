from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

DATA = Path(__file__).parent / "data"

# The day every test runs on, as far as evergreen policies know: the default policy (Baseline widely
# available, evaluated for "today") gives the same minimums whatever day the suite runs. Tests of
# other days pass date= or set the clock themselves.
TODAY = "2026-11-27"


@pytest.fixture(autouse=True, scope="session")
def _pinned_clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    import datetime as dt

    from browsercheck import _clock

    noon = dt.datetime.fromisoformat(f"{TODAY}T12:00:00+00:00").timestamp()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_clock, "now", lambda: noon)
        # and the shipped browser data, whatever `data update` stored in this user's cache
        patch.setenv("BROWSERCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("browsercheck-cache")))
        yield


def verdict_field(verdict: Any, name: str) -> Any:
    """A field of a verdict or its client, as the YAML cases write it."""
    client = verdict.client
    if name == "status":
        return verdict.status.value
    if name == "rule":
        return verdict.rule
    if name == "device":
        return client.device.value
    if name in ("frozen", "from_hints"):
        return sorted(getattr(client, name))
    return getattr(client, name)


def expected_fields(case: dict[str, Any]) -> dict[str, Any]:
    """A case's ``expect``, with YAML's floats (``17.5``) back to the strings versions are."""
    return {name: (str(v) if isinstance(v, float) else v) for name, v in case["expect"].items()}


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of a data file: a YAML list of mappings, each with an ``id``."""
    with open(DATA / name, encoding="utf-8") as f:
        cases: list[dict[str, Any]] = yaml.safe_load(f)
    ids = [case["id"] for case in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"{name}: duplicate case ids {sorted(duplicates)}")
    return cases


# -- a real headless Chromium: Debian's /usr/bin/chromium driven by Playwright --------------------
# Where Chromium or axe-core is missing the tests that need them skip, unless
# BROWSERCHECK_REQUIRE_BROWSER=1 (as CI sets it), where a missing browser is a failure.

ROOT = Path(__file__).parents[1]
CHROMIUM = os.environ.get("BROWSERCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(os.environ.get("BROWSERCHECK_AXE_JS") or ROOT / ".cache/axe/node_modules/axe-core/axe.min.js")
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what: str) -> None:
    if os.environ.get("BROWSERCHECK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} is required here (BROWSERCHECK_REQUIRE_BROWSER=1)")
    pytest.skip(f"{what} is not installed")


def speedups_missing() -> NoReturn:
    """For a test of `browsercheck._speedups` where it was not built: a skip, unless
    BROWSERCHECK_REQUIRE_SPEEDUPS=1 (as CI sets it), where that is a failure."""
    if os.environ.get("BROWSERCHECK_REQUIRE_SPEEDUPS") == "1":
        pytest.fail("browsercheck._speedups is required here (BROWSERCHECK_REQUIRE_SPEEDUPS=1) but was not built")
    pytest.skip("browsercheck._speedups was not built (no C compiler at install)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    if not AXE.exists():
        _missing(f"axe-core ({AXE})")
    return AXE.read_text(encoding="utf-8")


def artifact(path: Path) -> None:
    """Copy a screenshot to $BROWSERCHECK_ARTIFACTS, where CI keeps files for people to look at."""
    target = os.environ.get("BROWSERCHECK_ARTIFACTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


# -- what a run did not test -------------------------------------------------------------------------

HOW_TO_TEST = {
    "Chromium": "Chromium: apt-get install chromium (Debian), or BROWSERCHECK_CHROMIUM=/path/to/chromium",
    "axe-core": "axe-core: npm install --no-save --prefix .cache/axe axe-core@4, or BROWSERCHECK_AXE_JS=.../axe.min.js",
    "playwright": "playwright: pip install -e '.[test]'",
    "_speedups": "the C counter: reinstall where a C compiler is, pip install -e '.[test,bench]'",
}
"""For each kind of skip (a word of its reason), how to have those tests run."""


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """After the run, what was skipped and why, grouped, and how to test it: a green run that
    skipped the browser tests must not pass for a full one."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if not reasons:
        return
    terminalreporter.section("not tested in this run", yellow=True)
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"{count:5} skipped: {reason}")
    for word, how in HOW_TO_TEST.items():
        if any(word in reason for reason in reasons):
            terminalreporter.write_line(f"  to test them, install {how}")
