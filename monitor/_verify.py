"""Golden-vector verification: ``python -m monitor verify``.

The golden file (``golden_v1.json``, stored once, in ``monitor/data``: the package ships it and the
tests read it there) lists inputs and the exact outputs the C core must produce for
them: raw fixed-point drift results, histogram bytes, quantiles, merge results, status strings.
This module recomputes every output through the installed package, compares it with the file,
and digests the outputs it computed, so the digest is the same on every platform where the
outputs are the same. The C program ``csrc/tests/test_golden.c`` checks the same data and
prints the same digest.

Digest (``sha256`` over a canonical byte stream, version 1): the ASCII bytes
``monitor-golden-v1`` and one 0x00 byte, then for every output in file order (cases in order,
outputs of a case in order) three length-prefixed fields: case id, output name, output bytes,
each as a little-endian uint32 length followed by the bytes. Output bytes: ``u8/u16/u32/u64``
and ``i8/i16/i32/i64`` as little-endian two's-complement integers of that width, ``u128`` as a
16-byte little-endian unsigned integer, ``str`` as its
UTF-8 bytes, ``bytes`` as the bytes themselves (hex in the file), ``<type>[]`` (e.g. ``u64[]``, ``i32[]``, ``u128[]``) as the concatenation of its elements' bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TextIO

GOLDEN_FORMAT = "monitor-golden"
GOLDEN_VERSION = 1
DIGEST_PREFIX = b"monitor-golden-v1\x00"

_WIDE = {"u128": 16}

_INT_FORMATS = {
    "u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q",
    "i8": "<b", "i16": "<h", "i32": "<i", "i64": "<q",
}

Output = tuple[str, str, Any]  # (name, type, value)


def default_golden_path() -> str:
    """Path of the golden file shipped with the package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "golden_v1.json")


def encode_value(typ: str, value: Any) -> bytes:
    """Canonical bytes of one output value (see the module docstring)."""
    if typ in _INT_FORMATS:
        return struct.pack(_INT_FORMATS[typ], value)
    if typ in _WIDE:
        return int(value).to_bytes(_WIDE[typ], "little")
    if typ.endswith("[]") and (typ[:-2] in _INT_FORMATS or typ[:-2] in _WIDE):
        return b"".join(encode_value(typ[:-2], v) for v in value)
    if typ == "str":
        return str(value).encode("utf-8")
    if typ == "bytes":
        return bytes.fromhex(value) if isinstance(value, str) else bytes(value)
    raise ValueError(f"unknown golden output type {typ!r}")


def _lp(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def record_bytes(case_id: str, name: str, payload: bytes) -> bytes:
    """One length-prefixed digest record: case id, output name, output bytes."""
    return _lp(case_id.encode("utf-8")) + _lp(name.encode("utf-8")) + _lp(payload)


def digest_of(records: Iterable[bytes]) -> str:
    """SHA-256 (hex) of the canonical stream made of ``records``."""
    h = hashlib.sha256(DIGEST_PREFIX)
    for r in records:
        h.update(r)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Case kinds: each computes the outputs of one case from its inputs through the package.
# ---------------------------------------------------------------------------------------------


def _case_status(inp: dict[str, Any]) -> list[Output]:
    from ._ffi import ffi, lib

    code = int(inp["code"])
    return [
        ("name", "str", ffi.string(lib.mon_status_name(code)).decode("ascii")),
        ("message", "str", ffi.string(lib.mon_status_str(code)).decode("ascii")),
    ]


def _u128(v: Any) -> int:
    return (int(v.hi) << 64) | int(v.lo)


def _case_drift(inp: dict[str, Any]) -> list[Output]:
    """mon_drift_scores (TV, JS, JS distance, PSI raw fixed point) and mon_drift_tv/js/psi."""
    from ._ffi import ffi, lib

    p = ffi.new("uint64_t[]", [int(x) for x in inp["p"]] or [0])
    q = ffi.new("uint64_t[]", [int(x) for x in inp["q"]] or [0])
    n = int(inp["nbins"])
    opt = ffi.NULL
    if inp.get("psi") is not None:
        opt = ffi.new("mon_psi_options *")
        opt.smoothing = int(inp["psi"]["smoothing"])
        opt.eps_mant = int(inp["psi"]["eps_mant"])
        opt.eps_exp2 = int(inp["psi"]["eps_exp2"])
    res = ffi.new("mon_drift_result *")
    st = int(lib.mon_drift_scores(p, q, n, opt, res))
    out: list[Output] = [("status", "i32", st)]
    if st == 0:
        out += [
            ("tv_raw", "u128", _u128(res.tv_raw)),
            ("tv_num", "u128", _u128(res.tv_num)),
            ("tv_den", "u128", _u128(res.tv_den)),
            ("js_raw", "u128", _u128(res.js_raw)),
            ("js_distance_raw", "u64", int(res.js_distance_raw)),
            ("psi_raw", "u128", _u128(res.psi_raw)),
            ("total_actual", "u64", int(res.total_actual)),
            ("total_expected", "u64", int(res.total_expected)),
        ]
    # the single-metric entry points must agree with mon_drift_scores (same status, same bits)
    a, b, c = ffi.new("mon_u128 *"), ffi.new("mon_u128 *"), ffi.new("mon_u128 *")
    st_tv = int(lib.mon_drift_tv(p, q, n, a, b, c))
    out.append(("tv_status", "i32", st_tv))
    if st_tv == 0:
        out.append(("tv_single", "u128[]", [_u128(a[0]), _u128(b[0]), _u128(c[0])]))
    js, dist = ffi.new("mon_u128 *"), ffi.new("uint64_t *")
    st_js = int(lib.mon_drift_js(p, q, n, js, dist))
    out.append(("js_status", "i32", st_js))
    if st_js == 0:
        out.append(("js_single", "u128", _u128(js[0])))
        out.append(("js_distance_single", "u64", int(dist[0])))
    psi = ffi.new("mon_u128 *")
    st_psi = int(lib.mon_drift_psi(p, q, n, opt, psi))
    out.append(("psi_status", "i32", st_psi))
    if st_psi == 0:
        out.append(("psi_single", "u128", _u128(psi[0])))
    return out


def _case_drift_log2(inp: dict[str, Any]) -> list[Output]:
    from ._ffi import lib

    return [("log2", "u128[]", [_u128(lib.mon_drift_log2_u64(int(x))) for x in inp["x"]])]


_SERVICE_OPS = ("begin", "ok", "fail", "drop", "reject", "error", "window", "totals")


def _service_counts(c: Any) -> list[int]:
    return [int(c.received), int(c.processed), int(c.dropped), int(c.failed),
            int(c.in_flight)] + [int(c.errors[i]) for i in range(5)]


def _case_service(inp: dict[str, Any]) -> list[Output]:
    """A recorded event sequence; statuses of every call, then totals and window snapshots."""
    from ._ffi import ffi, lib

    cfg = ffi.new("mon_service_config *")
    cfg.slot_ticks, cfg.start_tick = int(inp["slot_ticks"]), int(inp["start_tick"])
    cfg.slots, cfg.flags = int(inp["slots"]), 0
    # (the size itself is not an output: memory layout may legitimately differ by platform)
    size = int(lib.mon_service_size(cfg))
    buf = ffi.new("uint64_t[]", max(1, (size + 7) // 8))
    st = int(lib.mon_service_init(buf, size, cfg))
    out: list[Output] = [("init", "i32", st)]
    if st != 0:
        return out
    s = ffi.cast("mon_service *", buf)
    statuses: list[int] = []
    snaps: list[int] = []
    for op, tick, arg in inp["events"]:
        op_name = _SERVICE_OPS[op]
        if op_name == "begin":
            lib.mon_service_begin(s, tick)
            statuses.append(0)
        elif op_name == "reject":
            lib.mon_service_reject(s, tick)
            statuses.append(0)
        elif op_name == "ok":
            statuses.append(int(lib.mon_service_ok(s, tick)))
        elif op_name == "drop":
            statuses.append(int(lib.mon_service_drop(s, tick)))
        elif op_name == "fail":
            statuses.append(int(lib.mon_service_fail(s, tick, arg)))
        elif op_name == "error":
            statuses.append(int(lib.mon_service_error(s, tick, arg)))
        elif op_name == "window":
            w = ffi.new("mon_service_window *")
            statuses.append(int(lib.mon_service_window_counts(s, tick, w)))
            snaps += _service_counts(w.counts) + [int(w.from_tick), int(w.to_tick),
                                                  int(w.span_ticks)]
        else:
            t = ffi.new("mon_service_counts *")
            statuses.append(int(lib.mon_service_totals(s, t)))
            snaps += _service_counts(t)
    out += [("statuses", "i32[]", statuses), ("snapshots", "u64[]", snaps)]
    return out


def _case_error_category(inp: dict[str, Any]) -> list[Output]:
    from ._ffi import ffi, lib

    name = lib.mon_error_category_name(int(inp["category"]))
    return [("name", "str", "" if name == ffi.NULL else ffi.string(name).decode("ascii"))]


_QUANTILES = [(0, 1), (1, 1000), (1, 100), (1, 4), (1, 2), (3, 4), (9, 10), (99, 100),
              (999, 1000), (1, 1)]


def _hist_new(ffi: Any, lib: Any, cfg: Any) -> tuple[Any, Any, int]:
    size = int(lib.mon_hist_size(cfg))
    buf = ffi.new("uint64_t[]", max(1, (size + 7) // 8))
    return buf, ffi.cast("mon_hist *", buf), size


def _hist_bytes(ffi: Any, lib: Any, h: Any) -> bytes:
    cap = int(lib.mon_hist_serialized_size_max(h))
    out = ffi.new("uint8_t[]", max(1, cap))
    n = ffi.new("size_t *")
    st = int(lib.mon_hist_serialize(h, out, cap, n))
    if st != 0:
        raise RuntimeError(f"mon_hist_serialize failed with status {st}")
    return bytes(ffi.buffer(out, int(n[0])))


def _case_hist(inp: dict[str, Any]) -> list[Output]:
    """Record sequences into two histograms; stats, bytes, quantiles, merges both ways,
    deserialise round trip."""
    from ._ffi import ffi, lib

    cfg = ffi.new("mon_hist_config *")
    cfg.lowest, cfg.highest, cfg.scale = int(inp["lowest"]), int(inp["highest"]), int(inp["scale"])
    lay = ffi.new("mon_hist_layout *")
    st = int(lib.mon_hist_layout_of(cfg, lay))
    out: list[Output] = [("layout_status", "i32", st)]
    if st != 0:
        return out
    out += [("layout_index", "i32[]", [int(lay.scale), int(lay.index_lo), int(lay.index_hi)]),
            ("layout_range", "u64[]", [int(lay.buckets), int(lay.range_lo), int(lay.range_hi)])]
    eb_num, eb_den = ffi.new("uint64_t *"), ffi.new("uint64_t *")
    out.append(("error_bound_status", "i32", int(lib.mon_hist_error_bound(cfg, eb_num, eb_den))))
    out.append(("error_bound", "u64[]", [int(eb_num[0]), int(eb_den[0])]))
    hists = []
    for key in ("a", "b"):
        buf, h, size = _hist_new(ffi, lib, cfg)
        st = int(lib.mon_hist_init(buf, size, cfg))
        if st != 0:
            raise RuntimeError(f"mon_hist_init failed with status {st}")
        vals = [int(v) for v in inp[key]]
        half = len(vals) // 2
        for v in vals[:half]:  # one by one, then the rest in one batch
            lib.mon_hist_record(h, v)
        arr = ffi.new("uint64_t[]", vals[half:] or [0])
        lib.mon_hist_record_many(h, arr, len(vals) - half)
        hists.append((buf, h))
    num = ffi.new("uint64_t[]", [n for n, _ in _QUANTILES])
    den = ffi.new("uint64_t[]", [d for _, d in _QUANTILES])
    for key, (_, h) in zip(("a", "b"), hists):
        stats = ffi.new("mon_hist_stats *")
        lib.mon_hist_get_stats(h, stats)
        out.append((f"{key}_stats", "u64[]", [int(stats.count), int(stats.underflow),
                    int(stats.overflow), int(stats.invalid), int(stats.min), int(stats.max),
                    int(stats.sum_lo), int(stats.sum_hi)]))
        out.append((f"{key}_bytes", "bytes", _hist_bytes(ffi, lib, h).hex()))
        q = ffi.new("uint64_t[]", len(_QUANTILES))
        st = int(lib.mon_hist_quantiles(h, num, den, len(_QUANTILES), q))
        out.append((f"{key}_quantiles_status", "i32", st))
        if st == 0:
            out.append((f"{key}_quantiles", "u64[]", [int(x) for x in q]))
    # merges in both orders must give the same bytes
    for name, (dst, src) in (("merge_ab", (0, 1)), ("merge_ba", (1, 0))):
        buf, h, size = _hist_new(ffi, lib, cfg)
        lib.mon_hist_init(buf, size, cfg)
        lib.mon_hist_merge(h, hists[dst][1])
        st = int(lib.mon_hist_merge(h, hists[src][1]))
        out.append((f"{name}_status", "i32", st))
        out.append((name, "bytes", _hist_bytes(ffi, lib, h).hex()))
    # deserialise a's bytes and serialise again: identical bytes
    data = _hist_bytes(ffi, lib, hists[0][1])
    buf, h, size = _hist_new(ffi, lib, cfg)
    st = int(lib.mon_hist_deserialize(buf, size, data, len(data)))
    out.append(("roundtrip_status", "i32", st))
    if st == 0:
        out.append(("roundtrip_bytes", "bytes", _hist_bytes(ffi, lib, h).hex()))
    return out


def _case_hist_decode(inp: dict[str, Any]) -> list[Output]:
    """Validation of (corrupted) serialised bytes: status and the configuration read."""
    from ._ffi import ffi, lib

    data = bytes.fromhex(inp["bytes"])
    cfg = ffi.new("mon_hist_config *")
    st = int(lib.mon_hist_peek_config(data, len(data), cfg))
    out: list[Output] = [("peek_status", "i32", st)]
    if st == 0:
        out.append(("config", "u64[]", [int(cfg.lowest), int(cfg.highest), int(cfg.scale)]))
    return out


def _case_hist_f64(inp: dict[str, Any]) -> list[Output]:
    """binary64 -> ns conversion (given as bit patterns) in one unit."""
    from ._ffi import ffi, lib

    sts, ns = [], []
    o = ffi.new("uint64_t *")
    for bits in inp["bits"]:
        (x,) = struct.unpack("<d", struct.pack("<Q", int(bits)))
        o[0] = 0
        sts.append(int(lib.mon_hist_f64_to_ns(x, int(inp["unit"]), o)))
        ns.append(int(o[0]) if sts[-1] == 0 else 0)
    return [("statuses", "i32[]", sts), ("ns", "u64[]", ns)]


def _case_hist_index(inp: dict[str, Any]) -> list[Output]:
    """Bucket index of values and thresholds T(i) at one scale; CRC-32C of the values' bytes."""
    from ._ffi import ffi, lib

    sc = int(inp["scale"])
    idx, ths, sts = [], [], []
    o32, o64 = ffi.new("int32_t *"), ffi.new("uint64_t *")
    for v in inp["values"]:
        o32[0] = 0
        sts.append(int(lib.mon_hist_index_of(sc, int(v), o32)))
        idx.append(int(o32[0]) if sts[-1] == 0 else 0)
    for i in inp["indices"]:
        o64[0] = 0
        sts.append(int(lib.mon_hist_threshold(sc, int(i), o64)))
        ths.append(int(o64[0]) if sts[-1] == 0 else 0)
    blob = b"".join(struct.pack("<Q", int(v)) for v in inp["values"])
    return [("statuses", "i32[]", sts), ("index", "i32[]", idx), ("threshold", "u64[]", ths),
            ("crc32c", "u32", int(lib.mon_hist_crc32c(blob, len(blob))))]


def _doubles(ffi: Any, bits: list[int]) -> Any:
    return ffi.new("double[]", [struct.unpack("<d", struct.pack("<Q", int(b)))[0] for b in bits]
                   or [0.0])


def _case_bin(inp: dict[str, Any]) -> list[Output]:
    """Binning of values (bit patterns) into edges (bit patterns): counts and extra counters."""
    from ._ffi import ffi, lib

    ne = len(inp["edges"])
    edges = _doubles(ffi, inp["edges"])
    size = int(lib.mon_binner_size(ne))
    buf = ffi.new("uint64_t[]", max(1, (size + 7) // 8))
    b = ffi.new("mon_binner **")
    st = int(lib.mon_binner_init(buf, size, edges, ne, b))
    out: list[Output] = [("init", "i32", st)]
    if st != 0:
        return out
    nb = int(lib.mon_binner_nbins(b[0]))
    counts = ffi.new("uint64_t[]", nb)
    extra = ffi.new("mon_bin_extra *")
    xs = _doubles(ffi, inp["values"])
    st = int(lib.mon_bin_count(b[0], xs, len(inp["values"]), counts, extra))
    out += [("count_status", "i32", st), ("counts", "u64[]", [int(c) for c in counts]),
            ("extra", "u64[]", [int(extra.nan), int(extra.below), int(extra.above)])]
    return out


def _case_bin_codes(inp: dict[str, Any]) -> list[Output]:
    from ._ffi import ffi, lib

    n = int(inp["ncodes"])
    codes = ffi.new("int64_t[]", [int(c) for c in inp["codes"]] or [0])
    counts = ffi.new("uint64_t[]", max(1, n))
    unseen = ffi.new("uint64_t *")
    st = int(lib.mon_bin_count_codes(codes, len(inp["codes"]), counts, n, unseen))
    return [("status", "i32", st), ("counts", "u64[]", [int(counts[i]) for i in range(n)]),
            ("unseen", "u64", int(unseen[0]))]


def _case_select(inp: dict[str, Any]) -> list[Output]:
    """Exact order statistics (bit patterns of the selected values)."""
    from ._ffi import ffi, lib

    n = len(inp["values"])
    xs = _doubles(ffi, inp["values"])
    hist = ffi.new("uint32_t[]", int(lib.MON_SELECT_HIST_LEN))
    nan = ffi.new("uint64_t *")
    st = int(lib.mon_select_prepare(xs, n, hist, nan))
    out: list[Output] = [("prepare", "i32", st)]
    if st != 0:
        return out
    ranks = ffi.new("uint64_t[]", [int(r) for r in inp["ranks"]] or [0])
    keys = ffi.new("uint64_t[]", n + 1)
    res = ffi.new("double[]", max(1, len(inp["ranks"])))
    st = int(lib.mon_select_ranks(xs, n, hist, ranks, len(inp["ranks"]), keys, res))
    out += [("nan_count", "u64", int(nan[0])), ("select", "i32", st)]
    if st == 0:
        out.append(("values", "u64[]", [struct.unpack("<Q", struct.pack("<d", res[i]))[0]
                                         for i in range(len(inp["ranks"]))]))
    return out


# kind -> (function computing its outputs, C symbol whose presence means the module is built)
_ALL_KINDS: dict[str, tuple[Callable[[dict[str, Any]], list[Output]], str]] = {
    "status": (_case_status, "mon_status_str"),
    "drift": (_case_drift, "mon_drift_scores"),
    "drift_log2": (_case_drift_log2, "mon_drift_log2_u64"),
    "service": (_case_service, "mon_service_init"),
    "error_category": (_case_error_category, "mon_error_category_name"),
    "hist": (_case_hist, "mon_hist_init"),
    "hist_decode": (_case_hist_decode, "mon_hist_peek_config"),
    "hist_f64": (_case_hist_f64, "mon_hist_f64_to_ns"),
    "hist_index": (_case_hist_index, "mon_hist_index_of"),
    "bin": (_case_bin, "mon_binner_init"),
    "bin_codes": (_case_bin_codes, "mon_bin_count_codes"),
    "select": (_case_select, "mon_select_ranks"),
}


def available_kinds() -> list[str]:
    """Case kinds whose C module is part of this build."""
    from ._ffi import lib

    return [k for k, (_, sym) in _ALL_KINDS.items() if hasattr(lib, sym)]


KINDS: dict[str, Callable[[dict[str, Any]], list[Output]]] = {
    k: fn for k, (fn, _sym) in _ALL_KINDS.items()
}


def compute_case(case: dict[str, Any]) -> list[Output]:
    """The outputs of one golden case, computed through the package."""
    kind = case["kind"]
    if kind not in KINDS:
        raise ValueError(f"golden case {case['id']!r}: unknown kind {kind!r}")
    return KINDS[kind](case["input"])


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of checking a golden file: ``passed`` iff every output matched."""

    passed: bool
    digest: str
    cases: int
    outputs: int
    failures: tuple[str, ...]
    expected_digest: str | None


def load_golden(path: str) -> dict[str, Any]:
    """Read and validate the envelope of a golden file."""
    with open(path, encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    if doc.get("format") != GOLDEN_FORMAT or doc.get("version") != GOLDEN_VERSION:
        raise ValueError(
            f"{path}: not a {GOLDEN_FORMAT} v{GOLDEN_VERSION} file "
            f"(format={doc.get('format')!r}, version={doc.get('version')!r})"
        )
    return doc


def expected_digest(doc: dict[str, Any]) -> str:
    """Digest of the expected outputs written in the file (what a passing run prints)."""
    return digest_of(
        record_bytes(c["id"], o["name"], encode_value(o["type"], o["value"]))
        for c in doc["cases"]
        for o in c["expected"]
    )


def verify(path: str | None = None) -> VerifyResult:
    """Recompute every case of the golden file and compare it with the expected outputs."""
    doc = load_golden(path or default_golden_path())
    failures: list[str] = []
    records: list[bytes] = []
    n_out = 0
    for case in doc["cases"]:
        try:
            got = compute_case(case)
        except Exception as exc:  # a raising case is a failure, reported, not a crash
            failures.append(f"{case['id']}: raised {type(exc).__name__}: {exc}")
            continue
        exp = case["expected"]
        if [(o["name"], o["type"]) for o in exp] != [(n, t) for n, t, _ in got]:
            failures.append(f"{case['id']}: output names/types differ from the file")
        for (name, typ, value), e in zip(got, exp):
            payload = encode_value(typ, value)
            records.append(record_bytes(case["id"], name, payload))
            n_out += 1
            if payload != encode_value(e["type"], e["value"]):
                failures.append(f"{case['id']}.{name}: got {value!r}, expected {e['value']!r}")
    digest = digest_of(records)
    exp_digest = doc.get("digest")
    if exp_digest is not None and digest != exp_digest and not failures:
        failures.append(f"digest {digest} differs from the file's {exp_digest}")
    return VerifyResult(
        passed=not failures,
        digest=digest,
        cases=len(doc["cases"]),
        outputs=n_out,
        failures=tuple(failures),
        expected_digest=exp_digest,
    )


def run_verify(out: TextIO, path: str | None = None) -> int:
    """CLI body: print PASS/FAIL and the digest; return the process exit code."""
    res = verify(path)
    for f in res.failures[:50]:
        out.write(f"mismatch: {f}\n")
    word = "PASS" if res.passed else "FAIL"
    out.write(
        f"{word} sha256={res.digest} (golden v{GOLDEN_VERSION}: {res.cases} cases, "
        f"{res.outputs} outputs)\n"
    )
    return 0 if res.passed else 1


__all__ = [
    "VerifyResult", "verify", "run_verify", "compute_case", "expected_digest", "encode_value",
    "record_bytes", "digest_of", "default_golden_path", "load_golden", "KINDS", "available_kinds",
]
