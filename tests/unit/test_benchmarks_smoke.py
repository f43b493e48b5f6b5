"""Every benchmark runs (tiny sizes), so none of them rots between benchmark runs.

benchmarks/run_all.py --smoke runs each ``benchmarks/bench_*.py`` as run_all does for real
(own process, scratch working directory, the installed package) with MONITOR_BENCH_SMOKE=1 and
results in a scratch folder: benchmarks/results/ and the README are not touched. Peers that are
not installed are skipped by the benchmarks themselves; scipy (a test dependency) is required.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from oracles import ROOT

BENCH = os.path.join(ROOT, "benchmarks")
AREAS = sorted(
    f[len("bench_") : -3] for f in os.listdir(BENCH) if f.startswith("bench_") and f.endswith(".py")
)

sys.path.insert(0, BENCH)
import run_all  # noqa: E402

sys.path.remove(BENCH)


def test_discovery_finds_every_script() -> None:
    assert set(run_all.discover()) == set(AREAS)
    assert {"latency", "binning", "drift_metrics", "service", "alerts"} <= set(AREAS)


@pytest.mark.slow
@pytest.mark.parametrize("area", AREAS)
def test_benchmark_smoke(area: str, tmp_path: str) -> None:
    env = run_all.bench_env(smoke=True, results=str(tmp_path))
    code, _ = run_all.run(area, env, timeout=600)
    assert code == 0, f"bench_{area}.py failed in its smoke run"
    with open(os.path.join(str(tmp_path), f"{area}.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    assert doc["smoke"] is True and doc["rows"]
    m = doc["machine"]
    assert m["versions"]["numpy"] and m["cpus"]
    # the installed package was measured, not a stray copy
    assert m["monitor_file"].endswith(os.path.join("monitor", "__init__.py"))


def test_readme_table_from_results(tmp_path: str) -> None:
    res = os.path.join(str(tmp_path), "results")
    os.makedirs(res)
    row = {"what": "w|x", "monitor": "1 ns", "peer": "p 2 ns", "ratio": "2x"}
    for area, smoke in (("latency", False), ("binning", True)):
        with open(os.path.join(res, f"{area}.json"), "w", encoding="utf-8") as fh:
            json.dump(
                {"smoke": smoke, "machine": {"processor": "cpu", "cpus": 2}, "rows": [], "readme": [row]}, fh
            )
    readme = os.path.join(str(tmp_path), "README.md")
    with open(readme, "w", encoding="utf-8") as fh:
        fh.write(f"a\n{run_all.START}\nstale\n{run_all.END}\nb\n")
    assert run_all.update_readme(res, readme)
    text = open(readme, encoding="utf-8").read()
    assert "stale" not in text and text.startswith("a\n") and text.endswith("b\n")
    assert text.count("| w\\|x | 1 ns | p 2 ns | 2x |") == 1  # the smoke results are left out


def test_drift_parser_ignores_trailing_output() -> None:
    sys.path.insert(0, BENCH)
    try:
        import bench_drift_metrics
    finally:
        sys.path.remove(BENCH)
    out = '{"rows": [{"bins": 10}]}\nrecord 62.03 ns, record_many u64 3.11 ns\n'
    assert bench_drift_metrics.parse_rows(out) == [{"bins": 10}]
