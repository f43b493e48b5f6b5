"""Golden vectors through the Python package: ``python -m monitor verify`` checks
monitor/data/golden_v2.json and prints PASS plus the digest that the C golden program prints on
every platform (tests/cert/test_cross.py)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import struct
import subprocess
import sys

import pytest

from monitor import _verify

from oracles import GOLDEN, ROOT, crc32c


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m monitor ...`` against the same package these tests imported (in-place build
    or installed), run outside the source tree."""
    import monitor

    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(monitor.__file__)))
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        cwd=os.path.dirname(GOLDEN),
        env=env,
    )


def _doc() -> dict:
    with open(GOLDEN, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.mark.req("MON-REQ-GOLD-001", "MON-REQ-CORE-001")
def test_golden_vectors_pass_with_the_files_digest() -> None:
    res = _verify.verify(GOLDEN)
    assert res.passed, res.failures
    assert res.digest == _doc()["digest"] == _verify.expected_digest(_doc())
    assert res.cases == len(_doc()["cases"])


@pytest.mark.req("MON-REQ-GOLD-001")
def test_c_header_is_in_sync_with_the_golden_file() -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "gen", "golden.py"), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.req("MON-REQ-GOLD-001")
def test_cli_prints_pass_and_digest() -> None:
    proc = _cli("verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith(f"PASS sha256={_doc()['digest']} ")


@pytest.mark.req("MON-REQ-GOLD-001")
def test_every_built_module_has_golden_vectors() -> None:
    kinds = {c["kind"] for c in _doc()["cases"]}
    avail = set(_verify.available_kinds())
    assert kinds <= avail, f"golden cases for modules not in this build: {sorted(kinds - avail)}"
    assert avail <= kinds, (
        f"modules without golden vectors: {sorted(avail - kinds)}; review their outputs and run "
        "`python tools/gen/golden.py gen` (regenerates monitor/data/golden_v2.json and the C header)"
    )


@pytest.mark.parametrize("case_index", [0, -1])
@pytest.mark.req("MON-REQ-GOLD-001")
def test_a_changed_expected_output_fails(tmp_path, case_index: int) -> None:
    doc = copy.deepcopy(_doc())
    out = doc["cases"][case_index]["expected"][0]
    out["value"] = (out["value"] + "x") if isinstance(out["value"], str) else out["value"] ^ 1
    bad = tmp_path / "golden.json"
    bad.write_text(json.dumps(doc))
    res = _verify.verify(str(bad))
    assert not res.passed and res.failures
    proc = _cli("verify", str(bad))
    assert proc.returncode == 1 and "FAIL sha256=" in proc.stdout


@pytest.mark.req("MON-REQ-GOLD-001")
@pytest.mark.parametrize("version", [1, 3])
def test_wrong_version_is_rejected(tmp_path, version: int) -> None:
    # version 1 (the drift kernel before issue 15's 64-bit pass) and any other version are refused
    doc = _doc()
    assert doc["version"] == 2
    doc["version"] = version
    p = tmp_path / "g.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="v2"):
        _verify.verify(str(p))


def test_the_file_records_why_its_version_changed() -> None:
    changes = _doc()["changes"]
    assert changes.startswith("version 2 (issue 15)") and "mon_drift_series.c" in changes
    assert "8fb355b85258f4ba71693768c3903d821f729836a0b4f533810f7bae315019dc" in changes  # v1's digest


@pytest.mark.req("MON-REQ-GOLD-002")
def test_digest_encoding_is_the_documented_one() -> None:
    # Recompute the digest from the documented definition, independently of _verify's helpers.
    h = hashlib.sha256(b"monitor-golden-v1\x00")
    width = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "u128": 16, "i8": 1, "i16": 2, "i32": 4, "i64": 8}

    def enc(t: str, v) -> bytes:
        if t in width:
            return int(v).to_bytes(width[t], "little", signed=t.startswith("i"))
        if t.endswith("[]"):
            return b"".join(enc(t[:-2], x) for x in v)
        return v.encode() if t == "str" else bytes.fromhex(v)

    for case in _doc()["cases"]:
        for o in case["expected"]:
            payload = enc(o["type"], o["value"])
            for field in (case["id"].encode(), o["name"].encode(), payload):
                h.update(struct.pack("<I", len(field)) + field)
    assert h.hexdigest() == _doc()["digest"]


# ---- the pinned values are right, not just stable: independent checks from the inputs --------


def _cases(kind: str) -> list[dict]:
    cs = [c for c in _doc()["cases"] if c["kind"] == kind]
    if not cs:
        pytest.skip(f"no {kind!r} cases in this golden file")
    return cs


def _out(case: dict) -> dict:
    return {o["name"]: o["value"] for o in case["expected"]}


@pytest.mark.req("MON-REQ-GOLD-002", "MON-REQ-DRIFT-001", "MON-REQ-DRIFT-002", "MON-REQ-DRIFT-003")
def test_drift_vectors_match_exact_mathematics() -> None:
    from fractions import Fraction

    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.prec = 300
    checked = 0
    for case in _cases("drift"):
        o, inp = _out(case), case["input"]
        if o["status"] != 0:
            continue
        p, q = inp["p"], inp["q"]
        n_p, n_q = sum(p), sum(q)
        tv = Fraction(sum(abs(Fraction(a, n_p) - Fraction(b, n_q)) for a, b in zip(p, q)), 2)
        assert Fraction(o["tv_num"], o["tv_den"]) == tv
        assert o["tv_raw"] == (tv * 2**64 * 2 + 1) // 2  # round half up
        js = mpmath.mpf(0)
        for a, b in zip(p, q):
            pa, qb = mpmath.mpf(a) / n_p, mpmath.mpf(b) / n_q
            m = (pa + qb) / 2
            if pa:
                js += pa * mpmath.log(pa / m, 2) / 2
            if qb:
                js += qb * mpmath.log(qb / m, 2) / 2
        assert abs(mpmath.mpf(o["js_raw"]) / 2**126 - js) <= mpmath.mpf(2) ** -59
        import math

        r = math.isqrt(o["js_raw"])
        nearest = r if o["js_raw"] - r * r <= r else r + 1
        assert o["js_distance_raw"] == nearest
        opt = inp["psi"] or {"smoothing": 0}
        psi = mpmath.mpf(0)
        for a, b in zip(p, q):
            if opt["smoothing"] == 0:
                pt = mpmath.mpf(a + 1) / (n_p + len(p))
                qt = mpmath.mpf(b + 1) / (n_q + len(q))
            else:
                eps = mpmath.mpf(opt["eps_mant"]) * mpmath.mpf(2) ** opt["eps_exp2"]
                pt = max(mpmath.mpf(a) / n_p, eps)
                qt = max(mpmath.mpf(b) / n_q, eps)
            psi += (pt - qt) * mpmath.log(pt / qt)
        err = abs(mpmath.mpf(o["psi_raw"]) / 2**64 - psi)
        assert err <= mpmath.mpf(2) ** -57 * max(1, psi), (case["id"], err)
        checked += 1
    assert checked >= 10


@pytest.mark.req("MON-REQ-GOLD-002", "MON-REQ-HIST-006", "MON-REQ-HIST-007", "MON-REQ-CODEC-001")
def test_hist_vectors_obey_the_histogram_contract() -> None:
    checked = 0
    for case in _cases("hist"):
        o, inp = _out(case), case["input"]
        if o["layout_status"] != 0:
            continue
        n_buckets, range_lo, range_hi = o["layout_range"]
        for key in ("a", "b"):
            vals = sorted(inp[key])
            count, under, over, invalid, vmin, vmax, sum_lo, sum_hi = o[f"{key}_stats"]
            assert count == len(vals) and invalid == 0
            assert under == sum(1 for v in vals if v < range_lo)
            assert over == sum(1 for v in vals if v > range_hi)
            assert sum_hi * 2**64 + sum_lo == sum(vals)
            if vals:
                assert (vmin, vmax) == (vals[0], vals[-1])
                num, den = o["error_bound"]
                for (qn, qd), got in zip(_verify._QUANTILES, o[f"{key}_quantiles"]):
                    rank = max(1, -(-qn * len(vals) // qd))
                    true = vals[rank - 1]
                    assert vmin <= got <= vmax
                    if range_lo <= true <= range_hi:  # in range: within the stated bound
                        assert abs(got - true) * den <= num * true, (case["id"], qn, qd)
            raw = bytes.fromhex(o[f"{key}_bytes"])
            crc = crc32c(raw[:-4])
            assert raw[-4:] == struct.pack("<I", crc)
        assert o["merge_ab"] == o["merge_ba"]
        assert o.get("roundtrip_bytes", o["a_bytes"]) == o["a_bytes"]
        checked += 1
    assert checked >= 5


@pytest.mark.req("MON-REQ-GOLD-002", "MON-REQ-BIN-001", "MON-REQ-BIN-002")
def test_bin_vectors_follow_the_numpy_rule() -> None:
    import math

    def f(bits: int) -> float:
        return float(struct.unpack("<d", struct.pack("<Q", bits))[0])

    checked = 0
    for case in _cases("bin"):
        o, inp = _out(case), case["input"]
        edges = [f(b) for b in inp["edges"]]
        ok = (
            len(edges) >= 2
            and all(not math.isnan(e) for e in edges)
            and all(a < b for a, b in zip(edges, edges[1:]))
        )
        assert (o["init"] == 0) == ok
        if not ok:
            continue
        counts, nan, below, above = [0] * (len(edges) - 1), 0, 0, 0
        for x in (f(b) for b in inp["values"]):
            if math.isnan(x):
                nan += 1
            elif x < edges[0]:
                below += 1
            elif x > edges[-1]:
                above += 1
            else:
                i = max(j for j in range(len(edges) - 1) if edges[j] <= x)
                counts[i] += 1
        assert o["counts"] == counts and o["extra"] == [nan, below, above], case["id"]
        checked += 1
    assert checked >= 4
