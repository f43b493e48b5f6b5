"""The README's examples run as written: the C quickstart compiles against libmonitor.a with
-Werror on gcc and clang and prints the documented figures; every ```python block of the
README executes without error."""

from __future__ import annotations

import os
import re

import pytest

from oracles import ROOT, run_c_example

CSRC = os.path.join(ROOT, "csrc")


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_c_quickstart(cc: str, tmp_path: os.PathLike[str]) -> None:
    out = run_c_example(cc, "c_quickstart.c", tmp_path)
    assert "p50 12.06 ms  p99 21.88 ms  p99.9 21.88 ms  (16392 bytes of state)" in out
    assert "counts 1 1 1 4, NaN 1; psi_raw = 0x00000000000000002ffaf5e7416f4f64" in out


def _readme_python_blocks() -> list[str]:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("index", range(len(_readme_python_blocks())))
def test_readme_python_block_runs(
    index: int, tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # blocks may write files (reference profiles)
    code = _readme_python_blocks()[index]
    exec(compile(code, f"README.md python block {index}", "exec"), {"__name__": "__readme__"})


@pytest.mark.slow  # importing dask and its thread pool: seconds
def test_dask_example_merges_to_the_single_process_profile() -> None:
    pytest.importorskip("dask", reason="dask not installed: pip install 'monitor[dask]'")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "dask_drift", os.path.join(ROOT, "examples", "dask_drift.py")
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for parts, scheduler in ((1, "sync"), (7, "threads")):
        assert mod.main(parts, scheduler, rows=8_000).rows == 8_000
