"""observe()'s request end: a success with a known latency is finished in one C call
(latency since start + outcome, mon_shared_finish); every other end takes the separate steps.
Both must give the same totals and the same cumulative latency histogram."""

from __future__ import annotations

import math

import pytest

from monitor import ServiceMonitor


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize("shared", [False, True])
def test_every_end_counts_once_and_records_its_latency(shared: bool, tmp_path) -> None:
    clock = Clock()
    svc = ServiceMonitor("svc", "v1", clock=clock, logger=False, shared=str(tmp_path) if shared else False)

    def request(dt: float, end: str = "ok") -> None:
        with svc.observe() as obs:
            clock.t += dt
            if end == "drop":
                obs.drop("shed")
            elif end == "fail":
                obs.fail("timeout")
            elif end == "nan":
                obs.record(prediction=math.nan)

    request(0.25)  # 250 ms success: the one-call path
    request(0.5, "drop")
    request(0.125, "fail")
    request(0.0625, "nan")  # a non-finite prediction: failed by the categoriser
    saved = clock.t
    with svc.observe():
        clock.t = math.nan  # a broken reading at exit: latency invalid, still a success
    clock.t = saved
    with svc.observe():
        clock.t -= 0.5  # a step back between the readings: latency invalid
    tot = svc.totals()
    assert (tot["received"], tot["processed"], tot["dropped"], tot["failed"], tot["in_flight"]) == (
        6,
        3,
        1,
        2,
        0,
    )
    h = svc.latency_histogram()
    assert h.count == 4 and h.invalid == 2
    # the window got every latency too (the one-call path records it with the rest)
    w = svc._latency.window_at(svc._ticks.newest)
    assert (w.count, w.invalid, w.sum) == (4, 2, 937_500_000)
    assert (h.sum, h.min, h.max) == (937_500_000, 62_500_000, 500_000_000)
    assert svc.internal_errors == 1  # the NaN reading only


def test_observe_sets_every_field_the_constructor_sets() -> None:
    """observe() builds its Observation without calling __init__ (one Python call less): it
    must leave every slot exactly as the constructor would."""
    from monitor.observation import Observation

    svc = ServiceMonitor("svc", "v1", clock=Clock(), logger=False)
    args = dict(request_id="r", input={"a": 1}, trace_id="t", span_id="s", features=None, context={"k": 1})
    a = svc.observe(**args)
    b = Observation(svc, *args.values())
    for name in Observation.__slots__:
        assert getattr(a, name) == getattr(b, name), name
