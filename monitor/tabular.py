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


def _values_and_nulls(col: Any) -> tuple[npt.NDArray[Any], int]:
    """A column's non-null values, exactly, and how many nulls it had: a pyarrow
    (Chunked)Array's integers keep their type (``to_numpy`` would round them through float64
    when the column has nulls), its booleans become uint8; a pandas nullable integer column
    keeps its integers; a numpy masked array's masked slots are the nulls (``np.asarray`` would
    keep their fill values)."""
    if isinstance(col, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(col)
        return np.asarray(col.data)[~mask], int(mask.sum())
    if hasattr(col, "iloc"):  # a pandas Series of a nullable (extension) numeric dtype
        mask = np.asarray(col.isna().to_numpy(), dtype=bool)
        kept = col[~mask]
        return np.asarray(kept.to_numpy(dtype=getattr(col.dtype, "numpy_dtype", None))), int(mask.sum())
    if not (hasattr(col, "null_count") and hasattr(col, "type")):
        return np.asarray(col), 0
    import pyarrow as pa
    import pyarrow.compute as pc

    if hasattr(col, "combine_chunks"):
        col = col.combine_chunks()
    nulls = int(col.null_count)
    if nulls:
        col = pc.drop_null(col)
    if pa.types.is_boolean(col.type):
        col = pc.cast(col, pa.uint8())
    return np.asarray(col.to_numpy(zero_copy_only=False)), nulls


def select_values(
    data: Any, expected: Sequence[str], *, what: str = "data", allow_extra: bool = False
) -> list[tuple[npt.NDArray[Any], int]] | None:
    """As :func:`select_columns`, each column as ``(non-null values, null count)`` with no
    rounding (see :func:`_values_and_nulls`): for counting, where a null is a NaN."""
    cols = select_columns(data, expected, what=what, allow_extra=allow_extra, raw=True)
    return None if cols is None else [_values_and_nulls(c) for c in cols]


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
    data: Any,
    expected: Sequence[str],
    *,
    what: str = "data",
    allow_extra: bool = False,
    raw: bool = False,
) -> list[Any] | None:
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
    if raw:  # the containers' own column objects (Arrow arrays, masked arrays) where they have them
        return [_raw_column(data, n) for n in expected]
    return [_column(data, n) for n in expected]


def _raw_column(data: Any, name: str) -> Any:
    if _is_arrow(data):
        return data.column(name)
    if _is_dataframe(data):
        col = data[name]
        kind = getattr(col.dtype, "kind", "O")
        return col if not isinstance(col.dtype, np.dtype) and kind in "iufb" else _column(data, name)
    if isinstance(data, Mapping):
        value = data[name]
        if isinstance(value, np.ma.MaskedArray) or (hasattr(value, "null_count") and hasattr(value, "type")):
            return value
    elif isinstance(data, np.ma.MaskedArray):
        return data[name]
    return _column(data, name)
