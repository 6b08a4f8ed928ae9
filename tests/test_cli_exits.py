"""How the command ends: one table of exit codes for every command (the README's), a closed pipe,
Ctrl-C, and signals that stop an audit with its workers."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from browsercheck import cli
from browsercheck.audit import _tally as tally
from browsercheck.cli import main
from make_log import write_log

ROOT = Path(__file__).parents[1]
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_157 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
LOG_LINE = f'10.0.0.1 - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "{IE11}"\n'


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "access.log").write_text(LOG_LINE * 3)
    (tmp_path / "garbage.log").write_text("nothing\nto see\n")
    (tmp_path / "good.yaml").write_text("name: Good\nbrowsers: {chrome: 125}\n")
    (tmp_path / "bad.yaml").write_text("browsers: {chrome: '>=abc'}\n")
    return {name: str(tmp_path / name) for name in ("access.log", "garbage.log", "good.yaml", "bad.yaml", "gone.log")}


# (argv with {file} names, exit code, what stdout and stderr hold: "" empty, "+" something)
EXITS = {
    "check": (["check", IE11], 0, "+", ""),
    "check a bad policy": (["check", "--policy", "{bad.yaml}", IE11], 2, "", "+"),
    "check a missing policy": (["check", "--policy", "{gone.log}", IE11], 2, "", "+"),
    "check a bad header": (["check", "-H", "no colon", IE11], 2, "", "+"),
    "notice": (["notice", "--status", "unsupported"], 0, "+", ""),
    "notice for a supported browser": (["notice", "--ua", CHROME_157], 0, "+", ""),
    "notice for a bot": (["notice", "--ua", GOOGLEBOT], 0, "+", ""),
    "notice for a bot in json": (["notice", "--ua", GOOGLEBOT, "--format", "json"], 0, "null\n", "+"),
    "notice with a bad policy": (["notice", "--policy", "{bad.yaml}"], 2, "", "+"),
    "audit": (["audit", "{access.log}"], 0, "+", ""),
    "audit with a bad policy": (["audit", "--policy", "{bad.yaml}", "{access.log}"], 2, "", "+"),
    "audit a missing log": (["audit", "{gone.log}"], 2, "", "+"),
    "audit a log with no line in the format": (["audit", "{garbage.log}"], 2, "", "+"),
    "audit a format without User-Agent": (["audit", "--log-format", "common", "{access.log}"], 2, "", "+"),
    "audit with --top -1": (["audit", "--top", "-1", "{access.log}"], 2, "", "+"),
    "audit with --workers 0": (["audit", "--workers", "0", "{access.log}"], 2, "", "+"),
    "policy validate": (["policy", "validate", "{good.yaml}"], 0, "+", ""),
    "policy validate, a policy with problems": (["policy", "validate", "{good.yaml}", "{bad.yaml}"], 1, "+", ""),
    "no command": ([], 2, "", "+"),
    "an unknown option": (["check", "--bogus", IE11], 2, "", "+"),
}


@pytest.mark.parametrize(("argv", "code", "out", "err"), list(EXITS.values()), ids=list(EXITS))
def test_exit_codes(
    files: dict[str, str], argv: list[str], code: int, out: str, err: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [re.sub(r"\{([\w.]+)\}", lambda m: files[m[1]], arg) for arg in argv]
    try:
        got = main(argv)
    except SystemExit as e:  # argparse exits itself on usage errors
        got = int(e.code or 0)
    captured = capsys.readouterr()
    assert got == code
    for stream, expected in ((captured.out, out), (captured.err, err)):
        assert bool(stream) if expected == "+" else stream == expected


def test_a_bad_policy_exits_alike_in_every_command(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    bad = files["bad.yaml"]
    codes = {
        main(["check", "--policy", bad, IE11]),
        main(["notice", "--policy", bad]),
        main(["audit", "--policy", bad, files["access.log"]]),
    }
    assert codes == {cli.BAD_INPUT}
    assert capsys.readouterr().err.count("bad.yaml:1: browsers.chrome: invalid version specifier '>=abc'") == 3


@pytest.mark.parametrize(
    ("ua", "says"),
    [
        (CHROME_157, "no notice: Google Chrome 157.0.0.0 on Windows 10 is supported by the policy"),
        (GOOGLEBOT, "no notice: Googlebot is a bot (a crawler, link preview or HTTP client)"),
        ("", "no notice: Unknown is not a browser the policy knows, and the policy shows unknown browsers none"),
    ],
    ids=["supported", "bot", "unknown"],
)
def test_notice_says_clearly_that_there_is_none(ua: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notice", "--ua", ua]) == 0
    assert capsys.readouterr().out.startswith(says)


def test_a_failing_audit_worker_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "generated.log"
    write_log(path, 2_000, user_agents=50)
    parent = os.getpid()
    packed = tally.Tally.pack

    def dying(self: tally.Tally) -> tally.PackedTally:
        if os.getpid() != parent:
            os._exit(9)  # a worker killed as it packs its tally
        return packed(self)

    monkeypatch.setattr(tally.Tally, "pack", dying)
    assert main(["audit", "--workers", "2", str(path)]) == cli.FAILED
    assert "an audit worker process stopped (exit code 9)" in capsys.readouterr().err


def test_the_readme_lists_every_exit_code() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes")[1].split("\n\n")[2]
    listed = [int(code) for code in re.findall(r"^\| (\d+) +\|", table, re.MULTILINE)]
    assert listed == [cli.OK, cli.NO, cli.BAD_INPUT, cli.FAILED, cli.INTERRUPTED, cli.BROKEN_PIPE]


# -- a closed pipe: `browsercheck ... | head -1` -----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--json", IE11],
        ["notice", "--lang", "sv"],
        ["audit", "{access.log}"],
        ["policy", "validate", "{good.yaml}"],
    ],
    ids=["check", "notice", "audit", "policy validate"],
)
def test_a_closed_pipe_ends_quietly(files: dict[str, str], argv: list[str]) -> None:
    argv = [re.sub(r"\{([\w.]+)\}", lambda m: files[m[1]], arg) for arg in argv]
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first line is written
    try:
        out = subprocess.run(
            [sys.executable, "-m", "browsercheck", *argv], stdout=write, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        os.close(write)
    assert (out.returncode, out.stderr) == (cli.BROKEN_PIPE, "")


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("head") is None, reason="needs bash and head")
def test_check_into_head_ends_quietly(tmp_path: Path) -> None:
    uas = tmp_path / "uas.txt"
    uas.write_text(f"{IE11}\n" * 3000)  # megabytes of JSON: more than a pipe holds
    out = subprocess.run(
        [
            "bash",
            "-c",
            'set -o pipefail; "$0" -m browsercheck check --json - < "$1" | head -1',
            sys.executable,
            str(uas),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (out.returncode, out.stderr, out.stdout.count("\n")) == (cli.BROKEN_PIPE, "", 1)


# -- signals: Ctrl-C, SIGTERM, SIGKILL ---------------------------------------------------------------

SLOW_AUDIT = """
import sys, time
from browsercheck.audit import _logread as logread, _processes as processes, _tally as tally
from browsercheck.cli import main

if sys.argv[1] == "watch":  # as where the kernel cannot be asked (not Linux): a thread watches the parent
    processes._parent_death_signal = lambda: False
logread.CHUNK_SIZE = 4096
count = tally.Tally.add_chunk

def slowly(self, chunk):  # in every process: this audit would take minutes
    time.sleep(0.05)
    count(self, chunk)

tally.Tally.add_chunk = slowly
sys.exit(main(sys.argv[2:]))
"""


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[1]) == pid:
                found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for whoever adopted it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("signals") / "big.log"
    write_log(path, 40_000, user_agents=300)
    return path


def start_audit(log: Path, how: str = "prctl") -> tuple[subprocess.Popen[str], set[int]]:
    """An audit with three processes (two workers), in a session of its own, once its workers run."""
    audit = subprocess.Popen(
        [sys.executable, "-c", SLOW_AUDIT, how, "audit", "--workers", "3", "--no-progress", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert wait_for(lambda: len(children(audit.pid)) == 2, 60), "the workers did not start"
    return audit, children(audit.pid)


def stop(audit: subprocess.Popen[str], workers: set[int]) -> None:
    """Leave nothing running, whatever the test found; close the audit's pipes."""
    for pid in workers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    if audit.poll() is None:
        audit.kill()
    audit.communicate(timeout=30)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc (Linux)")


@needs_proc
@pytest.mark.parametrize("how", ["prctl", "watch"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_workers_die_with_the_audit(big_log: Path, signum: signal.Signals, how: str) -> None:
    audit, workers = start_audit(big_log, how)
    try:
        audit.send_signal(signum)
        assert audit.wait(timeout=30) == -signum  # (its pipes stay open while a worker lives)
        assert wait_for(lambda: not any(map(alive, workers)), 10), "a worker outlived the audit"
    finally:
        stop(audit, workers)


@needs_proc
def test_ctrl_c_stops_the_audit_with_one_line_and_exit_130(big_log: Path) -> None:
    audit, workers = start_audit(big_log)
    try:
        os.killpg(audit.pid, signal.SIGINT)  # as a terminal sends it: to the whole process group
        out, err = audit.communicate(timeout=30)
        assert (audit.returncode, out, err) == (cli.INTERRUPTED, "", "browsercheck: interrupted\n")
        assert wait_for(lambda: not any(map(alive, workers)), 10), "a worker outlived the audit"
    finally:
        stop(audit, workers)


def test_a_run_that_skips_says_what_was_not_tested(tmp_path: Path) -> None:
    """The suite's own conftest, on a run where Chromium is missing: the summary names it."""
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_browser.py").write_text(
        "import pytest\n\n"
        "def test_in_chromium(chromium):\n    pass\n\n"
        "def test_in_chromium_too(chromium):\n    pass\n\n"
        "def test_plain():\n    pass\n"
    )
    env = {**os.environ, "BROWSERCHECK_CHROMIUM": str(tmp_path / "no-chromium"), "BROWSERCHECK_REQUIRE_BROWSER": ""}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    summary = out.stdout.split("not tested in this run")[1]
    assert f"    2 skipped: Chromium ({tmp_path / 'no-chromium'}) is not installed" in summary
    assert "to test them, install Chromium: apt-get install chromium" in summary
