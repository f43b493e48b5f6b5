"""The built-in demo runs, is deterministic and shows the drift it promises."""

from __future__ import annotations

import io

from conftest import run_monitor_cli

from monitor._demo_drift import run_drift_demo as run_demo


def test_demo_is_deterministic_and_detects_the_shift() -> None:
    a, b = io.StringIO(), io.StringIO()
    assert run_demo(a) == 0
    assert run_demo(b) == 0
    text = a.getvalue()
    assert text == b.getvalue()
    assert "amount" in text and "significant" in text
    assert "data-quality alert: merchant_risk" in text
    assert "data-quality alert: category" in text
    summary = text.split("summary")[1]
    assert "hour" in summary and "no alert" in summary


def test_demo_cli() -> None:
    proc = run_monitor_cli("demo", "--drift")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("monitor drift demo")
