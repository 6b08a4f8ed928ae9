"""A column of User-Agents judged row by row, for dataframes: pandas, pyarrow, polars.

Each distinct value is judged once (a column of a million rows holds a few thousand distinct
User-Agents), then the answers are spread back over the rows with the library's own take or join:
no Python loop over the rows. None of these libraries is needed to import browsercheck; the one
whose column is given is imported when it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
        if not _is_polars_strings(values):
            raise TypeError(f"classify() takes a polars Series of strings; got one of {values.dtype}")
        return _polars(values, checker)
    of_type = f" of {values.type}" if module == "pyarrow" and hasattr(values, "type") else ""
    raise TypeError(
        "classify() takes a pandas Series, a pyarrow Array or ChunkedArray of strings, or a polars Series;"
        f" got {type(values).__module__}.{type(values).__qualname__}{of_type}"
    )


def _is_polars_strings(values: Any) -> bool:
    import polars as pl

    return isinstance(values.dtype, pl.String | pl.Categorical | pl.Enum | pl.Null)


def _is_arrow_strings(values: Any) -> bool:
    import pyarrow as pa

    return isinstance(values, (pa.Array, pa.ChunkedArray)) and (
        pa.types.is_string(values.type) or pa.types.is_large_string(values.type) or pa.types.is_null(values.type)
    )


def _judge_new(values: Sequence[str | None], checker: Checker, judged: dict[str, Row]) -> dict[str, Row]:
    """Judge those of ``values`` that ``judged`` (rows by User-Agent) does not hold yet, and add
    their rows to it; returns ``judged``. Uncached, each value once; only the status is asked of
    judging (`status`), not the whole verdict. The values are detected in sorted order, alike ones
    one after another, as the audit does: the parsers then find what they read still in the
    processor's caches."""
    from ._judge import status

    new = sorted({text for u in values if (text := _text(u)) not in judged})
    detect, policy = checker._detector_in_use(), checker.policy  # the detector itself: no call in between
    for ua in new:
        c = detect(ua)
        judged[ua] = (status(c, policy).value, c.browser, c.version, c.os, c.os_version, c.bot)
    return judged


def _text(value: str | None) -> str:
    """A value as it is judged: a missing one as no User-Agent sent."""
    return "" if value is None else value


def _by_column(judged: dict[str, Row], values: Sequence[str | None]) -> list[tuple[str | None, ...]]:
    """The answers for ``values`` (each judged in ``judged``), a tuple per column of `COLUMNS`."""
    columns = list(zip(*[judged[_text(u)] for u in values], strict=True))  # one pass in C: 2 ms less a 10,000
    return columns or [() for _ in COLUMNS]


def _pandas(values: Any, checker: Checker) -> Any:
    import numpy as np
    import pandas as pd

    head = _head_rows(len(values))
    if head is None or not _pandas_strings(values):
        codes, uniques = pd.factorize(values, use_na_sentinel=False)  # a missing value is one of the uniques
        texts = _pandas_texts(uniques)
        return _pandas_table(_judge_new(texts, checker, {}), texts, codes, values.index, map)
    # as for pyarrow: the head's distinct values are judged while a thread factorizes the rest (for
    # pandas' string type, pyarrow does, letting go of the GIL), then those first seen in the rest;
    # the rest's codes are renumbered after the head's distinct values and those it adds
    with ThreadPoolExecutor(max_workers=min(len(COLUMNS), _cores())) as pool:
        factorizing = pool.submit(pd.factorize, values.iloc[head:], use_na_sentinel=False)
        head_codes, head_uniques = pd.factorize(values.iloc[:head], use_na_sentinel=False)
        texts = _pandas_texts(head_uniques)
        known = _judge_new(texts, checker, {})
        rest_codes, rest_uniques = factorizing.result()
        where = pd.Index(head_uniques).get_indexer(rest_uniques)  # -1: first seen in the rest
        added = np.flatnonzero(where < 0)
        where[added] = len(texts) + np.arange(len(added))
        texts += _pandas_texts(pd.Index(rest_uniques)[added])
        codes = np.concatenate([head_codes, where[rest_codes]])
        return _pandas_table(_judge_new(texts, checker, known), texts, codes, values.index, pool.map)


def _pandas_strings(values: Any) -> bool:
    """Whether ``values`` hold text as pandas does (object, its string types, pyarrow's strings): the
    head's distinct values then renumber the rest's as factorizing them whole would. Other types
    are factorized whole: pyarrow's floats keep 0.0 and -0.0 apart where a pandas Index does not,
    overlapping intervals and some pyarrow types cannot be looked up in an Index at all."""
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype):  # pyarrow is installed: it holds the values
        import pyarrow as pa

        return bool(pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype))
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def _pandas_texts(uniques: Any) -> list[str | None]:
    """pandas' distinct values as text, a missing one as ``None``."""
    import pandas as pd

    return [None if pd.isna(u) else str(u) for u in uniques]


def _pandas_table(known: dict[str, Row], texts: list[str | None], codes: Any, index: Any, each: Any) -> Any:
    """The DataFrame of the rows (``known``) of the distinct values (``texts``) taken over ``codes``,
    a column at a time through ``each`` (``map``, or a pool's)."""
    import pandas as pd

    # the type pandas gives these strings (in pandas 3, its string type) is told from the distinct
    # values' answers, then taken over the rows: told from the rows, a million objects a column, it
    # took 0.29 s of 0.54 for six columns
    answers = [pd.Series(column).array for column in _by_column(known, texts)]
    columns = each(lambda column: column.take(codes), answers)
    return pd.DataFrame(dict(zip(COLUMNS, columns, strict=True)), index=index)


def _pyarrow(values: Any, checker: Checker) -> Any:
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    head = _head_rows(len(values))
    if head is None:
        encoded = _encoded(values)
        return _arrow_rows(encoded.dictionary.to_pylist(), checker, {}).take(encoded.indices)
    # Judging is Python's (it holds the GIL), encoding and taking are pyarrow's (they let go of it):
    # the distinct values of the column's head are judged while a thread encodes the rest, then
    # those first seen in the rest; the answers are taken over each part's rows, a task per column
    # and part, in the pool (on 2 cores, for 1M rows: the encoding of the rest, 0.05 s, no longer
    # comes before judging; the takes, 0.03 s against 0.07 in one; the head's are taken while the
    # rest's answers are made). A pool costs 0.7 ms to start.
    # Each column comes in two chunks, the head's and the rest's.
    judged: dict[str, Row] = {}
    with ThreadPoolExecutor(max_workers=min(len(COLUMNS), _cores())) as pool:

        def taking(part: Any) -> list[Future[Any]]:
            """The answers for ``part``'s distinct values, being taken over its rows in the pool."""
            table = _arrow_rows(part.dictionary.to_pylist(), checker, judged)
            return [pool.submit(table.column(i).take, part.indices) for i in range(len(COLUMNS))]

        encoding = pool.submit(_encoded, values.slice(head))
        head_taken = taking(_encoded(values.slice(0, head)))  # taken while the rest's answers are made
        rest_taken = taking(encoding.result())
        columns = [
            pa.chunked_array([*h.result().chunks, *r.result().chunks], pa.string())
            for h, r in zip(head_taken, rest_taken, strict=True)
        ]
    return pa.table(dict(zip(COLUMNS, columns, strict=True)))


def _encoded(values: Any) -> Any:
    """``values`` dictionary-encoded, a missing value one of the dictionary's."""
    return values.dictionary_encode(null_encoding="encode")


def _arrow_rows(dictionary: list[str | None], checker: Checker, judged: dict[str, Row]) -> Any:
    """A pyarrow table of the rows of ``dictionary``'s values, in its order; ``judged``: rows known
    (those judged here are added to it)."""
    import pyarrow as pa

    columns = _by_column(_judge_new(dictionary, checker, judged), dictionary)
    return pa.table({name: pa.array(column, type=pa.string()) for name, column in zip(COLUMNS, columns, strict=True)})


_THREADED_FROM_ROWS = 100_000
"""Rows from which the rest of a column is encoded (pyarrow), factorized (pandas) or its distinct
values found (polars) while its head is judged, and pyarrow's and pandas' answers are spread over
the rows in threads."""

_HEAD_ONE_IN = 16
"""The head judged while the rest is read is one row in this many: a sixteenth of the rows. On 2
cores, reading the other fifteen sixteenths of a million rows takes less time than judging the
head's 10,000 distinct values. The head's own encoding comes before judging, slowed by the thread
that encodes the rest beside it: an eighth's took 9-13 ms, a sixteenth's about 5, and classify of
those 1M rows 0.172 s against 0.162 (medians of six in turns); a thirty-second left 450 values to
judge after the rest is read."""


def _head_rows(rows: int) -> int | None:
    """The rows of a column's head, judged while a thread reads the rest; ``None`` where the column
    is read whole (fewer than `_THREADED_FROM_ROWS` rows, or one core)."""
    return rows // _HEAD_ONE_IN if rows >= _THREADED_FROM_ROWS and _cores() >= 2 else None


def _cores() -> int:
    """The cores this process may run on (the audit's count; a test sets it)."""
    from .audit._processes import cores

    return cores()


def _polars(values: Any, checker: Checker) -> Any:
    import polars as pl

    key = "__user_agent__"
    known: dict[str, Row] = {}
    head = _head_rows(len(values))
    if head is None:
        uniques = values.unique().to_list()
    else:
        # as for pyarrow: the head's distinct values are judged while a thread finds the rest's
        # (polars lets go of the GIL); 1M rows on 2 cores: 0.22 s against 0.27
        with ThreadPoolExecutor(max_workers=1) as pool:
            finding = pool.submit(lambda: values.slice(head).unique())
            head_uniques = values.slice(0, head).unique()
            known = _judge_new(head_uniques.to_list(), checker, known)
            uniques = pl.concat([head_uniques, finding.result()]).unique().to_list()
    columns = _by_column(_judge_new(uniques, checker, known), uniques)
    judged = pl.DataFrame(
        {key: uniques, **dict(zip(COLUMNS, columns, strict=True))},
        schema={key: values.dtype, **dict.fromkeys(COLUMNS, pl.String)},
    )
    joined = pl.DataFrame({key: values}).join(judged, on=key, how="left", nulls_equal=True, maintain_order="left")
    return joined.drop(key)
