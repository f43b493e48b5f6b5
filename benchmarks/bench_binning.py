"""Binning, DriftMonitor.update and calculate_psi against numpy, side by side.

    pip install '.[bench]' && python benchmarks/bench_binning.py

Rows: 1e6 float64 values into 10 quantile bins (11 edges, outer +-inf) by monitor.bin_counts's
C binner vs numpy.histogram and np.searchsorted + np.bincount; DriftMonitor.update on a
1e6 x 10 batch; monitor.percentile vs np.percentile; monitor.calculate_psi vs the article's
numpy code on 1e6 vs 1e6 values. Results: benchmarks/results/binning.json.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import monitor
from monitor.binning import Binner

from _common import ROOT, SMOKE, fmt_ratio, interleaved, size, time_per_call, write_results

# The peer: the article's numpy code, verbatim, kept once in the tests' oracles (the tests folder
# goes last on sys.path: it must not shadow the installed monitor).
sys.path.append(os.path.join(ROOT, "tests"))
from oracles import article_calculate_psi  # noqa: E402


def time_best(fn: object, *, number: int, repeat: int = 7) -> tuple[float, float]:
    """(median, best) seconds per call: the best repeat is the least disturbed by other load
    on a shared machine; the median is what _common reports."""
    med = time_per_call(fn, number=number, repeat=repeat)  # type: ignore[arg-type]
    best = interleaved([fn], number=number, rounds=repeat)[0]  # type: ignore[list-item]
    return med, best


def pair_best(
    a: object, b: object, *, number: int, rounds: int = 7
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Interleaved minima of a and b (as (min, min) pairs, the shape row() takes)."""
    ta, tb = interleaved([a, b], number=number, rounds=rounds)  # type: ignore[list-item]
    return (ta, ta), (tb, tb)


def main() -> None:
    rng = np.random.default_rng(0)
    n = size(1_000_000, 20_000)
    x = rng.standard_normal(n)
    edges = np.percentile(x, np.linspace(0, 100, 11))
    edges[0], edges[-1] = -np.inf, np.inf
    binner = Binner(edges)
    rows = []

    def row(
        name: str, peer: str, t_mon: tuple[float, float], t_peer: tuple[float, float], values: int
    ) -> None:
        rows.append(
            {
                "benchmark": name,
                "peer": peer,
                "monitor_ns_per_value": t_mon[0] / values * 1e9,
                "peer_ns_per_value": t_peer[0] / values * 1e9,
                "speedup": t_peer[0] / t_mon[0],
                "best_monitor_ns_per_value": t_mon[1] / values * 1e9,
                "best_peer_ns_per_value": t_peer[1] / values * 1e9,
                "best_speedup": t_peer[1] / t_mon[1],
                "monitor_ms": t_mon[0] * 1e3,
                "peer_ms": t_peer[0] * 1e3,
            }
        )

    # binning (same inputs, same outputs: checked)
    assert binner.count(x).counts.tolist() == np.histogram(x, edges)[0].tolist()
    t_bin, t_hist = pair_best(lambda: binner.count(x), lambda: np.histogram(x, edges), number=3)
    t_api = time_best(lambda: monitor.bin_counts(x, edges), number=5)
    t_ss = time_best(
        lambda: np.bincount(np.searchsorted(edges, x, "right"), minlength=12), number=2, repeat=5
    )
    row("bin 1e6 doubles, 10 quantile bins (Binner.count)", "numpy.histogram", t_bin, t_hist, n)
    row("bin 1e6 doubles, 10 quantile bins (Binner.count)", "searchsorted+bincount", t_bin, t_ss, n)
    row(
        "bin 1e6 doubles, 10 quantile bins (bin_counts, validates edges)", "numpy.histogram", t_api, t_hist, n
    )

    # DriftMonitor.update on 1e6 x 10
    X = rng.standard_normal((n, 10))
    ref = monitor.Reference.fit(X[:100_000])
    dm = monitor.DriftMonitor(ref, window=10 * n)
    t_upd, t_hist10 = pair_best(
        lambda: dm.update(X),
        lambda: [np.histogram(X[:, j], ref.features[j].edges) for j in range(10)],
        number=1,
    )
    row("DriftMonitor.update 1e6 x 10", "numpy.histogram per column", t_upd, t_hist10, 10 * n)

    # percentile
    q = np.linspace(0, 100, 11)
    t_pm = time_best(lambda: monitor.percentile(x, q), number=3)
    t_pn = time_best(lambda: np.percentile(x, q), number=2, repeat=5)
    row("percentile 1e6, 11 quantiles (bit-identical)", "np.percentile", t_pm, t_pn, n)

    # calculate_psi end to end
    y = rng.standard_normal(n) * 1.05 + 0.05
    a, b = monitor.calculate_psi(x, y), article_calculate_psi(x, y)
    assert abs(a - b) <= 1e-9, (a, b)
    t_cm, t_cn = pair_best(lambda: monitor.calculate_psi(x, y), lambda: article_calculate_psi(x, y), number=1)
    row("calculate_psi 1e6 vs 1e6", "article's numpy code", t_cm, t_cn, 2 * n)

    big = "" if not SMOKE else f" (smoke: {n} values)"
    readme = [
        {
            "what": f"binning 1e6 values, 10 quantile bins{big}",
            "monitor": f"{t_bin[1] / n * 1e9:.3g} ns/value",
            "peer": f"`numpy.histogram` {t_hist[1] / n * 1e9:.3g} ns; `searchsorted`+`bincount` {t_ss[1] / n * 1e9:.3g} ns",
            "ratio": f"{fmt_ratio(t_hist[1] / t_bin[1])}; {fmt_ratio(t_ss[1] / t_bin[1])}",
        },
        {
            "what": "`DriftMonitor.update`, 1e6 x 10",
            "monitor": f"{t_upd[1] / (10 * n) * 1e9:.3g} ns/value",
            "peer": f"`numpy.histogram` per column {t_hist10[1] / (10 * n) * 1e9:.3g} ns",
            "ratio": fmt_ratio(t_hist10[1] / t_upd[1]),
        },
        {
            "what": "`calculate_psi`, 1e6 vs 1e6",
            "monitor": f"{t_cm[1] * 1e3:.3g} ms",
            "peer": f"the article's numpy code {t_cn[1] * 1e3:.3g} ms",
            "ratio": fmt_ratio(t_cn[1] / t_cm[1]),
        },
    ]
    table = write_results(
        "binning",
        rows,
        notes="binning, update and calculate_psi: minimum over interleaved rounds (monitor, peer, "
        "monitor, peer...); others: median and best of repeats; same process; 2-core shared machine",
        readme=readme,
    )
    print(table)


if __name__ == "__main__":
    main()
