"""Logs that are not plain files at rest: pipes and FIFOs, files cut short while read, corrupt
compressed data, lines built to break a parser. Each is read whole or refused with a message that
names it; a bad line is counted as malformed, never fatal."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import browsercheck
from browsercheck.cli import main
from make_log import write_log

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
FIREFOX_161 = "Mozilla/5.0 (X11; Linux x86_64; rv:161.0) Gecko/20100101 Firefox/161.0"


def line(addr: str, ua: str) -> str:
    return f'{addr} - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "{ua}"\n'


LOG = "".join(line(f"10.0.0.{i}", IE11 if i % 3 else FIREFOX_161) for i in range(30))


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "a.log"
    path.write_text(LOG)
    return path


class Feeder:
    """Writes ``data`` into a FIFO once it is opened, in a thread. Then, until stopped, it opens
    and closes the FIFO now and then, so that a reader that opened it once more gets an end
    (nothing) instead of waiting forever for a writer."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data = path, data
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def _write(self) -> None:
        try:
            with open(self.path, "wb") as f:
                f.write(self.data)
        except BrokenPipeError:
            pass  # the reader stopped early: the test's assertions say what went wrong
        while not self.done.wait(0.2):
            with contextlib.suppress(OSError):  # no reader now
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=10)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_fifo_is_read_to_its_end(tmp_path: Path, log: Path, workers: int, compress: bool) -> None:
    fifo = tmp_path / "b.log"
    os.mkfifo(fifo)
    writer = Feeder(fifo, gzip.compress(LOG.encode()) if compress else LOG.encode())
    try:
        report = browsercheck.audit([log, fifo], workers=workers)
    finally:
        writer.stop()
    assert (report.lines, report.malformed) == (60, 0)
    assert report.sources == (str(log), str(fifo))
    assert report.by_status[browsercheck.Status.UNSUPPORTED].requests == 40


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for <(...)")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_process_substitution_is_read(tmp_path: Path, log: Path, workers: str) -> None:
    """``browsercheck audit a.log <(zcat b.log.gz)``: the second log is /dev/fd/N, a pipe."""
    compressed = tmp_path / "b.log.gz"
    compressed.write_bytes(gzip.compress(LOG.encode()))
    script = 'exec "$0" -m browsercheck audit --format json --workers "$1" "$2" <(cat "$3")'
    out = subprocess.run(
        ["bash", "-c", script, sys.executable, workers, str(log), str(compressed)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["lines"], report["malformed"]["lines"]) == (60, 0)
    assert report["sources"][1].startswith("/dev/fd/")


TRUNCATE_WHILE_COUNTING = """
import os, sys
import browsercheck
from browsercheck.audit import _logread as logread, _tally as tally
path, workers = sys.argv[1], int(sys.argv[2])
logread.CHUNK_SIZE = 4096  # many chunks
count = tally.Tally.add_chunk

def cut_first(self, chunk):
    # logrotate's copytruncate, between reading a chunk and counting it
    if os.path.getsize(path) > 8192:
        os.truncate(path, 8192)
    count(self, chunk)

tally.Tally.add_chunk = cut_first
report = browsercheck.audit([path], workers=workers)
print(report.lines)
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_log_truncated_while_audited_is_read_as_far_as_it_goes(tmp_path: Path, workers: str) -> None:
    """In a new process, so that a SIGBUS (reading a mapped file that shrank) shows as its exit."""
    path = tmp_path / "access.log"
    write_log(path, 20_000, user_agents=100)
    out = subprocess.run(
        [sys.executable, "-c", TRUNCATE_WHILE_COUNTING, str(path), workers], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr}"
    assert 0 < int(out.stdout) < 20_000
    assert path.stat().st_size == 8192


def corrupt_gzip(path: Path) -> Path:
    data = bytearray(gzip.compress(LOG.encode() * 100))
    data[12:30] = b"\xff" * 18  # the deflate stream: zlib's "invalid code lengths set"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_a_corrupt_gzip_is_a_read_error_naming_it(tmp_path: Path, log: Path, workers: int) -> None:
    bad = corrupt_gzip(tmp_path / "old.log.gz")
    with pytest.raises(browsercheck.LogReadError, match=rf"^{bad}: cannot read: Error -3 .*invalid code lengths set"):
        browsercheck.audit([log, bad], workers=workers)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_corrupt_gzip_exits_2_with_one_line_naming_it(
    tmp_path: Path, log: Path, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = corrupt_gzip(tmp_path / "old.log.gz")
    assert main(["audit", "--workers", workers, str(log), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"browsercheck audit: error: {bad}: cannot read: Error -3")
    assert captured.err.count("\n") == 1


def test_a_corrupt_gzip_on_stdin_is_named_as_stdin(tmp_path: Path) -> None:
    bad = corrupt_gzip(tmp_path / "old.log.gz")
    with open(bad, "rb") as f:
        out = subprocess.run(
            [sys.executable, "-m", "browsercheck", "audit", "-"], stdin=f, capture_output=True, text=True, timeout=120
        )
    assert out.returncode == 2
    assert out.stderr.startswith("browsercheck audit: error: -: cannot read: Error -3")


@pytest.mark.parametrize("workers", [1, 2])
def test_json_nested_beyond_recursion_is_a_malformed_line(tmp_path: Path, workers: int) -> None:
    path = tmp_path / "app.jsonl"
    good = json.dumps({"remote_addr": "10.0.0.1", "http_user_agent": IE11})
    deep_and_long = "[" * 100_000 + "]" * 100_000  # over the line limit too
    deep = '{"a":' * 10_000 + "1" + "}" * 10_000  # 60 kB: under the limit, deeper than Python recurses
    path.write_text("\n".join([good, deep_and_long, good, deep, good]) + "\n")
    report = browsercheck.audit([path], log_format="json", workers=workers)
    assert (report.lines, report.malformed, report.requests) == (5, 2, 3)
    assert report.malformed_examples[0].startswith("[[[[")


@pytest.mark.parametrize("log_format", ["combined", "json"])
def test_a_line_over_64_kib_is_malformed_whatever_the_format(tmp_path: Path, log_format: str) -> None:
    path = tmp_path / "long.log"
    if log_format == "json":
        lines = [json.dumps({"remote_addr": "10.0.0.1", "http_user_agent": ua}) for ua in (IE11, "x" * 70_000, IE11)]
    else:
        lines = [line("10.0.0.1", ua).rstrip("\n") for ua in (IE11, "x" * 70_000, IE11)]
    path.write_text("\n".join(lines) + "\n")
    report = browsercheck.audit([path], log_format=log_format)
    assert (report.lines, report.malformed, report.requests) == (3, 1, 2)
    assert [u.user_agent for u in report.user_agents] == [IE11]


@pytest.mark.parametrize(
    ("magic", "kind"),
    [(b"\x28\xb5\x2f\xfd", "zstd"), (b"\x04\x22\x4d\x18", "lz4"), (b"PK\x03\x04", "zip")],
    ids=["zstd", "lz4", "zip"],
)
def test_a_log_in_a_compression_the_audit_does_not_read_is_named(tmp_path: Path, magic: bytes, kind: str) -> None:
    # its bytes would otherwise be counted as malformed lines, and the report would have nothing
    path = tmp_path / "access.log.x"
    path.write_bytes(magic + os.urandom(200))
    with pytest.raises(browsercheck.LogReadError, match=f"is compressed with {kind}, which the audit does not read"):
        browsercheck.audit([path])
    with open(path, "rb") as f:
        out = subprocess.run(
            [sys.executable, "-m", "browsercheck", "audit", "-"], stdin=f, capture_output=True, text=True, timeout=120
        )
    assert out.returncode == 2 and f"-: is compressed with {kind}" in out.stderr


def test_one_path_alone_is_one_log(log: Path) -> None:
    from browsercheck.audit import count_logs

    assert browsercheck.audit(str(log)).requests == browsercheck.audit(log).requests == 30
    assert count_logs(str(log)).lines == 30


def test_standard_input_is_given_once() -> None:
    from browsercheck.audit import count_logs

    with pytest.raises(ValueError, match="standard input"):
        browsercheck.audit(["-", "-"])
    with pytest.raises(ValueError, match="standard input"):
        count_logs(["-", "-"])


def test_a_log_on_standard_input_that_spans_days_says_why_it_has_no_days(log: Path) -> None:
    two_days = LOG + line("10.0.0.1", IE11).replace("27/Nov", "28/Nov")
    out = subprocess.run(
        [sys.executable, "-m", "browsercheck", "audit", "--format", "html", "-"],
        input=two_days,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0
    assert "people per day not charted: standard input and pipes cannot be read a second time" in out.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_a_log_rotated_while_audited_is_read_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # logrotate's default: the log renamed, a new one created, while the audit reads it range by range
    from browsercheck.audit import _logread

    monkeypatch.setattr(_logread, "CHUNK_SIZE", 4096)  # ranges of 32 KiB: many of them
    path = tmp_path / "access.log"
    lines = 3000
    path.write_text("".join(line(f"10.0.{i // 250}.{i % 250}", IE11) for i in range(lines)))
    rotated: list[bool] = []

    def rotate(done: int, total: int | None) -> None:
        if not rotated:
            rotated.append(True)
            path.rename(tmp_path / "access.log.1")
            path.write_text("")

    report = browsercheck.audit([path], workers=workers, progress=rotate)
    assert rotated and (report.lines, report.requests) == (lines, lines)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("counter", ["c", "python"])
def test_a_user_agent_logged_in_two_forms_counts_its_visitors_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, counter: str
) -> None:
    # "-" (none sent) and "" (sent empty) are one User-Agent; so are nginx's \x22 and Apache's \"
    if counter == "python":
        from browsercheck.audit import _tally

        monkeypatch.setattr(_tally, "compiled_counter", None)

    def at(addr: str, ua: str) -> str:
        return f'{addr} - - [27/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "{ua}"\n'

    quoted = 'Tool/1.0 (say \\"hi\\")'
    lines = [at("10.0.0.1", "-"), at("10.0.0.1", ""), at("10.0.0.2", ""), at("10.0.0.1", quoted)]
    lines += [at("10.0.0.1", quoted.replace('\\"', "\\x22")), at("10.0.0.3", quoted.replace('\\"', "\\x22"))]
    path = tmp_path / "forms.log"
    path.write_text("".join(lines))
    report = browsercheck.audit([path], workers=workers)
    counts = {u.user_agent: (u.requests, u.visitors) for u in report.user_agents}
    assert counts == {"": (3, 2), 'Tool/1.0 (say "hi")': (3, 2)}


def test_compressed_logs_renamed_while_audited_are_read_as_they_were(tmp_path: Path) -> None:
    # logrotate with compress: .1.gz becomes .2.gz while the audit reads the logs one after the other
    logs = [tmp_path / name for name in ("access.log", "access.log.1.gz", "access.log.2.gz")]
    logs[0].write_text(LOG)
    for path in logs[1:]:
        path.write_bytes(gzip.compress(LOG.encode()))
    rotated: list[bool] = []

    def rotate(done: int, total: int | None) -> None:
        if not rotated:
            rotated.append(True)
            logs[2].rename(tmp_path / "access.log.3.gz")
            logs[1].rename(logs[2])
            logs[0].rename(tmp_path / "access.log.1")
            logs[0].write_text("")

    report = browsercheck.audit(logs, workers=1, progress=rotate)
    assert rotated and report.requests == 90
