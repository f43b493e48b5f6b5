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
# under valgrind memcheck (tools/cert/valgrind_pytest.sh): every property still runs, on fewer
# examples (each costs ~20x there); the C paths are the same for the 20th example as for the 60th
settings.register_profile(
    "memcheck", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "thorough" if os.environ.get("CI") else "quick"))


# Tests that add no memcheck coverage of the C core: their time goes to a pure-Python oracle or
# generator (the C calls they make are made by lighter tests of the same module too) or to a
# subprocess, which memcheck does not trace. They carry the `no_memcheck` marker, and
# tools/cert/valgrind_pytest.sh deselects it (-m "not no_memcheck"); they run as usual everywhere
# else. Node id prefix -> why.
NO_MEMCHECK = {
    "tests/unit/test_latency_table.py::test_generated_table_is_up_to_date": "pure-Python table generator",
    "tests/unit/test_latency_table.py::test_every_threshold_is_exact": "big-integer check of the table",
    "tests/unit/test_drift_metrics.py::test_accuracy_laplace[random B=10000": "mpmath oracle on 10^4 bins",
    "tests/unit/test_drift_metrics.py::test_accuracy_laplace[B=10000": "mpmath oracle on 10^4 bins",
    "tests/unit/test_drift_metrics.py::test_c_golden_in_other_builds": "a compiler and a C program",
    "tests/unit/test_drift_metrics.py::test_generated_tables_are_reproducible": "pure-Python generator",
    "tests/cert/test_latency_c.py::test_hist_variants": "a compiler and a C program",
    "tests/cert/test_latency_c.py::test_c_microbenchmark_builds_and_runs": "a compiler and a C program",
    "tests/unit/test_golden.py::test_c_header_is_in_sync_with_the_golden_file": "a generator subprocess",
    "tests/unit/test_golden.py::test_cli_prints_pass_and_digest": "a `monitor verify` subprocess",
    "tests/unit/test_golden.py::test_a_changed_expected_output_fails": "a `monitor verify` subprocess",
}


def pytest_collection_modifyitems(config: object, items: list) -> None:  # type: ignore[type-arg]
    import pytest

    for item in items:
        if any(item.nodeid.startswith(prefix) for prefix in NO_MEMCHECK):
            item.add_marker(pytest.mark.no_memcheck)


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
