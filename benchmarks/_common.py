"""Shared helpers for the side-by-side benchmarks in this folder.

Each ``bench_<area>.py`` is a script: it times monitor and its peers in the same process, prints
a table, and writes ``benchmarks/results/<area>.json`` (the README quotes those files). Timings
are the median of several repeats of a timed loop (``time.perf_counter_ns``), so one noisy
repeat does not decide a ratio. Nothing here asserts on time: benchmarks report, tests assert.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def time_per_call(fn: Callable[[], Any], *, number: int, repeat: int = 7) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` loops of ``number`` calls."""
    fn()  # warm up (imports, caches, lazy initialisation)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter_ns() - t0) / number)
    return statistics.median(samples) * 1e-9


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def write_results(area: str, rows: list[dict[str, Any]], notes: str = "") -> str:
    """Write ``results/<area>.json`` and return a markdown table of ``rows``."""
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"{area}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"area": area, "machine": machine(), "notes": notes, "rows": rows}, fh, indent=2)
        fh.write("\n")
    if not rows:
        return ""
    keys = list(rows[0].keys())
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(k)) for k in keys) + " |")
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)
