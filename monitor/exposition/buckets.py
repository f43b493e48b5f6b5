"""Bucket arithmetic of the exports (part of :mod:`monitor.exposition`): the classic ``le``
buckets, the native-histogram buckets in seconds and the exact downscaling of exponential
buckets.

**Classic buckets** sit on bucket boundaries of the histogram (every ``2**(scale -
export_scale)``-th one, plus the two ends of the range), so every cumulative count is exact and
every ``le`` is an exact decimal of integer ns. PromQL's ``histogram_quantile`` interpolates
linearly inside the bucket holding the rank; the exact nearest-rank value is in the same bucket
``(a, a*r]`` (``r = 2**(2**-export_scale)``), so the estimate is within a factor ``r`` of it:
relative error below ``r - 1``. :data:`CLASSIC_TARGET_ERROR` (2%) needs ``r <= 1.02``: export
scale 6 (``r - 1 = 1.09%``; scale 5 would allow 2.19%), which costs one bucket per boundary of a
scale-6 histogram: 2,034 finite ``le`` buckets (2,035 series with +Inf) over the default 1 us ..
1 h range (export scale 1, the old default, was 65 buckets and 7.1% off at p99). Above the range PromQL can only answer the last finite ``le`` (about 1 h).

**Native buckets** in seconds: the histogram's bucket ``i`` holds integer ns values ``v`` with
``2**((i-1)/2**s) < v <= 2**(i/2**s)``, exactly Prometheus' bucket ``i`` of schema ``s`` in ns.
In seconds the indices shift by ``2**s * log2(1e9)``, not an integer: the export uses the nearest
integer shift ``k``, so counts, count and sum stay exact while each bucket's boundaries in seconds
are off by the constant factor ``2**(d / 2**s)``, ``|d| <= 1/2`` (:func:`native_boundary_error`:
0.47% at schema 6). Schemas above 8 (Prometheus' limit) are downscaled exactly first.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError
from ..latency import LatencyHistogram, native_spans
from .names import ns_to_seconds_str

CLASSIC_TARGET_ERROR = 0.02
"""The relative error of PromQL's ``histogram_quantile`` over the classic export the default
export scale guarantees (within the configured range)."""

NATIVE_MAX_SCHEMA = 8
"""The largest native-histogram schema Prometheus accepts."""

_LOG2_1E9 = math.log2(1e9)


def classic_export_scale(hist_scale: int, target: float = CLASSIC_TARGET_ERROR) -> int:
    """The smallest export scale whose interpolation bound ``2**(2**-e) - 1`` is at most
    ``target``, capped at the histogram's own scale."""
    e = 0
    while 2.0 ** (2.0**-e) - 1.0 > target and e < hist_scale:
        e += 1
    return min(e, hist_scale)


def classic_error_bound(export_scale: int) -> float:
    """Upper bound of the relative error of ``histogram_quantile`` over a classic export at
    ``export_scale`` (for quantiles inside the configured range)."""
    return float(2.0 ** (2.0**-export_scale) - 1.0)


def resolve_export_scale(hist: LatencyHistogram, export_scale: object) -> int:
    s = hist.scale
    if export_scale == "auto":
        return classic_export_scale(s)
    if export_scale is None:
        return s
    if isinstance(export_scale, bool) or not isinstance(export_scale, int) or not 0 <= export_scale <= s:
        raise InvalidArgumentError(
            f"export_scale must be an int in [0, {s}] (the histogram's scale), None (every "
            f"bucket) or 'auto' (the {CLASSIC_TARGET_ERROR:.0%} PromQL bound), got {export_scale!r}"
        )
    return export_scale


@dataclass(frozen=True, slots=True, eq=False)
class ClassicLayout:
    """The classic buckets of one histogram configuration and export scale (cached; compared
    by identity, so a format may cache what it derives from it)."""

    positions: np.ndarray  # index into the cumulative array (underflow first)
    les: tuple[str, ...]  # exact decimal seconds
    upper_ns: tuple[int, ...]


@functools.lru_cache(maxsize=64)
def _classic_layout(lowest: int, highest: int, scale: int, e: int) -> ClassicLayout:
    h = LatencyHistogram(lowest, highest, scale=scale)
    lay = h.layout
    n = lay.buckets + 1
    step = 1 << (scale - e)
    pos: list[int] = []
    ups: list[int] = []
    last_t = -1
    for k in range(n):
        i = lay.index_lo - 1 + k
        if not (k == 0 or k == n - 1 or i % step == 0):
            continue
        t = h.bucket_bounds(i)[1]
        if t == last_t:
            continue
        last_t = t
        pos.append(k)
        ups.append(t)
    return ClassicLayout(np.array(pos, dtype=np.intp), tuple(ns_to_seconds_str(t) for t in ups), tuple(ups))


def classic_layout(hist: LatencyHistogram, export_scale: object = "auto") -> ClassicLayout:
    """The (cached) classic bucket layout of ``hist`` at ``export_scale``."""
    e = resolve_export_scale(hist, export_scale)
    return _classic_layout(hist.lowest_ns, hist.highest_ns, hist.scale, e)


def classic_counts(hist: LatencyHistogram, lay: ClassicLayout) -> list[int]:
    """The cumulative counts of ``hist`` at the ``le`` of ``lay`` (without +Inf)."""
    counts = hist.bucket_counts()
    cum = np.empty(len(counts) + 1, dtype=np.uint64)
    cum[0] = hist.underflow
    np.cumsum(counts, out=cum[1:])
    cum[1:] += cum[0]
    out: list[int] = cum[lay.positions].tolist()
    return out


def classic_buckets(
    hist: LatencyHistogram, export_scale: object = "auto"
) -> tuple[tuple[str, ...], tuple[int, ...], list[int]]:
    """``(le strings, upper bounds in ns, cumulative counts)`` of the classic export (without
    +Inf, whose count is the total)."""
    lay = classic_layout(hist, export_scale)
    return lay.les, lay.upper_ns, classic_counts(hist, lay)


def downscale_native(first: int, dense: tuple[int, ...], d: int) -> tuple[int, list[int]]:
    """Prometheus-style buckets (upper-inclusive at ``base**i``) from schema ``s`` to ``s - d``:
    bucket ``i`` goes to ``ceil(i / 2**d)``. Returns ``(first index, dense counts)``."""
    if d == 0 or not dense:
        return first, list(dense)
    f = -((-first) >> d)
    out: list[int] = []
    for k, c in enumerate(dense):
        j = -((-(first + k)) >> d) - f
        while len(out) <= j:
            out.append(0)
        out[j] += c
    return f, out


def downscale_otel(offset: int, dense: tuple[int, ...] | list[int], d: int) -> tuple[int, list[int]]:
    """OpenTelemetry buckets (index ``i`` covers ``(base**i, base**(i+1)]``) from scale ``s`` to
    ``s - d``: bucket ``i`` goes to ``i >> d``. Returns ``(offset, dense counts)``."""
    if d == 0 or not dense:
        return offset, list(dense)
    f = offset >> d
    out: list[int] = []
    for k, c in enumerate(dense):
        j = ((offset + k) >> d) - f
        while len(out) <= j:
            out.append(0)
        out[j] += c
    return f, out


def otel_downscale_for(offset: int, n: int, scale: int, max_size: int, min_scale: int = -10) -> int:
    """The smallest ``d`` such that ``n`` buckets from ``offset`` fit in ``max_size`` at scale
    ``scale - d`` (OpenTelemetry's rule for an exponential histogram of bounded size)."""
    if n == 0:
        return 0
    d = 0
    while ((offset + n - 1) >> d) - (offset >> d) + 1 > max_size and scale - d > min_scale:
        d += 1
    return d


def native_shift(schema: int) -> int:
    """The integer index shift from ns to seconds at ``schema``: ``round(2**schema * log2(1e9))``."""
    return round(2.0**schema * _LOG2_1E9)


def native_boundary_error(schema: int) -> float:
    """Relative offset of the native export's bucket boundaries in seconds from the exact ones
    (``2**(|d| / 2**schema) - 1`` with ``d`` the shift's rounding)."""
    x = 2.0**schema * _LOG2_1E9
    return float(2.0 ** (abs(x - round(x)) / 2.0**schema) - 1.0)


@dataclass(frozen=True, slots=True)
class NativeSeconds:
    """A native histogram in seconds: schema, zero bucket, spans ``(offset, length)`` and
    delta-encoded counts (Prometheus' encoding); count exact, sum the double nearest to
    ``sum_ns / 1e9``."""

    schema: int
    zero_threshold: float
    zero_count: int
    count: int
    sum: float
    spans: tuple[tuple[int, int], ...]
    deltas: tuple[int, ...]
    overflow_count: int


def native_seconds(hist: LatencyHistogram) -> NativeSeconds:
    """The native-histogram export of ``hist`` in seconds (see the module doc)."""
    first, dense, zero, over = hist.exponential_buckets()
    schema = hist.scale
    d = max(0, schema - NATIVE_MAX_SCHEMA)
    first2, dense2 = downscale_native(first, dense, d)
    schema -= d
    first2 -= native_shift(schema)
    spans, deltas = native_spans(first2, dense2)
    st = hist.stats()
    return NativeSeconds(
        schema=schema,
        zero_threshold=(hist.layout.range_lo_ns - 1) / 1e9,
        zero_count=zero,
        count=zero + sum(dense),
        sum=st.sum_ns / 1e9,
        spans=tuple(spans),
        deltas=tuple(deltas),
        overflow_count=over,
    )
