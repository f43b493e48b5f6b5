"""The Python tests that go through the C core run clean under valgrind memcheck
(tools/cert/valgrind_pytest.sh, PYTHONMALLOC=malloc). In the suite it runs the golden-vector tests,
which call every C entry point the golden file covers; the full set of C-touching test modules
is the extended command ``tools/cert/valgrind_pytest.sh`` (see docs/certification.md). A control
proves the suppression file does not hide an error inside a compiled extension."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from oracles import ROOT

SCRIPT = os.path.join(ROOT, "tools", "cert", "valgrind_pytest.sh")
SUPP = os.path.join(ROOT, "tools", "cert", "valgrind-python.supp")

pytestmark = [
    pytest.mark.toolchain,
    pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed"),
]


@pytest.mark.req("MON-REQ-CORE-004")
def test_golden_tests_clean_under_memcheck() -> None:
    proc = subprocess.run(
        ["bash", SCRIPT, "tests/unit/test_golden.py"],
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, MONITOR_PYTHON=sys.executable),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert " passed" in out and "== ERROR SUMMARY" not in out


def test_suppressions_do_not_hide_errors_in_an_extension(tmp_path) -> None:
    cffi = pytest.importorskip("cffi")
    ffi = cffi.FFI()
    ffi.cdef("int uninit_branch(int);")
    ffi.set_source(
        "_vgcontrol",
        textwrap.dedent("""
        #include <stdlib.h>
        int uninit_branch(int k) {
            int *p = (int *)malloc(4 * sizeof(int));
            volatile int r = 0;
            if (p[k & 3] > 5) r = 1;   /* branch on uninitialised heap memory */
            free(p);
            return r;
        }
    """),
    )
    ffi.compile(tmpdir=str(tmp_path), verbose=False)
    proc = subprocess.run(
        [
            "valgrind",
            "--error-exitcode=99",
            "-q",
            f"--suppressions={SUPP}",
            sys.executable,
            "-c",
            "import _vgcontrol; _vgcontrol.lib.uninit_branch(1)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env=dict(os.environ, PYTHONMALLOC="malloc"),
    )
    assert proc.returncode == 99, proc.stderr[-3000:]
    assert "uninit_branch" in proc.stderr
