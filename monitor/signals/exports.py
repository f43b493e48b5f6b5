"""Export naming: the exported (Prometheus / OpenMetrics / OpenTelemetry) metric of every
signal family, derived from the registry (:mod:`monitor.signals.registry`), and the exported
metrics that are no snapshot signal."""

from __future__ import annotations

from dataclasses import dataclass

from .registry import (
    BITS,
    DRIFT_JS,
    DRIFT_NAN_RATE,
    DRIFT_OUT_OF_RANGE_RATE,
    DRIFT_PSI,
    DRIFT_TV,
    DRIFT_UNSEEN_RATE,
    ERROR_COUNT,
    ERROR_RATE,
    ERROR_TOTAL_RATE,
    ERRORS,
    FEATURE,
    LATENCY_COUNT,
    LATENCY_QUANTILE,
    LATENCY_QUANTILES,
    QUANTILE,
    SATURATION,
    SECONDS,
    SLO_BAD,
    SLO_GOOD,
    SLO_TOTAL,
    THROUGHPUT_GAP,
    THROUGHPUT_GAP_RATIO,
    THROUGHPUT_IN_FLIGHT,
    THROUGHPUT_RATE,
    THROUGHPUT_TOTAL,
    THROUGHPUT_WINDOW,
    THROUGHPUT_WINDOW_SECONDS,
    Kind,
    SignalFamily,
    Unit,
    parse,
    quantile_label,
)

EXPORT_PREFIX = "monitor_"
"""The prefix of every exported metric name."""

EXPORT_LABELS: tuple[str, ...] = ("service", "model_version")
"""The labels every exported series carries (the ServiceMonitor's identity)."""

VALUES = Unit("values", "values", "values")


@dataclass(frozen=True, slots=True)
class ExportMetric:
    """One exported metric, following the Prometheus conventions: base units (seconds, ratios)
    as the name's suffix, ``_total`` on counters (added by the formats, not part of ``name``).
    ``family`` is the signal family it exports (None for a metric that is no snapshot signal:
    the cumulative latency histogram, internal errors, drift bins and bands); ``labels`` are
    the family's label names as exported (after :data:`EXPORT_LABELS`); ``unit`` is the base
    unit (the family's values are multiplied by ``family.unit.to_base``)."""

    name: str
    type: str  # "counter" | "gauge" | "histogram"
    unit: str
    help: str
    labels: tuple[str, ...] = ()
    family: SignalFamily | None = None

    @property
    def sample_name(self) -> str:
        """The name of its samples in the text formats (``_total`` on counters)."""
        return self.name + "_total" if self.type == "counter" else self.name


# Prometheus reads a "bits" suffix as a non-base unit (bytes are its base): the JS divergence,
# a dimensionless number in [0, 1] (its help says bits), is exported without a unit suffix.
_NO_SUFFIX = frozenset((BITS.base,))
# The Prometheus convention reserves the "quantile" label for summaries.
_EXPORT_LABEL_NAMES = {"quantile": "percentile"}


def _export(fam: SignalFamily, stem: str) -> ExportMetric:
    base = "" if fam.unit.base in _NO_SUFFIX else fam.unit.base
    name = EXPORT_PREFIX + stem + ("" if not base or stem.endswith(base) else "_" + base)
    typ = "counter" if fam.kind is Kind.COUNTER else "gauge"
    text = fam.help.replace("in " + fam.unit.name, "in " + base) if fam.unit.to_base != 1.0 else fam.help
    labels = tuple(_EXPORT_LABEL_NAMES.get(lb.name, lb.name) for lb in fam.labels)
    return ExportMetric(name, typ, base, text, labels, fam)


# Family -> exported metric: the stem says what it is; the unit suffix comes from the family.
EXPORTS: dict[str, ExportMetric] = {
    e.family.name: e
    for e in (
        _export(LATENCY_QUANTILE, "latency_window_quantile"),
        _export(LATENCY_COUNT, "latency_window"),
        _export(THROUGHPUT_TOTAL, "requests"),
        _export(THROUGHPUT_RATE, "window"),
        _export(THROUGHPUT_WINDOW, "window"),
        _export(THROUGHPUT_IN_FLIGHT, "in_flight"),
        _export(THROUGHPUT_GAP, "gap"),
        _export(THROUGHPUT_GAP_RATIO, "window_gap"),
        _export(THROUGHPUT_WINDOW_SECONDS, "window"),
        _export(SATURATION, "saturation"),
        _export(ERROR_RATE, "window_error"),
        _export(ERROR_COUNT, "errors"),
        _export(ERROR_TOTAL_RATE, "window_error_total"),
        _export(DRIFT_PSI, "drift_psi"),
        _export(DRIFT_TV, "drift_tv"),
        _export(DRIFT_JS, "drift_js_divergence"),
        _export(DRIFT_NAN_RATE, "drift_nan"),
        _export(DRIFT_OUT_OF_RANGE_RATE, "drift_out_of_range"),
        _export(DRIFT_UNSEEN_RATE, "drift_unseen"),
        _export(SLO_GOOD, "slo_good"),
        _export(SLO_BAD, "slo_bad"),
        _export(SLO_TOTAL, "slo"),
    )
    if e.family is not None
}
"""The exported metric of every signal family, by family name."""

LATENCY_HISTOGRAM = ExportMetric(
    EXPORT_PREFIX + "latency_seconds",
    "histogram",
    SECONDS.base,
    "Latency of every request finished since start, measured at the API boundary, in seconds",
)
STAGE_LATENCY = ExportMetric(
    EXPORT_PREFIX + "stage_latency_seconds",
    "histogram",
    SECONDS.base,
    "Latency of each stage of the requests (obs.stage(name)) since start, in seconds",
    ("stage",),
)
INTERNAL_ERRORS = ExportMetric(
    EXPORT_PREFIX + "internal_errors",
    "counter",
    ERRORS.base,
    "Failures inside the monitor since start (never raised into the request path)",
)
DRIFT_BAND = ExportMetric(
    EXPORT_PREFIX + "drift_band",
    "gauge",
    "",
    "Drift band of the feature's window: 0 none, 1 moderate, 2 significant; NaN when the window is empty",
    (FEATURE.name,),
)
DRIFT_WINDOW_BIN = ExportMetric(
    EXPORT_PREFIX + "drift_window_bin_values",
    "gauge",
    VALUES.base,
    "Values of the feature in each bin of the drift window (bins numbered from 0 as in the "
    "reference; nan, below and above the reference range); sum over replicas for a fleet's window",
    (FEATURE.name, "bin"),
)
EXTRA_EXPORTS: tuple[ExportMetric, ...] = (
    LATENCY_HISTOGRAM,
    STAGE_LATENCY,
    INTERNAL_ERRORS,
    DRIFT_BAND,
    DRIFT_WINDOW_BIN,
)
"""Exported metrics that are no snapshot signal."""


# Label values as exported: a quantile is written as its percentage ("999" -> "99.9").
_EXPORT_VALUES = {QUANTILE.name: {quantile_label(q): f"{float(q):g}" for q in LATENCY_QUANTILES}}


def export_labels(metric: ExportMetric, values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The exported ``(label, value)`` pairs of a signal's label values (``parse``'s), in the
    family's order: names as :attr:`ExportMetric.labels`, quantiles as percentages."""
    assert metric.family is not None
    out = []
    for lb, name in zip(metric.family.labels, metric.labels):
        v = values[lb.name]
        out.append((name, _EXPORT_VALUES.get(lb.name, {}).get(v, v)))
    return tuple(out)


def export_of(family: SignalFamily) -> ExportMetric:
    """The exported metric of a signal family."""
    return EXPORTS[family.name]


def export_of_signal(name: str) -> tuple[ExportMetric, dict[str, str]] | None:
    """The exported metric of a dotted signal name and its label values, or None."""
    got = parse(name)
    if got is None:
        return None
    return EXPORTS[got[0].name], got[1]


__all__ = [
    "DRIFT_BAND",
    "DRIFT_WINDOW_BIN",
    "EXPORTS",
    "EXPORT_LABELS",
    "EXPORT_PREFIX",
    "EXTRA_EXPORTS",
    "INTERNAL_ERRORS",
    "LATENCY_HISTOGRAM",
    "VALUES",
    "ExportMetric",
    "export_labels",
    "export_of",
    "export_of_signal",
    "STAGE_LATENCY",
]
