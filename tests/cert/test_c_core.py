"""Drive the C unit tests (csrc/tests) from pytest: plain, portable (no __int128) and under
AddressSanitizer / UndefinedBehaviorSanitizer with gcc and, when installed, clang."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from oracles import CSRC

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not os.path.isdir(CSRC), reason="needs make and csrc/"
)


def _make(*args: str) -> None:
    proc = subprocess.run(
        ["make", "-s", "-C", CSRC, *args], capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    assert " 0 failed" in proc.stdout


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("target", ["test", "portable", "asan", "ubsan"])
def test_c_unit_tests(cc: str, target: str) -> None:
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    extra = [f"VARIANT=test-{cc}"] if target == "test" else []
    _make(target, f"CC={cc}", *extra)


def test_core_has_no_forbidden_symbols() -> None:
    proc = subprocess.run(["make", "-s", "-C", CSRC, "check-core"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
