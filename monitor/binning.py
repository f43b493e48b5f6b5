"""Histogram binning into fixed edges (one array, or the columns of a matrix) and categorical
code counting. Exact percentiles are in :mod:`monitor.quantiles`.

Binning rule (numpy.histogram's): with edges ``e_0 < e_1 < ... < e_B`` a value ``x`` goes to
bin ``i`` when ``e_i <= x < e_{i+1}``; the last bin also holds ``x == e_B``. Edges of
``-inf``/``+inf`` are allowed. NaN, values below ``e_0`` and values above ``e_B`` are counted
in ``nan``, ``below`` and ``above``, never dropped. The counting runs in C (comparisons and
integer additions only); results equal ``numpy.histogram``'s counts exactly.

Input values are binned exactly, whatever their real dtype: float64 is used as is (zero-copy when
C-contiguous, aligned and native byte order; otherwise one aligned native copy, so C never gets a
misaligned or byte-swapped pointer); float16/float32 and integers within +-2**53 convert to
float64 exactly and go to the C binner. int64/uint64 arrays holding a value beyond +-2**53 and
``longdouble`` values that are not doubles are never rounded through float64: they are binned by
exact comparisons (integers against the edges' exact integer thresholds ``ceil(e_i)``, long
doubles against the edges widened exactly), the same bins as ``numpy.histogram`` computed with
exact arithmetic. Masked arrays: masked entries count as NaN (missing). bool, complex, object,
string and datetime arrays are refused (:class:`InvalidTypeError`).

Edges are float64. Integer or long-double edges are accepted when every edge is exactly a
double; an edge that is not (e.g. ``2**53 + 1``) is refused naming it and its nearest double,
instead of being rounded into a neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._ffi import check, ffi, lib
from .errors import InvalidArgumentError, InvalidTypeError

__all__ = [
    "BinCounts",
    "CodeCounts",
    "bin_counts",
    "bin_codes",
    "raw_bin_codes",
    "Binner",
    "MatrixCounter",
    "as_float64",
    "check_edges",
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


_F64N = np.dtype(np.float64)
_EXACT_INT = 2**53


def real_array(values: Any, name: str, scalar_ok: bool = False) -> npt.NDArray[Any]:
    """``values`` as a numpy array of a real dtype (any integer or float width, any byte order):
    masked entries of a masked array become NaN; bool, complex, object, string and datetime
    data raise :class:`InvalidTypeError`, ragged sequences :class:`InvalidArgumentError`."""
    if (
        isinstance(values, (str, bytes, Mapping))
        or values is None
        or (not scalar_ok and not isinstance(values, np.ndarray) and not hasattr(values, "__len__"))
    ):
        raise InvalidTypeError(
            f"{name} must be an array or sequence of real numbers, got {type(values).__name__}"
        )
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values)
        data = np.asarray(values.data)
        if mask.any() and data.dtype.kind in "iuf":
            if data.dtype.kind in "iu" and data.dtype.itemsize >= 8:
                data = data.astype(np.longdouble)  # exact for 64-bit integers where it is wider
            elif data.dtype.itemsize <= 8:
                data = data.astype(np.float64)
            else:
                data = data.copy()
            data[mask] = np.nan
        arr = data
    else:
        try:
            arr = np.asarray(values)
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(f"{name} is not a rectangular array of real numbers ({exc})") from None
    if arr.dtype.kind not in "iuf":
        raise InvalidTypeError(
            f"{name} must hold real numbers (integer or float dtype), got dtype {arr.dtype}"
        )
    return arr


def exact_float64(arr: npt.NDArray[Any]) -> npt.NDArray[np.float64] | None:
    """A C-contiguous, aligned, native float64 array holding exactly the values of the real
    array ``arr`` (zero-copy when it already is one), or None when some value is not exactly a
    double (an integer beyond 2**53 that is not a double, a long double with more precision):
    those must be binned by :meth:`Binner.count_values`'s exact path, never rounded."""
    dt = arr.dtype
    if dt.kind == "f" and dt.itemsize <= 8:
        return np.require(arr, _F64N, ("C", "A"))
    if dt.kind in "iu":
        if dt.itemsize <= 4 or arr.size == 0:
            return np.require(arr, _F64N, ("C", "A"))
        lo, hi = int(arr.min()), int(arr.max())
        if -_EXACT_INT <= lo and hi <= _EXACT_INT:
            return np.require(arr, _F64N, ("C", "A"))
        f = arr.astype(np.float64)
        limit = 2.0**63 if dt.kind == "i" else 2.0**64  # a double this large left the range
        ok = f < limit
        if not bool(ok.all()):
            return None
        return np.ascontiguousarray(f) if bool((f.astype(dt) == arr).all()) else None
    f = arr.astype(np.float64)  # long double: exact only if every value is a double
    same = (f.astype(dt) == arr) | np.isnan(arr)
    return np.ascontiguousarray(f) if bool(same.all()) else None


def as_float64(values: Any, name: str, ndim: int | tuple[int, ...] = 1) -> npt.NDArray[np.float64]:
    """``values`` as a C-contiguous, aligned, native-byte-order float64 array (zero-copy when it
    already is one). Integers beyond 2**53 round to the nearest double here: binning uses
    :func:`exact_float64` / :meth:`Binner.count_values` instead, which never round."""
    arr = real_array(values, name)
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in dims:
        want = " or ".join(f"{d}-D" for d in dims)
        raise InvalidArgumentError(f"{name} must be a {want} array, got shape {arr.shape}")
    return np.require(arr, _F64N, ("C", "A"))


def check_edges(edges: Any, name: str = "edges") -> npt.NDArray[np.float64]:
    """Validated edges: 1-D float64, at least 2, not NaN, strictly increasing; integer or long
    double edges only when each is exactly a double."""
    raw = real_array(edges, name)
    if raw.ndim != 1:
        raise InvalidArgumentError(f"{name} must be a 1-D array, got shape {raw.shape}")
    e = exact_float64(raw)
    if e is None:
        f = raw.astype(np.float64)
        if raw.dtype.kind in "iu":
            exact = [int(v) == int(w) for v, w in zip(raw.tolist(), f.tolist())]
        else:
            exact = list(((f.astype(raw.dtype) == raw) | np.isnan(raw)).tolist())
        i = exact.index(False)
        raise InvalidArgumentError(
            f"{name}[{i}] = {raw[i]} is not exactly representable as a float64 (nearest double "
            f"{float(f[i])!r}); edges are doubles: give edges that are exactly doubles "
            "(integers beyond 2**53 must be multiples of their power-of-two spacing)"
        )
    if e.size < 2:
        raise InvalidArgumentError(f"{name} needs at least 2 values (1 bin), got {e.size}")
    if e.size > lib.MON_BIN_MAX_EDGES:
        raise InvalidArgumentError(f"{name}: at most {lib.MON_BIN_MAX_EDGES} edges, got {e.size}")
    if np.isnan(e).any():
        raise InvalidArgumentError(f"{name} must not contain NaN")
    bad = np.nonzero(~(e[1:] > e[:-1]))[0]
    if bad.size:
        i = int(bad[0])
        raise InvalidArgumentError(
            f"{name} must be strictly increasing: {name}[{i}] = {e[i]!r} "
            f"is not below {name}[{i + 1}] = {e[i + 1]!r}"
        )
    return e


def _int_thresholds(edges: npt.NDArray[np.float64], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """Integer thresholds T (of ``dtype``) such that, for an integer x of that dtype, the number
    of T_j <= x is its slot: 0 below e_0, i + 1 for bin i, B + 1 above e_B. T_j = ceil(e_j)
    (x >= e_j exactly when x >= ceil(e_j)) and T_B = floor(e_B) + 1 (the last bin is closed);
    thresholds below the dtype's range are clamped to its minimum (every x passes them), those
    above it are dropped (no x reaches them)."""
    info = np.iinfo(dtype)
    vals: list[int] = []
    last = len(edges) - 1
    for j, e in enumerate(edges.tolist()):
        if e == -np.inf:
            t = info.min
        elif e == np.inf:
            break
        else:
            t = math.floor(e) + 1 if j == last else math.ceil(e)
            t = max(t, info.min)
        if t > info.max:
            break
        vals.append(t)
    return np.array(vals, dtype=dtype)


class Binner:
    """A C binner for one set of edges (validated once; read-only and reusable)."""

    __slots__ = ("edges", "nbins", "_mem", "ptr")

    def __init__(self, edges: Any) -> None:
        self._build(check_edges(edges))

    @classmethod
    def unchecked(cls, edges: npt.NDArray[np.float64]) -> Binner:
        """A binner whose edges (C-contiguous float64) only the C core validates (MonitorError
        with the C status in ``.status``): for certification, which pins the core's own
        statuses. Use ``Binner(edges)`` otherwise."""
        b = cls.__new__(cls)
        b._build(np.require(edges, _F64N, ("C", "A")))  # aligned, native: C reads doubles
        return b

    def _build(self, e: npt.NDArray[np.float64]) -> None:
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
        self.nbins = int(lib.mon_binner_nbins(self.ptr))

    def count_values(self, values: Any, name: str = "values") -> BinCounts:
        """Count a 1-D array of any real dtype exactly (see the module doc): values exactly
        representable as doubles go to the C binner, the others (integers beyond 2**53, long
        doubles) are compared exactly with the edges."""
        arr = real_array(values, name)
        if arr.ndim != 1:
            raise InvalidArgumentError(f"{name} must be a 1-D array, got shape {arr.shape}")
        f = exact_float64(arr)
        if f is not None:
            return self.count(f)
        counts = np.zeros(self.nbins, dtype=np.uint64)
        nan, below, above = self.add_exact(arr, counts)
        return BinCounts(counts, nan, below, above, self.edges)

    def add_exact(self, arr: npt.NDArray[Any], counts: npt.NDArray[np.uint64]) -> tuple[int, int, int]:
        """Add the 1-D real array ``arr`` to ``counts`` (``nbins`` uint64) by exact comparisons
        (numpy, no rounding of the values); returns (nan, below, above)."""
        nb = self.nbins
        if arr.dtype.kind in "iu":
            dt = arr.dtype.newbyteorder("=")
            thr = _int_thresholds(self.edges, dt)
            slot = np.searchsorted(thr, arr.astype(dt, copy=False), side="right")
            nan = 0
        else:
            dt = arr.dtype.newbyteorder("=")
            x = arr.astype(dt, copy=False)
            isnan = np.isnan(x)
            nan = int(isnan.sum())
            x = x[~isnan]
            e = self.edges.astype(dt)
            slot = np.searchsorted(e[:-1], x, side="right")
            slot[x > e[-1]] = nb + 1
        c = np.bincount(slot, minlength=nb + 2).astype(np.uint64)
        counts += c[1 : nb + 1]
        return nan, int(c[0]), int(c[nb + 1])

    def count(self, values: npt.NDArray[np.float64]) -> BinCounts:
        """Count a C-contiguous float64 1-D array (already validated)."""
        if not (type(values) is np.ndarray and values.dtype == _F64N and values.flags.aligned):
            values = np.require(values, _F64N, ("C", "A"))
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

    @staticmethod
    def count_matrix(
        binners: Sequence[Binner],
        x: npt.NDArray[np.float64],
        counts: npt.NDArray[np.uint64],
        extra: npt.NDArray[np.uint64],
    ) -> None:
        """Add the rows of ``x`` (C-contiguous float64, shape ``(n, F)``) to ``counts`` (the
        concatenated bins of every binner, ``sum(b.nbins)``) and ``extra`` (``(F, 3)``: nan,
        below, above per column), column ``f`` binned by ``binners[f]``; one C pass over the
        matrix. For repeated calls into the same arrays use a :class:`MatrixCounter` (the
        pointers are prepared once)."""
        raw = real_array(x, "x")
        if raw.ndim != 2:
            raise InvalidArgumentError(f"x must be a 2-D array, got shape {raw.shape}")
        if raw.shape[1] != len(binners):
            raise InvalidArgumentError(
                f"x has {raw.shape[1]} columns, expected {len(binners)} (one per binner)"
            )
        f = exact_float64(raw)
        if f is None:  # integers beyond 2**53 / long doubles: exact per column
            off = 0
            for j, b in enumerate(binners):
                nan, below, above = b.add_exact(raw[:, j], counts[off : off + b.nbins])
                extra[j] += np.array([nan, below, above], dtype=np.uint64)
                off += b.nbins
            return
        MatrixCounter(binners, counts.reshape(1, -1), extra.reshape(1, *extra.shape)).count(
            f, 0, f.shape[0], 0
        )


class MatrixCounter:
    """Counts the columns of row-major float64 matrices into caller-owned count rings, column
    ``f`` binned by ``binners[f]``: ``counts`` is ``(slots, sum(nbins))`` uint64 and ``extra``
    ``(slots, F, 3)`` uint64 (nan, below, above), both C-contiguous and kept alive by this
    object. The C pointers are prepared once, so a call costs one C call (DriftMonitor's hot
    path, often one row at a time). Not thread-safe: two threads counting into the same slot at
    once lose counts (the C counters are plain additions); :class:`DriftMonitor` serialises the
    ring and gives each thread its own scratch counter. A :class:`Binner` is read-only and may
    be shared by any number of threads."""

    __slots__ = ("binners", "nfeat", "_ptrs", "_counts", "_extra", "_cptr", "_eptr")

    def __init__(
        self,
        binners: Sequence[Binner],
        counts: npt.NDArray[np.uint64],
        extra: npt.NDArray[np.uint64],
    ) -> None:
        self.binners = tuple(binners)
        self.nfeat = len(self.binners)
        if self.nfeat == 0 or not all(isinstance(b, Binner) for b in self.binners):
            raise InvalidArgumentError("binners must be a non-empty sequence of Binner")
        total = sum(b.nbins for b in self.binners)
        for name, arr, shape in (("counts", counts, (total,)), ("extra", extra, (self.nfeat, 3))):
            if (
                not isinstance(arr, np.ndarray)
                or arr.dtype != np.uint64
                or arr.ndim != 2 + (name == "extra")
                or tuple(arr.shape[1:]) != shape
                or not arr.flags.c_contiguous
                or not arr.flags.writeable
            ):
                raise InvalidArgumentError(
                    f"{name} must be a writable C-contiguous uint64 array of shape (slots, "
                    f"{', '.join(map(str, shape))})"
                )
        if counts.shape[0] != extra.shape[0]:
            raise InvalidArgumentError(f"counts has {counts.shape[0]} slots, extra {extra.shape[0]}")
        self._ptrs = ffi.new("mon_binner *[]", [b.ptr for b in self.binners])
        self._counts = counts
        self._extra = extra
        cbase = ffi.cast("uint64_t *", ffi.from_buffer(counts))
        ebase = ffi.cast("mon_bin_extra *", ffi.from_buffer(extra))
        self._cptr = [cbase + k * total for k in range(counts.shape[0])]
        self._eptr = [ebase + k * self.nfeat for k in range(counts.shape[0])]

    def count(self, x: npt.NDArray[np.float64], start: int, rows: int, slot: int) -> None:
        """Add rows ``start .. start + rows - 1`` of ``x`` (C-contiguous float64, ``(n, F)``) to
        slot ``slot`` of the rings. The checks are the cheap ones the C call relies on (dtype,
        layout, shape, row range, slot); converting other input is the caller's job
        (:meth:`Binner.count_matrix` converts)."""
        nf = self.nfeat
        if not (
            type(x) is np.ndarray
            and x.dtype == _F64
            and x.ndim == 2
            and x.flags.c_contiguous
            and x.flags.aligned
        ):
            raise InvalidArgumentError(
                f"x must be a C-contiguous float64 matrix (aligned, native byte order) of shape (n, {nf}), got "
                f"{getattr(x, 'dtype', type(x).__name__)} {getattr(x, 'shape', '')}"
            )
        n, f = x.shape
        if rows <= 0 or start < 0 or start + rows > n or f != nf or not 0 <= slot < len(self._cptr):
            if rows <= 0 and f == nf and 0 <= slot < len(self._cptr):
                return
            raise InvalidArgumentError(
                f"rows {start}..{start + rows} of a {x.shape} matrix into slot {slot}: expected "
                f"{nf} columns, rows within 0..{n} and a slot in 0..{len(self._cptr) - 1}"
            )
        status = _count_matrix(
            self._ptrs,
            nf,
            _cast("const double *", _from_buffer(x)) + start * nf,
            rows,
            nf,
            self._cptr[slot],
            self._eptr[slot],
        )
        if status:
            check(status, "binning the batch")


# Bound once: MatrixCounter.count is DriftMonitor's per-batch path, often one row.
_count_matrix = lib.mon_bin_count_matrix
_F64 = np.dtype(np.float64)
_cast = ffi.cast
_from_buffer = ffi.from_buffer


def bin_counts(values: Any, edges: Any) -> BinCounts:
    """Count ``values`` (1-D, real dtype) into the bins of ``edges`` (numpy.histogram's rule).

    Raises :class:`InvalidArgumentError` for a wrong shape or dtype, fewer than 2 edges, NaN
    edges or edges that are not strictly increasing.
    """
    return Binner(edges).count_values(values)


def bin_codes(codes: Any, ncodes: int) -> CodeCounts:
    """Count integer category codes: code ``c`` in ``[0, ncodes)`` adds 1 to ``counts[c]``;
    any other code (negative or ``>= ncodes``) adds 1 to ``unseen``. Any integer dtype and
    byte order; ``ncodes`` at most 2**24 (the counts are allocated)."""
    if isinstance(codes, (str, bytes, Mapping)) or codes is None or not hasattr(codes, "__len__"):
        raise InvalidTypeError(f"codes must be a 1-D array of integers, got {type(codes).__name__}")
    if isinstance(codes, np.ma.MaskedArray) and np.ma.getmaskarray(codes).any():
        raise InvalidArgumentError(
            "codes is a masked array with masked entries; expected a code for every value "
            "(drop the masked values, e.g. codes.compressed())"
        )
    try:
        arr = np.asarray(codes)
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError(f"codes is not a 1-D array of integers ({exc})") from None
    if arr.ndim != 1:
        raise InvalidArgumentError(f"codes must be a 1-D array, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise InvalidTypeError(f"codes must have an integer dtype, got {arr.dtype}")
    if isinstance(ncodes, bool) or not isinstance(ncodes, (int, np.integer)):
        raise InvalidTypeError(f"ncodes must be a positive integer, got {type(ncodes).__name__}")
    if not 1 <= ncodes <= _MAX_CODES:
        raise InvalidArgumentError(f"ncodes must be an integer in [1, {_MAX_CODES}], got {ncodes!r}")
    return _count_codes(arr, int(ncodes))


_MAX_CODES = 1 << 24


def raw_bin_codes(codes: Any, ncodes: int) -> CodeCounts:
    """:func:`bin_codes` with ``ncodes`` (>= 0) checked by the C core only (MonitorError with
    the C status in ``.status``): for certification, which pins the core's own statuses."""
    return _count_codes(np.asarray(codes, dtype=np.int64), int(ncodes))


def _count_codes(arr: npt.NDArray[Any], ncodes: int) -> CodeCounts:
    if arr.dtype.kind == "u":
        # uint64 codes above 2**63 - 1 would wrap to negative int64: clamp them to "unseen".
        big = arr > np.iinfo(np.int64).max
        arr = np.where(big, -1, arr)
    c = np.require(arr, np.int64, ("C", "A"))  # aligned, native: C reads int64 words
    counts = np.zeros(max(ncodes, 1), dtype=np.uint64)
    unseen = ffi.new("uint64_t *")
    check(
        lib.mon_bin_count_codes(
            ffi.cast("const int64_t *", ffi.from_buffer(c)),
            c.size,
            ffi.cast("uint64_t *", ffi.from_buffer(counts)),
            ncodes,
            unseen,
        ),
        "counting category codes",
    )
    return CodeCounts(counts if ncodes else counts[:0], int(unseen[0]))
