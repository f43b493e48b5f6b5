"""Golden vectors through the Python package: ``python -m monitor verify`` checks
tests/data/golden_v1.json and prints PASS plus the digest that the C golden program prints on
every platform (tests/test_cross.py)."""

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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "data", "golden_v1.json")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m monitor ...`` against the same package these tests imported (in-place build
    or installed), run outside the source tree."""
    import monitor

    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(monitor.__file__)))
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True,
                          text=True, cwd=os.path.dirname(GOLDEN), env=env)


def _doc() -> dict:
    with open(GOLDEN, encoding="utf-8") as fh:
        return json.load(fh)


def test_golden_vectors_pass_with_the_files_digest() -> None:
    res = _verify.verify(GOLDEN)
    assert res.passed, res.failures
    assert res.digest == _doc()["digest"] == _verify.expected_digest(_doc())
    assert res.cases == len(_doc()["cases"])


def test_shipped_copy_and_c_header_are_in_sync() -> None:
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "golden.py"), "check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_prints_pass_and_digest() -> None:
    proc = _cli("verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith(f"PASS sha256={_doc()['digest']} ")


def test_every_kind_is_covered() -> None:
    kinds = {c["kind"] for c in _doc()["cases"]}
    assert kinds == set(_verify.KINDS), "each case kind must have golden cases, and vice versa"


@pytest.mark.parametrize("case_index", [0, -1])
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


def test_wrong_version_is_rejected(tmp_path) -> None:
    doc = _doc()
    doc["version"] = 2
    p = tmp_path / "g.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="v1"):
        _verify.verify(str(p))


def test_digest_encoding_is_the_documented_one() -> None:
    # Recompute the digest from the documented definition, independently of _verify's helpers.
    h = hashlib.sha256(b"monitor-golden-v1\x00")
    fmt = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q",
           "i8": "<b", "i16": "<h", "i32": "<i", "i64": "<q"}
    for case in _doc()["cases"]:
        for o in case["expected"]:
            t, v = o["type"], o["value"]
            if t in fmt:
                payload = struct.pack(fmt[t], v)
            elif t.endswith("[]"):
                payload = b"".join(struct.pack(fmt[t[:-2]], x) for x in v)
            elif t == "str":
                payload = v.encode()
            else:
                payload = bytes.fromhex(v)
            for field in (case["id"].encode(), o["name"].encode(), payload):
                h.update(struct.pack("<I", len(field)) + field)
    assert h.hexdigest() == _doc()["digest"]
