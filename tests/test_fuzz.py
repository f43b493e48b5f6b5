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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
def test_fuzz_smoke(name: str) -> None:
    module = name.split("_")[0]
    if not os.path.exists(os.path.join(CSRC, f"mon_{module}.h")):
        pytest.skip(f"module mon_{module} not in this tree (the harness is built when it lands)")
    why = _libfuzzer_missing()
    if why:
        pytest.skip(why)
    proc = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", CSRC, "fuzz-smoke", f"FUZZ_NAMES={name}",
         "FUZZ_RUNS=20000"],
        capture_output=True, text=True, timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "stat::number_of_executed_units: 20000" in out, out[-3000:]
