"""Scrape latency and bytes of the exposition, side by side with prometheus_client for the same
series: a service with 10 stages (one latency histogram each, label ``stage``), 5 error
categories and 20 drift features (10 bins each), plus the service's own signals.

For every format (text 0.0.4, OpenMetrics 1.0, protobuf; each plain and gzip) one scrape is
collect + render (+ compress) of the whole registry, timed as the minimum over interleaved
repeats (the machine is shared: minima are the least noisy). The peer is prometheus_client's
``generate_latest`` (text) and its OpenMetrics ``generate_latest`` over a registry holding the
same series (same names, labels, bucket boundaries and values). A second comparison times our
small protobuf encoder against the ``protobuf`` runtime building and serialising the same
messages (the justification for not depending on ``protobuf``).

Run: ``python benchmarks/bench_exposition.py`` (needs prometheus_client and protobuf).
"""

from __future__ import annotations

import gzip
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# the tests' oracles, last on sys.path: they must not shadow the installed monitor
sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

import numpy as np  # noqa: E402
import prometheus_client as pc  # noqa: E402
from prometheus_client.openmetrics.exposition import generate_latest as om_latest  # noqa: E402

import monitor  # noqa: E402
from monitor import DriftMonitor, LatencyHistogram, Reference, ServiceMonitor  # noqa: E402
from monitor import exposition as ex  # noqa: E402
from monitor.exposition import buckets  # noqa: E402
from monitor.exposition.model import HistogramValue  # noqa: E402

from _common import write_results  # noqa: E402

STAGES = 10
FEATURES = 20
REQUESTS = 2_000


def build() -> tuple[ex.Registry, pc.CollectorRegistry]:
    rng = np.random.default_rng(1)
    names = [f"f{i:02d}" for i in range(FEATURES)]
    ref = Reference.fit(rng.normal(size=(5_000, FEATURES)), bins=10, names=names)
    t = [1000.0]
    svc = ServiceMonitor(
        "fraud", "v1", clock=lambda: t[0], drift=DriftMonitor(ref, window=1_000), logger=False
    )
    cats = list(monitor.ErrorCategory)
    for i in range(REQUESTS):
        with svc.observe(trace_id=f"{i:032x}", features=rng.normal(size=(1, FEATURES))) as obs:
            t[0] += float(rng.lognormal(np.log(0.03), 0.8))
            if i % 50 == 0:
                obs.fail(cats[i // 50 % len(cats)])
    reg = ex.Registry()
    reg.register(svc)
    stage_values = {}
    for s in range(STAGES):
        h = LatencyHistogram()
        vals = np.rint(rng.lognormal(np.log(3e6), 1.0, REQUESTS)).astype(np.int64)
        h.record_many(vals)
        stage_values[f"stage{s}"] = vals
        reg.register(ex.HistogramSource(h, "monitor_stage_latency_seconds", {"stage": f"stage{s}"}))

    # the peer: the same series in a prometheus_client registry
    peer = pc.CollectorRegistry()
    for fam in reg.collect():
        samples = fam.samples
        labelnames = [k for k, _ in samples[0].labels]
        if fam.type == "histogram":
            les, uppers, _ = buckets.classic_buckets(samples[0].value.hist)  # type: ignore[union-attr]
            m = pc.Histogram(fam.name, fam.help, labelnames, registry=peer, buckets=[u / 1e9 for u in uppers])
            for s in samples:
                assert isinstance(s.value, HistogramValue)
                child = m.labels(*[v for _, v in s.labels])
                stage = dict(s.labels).get("stage")
                vals = stage_values[stage] if stage else None
                if vals is None:  # the service histogram: observe its bucket midpoints, same counts
                    for b in s.value.hist.buckets():
                        for _ in range(b.count):
                            child.observe((b.lower_ns + b.upper_ns) / 2e9)
                else:
                    for v in vals.tolist():
                        child.observe(v / 1e9)
        elif fam.type == "counter":
            m = pc.Counter(fam.name, fam.help, labelnames, registry=peer)
            for s in samples:
                m.labels(*[v for _, v in s.labels]).inc(float(s.value))  # type: ignore[arg-type]
        else:
            m = pc.Gauge(fam.name, fam.help, labelnames, registry=peer)
            for s in samples:
                m.labels(*[v for _, v in s.labels]).set(float(s.value))  # type: ignore[arg-type]
    return reg, peer


def best(fn, repeat: int) -> float:
    fn()
    out = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        out = min(out, (time.perf_counter_ns() - t0) * 1e-9)
    return out


def protobuf_runtime(reg: ex.Registry) -> bytes:
    """The same length-delimited messages built and serialised by the protobuf runtime."""
    import prom_proto

    return prom_proto.encode_with_runtime(reg.collect())


def main() -> None:
    reg, peer = build()
    fams = reg.collect()
    series = sum(len(f.samples) for f in fams)
    text_body = ex.render_text(fams).encode()
    n_lines = text_body.count(b"\n")
    cases = {
        ("text", False): lambda: ex.render(reg, None, None),
        ("text", True): lambda: ex.render(reg, None, "gzip"),
        ("openmetrics", False): lambda: ex.render(reg, "application/openmetrics-text;version=1.0.0", None),
        ("openmetrics", True): lambda: ex.render(reg, "application/openmetrics-text;version=1.0.0", "gzip"),
        ("protobuf", False): lambda: ex.render(reg, ex.protobuf.CONTENT_TYPE, None),
        ("protobuf", True): lambda: ex.render(reg, ex.protobuf.CONTENT_TYPE, "gzip"),
    }
    peers = {
        ("text", False): lambda: pc.generate_latest(peer),
        ("text", True): lambda: gzip.compress(pc.generate_latest(peer), 6),
        ("openmetrics", False): lambda: om_latest(peer),
        ("openmetrics", True): lambda: gzip.compress(om_latest(peer), 6),
    }
    ours_t = {k: float("inf") for k in cases}
    peer_t = {k: float("inf") for k in peers}
    pb_t = [float("inf"), float("inf")]
    for _ in range(7):  # interleaved: ours, the peer, ours, ...
        for k, fn in cases.items():
            ours_t[k] = min(ours_t[k], best(fn, 1))
            if k in peers:
                peer_t[k] = min(peer_t[k], best(peers[k], 1))
        pb_t[0] = min(pb_t[0], best(lambda: ex.render_protobuf(reg.collect()), 1))
        pb_t[1] = min(pb_t[1], best(lambda: protobuf_runtime(reg), 1))
    rows = []
    for (fmt, gz), fn in cases.items():
        body = fn()[0]
        row = {
            "format": fmt + (" + gzip" if gz else ""),
            "monitor ms": round(ours_t[(fmt, gz)] * 1e3, 2),
            "monitor bytes": len(body),
        }
        if (fmt, gz) in peers:
            pbody = peers[(fmt, gz)]()
            row["prometheus_client ms"] = round(peer_t[(fmt, gz)] * 1e3, 2)
            row["prometheus_client bytes"] = len(pbody)
            row["time ratio (peer / monitor)"] = round(peer_t[(fmt, gz)] / ours_t[(fmt, gz)], 2)
            row["bytes ratio (monitor / peer)"] = round(len(body) / len(pbody), 3)
        else:
            row["prometheus_client ms"] = None
            row["prometheus_client bytes"] = None
            row["time ratio (peer / monitor)"] = None
            row["bytes ratio (monitor / peer)"] = None
        rows.append(row)
    same = protobuf_runtime(reg) == ex.render_protobuf(reg.collect())
    rows.append(
        {
            "format": "protobuf encoder: ours vs protobuf runtime (same messages)",
            "monitor ms": round(pb_t[0] * 1e3, 2),
            "monitor bytes": len(ex.render_protobuf(reg.collect())),
            "prometheus_client ms": None,
            "prometheus_client bytes": None,
            "time ratio (peer / monitor)": round(pb_t[1] / pb_t[0], 2),
            "bytes ratio (monitor / peer)": 1.0 if same else None,
        }
    )
    notes = (
        f"{STAGES} stage histograms + the service histogram (2,034 classic buckets each, the 2% "
        f"default), 5 error categories, {FEATURES} drift features x 10 bins; {series} series, "
        f"{n_lines} text lines. Minimum of 7 interleaved scrapes. Last row: render_protobuf vs the "
        f"protobuf runtime ({'byte-identical output' if same else 'different bytes'}); its ratio "
        "is runtime / ours."
    )
    print(write_results("exposition", rows, notes))
    print(notes)


if __name__ == "__main__":
    main()
