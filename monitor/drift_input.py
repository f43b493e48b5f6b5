"""Input preparation of :class:`~monitor.DriftMonitor`: named or unnamed rows checked and
converted to what its binners read (:class:`DriftBatch`), and the checks of its options. Input
that carries names (a mapping of columns, a DataFrame, a record array, an Arrow table, a list of
records) is matched by name; only unnamed input is read by position."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .binning import exact_float64, real_array
from .errors import ConfigMismatchError, InvalidArgumentError, InvalidTypeError
from .tabular import select_columns

__all__ = ["DriftBatch", "prepare_rows", "check_pair", "check_int"]

_F64 = np.dtype(np.float64)


class DriftBatch:
    """Rows validated for one :class:`DriftMonitor` (:meth:`DriftMonitor.prepare`): either a
    C-contiguous float64 ``(n, F)`` matrix or, when some column is not exactly float64
    (integers beyond 2**53, long doubles), its F columns."""

    __slots__ = ("matrix", "columns", "rows", "owner")

    def __init__(
        self,
        owner: Any,
        matrix: npt.NDArray[np.float64] | None,
        columns: list[npt.NDArray[Any]] | None,
        rows: int,
    ) -> None:
        self.owner = owner  # the DriftMonitor it was validated for
        self.matrix = matrix
        self.columns = columns
        self.rows = rows


def check_pair(v: Any, name: str, upper: float | None = None) -> tuple[float, float]:
    if isinstance(v, (str, bytes, Mapping)) or not hasattr(v, "__len__") or not hasattr(v, "__iter__"):
        raise InvalidTypeError(
            f"{name} must be a pair (low, high) of real numbers, got {type(v).__name__} {v!r}"
        )
    items = list(v)
    if len(items) != 2 or any(isinstance(b, bool) or not isinstance(b, numbers.Real) for b in items):
        raise InvalidTypeError(f"{name} must be a pair (low, high) of real numbers, got {v!r}")
    lo, hi = (float(b) for b in items)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi) or (upper is not None and hi > upper):
        cap = "" if upper is None else f" <= {upper:g}"
        raise InvalidArgumentError(f"{name} must be two finite thresholds 0 <= low <= high{cap}, got {v!r}")
    return lo, hi


def check_int(v: Any, name: str, lo: int, hi: int, why: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise InvalidTypeError(f"{name} must be a positive integer, got {type(v).__name__} {v!r}")
    if not lo <= v <= hi:
        raise InvalidArgumentError(f"{name} must be an integer in [{lo}, {hi}] ({why}), got {v!r}")
    return int(v)


def prepare_rows(
    owner: Any, names: Sequence[str], data: Any, *, one_request: bool = False, what: str = "batch"
) -> DriftBatch:
    """``data`` validated for the monitor ``owner`` of features ``names`` (the body of
    :meth:`DriftMonitor.prepare <monitor.DriftMonitor.prepare>`)."""
    nf = len(names)
    if (
        type(data) is np.ndarray
        and data.dtype == _F64
        and data.ndim == 2
        and data.shape[1] == nf
        and data.flags.c_contiguous
        and data.flags.aligned
    ):
        return DriftBatch(owner, data, None, data.shape[0])  # the hot path: read in place
    if type(data) is np.ndarray and data.dtype.names is None and data.dtype.kind in "iuf":
        arr = data  # a plain array carries no names: skip the container checks
    else:
        data = _named_rows(data, one_request)
        cols = select_columns(data, names, what=what)
        if cols is not None:
            return _columns_of(owner, names, cols, what)
        arr = real_array(data, what)
    if arr.ndim == 1:
        if nf == 1:
            arr = arr.reshape(-1, 1)
        elif one_request and arr.shape[0] == nf:
            arr = arr.reshape(1, nf)
        else:
            hint = (
                "a 1-D row of F values, a mapping feature -> value, or an (n, F) array"
                if one_request
                else f"an (n, {nf}) array (batch.reshape(1, -1) for one row)"
            )
            raise ConfigMismatchError(
                f"a 1-D {what} of {arr.shape[0]} values does not match this reference's "
                f"{nf} features {list(names)}: expected {hint}"
            )
    elif arr.ndim != 2:
        raise InvalidArgumentError(f"{what} must be 1-D or 2-D (n, F), got shape {arr.shape}")
    if arr.shape[1] != nf:
        raise ConfigMismatchError(
            f"{what} has {arr.shape[1]} columns, the reference has {nf} features {list(names)}"
        )
    if arr.dtype == _F64 and arr.flags.c_contiguous and arr.flags.aligned:
        return DriftBatch(owner, arr, None, arr.shape[0])
    mat = exact_float64(arr)
    if mat is not None:
        return DriftBatch(owner, mat, None, arr.shape[0])
    return DriftBatch(owner, None, [arr[:, j] for j in range(nf)], arr.shape[0])


def _columns_of(owner: Any, names: Sequence[str], cols: list[Any], what: str) -> DriftBatch:
    arrs = []
    for name, c in zip(names, cols):
        a = real_array(c, f"{what} column {name!r}", scalar_ok=True)
        if a.ndim == 0:
            a = a.reshape(1)
        elif a.ndim != 1:
            raise InvalidArgumentError(
                f"{what} column {name!r} must be 1-D (one value per row), got shape {a.shape}"
            )
        arrs.append(a)
    n = arrs[0].shape[0]
    bad = [(nm, a.shape[0]) for nm, a in zip(names, arrs) if a.shape[0] != n]
    if bad:
        raise InvalidArgumentError(
            f"{what} columns differ in length: {names[0]!r} has {n} rows, "
            f"{bad[0][0]!r} {bad[0][1]}; expected one value per row in every column"
        )
    exact = [exact_float64(a) for a in arrs]
    if all(e is not None for e in exact):
        mat = np.empty((n, len(names)), dtype=np.float64)
        for j, e in enumerate(exact):
            mat[:, j] = e
        return DriftBatch(owner, mat, None, n)
    return DriftBatch(owner, None, arrs, n)


def _named_rows(data: Any, one_request: bool) -> Any:
    """Rows that carry names as a mapping of columns: a list of mappings (records) and, for one
    request, a pandas Series indexed by feature name. Anything else is returned as it is."""
    if isinstance(data, (list, tuple)) and data and all(isinstance(r, Mapping) for r in data):
        keys = list(data[0].keys())
        for i, r in enumerate(data):
            if list(r.keys()) != keys and set(r.keys()) != set(keys):
                raise ConfigMismatchError(
                    f"record {i} has the fields {sorted(map(str, r.keys()))!r}, record 0 "
                    f"{sorted(map(str, keys))!r}; expected the same feature names in every record"
                )
        return {k: [r[k] for r in data] for k in keys}
    if (
        one_request
        and getattr(data, "ndim", None) == 1
        and hasattr(data, "index")
        and hasattr(data, "to_numpy")
        and not isinstance(data, np.ndarray)
    ):
        labels = list(data.index)
        if labels and all(isinstance(k, str) for k in labels):
            return dict(zip(labels, data.to_numpy().tolist()))
    return data
