"""The exposition under 8 threads: requests recorded (with trace ids and stages) while scrapes
run, registrations racing collections, and 8 concurrent clients of the standalone server; the
final scrape's counters are exact."""

from __future__ import annotations

import threading
import urllib.request

import pytest

from monitor import ServiceMonitor
from monitor import exposition as ex

THREADS = 8
PER_THREAD = 300


@pytest.mark.slow
def test_recording_registering_and_scraping_from_8_threads() -> None:
    svc = ServiceMonitor("svc", "v1", logger=False)
    reg = ex.Registry()
    reg.register(svc)
    stop = threading.Event()
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS + 3)

    def record(k: int) -> None:
        barrier.wait()
        try:
            for i in range(PER_THREAD):
                with svc.observe(trace_id=f"{k}-{i}") as obs:
                    with obs.stage(f"stage{i % 3}"):
                        pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def scrape() -> None:
        barrier.wait()
        try:
            while not stop.is_set():
                for fmt in ("text", "openmetrics", "protobuf"):
                    ex.render(reg, query=f"format={fmt}")
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    def churn() -> None:
        barrier.wait()
        try:
            while not stop.is_set():
                other = ServiceMonitor("other", "v1", logger=False)
                reg.register(other)
                reg.collect()
                reg.unregister(other)
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    rec = [threading.Thread(target=record, args=(k,)) for k in range(THREADS)]
    aux = [threading.Thread(target=scrape), threading.Thread(target=scrape), threading.Thread(target=churn)]
    for th in rec + aux:
        th.start()
    for th in rec:
        th.join(timeout=120)
    stop.set()
    for th in aux:
        th.join(timeout=60)
    assert not errors and svc.internal_errors == 0
    text = ex.render_text(reg.collect())
    n = THREADS * PER_THREAD
    assert f'monitor_requests_total{{service="svc",model_version="v1",flow="processed"}} {n}' in text
    assert f'monitor_latency_seconds_count{{service="svc",model_version="v1"}} {n}' in text
    total_stage = sum(h.count for h in svc.stage_latency().values())
    assert total_stage == n


@pytest.mark.slow
def test_8_concurrent_clients_of_the_server() -> None:
    svc = ServiceMonitor("svc", "v1", logger=False)
    for _ in range(10):
        with svc.observe():
            pass
    reg = ex.Registry()
    reg.register(svc)
    bodies: list[bytes] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    with ex.start_http_server(0, registry=reg) as srv:

        def client() -> None:
            try:
                for _ in range(5):
                    with urllib.request.urlopen(srv.url, timeout=30) as r:
                        b = r.read()
                    with lock:
                        bodies.append(b)
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)

        ths = [threading.Thread(target=client) for _ in range(THREADS)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(timeout=120)
    assert not errors and len(bodies) == THREADS * 5
    assert all(b'flow="received"} 10\n' in b for b in bodies)
