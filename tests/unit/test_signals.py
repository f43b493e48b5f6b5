"""monitor.signals is the one definition of every signal: a real snapshot produces only names
it knows (with the right unit and kind) and every family it defines; the categories come from
ErrorCategory; the name builders, lookup and check_signal agree."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

import monitor
from monitor import ErrorCategory, InvalidInputError, ServiceMonitor, signals
from monitor.signals import (
    BITS,
    ERRORS,
    EVENTS,
    MILLISECONDS,
    NATS,
    RATIO,
    REQUESTS,
    REQUESTS_PER_SECOND,
    SECONDS,
    Kind,
    Unit,
)


class FakeDrift:
    """What ServiceMonitor reads from a drift monitor: update(batch) and evaluate().features."""

    def update(self, batch: Any) -> None:
        pass

    def evaluate(self) -> Any:
        R = dataclasses.make_dataclass("R", ["name", "psi", "tv", "js", "js_distance"])
        Report = dataclasses.make_dataclass("Report", ["features"])
        return Report((R("amount", 0.3, 0.2, 0.01, 0.1), R("merchant_category", 0.01, 0.02, 0.0009, 0.03)))


def full_snapshot() -> monitor.Snapshot:
    """A snapshot with drift configured, a capacity, and errors of every category."""
    t = [1000.0]
    svc = ServiceMonitor("fraud", "v1", clock=lambda: t[0], capacity_rps=100.0, drift=FakeDrift(), logger=False)
    for _ in range(5):
        with svc.observe(features=[[1.0, 2.0]]):
            t[0] += 0.01
    for cat in ErrorCategory:
        with pytest.raises(RuntimeError):
            with svc.observe():
                raise _tagged(cat)
    return svc.snapshot()


def _tagged(cat: ErrorCategory) -> RuntimeError:
    exc = RuntimeError(f"a {cat.value} failure")
    exc.error_category = cat  # type: ignore[attr-defined]
    return exc


def expected(name: str) -> tuple[Unit, Kind]:
    """The test's own oracle of units and kinds, written from the meaning of each snapshot field."""
    cats = {c.value for c in ErrorCategory}
    head, _, tail = name.partition(".")
    if head == "latency":
        return (REQUESTS, Kind.HISTOGRAM) if tail == "count" else (MILLISECONDS, Kind.HISTOGRAM)
    if head == "throughput":
        if tail in ("received", "processed", "dropped", "failed"):
            return REQUESTS, Kind.COUNTER
        if tail.endswith("_rps"):
            return REQUESTS_PER_SECOND, Kind.GAUGE
        return {"window_s": (SECONDS, Kind.GAUGE), "gap_ratio": (RATIO, Kind.GAUGE)}.get(tail, (REQUESTS, Kind.GAUGE))
    if head == "saturation" or tail == "total_rate":
        return RATIO, Kind.GAUGE
    if head == "errors":
        kind, _, cat = tail.partition(".")
        assert cat in cats
        return (RATIO, Kind.GAUGE) if kind == "rate" else (ERRORS, Kind.COUNTER)
    if head == "drift":
        metric = tail.rsplit(".", 1)[1]
        return {"psi": NATS, "tv": RATIO, "js": BITS}[metric], Kind.SCORE
    raise AssertionError(f"unexpected snapshot signal {name!r}")


def test_every_snapshot_name_is_known_with_its_unit_and_kind() -> None:
    snap = full_snapshot()
    names = snap.signals()
    assert all(snap.errors.count[c.value] == 1 for c in ErrorCategory)
    assert "drift.merchant_category.js" in names and not math.isnan(names["saturation"])
    for name in names:
        fam = signals.lookup(name)
        assert fam is not None, name
        assert (fam.unit, fam.kind) == expected(name), name
        assert signals.unit_of(name) is fam.unit
        assert signals.check_signal(name) == name
        assert fam.produced


def test_no_dead_family() -> None:
    produced = {signals.lookup(n) for n in full_snapshot().signals()}
    assert produced == {f for f in signals.FAMILIES if f.produced}
    assert {f.name for f in signals.FAMILIES if not f.produced} == {"slo_good", "slo_bad", "slo_total"}
    # the families with closed labels are produced in full
    names = set(full_snapshot().signals())
    for fam in signals.FAMILIES:
        assert set(fam.names()) <= names if fam.produced else fam.names() == ()


def test_name_builders_match_the_structured_snapshot() -> None:
    snap = full_snapshot()
    flat = snap.signals()
    for q in signals.LATENCY_QUANTILES:
        name = signals.latency_quantile_name(q)
        assert flat[name] == getattr(snap.latency, name.split(".")[1]) or math.isnan(flat[name])
    assert signals.latency_quantile_name(99.9) == "latency.p999_ms"
    assert signals.latency_quantile_name(50) == "latency.p50_ms"
    assert flat[signals.LATENCY_COUNT_NAME] == snap.latency.count
    for field in signals.throughput_fields():
        assert flat[signals.throughput_name(field)] == float(getattr(snap.throughput, field))
    assert set(signals.throughput_fields()) == set(type(snap.throughput).__dataclass_fields__)
    for cat in ErrorCategory:
        assert flat[signals.error_rate_name(cat)] == snap.errors.rate[cat.value]
        assert flat[signals.error_count_name(cat.value)] == snap.errors.count[cat.value]
    assert flat[signals.ERRORS_TOTAL_RATE_NAME] == snap.errors.total_rate
    assert flat[signals.SATURATION_NAME] == snap.saturation
    for feat, d in snap.drift.items():
        for metric in signals.DRIFT_METRICS:
            assert flat[signals.drift_name(feat, metric)] == getattr(d, metric)
    assert signals.slo_name("checkout", "good") == "slo.checkout.good"
    with pytest.raises(KeyError):
        signals.throughput_name("latency")
    with pytest.raises(InvalidInputError):
        signals.quantile_label(0)


def test_categories_come_from_error_category() -> None:
    values = tuple(c.value for c in ErrorCategory)
    assert signals.ERROR_CATEGORIES == values == signals.CATEGORY.values
    for fam in (signals.ERROR_RATE, signals.ERROR_COUNT):
        assert fam.names() == tuple(fam.format(category=v) for v in values)
    assert signals.lookup("errors.rate.infra") is None


def test_parse_lookup_and_format_round_trip() -> None:
    for fam in signals.FAMILIES:
        labels = {lb.name: (lb.values[0] if lb.values else "amount") for lb in fam.labels}
        name = fam.format(**labels)
        assert signals.parse(name) == (fam, labels)
        assert fam.match(name) == labels
        assert signals.SIGNAL_RE.fullmatch(name)
        assert fam.help and "\n" not in fam.help  # one HELP line
        assert fam.kind.prometheus_type in ("counter", "gauge")
    assert signals.lookup("latency.p98.ms") is None and signals.lookup("drift.amount.kl") is None
    assert signals.unit_of("custom.queue_ms") is MILLISECONDS and signals.unit_of("custom.depth") is RATIO
    assert {f.name for f in signals.FAMILIES} == {f.name for f in set(signals.FAMILIES)}  # unique
    assert len({f.template for f in signals.FAMILIES}) == len(signals.FAMILIES)
    assert EVENTS is signals.SLO_TOTAL.unit


def test_check_signal_lists_the_families() -> None:
    with pytest.raises(InvalidInputError, match="error categories: infrastructure") as err:
        signals.check_signal("errors.rate.infra", what="rule 'x'")
    msg = str(err.value)
    assert msg.startswith("rule 'x': unknown signal 'errors.rate.infra'")
    assert msg.endswith("(pass extra_signals=[...] to allow others)")
    for fam in signals.FAMILIES:
        head = fam.display.rpartition(".")[0] or fam.display
        assert head in msg, fam.display
    for flow in signals.FLOWS:
        assert flow in msg
    assert signals.check_signal("custom.x", ["custom.*"]) == "custom.x"
    with pytest.raises(InvalidInputError, match="such as 'latency.p99_ms'"):
        signals.check_signal("")
