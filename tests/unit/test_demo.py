"""The four-signal service demo (``python -m monitor demo``) runs, is deterministic, and each
simulated incident raises (and, once over, resolves) the alert it should."""

from __future__ import annotations

import io
import json
import re

import pytest
from conftest import run_monitor_cli

from monitor._demo import run_demo


def _transitions(text: str) -> list[tuple[str, str]]:
    return re.findall(r">> (FIRING|RESOLVED)\s+(\S+)", text)


def test_demo_is_deterministic_and_alerts_on_each_incident() -> None:
    a, b = io.StringIO(), io.StringIO()
    assert run_demo(a) == 0
    assert run_demo(b) == 0
    text = a.getvalue()
    assert text == b.getvalue()
    assert _transitions(text) == [
        ("FIRING", "input_validation_errors"),
        ("RESOLVED", "input_validation_errors"),
        ("FIRING", "timeouts"),
        ("FIRING", "latency_p99_high"),
        ("RESOLVED", "timeouts"),
        ("RESOLVED", "latency_p99_high"),
        ("FIRING", "amount_drift"),
    ]
    assert "still active: amount_drift" in text
    # the quiet minutes stay quiet: no alert before the bad client starts at minute 5
    first_alert = text.index(">> ")
    assert "   5 |" in text[:first_alert]
    # the printed log line is one JSON object with the article's fields, no raw input
    line = text.split("one error line:\n")[1].splitlines()[0].strip()
    rec = json.loads(line)
    assert rec["error_category"] == "input_validation" and rec["level"] == "error"
    assert "input_hash" in rec and "amount" not in line.replace("input amount", "")


def test_demo_cli() -> None:
    proc = run_monitor_cli("demo")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("monitor demo: a simulated fraud-scoring service")


def test_readme_demo_command_from_the_checkout_root() -> None:
    """The README's `pip install . && monitor demo`, second half, run where a user runs it: the
    console script must find the installed package even though ./monitor (the sources) exists."""
    import shutil
    import subprocess

    exe = shutil.which("monitor")
    if exe is None:
        pytest.skip("the `monitor` console script is not installed (pip install .)")
    from oracles import ROOT as root

    proc = subprocess.run([exe, "demo"], capture_output=True, text=True, timeout=120, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "still active: amount_drift" in proc.stdout
