"""The records detection, judging and the audit's report make through `make_client`, `make_verdict`
and `make_stats` are the records their dataclasses make: every field set, in its place, and as
immutable, hashable and picklable."""

from __future__ import annotations

import abc
import dataclasses
import gc
import inspect
import pickle
import sys
import weakref
from collections.abc import Callable
from typing import Any

import pytest

import browsercheck
from browsercheck import _model
from browsercheck._model import Client, Device, Status, Verdict, make_client, make_verdict
from browsercheck.audit._report import UserAgentStats, make_stats

from .conftest import speedups_missing


def _chrome_client() -> Client:
    """Each field unlike the others (a maker that set one from another's place would show)."""
    return make_client(
        "chrome",
        "Google Chrome",
        "131.0.6778.86",
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
        version="131.0.6778.86",
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


RECORDS = [Client, Verdict, UserAgentStats]


def values_for(record: type) -> dict[str, object]:
    """A value for each field of ``record``, none like another's (so that a field set from another's
    place shows)."""
    policy = browsercheck.default_policy()
    client = _chrome_client()
    kinds: dict[str, object] = {"status": Status.OUTDATED, "client": client, "policy": policy, "device": Device.TABLET}
    numbers = {"requests": 7, "visitors": 3}
    return {f.name: numbers.get(f.name, kinds.get(f.name, f"{f.name}-value")) for f in dataclasses.fields(record)}


def require_slots_maker() -> type:
    """The C maker; where it was not built the test skips, unless BROWSERCHECK_REQUIRE_SPEEDUPS=1
    (as CI sets it), where that is a failure."""
    try:
        from browsercheck._speedups import SlotsMaker
    except ImportError:
        speedups_missing()
    return SlotsMaker


@pytest.fixture(params=["c", "python"])
def slots_maker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`slots_maker` making its records in C, and through the slots' descriptors where `_speedups`
    was not compiled."""
    if request.param == "c":
        maker = require_slots_maker()
    else:
        monkeypatch.setitem(sys.modules, "browsercheck._speedups", None)  # its import fails, as uncompiled
    made = _model.slots_maker(_Base, ("a",))
    assert isinstance(made, maker) if request.param == "c" else inspect.isfunction(made)  # the one asked for
    return _model.slots_maker


@pytest.mark.parametrize("record", RECORDS, ids=lambda cls: cls.__name__)
def test_a_maker_makes_what_the_dataclass_makes(record: type, slots_maker: Callable[..., Any]) -> None:
    """Every field in its place, some given in order and the others fixed; as immutable, hashable
    (where the record is) and picklable as the dataclass's own."""
    values = values_for(record)
    names = list(values)
    given, fixed = tuple(names[: len(names) // 2 + 1]), {name: values[name] for name in names[len(names) // 2 + 1 :]}
    made = slots_maker(record, given, fixed)(*(values[name] for name in given))
    expected = record(**values)
    assert type(made) is record
    assert {name: getattr(made, name) for name in names} == values
    assert made == expected
    if record is not Verdict:  # a Verdict holds its policy, which is not hashable
        assert hash(made) == hash(expected)
        assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, names[0], "changed")


def test_a_maker_names_every_slot_once(slots_maker: Callable[..., Any]) -> None:
    """A field added to a record and not to its maker is an error when the maker is made (at import
    for browsercheck's own), not a record missing a field."""
    fields = tuple(f.name for f in dataclasses.fields(Verdict))
    with pytest.raises(ValueError, match=r"a maker of Verdict sets each of its slots .* once"):
        slots_maker(Verdict, fields[:-1])
    with pytest.raises(ValueError, match=r"a maker of Verdict"):
        slots_maker(Verdict, fields, {"rule": None})
    with pytest.raises(ValueError, match=r"a maker of Verdict"):
        slots_maker(Verdict, (*fields, "label"))


def test_a_maker_takes_its_fields_positionally(slots_maker: Callable[..., Any]) -> None:
    """Both makers name the record a wrong call was to make."""
    fields = [f.name for f in dataclasses.fields(UserAgentStats)]  # any sequence of names
    make = slots_maker(UserAgentStats, fields)
    with pytest.raises(TypeError, match=r"making.a.UserAgentStats.*positional argument"):
        make("too", "few")
    with pytest.raises(TypeError, match=r"making.a.UserAgentStats"):
        make(*range(len(fields)), user_agent="x")
    with pytest.raises(TypeError, match=r"a slot is named by an identifier, got 3"):
        slots_maker(UserAgentStats, (*fields[:-1], 3))


@dataclasses.dataclass(frozen=True, slots=True)
class _Base:
    a: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Derived(_Base):
    b: str


@dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
class _Weakly:
    a: str


def test_a_maker_sets_the_slots_of_the_classes_a_record_derives_from(slots_maker: Callable[..., Any]) -> None:
    """And leaves ``__weakref__`` as ``object.__new__`` leaves it: the record can still be
    referred to weakly."""
    assert slots_maker(_Derived, ("a", "b"))("x", "y") == _Derived("x", "y")
    with pytest.raises(ValueError, match=r"a maker of _Derived sets each of its slots \('a', 'b'\) once"):
        slots_maker(_Derived, ("b",))  # would make a _Derived without its a
    made = slots_maker(_Weakly, ("a",))("x")
    assert made == _Weakly("x") and weakref.ref(made)() is made


def test_a_maker_makes_only_what_object_new_makes(slots_maker: Callable[..., Any]) -> None:
    class OwnNew:
        __slots__ = ("a",)

        def __new__(cls) -> OwnNew:
            return super().__new__(cls)

    class Abstract(abc.ABC):
        __slots__ = ("a",)

        @abc.abstractmethod
        def f(self) -> None: ...

    with pytest.raises(TypeError, match=r"OwnNew has a __new__ of its own"):
        slots_maker(OwnNew, ("a",))
    with pytest.raises(TypeError, match=r"Abstract is abstract"):
        slots_maker(Abstract, ("a",))
    with pytest.raises(TypeError, match=r"makes instances of a class, got 3"):
        slots_maker(3, ("a",))


def test_a_maker_holds_no_reference_it_does_not_give_back(slots_maker: Callable[..., Any]) -> None:
    """What a record is made of is released with it, what a maker holds with the maker; a maker a
    class holds (a cycle) is collected with it."""
    value, fixed_value = "".join(["a", "value"]), "".join(["a", "fixed", "value"])
    before = sys.getrefcount(value), sys.getrefcount(fixed_value)
    make = slots_maker(_Derived, ("a",), {"b": fixed_value})
    for _ in range(100):
        made = make(value)
    assert made.b is fixed_value
    del made, make
    assert (sys.getrefcount(value), sys.getrefcount(fixed_value)) == before

    @dataclasses.dataclass(frozen=True, slots=True)
    class Holding:
        a: str

    Holding.make = slots_maker(Holding, ("a",))  # type: ignore[attr-defined]
    alive = weakref.ref(Holding)
    del Holding
    gc.collect()
    assert alive() is None


def test_the_c_maker_refuses_what_is_not_a_slot_of_the_class() -> None:
    """Checked where the maker is made, as it writes into the record's memory: a property, a class's
    own ``__new__``, a name of another class, a slot named twice."""
    maker = require_slots_maker()
    with pytest.raises(TypeError, match=r"'label' is not a slot of Client"):
        maker(Client, ("label",), {})
    with pytest.raises(AttributeError):
        maker(Client, ("no_such_field",), {})

    @dataclasses.dataclass(frozen=True, slots=True)
    class Other:
        browser: str

    class Borrowing:
        __slots__ = ("a",)
        borrowed = Other.browser  # type: ignore[misc]  # another class's slot: its offset is not ours

    with pytest.raises(TypeError, match=r"'borrowed' is not a slot of Borrowing"):
        maker(Borrowing, ("a", "borrowed"), {})
    with pytest.raises(TypeError, match=r"Client's slot 'browser' is named twice"):
        maker(Client, ("browser", "browser"), {})

    class OwnNew:
        __slots__ = ("a",)

        def __new__(cls) -> OwnNew:
            return super().__new__(cls)

    with pytest.raises(TypeError, match=r"OwnNew has a __new__ of its own"):
        maker(OwnNew, ("a",), {})
    with pytest.raises(TypeError, match=r"making a Client takes 1 positional argument, got 2"):
        maker(Client, ("browser",), {})("a", "b")
    # a C member of another kind than a slot's (sqlite3's Cursor.row_factory may hold NULL)
    sqlite3 = pytest.importorskip("sqlite3", reason="a Python built without sqlite3")
    with pytest.raises(TypeError, match=r"sqlite3.Cursor's slot 'row_factory' does not hold an object"):
        maker(sqlite3.Cursor, ("row_factory",), {})


def test_the_c_maker_reads_its_fixed_values_once() -> None:
    """Looking a name up may run Python code that changes the dict of fixed values: the maker
    reads what the dict held when it was given (a copy of its own), and never past it."""
    maker = require_slots_maker()
    fixed: dict[str, object] = {}

    class Meddling(type):
        def __getattribute__(cls, name: str) -> Any:
            if name in ("a", "b"):
                fixed.clear()  # frees what the dict held
                fixed.update({f"x{i}": object() for i in range(50)})
            return super().__getattribute__(name)

    class Record(metaclass=Meddling):
        __slots__ = ("a", "b")

    fixed.update({"a": "".join(["fixed", "a"]), "b": "".join(["fixed", "b"])})
    made = maker(Record, (), fixed)()
    assert (made.a, made.b) == ("fixeda", "fixedb")
