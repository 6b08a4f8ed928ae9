"""The audit on Dask: a LocalCluster of worker processes, a real `dask scheduler` with two `dask
worker` processes, S3 through s3fs against moto on 127.0.0.1, workers lost mid-audit. Each audit's
whole JSON report is compared with the local audit's of the same logs."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import browsercheck
from browsercheck.audit import _dask
from browsercheck.audit._logformats import line_format
from browsercheck.cli import main
from make_log import write_log

distributed = pytest.importorskip("distributed", reason="dask[distributed] is in the test extra")

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"


def report_json(report: browsercheck.AuditReport) -> dict[str, Any]:
    """The whole report as JSON gives it, the seconds it took aside."""
    out: dict[str, Any] = json.loads(report.to_json(top=1000))
    out.pop("seconds", None)
    return out


def gzipped(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    with open(path, "rb") as f, gzip.open(target, "wb") as g:
        shutil.copyfileobj(f, g)
    path.unlink()
    return target


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A plain log cut into several byte ranges, two gzipped ones, a plain one with malformed lines."""
    folder = tmp_path_factory.mktemp("logs")
    plain, one, two, odd = (folder / name for name in ("plain.log", "one.log", "two.log", "odd.log"))
    write_log(plain, 3000, user_agents=500, seed=1)
    write_log(one, 1500, user_agents=500, seed=2)
    write_log(two, 1500, user_agents=500, seed=3)
    odd.write_bytes(
        b"not a log line\n"
        + f'10.9.9.9 - - [28/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "{IE11}"\n'.encode()
        + b'10.9.9.9 - - [28/Nov/2026:10:00:01 +0100] "GET / HTTP/1.1" 200 5 "-" "cut short\n'
    )
    return [plain, gzipped(one), gzipped(two), odd]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dask, "RANGE_BYTES", 50_000)  # the plain log in several parts


@pytest.mark.parametrize("total", [0, 1, 7, 8, 29])
def test_the_shares_of_the_user_agents_are_even_runs_that_take_each_once(total: int) -> None:
    """Judging is shared out as runs of the sorted User-Agents: together they are the list, each
    User-Agent in one run, in order, and no run longer than another by more than one (fewer
    User-Agents than shares: some runs are empty)."""
    merged = _dask.UserAgents(tuple(f"agent/{i:03}" for i in range(total)))
    runs = [_dask.share(merged, number, 8) for number in range(8)]
    assert [ua for run in runs for ua in run] == list(merged.user_agents)
    assert max(map(len, runs)) - min(map(len, runs)) <= 1


def test_the_parts_user_agents_are_merged_sorted_and_judged_once(logs: list[Path]) -> None:
    """Two parts share most of their User-Agents: merged, each is listed once, in sorted order, and
    across the shares each is judged once; the judgements are those of the merged counts' User-Agents."""
    fmt = line_format("combined")
    tallies = [_dask.count_part(part, fmt) for log in logs[1:3] for part in _dask._parts(str(log))]
    listed = [_dask.user_agents_of_part(tally) for tally in tallies]
    counts = _dask.counts_of_tally(_dask.merge_part_tallies(*tallies))
    policy = browsercheck.default_policy()
    merged = _dask.merge_user_agents(*listed)
    assert list(merged.user_agents) == sorted(counts.user_agents)
    judged = [_dask.judge_share(number, 4, policy, None, merged).user_agents for number in range(4)]
    assert sum(map(len, judged)) == len(counts.user_agents)  # none twice
    assert {ua for part in judged for ua in part} == set(counts.user_agents)
    assert set(listed[0].user_agents) & set(listed[1].user_agents), "the two logs were meant to share User-Agents"
    assert all(list(part.user_agents) == sorted(set(part.user_agents)) for part in listed)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_shares_judgements_travel_as_columns_and_come_back_whole(count: int) -> None:
    from browsercheck._model import Status
    from browsercheck.audit._audit import Judgement

    judged = {
        f"ua {i}": Judgement(Status.SUPPORTED, "firefox", "Firefox", str(130 + i), Status.UNSUPPORTED if i else None)
        for i in range(count)
    }
    travelled = pickle.loads(pickle.dumps(_dask.Judged.of(judged)))
    assert [(ua, Judgement(*fields)) for ua, *fields in travelled.rows()] == list(judged.items())


def test_a_workers_tasks_judge_under_one_policy_object() -> None:
    """Each judging task unpickles its own copy of the policy, and judging remembers its decisions
    per policy object: the copies are taken for the one the worker already holds, so that its later
    tasks find what the first decided."""
    shipped = browsercheck.default_policy()
    strict = browsercheck.parse_policy("browsers: {chrome: '>=150'}")
    first, second = (pickle.loads(pickle.dumps(shipped)) for _ in range(2))
    assert first is not second
    assert _dask._one_of(first) is _dask._one_of(second) is first
    other = pickle.loads(pickle.dumps(strict))
    assert _dask._one_of(other) is other  # another policy is not taken for it


@pytest.mark.parametrize("step", [_dask.counts_of_tally, _dask.user_agents_of_part], ids=["counts", "user-agents"])
def test_a_worker_that_returns_no_tally_is_named(step: Any) -> None:
    with pytest.raises(browsercheck.AuditWorkerError, match="a worker returned dict, not a tally"):
        step({"requests": 1})


def test_merging_leaves_each_parts_tally_as_counted(logs: list[Path]) -> None:
    """A part's tally is read by two tasks, the merge and the sharing out of its User-Agents, which
    a worker may run in either order or at once: the merge must not add into it (it once did)."""
    fmt = line_format("combined")
    one, two = (_dask.count_part(_dask._parts(str(log))[0], fmt) for log in logs[1:3])
    before = (dict(one.requests), one.lines)
    merged = _dask.merge_part_tallies(one, two)
    assert (dict(one.requests), one.lines) == before
    assert merged.lines == one.lines + two.lines
    assert set(merged.requests) == set(one.requests) | set(two.requests)
    assert _dask.merge_part_tallies(one, two).requests == merged.requests  # a merge tried again: the same


def test_a_local_cluster_gives_the_local_report(cluster: Any, logs: list[Path], small_ranges: None) -> None:
    parts = [part for log in logs for part in _dask._parts(str(log))]
    assert sum(part.end is not None for part in parts) > 4 and sum(part.end is None for part in parts) == 2
    here = browsercheck.audit(logs, workers=1)
    there = browsercheck.audit(logs, dask=cluster)
    assert report_json(there) == report_json(here)
    assert there.malformed >= 2 and sum(s.visitors for s in there.user_agents) > 100


def test_the_cli_audits_on_a_scheduler_by_its_address(
    cluster: Any, logs: list[Path], small_ranges: None, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [str(log) for log in logs]
    assert main(["audit", "--format", "json", "--top", "1000", *names]) == 0
    here = json.loads(capsys.readouterr().out)
    assert main(["audit", "--dask", cluster.scheduler.address, "--format", "json", "--top", "1000", *names]) == 0
    there = json.loads(capsys.readouterr().out)
    here.pop("seconds", None)
    there.pop("seconds", None)
    assert there == here


def test_a_compared_policy_is_judged_on_the_workers_too(cluster: Any, logs: list[Path], tmp_path: Path) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text("name: Strict\nbrowsers: {chrome: '>=150', firefox: '>=140', safari: '>=18', ie: false}\n")
    here = browsercheck.audit(logs, compare=strict, workers=1)
    there = browsercheck.audit(logs, compare=strict, dask=cluster)
    assert report_json(there) == report_json(here) and there.compare_policy == "Strict"


def test_a_log_a_worker_cannot_read_is_named_and_nothing_is_printed(
    cluster: Any, logs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.log.gz"
    corrupt.write_bytes(gzip.compress(logs[3].read_bytes())[:-20] + b"\x00" * 20)
    assert main(["audit", "--dask", cluster.scheduler.address, str(logs[0]), str(corrupt)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"{corrupt}: cannot read" in err


def test_one_client_audits_again_and_again(logs: list[Path]) -> None:
    """A notebook or a service keeps one client for audit after audit. The policies were once
    scattered as data named by their content: each audit's name for them was the last one's, whose
    release, arriving late, took them from under the next audit ("lost dependencies"); on a fresh
    cluster that happened within six audits, every time it was tried."""
    expected = report_json(browsercheck.audit(logs[1:3], workers=1))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
        ) as local,
        distributed.Client(local) as client,
    ):
        for _ in range(8):
            assert report_json(browsercheck.audit(logs[1:3], dask=client)) == expected


def test_a_client_that_is_not_dasks_default_audits(logs: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A service may keep its client out of Dask's defaults (``set_as_default=False``): the audit
    waits for its tasks on that client, not on a default client there is none of."""
    expected = report_json(browsercheck.audit(logs[1:3], workers=1))

    def no_default() -> None:
        raise ValueError("No clients found")

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
        ) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        monkeypatch.setattr(distributed.client, "default_client", no_default)
        assert report_json(browsercheck.audit(logs[1:3], dask=client)) == expected


def test_a_cancelled_run_is_named_not_taken_for_judgements(cluster: Any) -> None:
    """A task cancelled (a client's restart, a lost scheduler) stops the audit naming it; taken as a
    run's judgements, its cancellation made an AttributeError."""
    done = cluster.submit(int, "1", pure=False)
    waiting = cluster.submit(time.sleep, 30, pure=False)
    _dask._LABELS[waiting.key] = "judging User-Agents, share 2 of 2"
    try:
        waiting.cancel()
        with pytest.raises(browsercheck.AuditWorkerError, match=r"share 2 of 2: cancelled .*no report without it"):
            list(_dask._as_done(cluster, [done, waiting]))
    finally:
        _dask._LABELS.pop(waiting.key, None)


def test_dask_local_starts_a_cluster_of_its_own_and_closes_it(
    logs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import multiprocessing

    names = [str(log) for log in logs[2:]]
    before = {p.pid for p in multiprocessing.active_children()}  # the module's cluster's workers, perhaps
    assert main(["audit", "--dask", "local", "--format", "json", "--top", "1000", *names]) == 0
    there = json.loads(capsys.readouterr().out)
    there.pop("seconds", None)
    assert there == report_json(browsercheck.audit(names, workers=1))
    assert {p.pid for p in multiprocessing.active_children()} <= before  # its workers ended with it


def test_a_policy_that_cannot_be_used_is_named_before_any_work(
    logs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("browsers: {chrome: 'soon'}\n")
    monkeypatch.setattr(_dask, "_client", None)  # no cluster is asked for: the policy fails first
    with pytest.raises(browsercheck.PolicyError, match=r"bad\.yaml"):
        browsercheck.audit(logs, policy=bad, dask="tcp://127.0.0.1:1")


# -- workers lost mid-audit ---------------------------------------------------------------------------


class KillOnCount(distributed.WorkerPlugin):  # type: ignore[misc,name-defined]
    """Makes each worker die (as the kernel's out-of-memory killer would kill it) when it starts
    counting the log ``target``: once in all (``marker`` remembers), or every time."""

    def __init__(self, target: str, marker: str, always: bool) -> None:
        self.target, self.marker, self.always = target, marker, always

    def setup(self, worker: Any) -> None:
        from browsercheck.audit import _dask as on_worker

        original = on_worker.count_part
        target, marker, always = self.target, self.marker, self.always

        def count_part(part: Any, fmt: Any) -> Any:
            if part.name == target and (always or not os.path.exists(marker)):
                Path(marker).touch()
                os._exit(1)
            return original(part, fmt)

        on_worker.count_part = count_part


@pytest.fixture
def fragile_cluster() -> Iterator[Any]:
    """Two worker processes, restarted by their nannies when they die; a task lost with more than
    one worker is given up (Dask's allowed-failures)."""
    import dask

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def test_a_worker_lost_once_has_its_part_counted_again(fragile_cluster: Any, logs: list[Path], tmp_path: Path) -> None:
    marker = tmp_path / "killed-once"
    fragile_cluster.register_plugin(KillOnCount(str(logs[1]), str(marker), always=False))
    there = browsercheck.audit(logs, dask=fragile_cluster)
    assert marker.exists()  # a worker did die
    assert report_json(there) == report_json(browsercheck.audit(logs, workers=1))


def test_a_part_that_kills_every_worker_fails_the_audit_naming_it(
    fragile_cluster: Any, logs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fragile_cluster.register_plugin(KillOnCount(str(logs[1]), str(tmp_path / "killed"), always=True))
    address = fragile_cluster.scheduler.address
    code = main(["audit", "--dask", address, "--format", "json", *map(str, logs)])
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")  # nothing printed as if complete
    # the part named is one that was running on a worker as it died: this log's, or one beside it
    assert re.search(r"counting \S+\.log(\.gz)?( bytes \d+-\d+)?: lost with each worker that ran it", err), err


# -- a real scheduler and workers, started as an operator would ---------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def started(*commands: list[str]) -> Iterator[None]:
    processes = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_dask_scheduler_and_two_dask_workers_give_the_local_report(logs: list[Path]) -> None:
    dask_command = Path(sys.executable).with_name("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [str(dask_command), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    worker = [str(dask_command), "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"]
    with started(scheduler, worker, worker):
        deadline = time.monotonic() + 60
        while True:  # the scheduler listens when it is ready
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                pytest.fail("dask scheduler did not start in 60 s")
            time.sleep(0.2)
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        names = [str(log) for log in logs]
        command = [sys.executable, "-m", "browsercheck", "audit", "--format", "json", "--top", "1000"]
        there = subprocess.run([*command, "--dask", address, *names], capture_output=True, text=True, timeout=300)
        here = subprocess.run([*command, *names], capture_output=True, text=True, timeout=300)
    assert (there.returncode, here.returncode) == (0, 0), there.stderr
    theirs, ours = json.loads(there.stdout), json.loads(here.stdout)
    theirs.pop("seconds", None)
    ours.pop("seconds", None)
    assert theirs == ours and ours["lines"] == 6003


# -- S3, through s3fs, against moto's server on 127.0.0.1 ---------------------------------------------


def test_logs_in_s3_are_audited_on_the_workers(
    logs: list[Path], small_ranges: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("s3fs", reason="s3fs is in the test extra")
    boto3 = pytest.importorskip("boto3", reason="moto[server] brings boto3")
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the test extra")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        credentials = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        for name, value in {**credentials, "FSSPEC_S3_ENDPOINT_URL": endpoint}.items():
            monkeypatch.setenv(name, value)  # before the workers start: they read it as fsspec loads
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket="logs")
        for log in logs:
            s3.upload_file(str(log), "logs", f"2026/11/{log.name}")
        import fsspec.config

        monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": endpoint})  # and here, loaded already
        with (
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0", host="127.0.0.1"
            ) as local,
            distributed.Client(local) as client,
        ):
            there = browsercheck.audit(["s3://logs/2026/11/*"], dask=client)
        here = browsercheck.audit(logs, workers=1)
    finally:
        server.stop()
    theirs, ours = report_json(there), report_json(here)
    assert theirs.pop("sources") == ["s3://logs/2026/11/*"]
    ours.pop("sources")
    assert theirs == ours


# -- what cannot be used: named, exit 2, nothing printed as a report ----------------------------------


def test_an_unreachable_scheduler_is_named(
    logs: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_dask, "CONNECT_SECONDS", 1)
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    assert main(["audit", "--dask", address, str(logs[0])]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"cannot reach the Dask scheduler at {address}" in err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("nosuch://bucket/a.log", "unknown URL scheme 'nosuch'", id="unknown-scheme"),
        pytest.param("file:///nonexistent/folder/a.log", "cannot read", id="missing-file"),
        pytest.param("file:///nonexistent/folder/*.log", "matches no file", id="glob-matching-nothing"),
    ],
)
def test_a_url_that_cannot_be_read_is_named(
    cluster: Any, url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--dask", cluster.scheduler.address, url]) == 2
    out, err = capsys.readouterr()
    assert out == "" and url in err and message in err


def test_a_missing_extra_says_what_to_install(
    logs: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as where it is not installed
    assert main(["audit", "--dask", "local", str(logs[0])]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "pip install 'browsercheck[dask]'" in err
    with pytest.raises(browsercheck.MissingExtraError, match=r"browsercheck\[dask\]"):
        browsercheck.audit(logs, dask="local")


def test_s3_without_s3fs_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fsspec", reason="fsspec is in the test extra")
    monkeypatch.setitem(sys.modules, "s3fs", None)  # as where it is not installed
    monkeypatch.delitem(sys.modules["fsspec.registry"]._registry, "s3", raising=False)  # nor loaded before
    with pytest.raises(browsercheck.MissingExtraError, match=r"s3://logs/a\.log: .*pip install 'browsercheck\[s3\]'"):
        _dask._parts("s3://logs/a.log")


def test_a_store_that_refuses_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("s3fs", reason="s3fs is in the test extra")
    port = free_port()  # nothing listens: the store cannot be reached
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    import fsspec.config

    monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": f"http://127.0.0.1:{port}", "anon": True})
    assert main(["audit", "--dask", "tcp://127.0.0.1:1", "s3://logs/*.gz"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "s3://logs/*.gz: cannot read" in err


# -- logs whose fields are named in them (JSON lines, W3C), and the HTML report -------------------------

CHROME_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def json_log(path: Path, lines: int = 600) -> Path:
    """An app's JSON lines over two days, the User-Agent in ``userAgent`` (a usual name, not the first)."""
    with open(path, "w") as f:
        for i in range(lines):
            ua = (IE11, CHROME_WIN, FIREFOX_LINUX)[i % 3]
            when = f"2026-11-{27 + i % 2:02d}T09:{i // 60 % 60:02d}:{i % 60:02d}Z"
            f.write(json.dumps({"time": when, "client_ip": f"203.0.113.{i % 40}", "userAgent": ua, "path": "/"}) + "\n")
    return path


def iis_log(path: Path, lines: int = 600) -> Path:
    """An IIS log: its columns named by its #Fields: header, the client address not where combined has it."""
    rows = [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Fields: date time s-ip cs-method cs-uri-stem s-port c-ip cs(User-Agent) sc-status time-taken",
    ]
    for i in range(lines):
        ua = (IE11, CHROME_WIN, FIREFOX_LINUX)[i % 3].replace(" ", "+")
        when = f"2026-11-{27 + i % 2:02d} 09:{i // 60 % 60:02d}:{i % 60:02d}"
        rows.append(f"{when} 10.0.0.5 GET / 443 198.51.100.{i % 30} {ua} 200 7")
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("log_format", "make"),
    [
        pytest.param("json", lambda folder: json_log(folder / "app.jsonl"), id="json"),
        pytest.param("json", lambda folder: gzipped(json_log(folder / "app.jsonl")), id="json-gz"),
        pytest.param("w3c", lambda folder: iis_log(folder / "u_ex261127.log"), id="iis-w3c"),
    ],
)
@pytest.mark.parametrize("as_url", [False, True], ids=["path", "url"])
def test_a_log_whose_fields_are_named_in_it_is_read_by_them_on_dask(
    cluster: Any, tmp_path: Path, log_format: str, make: Any, as_url: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_dask, "RANGE_BYTES", 20_000)  # a plain log in several parts: only the first has the header
    log = make(tmp_path)
    here = browsercheck.audit([log], log_format=log_format, workers=1)
    there = browsercheck.audit([log.as_uri() if as_url else str(log)], log_format=log_format, dask=cluster)
    theirs, ours = report_json(there), report_json(here)
    theirs.pop("sources")
    ours.pop("sources")
    assert theirs == ours and ours["requests"] == 600 and ours["malformed"]["lines"] == 0
    assert there.notes == here.notes and there.visitors_counted
    assert there.minimums == here.minimums and there.minimums["ie"] is False


def test_a_json_field_the_log_lacks_is_named_before_any_work_on_dask(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = json_log(tmp_path / "app.jsonl", lines=5)
    args = ["audit", "--dask", cluster.scheduler.address, "--log-format", "json", "--ua-field", "agent", log.as_uri()]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and "no field 'agent' for the User-Agent" in err and "userAgent" in err


def test_the_html_report_on_dask_has_no_day_chart_and_says_why(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = str(json_log(tmp_path / "app.jsonl"))
    assert main(["audit", "--log-format", "json", "--format", "html", log]) == 0
    here = capsys.readouterr().out
    assert main(["audit", "--dask", cluster.scheduler.address, "--log-format", "json", "--format", "html", log]) == 0
    there, err = capsys.readouterr()
    assert 'id="by-day"' in here and 'id="by-day"' not in there  # the local audit reads the log again for it
    assert "people per day not charted: on Dask" in err
    assert there.startswith("<!DOCTYPE html>") and 'id="by-status"' in there and "Internet Explorer" in there


@pytest.mark.parametrize(
    ("task", "named"),
    [
        ("merge_part_tallies-6c8f7fc4", "merging tallies (task merge_part_tallies-6c8f7fc4)"),
        ("merge_user_agents-f5eb62b6", "judging: merging User-Agents (task merge_user_agents-f5eb62b6)"),
        ("something-else-1", "task something-else-1"),
    ],
)
def test_a_lost_merge_is_named_by_what_it_merged(task: str, named: str) -> None:
    """A merge has no part of its own to name (`_LABELS` holds the counting and judging tasks')."""
    assert _dask._part_named(task) == named
