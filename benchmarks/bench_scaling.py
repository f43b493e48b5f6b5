"""Scaling: cost against bins, batch size, features and threads, with the peers on the same axes.

- bins (10 .. 10^4): drift_scores vs scipy jensenshannon (+ numpy PSI, TV), per call; binning
  1e5 values (Binner.count vs numpy.histogram), per value;
- batch size (10^3 .. 10^8): binning (vs numpy.histogram) and LatencyHistogram.record_many
  (float64 ms; vs numpy.histogram on the same values as the floor of a numpy peer), per value;
- features (1 .. 1,000): DriftMonitor.update of 10^4 rows vs numpy.histogram per column, per value;
- threads (1, 2, 4, 8): aggregate throughput of binning, drift_scores and record_ms with N threads
  (each on its own object), relative to one thread; the machine has 2 cores.

    pip install '.[bench]' && python benchmarks/bench_scaling.py
Writes benchmarks/results/scaling.json and, with matplotlib, docs/img/scaling_*.svg.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import monitor
from monitor.binning import Binner

from _common import ROOT, SMOKE, interleaved, size, write_results

IMG = os.environ.get("MONITOR_BENCH_IMG") or os.path.join(ROOT, "docs", "img")


def quantile_edges(x: np.ndarray, bins: int) -> np.ndarray:
    e = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    e[0], e[-1] = -np.inf, np.inf
    return e


def by_bins(rows: list[dict[str, Any]]) -> None:
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(1)
    x = rng.standard_normal(size(100_000, 2_000))
    for bins in (10, 32, 100, 316, 1000, 3162, 10000):
        if SMOKE and bins > 100:
            break
        ref = rng.multinomial(1_000_000, np.full(bins, 1.0 / bins)).astype(np.int64)
        w = rng.uniform(0.8, 1.2, bins)
        cur = rng.multinomial(1_000_000, w / w.sum()).astype(np.int64)
        number = max(3, 20_000 // bins)
        t_m, t_s = interleaved(
            [lambda: monitor.drift_scores(cur, ref), lambda: jensenshannon(cur, ref, base=2)],
            number=number,
            rounds=5,
        )
        rows.append(
            {
                "axis": "bins",
                "what": "drift",
                "x": bins,
                "monitor_s": t_m,
                "peer": "scipy jensenshannon",
                "peer_s": t_s,
            }
        )
        edges = quantile_edges(x, bins)
        b = Binner(edges)
        t_m, t_h = interleaved([lambda: b.count(x), lambda: np.histogram(x, edges)], number=3, rounds=5)
        rows.append(
            {
                "axis": "bins",
                "what": "binning",
                "x": len(edges) - 1,
                "monitor_s": t_m / len(x),
                "peer": "numpy.histogram",
                "peer_s": t_h / len(x),
            }
        )


def by_batch(rows: list[dict[str, Any]]) -> None:
    rng = np.random.default_rng(2)
    top = 10**8 if not SMOKE else 10**4
    big = rng.lognormal(np.log(25.0), 0.9, top)
    edges = quantile_edges(big[:100_000], 10)
    b = Binner(edges)
    n = 1000
    while n <= top:
        x = big[:n]
        number = max(1, 10**6 // n)
        t_m, t_h = interleaved([lambda: b.count(x), lambda: np.histogram(x, edges)], number=number, rounds=5)
        rows.append(
            {
                "axis": "batch",
                "what": "binning",
                "x": n,
                "monitor_s": t_m / n,
                "peer": "numpy.histogram",
                "peer_s": t_h / n,
            }
        )
        h = monitor.LatencyHistogram()
        t_r, t_hh = interleaved(
            [lambda: h.record_many(x, "ms"), lambda: np.histogram(x, 100)], number=number, rounds=5
        )
        rows.append(
            {
                "axis": "batch",
                "what": "recording",
                "x": n,
                "monitor_s": t_r / n,
                "peer": "numpy.histogram (100 bins)",
                "peer_s": t_hh / n,
            }
        )
        n *= 10


def by_features(rows: list[dict[str, Any]]) -> None:
    rng = np.random.default_rng(3)
    nrows = size(10_000, 500)
    for f in (1, 10, 100, 1000):
        if SMOKE and f > 10:
            break
        X = rng.standard_normal((nrows, f))
        ref = monitor.Reference.fit(X)
        dm = monitor.DriftMonitor(ref, window=10**9)
        edges = [ref.features[j].edges for j in range(f)]
        number = max(1, 100 // f)
        t_m, t_h = interleaved(
            [lambda: dm.update(X), lambda: [np.histogram(X[:, j], edges[j]) for j in range(f)]],
            number=number,
            rounds=5,
        )
        rows.append(
            {
                "axis": "features",
                "what": "DriftMonitor.update",
                "x": f,
                "monitor_s": t_m / (nrows * f),
                "peer": "numpy.histogram per column",
                "peer_s": t_h / (nrows * f),
            }
        )


def _throughput(make: Callable[[], Callable[[], Any]], threads: int, calls: int) -> float:
    """Calls per second over all threads, each thread on its own object."""
    fns = [make() for _ in range(threads)]
    start = threading.Barrier(threads + 1)

    def work(fn: Callable[[], Any]) -> None:
        start.wait()
        for _ in range(calls):
            fn()

    ts = [threading.Thread(target=work, args=(fn,)) for fn in fns]
    for t in ts:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    return threads * calls / (time.perf_counter() - t0)


def _bound(method: Callable[[Any], Any], arg: Any) -> Callable[[], Any]:
    """A zero-argument callable of ``method(arg)`` (one object per thread)."""
    return lambda: method(arg)


def by_threads(rows: list[dict[str, Any]]) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal(size(100_000, 1_000))
    edges = quantile_edges(x, 10)
    ref = rng.multinomial(1_000_000, np.full(10, 0.1)).astype(np.int64)
    cur = rng.multinomial(1_000_000, np.full(10, 0.1)).astype(np.int64)
    cases: dict[str, tuple[Callable[[], Callable[[], Any]], int, str]] = {
        "binning 1e5 values": (lambda: _bound(Binner(edges).count, x), 20, "numpy.histogram"),
        "drift_scores 10 bins": (lambda: lambda: monitor.drift_scores(cur, ref), 5000, "scipy jensenshannon"),
        "record_ms": (lambda: _bound(monitor.LatencyHistogram().record_ms, 12.5), 50000, ""),
    }
    from scipy.spatial.distance import jensenshannon

    peers: dict[str, Callable[[], Callable[[], Any]]] = {
        "binning 1e5 values": lambda: lambda: np.histogram(x, edges),
        "drift_scores 10 bins": lambda: lambda: jensenshannon(cur, ref, base=2),
    }
    for name, (make, calls, peer) in cases.items():
        calls = calls if not SMOKE else 3
        one = _throughput(make, 1, calls)
        one_p = _throughput(peers[name], 1, max(1, calls // 4)) if name in peers else None
        for n in (1, 2, 4, 8):
            thr = one if n == 1 else _throughput(make, n, calls)
            pthr = None
            if name in peers:
                pthr = one_p if n == 1 else _throughput(peers[name], n, max(1, calls // 4))
            rows.append(
                {
                    "axis": "threads",
                    "what": name,
                    "x": n,
                    "monitor_calls_per_s": thr,
                    "monitor_speedup_vs_1": thr / one,
                    "peer": peer,
                    "peer_calls_per_s": pthr,
                    "peer_speedup_vs_1": None if pthr is None or one_p is None else pthr / one_p,
                }
            )


def charts(rows: list[dict[str, Any]]) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (pip install 'monitor[bench]'): no charts", file=sys.stderr)
        return []
    os.makedirs(IMG, exist_ok=True)
    written = []
    for axis, xlabel, ylabel in (
        ("bins", "bins", "seconds per call (drift) / per value (binning)"),
        ("batch", "values per call", "seconds per value"),
        ("features", "features (10^4 rows)", "seconds per value"),
    ):
        sel = [r for r in rows if r["axis"] == axis]
        if not sel:
            continue
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        for what in dict.fromkeys(r["what"] for r in sel):
            rs = [r for r in sel if r["what"] == what]
            xs = [r["x"] for r in rs]
            ax.plot(xs, [r["monitor_s"] for r in rs], "o-", label=f"monitor: {what}")
            ax.plot(xs, [r["peer_s"] for r in rs], "s--", label=f"{rs[0]['peer']}: {what}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_title(f"cost vs {axis} (lower is better)")
        fig.tight_layout()
        path = os.path.join(IMG, f"scaling_{axis}.svg")
        fig.savefig(path, metadata={"Date": None})
        plt.close(fig)
        written.append(path)
    sel = [r for r in rows if r["axis"] == "threads"]
    if sel:
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        for what in dict.fromkeys(r["what"] for r in sel):
            rs = [r for r in sel if r["what"] == what]
            xs = [r["x"] for r in rs]
            ax.plot(xs, [r["monitor_speedup_vs_1"] for r in rs], "o-", label=f"monitor: {what}")
            if rs[0]["peer_calls_per_s"] is not None:
                ax.plot(xs, [r["peer_speedup_vs_1"] for r in rs], "s--", label=f"{rs[0]['peer']}: {what}")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("threads (2 cores)")
        ax.set_ylabel("throughput / throughput with 1 thread")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_title("throughput vs threads (higher is better)")
        fig.tight_layout()
        path = os.path.join(IMG, "scaling_threads.svg")
        fig.savefig(path, metadata={"Date": None})
        plt.close(fig)
        written.append(path)
    return written


def main() -> int:
    rows: list[dict[str, Any]] = []
    for step in (by_bins, by_batch, by_features, by_threads):
        step(rows)
        print(f"{step.__name__}: done", flush=True)
    written = charts(rows) if not SMOKE else []
    write_results(
        "scaling",
        rows,
        notes="per-call or per-value minimum over 5 interleaved rounds (monitor, peer, ...); "
        "threads: aggregate calls per second, each thread on its own object, 2-core shared machine",
        extra={"charts": [os.path.relpath(p, ROOT) for p in written]},
    )
    for r in rows:
        print({k: (f"{v:.3g}" if isinstance(v, float) else v) for k, v in r.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
