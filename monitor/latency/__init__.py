"""Latency: the Python module of the C histogram unit (``csrc/mon_hist.h``), in three parts.

- :mod:`~monitor.latency.layout` - configuration, bucket layout, exact error bound, data types,
  the raw C entry points certification uses;
- :mod:`~monitor.latency.histogram` - :class:`LatencyHistogram` (recording, quantiles, merges,
  the byte codec, OpenTelemetry / native-histogram data points);
- :mod:`~monitor.latency.window` - :class:`WindowedLatencyHistogram`, latency over a sliding time
  window on the C window ring shared with the service counters.

The Prometheus / OpenTelemetry exports of a histogram live in :mod:`monitor.exposition`.
"""

from __future__ import annotations

from .histogram import LatencyHistogram
from .layout import (
    DEFAULT_HIGHEST_NS,
    DEFAULT_LOWEST_NS,
    DEFAULT_RELATIVE_ERROR,
    HistogramBucket,
    HistogramLayout,
    HistogramStats,
    NativeHistogram,
    OtelExponentialHistogramPoint,
    Unit,
    crc32c,
    error_bound,
    histogram_layout,
    histogram_nbytes,
    native_spans,
    peek_config,
    raw_error_bound,
    raw_f64_to_ns,
    raw_index_of,
    raw_layout,
    raw_threshold,
    scale_for,
)
from .window import WindowedLatencyHistogram

__all__ = [
    "LatencyHistogram",
    "WindowedLatencyHistogram",
    "HistogramBucket",
    "HistogramLayout",
    "HistogramStats",
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    "Unit",
    "DEFAULT_LOWEST_NS",
    "DEFAULT_HIGHEST_NS",
    "DEFAULT_RELATIVE_ERROR",
    "histogram_layout",
    "histogram_nbytes",
    "error_bound",
    "scale_for",
    "peek_config",
    "crc32c",
    "native_spans",
    "raw_layout",
    "raw_error_bound",
    "raw_f64_to_ns",
    "raw_index_of",
    "raw_threshold",
]
