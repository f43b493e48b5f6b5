"""The data the formats render: metric families of samples (part of :mod:`monitor.exposition`).

A :class:`MetricFamily` is one exported metric (name without ``_total``, type, unit, help) with
its samples; a sample's value is a number (counter, gauge) or a :class:`HistogramValue` (a private
copy of a latency histogram plus the exemplars that landed in it). Every format reads the same
families, so text, OpenMetrics, protobuf, the prometheus_client collector and the OpenTelemetry
bridge cannot disagree on a name, a label or a count.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..latency import LatencyHistogram

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Exemplar:
    """A request that landed in a histogram: its trace id and its latency in integer ns."""

    trace_id: str
    value_ns: int


@dataclass(frozen=True, slots=True)
class HistogramValue:
    """A latency histogram sample: ``hist`` is a copy taken at collection (in ns); the formats
    export it in seconds."""

    hist: LatencyHistogram
    exemplars: tuple[Exemplar, ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    """One series: its labels (checked and escaped names, encodable values) and its value."""

    labels: Labels
    value: float | int | HistogramValue


@dataclass(frozen=True, slots=True)
class MetricFamily:
    """One exported metric. ``name`` has no ``_total`` (the formats add it to counters);
    ``type`` is ``counter``, ``gauge`` or ``histogram``; ``unit`` the base unit ("" for none)."""

    name: str
    type: str
    help: str
    unit: str
    samples: tuple[Sample, ...]

    @property
    def sample_name(self) -> str:
        return self.name + "_total" if self.type == "counter" else self.name
