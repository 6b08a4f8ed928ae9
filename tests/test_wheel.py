"""The built wheel, installed in a fresh virtual environment, works from any folder, with its C
extension or, built where no C compiler is, without."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"


def build_wheel(tmp_path: Path, name: str, env: dict[str, str] | None = None) -> Path:
    """A wheel built from a copy of the source (setuptools leaves a build/ folder where it builds)."""
    source = tmp_path / f"{name}-source"
    ignore = shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__", "*.so")
    shutil.copytree(ROOT, source, ignore=ignore)
    dist = tmp_path / f"{name}-dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        env={**os.environ, **(env or {})},
    )
    (wheel,) = dist.glob("browsercheck-*.whl")
    return wheel


def compiled(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        return [n for n in z.namelist() if n.startswith("browsercheck/_speedups") and n.endswith((".so", ".pyd"))]


@pytest.mark.slow
def test_installed_wheel_runs_the_cli_on_the_shipped_policy(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "compiled")
    with zipfile.ZipFile(wheel) as z:
        shipped = z.read("browsercheck/data/supported_browsers.yaml")
        browser_data = z.read("browsercheck/data/browsers.json")
        names = z.namelist()
        assert "browsercheck/data/NOTICE.browsers.md" in names
        assert "browsercheck/py.typed" in names
        # script mode's script and the Django app's template tags travel with the package
        assert "browsercheck/static/notice.js" in names
        assert "browsercheck/django/templatetags/browsercheck.py" in names
        catalogs = sorted(p.relative_to(ROOT / "src") for p in (ROOT / "src/browsercheck").rglob("*.mo"))
        assert len(catalogs) == 11 and all(str(c) in names for c in catalogs)
        assert not any(n.endswith(".c") for n in names)  # the C source is in the sdist only
    assert shipped == (ROOT / "data" / "supported_browsers.yaml").read_bytes()
    assert browser_data == (ROOT / "src" / "browsercheck" / "data" / "browsers.json").read_bytes()
    if shutil.which(os.environ.get("CC", "cc")):
        assert len(compiled(wheel)) == 1

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [str(bin_dir / "browsercheck"), "check", "--json", IE11],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    verdict = json.loads(out.stdout)
    assert (verdict["status"], verdict["browser"]["key"]) == ("unsupported", "ie")
    assert verdict["policy"].startswith("Baseline widely available, 20")  # evaluated for today

    shown = subprocess.run(
        [str(bin_dir / "browsercheck"), "policy", "show", "--date", "2027-06-01", "--json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    minimums = json.loads(shown.stdout)["minimums"]
    assert (minimums["chrome"], minimums["firefox"], minimums["safari"]) == ("130", "132", "18")

    swedish = subprocess.run(
        [str(bin_dir / "browsercheck"), "notice", "--lang", "sv"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert swedish.stdout.startswith("Hej! Du använder en gammal webbläsare\n")


@pytest.mark.slow
def test_without_a_c_compiler_the_wheel_audits_in_python(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "pure", env={"CC": "false"})  # every compile fails
    assert compiled(wheel) == []

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    log = tmp_path / "access.log"
    log.write_text(
        '10.0.0.1 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "' + IE11 + '"\nnot a log line\n'
    )
    script = (
        "import sys, browsercheck; from browsercheck.audit import _tally as t; r = browsercheck.audit([sys.argv[1]]); "
        "print(t.compiled_counter, r.lines, r.malformed, r.by_status[browsercheck.Status.UNSUPPORTED].requests)"
    )
    out = subprocess.run([str(python), "-c", script, str(log)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "2", "1", "1"]
