"""Histogram binning into fixed edges (one array, or the columns of a matrix) and categorical
code counting. Exact percentiles are in :mod:`monitor.quantiles`.

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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._ffi import check, ffi, lib
from .errors import InvalidArgumentError

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


def as_float64(values: Any, name: str, ndim: int | tuple[int, ...] = 1) -> npt.NDArray[np.float64]:
    """``values`` as a C-contiguous float64 array (zero-copy when already so)."""
    arr = np.asarray(values)
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in dims:
        want = " or ".join(f"{d}-D" for d in dims)
        raise InvalidArgumentError(f"{name} must be a {want} array, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise InvalidArgumentError(
            f"{name} must hold real numbers (integer or float dtype), got dtype {arr.dtype}"
        )
    if arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    return np.ascontiguousarray(arr)


def check_edges(edges: Any, name: str = "edges") -> npt.NDArray[np.float64]:
    """Validated edges: 1-D float64, at least 2, not NaN, strictly increasing."""
    e = as_float64(edges, name)
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
        b._build(np.ascontiguousarray(edges, dtype=np.float64))
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
        x = as_float64(x, "x", ndim=2)
        if x.shape[1] != len(binners):
            raise InvalidArgumentError(
                f"x has {x.shape[1]} columns, expected {len(binners)} (one per binner)"
            )
        MatrixCounter(binners, counts.reshape(1, -1), extra.reshape(1, *extra.shape)).count(
            x, 0, x.shape[0], 0
        )


class MatrixCounter:
    """Counts the columns of row-major float64 matrices into caller-owned count rings, column
    ``f`` binned by ``binners[f]``: ``counts`` is ``(slots, sum(nbins))`` uint64 and ``extra``
    ``(slots, F, 3)`` uint64 (nan, below, above), both C-contiguous and kept alive by this
    object. The C pointers are prepared once, so a call costs one C call (DriftMonitor's hot
    path, often one row at a time)."""

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
        if not (type(x) is np.ndarray and x.dtype == _F64 and x.ndim == 2 and x.flags.c_contiguous):
            raise InvalidArgumentError(
                f"x must be a C-contiguous float64 matrix of shape (n, {nf}), got "
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
    x = as_float64(values, "values")
    return Binner(edges).count(x)


def bin_codes(codes: Any, ncodes: int) -> CodeCounts:
    """Count integer category codes: code ``c`` in ``[0, ncodes)`` adds 1 to ``counts[c]``;
    any other code (negative or ``>= ncodes``) adds 1 to ``unseen``."""
    arr = np.asarray(codes)
    if arr.ndim != 1:
        raise InvalidArgumentError(f"codes must be a 1-D array, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise InvalidArgumentError(f"codes must have an integer dtype, got {arr.dtype}")
    if not isinstance(ncodes, (int, np.integer)) or isinstance(ncodes, bool) or ncodes < 1:
        raise InvalidArgumentError(f"ncodes must be a positive integer, got {ncodes!r}")
    return _count_codes(arr, int(ncodes))


def raw_bin_codes(codes: Any, ncodes: int) -> CodeCounts:
    """:func:`bin_codes` with ``ncodes`` (>= 0) checked by the C core only (MonitorError with
    the C status in ``.status``): for certification, which pins the core's own statuses."""
    return _count_codes(np.asarray(codes, dtype=np.int64), int(ncodes))


def _count_codes(arr: npt.NDArray[Any], ncodes: int) -> CodeCounts:
    if arr.dtype.kind == "u":
        # uint64 codes above 2**63 - 1 would wrap to negative int64: clamp them to "unseen".
        big = arr > np.iinfo(np.int64).max
        arr = np.where(big, -1, arr)
    c = np.ascontiguousarray(arr, dtype=np.int64)
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
