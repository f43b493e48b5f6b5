"""ServiceMonitor: boundary instrumentation, counters, windows and rates under a fake clock,
saturation, error rates, snapshot names, thread safety, async/decorator forms, the article's
predict_with_metrics, deterministic logs, and monitoring that never breaks a request."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import math
import threading
from fractions import Fraction
from typing import Any

import pytest

from monitor import (
    BusinessRuleError,
    Categoriser,
    ErrorCategory,
    InputValidationError,
    InvalidArgumentError,
    PredictionMetrics,
    ServiceMonitor,
    StructuredLogger,
    predict_with_metrics,
)

KEY = b"k" * 16


class FakeClock:
    """Monotonic seconds, advanced explicitly (binary fractions: exact ns ticks)."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


def make(clock: FakeClock, **kw: Any) -> ServiceMonitor:
    kw.setdefault("logger", False)
    return ServiceMonitor("fraud", "v3.2.1", clock=clock, **kw)


def request(
    svc: ServiceMonitor,
    clock: FakeClock,
    latency: float,
    *,
    exc: BaseException | None = None,
    stage: str | None = None,
    prediction: Any = 0.5,
    confidence: Any = 0.9,
    rid: str = "r",
) -> None:
    try:
        with svc.observe(request_id=rid, input={"amount": 1}) as obs:
            clock.advance(latency)
            if exc is not None:
                if stage:
                    with obs.stage(stage):
                        raise exc
                raise exc
            obs.record(prediction=prediction, confidence=confidence)
    except BaseException as e:  # noqa: B036 - re-raise check below
        assert e is exc


# -- the article's snippets ------------------------------------------------------------------


class Model:
    version = "v3.2.1"

    def predict(self, input_data: Any) -> float:
        if input_data == ["boom"]:
            raise RuntimeError("CUDA error")
        return 0.73


@pytest.mark.req("MON-REQ-PY-003")
def test_predict_with_metrics_as_in_article(caplog: pytest.LogCaptureFixture) -> None:
    model = Model()
    input_data = [1.0, 2.0, 3.0]
    caplog.set_level(logging.INFO, logger="monitor.service")
    result, metrics = predict_with_metrics(model, input_data)
    assert result == 0.73
    assert isinstance(metrics, PredictionMetrics)
    assert metrics.model_version == "v3.2.1" and metrics.input_size == 3
    assert metrics.cache_hit is False and metrics.error is None and metrics.latency_ms >= 0
    rec = caplog.records[-1]
    assert rec.getMessage() == "prediction_complete" and rec.status == "success"  # type: ignore[attr-defined]

    with pytest.raises(RuntimeError, match="CUDA") as ei:
        predict_with_metrics(model, ["boom"])
    m = ei.value.prediction_metrics  # type: ignore[attr-defined]
    assert m.error == "RuntimeError" and m.error_category is ErrorCategory.MODEL_INFERENCE
    assert caplog.records[-1].status == "error"  # type: ignore[attr-defined]
    # The article's dataclass signature still works positionally.
    PredictionMetrics(47.3, "v3", 10, False)


def test_predict_with_metrics_with_monitor() -> None:
    clock = FakeClock()
    svc = make(clock)
    _, m = predict_with_metrics(Model(), [1], monitor=svc, request_id="a")
    assert m.request_id == "a" and m.error is None
    with pytest.raises(RuntimeError):
        predict_with_metrics(Model(), ["boom"], monitor=svc)
    t = svc.totals()
    assert (t["received"], t["processed"], t["failed"], t["model_inference"]) == (2, 1, 1, 1)


def test_predict_with_metrics_rejects_bad_model() -> None:
    with pytest.raises(InvalidArgumentError, match="callable predict"):
        predict_with_metrics(object(), [1])

    class NotCallable:
        predict = 3

    with pytest.raises(InvalidArgumentError):
        predict_with_metrics(NotCallable(), [1])


# -- counters, windows, rates, saturation -----------------------------------------------------


@pytest.mark.req("MON-REQ-PY-003")
def test_signals_exact_under_fake_clock() -> None:
    clock = FakeClock(1000.0)
    svc = make(clock, window_s=10.0, slots=10, capacity_rps=4.0, capacity_concurrency=8)
    # 8 successes of 50 ms, 1 timeout, 1 input error, 1 low-confidence, then 1 in flight
    for _ in range(8):
        request(svc, clock, 0.0625)
        clock.advance(0.4375)  # one request every 0.5 s
    request(svc, clock, 0.125, exc=TimeoutError("slow"))
    request(svc, clock, 0.0, exc=KeyError("amount"), stage="validation")
    request(svc, clock, 0.0625, confidence=0.1)
    obs = svc.observe(request_id="pending")
    obs.__enter__()
    svc.reject("r-shed")
    clock.advance(0.25)  # now = 1000 + 8*0.5 + 0.125 + 0.0625 + 0.25 = 1004.4375

    snap = svc.snapshot()
    thr = snap.throughput
    assert (thr.received, thr.processed, thr.failed, thr.dropped, thr.in_flight) == (13, 9, 2, 1, 1)
    # low confidence is not a failure without a threshold: processed counts it
    assert thr.gap == 13 - 9 == thr.failed + thr.dropped + thr.in_flight
    assert thr.window_received == 13
    span = Fraction(4.4375)  # window [1000, now]: less than the 10 s window has elapsed
    assert thr.window_s == float(span)
    assert thr.received_rps == float(13 / span)
    assert thr.processed_rps == float(9 / span)
    assert snap.saturation == max(float(13 / span) / 4.0, 1 / 8)
    assert snap.errors.count["timeout"] == 1 and snap.errors.count["input_validation"] == 1
    assert snap.errors.rate["timeout"] == 1 / 13
    assert snap.get("errors.rate.input_validation") == 1 / 13
    assert snap.errors.total_rate == 2 / 13
    assert thr.gap_ratio == (13 - 9) / 13
    lat = snap.latency
    assert lat.count == 11
    # nearest rank over {0 ms, 62.5 ms x9, 125 ms}: P50 = P90 = 62.5, P99 = P99.9 = 125
    for got, want in ((lat.p50_ms, 62.5), (lat.p90_ms, 62.5), (lat.p99_ms, 125.0), (lat.p999_ms, 125.0)):
        assert abs(got - want) <= 0.01 * want
    obs.__exit__(None, None, None)


def test_window_slides_and_rates_drop() -> None:
    clock = FakeClock(0.0)
    svc = make(clock, window_s=4.0, slots=4, capacity_rps=10.0)
    for _ in range(20):
        request(svc, clock, 0.0)
        clock.advance(0.25)  # 20 requests in [0, 5)
    snap = svc.snapshot()  # now = 5.0: window = slots for [2, 3), [3, 4), [4, 5), [5, 6)
    assert snap.throughput.window_received == 12
    assert snap.throughput.window_s == 3.0
    assert snap.throughput.received_rps == 4.0
    assert snap.saturation == 0.4
    assert snap.throughput.received == 20
    clock.advance(100.0)
    snap = svc.snapshot()
    assert snap.throughput.window_received == 0 and snap.throughput.received_rps == 0.0
    assert math.isnan(snap.latency.p99_ms) and snap.latency.count == 0
    assert snap.errors.rate["timeout"] == 0.0
    assert snap.throughput.received == 20  # totals stay


def test_first_slot_is_not_a_spike() -> None:
    clock = FakeClock(10.0)
    svc = make(clock, window_s=60.0, slots=60)
    request(svc, clock, 0.0)
    snap = svc.snapshot()  # 0 s elapsed: rates use at least one slot (1 s)
    assert snap.throughput.received_rps == 1.0 and snap.throughput.window_s == 1.0


def test_snapshot_names_and_frozen() -> None:
    class Drift:
        def __init__(self) -> None:
            self.batches: list[Any] = []

        def update(self, batch: Any) -> None:
            self.batches.append(batch)

        def evaluate(self) -> list[Any]:
            R = dataclasses.make_dataclass("R", ["name", "psi", "tv", "js", "js_distance"])
            Report = dataclasses.make_dataclass("Report", ["features"])
            return Report(
                (
                    R("amount", 0.3, 0.2, 0.01, 0.1),
                    R("hour", 0.01, 0.02, 0.0009, 0.03),
                    R("empty", None, None, None, None),
                )
            )

    clock = FakeClock()
    drift = Drift()
    svc = make(clock, capacity_concurrency=4, drift=drift)
    with svc.observe(request_id="a", features=[[1.0, 2.0]]) as obs:
        obs.record(prediction=1)
    with pytest.raises(InputValidationError):
        with svc.observe(request_id="b", features=[[9.0, 9.0]]):
            raise InputValidationError("bad")
    assert drift.batches == [[[1.0, 2.0]]]  # invalid inputs do not feed drift
    snap = svc.snapshot()
    names = snap.signals()
    required = [
        "latency.p50_ms",
        "latency.p90_ms",
        "latency.p99_ms",
        "latency.p999_ms",
        "throughput.received",
        "throughput.processed",
        "throughput.dropped",
        "throughput.received_rps",
        "throughput.processed_rps",
        "throughput.dropped_rps",
        "throughput.in_flight",
        "throughput.gap",
        "saturation",
        "drift.amount.psi",
        "drift.amount.tv",
        "drift.amount.js",
        "drift.hour.psi",
    ] + [f"errors.rate.{c.value}" for c in ErrorCategory]
    for name in required:
        assert name in names and isinstance(names[name], float)
        assert snap.get(name) == names[name] or math.isnan(names[name])
    assert snap.get("drift.amount.psi") == 0.3 and snap.get("drift.hour.js") == 0.0009
    assert snap.drift["amount"].tv == 0.2 and snap.drift["hour"].js_distance == 0.03
    assert math.isnan(snap.get("drift.empty.psi"))
    assert snap.get("throughput.received") == 2.0
    with pytest.raises(KeyError, match="errors.rate"):
        snap.get("errors.rate.timeouts")
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.saturation = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        names["saturation"] = 1.0  # type: ignore[index]


def test_outputs_and_outcomes() -> None:
    clock = FakeClock()
    svc = make(clock, confidence_threshold=0.5)
    request(svc, clock, 0.0, prediction=math.nan)
    request(svc, clock, 0.0, confidence=0.2)
    request(svc, clock, 0.0, exc=BusinessRuleError("limit"))
    request(svc, clock, 0.0, exc=MemoryError())
    request(svc, clock, 0.0, exc=asyncio.CancelledError())  # abandoned: dropped
    with svc.observe() as obs:
        obs.drop("queue full")
    with svc.observe() as obs:
        obs.fail("business_logic", "manual review")
    svc.record_error(ErrorCategory.BUSINESS_LOGIC, request_id="old", message="chargeback")
    with pytest.raises(InvalidArgumentError):
        svc.record_error("nope")
    with svc.observe() as obs, pytest.raises(InvalidArgumentError):
        obs.fail("nope")
    t = svc.totals()
    assert t == {
        "received": 8,
        "processed": 1,
        "dropped": 2,
        "failed": 5,
        "in_flight": 0,
        "infrastructure": 1,
        "input_validation": 0,
        "model_inference": 2,
        "business_logic": 3,
        "timeout": 0,
    }
    assert svc.internal_errors == 0


@pytest.mark.req("MON-REQ-THREAD-001")
def test_thread_safety_exact_totals() -> None:
    svc = ServiceMonitor("svc", "v1", logger=False)
    n_threads, per = 8, 2000
    barrier = threading.Barrier(n_threads)

    def worker(k: int) -> None:
        barrier.wait()
        for i in range(per):
            try:
                with svc.observe(request_id=f"{k}-{i}") as obs:
                    if i % 4 == 0:
                        raise TimeoutError
                    if i % 4 == 1:
                        obs.drop()
            except TimeoutError:
                pass

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t = svc.totals()
    total = n_threads * per
    assert t["received"] == total and t["in_flight"] == 0
    assert t["failed"] == t["timeout"] == total // 4
    assert t["dropped"] == total // 4 and t["processed"] == total // 2
    assert svc.snapshot().latency.count == total


def test_decorator_and_async_forms() -> None:
    clock = FakeClock()
    svc = make(clock)

    @svc.instrument
    def score(x: float) -> float:
        clock.advance(0.125)
        return x * 2

    @svc.instrument(stage="model")
    async def ascore(x: float) -> float:
        clock.advance(0.125)
        await asyncio.sleep(0)
        if x < 0:
            raise ValueError("negative")
        return x

    async def handler() -> float:
        async with svc.observe(request_id="async") as obs:
            obs.record(prediction=await ascore(1.0))
        return 1.0

    assert score(2.0) == 4.0 and score.__name__ == "score"
    assert asyncio.run(ascore(3.0)) == 3.0
    with pytest.raises(ValueError):
        asyncio.run(ascore(-1.0))
    asyncio.run(handler())
    t = svc.totals()
    assert (t["received"], t["processed"], t["model_inference"]) == (5, 4, 1)
    with pytest.raises(InvalidArgumentError, match="callable"):
        svc.instrument(42)  # type: ignore[arg-type]


def test_logs_deterministic_and_safe() -> None:
    clock = FakeClock(1000.0)
    buf = io.StringIO()
    log = StructuredLogger("fraud", stream=buf, clock=lambda: 1769191200.0, hash_key=KEY)
    svc = ServiceMonitor("fraud", "v3.2.1", clock=clock, logger=log)
    with svc.observe(
        request_id="r1",
        input={"card": "4111 1111 1111 1111"},
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
        span_id="00f067aa0ba902b7",
    ) as obs:
        clock.advance(0.046875)
        obs.record(prediction=0.73, confidence=0.89, cache_hit=False)
    with pytest.raises(TimeoutError):
        with svc.observe(request_id='r2\n{"event":"forged"}'):
            clock.advance(0.1484375)
            raise TimeoutError("Model inference exceeded 100ms timeout")
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and "4111" not in buf.getvalue()
    h = log.input_hash({"card": "4111 1111 1111 1111"})
    assert lines[0] == (
        '{"timestamp":"2026-01-23T18:00:00.000000Z","service":"fraud",'
        '"event":"prediction_complete","level":"info","request_id":"r1",'
        '"model_version":"v3.2.1","latency_ms":46.875,"input_hash":"' + str(h) + '",'
        '"prediction":0.73,"confidence":0.89,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",'
        '"span_id":"00f067aa0ba902b7","cache_hit":false}'
    )
    rec = json.loads(lines[1])
    assert rec["event"] == "prediction_error" and rec["level"] == "error"
    assert rec["request_id"] == 'r2\n{"event":"forged"}'
    assert rec["error_type"] == "TimeoutError" and rec["error_category"] == "timeout"
    assert rec["latency_ms"] == 148.438


def test_success_logging_can_be_off_or_sampled() -> None:
    clock = FakeClock()
    buf = io.StringIO()
    log = StructuredLogger("s", stream=buf, clock=lambda: 0.0, hash_key=KEY, success_sample_rate=0.5)
    svc = ServiceMonitor("s", "v", clock=clock, logger=log)
    for _ in range(10):
        request(svc, clock, 0.0)
    request(svc, clock, 0.0, exc=RuntimeError())
    assert len(buf.getvalue().splitlines()) == 5 + 1
    buf2 = io.StringIO()
    svc2 = ServiceMonitor(
        "s", "v", clock=clock, log_success=False, logger=StructuredLogger("s", stream=buf2, hash_key=KEY)
    )
    request(svc2, clock, 0.0)
    request(svc2, clock, 0.0, exc=RuntimeError())
    assert [json.loads(x)["event"] for x in buf2.getvalue().splitlines()] == ["prediction_error"]


@pytest.mark.req("MON-REQ-PY-003")
def test_monitor_failures_never_reach_the_request() -> None:
    class BrokenStream:
        def write(self, s: str) -> int:
            raise OSError("disk full")

    class BrokenDrift:
        def update(self, batch: Any) -> None:
            raise RuntimeError("drift bug")

        def evaluate(self) -> list[Any]:
            return []

    clock = FakeClock()
    log = StructuredLogger("s", stream=BrokenStream(), hash_key=KEY)  # type: ignore[arg-type]
    svc = ServiceMonitor("s", "v", clock=clock, logger=log, drift=BrokenDrift())
    with svc.observe(request_id="a", features=[[1.0]]) as obs:
        obs.record(prediction=1.0)
    with pytest.raises(KeyError):  # the request's own error is still raised, unchanged
        with svc.observe(request_id="b", features=[[1.0]]):
            raise KeyError("x")
    assert svc.internal_errors == 2 and log.failures == 2
    assert svc.totals()["processed"] == 1
    # a Observation exited twice: the second end is refused by C and only counted
    obs = svc.observe()
    obs.__enter__()
    obs.__exit__(None, None, None)
    svc2 = ServiceMonitor("s", "v", clock=clock, logger=False)
    o2 = svc2.observe()
    o2.__exit__(None, None, None)  # never entered
    assert svc2.internal_errors == 1 and svc2.totals()["processed"] == 0


def test_construction_errors() -> None:
    bad: list[dict[str, Any]] = [
        {"capacity_rps": -1.0},
        {"capacity_rps": math.inf},
        {"capacity_concurrency": 0},
        {"capacity_concurrency": 2.5},
        {"window_s": 0},
        {"window_s": 1e300},
        {"window_s": 1e-12, "slots": 10},
        {"slots": 0},
        {"slots": 10**6},
        {"clock": 3},
        {"categoriser": "timeout"},
        {"categoriser": Categoriser(), "confidence_threshold": 0.5},
        {"confidence_threshold": "high"},
        {"drift": object()},
        {"logger": "stdout"},
        {"latency_config": {"no_such_option": 1}},
    ]
    for kw in bad:
        with pytest.raises(InvalidArgumentError):
            ServiceMonitor("svc", "v1", **kw)
    with pytest.raises(InvalidArgumentError, match="service"):
        ServiceMonitor("", "v1")
    with pytest.raises(InvalidArgumentError, match="model_version"):
        ServiceMonitor("svc", 3)  # type: ignore[arg-type]


def test_real_drift_monitor_integration() -> None:
    """With the real DriftMonitor (skipped until it is merged): features fed through observe()
    give drift.<feature>.* signals equal to the monitor's own report."""
    dm_mod = pytest.importorskip("monitor.drift_monitor")
    ref_mod = pytest.importorskip("monitor.reference")
    import numpy as np

    rng = np.random.default_rng(7)
    ref = ref_mod.Reference.fit(rng.standard_normal((2000, 2)), bins=8)
    dm = dm_mod.DriftMonitor(ref, window=200, slots=4)
    clock = FakeClock()
    svc = make(clock, drift=dm)
    empty = svc.snapshot()  # empty window: every feature's signals are NaN (no data), no error
    assert set(empty.drift) == {"f0", "f1"} and math.isnan(empty.get("drift.f0.psi"))
    assert svc.internal_errors == 0
    for i in range(50):
        with svc.observe(request_id=str(i), features=rng.normal(0.5, 1.0, (4, 2))) as obs:
            obs.record(prediction=0.5)
    snap = svc.snapshot()
    report = dm.evaluate()
    for f in report.features:
        assert snap.get(f"drift.{f.name}.psi") == f.psi
        assert snap.get(f"drift.{f.name}.tv") == f.tv
        assert snap.get(f"drift.{f.name}.js") == f.js
        assert snap.get(f"drift.{f.name}.nan_rate") == f.nan_rate
        assert snap.get(f"drift.{f.name}.out_of_range_rate") == f.out_of_range_rate


def test_trace_context_from_opentelemetry() -> None:
    from monitor.logs import otel_trace_context

    clock = FakeClock()
    buf = io.StringIO()
    log = StructuredLogger("s", stream=buf, clock=lambda: 0.0, hash_key=KEY)
    svc = ServiceMonitor("s", "v", clock=clock, logger=log, trace_context=otel_trace_context)
    with svc.observe(request_id="no-span"):
        pass
    rec = json.loads(buf.getvalue().splitlines()[-1])
    assert "trace_id" not in rec
    trace = pytest.importorskip("opentelemetry.trace")
    sdk = pytest.importorskip("opentelemetry.sdk.trace")
    tracer = sdk.TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("predict") as span:
        with svc.observe(request_id="in-span"):
            pass
        ctx = span.get_span_context()
    rec = json.loads(buf.getvalue().splitlines()[-1])
    assert rec["trace_id"] == f"{ctx.trace_id:032x}" and len(rec["trace_id"]) == 32
    assert rec["span_id"] == f"{ctx.span_id:016x}"
    assert trace.get_current_span().get_span_context().is_valid is False
    with pytest.raises(InvalidArgumentError, match="trace_context"):
        ServiceMonitor("s", "v", trace_context="otel")  # type: ignore[arg-type]


def test_slots_are_bounded_by_the_latency_window() -> None:
    """One latency histogram per slot, allocated at once: slots above the ring's limit are
    refused with the reason, not allocated."""
    from monitor.latency.window import RING_MAX_SLOTS

    ServiceMonitor("s", "v", slots=RING_MAX_SLOTS, window_s=RING_MAX_SLOTS, logger=False)
    with pytest.raises(InvalidArgumentError, match="one histogram per slot"):
        ServiceMonitor("s", "v", slots=RING_MAX_SLOTS + 1, logger=False)
