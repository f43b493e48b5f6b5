"""Exact order statistics and percentiles (the C selection, ``mon_select_*``).

:func:`percentile` is ``numpy.percentile(values, q)`` (method 'linear') computed by an exact
C selection of the needed order statistics followed by numpy's own interpolation formula,
so the results are bit-identical. :class:`Selector` and :func:`percentile_of` are the two
phases, for callers that select several sets of ranks from one prepared array (quantile
edges of a reference profile, the article's PSI breakpoints).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ._ffi import check, ffi, lib
from .binning import as_float64
from .errors import InvalidArgumentError

__all__ = [
    "Selector",
    "percentile_of",
    "percentile_ranks",
    "interpolate",
    "percentile",
    "SELECT_HIST_LEN",
    "SELECT_MAX_RANKS",
]

SELECT_HIST_LEN: int = int(lib.MON_SELECT_HIST_LEN)
"""Length of the radix histogram of one selection (from C)."""
SELECT_MAX_RANKS: int = int(lib.MON_SELECT_MAX_RANKS)
"""Ranks selected per C call (from C); :meth:`Selector.select` chunks longer requests."""


def _lerp(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], t: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    # numpy's own formula (numpy.lib._function_base_impl._lerp), operation for operation, so
    # the result is bit-identical: a + (b-a)*t, or b - (b-a)*(1-t) where t >= 0.5.
    with np.errstate(invalid="ignore"):  # inf - inf gives NaN, as in numpy
        diff_b_a = b - a
        res: npt.NDArray[np.float64] = np.add(a, diff_b_a * t)
        np.subtract(b, diff_b_a * (1 - t), out=res, where=t >= 0.5)
    return res


class Selector:
    """Two-phase C selection: the radix histogram is built once, then ranks are selected."""

    __slots__ = ("x", "n", "nan", "_hist", "_xp", "_ready")

    def __init__(self, x: npt.NDArray[np.float64]) -> None:
        if x.size >= 0xFFFFFFFF:
            raise InvalidArgumentError("percentile: at most 2**32 - 2 values per call")
        # C reads doubles: never a misaligned, byte-swapped or strided pointer (copied if so).
        x = np.require(x, np.float64, ["C", "A"]).reshape(-1)
        self.x = x
        self.n = int(x.size)
        self._hist = np.empty(SELECT_HIST_LEN, dtype=np.uint32)
        self._xp = ffi.cast("const double *", ffi.from_buffer(x))
        self.nan = 0
        self._ready = False  # whether _hist holds phase 1's radix histogram of x
        self._prepare()

    def _prepare(self) -> None:
        nan = ffi.new("uint64_t *")
        check(
            lib.mon_select_prepare(
                self._xp, self.n, ffi.cast("uint32_t *", ffi.from_buffer(self._hist)), nan
            ),
            "preparing the percentile selection",
        )
        self.nan = int(nan[0])
        self._ready = True

    def select_ranks(self, ranks: Any) -> npt.NDArray[np.float64]:
        """One C selection of ``ranks`` exactly as given (0-based, strictly increasing, below
        ``n``, at most :data:`SELECT_MAX_RANKS`), checked by the C core only (MonitorError with
        the C status in ``.status``): for certification, which pins the core's own statuses.
        Use :meth:`select` otherwise."""
        r = np.ascontiguousarray(ranks, dtype=np.uint64)
        out = np.empty(max(r.size, 1), dtype=np.float64)
        keys = np.empty(self.n + 1, dtype=np.uint64)
        if not self._ready:
            self._prepare()
        self._ready = False  # phase 2 overwrites the radix histogram, also when it fails
        check(
            lib.mon_select_ranks(
                self._xp,
                self.n,
                ffi.cast("uint32_t *", ffi.from_buffer(self._hist)),
                ffi.cast("const uint64_t *", ffi.from_buffer(r)),
                r.size,
                ffi.cast("uint64_t *", ffi.from_buffer(keys)),
                ffi.cast("double *", ffi.from_buffer(out)),
            ),
            "selecting order statistics",
        )
        res: npt.NDArray[np.float64] = out[: r.size]
        return res

    def select(self, ranks: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Values at the (any order) 0-based sorted positions ``ranks``."""
        uniq, inverse = np.unique(ranks, return_inverse=True)
        r = np.ascontiguousarray(uniq, dtype=np.uint64)
        out = np.empty(r.size, dtype=np.float64)
        keys = np.empty(self.n + 1, dtype=np.uint64)
        chunk = SELECT_MAX_RANKS
        for i in range(0, r.size, chunk):
            if i or not self._ready:
                self._prepare()  # phase 2 consumes the radix histogram: rebuild it
            self._ready = False
            part = r[i : i + chunk]
            check(
                lib.mon_select_ranks(
                    self._xp,
                    self.n,
                    ffi.cast("uint32_t *", ffi.from_buffer(self._hist)),
                    ffi.cast("const uint64_t *", ffi.from_buffer(part)),
                    part.size,
                    ffi.cast("uint64_t *", ffi.from_buffer(keys)),
                    ffi.cast("double *", ffi.from_buffer(out[i : i + chunk])),
                ),
                "selecting order statistics",
            )
        res: npt.NDArray[np.float64] = out[inverse.reshape(-1)]
        return res


def percentile_ranks(
    q: npt.NDArray[np.float64], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """numpy's 'linear' percentile as order statistics: ``(ranks, gamma)`` such that the
    percentiles ``q`` of ``n`` sorted values ``v`` are ``interpolate(v[ranks], gamma)``
    (``ranks`` holds the lower ranks, then the upper ranks)."""
    if n == 0:
        raise InvalidArgumentError("percentile of an empty set of values")
    qq = np.true_divide(q, 100)
    vi = (n - 1) * qq  # numpy: (n - 1) * quantiles
    prev = np.floor(vi)
    nxt = prev + 1
    above = vi >= n - 1
    prev[above] = -1
    nxt[above] = -1
    prev_i = prev.astype(np.intp)
    next_i = nxt.astype(np.intp)
    gamma = np.asanyarray(vi - prev_i, dtype=vi.dtype)
    ranks = np.concatenate((np.where(prev_i < 0, n - 1, prev_i), np.where(next_i < 0, n - 1, next_i)))
    return ranks.astype(np.int64), gamma


def interpolate(vals: npt.NDArray[np.float64], gamma: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The percentiles from the order statistics at :func:`percentile_ranks`' ranks."""
    k = gamma.size
    return _lerp(vals[:k], vals[k:], gamma)


def percentile_of(sel: Selector, q: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.float64]:
    """numpy's 'linear' percentile of the ``n`` smallest (non-NaN) values, bit for bit."""
    ranks, gamma = percentile_ranks(q, n)
    return interpolate(sel.select(ranks), gamma)


def percentile(values: Any, q: Any, *, nan_policy: str = "raise") -> npt.NDArray[np.float64]:
    """``numpy.percentile(values, q)`` (method 'linear') computed by an exact C selection:
    bit-identical results (a zero may come back as +0.0 where numpy returns -0.0), several
    times faster than numpy's partition.

    ``values``: 1-D, real dtype (converted to float64). ``q``: percentiles in [0, 100] (array
    or list; a 1-D float64 array is returned). ``nan_policy``: ``"raise"`` (default; a NaN
    raises :class:`InvalidArgumentError`, where numpy would return NaN) or ``"omit"`` (NaN values
    are ignored, as ``numpy.nanpercentile``).
    """
    if isinstance(values, np.ma.MaskedArray):
        values = values.compressed()  # the mask is honoured: masked entries are not values
    try:
        x = as_float64(values, "values")
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InvalidArgumentError):
            raise
        raise InvalidArgumentError(f"percentile: values must be a 1-D array of real numbers: {exc}") from None
    if isinstance(q, np.ma.MaskedArray):
        q = q.compressed()
    try:
        qa = np.atleast_1d(np.asarray(q, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"q must be percentiles (numbers in [0, 100]): {exc}") from None
    if qa.ndim != 1 or qa.size == 0:
        raise InvalidArgumentError("q must be a non-empty 1-D sequence of percentiles")
    if np.isnan(qa).any() or (qa < 0).any() or (qa > 100).any():
        raise InvalidArgumentError("percentiles must be in the range [0, 100]")
    if not isinstance(nan_policy, str) or nan_policy not in ("raise", "omit"):
        raise InvalidArgumentError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
    if x.size == 0:
        raise InvalidArgumentError("percentile of an empty array")
    sel = Selector(x)
    if sel.nan and nan_policy == "raise":
        raise InvalidArgumentError(f"values contain {sel.nan} NaN (use nan_policy='omit' to ignore them)")
    return percentile_of(sel, qa, sel.n - sel.nan)
