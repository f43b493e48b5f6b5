"""No recursion in the C core (issue 16 item 5): gcc's -fcallgraph-info graph of every csrc/*.c,
joined across files, has no cycle and no indirect call (tools/cert/callgraph_check.py), at the
source level (-O0, no inlining hides a call) and as optimised, threaded and single-threaded /
portable. The checker is shown to find direct and mutual recursion and indirect calls."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

from oracles import CSRC, ROOT

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc (-fcallgraph-info)")

_spec = importlib.util.spec_from_file_location(
    "callgraph_check", os.path.join(ROOT, "tools", "cert", "callgraph_check.py")
)
assert _spec and _spec.loader
cg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cg)


@pytest.mark.parametrize(
    "opt,defines",
    [("-O0", []), ("-O2", []), ("-O0", ["MON_SINGLE_THREADED=1", "MON_NO_INT128=1"])],
)
@pytest.mark.req("MON-REQ-CORE-003")
def test_core_call_graph_has_no_cycle(opt: str, defines: list[str]) -> None:
    cycles, indirect, n = cg.check(CSRC, "gcc", opt, defines)
    assert n > 50, "the call graph lost the core's functions"
    assert cycles == [], f"recursion in the core: {cycles}"
    assert indirect == [], f"indirect calls in the core: {indirect}"


@pytest.mark.req("MON-REQ-CORE-003")
def test_checker_finds_recursion_and_indirect_calls(tmp_path) -> None:
    (tmp_path / "a.c").write_text(
        "int even(int n);\n"
        "static int fact(int n) { return n ? n * fact(n - 1) : 1; }\n"
        "int odd(int n) { return n ? even(n - 1) : 0; }\n"
        "int use(int n) { return fact(n); }\n"
    )
    (tmp_path / "b.c").write_text(
        "int odd(int n);\n"
        "int even(int n) { return n ? odd(n - 1) : 1; }\n"
        "static int (*fp)(int) = even;\n"
        "int call(int n) { return fp(n); }\n"
        "int leaf(int n) { return n + 1; }\n"
    )
    cycles, indirect, n = cg.check(str(tmp_path), "gcc", "-O0", [])
    names = sorted(sorted(x.split(":")[-1] for x in c) for c in cycles)
    assert names == [["even", "odd"], ["fact"]]  # mutual across files, and direct
    assert indirect == ["call"]
    assert n == 6


def test_bare_metal_report_allows_no_recursion() -> None:
    """The bare-metal stack report once allowed select_multi's bounded recursion; no longer."""
    spec = importlib.util.spec_from_file_location(
        "bmr", os.path.join(ROOT, "tools", "cert", "baremetal_report.py")
    )
    assert spec and spec.loader
    bmr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bmr)
    assert bmr.RECURSION_BOUNDS == {}
