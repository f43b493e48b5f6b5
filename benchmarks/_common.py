"""Shared helpers for the side-by-side benchmarks in this folder.

Convention (what ``benchmarks/run_all.py`` relies on, so a new benchmark joins without edits):

- a benchmark is a script ``benchmarks/bench_<area>.py`` with a ``main()``; it times monitor and
  its peers in the same process, prints a table and writes ``results/<area>.json`` through
  :func:`write_results` (machine, versions, rows with the peers' figures, notes);
- it imports the *installed* ``monitor`` (never the source tree: run_all starts every script from
  a scratch working directory with the repository root off ``sys.path``), and ``_common`` from
  its own folder;
- it times through :func:`time_per_call` and sizes its data with :func:`size`, so that the smoke
  run (``MONITOR_BENCH_SMOKE=1``, used by tests/unit/test_benchmarks_smoke.py) is tiny;
- it may give :func:`write_results` ``readme=[{"what", "monitor", "peer", "ratio"}, ...]``: the
  rows run_all puts in the README's benchmark table (between the ``bench-table`` markers).

Timings are the median of several repeats of a timed loop (``time.perf_counter_ns``), so one noisy
repeat does not decide a ratio. Nothing here asserts on time: benchmarks report, tests assert.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
#: Tiny sizes and loops (the smoke test): set MONITOR_BENCH_SMOKE=1.
SMOKE: bool = os.environ.get("MONITOR_BENCH_SMOKE", "") == "1"
#: Where results go (the smoke test points this at a scratch folder).
RESULTS_DIR: str = os.environ.get("MONITOR_BENCH_RESULTS") or os.path.join(HERE, "results")

#: Peer packages whose versions every results file records (those installed).
PEER_PACKAGES: tuple[str, ...] = (
    "monitor",
    "numpy",
    "cffi",
    "scipy",
    "prometheus_client",
    "ddsketch",
    "hdrhistogram",
    "opentelemetry-sdk",
    "structlog",
    "python-json-logger",
    "matplotlib",
)


def build_with_core(exe: str, sources: Sequence[str], cflags: Sequence[str]) -> str:
    """Compile benchmark C ``sources`` together with every C file of the core (csrc/) into
    ``exe`` (the compiler: $CC, else cc / gcc); returns ``exe``."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise OSError("no C compiler (cc / gcc) on PATH")
    root = os.path.dirname(HERE)
    csrc = os.path.join(root, "csrc")
    core = sorted(os.path.join(csrc, f) for f in os.listdir(csrc) if f.endswith(".c"))
    cmd = [cc, *cflags, "-I", csrc, "-I", os.path.join(HERE, "c"), *sources, *core, "-lm", "-o", exe]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise OSError(f"compiling {exe} failed ({done.returncode}):\n{done.stderr}")
    return exe


def size(n: int, smoke: int | None = None) -> int:
    """``n`` normally; ``smoke`` (default: min(n, 1000)) in the smoke run."""
    if not SMOKE:
        return n
    return min(n, 1000) if smoke is None else smoke


def time_per_call(fn: Callable[[], Any], *, number: int, repeat: int = 7) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` loops of ``number`` calls."""
    if SMOKE:
        number, repeat = min(number, 2), 1
    fn()  # warm up (imports, caches, lazy initialisation)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter_ns() - t0) / number)
    return statistics.median(samples) * 1e-9


def interleaved(fns: Sequence[Callable[[], Any]], *, number: int, rounds: int = 9) -> list[float]:
    """Minimum seconds per call of each of ``fns``, timed in alternation (A, B, A, B, ...) so that
    all see the same background load; the minimum is the least disturbed round."""
    if SMOKE:
        number, rounds = min(number, 2), 1
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter_ns()
            for _ in range(number):
                fn()
            best[i] = min(best[i], (time.perf_counter_ns() - t0) / number * 1e-9)
    return best


def versions() -> dict[str, str]:
    from importlib import metadata

    out: dict[str, str] = {}
    for name in PEER_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict[str, Any]:
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    import monitor

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
        "load_average": load,
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": _git_commit(),
        "monitor_file": monitor.__file__,
        "versions": versions(),
        "argv": sys.argv[1:],
    }


def write_results(
    area: str,
    rows: list[dict[str, Any]],
    notes: str = "",
    *,
    readme: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """Write ``results/<area>.json`` and return a markdown table of ``rows``."""
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"{area}.json")
    doc: dict[str, Any] = {"area": area, "machine": machine(), "smoke": SMOKE, "notes": notes, "rows": rows}
    if readme:
        doc["readme"] = readme
    if extra:
        doc.update(extra)
    tmp = path + f".tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)
    return markdown(rows)


def markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0].keys())
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(k)) for k in keys) + " |")
    return "\n".join(lines)


def fmt_time(seconds: float | None) -> str:
    """A time with a unit people read: 212 ns, 4.4 us, 8.2 ms."""
    if seconds is None:
        return ""
    if seconds < 1e-6:
        return f"{seconds * 1e9:.3g} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_ratio(r: float | None) -> str:
    return "" if r is None else f"{r:.3g}x"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)
