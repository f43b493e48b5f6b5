"""ServiceCounters: the Python class of the C service counters (mon_service)."""

from __future__ import annotations

import threading

import pytest

from monitor import ErrorCategory, InvalidArgumentError, MonitorError
from monitor.counters import (
    MAX_SLOTS,
    STATUS_NOT_IN_FLIGHT,
    CounterTotals,
    CounterWindow,
    ServiceCounters,
)

CATS = [c.value for c in ErrorCategory]


def _invariant(t: CounterTotals) -> None:
    assert t.received == t.processed + t.failed + t.dropped + t.in_flight
    assert t.gap == t.failed + t.dropped + t.in_flight
    assert set(t.errors) == set(CATS)


@pytest.mark.req("MON-REQ-SVC-001")
def test_accounting_invariants() -> None:
    c = ServiceCounters(slot_ticks=10, start_tick=0, slots=4)
    for _ in range(5):
        c.begin(1)
    assert c.ok(2) == 0
    assert c.fail(2, ErrorCategory.TIMEOUT.code) == 0
    assert c.drop(3) == 0
    c.reject(3)
    c.error(4, ErrorCategory.BUSINESS_LOGIC.code)
    t = c.totals()
    assert (t.received, t.processed, t.failed, t.dropped, t.in_flight) == (6, 1, 1, 2, 2)
    assert t.errors["timeout"] == 1 and t.errors["business_logic"] == 1
    assert sum(t.errors.values()) == 2
    _invariant(t)
    # nothing in flight: ok / drop / fail report it and count nothing
    assert c.ok(5) == 0 and c.ok(5) == 0
    assert c.ok(5) == STATUS_NOT_IN_FLIGHT
    assert c.drop(5) == STATUS_NOT_IN_FLIGHT
    assert c.fail(5, ErrorCategory.TIMEOUT.code) == STATUS_NOT_IN_FLIGHT
    t2 = c.totals()
    assert (t2.processed, t2.in_flight, t2.errors["timeout"]) == (3, 0, 1)
    _invariant(t2)
    with pytest.raises(AttributeError):
        t2.received = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        t2.errors["timeout"] = 0  # type: ignore[index]


@pytest.mark.req("MON-REQ-SVC-002")
def test_window_rotation_with_a_jumping_clock() -> None:
    c = ServiceCounters(slot_ticks=10, start_tick=100, slots=3)
    c.begin(95)  # before start: the first slot
    c.ok(105)
    w = c.window(105)
    assert isinstance(w, CounterWindow)
    assert (w.counts.received, w.counts.processed, w.counts.in_flight) == (1, 1, 0)
    assert (w.from_tick, w.to_tick, w.span_ticks) == (100, 105, 5)
    # the clock jumps far ahead: the window is empty, the totals are not
    c.begin(1_000)
    w = c.window(1_000)
    assert (w.counts.received, w.counts.processed) == (1, 0)
    assert w.to_tick - w.from_tick == w.span_ticks <= 30
    # and steps back: an event in a slot that left the window counts in the totals only
    assert c.ok(105) == 0
    t = c.totals()
    assert (t.received, t.processed, t.in_flight) == (2, 2, 0)
    assert c.window(1_000).counts.processed == 0
    # reading the past is allowed (read-only); the slots it covered were recycled, so it
    # shows no stale counts
    assert c.window(105).counts.received == 0
    # a very large tick
    big = 2**64 - 1
    c.begin(big)
    assert c.fail(big, ErrorCategory.MODEL_INFERENCE.code) == 0
    w = c.window(big)
    assert (w.counts.received, w.counts.failed, w.counts.errors["model_inference"]) == (1, 1, 1)
    assert w.to_tick == big
    _invariant(c.totals())


@pytest.mark.req("MON-REQ-THREAD-001")
def test_threads_give_exact_totals() -> None:
    c = ServiceCounters(slot_ticks=1_000, start_tick=0, slots=8)
    n, per = 8, 20_000
    start = threading.Barrier(n)

    def work(k: int) -> None:
        start.wait()
        for i in range(per):
            c.begin(i)
            c.ok(i)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t = c.totals()
    assert (t.received, t.processed, t.in_flight, t.failed, t.dropped) == (n * per, n * per, 0, 0, 0)


@pytest.mark.parametrize("code", [-1, 5, 99, 2**40, "timeout", None, 1.5])
@pytest.mark.req("MON-REQ-SVC-003", "MON-REQ-PY-002")
def test_bad_categories_raise_a_clear_error(code: object) -> None:
    c = ServiceCounters(slot_ticks=10, start_tick=0, slots=2)
    c.begin(1)
    with pytest.raises(InvalidArgumentError, match="error category"):
        c.fail(1, code)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="error category"):
        c.error(1, code)  # type: ignore[arg-type]
    t = c.totals()  # nothing was counted
    assert (t.in_flight, t.failed, sum(t.errors.values())) == (1, 0, 0)


@pytest.mark.parametrize(
    "cfg",
    [
        {"slot_ticks": 0, "start_tick": 0, "slots": 4},
        {"slot_ticks": 1, "start_tick": 0, "slots": 0},
        {"slot_ticks": 1, "start_tick": 0, "slots": MAX_SLOTS + 1},
        {"slot_ticks": -1, "start_tick": 0, "slots": 4},
        {"slot_ticks": 1, "start_tick": 2**64, "slots": 4},
        {"slot_ticks": True, "start_tick": 0, "slots": 4},
    ],
)
@pytest.mark.req("MON-REQ-PY-002")
def test_bad_configurations_are_refused(cfg: dict[str, int]) -> None:
    with pytest.raises(InvalidArgumentError):
        ServiceCounters(**cfg)


@pytest.mark.req("MON-REQ-STATUS-003")
def test_c_status_is_kept_on_the_error() -> None:
    with pytest.raises(MonitorError) as info:
        ServiceCounters(slot_ticks=0, start_tick=0, slots=4)
    assert info.value.status is not None and info.value.status != 0
    assert "MON_E_CONFIG" in str(info.value)


def test_config_is_readable() -> None:
    c = ServiceCounters(slot_ticks=25, start_tick=1000, slots=8)
    assert (c.slot_ticks, c.start_tick, c.slots) == (25, 1000, 8)
    assert "slot_ticks=25" in repr(c)
