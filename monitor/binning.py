"""Histogram binning into fixed edges, categorical code counting and exact percentiles.

Binning rule (numpy.histogram's): with edges ``e_0 < e_1 < ... < e_B`` a value ``x`` goes to
bin ``i`` when ``e_i <= x < e_{i+1}``; the last bin also holds ``x == e_B``. Edges of
``-inf``/``+inf`` are allowed. NaN, values below ``e_0`` and values above ``e_B`` are counted
in ``nan``, ``below`` and ``above``, never dropped. The counting runs in C (comparisons and
integer additions only); results equal ``numpy.histogram``'s counts exactly.

Input values: float64 is used as is (zero-copy when C-contiguous); other integer and float
dtypes (int8..int64, uint8..uint64, float16, float32) are converted to float64 once (integers
beyond 2**53 round to the nearest double). bool, complex, object and string arrays are
rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._ffi import check, ffi, lib
from .errors import InvalidInputError

__all__ = [
    "BinCounts",
    "CodeCounts",
    "bin_counts",
    "bin_codes",
    "percentile",
]


@dataclass(frozen=True, slots=True)
class BinCounts:
    """Counts of one :func:`bin_counts` call: ``counts[i]`` for bin ``[edges[i], edges[i+1])``
    (the last bin closed), plus the values that fell in no bin."""

    counts: npt.NDArray[np.uint64]
    nan: int
    below: int
    above: int
    edges: npt.NDArray[np.float64]

    @property
    def total(self) -> int:
        """Number of values counted in a bin (NaN, below and above excluded)."""
        return int(self.counts.sum(dtype=np.uint64))


@dataclass(frozen=True, slots=True)
class CodeCounts:
    """Counts of integer category codes: ``counts[c]`` for code ``c``; ``unseen`` counts the
    codes outside ``[0, ncodes)``."""

    counts: npt.NDArray[np.uint64]
    unseen: int


def as_float64(values: Any, name: str, ndim: int | tuple[int, ...] = 1) -> npt.NDArray[np.float64]:
    """``values`` as a C-contiguous float64 array (zero-copy when already so)."""
    arr = np.asarray(values)
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in dims:
        want = " or ".join(f"{d}-D" for d in dims)
        raise InvalidInputError(f"{name} must be a {want} array, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise InvalidInputError(
            f"{name} must hold real numbers (integer or float dtype), got dtype {arr.dtype}"
        )
    if arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    return np.ascontiguousarray(arr)


def check_edges(edges: Any, name: str = "edges") -> npt.NDArray[np.float64]:
    """Validated edges: 1-D float64, at least 2, not NaN, strictly increasing."""
    e = as_float64(edges, name)
    if e.size < 2:
        raise InvalidInputError(f"{name} needs at least 2 values (1 bin), got {e.size}")
    if e.size > lib.MON_BIN_MAX_EDGES:
        raise InvalidInputError(f"{name}: at most {lib.MON_BIN_MAX_EDGES} edges, got {e.size}")
    if np.isnan(e).any():
        raise InvalidInputError(f"{name} must not contain NaN")
    bad = np.nonzero(~(e[1:] > e[:-1]))[0]
    if bad.size:
        i = int(bad[0])
        raise InvalidInputError(
            f"{name} must be strictly increasing: {name}[{i}] = {e[i]!r} "
            f"is not below {name}[{i + 1}] = {e[i + 1]!r}"
        )
    return e


class Binner:
    """A C binner for one set of edges (validated once; read-only and reusable)."""

    __slots__ = ("edges", "nbins", "_mem", "ptr")

    def __init__(self, edges: Any) -> None:
        e = check_edges(edges)
        size = int(lib.mon_binner_size(e.size))
        self._mem = ffi.new("uint64_t[]", (size + 7) // 8)  # 8-byte aligned caller memory
        out = ffi.new("mon_binner **")
        check(
            lib.mon_binner_init(self._mem, size, ffi.cast("double *", ffi.from_buffer(e)), e.size, out),
            "building the binner",
        )
        self.ptr = out[0]
        self.edges = e
        self.edges.setflags(write=False)
        self.nbins = e.size - 1

    def count(self, values: npt.NDArray[np.float64]) -> BinCounts:
        """Count a C-contiguous float64 1-D array (already validated)."""
        counts = np.zeros(self.nbins, dtype=np.uint64)
        extra = ffi.new("mon_bin_extra *")
        if values.size:
            check(
                lib.mon_bin_count(
                    self.ptr,
                    ffi.cast("const double *", ffi.from_buffer(values)),
                    values.size,
                    ffi.cast("uint64_t *", ffi.from_buffer(counts)),
                    extra,
                ),
                "binning values",
            )
        return BinCounts(counts, int(extra.nan), int(extra.below), int(extra.above), self.edges)


def bin_counts(values: Any, edges: Any) -> BinCounts:
    """Count ``values`` (1-D, real dtype) into the bins of ``edges`` (numpy.histogram's rule).

    Raises :class:`InvalidInputError` for a wrong shape or dtype, fewer than 2 edges, NaN
    edges or edges that are not strictly increasing.
    """
    x = as_float64(values, "values")
    return Binner(edges).count(x)


def bin_codes(codes: Any, ncodes: int) -> CodeCounts:
    """Count integer category codes: code ``c`` in ``[0, ncodes)`` adds 1 to ``counts[c]``;
    any other code (negative or ``>= ncodes``) adds 1 to ``unseen``."""
    arr = np.asarray(codes)
    if arr.ndim != 1:
        raise InvalidInputError(f"codes must be a 1-D array, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise InvalidInputError(f"codes must have an integer dtype, got {arr.dtype}")
    if not isinstance(ncodes, (int, np.integer)) or isinstance(ncodes, bool) or ncodes < 1:
        raise InvalidInputError(f"ncodes must be a positive integer, got {ncodes!r}")
    if arr.dtype.kind == "u":
        # uint64 codes above 2**63 - 1 would wrap to negative int64: clamp them to "unseen".
        big = arr > np.iinfo(np.int64).max
        arr = np.where(big, -1, arr)
    c = np.ascontiguousarray(arr, dtype=np.int64)
    counts = np.zeros(int(ncodes), dtype=np.uint64)
    unseen = ffi.new("uint64_t *")
    check(
        lib.mon_bin_count_codes(
            ffi.cast("const int64_t *", ffi.from_buffer(c)),
            c.size,
            ffi.cast("uint64_t *", ffi.from_buffer(counts)),
            int(ncodes),
            unseen,
        ),
        "counting category codes",
    )
    return CodeCounts(counts, int(unseen[0]))


def _lerp(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64],
          t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # numpy's own formula (numpy.lib._function_base_impl._lerp), operation for operation, so
    # the result is bit-identical: a + (b-a)*t, or b - (b-a)*(1-t) where t >= 0.5.
    with np.errstate(invalid="ignore"):  # inf - inf gives NaN, as in numpy
        diff_b_a = b - a
        res: npt.NDArray[np.float64] = np.add(a, diff_b_a * t)
        np.subtract(b, diff_b_a * (1 - t), out=res, where=t >= 0.5)
    return res


class _Selector:
    """Two-phase C selection: the radix histogram is built once, then ranks are selected."""

    __slots__ = ("x", "n", "nan", "_hist", "_xp")

    def __init__(self, x: npt.NDArray[np.float64]) -> None:
        if x.size >= 0xFFFFFFFF:
            raise InvalidInputError("percentile: at most 2**32 - 2 values per call")
        self.x = x
        self.n = int(x.size)
        self._hist = np.empty(lib.MON_SELECT_HIST_LEN, dtype=np.uint32)
        self._xp = ffi.cast("const double *", ffi.from_buffer(x))
        self.nan = 0
        self._prepare()

    def _prepare(self) -> None:
        nan = ffi.new("uint64_t *")
        check(
            lib.mon_select_prepare(self._xp, self.n, ffi.cast("uint32_t *", ffi.from_buffer(self._hist)), nan),
            "preparing the percentile selection",
        )
        self.nan = int(nan[0])

    def select(self, ranks: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Values at the (any order) 0-based sorted positions ``ranks``; may be called once."""
        uniq, inverse = np.unique(ranks, return_inverse=True)
        r = np.ascontiguousarray(uniq, dtype=np.uint64)
        out = np.empty(r.size, dtype=np.float64)
        keys = np.empty(self.n + 1, dtype=np.uint64)
        chunk = int(lib.MON_SELECT_MAX_RANKS)
        for i in range(0, r.size, chunk):
            if i:
                self._prepare()  # phase 2 consumed the radix histogram: rebuild it
            part = r[i: i + chunk]
            check(
                lib.mon_select_ranks(
                    self._xp,
                    self.n,
                    ffi.cast("uint32_t *", ffi.from_buffer(self._hist)),
                    ffi.cast("const uint64_t *", ffi.from_buffer(part)),
                    part.size,
                    ffi.cast("uint64_t *", ffi.from_buffer(keys)),
                    ffi.cast("double *", ffi.from_buffer(out[i: i + chunk])),
                ),
                "selecting order statistics",
            )
        res: npt.NDArray[np.float64] = out[inverse.reshape(-1)]
        return res


def _percentile_of(sel: _Selector, q: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.float64]:
    """numpy's 'linear' percentile of the ``n`` smallest (non-NaN) values, bit for bit."""
    if n == 0:
        raise InvalidInputError("percentile of an empty set of values")
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
    vals = sel.select(ranks.astype(np.int64))
    k = q.size
    return _lerp(vals[:k], vals[k:], gamma)


def percentile(values: Any, q: Any, *, nan_policy: str = "raise") -> npt.NDArray[np.float64]:
    """``numpy.percentile(values, q)`` (method 'linear') computed by an exact C selection:
    bit-identical results (a zero may come back as +0.0 where numpy returns -0.0), several
    times faster than numpy's partition.

    ``values``: 1-D, real dtype (converted to float64). ``q``: percentiles in [0, 100] (array
    or list; a 1-D float64 array is returned). ``nan_policy``: ``"raise"`` (default; a NaN
    raises :class:`InvalidInputError`, where numpy would return NaN) or ``"omit"`` (NaN values
    are ignored, as ``numpy.nanpercentile``).
    """
    x = as_float64(values, "values")
    qa = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if qa.ndim != 1 or qa.size == 0:
        raise InvalidInputError("q must be a non-empty 1-D sequence of percentiles")
    if np.isnan(qa).any() or (qa < 0).any() or (qa > 100).any():
        raise InvalidInputError("percentiles must be in the range [0, 100]")
    if nan_policy not in ("raise", "omit"):
        raise InvalidInputError(f"nan_policy must be 'raise' or 'omit', got {nan_policy!r}")
    if x.size == 0:
        raise InvalidInputError("percentile of an empty array")
    sel = _Selector(x)
    if sel.nan and nan_policy == "raise":
        raise InvalidInputError(f"values contain {sel.nan} NaN (use nan_policy='omit' to ignore them)")
    return _percentile_of(sel, qa, sel.n - sel.nan)
