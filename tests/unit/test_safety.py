"""SafetyMonitor (monitor.safety) over the C mon_monitor: names, clamping, the state machine,
resets, and argument errors."""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import pytest

from monitor.errors import InvalidArgumentError, InvalidTypeError
from monitor.policy import load_policy, parse_policy
from monitor.reference import FeatureProfile, Reference
from monitor.safety import ActivationStats, Health, SafetyMonitor

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = os.path.join(HERE, "..", "data", "safety_policy.toml")
EDGES = np.array([-math.inf, -1.0, 0.0, 1.0, math.inf])


def _ref(names: tuple[str, ...] = ("b", "a")) -> Reference:
    return Reference(
        [
            FeatureProfile(n, "numeric", EDGES, np.array([10, 40, 40, 10], dtype=np.uint64), 0, 0, 0)
            for n in names
        ],
        rows=100,
    )


@pytest.mark.req("MON-REQ-SAFETY-001")
def test_names_clamp_and_frozen_verdict() -> None:
    sm = SafetyMonitor(POLICY, _ref())
    assert sm.feature_names == ("b", "a") and sm.state is Health.INIT
    v = sm.step({"a": 9.0, "b": math.nan}, {"score": -1.0, "p": 0.7}, tick=5)
    assert v.state is Health.HEALTHY and v.prev_state is Health.INIT
    assert v.inputs[0] != v.inputs[0]  # b allows NaN: passed through
    assert v.inputs[1] == 3.0 and v.inputs_clamped == 1  # a clamped to hi
    assert v.outputs == (0.0, 0.7) and v.outputs_clamped == 1
    assert v.violations == ("input_range", "output") and "clamp" in v.reactions
    assert v.counts == {"input_range": 1, "output": 1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.step = 3  # type: ignore[misc]
    v = sm.step([0.5, -0.5], [1.0, 0.9], tick=6, activations=[ActivationStats(10, 5, 0, 1.0)])
    assert v.violations == ("activation",)


@pytest.mark.req("MON-REQ-SAFETY-002")
def test_budget_states_and_reset() -> None:
    sm = SafetyMonitor(POLICY, _ref())
    for t in range(6):
        v = sm.step([0.5, 0.5], [1.0, 0.9], tick=t, fault_flags=2)
    assert v.state is Health.FAULTED and v.window_faults == 2
    with pytest.raises(InvalidArgumentError, match="reset refused"):
        SafetyMonitor(POLICY, _ref()).reset(tick=0)  # INIT is not in allowed_from
    for t in range(6, 11):
        v = sm.step([0.5, 0.5], [1.0, 0.9], tick=t)
    assert v.state is Health.STOPPED and v.stopped
    v = sm.step([0.5, 0.5], [1.0, 0.9], tick=12)
    assert v.state is Health.STOPPED and v.reactions == ("stop",) and v.violations == ()
    sm.reset(tick=13, reason=4)
    assert sm.state is Health.INIT
    assert sm.step([0.5, 0.5], [1.0, 0.9], tick=14).step == 1


@pytest.mark.req("MON-REQ-SAFETY-003")
def test_drift_by_name() -> None:
    sm = SafetyMonitor(POLICY, _ref())
    seen = []
    for t in range(160):
        v = sm.step({"a": 1.5, "b": (-1.5, -0.5, 0.5, 1.5)[t % 4]}, [1.0, 0.9], tick=t)
        if v.drift_scored:
            seen.append((v.drift_feature, v.state))
    assert seen and seen[-1] == ("a", Health.DEGRADED)


def test_errors() -> None:
    sm = SafetyMonitor(POLICY, _ref())
    with pytest.raises(InvalidArgumentError, match="unknown features"):
        sm.step({"a": 1.0, "b": 1.0, "c": 1.0}, [1.0, 0.9], tick=0)
    with pytest.raises(InvalidArgumentError, match="missing features"):
        sm.step({"a": 1.0}, [1.0, 0.9], tick=0)
    with pytest.raises(InvalidArgumentError, match="2 values"):
        sm.step([1.0], [1.0, 0.9], tick=0)
    with pytest.raises(InvalidArgumentError, match="outputs must be"):
        sm.step([1.0, 1.0], [1.0], tick=0)
    with pytest.raises(InvalidArgumentError, match="tick"):
        sm.step([1.0, 1.0], [1.0, 0.9], tick=-1)
    with pytest.raises(InvalidArgumentError, match="layers"):
        sm.step([1.0, 1.0], [1.0, 0.9], tick=0, activations=[])
    with pytest.raises(InvalidArgumentError, match="differ"):
        SafetyMonitor(POLICY, _ref(("a", "c")))
    with pytest.raises(InvalidArgumentError, match="reference is needed"):
        SafetyMonitor(POLICY)
    with pytest.raises(InvalidTypeError):
        SafetyMonitor(42)  # type: ignore[arg-type]
    # no drift: no reference needed, features in name order
    p = parse_policy("[features.z]\nlo = 0\nhi = 1\n[features.y]\nlo = 0\nhi = 1\n")
    sm2 = SafetyMonitor(p)
    assert sm2.feature_names == ("y", "z")
    assert sm2.step([0.5, 2.0], tick=1).violations == ("input_range",)
    assert load_policy(POLICY).hash == SafetyMonitor(POLICY, _ref()).policy.hash


def test_inside_service_monitor() -> None:
    from monitor import ServiceMonitor

    t = [100.0]
    svc = ServiceMonitor(
        "svc", "v1", clock=lambda: t[0], logger=False, shared=False, safety=SafetyMonitor(POLICY, _ref())
    )
    v = svc.check_safety([0.5, 9.0], [1.0, 0.9], latency_ns=5)
    assert v.inputs == (0.5, 3.0) and v.state is Health.HEALTHY
    t[0] = 99.0  # a clock step back: TickClock keeps the ticks monotonic
    assert not svc.check_safety([0.5, 0.5], [1.0, 0.9]).clock_back
    with pytest.raises(InvalidArgumentError, match="no safety monitor"):
        ServiceMonitor("svc", "v1", logger=False, shared=False).check_safety([0.0, 0.0])
    with pytest.raises(InvalidTypeError):
        ServiceMonitor("svc", "v1", logger=False, shared=False, safety=3)


@pytest.mark.req("MON-REQ-SAFETY-003")
def test_rule_fires_and_degrades() -> None:
    text = open(POLICY, encoding="utf-8").read() + (
        '\n[[rules]]\nname = "slow"\nsignal = "latency_ns"\nop = ">"\nthreshold = 5e5\nfor_ticks = 2\naction = "fault"\n'
    )
    sm = SafetyMonitor(parse_policy(text), _ref())
    assert sm.step([0.5, 0.5], [1.0, 0.9], tick=0, latency_ns=900_000).rules_firing == ()
    v = sm.step([0.5, 0.5], [1.0, 0.9], tick=2, latency_ns=900_000)
    assert v.rules_firing == ("slow",) and "rule" in v.violations and v.state is Health.FAULTED


@pytest.mark.req("MON-REQ-SAFETY-004")
def test_ledger_file_verifies_and_binds_the_policy(tmp_path: os.PathLike[str]) -> None:
    from monitor.ledger import Ledger, LedgerKind, verify_ledger

    policy = load_policy(POLICY)
    ref = _ref()
    path = os.path.join(str(tmp_path), "audit.ledger")
    digest = bytes.fromhex(ref.digest.split(":", 1)[1])
    with Ledger(
        path, policy_hash=policy.hash, reference_digest=digest, model_version=policy.model_version
    ) as led:
        sm = SafetyMonitor(policy, ref, ledger=led)
        v = sm.step([0.5, 9.0], [1.0, 0.9], tick=1)
        assert v.ledger_entries == 3 and v.ledger_status == 0  # INIT->HEALTHY, VIOLATION, REACTION
        for t in range(2, 8):
            sm.step([0.5, 0.5], [1.0, 0.9], tick=t, fault_flags=1)
        kinds = [e.kind for e in led.entries()]
        anchor = led.head()
    assert kinds[0] == LedgerKind.GENESIS and LedgerKind.STATE in kinds and LedgerKind.REACTION in kinds
    rep = verify_ledger(path, anchor)
    assert rep.ok and rep.count == anchor.count and rep.policy_hash == policy.hash
    sm.attach_ledger(None)
    assert sm.step([0.5, 0.5], [1.0, 0.9], tick=9).ledger_entries == 0
