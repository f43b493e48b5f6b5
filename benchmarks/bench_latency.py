"""Latency histogram benchmark: monitor.LatencyHistogram side by side with prometheus_client,
ddsketch, HdrHistogram_py and the OpenTelemetry SDK, in one run (ratios in the table).

    pip install '.[bench]' && python benchmarks/bench_latency.py   # writes results/latency.json

Every timing is the median of repeated loops (benchmarks/_common.time_per_call) of a zero-argument
callable (``functools.partial`` of the bound method), the same harness for every library, so the
few tens of ns of call overhead are included on both sides of each ratio.
"""

from __future__ import annotations

import functools
import math
import statistics
import sys
from typing import Any

import numpy as np

from monitor import LatencyHistogram

from _common import SMOKE, size, time_per_call, write_results

N_DATA = size(200_000, 2_000)
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


def paired(ours: Any, peer: Any, number: int, rounds: int = 9) -> tuple[float, float, float]:
    """Alternate short timed loops of ``ours`` and ``peer`` (time_per_call with one repeat each)
    so that both see the same background load; return the median time of each and the median
    of the per-round ratios peer / ours."""
    a, b, r = [], [], []
    if SMOKE:
        rounds = 1
    for _ in range(rounds):
        ta = time_per_call(ours, number=number, repeat=1)
        tb = time_per_call(peer, number=number, repeat=1)
        a.append(ta)
        b.append(tb)
        r.append(tb / ta)
    return statistics.median(a), statistics.median(b), statistics.median(r)


def _rel_err(est: float, exact: float) -> float:
    return abs(est - exact) / exact


def main() -> int:
    data_ms = _data()
    data_ns = np.rint(data_ms * 1e6).astype(np.int64)
    srt = np.sort(data_ns)
    peers = _peers()
    rows: list[dict[str, Any]] = []

    def row(op: str, ours_s: float, peer: str, peer_s: float | None, ratio: float | None = None) -> None:
        rows.append(
            {
                "operation": op,
                "monitor_ns": round(ours_s * 1e9, 1),
                "peer": peer,
                "peer_ns": None if peer_s is None else round(peer_s * 1e9, 1),
                "speedup": None
                if peer_s is None
                else round(ratio if ratio is not None else peer_s / ours_s, 2),
            }
        )

    def prow(op: str, ours_fn: Any, peer: str, peer_fn: Any, number: int) -> None:
        ta, tb, ratio = paired(ours_fn, peer_fn, number)
        row(op, ta, peer, tb, ratio)

    # -- single value --------------------------------------------------------------------------
    h = LatencyHistogram()
    rec_ms = functools.partial(h.record_ms, 12.5)
    row(
        "record_ns (int ns)",
        time_per_call(functools.partial(h.record_ns, 12_500_000), number=200_000),
        "-",
        None,
    )
    if "prometheus_client" in peers:
        prow(
            "record_ms vs Histogram.observe",
            rec_ms,
            "prometheus_client",
            functools.partial(peers["prometheus_client"].observe, 0.0125),
            50_000,
        )
    if "ddsketch" in peers:
        sk = peers["ddsketch"](0.01)
        prow("record_ms vs DDSketch.add", rec_ms, "ddsketch", functools.partial(sk.add, 12.5), 50_000)
    if "hdrhistogram" in peers:
        hd = peers["hdrhistogram"](1, 3_600 * 10**6, 2)  # us, 1 us .. 1 h, 2 digits (~1%)
        prow(
            "record_ms vs HdrHistogram.record_value",
            rec_ms,
            "hdrhistogram",
            functools.partial(hd.record_value, 12_500),
            50_000,
        )
    if "otel" in peers:
        prow(
            "record_ms vs OTel SDK Histogram.record (exponential)",
            rec_ms,
            "opentelemetry-sdk",
            functools.partial(peers["otel"].record, 12.5),
            5_000,
        )

    # -- single value, buffered: LatencyHistogram.buffered() (appends; one C call per 4,096
    # values, that flush included in the time) -------------------------------------------------
    hb = LatencyHistogram()
    rec_b = functools.partial(hb.buffered(4096).record_ms, 12.5)
    for peer, make, number in (
        ("prometheus_client", lambda p: functools.partial(p.observe, 0.0125), 50_000),
        ("ddsketch", lambda p: functools.partial(p(0.01).add, 12.5), 50_000),
        ("hdrhistogram", lambda p: functools.partial(p(1, 3_600 * 10**6, 2).record_value, 12_500), 50_000),
    ):
        if peer in peers:
            prow(f"buffered record_ms vs {peer}", rec_b, peer, make(peers[peer]), number)

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
    row(
        "record_many per value (int64 ns array)",
        t_many_i,
        "ddsketch add loop" if loop_peer else "-",
        loop_peer,
    )
    row(
        "record_many per value (float64 ms array, exact conversion)",
        t_many_f,
        "ddsketch add loop" if loop_peer else "-",
        loop_peer,
    )

    # -- queries on a full histogram -----------------------------------------------------------------
    full = LatencyHistogram()
    full.record_many(data_ns)
    ps = (50, 90, 99, 99.9)
    row(
        "percentiles (4) on a full histogram",
        time_per_call(functools.partial(full.percentiles, ps), number=20_000),
        "-",
        None,
    )
    sk_full = hd_full = None
    if "ddsketch" in peers:
        sk_full = peers["ddsketch"](0.01)
        for x in data_ms.tolist():
            sk_full.add(x)

        def dd_q() -> list[float]:
            return [sk_full.get_quantile_value(p / 100) for p in ps]

        prow(
            "percentiles (4) vs DDSketch.get_quantile_value x4",
            functools.partial(full.percentiles, ps),
            "ddsketch",
            dd_q,
            2_000,
        )
    if "hdrhistogram" in peers:
        hd_full = peers["hdrhistogram"](1, 3_600 * 10**6, 2)
        for x in (data_ns // 1000).tolist():
            hd_full.record_value(x)

        def hd_q() -> list[int]:
            return [hd_full.get_value_at_percentile(p) for p in ps]

        prow(
            "percentiles (4) vs HdrHistogram.get_value_at_percentile x4",
            functools.partial(full.percentiles, ps),
            "hdrhistogram",
            hd_q,
            200,
        )

    other = LatencyHistogram()
    other.record_many(data_ns[::-1])
    acc = full.copy()
    row(
        "merge two full default histograms",
        time_per_call(functools.partial(acc.merge, other), number=20_000),
        "-",
        None,
    )
    if sk_full is not None:
        sk_acc = peers["ddsketch"](0.01)
        prow(
            "merge two full histograms vs DDSketch.merge",
            functools.partial(acc.merge, other),
            "ddsketch",
            functools.partial(sk_acc.merge, sk_full),
            1_000,
        )
    if hd_full is not None:
        hd_acc = peers["hdrhistogram"](1, 3_600 * 10**6, 2)
        prow(
            "merge two full histograms vs HdrHistogram.add",
            functools.partial(acc.merge, other),
            "hdrhistogram",
            functools.partial(hd_acc.add, hd_full),
            200,
        )
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
        acc_rows["hdrhistogram"] = max(
            _rel_err(hd_full.get_value_at_percentile(p) * 1000, exact[p]) for p in ps
        )
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

    # measured error on the accuracy test distributions (default configuration)
    rng = np.random.default_rng(99)
    dists = {
        "lognormal": rng.lognormal(np.log(20e6), 0.8, N_DATA),
        "bimodal": np.abs(
            np.concatenate([rng.normal(5e6, 3e5, N_DATA // 2), rng.normal(250e6, 2e7, N_DATA // 2)])
        ),
        "pareto": np.minimum((rng.pareto(1.2, N_DATA) + 1) * 2e6, 3e12),
        "constant": np.full(N_DATA, 47_300_000.0),
    }
    qs = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999]
    dist_err: dict[str, str] = {}
    for name, vals in dists.items():
        vi = np.rint(vals).astype(np.int64)
        s2 = np.sort(vi)
        hh = LatencyHistogram()
        hh.record_many(vi)
        est = hh.quantiles(qs)
        errs = [_rel_err(e, int(s2[max(1, math.ceil(q * len(s2))) - 1])) for q, e in zip(qs, est)]
        dist_err[name] = f"{max(errs):.3%}"
    print(
        f"max relative error over 10 quantiles per distribution (bound {full.relative_error:.3%}):", dist_err
    )

    single = [r for r in rows if r["operation"].startswith("record_ms vs")]
    many = {r["operation"]: r for r in rows if r["operation"].startswith("record_many")}
    buffered = [r for r in rows if r["operation"].startswith("buffered record_ms vs")]
    readme = []
    if buffered:
        readme.append(
            {
                "what": "latency `buffered().record_ms` (one value from Python, batched to C)",
                "monitor": f"{min(r['monitor_ns'] for r in buffered):.0f}–{max(r['monitor_ns'] for r in buffered):.0f} ns",
                "peer": "; ".join(f"{r['peer']} {r['peer_ns']:.0f} ns" for r in buffered),
                "ratio": "; ".join(f"{r['speedup']:.3g}x" for r in buffered),
            }
        )
    if single:
        readme.append(
            {
                "what": "latency `record_ms` (one value from Python)",
                "monitor": f"{min(r['monitor_ns'] for r in single):.0f}–{max(r['monitor_ns'] for r in single):.0f} ns",
                "peer": "; ".join(f"{r['peer']} {r['peer_ns']:.0f} ns" for r in single),
                "ratio": "; ".join(f"{r['speedup']:.3g}x" for r in single),
            }
        )
    if many:
        mi = many.get("record_many per value (int64 ns array)")
        mf = many.get("record_many per value (float64 ms array, exact conversion)")
        if mi and mf:
            readme.append(
                {
                    "what": "latency `record_many` (int64 ns / float64 ms arrays)",
                    "monitor": f"{mi['monitor_ns']:.3g} / {mf['monitor_ns']:.3g} ns/value",
                    "peer": f"{mi['peer']} {mi['peer_ns']} ns" if mi["peer_ns"] else "",
                    "ratio": f"{mi['speedup']:.3g}x / {mf['speedup']:.3g}x" if mi["speedup"] else "",
                }
            )
    if "monitor_counts_bytes" in mem or mem:
        readme.append(
            {
                "what": "latency histogram state, 1 us..1 h at ~1%",
                "monitor": f"{mem.get('monitor_state_bytes', mem.get('monitor_bytes', ''))} B fixed",
                "peer": f"HdrHistogram (2 digits) {mem.get('hdrhistogram_counts_bytes', '?')} B; DDSketch grows with the data",
                "ratio": "",
            }
        )
    table = write_results(
        "latency",
        rows,
        readme=readme,
        notes=str(
            {
                "max_rel_error_p50_p90_p99_p999": acc_rows,
                "max_rel_error_by_distribution": dist_err,
                "memory": mem,
            }
        ),
    )
    print(table)
    print()
    print(
        "max relative error of p50/p90/p99/p99.9 vs exact nearest rank:",
        {k: f"{v:.3%}" for k, v in acc_rows.items()},
    )
    print("memory:", mem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
