"""Declarative rule files (TOML and JSON): the example file, and clear errors for unknown fields,
unknown signals and bad units."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from monitor import AlertEngine, AlertState, Baseline, BurnRate, RateOfChange, Rule, Severity, load_rules
from monitor.alerts.config import load_config, parse_config
from monitor.errors import InvalidArgumentError

from oracles import DATA

TOML = os.path.join(DATA, "alert_rules.toml")
JSON = os.path.join(DATA, "alert_rules.json")


@pytest.mark.req("MON-REQ-ALERT-006")
def test_example_file_loads_identically_from_toml_and_json() -> None:
    rules = load_rules(TOML)
    assert rules == load_rules(JSON)
    by = {r.name: r for r in rules}
    p99 = by["latency_p99_high"]
    assert (p99.signal, p99.op, p99.threshold, p99.clear, p99.for_, p99.keep_firing_for) == (
        "latency.p99_ms",
        ">",
        500.0,
        400.0,
        300.0,
        120.0,
    )
    assert p99.cond.signals() == ("latency.p99_ms",)
    assert p99.labels == (("service", "fraud-model"),)
    base = by["latency_p99_anomalous"].condition
    assert isinstance(base, type(p99.cond)) and isinstance(base.value, Baseline)  # type: ignore[attr-defined]
    assert base.value.level(">") == 300.0  # type: ignore[attr-defined]
    roc = by["infrastructure_errors_rising"].condition
    assert isinstance(roc, RateOfChange) and (roc.value, roc.window) == (3.0, 600.0)
    page = by["availability_burn_page"]
    assert isinstance(page.condition, BurnRate) and page.severity is Severity.PAGE
    assert page.condition.windows == ((3600.0, 300.0, 14.4), (21600.0, 1800.0, 6.0))
    assert (
        by["input_validation_errors"].threshold == 0.05
        and by["input_validation_errors"].severity is Severity.TICKET
    )


def test_example_file_runs_and_routes() -> None:
    eng = AlertEngine.from_file(TOML)
    assert len(eng.silences) == 1
    snap = {
        "latency.p99_ms": 120.0,
        "errors.rate.infrastructure": 0.001,
        "errors.rate.input_validation": 0.0,
        "errors.rate.model_inference": 0.02,
        "throughput.processed_rps": 100.0,
        "saturation": 0.3,
        "drift.amount.psi": 0.05,
        "slo.availability.good": 0,
        "slo.availability.total": 0,
        "slo.latency_300ms.good": 0,
        "slo.latency_300ms.total": 0,
    }
    eng.validate_against(snap)
    (a,) = eng.evaluate(snap, now=0)
    assert (a.rule, a.kind, a.route) == ("model_errors", "pending", "ml")
    for t in range(60, 301, 60):
        eng.evaluate(snap, now=t)
    assert eng.status("model_errors").state is AlertState.FIRING
    load_rules(TOML, snapshot=snap)
    with pytest.raises(InvalidArgumentError, match="not in the snapshot"):
        load_rules(TOML, snapshot={"latency.p99_ms": 1.0})


def write(tmp_path: Path, text: str, ext: str = ".toml") -> str:
    p = tmp_path / f"rules{ext}"
    p.write_text(text)
    return str(p)


RULE = '[[rule]]\nname = "ok"\nsignal = "latency.p99_ms"\nop = ">"\nthreshold = "500ms"\n\n'


@pytest.mark.parametrize(
    "body,match",
    [
        (
            '[[rule]]\nname = "x"\nsignal = "latency.p99_ms"\nop = ">"\nthreshold = 1\nfor_ = "5m"\n',
            r"line 7: rule\[1\]: unknown field\(s\) 'for_'",
        ),
        (
            '[[rule]]\nname = "x"\nsignal = "latency.p98.ms"\nop = ">"\nthreshold = 1\n',
            r"line 9: rule\[1\] \(x\)\.signal: .*unknown signal 'latency.p98.ms'",
        ),
        (
            '[[rule]]\nname = "x"\nsignal = "errors.rate.infra"\nop = ">"\nthreshold = "2%"\n',
            "error categories",
        ),
        (
            '[[rule]]\nname = "x"\nsignal = "latency.p99_ms"\nop = ">"\nthreshold = "2%"\n',
            r"rule\[1\] \(x\).*percentage",
        ),
        (
            '[[rule]]\nname = "x"\nsignal = "latency.p99_ms"\nop = ">"\nthreshold = 1\nfor = "5 min"\n',
            r"line 7: rule\[1\] \(x\): .*bad duration '5 min'",
        ),
        (
            '[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\nthreshold = "90 percent"\n',
            "dimensionless",
        ),
        ('[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\n', "exactly one of threshold"),
        (
            '[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\nthreshold = 1\nbaseline = { k = 3 }\n',
            "got threshold, baseline",
        ),
        (
            '[[rule]]\nname = "x"\nsignal = "latency.p99_ms"\nop = ">"\nbaseline = { k = 3, sigmas = 2 }\n',
            r"rule\[1\] \(x\)\.baseline: unknown field\(s\) 'sigmas'",
        ),
        (
            '[[rule]]\nname = "x"\nrate_of_change = { signal = "saturation", op = ">", change = "50%" }\n',
            "missing 'window'",
        ),
        ('[[rule]]\nname = "x"\nall = ["ok", "nope"]\n', "unknown rule 'nope'"),
        (
            '[[rule]]\nname = "ok"\nsignal = "saturation"\nop = ">"\nthreshold = 1\n',
            "duplicate rule name 'ok'",
        ),
        ('[[rule]]\nname = "x"\nrule = "y"\n[[rule]]\nname = "y"\nrule = "x"\n', "cycle"),
        (
            '[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\nthreshold = 1\nseverity = "critical"\n',
            "severity",
        ),
        ('[[slo]]\nname = "a"\nobjective = "99.9%"\ntotal = "slo.a.total"\n', "exactly one of good= or bad="),
        (
            '[[slo]]\nname = "a"\nobjective = "99.9%"\ngood = "slo.a.good"\ntotal = "slo.a.total"\nwindow = "1h"\n',
            r"slo\[0\]: unknown field\(s\) 'window'",
        ),
        ('[[silence]]\nstart = "2026-01-23T18:00:00Z"\nend = "yesterday"\n', r"silence\[0\].*bad timestamp"),
        ('[[rules]]\nname = "x"\n', r"\(top level\): unknown field\(s\) 'rules'"),
        (
            '[[rule]]\nname = "x"\nsignal = "saturation"\nop = ">"\nthreshold = 1\nnot = "ok"\n',
            "got threshold, not",
        ),
        ('[[rule]]\nname = "x"\nrule = "ok"\nsignal = "saturation"\n', "'signal' do not belong with 'rule'"),
        ('[[rule]\nname = "x"\n', "invalid TOML.*line 7"),
    ],
)
@pytest.mark.req("MON-REQ-ALERT-006")
def test_bad_files_name_the_key_or_line(tmp_path: Path, body: str, match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        load_rules(write(tmp_path, RULE + body))


def test_json_errors_and_formats(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"line 2, column \d+: invalid JSON"):
        load_rules(write(tmp_path, '{"rule": [\n  {"name": "x",, }]}', ".json"))
    with pytest.raises(InvalidArgumentError, match="must end in .toml or .json"):
        load_rules(write(tmp_path, "", ".yaml"))
    doc: dict[str, Any] = {
        "signals": ["custom.*"],
        "rule": [
            {"name": "c", "signal": "custom.queue_depth", "op": ">", "threshold": 10, "for": 30},
            {"name": "n", "not": {"signal": "saturation", "op": "<", "threshold": "50%"}},
            {"name": "r", "rule": "c", "firing": True},
            {
                "name": "a",
                "any": [
                    "c",
                    {
                        "rate_of_change": {
                            "signal": "saturation",
                            "op": ">",
                            "change": 0.1,
                            "window": "1m",
                            "relative": False,
                        }
                    },
                ],
            },
            {
                "name": "b",
                "burn_rate": {
                    "total": "throughput.received",
                    "bad": ["throughput.dropped"],
                    "objective": 0.99,
                    "windows": [["1h", "5m", 14.4]],
                },
            },
            {
                "name": "h",
                "signal": "latency.p50_ms",
                "op": ">",
                "baseline": {"reference": [10, 12, 11, 13], "k": 2},
            },
        ],
    }
    cfg = load_config(write(tmp_path, json.dumps(doc), ".json"))
    assert [r.name for r in cfg.rules] == ["c", "n", "r", "a", "b", "h"] and cfg.extra_signals == (
        "custom.*",
    )
    eng = AlertEngine(cfg.rules, extra_signals=cfg.extra_signals)
    got = {
        a.rule
        for a in eng.evaluate(
            {
                "custom.queue_depth": 11,
                "saturation": 0.6,
                "latency.p50_ms": 20,
                "throughput.received": 0,
                "throughput.dropped": 0,
            },
            now=0,
        )
    }
    assert got == {"n", "a", "c", "h"}
    with pytest.raises(InvalidArgumentError, match="unknown signal 'custom.queue_depth'"):
        parse_config({"rule": doc["rule"][:1]})


def test_python_rules_equal_file_rules() -> None:
    py = Rule(
        "latency_p99_high",
        "latency.p99_ms",
        ">",
        "500ms",
        clear="400ms",
        for_="5m",
        keep_firing_for="2m",
        severity="page",
        summary="P99 latency above 500 ms for 5 minutes",
        labels={"service": "fraud-model"},
    )
    (from_file,) = [r for r in load_rules(TOML) if r.name == "latency_p99_high"]
    assert from_file == py and from_file.fingerprint() == py.fingerprint()


def test_toml_without_a_parser_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(
        InvalidArgumentError, match=r"needs the 'tomli' package .*monitor\[toml\].*or use a JSON"
    ):
        load_rules(TOML)
    assert load_rules(JSON)
