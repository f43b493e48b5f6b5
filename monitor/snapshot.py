"""The four signals at one instant: :class:`Snapshot` (from :meth:`ServiceMonitor.snapshot()
<monitor.ServiceMonitor.snapshot>`) and its parts, small frozen dataclasses. Every number is
also reachable by a dotted signal name (:meth:`Snapshot.get`, :meth:`Snapshot.signals`)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .counters import CounterTotals, CounterWindow
from .signals import LATENCY_QUANTILES

__all__ = [
    "Snapshot",
    "LatencySignals",
    "ThroughputSignals",
    "ErrorSignals",
    "DriftSignals",
    "throughput_signals",
    "latency_signals",
    "drift_signals",
    "QUANTILES",
]

QUANTILES = LATENCY_QUANTILES
"""The percentiles of :class:`LatencySignals` (p50, p90, p99, p99.9)."""
_NAN = math.nan
_NS = 1_000_000_000


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
    (its square root), and the window's data-quality shares: NaN, out of range (numeric) and
    unseen categories (``drift.<feature>.nan_rate`` / ``.out_of_range_rate`` /
    ``.unseen_rate``)."""

    psi: float
    tv: float
    js: float
    js_distance: float
    nan_rate: float = _NAN
    out_of_range_rate: float = _NAN
    unseen_rate: float = _NAN


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


def throughput_signals(
    totals: CounterTotals, window: CounterWindow, min_span_ticks: int
) -> ThroughputSignals:
    """:class:`ThroughputSignals` of service counters read in nanosecond ticks. Rates are exact
    integers over seconds, with at least ``min_span_ticks`` of time (one slot) so the first
    requests after start do not read as a huge rate; int / int is correctly rounded."""
    w = window.counts
    span_ticks = max(window.span_ticks, min_span_ticks)

    def rate(n: int) -> float:
        return n * _NS / span_ticks

    w_received, w_processed = w.received, w.processed
    return ThroughputSignals(
        received=totals.received,
        processed=totals.processed,
        dropped=totals.dropped,
        failed=totals.failed,
        in_flight=totals.in_flight,
        gap=totals.received - totals.processed,
        window_s=span_ticks / _NS,
        window_received=w_received,
        window_processed=w_processed,
        window_dropped=w.dropped,
        window_failed=w.failed,
        received_rps=rate(w_received),
        processed_rps=rate(w_processed),
        dropped_rps=rate(w.dropped),
        failed_rps=rate(w.failed),
        gap_ratio=(max(w_received - w_processed, 0) / w_received) if w_received else 0.0,
    )


def latency_signals(hist: Any) -> LatencySignals:
    """:class:`LatencySignals` of a latency histogram (a :class:`~monitor.LatencyHistogram`,
    or anything with ``count`` and ``percentiles(ps)`` giving integer ns): NaN when empty."""
    n = int(hist.count)
    if n == 0:
        return LatencySignals(0, _NAN, _NAN, _NAN, _NAN)
    got = hist.percentiles(QUANTILES)
    vals = [got[q] for q in QUANTILES] if isinstance(got, Mapping) else list(got)
    p = [int(v) / 1e6 for v in vals]  # ns (int) -> ms, correctly rounded
    return LatencySignals(n, p[0], p[1], p[2], p[3])


def drift_signals(report: Any) -> dict[str, DriftSignals]:
    """Feature name -> :class:`DriftSignals` of a drift report: ``DriftMonitor.evaluate()``'s
    (whose ``.features`` are per-feature results with name, psi, tv, js, js_distance; None
    for a feature with an empty window), a mapping feature -> result, or a plain sequence of
    results. A missing JS divergence or distance is derived from the other."""
    results = getattr(report, "features", report)
    items: Iterator[tuple[Any, Any]]
    if isinstance(results, Mapping):
        items = iter(results.items())
    else:
        items = (
            (getattr(r, "name", None) or getattr(r, "feature", None) or str(i), r)
            for i, r in enumerate(results)
        )
    out: dict[str, DriftSignals] = {}
    for name, r in items:
        js_div = _num(getattr(r, "js", None))
        js_dist = _num(getattr(r, "js_distance", None))
        if math.isnan(js_div) and not math.isnan(js_dist):
            js_div = js_dist * js_dist
        elif math.isnan(js_dist) and not math.isnan(js_div):
            js_dist = math.sqrt(js_div)
        out[str(name)] = DriftSignals(
            psi=_num(getattr(r, "psi", None)),
            tv=_num(getattr(r, "tv", None)),
            js=js_div,
            js_distance=js_dist,
            nan_rate=_num(getattr(r, "nan_rate", None)),
            out_of_range_rate=_num(getattr(r, "out_of_range_rate", None)),
            unseen_rate=_num(getattr(r, "unseen_rate", None)),
        )
    return out


def _num(v: Any) -> float:
    """A float, NaN for None (no data)."""
    return _NAN if v is None else float(v)
