"""Log audits: formats, compression, malformed lines, reports, the CLI and the Python API agreeing."""

from __future__ import annotations

import bz2
import csv
import gc
import gzip
import io
import json
import lzma
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import browsercheck
from browsercheck import Status
from browsercheck.audit import _audit as audit_module
from browsercheck.audit import _count as count_module
from browsercheck.audit import _logread as logread
from browsercheck.audit import _tally as tally
from browsercheck.audit._audit import progress_bar
from browsercheck.audit._logformats import COMBINED_TEMPLATE, LogFormatError, template_regex, unescape
from browsercheck.audit._processes import ForkedBatches
from browsercheck.cli import main
from make_log import write_log

CHROME_157 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)
CHROME_124 = CHROME_157.replace("157.0.0.0", "124.0.0.0")
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(addr: str, ua: str, when: str = "27/Nov/2026:10:00:00 +0100", referer: str = "-") -> str:
    return f'{addr} - - [{when}] "GET / HTTP/1.1" 200 512 "{referer}" "{ua}"\n'


LOG = "".join(
    [
        line("10.0.0.1", CHROME_157, "27/Nov/2026:10:00:00 +0100"),
        line("10.0.0.1", CHROME_157),
        line("10.0.0.2", CHROME_157),
        line("10.0.0.3", CHROME_124),
        line("10.0.0.4", IE11),
        line("10.0.0.4", IE11),
        line("10.0.0.5", GOOGLEBOT),
        line("10.0.0.6", "-"),
        "this is not a log line\n",
        line("10.0.0.7", CHROME_157, "27/Nov/2026:18:30:00 +0100"),
    ]
)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "access.log"
    path.write_text(LOG)
    return path


def test_report_numbers(log: Path) -> None:
    report = browsercheck.audit([log])
    assert (report.lines, report.requests, report.malformed) == (10, 9, 1)
    assert report.malformed_examples == ("this is not a log line",)
    by_status = report.by_status
    assert {s.value: (c.requests, c.visitors) for s, c in by_status.items()} == {
        "supported": (4, 3),
        "outdated": (1, 1),
        "unsupported": (2, 1),
        "unknown": (1, 1),
        "bot": (1, 1),
    }
    assert by_status[Status.SUPPORTED].share == pytest.approx(4 / 8)  # of people's requests
    assert by_status[Status.BOT].share == pytest.approx(1 / 9)  # of all requests
    assert report.human_requests == 8
    assert (report.first.isoformat(), report.last.isoformat()) == (  # type: ignore[union-attr]
        "2026-11-27T10:00:00+01:00",
        "2026-11-27T18:30:00+01:00",
    )
    assert report.policy == "Baseline widely available, 2026-11-27"
    rows = {(b.name, b.major, b.status.value): b.requests for b in report.by_browser}
    assert rows == {
        ("Google Chrome", "157", "supported"): 4,
        ("Google Chrome", "124", "outdated"): 1,
        ("Internet Explorer", "11", "unsupported"): 2,
        ("Unknown", None, "unknown"): 1,
    }
    top = report.top_user_agents("unsupported")
    assert [(u.user_agent, u.requests, u.visitors) for u in top] == [(IE11, 2, 1)]


@pytest.mark.parametrize(
    "compress",
    [lambda b: b, gzip.compress, bz2.compress, lzma.compress],
    ids=["plain", "gzip", "bzip2", "xz"],
)
def test_every_compression_gives_the_same_numbers(tmp_path: Path, compress: Any) -> None:
    path = tmp_path / "rotated.log.1"  # the name says nothing: the first bytes do
    path.write_bytes(compress(LOG.encode()))
    report = browsercheck.audit([path])
    assert (report.lines, report.malformed, len(report.user_agents)) == (10, 1, 5)


def test_several_files_add_up(tmp_path: Path, log: Path) -> None:
    other = tmp_path / "access.log.2.gz"
    other.write_bytes(gzip.compress(LOG.encode()))
    report = browsercheck.audit([log, other])
    assert (report.lines, report.malformed) == (20, 2)
    assert report.by_status[Status.SUPPORTED].requests == 8
    assert report.by_status[Status.SUPPORTED].visitors == 3  # the same visitors in both files


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(LOG.encode()))))
    report = browsercheck.audit(["-"])
    assert (report.sources, report.lines) == (("-",), 10)


def test_escaped_quotes_nginx_and_apache_and_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "escapes.log"
    nginx = r"Mozilla/5.0 \x22quoted\x22 (X11; Linux x86_64) Firefox/161.0"
    apache = r"Mozilla/5.0 \"quoted\" (X11; Linux x86_64) Firefox/161.0"
    path.write_bytes(
        (line("10.0.0.1", nginx) + line("10.0.0.2", apache) + line("10.0.0.3", "Bad\\xff UA")).encode()
        + line("10.0.0.4", "Bad\udcff UA").encode("utf-8", "surrogateescape")
    )
    report = browsercheck.audit([path])
    assert report.malformed == 0
    assert {u.user_agent: u.requests for u in report.user_agents} == {
        'Mozilla/5.0 "quoted" (X11; Linux x86_64) Firefox/161.0': 2,  # both escapings, one User-Agent
        "Bad\\xff UA": 2,  # nginx's \xff and a raw 0xff byte: the same bytes, kept as an escape
    }


def test_unescape() -> None:
    assert unescape(rb"a\x22b\"c\\d") == b'a"b"c\\d'


def test_nginx_template_format(tmp_path: Path) -> None:
    template = COMBINED_TEMPLATE + " $request_time"
    path = tmp_path / "timed.log"
    path.write_text(line("10.0.0.1", IE11).rstrip("\n") + " 0.004\n" + "junk\n")
    report = browsercheck.audit([path], log_format=template)
    assert (report.requests, report.malformed) == (1, 1)
    assert report.user_agents[0].status is Status.UNSUPPORTED
    assert report.first is not None


def test_regex_format(tmp_path: Path) -> None:
    path = tmp_path / "custom.log"
    path.write_text(f"ua={IE11}|ip=10.0.0.9\n")
    report = browsercheck.audit([path], log_format=r"regex:ua=(?P<ua>[^|]*)\|ip=(?P<addr>\S+)")
    assert (report.user_agents[0].user_agent, report.user_agents[0].visitors) == (IE11, 1)


def test_json_lines_format(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    records = [
        {"remote_addr": "10.0.0.1", "http_user_agent": IE11, "time_iso8601": "2026-11-27T10:00:00+01:00"},
        {"remote_addr": "10.0.0.2", "request": {"headers": {"user-agent": CHROME_157}}},
        {"remote_addr": "10.0.0.3", "http_user_agent": None},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n[1, 2]\nnot json\n")
    report = browsercheck.audit([path], log_format="json")
    assert (report.requests, report.malformed) == (2, 3)  # the nested record has none of the usual fields
    nested = browsercheck.audit([path], log_format="json", ua_field="request.headers.user-agent")
    assert [u.user_agent for u in nested.user_agents] == [CHROME_157]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("common", "the 'common' log format has no User-Agent field"),
        ("$remote_addr [$time_local]", "has no $http_user_agent"),
        ("regex:(?P<addr>\\S+)", "has no named group 'ua'"),
        ("regex:(", "invalid regex '('"),
        ("apache", "unknown log format 'apache'"),
    ],
)
def test_unusable_formats_say_why(log: Path, spec: str, message: str) -> None:
    with pytest.raises(LogFormatError, match=message.replace("$", r"\$").replace("(", r"\(")):
        browsercheck.audit([log], log_format=spec)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=f"{tmp_path / 'gone.log'}: cannot read: No such file or directory"):
        browsercheck.audit([tmp_path / "gone.log"])


def test_compare_shows_what_another_policy_does(log: Path, tmp_path: Path) -> None:
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("name: Lenient\nbrowsers: {chrome: '>=100', ie: true}\n")
    report = browsercheck.audit([log], compare=lenient)
    assert report.compare_policy == "Lenient"
    compared = report.compared_by_status
    assert compared is not None
    assert compared[Status.SUPPORTED].requests == 7  # Chrome 124 and IE now pass
    assert compared[Status.UNSUPPORTED].requests == 0
    assert "requests under Lenient" in report.to_text()


def test_workers_count_the_same_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "generated.log"
    write_log(path, 30_000, user_agents=800)
    monkeypatch.setattr(logread, "CHUNK_SIZE", 16 * 1024)  # many ranges and chunks from a small file
    one = browsercheck.audit([path], workers=1)
    monkeypatch.setattr(audit_module, "_PARALLEL_FROM_USER_AGENTS", 10)  # judged in forks too
    two = browsercheck.audit([path], workers=2)
    three = browsercheck.audit([path], workers=3)
    gz = tmp_path / "generated.log.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    compressed = browsercheck.audit([gz], workers=2)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    streamed = browsercheck.audit(["-"], workers=2)
    for report in (two, three, compressed, streamed):
        assert report.to_dict() == {**one.to_dict(), "sources": list(report.sources)}
    assert one.lines == 30_000
    assert one.malformed == 30  # make_log writes one garbage line in 997
    halves = tmp_path / "a.log.gz", tmp_path / "b.log"
    lines = path.read_bytes().splitlines(keepends=True)
    halves[0].write_bytes(gzip.compress(b"".join(lines[:12_345])))
    halves[1].write_bytes(b"".join(lines[12_345:]))
    both = browsercheck.audit(halves, workers=2)
    assert both.to_dict() == {**one.to_dict(), "sources": [str(h) for h in halves]}


def test_with_workers_every_user_agent_is_offered_for_judging_before_the_counting_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While workers count, the audit's own process judges the User-Agents as they are first
    counted (by a worker or by itself), taking a part of the logs only when none waits; a file's or
    a stream's (which this process reads and shares out). It is told once when the counting ends,
    after every User-Agent was offered, with no other thread running (it may fork)."""
    path = tmp_path / "generated.log"
    write_log(path, 30_000, user_agents=800)
    monkeypatch.setattr(logread, "CHUNK_SIZE", 16 * 1024)
    offered: list[bytes] = []
    steps = []
    ended: list[tuple[int, list[str]]] = []  # how many were offered when told, and the threads then
    threads = [thread.name for thread in threading.enumerate()]

    class Recording:
        def offer(self, user_agents: list[bytes]) -> None:
            offered.extend(user_agents)

        def step(self) -> bool:
            steps.append(len(offered))
            return False

        def counted(self) -> None:
            ended.append((len(offered), [thread.name for thread in threading.enumerate()]))

    def the_file() -> list[logread.Source]:
        return [logread.inspect(str(path))]

    count_task, parent, late = count_module.count_task, os.getpid(), [True]

    def late_in_workers(task: count_module.Task, tally: Any) -> Iterator[int]:
        if os.getpid() != parent and late and late.pop():  # a worker's first task (each has its own list)
            time.sleep(0.05)  # so that this process is asked for its work before the counting ends
        yield from count_task(task, tally)

    monkeypatch.setattr(count_module, "count_task", late_in_workers)

    def standard_input() -> list[logread.Source]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
        return [logread.inspect("-")]

    for workers, logs in [(2, the_file), (3, the_file), (2, standard_input), (3, standard_input)]:
        offered.clear()
        steps.clear()
        ended.clear()
        counted = count_module.count(logs(), None, workers, None, meanwhile=lambda: None, alongside=Recording())
        assert set(offered) == set(counted.requests) and len(counted.requests) > 700
        if logs is the_file:  # a stream: this process feeds the workers until they are nearly done
            assert steps  # asked for its work between parts
        assert ended == [(len(offered), threads)]
    offered.clear()
    alone = count_module.count(the_file(), None, 1, None, meanwhile=lambda: None, alongside=Recording())
    assert offered == [] and alone.requests == counted.requests  # one process: judged after counting


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("stream", [False, True], ids=["file", "stdin"])
def test_a_process_busy_judging_is_told_the_counting_ended_before_the_tallies_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, stream: bool
) -> None:
    """As in an audit of many User-Agents: this process judges throughout, and is told once, after
    every User-Agent was offered and with no thread of its own running, while the workers still
    pack their tallies; it can then judge on (with its forks) while they come."""
    path = tmp_path / "generated.log"
    write_log(path, 30_000, user_agents=800)
    monkeypatch.setattr(logread, "CHUNK_SIZE", 16 * 1024)
    offered: list[bytes] = []
    ended: list[tuple[int, list[str]]] = []
    steps_after: list[int] = []
    threads = [thread.name for thread in threading.enumerate()]

    class Busy:
        def offer(self, user_agents: list[bytes]) -> None:
            offered.extend(user_agents)

        def step(self) -> bool:
            if ended:
                steps_after.append(len(offered))
                return False
            time.sleep(0.001)
            return True  # always something to judge, until told

        def counted(self) -> None:
            ended.append((len(offered), [thread.name for thread in threading.enumerate()]))

    if stream:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
        sources = [logread.inspect("-")]
    else:
        sources = [logread.inspect(str(path))]
    packed, parent = tally.Tally.pack, os.getpid()

    def slow_to_pack(self: tally.Tally) -> tally.PackedTally:
        if os.getpid() != parent:
            time.sleep(0.2)  # a large tally, packed: the counting has ended, the tallies are to come
        return packed(self)

    monkeypatch.setattr(tally.Tally, "pack", slow_to_pack)
    counted = count_module.count(sources, None, workers, None, meanwhile=lambda: None, alongside=Busy())
    assert set(offered) == set(counted.requests) and len(counted.requests) > 700
    assert ended == [(len(offered), threads)]
    assert steps_after  # asked for its work again while the tallies were on their way


def test_user_agents_offered_while_counting_are_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[str] = []
    judge_each = audit_module._judge_each

    def recording(uas: list[str], *rest: Any) -> list[audit_module.JudgementFields]:
        judged.extend(uas)
        return judge_each(uas, *rest)

    monkeypatch.setattr(audit_module, "_judge_each", recording)
    judge = audit_module._Judge(None, None)
    assert not judge.step()  # nothing waits
    judge.offer([IE11.encode(), b"-", rb"a \x22q\x22"])  # nginx's escape
    judge.offer([IE11.encode(), rb"a \"q\""])  # another process saw them too; Apache's escape, alike
    while judge.step():
        pass
    assert sorted(judged) == ["", IE11, 'a "q"']
    judge.add(sorted([IE11, "", 'a "q"', CHROME_157]))  # after counting: only the rest
    assert judged[3:] == [CHROME_157]
    assert judge.done[IE11][0] is Status.UNSUPPORTED
    assert judge.done[CHROME_157][0] is Status.SUPPORTED
    assert judge.done[""][0] is Status.UNKNOWN


def many_user_agents(n: int) -> list[str]:
    return [
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{100 + i % 60}.0) Gecko/20100101 Firefox/{i}.0" for i in range(n)
    ]


def test_user_agents_waiting_when_the_counting_ends_are_judged_in_forks_from_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where many wait, forks start on them as the counting ends; this process joins them between
    its other work (`step`) and at the end (`add`), and each is judged once, as in one process."""
    monkeypatch.setattr(audit_module, "_PARALLEL_FROM_USER_AGENTS", 300)
    uas = many_user_agents(1_000)
    alone = audit_module._Judge(None, None)
    alone.add(uas)
    judge_each, parent = audit_module._judge_each, os.getpid()

    def slow_in_forks(*args: Any) -> list[audit_module.JudgementFields]:
        if os.getpid() != parent:
            time.sleep(0.02)  # so that this process finds a batch left to take with them
        return judge_each(*args)

    monkeypatch.setattr(audit_module, "_judge_each", slow_in_forks)
    judge = audit_module._Judge(None, None, workers=2)
    judge.offer([ua.encode() for ua in uas[:200]])
    judge.counted()
    assert judge._forked is None  # too few wait: no fork
    judge.offer([ua.encode() for ua in uas[200:]])
    judge.counted()
    forked = judge._forked
    assert forked is not None
    assert judge.step()  # a batch, taken with the forks
    judge.add([*uas, CHROME_157])  # the forks joined, and one never offered
    assert judge._forked is None and not any(p.is_alive() for p in forked._forks)
    assert judge.done == {**alone.done, CHROME_157: judge.done[CHROME_157]}
    assert judge.done[CHROME_157][0] is Status.SUPPORTED


def test_forks_judging_are_stopped_where_the_audit_fails_before_joining_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[ForkedBatches[Any, Any]] = []

    def counts_failing(tally: Any) -> None:
        raise RuntimeError("reading the counts failed")

    class Recorded(ForkedBatches[Any, Any]):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            started.append(self)

    monkeypatch.setattr(audit_module, "ForkedBatches", Recorded)
    monkeypatch.setattr(audit_module, "counts_of", counts_failing)
    monkeypatch.setattr(audit_module, "_PARALLEL_FROM_USER_AGENTS", 1)  # forks as the counting ends
    monkeypatch.setattr(audit_module._Judge, "step", lambda self: False)  # so that all wait then
    path = tmp_path / "generated.log"
    write_log(path, 30_000, user_agents=800)
    monkeypatch.setattr(logread, "CHUNK_SIZE", 16 * 1024)
    with pytest.raises(RuntimeError, match="reading the counts failed"):
        browsercheck.audit([path], workers=2)
    assert started, "no fork judged: the test tests nothing"
    assert not any(p.is_alive() for batches in started for p in batches._forks)
    assert gc.isenabled()  # the collector, paused for the audit, runs again
    assert gc.get_freeze_count() == 0  # nothing left frozen


def test_the_collector_is_paused_only_where_it_ran() -> None:
    assert gc.isenabled()
    with audit_module.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), audit_module.collector_paused():
        raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with audit_module.collector_paused():
            pass
        assert not gc.isenabled()  # the caller's choice, kept
    finally:
        gc.enable()


class _Made:
    """An object the collector tracks (instances of a class without slots are)."""


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


@pytest.mark.skipif(
    not audit_module._moves_lists_whole(), reason="Python 3.14+ or a build without the GIL: nothing is moved"
)
def test_what_the_paused_collector_missed_is_moved_out_of_the_youngest_generation_uncollected() -> None:
    assert gc.get_freeze_count() == 0
    gc.collect()
    collections: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(record)
    try:
        with audit_module.collector_paused():
            made = [_Made() for _ in range(50_000)]  # far past the youngest generation's threshold
            cycle = _Made()
            cycle.itself = cycle  # type: ignore[attr-defined]
        assert collections == []  # none walked them...
        assert not _in_generation(made[0], 0) and not _in_generation(made[-1], 0)  # ...yet they left the youngest
        assert gc.get_freeze_count() == 0
    finally:
        gc.callbacks.remove(record)
    gone = weakref.ref(cycle)
    del cycle
    gc.collect()  # a cycle made while paused is still found
    assert gone() is None


def test_where_the_lists_do_not_move_whole_the_objects_stay_where_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_module, "_moves_lists_whole", lambda: False)
    gc.collect()  # the youngest generation empty: no collection moves the object made below
    with audit_module.collector_paused():
        made = _Made()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert _in_generation(made, 0)


@pytest.mark.skipif(
    not audit_module._moves_lists_whole(), reason="Python 3.14+ or a build without the GIL: nothing is moved"
)
def test_an_interrupt_as_the_objects_are_moved_leaves_the_collector_running_and_nothing_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze = gc.freeze

    def interrupted() -> None:
        freeze()
        raise KeyboardInterrupt  # as Ctrl-C would, between the freeze and the unfreeze

    monkeypatch.setattr(gc, "freeze", interrupted)
    with pytest.raises(KeyboardInterrupt), audit_module.collector_paused():
        pass
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_objects_the_program_froze_stay_frozen_after_an_audit_paused_the_collector() -> None:
    frozen = _Made()
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        with audit_module.collector_paused():
            made = _Made()
        assert gc.get_freeze_count() == count  # nothing unfrozen
        assert _in_generation(made, 0)  # left where it was made
        assert not any(o is frozen for o in gc.get_objects())  # still frozen: the collector lists none such
    finally:
        gc.unfreeze()
    assert gc.isenabled()


def test_visitors_are_sampled_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "many.log"
    path.write_text("".join(line(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", CHROME_157) for i in range(20_000)))
    exact = browsercheck.audit([path])
    monkeypatch.setattr(tally, "VISITOR_SAMPLE_LIMIT", 2_000)
    sampled = browsercheck.audit([path])
    assert exact.by_status[Status.SUPPORTED].visitors == 20_000
    assert not exact.visitors_sampled
    assert sampled.visitors_sampled
    assert sampled.by_status[Status.SUPPORTED].visitors == pytest.approx(20_000, rel=0.15)
    assert sampled.by_status[Status.SUPPORTED].requests == 20_000  # requests stay exact


def test_json_and_csv_forms(log: Path) -> None:
    report = browsercheck.audit([log])
    data = json.loads(report.to_json())
    assert set(data) == {
        "policy", "compare_policy", "sources", "lines", "requests", "human_requests", "malformed", "time_span",
        "distinct_user_agents", "visitors_sampled", "visitors_counted", "by_status", "compared_by_status", "by_browser",
        "top_user_agents", "user_agents_not_listed",
    }  # fmt: skip
    assert data["by_status"]["unsupported"] == {"requests": 2, "visitors": 1, "share": 0.25}
    assert data["top_user_agents"]["unsupported"][0]["user_agent"] == IE11
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert rows[0].keys() == {
        "section",
        "status",
        "browser",
        "name",
        "major",
        "requests",
        "visitors",
        "share",
        "user_agent",
    }
    assert {r["section"] for r in rows} == {"status", "browser", "top_user_agent"}
    ie = next(r for r in rows if r["section"] == "top_user_agent" and r["status"] == "unsupported")
    assert (ie["user_agent"], ie["requests"]) == (IE11, "2")


def test_text_report_is_aligned(log: Path) -> None:
    text = browsercheck.audit([log]).to_text()
    table = text.split("People, by status (bots apart)\n")[1].split("\n\n")[0].splitlines()
    assert table[0].split() == ["status", "requests", "share", "visitors"]
    assert len({len(row) for row in table[:2]}) == 1  # header and rule line up
    assert ["unsupported", "2", "25.0%", "1"] in [row.split() for row in table]


def test_cli_and_api_agree(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--format", "json", str(log)]) == 0
    assert json.loads(capsys.readouterr().out) == browsercheck.audit([log]).to_dict()


def test_cli_exit_codes(tmp_path: Path, log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.log"
    garbage.write_text("nothing\nto see\n")
    assert main(["audit", str(garbage)]) == 2
    assert "no line could be read as 'combined' (2 lines)" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "gone.log")]) == 2
    assert "gone.log: cannot read: No such file or directory" in capsys.readouterr().err
    assert main(["audit", "--log-format", "common", str(log)]) == 2
    assert main(["audit", "--format", "markdown", str(log)]) == 0
    assert capsys.readouterr().out.startswith("# browsercheck audit: Baseline widely available, 2026-11-27\n")


def test_cli_csv_on_stdin(log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(log.read_bytes())))
    assert main(["audit", "--format", "csv", "-"]) == 0
    assert capsys.readouterr().out.startswith("section,status,browser,name,major,requests,visitors,share,user_agent\n")


def test_progress_is_reported(log: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    browsercheck.audit([log], progress=lambda done, total: seen.append((done, total)))
    assert seen
    assert seen[-1] == (log.stat().st_size, log.stat().st_size)
    out = io.StringIO()
    bar = progress_bar(out)
    bar(50, 100)
    bar(100, 100)
    assert out.getvalue().endswith("100.0%  0 / 0 MB")


def test_progress_with_workers_reaches_the_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain, compressed = tmp_path / "a.log", tmp_path / "b.log.gz"
    write_log(plain, 20_000, user_agents=100)
    compressed.write_bytes(gzip.compress(plain.read_bytes()))
    monkeypatch.setattr(logread, "CHUNK_SIZE", 16 * 1024)
    seen: list[int] = []
    total = plain.stat().st_size + compressed.stat().st_size
    browsercheck.audit(
        [plain, compressed], workers=2, progress=lambda done, of: seen.append(done) if of == total else None
    )
    assert len(seen) > 10 and seen == sorted(seen) and seen[-1] == total


def test_template_regex_reads_a_combined_line() -> None:
    pattern = template_regex(COMBINED_TEMPLATE)
    m = pattern.match(line("10.0.0.1", r"a \"b\" c").rstrip("\n").encode())
    assert m is not None
    assert (m["addr"], m["ua"], m["time"]) == (b"10.0.0.1", rb"a \"b\" c", b"27/Nov/2026:10:00:00 +0100")


def test_check_many_judges_each_distinct_string_once() -> None:
    verdicts = browsercheck.check_many([IE11, CHROME_157, IE11, None, ""])
    assert [v.status.value for v in verdicts] == ["unsupported", "supported", "unsupported", "unknown", "unknown"]
    assert verdicts[0] is verdicts[2]


def _in_workers_only(monkeypatch: pytest.MonkeyPatch, failure: Callable[[], None]) -> None:
    """Make the tallies of worker processes fail as ``failure`` does (this process counts on)."""
    parent = os.getpid()
    packed = tally.Tally.pack

    def failing(self: tally.Tally) -> tally.PackedTally:
        if os.getpid() != parent:
            failure()
        return packed(self)

    monkeypatch.setattr(tally.Tally, "pack", failing)


def test_a_worker_that_fails_stops_the_audit_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "generated.log"
    write_log(path, 2_000, user_agents=50)

    def boom() -> None:
        raise KeyError("boom")

    _in_workers_only(monkeypatch, boom)
    with pytest.raises(browsercheck.AuditWorkerError, match="an audit worker failed: KeyError: 'boom'"):
        browsercheck.audit([path], workers=2)


def test_a_worker_that_dies_stops_the_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "generated.log"
    write_log(path, 2_000, user_agents=50)
    _in_workers_only(monkeypatch, lambda: os._exit(3))
    with pytest.raises(browsercheck.AuditWorkerError, match=r"an audit worker process stopped \(exit code 3\)"):
        browsercheck.audit([path], workers=2)


def test_a_bad_policy_stops_an_audit_with_workers(tmp_path: Path) -> None:
    path = tmp_path / "generated.log"
    write_log(path, 2_000, user_agents=50)
    policy = tmp_path / "policy.yaml"
    policy.write_text("browsers: {chrome: '>=abc'}\n")
    with pytest.raises(browsercheck.PolicyError, match=r"policy\.yaml:1: browsers\.chrome"):
        browsercheck.audit([path], policy=policy, workers=2)


# -- what clients sent, printed safely ---------------------------------------------------------------

HOSTILE = {
    "terminal": "Mozilla/5.0 \x1b]0;pwned\x07\x1b[2J\x9b31m",  # retitle, clear, C1 CSI
    # no domain name in it: that would make it an agent (a bot), and bots are not listed
    "html": 'Mozilla/5.0 <img src=x onerror="alert(1)"> & *bold* _it_ [link](javascript:alert(1)) | `x`',
    "formula": '=HYPERLINK("https://evil.example","click")',
    "bidi": "Mozilla/5.0 \u202egnp.exe\u202c",
}


@pytest.fixture
def hostile_log(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.log"
    lines = [line(f"10.0.0.{i}", ua.replace('"', '\\"')) for i, ua in enumerate(HOSTILE.values())]
    nginx = line("10.0.0.9", "nginx \\x1B[2J escaped")  # nginx logs control bytes as \xXX: the same once read
    path.write_bytes("".join(lines).encode() + nginx.encode() + b"\x1b[31mnot a log line\x1b[0m\n")
    return path


def controls(text: str) -> set[str]:
    """The control and bidirectional characters in ``text``, but its line ends."""
    return {c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or 0x202A <= ord(c) <= 0x202E}


@pytest.mark.parametrize("form", ["to_text", "to_markdown", "to_csv"])
def test_reports_show_control_characters_as_escapes(hostile_log: Path, form: str) -> None:
    report = browsercheck.audit([hostile_log])
    assert HOSTILE["terminal"] in {u.user_agent for u in report.user_agents}  # the data stays as sent
    text = getattr(report, form)()
    assert controls(text) == set()
    if form == "to_markdown":  # what the reader sees: code spans' fences, Markdown's escapes undone
        text = re.sub(r"\\([\\`*_\[\]<>|~&])", r"\1", text.replace("`", ""))
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in text
    assert "\\u202egnp.exe\\u202c" in text
    assert "nginx \\x1b[2J escaped" in text
    assert "\\x1b[31mnot a log line\\x1b[0m" in text or form == "to_csv"  # CSV has no examples


def test_markdown_shows_user_agents_as_code_and_escapes_the_rest(hostile_log: Path) -> None:
    markdown = browsercheck.audit([hostile_log]).to_markdown()
    outside_code = re.sub(r"(`+).*?\1", "", markdown)  # code spans show their text literally
    assert not re.search(r"(?<!\\)<img|(?<!\\)\[link", outside_code)
    row = next(r for r in markdown.splitlines() if "onerror" in r)
    assert row == (  # the longest run of backticks inside is one: a fence of two
        '| 1 | `` Mozilla/5.0 <img src=x onerror="alert(1)"> & *bold* _it_ [link](javascript:alert(1)) \\| `x` `` |'
    )
    assert "| 1 | `Mozilla/5.0 \\x1b]0;pwned\\x07\\x1b[2J\\x9b31m` |" in markdown


def test_markdown_user_agent_with_a_url_is_code_not_a_link(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(line("10.0.0.1", "Mozilla/5.0 (see http://10.1.2.3/about)"))
    markdown = browsercheck.audit([path]).to_markdown()
    assert "| 1 | `Mozilla/5.0 (see http://10.1.2.3/about)` |" in markdown


def test_csv_cells_are_never_formulas(hostile_log: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(browsercheck.audit([hostile_log]).to_csv())))
    agents = {r["user_agent"] for r in rows if r["section"] == "top_user_agent"}
    assert "'" + HOSTILE["formula"] in agents
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_json_keeps_what_was_sent(hostile_log: Path) -> None:
    data = json.loads(browsercheck.audit([hostile_log]).to_json())
    assert HOSTILE["terminal"] in {u["user_agent"] for u in data["top_user_agents"]["unknown"]}


def test_cli_shows_malformed_examples_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.log"
    garbage.write_bytes(b"\x1b]0;pwned\x07 not a log line\n")
    assert main(["audit", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert "  \\x1b]0;pwned\\x07 not a log line\n" in err and "\x1b" not in err


def test_errors_from_options_data_update_and_suggest_are_browsercheck_errors() -> None:
    """Raised to a user's code (an adapter's bad option, a failed data update, a suggestion that
    cannot be made): one ``except BrowsercheckError`` catches them, their old bases still hold."""
    from browsercheck._dataupdate import UpdateError
    from browsercheck._options import SettingError
    from browsercheck.audit._suggest import SuggestError
    from browsercheck.wsgi import BrowserCheckMiddleware

    for error in (SettingError, UpdateError, SuggestError):
        assert issubclass(error, browsercheck.BrowsercheckError)
    assert issubclass(SettingError, ValueError) and issubclass(SuggestError, ValueError)
    with pytest.raises(browsercheck.BrowsercheckError, match="mode must be one of"):
        BrowserCheckMiddleware(lambda e, s: [], mode="popup")  # type: ignore[arg-type]


def test_errors_are_one_hierarchy_and_exported() -> None:
    from browsercheck.audit import _report

    for error in (
        browsercheck.LogReadError,
        browsercheck.LogFormatError,
        browsercheck.AuditWorkerError,
        browsercheck.CountsTableError,
        browsercheck.ClusterError,
        browsercheck.MissingExtraError,
    ):
        assert issubclass(error, browsercheck.BrowsercheckError)
        assert error.__name__ in browsercheck.__all__
    assert issubclass(browsercheck.LogReadError, OSError) and issubclass(browsercheck.LogFormatError, ValueError)
    assert issubclass(browsercheck.AuditWorkerError, RuntimeError)
    assert issubclass(browsercheck.CountsTableError, ValueError) and issubclass(browsercheck.ClusterError, OSError)
    assert issubclass(browsercheck.MissingExtraError, ImportError)
    assert browsercheck.AuditReport is _report.AuditReport and "AuditReport" in browsercheck.__all__
    assert browsercheck.UserAgentStats is _report.UserAgentStats
    assert LogFormatError is browsercheck.LogFormatError


AUDIT_STAYS_A_FUNCTION = """
import sys, browsercheck
browsercheck.audit([sys.argv[1]], workers=1)  # imports the subpackage's modules
import browsercheck.audit._tally
print(callable(browsercheck.audit), browsercheck.audit.__module__)
"""


def test_audit_stays_the_function_beside_its_subpackage(tmp_path: Path) -> None:
    # a fresh interpreter: here the subpackage was imported long ago; importing a package's
    # submodule sets it as the package's attribute, which would replace the function
    import subprocess
    import sys

    log = tmp_path / "access.log"
    write_log(log, 10)
    out = subprocess.run(
        [sys.executable, "-c", AUDIT_STAYS_A_FUNCTION, str(log)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "browsercheck"]
