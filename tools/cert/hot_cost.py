#!/usr/bin/env python3
"""Instructions per call of the C hot paths, counted with valgrind's callgrind (exact and
repeatable, unlike timings on a shared machine): builds csrc/bench/callgrind_hot.c against a
libmonitor.a (-O2), runs it under callgrind and divides each driver's inclusive instruction
count by its number of calls (values, for the array functions).

    hot_cost.py [--csrc DIR] [--cc gcc] [--json]
    hot_cost.py --worst [--write]     worst-case counts (the timing table of docs/certification.md)

--csrc points at another checkout's csrc/ for a side-by-side before/after comparison (the
driver always comes from this tree).

--worst runs the driver's worst-case mode (`callgrind_hot worst CLS`): every public hot-path
function called on the worst inputs its stated bounds admit, each call of a driver taking the
same (longest) path, so inclusive cost / calls is the worst-case count of one call; the drift
functions are run on four input classes (CLS 0..3) and the largest count is kept. --write puts
the table into docs/certification.md between <!-- timing:begin --> and <!-- timing:end -->.
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
# the safety-monitor units' worst cases (mon_monitor, mon_rules, mon_ledger), linked into DRIVER
DRIVER_SAFETY = os.path.join(CSRC, "bench", "callgrind_safety.c")
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


# driver -> (function(s), calls per driver, input bound, why this input is the worst)
WORST = {
    "w_hist_record": (
        "mon_hist_record",
        64,
        "largest configuration: scale 8, 1 ns .. 2^64 - 1 (16,385 buckets)",
        "in range (the longest branch), in the top octave, increasing (a new max every call) and"
        " near 2^64 (the 128-bit sum carries every call); the index is a table lookup, no loop",
    ),
    "w_hist_record_f64_slow": (
        "mon_hist_record_f64",
        64,
        "any binary64, any unit",
        "below 2^-11 s: the general conversion path (the fast path covers [2^-11, 2^33) of the"
        " unit) with a 128-bit remainder, then the in-range record",
    ),
    "w_hist_record_many_big": (
        "mon_hist_record_many",
        4,
        "n = 10^4 values, 16,385 buckets",
        "misaligned array (copied in pieces of 64), every value in range and in its own bucket"
        " (one atomic add per value in index-list mode); cost is linear in n",
    ),
    "w_hist_record_many_4k": (
        "mon_hist_record_many (table mode)",
        4,
        "n = 10^4 values, 4,096 buckets",
        "the on-stack table mode (n >= 2048, buckets <= MON_HIST_BATCH_BUCKETS): clear, count and"
        " flush the whole table; values spread over all buckets",
    ),
    "w_hist_record_many_f64": (
        "mon_hist_record_many_f64",
        4,
        "n = 10^4 values, 16,385 buckets",
        "every value below 2^-11 s (general conversion path) and valid",
    ),
    "w_hist_record_many_u64": (
        "mon_hist_record_many_u64",
        4,
        "n = 10^4 values, 16,385 buckets",
        "misaligned, in us with MON_HIST_STRICT (a checking pass first), every value valid and in range",
    ),
    "w_hist_record_many_i64": (
        "mon_hist_record_many_i64",
        4,
        "n = 10^4 values, 16,385 buckets",
        "as for mon_hist_record_many_u64 (signed values, all valid)",
    ),
    "w_hist_quantiles": (
        "mon_hist_quantiles",
        64,
        "64 quantiles (MON_HIST_MAX_QUANTILES), 16,385 buckets",
        "every bucket that can hold a value non-empty (the scan visits all of them), 64 distinct"
        " fractions given in decreasing order (the insertion sort's worst), the last in the last bucket",
    ),
    "w_ring_record": (
        "mon_hist_ring_record",
        64,
        "16,385-bucket histograms, 4 slots",
        "a new epoch at every call: the slot is claimed and its whole histogram emptied before the"
        " record (the same worst record as mon_hist_record)",
    ),
    "w_service_begin": (
        "mon_service_begin",
        64,
        "any window configuration",
        "a new epoch at every call: a slot claimed and emptied",
    ),
    "w_service_ok": ("mon_service_ok", 64, "any window configuration", "a new epoch at every call"),
    "w_service_fail": (
        "mon_service_begin + mon_service_fail",
        64,
        "any window configuration",
        "a new epoch at every call of each",
    ),
    "w_service_drop": (
        "mon_service_begin + mon_service_drop",
        64,
        "any window configuration",
        "a new epoch at every call of each",
    ),
    "w_service_reject": ("mon_service_reject", 64, "any window configuration", "a new epoch at every call"),
    "w_service_error": ("mon_service_error", 64, "any window configuration", "a new epoch at every call"),
    "w_service_window": (
        "mon_service_window_counts",
        4,
        "MON_SERVICE_MAX_SLOTS = 65,536 slots",
        "every slot in the window (the sum visits each slot once)",
    ),
    "w_shared_finish": (
        "mon_shared_begin + mon_shared_finish",
        64,
        "65,536-slot counters, 16,385-bucket histogram",
        "failed outcome with a category (the longest), a new epoch at every call, the worst record",
    ),
    "w_window_epoch": ("mon_window_epoch", 64, "any tick", "constant: one 64-bit division"),
    "w_drift_scores": ("mon_drift_scores (Laplace)", 1, "bins = 10^4, totals < 2^53", None),
    "w_drift_scores_floor": ("mon_drift_scores (floor)", 1, "bins = 10^4, totals < 2^53", None),
    "w_drift_tv": ("mon_drift_tv", 1, "bins = 10^4, totals < 2^53", None),
    "w_drift_js": ("mon_drift_js", 1, "bins = 10^4, totals < 2^53", None),
    "w_drift_psi": ("mon_drift_psi (Laplace)", 1, "bins = 10^4, totals < 2^53", None),
    "w_drift_psi_floor": ("mon_drift_psi (floor)", 1, "bins = 10^4, totals < 2^53", None),
    "w_drift_psi_bins": ("mon_drift_psi_bins", 1, "bins = 10^4, totals < 2^53", None),
    "w_bin_count": (
        "mon_bin_count",
        1,
        "10^4 bins (10,001 edges), n = 10^4 values",
        "every value in range (the last branch of the slot classification); the branch-free 4-ary"
        " search costs the same for every value at a table size (16,384 slots, the largest for"
        " <= 10^4 bins)",
    ),
    "w_bin_count_codes": (
        "mon_bin_count_codes",
        1,
        "10^4 codes, n = 10^4 values",
        "constant per value (seen and unseen codes cost the same)",
    ),
    "w_monitor_step": (
        "mon_monitor_step",
        2,
        "256 features x 1024 bins, 256 outputs, 64 layers, 16 rules, 64 drift slots (every bound at its"
        " maximum), a ledger attached",
        "a drift-scoring step: slot width 1 by count, so every step ends an epoch and scores every feature"
        " (64 complete slots summed, then JS distance, the dearest metric, over 1024 bins, reference counts"
        " 1 and 2^40 alternately); every violation kind but INPUT_NAN (the NaN branch skips the range test"
        " and the binning) in every step, each with reaction DEGRADE (a violation and a reaction entry"
        " appended); 8 rules fire and 8 resolve at every step (a rule entry each); the ledger has a"
        " write callback and checkpoint_every = 2, so every append also commits a checkpoint",
    ),
    "w_rule_step": (
        "mon_rule_step",
        64,
        "any rule (rate rules: resolution <= MON_RULE_MAX_SAMPLES - 2 = 62)",
        "a relative rate rule at resolution 62 with its sample ring full (63 samples) stepped two windows"
        " later: all but one sample dropped (the longest loop), a division by the past value, the rule"
        " fires; the state is restored before each call",
    ),
    "w_rule_step_many": (
        "mon_rule_step_many (n = 256)",
        4,
        "n = 256 rules (cost linear in n, n <= MON_RULE_MAX_BATCH = 65,536)",
        "every rule in mon_rule_step's worst state (above); per rule: the count / 256",
    ),
    "w_ledger_append": (
        "mon_ledger_append",
        64,
        "any ledger (payload <= 128 bytes)",
        "a 128-byte payload, checkpoint_every = 2 (a checkpoint committed before the event at every"
        " call: two SHA-256 of 192 bytes) and a write callback (trivial) for both entries; with pending"
        " entries (after a failed write) each adds one callback call, the host's cost",
    ),
    "w_ledger_verify": (
        "mon_ledger_verify",
        4,
        "4,096 entries (cost linear in entries)",
        "every entry good (the whole chain checked; a fault stops earlier), every other one a checkpoint"
        " (its fields compared too), an anchor at the last entry; per entry: the count / 4,096",
    ),
    "w_sha256_update": (
        "mon_sha256_update",
        4,
        "n = 4096 bytes (cost linear in n: per 64-byte block)",
        "misaligned data after one pending byte: every block goes through the context's buffer",
    ),
}
DRIFT_CLASSES = {
    0: "mild drift (+-6%)",
    1: "extreme ratios (1 against ~2^40 in alternate bins)",
    2: "near-identical (one count apart)",
    3: "random counts up to 2^39",
}


def _callgrind(exe: str, args: list[str], tmp: str) -> str:
    out = os.path.join(tmp, "cg-" + "-".join(args) + ".out")
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", exe, *args],
        check=True,
        capture_output=True,
    )
    return subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _inclusive(ann: str) -> dict[str, int]:
    res: dict[str, int] = {}
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S*:(w_\w+?)(?:\.\w+\.\d+)?\s", line)
        if m:
            res[m.group(2)] = res.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return res


def build(csrc: str, cc: str, tmp: str) -> str:
    variant = "hotcost-" + os.path.basename(cc)
    subprocess.run(["make", "-s", "-C", csrc, "lib", f"VARIANT={variant}", f"CC={cc}", "OPT=-O2"], check=True)
    lib = os.path.join(csrc, "build", variant, "libmonitor.a")
    exe = os.path.join(tmp, "hot")
    subprocess.run(
        [cc, "-std=c99", "-O2", "-I", csrc, DRIVER, DRIVER_SAFETY, lib, "-o", exe, "-lpthread"], check=True
    )
    return exe


def measure_worst(csrc: str, cc: str) -> dict[str, tuple[int, str]]:
    """Worst-case instructions per call: driver -> (count, the input that gave it)."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = build(csrc, cc, tmp)
        runs = {cls: _inclusive(_callgrind(exe, ["worst", str(cls)], tmp)) for cls in DRIFT_CLASSES}
    res: dict[str, tuple[int, str]] = {}
    for drv, (_, calls, _, why) in WORST.items():
        if why is not None:
            if drv not in runs[0]:
                sys.exit(f"callgrind output lacks {drv}")
            res[drv] = (round(runs[0][drv] / calls), why)
            continue
        per = {cls: r[drv] for cls, r in runs.items() if drv in r}
        if len(per) != len(DRIFT_CLASSES):
            sys.exit(f"callgrind output lacks {drv} for some input class")
        cls = max(per, key=lambda c: per[c])
        res[drv] = (
            round(per[cls] / calls),
            f"worst of the four input classes: {DRIFT_CLASSES[cls]} (others: "
            + ", ".join(f"{per[c] // calls:,}" for c in sorted(per) if c != cls)
            + ")",
        )
    return res


def worst_table(res: dict[str, tuple[int, str]], cc: str) -> str:
    ver = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    lines = [
        "Generated by `python tools/cert/hot_cost.py --worst --write` (driver `csrc/bench/callgrind_hot.c`,"
        f" mode `worst`; `libmonitor.a` at -O2 with {ver}, threads on, uncontended; valgrind callgrind).",
        "",
        "| function | input bound | worst-case instructions per call | worst input (why) |",
        "|---|---|---|---|",
    ]
    for drv, (label, _, bound, _) in WORST.items():
        n, why = res[drv]
        lines.append(f"| `{label}` | {bound} | {n:,} | {why} |")
    return "\n".join(lines) + "\n"


def write_doc(table: str) -> None:
    path = os.path.join(os.path.dirname(CSRC), "docs", "certification.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split("<!-- timing:begin -->", 1)
    tail = rest.split("<!-- timing:end -->", 1)[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}<!-- timing:begin -->\n\n{table}\n<!-- timing:end -->{tail}")


def measure(csrc: str, cc: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        variant = "hotcost-" + os.path.basename(cc)
        subprocess.run(
            ["make", "-s", "-C", csrc, "lib", f"VARIANT={variant}", f"CC={cc}", "OPT=-O2"],
            check=True,
        )
        lib = os.path.join(csrc, "build", variant, "libmonitor.a")
        exe = os.path.join(tmp, "hot")
        subprocess.run(  # the driver's main references the safety drivers (worst mode)
            [cc, "-std=c99", "-O2", "-I", csrc, DRIVER, DRIVER_SAFETY, lib, "-o", exe, "-lpthread"],
            check=True,
        )
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
    ap.add_argument("--worst", action="store_true", help="worst-case counts per function")
    ap.add_argument("--write", action="store_true", help="with --worst: rewrite the doc's table")
    a = ap.parse_args()
    if a.worst:
        table = worst_table(measure_worst(os.path.abspath(a.csrc), a.cc), a.cc)
        if a.write:
            write_doc(table)
        print(table, end="")
        return
    res = measure(os.path.abspath(a.csrc), a.cc)
    if a.json:
        print(json.dumps({DRIVERS[k][0]: round(v, 2) for k, v in res.items()}, indent=1))
        return
    for k, v in res.items():
        print(f"{DRIVERS[k][0]:50s} {v:8.2f} instructions per call")


if __name__ == "__main__":
    main()
