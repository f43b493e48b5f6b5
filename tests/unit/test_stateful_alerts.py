"""Stateful property test of AlertEngine (issue 10): random evaluations with good and bad snapshot
values, an injected clock that jumps forward, steps back, returns NaN/inf or raises, and saves /
restores through JSON (also of tampered state). Invariants:

- no exception escapes ``evaluate`` (clock faults and bad values are absorbed and counted);
- the state round-trips through JSON: ``restore(json(state()))`` gives the same ``state()``;
- a failed restore changes nothing;
- per rule, transitions alternate: every ``firing`` is followed by exactly one ``resolved``
  before the next ``firing``; ``active()`` agrees; at the end, with no data and time moved past
  every ``keep_firing_for``, every fired alert has resolved exactly once.
"""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from monitor.alerts import (
    AlertEngine,
    AlertState,
    AllOf,
    Baseline,
    RateOfChange,
    Rule,
    RuleRef,
    slo_burn_rate_rules,
)
from monitor.errors import CorruptDataError

P99 = "latency.p99_ms"
ERR = "errors.rate.timeout"


def _rules() -> list[Rule]:
    return [
        Rule("fast", P99, ">", 500),
        Rule("slow", P99, ">", 500, for_=30, keep_firing_for=20, clear=400),
        Rule("learned", P99, ">", Baseline(k=2, history=6, min_history=3)),
        Rule("rising", condition=RateOfChange(ERR, ">=", "100%", "1m", resolution=6)),
        Rule("both", condition=AllOf(RuleRef("fast"), RuleRef("rising", firing=True))),
        *slo_burn_rate_rules("avail", "99%", total="slo.avail.total", bad="slo.avail.bad", resolution=6),
    ]


values = st.one_of(
    st.floats(0, 2000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.sampled_from(
        ["620", None, True, 10**400, Decimal("1e400"), [1], np.float32(700), np.int64(2**62), np.uint8(3)]
    ),
)
faults = st.sampled_from(["nan", "inf", "-inf", "raise", "str"])


class Quiet:
    """An event logger that keeps the events' names (the default logs to stdlib, slow under pytest)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def log(self, event: str, level: str = "info", **context: object) -> None:
        json.dumps(context, default=str)  # every event's context is JSON-able
        self.events.append(event)


class Clock:
    def __init__(self) -> None:
        self.t: Any = 1000.0

    def __call__(self) -> Any:
        if self.t == "raise":
            raise RuntimeError("clock broke")
        return self.t


class AlertEngineMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.clock = Clock()
        self.valid = 1000.0  # the last finite clock reading
        self.log = Quiet()
        self.engine = AlertEngine(_rules(), clock=self.clock, logger=self.log)
        self.open: dict[str, bool] = {r.name: False for r in _rules()}  # firing not yet resolved
        self.fired: dict[str, int] = dict.fromkeys(self.open, 0)
        self.resolved: dict[str, int] = dict.fromkeys(self.open, 0)
        self.total = 0.0
        self.bad = 0.0

    def _record(self, alerts: list[Any]) -> None:
        for a in alerts:
            if a.kind == "firing":
                assert not self.open[a.rule], f"{a.rule} fired twice without resolving"
                self.open[a.rule] = True
                self.fired[a.rule] += 1
            elif a.kind == "resolved":
                assert self.open[a.rule], f"{a.rule} resolved without firing"
                self.open[a.rule] = False
                self.resolved[a.rule] += 1

    def _evaluate(self, snap: dict[str, Any]) -> None:
        faults_before = self.engine.clock_faults
        out = self.engine.evaluate(snap)  # never raises
        self._record(out)
        assert self.engine.clock_faults >= faults_before

    @rule(dt=st.floats(0, 120), p99=values, err=values, burn=st.tuples(st.integers(0, 50), st.integers(0, 5)))
    def tick(self, dt: float, p99: Any, err: Any, burn: tuple[int, int]) -> None:
        self.valid += dt
        self.clock.t = self.valid
        self.total += burn[0]
        self.bad += min(burn[1], burn[0])
        self._evaluate({P99: p99, ERR: err, "slo.avail.total": self.total, "slo.avail.bad": self.bad})

    @rule(dt=st.sampled_from([3600.0, 86400.0 * 365, 1e9]))
    def jump_forward(self, dt: float) -> None:
        self.valid += dt
        self.clock.t = self.valid
        self._evaluate({P99: 100.0})

    @rule(dt=st.floats(1, 1e6))
    def step_back(self, dt: float) -> None:
        self.clock.t = self.valid - dt  # the engine holds time at its last evaluation
        before = self.engine.clock_faults
        started = self.engine.state()["last_now"] is not None
        self._evaluate({P99: 700.0})
        assert self.engine.clock_faults == before + started
        if not started:  # no earlier time: that reading was the first time
            self.valid -= dt

    @rule(kind=faults)
    def clock_fault(self, kind: str) -> None:
        self.clock.t = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "raise": "raise", "str": "now"}[
            kind
        ]
        before = self.engine.clock_faults
        self._evaluate({P99: 700.0})
        assert self.engine.clock_faults == before + 1
        self.clock.t = self.valid

    @rule()
    def save_and_restore(self) -> None:
        saved = json.loads(json.dumps(self.engine.state(), allow_nan=False))
        again = AlertEngine(_rules(), clock=self.clock, state=saved, logger=self.log)
        assert again.state() == saved
        self.engine = again

    @rule(
        field=st.sampled_from(["evaluations", "active_at", "no_data", "notified", "state"]),
        rule_name=st.sampled_from(["fast", "slow", "learned"]),
    )
    def tampered_restore_changes_nothing(self, field: str, rule_name: str) -> None:
        before = json.dumps(self.engine.state())
        bad = copy.deepcopy(self.engine.state())
        last = bad["last_now"]
        bad["rules"][rule_name][field] = {  # type: ignore[index]
            "evaluations": math.inf,
            "active_at": (last or 0.0) + 1e6,
            "no_data": 10**400,
            "notified": "false",
            "state": "exploded",
        }[field]
        with pytest.raises(CorruptDataError):
            self.engine.restore(bad)
        assert json.dumps(self.engine.state()) == before

    @precondition(lambda self: any(self.open.values()))
    @rule()
    def no_data_resolves(self) -> None:
        self.valid += 100.0  # past keep_firing_for
        self.clock.t = self.valid
        self._evaluate({})
        self.valid += 100.0
        self.clock.t = self.valid
        self._evaluate({})
        assert not any(self.open.values()), self.open

    @invariant()
    def active_agrees_and_state_is_json(self) -> None:
        if not hasattr(self, "engine"):
            return
        firing = {a.rule for a in self.engine.active() if a.state is AlertState.FIRING}
        assert firing == {n for n, o in self.open.items() if o}
        json.dumps(self.engine.state(), allow_nan=False)

    def teardown(self) -> None:
        if not hasattr(self, "engine"):
            return
        self.no_data_resolves()
        for name in self.open:
            assert self.fired[name] == self.resolved[name], (name, self.fired[name], self.resolved[name])


TestAlertEngineStateful = pytest.mark.slow(AlertEngineMachine.TestCase)
AlertEngineMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
