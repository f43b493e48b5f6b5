"""Configuration, layout and data types of a latency histogram (``csrc/mon_hist.h``): the
unit codes, the range and scale checks, the exact error bound, the bucket layout, and the raw C
entry points on plain integers that certification uses. Part of :mod:`monitor.latency`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from .._ffi import check, ffi, lib
from ..errors import InvalidArgumentError, InvalidTypeError

Unit = Literal["ns", "us", "ms", "s"]

UNIT_CODES: dict[str, int] = {
    "ns": lib.MON_HIST_NS,
    "us": lib.MON_HIST_US,
    "ms": lib.MON_HIST_MS,
    "s": lib.MON_HIST_S,
}
UNIT_NS: dict[str, int] = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
STRICT_FLAG = lib.MON_HIST_STRICT
U64_MAX = (1 << 64) - 1
MAX_QUANTILES = lib.MON_HIST_MAX_QUANTILES

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


def hist_config(lowest_ns: int, highest_ns: int, scale: int) -> Any:
    cfg = ffi.new("mon_hist_config *")
    cfg.lowest = lowest_ns
    cfg.highest = highest_ns
    cfg.scale = scale
    return cfg


def check_range(lowest_ns: int, highest_ns: int) -> None:
    for name, v in (("lowest_ns", lowest_ns), ("highest_ns", highest_ns)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise InvalidTypeError(f"{name} must be an int number of nanoseconds, got {v!r}")
    if not 1 <= lowest_ns <= highest_ns <= U64_MAX:
        raise InvalidArgumentError(
            f"need 1 <= lowest_ns <= highest_ns <= 2**64 - 1, got lowest_ns={lowest_ns}, highest_ns={highest_ns}"
        )


@functools.lru_cache(maxsize=256)
def error_bound(lowest_ns: int, highest_ns: int, scale: int) -> Fraction:
    """Exact worst-case relative error of an in-range quantile for this configuration."""
    check_range(lowest_ns, highest_ns)
    num = ffi.new("uint64_t *")
    den = ffi.new("uint64_t *")
    check(lib.mon_hist_error_bound(hist_config(lowest_ns, highest_ns, scale), num, den), "error bound")
    return Fraction(int(num[0]), int(den[0]))


def scale_for(
    relative_error: float, lowest_ns: int = DEFAULT_LOWEST_NS, highest_ns: int = DEFAULT_HIGHEST_NS
) -> int:
    """Smallest scale (fewest buckets) whose exact error bound is <= ``relative_error``."""
    if isinstance(relative_error, bool) or not isinstance(relative_error, (int, float)):
        raise InvalidTypeError(f"relative_error must be a number in (0, 1), got {relative_error!r}")
    if not 0 < relative_error < 1:
        raise InvalidArgumentError(f"relative_error must be a number in (0, 1), got {relative_error!r}")
    target = Fraction(relative_error)
    for s in range(lib.MON_HIST_MIN_SCALE, lib.MON_HIST_MAX_SCALE + 1):
        if error_bound(lowest_ns, highest_ns, s) <= target:
            return s
    best = error_bound(lowest_ns, highest_ns, lib.MON_HIST_MAX_SCALE)
    raise InvalidArgumentError(
        f"relative_error={relative_error} is finer than the finest scale {lib.MON_HIST_MAX_SCALE} "
        f"gives for this range ({float(best):.3g}); raise lowest_ns or the error"
    )


def histogram_layout(
    lowest_ns: int = DEFAULT_LOWEST_NS, highest_ns: int = DEFAULT_HIGHEST_NS, scale: int = 6
) -> HistogramLayout:
    """Layout and memory of a configuration: ``nbytes = 128 + 8 * buckets`` where
    ``buckets = index(highest) - index(lowest) + 1`` (about ``2**scale * log2(highest/lowest)``)."""
    check_range(lowest_ns, highest_ns)
    return _layout(lowest_ns, highest_ns, scale, "histogram layout")


def histogram_nbytes(
    lowest_ns: int = DEFAULT_LOWEST_NS, highest_ns: int = DEFAULT_HIGHEST_NS, scale: int = 6
) -> int:
    """Bytes of C state of a histogram (``mon_hist_size``)."""
    return histogram_layout(lowest_ns, highest_ns, scale).nbytes


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
    return _layout(lowest_ns, highest_ns, scale, "raw_layout")


def _layout(lowest_ns: int, highest_ns: int, scale: int, context: str) -> HistogramLayout:
    cfg = hist_config(lowest_ns, highest_ns, scale)
    lay = ffi.new("mon_hist_layout *")
    check(lib.mon_hist_layout_of(cfg, lay), context)
    return HistogramLayout(
        int(lay.scale),
        int(lay.index_lo),
        int(lay.index_hi),
        int(lay.buckets),
        int(lay.range_lo),
        int(lay.range_hi),
        int(lib.mon_hist_size(cfg)),
    )


def raw_error_bound(lowest_ns: int, highest_ns: int, scale: int) -> tuple[int, int]:
    """``mon_hist_error_bound``: (numerator, denominator) as the core gives them (not
    reduced; :func:`error_bound` is the Fraction)."""
    num, den = ffi.new("uint64_t *"), ffi.new("uint64_t *")
    check(lib.mon_hist_error_bound(hist_config(lowest_ns, highest_ns, scale), num, den), "raw_error_bound")
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


def native_spans(first: int, dense: Any) -> tuple[list[tuple[int, int]], list[int]]:
    """Prometheus native-histogram spans and deltas of bucket counts ``dense`` whose first entry
    is bucket index ``first``: ``(offset, length)`` per run of non-empty buckets (the first
    offset is absolute, the others relative to the end of the previous span) and the count
    deltas within and across spans (client_golang's encoding; empty buckets are skipped)."""
    spans: list[tuple[int, int]] = []
    deltas: list[int] = []
    prev_count = 0
    prev_end = 0  # index after the last bucket of the previous span
    k = 0
    n = len(dense)
    while k < n:
        if dense[k] == 0:
            k += 1
            continue
        start = k
        while k < n and dense[k]:
            deltas.append(int(dense[k]) - prev_count)
            prev_count = int(dense[k])
            k += 1
        idx = first + start
        spans.append((idx if not spans else idx - prev_end, k - start))
        prev_end = first + k
    return spans, deltas
