"""monitor.signals is the one definition of every signal: a real snapshot produces only names
it knows (with the right unit and kind) and every family it defines; the categories come from
ErrorCategory; the name builders, lookup and check_signal agree; and no other module of the
package spells signal names or categories a second time (a scan of their source)."""

from __future__ import annotations

import ast
import dataclasses
import math
import pathlib
from typing import Any

import pytest

import monitor
import monitor.alerts
import monitor.alerts.routing
from monitor import ErrorCategory, InvalidArgumentError, ServiceMonitor, signals
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

PACKAGE = pathlib.Path(monitor.__file__).resolve().parent


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
    svc = ServiceMonitor(
        "fraud", "v1", clock=lambda: t[0], capacity_rps=100.0, drift=FakeDrift(), logger=False
    )
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
        return {"window_s": (SECONDS, Kind.GAUGE), "gap_ratio": (RATIO, Kind.GAUGE)}.get(
            tail, (REQUESTS, Kind.GAUGE)
        )
    if head == "saturation" or tail == "total_rate":
        return RATIO, Kind.GAUGE
    if head == "errors":
        kind, _, cat = tail.partition(".")
        assert cat in cats
        return (RATIO, Kind.GAUGE) if kind == "rate" else (ERRORS, Kind.COUNTER)
    if head == "drift":
        metric = tail.rsplit(".", 1)[1]
        if metric.endswith("_rate"):  # data-quality shares of the window's rows
            return RATIO, Kind.GAUGE
        return {"psi": NATS, "tv": RATIO, "js": BITS}[metric], Kind.SCORE
    raise AssertionError(f"unexpected snapshot signal {name!r}")


@pytest.mark.req("MON-REQ-SIG-001")
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
            got, want = flat[signals.drift_name(feat, metric)], getattr(d, metric)
            assert got == want or (math.isnan(got) and math.isnan(want))
    assert signals.slo_name("checkout", "good") == "slo.checkout.good"
    with pytest.raises(KeyError):
        signals.throughput_name("latency")
    with pytest.raises(InvalidArgumentError):
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
    with pytest.raises(InvalidArgumentError, match="error categories: infrastructure") as err:
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
    with pytest.raises(InvalidArgumentError, match="such as 'latency.p99_ms'"):
        signals.check_signal("")


@pytest.mark.req("MON-REQ-SIG-001")
def test_alerts_constants_derive_from_signals() -> None:
    assert monitor.alerts.ERROR_CATEGORIES is signals.ERROR_CATEGORIES
    assert monitor.alerts.KNOWN_SIGNAL_PATTERNS is signals.KNOWN_SIGNAL_PATTERNS
    assert monitor.alerts.check_signal is signals.check_signal
    assert set(signals.ERROR_CATEGORIES) <= set(monitor.alerts.DEFAULT_ROUTES)
    assert monitor.alerts.routing.route_keys("errors.rate.timeout") == ("timeout", "errors")


# -- no second list -----------------------------------------------------------------------------
#
# What the scan checks, in every module of monitor/ (subpackages included) except signals.py
# (the definition) and categories.py (ErrorCategory, checked against the C core at import):
#
#  1. no string literal or f-string that starts like a signal name ("latency.", "errors.",
#     "throughput.", "drift.", "slo.", or their regex forms "latency\\." ...) unless it is one
#     complete, known signal name (a consumer such as a demo rule on "latency.p99_ms" is fine: it is
#     validated by check_signal; a fragment such as "errors.rate." or f"drift.{f}.psi" builds
#     names, and a hand-kept regex repeats them);
#  2. no string literal equal to an error category value ("timeout", "input_validation", ...):
#     a list, a mapping key or a comparison of categories must come from ErrorCategory;
#  3. no string literal equal to the tail of a template ("_ms", "_rps", ".psi", ...): unit or
#     kind inference by suffix belongs to signals.unit_of;
#  4. no signal produced under a literal name: a known name as the key of a dict display or of a
#     subscript assignment (``flat["saturation"] = ...``) must come from a name builder; reading
#     a snapshot by a literal name (``snap["latency.p99_ms"]``) is a consumer and fine.
#
# Documentation is not code: strings that are expression statements (docstrings, attribute
# docstrings) are skipped.

_GROUPS = tuple(g.value for g in signals.Group)
_TAILS = frozenset(
    tail
    for fam in signals.FAMILIES
    if "}" in fam.template
    for tail in (fam.template.rsplit("}", 1)[1],)
    if tail[:1] in ("_", ".")
)
_EXEMPT = {"signals.py", "categories.py"}


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def second_list_findings(source: str, filename: str = "<src>") -> list[str]:
    tree = ast.parse(source, filename)
    docs = {
        id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    stored = {id(k) for n in ast.walk(tree) if isinstance(n, ast.Dict) for k in n.keys if k is not None}
    stored |= {
        id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
    }
    cats = set(signals.ERROR_CATEGORIES)
    out = []
    for node in ast.walk(tree):
        if id(node) in docs or id(node) in inner:
            continue
        text = _text(node)
        if text is None:
            continue
        where = f"{filename}:{getattr(node, 'lineno', '?')}: {text!r}"
        if any(text.startswith((g + ".", g + "\\.")) for g in _GROUPS):
            if isinstance(node, ast.JoinedStr) or signals.lookup(text) is None:
                out.append(f"{where} builds or matches signal names (use monitor.signals)")
            elif id(node) in stored:
                out.append(
                    f"{where} produces a signal under a literal name (use the monitor.signals builders)"
                )
        elif text == signals.SATURATION_NAME and id(node) in stored:
            out.append(f"{where} produces a signal under a literal name (use the monitor.signals builders)")
        elif text in cats:
            out.append(f"{where} is an error category (use ErrorCategory / monitor.signals)")
        elif text in _TAILS:
            out.append(f"{where} is a signal-name suffix (use monitor.signals.unit_of / lookup)")
    return out


def test_the_scan_finds_second_lists() -> None:
    bad = """
PATTERNS = (r"latency\\.p[0-9]+_ms", "errors.rate." + k)
CATS = ("infrastructure", "timeout")
name = f"drift.{feature}.psi"
ms = signal.endswith("_ms")
prefix = "throughput."
flat = {"latency.count": 1.0}
flat["saturation"] = sat
"""
    found = second_list_findings(bad)
    assert len(found) == 9, found
    good = '''
"""A docstring naming errors.rate.timeout and "latency.p"."""
class C:
    """errors.rate. is documented here"""
RULE = ("latency.p99_ms", "errors.rate.timeout", "saturation", "drift.amount.psi")
msg = f"expected a name such as 'latency.p99_ms', got {x!r}"
value = s["throughput.received_rps"]
'''
    assert second_list_findings(good) == []


@pytest.mark.req("MON-REQ-SIG-001")
def test_no_module_has_a_second_list_of_signals() -> None:
    modules = sorted(p for p in PACKAGE.rglob("*.py") if p.name not in _EXEMPT or p.parent != PACKAGE)
    assert PACKAGE / "alerts" / "routing.py" in modules and PACKAGE / "service.py" in modules
    findings = [
        f for p in modules for f in second_list_findings(p.read_text("utf-8"), str(p.relative_to(PACKAGE)))
    ]
    assert findings == []
