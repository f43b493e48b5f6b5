"""examples/c_monitor.c compiles with -Werror (gcc and clang), runs as the README shows: the
drift degrades, the fault burst faults then stops, the allowed reset recovers, the out-of-range
value is clamped, and the ledger written through the callback verifies (and fails once
tampered with)."""

from __future__ import annotations

import os

import pytest

from oracles import ROOT, run_c_example

CSRC = os.path.join(ROOT, "csrc")


@pytest.mark.slow
@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_c_monitor_example(cc: str, tmp_path: os.PathLike[str]) -> None:
    out = run_c_example(cc, "c_monitor.c", tmp_path)
    for line in (
        "step 120: HEALTHY  -> HEALTHY  input_range (clamped to 3.0)",
        "step 250: HEALTHY  -> DEGRADED drift psi(f0)=1.028",
        "step 403: DEGRADED -> FAULTED  fault",
        "step 440: FAULTED  -> STOPPED",
        "step 450: reset -> allowed",
        "step 450: INIT     -> HEALTHY",
        "final state HEALTHY, 1 values clamped; ledger:",
        "verify OK",
        "after tampering: MON_E_CHECKSUM at entry 3",
    ):
        assert line in out, out
