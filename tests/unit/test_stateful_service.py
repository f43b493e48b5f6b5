"""Stateful property tests (hypothesis state machines) of ServiceMonitor and
WindowedLatencyHistogram driven by an injected clock that jumps forward, steps back and returns
NaN / inf: the totals add up, nothing is lost, nothing freezes, and histograms round-trip
through bytes."""

from __future__ import annotations

import math

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from monitor import LatencyHistogram, ServiceMonitor, WindowedLatencyHistogram

READINGS = st.one_of(
    st.floats(min_value=0.0, max_value=5.0),  # a normal step
    st.sampled_from([3.15e7, -3600.0, -0.5, math.nan, math.inf, -math.inf]),  # jump, steps back, faults
)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.bad: float | None = None

    def __call__(self) -> float:
        return self.t if self.bad is None else self.bad

    def move(self, d: float) -> None:
        if math.isfinite(d):
            self.bad = None
            self.t += d
        else:
            self.bad = d


class ServiceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.svc = ServiceMonitor("s", "v", clock=self.clock, logger=False, window_s=60, slots=6)
        self.want = {"received": 0, "processed": 0, "failed": 0, "dropped": 0}
        self.latencies = 0

    @rule(d=READINGS)
    def move_clock(self, d: float) -> None:
        self.clock.move(d)

    @rule(kind=st.sampled_from(["ok", "raise", "drop", "fail", "nan_prediction", "interrupt"]), d=READINGS)
    def request(self, kind: str, d: float) -> None:
        try:
            with self.svc.observe() as obs:
                self.clock.move(d)
                if kind == "raise":
                    raise ValueError("boom")
                if kind == "interrupt":
                    raise KeyboardInterrupt
                if kind == "drop":
                    obs.drop()
                elif kind == "fail":
                    obs.fail("business_logic")
                obs.record(prediction=math.nan if kind == "nan_prediction" else 1.0)
        except (ValueError, KeyboardInterrupt):
            pass
        self.want["received"] += 1
        key = {"ok": "processed", "drop": "dropped", "interrupt": "dropped"}.get(kind, "failed")
        self.want[key] += 1
        self.latencies += 1

    @rule()
    def reject(self) -> None:
        self.svc.reject()
        self.want["received"] += 1
        self.want["dropped"] += 1

    @invariant()
    def totals_add_up(self) -> None:
        t = self.svc.totals()
        assert t["in_flight"] == 0
        for k, v in self.want.items():
            assert t[k] == v, (k, t, self.want)
        snap = self.svc.snapshot()
        assert snap.throughput.received == self.want["received"]
        assert math.isfinite(snap.time_s)
        assert snap.latency.count <= self.latencies
        lat = self.svc._latency.window()  # noqa: SLF001 - the window's own histogram
        assert LatencyHistogram.from_bytes(lat.to_bytes()) == lat


class WindowMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.w = WindowedLatencyHistogram(window_s=60, slots=6, clock=self.clock)
        self.recorded = 0
        self.invalid = 0
        self.since_move = 0.0  # clock-seconds of finite forward moves since the last value

    @rule(d=READINGS)
    def move_clock(self, d: float) -> None:
        self.clock.move(d)

    @rule(v=st.one_of(st.floats(min_value=0.0, max_value=1e4), st.just(math.nan), st.just(-1.0)))
    def record(self, v: float) -> None:
        self.w.record_ms(v)
        if v >= 0:
            self.recorded += 1
        else:
            self.invalid += 1

    @rule(n=st.integers(min_value=0, max_value=5))
    def record_many(self, n: int) -> None:
        assert self.w.record_many([1_000] * n) == 0
        self.recorded += n

    @invariant()
    def nothing_lost_and_round_trips(self) -> None:
        total = self.w.window()
        assert total.count <= self.recorded
        assert self.w.late == 0  # the clock-driven methods never record into a past epoch
        assert LatencyHistogram.from_bytes(total.to_bytes()) == total
        tick = self.w.ticks.newest
        assert 0 <= tick < 2**64

    @rule()
    def window_moves_on(self) -> None:
        # one hour of normal readings after anything: the window is empty again (never frozen)
        self.clock.move(0.0)
        self.clock.t += 3600.0
        assert self.w.count == 0


TestServiceMachine = ServiceMachine.TestCase
TestServiceMachine.settings = settings(max_examples=18, stateful_step_count=25, deadline=None)
TestWindowMachine = WindowMachine.TestCase
TestWindowMachine.settings = settings(max_examples=18, stateful_step_count=25, deadline=None)
