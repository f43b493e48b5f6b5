"""8-thread stress tests of the objects documented as thread-safe in the alerts and logs packages:
``AlertEngine`` (every method holds its lock; the clock is read inside it) and
``StructuredLogger`` / ``JsonFormatter`` (lines are written whole, counters are exact)."""

from __future__ import annotations

import io
import itertools
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from monitor.alerts import AlertEngine, Baseline, RateOfChange, Rule
from monitor.logs import JsonFormatter, StructuredLogger

THREADS = 8
P99 = "latency.p99_ms"


def _run(n: int, work: Callable[[int], None]) -> None:
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors


@pytest.mark.req("MON-REQ-THREAD-001")
def test_alert_engine_under_8_threads() -> None:
    ticks = itertools.count(1)
    got: list[Any] = []
    rules = [
        Rule("fast", P99, ">", 500),
        Rule("slow", P99, ">", 500, for_=5, keep_firing_for=3),
        Rule("learned", P99, ">", Baseline(history=8)),
        Rule("rising", condition=RateOfChange(P99, ">", "50%", 10)),
    ]

    class Log:
        def __init__(self) -> None:
            self.n = 0

        def log(self, event: str, level: str = "info", **context: object) -> None:
            self.n += 1  # runs inside the engine's lock: no race

    log = Log()
    eng = AlertEngine(rules, clock=lambda: float(next(ticks)), on_alert=got.append, logger=log)
    per_thread = 300

    def work(i: int) -> None:
        for k in range(per_thread):
            value: object = (700.0 if (k // 7 + i) % 2 else 100.0) if k % 11 else "bad"
            eng.evaluate({P99: value})
            if k % 50 == 0:
                json.dumps(eng.state(), allow_nan=False)
                eng.status("fast")
                eng.active()

    _run(THREADS, work)
    assert eng.clock_faults == 0  # the clock is read inside the lock: times never go backwards
    assert eng.status("fast").evaluations == THREADS * per_thread
    # per rule, transitions alternate and times never decrease
    for name in ("fast", "slow", "learned", "rising"):
        kinds = [a.kind for a in got if a.rule == name and a.kind in ("firing", "resolved")]
        assert all(x != y for x, y in zip(kinds, kinds[1:])), name
        times = [a.at for a in got if a.rule == name]
        assert times == sorted(times)
    saved = json.loads(json.dumps(eng.state()))
    assert AlertEngine(rules, state=saved).state() == saved


class CharStream:
    """A stream whose write is not atomic (one character at a time, releasing the GIL between
    them): without the logger's write lock, lines of different threads would interleave."""

    def __init__(self) -> None:
        self.chars: list[str] = []

    def write(self, s: str) -> int:
        for i, ch in enumerate(s):
            self.chars.append(ch)
            if i % 64 == 0:
                threading.Event().wait(0)  # yield
        return len(s)


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr failed")


@pytest.mark.req("MON-REQ-PY-005", "MON-REQ-THREAD-001")
def test_structured_logger_under_8_threads() -> None:
    stream = CharStream()
    log = StructuredLogger("svc", stream=stream, clock=lambda: 1769191200.0, hash_key=b"k" * 16)
    child = log.bind(model_version="v1")
    per_thread = 400

    def work(i: int) -> None:
        for k in range(per_thread):
            target = child if k % 2 else log
            if k % 10 == 0:
                target.log("bad", thread=i, k=k, field=BadRepr())
            else:
                target.log("ok", thread=i, k=k, latency_ms=k * 0.5, input={"k": k})

    _run(THREADS, work)
    lines = "".join(stream.chars).splitlines()
    assert len(lines) == THREADS * per_thread
    seen = set()
    for line in lines:
        rec = json.loads(line)
        assert isinstance(rec, dict) and rec["timestamp"] == "2026-01-23T18:00:00.000000Z"
        seen.add((rec["thread"], rec["k"]))
    assert len(seen) == THREADS * per_thread
    assert log.render_errors == THREADS * per_thread // 10 and log.failures == 0


def test_structured_logger_failure_counts_are_exact_under_8_threads() -> None:
    class Broken:
        def write(self, s: str) -> int:
            raise OSError("disk full")

    log = StructuredLogger("svc", stream=Broken(), clock=lambda: float("nan"))
    _run(THREADS, lambda i: [log.log("e", i=i) for _ in range(500)])
    assert log.failures == THREADS * 500 and log.clock_errors == THREADS * 500


def test_json_formatter_under_8_threads() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    fmt = JsonFormatter("svc", clock=lambda: 1769191200.0)
    handler.setFormatter(fmt)
    lg = logging.getLogger("test_threads_alerts.formatter")
    lg.handlers[:] = [handler]
    lg.propagate = False
    lg.setLevel(logging.INFO)

    def work(i: int) -> None:
        for k in range(300):
            if k % 3 == 0:
                lg.info("bad %d %d", k)  # mismatched arguments: the message is replaced
            else:
                lg.info("ok", extra={"worker": i, "k": k})

    _run(THREADS, work)
    lines = out.getvalue().splitlines()
    assert len(lines) == THREADS * 300
    assert all(isinstance(json.loads(x), dict) for x in lines)
    assert fmt.render_errors == THREADS * 100
