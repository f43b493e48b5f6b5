#!/usr/bin/env python3
"""Instructions per call of the C hot paths, counted with valgrind's callgrind (exact and
repeatable, unlike timings on a shared machine): builds csrc/bench/callgrind_hot.c against a
libmonitor.a (-O2), runs it under callgrind and divides each driver's inclusive instruction
count by its number of calls (values, for the array functions).

    hot_cost.py [--csrc DIR] [--cc gcc] [--json]

--csrc points at another checkout's csrc/ for a side-by-side before/after comparison (the
driver always comes from this tree).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "csrc")
DRIVER = os.path.join(CSRC, "bench", "callgrind_hot.c")
N = 100000
# driver -> (label, calls per driver); drive_service does begin + ok per iteration
DRIVERS = {
    "drive_hist_record": ("mon_hist_record", N),
    "drive_hist_record_f64": ("mon_hist_record_f64 (ms)", N),
    "drive_hist_record_many": ("mon_hist_record_many (per value, n=1000)", N),
    "drive_hist_record_many_f64": ("mon_hist_record_many_f64 (per value, n=1000)", N),
    "drive_ring_record": ("mon_hist_ring_record", N),
    "drive_service": ("mon_service_begin + mon_service_ok", N),
}


def measure(csrc: str, cc: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        variant = "hotcost-" + os.path.basename(cc)
        subprocess.run(
            ["make", "-s", "-C", csrc, "lib", f"VARIANT={variant}", f"CC={cc}", "OPT=-O2"],
            check=True,
        )
        lib = os.path.join(csrc, "build", variant, "libmonitor.a")
        exe = os.path.join(tmp, "hot")
        subprocess.run([cc, "-std=c99", "-O2", "-I", csrc, DRIVER, lib, "-o", exe], check=True)
        out = os.path.join(tmp, "cg.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", exe],
            check=True,
            capture_output=True,
        )
        ann = subprocess.run(
            ["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    res: dict[str, float] = {}
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+\S*:(drive_\w+)", line) or re.match(
            r"\s*([\d,]+)\s+\S*:(drive_\w+)", line
        )
        if m and m.group(2) in DRIVERS:
            res[m.group(2)] = int(m.group(1).replace(",", "")) / DRIVERS[m.group(2)][1]
    missing = set(DRIVERS) - set(res)
    if missing:
        sys.exit(f"callgrind output lacks {sorted(missing)}:\n{ann[:3000]}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csrc", default=CSRC)
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    res = measure(os.path.abspath(a.csrc), a.cc)
    if a.json:
        print(json.dumps({DRIVERS[k][0]: round(v, 2) for k, v in res.items()}, indent=1))
        return
    for k, v in res.items():
        print(f"{DRIVERS[k][0]:50s} {v:8.2f} instructions per call")


if __name__ == "__main__":
    main()
