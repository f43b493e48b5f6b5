"""The OpenTelemetry bridge with the real SDK: an InMemoryMetricReader sees our counters, gauges
and the latency histogram as an exponential histogram exactly downscaled to max_size; the real
OTLP/HTTP exporter posts them to a loopback receiver that decodes the protobuf payload, and the
bucket counts there equal ours; the boundary value the SDK misplaces (2**53 + 1 at scale 0)
stays exact in ours."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from monitor import InvalidArgumentError, LatencyHistogram, ServiceMonitor
from monitor import exposition as ex
from monitor.exposition import buckets

pytest.importorskip("opentelemetry.sdk.metrics")
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import InMemoryMetricReader  # noqa: E402

from monitor.exposition.otel import OtelBridge  # noqa: E402


def _service(n: int = 3000) -> tuple[ServiceMonitor, list[int]]:
    t = [1000.0]
    svc = ServiceMonitor("fraud", "v1", clock=lambda: t[0], logger=False)
    lat = np.random.default_rng(5).lognormal(-5, 2.5, n)  # 6 decades: needs a downscale
    for v in lat:
        with svc.observe():
            t[0] += float(v)
    with svc.observe() as obs:
        obs.fail("timeout")
    return svc, []


def _expected(hist: LatencyHistogram, max_size: int) -> tuple[int, int, list[int]]:
    """(scale, offset, counts) at the coarsest needed scale, from every bucket of the histogram
    by the definition (bucket i of the histogram is OTel bucket i - 1 at the same scale)."""
    p = hist.to_otel()
    idx = [p.positive_offset + k for k, c in enumerate(p.positive_bucket_counts) for _ in range(c)]
    d = 0
    while (max(idx) >> d) - (min(idx) >> d) + 1 > max_size:
        d += 1
    cnt = Counter(i >> d for i in idx)
    lo = min(cnt)
    return p.scale - d, lo, [cnt.get(lo + k, 0) for k in range(max(cnt) - lo + 1)]


def _metrics(reader: InMemoryMetricReader) -> dict[str, Any]:
    md = reader.get_metrics_data()
    return {m.name: m for rm in md.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}


@pytest.mark.parametrize("max_size", [160, 20])
def test_in_memory_reader_sees_every_signal(max_size: int) -> None:
    svc, _ = _service()
    reg = ex.Registry()
    reg.register(svc)
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    provider.get_meter("user").create_counter("user_requests").add(2)  # the user's own survive
    OtelBridge(reg, max_size=max_size).attach(reader)
    ms = _metrics(reader)
    assert "user_requests" in ms
    req = {p.attributes["flow"]: p.value for p in ms["monitor_requests"].data.data_points}
    tot = svc.totals()
    assert req == {k: tot[k] for k in ("received", "processed", "dropped", "failed")}
    assert ms["monitor_requests"].data.is_monotonic
    errs = {p.attributes["category"]: p.value for p in ms["monitor_errors"].data.data_points}
    assert errs["timeout"] == 1
    (pt,) = ms["monitor_latency"].data.data_points
    assert ms["monitor_latency"].unit == "ns"
    h = svc.latency_histogram()
    scale, offset, counts = _expected(h, max_size)
    assert (pt.scale, pt.positive.offset, list(pt.positive.bucket_counts)) == (scale, offset, counts)
    assert len(pt.positive.bucket_counts) <= max_size
    assert pt.count == h.count and pt.sum == h.sum and pt.zero_count == h.underflow
    assert pt.attributes == {"service": "fraud", "model_version": "v1"}
    provider.shutdown()


def test_bridge_refuses_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="max_size"):
        OtelBridge(max_size=1)
    with pytest.raises(InvalidArgumentError, match="MetricReader"):
        OtelBridge(ex.Registry()).attach(object())


@pytest.mark.req("MON-REQ-EXPO-002", "MON-REQ-HIST-002")
def test_boundary_value_the_sdk_misplaces_stays_exact() -> None:
    """2**53 + 1 ns at scale 0 belongs to bucket (2**53, 2**54], OTel index 53. The SDK takes a
    float: 2**53 + 1 rounds to 2**53, which it places in index 52. Ours records integer ns."""
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

    v = 2**53 + 1
    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader],
        views=[View(instrument_name="sdk", aggregation=ExponentialBucketHistogramAggregation(max_scale=0))],
    )
    provider.get_meter("t").create_histogram("sdk").record(v)
    sdk_pt = _metrics(reader)["sdk"].data.data_points[0]
    assert (sdk_pt.scale, sdk_pt.positive.offset) == (0, 52)  # the SDK's misplacement
    h = LatencyHistogram(1_000, 2**60, scale=0)
    h.record_ns(v)
    reg = ex.Registry()
    reg.register(h)
    r2 = InMemoryMetricReader()
    OtelBridge(reg).attach(r2)
    (pt,) = _metrics(r2)["monitor_latency"].data.data_points
    assert (pt.scale, pt.positive.offset, list(pt.positive.bucket_counts)) == (0, 53, [1])
    assert 2**53 < v <= 2**54
    provider.shutdown()


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802
        n = int(self.headers["Content-Length"])
        type(self).bodies.append(self.rfile.read(n))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a: Any) -> None:
        pass


def test_otlp_http_exporter_posts_our_buckets_to_a_loopback_receiver() -> None:
    otlp = pytest.importorskip("opentelemetry.exporter.otlp.proto.http.metric_exporter")
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    svc, _ = _service()
    reg = ex.Registry()
    reg.register(svc)
    _Receiver.bodies = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    try:
        exporter = otlp.OTLPMetricExporter(
            endpoint=f"http://127.0.0.1:{httpd.server_address[1]}/v1/metrics", timeout=10
        )
        reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
        provider = MeterProvider(metric_readers=[reader])
        OtelBridge(reg).attach(reader)
        reader.force_flush(timeout_millis=10_000)
        provider.shutdown()
    finally:
        httpd.shutdown()
        httpd.server_close()
        th.join(timeout=10)
    assert _Receiver.bodies
    req = ExportMetricsServiceRequest()
    req.ParseFromString(_Receiver.bodies[0])
    ms = {m.name: m for rm in req.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    (dp,) = ms["monitor_latency"].exponential_histogram.data_points
    h = svc.latency_histogram()
    scale, offset, counts = _expected(h, 160)
    assert (dp.scale, dp.positive.offset, list(dp.positive.bucket_counts)) == (scale, offset, counts)
    assert dp.count == h.count and dp.sum == h.sum
    pts = {
        kv.value.string_value: p.as_int or p.as_double
        for p in ms["monitor_requests"].sum.data_points
        for kv in p.attributes
        if kv.key == "flow"
    }
    assert pts["received"] == svc.totals()["received"]
    assert buckets.otel_downscale_for(offset, len(counts), scale, 160) == 0
