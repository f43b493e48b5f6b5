"""Bad-input catalogue of the alerts API (issue 10, items 10, 11, 14, 20): every public entry point
x every class of bad input, asserting the exception class (a ``monitor.errors`` class that is also
the matching builtin) and that the message names what was wrong. The classes:

- ``type``: a wrong type (None, a list, an object, bytes, a number where a string is expected...);
- ``bool``: a bool where a number is expected, or a string ("false") where a bool is;
- ``nonfinite``: NaN and infinities;
- ``huge``: numbers beyond the double range (``10**400``, ``Decimal("1e400")``), durations that
  overflow to inf, oversized histories, 5,000-digit integers in files;
- ``range``: values of the right type out of their range (negative, zero, unknown enum value);
- ``unknown``: unknown names (signals, comparators, rules, fields), mismatched configuration;
- ``nesting``: deep nesting and reference cycles (a 1,000-rule cycle), without RecursionError;
- ``hostile``: objects whose ``__repr__`` or ``items()`` raises;
- ``tampered``: saved state edited (Infinity counts, future timers, wrong types): ``restore``;
- ``snapshot``: bad snapshot values given to ``evaluate``: no data, never an exception.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitor.alerts import (
    AlertEngine,
    AllOf,
    AnyOf,
    Baseline,
    BurnRate,
    Not,
    RateOfChange,
    Router,
    Rule,
    RuleRef,
    Silence,
    burn_rate_factor,
    check_signal,
    error_rate_rules,
    format_duration,
    load_rules,
    mean_sigma,
    parse_config,
    parse_duration,
    parse_quantity,
    slo_burn_rate_rules,
)
from monitor.errors import (
    ConfigMismatchError,
    CorruptDataError,
    InvalidArgumentError,
    InvalidTypeError,
    MonitorError,
)

P99 = "latency.p99_ms"
HUGE = 10**400


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr failed")

    __str__ = __repr__


class BadItems(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("items failed")


def _cycle(n: int) -> list[Rule]:
    return [Rule(f"r{i}", condition=RuleRef(f"r{(i + 1) % n}")) for i in range(n)]


def _nested(n: int) -> Any:
    c: Any = Rule("x", P99, ">", 1).cond
    for _ in range(n):
        c = Not(c)
    return c


def _nested_table(n: int) -> dict[str, Any]:
    d: dict[str, Any] = {"signal": P99, "op": ">", "threshold": 1}
    for _ in range(n):
        d = {"not": d}
    return d


BURN = {"total": "slo.a.total", "good": "slo.a.good", "objective": "99%", "windows": (("1h", "5m", 14.4),)}


def _rule(**kw: Any) -> Rule:
    return Rule("r", **{"signal": P99, "op": ">", "threshold": 500, **kw})


def _cfg(**kw: Any) -> Any:
    return parse_config({"rule": [{"name": "r", "signal": P99, "op": ">", "threshold": 1, **kw}]})


def _rules(threshold: float = 500) -> list[Rule]:
    return [
        Rule("r", P99, ">", threshold, for_=60),
        Rule("h", P99, ">", Baseline(history=4)),
        Rule("c", condition=RateOfChange(P99, ">", "10%", "1m")),
    ]


def _engine() -> AlertEngine:
    e = AlertEngine(_rules())
    e.evaluate({P99: 600}, now=100)
    return e


def _state(**rule_fields: Any) -> dict[str, Any]:
    e = _engine()
    s = json.loads(json.dumps(e.state()))
    s["rules"]["r"].update(rule_fields)
    return s


def _restore(state: Mapping[str, Any]) -> Callable[[], object]:
    def run() -> object:
        e = _engine()
        before = json.dumps(e.state())
        try:
            return e.restore(state)
        finally:
            assert json.dumps(e.state()) == before  # a failed restore changes nothing

    return run


# (class, id, call, exception, message regex)
CASES: list[tuple[str, str, Callable[[], object], type[Exception], str]] = [
    # -- Rule ---------------------------------------------------------------------------------
    ("type", "rule-name-int", lambda: Rule(5, P99, ">", 1), InvalidTypeError, "rule name must be a string"),  # type: ignore[arg-type]
    ("range", "rule-name-space", lambda: Rule("a b", P99, ">", 1), InvalidArgumentError, "identifier-like"),
    ("type", "rule-signal-int", lambda: Rule("r", 5, ">", 1), InvalidTypeError, "signal.*expected a string"),  # type: ignore[arg-type]
    ("type", "rule-op-list", lambda: _rule(op=[">"]), InvalidTypeError, "comparator must be a string"),
    ("unknown", "rule-op", lambda: _rule(op="=>"), InvalidArgumentError, "unknown comparator '=>'"),
    (
        "type",
        "rule-threshold-list",
        lambda: _rule(threshold=[1]),
        InvalidTypeError,
        "threshold: expected a number",
    ),
    (
        "type",
        "rule-threshold-none-kind",
        lambda: _rule(threshold=complex(1, 2)),
        InvalidTypeError,
        "got complex",
    ),
    ("bool", "rule-threshold-bool", lambda: _rule(threshold=True), InvalidTypeError, "got bool"),
    ("nonfinite", "rule-threshold-nan", lambda: _rule(threshold=math.nan), InvalidArgumentError, "finite"),
    (
        "nonfinite",
        "rule-threshold-inf-str",
        lambda: _rule(threshold="inf"),
        InvalidArgumentError,
        "bad latency",
    ),
    (
        "huge",
        "rule-threshold-10e400",
        lambda: _rule(threshold=HUGE),
        InvalidArgumentError,
        "beyond the range of a double",
    ),
    (
        "huge",
        "rule-threshold-decimal",
        lambda: _rule(threshold=Decimal("1e400")),
        InvalidArgumentError,
        "beyond the range",
    ),
    (
        "huge",
        "rule-threshold-fraction",
        lambda: _rule(threshold=Fraction(HUGE)),
        InvalidArgumentError,
        "beyond the range",
    ),
    (
        "huge",
        "rule-threshold-1e999",
        lambda: _rule(threshold="1e999"),
        InvalidArgumentError,
        "finite.*'1e999'",
    ),
    (
        "huge",
        "rule-threshold-pct-1e999",
        lambda: Rule("r", "saturation", ">", "1e99999999%"),
        InvalidArgumentError,
        "finite",
    ),
    (
        "huge",
        "rule-threshold-longdouble",
        lambda: _rule(threshold=np.longdouble("1e4000")),
        InvalidArgumentError,
        "beyond the range",
    ),
    (
        "unknown",
        "rule-threshold-unit",
        lambda: _rule(threshold="5 parsecs"),
        InvalidArgumentError,
        "bad latency",
    ),
    (
        "unknown",
        "rule-threshold-pct-on-ms",
        lambda: _rule(threshold="2%"),
        InvalidArgumentError,
        "percentage",
    ),
    ("range", "rule-clear-wrong-side", lambda: _rule(clear=600), InvalidArgumentError, "safe side"),
    ("type", "rule-clear-list", lambda: _rule(clear=[1]), InvalidTypeError, "clear: expected a number"),
    ("type", "rule-for-list", lambda: _rule(for_=[1]), InvalidTypeError, "for_: expected a duration"),
    ("bool", "rule-for-bool", lambda: _rule(for_=True), InvalidTypeError, "for_: expected a duration"),
    ("nonfinite", "rule-for-nan", lambda: _rule(for_=math.nan), InvalidArgumentError, "finite duration"),
    (
        "huge",
        "rule-for-inf",
        lambda: _rule(for_=math.inf),
        InvalidArgumentError,
        "too long; the maximum is 3153600000 s",
    ),
    (
        "huge",
        "rule-for-9x400d",
        lambda: _rule(for_="9" * 400 + "d"),
        InvalidArgumentError,
        "too long; the maximum",
    ),
    ("huge", "rule-for-10e400", lambda: _rule(for_=HUGE), InvalidArgumentError, "too long; the maximum"),
    ("huge", "rule-keep-1e999s", lambda: _rule(keep_firing_for="1e999"), InvalidArgumentError, "too long"),
    ("range", "rule-for-negative", lambda: _rule(for_=-1), InvalidArgumentError, ">= 0"),
    ("unknown", "rule-for-unit", lambda: _rule(for_="5 minutes"), InvalidArgumentError, "bad duration"),
    ("type", "rule-severity-int", lambda: _rule(severity=1), InvalidTypeError, "severity must be page"),
    (
        "unknown",
        "rule-severity",
        lambda: _rule(severity="critical"),
        InvalidArgumentError,
        "unknown severity",
    ),
    ("type", "rule-route-int", lambda: _rule(route=5), InvalidTypeError, "route"),
    ("type", "rule-labels-list", lambda: _rule(labels=["a"]), InvalidTypeError, "labels must be a mapping"),
    (
        "type",
        "rule-labels-int-value",
        lambda: _rule(labels={"a": 1}),
        InvalidTypeError,
        "labels must map strings",
    ),
    (
        "hostile",
        "rule-labels-items-raise",
        lambda: _rule(labels=BadItems(a="b")),
        InvalidArgumentError,
        "labels could not be read",
    ),
    ("type", "rule-summary-int", lambda: _rule(summary=5), InvalidTypeError, "summary: expected a string"),
    ("type", "rule-no-data-list", lambda: _rule(no_data=["keep"]), InvalidTypeError, "no_data"),
    ("unknown", "rule-no-data", lambda: _rule(no_data="hold"), InvalidArgumentError, "no_data must be"),
    (
        "type",
        "rule-condition-str",
        lambda: Rule("r", condition="x"),
        InvalidTypeError,
        "condition must be a Condition",
    ),  # type: ignore[arg-type]
    (
        "hostile",
        "rule-threshold-bad-repr",
        lambda: _rule(threshold=BadRepr()),
        InvalidTypeError,
        "got BadRepr",
    ),
    # -- conditions ----------------------------------------------------------------------------
    (
        "type",
        "baseline-k-str",
        lambda: Baseline(k="3", history=5),
        InvalidTypeError,
        "baseline k: expected a number",
    ),  # type: ignore[arg-type]
    (
        "nonfinite",
        "baseline-k-inf",
        lambda: Baseline(k=math.inf, history=5),
        InvalidArgumentError,
        "baseline k.*finite",
    ),
    ("range", "baseline-k-negative", lambda: Baseline(k=-1, history=5), InvalidArgumentError, "k must be"),
    (
        "type",
        "baseline-history-str",
        lambda: Baseline(history="5"),
        InvalidTypeError,
        "history: expected an integer",
    ),  # type: ignore[arg-type]
    (
        "bool",
        "baseline-history-bool",
        lambda: Baseline(history=True),
        InvalidTypeError,
        "history: expected an integer",
    ),
    (
        "huge",
        "baseline-history-10e9",
        lambda: Baseline(history=10**9),
        InvalidArgumentError,
        r"in \[0, 100000\]",
    ),
    (
        "range",
        "baseline-min-history",
        lambda: Baseline(history=5, min_history=9),
        InvalidArgumentError,
        "min_history",
    ),
    (
        "type",
        "baseline-min-history-str",
        lambda: Baseline(history=5, min_history="2"),
        InvalidTypeError,
        "min_history",
    ),  # type: ignore[arg-type]
    ("type", "baseline-clear-k-str", lambda: Baseline(history=5, clear_k="1"), InvalidTypeError, "clear_k"),  # type: ignore[arg-type]
    (
        "range",
        "baseline-clear-k-above-k",
        lambda: Baseline(k=1, history=5, clear_k=2),
        InvalidArgumentError,
        "clear_k must be",
    ),
    (
        "bool",
        "baseline-freeze-str",
        lambda: Baseline(history=5, freeze_when_active="false"),
        InvalidTypeError,
        "freeze_when_active: expected true or false",
    ),  # type: ignore[arg-type]
    ("type", "baseline-mean-list", lambda: Baseline(mean=[1], sigma=1), InvalidTypeError, "baseline mean"),  # type: ignore[arg-type]
    (
        "range",
        "baseline-both",
        lambda: Baseline(mean=1, sigma=1, history=5),
        InvalidArgumentError,
        "not both",
    ),
    (
        "huge",
        "baseline-mean-10e400",
        lambda: _rule(threshold=Baseline(mean=HUGE, sigma=1)),
        InvalidArgumentError,
        "baseline mean.*beyond",
    ),
    (
        "range",
        "baseline-sigma-negative",
        lambda: _rule(threshold=Baseline(mean=1, sigma=-1)),
        InvalidArgumentError,
        "sigma must be >= 0",
    ),
    (
        "type",
        "baseline-reference-int",
        lambda: Baseline.from_reference(5),
        InvalidTypeError,
        "iterable of numbers",
    ),  # type: ignore[arg-type]
    (
        "type",
        "baseline-reference-str-item",
        lambda: Baseline.from_reference([1, "2"]),
        InvalidTypeError,
        r"values\[1\]: expected a number",
    ),  # type: ignore[list-item]
    (
        "nonfinite",
        "baseline-reference-nan",
        lambda: Baseline.from_reference([1, math.nan]),
        InvalidArgumentError,
        r"values\[1\].*finite",
    ),
    (
        "huge",
        "baseline-reference-10e400",
        lambda: Baseline.from_reference([1, HUGE]),
        InvalidArgumentError,
        "beyond",
    ),
    ("range", "baseline-reference-short", lambda: mean_sigma([1.0]), InvalidArgumentError, "at least 2"),
    (
        "type",
        "baseline-chunks-size",
        lambda: Baseline.from_chunks([1.0, 2.0], "1", max),
        InvalidTypeError,
        "chunk_size",
    ),  # type: ignore[arg-type]
    (
        "type",
        "baseline-chunks-statistic",
        lambda: Baseline.from_chunks([1.0, 2.0], 1, 5),
        InvalidTypeError,
        "statistic must be callable",
    ),  # type: ignore[arg-type]
    ("type", "rate-signal-int", lambda: RateOfChange(5, ">", 1, 60), InvalidTypeError, "signal"),  # type: ignore[arg-type]
    (
        "type",
        "rate-window-list",
        lambda: RateOfChange(P99, ">", 1, [60]),
        InvalidTypeError,
        "window: expected a duration",
    ),  # type: ignore[arg-type]
    (
        "range",
        "rate-window-zero",
        lambda: RateOfChange(P99, ">", 1, 0),
        InvalidArgumentError,
        "window must be > 0",
    ),
    (
        "huge",
        "rate-window-inf",
        lambda: RateOfChange(P99, ">", 1, "9" * 400 + "d"),
        InvalidArgumentError,
        "too long",
    ),
    (
        "bool",
        "rate-relative-str",
        lambda: RateOfChange(P99, ">", 1, 60, relative="false"),
        InvalidTypeError,
        "relative: expected true or false",
    ),  # type: ignore[arg-type]
    (
        "huge",
        "rate-resolution",
        lambda: RateOfChange(P99, ">", 1, 60, resolution=10**9),
        InvalidArgumentError,
        "resolution",
    ),
    (
        "bool",
        "rate-resolution-bool",
        lambda: RateOfChange(P99, ">", 1, 60, resolution=True),
        InvalidTypeError,
        "resolution",
    ),
    ("type", "rate-change-list", lambda: RateOfChange(P99, ">", [1], 60), InvalidTypeError, "change"),  # type: ignore[arg-type]
    ("type", "burn-total-int", lambda: BurnRate(**{**BURN, "total": 5}), InvalidTypeError, "total"),
    (
        "type",
        "burn-windows-int",
        lambda: BurnRate(**{**BURN, "windows": 5}),
        InvalidTypeError,
        "windows must be a list",
    ),
    (
        "range",
        "burn-windows-empty",
        lambda: BurnRate(**{**BURN, "windows": ()}),
        InvalidArgumentError,
        "at least one",
    ),
    (
        "range",
        "burn-row-short",
        lambda: BurnRate(**{**BURN, "windows": (("1h", "5m"),)}),
        InvalidArgumentError,
        "windows\\[0\\]",
    ),
    (
        "huge",
        "burn-row-long",
        lambda: BurnRate(**{**BURN, "windows": ((HUGE, "5m", 1),)}),
        InvalidArgumentError,
        "too long",
    ),
    (
        "range",
        "burn-objective",
        lambda: BurnRate(**{**BURN, "objective": 1.5}),
        InvalidArgumentError,
        "objective must be in",
    ),
    (
        "bool",
        "burn-partial-str",
        lambda: BurnRate(**{**BURN, "partial_windows": "false"}),
        InvalidTypeError,
        "partial_windows",
    ),
    (
        "range",
        "burn-good-and-bad",
        lambda: BurnRate(**{**BURN, "bad": "slo.a.bad"}),
        InvalidArgumentError,
        "exactly one",
    ),
    (
        "hostile",
        "burn-total-bad-repr",
        lambda: BurnRate(**{**BURN, "total": BadRepr()}),
        InvalidTypeError,
        "total",
    ),
    ("type", "ruleref-int", lambda: RuleRef(5), InvalidTypeError, "rule reference"),  # type: ignore[arg-type]
    (
        "bool",
        "ruleref-firing-str",
        lambda: RuleRef("x", "false"),
        InvalidTypeError,
        "firing: expected true or false",
    ),  # type: ignore[arg-type]
    ("type", "allof-int", lambda: AllOf(5), InvalidTypeError, "Condition objects or rule names"),  # type: ignore[arg-type]
    ("range", "anyof-empty", lambda: AnyOf(), InvalidArgumentError, "at least one"),
    ("type", "not-int", lambda: Not(5), InvalidTypeError, "Condition objects or rule names"),  # type: ignore[arg-type]
    ("nesting", "not-100-deep", lambda: _nested(100), InvalidArgumentError, "nested 33 deep; at most 32"),
    # -- Silence, Router ------------------------------------------------------------------------
    (
        "type",
        "silence-rules-int-item",
        lambda: Silence(0, 10, rules=[1]),
        InvalidTypeError,
        r"silence rules\[0\]",
    ),  # type: ignore[list-item]
    ("type", "silence-rules-int", lambda: Silence(0, 10, rules=5), InvalidTypeError, "silence rules"),  # type: ignore[arg-type]
    (
        "range",
        "silence-rules-empty-name",
        lambda: Silence(0, 10, rules=[""]),
        InvalidTypeError,
        "non-empty string",
    ),
    ("type", "silence-start-list", lambda: Silence([0], 10), InvalidTypeError, "silence start"),  # type: ignore[arg-type]
    ("bool", "silence-start-bool", lambda: Silence(True, 10), InvalidTypeError, "silence start"),
    (
        "nonfinite",
        "silence-end-inf",
        lambda: Silence(0, math.inf),
        InvalidArgumentError,
        "silence end.*finite",
    ),
    ("huge", "silence-end-10e400", lambda: Silence(0, HUGE), InvalidArgumentError, "silence end.*finite"),
    ("range", "silence-end-before-start", lambda: Silence(10, 0), InvalidArgumentError, "after start"),
    ("unknown", "silence-start-iso", lambda: Silence("yesterday", 10), InvalidArgumentError, "ISO 8601"),
    ("type", "silence-labels-int", lambda: Silence(0, 10, labels={"a": 1}), InvalidTypeError, "labels"),
    ("type", "silence-comment-int", lambda: Silence(0, 10, comment=5), InvalidTypeError, "comment"),  # type: ignore[arg-type]
    (
        "hostile",
        "silence-rules-bad-repr",
        lambda: Silence(0, 10, rules=[BadRepr()]),
        InvalidTypeError,
        "silence rules",
    ),  # type: ignore[list-item]
    ("type", "router-routes-list", lambda: Router(["a"]), InvalidTypeError, "Router routes"),  # type: ignore[arg-type]
    ("type", "router-routes-int-value", lambda: Router({"a": 1}), InvalidTypeError, "Router routes"),  # type: ignore[dict-item]
    ("type", "router-default-int", lambda: Router(default=5), InvalidTypeError, "Router default"),  # type: ignore[arg-type]
    (
        "hostile",
        "router-routes-items-raise",
        lambda: Router(BadItems(a="b")),
        InvalidArgumentError,
        "could not be read",
    ),
    ("type", "router-route-int", lambda: Router().route(5), InvalidTypeError, "takes a Rule"),  # type: ignore[arg-type]
    # -- AlertEngine -------------------------------------------------------------------------------
    ("type", "engine-rules-int", lambda: AlertEngine(5), InvalidTypeError, "iterable of Rule"),  # type: ignore[arg-type]
    ("type", "engine-rules-str", lambda: AlertEngine("r"), InvalidTypeError, "iterable of Rule"),  # type: ignore[arg-type]
    ("type", "engine-rule-dict", lambda: AlertEngine([{}]), InvalidTypeError, "takes Rule objects"),  # type: ignore[list-item]
    ("type", "engine-clock-int", lambda: AlertEngine([], clock=5), InvalidTypeError, "clock"),  # type: ignore[arg-type]
    ("type", "engine-logger-int", lambda: AlertEngine([], logger=5), InvalidTypeError, "logger"),  # type: ignore[arg-type]
    ("type", "engine-on-alert-int", lambda: AlertEngine([], on_alert=5), InvalidTypeError, "on_alert"),  # type: ignore[arg-type]
    (
        "type",
        "engine-silences-item",
        lambda: AlertEngine([], silences=[5]),
        InvalidTypeError,
        "Silence objects",
    ),  # type: ignore[list-item]
    ("type", "engine-router", lambda: AlertEngine([], router={}), InvalidTypeError, "router"),  # type: ignore[arg-type]
    (
        "type",
        "engine-extra-signals-int",
        lambda: AlertEngine([], extra_signals=[5]),
        InvalidTypeError,
        "extra_signals",
    ),  # type: ignore[list-item]
    (
        "bool",
        "engine-validate-str",
        lambda: AlertEngine([], validate_signals="no"),
        InvalidTypeError,
        "validate_signals",
    ),  # type: ignore[arg-type]
    ("type", "engine-state-list", lambda: AlertEngine([], state=[]), InvalidTypeError, "state"),  # type: ignore[arg-type]
    (
        "unknown",
        "engine-unknown-signal",
        lambda: AlertEngine([Rule("r", "latency.p98.ms", ">", 1)]),
        InvalidArgumentError,
        "unknown signal",
    ),
    (
        "unknown",
        "engine-p95-never-produced",
        lambda: AlertEngine([Rule("r", "latency.p95_ms", ">", 1)]),
        InvalidArgumentError,
        "publishes only the latency quantiles latency.p50_ms, latency.p90_ms, latency.p99_ms, latency.p999_ms",
    ),
    (
        "unknown",
        "engine-p75-never-produced",
        lambda: AlertEngine([Rule("r", "latency.p75_ms", ">", 1)]),
        InvalidArgumentError,
        "latency.p999_ms",
    ),
    (
        "unknown",
        "engine-error-category",
        lambda: AlertEngine([Rule("r", "errors.rate.infra", ">", 1)]),
        InvalidArgumentError,
        "error categories",
    ),
    (
        "unknown",
        "engine-unknown-ref",
        lambda: AlertEngine([Rule("r", condition=RuleRef("nope"))]),
        InvalidArgumentError,
        "unknown rule 'nope'",
    ),
    (
        "unknown",
        "engine-duplicate",
        lambda: AlertEngine([_rule(), _rule()]),
        InvalidArgumentError,
        "duplicate rule name",
    ),
    (
        "nesting",
        "engine-cycle-1000",
        lambda: AlertEngine(_cycle(1000)),
        InvalidArgumentError,
        "cycle of 1000 rule",
    ),
    ("nesting", "engine-cycle-2", lambda: AlertEngine(_cycle(2)), InvalidArgumentError, "r0 -> r1 -> r0"),
    (
        "type",
        "evaluate-snapshot-int",
        lambda: AlertEngine([]).evaluate(42),
        InvalidTypeError,
        "mapping of signal names",
    ),  # type: ignore[arg-type]
    (
        "type",
        "evaluate-now-str",
        lambda: AlertEngine([]).evaluate({}, now="5"),
        InvalidTypeError,
        "evaluation time",
    ),  # type: ignore[arg-type]
    (
        "bool",
        "evaluate-now-bool",
        lambda: AlertEngine([]).evaluate({}, now=True),
        InvalidTypeError,
        "evaluation time",
    ),  # type: ignore[arg-type]
    (
        "nonfinite",
        "evaluate-now-nan",
        lambda: AlertEngine([]).evaluate({}, now=math.nan),
        InvalidArgumentError,
        "evaluation time.*finite",
    ),
    (
        "huge",
        "evaluate-now-10e400",
        lambda: AlertEngine([]).evaluate({}, now=HUGE),
        InvalidArgumentError,
        "beyond the range",
    ),
    (
        "range",
        "evaluate-now-backwards",
        lambda: _engine().evaluate({}, now=5),
        InvalidArgumentError,
        "went backwards",
    ),
    ("type", "status-int", lambda: _engine().status(5), InvalidTypeError, "rule name"),  # type: ignore[arg-type]
    (
        "unknown",
        "status-unknown",
        lambda: _engine().status("nope"),
        InvalidArgumentError,
        "no rule named 'nope'",
    ),
    ("type", "add-silence-dict", lambda: _engine().add_silence({}), InvalidTypeError, "Silence"),  # type: ignore[arg-type]
    ("type", "validate-against-int", lambda: _engine().validate_against(5), InvalidTypeError, "snapshot"),  # type: ignore[arg-type]
    (
        "unknown",
        "validate-against-missing",
        lambda: _engine().validate_against({}),
        InvalidArgumentError,
        "missing from the snapshot",
    ),
    # -- restore (tampered state) -----------------------------------------------------------------------
    (
        "type",
        "restore-list",
        lambda: _engine().restore([]),
        CorruptDataError,
        "not a monitor alert-engine state",
    ),  # type: ignore[arg-type]
    (
        "bool",
        "restore-strict-str",
        lambda: _engine().restore(_engine().state(), strict="no"),
        InvalidTypeError,
        "strict",
    ),  # type: ignore[arg-type]
    (
        "tampered",
        "restore-evaluations-infinity",
        _restore(_state(evaluations=math.inf)),
        CorruptDataError,
        "evaluations must be an integer count",
    ),
    (
        "tampered",
        "restore-evaluations-huge",
        _restore(_state(evaluations=HUGE)),
        CorruptDataError,
        r"count in \[0, 2\*\*63 - 1\]",
    ),
    ("tampered", "restore-evaluations-negative", _restore(_state(evaluations=-1)), CorruptDataError, "count"),
    (
        "tampered",
        "restore-no-data-float",
        _restore(_state(no_data=1.5)),
        CorruptDataError,
        "no_data must be an integer",
    ),
    (
        "tampered",
        "restore-no-data-above",
        _restore(_state(no_data=9)),
        CorruptDataError,
        "exceeds evaluations",
    ),
    (
        "tampered",
        "restore-future-timer",
        _restore(_state(active_at=1e9)),
        CorruptDataError,
        "after the last evaluation time.*future",
    ),
    (
        "tampered",
        "restore-timer-infinity",
        _restore(_state(active_at=math.inf)),
        CorruptDataError,
        "active_at must be a finite number",
    ),
    (
        "tampered",
        "restore-timer-huge",
        _restore(_state(active_at=HUGE)),
        CorruptDataError,
        "active_at must be a finite number",
    ),
    (
        "tampered",
        "restore-notified-str",
        _restore(_state(notified="false")),
        CorruptDataError,
        "notified must be true or false",
    ),
    (
        "tampered",
        "restore-state-unknown",
        _restore(_state(state="exploded")),
        CorruptDataError,
        "state must be inactive, pending or firing",
    ),
    ("tampered", "restore-state-bad-repr", _restore(_state(state=["x"])), CorruptDataError, "state must be"),
    (
        "tampered",
        "restore-inactive-with-timer",
        _restore(_state(state="inactive")),
        CorruptDataError,
        "inactive rule with timers",
    ),
    (
        "tampered",
        "restore-firing-without-fired-at",
        _restore(_state(state="firing")),
        CorruptDataError,
        "firing rule without fired_at",
    ),
    (
        "tampered",
        "restore-value-huge",
        _restore(_state(value=HUGE)),
        CorruptDataError,
        "value must be a number",
    ),
    (
        "tampered",
        "restore-missing-field",
        _restore(
            {
                **_state(),
                "rules": {**_state()["rules"], "r": {"fingerprint": _state()["rules"]["r"]["fingerprint"]}},
            }
        ),
        CorruptDataError,
        "is missing state",
    ),
    (
        "tampered",
        "restore-last-now-str",
        _restore({**_state(), "last_now": "x"}),
        CorruptDataError,
        "last_now must be a finite number",
    ),
    (
        "tampered",
        "restore-last-now-before-timer",
        _restore({**_state(), "last_now": 50.0}),
        CorruptDataError,
        "future",
    ),
    (
        "tampered",
        "restore-history-future",
        _restore(
            {
                **_state(),
                "last_now": 99.0,
                "rules": {**_state()["rules"], "r": {**_state()["rules"]["r"], "active_at": 1.0}},
            }
        ),
        CorruptDataError,
        "after the last evaluation",
    ),
    (
        "tampered",
        "restore-history-huge-value",
        _restore(
            {
                **_state(),
                "rules": {
                    **_state()["rules"],
                    "h": {**_state()["rules"]["h"], "condition": {"values": [HUGE]}},
                },
            }
        ),
        CorruptDataError,
        "not a finite number",
    ),
    (
        "tampered",
        "restore-silence-bad",
        _restore({**_state(), "silences": [{"start": 0, "end": 10, "rules": [1]}]}),
        CorruptDataError,
        "bad silence 0",
    ),
    (
        "tampered",
        "restore-version",
        _restore({**_state(), "version": 99}),
        CorruptDataError,
        "unsupported alert state version",
    ),
    (
        "unknown",
        "restore-changed-rule",
        lambda: AlertEngine(_rules(400)).restore(_state()),
        ConfigMismatchError,
        "changed",
    ),
    # -- units and presets ------------------------------------------------------------------------------
    ("type", "parse-duration-list", lambda: parse_duration([1]), InvalidTypeError, "expected a duration"),
    (
        "huge",
        "parse-duration-9x400d",
        lambda: parse_duration("9" * 400 + "d"),
        InvalidArgumentError,
        "maximum is 3153600000 s",
    ),
    (
        "huge",
        "parse-duration-long-string",
        lambda: parse_duration("1" * 5000),
        InvalidArgumentError,
        "5000 characters",
    ),
    (
        "type",
        "parse-quantity-unit",
        lambda: parse_quantity(1, "parsecs", "x"),
        InvalidArgumentError,
        "unit must be",
    ),
    (
        "huge",
        "parse-quantity-5000-digits",
        lambda: parse_quantity("9" * 5000 + "%", "1", "x"),
        InvalidArgumentError,
        "characters",
    ),
    ("nonfinite", "format-duration-inf", lambda: format_duration(math.inf), InvalidArgumentError, "finite"),
    ("type", "format-duration-str", lambda: format_duration("5m"), InvalidTypeError, "expected a number"),  # type: ignore[arg-type]
    (
        "range",
        "burn-rate-factor-window-zero",
        lambda: burn_rate_factor("2%", 0),
        InvalidArgumentError,
        "burn window must be > 0",
    ),
    (
        "huge",
        "burn-rate-factor-period",
        lambda: burn_rate_factor("2%", "1h", "9" * 400 + "d"),
        InvalidArgumentError,
        "too long",
    ),
    (
        "type",
        "error-rate-rules-list",
        lambda: error_rate_rules(["timeout"]),
        InvalidTypeError,
        "mapping of error category",
    ),  # type: ignore[arg-type]
    (
        "unknown",
        "error-rate-rules-category",
        lambda: error_rate_rules({"infra": "2%"}),
        InvalidArgumentError,
        "unknown error category",
    ),
    (
        "hostile",
        "error-rate-rules-bad-repr",
        lambda: error_rate_rules({"timeout": BadRepr()}),
        InvalidTypeError,
        "threshold",
    ),  # type: ignore[dict-item]
    (
        "type",
        "slo-name-int",
        lambda: slo_burn_rate_rules(5, "99%", total="slo.a.total", good="slo.a.good"),
        InvalidTypeError,
        "SLO name",
    ),  # type: ignore[arg-type]
    (
        "type",
        "slo-total-int",
        lambda: slo_burn_rate_rules("a", "99%", total=5, good="slo.a.good"),
        InvalidTypeError,
        "total",
    ),  # type: ignore[arg-type]
    (
        "huge",
        "slo-period",
        lambda: slo_burn_rate_rules("a", "99%", total="slo.a.total", good="slo.a.good", period=HUGE),
        InvalidArgumentError,
        "too long",
    ),
    ("type", "check-signal-int", lambda: check_signal(5), InvalidTypeError, "dotted signal name"),  # type: ignore[arg-type]
    ("type", "check-signal-extra-int", lambda: check_signal("x.y", [5]), InvalidTypeError, "extra_signals"),  # type: ignore[list-item]
    # -- rule files (parse_config / load_rules) -------------------------------------------------------
    ("type", "config-top-list", lambda: parse_config([]), InvalidTypeError, "expected a table/object"),
    (
        "type",
        "config-rule-int",
        lambda: parse_config({"rule": [5]}),
        InvalidTypeError,
        r"rule\[0\]: expected a table",
    ),
    ("type", "config-rules-not-list", lambda: parse_config({"rule": 5}), InvalidTypeError, "array of tables"),
    (
        "huge",
        "config-threshold-10e400",
        lambda: _cfg(threshold=HUGE),
        InvalidArgumentError,
        r"rule\[0\] \(r\).*beyond the range",
    ),
    (
        "bool",
        "config-firing-false-string",
        lambda: parse_config(
            {
                "rule": [
                    {"name": "q", "signal": P99, "op": ">", "threshold": 1},
                    {"name": "r", "rule": "q", "firing": "false"},
                ]
            }
        ),
        InvalidTypeError,
        r"rule\[1\] \(r\)\.firing: .*expected true or false, got str 'false'",
    ),
    (
        "bool",
        "config-relative-string",
        lambda: parse_config(
            {
                "rule": [
                    {
                        "name": "r",
                        "rate_of_change": {
                            "signal": P99,
                            "op": ">",
                            "change": 1,
                            "window": 60,
                            "relative": "no",
                        },
                    }
                ]
            }
        ),
        InvalidTypeError,
        "relative",
    ),
    (
        "bool",
        "config-partial-string",
        lambda: parse_config(
            {
                "rule": [
                    {
                        "name": "r",
                        "burn_rate": {**BURN, "windows": [["1h", "5m", 14]], "partial_windows": "false"},
                    }
                ]
            }
        ),
        InvalidTypeError,
        "partial_windows",
    ),
    (
        "bool",
        "config-slo-partial-string",
        lambda: parse_config(
            {
                "slo": [
                    {
                        "name": "a",
                        "objective": "99%",
                        "good": "slo.a.good",
                        "total": "slo.a.total",
                        "partial_windows": "true",
                    }
                ]
            }
        ),
        InvalidTypeError,
        "partial_windows",
    ),
    (
        "bool",
        "config-freeze-string",
        lambda: parse_config(
            {
                "rule": [
                    {
                        "name": "r",
                        "signal": P99,
                        "op": ">",
                        "baseline": {"history": 5, "freeze_when_active": "false"},
                    }
                ]
            }
        ),
        InvalidTypeError,
        "freeze_when_active",
    ),
    (
        "huge",
        "config-for-9x400d",
        lambda: _cfg(**{"for": "9" * 400 + "d"}),
        InvalidArgumentError,
        "too long; the maximum",
    ),
    ("type", "config-for-list", lambda: _cfg(**{"for": [5]}), InvalidTypeError, "for_"),
    ("type", "config-labels-int", lambda: _cfg(labels={"a": 1}), InvalidTypeError, "labels"),
    ("type", "config-summary-int", lambda: _cfg(summary=5), InvalidTypeError, "summary"),
    ("type", "config-route-int", lambda: _cfg(route=5), InvalidTypeError, "route"),
    ("type", "config-signal-int", lambda: _cfg(signal=5), InvalidTypeError, r"\.signal: expected a string"),
    (
        "type",
        "config-name-int",
        lambda: parse_config({"rule": [{"name": 5, "signal": P99, "op": ">", "threshold": 1}]}),
        InvalidTypeError,
        "name",
    ),
    (
        "type",
        "config-silence-rules-int",
        lambda: parse_config({"silence": [{"start": 0, "end": 10, "rules": [1]}]}),
        InvalidTypeError,
        r"silence\[0\].*rules\[0\]",
    ),
    (
        "type",
        "config-silence-comment-int",
        lambda: parse_config({"silence": [{"start": 0, "end": 10, "comment": 5}]}),
        InvalidTypeError,
        "comment",
    ),
    (
        "type",
        "config-slo-name-int",
        lambda: parse_config(
            {"slo": [{"name": 5, "objective": "99%", "good": "slo.a.good", "total": "slo.a.total"}]}
        ),
        InvalidTypeError,
        r"slo\[0\]\.name",
    ),
    (
        "type",
        "config-slo-resolution-str",
        lambda: parse_config(
            {
                "slo": [
                    {
                        "name": "a",
                        "objective": "99%",
                        "good": "slo.a.good",
                        "total": "slo.a.total",
                        "resolution": "60",
                    }
                ]
            }
        ),
        InvalidTypeError,
        "resolution",
    ),
    ("type", "config-signals-int", lambda: parse_config({"signals": [5]}), InvalidTypeError, "signals"),
    ("unknown", "config-field", lambda: _cfg(thresold=1), InvalidArgumentError, "unknown field"),
    (
        "unknown",
        "config-p95",
        lambda: _cfg(signal="latency.p95_ms"),
        InvalidArgumentError,
        r"rule\[0\] \(r\)\.signal: .*publishes only the latency quantiles",
    ),
    (
        "nesting",
        "config-not-10000-deep",
        lambda: parse_config({"rule": [{"name": "x", **_nested_table(10_000)}]}),
        InvalidArgumentError,
        "nested more than 32 deep",
    ),
    (
        "nesting",
        "config-cycle-1000",
        lambda: parse_config(
            {"rule": [{"name": f"r{i}", "rule": f"r{(i + 1) % 1000}"} for i in range(1000)]}
        ),
        InvalidArgumentError,
        "cycle of 1000 rule",
    ),
    (
        "hostile",
        "config-labels-items-raise",
        lambda: _cfg(labels=BadItems(a="b")),
        InvalidArgumentError,
        "labels could not be read",
    ),
    ("type", "load-rules-int", lambda: load_rules(5), InvalidTypeError, "path"),  # type: ignore[arg-type]
    (
        "unknown",
        "load-rules-missing",
        lambda: load_rules("/nonexistent/rules.json"),
        InvalidArgumentError,
        "cannot read the rule file",
    ),
    (
        "unknown",
        "load-rules-yaml",
        lambda: load_rules("rules.yaml"),
        InvalidArgumentError,
        "must end in .toml or .json",
    ),
]

FILES: list[tuple[str, str, str, str, str]] = [
    # (class, id, file name, content, message regex)
    (
        "huge",
        "file-json-threshold-10e400",
        "r.json",
        '{"rule": [{"name": "x", "signal": "latency.p99_ms", "op": ">", "threshold": 1' + "0" * 400 + "}]}",
        "beyond the range",
    ),
    (
        "huge",
        "file-json-5000-digits",
        "r.json",
        '{"rule": [{"name": "x", "signal": "latency.p99_ms", "op": ">", "threshold": 1' + "0" * 5000 + "}]}",
        "invalid JSON.*digits",
    ),
    (
        "nonfinite",
        "file-json-infinity",
        "r.json",
        '{"rule": [{"name": "x", "signal": "latency.p99_ms", "op": ">", "threshold": Infinity}]}',
        "finite",
    ),
    (
        "nesting",
        "file-json-deep",
        "r.json",
        '{"rule": [{"name": "x", "not": ' + '{"not": ' * 100_000 + "}" * 100_001 + "]}",
        "nested too deeply",
    ),
    (
        "unknown",
        "file-json-duplicate-key",
        "r.json",
        '{"rule": [{"name": "x", "name": "y", "signal": "saturation", "op": ">", "threshold": 1}]}',
        "key 'name' appears twice",
    ),
    (
        "bool",
        "file-toml-firing-string",
        "r.toml",
        '[[rule]]\nname = "q"\nsignal = "saturation"\nop = ">"\nthreshold = 1\n\n[[rule]]\nname = "x"\nrule = "q"\nfiring = "false"\n',
        r"line 10: rule\[1\] \(x\)\.firing: .*got str 'false'",
    ),
    (
        "huge",
        "file-toml-duration",
        "r.toml",
        '[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\nthreshold = 1\nfor = "' + "9" * 400 + 'd"\n',
        "line 1: .*too long; the maximum",
    ),
    (
        "unknown",
        "file-toml-p95",
        "r.toml",
        '[[rule]]\nname = "x"\nsignal = "latency.p95_ms"\nop = ">"\nthreshold = 1\n',
        r"line 3: rule\[0\] \(x\)\.signal: .*latency.p50_ms, latency.p90_ms",
    ),
    (
        "nesting",
        "file-toml-deep",
        "r.toml",
        "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
        "nested too deeply|invalid TOML",
    ),
    (
        "huge",
        "file-toml-5000-digits",
        "r.toml",
        '[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\nthreshold = 1' + "0" * 5000 + "\n",
        "invalid TOML",
    ),
]


@pytest.mark.parametrize(
    "cls,call,exc,match", [pytest.param(c, f, e, m, id=f"{c}-{i}") for c, i, f, e, m in CASES]
)
def test_bad_input_raises_a_clear_monitor_error(
    cls: str, call: Callable[[], object], exc: type[Exception], match: str
) -> None:
    with pytest.raises(exc, match=match) as err:
        call()
    assert isinstance(err.value, MonitorError)
    assert isinstance(err.value, ValueError)  # the matching builtin; InvalidTypeError is a TypeError too
    assert not isinstance(err.value, InvalidTypeError) or isinstance(err.value, TypeError)


@pytest.mark.parametrize(
    "cls,name,body,match", [pytest.param(c, n, b, m, id=f"{c}-{i}") for c, i, n, b, m in FILES]
)
@pytest.mark.req("MON-REQ-ALERT-006")
def test_bad_rule_files_raise_a_clear_error(
    tmp_path: Path, cls: str, name: str, body: str, match: str
) -> None:
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(InvalidArgumentError, match=match):
        load_rules(path)


# -- bad snapshot values: no data, never an exception ------------------------------------------------

BAD_VALUES: list[tuple[str, object]] = [
    ("str", "620"),
    ("str-empty", ""),
    ("bytes", b"620"),
    ("none", None),
    ("nan", math.nan),
    ("np-nan", np.float32("nan")),
    ("decimal-nan", Decimal("NaN")),
    ("huge-int", HUGE),
    ("huge-decimal", Decimal("1e400")),
    ("huge-fraction", Fraction(HUGE)),
    ("huge-longdouble", np.longdouble("1e4000")),
    ("bool", True),
    ("np-bool", np.bool_(True)),
    ("complex", complex(620, 0)),
    ("list", [620]),
    ("dict", {"v": 620}),
    ("object", object()),
    ("bad-repr", BadRepr()),
    ("np-array", np.array([620.0])),
    ("np-0d-array", np.array(620.0)),
    ("np-timedelta", np.timedelta64(620, "ms")),
    ("np-datetime", np.datetime64(620, "s")),
    ("np-complex", np.complex64(620)),
    ("np-str", np.str_("620")),
]

GOOD_VALUES: list[tuple[str, object, bool]] = [  # (id, value, above 500)
    ("np-int8", np.int8(-128), False),
    *((f"np-{t.__name__}", t(600), True) for t in (np.int16, np.int32, np.int64)),
    *((f"np-{t.__name__}", t(600), True) for t in (np.uint16, np.uint32, np.uint64)),
    ("np-uint8", np.uint8(200), False),
    *((f"np-{t.__name__}", t(600.5), True) for t in (np.float16, np.float32, np.float64, np.longdouble)),
    ("decimal", Decimal("500.0000000000000000001"), True),
    ("fraction", Fraction(1000000000000000001, 2000000000000000), True),
    ("int-2**53+1-vs-2**53", 2**53 + 1, True),
    ("inf", math.inf, True),
    ("-inf", -math.inf, False),
]


class Hostile(Mapping[str, object]):
    def __getitem__(self, k: str) -> object:
        raise RuntimeError("lookup failed")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("iteration failed")

    def __len__(self) -> int:
        return 1


def _fired_engine(**kw: Any) -> tuple[AlertEngine, list[Any]]:
    got: list[Any] = []
    rules = [
        Rule("r", P99, ">", 500),
        Rule("b", P99, ">", Baseline(history=3)),
        Rule("c", condition=RateOfChange(P99, ">", "10%", "1m")),
    ]
    e = AlertEngine(rules, on_alert=got.append, **kw)
    e.evaluate({P99: 600}, now=0)
    assert [a.kind for a in got] == ["firing"]
    return e, got


@pytest.mark.parametrize("value", [pytest.param(v, id=i) for i, v in BAD_VALUES])
def test_bad_snapshot_values_are_no_data_and_the_fired_alert_resolves(value: object) -> None:
    e, got = _fired_engine()
    out = e.evaluate({P99: value}, now=10)  # never raises
    assert [(a.rule, a.kind) for a in out] == [("r", "resolved")] == [(a.rule, a.kind) for a in got[1:]]
    assert e.status("r").no_data == 1 and e.status("b").no_data == 2  # b: also before its history
    json.dumps(e.state(), allow_nan=False)
    assert e.evaluate({P99: value}, now=20) == []  # still no data: nothing more to send


@pytest.mark.parametrize("value,above", [pytest.param(v, a, id=i) for i, v, a in GOOD_VALUES])
@pytest.mark.req("MON-REQ-ALERT-004")
def test_numbers_of_every_type_are_compared_exactly(value: object, above: bool) -> None:
    threshold = 2**53 if isinstance(value, int) and value > 2**52 else 500
    e = AlertEngine([Rule("r", P99, ">", threshold), Rule("h", P99, ">", Baseline(history=3))])
    out = e.evaluate({P99: value}, now=0)
    assert [a.kind for a in out if a.rule == "r"] == (["firing"] if above else [])
    state = json.loads(json.dumps(e.state(), allow_nan=False))
    value_field = state["rules"]["r"]["value"]
    assert value_field is None or isinstance(value_field, (float, str))


@pytest.mark.req("MON-REQ-ALERT-004")
def test_hostile_snapshots_are_no_data() -> None:
    e, got = _fired_engine()
    assert [a.kind for a in e.evaluate(Hostile(), now=10)] == ["resolved"]

    class RaisingSignals:
        def signals(self) -> Mapping[str, float]:
            raise RuntimeError("snapshot failed")

    e, got = _fired_engine()
    assert [a.kind for a in e.evaluate(RaisingSignals(), now=10)] == ["resolved"]

    class WrongSignals:
        def signals(self) -> object:
            return [1]

    with pytest.raises(InvalidTypeError, match="signals\\(\\) must return a mapping"):
        e.evaluate(WrongSignals(), now=20)  # type: ignore[arg-type]


def test_burn_and_rate_rules_take_bad_counters_as_no_data() -> None:
    rule = slo_burn_rate_rules("a", "99%", total="slo.a.total", bad="slo.a.bad")
    e = AlertEngine(rule)
    for i, (total, bad) in enumerate(
        [(100, 0), ("x", 1), (HUGE, 1), (np.uint64(2**64 - 1), np.int8(3)), (math.inf, 1)]
    ):
        e.evaluate({"slo.a.total": total, "slo.a.bad": bad}, now=i * 60)
    json.dumps(e.state(), allow_nan=False)


def test_catalogue_counts_per_class() -> None:
    counts = Counter(c for c, *_ in CASES) + Counter(c for c, *_ in FILES)
    counts["snapshot"] = len(BAD_VALUES) + len(GOOD_VALUES) + 2
    assert set(counts) == {
        "type",
        "bool",
        "nonfinite",
        "huge",
        "range",
        "unknown",
        "nesting",
        "hostile",
        "tampered",
        "snapshot",
    }
    assert min(counts.values()) >= 5, counts
