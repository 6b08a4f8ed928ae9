"""A column of User-Agents judged row by row, for dataframes: pandas, pyarrow, polars.

Each distinct value is judged once (a column of a million rows holds a few thousand distinct
User-Agents), then the answers are spread back over the rows with the library's own take or join:
no Python loop over the rows. None of these libraries is needed to import browsercheck; the one
whose column is given is imported when it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._checker import Checker
    from ._policy import Policy

COLUMNS = ("status", "browser", "version", "os", "os_version", "bot")
"""The columns of the table: the verdict's status (``"supported"``...), the browser's key, its
version, the operating system and its version, and the bot's name (null for a person)."""

Row = tuple[str, str | None, str | None, str | None, str | None, str | None]


def classify(values: Any, policy: Policy | None = None) -> Any:
    """A table with `COLUMNS`, one row per value of ``values``, in order: a ``pandas.DataFrame`` for
    a ``pandas.Series`` (same index), a ``pyarrow.Table`` for a ``pyarrow.Array`` or
    ``ChunkedArray``, a ``polars.DataFrame`` for a ``polars.Series``. A missing value is judged as
    a request without a User-Agent."""
    from . import _checker_for

    checker = _checker_for(policy)
    module = type(values).__module__.split(".")[0]
    if module == "pandas" and type(values).__name__ == "Series":
        return _pandas(values, checker)
    if module == "pyarrow" and _is_arrow_strings(values):
        return _pyarrow(values, checker)
    if module == "polars" and type(values).__name__ == "Series":
        return _polars(values, checker)
    raise TypeError(
        "classify() takes a pandas Series, a pyarrow Array or ChunkedArray of strings, or a polars Series;"
        f" got {type(values).__module__}.{type(values).__qualname__}"
    )


def _is_arrow_strings(values: Any) -> bool:
    import pyarrow as pa

    return isinstance(values, (pa.Array, pa.ChunkedArray)) and (
        pa.types.is_string(values.type) or pa.types.is_large_string(values.type) or pa.types.is_null(values.type)
    )


def _judged(uniques: Sequence[str | None], checker: Checker) -> list[Row]:
    """A row per value, as ``checker.check`` would judge it (a missing value as no User-Agent),
    uncached: each value comes once. Only the status is asked of judging (`status`), not the
    whole verdict, and the values are detected in sorted order, alike ones one after another, as
    the audit does (the parsers then find what they read still in the processor's caches)."""
    from ._judge import status

    checker._expect_reads(len(uniques))
    detect, policy = checker.detect, checker.policy
    judged: dict[str, Row] = {}
    for ua in sorted({"" if u is None else u for u in uniques}):
        c = detect(ua)
        judged[ua] = (status(c, policy).value, c.browser, c.version, c.os, c.os_version, c.bot)
    return [judged["" if u is None else u] for u in uniques]


def _pandas(values: Any, checker: Checker) -> Any:
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # a missing value is one of the uniques
    as_text = [None if pd.isna(u) else str(u) for u in uniques]
    rows = _judged(as_text, checker)
    columns = {}
    for i, name in enumerate(COLUMNS):
        per_unique = np.array([row[i] for row in rows], dtype=object)
        columns[name] = per_unique.take(codes) if len(codes) else np.array([], dtype=object)
    return pd.DataFrame(columns, index=values.index)


def _pyarrow(values: Any, checker: Checker) -> Any:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values.dictionary_encode(null_encoding="encode")
    rows = _judged(encoded.dictionary.to_pylist(), checker)
    judged = pa.table({name: pa.array([row[i] for row in rows], type=pa.string()) for i, name in enumerate(COLUMNS)})
    cores = _cores()
    if len(values) < _THREADED_FROM_ROWS or cores < 2:
        return judged.take(encoded.indices)  # a row per value: the table's take
    # each column's take in a thread of its own, as pyarrow lets go of the GIL while it copies (on 2
    # cores 0.04 s against the table's take at 0.07, for 1M rows; a pool costs 0.7 ms to start)
    with ThreadPoolExecutor(max_workers=min(len(COLUMNS), cores)) as pool:
        columns = list(pool.map(lambda column: column.take(encoded.indices), judged.columns))
    return pa.table(dict(zip(COLUMNS, columns, strict=True)))


_THREADED_FROM_ROWS = 100_000
"""Rows from which the answers are spread over them a column per thread (a pool costs 0.7 ms)."""


def _cores() -> int:
    """The cores this process may run on (the audit's count; a test sets it)."""
    from .audit._processes import cores

    return cores()


def _polars(values: Any, checker: Checker) -> Any:
    import polars as pl

    key = "__user_agent__"
    uniques = values.unique().to_list()
    rows = _judged(uniques, checker)
    judged = pl.DataFrame(
        {key: uniques, **{name: [row[i] for row in rows] for i, name in enumerate(COLUMNS)}},
        schema={key: values.dtype, **dict.fromkeys(COLUMNS, pl.String)},
    )
    joined = pl.DataFrame({key: values}).join(judged, on=key, how="left", nulls_equal=True, maintain_order="left")
    return joined.drop(key)
