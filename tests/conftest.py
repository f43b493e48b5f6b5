"""Shared test configuration: hypothesis profiles (quick by default, thorough in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("quick", max_examples=60, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "thorough" if os.environ.get("CI") else "quick"))


def run_monitor_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m monitor ARGS`` against the monitor package these tests import (an
    installed copy, or an in-place build), from a neutral directory so that a source checkout
    without the compiled module can never shadow it."""
    import monitor

    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(monitor.__file__)))
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tempfile.gettempdir(),
        env=env,
    )
