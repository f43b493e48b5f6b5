"""The four signals at one instant: :class:`Snapshot` (from :meth:`ServiceMonitor.snapshot()
<monitor.ServiceMonitor.snapshot>`) and its parts, small frozen dataclasses. Every number is
also reachable by a dotted signal name (:meth:`Snapshot.get`, :meth:`Snapshot.signals`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Snapshot", "LatencySignals", "ThroughputSignals", "ErrorSignals", "DriftSignals"]


@dataclass(frozen=True, slots=True)
class LatencySignals:
    """Percentiles (ms) of the requests finished in the window; NaN when there were none."""

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float


@dataclass(frozen=True, slots=True)
class ThroughputSignals:
    """Totals since start (exact) and the window's counts and per-second rates."""

    received: int
    processed: int
    dropped: int
    failed: int
    in_flight: int
    gap: int  # received - processed = failed + dropped + in_flight (totals)
    window_s: float  # seconds covered by the window's rates
    window_received: int
    window_processed: int
    window_dropped: int
    window_failed: int
    received_rps: float
    processed_rps: float
    dropped_rps: float
    failed_rps: float
    gap_ratio: float  # (window received - window processed) / window received, 0 when idle


@dataclass(frozen=True, slots=True)
class ErrorSignals:
    """Errors per category (value names): totals, window counts, and rate = window errors /
    window requests received (0 when none were received)."""

    count: Mapping[str, int]
    window: Mapping[str, int]
    rate: Mapping[str, float]
    total_rate: float


@dataclass(frozen=True, slots=True)
class DriftSignals:
    """Drift of one feature (NaN when its window is empty): PSI (nats), total variation,
    Jensen-Shannon divergence in bits (``js``, the ``drift.<feature>.js`` signal) and distance
    (its square root)."""

    psi: float
    tv: float
    js: float
    js_distance: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The four signals at one instant. Every number is also reachable by a dotted name
    (:meth:`get`, :meth:`signals`): ``latency.p50_ms`` .. ``latency.p999_ms``,
    ``latency.count``, ``throughput.<field>`` (e.g. ``throughput.received_rps``),
    ``saturation``, ``errors.rate.<category>``, ``errors.count.<category>``,
    ``errors.total_rate``, ``drift.<feature>.psi`` / ``.tv`` / ``.js``."""

    service: str
    model_version: str
    time_s: float
    latency: LatencySignals
    throughput: ThroughputSignals
    saturation: float
    errors: ErrorSignals
    drift: Mapping[str, DriftSignals]
    _signals: Mapping[str, float] = field(repr=False, compare=False)

    def signals(self) -> Mapping[str, float]:
        """Flat read-only mapping of dotted name -> value (NaN = no data)."""
        return self._signals

    def get(self, name: str) -> float:
        """The value of one dotted signal name; KeyError (listing close names) if unknown."""
        try:
            return self._signals[name]
        except KeyError:
            prefix = name.rsplit(".", 1)[0]
            near = sorted(k for k in self._signals if k.startswith(prefix))[:8]
            raise KeyError(f"unknown signal {name!r}; known names include {near}") from None
