"""`classify()`: a column of User-Agents judged row by row into pandas, pyarrow and polars tables;
the README's DuckDB and polars recipes run here for real."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import browsercheck

README = Path(__file__).parents[1] / "README.md"

IE11 = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
CHROME_157 = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/157.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SAFARI_IOS_15 = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/15.6.6 Mobile/15E148 Safari/604.1"
)
VALUES = [IE11, CHROME_157, None, GOOGLEBOT, IE11, SAFARI_IOS_15, CHROME_157]
MISSING_LATER = [IE11, CHROME_157, GOOGLEBOT, IE11, None, SAFARI_IOS_15, CHROME_157]
"""The same values, the missing one after the first three rows: in the rest, where the head is
those three (`threaded`)."""
NO_BOTS = [IE11, SAFARI_IOS_15, CHROME_157, IE11]
COLUMNS = ["status", "browser", "version", "os", "os_version", "bot"]


def expected(values: list[str | None] = VALUES) -> list[dict[str, Any]]:
    """Row by row, what check() says of each value."""
    rows = []
    for ua in values:
        verdict = browsercheck.check(ua)
        c = verdict.client
        rows.append(
            {
                "status": verdict.status.value,
                "browser": c.browser,
                "version": c.version,
                "os": c.os,
                "os_version": c.os_version,
                "bot": c.bot,
            }
        )
    return rows


def threaded(monkeypatch: pytest.MonkeyPatch, head_one_in: int = 2) -> None:
    """Take a large column's way on a small one: its head (here ``len // head_one_in`` rows) judged
    while a thread reads the rest, on two cores."""
    from browsercheck import _classify

    monkeypatch.setattr(_classify, "_THREADED_FROM_ROWS", 1)
    monkeypatch.setattr(_classify, "_HEAD_ONE_IN", head_one_in)
    monkeypatch.setattr(_classify, "_cores", lambda: 2)


@pytest.mark.parametrize("large", [False, True], ids=["at-once", "head-judged-while-the-rest-is-factorized"])
@pytest.mark.parametrize(
    "values", [VALUES, MISSING_LATER, NO_BOTS], ids=["missing-in-head", "missing-in-rest", "no-bots"]
)
def test_pandas_series_gives_a_dataframe_on_its_index(
    values: list[str | None], large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each column of the type pandas gives those strings (in pandas 3 its string type; object
    where all are missing, as the bot column of people)."""
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    if large:
        threaded(monkeypatch)
    series = pd.Series(values, index=range(10, 10 + len(values)), name="ua")
    table = browsercheck.classify(series)
    assert isinstance(table, pd.DataFrame) and list(table.columns) == COLUMNS
    assert list(table.index) == list(series.index)
    rows = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict("records")]
    assert rows == expected(values)
    assert [table[name].dtype for name in COLUMNS] == [
        pd.Series([row[name] for row in expected(values)]).dtype for name in COLUMNS
    ]


@pytest.mark.parametrize("values", [VALUES, MISSING_LATER], ids=["missing-in-head", "missing-in-rest"])
@pytest.mark.parametrize("large", [False, True], ids=["one-take", "head-judged-while-the-rest-is-encoded"])
@pytest.mark.parametrize("chunked", [False, True], ids=["array", "chunked-array"])
def test_pyarrow_gives_a_table(
    chunked: bool, large: bool, values: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large column's head is judged while a thread encodes the rest, and the answers are spread
    over the rows in threads: the same table. (The rest holds values of the head and values first
    seen there.)"""
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    if large:
        threaded(monkeypatch)
    column = pa.chunked_array([values[:3], values[3:]]) if chunked else pa.array(values)
    table = browsercheck.classify(column)
    assert isinstance(table, pa.Table) and table.column_names == COLUMNS
    assert table.schema == pa.schema([(name, pa.string()) for name in COLUMNS])
    assert table.to_pylist() == expected(values)
    # the way taken: a large column's answers come in two chunks, the head's and the rest's
    assert {column.num_chunks for column in table.columns} == {2 if large else 1}


@pytest.mark.parametrize(
    ("rows", "cores", "head"),
    [(99_999, 2, None), (100_000, 1, None), (100_000, 2, 6_250), (1_000_000, 8, 62_500)],
)
def test_a_column_is_read_in_two_parts_from_its_size_on_two_cores(
    rows: int, cores: int, head: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from browsercheck import _classify

    monkeypatch.setattr(_classify, "_cores", lambda: cores)
    assert _classify._head_rows(rows) == head


@pytest.mark.parametrize("values", [VALUES, MISSING_LATER], ids=["missing-in-head", "missing-in-rest"])
@pytest.mark.parametrize("large", [False, True], ids=["at-once", "head-judged-while-the-rest-is-read"])
def test_polars_series_gives_a_dataframe_in_order(
    large: bool, values: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    if large:
        threaded(monkeypatch)
    table = browsercheck.classify(pl.Series("ua", values))
    assert isinstance(table, pl.DataFrame) and table.columns == COLUMNS
    assert table.to_dicts() == expected(values)


def _pandas_columns() -> dict[str, Any]:
    """pandas columns of other types than text, and of pyarrow's other text types, each with two
    values a pandas Index holds as one or cannot look up (0.0 and -0.0 apart in pyarrow's floats,
    overlapping intervals): factorized whole, as a small column is."""
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    text = [IE11, None, GOOGLEBOT, IE11, CHROME_157, None, SAFARI_IOS_15]
    return {
        "string_view": pd.Series(text, dtype=pd.ArrowDtype(pa.string_view())),
        "pyarrow floats": pd.Series([0.0, -0.0, 1.5, -0.0, None, 0.0, 2.5], dtype="double[pyarrow]"),
        "intervals": pd.Series(pd.arrays.IntervalArray.from_tuples([(0, 2), (1, 3), (0, 2), (1, 3), (2, 4)])),
        "categories": pd.Series(text, dtype="category"),
    }


@pytest.mark.parametrize("name", ["string_view", "pyarrow floats", "intervals", "categories"])
def test_a_large_pandas_column_of_another_type_gives_what_a_small_one_gives(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    series = _pandas_columns()[name]
    small = browsercheck.classify(series)
    threaded(monkeypatch)
    pd.testing.assert_frame_equal(browsercheck.classify(series), small, check_exact=True)


@pytest.mark.parametrize("library", ["pandas", "pyarrow", "polars"])
def test_an_empty_column_gives_an_empty_table(library: str) -> None:
    module = pytest.importorskip(library, reason=f"{library} is in the test extra")
    if library == "pandas":
        table = browsercheck.classify(module.Series([], dtype=object))
        assert list(table.columns) == COLUMNS and len(table) == 0
    elif library == "pyarrow":
        table = browsercheck.classify(module.array([], type=module.string()))
        assert table.schema == module.schema([(name, module.string()) for name in COLUMNS]) and table.num_rows == 0
    else:
        table = browsercheck.classify(module.Series("ua", [], dtype=module.String))
        assert table.schema == dict.fromkeys(COLUMNS, module.String) and table.height == 0


@pytest.mark.parametrize("large", [False, True], ids=["at-once", "head-judged-while-the-rest-is-read"])
@pytest.mark.parametrize("library", ["pandas", "pyarrow", "polars"])
def test_each_distinct_value_is_judged_once(library: str, large: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once, also where the rest of a large column holds values of its head and values first seen
    there (the head, a seventh of the rows, holds only the first three values)."""
    module = pytest.importorskip(library, reason=f"{library} is in the test extra")
    from browsercheck._detect import Detector

    if large:
        threaded(monkeypatch, head_one_in=7)
    detected: list[str] = []
    original = Detector.__call__

    def counting(self: Detector, user_agent: str) -> Any:  # the shared detector itself, as classify calls it
        detected.append(user_agent)
        return original(self, user_agent)

    monkeypatch.setattr(Detector, "__call__", counting)
    values = VALUES[:3] * 1000 + VALUES[3:] * 1000
    browsercheck.classify(module.array(values) if library == "pyarrow" else module.Series(values))
    assert sorted(detected) == sorted({"" if ua is None else ua for ua in VALUES})  # a missing value as none sent


def test_a_policy_of_ones_own_is_used() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    strict = browsercheck.parse_policy("name: Strict\nbrowsers: {chrome: '>=158'}")
    assert browsercheck.classify(pa.array([CHROME_157]), policy=strict).column("status").to_pylist() != ["supported"]


def test_anything_else_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"got builtins\.list"):
        browsercheck.classify(VALUES)


def test_a_column_of_other_than_strings_is_refused_by_its_type() -> None:
    """pyarrow's and polars' columns of numbers, bytes or lists: named, not judged as something else."""
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    with pytest.raises(TypeError, match=r"got pyarrow\.lib\.Int64Array of int64"):
        browsercheck.classify(pa.array([1, 2]))
    with pytest.raises(TypeError, match=r"got pyarrow\.lib\.ChunkedArray of string_view"):
        browsercheck.classify(pa.chunked_array([pa.array(["a"], type=pa.string_view())]))
    for series, dtype in ((pl.Series([1, 2]), "Int64"), (pl.Series([b"x"]), "Binary"), (pl.Series([["a"]]), "List")):
        with pytest.raises(TypeError, match=rf"takes a polars Series of strings; got one of {dtype}"):
            browsercheck.classify(series)


@pytest.mark.parametrize("large", [False, True], ids=["at-once", "head-judged-while-the-rest-is-read"])
@pytest.mark.parametrize("dtype", ["Categorical", "Enum", "Null"])
def test_a_polars_column_of_categories_is_judged_as_strings(
    dtype: str, large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    if large:
        threaded(monkeypatch)
    values: list[str | None] = [IE11, None, GOOGLEBOT] if dtype != "Null" else [None, None]
    kind = {"Categorical": pl.Categorical, "Enum": pl.Enum([IE11, GOOGLEBOT]), "Null": pl.Null}[dtype]
    assert browsercheck.classify(pl.Series("ua", values, dtype=kind)).to_dicts() == expected(values)


def recipe(marker: str) -> str:
    for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        if block.startswith(marker):
            return str(block)
    raise AssertionError(f"no README block starts with {marker!r}")


def test_the_readme_polars_recipe() -> None:
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    frame = pl.DataFrame({"user_agent": VALUES, "path": [f"/{i}" for i in range(len(VALUES))]})
    scope: dict[str, Any] = {"browsercheck": browsercheck, "frame": frame}
    exec(recipe("# recipe: polars map_batches"), scope)
    assert scope["statuses"]["status"].to_list() == [row["status"] for row in expected()]


def test_the_readme_duckdb_recipe() -> None:
    pytest.importorskip("duckdb", reason="duckdb is in the test extra")
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    frame = pa.table({"user_agent": pa.array(VALUES * 300)})
    scope: dict[str, Any] = {"browsercheck": browsercheck, "frame": frame}
    exec(recipe("# recipe: duckdb udf"), scope)
    want: dict[str | None, int] = {}
    for ua, row in zip(VALUES, expected(), strict=True):
        status = None if ua is None else row["status"]  # DuckDB gives NULL for NULL, without calling
        want[status] = want.get(status, 0) + 300
    assert dict(scope["per_status"]) == want
