"""The audit's steps by their public names, and what travels between machines: policies, verdicts
and judgements pickle."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import browsercheck
from browsercheck.audit import Counts, Judgement, build_report, count_logs, counts_of, judge_user_agents, merge_tallies
from browsercheck.audit._audit import report_of
from make_log import write_log

CHROME_157 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)
IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"

POLICY = """\
name: Ours
browsers: {chrome: '>=120', firefox: '>=115', ie: false}
site:
  name: example.org
  links: {firefox: 'https://example.org/firefox'}
  messages: {sv: {outdated.title: 'Hej'}}
"""


def test_a_policy_and_its_verdicts_pickle_and_judge_alike() -> None:
    policy = browsercheck.parse_policy(POLICY)
    again = pickle.loads(pickle.dumps(policy))
    assert (again.name, again.browsers, again.site.messages["sv"]["outdated.title"]) == ("Ours", policy.browsers, "Hej")
    assert again.site.links == {"firefox": "https://example.org/firefox"}
    for ua in (CHROME_157, IE11):
        verdict = browsercheck.check(ua, policy=policy)
        unpickled = pickle.loads(pickle.dumps(verdict))
        assert (unpickled.status, unpickled.reasons, unpickled.client) == (
            verdict.status,
            verdict.reasons,
            verdict.client,
        )
        assert browsercheck.check(ua, policy=again).status is verdict.status
    shipped = pickle.loads(pickle.dumps(browsercheck.default_policy()))
    assert browsercheck.check(IE11, policy=shipped).status is browsercheck.Status.UNSUPPORTED


def test_the_steps_make_the_audits_report(tmp_path: Path) -> None:
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    write_log(logs[0], 3000, user_agents=300, seed=1)
    write_log(logs[1], 2000, user_agents=300, seed=2)
    whole = browsercheck.audit(logs, workers=1)
    tallies = [pickle.loads(pickle.dumps(count_logs([log], workers=1))) for log in logs]
    counts = counts_of(merge_tallies(reversed(tallies)))
    judged = judge_user_agents(counts.user_agents)
    assert all(type(judgement) is Judgement for judgement in judged.values())  # named, as documented
    judged = pickle.loads(pickle.dumps(judged))
    report = build_report(counts, judged, policy=browsercheck.default_policy(), sources=whole.sources)
    assert report.to_dict() == whole.to_dict()
    assert report == whole  # minimums, visitors_counted and notes too
    assert report.minimums["ie"] is False
    missing = max(judged)  # a report needs every User-Agent judged: one left out is named
    del judged[missing]
    expected = f"no judgement of the counts' User-Agent {missing!r}"
    with pytest.raises(ValueError, match=re.escape(expected)):
        build_report(counts, judged, policy=browsercheck.default_policy())


def test_the_report_lists_the_busiest_first_then_by_user_agent() -> None:
    """The order of the report's rows, told by the counts alone (`build_report`), and by rows made
    in any order (`report_of`, as the Dask path makes them): ties by the User-Agent as text."""
    counts = Counts(user_agents={"b": (2, 1), "a": (2, 1), "c": (5, 1), "\u00e9": (2, 1), "B": (1, 1)}, lines=12)
    judged = judge_user_agents(counts.user_agents)
    expected = ["c", "a", "b", "\u00e9", "B"]
    report = build_report(counts, judged, policy="shipped")
    assert [row.user_agent for row in report.user_agents] == expected
    rows = list(reversed(report.user_agents))
    assert [row.user_agent for row in report_of(counts, rows, policy="shipped").user_agents] == expected
