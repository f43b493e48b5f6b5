"""The OpenTelemetry bridge (extra ``[otel]``: the real ``opentelemetry-sdk``; part of
:mod:`monitor.exposition`): the signals appear in an SDK ``MetricReader``, so they leave
through the user's exporter (OTLP, console, ...)::

    reader = PeriodicExportingMetricReader(OTLPMetricExporter())
    provider = MeterProvider(metric_readers=[reader])     # the user's own instruments, if any
    monitor.exposition.otel.OtelBridge().attach(reader)

What it emits, from the same families as the Prometheus formats: counters as monotonic
cumulative ``Sum`` points, gauges as ``Gauge`` points, and the latency histogram as an
``ExponentialHistogram`` point in **nanoseconds** (``monitor_latency``, unit ``ns``): the
histogram's buckets are OpenTelemetry buckets of the same scale in ns (index ``i - 1`` for the
histogram's bucket ``i``), so nothing is re-binned; when they do not fit in ``max_size`` buckets
(160, the SDK's default) they are downscaled exactly, bucket ``i`` to ``i >> d`` at scale
``s - d`` with the smallest such ``d``. The SDK's own exponential histogram computes indices
from a float logarithm and misplaces values on bucket boundaries (2**53 + 1 ns at scale 0 is its
smallest wrong value); ours are integer comparisons in the C core, exact.

The Python SDK has no ``MetricProducer`` (the specification's hook for bridges) yet: the bridge
wraps the reader's collect callback, which the ``MeterProvider`` sets (so ``attach`` after
creating the provider; a reader without one reports our metrics alone). Temporality is
cumulative.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..errors import InvalidArgumentError
from .buckets import downscale_otel, otel_downscale_for
from .families import REGISTRY, Registry
from .model import HistogramValue

_INSTALL = "pip install 'monitor[otel]'"
DEFAULT_MAX_SIZE = 160
"""The OpenTelemetry SDK's default maximum number of buckets of an exponential histogram."""

_UNITS = {"seconds": "s", "ratio": "1", "": "1"}


def _sdk() -> Any:
    try:
        from opentelemetry.sdk.metrics import export
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ImportError(f"the OpenTelemetry bridge needs opentelemetry-sdk: {_INSTALL}") from exc
    return export, Resource, InstrumentationScope


def otel_unit(unit: str) -> str:
    """UCUM spelling of an export's base unit (seconds -> ``s``, ratio -> ``1``, requests ->
    ``{requests}``)."""
    return _UNITS.get(unit, "{" + unit + "}")


class OtelBridge:
    """The families of ``registry`` (default :data:`~monitor.exposition.REGISTRY`) as
    OpenTelemetry SDK metrics (see the module doc). ``max_size``: the reader's maximum bucket
    count of an exponential histogram (160 by default, as the SDK's)."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 2:
            raise InvalidArgumentError(f"max_size must be an int >= 2, got {max_size!r}")
        if registry is not None and not isinstance(registry, Registry):
            raise InvalidArgumentError(f"registry must be a monitor.exposition.Registry, got {registry!r}")
        self._export, self._Resource, self._Scope = _sdk()
        self._registry = registry or REGISTRY
        self.max_size = max_size
        self._clock_ns = clock_ns
        self._start_ns = int(clock_ns())

    def metrics(self) -> list[Any]:
        """The SDK ``Metric`` objects of one collection."""
        ex = self._export
        now = int(self._clock_ns())
        start = self._start_ns
        cum = ex.AggregationTemporality.CUMULATIVE
        out = []
        for fam in self._registry.collect():
            if fam.type == "histogram":
                pts = [
                    self.histogram_point(dict(s.labels), s.value, start, now)
                    for s in fam.samples
                    if isinstance(s.value, HistogramValue)
                ]
                name = fam.name[: -len("_seconds")] if fam.name.endswith("_seconds") else fam.name
                out.append(
                    ex.Metric(
                        name,
                        fam.help.replace("in seconds", "in nanoseconds"),
                        "ns",
                        ex.ExponentialHistogram(pts, cum),
                    )
                )
                continue
            pts = [ex.NumberDataPoint(dict(s.labels), start, now, s.value) for s in fam.samples]
            data = ex.Sum(pts, cum, True) if fam.type == "counter" else ex.Gauge(pts)
            out.append(ex.Metric(fam.name, fam.help, otel_unit(fam.unit), data))
        return out

    def histogram_point(self, attributes: dict[str, str], hv: Any, start: int, now: int) -> Any:
        """One ``ExponentialHistogramDataPoint`` (ns), downscaled exactly to ``max_size``."""
        ex = self._export
        p = hv.hist.to_otel()
        d = otel_downscale_for(p.positive_offset, len(p.positive_bucket_counts), p.scale, self.max_size)
        offset, counts = downscale_otel(p.positive_offset, p.positive_bucket_counts, d)
        from opentelemetry.sdk.metrics._internal.point import Buckets  # not re-exported by the SDK

        return ex.ExponentialHistogramDataPoint(
            attributes=attributes,
            start_time_unix_nano=start,
            time_unix_nano=now,
            count=p.count,
            sum=p.sum_ns,
            scale=p.scale - d,
            zero_count=p.zero_count,
            positive=Buckets(offset, counts),
            negative=Buckets(0, []),
            flags=0,
            min=float(p.min_ns or 0),
            max=float(p.max_ns or 0),
        )

    def metrics_data(self, sdk_data: Any = None) -> Any:
        """``MetricsData`` of one collection: the SDK's (``sdk_data``, may be None) with our
        scope added to its first resource."""
        ex = self._export
        scope = ex.ScopeMetrics(self._Scope("monitor", _version()), self.metrics(), "")
        rms = list(getattr(sdk_data, "resource_metrics", ()) or ())
        if rms:
            first = rms[0]
            rms[0] = ex.ResourceMetrics(first.resource, [*first.scope_metrics, scope], first.schema_url)
        else:
            rms = [ex.ResourceMetrics(self._Resource.create({}), [scope], "")]
        return ex.MetricsData(rms)

    def attach(self, reader: Any) -> Any:
        """Make ``reader`` (an SDK ``MetricReader``) collect our metrics too; returns it."""
        if not hasattr(reader, "_set_collect_callback") or not hasattr(reader, "collect"):
            raise InvalidArgumentError(f"reader must be an OpenTelemetry SDK MetricReader, got {reader!r}")
        prev = getattr(reader, "_collect", None)

        def collect(r: Any, timeout_millis: float = 10_000) -> Any:
            sdk_data = prev(r, timeout_millis=timeout_millis) if prev is not None else None
            return self.metrics_data(sdk_data)

        reader._set_collect_callback(collect)
        return reader


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("monitor")
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return ""
