"""Does releasing the GIL around sub-microsecond C calls cost more than it gives?

cffi releases the GIL around every call into the compiled core (it has no per-function switch),
so the question is measured with ctypes on the same shared object: ``ctypes.CDLL`` releases the
GIL around a call, ``ctypes.PyDLL`` keeps it; the same function, called both ways in alternation,
differs by the cost of one release + re-acquire. What releasing gives is measured by running the
call in 2 threads (each with its own arguments) against 1 thread: with the GIL released the C
parts of two threads overlap on the 2 cores.

    pip install '.[bench]' && python benchmarks/bench_gil.py
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
import threading
import time
from typing import Any

import monitor

from _common import SMOKE, interleaved, write_results


def core_library() -> str:
    here = os.path.dirname(monitor.__file__)
    found = sorted(
        glob.glob(os.path.join(here, "_monitor_cffi*.so"))
        + glob.glob(os.path.join(here, "_monitor_cffi*.pyd"))
    )
    if not found:
        raise OSError(f"no compiled core next to {monitor.__file__}")
    return found[0]


def threads_rate(fn: Any, threads: int, calls: int) -> float:
    bar = threading.Barrier(threads + 1)

    def work() -> None:
        bar.wait()
        for _ in range(calls):
            fn()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    bar.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    return threads * calls / (time.perf_counter() - t0)


def main() -> int:
    so = core_library()
    released = ctypes.CDLL(so)
    held = ctypes.PyDLL(so)
    rows: list[dict[str, Any]] = []
    # a trivial call (a few ns of C): the GIL round trip alone
    for lib in (released, held):
        lib.mon_status_str.restype = ctypes.c_void_p
        lib.mon_status_str.argtypes = [ctypes.c_int]
    f_rel, f_held = released.mon_status_str, held.mon_status_str
    # a real sub-microsecond call: mon_drift_scores on 10 bins
    n = 10
    arr = ctypes.c_uint64 * n
    p = arr(*[100_000 + 37 * i for i in range(n)])
    q = arr(*[100_000 + 41 * ((i * 7) % n) for i in range(n)])
    out = ctypes.create_string_buffer(512)
    for lib in (released, held):
        lib.mon_drift_scores.restype = ctypes.c_int
        lib.mon_drift_scores.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
    d_rel, d_held = released.mon_drift_scores, held.mon_drift_scores
    number = 20_000
    t_trel, t_theld, t_drel, t_dheld = interleaved(
        [
            lambda: f_rel(0),
            lambda: f_held(0),
            lambda: d_rel(p, q, n, None, out),
            lambda: d_held(p, q, n, None, out),
        ],
        number=number,
    )
    # what cffi costs for the same calls (the package's path: GIL released)
    from monitor import _ffi

    lib = _ffi.lib
    ffi = _ffi.ffi
    cp = ffi.new("uint64_t[]", list(p))
    cq = ffi.new("uint64_t[]", list(q))
    cres = ffi.new("mon_drift_result *")
    t_cffi_trivial, t_cffi_drift = interleaved(
        [lambda: lib.mon_status_str(0), lambda: lib.mon_drift_scores(cp, cq, n, ffi.NULL, cres)],
        number=number,
    )
    gil = t_trel - t_theld
    rows.append(
        {
            "case": "trivial C call (mon_status_str)",
            "gil_released_ns": t_trel * 1e9,
            "gil_held_ns": t_theld * 1e9,
            "difference_ns": gil * 1e9,
            "cffi_ns": t_cffi_trivial * 1e9,
        }
    )
    rows.append(
        {
            "case": "mon_drift_scores, 10 bins",
            "gil_released_ns": t_drel * 1e9,
            "gil_held_ns": t_dheld * 1e9,
            "difference_ns": (t_drel - t_dheld) * 1e9,
            "cffi_ns": t_cffi_drift * 1e9,
        }
    )
    # what releasing gives: 2 threads vs 1 on the 2 cores
    calls = 3 if SMOKE else 20_000
    for name, fr, fh in (
        ("mon_drift_scores, 10 bins", lambda: d_rel(p, q, n, None, out), lambda: d_held(p, q, n, None, out)),
    ):
        r1, h1 = threads_rate(fr, 1, calls), threads_rate(fh, 1, calls)
        r2, h2 = threads_rate(fr, 2, calls), threads_rate(fh, 2, calls)
        rows.append(
            {
                "case": f"{name}: throughput 2 threads / 1 thread",
                "gil_released_ns": 1e9 / r2,
                "gil_held_ns": 1e9 / h2,
                "difference_ns": None,
                "cffi_ns": None,
                "released_speedup_2_threads": r2 / r1,
                "held_speedup_2_threads": h2 / h1,
            }
        )
    write_results(
        "gil",
        rows,
        notes="ctypes CDLL (releases the GIL) vs PyDLL (keeps it) on the package's own shared object, "
        "interleaved, minimum over rounds; cffi_ns: the same call through the package's cffi module "
        "(which always releases the GIL). Throughput rows: seconds per call over all threads.",
    )
    for r in rows:
        print({k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in r.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
