"""Streaming latency histograms: fixed memory, exact exponential buckets, exact merges.

:class:`LatencyHistogram` wraps the C histogram of ``csrc/mon_hist.h``. Values are integer
nanoseconds inside; floats given in ms / s / us are converted once, at the boundary, by the C
core: the exact binary value times 10^k, rounded half to even (no intermediate float rounding).
NaN, infinities, negative values and values of 2^64 ns or more are counted in :attr:`invalid`
and never reach the sum (``strict=True`` raises :class:`~monitor.errors.InvalidInputError`
instead, without counting).

Quantiles use the nearest-rank definition, ``rank = max(1, ceil(q * count))`` with ``q`` taken
as the decimal the caller wrote (``0.999`` is 999/1000, not its binary approximation); the
answer is the representative of the rank's bucket clamped to the exact min and max, within
:attr:`LatencyHistogram.relative_error` of the true nearest-rank value for in-range values.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterable, Iterator, Literal

import numpy as np

from ._ffi import check, ffi, lib
from .errors import ConfigMismatchError, CorruptDataError, InvalidInputError

Unit = Literal["ns", "us", "ms", "s"]

_UNITS: dict[str, int] = {"ns": lib.MON_HIST_NS, "us": lib.MON_HIST_US, "ms": lib.MON_HIST_MS, "s": lib.MON_HIST_S}
_UNIT_NS: dict[str, int] = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_STRICT = lib.MON_HIST_STRICT
_U64_MAX = (1 << 64) - 1
_MAX_Q = lib.MON_HIST_MAX_QUANTILES

DEFAULT_LOWEST_NS = 1_000
DEFAULT_HIGHEST_NS = 3_600 * 10**9
DEFAULT_RELATIVE_ERROR = 0.01


@dataclass(frozen=True, slots=True)
class HistogramBucket:
    """One non-empty bucket: ``count`` values in ``(lower_ns, upper_ns]``; ``index`` is the
    Prometheus native-histogram bucket index (OpenTelemetry index = ``index - 1``)."""

    index: int
    lower_ns: int
    upper_ns: int
    count: int


@dataclass(frozen=True, slots=True)
class HistogramLayout:
    """Configuration-derived layout: bucket indices, the in-range values
    ``[range_lo_ns, range_hi_ns]`` and the bytes of C state (:func:`histogram_nbytes`)."""

    scale: int
    index_lo: int
    index_hi: int
    buckets: int
    range_lo_ns: int
    range_hi_ns: int
    nbytes: int


@dataclass(frozen=True, slots=True)
class HistogramStats:
    """The exact counters of a histogram (``mon_hist_stats``), read at once. ``min_ns`` and
    ``max_ns`` are the C core's raw values: meaningful only when ``count > 0``."""

    count: int
    underflow: int
    overflow: int
    invalid: int
    min_ns: int
    max_ns: int
    sum_ns: int


@dataclass(frozen=True, slots=True)
class OtelExponentialHistogramPoint:
    """Fields of an OpenTelemetry ``ExponentialHistogramDataPoint`` (values in ns), from
    :meth:`LatencyHistogram.to_otel`; see :mod:`monitor.exposition` for the mapping."""

    scale: int
    zero_count: int
    zero_threshold_ns: int
    positive_offset: int
    positive_bucket_counts: tuple[int, ...]
    count: int
    sum_ns: int
    min_ns: int | None
    max_ns: int | None
    overflow_count: int
    unit: str = "ns"


@dataclass(frozen=True, slots=True)
class NativeHistogram:
    """Parameters of a Prometheus native histogram (values in ns), from
    :meth:`LatencyHistogram.to_native`: ``positive_spans`` are ``(offset, length)`` pairs,
    ``positive_deltas`` the bucket counts delta-encoded; see :mod:`monitor.exposition`."""

    schema: int
    zero_threshold_ns: int
    zero_count: int
    count: int
    sum_ns: int
    positive_spans: tuple[tuple[int, int], ...]
    positive_deltas: tuple[int, ...]
    overflow_count: int
    unit: str = "ns"


def _config(lowest_ns: int, highest_ns: int, scale: int) -> Any:
    cfg = ffi.new("mon_hist_config *")
    cfg.lowest = lowest_ns
    cfg.highest = highest_ns
    cfg.scale = scale
    return cfg


def _check_range(lowest_ns: int, highest_ns: int) -> None:
    for name, v in (("lowest_ns", lowest_ns), ("highest_ns", highest_ns)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise InvalidInputError(f"{name} must be an int number of nanoseconds, got {v!r}")
    if not 1 <= lowest_ns <= highest_ns <= _U64_MAX:
        raise InvalidInputError(
            f"need 1 <= lowest_ns <= highest_ns <= 2**64 - 1, got lowest_ns={lowest_ns}, highest_ns={highest_ns}"
        )


@functools.lru_cache(maxsize=256)
def error_bound(lowest_ns: int, highest_ns: int, scale: int) -> Fraction:
    """Exact worst-case relative error of an in-range quantile for this configuration."""
    _check_range(lowest_ns, highest_ns)
    num = ffi.new("uint64_t *")
    den = ffi.new("uint64_t *")
    check(lib.mon_hist_error_bound(_config(lowest_ns, highest_ns, scale), num, den), "error bound")
    return Fraction(int(num[0]), int(den[0]))


def scale_for(relative_error: float, lowest_ns: int = DEFAULT_LOWEST_NS, highest_ns: int = DEFAULT_HIGHEST_NS) -> int:
    """Smallest scale (fewest buckets) whose exact error bound is <= ``relative_error``."""
    if not isinstance(relative_error, (int, float)) or not 0 < relative_error < 1:
        raise InvalidInputError(f"relative_error must be a number in (0, 1), got {relative_error!r}")
    target = Fraction(relative_error)
    for s in range(lib.MON_HIST_MIN_SCALE, lib.MON_HIST_MAX_SCALE + 1):
        if error_bound(lowest_ns, highest_ns, s) <= target:
            return s
    best = error_bound(lowest_ns, highest_ns, lib.MON_HIST_MAX_SCALE)
    raise InvalidInputError(
        f"relative_error={relative_error} is finer than the finest scale {lib.MON_HIST_MAX_SCALE} "
        f"gives for this range ({float(best):.3g}); raise lowest_ns or the error"
    )


def histogram_layout(lowest_ns: int = DEFAULT_LOWEST_NS, highest_ns: int = DEFAULT_HIGHEST_NS, scale: int = 6) -> HistogramLayout:
    """Layout and memory of a configuration: ``nbytes = 128 + 8 * buckets`` where
    ``buckets = index(highest) - index(lowest) + 1`` (about ``2**scale * log2(highest/lowest)``)."""
    _check_range(lowest_ns, highest_ns)
    cfg = _config(lowest_ns, highest_ns, scale)
    lay = ffi.new("mon_hist_layout *")
    check(lib.mon_hist_layout_of(cfg, lay), "histogram layout")
    return HistogramLayout(
        int(lay.scale), int(lay.index_lo), int(lay.index_hi), int(lay.buckets),
        int(lay.range_lo), int(lay.range_hi), int(lib.mon_hist_size(cfg)),
    )


def histogram_nbytes(lowest_ns: int = DEFAULT_LOWEST_NS, highest_ns: int = DEFAULT_HIGHEST_NS, scale: int = 6) -> int:
    """Bytes of C state of a histogram (``mon_hist_size``)."""
    return histogram_layout(lowest_ns, highest_ns, scale).nbytes


@functools.lru_cache(maxsize=1024)
def _quantile_ratio(q: Any) -> tuple[int, int]:
    """q in [0, 1] as the exact fraction the caller wrote (decimal of repr for floats)."""
    if isinstance(q, bool) or not isinstance(q, (int, float, Fraction, np.integer, np.floating)):
        raise InvalidInputError(f"quantile must be a number in [0, 1], got {q!r}")
    if isinstance(q, np.integer):
        q = int(q)
    elif isinstance(q, np.floating):
        q = float(q)
    if isinstance(q, float):
        if not math.isfinite(q):
            raise InvalidInputError(f"quantile must be a number in [0, 1], got {q!r}")
        f = Fraction(float.__repr__(q))  # shortest repr (also for numpy float64)
    elif isinstance(q, (int, Fraction)):
        f = Fraction(q)
    else:
        f = Fraction(float(q))
    if not 0 <= f <= 1:
        raise InvalidInputError(f"quantile must be in [0, 1], got {q!r}")
    if f.denominator > _U64_MAX:
        f = f.limit_denominator(_U64_MAX)
    return f.numerator, f.denominator


@functools.lru_cache(maxsize=1024)
def _percentile_ratio(p: Any) -> tuple[int, int]:
    if isinstance(p, bool) or not isinstance(p, (int, float, Fraction, np.integer, np.floating)):
        raise InvalidInputError(f"percentile must be a number in [0, 100], got {p!r}")
    if isinstance(p, np.integer):
        p = int(p)
    elif isinstance(p, np.floating):
        p = float(p)
    if isinstance(p, float) and not math.isfinite(p):
        raise InvalidInputError(f"percentile must be a number in [0, 100], got {p!r}")
    f = (Fraction(float.__repr__(p)) if isinstance(p, float) else Fraction(p)) / 100
    if not 0 <= f <= 1:
        raise InvalidInputError(f"percentile must be in [0, 100], got {p!r}")
    if f.denominator > _U64_MAX:
        f = f.limit_denominator(_U64_MAX)
    return f.numerator, f.denominator


def _reject(value: object, unit: str) -> None:
    raise InvalidInputError(
        f"latency {value!r} {unit} is not a finite, non-negative value below 2**64 ns (strict=True)"
    )


def _record_slow(h: Any, value: object, unit: str, strict: bool) -> None:
    """Python ints out of the C range, floats given in ns, numpy scalars and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"latency must be a real number, got {type(value).__name__}")
    if isinstance(value, (int, np.integer)):
        v = int(value) * _UNIT_NS[unit]
        if 0 <= v <= _U64_MAX:
            lib.mon_hist_record(h, v)
            return
    else:
        u = _UNITS[unit] | (_STRICT if strict else 0)
        if lib.mon_hist_record_f64(h, float(value), u) == 0 or not strict:
            return
    if strict:
        _reject(value, unit)
    lib.mon_hist_add_invalid(h, 1)


def _record_many(h: Any, values: Any, unit: str, strict: bool) -> int:
    u = _UNITS.get(unit)
    if u is None:
        raise InvalidInputError(f"unit must be one of {sorted(_UNITS)}, got {unit!r}")
    if strict:
        u |= _STRICT
    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind == "f":
        arr = np.ascontiguousarray(arr, dtype=np.float64).reshape(-1)
        fn, ctype = lib.mon_hist_record_many_f64, "double *"
    elif kind == "i":
        arr = np.ascontiguousarray(arr, dtype=np.int64).reshape(-1)
        fn, ctype = lib.mon_hist_record_many_i64, "int64_t *"
    elif kind == "u":
        arr = np.ascontiguousarray(arr, dtype=np.uint64).reshape(-1)
        fn, ctype = lib.mon_hist_record_many_u64, "uint64_t *"
    else:
        raise InvalidInputError(
            f"record_many expects an integer or float array, got dtype {arr.dtype} "
            "(convert timedelta64 with .astype('int64') in ns)"
        )
    n = arr.shape[0]
    if n == 0:
        return 0
    bad = int(fn(h, ffi.cast(ctype, ffi.from_buffer(arr)), n, u))
    if bad and strict:
        raise InvalidInputError(
            f"{bad} of {n} latencies are NaN, infinite, negative or >= 2**64 ns (strict=True); nothing recorded"
        )
    return bad


@functools.lru_cache(maxsize=256)
def _quantile_arrays(qs: tuple[Any, ...]) -> tuple[Any, Any, int]:
    """Read-only C arrays of the fractions of a tuple of quantiles (cached: percentiles are
    usually asked with the same few tuples)."""
    ratios = [_quantile_ratio(q) for q in qs]
    return ffi.new("uint64_t[]", [a for a, _ in ratios] or [0]), ffi.new("uint64_t[]", [b for _, b in ratios] or [1]), len(ratios)


@functools.lru_cache(maxsize=256)
def _percentile_arrays(ps: tuple[Any, ...]) -> tuple[Any, Any, int]:
    ratios = [_percentile_ratio(p) for p in ps]
    return ffi.new("uint64_t[]", [a for a, _ in ratios] or [0]), ffi.new("uint64_t[]", [b for _, b in ratios] or [1]), len(ratios)


class _Timer:
    """Context manager of :meth:`LatencyHistogram.timer`: ``perf_counter_ns`` at enter and exit;
    records the elapsed ns (also when the block raises) and keeps it in ``elapsed_ns``."""

    __slots__ = ("_hist", "_t0", "elapsed_ns")

    def __init__(self, hist: LatencyHistogram) -> None:
        self._hist = hist
        self._t0 = 0
        self.elapsed_ns = 0

    def __enter__(self) -> _Timer:
        self._t0 = time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed_ns = time.perf_counter_ns() - self._t0
        self._hist.record_ns(self.elapsed_ns)


class LatencyHistogram:
    """Fixed-memory latency histogram (see the module docstring for the numerics).

    ``LatencyHistogram(lowest_ns=1_000, highest_ns=3_600 * 10**9, relative_error=0.01)`` picks
    the smallest scale whose exact error bound meets ``relative_error`` (scale 6, 2033 buckets,
    16 KiB of counts for the defaults); ``scale=`` sets it explicitly. Recording is thread-safe
    (the C core uses atomics and the cffi call releases the GIL).
    """

    # No __slots__: when strict=False the instance binds record_us / record_ms / record_s
    # directly to the C functions (functools.partial over the cffi function: no Python frame
    # on the hot path; they return 0, or MON_E_VALUE when the value was counted as invalid).

    def __init__(
        self,
        lowest_ns: int = DEFAULT_LOWEST_NS,
        highest_ns: int = DEFAULT_HIGHEST_NS,
        relative_error: float | None = DEFAULT_RELATIVE_ERROR,
        *,
        scale: int | None = None,
        strict: bool = False,
    ) -> None:
        _check_range(lowest_ns, highest_ns)
        if scale is None:
            if relative_error is None:
                raise InvalidInputError("give relative_error or scale")
            scale = scale_for(relative_error, lowest_ns, highest_ns)
        elif isinstance(scale, bool) or not isinstance(scale, int) or not (
            lib.MON_HIST_MIN_SCALE <= scale <= lib.MON_HIST_MAX_SCALE
        ):
            raise InvalidInputError(
                f"scale must be an int in [{lib.MON_HIST_MIN_SCALE}, {lib.MON_HIST_MAX_SCALE}], got {scale!r}"
            )
        self._init(lowest_ns, highest_ns, scale, bool(strict))
        check(lib.mon_hist_init(self._h, len(self._mem) * 8, _config(lowest_ns, highest_ns, scale)), "LatencyHistogram")

    def _init(self, lowest_ns: int, highest_ns: int, scale: int, strict: bool) -> None:
        cfg = _config(lowest_ns, highest_ns, scale)
        size = int(lib.mon_hist_size(cfg))
        if size == 0:
            raise InvalidInputError(f"invalid histogram configuration {lowest_ns}, {highest_ns}, scale {scale}")
        self._mem = ffi.new("uint64_t[]", size // 8)  # 8-byte aligned, owned by this object
        self._h = ffi.cast("mon_hist *", self._mem)
        self._lowest, self._highest, self._scale, self._strict = lowest_ns, highest_ns, scale, strict
        self._layout: HistogramLayout | None = None
        self._rec = lib.mon_hist_record
        self._rec_f64 = lib.mon_hist_record_f64
        flag = _STRICT if strict else 0
        self._u_ns = lib.MON_HIST_NS | flag
        self._u_us = lib.MON_HIST_US | flag
        self._u_ms = lib.MON_HIST_MS | flag
        self._u_s = lib.MON_HIST_S | flag
        self._qo: Any = None
        if not strict:
            for unit in ("us", "ms", "s"):
                object.__setattr__(self, "record_" + unit, functools.partial(getattr(lib, "mon_hist_record_" + unit), self._h))

    @classmethod
    def _empty_like(cls, lowest_ns: int, highest_ns: int, scale: int, strict: bool) -> LatencyHistogram:
        h = cls.__new__(cls)
        h._init(lowest_ns, highest_ns, scale, strict)
        check(lib.mon_hist_init(h._h, len(h._mem) * 8, _config(lowest_ns, highest_ns, scale)), "LatencyHistogram")
        return h

    # ---- recording (hot paths: no validation beyond what the C call does) --------------------
    def record_ns(self, value: int) -> None:
        """Record one latency in integer nanoseconds."""
        try:
            self._rec(self._h, value)
        except (OverflowError, TypeError):
            self._slow(value, "ns")

    def record_us(self, value: float) -> Any:
        """Record one latency in microseconds (float or int)."""
        try:
            if self._rec_f64(self._h, value, self._u_us) and self._strict:
                self._reject(value, "us")
        except (OverflowError, TypeError):
            self._slow(value, "us")

    def record_ms(self, value: float) -> Any:
        """Record one latency in milliseconds (float or int). NaN, infinities, negative values
        and values >= 2**64 ns are counted in :attr:`invalid` (``strict=True``: raised)."""
        try:
            if self._rec_f64(self._h, value, self._u_ms) and self._strict:
                self._reject(value, "ms")
        except (OverflowError, TypeError):
            self._slow(value, "ms")

    def record_s(self, value: float) -> Any:
        """Record one latency in seconds (float or int)."""
        try:
            if self._rec_f64(self._h, value, self._u_s) and self._strict:
                self._reject(value, "s")
        except (OverflowError, TypeError):
            self._slow(value, "s")

    def record(self, value: float, unit: Unit = "ns") -> None:
        """Record one latency in ``unit``."""
        if unit not in _UNITS:
            raise InvalidInputError(f"unit must be one of {sorted(_UNITS)}, got {unit!r}")
        if unit == "ns" and isinstance(value, int):
            self.record_ns(value)
        else:
            getattr(self, "record_" + unit)(value)

    def _reject(self, value: object, unit: str) -> None:
        _reject(value, unit)

    def _slow(self, value: object, unit: str) -> None:
        _record_slow(self._h, value, unit, self._strict)

    def record_many(self, values: Any, unit: Unit = "ns") -> int:
        """Record an array of latencies (any numeric array-like; float arrays are converted
        exactly as the scalar functions do). Returns the number of invalid values, which are
        counted in :attr:`invalid` (``strict=True``: raises and records nothing)."""
        return _record_many(self._h, values, unit, self._strict)

    def timer(self) -> _Timer:
        """``with hist.timer(): ...`` records the block's wall time (``perf_counter_ns``)."""
        return _Timer(self)

    # ---- reading -----------------------------------------------------------------------------
    def _stats(self) -> Any:
        s = ffi.new("mon_hist_stats *")
        check(lib.mon_hist_get_stats(self._h, s), "histogram stats")
        return s

    def stats(self) -> HistogramStats:
        """Every counter, read at once (one C call)."""
        s = self._stats()
        return HistogramStats(int(s.count), int(s.underflow), int(s.overflow), int(s.invalid),
                              int(s.min), int(s.max), (int(s.sum_hi) << 64) | int(s.sum_lo))

    @property
    def count(self) -> int:
        """Number of valid values recorded (in range, underflow and overflow)."""
        return int(self._stats().count)

    @property
    def invalid(self) -> int:
        """Number of rejected inputs (NaN, +-inf, negative, >= 2**64 ns)."""
        return int(self._stats().invalid)

    @property
    def underflow(self) -> int:
        """Values below the range (0 included)."""
        return int(self._stats().underflow)

    @property
    def overflow(self) -> int:
        """Values above the range."""
        return int(self._stats().overflow)

    @property
    def min(self) -> int | None:
        """Exact minimum in ns (None when empty)."""
        s = self._stats()
        return int(s.min) if s.count else None

    @property
    def max(self) -> int | None:
        """Exact maximum in ns (None when empty)."""
        s = self._stats()
        return int(s.max) if s.count else None

    @property
    def sum(self) -> int:
        """Exact sum of the valid values in ns (saturates at 2**128 - 1)."""
        s = self._stats()
        return (int(s.sum_hi) << 64) | int(s.sum_lo)

    @property
    def mean(self) -> float | None:
        """Exact sum / count, correctly rounded (None when empty)."""
        s = self._stats()
        if not s.count:
            return None
        return ((int(s.sum_hi) << 64) | int(s.sum_lo)) / int(s.count)

    def quantile(self, q: float | Fraction) -> int:
        """Nearest-rank quantile in ns, ``q`` in [0, 1]. Raises EmptyWindowError when empty."""
        qn, qd, n = _quantile_arrays((q,))
        return self._run_quantiles(qn, qd, n)[0]

    def quantiles(self, qs: Iterable[float | Fraction]) -> list[int]:
        """Nearest-rank quantiles in ns for several ``q`` in [0, 1], in one pass."""
        qs = tuple(qs)
        out: list[int] = []
        for i in range(0, len(qs), _MAX_Q):
            qn, qd, n = _quantile_arrays(qs[i : i + _MAX_Q])
            out.extend(self._run_quantiles(qn, qd, n))
        return out

    def percentiles(self, ps: Iterable[float] = (50, 90, 99, 99.9)) -> dict[float, int]:
        """``{p: nearest-rank value in ns}`` for percentiles ``p`` in [0, 100] (one C pass)."""
        if type(ps) is not tuple:
            ps = tuple(ps)
        if len(ps) > _MAX_Q:
            return dict(zip(ps, self.quantiles([Fraction(*_percentile_ratio(p)) for p in ps])))
        qn, qd, n = _percentile_arrays(ps)
        return dict(zip(ps, self._run_quantiles(qn, qd, n)))

    def _run_quantiles(self, qn: Any, qd: Any, n: int) -> list[int]:
        qo = self._qo
        if qo is None:
            qo = self._qo = ffi.new("uint64_t[]", _MAX_Q)
        st = lib.mon_hist_quantiles(self._h, qn, qd, n, qo)
        if st:
            check(st, "latency quantile")
        return qo[0:n]  # type: ignore[no-any-return]

    def count_at_or_below(self, value_ns: int) -> tuple[int, bool]:
        """``(count, exact)``: values known to be <= ``value_ns``; exact when ``value_ns`` is a
        bucket boundary (see :meth:`bucket_bounds`), below the min or at/above the max."""
        if isinstance(value_ns, bool) or not isinstance(value_ns, int) or not 0 <= value_ns <= _U64_MAX:
            raise InvalidInputError(f"value_ns must be an int in [0, 2**64), got {value_ns!r}")
        out = ffi.new("uint64_t *")
        ex = ffi.new("int32_t *")
        check(lib.mon_hist_count_at_or_below(self._h, value_ns, out, ex), "count_at_or_below")
        return int(out[0]), bool(ex[0])

    # ---- configuration -----------------------------------------------------------------------
    @property
    def scale(self) -> int:
        return self._scale

    @property
    def lowest_ns(self) -> int:
        return self._lowest

    @property
    def highest_ns(self) -> int:
        return self._highest

    @property
    def strict(self) -> bool:
        return self._strict

    @property
    def layout(self) -> HistogramLayout:
        """Bucket indices, effective range and bytes of state."""
        if self._layout is None:
            self._layout = histogram_layout(self._lowest, self._highest, self._scale)
        return self._layout

    @property
    def nbytes(self) -> int:
        """Bytes of C state (``mon_hist_size``: 128 + 8 * buckets)."""
        return len(self._mem) * 8

    @property
    def relative_error(self) -> float:
        """Worst-case relative error of an in-range quantile (exact bound, rounded up)."""
        b = error_bound(self._lowest, self._highest, self._scale)
        f = float(b)
        return f if Fraction(f) >= b else math.nextafter(f, math.inf)

    @property
    def relative_error_exact(self) -> Fraction:
        """The exact worst-case relative error as a fraction."""
        return error_bound(self._lowest, self._highest, self._scale)

    def bucket_bounds(self, index: int) -> tuple[int, int]:
        """``(lower_ns, upper_ns)``: bucket ``index`` holds integers in ``(lower, upper]``."""
        lo = ffi.new("uint64_t *")
        hi = ffi.new("uint64_t *")
        check(lib.mon_hist_threshold(self._scale, index - 1, lo), "bucket_bounds")
        check(lib.mon_hist_threshold(self._scale, index, hi), "bucket_bounds")
        return int(lo[0]), int(hi[0])

    def bucket_counts(self) -> np.ndarray:
        """Counts of every in-range bucket (index ``layout.index_lo + k``), a uint64 array."""
        out = np.zeros(self.layout.buckets, dtype=np.uint64)
        check(lib.mon_hist_copy_counts(self._h, ffi.cast("uint64_t *", ffi.from_buffer(out)), out.shape[0]), "bucket_counts")
        return out

    def buckets(self) -> Iterator[HistogramBucket]:
        """Non-empty in-range buckets in increasing order."""
        cur = ffi.new("uint32_t *")
        b = ffi.new("mon_hist_bucket *")
        while lib.mon_hist_next_bucket(self._h, cur, b):
            yield HistogramBucket(int(b.index), int(b.lower), int(b.upper), int(b.count))

    # ---- combining ---------------------------------------------------------------------------
    def same_config(self, other: LatencyHistogram) -> bool:
        return (self._lowest, self._highest, self._scale) == (other._lowest, other._highest, other._scale)

    def merge(self, *others: LatencyHistogram) -> LatencyHistogram:
        """Add ``others`` into this histogram (exact, order-independent); returns self."""
        for o in others:
            if not isinstance(o, LatencyHistogram):
                raise TypeError(f"can only merge LatencyHistogram, got {type(o).__name__}")
            if not self.same_config(o):
                raise ConfigMismatchError(
                    f"cannot merge histograms of different configurations: "
                    f"{self.config_repr()} vs {o.config_repr()}"
                )
            check(lib.mon_hist_merge(self._h, o._h), "merge")
        return self

    def __add__(self, other: LatencyHistogram) -> LatencyHistogram:
        if not isinstance(other, LatencyHistogram):
            return NotImplemented
        return self.copy().merge(other)

    def __iadd__(self, other: LatencyHistogram) -> LatencyHistogram:
        if not isinstance(other, LatencyHistogram):
            return NotImplemented
        return self.merge(other)

    def copy(self) -> LatencyHistogram:
        """A frozen snapshot (mon_hist_snapshot): consistent even while other threads record."""
        h = LatencyHistogram._empty_like(self._lowest, self._highest, self._scale, self._strict)
        check(lib.mon_hist_snapshot(self._h, h._h), "copy")
        return h

    snapshot = copy

    def __copy__(self) -> LatencyHistogram:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> LatencyHistogram:
        return self.copy()

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle (e.g. across processes) through the validated byte format
        return (_restore, (self.to_bytes(), self._strict))

    def reset(self) -> None:
        """Empty the histogram (not while other threads record into it)."""
        check(lib.mon_hist_reset(self._h), "reset")

    def config_repr(self) -> str:
        return f"lowest_ns={self._lowest}, highest_ns={self._highest}, scale={self._scale}"

    def __repr__(self) -> str:
        return f"LatencyHistogram({self.config_repr()}, count={self.count})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LatencyHistogram):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    __hash__ = None  # type: ignore[assignment]

    # ---- bytes -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Versioned little-endian serialisation (non-empty buckets only) with a CRC-32C."""
        cap = int(lib.mon_hist_serialized_size_max(self._h))
        buf = ffi.new("uint8_t[]", cap)
        n = ffi.new("size_t *")
        check(lib.mon_hist_serialize(self._h, buf, cap, n), "to_bytes")
        return bytes(ffi.buffer(buf, n[0]))

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview, *, strict: bool = False) -> LatencyHistogram:
        """Decode :meth:`to_bytes` output; every field is validated (CorruptDataError)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"from_bytes expects bytes, got {type(data).__name__}")
        data = bytes(data)
        hdr = lib.MON_HIST_SERIAL_HEADER_BYTES
        if len(data) >= 4 and data[:4] != b"MONH":
            raise CorruptDataError(f"not a latency histogram: magic {data[:4]!r}, expected b'MONH'")
        if len(data) >= 5 and data[4] != lib.MON_HIST_FORMAT_VERSION:
            raise CorruptDataError(
                f"unsupported latency histogram format version {data[4]} (this build reads version "
                f"{lib.MON_HIST_FORMAT_VERSION})"
            )
        if len(data) < hdr + lib.MON_HIST_SERIAL_TRAILER_BYTES:
            raise CorruptDataError(f"truncated latency histogram: {len(data)} bytes, the header alone is {hdr}")
        nz = int.from_bytes(data[88:92], "little")
        need = hdr + nz * lib.MON_HIST_SERIAL_ENTRY_BYTES + lib.MON_HIST_SERIAL_TRAILER_BYTES
        if len(data) < need:
            raise CorruptDataError(f"truncated latency histogram: {len(data)} bytes, its header says {need}")
        # Size the buffer from the header, then decode (and validate everything) in one C pass;
        # a nonsensical header falls back to the validator for the precise error.
        scale = data[5]
        lowest = int.from_bytes(data[8:16], "little")
        highest = int.from_bytes(data[16:24], "little")
        size = int(lib.mon_hist_size(_config(lowest, highest, scale))) if scale <= lib.MON_HIST_MAX_SCALE else 0
        if size == 0:
            cfg = ffi.new("mon_hist_config *")
            check(lib.mon_hist_peek_config(data, len(data), cfg), "decoding latency histogram")
            raise CorruptDataError("decoding latency histogram: invalid configuration")  # pragma: no cover
        h = cls.__new__(cls)
        h._init(lowest, highest, scale, strict)
        check(lib.mon_hist_deserialize(h._h, len(h._mem) * 8, data, len(data)), "decoding latency histogram")
        return h

    # ---- exports -----------------------------------------------------------------------------
    def to_prometheus(
        self,
        name: str,
        labels: dict[str, str] | None = None,
        help: str | None = None,
        *,
        export_scale: int | None = 1,
    ) -> str:
        """Prometheus text exposition of a classic histogram in seconds: a convenience for
        :func:`monitor.exposition.prometheus_text(self, ...) <monitor.exposition.prometheus_text>`,
        where the text format lives (imported here when called)."""
        from .exposition import prometheus_text

        return prometheus_text(self, name, labels, help, export_scale=export_scale)

    def exponential_buckets(self) -> tuple[int, tuple[int, ...], int, int]:
        """The histogram on its exponential schema: ``(first, counts, zero_count,
        overflow_count)``, ``counts[k]`` being bucket ``first + k`` from the first to the last
        non-empty bucket. Underflow values (0 included) form the zero bucket; overflow values
        are counted in the bucket just above the range (see :mod:`monitor.exposition`)."""
        lay = self.layout
        st = self._stats()
        counts = [int(c) for c in self.bucket_counts().tolist()]
        over = int(st.overflow)
        if over:
            counts.append(over)  # the bucket just above the range
        nz = [k for k, c in enumerate(counts) if c]
        if not nz:
            return lay.index_lo, (), int(st.underflow), over
        return lay.index_lo + nz[0], tuple(counts[nz[0] : nz[-1] + 1]), int(st.underflow), over

    def to_otel(self) -> OtelExponentialHistogramPoint:
        """OpenTelemetry exponential-histogram data point (ns): OTel bucket ``i - 1`` is this
        histogram's bucket ``i`` (see :mod:`monitor.exposition`)."""
        first, dense, zero, over = self.exponential_buckets()
        st = self.stats()
        return OtelExponentialHistogramPoint(
            scale=self.scale,
            zero_count=zero,
            zero_threshold_ns=self.layout.range_lo_ns - 1,
            positive_offset=first - 1,
            positive_bucket_counts=dense,
            count=zero + sum(dense),
            sum_ns=st.sum_ns,
            min_ns=st.min_ns if st.count else None,
            max_ns=st.max_ns if st.count else None,
            overflow_count=over,
        )

    def to_native(self) -> NativeHistogram:
        """Prometheus native-histogram parameters (ns): native bucket ``i`` is this
        histogram's bucket ``i`` (see :mod:`monitor.exposition`)."""
        first, dense, zero, over = self.exponential_buckets()
        spans: list[tuple[int, int]] = []
        deltas: list[int] = []
        prev_count = 0
        prev_end = 0  # index after the last bucket of the previous span
        k = 0
        while k < len(dense):
            if dense[k] == 0:
                k += 1
                continue
            start = k
            while k < len(dense) and dense[k]:
                deltas.append(dense[k] - prev_count)
                prev_count = dense[k]
                k += 1
            idx = first + start
            spans.append((idx if not spans else idx - prev_end, k - start))
            prev_end = first + k
        return NativeHistogram(
            schema=self.scale,
            zero_threshold_ns=self.layout.range_lo_ns - 1,
            zero_count=zero,
            count=zero + sum(dense),
            sum_ns=self.stats().sum_ns,
            positive_spans=tuple(spans),
            positive_deltas=tuple(deltas),
            overflow_count=over,
        )


def peek_config(data: bytes | bytearray | memoryview) -> tuple[int, int, int]:
    """``(lowest_ns, highest_ns, scale)`` of serialised histogram bytes, every field validated
    by the C core (CorruptDataError whose ``.status`` is the C status)."""
    raw = bytes(data)
    cfg = ffi.new("mon_hist_config *")
    check(lib.mon_hist_peek_config(raw, len(raw), cfg), "peek_config")
    return int(cfg.lowest), int(cfg.highest), int(cfg.scale)


# ---- raw entry points -----------------------------------------------------------------------
# For certification (the golden vectors of ``monitor verify``): the C functions on plain
# integers, with no Python-side checks, so the C core's own status is what a bad input gives
# (a MonitorError whose ``.status`` is that status).


def raw_layout(lowest_ns: int, highest_ns: int, scale: int) -> HistogramLayout:
    """``mon_hist_layout_of`` (and ``mon_hist_size``) of a configuration."""
    cfg = _config(lowest_ns, highest_ns, scale)
    lay = ffi.new("mon_hist_layout *")
    check(lib.mon_hist_layout_of(cfg, lay), "raw_layout")
    return HistogramLayout(
        int(lay.scale), int(lay.index_lo), int(lay.index_hi), int(lay.buckets),
        int(lay.range_lo), int(lay.range_hi), int(lib.mon_hist_size(cfg)),
    )


def raw_error_bound(lowest_ns: int, highest_ns: int, scale: int) -> tuple[int, int]:
    """``mon_hist_error_bound``: (numerator, denominator) as the core gives them (not
    reduced; :func:`error_bound` is the Fraction)."""
    num, den = ffi.new("uint64_t *"), ffi.new("uint64_t *")
    check(lib.mon_hist_error_bound(_config(lowest_ns, highest_ns, scale), num, den), "raw_error_bound")
    return int(num[0]), int(den[0])


def raw_f64_to_ns(value: float, unit_code: int) -> int:
    """``mon_hist_f64_to_ns``: the boundary conversion of a double in a C unit code
    (``MON_HIST_NS`` .. ``MON_HIST_S``) to integer ns."""
    out = ffi.new("uint64_t *")
    check(lib.mon_hist_f64_to_ns(value, unit_code, out), "raw_f64_to_ns")
    return int(out[0])


def raw_index_of(scale: int, value_ns: int) -> int:
    """``mon_hist_index_of``: the exact bucket index of ``value_ns`` at ``scale``."""
    out = ffi.new("int32_t *")
    check(lib.mon_hist_index_of(scale, value_ns, out), "raw_index_of")
    return int(out[0])


def raw_threshold(scale: int, index: int) -> int:
    """``mon_hist_threshold``: T(index), the upper bound (ns) of bucket ``index``."""
    out = ffi.new("uint64_t *")
    check(lib.mon_hist_threshold(scale, index, out), "raw_threshold")
    return int(out[0])


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """CRC-32C (Castagnoli) of ``data``: the checksum of the serialised format."""
    raw = bytes(data)
    return int(lib.mon_hist_crc32c(raw, len(raw)))


def _restore(data: bytes, strict: bool) -> LatencyHistogram:
    return LatencyHistogram.from_bytes(data, strict=strict)


_floor = math.floor


def _late_values(values: Any, unit: str, strict: bool, proto: LatencyHistogram) -> int:
    """Number of values a late record_many call stands for, validated as a histogram would
    (strict: raises without counting). A scratch histogram does the checking (rare path)."""
    tmp = LatencyHistogram._empty_like(proto.lowest_ns, proto.highest_ns, proto.scale, strict)
    bad = _record_many(tmp._h, values, unit, strict)
    return tmp.count + bad


class WindowedLatencyHistogram:
    """Latency over a sliding time window: the C window ring of ``csrc/mon_hist.h``
    (``mon_hist_ring_*``, the epoch-tagged slot ring that the service counters use too), with
    ``slots`` histograms each covering ``slot_s = window_s / slots`` seconds (or exactly
    ``slot_ns`` ns when given, as :class:`~monitor.ServiceMonitor` does to share the slots of its
    request counters; ``window_s`` is then ``slot_ns * slots / 1e9``).

    Time is an integer tick in ns: the injected ``clock`` (monotonic seconds; default
    ``time.monotonic``) is read as ``floor(clock() * 1e9)``, and tick t belongs to slot epoch
    ``(t - start_ns) // slot_ns`` (``slot_ns = round(slot_s * 1e9)``; ticks at or before
    ``start_ns``, default 0, are epoch 0), held by slot ``epoch mod slots``. The first value of
    a new epoch empties its slot (deterministic for a given clock). :meth:`window` merges the
    last ``last_s`` seconds (rounded up to whole slots, so it covers between ``last_s - slot_s``
    and ``last_s`` seconds of history plus the current partial slot).

    The clock-driven methods use the newest tick seen so far: a clock that steps back keeps
    recording into the current slot, and a reading that is NaN, infinite or not representable
    in ns (< 2**64) is ignored - the value is recorded in the current slot and counted. The
    explicit-time methods (:meth:`record_ns_at`, :meth:`window_at`) take the caller's tick as it
    is: a value whose epoch has already left the window (its slot holds a newer epoch) is
    counted in :attr:`late` only.

    Thread-safe without a lock: recording, rotation and windows are thread-safe in C (a value is
    counted in its epoch's slot or in :attr:`late`, never lost or misplaced; see
    docs/latency.md). The newest-tick mark is kept without a lock; under concurrent calls it may
    lag one reading, which only moves a value to an adjacent tick of the same clock.
    """

    __slots__ = ("_mem", "_ring", "_slots", "_slot_s", "_slot_ns", "_start_ns", "_clock", "_tick", "_proto",
                 "_rec", "_rec_f64", "_u", "_strict")

    def __init__(
        self,
        window_s: float = 60.0,
        slots: int = 6,
        *,
        clock: Callable[[], float] = time.monotonic,
        lowest_ns: int = DEFAULT_LOWEST_NS,
        highest_ns: int = DEFAULT_HIGHEST_NS,
        relative_error: float | None = DEFAULT_RELATIVE_ERROR,
        scale: int | None = None,
        strict: bool = False,
        start_ns: int = 0,
        slot_ns: int | None = None,
    ) -> None:
        max_slots = int(lib.MON_HIST_RING_MAX_SLOTS)
        if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= max_slots:
            raise InvalidInputError(f"slots must be an int in [1, {max_slots}], got {slots!r}")
        if isinstance(window_s, bool) or not isinstance(window_s, (int, float)) or not math.isfinite(window_s) or window_s <= 0:
            raise InvalidInputError(f"window_s must be a positive number of seconds, got {window_s!r}")
        if not callable(clock):
            raise InvalidInputError("clock must be a callable returning monotonic seconds")
        if isinstance(start_ns, bool) or not isinstance(start_ns, int) or not 0 <= start_ns <= _U64_MAX:
            raise InvalidInputError(f"start_ns must be an int tick in [0, 2**64), got {start_ns!r}")
        if slot_ns is None:
            slot_ns = round(float(window_s) / slots * 1e9)
        elif isinstance(slot_ns, bool) or not isinstance(slot_ns, int):
            raise InvalidInputError(f"slot_ns must be an int number of ns, got {slot_ns!r}")
        else:
            window_s = slot_ns * slots / 1e9
        if not 1 <= slot_ns <= _U64_MAX:
            raise InvalidInputError(f"window_s / slots must be between 1 ns and 2**64 ns, got {window_s}/{slots}")
        self._proto = LatencyHistogram(lowest_ns, highest_ns, relative_error, scale=scale, strict=strict)
        cfg = _config(lowest_ns, highest_ns, self._proto.scale)
        win = ffi.new("mon_window_config *", {"slot_ticks": slot_ns, "start_tick": start_ns, "slots": slots, "flags": 0})
        size = int(lib.mon_hist_ring_size(cfg, win))
        self._mem = ffi.new("uint64_t[]", size // 8)
        self._ring = ffi.cast("mon_hist_ring *", self._mem)
        check(lib.mon_hist_ring_init(self._ring, size, cfg, win), "WindowedLatencyHistogram")
        self._slots = slots
        self._slot_s = float(window_s) / slots
        self._slot_ns = slot_ns
        self._start_ns = start_ns
        self._clock = clock
        self._tick = start_ns
        self._now()
        self._rec = lib.mon_hist_ring_record
        self._rec_f64 = lib.mon_hist_ring_record_f64
        self._strict = bool(strict)
        self._u = {k: v | (_STRICT if strict else 0) for k, v in _UNITS.items()}

    def _now(self) -> int:
        """The newest clock tick seen (a reading that steps back, or is not a finite number of
        ns below 2**64, leaves it unchanged)."""
        tick = self._tick
        try:
            t = math.floor(self._clock() * 1e9)
        except (ValueError, OverflowError, TypeError):  # NaN, +-inf, not a number
            return tick
        if tick < t <= _U64_MAX:
            self._tick = tick = t
        return tick

    @staticmethod
    def _tick_arg(now_ns: object) -> int:
        if isinstance(now_ns, bool) or not isinstance(now_ns, (int, np.integer)) or not 0 <= int(now_ns) <= _U64_MAX:
            raise InvalidInputError(f"now_ns must be an int tick in [0, 2**64), got {now_ns!r}")
        return int(now_ns)

    @property
    def slot_s(self) -> float:
        return self._slot_s

    @property
    def slot_ns(self) -> int:
        """Width of one slot in ns ticks (``round(slot_s * 1e9)``)."""
        return self._slot_ns

    @property
    def start_ns(self) -> int:
        return self._start_ns

    @property
    def window_s(self) -> float:
        return self._slot_s * self._slots

    @property
    def slots(self) -> int:
        return self._slots

    @property
    def nbytes(self) -> int:
        return len(self._mem) * 8

    @property
    def late(self) -> int:
        """Values not in any window because their epoch had already left it when recorded."""
        out = ffi.new("uint64_t *")
        check(lib.mon_hist_ring_info(self._ring, ffi.NULL, ffi.NULL, out), "late")
        return int(out[0])

    # -- recording ---------------------------------------------------------------------------
    # The clock-driven record methods inline _now() (one Python call less per value).
    def record_ns(self, value: int) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= _U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            self._rec(self._ring, tick, value)
        except (OverflowError, TypeError):
            self._slow(tick, value, "ns")

    def record_ns_at(self, now_ns: int, value_ns: int) -> None:
        """Record ``value_ns`` at the caller's tick ``now_ns`` (ns, the clock's time base)."""
        try:
            self._rec(self._ring, now_ns, value_ns)
            return
        except (OverflowError, TypeError):
            pass
        self._slow(self._tick_arg(now_ns), value_ns, "ns")

    def record_ms(self, value: float) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= _U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            if self._rec_f64(self._ring, tick, value, self._u["ms"]) and self._strict:
                _reject(value, "ms")
        except (OverflowError, TypeError):
            self._slow(tick, value, "ms")

    def record_s(self, value: float) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= _U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            if self._rec_f64(self._ring, tick, value, self._u["s"]) and self._strict:
                _reject(value, "s")
        except (OverflowError, TypeError):
            self._slow(tick, value, "s")

    def record_us(self, value: float) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= _U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            if self._rec_f64(self._ring, tick, value, self._u["us"]) and self._strict:
                _reject(value, "us")
        except (OverflowError, TypeError):
            self._slow(tick, value, "us")

    def _slow(self, tick: int, value: object, unit: str) -> None:
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:  # the epoch has left the window: validate, then count it as late
            _check_late_scalar(value, unit, self._strict)
            lib.mon_hist_ring_add_late(self._ring, 1)
            return
        try:
            _record_slow(h, value, unit, self._strict)
        finally:
            lib.mon_hist_ring_release(self._ring, h)

    def record_many(self, values: Any, unit: Unit = "ns") -> int:
        return self._record_many_at(self._now(), values, unit)

    def _record_many_at(self, tick: int, values: Any, unit: Unit) -> int:
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:
            n = _late_values(values, unit, self._strict, self._proto)
            lib.mon_hist_ring_add_late(self._ring, n)
            return 0
        try:
            return _record_many(h, values, unit, self._strict)
        finally:
            lib.mon_hist_ring_release(self._ring, h)

    def timer(self) -> _Timer:
        return _Timer(self)  # type: ignore[arg-type]

    # -- reading -----------------------------------------------------------------------------
    def window(self, last_s: float | None = None) -> LatencyHistogram:
        """Merged histogram of the last ``last_s`` seconds (whole window when None)."""
        tick = self._now()
        if last_s is None:
            n = self._slots
        else:
            if isinstance(last_s, bool) or not isinstance(last_s, (int, float)) or not math.isfinite(last_s) or last_s <= 0:
                raise InvalidInputError(f"last_s must be a positive number of seconds, got {last_s!r}")
            n = min(self._slots, max(1, math.ceil(last_s / self._slot_s - 1e-9)))
        return self._window(tick, n)

    def window_at(self, now_ns: int, last_slots: int | None = None) -> LatencyHistogram:
        """Merged histogram of the last ``last_slots`` slots (all when None) at the caller's tick
        ``now_ns``: the epochs ``e(now_ns) - last_slots + 1 .. e(now_ns)``."""
        tick = self._tick_arg(now_ns)
        if last_slots is None:
            n = self._slots
        elif isinstance(last_slots, bool) or not isinstance(last_slots, int) or not 1 <= last_slots <= self._slots:
            raise InvalidInputError(f"last_slots must be an int in [1, {self._slots}], got {last_slots!r}")
        else:
            n = last_slots
        return self._window(tick, n)

    def _window(self, tick: int, n: int) -> LatencyHistogram:
        out = LatencyHistogram._empty_like(self._proto.lowest_ns, self._proto.highest_ns, self._proto.scale, self._proto.strict)
        check(lib.mon_hist_ring_window(self._ring, tick, n, out._h), "window")
        return out

    def quantile(self, q: float | Fraction, last_s: float | None = None) -> int:
        return self.window(last_s).quantile(q)

    def percentiles(self, ps: Iterable[float] = (50, 90, 99, 99.9), last_s: float | None = None) -> dict[float, int]:
        return self.window(last_s).percentiles(ps)

    @property
    def count(self) -> int:
        return self.window().count


def _check_late_scalar(value: object, unit: str, strict: bool) -> None:
    """Validate one value that will only be counted as late, as _record_slow would: a TypeError
    for a non-number; with strict=True an InvalidInputError for an invalid latency."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"latency must be a real number, got {type(value).__name__}")
    if isinstance(value, (int, np.integer)):
        ok = 0 <= int(value) * _UNIT_NS[unit] <= _U64_MAX
    else:
        ok = lib.mon_hist_f64_to_ns(float(value), _UNITS[unit], ffi.new("uint64_t *")) == 0
    if strict and not ok:
        _reject(value, unit)


__all__ = [
    "LatencyHistogram",
    "WindowedLatencyHistogram",
    "HistogramBucket",
    "HistogramLayout",
    "HistogramStats",
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    "histogram_layout",
    "histogram_nbytes",
    "error_bound",
    "scale_for",
    "peek_config",
    "crc32c",
    "raw_layout",
    "raw_error_bound",
    "raw_f64_to_ns",
    "raw_index_of",
    "raw_threshold",
]
