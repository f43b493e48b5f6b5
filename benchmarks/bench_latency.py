"""Latency histogram benchmark: monitor.LatencyHistogram side by side with prometheus_client,
ddsketch, HdrHistogram_py and the OpenTelemetry SDK, in one run (ratios in the table).

    python benchmarks/bench_latency.py          # writes benchmarks/results/latency.json

Every timing is the median of repeated loops (benchmarks/_common.time_per_call) of a zero-argument
callable (``functools.partial`` of the bound method), the same harness for every library, so the
few tens of ns of call overhead are included on both sides of each ratio.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import time_per_call, write_results  # noqa: E402

from monitor import LatencyHistogram  # noqa: E402

N_DATA = 200_000
LO_NS, HI_NS = 1_000, 3_600 * 10**9


def _data() -> np.ndarray:
    rng = np.random.default_rng(2024)
    return rng.lognormal(np.log(25.0), 0.9, N_DATA)  # ms


def _peers() -> dict[str, Any]:
    peers: dict[str, Any] = {}
    try:
        from prometheus_client import CollectorRegistry, Histogram

        peers["prometheus_client"] = Histogram("lat_seconds", "x", registry=CollectorRegistry())
    except ImportError:
        pass
    try:
        from ddsketch import DDSketch

        peers["ddsketch"] = DDSketch
    except ImportError:
        pass
    try:
        from hdrh.histogram import HdrHistogram

        peers["hdrhistogram"] = HdrHistogram
    except ImportError:
        pass
    try:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

        reader = InMemoryMetricReader()
        provider = MeterProvider(
            metric_readers=[reader],
            views=[View(instrument_name="lat", aggregation=ExponentialBucketHistogramAggregation())],
        )
        peers["otel"] = provider.get_meter("bench").create_histogram("lat", unit="ms")
    except ImportError:
        pass
    return peers


def _rel_err(est: float, exact: float) -> float:
    return abs(est - exact) / exact


def main() -> int:
    data_ms = _data()
    data_ns = np.rint(data_ms * 1e6).astype(np.int64)
    srt = np.sort(data_ns)
    peers = _peers()
    rows: list[dict[str, Any]] = []

    def row(op: str, ours_s: float, peer: str, peer_s: float | None, note: str = "") -> None:
        rows.append({
            "operation": op,
            "monitor_ns": round(ours_s * 1e9, 1),
            "peer": peer,
            "peer_ns": None if peer_s is None else round(peer_s * 1e9, 1),
            "speedup": None if peer_s is None else round(peer_s / ours_s, 2),
            "note": note,
        })

    # -- single value --------------------------------------------------------------------------
    h = LatencyHistogram()
    t_ms = time_per_call(functools.partial(h.record_ms, 12.5), number=200_000)
    t_ns = time_per_call(functools.partial(h.record_ns, 12_500_000), number=200_000)
    row("record_ns (int ns)", t_ns, "-", None)
    if "prometheus_client" in peers:
        row("record_ms vs Histogram.observe", t_ms, "prometheus_client",
            time_per_call(functools.partial(peers["prometheus_client"].observe, 0.0125), number=100_000))
    if "ddsketch" in peers:
        sk = peers["ddsketch"](0.01)
        row("record_ms vs DDSketch.add", t_ms, "ddsketch", time_per_call(functools.partial(sk.add, 12.5), number=100_000))
    if "hdrhistogram" in peers:
        hd = peers["hdrhistogram"](1, 3_600 * 10**6, 2)  # us, 1 us .. 1 h, 2 digits (~1%)
        row("record_ms vs HdrHistogram.record_value", t_ms, "hdrhistogram",
            time_per_call(functools.partial(hd.record_value, 12_500), number=100_000))
    if "otel" in peers:
        row("record_ms vs OTel SDK Histogram.record (exponential)", t_ms, "opentelemetry-sdk",
            time_per_call(functools.partial(peers["otel"].record, 12.5), number=20_000, repeat=5))

    # -- arrays ----------------------------------------------------------------------------------
    hm = LatencyHistogram()
    t_many_i = time_per_call(functools.partial(hm.record_many, data_ns), number=20) / N_DATA
    t_many_f = time_per_call(functools.partial(hm.record_many, data_ms, "ms"), number=20) / N_DATA
    loop_peer = None
    if "ddsketch" in peers:
        sk2 = peers["ddsketch"](0.01)
        add = sk2.add

        def dd_loop() -> None:
            for x in data_ms[:20_000].tolist():
                add(x)

        loop_peer = time_per_call(dd_loop, number=1, repeat=5) / 20_000
    row("record_many per value (int64 ns array)", t_many_i, "ddsketch add loop" if loop_peer else "-", loop_peer)
    row("record_many per value (float64 ms array, exact conversion)", t_many_f, "ddsketch add loop" if loop_peer else "-", loop_peer)

    # -- queries on a full histogram -----------------------------------------------------------------
    full = LatencyHistogram()
    full.record_many(data_ns)
    ps = (50, 90, 99, 99.9)
    t_pct = time_per_call(functools.partial(full.percentiles, ps), number=20_000)
    sk_full = hd_full = None
    if "ddsketch" in peers:
        sk_full = peers["ddsketch"](0.01)
        for x in data_ms.tolist():
            sk_full.add(x)

        def dd_q() -> list[float]:
            return [sk_full.get_quantile_value(p / 100) for p in ps]

        row("percentiles (4) vs DDSketch.get_quantile_value x4", t_pct, "ddsketch", time_per_call(dd_q, number=5_000))
    if "hdrhistogram" in peers:
        hd_full = peers["hdrhistogram"](1, 3_600 * 10**6, 2)
        for x in (data_ns // 1000).tolist():
            hd_full.record_value(x)

        def hd_q() -> list[int]:
            return [hd_full.get_value_at_percentile(p) for p in ps]

        row("percentiles (4) vs HdrHistogram.get_value_at_percentile x4", t_pct, "hdrhistogram", time_per_call(hd_q, number=500))

    other = LatencyHistogram()
    other.record_many(data_ns[::-1])
    acc = full.copy()
    t_merge = time_per_call(functools.partial(acc.merge, other), number=20_000)
    if sk_full is not None:
        sk_acc = peers["ddsketch"](0.01)
        row("merge two full histograms vs DDSketch.merge", t_merge, "ddsketch",
            time_per_call(functools.partial(sk_acc.merge, sk_full), number=2_000))
    if hd_full is not None:
        hd_acc = peers["hdrhistogram"](1, 3_600 * 10**6, 2)
        row("merge two full histograms vs HdrHistogram.add", t_merge, "hdrhistogram",
            time_per_call(functools.partial(hd_acc.add, hd_full), number=200))
    t_ser = time_per_call(full.to_bytes, number=2_000)
    blob = full.to_bytes()
    t_de = time_per_call(functools.partial(LatencyHistogram.from_bytes, blob), number=2_000)
    row("to_bytes (validated format, CRC-32C)", t_ser, "-", None)
    row("from_bytes (every field validated)", t_de, "-", None)

    # -- accuracy and memory ---------------------------------------------------------------------
    exact = {p: int(srt[max(1, math.ceil(p / 100 * len(srt))) - 1]) for p in ps}
    acc_rows: dict[str, Any] = {}
    ours = full.percentiles(ps)
    acc_rows["monitor"] = max(_rel_err(ours[p], exact[p]) for p in ps)
    if sk_full is not None:
        acc_rows["ddsketch"] = max(_rel_err(sk_full.get_quantile_value(p / 100) * 1e6, exact[p]) for p in ps)
    if hd_full is not None:
        acc_rows["hdrhistogram"] = max(_rel_err(hd_full.get_value_at_percentile(p) * 1000, exact[p]) for p in ps)
    mem = {
        "monitor_state_bytes": full.nbytes,
        "monitor_counts_bytes": 8 * full.layout.buckets,
        "monitor_serialized_bytes": len(blob),
        "monitor_relative_error_bound": full.relative_error,
    }
    if hd_full is not None:
        mem["hdrhistogram_counts_bytes"] = hd_full.counts_len * hd_full.word_size
        mem["hdrhistogram_encoded_bytes"] = len(hd_full.encode())
    if sk_full is not None:
        bins = len(sk_full._store.bins) + len(sk_full._negative_store.bins)
        mem["ddsketch_bins"] = bins
        mem["ddsketch_bins_bytes_lower_bound"] = 8 * bins

    table = write_results("latency", rows, notes=str({"max_rel_error_p50_p90_p99_p999": acc_rows, "memory": mem}))
    print(table)
    print()
    print("max relative error of p50/p90/p99/p99.9 vs exact nearest rank:",
          {k: f"{v:.3%}" for k, v in acc_rows.items()})
    print("memory:", mem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
