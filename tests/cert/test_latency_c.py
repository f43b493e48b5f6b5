"""Extra C builds of the latency histogram: the single-threaded (bare-metal) variant, the
portable fallbacks without x86 dispatch, the binner without its AVX-512 copy, and the C microbenchmark compiles and runs.
(tests/cert/test_c_core.py runs the C unit tests plain, portable and under ASan/UBSan.)"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from oracles import CSRC

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _make(*args: str) -> str:
    proc = subprocess.run(["make", "-s", "-C", CSRC, *args], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    "variant,cflags",
    [
        ("hist-single", "-DMON_SINGLE_THREADED=1"),
        ("hist-nodispatch", "-DMON_HIST_NO_DISPATCH=1 -DMON_HIST_PORTABLE_CLZ=1 -DMON_HIST_BATCH_BUCKETS=0"),
        # the binner's AVX2 compare copy, which the AVX-512 one replaces where the CPU has it
        ("bin-noavx512", "-DMON_BIN_NO_AVX512=1"),
    ],
)
def test_hist_variants(variant: str, cflags: str) -> None:
    out = _make("test", f"VARIANT={variant}", f"CFLAGS={cflags}")
    assert "checks" in out
    for line in out.splitlines():
        if "checks" in line:
            assert line.endswith(" 0 failed"), line


def test_c_microbenchmark_builds_and_runs(tmp_path: object) -> None:
    _make("lib")
    exe = os.path.join(str(tmp_path), "bench_hist")
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc is not None
    subprocess.run(
        [
            cc,
            "-std=c99",
            "-O2",
            "-I",
            CSRC,
            os.path.join(CSRC, "bench", "bench_hist.c"),
            os.path.join(CSRC, "build", "default", "libmonitor.a"),
            "-o",
            exe,
        ],
        check=True,
        timeout=120,
    )
    out = subprocess.run([exe], capture_output=True, text=True, timeout=120, check=True).stdout
    assert "record_many" in out
