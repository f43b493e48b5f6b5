"""`monitor drift` end to end on an N x 10 CSV and the same data as Parquet, side by side with
(a) pandas read_csv / read_parquet + the article's calculate_psi per column and (b) a reader
alone, the I/O floor: pyarrow's (read_csv, read_table) and, for CSV, pandas.read_csv.

    BENCH_ROWS=10000000 python benchmarks/bench_cli_drift.py      (default 10^6 rows)

The data is generated outside the repository (``BENCH_DIR``, default /tmp/monitor-bench-cli):
the current file has N rows x 10 float columns, the reference (training) file N/10 rows. monitor
fits the reference once (``monitor fit``, not timed: that is the point of a saved reference) and
``monitor drift`` streams the current file; the peer (a) reads both files and runs the article's
numpy snippet per column (what a script without a saved reference does on every run). Every
variant runs in this process (interpreter start-up, ~0.3 s for `python -m monitor`, is not
counted for any of them), interleaved, ``BENCH_REPEAT`` times (default 3); the table gives the
minimum wall time (the least disturbed run on a shared machine) and the CPU time of that run
(user + system, all threads), and the ratios of both. The PSI of every column is checked equal to
the article's within 1e-9 before timing. Results: benchmarks/results/cli_drift.json.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# the tests' oracles, last on sys.path: they must not shadow the installed monitor
sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from monitor.cli.drift import run_drift  # noqa: E402
from monitor.cli.fit import COMMAND as FIT  # noqa: E402

from _common import write_results  # noqa: E402
from oracles import article_calculate_psi  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
DIR = os.environ.get("BENCH_DIR", "/tmp/monitor-bench-cli")
COLS = [f"x{i}" for i in range(10)]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _generate() -> dict[str, str]:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    os.makedirs(DIR, exist_ok=True)
    paths = {
        k: os.path.join(DIR, f"{k}_{ROWS}.{ext}")
        for k, ext in (("ref", "csv"), ("cur", "csv"), ("curpq", "parquet"))
    }
    paths["refpq"] = os.path.join(DIR, f"ref_{ROWS}.parquet")
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    rng = np.random.default_rng(0)
    scale = np.arange(1, 11, dtype=np.float64)
    ref = pa.table({c: rng.normal(0, 1, ROWS // 10) * scale[i] for i, c in enumerate(COLS)})
    # the current data: every second column shifted a little (some drift to find)
    cur = pa.table({c: rng.normal(0.05 * (i % 2), 1, ROWS) * scale[i] for i, c in enumerate(COLS)})
    pcsv.write_csv(ref, paths["ref"])
    pcsv.write_csv(cur, paths["cur"])
    pq.write_table(ref, paths["refpq"])
    pq.write_table(cur, paths["curpq"], row_group_size=256 * 1024)
    return paths


def _fit(train: str, out: str) -> None:
    import argparse

    p = argparse.ArgumentParser()
    FIT.configure(p)
    assert FIT.run is not None
    assert FIT.run(p.parse_args([train, "-o", out, "-q"])) == 0


def main() -> None:
    paths = _generate()
    refjson = os.path.join(DIR, f"ref_{ROWS}.json")
    devnull = open(os.devnull, "w")
    stdout, sys.stdout = sys.stdout, devnull
    _fit(paths["ref"], refjson)
    sys.stdout = stdout

    import pandas as pd
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    def mon(cur: str) -> Callable[[], Any]:
        return lambda: run_drift(refjson, cur, None, None, True, "significant")

    def peer_a_csv() -> list[float]:
        r, c = pd.read_csv(paths["ref"]), pd.read_csv(paths["cur"])
        return [float(article_calculate_psi(r[k].to_numpy(), c[k].to_numpy())) for k in COLS]

    def peer_a_pq() -> list[float]:
        r, c = pd.read_parquet(paths["refpq"]), pd.read_parquet(paths["curpq"])
        return [float(article_calculate_psi(r[k].to_numpy(), c[k].to_numpy())) for k in COLS]

    # same numbers first
    doc = mon(paths["cur"])()
    ours = [f["psi"] for f in doc["windows"][0]["features"]]
    theirs = peer_a_csv()
    assert all(abs(a - b) <= 1e-9 for a, b in zip(ours, theirs)), (ours, theirs)
    doc_pq = mon(paths["curpq"])()
    assert [f["raw"] for f in doc_pq["windows"][0]["features"]] == [
        f["raw"] for f in doc["windows"][0]["features"]
    ]

    variants: dict[str, Callable[[], Any]] = {
        "monitor drift CSV": mon(paths["cur"]),
        "(a) pandas read_csv + calculate_psi": peer_a_csv,
        "(b) pyarrow.csv.read_csv": lambda: pcsv.read_csv(paths["cur"]),
        "(b) pandas.read_csv alone": lambda: pd.read_csv(paths["cur"]),
        "monitor drift Parquet": mon(paths["curpq"]),
        "(a) pandas read_parquet + calculate_psi": peer_a_pq,
        "(b) pyarrow.parquet.read_table": lambda: pq.read_table(paths["curpq"]),
    }
    best: dict[str, tuple[float, float]] = {}
    for _ in range(REPEAT):
        for name, fn in variants.items():  # interleaved
            w, c = time.perf_counter(), _cpu()
            fn()
            wall, cpu = time.perf_counter() - w, _cpu() - c
            if name not in best or wall < best[name][0]:
                best[name] = (wall, cpu)
            print(f"  {name:42s} wall {wall:7.2f} s  cpu {cpu:7.2f} s", file=sys.stderr)
    rows = []
    for fmt in ("CSV", "Parquet"):
        m = best[f"monitor drift {fmt}"]
        for peer in [k for k in best if k.startswith("(") and (fmt == "CSV") == ("csv" in k)]:
            p = best[peer]
            rows.append(
                {
                    "benchmark": f"monitor drift, {ROWS:,} x 10 {fmt} (reference {ROWS // 10:,} rows)",
                    "peer": peer,
                    "monitor_wall_s": m[0],
                    "peer_wall_s": p[0],
                    "peer_over_monitor_wall": p[0] / m[0],
                    "monitor_cpu_s": m[1],
                    "peer_cpu_s": p[1],
                    "peer_over_monitor_cpu": p[1] / m[1],
                }
            )
    notes = (
        f"min wall of {REPEAT} interleaved runs (and that run's CPU time, all threads); in-process, "
        "no interpreter start-up; 2-core machine shared with other jobs"
    )
    print(write_results("cli_drift", rows, notes=notes))


if __name__ == "__main__":
    main()
