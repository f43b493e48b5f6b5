"""Generate tests/data/drift_golden.json: raw fixed-point results of the drift metrics for a fixed
set of inputs, pinned once (tests/unit/test_drift_metrics.py recomputes them and compares integers).

Run from the repository root after building (``python monitor/_build.py``):
    python tools/gen/gen_drift_golden.py
It also rewrites the known-answer tables of csrc/tests/test_drift.c (between the GENERATED
markers: the first cases below, and the JS floating-value cases JS_FP_CASES), so that every C
build of the cross matrix checks the same bits; ``--check`` fails if either is out of date.
Only regenerate on a deliberate, documented change of the numerics (a new raw format or a more
accurate algorithm); any other difference is a determinism bug.
"""

from __future__ import annotations

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

import monitor  # noqa: E402

OUT = os.path.join(ROOT, "tests", "data", "drift_golden.json")
C_TEST = os.path.join(ROOT, "csrc", "tests", "test_drift.c")
# the cases of drift_golden.json that csrc/tests/test_drift.c's test_golden pins (<= 10 bins)
C_CASES = 9
# inputs of test_drift.c's test_js_fp (JS and its distance as mon_drift_fp)
JS_FP_CASES: list[tuple[list[int], list[int]]] = [
    ([2**50, 2**50 + 1], [2**50 + 1, 2**50]),
    ([3, 4, 5], [3, 5, 4]),
    ([1, 0], [0, 1]),
    ([1, 1], [2, 0]),
    ([10**14, 10**14 + 1, 10**14 + 2, 10**14 + 3], [10**14, 10**14 + 1, 10**14 + 3, 10**14 + 3]),
]


def splitmix64(seed: int, n: int) -> list[int]:
    """n pseudo-random uint64 (SplitMix64): stable everywhere, unlike random.Random."""
    out = []
    x = seed & 0xFFFFFFFFFFFFFFFF
    for _ in range(n):
        x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        out.append(z ^ (z >> 31))
    return out


def generated(spec: dict[str, int]) -> tuple[list[int], list[int]]:
    """Counts of a generated case: actual = top `bits` bits of SplitMix64(seed); expected =
    actual + uniform jitter in [-2^jitter, 2^jitter) clipped at 0, or actual reversed when
    jitter < 0."""
    b, bits, jit = spec["bins"], spec["bits"], spec["jitter"]
    raw = splitmix64(spec["seed"], 2 * b)
    a = [v >> (64 - bits) for v in raw[:b]]
    if jit < 0:
        return a, a[::-1]
    e = [max(0, x + (v >> (64 - jit - 1)) - (1 << jit)) for x, v in zip(a, raw[b:])]
    return a, e


def cases() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []

    def add(
        name: str, a: list[int], e: list[int], smoothing: str = "laplace", epsilon: float | None = None
    ) -> None:
        out.append({"name": name, "actual": a, "expected": e, "smoothing": smoothing, "epsilon": epsilon})

    add("identical", [5, 3, 2], [5, 3, 2])
    add("scaled_identical", [10, 6, 4], [5, 3, 2])
    add("disjoint", [1, 0], [0, 1])
    add("one_bin", [7], [3])
    add(
        "article_like",
        [95, 110, 102, 98, 87, 103, 99, 101, 105, 100],
        [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
    )
    add("empty_bins", [0, 10, 0, 5, 0], [3, 0, 0, 9, 1])
    add("dominant_bin", [9999, 1], [9990, 10])
    add("max_total", [2**53 - 1, 1], [2**52, 2**52])
    add("near_identical_large", [2**50, 2**50 + 1, 2**49], [2**50 + 1, 2**50, 2**49])
    add("floor_default", [0, 10, 0, 5, 0], [3, 0, 0, 9, 1], "floor")
    add("floor_eps_0.01", [1, 100, 0, 5000, 2], [30, 0, 1, 4000, 10], "floor", 0.01)
    add("floor_eps_tiny", [0, 1, 2**40], [1, 0, 2**40], "floor", 2.0**-60)
    for i, b in enumerate((2, 10, 100, 1000)):
        spec = {"seed": 1000 + i, "bins": b, "bits": 20, "jitter": 12}
        out.append({"name": f"random_{b}", "generated": spec, "smoothing": "laplace", "epsilon": None})
        out.append({"name": f"random_{b}_floor", "generated": spec, "smoothing": "floor", "epsilon": 1e-3})
    out.append(
        {
            "name": "random_10000_reversed",
            "generated": {"seed": 7, "bins": 10000, "bits": 39, "jitter": -1},
            "smoothing": "laplace",
            "epsilon": None,
        }
    )
    return out


def _c_u64(v: int) -> str:
    return f"UINT64_C({v})" if v < 2**32 else f"UINT64_C(0x{v:016x})"


def _c_u128(v: int) -> str:
    return f"{{UINT64_C(0x{v >> 64:x}), UINT64_C(0x{v & (2**64 - 1):016x})}}"


def render_c_golden(rows: list[dict[str, object]]) -> list[str]:
    out = []
    for r in rows[:C_CASES]:
        assert r["smoothing"] == "laplace" and len(r["actual"]) <= 10  # type: ignore[arg-type]
        a = ", ".join(_c_u64(v) for v in r["actual"])  # type: ignore[union-attr]
        e = ", ".join(_c_u64(v) for v in r["expected"])  # type: ignore[union-attr]
        out.append(
            f'        {{"{r["name"]}", {len(r["actual"])}, {{{a}}}, {{{e}}}, 0, 0, 0, '  # type: ignore[arg-type]
            f"{_c_u128(int(r['tv_raw']))}, {_c_u128(int(r['js_raw']))}, "  # type: ignore[arg-type]
            f"{_c_u128(int(r['psi_raw']))}, {_c_u64(int(r['js_distance_raw']))}}},"  # type: ignore[arg-type]
        )
    return out


def render_c_js_fp() -> list[str]:
    from monitor.drift_raw import raw_drift_scores

    out = []
    for a, e in JS_FP_CASES:
        s = raw_drift_scores(a, e, len(a))[0]
        pa = ", ".join(_c_u64(v) for v in a)
        pe = ", ".join(_c_u64(v) for v in e)
        out.append(
            f"        {{{{{pa}}}, {{{pe}}}, {len(a)}, {_c_u64(s.js_mant)}, {s.js_exp2}, "
            f"{_c_u64(s.js_distance_mant)}, {s.js_distance_exp2}}},"
        )
    return out


def render_c_test(rows: list[dict[str, object]]) -> str:
    """test_drift.c with its GENERATED blocks replaced."""
    with open(C_TEST, encoding="utf-8") as fh:
        text = fh.read()
    for tag, body in (("golden", render_c_golden(rows)), ("js_fp", render_c_js_fp())):
        begin = f"        /* BEGIN GENERATED {tag} (tools/gen/gen_drift_golden.py) */\n"
        end = f"        /* END GENERATED {tag} */\n"
        i, j = text.index(begin) + len(begin), text.index(end)
        text = text[:i] + "\n".join(body) + "\n" + text[j:]
    return text


def main(argv: list[str]) -> int:
    rows = []
    for c in cases():
        if "generated" in c:
            a, e = generated(c["generated"])  # type: ignore[arg-type]
        else:
            a, e = c["actual"], c["expected"]  # type: ignore[assignment]
        s = monitor.drift_scores(a, e, smoothing=c["smoothing"], epsilon=c["epsilon"])
        row = dict(c)
        row.update(
            {
                "tv_raw": str(s.tv_raw),
                "tv_num": str(s.tv_num),
                "tv_den": str(s.tv_den),
                "js_raw": str(s.js_raw),
                "js_distance_raw": str(s.js_distance_raw),
                "psi_raw": str(s.psi_raw),
            }
        )
        rows.append(row)
    doc = {
        "description": "raw fixed-point drift metrics (monitor.drift_scores); integers as strings",
        "formats": {
            "tv_raw": "round(TV * 2^64)",
            "js_raw": "JS(bits) * 2^126",
            "js_distance_raw": "sqrt(JS) * 2^63",
            "psi_raw": "PSI(nats) * 2^64",
        },
        "cases": rows,
    }
    text = json.dumps(doc, indent=1) + "\n"
    ctext = render_c_test(rows)
    if "--check" in argv:
        with open(OUT, encoding="utf-8") as fh:
            ok = fh.read() == text
        with open(C_TEST, encoding="utf-8") as fh:
            ok = ok and fh.read() == ctext
        if not ok:
            print("drift_golden.json or test_drift.c is out of date", file=sys.stderr)
        return 0 if ok else 1
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text)
    with open(C_TEST, "w", encoding="utf-8") as fh:
        fh.write(ctext)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
