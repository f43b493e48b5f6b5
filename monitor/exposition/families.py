"""Metric families from the signal registry (part of :mod:`monitor.exposition`): everything a
:class:`~monitor.ServiceMonitor` knows, named by :mod:`monitor.signals`, and the
:class:`Registry` that the servers, the prometheus_client collector and the OpenTelemetry bridge
read.

Per monitor: every snapshot signal (names, units, help and types from
:data:`monitor.signals.EXPORTS`; values converted to base units: ms -> s), the latency histogram
of every request since start (cumulative, as Prometheus needs; with exemplars), internal errors,
and with a drift monitor the band and the per-bin counts of the current window of every feature.
Every series carries the ``service`` and ``model_version`` labels (plus the caller's constant
labels).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from .. import signals
from ..errors import InvalidArgumentError
from ..latency import LatencyHistogram
from .model import Exemplar, HistogramValue, Labels, MetricFamily, Sample
from .names import MAX_LABELS, check_label_value, check_labels, clean_label_value, escape_metric_name

_BAND_VALUE = {"none": 0.0, "moderate": 1.0, "significant": 2.0, "empty": math.nan}


class Source(Protocol):
    def collect_samples(self) -> Iterable[tuple[signals.ExportMetric, Sample]]: ...


def _service_labels(svc: Any, const: Labels) -> Labels:
    base = (
        ("service", check_label_value("service", svc.service)),
        ("model_version", check_label_value("model_version", svc.model_version)),
    )
    if any(k in signals.EXPORT_LABELS for k, _ in const):
        raise InvalidArgumentError(f"labels must not redefine {signals.EXPORT_LABELS}")
    return base + const


class ServiceSource:
    """The samples of one :class:`~monitor.ServiceMonitor` (see the module doc)."""

    def __init__(self, svc: Any, labels: Mapping[str, str] | None = None) -> None:
        for attr in ("snapshot", "latency_histogram", "latency_exemplars", "service", "model_version"):
            if not hasattr(svc, attr):
                raise InvalidArgumentError(f"a ServiceMonitor is needed (no {attr!r} on {svc!r})")
        self.svc = svc
        self.labels = _service_labels(svc, check_labels("labels", labels))
        if len(self.labels) + 2 > MAX_LABELS:
            raise InvalidArgumentError(f"labels: at most {MAX_LABELS - 4} constant labels")

    def collect_samples(self) -> Iterable[tuple[signals.ExportMetric, Sample]]:
        svc, base = self.svc, self.labels
        snap = svc.snapshot()
        for name, value in snap.signals().items():
            got = signals.export_of_signal(name)
            if got is None:  # pragma: no cover - the snapshot only produces known names
                continue
            metric, lbls = got
            fam = metric.family
            assert fam is not None
            extra = tuple((k, clean_label_value(v)) for k, v in signals.export_labels(metric, lbls))
            if metric.type == "counter" and value == value:
                out: float | int = int(value)
            else:
                # ms -> s: a division by the exact integer factor (one rounding)
                out = value / round(1 / fam.unit.to_base) if fam.unit.to_base < 1.0 else value
            yield metric, Sample(base + extra, out)
        hist = svc.latency_histogram()
        ex = tuple(Exemplar(clean_label_value(str(t)), int(v)) for v, t in svc.latency_exemplars())
        yield signals.LATENCY_HISTOGRAM, Sample(base, HistogramValue(hist, ex))
        yield signals.INTERNAL_ERRORS, Sample(base, int(svc.internal_errors))
        yield from self._drift(getattr(svc, "drift", None), snap)

    def _drift(self, dm: Any, snap: Any) -> Iterable[tuple[signals.ExportMetric, Sample]]:
        if dm is None:
            return
        base = self.labels
        report = None
        try:
            report = dm.evaluate()
        except Exception:  # an empty window (or a reset racing the scrape): no bands
            report = None
        for f in getattr(report, "features", ()) or ():
            band = getattr(f, "band", None)
            if band in _BAND_VALUE:
                feat = clean_label_value(str(f.name))
                yield signals.DRIFT_BAND, Sample(base + (("feature", feat),), _BAND_VALUE[band])
        ref = getattr(dm, "reference", None)
        window_counts = getattr(dm, "window_counts", None)
        if ref is None or window_counts is None:
            return
        counts, extra = window_counts()
        pos = 0
        for fi, prof in enumerate(ref.features):
            n = len(prof.counts)
            feat = clean_label_value(str(prof.name))
            lb = base + (("feature", feat),)
            for k in range(n):
                yield signals.DRIFT_WINDOW_BIN, Sample(lb + (("bin", str(k)),), int(counts[pos + k]))
            for what, v in zip(("nan", "below", "above"), extra[fi]):
                yield signals.DRIFT_WINDOW_BIN, Sample(lb + (("bin", what),), int(v))
            pos += n


class HistogramSource:
    """One latency histogram exported as a histogram metric ``name`` (seconds) with labels;
    ``hist`` is read (copied) at each collection."""

    def __init__(
        self,
        hist: LatencyHistogram,
        name: str = signals.LATENCY_HISTOGRAM.name,
        labels: Mapping[str, str] | None = None,
        help: str = signals.LATENCY_HISTOGRAM.help,
    ) -> None:
        if not isinstance(hist, LatencyHistogram):
            raise InvalidArgumentError(f"hist must be a LatencyHistogram, got {type(hist).__name__}")
        self.hist = hist
        self.metric = signals.ExportMetric(escape_metric_name(name), "histogram", "seconds", help)
        self.labels = check_labels("labels", labels)

    def collect_samples(self) -> Iterable[tuple[signals.ExportMetric, Sample]]:
        yield self.metric, Sample(self.labels, HistogramValue(self.hist.copy()))


class Registry:
    """Sources to export (thread-safe): :meth:`register` a ServiceMonitor (or a
    :class:`HistogramSource`, or anything with ``collect_samples()``); :meth:`collect` gives
    the metric families, merged by name, in registration order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: list[Any] = []
        self._keys: dict[int, Labels] = {}

    def register(self, source: Any, labels: Mapping[str, str] | None = None) -> Any:
        """Add ``source`` (returned, so ``svc = register(ServiceMonitor(...))`` works).
        InvalidArgumentError for a monitor registered twice or two monitors with the same
        ``service``, ``model_version`` and labels (their series would collide)."""
        if hasattr(source, "collect_samples"):
            src = source
        elif isinstance(source, LatencyHistogram):
            src = HistogramSource(source, labels=labels)
        else:
            src = ServiceSource(source, labels)
        key = getattr(src, "labels", ())
        with self._lock:
            for s in self._sources:
                if s is src or getattr(s, "svc", object()) is source:
                    raise InvalidArgumentError(f"{source!r} is registered already")
                if isinstance(src, ServiceSource) and isinstance(s, ServiceSource) and s.labels == key:
                    raise InvalidArgumentError(
                        f"another monitor exports the same series {dict(key)}: give a different "
                        "service, model_version or labels="
                    )
            self._sources.append(src)
        return source

    def unregister(self, source: Any) -> None:
        """Remove ``source`` (KeyError if it is not registered)."""
        with self._lock:
            for i, s in enumerate(self._sources):
                if s is source or getattr(s, "svc", None) is source or getattr(s, "hist", None) is source:
                    del self._sources[i]
                    return
        raise KeyError(source)

    def sources(self) -> tuple[Any, ...]:
        with self._lock:
            return tuple(self._sources)

    def collect(self) -> list[MetricFamily]:
        """The metric families of every source, merged by metric name."""
        order: dict[str, signals.ExportMetric] = {}
        samples: dict[str, list[Sample]] = {}
        for src in self.sources():
            for metric, sample in src.collect_samples():
                prev = order.get(metric.name)
                if prev is None:
                    order[metric.name] = metric
                    samples[metric.name] = []
                elif prev.type != metric.type:
                    raise InvalidArgumentError(
                        f"metric {metric.name} is a {prev.type} and a {metric.type} in two sources"
                    )
                samples[metric.name].append(sample)
        return [MetricFamily(m.name, m.type, m.help, m.unit, tuple(samples[n])) for n, m in order.items()]


REGISTRY = Registry()
"""The default registry (the servers' and the collector's default)."""


def register(source: Any, labels: Mapping[str, str] | None = None, registry: Registry | None = None) -> Any:
    """Register ``source`` in ``registry`` (default :data:`REGISTRY`); returns ``source``."""
    return (registry or REGISTRY).register(source, labels)


def collect(registry: Registry | None = None) -> list[MetricFamily]:
    return (registry or REGISTRY).collect()


CollectFn = Callable[[], list[MetricFamily]]
