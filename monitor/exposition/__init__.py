"""Exposition: every signal of a :class:`~monitor.ServiceMonitor` in the user's Prometheus and
OpenTelemetry. Three lines from a monitor to a scraped ``/metrics``::

    svc = monitor.ServiceMonitor("fraud-model", "v3")
    monitor.exposition.register(svc)
    monitor.exposition.start_http_server(9464)        # http://127.0.0.1:9464/metrics

One module per concept:

- :mod:`~monitor.exposition.families` - metric families from the signal registry
  (:mod:`monitor.signals`), :class:`Registry`, :data:`REGISTRY`, :func:`register`;
- :mod:`~monitor.exposition.buckets` - classic ``le`` buckets (the 2% PromQL default), native
  buckets in seconds, exact downscaling;
- :mod:`~monitor.exposition.text` - text format 0.0.4 (:func:`prometheus_text`,
  :func:`render_text`);
- :mod:`~monitor.exposition.openmetrics` - OpenMetrics 1.0 with exemplars;
- :mod:`~monitor.exposition.protobuf` - length-delimited ``MetricFamily`` with native histograms;
- :mod:`~monitor.exposition.serve` - content negotiation, :func:`make_wsgi_app`,
  :func:`make_asgi_app`, :func:`start_http_server`;
- :mod:`~monitor.exposition.promclient` - a ``prometheus_client`` collector (extra
  ``[prometheus]``);
- :mod:`~monitor.exposition.otel` - the OpenTelemetry SDK bridge (extra ``[otel]``);
- :mod:`~monitor.exposition.rules` - Prometheus alerting rules from the project's rule files.

The histogram data points (:meth:`~monitor.LatencyHistogram.to_otel`,
:meth:`~monitor.LatencyHistogram.to_native`, in ns: bucket ``i`` of the histogram is native
bucket ``i`` and OpenTelemetry bucket ``i - 1``; underflow values, 0 included, form the zero
bucket with ``zero_threshold_ns = range_lo_ns - 1``; overflow values are counted in the bucket
just above the range and reported in ``overflow_count``) have their types re-exported here.
"""

from __future__ import annotations

from ..latency import LatencyHistogram, NativeHistogram, OtelExponentialHistogramPoint
from .buckets import (
    CLASSIC_TARGET_ERROR,
    NativeSeconds,
    classic_error_bound,
    classic_export_scale,
    native_boundary_error,
    native_seconds,
)
from .families import REGISTRY, HistogramSource, Registry, ServiceSource, collect, register
from .model import Exemplar, HistogramValue, MetricFamily, Sample
from .names import (
    MAX_LABELS,
    check_label_value,
    escape_help,
    escape_label_name,
    escape_label_value,
    escape_metric_name,
    ns_to_seconds_str,
)
from .openmetrics import render_openmetrics
from .protobuf import render_protobuf
from .serve import MetricsServer, make_asgi_app, make_wsgi_app, negotiate, render, start_http_server
from .text import prometheus_text, render_text


def __getattr__(name: str) -> object:
    """The integrations with optional dependencies, imported when first used:
    ``MonitorCollector`` (prometheus_client, extra ``[prometheus]``) and ``OtelBridge``
    (opentelemetry-sdk, extra ``[otel]``)."""
    if name == "MonitorCollector":
        from .promclient import MonitorCollector

        return MonitorCollector
    if name == "OtelBridge":
        from .otel import OtelBridge

        return OtelBridge
    raise AttributeError(f"module 'monitor.exposition' has no attribute {name!r}")


def otel_point(hist: LatencyHistogram) -> OtelExponentialHistogramPoint:
    """OpenTelemetry exponential-histogram data point of ``hist`` (``hist.to_otel()``)."""
    return hist.to_otel()


def native_histogram(hist: LatencyHistogram) -> NativeHistogram:
    """Prometheus native-histogram parameters of ``hist`` (``hist.to_native()``)."""
    return hist.to_native()


__all__ = [
    "OtelExponentialHistogramPoint",
    "NativeHistogram",
    "NativeSeconds",
    "prometheus_text",
    "render_text",
    "render_openmetrics",
    "render_protobuf",
    "render",
    "negotiate",
    "make_wsgi_app",
    "make_asgi_app",
    "start_http_server",
    "MetricsServer",
    "Registry",
    "REGISTRY",
    "register",
    "collect",
    "ServiceSource",
    "HistogramSource",
    "MetricFamily",
    "Sample",
    "HistogramValue",
    "Exemplar",
    "CLASSIC_TARGET_ERROR",
    "classic_export_scale",
    "classic_error_bound",
    "native_seconds",
    "native_boundary_error",
    "MAX_LABELS",
    "check_label_value",
    "otel_point",
    "native_histogram",
    "escape_metric_name",
    "escape_label_name",
    "escape_label_value",
    "escape_help",
    "ns_to_seconds_str",
]
