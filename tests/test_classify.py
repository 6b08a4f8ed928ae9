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
COLUMNS = ["status", "browser", "version", "os", "os_version", "bot"]


def expected() -> list[dict[str, Any]]:
    """Row by row, what check() says of each value."""
    rows = []
    for ua in VALUES:
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


def test_pandas_series_gives_a_dataframe_on_its_index() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    series = pd.Series(VALUES, index=[10, 11, 12, 13, 14, 15, 16], name="ua")
    table = browsercheck.classify(series)
    assert isinstance(table, pd.DataFrame) and list(table.columns) == COLUMNS
    assert list(table.index) == list(series.index)
    rows = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict("records")]
    assert rows == expected()


@pytest.mark.parametrize("threaded", [False, True], ids=["one-take", "a-take-per-column"])
@pytest.mark.parametrize("chunked", [False, True], ids=["array", "chunked-array"])
def test_pyarrow_gives_a_table(chunked: bool, threaded: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large column's answers are spread over its rows a column at a time, in threads: the same table."""
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    from browsercheck import _classify

    if threaded:
        monkeypatch.setattr(_classify, "_THREADED_FROM_ROWS", 1)
        monkeypatch.setattr(_classify, "_cores", lambda: 2)
    values = pa.chunked_array([VALUES[:3], VALUES[3:]]) if chunked else pa.array(VALUES)
    table = browsercheck.classify(values)
    assert isinstance(table, pa.Table) and table.column_names == COLUMNS
    assert table.schema == pa.schema([(name, pa.string()) for name in COLUMNS])
    assert table.to_pylist() == expected()


def test_polars_series_gives_a_dataframe_in_order() -> None:
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    table = browsercheck.classify(pl.Series("ua", VALUES))
    assert isinstance(table, pl.DataFrame) and table.columns == COLUMNS
    assert table.to_dicts() == expected()


def test_each_distinct_value_is_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    from browsercheck import _checker

    detected: list[str] = []
    original = _checker.Checker.detect

    def counting(self: Any, user_agent: str) -> Any:
        detected.append(user_agent)
        return original(self, user_agent)

    monkeypatch.setattr(_checker.Checker, "detect", counting)
    browsercheck.classify(pa.array(VALUES * 1000))
    assert sorted(detected) == sorted({"" if ua is None else ua for ua in VALUES})  # a missing value as none sent


def test_a_policy_of_ones_own_is_used() -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
    strict = browsercheck.parse_policy("name: Strict\nbrowsers: {chrome: '>=158'}")
    assert browsercheck.classify(pa.array([CHROME_157]), policy=strict).column("status").to_pylist() != ["supported"]


def test_anything_else_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"got builtins\.list"):
        browsercheck.classify(VALUES)


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
