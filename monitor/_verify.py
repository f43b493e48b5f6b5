"""Golden-vector verification: ``python -m monitor verify``.

The golden file (``golden_v2.json``, version 2 since issue 15's drift pass; stored once, in
``monitor/data``: the package ships it and the tests read it there) lists inputs and the exact outputs the C core must produce for
them: raw fixed-point drift results, histogram bytes, quantiles, merge results, status strings.
This module recomputes every output through the installed package, compares it with the file,
and digests the outputs it computed, so the digest is the same on every platform where the
outputs are the same. The C program ``csrc/tests/test_golden.c`` checks the same data and
prints the same digest.

Digest (``sha256`` over a canonical byte stream, encoding version 1, the same for golden
files v1 and v2): the ASCII bytes
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from .counters import CounterTotals

GOLDEN_FORMAT = "monitor-golden"
GOLDEN_VERSION = 2
DIGEST_PREFIX = b"monitor-golden-v1\x00"

_WIDE = {"u128": 16}

_INT_FORMATS = {
    "u8": "<B",
    "u16": "<H",
    "u32": "<I",
    "u64": "<Q",
    "i8": "<b",
    "i16": "<h",
    "i32": "<i",
    "i64": "<q",
}

Output = tuple[str, str, Any]  # (name, type, value)
_U64_MASK = (1 << 64) - 1


def default_golden_path() -> str:
    """Path of the golden file shipped with the package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "golden_v2.json")


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


def _status_of(fn: Callable[[], Any]) -> tuple[int, Any]:
    """(0, result) of ``fn()``, or (the C status, None) when it raised for a C status."""
    from .errors import MonitorError

    try:
        return 0, fn()
    except MonitorError as exc:
        if exc.status is None:  # an error of the Python layer: not a golden output
            raise
        return exc.status, None


def _case_status(inp: dict[str, Any]) -> list[Output]:
    from .categories import status_message, status_name

    code = int(inp["code"])
    return [("name", "str", status_name(code)), ("message", "str", status_message(code))]


def _case_drift(inp: dict[str, Any]) -> list[Output]:
    """mon_drift_scores (TV, JS, JS distance, PSI raw fixed point) and mon_drift_tv/js/psi."""
    from . import drift_raw

    p = [int(x) for x in inp["p"]]
    q = [int(x) for x in inp["q"]]
    n = int(inp["nbins"])
    opt = None
    if inp.get("psi") is not None:
        o = inp["psi"]
        opt = (int(o["smoothing"]), int(o["eps_mant"]), int(o["eps_exp2"]))
    st, got = _status_of(lambda: drift_raw.raw_drift_scores(p, q, n, opt))
    out: list[Output] = [("status", "i32", st)]
    if st == 0:
        res, total_actual, total_expected = got
        out += [
            ("tv_raw", "u128", res.tv_raw),
            ("tv_num", "u128", res.tv_num),
            ("tv_den", "u128", res.tv_den),
            ("js_raw", "u128", res.js_raw),
            ("js_distance_raw", "u64", res.js_distance_raw),
            ("psi_raw", "u128", res.psi_raw),
            ("total_actual", "u64", total_actual),
            ("total_expected", "u64", total_expected),
        ]
    # the single-metric entry points must agree with mon_drift_scores (same status, same bits)
    st_tv, tv3 = _status_of(lambda: drift_raw.raw_tv(p, q, n))
    out.append(("tv_status", "i32", st_tv))
    if st_tv == 0:
        out.append(("tv_single", "u128[]", list(tv3)))
    st_js, js2 = _status_of(lambda: drift_raw.raw_js(p, q, n))
    out.append(("js_status", "i32", st_js))
    if st_js == 0:
        out.append(("js_single", "u128", js2[0]))
        out.append(("js_distance_single", "u64", js2[1]))
    st_psi, psi_raw = _status_of(lambda: drift_raw.raw_psi(p, q, n, opt))
    out.append(("psi_status", "i32", st_psi))
    if st_psi == 0:
        out.append(("psi_single", "u128", psi_raw))
    return out


def _case_drift_log2(inp: dict[str, Any]) -> list[Output]:
    from . import drift_raw

    return [("log2", "u128[]", [drift_raw.raw_log2(int(x)) for x in inp["x"]])]


_SERVICE_OPS = ("begin", "ok", "fail", "drop", "reject", "error", "window", "totals")


def _service_counts(c: CounterTotals) -> list[int]:
    from .categories import ErrorCategory

    order = sorted(ErrorCategory, key=lambda cat: cat.code)  # the C order of errors[]
    return [c.received, c.processed, c.dropped, c.failed, c.in_flight] + [
        c.errors[cat.value] for cat in order
    ]


def _case_service(inp: dict[str, Any]) -> list[Output]:
    """A recorded event sequence; statuses of every call, then totals and window snapshots."""
    from .counters import ServiceCounters

    # (the memory size is not an output: its layout may legitimately differ by platform)
    st, counters = _status_of(
        lambda: ServiceCounters(int(inp["slot_ticks"]), int(inp["start_tick"]), int(inp["slots"]))
    )
    out: list[Output] = [("init", "i32", st)]
    if st != 0:
        return out
    statuses: list[int] = []
    snaps: list[int] = []
    for op, tick, arg in inp["events"]:
        op_name = _SERVICE_OPS[op]
        if op_name == "begin":
            counters.begin(tick)
            statuses.append(0)
        elif op_name == "reject":
            counters.reject(tick)
            statuses.append(0)
        elif op_name == "ok":
            statuses.append(int(counters.ok(tick)))
        elif op_name == "drop":
            statuses.append(int(counters.drop(tick)))
        elif op_name == "fail":
            fst, fres = _status_of(lambda: counters.fail(tick, arg))
            statuses.append(fst or int(fres))
        elif op_name == "error":
            statuses.append(_status_of(lambda: counters.error(tick, arg))[0])
        elif op_name == "window":
            w = counters.window(tick)
            statuses.append(0)
            snaps += _service_counts(w.counts) + [w.from_tick, w.to_tick, w.span_ticks]
        else:
            statuses.append(0)
            snaps += _service_counts(counters.totals())
    out += [("statuses", "i32[]", statuses), ("snapshots", "u64[]", snaps)]
    return out


def _case_error_category(inp: dict[str, Any]) -> list[Output]:
    from .categories import category_name

    return [("name", "str", category_name(int(inp["category"])) or "")]


_QUANTILES = [(0, 1), (1, 1000), (1, 100), (1, 4), (1, 2), (3, 4), (9, 10), (99, 100), (999, 1000), (1, 1)]


def _case_hist(inp: dict[str, Any]) -> list[Output]:
    """Record sequences into two histograms; stats, bytes, quantiles, merges both ways,
    deserialise round trip."""
    import numpy as np

    from . import latency
    from .latency import LatencyHistogram

    lo, hi, sc = int(inp["lowest"]), int(inp["highest"]), int(inp["scale"])
    st, lay = _status_of(lambda: latency.raw_layout(lo, hi, sc))
    out: list[Output] = [("layout_status", "i32", st)]
    if st != 0:
        return out
    out += [
        ("layout_index", "i32[]", [lay.scale, lay.index_lo, lay.index_hi]),
        ("layout_range", "u64[]", [lay.buckets, lay.range_lo_ns, lay.range_hi_ns]),
    ]
    st, eb = _status_of(lambda: latency.raw_error_bound(lo, hi, sc))
    out.append(("error_bound_status", "i32", st))
    out.append(("error_bound", "u64[]", list(eb) if st == 0 else [0, 0]))

    def new() -> LatencyHistogram:
        return LatencyHistogram(lo, hi, scale=sc)

    hists = []
    for key in ("a", "b"):
        h = new()
        vals = [int(v) for v in inp[key]]
        half = len(vals) // 2
        for v in vals[:half]:  # one by one, then the rest in one batch
            h.record_ns(v)
        h.record_many(np.array(vals[half:], dtype=np.uint64))
        hists.append(h)
    qs = [Fraction(n, d) for n, d in _QUANTILES]
    for key, h in zip(("a", "b"), hists):
        stats = h.stats()
        out.append(
            (
                f"{key}_stats",
                "u64[]",
                [
                    stats.count,
                    stats.underflow,
                    stats.overflow,
                    stats.invalid,
                    stats.min_ns,
                    stats.max_ns,
                    stats.sum_ns & _U64_MASK,
                    stats.sum_ns >> 64,
                ],
            )
        )
        out.append((f"{key}_bytes", "bytes", h.to_bytes().hex()))
        st, q = _status_of(lambda: h.quantiles(qs))
        out.append((f"{key}_quantiles_status", "i32", st))
        if st == 0:
            out.append((f"{key}_quantiles", "u64[]", q))
    # merges in both orders must give the same bytes
    for name, (dst, src) in (("merge_ab", (0, 1)), ("merge_ba", (1, 0))):
        m = new().merge(hists[dst])
        st, _ = _status_of(lambda: m.merge(hists[src]))
        out.append((f"{name}_status", "i32", st))
        out.append((name, "bytes", m.to_bytes().hex()))
    # deserialise a's bytes and serialise again: identical bytes
    st, back = _status_of(lambda: LatencyHistogram.from_bytes(hists[0].to_bytes()))
    out.append(("roundtrip_status", "i32", st))
    if st == 0:
        out.append(("roundtrip_bytes", "bytes", back.to_bytes().hex()))
    return out


def _case_hist_decode(inp: dict[str, Any]) -> list[Output]:
    """Validation of (corrupted) serialised bytes: status and the configuration read."""
    from . import latency

    data = bytes.fromhex(inp["bytes"])
    st, cfg = _status_of(lambda: latency.peek_config(data))
    out: list[Output] = [("peek_status", "i32", st)]
    if st == 0:
        out.append(("config", "u64[]", list(cfg)))
    return out


def _double(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", int(bits)))[0])


def _case_hist_f64(inp: dict[str, Any]) -> list[Output]:
    """binary64 -> ns conversion (given as bit patterns) in one unit."""
    from . import latency

    sts, ns = [], []
    unit = int(inp["unit"])
    for bits in inp["bits"]:
        st, v = _status_of(lambda: latency.raw_f64_to_ns(_double(bits), unit))
        sts.append(st)
        ns.append(v if st == 0 else 0)
    return [("statuses", "i32[]", sts), ("ns", "u64[]", ns)]


def _case_hist_index(inp: dict[str, Any]) -> list[Output]:
    """Bucket index of values and thresholds T(i) at one scale; CRC-32C of the values' bytes."""
    from . import latency

    sc = int(inp["scale"])
    idx, ths, sts = [], [], []
    for v in inp["values"]:
        st, i = _status_of(lambda: latency.raw_index_of(sc, int(v)))
        sts.append(st)
        idx.append(i if st == 0 else 0)
    for i in inp["indices"]:
        st, t = _status_of(lambda: latency.raw_threshold(sc, int(i)))
        sts.append(st)
        ths.append(t if st == 0 else 0)
    blob = b"".join(struct.pack("<Q", int(v)) for v in inp["values"])
    return [
        ("statuses", "i32[]", sts),
        ("index", "i32[]", idx),
        ("threshold", "u64[]", ths),
        ("crc32c", "u32", latency.crc32c(blob)),
    ]


def _doubles(bits: list[int]) -> Any:
    import numpy as np

    return np.array([_double(b) for b in bits], dtype=np.float64)


def _case_bin(inp: dict[str, Any]) -> list[Output]:
    """Binning of values (bit patterns) into edges (bit patterns): counts and extra counters."""
    from . import binning

    st, b = _status_of(lambda: binning.Binner.unchecked(_doubles(inp["edges"])))
    out: list[Output] = [("init", "i32", st)]
    if st != 0:
        return out
    st, c = _status_of(lambda: b.count(_doubles(inp["values"])))
    out += [
        ("count_status", "i32", st),
        ("counts", "u64[]", [int(x) for x in c.counts]),
        ("extra", "u64[]", [c.nan, c.below, c.above]),
    ]
    return out


def _case_bin_codes(inp: dict[str, Any]) -> list[Output]:
    from . import binning

    n = int(inp["ncodes"])
    st, c = _status_of(lambda: binning.raw_bin_codes([int(x) for x in inp["codes"]], n))
    counts = [int(x) for x in c.counts] if st == 0 else [0] * n
    return [("status", "i32", st), ("counts", "u64[]", counts), ("unseen", "u64", c.unseen if st == 0 else 0)]


def _case_select(inp: dict[str, Any]) -> list[Output]:
    """Exact order statistics (bit patterns of the selected values)."""
    from . import quantiles

    st, sel = _status_of(lambda: quantiles.Selector(_doubles(inp["values"])))
    out: list[Output] = [("prepare", "i32", st)]
    if st != 0:
        return out
    st, res = _status_of(lambda: sel.select_ranks([int(r) for r in inp["ranks"]]))
    out += [("nan_count", "u64", sel.nan), ("select", "i32", st)]
    if st == 0:
        out.append(("values", "u64[]", [struct.unpack("<Q", struct.pack("<d", float(v)))[0] for v in res]))
    return out


# kind -> function computing its outputs (every C unit is part of every build: the package
# imports them all)
KINDS: dict[str, Callable[[dict[str, Any]], list[Output]]] = {
    "status": _case_status,
    "drift": _case_drift,
    "drift_log2": _case_drift_log2,
    "service": _case_service,
    "error_category": _case_error_category,
    "hist": _case_hist,
    "hist_decode": _case_hist_decode,
    "hist_f64": _case_hist_f64,
    "hist_index": _case_hist_index,
    "bin": _case_bin,
    "bin_codes": _case_bin_codes,
    "select": _case_select,
}


def available_kinds() -> list[str]:
    """Case kinds this build can compute (all of them)."""
    return list(KINDS)


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


def verify_ledger_golden(path: str | None = None) -> tuple[bool, str, int, list[str]]:
    """The ledger golden set (``monitor/data/golden_ledger_v1.json``) through the Python API:
    the events appended to a :class:`~monitor.ledger.Ledger` give the recorded entry hashes,
    count and head; the reference JSON gives the recorded bytes and digest, and the bytes decode
    back to it. Returns (passed, head hex, entries, failures)."""
    from .ledger import Ledger, LedgerAnchor
    from .reference import Reference

    if path is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "golden_ledger_v1.json")
    with open(path, encoding="utf-8") as fh:
        gold = json.load(fh)
    lg, ref = gold["ledger"], gold["reference"]
    failures: list[str] = []
    led = Ledger(
        None,
        policy_hash=lg["policy_hash"],
        reference_digest=lg["reference_digest"],
        model_version=lg["model_version"],
        tick=lg["genesis_tick"],
        checkpoint_every=lg["checkpoint_every"],
    )
    try:
        for ev in lg["events"]:
            led.append(ev["kind"], ev["tick"], bytes.fromhex(ev["payload"]))
        head = led.head()
        want = [e["hash"] for e in lg["entries"]]
        for e in led.entries():
            if e.index >= len(want) or e.hash.hex() != want[e.index]:
                failures.append(f"entry {e.index} hash {e.hash.hex()}")
    finally:
        led.close()
    if head != LedgerAnchor(lg["count"], bytes.fromhex(lg["head"])):
        failures.append(f"head {head.count} {head.head.hex()} != {lg['count']} {lg['head']}")
    r = Reference.from_json(ref["json"])
    if r.to_bytes().hex() != ref["bytes"]:
        failures.append("reference bytes differ")
    back = Reference.from_bytes(bytes.fromhex(ref["bytes"]))
    if back != r or back.digest != ref["digest"] or back.to_json() != ref["json"]:
        failures.append("reference bytes do not decode to the recorded reference and digest")
    return not failures, head.head.hex(), int(head.count), failures


def run_verify(out: TextIO, path: str | None = None) -> int:
    """CLI body: print PASS/FAIL and the digest; return the process exit code."""
    rules_ok = ledger_ok = True
    if path is None:  # the shipped files: every golden set, one line each (the main set last)
        from .alerts.golden_rules import verify_rules

        rules_ok, rdigest, rcases, rfail = verify_rules()
        for f in rfail[:50]:
            out.write(f"mismatch: rules {f}\n")
        out.write(
            f"{'PASS' if rules_ok else 'FAIL'} rules sha256={rdigest} (golden rules v1: {rcases} cases)\n"
        )
        try:
            ledger_ok, lhead, lcount, lfail = verify_ledger_golden()
        except Exception as exc:  # noqa: BLE001 - a broken golden file is a FAIL line, not a crash
            ledger_ok, lhead, lcount, lfail = False, "-", 0, [f"{type(exc).__name__}: {exc}"]
        for f in lfail[:50]:
            out.write(f"mismatch: ledger {f}\n")
        out.write(
            f"{'PASS' if ledger_ok else 'FAIL'} ledger head={lhead} (golden ledger v1: {lcount} entries, reference bytes)\n"
        )
    res = verify(path)
    for f in res.failures[:50]:
        out.write(f"mismatch: {f}\n")
    word = "PASS" if res.passed else "FAIL"
    out.write(
        f"{word} sha256={res.digest} (golden v{GOLDEN_VERSION}: {res.cases} cases, {res.outputs} outputs)\n"
    )
    return 0 if res.passed and rules_ok and ledger_ok else 1


__all__ = [
    "VerifyResult",
    "verify",
    "run_verify",
    "verify_ledger_golden",
    "compute_case",
    "expected_digest",
    "encode_value",
    "record_bytes",
    "digest_of",
    "default_golden_path",
    "load_golden",
    "KINDS",
    "available_kinds",
]
