"""`monitor rules to-prometheus` (promtool accepts the output; each rule kind has its PromQL form;
what has none is refused by name) and `monitor demo --serve` (a real subprocess serving its
metrics on loopback; stopped by its pid)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import run_monitor_cli

import monitor
from monitor import InvalidArgumentError
from monitor.alerts import AllOf, BurnRate, Not, RateOfChange, Rule, RuleRef
from monitor.exposition.cli import parse_host_port
from monitor.exposition.rules import prometheus_rules, to_yaml

PROMTOOL = shutil.which("promtool")
RULES = """
[[rule]]
name = "latency_p99_high"
signal = "latency.p99_ms"
op = ">"
threshold = "500ms"
clear = "400ms"
for = "5m"
keep_firing_for = "2m"
summary = "P99 \\"latency\\" above 500 ms"
labels = { team = "ml" }

[[rule]]
name = "infra_errors_rising"
rate_of_change = { signal = "errors.rate.infrastructure", op = ">=", change = "300%", window = "10m" }

[[rule]]
name = "incident"
all = ["latency_p99_high", { not = { signal = "saturation", op = ">", threshold = 0.9 } }]

[[slo]]
name = "availability"
objective = "99.9%"
good = "slo.availability.good"
total = "slo.availability.total"
"""


def _expr(rule: Rule, *others: Rule) -> str:
    doc = prometheus_rules([*others, rule])
    return str(doc["groups"][0]["rules"][-1]["expr"])


def test_threshold_is_in_base_units_with_hysteresis() -> None:
    e = _expr(Rule("p99", "latency.p99_ms", ">", "500ms", clear="400ms"))
    assert e == (
        '(monitor_latency_window_quantile_seconds{percentile="99"} > 0.5) or '
        '(monitor_latency_window_quantile_seconds{percentile="99"} > 0.4 and on(service, model_version) '
        'ALERTS{alertname="p99"})'
    )
    assert (
        _expr(Rule("e", "errors.count.timeout", ">=", 3)) == 'monitor_errors_total{category="timeout"} >= 3.0'
    )
    assert _expr(Rule("q", "latency.p999_ms", ">", 1000)).startswith(
        'monitor_latency_window_quantile_seconds{percentile="99.9"} > 1.0'
    )


def test_rate_of_change_burn_rate_composites_and_refs() -> None:
    roc = Rule("r", condition=RateOfChange("throughput.processed_rps", "<=", "-30%", "10m"))
    assert "offset 10m" in _expr(roc) and "<= -0.3" in _expr(roc)
    burn = Rule(
        "b",
        condition=BurnRate(
            total="throughput.received",
            bad="throughput.failed",
            objective="99%",
            windows=(("1h", "5m", 14.4),),
        ),
    )
    e = _expr(burn)
    assert 'increase(monitor_requests_total{flow="failed"}[1h])' in e and "[5m]" in e and "> 14.4" in e
    a = Rule("a", "saturation", ">", 0.8)
    both = Rule("both", condition=AllOf(RuleRef("a"), Not(Rule("x", "saturation", ">", 0.95).cond)))
    e = _expr(both, a)
    assert e.startswith("(monitor_saturation_ratio > 0.8) and on(service, model_version)") and " unless " in e
    fired = Rule("f", condition=RuleRef("a", firing=True))
    assert _expr(fired, a) == 'ALERTS{alertname="a", alertstate="firing"}'


def test_untranslatable_rules_are_refused_by_name() -> None:
    from monitor.alerts import Baseline

    with pytest.raises(InvalidArgumentError, match="'learned'.*history"):
        prometheus_rules([Rule("learned", "latency.p99_ms", ">", Baseline(k=3, history=30))])


def test_yaml_writer_quotes_everything() -> None:
    text = to_yaml({"groups": [{"name": 'a"b', "rules": [{"alert": "x", "labels": {"k": "é\n"}}]}]})
    assert (
        text
        == 'groups:\n  - name: "a\\"b"\n    rules:\n      - alert: "x"\n        labels:\n          k: "é\\n"'
    )


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`)")
def test_cli_output_passes_promtool_check_rules(tmp_path: Path) -> None:
    src = tmp_path / "rules.toml"
    src.write_text(RULES)
    out = tmp_path / "prom.yml"
    proc = run_monitor_cli("rules", "to-prometheus", str(src), "-o", str(out), "--interval", "15s")
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run([PROMTOOL, "check", "rules", str(out)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 5 rules found" in check.stdout  # 3 rules + the SLO's page and ticket rules
    text = out.read_text()
    assert 'keep_firing_for: "2m"' in text and 'for: "5m"' in text and 'team: "ml"' in text


def test_cli_refuses_a_bad_file_with_a_message(tmp_path: Path) -> None:
    src = tmp_path / "rules.toml"
    src.write_text('[[rule]]\nname = "x"\nsignal = "custom.thing"\nop = ">"\nthreshold = 1\n')
    proc = run_monitor_cli("rules", "to-prometheus", str(src))
    assert proc.returncode == 2 and "custom.thing" in proc.stderr


def test_parse_host_port() -> None:
    assert parse_host_port("127.0.0.1:9464") == ("127.0.0.1", 9464)
    assert parse_host_port("[::1]:80") == ("::1", 80)
    for bad in ("9464", "host:", ":80", "h:99999"):
        with pytest.raises(InvalidArgumentError, match="HOST:PORT"):
            parse_host_port(bad)


@pytest.mark.slow
def test_demo_serve_serves_the_demo_metrics() -> None:
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(monitor.__file__)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "demo", "--serve", "127.0.0.1:0", "--serve-for", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tempfile.gettempdir(),
        env=dict(os.environ, PYTHONPATH=pkg_parent),
    )
    try:
        assert proc.stdout is not None
        url = None
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("serving metrics at "):
                url = line.split()[-1]
            if line.startswith("demo finished"):
                break
        assert url is not None and url.startswith("http://127.0.0.1:"), lines
        with urllib.request.urlopen(url, timeout=10) as r:
            body = r.read().decode()
        summary = next(ln for ln in lines if "requests received" in ln)
        received = int(summary.split("requests received ")[1].split(",")[0])
        want = f'monitor_requests_total{{service="fraud-model",model_version="v3.2.1",flow="received"}} {received}'
        assert want in body
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=10)
