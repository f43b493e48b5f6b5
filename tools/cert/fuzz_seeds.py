#!/usr/bin/env python3
"""Write the seed corpora of the libFuzzer harnesses (csrc/fuzz/corpus/<target>/) from the
in-place build: valid serialised histograms, histogram configurations with values, edges with
values, count vectors, service event sequences. Deterministic; rerun after a format change."""

from __future__ import annotations

import os
import struct
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
CORPUS = os.path.join(ROOT, "csrc", "fuzz", "corpus")


def _hist_bytes(ffi: Any, lib: Any, h: Any) -> bytes:
    """mon_hist_serialize of a raw histogram (monitor._verify goes through LatencyHistogram)."""
    cap = int(lib.mon_hist_serialized_size_max(h))
    out = ffi.new("uint8_t[]", max(1, cap))
    n = ffi.new("size_t *")
    st = int(lib.mon_hist_serialize(h, out, cap, n))
    if st != 0:
        raise RuntimeError(f"mon_hist_serialize failed with status {st}")
    return bytes(ffi.buffer(out, int(n[0])))


def _put(target: str, name: str, data: bytes) -> None:
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data)


def _q(*vals: int) -> bytes:
    return b"".join(struct.pack("<Q", v & (2**64 - 1)) for v in vals)


def _d(*vals: float) -> bytes:
    return b"".join(struct.pack("<d", v) for v in vals)


def hist_seeds() -> None:
    from monitor._ffi import ffi, lib

    lat = [1000 + (i * 7919 % 1000) * (1 << (i % 26)) for i in range(200)]
    configs = [(1000, 3_600_000_000_000, 6), (1, 10**6, 0), (10**5, 10**8, 8), (1, 2**64 - 1, 2)]
    for k, (lo, hi, sc) in enumerate(configs):
        cfg = ffi.new("mon_hist_config *")
        cfg.lowest, cfg.highest, cfg.scale = lo, hi, sc
        size = int(lib.mon_hist_size(cfg))
        buf = ffi.new("uint64_t[]", (size + 7) // 8)
        lib.mon_hist_init(buf, size, cfg)
        h = ffi.cast("mon_hist *", buf)
        _put("hist_decode", f"empty-{k}", _hist_bytes(ffi, lib, h))
        for v in lat[: 20 + 50 * k] + [0, 2**64 - 1]:
            lib.mon_hist_record(h, v)
        _put("hist_decode", f"filled-{k}", _hist_bytes(ffi, lib, h))
        _put("hist_record", f"cfg-{k}", _q(lo, hi) + bytes([sc]) + _q(*lat[: 10 + 20 * k], 0, 2**64 - 1))
    f64 = 0xF0 << 56 | (struct.unpack("<Q", _d(1.5))[0] >> 8) | 1
    _put("hist_record", "f64", _q(1000, 10**9) + bytes([3]) + _q(f64, 5000, f64 ^ 2))


def bin_seeds() -> None:
    inf, nan = float("inf"), float("nan")
    vals = _d(0.0, -0.0, 1.0, 2.0, 3.0, -1.0, 4.0, nan, inf, -inf, 5e-324, 1.5, 2.5)
    _put("bin", "unit", bytes([4]) + _d(0.0, 1.0, 2.0, 3.0) + vals)
    _put("bin", "inf-outer", bytes([4]) + _d(-inf, 0.0, 1.0, inf) + vals)
    _put("bin", "bad-edges", bytes([3]) + _d(0.0, nan, 1.0) + vals)
    _put(
        "bin",
        "many",
        bytes([11])
        + _d(*[i * 0.37 - 1.5 for i in range(11)])
        + _d(*[(i * 7919 % 1000) / 250.0 - 2 for i in range(300)]),
    )
    _put("bin", "select-only", bytes([0]) + vals + vals)


def hist_ring_seeds() -> None:
    # slots, slot_ticks, start_tick, then (op, tick delta | 0x80 = backwards, value) triples;
    # op % 4: 0 record, 1 acquire/record/release, 2 window at tick, 3 window later
    _put(
        "hist_ring",
        "rotate",
        bytes([4, 10, 5, 0, 3, 7, 2, 5, 0, 0, 48, 9, 0x83, 64, 1, 1, 2, 3, 2, 0, 0, 3, 16, 2]),
    )
    _put("hist_ring", "late", bytes([3, 1, 0, 0, 1, 1, 0, 5, 2, 0x80, 9, 3, 2, 0, 1, 0, 64, 4, 3, 0, 7]))
    _put("hist_ring", "one_slot", bytes([1, 255, 255, 0, 0, 1, 2, 0, 0]))


def state_seeds() -> None:
    """The state-validation harnesses (csrc/fuzz/fuzz_state.h): byte 0 selects the object and
    its configuration, then 4-byte mutations (offset lo, offset hi, value, mode)."""
    import random

    def muts(rng: random.Random, k: int) -> bytes:
        return b"".join(
            bytes([rng.randrange(256), rng.randrange(2), rng.randrange(256), rng.randrange(4)])
            for _ in range(k)
        )

    rng = random.Random(7)
    for sel in range(8):  # bit 2: the ring, else histogram configuration sel & 3
        for k in range(6):
            head = bytes([sel | (rng.randrange(4) << 4)])
            _put("hist_state", f"seed-{sel}-{k}", head + muts(rng, 1 + k))
    rng = random.Random(11)
    for target in ("service_state", "bin_state"):
        for k in range(40):
            head = bytes([rng.randrange(256)])
            _put(target, f"seed-{k}", head + muts(rng, 1 + k % 6))


if __name__ == "__main__":
    hist_seeds()
    bin_seeds()
    hist_ring_seeds()
    state_seeds()
    print("seed corpora written under", CORPUS)
