"""mon_rule_step_many (one C call for all rules of an engine), the engine's batch of C rules,
and the ledger line of ``monitor verify``."""

from __future__ import annotations

import io
import json
import math
import os

import pytest

from monitor import _verify
from monitor._ffi import ffi, lib


@pytest.mark.req("MON-REQ-GOLD-001")
def test_verify_ledger_golden_fails_on_a_changed_event(tmp_path) -> None:
    path = os.path.join(os.path.dirname(_verify.__file__), "data", "golden_ledger_v1.json")
    with open(path, encoding="utf-8") as fh:
        gold = json.load(fh)
    assert _verify.verify_ledger_golden(path)[0]
    gold["ledger"]["events"][2]["tick"] += 1
    bad = tmp_path / "g.json"
    bad.write_text(json.dumps(gold), encoding="utf-8")
    ok, _, _, failures = _verify.verify_ledger_golden(str(bad))
    assert not ok and any("hash" in f for f in failures) and any("head" in f for f in failures)


@pytest.mark.req("MON-REQ-RULES-001")
def test_step_many_equals_step_and_stops_at_the_failing_rule() -> None:
    n = 5
    cfgs = ffi.new("mon_rule_config[]", n)
    sa, sb = ffi.new("mon_rule_state[]", n), ffi.new("mon_rule_state[]", n)
    ea, eb = ffi.new("mon_rule_event[]", n), ffi.new("mon_rule_event[]", n)
    vals = ffi.new("double[]", n)
    done = ffi.new("size_t *")
    for i in range(n):
        cfgs[i].kind, cfgs[i].op, cfgs[i].threshold = lib.MON_RULE_THRESHOLD, 1 + i % 4, float(i)
        cfgs[i].for_ticks = i
        assert lib.mon_rule_init(cfgs + i, sa + i) == 0 and lib.mon_rule_init(cfgs + i, sb + i) == 0
    for t in range(40):
        for i in range(n):
            vals[i] = math.nan if t % 9 == 4 else float((t * 5 + i) % 7)
            assert lib.mon_rule_step(cfgs + i, sa + i, t, vals[i], ea + i) == 0
        assert lib.mon_rule_step_many(cfgs, sb, n, t, vals, eb, done) == 0 and done[0] == n
        assert ffi.buffer(sa)[:] == ffi.buffer(sb)[:] and ffi.buffer(ea)[:] == ffi.buffer(eb)[:]
    before = ffi.buffer(sb)[:]
    size = ffi.sizeof("mon_rule_state")
    sb[3].magic = 0
    assert lib.mon_rule_step_many(cfgs, sb, n, 50, vals, eb, done) == lib.MON_E_STATE and done[0] == 3
    assert sb[2].last_tick == 50 and ffi.buffer(sb)[4 * size :] == before[4 * size :]
    assert lib.mon_rule_step_many(cfgs, sb, lib.MON_RULE_MAX_BATCH + 1, 60, vals, eb, done) == lib.MON_E_SIZE
    assert done[0] == 0 and sb[0].last_tick == 50


@pytest.mark.req("MON-REQ-GOLD-001")
def test_verify_prints_one_line_per_golden_set_main_set_last() -> None:
    buf = io.StringIO()
    assert _verify.run_verify(buf) == 0
    lines = buf.getvalue().splitlines()
    assert [w.split()[:2] for w in lines][:2] == [
        ["PASS", lines[0].split()[1]],
        ["PASS", lines[1].split()[1]],
    ]
    assert lines[0].startswith("PASS rules sha256=") and lines[1].startswith("PASS ledger head=")
    assert lines[2].startswith(
        "PASS sha256=a5749fb5195aa8521d714cb090445c981900752fed59543350dad73f920fc56f (golden v2: "
    )
    assert len(lines) == 3


def _mixed_rules() -> list:
    from monitor.alerts import AllOf, RateOfChange, Rule, RuleRef, Threshold

    sigs = [f"x.s{i}" for i in range(6)]
    return [
        Rule("t0", condition=Threshold(sigs[0], ">", 3.0, clear=1.0), for_=20, keep_firing_for=10),
        Rule("both", condition=AllOf(RuleRef("r2"), Threshold(sigs[1], "!=", 2.0))),
        Rule("t1", condition=Threshold(sigs[1], "<=", 2.0), no_data="keep"),
        Rule("r2", condition=RateOfChange(sigs[2], ">", 2.0, "30s", resolution=3)),
        Rule("eq3", condition=Threshold(sigs[3], "!=", 4.0)),
        Rule("t4", condition=Threshold(sigs[4], ">", 2**60)),
        Rule("fired", condition=RuleRef("t1", firing=True)),
    ], sigs


@pytest.mark.req("MON-REQ-RULES-001")
def test_engine_batch_gives_the_transitions_of_the_python_evaluators() -> None:
    """The C batch (one call per evaluation, Python work only for rules that changed) and the
    Python evaluators give the same alerts, values and saved state; exact numbers, missing and
    NaN values, rule references, a restore mid-run."""
    from fractions import Fraction

    from monitor.alerts import AlertEngine
    from monitor.alerts.evaluators import compile_condition

    rules, sigs = _mixed_rules()
    c = AlertEngine(rules, validate_signals=False)
    p = AlertEngine(rules, validate_signals=False)
    for rt in p._runtimes:
        rt.c = None
        rt.ev = compile_condition(rt.rule.cond)
    p._bind()
    assert c._batch is not None and c._batch.n == 4 and p._batch is None
    seen: set[str] = set()
    kept = 0
    for k in range(120):
        snap: dict[str, object] = {}
        for j, s in enumerate(sigs):
            r = (k // 4) % 11 if j == 0 else (k * 7 + j * 3) % 11  # x.s0 slow: t0 fires
            if r == 10:
                continue  # missing
            snap[s] = math.nan if r == 9 else float(r % 6)
        if k % 5 == 0:
            snap[sigs[4]] = 2**60 + (k % 3)  # exact integer beyond 2**53
            snap[sigs[0]] = Fraction(3 * (k % 2) + 3, 1) + Fraction(1, 3)
        if k == 60:  # restore the C engine from its saved state mid-run
            c = AlertEngine(rules, validate_signals=False, state=json.loads(json.dumps(c.state())))
        a, b = c.evaluate(snap, now=7.5 * k), p.evaluate(snap, now=7.5 * k)
        assert [x.to_dict() for x in a] == [x.to_dict() for x in b], k
        for r in rules:
            sc, sp = c.status(r.name), p.status(r.name)
            assert (sc.state, sc.active_since, sc.fired_at, sc.value, sc.threshold, sc.no_data) == (
                sp.state,
                sp.active_since,
                sp.fired_at,
                sp.value,
                sp.threshold,
                sp.no_data,
            ), (k, r.name)
        rc, rp = c.state()["rules"], p.state()["rules"]
        for name, d in rc.items():  # type: ignore[union-attr]
            d, e = dict(d), dict(rp[name])  # type: ignore[index]
            d.pop("evaluations"), e.pop("evaluations")  # the restored engine counts from the state
            d.pop("condition"), e.pop("condition")  # the C rate state also has the sample ticks
            assert d == e, (k, name)
        seen.update(f"{x.rule}:{x.kind}" for x in a)
        kept += rc["t0"]["keep_firing_since"] is not None  # type: ignore[index]
    assert {
        "t0:firing",
        "t0:resolved",
        "t1:firing",
        "r2:firing",
        "both:firing",
        "fired:firing",
        "t4:firing",
    } <= seen
    assert kept > 0
