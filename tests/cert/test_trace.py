"""Traceability (docs/requirements.toml -> public functions -> tests) and the timing evidence.

The checker (tools/cert/trace_check.py) reads the requirements, the public C headers and the
tests statically; here it runs on the tree (every requirement tested, every test naming a known
ID, every public C function bound, the committed matrix fresh) and on small synthetic trees that
break each rule, so a checker that stopped finding a fault would fail. The timing driver's worst
case mode (csrc/bench/callgrind_hot.c, tools/cert/hot_cost.py --worst) is too slow under
callgrind for the suite (~25 s); it is built and run natively here so every worst-case input is
known to take its success path, and the committed table is checked to cover every driver.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from types import ModuleType

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "certification.md")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "tools", "cert", f"{name}.py"))
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


tc = _load("trace_check")


def test_every_requirement_is_tested_and_every_public_function_bound() -> None:
    res = tc.analyse()
    assert not res.errors, "\n".join(res.errors)
    assert len(res.public) >= 80 and len(res.requirements) >= 50
    stale = (tc.doc_matrix(tc.Tree()) or "").strip() != res.matrix.strip()
    assert not stale, "docs/certification.md's matrix is stale: run python tools/cert/trace_check.py --write"


def _tree(tmp: str, toml: str, header: str, py_test: str, c_test: str) -> object:
    for d in ("docs", "csrc/tests", "tests"):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    files = {
        "docs/requirements.toml": toml,
        "docs/certification.md": f"x\n{tc.BEGIN}\n{tc.END}\n",
        "csrc/mon_x.h": header,
        "csrc/mon_x_internal.h": "/* MON_CDEF_BEGIN */ int mon_private(void); /* MON_CDEF_END */",
        "tests/test_x.py": py_test,
        "csrc/tests/test_x.c": c_test,
    }
    for rel, text in files.items():
        with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
    return tc.Tree(root=tmp, resolve_python=False, c_tests=("csrc/tests",))


REQ = """
[[requirement]]
id = "MON-REQ-X-001"
title = "a"
statement = "s"
c = ["mon_a"]
method = ["test"]

[[requirement]]
id = "MON-REQ-X-002"
title = "b"
statement = "s"
c = ["mon_b", "*"]
method = ["test"]
"""
HEADER = """
/* MON_CDEF_BEGIN */
#define MON_X 1
typedef struct mon_s { int a; /* not a function ( */ } mon_s;
typedef int (*mon_cb)(int);
mon_status mon_a(const mon_s *s,
                 int n);
size_t mon_b(void);
/* MON_CDEF_END */
"""
PY = """
import pytest

pytestmark = [pytest.mark.slow]

@pytest.mark.req("MON-REQ-X-001")
def test_a():
    pass

class TestB:
    @pytest.mark.req("MON-REQ-X-002")
    def test_b(self):
        pass
"""
C = """
/* REQ: MON-REQ-X-002,
        MON-REQ-X-001 */
static void test_c(void)
{
}
"""


def test_checker_accepts_a_complete_tree_and_reads_every_tag_form() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        res = tc.analyse(_tree(tmp, REQ, HEADER, PY, C))
    assert res.errors == []
    assert res.public == {"mon_a": "csrc/mon_x.h", "mon_b": "csrc/mon_x.h"}  # internal header skipped
    assert res.tests == {
        "MON-REQ-X-001": ["tests/test_x.py::test_a", "csrc/tests/test_x.c:test_c"],
        "MON-REQ-X-002": ["tests/test_x.py::TestB::test_b", "csrc/tests/test_x.c:test_c"],
    }
    assert "all public functions" in res.matrix and "`tests/test_x.py::TestB::test_b`" in res.matrix


@pytest.mark.parametrize(
    "change, message",
    [
        # a requirement no test names
        (
            lambda r, h, p, c: (r, h, p.replace('"MON-REQ-X-002"', '"MON-REQ-X-001"'), "int x;"),
            "MON-REQ-X-002: verified by no test",
        ),
        # a test naming an unknown ID (pytest and C)
        (
            lambda r, h, p, c: (r, h, p.replace("X-001", "X-009"), c),
            "test_a names unknown requirement 'MON-REQ-X-009'",
        ),
        (
            lambda r, h, p, c: (r, h, p, c.replace("X-001", "X-007")),
            "test_c names unknown requirement 'MON-REQ-X-007'",
        ),
        (
            lambda r, h, p, c: (r, h, p, c + "/* REQ: MON-REQ-X-001 */\n"),
            "followed by no function definition",
        ),
        # a public function bound by no requirement, listed with its header
        (
            lambda r, h, p, c: (
                r,
                h.replace("size_t mon_b(void);", "size_t mon_b(void);\nvoid mon_new(int x);"),
                p,
                c,
            ),
            "csrc/mon_x.h: mon_new",
        ),
        # a requirement binding a function no header declares
        (
            lambda r, h, p, c: (r.replace('"mon_a"', '"mon_a", "mon_gone"'), h, p, c),
            "binds C function mon_gone",
        ),
        # malformed and duplicated IDs, missing fields, unknown method
        (lambda r, h, p, c: (r.replace("MON-REQ-X-002", "MON-REQ-X-2"), h, p, c), "ID must match"),
        (lambda r, h, p, c: (r.replace("MON-REQ-X-002", "MON-REQ-X-001"), h, p, c), "duplicate ID"),
        (lambda r, h, p, c: (r.replace('title = "b"\n', ""), h, p, c), "missing field(s) title"),
        (
            lambda r, h, p, c: (r.replace('method = ["test"]\n', 'method = ["hope"]\n', 1), h, p, c),
            "unknown verification method",
        ),
    ],
)
def test_checker_finds_each_fault(change: object, message: str) -> None:
    r, h, p, c = change(REQ, HEADER, PY, C)  # type: ignore[operator]
    with tempfile.TemporaryDirectory() as tmp:
        res = tc.analyse(_tree(tmp, r, h, p, c))
    assert any(message in e for e in res.errors), res.errors


def test_checker_resolves_python_names() -> None:
    assert tc._resolves("monitor.latency.LatencyHistogram.quantile")
    assert tc._resolves("monitor.drift.tv")
    assert not tc._resolves("monitor.drift.no_such_function")
    assert not tc._resolves("monitor.no_such_module.x")


# ---- timing evidence -------------------------------------------------------------------------


def _doc_section(begin: str, end: str) -> str:
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return text.split(begin, 1)[1].split(end, 1)[0]


@pytest.mark.toolchain
@pytest.mark.req("MON-REQ-CORE-007")
def test_worst_case_inputs_take_their_success_path_and_the_table_covers_every_driver() -> None:
    if not shutil.which("gcc") or not shutil.which("make"):
        pytest.skip("needs gcc and make")
    hc = _load("hot_cost")
    with tempfile.TemporaryDirectory() as tmp:
        exe = hc.build(os.path.join(ROOT, "csrc"), "gcc", tmp)
        for cls in hc.DRIFT_CLASSES:
            out = subprocess.run([exe, "worst", str(cls)], capture_output=True, text=True, timeout=60)
            assert out.returncode == 0 and "failed=0" in out.stdout, (cls, out.stdout, out.stderr)
    table = _doc_section("<!-- timing:begin -->", "<!-- timing:end -->")
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| ([\d,]+) \|", table, re.M)
    assert [r[0] for r in rows] == [w[0] for w in hc.WORST.values()], "rerun hot_cost.py --worst --write"
    assert all(int(n.replace(",", "")) > 0 for _, n in rows)


# ---- tool qualification: the report generators' own faults ------------------------------------


def test_cross_table_reports_failures_and_differing_digests() -> None:
    """tools/cert/cross_table.py on a synthetic cross-check log: a failing test program, a
    missing golden line and a second digest must each show in the table and its summary."""
    ct = _load("cross_table")
    d1, d2 = "a" * 64, "b" * 64
    logs = {
        "t-ok": f"10 checks, 0 failed\n5 checks, 0 failed\nGOLDEN PASS sha256={d1} (golden v1)\n",
        "t-fail": f"10 checks, 0 failed\n5 checks, 2 failed\nGOLDEN PASS sha256={d1}\n",
        "t-other": f"10 checks, 0 failed\nGOLDEN PASS sha256={d2}\n",
        "t-nogold": "10 checks, 0 failed\n",
    }
    main_log = "".join(
        f"### target {t}: gcc -O2 run natively\n"
        if t != "t-other"
        else f"### target {t}: clang -O3 run with qemu-s390x\n"
        for t in logs
    )
    with tempfile.TemporaryDirectory() as tmp:
        for t, text in logs.items():
            with open(os.path.join(tmp, f"cross-{t}.log"), "w", encoding="utf-8") as f:
                f.write(text)
        rows = ct.parse(main_log, tmp)
    table = ct.render(rows, "1.0")
    assert [r["target"] for r in rows] == list(logs)
    assert "| t-ok | `gcc` | -O2 | native | 2 | PASS | `aaaaaaaaaaaaaaaa...` |" in table
    assert "| t-fail | `gcc` | -O2 | native | 1 (1 FAILED) | PASS |" in table
    assert "| t-other | `clang` | -O3 | qemu-s390x | 1 | PASS | `bbbbbbbbbbbbbbbb...` |" in table
    assert "| t-nogold | `gcc` | -O2 | native | 1 | - | `-` |" in table
    assert "3 of 4 targets print PASS; distinct digests among them: 2." in table
