"""``python -m monitor demo``: the four signals, alerts and logs of a simulated model service.

A synthetic fraud-scoring service runs for 20 minutes of *virtual* time (an injected clock, a
fixed seed: the output is identical on every run and platform). Along the way:

- minutes 5-9: a misbehaving client sends malformed payloads (input-validation errors);
- minutes 10-14: a slow dependency stretches the latency tail and causes timeouts;
- from minute 12: the ``amount`` feature drifts away from the training distribution.

Every request goes through :class:`~monitor.ServiceMonitor` (latency at the boundary, counters,
error categories, drift, JSON logs); an :class:`~monitor.AlertEngine` evaluates the article's
kind of rules (symptoms, durations, per-category thresholds) every 30 virtual seconds. The demo
prints a one-line status per minute, each alert transition as it happens, and a summary.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from typing import TextIO

import numpy as np

from .alerts import AlertEngine, Rule
from .categories import InputValidationError
from .drift_monitor import DriftMonitor
from .latency import LatencyHistogram
from .logs import StructuredLogger
from .reference import Reference
from .service import ServiceMonitor

SEED = 20260123  # the article's publication date
RPS = 40  # requests per virtual second
MINUTES = 20
EPOCH = 1_769_191_200.0  # 2026-01-23T18:00:00Z, for deterministic log timestamps
FEATURES = ["amount", "merchant_risk"]


class _VirtualClock:
    """Monotonic seconds that only move when the simulation says so."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _training(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.column_stack([np.exp(rng.normal(3.5, 0.8, n)), rng.beta(2, 5, n)])


def _rules() -> list[Rule]:
    return [
        # Symptom + duration: the article's "P99 latency > 500ms for 5 minutes", scaled to the
        # demo's 20 minutes; clears only below 200 ms (hysteresis).
        Rule(
            "latency_p99_high",
            "latency.p99_ms",
            ">",
            "250ms",
            clear="200ms",
            for_="2m",
            severity="page",
            summary="P99 latency above 250 ms for 2 minutes",
        ),
        # Per-category thresholds (the article: infrastructure critical at 2%, input at 5%).
        Rule("timeouts", "errors.rate.timeout", ">", "2%", for_="1m", severity="page", route="platform"),
        Rule(
            "input_validation_errors",
            "errors.rate.input_validation",
            ">",
            "5%",
            for_="2m",
            severity="ticket",
            route="client-team",
        ),
        # Leading indicator: input drift (the article's PSI > 0.25 band).
        Rule("amount_drift", "drift.amount.psi", ">", 0.25, for_="2m", severity="ticket", route="ml"),
        Rule("saturation_high", "saturation", ">", 0.8, for_="2m", severity="ticket"),
    ]


def run_demo(out: TextIO, on_monitor: Callable[[ServiceMonitor], object] | None = None) -> int:
    """The demo; ``on_monitor`` gets its ServiceMonitor first (``monitor demo --serve``)."""
    rng = np.random.default_rng(SEED)
    w = out.write
    clock = _VirtualClock()
    logs = io.StringIO()
    logger = StructuredLogger(
        "fraud-model",
        stream=logs,
        clock=lambda: EPOCH + clock.t,
        hash_key=b"demo-key-rotate-me",
        success_sample_rate=0.01,
    )
    reference = Reference.fit(_training(rng, 50_000), bins=10, names=FEATURES)
    drift = DriftMonitor(reference, window=4_800, slots=4)  # the last ~2 minutes of rows
    svc = ServiceMonitor(
        "fraud-model",
        "v3.2.1",
        clock=clock,
        window_s=60.0,
        slots=6,
        capacity_rps=60.0,
        drift=drift,
        logger=logger,
    )
    if on_monitor is not None:
        on_monitor(svc)
    alerts: list[str] = []
    engine = AlertEngine(_rules(), clock=clock, logger=logger)

    w("monitor demo: a simulated fraud-scoring service, 20 virtual minutes at 40 requests/s\n")
    w("incidents: bad client (min 5-9), slow dependency (min 10-14), amount drift (from min 12)\n\n")
    w(" min |  req/s |  p50 ms |  p99 ms | p99.9 ms | input err | timeout | satur. | PSI amount\n")
    w("-----+--------+---------+---------+----------+-----------+---------+--------+-----------\n")
    dt = 1.0 / RPS
    request = 0
    for second in range(MINUTES * 60):
        minute = second // 60
        bad_client = 5 <= minute < 10
        slow_dependency = 10 <= minute < 15
        shift = max(0.0, (second - 12 * 60) / 60.0) * 0.15  # log-scale drift of amount
        for k in range(RPS):
            request += 1
            clock.t = second + k * dt
            amount = float(math.exp(rng.normal(3.5 + shift, 0.8)))
            risk = float(rng.beta(2, 5))
            latency = float(rng.lognormal(math.log(0.018), 0.35))
            if slow_dependency and rng.random() < 0.12:
                latency += float(rng.uniform(0.25, 0.6))
            payload = {"amount": amount, "merchant_risk": risk}
            if bad_client and rng.random() < 0.09:
                payload["amount"] = -1.0
            try:
                with svc.observe(
                    request_id=f"req-{request}", input=payload, features=[[amount, risk]]
                ) as obs:
                    with obs.stage("validation"):
                        if payload["amount"] < 0:
                            raise InputValidationError("input amount must be >= 0")
                    with obs.stage("model"):
                        clock.t += min(latency, 0.5)
                        if latency > 0.5:
                            raise TimeoutError("model inference exceeded 500ms timeout")
                    score = 1.0 / (1.0 + math.exp(-(math.log(amount) - 4.0)))
                    obs.record(prediction=round(score, 4), confidence=0.89)
            except (InputValidationError, TimeoutError):
                pass  # categorised, counted and logged by the monitor; the caller handles it
        clock.t = second + 1.0
        if (second + 1) % 30 == 0:
            snap = svc.snapshot()
            for alert in engine.evaluate(snap):
                if alert.kind in ("firing", "resolved"):
                    line = (
                        f"  >> {alert.kind.upper():8s} {alert.rule:24s} severity="
                        f"{alert.severity.value:6s} route={alert.route or '-':11s} "
                        f"value={_fmt(alert.value)}"
                    )
                    alerts.append(f"min {clock.t / 60:4.1f}: {line.strip()}")
                    w(line + "\n")
            if (second + 1) % 60 == 0:
                s = snap.signals()
                w(
                    f" {minute + 1:3d} | {s['throughput.received_rps']:6.1f} | "
                    f"{s['latency.p50_ms']:7.1f} | {s['latency.p99_ms']:7.1f} | "
                    f"{s['latency.p999_ms']:8.1f} | {s['errors.rate.input_validation']:9.2%} | "
                    f"{s['errors.rate.timeout']:7.2%} | {s['saturation']:6.2f} | "
                    f"{s['drift.amount.psi']:10.3f}\n"
                )

    snap = svc.snapshot()
    t = snap.throughput
    w("\nsummary\n")
    w(
        f"  requests received {t.received}, processed {t.processed}, failed {t.failed}, "
        f"dropped {t.dropped}; errors by category: "
        + ", ".join(f"{k} {v}" for k, v in snap.errors.count.items() if v)
        + "\n"
    )
    w(
        f"  alert transitions: {len(alerts)}; still active: "
        f"{', '.join(sorted(a.rule for a in engine.active())) or 'none'}\n"
    )
    lines = logs.getvalue().splitlines()
    error_line = next(
        line for line in lines if '"event":"prediction_error"' in line or '"level":"error"' in line
    )
    w(f"  structured log: {len(lines)} JSON lines (successes sampled at 1%); one error line:\n")
    w("  " + error_line + "\n")
    assert json.loads(error_line)  # every line is one JSON object
    w(
        f"  fixed memory: latency {6} x {LatencyHistogram().nbytes} bytes (one histogram per "
        f"10 s slot), drift {drift.memory_bytes} bytes of counts; nothing grows with traffic\n"
    )
    return 0


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.4g}"
