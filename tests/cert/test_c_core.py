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
    proc = subprocess.run(["make", "-s", "-C", CSRC, *args], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    assert " 0 failed" in proc.stdout


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("target", ["test", "portable", "asan", "ubsan"])
@pytest.mark.req("MON-REQ-CORE-004")
def test_c_unit_tests(cc: str, target: str) -> None:
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    extra = [f"VARIANT=test-{cc}"] if target == "test" else []
    _make(target, f"CC={cc}", *extra)


@pytest.mark.req("MON-REQ-CORE-002")
def test_core_has_no_forbidden_symbols() -> None:
    proc = subprocess.run(["make", "-s", "-C", CSRC, "check-core"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
@pytest.mark.req("MON-REQ-CORE-005")
def test_public_headers_compile_and_link_as_cxx() -> None:
    """Every public header has extern "C" guards: monitor.h compiles as C++ and a C++ program
    links against the C library (without the guards the names would be mangled)."""
    proc = subprocess.run(
        ["make", "-s", "-C", CSRC, "cxx-check"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "compiles and links as C++" in proc.stdout


@pytest.mark.req("MON-REQ-STATUS-001")
def test_c_version_matches_the_package() -> None:
    import re

    import monitor
    from monitor._ffi import ffi, lib

    with open(os.path.join(CSRC, "mon_config.h"), encoding="utf-8") as fh:
        text = fh.read()
    (string,) = re.findall(r'#define MON_VERSION_STRING "([^"]+)"', text)
    numbers = tuple(
        int(re.search(rf"#define MON_VERSION_{k} (\d+)", text).group(1))  # type: ignore[union-attr]
        for k in ("MAJOR", "MINOR", "PATCH")
    )
    assert ffi.string(lib.mon_version()).decode() == string == monitor.__version__
    assert (lib.MON_VERSION_MAJOR, lib.MON_VERSION_MINOR, lib.MON_VERSION_PATCH) == numbers
    assert ".".join(map(str, numbers)) == string


def _clang_format() -> str | None:
    for name in ("clang-format", "clang-format-16", "clang-format-15", "clang-format-14"):
        if shutil.which(name):
            return name
    return None


@pytest.mark.skipif(_clang_format() is None, reason="clang-format not installed (Debian: clang-format)")
def test_c_sources_follow_the_clang_format_style() -> None:
    """Every C file of csrc/ except the generated tables is formatted with csrc/.clang-format."""
    proc = subprocess.run(
        ["make", "-s", "-C", CSRC, "format-check"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "C format OK" in proc.stdout
