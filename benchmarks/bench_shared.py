"""Recording across worker processes: monitor's shared segment (monitor.shared) vs in-process
memory vs prometheus_client in its multiprocess mode (PROMETHEUS_MULTIPROC_DIR), the peer
pre-fork users run today. Same process, same run, interleaved, minimum of the repeats of this
thread's CPU time (the 2 cores are shared with other jobs).

1. one latency observation: ``LatencyHistogram.record_s`` on in-process memory and on the
   segment's mmap vs ``prometheus_client.Histogram.observe`` (multiprocess mode; goal: ours
   >= 5x faster);
2. one request through ``ServiceMonitor.observe()`` (empty body, logging off): in-process vs
   shared (goal: overhead <= 20%) vs the prometheus_client equivalent (received counter,
   latency histogram with ``time()``, processed counter, multiprocess mode);
3. collection for a scrape with 4 worker processes: ours (totals + latency histogram as text,
   one segment) vs ``MultiProcessCollector`` + ``generate_latest`` (one file per worker pid).

Run: ``python benchmarks/bench_shared.py`` (needs prometheus_client).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from importlib.metadata import version as _version

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PROM_DIR = tempfile.mkdtemp(prefix="bench-prom-mp-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = PROM_DIR  # read by prometheus_client at import

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

from monitor import LatencyHistogram, ServiceMonitor  # noqa: E402
from monitor.exposition import Registry, prometheus_text, render  # noqa: E402
from monitor.shared import SharedSegment, segment_path  # noqa: E402

from _common import write_results  # noqa: E402

REPEAT = 9
PROTOBUF = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"


def cpu_min(fn, number: int) -> float:  # type: ignore[no-untyped-def]
    """Minimum over REPEAT loops of this thread's CPU seconds per call."""
    fn()
    best = float("inf")
    for _ in range(REPEAT):
        t0 = time.thread_time_ns()
        for _ in range(number):
            fn()
        best = min(best, (time.thread_time_ns() - t0) / number)
    return best * 1e-9


def interleaved(cases: dict[str, object], number: int, rounds: int = 3) -> dict[str, float]:
    out = {k: float("inf") for k in cases}
    for _ in range(rounds):
        for k, fn in cases.items():
            out[k] = min(out[k], cpu_min(fn, number))
    return out


def main() -> None:
    seg_dir = tempfile.mkdtemp(prefix="bench-shared-")
    try:
        run(seg_dir)
    finally:
        shutil.rmtree(seg_dir, ignore_errors=True)
        shutil.rmtree(PROM_DIR, ignore_errors=True)


def _prom_worker(n: int) -> None:
    reg_lat = Histogram("bench_latency_seconds", "latency", registry=None)
    rec = Counter("bench_requests_received", "received", registry=None)
    for i in range(n):
        rec.inc()
        reg_lat.observe(0.001 * (i % 100 + 1))


def run(seg_dir: str) -> None:
    rows = []
    # -- 1. one observation ----------------------------------------------------------------
    local = LatencyHistogram()
    seg = SharedSegment.open(segment_path(seg_dir, "bench", "v1"), service="bench", model_version="v1")
    shared_h = seg.histogram()
    prom_h = Histogram("bench_latency_seconds", "latency")
    assert type(prom_h._sum).__name__ == "MmapedValue", "prometheus_client is not in multiprocess mode"
    v = 0.0123
    t = interleaved(
        {
            "ours, in-process": lambda: local.record_s(v),
            "ours, shared segment": lambda: shared_h.record_s(v),
            "prometheus_client multiprocess": lambda: prom_h.observe(v),
        },
        number=20_000,
    )
    for k, s in t.items():
        rows.append({"case": "one latency observation", "impl": k, "ns": round(s * 1e9, 1)})
    obs_ratio = t["prometheus_client multiprocess"] / t["ours, shared segment"]
    obs_over = t["ours, shared segment"] / t["ours, in-process"] - 1

    # -- 2. one request through the service --------------------------------------------------
    svc_local = ServiceMonitor("bench-local", "v1", logger=False, shared=False)
    svc_shared = ServiceMonitor("bench", "v1", logger=False, shared=seg_dir)
    received = Counter("bench_requests_received", "received")
    processed = Counter("bench_requests_processed", "processed")

    def ours_local() -> None:
        with svc_local.observe():
            pass

    def ours_shared() -> None:
        with svc_shared.observe():
            pass

    def prom_request() -> None:
        received.inc()
        with prom_h.time():
            pass
        processed.inc()

    t2 = interleaved(
        {
            "ours, in-process": ours_local,
            "ours, shared segment": ours_shared,
            "prometheus_client multiprocess": prom_request,
        },
        number=10_000,
    )
    for k, s in t2.items():
        rows.append({"case": "one request (observe, empty body)", "impl": k, "ns": round(s * 1e9, 1)})
    req_over = t2["ours, shared segment"] / t2["ours, in-process"] - 1
    req_ratio = t2["prometheus_client multiprocess"] / t2["ours, shared segment"]

    # -- 3. collection with 4 workers -------------------------------------------------------
    for f in os.listdir(PROM_DIR):  # only the 4 workers' files below
        os.unlink(os.path.join(PROM_DIR, f))
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_prom_worker, args=(1000,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)

    def prom_collect() -> bytes:
        return generate_latest(registry)

    def ours_collect() -> str:  # the same series: one counter, one histogram (65 buckets)
        tot = seg.totals()
        return f"bench_requests_received_total {tot.received}\n" + prometheus_text(
            seg.latency(), "bench_latency_seconds", export_scale=1
        )

    reg = Registry()
    reg.register(svc_shared)  # every signal of the service, fleet counters and histogram

    def ours_service_text() -> bytes:
        return render(reg)[0]

    def ours_service_protobuf() -> bytes:
        return render(reg, PROTOBUF)[0]

    cases3 = {
        "ours, counter + histogram (text, 65 buckets)": ours_collect,
        "ours, every service signal (text, 2,033 buckets)": ours_service_text,
        "ours, every service signal (protobuf, native)": ours_service_protobuf,
        "prometheus_client multiprocess (counter + histogram, 15 buckets)": prom_collect,
    }
    t3 = interleaved(cases3, 30)
    for k, s in t3.items():
        out = cases3[k]()
        rows.append({"case": "collect, 4 workers", "impl": k, "ns": round(s * 1e9, 1), "bytes": len(out)})
    prom_key = "prometheus_client multiprocess (counter + histogram, 15 buckets)"
    collect_ratio = t3[prom_key] / t3["ours, counter + histogram (text, 65 buckets)"]

    notes = (
        f"prometheus_client {_version('prometheus_client')}; "
        f"observation: prometheus_client multiprocess / ours shared = {obs_ratio:.1f}x (goal >= 5x); "
        f"shared vs in-process: {obs_over:+.1%} per observation, {req_over:+.1%} per request (goal <= +20%); "
        f"request: prometheus_client multiprocess / ours shared = {req_ratio:.1f}x; "
        f"collection of one counter and one histogram: prometheus_client / ours = {collect_ratio:.1f}x"
    )
    for r in rows:
        r.setdefault("bytes", "")
    print(write_results("shared", rows, notes))
    print(notes)


if __name__ == "__main__":
    main()
