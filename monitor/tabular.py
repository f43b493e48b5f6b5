"""Named tabular input: columns are matched by name, never by position.

Data that carries column names — a mapping of name to values, a pandas DataFrame, a numpy
structured (record) array, a pyarrow Table or RecordBatch — is read by name: :func:`named_columns`
returns the names and the columns, and :func:`select_columns` returns the columns a caller expects,
in the caller's order, refusing missing (and, unless allowed, extra) names with a message that
lists both sides. Only data without names (a plain 1-D or 2-D array, a list of lists) is taken by
position, and :func:`named_columns` says so by returning ``None`` for the names.

This module is the one place that knows these container types; it imports none of them (pandas
and pyarrow are recognised by their attributes), so it costs nothing when they are not installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import ConfigMismatchError, InvalidArgumentError, InvalidTypeError

__all__ = ["named_columns", "select_columns", "column_names"]


def _is_arrow(data: Any) -> bool:
    return hasattr(data, "column_names") and hasattr(data, "column") and hasattr(data, "num_rows")


def _is_dataframe(data: Any) -> bool:
    return (
        not isinstance(data, np.ndarray)
        and hasattr(data, "columns")
        and hasattr(data, "dtypes")
        and hasattr(data, "iloc")
    )


def column_names(data: Any) -> list[str] | None:
    """The column names ``data`` carries, in its order, or ``None`` when it carries none."""
    if isinstance(data, Mapping):
        names = list(data.keys())
    elif _is_arrow(data):
        names = list(data.column_names)
    elif _is_dataframe(data):
        names = list(data.columns)
    elif isinstance(data, np.ndarray) and data.dtype.names is not None:
        names = list(data.dtype.names)
    else:
        return None
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise InvalidTypeError(
            f"column names must be strings, got {bad[:5]!r} "
            f"({type(bad[0]).__name__}); rename the columns (e.g. df.columns = df.columns.astype(str))"
        )
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InvalidArgumentError(f"column names must be unique, {dup!r} appear more than once")
    return names


def _pandas_column(col: Any) -> npt.NDArray[Any]:
    """A pandas Series as a numpy array: nullable numeric dtypes give float64 with NaN for
    missing values; everything else as numpy gives it."""
    dtype = col.dtype
    kind = getattr(dtype, "kind", "O")
    if not isinstance(dtype, np.dtype) and kind in "iufb":  # pandas extension (nullable) dtype
        return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.asarray(col.to_numpy())


def _arrow_column(col: Any) -> npt.NDArray[Any]:
    """A pyarrow (Chunked)Array as a numpy array (nulls of numeric columns become NaN)."""
    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks()
    return np.asarray(col.to_numpy(zero_copy_only=False))


def _column(data: Any, name: str) -> npt.NDArray[Any]:
    if isinstance(data, Mapping):
        value = data[name]
        if hasattr(value, "to_numpy") and hasattr(value, "dtype") and not isinstance(value, np.ndarray):
            return _pandas_column(value) if hasattr(value, "iloc") else _arrow_column(value)
        return np.asarray(value)
    if _is_arrow(data):
        return _arrow_column(data.column(name))
    if _is_dataframe(data):
        return _pandas_column(data[name])
    return np.asarray(data[name])


def named_columns(data: Any) -> tuple[list[str] | None, list[npt.NDArray[Any]]]:
    """``(names, columns)`` of named ``data``, or ``(None, [])`` when it carries no names
    (the caller then reads it by position)."""
    names = column_names(data)
    if names is None:
        return None, []
    return names, [_column(data, n) for n in names]


def select_columns(
    data: Any, expected: Sequence[str], *, what: str = "data", allow_extra: bool = False
) -> list[npt.NDArray[Any]] | None:
    """The columns of ``data`` named ``expected``, in that order; ``None`` when ``data`` carries
    no names (positional input).

    Raises :class:`~monitor.errors.ConfigMismatchError` when a name is missing, or when ``data``
    has columns that are not expected and ``allow_extra`` is false (a renamed column shows as
    one missing and one extra name; the message lists both).
    """
    names = column_names(data)
    if names is None:
        return None
    have = set(names)
    missing = [n for n in expected if n not in have]
    extra = [n for n in names if n not in set(expected)]
    if missing or (extra and not allow_extra):
        parts = []
        if missing:
            parts.append(f"missing {missing!r}")
        if extra and not allow_extra:
            parts.append(f"unexpected {extra!r}")
        hint = " (a renamed column?)" if missing and extra else ""
        raise ConfigMismatchError(
            f"{what} columns do not match the reference's features: {', '.join(parts)}{hint}; "
            f"expected {list(expected)!r}, got {names!r}"
        )
    return [_column(data, n) for n in expected]
