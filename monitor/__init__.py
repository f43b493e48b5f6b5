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

from .binning import BinCounts, CodeCounts, bin_codes, bin_counts, percentile
from .drift_monitor import DriftMonitor, DriftReport, FeatureDrift
from .psi_article import calculate_psi
from .reference import FeatureProfile, Reference

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "MonitorError",
    "InvalidInputError",
    "EmptyWindowError",
    "ConfigMismatchError",
    "CorruptDataError",
    "BinCounts",
    "CodeCounts",
    "bin_counts",
    "bin_codes",
    "percentile",
    "Reference",
    "FeatureProfile",
    "DriftMonitor",
    "DriftReport",
    "FeatureDrift",
    "calculate_psi",
]
