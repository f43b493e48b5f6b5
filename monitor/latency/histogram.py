"""Streaming latency histograms: fixed memory, exact exponential buckets, exact merges.

:class:`LatencyHistogram` wraps the C histogram of ``csrc/mon_hist.h``. Values are integer
nanoseconds inside; floats given in ms / s / us are converted once, at the boundary, by the C
core: the exact binary value times 10^k, rounded half to even (no intermediate float rounding).
NaN, infinities, negative values and values of 2^64 ns or more are counted in :attr:`invalid`
and never reach the sum (``strict=True`` raises :class:`~monitor.errors.InvalidArgumentError`
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
import warnings
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from .._ffi import caller_memory, check, ffi, lib
from ..errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError, InvalidTypeError
from .buffered import BufferedRecorder
from .layout import (
    DEFAULT_HIGHEST_NS,
    DEFAULT_LOWEST_NS,
    DEFAULT_RELATIVE_ERROR,
    MAX_QUANTILES,
    STRICT_FLAG,
    U64_MAX,
    UNIT_CODES,
    HistogramBucket,
    HistogramLayout,
    HistogramStats,
    NativeHistogram,
    OtelExponentialHistogramPoint,
    Unit,
    check_range,
    error_bound,
    hist_config,
    histogram_layout,
    native_spans,
    scale_for,
)
from .values import (
    percentile_ratio,
    quantile_c_arrays,
    record_many_into,
    record_slow,
    reject_value,
    tuple_of,
)

# The hot paths call these module globals (a cached global load is cheaper than an attribute).
_REC = lib.mon_hist_record
_REC_US = lib.mon_hist_record_us
_REC_MS = lib.mon_hist_record_ms
_REC_S = lib.mon_hist_record_s


class Timer:
    """Context manager of :meth:`LatencyHistogram.timer`: ``perf_counter_ns`` at enter and exit;
    records the elapsed ns (also when the block raises) and keeps it in ``elapsed_ns``."""

    __slots__ = ("_hist", "_t0", "elapsed_ns")

    def __init__(self, hist: LatencyHistogram) -> None:
        self._hist = hist
        self._t0 = 0
        self.elapsed_ns = 0

    def __enter__(self) -> Timer:
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

    # No __slots__ (subclasses and pickling rely on a __dict__). record_us/ms/s used to be
    # bound straight to the C functions, which let cffi convert anything with __float__ (a
    # timedelta64 of 5 ns became 5 ms): the methods now send only exact floats to C.

    def __init__(
        self,
        lowest_ns: int = DEFAULT_LOWEST_NS,
        highest_ns: int = DEFAULT_HIGHEST_NS,
        relative_error: float | None = DEFAULT_RELATIVE_ERROR,
        *,
        scale: int | None = None,
        strict: bool = False,
    ) -> None:
        check_range(lowest_ns, highest_ns)
        if scale is None:
            if relative_error is None:
                raise InvalidArgumentError("give relative_error or scale")
            scale = scale_for(relative_error, lowest_ns, highest_ns)
        elif (
            isinstance(scale, bool)
            or not isinstance(scale, int)
            or not (lib.MON_HIST_MIN_SCALE <= scale <= lib.MON_HIST_MAX_SCALE)
        ):
            raise InvalidArgumentError(
                f"scale must be an int in [{lib.MON_HIST_MIN_SCALE}, {lib.MON_HIST_MAX_SCALE}], got {scale!r}"
            )
        self._init(lowest_ns, highest_ns, scale, bool(strict))
        check(
            lib.mon_hist_init(self._h, len(self._mem) * 8, hist_config(lowest_ns, highest_ns, scale)),
            "LatencyHistogram",
        )

    def _init(self, lowest_ns: int, highest_ns: int, scale: int, strict: bool, buffer: Any = None) -> None:
        cfg = hist_config(lowest_ns, highest_ns, scale)
        size = int(lib.mon_hist_size(cfg))
        if size == 0:
            raise InvalidArgumentError(
                f"invalid histogram configuration {lowest_ns}, {highest_ns}, scale {scale}"
            )
        if buffer is None:
            self._mem = ffi.new("uint64_t[]", size // 8)  # 8-byte aligned, owned by this object
        else:
            self._mem = caller_memory(buffer, size, "LatencyHistogram.in_buffer")
        self._h = ffi.cast("mon_hist *", self._mem)
        self._lowest, self._highest, self._scale, self._strict = lowest_ns, highest_ns, scale, strict
        self._layout: HistogramLayout | None = None
        self._rec = lib.mon_hist_record
        self._rec_f64 = lib.mon_hist_record_f64
        flag = STRICT_FLAG if strict else 0
        self._u_ns = lib.MON_HIST_NS | flag
        self._u_us = lib.MON_HIST_US | flag
        self._u_ms = lib.MON_HIST_MS | flag
        self._u_s = lib.MON_HIST_S | flag
        self._qo: Any = None
        if strict:  # the strict variants (instance attributes shadow the methods)
            for unit in ("us", "ms", "s"):
                object.__setattr__(self, "record_" + unit, functools.partial(self._record_strict, unit))

    @classmethod
    def _empty_like(cls, lowest_ns: int, highest_ns: int, scale: int, strict: bool) -> LatencyHistogram:
        h = cls.__new__(cls)
        h._init(lowest_ns, highest_ns, scale, strict)
        check(
            lib.mon_hist_init(h._h, len(h._mem) * 8, hist_config(lowest_ns, highest_ns, scale)),
            "LatencyHistogram",
        )
        return h

    @classmethod
    def in_buffer(
        cls,
        buffer: Any,
        lowest_ns: int = DEFAULT_LOWEST_NS,
        highest_ns: int = DEFAULT_HIGHEST_NS,
        *,
        scale: int,
        attach: bool,
    ) -> LatencyHistogram:
        """A histogram whose C state lives in the caller's writable, 8-byte aligned ``buffer``
        of exactly :func:`~monitor.latency.histogram_nbytes` bytes (e.g. a slice of a shared
        ``mmap``; the object keeps a reference to it). ``attach=False`` initialises an empty
        histogram there; ``attach=True`` uses the one already there after checking that its
        C header is intact and of this configuration: CorruptDataError when it is not a
        histogram (bad magic), ConfigMismatchError when it is another configuration (its
        layout is compared field by field, so a corrupted header is refused too)."""
        check_range(lowest_ns, highest_ns)
        h = cls.__new__(cls)
        h._init(lowest_ns, highest_ns, scale, False, buffer=buffer)
        cfg = hist_config(lowest_ns, highest_ns, scale)
        size = len(h._mem) * 8
        if not attach:
            check(lib.mon_hist_init(h._h, size, cfg), "LatencyHistogram.in_buffer")
            return h
        got_cfg = ffi.new("mon_hist_config *")
        got = ffi.new("mon_hist_layout *")
        st = lib.mon_hist_get_config(h._h, got_cfg, got)
        if st != 0:
            raise CorruptDataError(
                "LatencyHistogram.in_buffer: the buffer holds no valid histogram (bad magic, or a "
                f"corrupted header field: scale, buckets, ranges; C status {st})"
            )
        want = histogram_layout(lowest_ns, highest_ns, scale=scale)
        have = tuple(
            int(v)
            for v in (got_cfg.lowest, got_cfg.highest, got.scale, got.index_lo, got.index_hi)
            + (got.buckets, got.range_lo, got.range_hi)
        )
        expect = (lowest_ns, highest_ns, scale, want.index_lo, want.index_hi, want.buckets) + (
            want.range_lo_ns,
            want.range_hi_ns,
        )
        if have != expect:
            raise ConfigMismatchError(
                f"LatencyHistogram.in_buffer: the buffer holds a histogram with (lowest, highest, "
                f"scale, index_lo, index_hi, buckets, range_lo, range_hi) = {have}, expected {expect}"
            )
        return h

    # ---- recording (hot paths: an exact int / float goes straight to C; anything else is
    # converted exactly, or refused, by monitor.latency.values) -------------------------------
    def record_ns(self, value: int) -> None:
        """Record one latency in integer nanoseconds (any real number or timedelta is
        converted exactly: see :mod:`monitor.latency.values`)."""
        if value.__class__ is int:
            try:
                _REC(self._h, value)
                return
            except OverflowError:  # negative or >= 2**64: counted invalid (strict: raised)
                pass
        record_slow(self._h, value, "ns", self._strict)

    def record_invalid(self, n: int = 1) -> None:
        """Count ``n`` latencies that are not a number of nanoseconds (e.g. a request whose
        clock failed) in :attr:`invalid`."""
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < 2**64:
            raise InvalidTypeError(f"n must be an int in [0, 2**64), got {n!r:.40}")
        check(lib.mon_hist_add_invalid(self._h, n), "LatencyHistogram.record_invalid")

    def c_object(self) -> Any:
        """The ``mon_hist *`` of this histogram, for another C unit's binding that takes one
        (e.g. ``mon_shared_finish``); valid while this object lives."""
        return self._h

    def record_us(self, value: float) -> None:
        """Record one latency in microseconds (float or int)."""
        if value.__class__ is float:
            _REC_US(self._h, value)  # 0, or MON_E_VALUE: counted invalid
        else:
            record_slow(self._h, value, "us", self._strict)

    def record_ms(self, value: float) -> None:
        """Record one latency in milliseconds (float or int). NaN, infinities, negative values
        and values >= 2**64 ns are counted in :attr:`invalid` (``strict=True``: raised)."""
        if value.__class__ is float:
            _REC_MS(self._h, value)  # 0, or MON_E_VALUE: counted invalid
        else:
            record_slow(self._h, value, "ms", self._strict)

    def record_s(self, value: float) -> None:
        """Record one latency in seconds (float or int)."""
        if value.__class__ is float:
            _REC_S(self._h, value)  # 0, or MON_E_VALUE: counted invalid
        else:
            record_slow(self._h, value, "s", self._strict)

    def _record_strict(self, unit: str, value: float) -> None:
        # strict=True instances: validated without counting (MON_HIST_STRICT), then raised
        if value.__class__ is float:
            if self._rec_f64(self._h, value, UNIT_CODES[unit] | STRICT_FLAG):
                reject_value(value, unit)
        else:
            record_slow(self._h, value, unit, True)

    def record(self, value: float, unit: Unit = "ns") -> None:
        """Record one latency in ``unit``."""
        if not isinstance(unit, str) or unit not in UNIT_CODES:
            raise InvalidArgumentError(f"unit must be one of {sorted(UNIT_CODES)}, got {unit!r}")
        if unit == "ns" and isinstance(value, int):
            self.record_ns(value)
        else:
            getattr(self, "record_" + unit)(value)

    def record_many(self, values: Any, unit: Unit = "ns") -> int:
        """Record an array of latencies (any numeric array-like; float arrays are converted
        exactly as the scalar functions do). Returns the number of invalid values, which are
        counted in :attr:`invalid` (``strict=True``: raises and records nothing)."""
        return record_many_into(self._h, values, unit, self._strict)

    def buffered(self, capacity: int = 4096) -> BufferedRecorder:
        """A recorder whose ``record_ms`` / ``_us`` / ``_s`` / ``_ns`` append to a bounded list
        flushed into this histogram in batches (one C call per batch; exactly the same counts):
        ``with hist.buffered() as rec: rec.record_ms(x)``. Pending values are in this histogram
        only once flushed (``rec.flush()``, the end of the ``with``, ``rec.histogram``, or
        ``capacity`` values pending). See :mod:`monitor.latency.buffered`."""
        return BufferedRecorder(self, capacity)

    def timer(self) -> Timer:
        """``with hist.timer(): ...`` records the block's wall time (``perf_counter_ns``)."""
        return Timer(self)

    # ---- reading -----------------------------------------------------------------------------
    def _stats(self) -> Any:
        s = ffi.new("mon_hist_stats *")
        check(lib.mon_hist_get_stats(self._h, s), "histogram stats")
        return s

    def stats(self) -> HistogramStats:
        """Every counter, read at once (one C call)."""
        s = self._stats()
        return HistogramStats(
            int(s.count),
            int(s.underflow),
            int(s.overflow),
            int(s.invalid),
            int(s.min),
            int(s.max),
            (int(s.sum_hi) << 64) | int(s.sum_lo),
        )

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
        qn, qd, n = quantile_c_arrays((q,), False)
        return self._run_quantiles(qn, qd, n)[0]

    def quantiles(self, qs: Iterable[float | Fraction]) -> list[int]:
        """Nearest-rank quantiles in ns for several ``q`` in [0, 1], in one pass."""
        qs = tuple_of(qs, "quantiles")
        out: list[int] = []
        for i in range(0, len(qs), MAX_QUANTILES):
            qn, qd, n = quantile_c_arrays(qs[i : i + MAX_QUANTILES], False)
            out.extend(self._run_quantiles(qn, qd, n))
        return out

    def percentiles(self, ps: Iterable[float] = (50, 90, 99, 99.9)) -> dict[float, int]:
        """``{p: nearest-rank value in ns}`` for percentiles ``p`` in [0, 100] (one C pass)."""
        if type(ps) is not tuple:
            ps = tuple_of(ps, "percentiles")
        if len(ps) > MAX_QUANTILES:
            quantile_c_arrays(ps, True)  # every value checked (and cached) first
            return dict(zip(ps, self.quantiles([Fraction(*percentile_ratio(p)) for p in ps])))
        qn, qd, n = quantile_c_arrays(ps, True)
        return dict(zip(ps, self._run_quantiles(qn, qd, n)))

    def _run_quantiles(self, qn: Any, qd: Any, n: int) -> list[int]:
        qo = self._qo
        if qo is None:
            qo = self._qo = ffi.new("uint64_t[]", MAX_QUANTILES)
        st = lib.mon_hist_quantiles(self._h, qn, qd, n, qo)
        if st:
            check(st, "latency quantile")
        return qo[0:n]  # type: ignore[no-any-return]

    def count_at_or_below(self, value_ns: int) -> tuple[int, bool]:
        """``(count, exact)``: values known to be <= ``value_ns``; exact when ``value_ns`` is a
        bucket boundary (see :meth:`bucket_bounds`), below the min or at/above the max."""
        if isinstance(value_ns, bool) or not isinstance(value_ns, int) or not 0 <= value_ns <= U64_MAX:
            raise InvalidArgumentError(f"value_ns must be an int in [0, 2**64), got {value_ns!r}")
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
        check(
            lib.mon_hist_copy_counts(self._h, ffi.cast("uint64_t *", ffi.from_buffer(out)), out.shape[0]),
            "bucket_counts",
        )
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
                raise InvalidTypeError(f"can only merge LatencyHistogram, got {type(o).__name__}")
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
            raise InvalidTypeError(
                f"from_bytes expects bytes, bytearray or memoryview, got {type(data).__name__}"
            )
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
            raise CorruptDataError(
                f"truncated latency histogram: {len(data)} bytes, the header alone is {hdr}"
            )
        nz = int.from_bytes(data[88:92], "little")
        need = hdr + nz * lib.MON_HIST_SERIAL_ENTRY_BYTES + lib.MON_HIST_SERIAL_TRAILER_BYTES
        if len(data) < need:
            raise CorruptDataError(f"truncated latency histogram: {len(data)} bytes, its header says {need}")
        # Size the buffer from the header, then decode (and validate everything) in one C pass;
        # a nonsensical header falls back to the validator for the precise error.
        scale = data[5]
        lowest = int.from_bytes(data[8:16], "little")
        highest = int.from_bytes(data[16:24], "little")
        size = (
            int(lib.mon_hist_size(hist_config(lowest, highest, scale)))
            if scale <= lib.MON_HIST_MAX_SCALE
            else 0
        )
        if size == 0:
            cfg = ffi.new("mon_hist_config *")
            check(lib.mon_hist_peek_config(data, len(data), cfg), "decoding latency histogram")
            raise CorruptDataError("decoding latency histogram: invalid configuration")  # pragma: no cover
        h = cls.__new__(cls)
        h._init(lowest, highest, scale, strict)
        check(lib.mon_hist_deserialize(h._h, len(h._mem) * 8, data, len(data)), "decoding latency histogram")
        problem = h._inconsistency()
        if problem:
            raise CorruptDataError(
                f"decoding latency histogram: its counters are impossible together: {problem}"
            )
        return h

    def _inconsistency(self) -> str | None:
        """Why count, sum, min, max and the buckets cannot describe one set of values (None when
        they can): every value lies in a recorded bucket, so min and max lie in the first and
        last non-empty regions, and count * min <= sum <= count * max."""
        st = self.stats()
        counts = self.bucket_counts()
        in_range = int(counts.sum(dtype=np.uint64)) if counts.size else 0
        n, lo, hi, total = st.count, st.min_ns, st.max_ns, st.sum_ns
        if n != st.underflow + st.overflow + in_range:
            return f"count {n} != underflow {st.underflow} + overflow {st.overflow} + buckets {in_range}"
        if n == 0:
            return f"no values but sum {total}" if total else None
        if lo > hi:
            return f"min {lo} ns > max {hi} ns"
        saturated = total == (1 << 128) - 1
        if total < n * lo or (not saturated and total > n * hi):
            return (
                f"sum {total} ns of {n} values: mean {total / n:.6g} ns outside [min, max] = [{lo}, {hi}] ns"
            )
        lay = self.layout
        nz = np.flatnonzero(counts)

        def region(first: bool) -> tuple[int, int]:
            if st.underflow and (first or not (in_range or st.overflow)):
                return 0, lay.range_lo_ns - 1
            if st.overflow and (not first or not (in_range or st.underflow)):
                return lay.range_hi_ns + 1, U64_MAX
            b_lo, b_hi = self.bucket_bounds(lay.index_lo + int(nz[0 if first else -1]))
            return max(b_lo + 1, lay.range_lo_ns), min(b_hi, lay.range_hi_ns)

        for name, v, (a, b) in (("min", lo, region(True)), ("max", hi, region(False))):
            if not a <= v <= b:
                return f"{name} {v} ns outside its bucket's values [{a}, {b}] ns"
        return None

    # ---- exports -----------------------------------------------------------------------------
    def to_prometheus(
        self,
        name: str,
        labels: dict[str, str] | None = None,
        help: str | None = None,
        *,
        export_scale: int | None = 1,
    ) -> str:
        """Deprecated (kept for one release, removed in 0.3): use
        :func:`monitor.exposition.prometheus_text(hist, ...) <monitor.exposition.prometheus_text>`,
        which gives the same text. The exports depend on the histogram, never the reverse; this
        method is the one import of :mod:`monitor.exposition` left in :mod:`monitor.latency`
        (listed, with its removal, in tests/unit/test_architecture.py)."""
        warnings.warn(
            "LatencyHistogram.to_prometheus() is deprecated and will be removed in 0.3: use "
            "monitor.exposition.prometheus_text(hist, name, labels, help, export_scale=...)",
            DeprecationWarning,
            stacklevel=2,
        )
        from ..exposition import prometheus_text

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
        spans, deltas = native_spans(first, dense)
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


def _restore(data: bytes, strict: bool) -> LatencyHistogram:
    return LatencyHistogram.from_bytes(data, strict=strict)
