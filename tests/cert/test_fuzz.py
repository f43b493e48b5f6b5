"""Fuzzing smoke run: every libFuzzer harness in csrc/fuzz (clang, -fsanitize=fuzzer,address,
undefined) replays its committed regression inputs and runs FUZZ_RUNS inputs from its seed
corpus (``make -C csrc fuzz-smoke``). A crash, sanitizer report or leak fails the test."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess

import pytest

from oracles import ROOT

CSRC = os.path.join(ROOT, "csrc")
HARNESSES = sorted(
    re.sub(r"^fuzz_(.*)\.c$", r"\1", os.path.basename(p))
    for p in glob.glob(os.path.join(CSRC, "fuzz", "fuzz_*.c"))
)


def _libfuzzer_missing() -> str | None:
    if shutil.which("clang") is None or shutil.which("make") is None:
        return "clang or make not installed"
    res = subprocess.run(["clang", "-print-resource-dir"], capture_output=True, text=True)
    rt = glob.glob(os.path.join(res.stdout.strip(), "lib", "*", "libclang_rt.fuzzer*.a"))
    return None if rt else "libFuzzer runtime not installed (Debian: libclang-rt-14-dev)"


pytestmark = [pytest.mark.toolchain]


def test_every_harness_has_a_seed_corpus() -> None:
    assert HARNESSES, "no fuzz harness in csrc/fuzz"
    for n in HARNESSES:
        assert os.listdir(os.path.join(CSRC, "fuzz", "corpus", n)), f"empty corpus for {n}"


@pytest.mark.parametrize("name", HARNESSES)
@pytest.mark.req("MON-REQ-CORE-004")
def test_fuzz_smoke(name: str) -> None:
    module = name.split("_")[0]
    if not os.path.exists(os.path.join(CSRC, f"mon_{module}.h")):
        pytest.skip(f"module mon_{module} not in this tree (the harness is built when it lands)")
    why = _libfuzzer_missing()
    if why:
        pytest.skip(why)
    proc = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "-C",
            CSRC,
            "fuzz-smoke",
            f"FUZZ_NAMES={name}",
            "FUZZ_RUNS=20000",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "stat::number_of_executed_units: 20000" in out, out[-3000:]


FINDINGS = sorted(
    os.path.relpath(p, os.path.join(CSRC, "fuzz", "findings"))
    for p in glob.glob(os.path.join(CSRC, "fuzz", "findings", "*", "*"))
)


@pytest.mark.parametrize("finding", FINDINGS)
def test_open_finding(finding: str) -> None:
    """An open finding (csrc/fuzz/findings/README.md) still fails its harness. Strict xfail:
    once fixed this passes unexpectedly, so move the input to csrc/fuzz/regressions/."""
    harness = finding.split(os.sep)[0]
    if not os.path.exists(os.path.join(CSRC, f"mon_{harness.split('_')[0]}.h")):
        pytest.skip(f"module of {harness} not in this tree")
    why = _libfuzzer_missing()
    if why:
        pytest.skip(why)
    build = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", CSRC, f"build/fuzz/fuzz_{harness}"],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    proc = subprocess.run(
        [
            os.path.join(CSRC, "build", "fuzz", f"fuzz_{harness}"),
            os.path.join(CSRC, "fuzz", "findings", finding),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.xfail(f"open finding {finding} (see csrc/fuzz/findings/README.md)")
    pytest.fail(f"{finding} no longer fails: move it to csrc/fuzz/regressions/{harness}/")
