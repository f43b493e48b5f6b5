"""The audit ledger (monitor.ledger over csrc/mon_ledger.c) and the binary reference format
(Reference.to_bytes / from_bytes, csrc/mon_reference.c): golden vectors against an independent
encoder (struct + hashlib, from the byte layout of docs/ledger.md), tampering, reordering,
insertion and truncation each reported at the right entry, failed writes kept pending, the
command line's exit statuses, and every corruption of the reference bytes refused."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import struct

import numpy as np
import pytest

from monitor import CorruptDataError, InvalidArgumentError, Reference
from monitor._ffi import ffi, lib
from monitor.cli import main
from monitor.ledger import (
    ENTRY_BYTES,
    Ledger,
    LedgerAnchor,
    LedgerKind,
    LedgerVerificationError,
    read_entries,
    verify_ledger,
    verify_ledger_bytes,
)

from oracles import ROOT

GOLDEN = os.path.join(ROOT, "monitor", "data", "golden_ledger_v1.json")
EB = ENTRY_BYTES


def _golden() -> dict:
    with open(GOLDEN, encoding="utf-8") as fh:
        return json.load(fh)


# ---- an independent encoder of the documented entry layout ------------------------------------
def _entry(kind: int, index: int, tick: int, prev: bytes, payload: bytes) -> bytes:
    body = struct.pack("<4sHHQQII32s", b"MLG1", 1, kind, index, tick, len(payload), 0, prev)
    body += payload.ljust(128, b"\0")
    return body + hashlib.sha256(body).digest()


def _oracle_chain(lg: dict) -> list[bytes]:
    model = lg["model_version"].encode("ascii")
    k = lg["checkpoint_every"]
    gen = (
        bytes.fromhex(lg["policy_hash"])
        + bytes.fromhex(lg["reference_digest"][7:])
        + struct.pack("<II", k, len(model))
        + model
    )
    out = [_entry(0, 0, lg["genesis_tick"], b"\0" * 32, gen)]
    for ev in lg["events"]:
        if k and len(out) % k == 0:
            cp = struct.pack("<Q", len(out)) + out[-1][192:] + out[0][192:]
            out.append(_entry(6, len(out), ev["tick"], out[-1][192:], cp))
        out.append(_entry(ev["kind"], len(out), ev["tick"], out[-1][192:], bytes.fromhex(ev["payload"])))
    return out


@pytest.mark.req("MON-REQ-LEDGER-001")
def test_golden_ledger_matches_the_independent_encoder_and_the_core() -> None:
    lg = _golden()["ledger"]
    chain = _oracle_chain(lg)
    assert [e[192:].hex() for e in chain] == [e["hash"] for e in lg["entries"]]
    assert chain[-1][192:].hex() == lg["head"] and len(chain) == lg["count"]
    led = Ledger(
        None,
        policy_hash=lg["policy_hash"],
        reference_digest=lg["reference_digest"],
        model_version=lg["model_version"],
        tick=lg["genesis_tick"],
        checkpoint_every=lg["checkpoint_every"],
    )
    for ev in lg["events"]:
        led.append(ev["kind"], ev["tick"], bytes.fromhex(ev["payload"]))
    assert led.head() == LedgerAnchor(lg["count"], bytes.fromhex(lg["head"]))
    rep = verify_ledger_bytes(b"".join(chain), led.head())
    assert rep.ok and rep.model_version == lg["model_version"] and rep.checkpoint_every == 5


@pytest.mark.req("MON-REQ-REFBIN-001")
def test_golden_reference_bytes_and_digest() -> None:
    ref = _golden()["reference"]
    r = Reference.from_json(ref["json"])
    assert r.to_bytes().hex() == ref["bytes"]
    back = Reference.from_bytes(bytes.fromhex(ref["bytes"]))
    assert back == r and back.digest == ref["digest"] and back.to_json() == ref["json"]


def test_golden_files_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "golden_ledger", os.path.join(ROOT, "tools", "gen", "golden_ledger.py")
    )
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    doc = gen.build()
    assert json.dumps(doc, indent=1, sort_keys=True) + "\n" == open(GOLDEN, encoding="utf-8").read()
    with open(os.path.join(ROOT, "csrc", "tests", "golden_ledger_v1_data.h"), encoding="utf-8") as fh:
        assert fh.read() == gen.header(doc), (
            "csrc/tests/golden_ledger_v1_data.h: python tools/gen/golden_ledger.py"
        )


# ---- the ledger -------------------------------------------------------------------------------
def _ledger(path: object, n: int = 12, k: int = 4) -> Ledger:
    led = Ledger(
        path, policy_hash=b"\1" * 32, reference_digest=b"\2" * 32, model_version="m 1", checkpoint_every=k
    )
    kinds = [LedgerKind.STATE, LedgerKind.VIOLATION, LedgerKind.REACTION, LedgerKind.RESET, LedgerKind.RULE]
    for t in range(n):
        led.append(kinds[t % len(kinds)], 100 - t if t % 3 == 0 else t, bytes([t]) * (t % 7))
    return led


@pytest.mark.req("MON-REQ-LEDGER-001")
def test_file_ledger_round_trip(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "audit.ledger")
    with _ledger(path) as led:
        head = led.head()
    data = open(path, "rb").read()
    assert len(data) == head.count * EB and head.count == 12 + 1 + 3  # genesis + checkpoints 4, 8, 12
    rep = verify_ledger(path, head)
    assert rep.ok and rep.count == head.count and rep.head == head.head
    entries = list(read_entries(data))
    assert [e.index for e in entries] == list(range(head.count))
    assert [e.kind for e in entries if e.kind == LedgerKind.CHECKPOINT] == [LedgerKind.CHECKPOINT] * 3
    assert entries == led.entries()
    with pytest.raises(dataclasses.FrozenInstanceError):
        entries[0].tick = 5  # type: ignore[misc]
    with pytest.raises(InvalidArgumentError, match="not empty"):
        Ledger(path, policy_hash=b"\0" * 32, reference_digest=b"\0" * 32, model_version="x")


def _fails(data: bytes, anchor: LedgerAnchor | None = None) -> tuple[str, int]:
    rep = verify_ledger_bytes(data, anchor)
    assert not rep.ok
    return rep.fault, rep.first_bad


@pytest.mark.req("MON-REQ-LEDGER-003")
def test_tamper_reorder_insert_remove_truncate_each_found_at_its_entry() -> None:
    led = _ledger(None)
    good = b"".join(_raw(led))
    head = led.head()
    n = head.count
    for i in range(n):
        for off in (8, 17, 40, 64, 200):
            bad = bytearray(good)
            bad[i * EB + off] ^= 4
            assert _fails(bytes(bad))[1] == i
    ents = [good[i * EB : (i + 1) * EB] for i in range(n)]
    swapped = ents[:3] + [ents[4], ents[3]] + ents[5:]
    assert _fails(b"".join(swapped)) == ("index", 3)
    inserted = ents[:3] + [ents[2]] + ents[3:]
    assert _fails(b"".join(inserted)) == ("index", 3)
    removed = ents[:3] + ents[4:]
    assert _fails(b"".join(removed)) == ("index", 3)
    assert verify_ledger_bytes(good[: 7 * EB]).ok  # whole entries cut: only an anchor sees it
    assert _fails(good[: 7 * EB], head) == ("short", 7)
    assert _fails(good[:-1]) == ("partial", n - 1)
    assert _fails(b"") == ("partial", 0)
    assert _fails(good, LedgerAnchor(5, b"\0" * 32)) == ("anchor", 4)
    assert verify_ledger_bytes(good, LedgerAnchor(5, ents[4][192:])).ok  # a grown ledger


def _raw(led: Ledger) -> list[bytes]:
    out = []
    buf = ffi.new("uint8_t[]", EB)
    for i in range(led.head().count):
        assert lib.mon_ledger_entry_bytes(led._obj, i, buf) == 0
        out.append(bytes(buf))
    return out


class _Flaky:
    def __init__(self, fh: object) -> None:
        self.fh = fh
        self.fail = True

    def write(self, b: bytes) -> int:
        if self.fail:
            raise OSError(28, "No space left on device")
        return self.fh.write(b)  # type: ignore[attr-defined]

    def flush(self) -> None:
        self.fh.flush()  # type: ignore[attr-defined]

    def close(self) -> None:
        self.fh.close()  # type: ignore[attr-defined]


@pytest.mark.req("MON-REQ-LEDGER-002")
def test_failed_write_is_pending_never_lost(tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "l.bin")
    led = Ledger(path, policy_hash=b"\0" * 32, reference_digest=b"\0" * 32, model_version="v", capacity=3)
    flaky = _Flaky(led._fh)
    led._fh = flaky  # type: ignore[assignment]
    with pytest.raises(OSError, match="pending"):
        led.append(LedgerKind.FAULT, 1, b"disk")
    assert led.pending == 1 and led.head().count == 2
    with pytest.raises(OSError, match="pending"):
        led.append(LedgerKind.FAULT, 2)
    with pytest.raises(OSError, match="pending"):
        led.append(LedgerKind.FAULT, 3)
    with pytest.raises(OSError, match="not recorded"):  # the ring is full of pending entries
        led.append(LedgerKind.FAULT, 4)
    assert led.head().count == 4
    flaky.fail = False
    led.flush()
    assert led.pending == 0
    led.close()
    assert verify_ledger(path, led.head()).count == 4


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"policy_hash": b"\0" * 31}, "policy_hash"),
        ({"reference_digest": "sha256:12"}, "reference_digest"),
        ({"model_version": "é"}, "printable ASCII"),
        ({"model_version": "x" * 57}, "at most 56"),
        ({"capacity": 0}, "capacity"),
        ({"checkpoint_every": -1}, "checkpoint_every"),
        ({"tick": -1}, "tick"),
    ],
)
def test_bad_ledger_arguments(kw: dict, match: str) -> None:
    args = {"policy_hash": b"\0" * 32, "reference_digest": b"\0" * 32, "model_version": "m"} | kw
    with pytest.raises(InvalidArgumentError, match=match):
        Ledger(None, **args)


def test_bad_append_arguments() -> None:
    led = _ledger(None, n=0)
    with pytest.raises(InvalidArgumentError, match="CHECKPOINT"):
        led.append(LedgerKind.CHECKPOINT, 0)
    with pytest.raises(InvalidArgumentError, match="at most 128"):
        led.append(LedgerKind.STATE, 0, b"x" * 129)
    with pytest.raises(InvalidArgumentError, match="tick"):
        led.append(LedgerKind.STATE, float("nan"))  # type: ignore[arg-type]
    assert led.head().count == 1


@pytest.mark.req("MON-REQ-LEDGER-003")
def test_cli_ledger_verify(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = os.path.join(str(tmp_path), "a.ledger")
    with _ledger(path) as led:
        head = led.head()
    assert main(["ledger", "verify", path]) == 0
    assert main(["ledger", "verify", path, "--head", head.head.hex(), "--count", str(head.count)]) == 0
    assert "anchor matches" in capsys.readouterr().out
    data = bytearray(open(path, "rb").read())
    data[5 * EB + 20] ^= 1
    open(path, "wb").write(bytes(data[: 9 * EB]))
    assert main(["ledger", "verify", path]) == 1
    assert "entry 5: its hash does not match" in capsys.readouterr().err
    data[5 * EB + 20] ^= 1
    open(path, "wb").write(bytes(data[: 9 * EB]))
    assert main(["ledger", "verify", path, "--head", head.head.hex(), "--count", str(head.count)]) == 1
    assert "entry 9: the ledger has fewer entries than the anchor: truncated" in capsys.readouterr().err
    assert main(["ledger", "verify", path, "--head", "zz", "--count", "3"]) == 2
    assert main(["ledger", "verify", path, "--head", head.head.hex()]) == 2
    assert main(["ledger", "verify", os.path.join(str(tmp_path), "missing")]) == 2
    with pytest.raises(LedgerVerificationError, match="entry 9"):
        verify_ledger(path, head)


# ---- binary reference -------------------------------------------------------------------------
def _refs() -> list[Reference]:
    rng = np.random.default_rng(7)
    x = rng.normal(size=300)
    x[::17] = np.nan
    return [
        Reference.fit(x, bins=10),
        Reference.fit({"a": x, "code": rng.integers(0, 6, 300).astype(float)}, bins=3, categorical=["code"]),
        Reference.fit({"s": np.array(["α", "b", "c", "d", "e"] * 60, dtype=object), "n": x}, top_k=3),
        Reference.fit(np.zeros(5), bins=4),  # a constant feature: two bins
    ]


def _c_load(b: bytes) -> tuple[int, list[tuple[str, list[float], list[int]]]]:
    info = ffi.new("mon_reference_info *")
    st = lib.mon_reference_peek(b, len(b), info)
    if st:
        return st, []
    mem = ffi.new("uint64_t[]", info.need // 8 + 1)
    out = ffi.new("mon_reference **")
    assert lib.mon_reference_load(mem, info.need, b, len(b), out) == 0
    f = ffi.new("mon_reference_feature *")
    feats = []
    for i in range(info.features):
        assert lib.mon_reference_feature_at(out[0], i, f) == 0
        feats.append(
            (
                ffi.string(f.name).decode("utf-8"),
                [f.edges[k] for k in range(f.nedges)],
                [int(f.counts[k]) for k in range(f.nedges - 1)],
            )
        )
    return 0, feats


@pytest.mark.req("MON-REQ-REFBIN-001")
@pytest.mark.parametrize("i", range(4))
def test_reference_bytes_round_trip_bit_identical_to_json(i: int) -> None:
    ref = _refs()[i]
    b = ref.to_bytes()
    back = Reference.from_bytes(b)
    assert back == ref and back.to_json() == ref.to_json() and back.to_bytes() == b
    st, feats = _c_load(b)
    assert st == 0
    for (name, edges, counts), f in zip(feats, ref.features):
        assert name == f.name and counts == [int(c) for c in f.counts]
        assert np.array_equal(np.array(edges).view(np.uint64), f.edges.view(np.uint64))


def _fix(b: bytearray) -> bytes:
    b[-36:-4] = hashlib.sha256(bytes(b[:-36])).digest()
    from oracles import crc32c

    b[-4:] = struct.pack("<I", crc32c(bytes(b[:-4])))
    return bytes(b)


@pytest.mark.req("MON-REQ-REFBIN-001")
def test_every_corruption_is_refused_with_its_reason() -> None:
    b = _refs()[1].to_bytes()
    for n in (0, 10, 91, len(b) - 1):
        with pytest.raises(CorruptDataError, match="truncated|CRC"):
            Reference.from_bytes(b[:n])
        assert _c_load(b[:n])[0] in (lib.MON_E_TRUNCATED, lib.MON_E_CHECKSUM)
    for bit in range(0, len(b) * 8, 13):
        bad = bytearray(b)
        bad[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(CorruptDataError, match="binary reference"):
            Reference.from_bytes(bytes(bad))
        assert _c_load(bytes(bad))[0] != 0
    cases = {
        "bad magic": (0, b"X", lib.MON_E_FORMAT),
        "unsupported version 2": (8, b"\2", lib.MON_E_FORMAT),
    }
    for match, (off, val, st) in cases.items():
        bad = bytearray(b)
        bad[off : off + 1] = val
        with pytest.raises(CorruptDataError, match=match):
            Reference.from_bytes(bytes(bad))
        assert _c_load(bytes(bad))[0] == st
    bad = bytearray(b)
    bad[-1] ^= 1
    with pytest.raises(CorruptDataError, match="CRC-32C mismatch"):
        Reference.from_bytes(bytes(bad))
    bad = bytearray(b)
    bad[-36] ^= 1
    from oracles import crc32c

    bad[-4:] = struct.pack("<I", crc32c(bytes(bad[:-4])))
    with pytest.raises(CorruptDataError, match="SHA-256 mismatch"):
        Reference.from_bytes(bytes(bad))
    assert _c_load(bytes(bad))[0] == lib.MON_E_CHECKSUM
    bad = bytearray(b)
    bad[30] ^= 1  # the carried JSON digest, both checksums recomputed
    with pytest.raises(CorruptDataError, match="carried digest"):
        Reference.from_bytes(_fix(bad))
    bad = bytearray(b)
    bad[56 + 2 + 1 + 8] ^= 1  # feature "a": the nan count, checksums recomputed
    with pytest.raises(CorruptDataError, match="differ from rows"):
        Reference.from_bytes(_fix(bad))
    assert _c_load(_fix(bytearray(bad)))[0] == lib.MON_E_FORMAT


@pytest.mark.req("MON-REQ-LEDGER-001")
def test_ring_keeps_the_last_capacity_entries() -> None:
    led = Ledger(
        None,
        policy_hash=b"\0" * 32,
        reference_digest=b"\0" * 32,
        model_version="r",
        capacity=5,
        checkpoint_every=0,
    )
    for t in range(20):
        led.append(LedgerKind.HOST, t)
    assert [e.index for e in led.entries()] == [16, 17, 18, 19, 20]
    assert led.head().count == 21 and led.pending == 0
