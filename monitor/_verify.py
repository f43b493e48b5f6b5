"""Golden-vector verification: ``python -m monitor verify``.

The golden file (``golden_v1.json``, shipped in ``monitor/data`` and kept identical to
``tests/data/golden_v1.json``) lists inputs and the exact outputs the C core must produce for
them: raw fixed-point drift results, histogram bytes, quantiles, merge results, status strings.
This module recomputes every output through the installed package, compares it with the file,
and digests the outputs it computed, so the digest is the same on every platform where the
outputs are the same. The C program ``csrc/tests/test_golden.c`` checks the same data and
prints the same digest.

Digest (``sha256`` over a canonical byte stream, version 1): the ASCII bytes
``monitor-golden-v1`` and one 0x00 byte, then for every output in file order (cases in order,
outputs of a case in order) three length-prefixed fields: case id, output name, output bytes,
each as a little-endian uint32 length followed by the bytes. Output bytes: ``u8/u16/u32/u64``
and ``i8/i16/i32/i64`` as little-endian two's-complement integers of that width, ``str`` as its
UTF-8 bytes, ``bytes`` as the bytes themselves (hex in the file), ``u64[]``/``i64[]``/``u32[]``
as the concatenation of the little-endian elements.
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
    if typ.endswith("[]") and typ[:-2] in _INT_FORMATS:
        fmt = _INT_FORMATS[typ[:-2]]
        return b"".join(struct.pack(fmt, v) for v in value)
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


KINDS: dict[str, Callable[[dict[str, Any]], list[Output]]] = {
    "status": _case_status,
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
    "record_bytes", "digest_of", "default_golden_path", "load_golden", "KINDS",
]
