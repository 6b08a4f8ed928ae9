"""The records detection, judging and the audit's report make through `make_client`, `make_verdict`
and `make_stats` are the records their dataclasses make: every field set, in its place, and as
immutable, hashable and picklable."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from collections.abc import Callable

import pytest

import browsercheck
from browsercheck._model import Client, Device, Status, Verdict, make_client, make_verdict
from browsercheck.audit._report import UserAgentStats, make_stats


def _chrome_client() -> Client:
    return make_client(
        "chrome",
        "Google Chrome",
        "131.0.0.0",
        "blink",
        "131.0.0.0",
        "Windows",
        "10",
        Device.DESKTOP,
        "Googlebot",
        "webview_android",
        frozenset({"version"}),
        ("a note",),
    )


def test_make_client_sets_each_field_as_the_dataclass_does() -> None:
    made = _chrome_client()
    expected = Client(
        browser="chrome",
        name="Google Chrome",
        version="131.0.0.0",
        engine="blink",
        engine_version="131.0.0.0",
        os="Windows",
        os_version="10",
        device=Device.DESKTOP,
        bot="Googlebot",
        fallback="webview_android",
        model=None,
        frozen=frozenset({"version"}),
        from_hints=frozenset(),
        notes=("a note",),
    )
    assert dataclasses.asdict(made) == dataclasses.asdict(expected)
    assert made == expected and hash(made) == hash(expected)
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.version = "1"  # type: ignore[misc]


def test_make_verdict_sets_each_field_as_the_dataclass_does() -> None:
    policy = browsercheck.default_policy()
    client = _chrome_client()
    made = make_verdict(Status.OUTDATED, client, "chrome >=200", ("why",), policy)
    expected = Verdict(status=Status.OUTDATED, client=client, rule="chrome >=200", reasons=("why",), policy=policy)
    assert [getattr(made, f.name) for f in dataclasses.fields(Verdict)] == [
        getattr(expected, f.name) for f in dataclasses.fields(Verdict)
    ]
    assert made == expected
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.status = Status.SUPPORTED  # type: ignore[misc]


def test_make_stats_sets_each_field_as_the_dataclass_does() -> None:
    fields = ("Mozilla/5.0 ...", 7, 3, Status.OUTDATED, "chrome", "Google Chrome", "109", Status.SUPPORTED)
    made, expected = make_stats(*fields), UserAgentStats(*fields)
    assert [getattr(made, f.name) for f in dataclasses.fields(UserAgentStats)] == list(fields)
    assert made == expected and hash(made) == hash(expected)
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.requests = 8  # type: ignore[misc]


@pytest.mark.parametrize("record", [Client, Verdict, UserAgentStats], ids=lambda cls: cls.__name__)
def test_the_fast_constructors_know_every_field(record: type) -> None:
    """A field added to a record must be added to its maker: both follow the slots' order."""
    makers: dict[type, Callable[..., object]] = {
        Client: make_client,
        Verdict: make_verdict,
        UserAgentStats: make_stats,
    }
    named = list(inspect.signature(makers[record]).parameters)
    never_detected = ("model", "from_hints")  # set by Client Hints only: make_client sets them empty
    assert [f.name for f in dataclasses.fields(record) if f.name not in never_detected] == named
