"""Exports of :class:`~monitor.latency.LatencyHistogram`: Prometheus text exposition,
OpenTelemetry exponential-histogram data points and Prometheus native-histogram parameters.

Exactness. The classic text exposition places its cumulative ``le`` buckets on bucket
boundaries of the histogram (every ``2**(scale - export_scale)``-th one, plus the two ends of
the range), so every exported cumulative count is exact; boundaries and ``_sum`` are printed as
exact decimals of seconds (integer ns / 10^9). The exponential formats use the histogram's own
buckets in nanoseconds (in seconds the bucket indices would not be integers): bucket ``i`` of
the histogram is native-histogram bucket ``i`` and OpenTelemetry bucket ``i - 1``; underflow
values (0 included) form the zero bucket with ``zero_threshold_ns = range_lo_ns - 1``.
Overflow values cannot be placed exactly on the exponential scale: they are counted in the
bucket just above the range and reported in ``overflow_count`` (0 means the export is exact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from .errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    from .latency import LatencyHistogram

_METRIC_OK = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_OK = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_BAD_METRIC_CHARS = re.compile(r"[^a-zA-Z0-9_:]")
_BAD_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


@dataclass(frozen=True, slots=True)
class OtelExponentialHistogramPoint:
    """Fields of an OpenTelemetry ``ExponentialHistogramDataPoint`` (values in ns)."""

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
    """Parameters of a Prometheus native histogram (values in ns): ``positive_spans`` are
    ``(offset, length)`` pairs, ``positive_deltas`` the bucket counts delta-encoded."""

    schema: int
    zero_threshold_ns: int
    zero_count: int
    count: int
    sum_ns: int
    positive_spans: tuple[tuple[int, int], ...]
    positive_deltas: tuple[int, ...]
    overflow_count: int
    unit: str = "ns"


def escape_metric_name(name: str) -> str:
    """A valid metric name: characters outside ``[a-zA-Z0-9_:]`` become ``_``, and a leading
    digit gets a ``_`` prefix (text format 0.0.4 has no quoting for names)."""
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"metric name must be a non-empty str, got {name!r}")
    if _METRIC_OK.match(name):
        return name
    out = _BAD_METRIC_CHARS.sub("_", name)
    return "_" + out if out[0].isdigit() else out


def escape_label_name(name: str) -> str:
    """A valid label name (same rule as metric names, without ``:``). ``le`` and names starting
    with ``__`` are reserved and rejected."""
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"label name must be a non-empty str, got {name!r}")
    out = name if _LABEL_OK.match(name) else _BAD_LABEL_CHARS.sub("_", name)
    if out[0].isdigit():
        out = "_" + out
    if out == "le" or out.startswith("__"):
        raise InvalidInputError(f"label name {name!r} is reserved in a Prometheus histogram")
    return out


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def ns_to_seconds_str(ns: int) -> str:
    """Exact decimal of ns / 10^9 (e.g. 1024 -> '0.000001024')."""
    q, r = divmod(ns, 1_000_000_000)
    if r == 0:
        return f"{q}.0"
    return f"{q}.{r:09d}".rstrip("0")


def prometheus_text(
    hist: LatencyHistogram,
    name: str,
    labels: dict[str, str] | None = None,
    help: str | None = None,
    *,
    export_scale: int | None = 1,
) -> str:
    """Text exposition (format 0.0.4) of ``hist`` as a classic histogram in seconds."""
    lay = hist.layout
    s = lay.scale
    e = s if export_scale is None else export_scale
    if isinstance(e, bool) or not isinstance(e, int) or not 0 <= e <= s:
        raise InvalidInputError(f"export_scale must be an int in [0, {s}] (the histogram's scale), got {export_scale!r}")
    metric = escape_metric_name(name)
    pairs = []
    for lname, lvalue in (labels or {}).items():
        if not isinstance(lvalue, str):
            raise InvalidInputError(f"label value for {lname!r} must be a str, got {type(lvalue).__name__}")
        pairs.append(f'{escape_label_name(lname)}="{escape_label_value(lvalue)}"')
    names = [p.split("=", 1)[0] for p in pairs]
    if len(set(names)) != len(names):
        raise InvalidInputError(f"duplicate label names after escaping: {names}")
    base = ",".join(pairs)
    lbl = "{" + base + "}" if base else ""
    pre = base + "," if base else ""

    stats = hist._stats()
    counts = [int(c) for c in hist.bucket_counts().tolist()]
    under, total = int(stats.underflow), int(stats.count)
    total_sum = (int(stats.sum_hi) << 64) | int(stats.sum_lo)
    cum = list(accumulate(counts, initial=under))  # cum[k] = values <= T(index_lo - 1 + k)
    step = 1 << (s - e)
    lines = []
    if help is not None:
        lines.append(f"# HELP {metric} {escape_help(help)}")
    lines.append(f"# TYPE {metric} histogram")
    last_t = -1
    for k in range(len(cum)):
        i = lay.index_lo - 1 + k
        if not (k == 0 or k == len(cum) - 1 or i % step == 0):
            continue
        t = hist.bucket_bounds(i)[1]
        if t == last_t:
            continue
        last_t = t
        lines.append(f'{metric}_bucket{{{pre}le="{ns_to_seconds_str(t)}"}} {cum[k]}')
    lines.append(f'{metric}_bucket{{{pre}le="+Inf"}} {total}')
    lines.append(f"{metric}_sum{lbl} {ns_to_seconds_str(total_sum)}")
    lines.append(f"{metric}_count{lbl} {total}")
    return "\n".join(lines) + "\n"


def _positive_buckets(hist: LatencyHistogram) -> tuple[int, list[int], int, int, int, int | None, int | None]:
    """(first index, dense counts from first to last non-empty, zero count, overflow, sum, min, max)."""
    lay = hist.layout
    stats = hist._stats()
    counts = [int(c) for c in hist.bucket_counts().tolist()]
    over = int(stats.overflow)
    if over:
        counts.append(over)  # the bucket just above the range (see module docstring)
    nz = [k for k, c in enumerate(counts) if c]
    total_sum = (int(stats.sum_hi) << 64) | int(stats.sum_lo)
    mn = int(stats.min) if stats.count else None
    mx = int(stats.max) if stats.count else None
    if not nz:
        return lay.index_lo, [], int(stats.underflow), over, total_sum, mn, mx
    return lay.index_lo + nz[0], counts[nz[0] : nz[-1] + 1], int(stats.underflow), over, total_sum, mn, mx


def otel_point(hist: LatencyHistogram) -> OtelExponentialHistogramPoint:
    first, dense, zero, over, total_sum, mn, mx = _positive_buckets(hist)
    return OtelExponentialHistogramPoint(
        scale=hist.scale,
        zero_count=zero,
        zero_threshold_ns=hist.layout.range_lo_ns - 1,
        positive_offset=first - 1,
        positive_bucket_counts=tuple(dense),
        count=zero + sum(dense),
        sum_ns=total_sum,
        min_ns=mn,
        max_ns=mx,
        overflow_count=over,
    )


def native_histogram(hist: LatencyHistogram) -> NativeHistogram:
    first, dense, zero, over, total_sum, _mn, _mx = _positive_buckets(hist)
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
        schema=hist.scale,
        zero_threshold_ns=hist.layout.range_lo_ns - 1,
        zero_count=zero,
        count=zero + sum(dense),
        sum_ns=total_sum,
        positive_spans=tuple(spans),
        positive_deltas=tuple(deltas),
        overflow_count=over,
    )


__all__ = [
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    "prometheus_text",
    "otel_point",
    "native_histogram",
    "escape_metric_name",
    "escape_label_name",
    "escape_label_value",
    "ns_to_seconds_str",
]
