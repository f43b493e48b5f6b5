"""Accuracy of the core's drift kernel (mon_drift_scores: the 64-bit pass of
csrc/mon_drift_series.c, golden v2, and mon_drift.c's wide pass) against exact mathematics
(issue 15). This was the accuracy script of the golden v2 study (benchmarks/results/drift_v2_study.md,
whose prototype is now the core's 64-bit pass).

Builds benchmarks/c/drift_check.c with the core (``-std=c99 -O2 -ffp-contract=off -Wall -Wextra
-Werror -pedantic``), feeds it random count vectors (Laplace smoothing; B = 1 .. 1,000; totals up
to 2^31 so that the 64-bit pass is taken; empty bins, disjoint supports, near-identical pairs, one
bin holding almost everything, mild and strong drift), and compares every raw output with mpmath
at 200 bits:

- ``tv_raw`` must be round(TV 2^64) exactly (ties up);
- ``js_raw``: |err| < 2^-55 JS + 2^-127, in units of 2^-126 (mon_drift.h);
- ``js_distance_raw``: |err| < 2^-56 sqrt(JS) + 2^-63, units of 2^-63;
- ``psi_raw``: |err| < 2^-58 max(1, PSI), units of 2^-64;
- ``js_fp`` / ``js_distance_fp``: relative error < 2^-54.

It also checks that the core's Horner term-count tables (``mon_drift_js_k`` / ``mon_drift_psi_k``
in csrc/mon_drift_tables.c) are the least counts whose series tails are < 2^-66 of the first
term, as tools/gen/gen_drift_tables.py derives them in exact rationals, and fails if they differ.
Prints the largest error of each output as a fraction of its bound; exits 1 if any exceeds it.

    python benchmarks/drift_accuracy.py [cases] [seed]
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
from fractions import Fraction

import mpmath

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "gen"))
from gen_drift_tables import horner_terms  # noqa: E402

from _common import build_with_core  # noqa: E402

C_DIR = os.path.join(ROOT, "benchmarks", "c")
CFLAGS = ["-std=c99", "-O2", "-ffp-contract=off", "-Wall", "-Wextra", "-Werror", "-pedantic"]
FIELDS = ("tv_raw", "js_raw", "js_distance_raw", "psi_raw", "js_fp", "js_distance_fp")

mpmath.mp.prec = 200


def check_tables() -> None:
    """The core's generated term-count tables against a fresh derivation of the tails."""
    path = os.path.join(ROOT, "csrc", "mon_drift_tables.c")
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    for kind, name in (("js", "mon_drift_js_k"), ("psi", "mon_drift_psi_k")):
        m = re.search(name + r"\[65\] = \{([^}]*)\}", src)
        if m is None:
            raise SystemExit(f"table {name} not found in {path}")
        got = [int(x.strip().rstrip("u")) for x in m.group(1).split(",") if x.strip()]
        want = horner_terms(kind)
        if got != want:
            raise SystemExit(f"{name} differs from the derived table:\n{got}\n{want}")
    print("term-count tables (mon_drift_js_k, mon_drift_psi_k): match the derived tails")


def build(workdir: str) -> str:
    return build_with_core(
        os.path.join(workdir, "drift_check"), [os.path.join(C_DIR, "drift_check.c")], CFLAGS
    )


def case(rng: random.Random) -> tuple[list[int], list[int]]:
    b = rng.choice([1, 2, 3, 5, 10, 10, 32, 64, 64, 100, 300, 1000])
    kind = rng.choice(["mild", "mild", "moderate", "strong", "near", "zeros", "skew", "tiny"])
    scale = rng.choice([10, 1000, 10**5, 10**6, 2**24])
    per = max(1, scale // b)
    q = [per + rng.randrange(per // 2 + 1) for _ in range(b)]
    if kind == "mild":
        p = [max(0, x + rng.randrange(-(x // 16) - 1, x // 16 + 2)) for x in q]
    elif kind == "moderate":
        p = [max(0, x + rng.randrange(-(x // 4) - 1, x // 4 + 2)) for x in q]
    elif kind == "strong":
        p = [rng.randrange(0, 3 * x + 2) for x in q]
    elif kind == "near":
        p = list(q)
        for _ in range(rng.randrange(1, 3)):
            i = rng.randrange(b)
            p[i] += rng.choice([1, -1]) if p[i] > 0 else 1
    elif kind == "zeros":
        p = [x if rng.random() < 0.5 else 0 for x in q]
        q = [x if rng.random() < 0.5 else 0 for x in q]
    elif kind == "skew":
        p = [rng.randrange(0, 3) for _ in range(b)]
        p[rng.randrange(b)] = 2**30
    else:
        p = [rng.randrange(0, 4) for _ in range(b)]
        q = [rng.randrange(0, 4) for _ in range(b)]
    if sum(p) == 0:
        p[0] = 1
    if sum(q) == 0:
        q[-1] = 1
    return p, q


def exact(p: list[int], q: list[int]) -> dict[str, object]:
    npt, nqt, b = sum(p), sum(q), len(p)
    tv = Fraction(sum(abs(x * nqt - y * npt) for x, y in zip(p, q)), 2 * npt * nqt)
    js = mpmath.mpf(0)
    psi = mpmath.mpf(0)
    for x, y in zip(p, q):
        a, c = mpmath.mpf(x) / npt, mpmath.mpf(y) / nqt
        m = (a + c) / 2
        if x:
            js += a * mpmath.log(a / m, 2)
        if y:
            js += c * mpmath.log(c / m, 2)
        aa, cc = mpmath.mpf(x + 1) / (npt + b), mpmath.mpf(y + 1) / (nqt + b)
        psi += (aa - cc) * mpmath.log(aa / cc)
    return {"tv": tv, "js": js / 2, "psi": psi}


def parse(line: str) -> dict[str, object]:
    f = line.split()
    if f[1] == "err":
        return {"err": int(f[2])}

    def w(s: str) -> int:
        hi, lo = s.split(":")
        return (int(hi, 16) << 64) | int(lo, 16)

    return {
        "tv_raw": w(f[1]),
        "js_raw": w(f[2]),
        "js_distance_raw": int(f[3], 16),
        "psi_raw": w(f[4]),
        "js_fp": (int(f[5], 16), int(f[6])),
        "js_distance_fp": (int(f[7], 16), int(f[8])),
    }


def ulps(r: dict[str, object], ex: dict[str, object]) -> dict[str, float]:
    """Each raw fixed-point output's absolute error in units of its last place (the fp forms:
    relative error in units of 2^-64)."""
    js, psi = ex["js"], ex["psi"]
    sq = mpmath.sqrt(js)
    out = {
        "tv_raw": float(abs(r["tv_raw"] - ex["tv"] * 2**64)),  # type: ignore[operator]
        "js_raw": float(abs(r["js_raw"] - js * 2**126)),  # type: ignore[operator]
        "js_distance_raw": float(abs(r["js_distance_raw"] - sq * 2**63)),  # type: ignore[operator]
        "psi_raw": float(abs(r["psi_raw"] - psi * 2**64)),  # type: ignore[operator]
    }
    for name, val in (("js_fp", js), ("js_distance_fp", sq)):
        mant, e2 = r[name]  # type: ignore[misc]
        got = mpmath.mpf(mant) * mpmath.mpf(2) ** e2
        out[name] = 0.0 if val == 0 else float(abs(got - val) / val * mpmath.mpf(2) ** 64)
    return out


def errors(r: dict[str, object], ex: dict[str, object]) -> dict[str, float]:
    """Each output's error as a fraction of its documented bound (<= 1 is within contract)."""
    tv = ex["tv"]
    assert isinstance(tv, Fraction)
    js, psi = ex["js"], ex["psi"]
    t = tv * 2**64
    want_tv = int(t) + (1 if t - int(t) >= Fraction(1, 2) else 0)
    out: dict[str, float] = {"tv_raw": 0.0 if r["tv_raw"] == want_tv else float("inf")}
    out["js_raw"] = float(abs(r["js_raw"] - js * 2**126) / (js * 2**71 + mpmath.mpf(1) / 2))  # type: ignore[operator]
    sq = mpmath.sqrt(js)
    out["js_distance_raw"] = float(abs(r["js_distance_raw"] - sq * 2**63) / (sq * 2**7 + 1))  # type: ignore[operator]
    out["psi_raw"] = float(abs(r["psi_raw"] - psi * 2**64) / (mpmath.mpf(2) ** 6 * max(1, psi)))  # type: ignore[operator]
    for name, val in (("js_fp", js), ("js_distance_fp", sq)):
        mant, e2 = r[name]  # type: ignore[misc]
        got = mpmath.mpf(mant) * mpmath.mpf(2) ** e2
        if val == 0:
            out[name] = 0.0 if mant == 0 else float("inf")
        else:
            out[name] = float(abs(got - val) / val / mpmath.mpf(2) ** -54)
    return out


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    check_tables()
    rng = random.Random(seed)
    cases = [case(rng) for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        exe = build(tmp)
        text = "".join(f"{len(p)} {' '.join(map(str, p))} {' '.join(map(str, q))}\n" for p, q in cases)
        proc = subprocess.run([exe], input=text, capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    if len(lines) != n:
        raise SystemExit(f"{len(lines)} result lines for {n} cases")
    worst = {f: 0.0 for f in FIELDS}
    worst_ulp = {f: 0.0 for f in FIELDS}
    for i, (p, q) in enumerate(cases):
        r = parse(lines[i])
        if "err" in r:
            raise SystemExit(f"case {i}: status {r['err']}")
        ex = exact(p, q)
        for f, e in errors(r, ex).items():
            worst[f] = max(worst[f], e)
        for f, e in ulps(r, ex).items():
            worst_ulp[f] = max(worst_ulp[f], e)
    print(f"{n} cases (seed {seed}); largest error / documented bound (<= 1 is within the contract):")
    print("| output | error / bound | ulps |")
    print("| --- | --- | --- |")
    for f in FIELDS:
        print(f"| {f} | {worst[f]:.3g} | {worst_ulp[f]:.3g} |")
    print("(ulps: of the raw fixed point, 2^-64 / 2^-126 / 2^-63 / 2^-64; fp forms: relative, 2^-64)")
    bad = [f for f in FIELDS if worst[f] > 1.0]
    if bad:
        print("OUTSIDE THE BOUND:", bad)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
