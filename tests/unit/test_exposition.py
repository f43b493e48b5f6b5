"""monitor.exposition: every signal of a ServiceMonitor as metric families named by the signal
registry, rendered in text 0.0.4 (promtool, prometheus_client's parser), OpenMetrics 1.0 with
exemplars (prometheus_client's OpenMetrics parser) and the protobuf format (decoded by the
protobuf runtime from metrics.proto's field numbers), negotiated on one endpoint, served by the
WSGI and ASGI apps and the standalone server; bad labels are refused or cleaned, never emitted
unencodable."""

from __future__ import annotations

import asyncio
import gzip
import io
import math
import shutil
import subprocess
import sys
import threading
import urllib.request
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import monitor
from monitor import DriftMonitor, InvalidArgumentError, LatencyHistogram, Reference, ServiceMonitor, signals
from monitor import exposition as ex
from monitor.exposition import buckets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`; .ci/run installs it)"
)
PROTOBUF = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
OPENMETRICS = "application/openmetrics-text;version=1.0.0"


def make_service(name: str = "fraud", features: tuple[str, ...] = ("amount", "age")) -> ServiceMonitor:
    rng = np.random.default_rng(7)
    ref = Reference.fit(rng.normal(size=(2_000, len(features))), bins=5, names=list(features))
    t = [1000.0]
    svc = ServiceMonitor(
        name, "v1", clock=lambda: t[0], capacity_rps=100.0, drift=DriftMonitor(ref, window=100), logger=False
    )
    for i in range(200):
        with svc.observe(trace_id=f"trace-{i:04d}", features=rng.normal(size=(1, len(features)))) as obs:
            with obs.stage("model"):
                t[0] += 0.001 * (1 + i % 50)
    for cat in monitor.ErrorCategory:
        with svc.observe() as obs:
            obs.fail(cat)
            t[0] += 0.002
    svc._t = t  # type: ignore[attr-defined]
    return svc


@pytest.fixture(scope="module")
def registry() -> ex.Registry:
    reg = ex.Registry()
    reg.register(make_service())
    return reg


def _promtool(text: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )


# -- the families come from the registry --------------------------------------------------------


@pytest.mark.req("MON-REQ-EXPO-001", "MON-REQ-SIG-001")
def test_every_family_is_named_by_the_signal_registry(registry: ex.Registry) -> None:
    fams = registry.collect()
    known = {e.name: e for e in [*signals.EXPORTS.values(), *signals.EXTRA_EXPORTS]}
    assert len({f.name for f in fams}) == len(fams)
    for f in fams:
        e = known[f.name]
        assert (f.type, f.help, f.unit) == (e.type, e.help, e.unit)
        assert f.name.startswith("monitor_")
        for s in f.samples:
            assert s.labels[:2] == (("service", "fraud"), ("model_version", "v1"))
    produced = {e.name for e in signals.EXPORTS.values() if e.family is not None and e.family.produced}
    assert produced <= {f.name for f in fams}
    # every family of the registry has its export (a new signal cannot silently break scrapes)
    assert {f.name for f in signals.FAMILIES} == set(signals.EXPORTS), set(signals.FAMILIES) ^ set(
        signals.EXPORTS
    )
    assert {e.name for e in signals.EXTRA_EXPORTS} <= {f.name for f in fams}
    # base units and the counter suffix
    for e in signals.EXPORTS.values():
        assert e.name.endswith("_" + e.unit) or not e.unit, e
        assert "quantile" not in e.labels  # reserved for summaries
        assert e.family is not None and ("milliseconds" not in e.help)


def test_values_are_the_snapshot_in_base_units(registry: ex.Registry) -> None:
    svc = registry.sources()[0].svc
    snap = svc.snapshot()
    by = {(f.name, s.labels[2:]): s.value for f in registry.collect() for s in f.samples}
    tot = svc.totals()
    for flow in signals.FLOWS:
        v = by[("monitor_requests", (("flow", flow),))]
        assert isinstance(v, int) and v == tot[flow]
    for cat in signals.ERROR_CATEGORIES:
        assert by[("monitor_errors", (("category", cat),))] == tot[cat] == 1
    p99 = by[("monitor_latency_window_quantile_seconds", (("percentile", "99"),))]
    assert p99 == snap.get("latency.p99_ms") / 1000
    assert by[("monitor_internal_errors", ())] == 0
    hv = by[("monitor_latency_seconds", ())]
    assert isinstance(hv, ex.HistogramValue) and hv.hist.count == tot["received"] - tot["in_flight"]
    # per-bin window counts of the drift monitor: sum to the window's rows per feature
    bins = {k: v for k, v in by.items() if k[0] == "monitor_drift_window_bin_values"}
    for feat in ("amount", "age"):
        assert sum(v for k, v in bins.items() if k[1][0] == ("feature", feat)) == 100
    assert by[("monitor_drift_band", (("feature", "amount"),))] in (0.0, 1.0, 2.0)


def test_exemplars_carry_the_trace_id_of_a_request_in_the_bucket(registry: ex.Registry) -> None:
    om = ex.render_openmetrics(registry.collect())
    lines = [ln for ln in om.splitlines() if " # {trace_id=" in ln]
    assert 5 <= len(lines) <= 64
    for ln in lines:
        head, _, ex_part = ln.partition(" # ")
        le = Decimal(head.split('le="')[1].split('"')[0]) if "+Inf" not in head else Decimal("Infinity")
        value = Decimal(ex_part.rsplit(" ", 1)[1])
        assert value <= le
        assert ex_part.startswith('{trace_id="trace-')


# -- formats -------------------------------------------------------------------------------------


@needs_promtool
@pytest.mark.req("MON-REQ-EXPO-001")
def test_promtool_accepts_the_text_format(registry: ex.Registry) -> None:
    proc = _promtool(ex.render_text(registry.collect()))
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@needs_promtool
@pytest.mark.req("MON-REQ-EXPO-001")
def test_promtool_accepts_openmetrics(registry: ex.Registry) -> None:
    """promtool 2.42's `check metrics` reads the text parser, which has no exemplar syntax: it
    checks OpenMetrics without the exemplars (the full format: prometheus_client's strict
    OpenMetrics parser below, and a real Prometheus scraping it in test_exposition_prometheus)."""
    om = ex.render_openmetrics(registry.collect())
    assert " # {trace_id=" in om
    proc = _promtool("".join(ln.split(" # {")[0] + "\n" for ln in om.splitlines()))
    # it parses; the only findings are the 0.0.4 linter's reading of OpenMetrics' counter
    # metadata (declared without _total, so its samples "have no help text")
    findings = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode in (0, 3) and "error while linting" not in proc.stderr, proc.stderr
    assert all(ln.endswith("_total no help text") for ln in findings), findings


@pytest.mark.req("MON-REQ-EXPO-001")
def test_text_parses_with_prometheus_client_and_counts_are_exact(registry: ex.Registry) -> None:
    parser = pytest.importorskip("prometheus_client.parser")
    fams = {f.name: f for f in parser.text_string_to_metric_families(ex.render_text(registry.collect()))}
    h = registry.sources()[0].svc.latency_histogram()
    lat = fams["monitor_latency_seconds"]
    got = {s.labels["le"]: s.value for s in lat.samples if s.name.endswith("_bucket")}
    les, _, cum = buckets.classic_buckets(h)
    assert [got[le] for le in les] == cum and got["+Inf"] == h.count
    s = [x for x in lat.samples if x.name.endswith("_sum")][0]
    assert Fraction(s.value) == Fraction(h.sum, 10**9) or abs(s.value - h.sum / 1e9) < 1e-12
    assert len(les) == 2034  # the 2% default over 1 us .. 1 h (+Inf: 2,035 series)


def test_openmetrics_parses_with_prometheus_client(registry: ex.Registry) -> None:
    parser = pytest.importorskip("prometheus_client.openmetrics.parser")
    om = ex.render_openmetrics(registry.collect())
    assert om.endswith("# EOF\n")
    fams = {f.name: f for f in parser.text_string_to_metric_families(om)}
    assert fams["monitor_requests"].type == "counter"
    assert fams["monitor_latency_seconds"].unit == "seconds"
    exemplars = [s.exemplar for s in fams["monitor_latency_seconds"].samples if s.exemplar]
    assert exemplars and all(e.labels["trace_id"].startswith("trace-") for e in exemplars)


def test_protobuf_decodes_with_the_protobuf_runtime(registry: ex.Registry) -> None:
    pytest.importorskip("google.protobuf")
    import prom_proto

    fams = registry.collect()
    decoded = {m.name: m for m in prom_proto.decode_delimited(ex.render_protobuf(fams))}
    assert set(decoded) == {f.sample_name for f in fams}
    svc = registry.sources()[0].svc
    assert decoded["monitor_requests_total"].type == 0
    vals = {m.label[2].value: m.counter.value for m in decoded["monitor_requests_total"].metric}
    assert vals == {k: float(svc.totals()[k]) for k in signals.FLOWS}
    h = svc.latency_histogram()
    ph = decoded["monitor_latency_seconds"].metric[0].histogram
    assert ph.sample_count == h.count and ph.sample_sum == h.sum / 1e9
    les, uppers, cum = buckets.classic_buckets(h)
    assert [b.cumulative_count for b in ph.bucket] == cum
    assert [b.upper_bound for b in ph.bucket] == [u / 1e9 for u in uppers]
    assert any(b.exemplar.label for b in ph.bucket)
    # native buckets: the histogram's own, re-indexed to seconds; counts exact
    assert ph.schema == h.scale
    first, dense, zero, _ = h.exponential_buckets()
    assert ph.zero_count == zero
    idx, counts, c = [], [], 0
    pos = 0
    it = iter(ph.positive_delta)
    for span in ph.positive_span:
        pos += span.offset
        for _ in range(span.length):
            c += next(it)
            idx.append(pos)
            counts.append(c)
            pos += 1
    shift = buckets.native_shift(h.scale)
    want = [(first + k - shift, n) for k, n in enumerate(dense) if n]
    assert list(zip(idx, counts)) == want


@pytest.mark.req("MON-REQ-EXPO-001")
def test_protobuf_bytes_equal_the_protobuf_runtime(registry: ex.Registry) -> None:
    """Our encoder's bytes are exactly what the protobuf runtime serialises for the same
    messages (field order, proto2 presence, unpacked repeated deltas, exemplars)."""
    pytest.importorskip("google.protobuf")
    import prom_proto

    fams = registry.collect()
    assert ex.render_protobuf(fams) == prom_proto.encode_with_runtime(fams)
    empty = ex.Registry()
    empty.register(LatencyHistogram())
    assert ex.render_protobuf(empty.collect()) == prom_proto.encode_with_runtime(empty.collect())


def test_empty_histogram_has_the_placeholder_span() -> None:
    pytest.importorskip("google.protobuf")
    import prom_proto

    reg = ex.Registry()
    reg.register(LatencyHistogram())
    (fam,) = prom_proto.decode_delimited(ex.render_protobuf(reg.collect()))
    h = fam.metric[0].histogram
    assert h.sample_count == 0 and len(h.positive_span) == 1
    assert (h.positive_span[0].offset, h.positive_span[0].length) == (0, 0)
    assert list(h.positive_delta) == []


@pytest.mark.req("MON-REQ-EXPO-002")
def test_downscaling_is_exact() -> None:
    """Native (upper-inclusive at base**i) and OpenTelemetry (index i covers (base**i,
    base**(i+1)]) buckets downscaled by d: every value's bucket at the coarser scale, exactly."""
    from collections import Counter

    h = LatencyHistogram(scale=8)
    vals = np.unique(np.rint(np.random.default_rng(2).lognormal(15, 2, 3000)).astype(np.int64))
    vals = vals[(vals >= h.layout.range_lo_ns) & (vals <= h.layout.range_hi_ns)]
    h.record_many(vals)
    first, dense, _, _ = h.exponential_buckets()
    for d in (1, 2, 5):
        f2, d2 = buckets.downscale_native(first, dense, d)
        want = Counter(monitor.latency.raw_index_of(8 - d, int(v)) for v in vals.tolist())
        assert {f2 + k: c for k, c in enumerate(d2) if c} == dict(want)
        o2, c2 = buckets.downscale_otel(first - 1, dense, d)
        assert {o2 + k: c for k, c in enumerate(c2) if c} == {i - 1: c for i, c in want.items()}


@pytest.mark.req("MON-REQ-EXPO-002")
def test_native_boundary_error_is_what_the_docs_say() -> None:
    for s in range(0, 9):
        x = 2.0**s * math.log2(1e9)
        bound = 2.0 ** (0.5 / 2.0**s) - 1
        assert ex.native_boundary_error(s) <= bound
        assert ex.native_boundary_error(s) == pytest.approx(2.0 ** (abs(x - round(x)) / 2**s) - 1)
    assert ex.native_boundary_error(6) < 0.005


def test_classic_default_meets_the_2_percent_bound() -> None:
    assert ex.classic_export_scale(6) == 6 and ex.classic_error_bound(6) < 0.02 < ex.classic_error_bound(5)
    assert ex.classic_export_scale(3) == 3  # capped by the histogram's scale


# -- negotiation and serving ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "text"),
        ("", "text"),
        ("*/*", "text"),
        ("application/json", "text"),
        ("text/html;q=0.9, foo", "text"),
        ("text/plain;version=0.0.4", "text"),
        ("text/plain;version=9.9", "text"),
        (OPENMETRICS, "openmetrics"),
        ("application/openmetrics-text;version=0.0.1;q=0.8,text/plain;q=0.5", "openmetrics"),
        ("application/openmetrics-text;version=2.0.0", "text"),
        (PROTOBUF, "protobuf"),
        (PROTOBUF + ";q=0.5," + OPENMETRICS + ";q=0.6", "openmetrics"),
        ("application/vnd.google.protobuf;proto=other.Message", "text"),
        (PROTOBUF + ";q=0", "text"),
        (PROTOBUF + ";q=abc", "text"),
        # Prometheus 2.42's header with native histograms enabled
        (
            PROTOBUF + ";q=0.8,application/openmetrics-text;version=1.0.0;q=0.75,"
            "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
            "protobuf",
        ),
    ],
)
@pytest.mark.req("MON-REQ-EXPO-001")
def test_negotiation(accept: str | None, fmt: str) -> None:
    assert ex.negotiate(accept) == fmt


def _wsgi_get(app: Any, headers: dict[str, str], query: str = "") -> tuple[str, dict[str, str], bytes]:
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics", "QUERY_STRING": query}
    env.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    got: dict[str, Any] = {}

    def start(status: str, hdrs: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, dict(hdrs)

    body = b"".join(app(env, start))
    return got["status"], got["headers"], body


def test_wsgi_app_negotiates_and_compresses(registry: ex.Registry) -> None:
    app = ex.make_wsgi_app(registry)
    status, h, body = _wsgi_get(app, {"Accept": OPENMETRICS, "Accept-Encoding": "gzip, br"})
    assert status == "200 OK" and h["Content-Encoding"] == "gzip"
    assert h["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert gzip.decompress(body).endswith(b"# EOF\n") and int(h["Content-Length"]) == len(body)
    status, h, body = _wsgi_get(app, {"Accept": "application/xml", "Accept-Encoding": "gzip;q=0"})
    assert h["Content-Type"].startswith("text/plain; version=0.0.4") and "Content-Encoding" not in h
    assert body.startswith(b"# HELP monitor_")
    status, h, body = _wsgi_get(app, {"Accept": OPENMETRICS}, "format=protobuf")
    assert h["Content-Type"].startswith("application/vnd.google.protobuf")
    status, h, body = _wsgi_get(app, {}, "format=yaml")
    assert status.startswith("400") and b"format must be one of" in body


def test_asgi_app_serves_the_same_bytes(registry: ex.Registry) -> None:
    app = ex.make_asgi_app(registry)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(msg: dict[str, Any]) -> None:
        sent.append(msg)

    scope = {"type": "http", "method": "GET", "path": "/metrics", "headers": [(b"accept", PROTOBUF.encode())]}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"])[b"content-type"].startswith(b"application/vnd.google.protobuf")
    _, _, wsgi_body = _wsgi_get(ex.make_wsgi_app(registry), {"Accept": PROTOBUF})
    assert sent[1]["body"] == wsgi_body  # the registry's state did not change in between


def test_asgi_lifespan() -> None:
    app = ex.make_asgi_app(ex.Registry())
    msgs = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(msgs)

    async def send(msg: dict[str, Any]) -> None:
        sent.append(msg)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_start_http_server_on_loopback(registry: ex.Registry) -> None:
    with ex.start_http_server(0, registry=registry) as srv:
        assert srv.address == "127.0.0.1" and srv.port > 0
        req = urllib.request.Request(srv.url, headers={"Accept": PROTOBUF, "Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            body = gzip.decompress(r.read())
        _, _, direct = _wsgi_get(ex.make_wsgi_app(registry), {"Accept": PROTOBUF})
        assert body == direct
        with urllib.request.urlopen(srv.url, timeout=10) as r:
            assert r.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(InvalidArgumentError, match="port"):
        ex.start_http_server(70000)


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\x00b", "x\ud800y", "\udfff"])
@pytest.mark.req("MON-REQ-EXPO-003")
def test_unencodable_label_values_are_refused(bad: str) -> None:
    reg = ex.Registry()
    with pytest.raises(InvalidArgumentError, match="NUL|surrogate"):
        reg.register(ServiceMonitor(bad, "v1", logger=False))
    with pytest.raises(InvalidArgumentError, match="NUL|surrogate"):
        reg.register(ServiceMonitor("ok", "v1", logger=False), labels={"region": bad})
    assert reg.collect() == []


@pytest.mark.req("MON-REQ-EXPO-003")
def test_quotes_backslashes_newlines_are_escaped_in_every_format() -> None:
    weird = 'a"b\\c\nd'
    reg = ex.Registry()
    reg.register(ServiceMonitor("svc", weird, logger=False), labels={"region": "é€😀"})
    text = ex.render_text(reg.collect())
    assert 'model_version="a\\"b\\\\c\\nd"' in text and "\n\n" not in text
    parser = pytest.importorskip("prometheus_client.parser")
    for f in parser.text_string_to_metric_families(text):
        for s in f.samples:
            assert s.labels["model_version"] == weird and s.labels["region"] == "é€😀"
    om = pytest.importorskip("prometheus_client.openmetrics.parser")
    for f in om.text_string_to_metric_families(ex.render_openmetrics(reg.collect())):
        for s in f.samples:
            assert s.labels["model_version"] == weird
    ex.render_protobuf(reg.collect())  # encodes (UTF-8)


def test_feature_names_from_data_are_cleaned_not_fatal() -> None:
    rng = np.random.default_rng(1)
    ref = Reference.fit(rng.normal(size=(100, 2)), bins=3, names=["ok", "bad\ud800"])
    svc = ServiceMonitor("svc", "v1", drift=DriftMonitor(ref, window=10), logger=False)
    with svc.observe(features=rng.normal(size=(1, 2))):
        pass
    reg = ex.Registry()
    reg.register(svc)
    body = ex.render_text(reg.collect()).encode("utf-8")  # encodable
    assert 'feature="bad\ufffd"'.encode() in body


@pytest.mark.req("MON-REQ-EXPO-003")
def test_absurd_label_counts_are_refused() -> None:
    labels = {f"l{i}": "v" for i in range(ex.MAX_LABELS + 1)}
    with pytest.raises(InvalidArgumentError, match="at most"):
        ex.Registry().register(ServiceMonitor("svc", "v1", logger=False), labels=labels)
    with pytest.raises(InvalidArgumentError, match="redefine"):
        ex.Registry().register(ServiceMonitor("svc", "v1", logger=False), labels={"service": "x"})
    with pytest.raises(InvalidArgumentError, match="at most"):
        ex.check_label_value("x", "v" * 5000)


@pytest.mark.req("MON-REQ-EXPO-003")
def test_duplicate_series_are_refused() -> None:
    reg = ex.Registry()
    a = reg.register(ServiceMonitor("svc", "v1", logger=False))
    with pytest.raises(InvalidArgumentError, match="registered already"):
        reg.register(a)
    with pytest.raises(InvalidArgumentError, match="same series"):
        reg.register(ServiceMonitor("svc", "v1", logger=False))
    reg.register(ServiceMonitor("svc", "v2", logger=False))
    fam = [f for f in reg.collect() if f.name == "monitor_requests"][0]
    assert len(fam.samples) == 8
    reg.unregister(a)
    with pytest.raises(KeyError):
        reg.unregister(a)


def test_a_scrape_during_reset_is_consistent() -> None:
    """Scrapes racing DriftMonitor.reset() and LatencyHistogram.reset() never fail, and each
    histogram they export is self-consistent (+Inf == count)."""
    svc = make_service("race")
    hist = LatencyHistogram()
    reg = ex.Registry()
    reg.register(svc)
    reg.register(ex.HistogramSource(hist, "race_seconds"))
    stop = threading.Event()
    errors: list[BaseException] = []

    def churn() -> None:
        rng = np.random.default_rng(0)
        try:
            while not stop.is_set():
                svc.drift.reset()
                svc.drift.update(rng.normal(size=(50, 2)))
                hist.record_many(np.arange(1, 500) * 1000)
                hist.reset()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    th = threading.Thread(target=churn)
    th.start()
    try:
        for _ in range(8):
            for fmt in ("text", "openmetrics", "protobuf"):
                body, _ = ex.render(reg, query=f"format={fmt}")
                assert body
            for f in reg.collect():
                for s in f.samples:
                    if isinstance(s.value, ex.HistogramValue):
                        h = s.value.hist
                        les, _, cum = buckets.classic_buckets(h)
                        assert cum == sorted(cum) and cum[-1] <= h.count
    finally:
        stop.set()
        th.join(timeout=30)
    assert not errors


def test_prometheus_text_is_unchanged_for_a_bare_histogram() -> None:
    h = LatencyHistogram()
    h.record_many([1_000, 2_000_000, 3 * 10**9])
    text = ex.prometheus_text(h, "x_seconds", {"a": "b"}, export_scale=0)
    assert 'x_seconds_bucket{a="b",le="+Inf"} 3' in text
    assert io.StringIO(text).readline() == "# TYPE x_seconds histogram\n"


def test_prometheus_client_collector_gives_the_same_series(registry: ex.Registry) -> None:
    pc = pytest.importorskip("prometheus_client")
    from prometheus_client.openmetrics.exposition import generate_latest as om_latest
    from prometheus_client.parser import text_string_to_metric_families

    from monitor.exposition.promclient import MonitorCollector

    reg = pc.CollectorRegistry()
    reg.register(MonitorCollector(registry))

    def series(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(text)
            for s in f.samples
        }

    ours = series(ex.render_text(registry.collect()))
    theirs = series(pc.generate_latest(reg).decode())
    assert ours.keys() == theirs.keys()
    for k, v in ours.items():
        assert v == theirs[k] or (math.isnan(v) and math.isnan(theirs[k])), k
    om = om_latest(reg).decode()
    assert ' # {trace_id="trace-' in om
    assert ex.MonitorCollector is MonitorCollector  # lazily re-exported


def test_stage_latency_is_exported_per_stage_and_bounded() -> None:
    t = [0.0]
    svc = ServiceMonitor("s", "v", clock=lambda: t[0], logger=False)
    for _ in range(5):
        with svc.observe() as obs:
            with obs.stage("validation"):
                t[0] += 0.001
            with obs.stage("model"):
                t[0] += 0.020
    st = svc.stage_latency()
    assert {k: (h.count, h.sum) for k, h in st.items()} == {
        "validation": (5, 5_000_000),
        "model": (5, 99_999_999),
    }
    reg = ex.Registry()
    reg.register(svc)
    text = ex.render_text(reg.collect())
    assert 'monitor_stage_latency_seconds_count{service="s",model_version="v",stage="model"} 5' in text
    from monitor.service import MAX_STAGES

    with svc.observe() as obs:
        for i in range(MAX_STAGES + 3):
            with obs.stage(f"s{i}"):
                pass
    assert len(svc.stage_latency()) == MAX_STAGES and svc.internal_errors == 5


@pytest.mark.req("MON-REQ-CLOCK-001")
def test_stage_timing_survives_a_clock_that_jumps_steps_back_and_returns_nan() -> None:
    seq = iter([100.0, 100.0, 200.0, 150.0, 150.0, math.nan, 160.0, 161.0, 170.0, 170.5] + [171.0] * 20)
    svc = ServiceMonitor("s", "v", clock=lambda: next(seq), logger=False)
    for _ in range(3):
        with svc.observe() as obs:
            with obs.stage("model"):
                pass
    h = svc.stage_latency()["model"]
    assert h.count >= 2 and h.invalid == 0  # a step back records 0, a jump records its length
    assert svc.internal_errors >= 1  # the NaN reading, counted, never raised
    reg = ex.Registry()
    reg.register(svc)
    assert "monitor_stage_latency_seconds" in ex.render_text(reg.collect())
