"""A real Prometheus (the Debian package; `--enable-feature=native-histograms,exemplar-storage`)
scrapes our start_http_server on loopback in three formats (protobuf with native histograms,
OpenMetrics with exemplars, text): counters read exactly N in PromQL, histogram_count and
histogram_sum of the native histogram are exact, histogram_quantile over the native and the
classic export stays within the stated bounds of the exact nearest-rank quantiles, exemplars
arrive, and an alert rule fires in-process and in Prometheus on the same scenario (the rule
translated by `monitor rules to-prometheus`). Prometheus is started with a temp dir and stopped
by its pid; every wait is bounded."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from monitor import LatencyHistogram, ServiceMonitor
from monitor import exposition as ex
from monitor.alerts import AlertEngine, Rule
from monitor.exposition.rules import prometheus_rules, to_yaml

PROMETHEUS = shutil.which("prometheus")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        PROMETHEUS is None,
        reason="prometheus not installed (Debian package `prometheus`; .ci/run installs it)",
    ),
]
N = 5000
RULE = Rule("timeouts_high", "errors.count.timeout", ">=", 5, for_="2s", severity="page")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Prom:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: str) -> Any:
        q = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{q}", timeout=10) as r:
            doc = json.loads(r.read())
        assert doc["status"] == "success", doc
        return doc["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return list(self.get("/api/v1/query", query=expr)["result"])

    def scalar(self, expr: str) -> float:
        res = self.query(expr)
        assert len(res) == 1, (expr, res)
        return float(res[0]["value"][1])

    def wait(self, expr: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            res = self.query(expr)
            if res:
                return res
            time.sleep(0.25)
        raise AssertionError(f"no result for {expr} within {timeout} s")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prom, ServiceMonitor, list[int], Any]]:
    tmp = tmp_path_factory.mktemp("prom")
    t = [1000.0]
    svc = ServiceMonitor("fraud", "v1", clock=lambda: t[0], logger=False)
    rng = np.random.default_rng(11)
    values = np.rint(rng.lognormal(np.log(30e6), 0.9, N)).astype(np.int64)
    values = np.clip(values, 2_000, 3_000 * 10**9).tolist()
    exact = LatencyHistogram()
    for i, v in enumerate(values):
        exact.record_ns(v)
        with svc.observe(trace_id=f"{i:032x}"):
            t[0] += 0.001
    reg = ex.Registry()
    reg.register(svc)
    reg.register(ex.HistogramSource(exact, "exact_latency_seconds"))
    srv = ex.start_http_server(0, registry=reg)
    rules = tmp / "rules.yml"
    rules.write_text(to_yaml(prometheus_rules([RULE])) + "\n")
    target = f"127.0.0.1:{srv.port}"
    cfg = tmp / "prometheus.yml"
    jobs = "".join(
        f"""  - job_name: {job}
    scrape_interval: 1s
    scrape_timeout: 1s
{params}    static_configs:
      - targets: ["{target}"]
"""
        for job, params in (
            ("protobuf", ""),
            ("openmetrics", "    params:\n      format: [openmetrics]\n"),
            ("text", "    params:\n      format: [text]\n"),
        )
    )
    cfg.write_text(f"global:\n  evaluation_interval: 1s\nrule_files:\n  - {rules}\nscrape_configs:\n{jobs}")
    port = _free_port()
    assert PROMETHEUS is not None
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={cfg}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--enable-feature=native-histograms,exemplar-storage",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "prometheus.log", "w"),  # noqa: SIM115 - closed with the process
    )
    prom = Prom(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(prom.url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, (tmp / "prometheus.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "prometheus did not become ready in 30 s"
            time.sleep(0.2)
        for job in ("protobuf", "openmetrics", "text"):
            prom.wait(f'monitor_requests_total{{job="{job}",flow="received"}} == {N}')
        yield prom, svc, values, t
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=10)
        srv.close()


def _exact_quantile(values: list[int], q: float) -> float:
    s = sorted(values)
    return s[math.ceil(q * len(s)) - 1] / 1e9


@pytest.mark.req("MON-REQ-EXPO-001")
def test_counters_are_exact_in_every_format(setup: Any) -> None:
    prom, svc, values, _ = setup
    for job in ("protobuf", "openmetrics", "text"):
        assert prom.scalar(f'monitor_requests_total{{job="{job}",flow="received"}}') == N
        assert prom.scalar(f'monitor_requests_total{{job="{job}",flow="processed"}}') == N
    for job in ("openmetrics", "text"):  # classic series (protobuf ingests the native histogram)
        assert prom.scalar(f'exact_latency_seconds_count{{job="{job}"}}') == N
        assert prom.scalar(f'exact_latency_seconds_bucket{{job="{job}",le="+Inf"}}') == N


@pytest.mark.req("MON-REQ-EXPO-002")
def test_native_histogram_count_and_sum_are_exact(setup: Any) -> None:
    prom, svc, values, _ = setup
    for name in ("exact_latency_seconds", "monitor_latency_seconds"):
        assert prom.scalar(f'histogram_count({name}{{job="protobuf"}})') == N
    got = prom.scalar('histogram_sum(exact_latency_seconds{job="protobuf"})')
    assert got == sum(values) / 1e9  # the double nearest to the exact sum, unchanged by Prometheus


@pytest.mark.parametrize("q", [0.5, 0.9, 0.99, 0.999])
@pytest.mark.req("MON-REQ-EXPO-002")
def test_promql_quantiles_are_within_the_stated_bounds(setup: Any, q: float) -> None:
    prom, svc, values, _ = setup
    exact = _exact_quantile(values, q)
    h = LatencyHistogram()
    classic_bound = ex.classic_error_bound(ex.classic_export_scale(h.scale))
    native_bound = (1 + classic_bound) * (1 + ex.native_boundary_error(h.scale)) - 1
    native = prom.scalar(f'histogram_quantile({q}, exact_latency_seconds{{job="protobuf"}})')
    classic = prom.scalar(f'histogram_quantile({q}, exact_latency_seconds_bucket{{job="text"}})')
    assert abs(native - exact) / exact <= native_bound, (q, native, exact)
    assert abs(classic - exact) / exact <= classic_bound <= ex.CLASSIC_TARGET_ERROR, (q, classic, exact)
    print(
        f"q={q}: exact {exact:.6f} s, native {native:.6f} ({(native / exact - 1):+.3%}), "
        f"classic {classic:.6f} ({(classic / exact - 1):+.3%})"
    )


def test_exemplars_arrive_through_openmetrics(setup: Any) -> None:
    prom, *_ = setup
    now = time.time()
    data = prom.get(
        "/api/v1/query_exemplars",
        query='monitor_latency_seconds_bucket{job="openmetrics"}',
        start=str(now - 300),
        end=str(now + 1),
    )
    ids = {e["labels"]["trace_id"] for series in data for e in series["exemplars"]}
    assert ids and all(len(i) == 32 for i in ids)


def test_the_same_alert_fires_in_process_and_in_prometheus(setup: Any) -> None:
    prom, svc, _, t = setup
    engine = AlertEngine([RULE], clock=lambda: t[0])
    assert not [a for a in engine.evaluate(svc.snapshot(), now=0.0) if a.kind == "firing"]
    time.sleep(2.5)  # Prometheus evaluates the rule on the quiet state for more than `for`
    assert not prom.query('ALERTS{alertname="timeouts_high"}')
    for _ in range(5):
        with svc.observe() as obs:
            obs.fail("timeout")
    kinds = [a.kind for a in engine.evaluate(svc.snapshot(), now=1.0)]
    kinds += [a.kind for a in engine.evaluate(svc.snapshot(), now=3.5)]
    assert "firing" in kinds
    res = prom.wait('ALERTS{alertname="timeouts_high", alertstate="firing"}', timeout=30)
    # one series per scrape job; the first to pass `for` is enough
    assert res and all(r["metric"]["service"] == "fraud" and r["metric"]["severity"] == "page" for r in res)
