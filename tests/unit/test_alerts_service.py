"""Integration with the service layer's Snapshot (monitor.service, built in parallel): every
signal name it produces is a known signal, and its counters feed burn-rate rules. Skipped on a
branch without monitor.service."""

from __future__ import annotations

import pytest

from monitor import AlertEngine, Rule, slo_burn_rate_rules
from monitor.alerts import check_signal


def test_service_snapshot_feeds_the_engine() -> None:
    service = pytest.importorskip("monitor.service")
    t = [0.0]
    svc = service.ServiceMonitor("fraud-model", "v1", clock=lambda: t[0], capacity_rps=100, logger=False)
    for _ in range(50):
        with svc.observe():
            t[0] += 0.02
    snap = svc.snapshot()
    for name in snap.signals():
        assert check_signal(name) == name
    rules = [
        Rule("p99", "latency.p99_ms", ">", "10ms"),
        *slo_burn_rate_rules(
            "availability",
            "99.9%",
            total="throughput.received",
            bad=["throughput.failed", "throughput.dropped"],
        ),
    ]
    eng = AlertEngine(rules)
    eng.validate_against(snap)
    assert [(a.rule, a.kind) for a in eng.evaluate(snap, now=t[0])] == [("p99", "firing")]
