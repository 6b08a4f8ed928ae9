"""The built wheel, installed in a fresh virtual environment, works from any folder."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"


@pytest.mark.slow
def test_installed_wheel_runs_the_cli_on_the_shipped_policy(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    (wheel,) = dist.glob("browsercheck-*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = z.read("browsercheck/data/supported_browsers.yaml")
        names = z.namelist()
        assert "browsercheck/py.typed" in names
        assert "browsercheck/locale/sv/LC_MESSAGES/browsercheck.mo" in names
    assert shipped == (ROOT / "data" / "supported_browsers.yaml").read_bytes()

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
    assert verdict["policy"] == "Baseline widely available, 2026-11-27"

    swedish = subprocess.run(
        [str(bin_dir / "browsercheck"), "notice", "--lang", "sv"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert swedish.stdout.startswith("Hej! Du använder en gammal webbläsare\n")
