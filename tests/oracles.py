"""Shared test oracles and paths: independent implementations the tests compare the library
against, written once (tests and benchmarks import them from here, never copy them).

- :func:`article_calculate_psi` - the seed article's ``calculate_psi`` snippet, verbatim (numpy).
- :func:`crc32c` - a bitwise CRC-32C (Castagnoli), independent of the C table-driven one.
- ``ROOT``, ``CSRC``, ``DATA``, ``GOLDEN``: the checkout's root, the C sources, the test data
  folder and the one golden-vector file (shipped with the package in ``monitor/data``).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRC = os.path.join(ROOT, "csrc")
DATA = os.path.join(ROOT, "tests", "data")
GOLDEN = os.path.join(ROOT, "monitor", "data", "golden_v2.json")
TOOLS = os.path.join(ROOT, "tools")


# ---- the article's snippet, verbatim (the oracle) --------------------------------------------
def article_calculate_psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """
    Calculate Population Stability Index between two distributions.
    PSI < 0.1: No significant shift
    PSI 0.1-0.25: Moderate shift, investigate
    PSI > 0.25: Significant shift, likely action needed
    """
    # Bin the reference distribution
    breakpoints = np.percentile(reference, np.linspace(0, 100, bins + 1))
    breakpoints[0] = -np.inf
    breakpoints[-1] = np.inf

    ref_counts = np.histogram(reference, bins=breakpoints)[0]
    cur_counts = np.histogram(current, bins=breakpoints)[0]

    # Convert to proportions, avoiding division by zero
    ref_pct = (ref_counts + 1) / (len(reference) + bins)
    cur_pct = (cur_counts + 1) / (len(current) + bins)

    # PSI formula
    psi = np.sum((cur_pct - ref_pct) * np.log(cur_pct / ref_pct))
    return psi  # type: ignore[no-any-return]


# -----------------------------------------------------------------------------------------------


def crc32c(data: bytes) -> int:
    """CRC-32C (reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF), bit by bit."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def run_c_example(cc: str, source: str, tmp_path: object) -> str:
    """Build libmonitor.a with ``cc``, compile ``examples/<source>`` against it with -Werror as
    the README shows, run it, return its stdout (the test is skipped without ``cc`` or make)."""
    import pytest

    if shutil.which(cc) is None or shutil.which("make") is None:
        pytest.skip(f"{cc}/make not installed")
    variant = f"example-{cc}"
    subprocess.run(
        ["make", "-s", "-C", CSRC, "lib", f"CC={cc}", f"VARIANT={variant}"], check=True, capture_output=True
    )
    exe = os.path.join(str(tmp_path), os.path.splitext(source)[0])
    src = os.path.join(ROOT, "examples", source)
    lib = os.path.join(CSRC, "build", variant, "libmonitor.a")
    warn = ["-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
    subprocess.run([cc, *warn, "-I", CSRC, src, lib, "-o", exe], check=True, capture_output=True)
    return subprocess.run([exe], check=True, capture_output=True, text=True).stdout
