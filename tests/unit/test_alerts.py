"""Alert rules: table-driven scenarios from the article's "Alert Design" section and the
Prometheus alerting semantics (pending / firing / resolved, for, keep_firing_for)."""

from __future__ import annotations

import json
import logging
import statistics
from fractions import Fraction
from typing import Any

import pytest

import monitor
from monitor import (
    AlertEngine,
    AlertState,
    AllOf,
    AnyOf,
    Baseline,
    Not,
    RateOfChange,
    Rule,
    RuleRef,
    Severity,
    Silence,
    error_rate_rules,
)
from monitor.alerts import check_signal, mean_sigma

P99 = "latency.p99_ms"


def run(
    rules: list[Rule], series: list[tuple[float, dict[str, float]]], **kw: Any
) -> list[tuple[float, str, str]]:
    """Evaluate ``series`` of (time, snapshot) and return (time, rule, kind) transitions."""
    eng = AlertEngine(rules, **kw)
    out = []
    for t, snap in series:
        for a in eng.evaluate(snap, now=t):
            out.append((t, a.rule, a.kind))
    return out


def minutes(
    values: list[float], signal: str = P99, step: float = 60.0
) -> list[tuple[float, dict[str, float]]]:
    return [(i * step, {signal: v}) for i, v in enumerate(values)]


# (id, rule, per-minute values, expected transitions as (minute, kind))
SCENARIOS = [
    # The article: "P99 latency > 500ms for 5 minutes" is actionable.
    (
        "p99_500ms_for_5m",
        Rule("r", P99, ">", "500ms", for_="5m"),
        [100, 600, 600, 600, 600, 600, 600, 600, 100],
        [(1, "pending"), (6, "firing"), (8, "resolved")],
    ),
    # "Momentary spikes happen": a 4-minute spike never fires a 5-minute rule.
    (
        "spike_never_fires",
        Rule("r", P99, ">", 500, for_="5m"),
        [100, 900, 900, 900, 900, 100, 900, 100],
        [(1, "pending"), (5, "cancelled"), (6, "pending"), (7, "cancelled")],
    ),
    # Prometheus: for=0 fires at the first true evaluation.
    ("for_zero_fires_at_once", Rule("r", P99, ">", 500), [100, 501, 100], [(1, "firing"), (2, "resolved")]),
    # Exactly at the threshold is not above it.
    ("strict_comparator", Rule("r", P99, ">", 500, for_=60), [500, 500, 500], []),
    # The article: "P99 normally 180 ms with sigma 40 ms -> alert at 300 ms (3 sigma), not 500".
    (
        "baseline_3_sigma",
        Rule("r", P99, ">", Baseline(k=3, mean="180ms", sigma="40ms"), for_="2m"),
        [250, 300, 310, 320, 330, 290],
        [(2, "pending"), (4, "firing"), (5, "resolved")],
    ),
    # Hysteresis: trigger above 500, clear only below 400.
    (
        "hysteresis",
        Rule("r", P99, ">", 500, clear=400, for_=0),
        [450, 510, 450, 480, 420, 510, 399, 450, 480],
        [(1, "firing"), (6, "resolved")],
    ),
    # keep_firing_for: stays firing 3 minutes after the condition clears (Prometheus).
    (
        "keep_firing_for",
        Rule("r", P99, ">", 500, keep_firing_for="3m"),
        [600, 100, 100, 100, 100, 600, 100, 600],
        [(0, "firing"), (4, "resolved"), (5, "firing")],
    ),
    (
        "keep_firing_for_interrupted",
        Rule("r", P99, ">", 500, keep_firing_for="3m"),
        [600, 100, 100, 600, 100, 100, 100, 100],
        [(0, "firing"), (7, "resolved")],
    ),
    # Throughput dropping below a baseline learned over reference windows: mean - k sigma.
    (
        "baseline_downward",
        Rule("r", "throughput.processed_rps", "<", Baseline.from_reference([100, 110, 90, 100], k=2)),
        [100, 90, 85, 80, 95],
        [(3, "firing"), (4, "resolved")],
    ),
]


@pytest.mark.parametrize("rule,values,expected", [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_article_scenarios(rule: Rule, values: list[float], expected: list[tuple[int, str]]) -> None:
    signal = rule.cond.signals()[0]
    got = run([rule], minutes(values, signal))
    assert [(int(t // 60), kind) for t, _, kind in got] == expected


def test_baseline_article_level_is_300() -> None:
    assert Baseline(k=3, mean=180.0, sigma=40.0).level(">") == 300.0
    eng = AlertEngine([Rule("r", P99, ">", Baseline(k=3, mean="180ms", sigma="0.04s"))])
    (a,) = eng.evaluate({P99: 301}, now=0)
    assert a.threshold == 300.0 and a.value == 301 and a.kind == "firing"


@pytest.mark.req("MON-REQ-ALERT-002")
def test_baseline_from_history_is_exact_mean_plus_k_sigma() -> None:
    history = [170.0, 190.0, 175.0, 185.0, 180.0, 230.0, 150.0, 180.0]
    # Hand computed: mean 182.5, sample variance = sum of squared deviations / 7.
    mean = Fraction(sum(Fraction(v) for v in history), len(history))
    var = sum((Fraction(v) - mean) ** 2 for v in history) / (len(history) - 1)
    level = float(mean) + 3 * (float(var) ** 0.5)
    assert level == pytest.approx(182.5 + 3 * statistics.stdev(history), rel=1e-15)
    for probe, fires in ((level, False), (level + 1e-9, True)):
        eng = AlertEngine([Rule("r", P99, ">", Baseline(k=3, history=8, min_history=8))])
        for i, v in enumerate(history):
            assert eng.evaluate({P99: v}, now=i) == []
        got = eng.evaluate({P99: probe}, now=9)
        assert bool(got) == fires
        assert eng.status("r").threshold == level


def test_baseline_history_warms_up_and_freezes_while_active() -> None:
    rule = Rule("r", P99, ">", Baseline(k=2, history=4, min_history=3))
    eng = AlertEngine([rule])
    for i, v in enumerate([100, 110, 90]):
        eng.evaluate({P99: v}, now=i)
    st = eng.status("r")
    assert st.no_data == 3 and st.details["history"] == 3
    (a,) = eng.evaluate({P99: 1000}, now=3)
    assert a.kind == "firing"
    # Incident values are not learned while the rule is active.
    eng.evaluate({P99: 1000}, now=4)
    assert eng.status("r").details["history"] == 3
    assert eng.status("r").details["mean"] == 100.0


@pytest.mark.req("MON-REQ-ALERT-002")
def test_mean_sigma_exact() -> None:
    xs = [0.1, 0.2, 0.3, 1e-300, 1e10]
    mean, sigma = mean_sigma(xs)
    fr = [Fraction(x) for x in xs]
    m = sum(fr) / len(fr)
    assert mean == float(m)
    var = sum((x - m) ** 2 for x in fr) / (len(fr) - 1)
    assert sigma == float(var) ** 0.5 or abs(sigma - float(var) ** 0.5) <= 1e-16 * sigma


def test_baseline_from_chunks() -> None:
    data = [float(i % 10) for i in range(100)]
    b = Baseline.from_chunks(data, 25, lambda c: max(c), k=3)
    assert b.mean == 9.0 and b.sigma == 0.0


# --- rate of change ------------------------------------------------------------------------


@pytest.mark.req("MON-REQ-ALERT-002")
def test_rate_of_change_300_percent_in_10_minutes() -> None:
    # The article: "error rate increased 300% in 10 minutes" matters more than "is 1.5%".
    sig = "errors.rate.infrastructure"
    up = Rule("up", condition=RateOfChange(sig, ">=", "300%", "10m"), severity="page")
    static = Rule("static", sig, ">", "1.5%", severity="ticket")
    # 0.5% for 10 minutes, then it rises to 2% over the next 10 minutes (+300% against 10 min ago).
    values = [0.005] * 11 + [0.005 + 0.0015 * k for k in range(1, 11)]
    got = run([up, static], minutes(values, sig))
    assert (20, "up", "firing") in [(int(t // 60), r, k) for t, r, k in got]
    assert values[20] == pytest.approx(0.02)
    # The static 1.5% rule fires at 1.55% (minute 17); the change rule at minute 20 compares
    # 0.02 with 0.005 (10 minutes earlier).
    first = {r: int(t // 60) for t, r, k in reversed(got) if k == "firing"}
    assert first == {"static": 17, "up": 20}


def test_rate_of_change_needs_a_full_window_and_handles_zero() -> None:
    r = Rule("r", condition=RateOfChange("errors.rate.timeout", ">", "100%", "10m"))
    eng = AlertEngine([r])
    for t in range(0, 600, 60):
        assert eng.evaluate({"errors.rate.timeout": 0.0 if t < 540 else 1.0}, now=t) == []
    assert eng.status("r").no_data == 10  # never a full 10 minutes of history
    (a,) = eng.evaluate({"errors.rate.timeout": 0.5}, now=600)  # from 0 to 0.5: +inf
    assert a.kind == "firing" and a.value == float("inf")
    json.dumps(eng.state(), allow_nan=False)


def test_rate_of_change_absolute_and_drop() -> None:
    drop = Rule("drop", condition=RateOfChange("throughput.processed_rps", "<=", "-30%", "5m"))
    delta = Rule("delta", condition=RateOfChange(P99, ">", "100ms", "5m", relative=False))
    eng = AlertEngine([drop, delta])
    for t in range(0, 301, 60):
        eng.evaluate({"throughput.processed_rps": 100.0, P99: 200.0}, now=t)
    got = {a.rule: a.value for a in eng.evaluate({"throughput.processed_rps": 70.0, P99: 301.0}, now=360)}
    assert got == {"drop": pytest.approx(-0.3), "delta": 101.0}


# --- composite -----------------------------------------------------------------------------


def test_composite_latency_high_and_errors_rising_and_throughput_dropping() -> None:
    rules = [
        Rule("latency_high", P99, ">", 500, severity="ticket"),
        Rule(
            "errors_rising",
            condition=RateOfChange("errors.rate.infrastructure", ">", "50%", "5m"),
            severity="info",
        ),
        Rule(
            "throughput_dropping",
            condition=RateOfChange("throughput.processed_rps", "<", "-20%", "5m"),
            severity="info",
        ),
        Rule("incident", condition=AllOf("latency_high", "errors_rising", "throughput_dropping"), for_="2m"),
    ]
    eng = AlertEngine(rules)

    def snap(lat: float, err: float, rps: float) -> dict[str, float]:
        return {P99: lat, "errors.rate.infrastructure": err, "throughput.processed_rps": rps}

    for t in range(0, 301, 60):
        eng.evaluate(snap(100, 0.01, 1000), now=t)
    # Latency alone: no incident.
    eng.evaluate(snap(900, 0.01, 1000), now=360)
    assert eng.status("incident").state is AlertState.INACTIVE
    # All three together for 2 minutes: incident fires.
    kinds = []
    for t in (420, 480, 540):
        kinds += [(a.rule, a.kind) for a in eng.evaluate(snap(900, 0.03, 500), now=t)]
    assert ("incident", "pending") in kinds and ("incident", "firing") in kinds
    assert eng.status("incident").fired_at == 540


def test_any_not_and_firing_refs() -> None:
    rules = [
        Rule("a", P99, ">", 500, for_="2m"),
        Rule("b", "saturation", ">", "90%"),
        Rule("either", condition=AnyOf("a", "b")),
        Rule("a_firing_not_b", condition=AllOf(RuleRef("a", firing=True), Not(RuleRef("b")))),
    ]
    got = run(rules, [(t, {P99: 600, "saturation": 0.5}) for t in (0, 60, 120)])
    assert (0, "either", "firing") in got
    assert (120, "a", "firing") in got and (120, "a_firing_not_b", "firing") in got


def test_reference_errors() -> None:
    with pytest.raises(monitor.InvalidArgumentError, match="unknown rule 'nope'"):
        AlertEngine([Rule("x", condition=AllOf("nope"))])
    with pytest.raises(monitor.InvalidArgumentError, match="cycle"):
        AlertEngine([Rule("x", condition=RuleRef("y")), Rule("y", condition=RuleRef("x"))])
    with pytest.raises(monitor.InvalidArgumentError, match="duplicate"):
        AlertEngine([Rule("x", P99, ">", 1), Rule("x", P99, ">", 2)])


# --- severity, routing, per-category thresholds ----------------------------------------------


def test_per_category_thresholds_and_routing() -> None:
    # The article: infrastructure errors at 2% might be critical; input validation at 5% might
    # just mean a misbehaving client. Routes: infrastructure -> platform, model -> ML, business -> product.
    rules = error_rate_rules(
        {
            "infrastructure": ("2%", "page"),
            "input_validation": ("5%", "ticket"),
            "model_inference": "1%",
            "business_logic": ("3%", Severity.TICKET),
        },
        for_=0,
    )
    eng = AlertEngine(rules)
    snap = {
        "errors.rate.infrastructure": 0.025,
        "errors.rate.input_validation": 0.03,
        "errors.rate.model_inference": 0.02,
        "errors.rate.business_logic": 0.04,
    }
    got = {a.rule: (a.severity, a.route) for a in eng.evaluate(snap, now=0)}
    assert got == {
        "error_rate_infrastructure": (Severity.PAGE, "platform"),
        "error_rate_model_inference": (Severity.PAGE, "ml"),
        "error_rate_business_logic": (Severity.TICKET, "product"),
    }
    got = {a.rule: a.severity for a in eng.evaluate({**snap, "errors.rate.input_validation": 0.06}, now=60)}
    assert got == {"error_rate_input_validation": Severity.TICKET}
    # Default thresholds are the article's.
    defaults = {r.name: (r.threshold, r.severity) for r in error_rate_rules()}
    assert defaults == {
        "error_rate_infrastructure": (0.02, Severity.PAGE),
        "error_rate_input_validation": (0.05, Severity.TICKET),
    }


@pytest.mark.req("MON-REQ-ALERT-007")
def test_routes() -> None:
    router = monitor.Router()
    assert router.route(Rule("d", "drift.amount.psi", ">", 0.25)) == "ml"
    assert router.route(Rule("s", "saturation", ">", 0.9)) == "platform"
    assert router.route(Rule("x", "saturation", ">", 0.9, route="sre")) == "sre"
    assert router.route(Rule("c", "saturation", ">", 0.9, labels={"category": "business_logic"})) == "product"
    assert (
        monitor.Router({"drift": "data-team"}, default="ops").route(Rule("d", "drift.f.tv", ">", 0.1))
        == "data-team"
    )


# --- silences --------------------------------------------------------------------------------


@pytest.mark.req("MON-REQ-ALERT-007")
def test_planned_load_test_is_not_an_incident() -> None:
    # The article: "High latency during planned load testing isn't an incident."
    paged: list[monitor.Alert] = []
    rule = Rule("latency_p99_high", P99, ">", "500ms", for_="5m")
    load_test = Silence(start=600, end=1800, rules=("latency_*",), comment="planned load test")
    eng = AlertEngine([rule], on_alert=paged.append, silences=[load_test])
    transitions = []
    for t in range(0, 2400, 60):
        lat = 900 if 600 <= t < 1800 else 100
        transitions += eng.evaluate({P99: lat}, now=t)
    assert [a.kind for a in transitions] == ["pending", "firing", "resolved"]
    assert all(a.silenced for a in transitions)
    assert paged == []


@pytest.mark.req("MON-REQ-ALERT-007")
def test_silence_end_notifies_still_firing_rule_once() -> None:
    paged: list[monitor.Alert] = []
    eng = AlertEngine(
        [Rule("r", P99, ">", 500, severity="page")],
        on_alert=paged.append,
        silences=[Silence(0, 120, labels={"severity": "page"})],
    )
    for t in range(0, 300, 60):
        eng.evaluate({P99: 900}, now=t)
    assert [(a.at, a.kind, a.silenced) for a in paged] == [(120, "firing", False)]
    eng.evaluate({P99: 100}, now=300)
    assert [a.kind for a in paged] == ["firing", "resolved"]


def test_silence_matching() -> None:
    r = Rule("latency_p99", P99, ">", 1, labels={"team": "ml"})
    s = Silence("2026-01-23T18:00:00Z", "2026-01-23T20:00:00Z", rules=("latency_*",), labels={"team": "ml"})
    t = s.start
    assert isinstance(t, float) and s.matches(r, "platform", t) and not s.matches(r, "platform", s.end)  # type: ignore[arg-type]
    assert not Silence(0, 10, labels={"team": "x"}).matches(r, "platform", 5)
    assert not Silence(0, 10, rules=("error*",)).matches(r, "platform", 5)
    with pytest.raises(monitor.InvalidArgumentError, match="after start"):
        Silence(10, 5)


# --- no data, logging, callbacks, API edges ------------------------------------------------


@pytest.mark.req("MON-REQ-ALERT-004")
def test_missing_signal_is_no_data_never_a_crash() -> None:
    rule = Rule("r", P99, ">", 500)
    keep = Rule("k", P99, ">", 500, no_data="keep")
    eng = AlertEngine([rule, keep])
    assert {a.kind for a in eng.evaluate({P99: 600}, now=0)} == {"firing"}
    got = {(a.rule, a.kind) for a in eng.evaluate({}, now=60)}
    assert got == {("r", "resolved")}  # Prometheus: no data -> resolved; "keep" holds its state
    assert eng.evaluate({P99: float("nan")}, now=120) == []
    assert eng.status("r").no_data == 2 and eng.status("k").state is AlertState.FIRING
    assert eng.status("k").no_data == 2


def test_structured_logger_and_callbacks() -> None:
    events: list[tuple[str, str, dict[str, Any]]] = []

    class Logger:
        def log(self, event: str, level: str = "info", **context: Any) -> None:
            events.append((event, level, context))

    def broken(alert: monitor.Alert) -> None:
        raise RuntimeError("pager down")

    seen: list[str] = []
    eng = AlertEngine(
        [Rule("r", P99, ">", 500, for_=60, severity="page", summary="slow")],
        logger=Logger(),
        on_alert=[broken, lambda a: seen.append(a.kind)],
    )
    eng.evaluate({P99: 600}, now=0)
    eng.evaluate({P99: 600}, now=60)
    assert seen == ["pending", "firing"]
    names = [(e, lvl) for e, lvl, _ in events]
    assert ("alert_pending", "info") in names and ("alert_firing", "error") in names
    assert names.count(("alert_callback_error", "error")) == 2
    ctx = next(c for e, _, c in events if e == "alert_firing")
    assert (
        ctx["rule"] == "r" and ctx["value"] == 600 and ctx["threshold"] == 500 and ctx["route"] == "platform"
    )
    json.dumps(ctx)


def test_default_stdlib_logging_has_structured_extra(caplog: pytest.LogCaptureFixture) -> None:
    eng = AlertEngine([Rule("r", P99, ">", 500)])
    with caplog.at_level(logging.INFO, logger="monitor.alerts"):
        eng.evaluate({P99: 600}, now=0)
    rec = next(r for r in caplog.records if getattr(r, "event", None) == "alert_firing")
    assert rec.levelno == logging.ERROR and rec.rule == "r" and rec.severity == "page"


def test_snapshot_object_and_injected_clock() -> None:
    class Snap:
        def signals(self) -> dict[str, float]:
            return {P99: 700.0}

    now = [100.0]
    eng = AlertEngine([Rule("r", P99, ">", 500)], clock=lambda: now[0])
    (a,) = eng.evaluate(Snap())
    assert a.at == 100.0
    now[0] = 50.0  # a clock stepping back is a clock fault: time holds at 100
    assert eng.evaluate(Snap()) == [] and eng.clock_faults == 1
    assert eng.status("r").evaluations == 2
    with pytest.raises(monitor.InvalidArgumentError, match="backwards"):
        eng.evaluate(Snap(), now=50)  # an explicit time is the caller's: refused
    with pytest.raises(monitor.InvalidArgumentError, match="mapping"):
        eng.evaluate(42)  # type: ignore[arg-type]
    eng.validate_against(Snap())
    with pytest.raises(monitor.InvalidArgumentError, match="saturation"):
        AlertEngine([Rule("s", "saturation", ">", 1)]).validate_against(Snap())


def test_active_lists_pending_and_firing() -> None:
    eng = AlertEngine([Rule("p", P99, ">", 500, for_=300), Rule("f", P99, ">", 500)])
    eng.evaluate({P99: 600}, now=0)
    assert {(a.rule, a.state) for a in eng.active()} == {("p", AlertState.PENDING), ("f", AlertState.FIRING)}


@pytest.mark.parametrize(
    "bad,match",
    [
        (dict(signal="latency.p98.ms", op=">", threshold=1), "unknown signal"),
        (dict(signal="errors.rate.infra", op=">", threshold=0.02), "error categories"),
        (dict(signal=P99, op="=>", threshold=1), "comparator"),
        (dict(signal=P99, op=">", threshold="2%"), "percentage"),
        (dict(signal="saturation", op=">", threshold="500ms"), "dimensionless"),
        (dict(signal=P99, op=">", threshold="5 parsecs"), "bad latency"),
        (dict(signal=P99, op=">", threshold=500, clear=600), "safe side"),
        (dict(signal=P99, op=">", threshold=500, for_="5 minutes"), "bad duration"),
        (dict(signal=P99, op=">", threshold=500, for_=-1), ">= 0"),
        (dict(signal=P99, op=">", threshold=500, severity="critical"), "severity"),
        (dict(signal=P99, op=">", threshold=float("nan")), "finite"),
        (dict(signal=P99, op="==", threshold=Baseline(mean=1, sigma=1)), "ordering"),
    ],
)
@pytest.mark.req("MON-REQ-ALERT-006")
def test_rule_validation(bad: dict[str, Any], match: str) -> None:
    with pytest.raises(monitor.InvalidArgumentError, match=match):
        AlertEngine([Rule("r", **bad)])


def test_known_signals() -> None:
    for s in (
        "latency.p50_ms",
        "latency.p999_ms",
        "throughput.dropped_rps",
        "throughput.received",
        "saturation",
        "errors.rate.timeout",
        "drift.amount.psi",
        "drift.merchant_category.js",
        "slo.checkout.good",
    ):
        assert check_signal(s) == s
    assert check_signal("custom.thing", ["custom.*"]) == "custom.thing"
    with pytest.raises(monitor.InvalidArgumentError):
        check_signal("drift.amount.kl")
    AlertEngine([Rule("r", "anything.goes", ">", 1)], validate_signals=False)


def test_units() -> None:
    r = Rule("r", P99, ">", "0.5s", for_="1h30m", keep_firing_for="500ms", clear="450ms")
    assert (r.threshold, r.for_, r.keep_firing_for, r.clear) == (500.0, 5400.0, 0.5, 450.0)
    assert Rule("e", "errors.rate.timeout", ">", "2%").threshold == 0.02


def test_silences_persist_in_state_and_expire() -> None:
    s = Silence(0, 600, rules=("r",), comment="deploy")
    eng = AlertEngine([Rule("r", P99, ">", 500)], silences=[s])
    eng.add_silence(Silence(0, 1200))
    eng.evaluate({P99: 100}, now=0)
    saved = json.loads(json.dumps(eng.state()))
    again = AlertEngine([Rule("r", P99, ">", 500)], silences=[s], state=saved)
    assert again.silences == [s, Silence(0, 1200)]
    again.evaluate({P99: 100}, now=600)
    assert again.silences == [Silence(0, 1200)]
    again.evaluate({P99: 100}, now=1200)
    assert again.silences == [] and again.state()["silences"] == []


@pytest.mark.req("MON-REQ-ALERT-005")
def test_restore_rejects_changed_rules_and_bad_state() -> None:
    eng = AlertEngine([Rule("r", P99, ">", 500, for_=300)])
    eng.evaluate({P99: 600}, now=0)
    saved = eng.state()
    with pytest.raises(monitor.ConfigMismatchError, match="changed"):
        AlertEngine([Rule("r", P99, ">", 400, for_=300)], state=saved)
    with pytest.raises(monitor.ConfigMismatchError, match="differ"):
        AlertEngine([Rule("q", P99, ">", 500)], state=saved)
    eng2 = AlertEngine([Rule("r", P99, ">", 400, for_=300), Rule("q", P99, ">", 1)])
    assert eng2.restore(saved, strict=False) == ["q", "r"]
    for bad in (
        {},
        {**saved, "version": 99},
        {**saved, "rules": {"r": {"state": "firing"}}},
        {**saved, "last_now": "x"},
    ):
        with pytest.raises(monitor.CorruptDataError):
            AlertEngine([Rule("r", P99, ">", 500, for_=300)], state=bad)
    # A pending timer survives the restart: fires 300 s after the first true evaluation.
    resumed = AlertEngine([Rule("r", P99, ">", 500, for_=300)], state=json.loads(json.dumps(saved)))
    assert resumed.evaluate({P99: 600}, now=240) == []
    assert [a.kind for a in resumed.evaluate({P99: 600}, now=300)] == ["firing"]


def test_fingerprint_ignores_presentation() -> None:
    a = Rule("r", P99, ">", 500, for_=60)
    assert (
        a.fingerprint()
        == Rule("r", P99, ">", 500, for_=60, severity="ticket", summary="x", route="y").fingerprint()
    )
    assert a.fingerprint() != Rule("r", P99, ">", 500, for_=120).fingerprint()
    assert a.fingerprint() != Rule("r", P99, ">=", 500, for_=60).fingerprint()


@pytest.mark.req("MON-REQ-ALERT-004")
def test_non_numeric_values_are_no_data() -> None:
    eng = AlertEngine([Rule("r", P99, ">", 500), Rule("b", P99, ">", Baseline(k=1, history=3))])
    assert eng.evaluate({P99: "slow"}, now=0) == []  # type: ignore[dict-item]
    assert eng.status("r").no_data == 1 and eng.status("b").no_data == 1


@pytest.mark.req("MON-REQ-CLOCK-001")
def test_clock_faults_hold_time_are_counted_and_logged_once_per_run() -> None:
    events: list[tuple[str, dict[str, object]]] = []

    class Log:
        def log(self, event: str, level: str = "info", **context: object) -> None:
            events.append((event, context))

    readings: list[object] = [float("nan")]

    def clock() -> float:
        r = readings[0]
        if isinstance(r, Exception):
            raise r
        return r  # type: ignore[return-value]

    eng = AlertEngine([Rule("r", P99, ">", 500, keep_firing_for=0)], clock=clock, logger=Log())
    assert eng.evaluate({P99: 600}) == [] and eng.clock_faults == 1  # no time yet: skipped
    readings[0] = 100.0
    assert [a.kind for a in eng.evaluate({P99: 600})] == ["firing"]
    for bad in (float("inf"), RuntimeError("clock broke"), "now", 50.0):
        readings[0] = bad
        out = eng.evaluate({P99: 100})  # time holds at 100; the cleared rule still resolves
        assert all(a.at == 100.0 for a in out)
    assert eng.clock_faults == 5 and eng.status("r").state is AlertState.INACTIVE
    faults = [c for e, c in events if e == "alert_clock_fault"]
    assert len(faults) == 2  # the run before the first good reading, and the run after it
    assert "stepped back" not in str(faults[1]["reason"]) and faults[1]["at"] == 100.0
    readings[0] = 200.0
    eng.evaluate({P99: 100})
    assert eng.status("r").evaluations == 6
