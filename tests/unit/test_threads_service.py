"""8-thread stress of the thread-safe objects of the service / latency area (docs/thread-safety.md):
exact totals, and every snapshot read while the threads run is one consistent state."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from monitor import LatencyHistogram, ServiceMonitor, WindowedLatencyHistogram
from monitor.counters import ServiceCounters
from monitor.latency.window import TickClock

N_THREADS = 8


def _run(work: Callable[[int], None], reader: Callable[[], None] | None = None) -> None:
    go = threading.Barrier(N_THREADS + (reader is not None))
    done = threading.Event()
    errors: list[BaseException] = []

    def wrap(k: int) -> None:
        try:
            go.wait()
            work(k)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        go.wait()
        try:
            while not done.is_set():
                assert reader is not None
                reader()
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(k,)) for k in range(N_THREADS)]
    rt = threading.Thread(target=read) if reader is not None else None
    for t in threads:
        t.start()
    if rt is not None:
        rt.start()
    for t in threads:
        t.join()
    done.set()
    if rt is not None:
        rt.join()
    assert not errors, errors


@pytest.mark.req("MON-REQ-THREAD-001")
def test_service_monitor_totals_exact_and_snapshots_consistent() -> None:
    svc = ServiceMonitor("s", "v", logger=False)
    per = 1_500
    seen = [0]

    def work(k: int) -> None:
        for i in range(per):
            try:
                with svc.observe() as obs:
                    if i % 5 == 0:
                        raise ValueError("bad input")
                    if i % 7 == 0:
                        obs.drop("shed")
                    obs.record(prediction=1.0)
            except ValueError:
                pass
            if i % 50 == 0:
                svc.reject()

    def read() -> None:
        t = svc.totals()
        assert t["received"] == t["processed"] + t["failed"] + t["dropped"] + t["in_flight"]
        assert 0 <= t["in_flight"] <= 2 * N_THREADS
        snap = svc.snapshot()
        th = snap.throughput
        assert th.received == th.processed + th.failed + th.dropped + th.in_flight
        seen[0] += 1

    _run(work, read)
    t = svc.totals()
    fails = sum(1 for i in range(per) if i % 5 == 0)
    drops = sum(1 for i in range(per) if i % 5 and i % 7 == 0)
    rejects = sum(1 for i in range(per) if i % 50 == 0)
    assert t["received"] == N_THREADS * (per + rejects)
    assert t["failed"] == N_THREADS * fails
    assert t["dropped"] == N_THREADS * (drops + rejects)
    assert t["processed"] == N_THREADS * (per - fails - drops)
    assert t["in_flight"] == 0 and svc.internal_errors == 0 and seen[0] > 0
    assert svc.snapshot().latency.count == N_THREADS * per


@pytest.mark.req("MON-REQ-THREAD-001")
def test_latency_histogram_exact() -> None:
    h = LatencyHistogram()
    per = 3_000

    def work(k: int) -> None:
        for i in range(per):
            h.record_ms(1.0 + k)
            h.record_ns(1_000 * (i + 1))
            h.record_many([5_000, 6_000])
        h.record_ms(float("nan"))

    _run(work)
    assert h.count == N_THREADS * per * 4 and h.invalid == N_THREADS
    assert h.sum == N_THREADS * per * 11_000 + N_THREADS * (1_000 * per * (per + 1) // 2) + per * 10**6 * sum(
        1 + k for k in range(N_THREADS)
    )


@pytest.mark.req("MON-REQ-THREAD-001")
def test_windowed_histogram_exact_with_rotation() -> None:
    clock_lock = threading.Lock()
    now = [0.0]

    def clock() -> float:
        with clock_lock:
            now[0] += 0.001  # every reading advances: slots rotate during the run
            return now[0]

    w = WindowedLatencyHistogram(window_s=3600, slots=6, clock=clock)
    per = 1_000

    def work(k: int) -> None:
        for _ in range(per):
            w.record_ms(2.0)
            w.record_ns(5_000)

    _run(work, lambda: w.window())
    assert w.count + w.late == 2 * N_THREADS * per


@pytest.mark.req("MON-REQ-THREAD-001")
def test_service_counters_exact() -> None:
    c = ServiceCounters(slot_ticks=10, start_tick=0, slots=8)
    per = 4_000

    def work(k: int) -> None:
        for i in range(per):
            c.begin(i)
            assert c.ok(i) == 0

    def read() -> None:
        t = c.totals()
        assert t.received == t.processed + t.failed + t.dropped + t.in_flight

    _run(work, read)
    t = c.totals()
    assert t.received == t.processed == N_THREADS * per and t.in_flight == 0


@pytest.mark.req("MON-REQ-THREAD-001", "MON-REQ-CLOCK-001")
def test_tick_clock_never_goes_back_per_thread() -> None:
    lock = threading.Lock()
    now = [0]

    def clock() -> float:
        with lock:
            now[0] += 1
            return now[0] * 1e-6

    tc = TickClock(clock)

    def work(k: int) -> None:
        last = -1
        for _ in range(3_000):
            t = tc.now()
            assert t >= last
            last = t

    _run(work)
    assert tc.steps_back == 0 and tc.faults == 0
    assert tc.newest <= now[0] * 1000
