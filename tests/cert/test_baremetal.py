"""Bare metal: the core compiles with arm-none-eabi-gcc for Cortex-M4 and Cortex-M0,
freestanding, -std=c99 -Werror -DMON_SINGLE_THREADED=1, references no allocator, stdio or libm
symbol (only mem* and libgcc helpers), and every public function has a bounded, statically
known stack (``make -C csrc baremetal``; tools/cert/baremetal_report.py). The checker itself is
tested on objects that break the rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from oracles import ROOT

CSRC = os.path.join(ROOT, "csrc")
REPORT = os.path.join(ROOT, "tools", "cert", "baremetal_report.py")
CC = "arm-none-eabi-gcc"

pytestmark = [
    pytest.mark.toolchain,
    pytest.mark.skipif(
        shutil.which(CC) is None or shutil.which("make") is None,
        reason="arm-none-eabi-gcc not installed (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi)",
    ),
]


@pytest.mark.req("MON-REQ-CORE-002", "MON-REQ-CORE-003", "MON-REQ-CORE-005")
def test_core_builds_for_cortex_m_and_symbol_check_passes() -> None:
    proc = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", CSRC, "baremetal"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert out.count("symbol check: OK") == 2, out
    srcs = sorted(f[:-2] for f in os.listdir(CSRC) if f.endswith(".c"))
    for cpu in ("m4", "m0"):
        with open(os.path.join(CSRC, "build", f"baremetal-{cpu}", "report.json")) as fh:
            rep = json.load(fh)
        assert sorted(rep["sizes"]) == srcs  # every module compiled
        assert rep["errors"] == []
        assert all(p["worst"] is not None for p in rep["public"])
        assert "-DMON_SINGLE_THREADED=1" in rep["flags"] and "-Werror" in rep["flags"]


def _build(tmp_path, sources: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
        subprocess.run(
            [
                CC,
                "-mcpu=cortex-m0",
                "-mthumb",
                "-std=c99",
                "-ffreestanding",
                "-O1",
                "-fstack-usage",
                "-fcallgraph-info=su",
                "-c",
                name,
                "-o",
                name[:-2] + ".o",
            ],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    return subprocess.run(
        [sys.executable, REPORT, "--cpu", "test", str(tmp_path)], capture_output=True, text=True
    )


@pytest.mark.req("MON-REQ-CORE-002")
def test_checker_rejects_malloc_stdio_and_libm(tmp_path) -> None:
    proc = _build(
        tmp_path,
        {
            "bad.c": (
                "#include <stdlib.h>\n#include <stdio.h>\n#include <math.h>\n"
                "double mon_bad(double x);\n"
                'double mon_bad(double x) { void *p = malloc(8); printf("%p", p); free(p);'
                " return sqrt(x); }\n"
            )
        },
    )
    assert proc.returncode == 1
    for sym in ("malloc", "free", "printf", "sqrt"):
        assert sym in proc.stdout
    assert "forbidden symbols" in proc.stdout


@pytest.mark.req("MON-REQ-CORE-003")
def test_stack_is_summed_along_the_deepest_call_chain(tmp_path) -> None:
    proc = _build(
        tmp_path,
        {
            "a.c": "#include <string.h>\nint leaf(char *b);\nint mon_top(void);\n"
            "int mon_top(void) { volatile char buf[100]; buf[0] = 1;"
            " return leaf((char *)buf) + buf[1]; }\n",
            "b.c": "#include <string.h>\nint leaf(char *b);\n"
            "int leaf(char *b) { volatile char t[200]; memcpy((char *)t, b, 50);"
            " return t[3]; }\n",
        },
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(tmp_path / "report.json") as fh:
        rep = json.load(fh)

    def frame(su: str, fn: str) -> int:
        for line in (tmp_path / su).read_text().splitlines():
            if line.split("\t")[0].endswith(":" + fn):
                return int(line.split("\t")[1])
        raise AssertionError(fn)

    (top,) = [p for p in rep["public"] if p["function"] == "mon_top"]
    assert top["worst"] == frame("a.su", "mon_top") + frame("b.su", "leaf") > 300
    assert top["path"] == ["mon_top", "leaf"] and top["external"] == ["memcpy"]


@pytest.mark.req("MON-REQ-CORE-003")
def test_checker_rejects_recursion(tmp_path) -> None:
    proc = _build(
        tmp_path,
        {
            "r.c": "unsigned mon_rec(unsigned n);\n"
            "unsigned mon_rec(unsigned n) { volatile unsigned x = n;"
            " return n ? mon_rec(n - 1) + x : 0; }\n"
        },
    )
    assert proc.returncode == 1 and "unbounded stack" in proc.stdout
