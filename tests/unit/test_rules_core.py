"""The C rule evaluators (csrc/mon_rules.h) behind the AlertEngine's Threshold / RateOfChange rules.

- a small pure-Python model of the documented semantics (mon_rules.h) agrees with mon_rule_step
  on random sequences (hypothesis), including NaN, infinities, repeated ticks, steps back, jumps;
- the golden rule vectors: the AlertEngine reproduces monitor/data/golden_rules_v1.json, the
  model gives the same records, and the file's digest is pinned (the C program
  csrc/tests/test_rules_golden.c checks the same records and digest on every cross target);
- the engine with C rules: clock faults (jump, step back, NaN), state save / restore of C state
  (also from a state saved by the Python evaluators), exact comparison of rounded numbers.
"""

from __future__ import annotations

import json
import math
import struct
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor._ffi import ffi, lib
from monitor.alerts import AlertEngine, RateOfChange, Rule, Threshold
from monitor.alerts import golden_rules as gr
from monitor.alerts.c_rules import CRuleEval, tick_of
from monitor.errors import CorruptDataError

GOLDEN_RULES_DIGEST = "163ee0fe685dbcb72ecace7042a0327fcdfb66ece852a627a8bb756f4df39903"

# ---- the model ------------------------------------------------------------------------------

OPS = {1: lambda a, b: a > b, 2: lambda a, b: a >= b, 3: lambda a, b: a < b, 4: lambda a, b: a <= b}


class Model:
    """mon_rules.h's documented semantics, written independently of the C code."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.c = cfg
        self.phase = 0
        self.last: int | None = None
        self.since = 0
        self.keep: int | None = None
        self.samples: list[tuple[int, float]] = []

    def step(self, t: int, v: float) -> tuple[int, int, int, int]:
        """(status, phase, transition, condition)."""
        c = self.c
        if self.last is not None and t < self.last:
            return (6, self.phase, 0, 0)
        self.last = t
        level = c["clear"] if (self.phase and c["clear"] is not None) else c["threshold"]
        cond: bool | None
        if c["kind"] == 1:
            cond = None if math.isnan(v) else OPS[c["op"]](v, level)
        else:
            cond = None
            if math.isfinite(v):
                s = self.samples
                w = c["window"]
                while len(s) >= 2 and t - s[1][0] >= w:
                    s.pop(0)
                if s and t - s[0][0] >= w:
                    past = s[0][1]
                    if c["relative"]:
                        ch = (
                            (v - past) / abs(past)
                            if past != 0
                            else (math.inf if v > 0 else -math.inf if v < 0 else 0.0)
                        )
                    else:
                        ch = v - past
                    cond = OPS[c["op"]](ch, level)
                step_t = -(-w // c["resolution"])
                if not s or t - s[-1][0] >= step_t:
                    s.append((t, v))
        code = 2 if cond is None else int(cond)
        tr = 0
        if cond is None and c["keep_data"]:
            return (0, self.phase, 0, code)
        if cond:
            self.keep = None
            if self.phase == 0:
                self.since = t
                self.phase, tr = (2, 2) if c["for"] == 0 else (1, 1)
            elif self.phase == 1 and t - self.since >= c["for"]:
                self.phase, tr = 2, 2
        elif self.phase == 1:
            self.phase, tr = 0, 4
        elif self.phase == 2:
            if c["keep"] > 0:
                if self.keep is None:
                    self.keep = t
                if t - self.keep >= c["keep"]:
                    self.phase, tr = 0, 3
            else:
                self.phase, tr = 0, 3
        if self.phase == 0:
            self.keep = None
        return (0, self.phase, tr, code)


def _c_config(m: dict[str, Any]) -> Any:
    cfg = ffi.new("mon_rule_config *")
    cfg.kind = m["kind"]
    cfg.op = m["op"]
    cfg.threshold = m["threshold"]
    cfg.has_clear = int(m["clear"] is not None)
    cfg.clear_threshold = 0.0 if m["clear"] is None else m["clear"]
    cfg.no_data = int(m["keep_data"])
    cfg.for_ticks = m["for"]
    cfg.keep_firing_for_ticks = m["keep"]
    if m["kind"] == 2:
        cfg.window_ticks = m["window"]
        cfg.resolution = m["resolution"]
        cfg.relative = int(m["relative"])
    return cfg


values = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, 2.0, -1.0, 10.0]),
    st.floats(-20, 20),
)


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from([1, 2]))
    op = draw(st.sampled_from([1, 2, 3, 4]))
    thr = draw(st.sampled_from([0.0, 1.0, 2.0, -1.0, 10.0]))
    clear = None
    if draw(st.booleans()):
        d = draw(st.sampled_from([0.0, 0.5, 3.0]))
        clear = thr - d if op in (1, 2) else thr + d
    return {
        "kind": kind,
        "op": op,
        "threshold": thr,
        "clear": clear,
        "keep_data": draw(st.booleans()),
        "for": draw(st.integers(0, 5)),
        "keep": draw(st.integers(0, 5)),
        "window": draw(st.integers(1, 12)),
        "resolution": draw(st.integers(1, 62)),
        "relative": draw(st.booleans()),
    }


ticks = st.lists(
    st.tuples(st.sampled_from(["+0", "+1", "+2", "back", "jump"]), values), min_size=1, max_size=60
)


def _check_against_model(m: dict[str, Any], steps: list[tuple[str, float]]) -> None:
    cfg = _c_config(m)
    state = ffi.new("mon_rule_state *")
    ev = ffi.new("mon_rule_event *")
    assert lib.mon_rule_init(cfg, state) == 0
    model = Model(m)
    t = 100
    for how, v in steps:
        t = {"+0": t, "+1": t + 1, "+2": t + 2, "back": t - 3, "jump": t + 10**6}[how]
        want = model.step(t, v)
        s = lib.mon_rule_step(cfg, state, t, v, ev)
        got = (s, state.phase, ev.transition if s == 0 else 0, ev.condition if s == 0 else 0)
        assert got == want, (how, t, v)
        if s == 6:
            t += 3  # the refused tick does not move the model's or the C clock
        assert state.n_samples <= m["resolution"] + 2


@settings(max_examples=40, deadline=None)
@pytest.mark.req("MON-REQ-RULES-001")
@given(configs(), ticks)
def test_c_evaluator_matches_the_model(m: dict[str, Any], steps: list[tuple[str, float]]) -> None:
    _check_against_model(m, steps)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(configs(), ticks)
def test_c_evaluator_matches_the_model_long(m: dict[str, Any], steps: list[tuple[str, float]]) -> None:
    _check_against_model(m, steps)


# ---- golden vectors -------------------------------------------------------------------------


def _model_cfg(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": 2 if rule["kind"] == "rate" else 1,
        "op": {">": 1, ">=": 2, "<": 3, "<=": 4}[rule["op"]],
        "threshold": float(rule["threshold"]),
        "clear": None if rule["clear"] is None else float(rule["clear"]),
        "keep_data": rule["no_data"] == "keep",
        "for": rule["for"],
        "keep": rule["keep_firing_for"],
        "window": rule["window"],
        "resolution": rule["resolution"],
        "relative": rule["relative"],
    }


@pytest.mark.req("MON-REQ-RULES-003")
def test_golden_rules_file_digest_pinned() -> None:
    doc = gr.load()
    assert doc["digest"] == GOLDEN_RULES_DIGEST
    assert gr.rules_digest((c["id"], c["expected"]) for c in doc["cases"]) == GOLDEN_RULES_DIGEST
    kinds = {c["id"].split("/")[0] for c in doc["cases"]}
    assert kinds == {"threshold", "rate", "random"}
    # the scenarios exercise every transition, no data, and a refused step back
    recs = [r for c in doc["cases"] for r in c["expected"]]
    assert {r[2] for r in recs} == {0, 1, 2, 3, 4}
    assert any(r[0] == 6 for r in recs) and any(r[3] == 1 for r in recs)


@pytest.mark.req("MON-REQ-RULES-003")
def test_golden_rules_engine_and_model_agree() -> None:
    ok, digest, n, failures = gr.verify_rules()
    assert ok, failures
    assert digest == GOLDEN_RULES_DIGEST and n == 28
    for case in gr.load()["cases"]:
        m = Model(_model_cfg(case["rule"]))
        for (t, bits), exp in zip(case["steps"], case["expected"]):
            v = math.nan if bits is None else struct.unpack("<d", struct.pack("<Q", bits))[0]
            s, phase, tr, cond = m.step(t, v)
            assert [s, phase, tr, int(s == 0 and cond == 2)] == exp, (case["id"], t)


def test_golden_rules_verify_detects_a_changed_record(tmp_path: Any) -> None:
    doc = gr.load()
    doc["cases"][1]["expected"][2][1] ^= 1
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(doc))
    ok, _, _, failures = gr.verify_rules(str(p))
    assert not ok and "threshold/gt-for-3 step 2" in failures[0]


# ---- the engine on C rules ------------------------------------------------------------------

SIG = "drift.amount.psi"


def _engine(rules: list[Rule], **kw: Any) -> AlertEngine:
    return AlertEngine(rules, validate_signals=False, **kw)


@pytest.mark.req("MON-REQ-RULES-003")
def test_covered_rules_run_in_c_others_in_python() -> None:
    e = _engine(
        [
            Rule("t", condition=Threshold(SIG, ">", 1.0, clear=0.5), for_=1, keep_firing_for=2),
            Rule("r", condition=RateOfChange(SIG, "<=", -0.3, 10)),
            Rule("eq", condition=Threshold(SIG, "==", 1.0)),
            Rule("big", condition=RateOfChange(SIG, ">", 1.0, 10, resolution=100)),
        ]
    )
    kinds = {n: isinstance(rt.ev, CRuleEval) for n, rt in e._rt.items()}
    assert kinds == {"t": True, "r": True, "eq": False, "big": False}


@pytest.mark.req("MON-REQ-RULES-002")
def test_clock_jump_step_back_and_nan_with_c_rules() -> None:
    now = [0.0]
    e = _engine(
        [Rule("t", condition=Threshold(SIG, ">", 1.0), for_=10, keep_firing_for=5)], clock=lambda: now[0]
    )
    assert [a.kind for a in e.evaluate({SIG: 2.0})] == ["pending"]
    now[0] = -50.0  # steps back: evaluated at the last time (0), still pending
    assert e.evaluate({SIG: 2.0}) == [] and e.clock_faults == 1
    now[0] = math.nan
    assert e.evaluate({SIG: 2.0}) == [] and e.clock_faults == 2
    now[0] = 1e6  # a jump is time passing: fires
    assert [a.kind for a in e.evaluate({SIG: 2.0})] == ["firing"]
    now[0] = 1e6 + 1
    assert e.evaluate({SIG: 0.0}) == []  # keep firing for 5 s
    now[0] = math.inf
    assert e.evaluate({SIG: 0.0}) == [] and e.clock_faults == 3
    now[0] = 1e6 + 6
    assert [a.kind for a in e.evaluate({SIG: 0.0})] == ["resolved"]
    assert e.status("t").active_since is None


def test_state_round_trip_mid_timers() -> None:
    rules = [
        Rule("t", condition=Threshold(SIG, ">", 1.0), for_=3, keep_firing_for=4),
        Rule("r", condition=RateOfChange(SIG, ">", 0.5, 6, resolution=3)),
    ]
    a, b = _engine(rules), _engine(rules)
    script = [(0, 2.0), (1, 1.0), (3, 2.0), (4, 2.0), (6, 3.0), (7, 0.5), (8, 0.5), (9, 4.0), (13, 0.0)]
    for i, (t, v) in enumerate(script):
        out_a = [(x.rule, x.kind) for x in a.evaluate({SIG: v}, now=t)]
        state = json.loads(json.dumps(b.state(), allow_nan=False))
        b = _engine(rules, state=state)  # restart before every evaluation
        out_b = [(x.rule, x.kind) for x in b.evaluate({SIG: v}, now=t)]
        assert out_a == out_b, i
        assert a.state() == b.state()


def test_restore_state_saved_by_the_python_evaluator() -> None:
    rules = [Rule("r", condition=RateOfChange(SIG, ">", 1.0, 10, relative=False, resolution=2))]
    e = _engine(rules)
    e.evaluate({SIG: 0.0}, now=0)
    state = e.state()
    cond = state["rules"]["r"]["condition"]  # type: ignore[index]
    del cond["ticks"]  # the format the Python evaluator wrote: [[seconds, value]]
    e2 = _engine(rules, state=state)
    assert [x.kind for x in e2.evaluate({SIG: 5.0}, now=10)] == ["firing"]


@pytest.mark.parametrize(
    "bad",
    [
        {"samples": [[0.0, 1.0]], "ticks": [1]},  # tick inconsistent: fine as a tick, but in the past
        {"samples": [[0.0, 1.0], [1.0, 2.0]], "ticks": [5, 3]},
        {"samples": [[0.0, 1.0]], "ticks": [-1]},
        {"samples": [[0.0, 1.0]], "ticks": [1, 2]},
        {"samples": [["x", 1.0]]},
        {"samples": [[0.0, math.nan]]},
        {"samples": [[0.0, 1.0]] * 5},
        {"samples": [[0.0, 1.0]], "ticks": [2**64 - 1]},
    ],
)
def test_restore_rejects_bad_c_rate_state(bad: dict[str, Any]) -> None:
    rules = [Rule("r", condition=RateOfChange(SIG, ">", 1.0, 10, resolution=2))]
    e = _engine(rules)
    e.evaluate({SIG: 0.0}, now=5)
    state = e.state()
    state["rules"]["r"]["condition"] = bad  # type: ignore[index]
    if bad.get("ticks") == [1]:
        _engine(rules, state=state)  # an early tick is consistent (not after the last time)
        return
    with pytest.raises(CorruptDataError):
        _engine(rules, state=state)


@pytest.mark.parametrize("op", [">", ">=", "<", "<="])
def test_rounded_numbers_compare_exactly(op: str) -> None:
    level = 2.0**60
    e = _engine([Rule("t", condition=Threshold(SIG, op, level))])
    for k, raw in enumerate([2**60 + 1, 2**60 - 1, Fraction(2**60 * 3 + 1, 3), 2**60]):
        e.evaluate({SIG: raw}, now=k)
        want = {">": raw > level, ">=": raw >= level, "<": raw < level, "<=": raw <= level}[op]
        assert (e.status("t").state.value == "firing") is want, (op, raw)


def test_tick_mapping_is_monotone_and_clamped() -> None:
    assert tick_of(0.0) == 2**63 and tick_of(1.5) == 2**63 + 1_500_000_000
    assert tick_of(1e300) == 2**64 - 1 and tick_of(-1e300) == 0
    ts = [-1e10, -1.0, -1e-9, 0.0, 1e-10, 0.1, 0.3, 1.7e9, 1e10]
    assert [tick_of(t) for t in ts] == sorted(tick_of(t) for t in ts)


def test_verify_prints_the_rules_line_before_the_main_line() -> None:
    import io

    from monitor import _verify

    buf = io.StringIO()
    assert _verify.run_verify(buf) == 0
    lines = buf.getvalue().splitlines()
    assert lines[0] == f"PASS rules sha256={GOLDEN_RULES_DIGEST} (golden rules v1: 28 cases)"
    assert lines[-1].startswith(
        "PASS sha256=a5749fb5195aa8521d714cb090445c981900752fed59543350dad73f920fc56f (golden v2: "
    )
