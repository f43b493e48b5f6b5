"""monitor - a deterministic, fixed-memory runtime monitor for ML inference.

The four production signals - latency distribution, throughput and saturation, errors by
category, input drift - computed by a C99 core whose results are bit-identical on every platform.
"""

from __future__ import annotations

from .errors import (
    ConfigMismatchError,
    CorruptDataError,
    EmptyWindowError,
    InvalidInputError,
    MonitorError,
)
from .latency import (
    HistogramBucket,
    HistogramLayout,
    LatencyHistogram,
    WindowedLatencyHistogram,
    histogram_layout,
    histogram_nbytes,
)
from ._prom import NativeHistogram, OtelExponentialHistogramPoint

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "MonitorError",
    "InvalidInputError",
    "EmptyWindowError",
    "ConfigMismatchError",
    "CorruptDataError",
    "LatencyHistogram",
    "WindowedLatencyHistogram",
    "HistogramBucket",
    "HistogramLayout",
    "histogram_layout",
    "histogram_nbytes",
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
]
