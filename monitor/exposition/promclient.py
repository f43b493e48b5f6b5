"""A ``prometheus_client`` collector (extra ``[prometheus]``; part of
:mod:`monitor.exposition`): users with an existing prometheus_client registry register ours::

    from prometheus_client import REGISTRY
    REGISTRY.register(monitor.exposition.MonitorCollector())

It yields the same families as the other formats (names, labels, exact cumulative buckets,
exemplars), as prometheus_client ``Metric`` objects, so ``generate_latest``, its WSGI app and its
OpenMetrics output carry them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import InvalidArgumentError
from .buckets import classic_buckets
from .exemplars import EXEMPLAR_LABEL, exemplars_by_bucket
from .families import REGISTRY, Registry
from .model import HistogramValue
from .names import ns_to_seconds_str

_INSTALL = "pip install 'monitor[prometheus]'"


def _client() -> Any:
    try:
        import prometheus_client.core as core
        import prometheus_client.samples as samples
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ImportError(f"the prometheus_client collector needs prometheus_client: {_INSTALL}") from exc
    return core, samples


class MonitorCollector:
    """Collector of ``registry``'s families (default :data:`~monitor.exposition.REGISTRY`)."""

    def __init__(self, registry: Registry | None = None, *, export_scale: object = "auto") -> None:
        if registry is not None and not isinstance(registry, Registry):
            raise InvalidArgumentError(f"registry must be a monitor.exposition.Registry, got {registry!r}")
        self._core, self._samples = _client()
        self._registry = registry or REGISTRY
        self._export_scale = export_scale

    def describe(self) -> list[Any]:
        """Nothing up front: the series depend on what the monitors have seen."""
        return []

    def collect(self) -> Iterator[Any]:
        core, samples = self._core, self._samples
        for fam in self._registry.collect():
            unit = fam.unit if fam.unit and fam.name.endswith("_" + fam.unit) else ""
            m = core.Metric(fam.name, fam.help, fam.type, unit)
            sname = fam.sample_name
            for s in fam.samples:
                labels = dict(s.labels)
                v = s.value
                if not isinstance(v, HistogramValue):
                    m.add_sample(sname, labels, float(v))
                    continue
                les, uppers, cum = classic_buckets(v.hist, self._export_scale)
                ex = exemplars_by_bucket(v.exemplars, uppers)
                total = v.hist.count
                for k, (le, c) in enumerate([*zip(les, cum), ("+Inf", total)]):
                    e = ex.get(k)
                    exemplar = (
                        None
                        if e is None
                        else samples.Exemplar(
                            {EXEMPLAR_LABEL: e.trace_id}, float(ns_to_seconds_str(e.value_ns))
                        )
                    )
                    m.add_sample(sname + "_bucket", {**labels, "le": le}, float(c), None, exemplar)
                m.add_sample(sname + "_count", labels, float(total))
                m.add_sample(sname + "_sum", labels, v.hist.sum / 1e9)
            yield m
