#!/usr/bin/env python3
"""Generate and check the golden vectors (monitor/data/golden_v2.json).

    python tools/gen/golden.py gen      recompute the expected outputs of every case through the
                                    in-place build and write monitor/data/golden_v2.json (the
                                    one copy: shipped, read by the tests) and the C header
                                    csrc/tests/golden_v2_data.h (inputs + expected bytes)
    python tools/gen/golden.py header   regenerate only the C header from the JSON
    python tools/gen/golden.py check    fail if the header or the file's digest is out of date

The rule vectors (monitor/data/golden_rules_v1.json + csrc/tests/golden_rules_v1_data.h:
scenarios through the AlertEngine, the same through mon_rule_step in test_rules_golden.c) are
written, regenerated and checked by the same commands; golden_v2.json is not touched by them.

The JSON is the source of truth; the header is derived from it so the C golden program needs
no JSON parser (and no file I/O). Regenerating expected outputs is a deliberate act: a change
of any output is a change of the certified behaviour and must be reviewed as such.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)


def _hist_bytes(ffi: Any, lib: Any, h: Any) -> bytes:
    """mon_hist_serialize of a raw histogram (monitor._verify goes through LatencyHistogram)."""
    cap = int(lib.mon_hist_serialized_size_max(h))
    out = ffi.new("uint8_t[]", max(1, cap))
    n = ffi.new("size_t *")
    st = int(lib.mon_hist_serialize(h, out, cap, n))
    if st != 0:
        raise RuntimeError(f"mon_hist_serialize failed with status {st}")
    return bytes(ffi.buffer(out, int(n[0])))


def _load_verify() -> Any:
    """monitor._verify from this source tree. `gen` needs the compiled core (in-place build);
    `check` and `header` do not, so when the package cannot be imported from the sources (e.g.
    CI installs it elsewhere and the tree has no compiled module) the file is loaded alone."""
    try:
        from monitor import _verify as mod

        return mod
    except ImportError:
        import importlib.util

        path = os.path.join(ROOT, "monitor", "_verify.py")
        spec = importlib.util.spec_from_file_location("monitor_verify_standalone", path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod  # dataclasses look the module up while creating classes
        spec.loader.exec_module(mod)
        return mod


_verify = _load_verify()

# Why this version's expected outputs differ from the previous version's (recorded in the file;
# docs/certification.md "Golden vectors" keeps the history).
GOLDEN_CHANGES = (
    "version 2 (issue 15): TV, JS and Laplace PSI of count vectors whose totals (divided by their "
    "common power of two, for TV and JS) satisfy N_P N_Q < 2^62 and (N_P + B)(N_Q + B) < 2^62 "
    "come from the 64-bit pass of csrc/mon_drift_series.c: a Horner series with a generated "
    "term count and a 192-bit accumulator in 2^-125 units instead of the exact 128-bit products "
    "in 2^-240 units, ~12% fewer instructions per bin, inside the same documented error bounds "
    "(mon_drift.h). js_raw, psi_raw, js_distance_raw and the JS floating values of those inputs "
    "change in their last bits; TV, floor PSI, larger totals, every other unit and every status "
    "are unchanged. Version 1 digest: 8fb355b85258f4ba71693768c3903d821f729836a0b4f533810f7bae315019dc."
)

# Stored once, in the package (``monitor verify`` reads it); the tests and the C header use it.
JSON_PATH = os.path.join(ROOT, "monitor", "data", "golden_v2.json")
HEADER_PATH = os.path.join(ROOT, "csrc", "tests", "golden_v2_data.h")

# ---------------------------------------------------------------------------------------------
# Case inputs (the outputs are computed, then pinned).
# ---------------------------------------------------------------------------------------------


def cases_status() -> list[dict[str, Any]]:
    codes = list(range(0, 15)) + [15, 999]
    return [{"id": f"status/code-{c}", "kind": "status", "input": {"code": c}} for c in codes]


def _splitmix(seed: int):  # deterministic pseudo-random stream for generated inputs
    x = seed & (2**64 - 1)
    while True:
        x = (x + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        yield z ^ (z >> 31)


def _rand_counts(seed: int, n: int, limit: int) -> list[int]:
    g = _splitmix(seed)
    return [next(g) % limit for _ in range(n)]


LAPLACE = {"smoothing": 0, "eps_mant": 0, "eps_exp2": 0}
FLOOR_DEFAULT = {"smoothing": 1, "eps_mant": 7378697629483821, "eps_exp2": -66}  # 1e-4 exactly


def cases_drift() -> list[dict[str, Any]]:
    big = 2**52
    specs: list[tuple[str, list[int], list[int], dict[str, int] | None]] = [
        ("identical", [10, 20, 30, 40], [10, 20, 30, 40], None),
        ("proportional", [1, 2, 3], [100, 200, 300], None),
        ("disjoint", [5, 0], [0, 7], None),
        ("one-bin", [3], [1000], None),
        ("dominant-bin", [9999, 1, 0, 0], [2500, 2500, 2500, 2500], None),
        ("empty-bins-floor", [9999, 1, 0, 0], [2500, 2500, 2500, 2500], FLOOR_DEFAULT),
        (
            "floor-eps-2^-20",
            [0, 7, 0, 9, 1],
            [3, 0, 0, 4, 4],
            {"smoothing": 1, "eps_mant": 1, "eps_exp2": -20},
        ),
        ("laplace-explicit", [0, 7, 0, 9, 1], [3, 0, 0, 4, 4], LAPLACE),
        ("max-total", [big, big], [1, 2**53 - 1], None),
        ("max-total-floor", [big, big], [1, 2**53 - 1], FLOOR_DEFAULT),
        ("tiny-vs-huge", [1, 0, 0], [0, 2**53 - 2, 1], None),
        (
            "article-10-bins",
            [120, 95, 101, 99, 87, 110, 100, 93, 104, 91],
            [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
            None,
        ),
        ("random-10", _rand_counts(1, 10, 1000), _rand_counts(2, 10, 1000), None),
        ("random-64", _rand_counts(3, 64, 10**6), _rand_counts(4, 64, 10**6), None),
        ("random-64-floor", _rand_counts(3, 64, 10**6), _rand_counts(4, 64, 10**6), FLOOR_DEFAULT),
        (
            "random-1000-sparse",
            [x if x % 3 == 0 else 0 for x in _rand_counts(5, 1000, 50)],
            _rand_counts(6, 1000, 50),
            None,
        ),
        ("random-large-counts", _rand_counts(7, 16, 2**48), _rand_counts(8, 16, 2**48), None),
        # statuses
        ("err-empty-actual", [0, 0, 0], [1, 2, 3], None),
        ("err-empty-expected", [1, 2, 3], [0, 0, 0], None),
        ("err-total-over-2^53", [2**53, 1], [1, 1], None),
        ("err-nbins-0", [], [], None),
        ("err-bad-smoothing", [1, 2], [2, 1], {"smoothing": 7, "eps_mant": 0, "eps_exp2": 0}),
        ("err-eps-too-small", [1, 2], [2, 1], {"smoothing": 1, "eps_mant": 1, "eps_exp2": -65}),
        ("err-eps-one", [1, 2], [2, 1], {"smoothing": 1, "eps_mant": 1, "eps_exp2": 0}),
    ]
    return [
        {"id": f"drift/{name}", "kind": "drift", "input": {"p": p, "q": q, "nbins": len(p), "psi": opt}}
        for name, p, q, opt in specs
    ] + [
        {
            "id": "drift/log2",
            "kind": "drift_log2",
            "input": {
                "x": [0, 1, 2, 3, 10, 1000, 2**32 - 1, 2**32, 2**53, 2**53 + 1, 2**63, 2**64 - 1]
                + _rand_counts(9, 20, 2**64)
            },
        },
    ]


def cases_service() -> list[dict[str, Any]]:
    BEGIN, OK, FAIL, DROP, REJECT, ERROR, WINDOW, TOTALS = range(8)
    cases = []
    # a hand-written scenario: every operation, every category, errors of misuse, windows
    ev = [
        [TOTALS, 0, 0],
        [OK, 1, 0],
        [DROP, 1, 0],
        [FAIL, 1, 0],  # nothing in flight: MON_E_STATE
        [BEGIN, 5, 0],
        [BEGIN, 6, 0],
        [BEGIN, 7, 0],
        [OK, 9, 0],
        [FAIL, 12, 4],
        [FAIL, 13, 9],
        [DROP, 15, 0],
        [REJECT, 15, 0],
        [ERROR, 16, 3],
        [ERROR, 16, 5],
        [WINDOW, 16, 0],
        [BEGIN, 40, 0],
        [BEGIN, 41, 0],
        [FAIL, 45, 0],
        [FAIL, 46, 1],
        [WINDOW, 46, 0],
        [WINDOW, 10, 0],
        [BEGIN, 100, 0],
        [OK, 101, 0],
        [WINDOW, 101, 0],
        [TOTALS, 101, 0],
        [WINDOW, 10**6, 0],
        [TOTALS, 10**6, 0],
    ]
    cases.append(
        {
            "id": "service/scenario",
            "kind": "service",
            "input": {"slot_ticks": 10, "start_tick": 3, "slots": 4, "events": ev},
        }
    )
    # a long generated sequence over many rotations
    g = _splitmix(11)
    ev2: list[list[int]] = []
    tick = 1000
    for _ in range(600):
        tick += next(g) % 7
        r = next(g) % 100
        if r < 40:
            ev2.append([BEGIN, tick, 0])
        elif r < 65:
            ev2.append([OK, tick, 0])
        elif r < 75:
            ev2.append([FAIL, tick, int(next(g) % 5)])
        elif r < 80:
            ev2.append([DROP, tick, 0])
        elif r < 85:
            ev2.append([REJECT, tick, 0])
        elif r < 90:
            ev2.append([ERROR, tick, int(next(g) % 5)])
        else:
            ev2.append([WINDOW, tick, 0])
    ev2.append([TOTALS, tick, 0])
    cases.append(
        {
            "id": "service/generated-600",
            "kind": "service",
            "input": {"slot_ticks": 25, "start_tick": 1000, "slots": 8, "events": ev2},
        }
    )
    cases.append(
        {
            "id": "service/one-slot",
            "kind": "service",
            "input": {
                "slot_ticks": 1,
                "start_tick": 0,
                "slots": 1,
                "events": [
                    [BEGIN, 0, 0],
                    [BEGIN, 1, 0],
                    [WINDOW, 1, 0],
                    [OK, 2, 0],
                    [WINDOW, 2, 0],
                    [TOTALS, 2, 0],
                ],
            },
        }
    )
    cases.append(
        {
            "id": "service/err-config",
            "kind": "service",
            "input": {"slot_ticks": 0, "start_tick": 0, "slots": 4, "events": []},
        }
    )
    cases += [
        {"id": f"service/category-{c}", "kind": "error_category", "input": {"category": c}}
        for c in range(0, 7)
    ]
    return cases


def _f64bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _latencies(seed: int, n: int) -> list[int]:
    """Heavy-tailed integer latencies in ns (1 us .. ~1 min), from a fixed generator."""
    g = _splitmix(seed)
    out = []
    for _ in range(n):
        r = next(g)
        out.append(1000 + (r % 1000) * (1 << ((r >> 10) % 26)))
    return out


def cases_hist() -> list[dict[str, Any]]:
    one_hour = 3_600_000_000_000
    edge = [0, 1, 999, 1000, 1001, one_hour, one_hour + 1, 2**63, 2**64 - 1]
    cfgs = [
        ("default-1us-1h", 1000, one_hour, 6, _latencies(21, 400) + edge, _latencies(22, 300)),
        ("scale0", 1, 10**6, 0, _latencies(23, 100) + edge, [5, 5, 5, 7, 2**40]),
        ("scale8", 10**5, 10**8, 8, _latencies(24, 200), _latencies(25, 200)),
        ("one-value", 1000, 10**9, 3, [123456], [123456]),
        ("empty-a", 1000, 10**9, 6, [], _latencies(26, 10)),
        ("both-empty", 1, 2**64 - 1, 2, [], []),
        ("full-range", 1, 2**64 - 1, 4, edge + _latencies(27, 100), [2**64 - 1] * 3),
        ("saturating-sum", 1, 2**64 - 1, 1, [2**64 - 1] * 5, [2**64 - 2] * 4),
        ("err-lowest-0", 0, 1000, 6, [], []),
        ("err-scale-9", 1, 1000, 9, [], []),
        ("err-highest-below-lowest", 1000, 999, 6, [], []),
    ]
    cases: list[dict[str, Any]] = [
        {
            "id": f"hist/{n}",
            "kind": "hist",
            "input": {"lowest": lo, "highest": hi, "scale": sc, "a": a, "b": b},
        }
        for n, lo, hi, sc, a, b in cfgs
    ]
    # serialised bytes of a small histogram, then corrupted copies
    from monitor._ffi import ffi, lib

    cfg = ffi.new("mon_hist_config *")
    cfg.lowest, cfg.highest, cfg.scale = 1000, 10**9, 5
    size = int(lib.mon_hist_size(cfg))
    buf = ffi.new("uint64_t[]", (size + 7) // 8)
    lib.mon_hist_init(buf, size, cfg)
    h = ffi.cast("mon_hist *", buf)
    for v in _latencies(28, 50):
        lib.mon_hist_record(h, v)
    good = _hist_bytes(ffi, lib, h)

    def flip(b: bytes, i: int) -> bytes:
        return b[:i] + bytes([b[i] ^ 0x01]) + b[i + 1 :]

    variants = [
        ("valid", good),
        ("empty", b""),
        ("truncated-header", good[:40]),
        ("truncated-tail", good[:-1]),
        ("bad-magic", flip(good, 0)),
        ("bad-version", flip(good, 4) if len(good) > 4 else good),
        ("payload-bit", flip(good, len(good) // 2)),
        ("checksum-bit", flip(good, len(good) - 1)),
        ("extra-byte", good + b"\x00"),
    ]
    reg = os.path.join(ROOT, "csrc", "fuzz", "regressions", "hist_decode", "empty-range-bucket-counts")
    with open(reg, "rb") as fh:  # a fuzzing regression: counts in buckets that hold no integer
        raw = fh.read()
    # the harness recomputes the CRC-32C trailer before decoding; do the same so the case
    # reaches the structural check instead of stopping at the checksum
    crc = int(lib.mon_hist_crc32c(raw[:-4], len(raw) - 4))
    variants.append(("fuzz-empty-range-bucket", raw[:-4] + struct.pack("<I", crc)))
    cases += [
        {"id": f"hist/decode-{n}", "kind": "hist_decode", "input": {"bytes": b.hex()}} for n, b in variants
    ]
    vals = [
        0.0,
        -0.0,
        1.0,
        1.5,
        0.5,
        2.5,
        3.5,
        1e-9,
        5e-324,
        0.0005,
        123.456,
        1e10,
        18446744073709549568.0,
        18446744073709551616.0,
        float("nan"),
        float("inf"),
        float("-inf"),
        -1.0,
        -5e-324,
        4.9999999999999996e-07,
        1.7976931348623157e308,
    ]
    cases += [
        {
            "id": f"hist/f64-unit-{u}",
            "kind": "hist_f64",
            "input": {"unit": u, "bits": [_f64bits(v) for v in vals]},
        }
        for u in (0, 1, 2, 3, 7)
    ]
    values = [
        0,
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        1000,
        1023,
        1024,
        1025,
        10**9,
        2**32 - 1,
        2**32,
        2**53 + 1,
        2**63,
        2**64 - 1,
    ] + _rand_counts(29, 30, 2**64)
    cases += [
        {
            "id": f"hist/index-scale-{sc}",
            "kind": "hist_index",
            "input": {
                "scale": sc,
                "values": values,
                "indices": [-5, -1, 0, 1, 2, 3, 10, 63, 64 * 2**sc - 1, 64 * 2**sc, 64 * 2**sc + 1],
            },
        }
        for sc in (0, 1, 3, 6, 8, 9)
    ]
    return cases


def cases_bin() -> list[dict[str, Any]]:
    inf, nan = float("inf"), float("nan")
    specials = [
        0.0,
        -0.0,
        1.0,
        2.0,
        3.0,
        2.9999999999999996,
        3.0000000000000004,
        -1.0,
        4.0,
        nan,
        inf,
        -inf,
        5e-324,
        -5e-324,
        1.5,
        0.9999999999999999,
    ]
    g = _splitmix(31)
    rnd = [((next(g) % 2000001) - 1000000) / 1000.0 for _ in range(2000)]
    qedges = sorted(set(rnd[:11]))
    specs: list[tuple[str, list[float], list[float]]] = [
        ("unit-edges", [0.0, 1.0, 2.0, 3.0], specials),
        ("infinite-outer", [-inf, 0.0, 1.0, inf], specials + rnd[:50]),
        ("single-bin", [-1.0, 1.0], specials),
        ("quantile-edges-2000", qedges, rnd),
        (
            "tiny-gaps",
            [1.0, 1.0000000000000002, 1.0000000000000004],
            specials + [1.0000000000000002, 1.0000000000000004, 1.0000000000000007],
        ),
        ("no-values", [0.0, 1.0], []),
        ("err-not-increasing", [0.0, 1.0, 1.0], [0.5]),
        ("err-nan-edge", [0.0, nan, 1.0], [0.5]),
        ("err-one-edge", [0.0], [0.5]),
        ("err-decreasing", [1.0, 0.0], [0.5]),
    ]
    cases: list[dict[str, Any]] = [
        {
            "id": f"bin/{n}",
            "kind": "bin",
            "input": {"edges": [_f64bits(e) for e in ed], "values": [_f64bits(v) for v in vs]},
        }
        for n, ed, vs in specs
    ]
    cases += [
        {
            "id": "bin/codes",
            "kind": "bin_codes",
            "input": {"ncodes": 5, "codes": [0, 1, 2, 3, 4, 5, -1, 2**63 - 1, -(2**63), 4, 4, 0]},
        },
        {"id": "bin/codes-err-ncodes-0", "kind": "bin_codes", "input": {"ncodes": 0, "codes": [1]}},
    ]
    sel_vals = rnd[:500] + [nan, -0.0, 0.0, inf, -inf, 3.0, 3.0, 3.0, nan]
    n = len(sel_vals)
    cases += [
        {
            "id": "bin/select-509",
            "kind": "select",
            "input": {
                "values": [_f64bits(v) for v in sel_vals],
                "ranks": [0, 1, 2, 100, 254, 255, 256, 400, n - 3, n - 2, n - 1],
            },
        },
        {"id": "bin/select-one", "kind": "select", "input": {"values": [_f64bits(-0.0)], "ranks": [0]}},
        {
            "id": "bin/select-err-rank",
            "kind": "select",
            "input": {"values": [_f64bits(1.0), _f64bits(2.0)], "ranks": [2]},
        },
        {
            "id": "bin/select-err-decreasing",
            "kind": "select",
            "input": {"values": [_f64bits(1.0), _f64bits(2.0)], "ranks": [1, 0]},
        },
        {"id": "bin/select-err-empty", "kind": "select", "input": {"values": [], "ranks": [0]}},
    ]
    return cases


# (builder, kind that must be available for its cases)
CASE_BUILDERS: list[tuple[Callable[[], list[dict[str, Any]]], str]] = [
    (cases_status, "status"),
    (cases_drift, "drift"),
    (cases_service, "service"),
    (cases_hist, "hist"),
    (cases_bin, "bin"),
]


def build_doc() -> dict[str, Any]:
    cases = []
    avail = set(_verify.available_kinds())
    for builder, kind in CASE_BUILDERS:
        if kind not in avail:
            print(f"module for {kind!r} cases not built: skipped")
            continue
        for case in builder():
            outs = _verify.compute_case(case)
            case["expected"] = [{"name": n, "type": t, "value": v} for n, t, v in outs]
            cases.append(case)
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    doc: dict[str, Any] = {
        "format": _verify.GOLDEN_FORMAT,
        "version": _verify.GOLDEN_VERSION,
        "description": "Inputs and exact expected outputs of the monitor C core; checked by "
        "`python -m monitor verify` and csrc/tests/test_golden.c. Digest: see monitor/_verify.py.",
        "changes": GOLDEN_CHANGES,
        "cases": cases,
    }
    doc["digest"] = _verify.expected_digest(doc)
    return doc


def dump_json(doc: dict[str, Any]) -> str:
    """The envelope indented, one case per line (compact, diffable case by case)."""
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f" {json.dumps(k)}: {json.dumps(v)},")
    lines.append(' "cases": [')
    cases = [json.dumps(c, separators=(",", ":")) for c in doc["cases"]]
    lines.append(",\n".join("  " + c for c in cases))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# C header
# ---------------------------------------------------------------------------------------------


def _c_str(s: str) -> str:
    out = []
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append(f"\\{ch:03o}")
    return '"' + "".join(out) + '"'


def _c_bytes(b: bytes) -> str:
    if not b:
        return "{0}"
    items = [f"0x{x:02x}" for x in b]
    lines = [", ".join(items[i : i + 16]) for i in range(0, len(items), 16)]
    return "{\n    " + ",\n    ".join(lines) + "\n}"


def _c_u64s(vals: list[int]) -> str:
    if not vals:
        return "{0}"
    return "{" + ", ".join(f"UINT64_C({v})" for v in vals) + "}"


class HeaderWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def sym(self, prefix: str) -> str:
        self.n += 1
        return f"golden_{prefix}{self.n}"

    def add(self, line: str = "") -> None:
        self.lines.append(line)


def _kind_status(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    w.add("typedef struct { const char *id; int code; } golden_status_case;")
    w.add("static const golden_status_case golden_status_cases[] = {")
    for c in cases:
        w.add(f"    {{{_c_str(c['id'])}, {int(c['input']['code'])}}},")
    w.add("};")


def _u64_array(w: HeaderWriter, vals: list[int]) -> str:
    s = w.sym("u")
    w.add(f"static const uint64_t {s}[] = {_c_u64s(vals)};")
    return s


def _kind_drift(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        p, q = _u64_array(w, i["p"]), _u64_array(w, i["q"])
        o = i.get("psi")
        opt = (
            f"1, {o['smoothing']}u, UINT64_C({o['eps_mant']}), {o['eps_exp2']}"
            if o is not None
            else "0, 0u, UINT64_C(0), 0"
        )
        rows.append(f"    {{{_c_str(c['id'])}, {p}, {q}, {i['nbins']}, {opt}}},")
    w.add(
        "typedef struct { const char *id; const uint64_t *p; const uint64_t *q; size_t nbins;"
        " int has_opt; uint32_t smoothing; uint64_t eps_mant; int32_t eps_exp2; }"
        " golden_drift_case;"
    )
    w.add("static const golden_drift_case golden_drift_cases[] = {")
    w.lines += rows
    w.add("};")


def _kind_drift_log2(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        x = c["input"]["x"]
        rows.append(f"    {{{_c_str(c['id'])}, {_u64_array(w, x)}, {len(x)}}},")
    w.add("typedef struct { const char *id; const uint64_t *x; size_t n; } golden_drift_log2_case;")
    w.add("static const golden_drift_log2_case golden_drift_log2_cases[] = {")
    w.lines += rows
    w.add("};")


def _kind_service(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    w.add("typedef struct { int op; uint64_t tick; int arg; } golden_event;")
    rows = []
    for c in cases:
        i = c["input"]
        ev = w.sym("ev")
        items = ", ".join(f"{{{op}, UINT64_C({t}), {a}}}" for op, t, a in i["events"]) or "{0, 0, 0}"
        w.add(f"static const golden_event {ev}[] = {{{items}}};")
        rows.append(
            f"    {{{_c_str(c['id'])}, UINT64_C({i['slot_ticks']}), "
            f"UINT64_C({i['start_tick']}), {i['slots']}u, {ev}, {len(i['events'])}}},"
        )
    w.add(
        "typedef struct { const char *id; uint64_t slot_ticks; uint64_t start_tick; uint32_t slots;"
        " const golden_event *events; size_t n_events; } golden_service_case;"
    )
    w.add("static const golden_service_case golden_service_cases[] = {")
    w.lines += rows
    w.add("};")


def _kind_error_category(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    w.add("typedef struct { const char *id; int category; } golden_error_category_case;")
    w.add("static const golden_error_category_case golden_error_category_cases[] = {")
    for c in cases:
        w.add(f"    {{{_c_str(c['id'])}, {int(c['input']['category'])}}},")
    w.add("};")


def _i64_array(w: HeaderWriter, vals: list[int]) -> str:
    s = w.sym("i")
    body = (
        ", ".join(f"INT64_C({v})" if v != -(2**63) else "(-INT64_C(9223372036854775807) - 1)" for v in vals)
        or "0"
    )
    w.add(f"static const int64_t {s}[] = {{{body}}};")
    return s


def _bytes_array(w: HeaderWriter, b: bytes) -> str:
    s = w.sym("d")
    w.add(f"static const unsigned char {s}[] = {_c_bytes(b)};")
    return s


def _table(w: HeaderWriter, kind: str, fields: str, rows: list[str]) -> None:
    w.add(f"typedef struct {{ const char *id; {fields} }} golden_{kind}_case;")
    w.add(f"static const golden_{kind}_case golden_{kind}_cases[] = {{")
    w.lines += rows
    w.add("};")


def _kind_hist(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        a, b = _u64_array(w, i["a"]), _u64_array(w, i["b"])
        rows.append(
            f"    {{{_c_str(c['id'])}, UINT64_C({i['lowest']}), UINT64_C({i['highest']}), "
            f"{i['scale']}, {a}, {len(i['a'])}, {b}, {len(i['b'])}}},"
        )
    _table(
        w,
        "hist",
        "uint64_t lowest; uint64_t highest; int32_t scale; const uint64_t *a; "
        "size_t na; const uint64_t *b; size_t nb;",
        rows,
    )


def _kind_hist_decode(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        b = bytes.fromhex(c["input"]["bytes"])
        rows.append(f"    {{{_c_str(c['id'])}, {_bytes_array(w, b)}, {len(b)}}},")
    _table(w, "hist_decode", "const unsigned char *bytes; size_t len;", rows)


def _kind_hist_f64(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        rows.append(f"    {{{_c_str(c['id'])}, {i['unit']}u, {_u64_array(w, i['bits'])}, {len(i['bits'])}}},")
    _table(w, "hist_f64", "uint32_t unit; const uint64_t *bits; size_t n;", rows)


def _kind_hist_index(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        rows.append(
            f"    {{{_c_str(c['id'])}, {i['scale']}, {_u64_array(w, i['values'])}, "
            f"{len(i['values'])}, {_i64_array(w, i['indices'])}, {len(i['indices'])}}},"
        )
    _table(
        w,
        "hist_index",
        "int32_t scale; const uint64_t *values; size_t nvalues; const int64_t *indices; size_t nindices;",
        rows,
    )


def _kind_bin(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        rows.append(
            f"    {{{_c_str(c['id'])}, {_u64_array(w, i['edges'])}, {len(i['edges'])}, "
            f"{_u64_array(w, i['values'])}, {len(i['values'])}}},"
        )
    _table(w, "bin", "const uint64_t *edges; size_t nedges; const uint64_t *values; size_t n;", rows)


def _kind_bin_codes(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        rows.append(
            f"    {{{_c_str(c['id'])}, {i['ncodes']}, {_i64_array(w, i['codes'])}, {len(i['codes'])}}},"
        )
    _table(w, "bin_codes", "size_t ncodes; const int64_t *codes; size_t n;", rows)


def _kind_select(w: HeaderWriter, cases: list[dict[str, Any]]) -> None:
    rows = []
    for c in cases:
        i = c["input"]
        rows.append(
            f"    {{{_c_str(c['id'])}, {_u64_array(w, i['values'])}, {len(i['values'])}, "
            f"{_u64_array(w, i['ranks'])}, {len(i['ranks'])}}},"
        )
    _table(w, "select", "const uint64_t *values; size_t n; const uint64_t *ranks; size_t nranks;", rows)


# kind -> emitter of its input table (the C program has one runner per kind)
KIND_EMITTERS: dict[str, Callable[[HeaderWriter, list[dict[str, Any]]], None]] = {
    "status": _kind_status,
    "drift": _kind_drift,
    "drift_log2": _kind_drift_log2,
    "service": _kind_service,
    "error_category": _kind_error_category,
    "hist": _kind_hist,
    "hist_decode": _kind_hist_decode,
    "hist_f64": _kind_hist_f64,
    "hist_index": _kind_hist_index,
    "bin": _kind_bin,
    "bin_codes": _kind_bin_codes,
    "select": _kind_select,
}


def render_header(doc: dict[str, Any]) -> str:
    w = HeaderWriter()
    w.add("/* Generated by tools/gen/golden.py from monitor/data/golden_v2.json - do not edit. */")
    w.add("#ifndef GOLDEN_V1_DATA_H")
    w.add("#define GOLDEN_V1_DATA_H")
    w.add("#include <stddef.h>")
    w.add("#include <stdint.h>")
    w.add("")
    w.add(f"#define GOLDEN_VERSION {doc['version']}")
    w.add(f"#define GOLDEN_DIGEST {_c_str(doc['digest'])}")
    w.add("")
    kinds = [k for k in KIND_EMITTERS if any(c["kind"] == k for c in doc["cases"])]
    unknown = {c["kind"] for c in doc["cases"]} - set(KIND_EMITTERS)
    if unknown:
        raise SystemExit(f"no C emitter for kinds {sorted(unknown)}")
    w.add("enum golden_kind {")
    for k in kinds:
        w.add(f"    GOLDEN_KIND_{k.upper()},")
    w.add("    GOLDEN_KIND_COUNT")
    w.add("};")
    for k in kinds:
        w.add(f"#define GOLDEN_HAVE_{k.upper()} 1")
    w.add("")
    index: dict[str, int] = {}
    order = []
    for c in doc["cases"]:
        i = index.get(c["kind"], 0)
        index[c["kind"]] = i + 1
        order.append((c["kind"], i))
    for k in kinds:
        w.add(f"/* ---- kind {k} ---- */")
        KIND_EMITTERS[k](w, [c for c in doc["cases"] if c["kind"] == k])
        w.add("")
    w.add("/* Cases in file order: (kind, index into that kind's table). */")
    w.add("typedef struct { int kind; size_t index; } golden_order_entry;")
    w.add("static const golden_order_entry golden_order[] = {")
    for k, i in order:
        w.add(f"    {{GOLDEN_KIND_{k.upper()}, {i}}},")
    w.add("};")
    w.add(f"#define GOLDEN_N_CASES {len(order)}")
    w.add("")
    w.add("/* Expected outputs in file order: case id, output name, canonical bytes. */")
    recs = []
    for c in doc["cases"]:
        for o in c["expected"]:
            payload = _verify.encode_value(o["type"], o["value"])
            s = w.sym("b")
            w.add(f"static const unsigned char {s}[] = {_c_bytes(payload)};")
            recs.append((c["id"], o["name"], s, len(payload)))
    w.add(
        "typedef struct { const char *id; const char *name; const unsigned char *bytes; "
        "size_t len; } golden_record;"
    )
    w.add("static const golden_record golden_expected[] = {")
    for cid, name, s, n in recs:
        w.add(f"    {{{_c_str(cid)}, {_c_str(name)}, {s}, {n}}},")
    w.add("};")
    w.add(f"#define GOLDEN_N_EXPECTED {len(recs)}")
    w.add("")
    w.add("#endif")
    return "\n".join(w.lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Rule vectors (monitor/data/golden_rules_v1.json, csrc/tests/golden_rules_v1_data.h)
# ---------------------------------------------------------------------------------------------

RULES_JSON_PATH = os.path.join(ROOT, "monitor", "data", "golden_rules_v1.json")
RULES_HEADER_PATH = os.path.join(ROOT, "csrc", "tests", "golden_rules_v1_data.h")
NAN = float("nan")
INF = float("inf")


def _rule(kind: str = "threshold", op: str = ">", threshold: float = 10.0, **kw: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "kind": kind,
        "op": op,
        "threshold": threshold,
        "clear": None,
        "for": 0,
        "keep_firing_for": 0,
        "window": 0,
        "resolution": 0,
        "relative": False,
        "no_data": "inactive",
    }
    if kind == "rate":
        r.update(window=10, resolution=2)
    r.update(kw)
    return r


def _steps(pairs: list[tuple[int, float | None]]) -> list[list[Any]]:
    return [[t, None if v is None else _f64bits(v)] for t, v in pairs]


def _seq(values: list[float | None], start: int = 0, dt: int = 1) -> list[tuple[int, float | None]]:
    return [(start + i * dt, v) for i, v in enumerate(values)]


def cases_rules() -> list[dict[str, Any]]:
    flap = [5.0, 12.0, 12.0, 9.0, 12.0, 12.0, 12.0, 12.0, 9.0, 12.0, 9.0, 12.0]
    c: list[tuple[str, dict[str, Any], list[tuple[int, float | None]]]] = [
        ("threshold/gt-immediate", _rule(), _seq(flap)),
        ("threshold/gt-for-3", _rule(**{"for": 3}), _seq(flap)),
        ("threshold/ge-edge", _rule(op=">=", **{"for": 1}), _seq([9.0, 10.0, 10.0, 10.0, 9.999999999999998])),
        ("threshold/lt-edge", _rule(op="<", threshold=0.5), _seq([0.5, 0.49999999999999994, 0.5, -INF, INF])),
        ("threshold/le-edge", _rule(op="<=", threshold=-1.0), _seq([-0.5, -1.0, -1.0000000000000002, 0.0])),
        ("threshold/inf-values", _rule(threshold=1e308), _seq([INF, 1e308, -INF, INF, 5e-324])),
        (
            "threshold/hysteresis",
            _rule(clear=8.0),
            _seq([12.0, 9.0, 8.5, 8.0, 9.0, 11.0, 10.0, 7.0, 10.5]),
        ),
        (
            "threshold/hysteresis-lt-for",
            _rule(op="<", threshold=2.0, clear=3.0, **{"for": 2}),
            _seq([1.0, 2.5, 1.0, 1.5, 1.9, 2.9, 3.0, 1.0]),
        ),
        (
            "threshold/keep-firing-for",
            _rule(keep_firing_for=5),
            _seq([12.0, 5.0, 5.0, 12.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 12.0]),
        ),
        (
            "threshold/for-and-keep",
            _rule(**{"for": 2, "keep_firing_for": 3}),
            _seq([12.0, 5.0, 12.0, 12.0, 12.0, 5.0, 12.0, 5.0, 5.0, 5.0, 5.0]),
        ),
        (
            "threshold/nan-and-missing",
            _rule(**{"for": 1}),
            _seq([12.0, NAN, 12.0, 12.0, None, 12.0, 12.0, NAN, NAN]),
        ),
        (
            "threshold/nan-keep",
            _rule(no_data="keep", **{"for": 1, "keep_firing_for": 2}),
            _seq([12.0, NAN, 12.0, None, NAN, 5.0, NAN, None, 5.0, 5.0, 5.0]),
        ),
        (
            "threshold/step-back",
            _rule(**{"for": 4}),
            [
                (0, 12.0),
                (5, 12.0),
                (3, 12.0),
                (5, 5.0),
                (6, 12.0),
                (4, 12.0),
                (10, 12.0),
                (9, 5.0),
                (11, 5.0),
            ],
        ),
        (
            "threshold/jump-and-repeat",
            _rule(**{"for": 10, "keep_firing_for": 100}),
            [
                (0, 12.0),
                (0, 12.0),
                (9, 12.0),
                (1000000, 12.0),
                (1000000, 5.0),
                (1000099, 5.0),
                (1000100, 5.0),
            ],
        ),
        (
            "rate/absolute",
            _rule("rate", threshold=5.0),
            _seq([0.0, 1.0, 3.0, 6.0, 10.0, 11.0, 12.0, 13.0, 30.0, 30.0], dt=3),
        ),
        (
            "rate/relative-zero-past",
            _rule("rate", threshold=0.5, relative=True, window=4, resolution=1),
            _seq([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0, 0.0, 0.0, 2.0], dt=2),
        ),
        (
            "rate/relative-drop",
            _rule("rate", op="<=", threshold=-0.3, relative=True, window=6, resolution=3, **{"for": 2}),
            _seq([100.0, 100.0, 90.0, 80.0, 70.0, 60.0, 55.0, 55.0, 60.0, 100.0, 100.0, 100.0]),
        ),
        (
            "rate/nan-inf",
            _rule("rate", threshold=1.0, window=2, resolution=2),
            _seq([1.0, NAN, 3.0, INF, 5.0, None, 9.0, -INF, 9.0, 9.0]),
        ),
        (
            "rate/step-back-jump",
            _rule("rate", op=">=", threshold=2.0, window=5, resolution=5, keep_firing_for=3),
            [
                (0, 0.0),
                (2, 1.0),
                (1, 9.0),
                (6, 3.0),
                (7, 4.0),
                (100, 4.0),
                (104, 7.0),
                (105, 7.0),
                (108, 7.0),
            ],
        ),
        (
            "rate/hysteresis-free-flap",
            _rule("rate", op=">", threshold=0.0, window=1, resolution=60, **{"for": 1}),
            _seq([0.0, 1.0, 2.0, 1.0, 2.0, 3.0, 3.0, 4.0, 3.0]),
        ),
    ]
    # Random scenarios: ticks that mostly advance, sometimes repeat, step back or jump; values
    # from a small set around the levels, with NaN and missing samples.
    palette = [5.0, 9.0, 10.0, 11.0, 15.0, NAN, None, 8.0, 12.0, -3.0]
    for i in range(8):
        g = _splitmix(1000 + i)
        t = 0
        pairs: list[tuple[int, float | None]] = []
        for _ in range(40):
            r = next(g) % 16
            if r == 0:
                t = max(0, t - 1 - int(next(g) % 4))
                step_t = t
            elif r == 1:
                step_t = t + 50 + int(next(g) % 50)
            else:
                step_t = t + int(next(g) % 3)
            t = max(t, step_t) if r != 0 else t
            pairs.append((step_t, palette[next(g) % len(palette)]))
        kind = "rate" if i % 2 else "threshold"
        op = [">", ">=", "<", "<="][i % 4]
        kw: dict[str, Any] = {"for": int(next(g) % 4), "keep_firing_for": int(next(g) % 5)}
        if kind == "threshold" and i % 3 == 0:
            kw["clear"] = 9.0 if op in (">", ">=") else 11.0
        if i % 4 == 3:
            kw["no_data"] = "keep"
        if kind == "rate":
            kw.update(window=3 + i, resolution=1 + i % 3, relative=bool(i % 3 == 1))
            rule = _rule(kind, op=op, threshold=1.0 if op in (">", ">=") else -1.0, **kw)
        else:
            rule = _rule(kind, op=op, threshold=10.0, **kw)
        c.append((f"random/{i}", rule, pairs))
    return [{"id": cid, "rule": rule, "steps": _steps(pairs)} for cid, rule, pairs in c]


def build_rules_doc() -> dict[str, Any]:
    from monitor.alerts import golden_rules as gr

    cases = cases_rules()
    for case in cases:
        case["expected"] = gr.run_case(case)
    doc: dict[str, Any] = {
        "format": gr.GOLDEN_RULES_FORMAT,
        "version": gr.GOLDEN_RULES_VERSION,
        "description": "Rule scenarios (ticks in seconds, values as double bits, null = missing) and the "
        "[status, phase, transition, no_data] of every step through the AlertEngine; checked by "
        "`python -m monitor verify` and csrc/tests/test_rules_golden.c. See monitor/alerts/golden_rules.py.",
        "cases": cases,
    }
    doc["digest"] = gr.rules_digest((c["id"], c["expected"]) for c in cases)
    return doc


_OPS_C = {">": "MON_RULE_GT", ">=": "MON_RULE_GE", "<": "MON_RULE_LT", "<=": "MON_RULE_LE"}
_NS = 10**9
_BIAS = 2**63


def render_rules_header(doc: dict[str, Any]) -> str:
    """Configs in nanosecond ticks (as the engine hands them to mon_rule_step), steps, records."""
    w = HeaderWriter()
    w.add("/* Generated by tools/gen/golden.py from monitor/data/golden_rules_v1.json - do not edit. */")
    w.add("#ifndef GOLDEN_RULES_V1_DATA_H")
    w.add("#define GOLDEN_RULES_V1_DATA_H")
    w.add("#include <stddef.h>")
    w.add("#include <stdint.h>")
    w.add('#include "mon_rules.h"')
    w.add("")
    w.add(f"#define GOLDEN_RULES_DIGEST {_c_str(doc['digest'])}")
    w.add("#define GOLDEN_RULES_MISSING UINT64_C(0x7ff8000000000000) /* a missing sample is NaN */")
    w.add("typedef struct { uint64_t tick; uint64_t bits; unsigned char expect[4]; } golden_rules_step;")
    w.add(
        "typedef struct { const char *id; uint32_t kind, op; uint64_t threshold, clear; uint32_t has_clear,"
    )
    w.add("    no_data; uint64_t for_ticks, keep_ticks, window_ticks; uint32_t resolution, relative;")
    w.add("    const golden_rules_step *steps; size_t n_steps; } golden_rules_case;")
    rows = []
    for case in doc["cases"]:
        r = case["rule"]
        sym = w.sym("rs")
        w.add(f"static const golden_rules_step {sym}[] = {{")
        for (t, bits), e in zip(case["steps"], case["expected"]):
            b = "GOLDEN_RULES_MISSING" if bits is None else f"UINT64_C({bits})"
            w.add(f"    {{UINT64_C({t * _NS + _BIAS}), {b}, {{{e[0]}, {e[1]}, {e[2]}, {e[3]}}}}},")
        w.add("};")
        kind = "MON_RULE_RATE" if r["kind"] == "rate" else "MON_RULE_THRESHOLD"
        clear = r["clear"]
        rate = r["kind"] == "rate"
        nodata = "MON_RULE_NODATA_KEEP" if r["no_data"] == "keep" else "MON_RULE_NODATA_FALSE"
        rows.append(
            f"    {{{_c_str(case['id'])}, {kind}, {_OPS_C[r['op']]}, UINT64_C({_f64bits(float(r['threshold']))}), "
            f"UINT64_C({_f64bits(0.0 if clear is None else float(clear))}), {int(clear is not None)}, {nodata}, "
            f"UINT64_C({int(r['for']) * _NS}), UINT64_C({int(r['keep_firing_for']) * _NS}), "
            f"UINT64_C({int(r['window']) * _NS if rate else 0}), {int(r['resolution']) if rate else 0}, "
            f"{int(bool(r['relative'])) if rate else 0}, {sym}, {len(case['steps'])}}},"
        )
    w.add("static const golden_rules_case golden_rules_cases[] = {")
    for row in rows:
        w.add(row)
    w.add("};")
    w.add(f"#define GOLDEN_RULES_N_CASES {len(rows)}")
    w.add("")
    w.add("#endif")
    return "\n".join(w.lines) + "\n"


def dump_rules_json(doc: dict[str, Any]) -> str:
    return dump_json(doc)


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "check"
    if cmd == "gen":
        doc = build_doc()
        text = dump_json(doc)
        _write(JSON_PATH, text)
        _write(HEADER_PATH, render_header(doc))
        print(f"wrote {len(doc['cases'])} cases, digest {doc['digest']}")
        rdoc = build_rules_doc()
        _write(RULES_JSON_PATH, dump_rules_json(rdoc))
        _write(RULES_HEADER_PATH, render_rules_header(rdoc))
        print(f"wrote {len(rdoc['cases'])} rule cases, digest {rdoc['digest']}")
        return 0
    if cmd == "gen-rules":  # only the rule vectors (golden_v2.json untouched)
        rdoc = build_rules_doc()
        _write(RULES_JSON_PATH, dump_rules_json(rdoc))
        _write(RULES_HEADER_PATH, render_rules_header(rdoc))
        print(f"wrote {len(rdoc['cases'])} rule cases, digest {rdoc['digest']}")
        return 0
    doc = _verify.load_golden(JSON_PATH)
    with open(RULES_JSON_PATH, encoding="utf-8") as fh:
        rules_doc = json.load(fh)
    if cmd == "header":
        _write(HEADER_PATH, render_header(doc))
        _write(RULES_HEADER_PATH, render_rules_header(rules_doc))
        return 0
    if cmd == "check":
        ok = True
        if _read(HEADER_PATH) != render_header(doc):
            print("csrc/tests/golden_v2_data.h is out of date: python tools/gen/golden.py header")
            ok = False
        if doc["digest"] != _verify.expected_digest(doc):
            print("the file's digest does not match its expected outputs")
            ok = False
        if _read(RULES_HEADER_PATH) != render_rules_header(rules_doc):
            print("csrc/tests/golden_rules_v1_data.h is out of date: python tools/gen/golden.py header")
            ok = False
        try:
            from monitor.alerts.golden_rules import rules_digest
        except ImportError:  # no compiled core here: the tests and `monitor verify` check it
            print("golden_rules_v1.json's digest not checked (the package is not importable)")
        else:
            if rules_doc["digest"] != rules_digest((c["id"], c["expected"]) for c in rules_doc["cases"]):
                print("golden_rules_v1.json's digest does not match its expected records")
                ok = False
        print("golden files consistent" if ok else "golden files INCONSISTENT")
        return 0 if ok else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
