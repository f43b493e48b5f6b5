"""monitor - a deterministic, fixed-memory runtime monitor for ML inference.

The four production signals - latency distribution, throughput and saturation, errors by
category, input drift - computed by a C99 core whose results are bit-identical on every platform.
"""

from __future__ import annotations

import logging as _logging

from .alerts import (
    Alert,
    AlertEngine,
    AlertState,
    AllOf,
    AnyOf,
    Baseline,
    BurnRate,
    Not,
    RateOfChange,
    Router,
    Rule,
    RuleRef,
    RuleStatus,
    Severity,
    Silence,
    Threshold,
    error_rate_rules,
    load_rules,
    slo_burn_rate_rules,
)
from .article import PredictionMetrics, calculate_psi, predict_with_metrics
from .binning import BinCounts, CodeCounts, bin_codes, bin_counts
from .categories import (
    BusinessRuleError,
    Categoriser,
    ErrorCategory,
    InputValidationError,
    categorise_error,
)
from .drift import (
    PSI_FLOOR_EPSILON_DEFAULT,
    PSI_SMOOTHINGS,
    DriftScores,
    drift_scores,
    js,
    psi,
    psi_contributions,
    psi_contributions_raw,
    tv,
)
from .drift_monitor import DriftMonitor, DriftReport, FeatureDrift
from .errors import (
    ConfigMismatchError,
    CorruptDataError,
    EmptyWindowError,
    InvalidArgumentError,
    InvalidInputError,
    InvalidTypeError,
    MonitorError,
)
from .exposition import NativeHistogram, OtelExponentialHistogramPoint
from .latency import (
    HistogramBucket,
    HistogramLayout,
    LatencyHistogram,
    WindowedLatencyHistogram,
    histogram_layout,
    histogram_nbytes,
)
from .logs import JsonFormatter, StructuredAdapter, StructuredLogger, input_hash
from .policy import load_policy, parse_policy
from .profile import DriftProfile, Profiler, merge_profiles, profile_batch
from .quantiles import percentile
from .reference import FeatureProfile, Reference
from .safety import SafetyMonitor
from .service import Observation, ServiceMonitor
from .snapshot import Snapshot

__version__ = "0.1.0"

# A library logs, the application decides where to: without this, Python's last-resort
# handler would print alert transitions to stderr when the application configured nothing.
_logging.getLogger("monitor").addHandler(_logging.NullHandler())

__all__ = [
    "__version__",
    "MonitorError",
    "InvalidArgumentError",
    "InvalidInputError",  # former name of InvalidArgumentError, removed in 0.3
    "InvalidTypeError",
    "EmptyWindowError",
    "ConfigMismatchError",
    "CorruptDataError",
    # service signals (categories, logs, service)
    "ErrorCategory",
    "Categoriser",
    "categorise_error",
    "InputValidationError",
    "BusinessRuleError",
    "StructuredLogger",
    "JsonFormatter",
    "StructuredAdapter",
    "input_hash",
    "ServiceMonitor",
    "Observation",
    "Snapshot",
    "PredictionMetrics",
    "predict_with_metrics",
    # alerts
    "Alert",
    "AlertEngine",
    "AlertState",
    "AllOf",
    "AnyOf",
    "Baseline",
    "BurnRate",
    "Not",
    "RateOfChange",
    "Router",
    "Rule",
    "RuleRef",
    "RuleStatus",
    "Severity",
    "Silence",
    "Threshold",
    "error_rate_rules",
    "load_rules",
    "slo_burn_rate_rules",
    # drift metrics (monitor/drift.py)
    "tv",
    "js",
    "psi",
    "drift_scores",
    "psi_contributions",
    "psi_contributions_raw",
    "DriftScores",
    "PSI_FLOOR_EPSILON_DEFAULT",
    "PSI_SMOOTHINGS",
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
    "DriftProfile",
    "Profiler",
    "profile_batch",
    "merge_profiles",
    "calculate_psi",
    "LatencyHistogram",
    "WindowedLatencyHistogram",
    "HistogramBucket",
    "HistogramLayout",
    "histogram_layout",
    "histogram_nbytes",
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    # the safety monitor (mon_monitor) and its policy
    "SafetyMonitor",
    "load_policy",
    "parse_policy",
]
