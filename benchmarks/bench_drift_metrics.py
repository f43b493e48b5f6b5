"""Drift metrics: monitor.drift_scores / js / psi against scipy's jensenshannon and the article's
numpy PSI formula on the same count vectors, plus the C microbenchmark (csrc/bench).

Run from the repository root after building (``python monitor/_build.py``):
    python benchmarks/bench_drift_metrics.py
Writes benchmarks/results/drift_metrics.json and prints a markdown table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import monitor  # noqa: E402

from _common import time_per_call, write_results  # noqa: E402


def numpy_psi(cur: np.ndarray, ref: np.ndarray) -> float:
    """The article's calculate_psi formula, applied to counts (the binning step excluded)."""
    bins = len(ref)
    ref_pct = (ref + 1) / (ref.sum() + bins)
    cur_pct = (cur + 1) / (cur.sum() + bins)
    return float(np.sum((cur_pct - ref_pct) * np.log(cur_pct / ref_pct)))


def numpy_tv(cur: np.ndarray, ref: np.ndarray) -> float:
    return float(0.5 * np.abs(cur / cur.sum() - ref / ref.sum()).sum())


def counts(bins: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref = rng.multinomial(1_000_000, np.full(bins, 1.0 / bins)).astype(np.int64)
    w = rng.uniform(0.8, 1.2, bins)
    cur = rng.multinomial(1_000_000, w / w.sum()).astype(np.int64)
    return cur, ref


def c_bench() -> list[dict[str, Any]]:
    try:
        proc = subprocess.run(
            ["make", "-s", "-C", os.path.join(ROOT, "csrc"), "bench", "BENCH_ARGS=0.5"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        start = proc.stdout.index("{")
        return list(json.loads(proc.stdout[start:])["rows"])
    except (OSError, ValueError, subprocess.SubprocessError) as exc:  # no compiler: skip
        print(f"C microbenchmark skipped: {exc}", file=sys.stderr)
        return []


def main() -> int:
    from scipy.spatial.distance import jensenshannon

    rows: list[dict[str, Any]] = []
    for bins in (10, 100):
        cur, ref = counts(bins, bins)
        n = 20000 if bins == 10 else 5000
        t_scores = time_per_call(lambda: monitor.drift_scores(cur, ref), number=n)
        t_js = time_per_call(lambda: monitor.js(cur, ref, distance=True), number=n)
        t_psi = time_per_call(lambda: monitor.psi(cur, ref), number=n)
        t_scipy = time_per_call(lambda: jensenshannon(cur, ref, base=2), number=n // 4)
        t_np_psi = time_per_call(lambda: numpy_psi(cur, ref), number=n // 2)
        t_np_tv = time_per_call(lambda: numpy_tv(cur, ref), number=n // 2)
        peers_all = t_scipy + t_np_psi + t_np_tv
        rows += [
            {
                "bins": bins,
                "what": "JS distance",
                "monitor": "js(distance=True)",
                "monitor_us": t_js * 1e6,
                "peer": "scipy jensenshannon(base=2)",
                "peer_us": t_scipy * 1e6,
                "speedup": t_scipy / t_js,
            },
            {
                "bins": bins,
                "what": "PSI (laplace)",
                "monitor": "psi",
                "monitor_us": t_psi * 1e6,
                "peer": "numpy, article formula",
                "peer_us": t_np_psi * 1e6,
                "speedup": t_np_psi / t_psi,
            },
            {
                "bins": bins,
                "what": "TV + JS + PSI",
                "monitor": "drift_scores",
                "monitor_us": t_scores * 1e6,
                "peer": "scipy JS + numpy PSI + numpy TV",
                "peer_us": peers_all * 1e6,
                "speedup": peers_all / t_scores,
            },
        ]
    for r in c_bench():
        drift = "+-6%" if r.get("drift") == "mild" else "+-25%"
        rows.append(
            {
                "bins": r["bins"],
                "what": f"TV + JS + PSI in C, bins moved {drift}",
                "monitor": "mon_drift_scores",
                "monitor_us": r["ns_per_call"] / 1000.0,
                "peer": "",
                "peer_us": None,
                "speedup": None,
            }
        )
    table = write_results(
        "drift_metrics",
        rows,
        notes="1e6 observations per window; int64 numpy counts (Python rows: bin weights "
        "drawn in [0.8, 1.2]); median of 7 repeats. C rows: best of 5 timed loops of "
        "mon_drift_scores (csrc/bench/bench_drift.c). Shared 2-core machine: other jobs "
        "were running, so timings are noisy (upper bounds).",
    )
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
