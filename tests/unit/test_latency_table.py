"""The exact integer thresholds of the latency histogram, verified with Python big integers.

T(i) = floor(base^i) with base = 2^(2^-scale) is the largest integer t with
t^(2^scale) <= 2^i. Every threshold of every scale and every octave (the whole uint64 range)
is checked against that definition, and the C index function against it at every boundary.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor._ffi import ffi, lib

from oracles import ROOT

GEN = os.path.join(ROOT, "tools", "gen", "gen_hist_table.py")


def c_threshold(scale: int, i: int) -> int:
    out = ffi.new("uint64_t *")
    assert lib.mon_hist_threshold(scale, i, out) == 0
    return int(out[0])


def c_index(scale: int, v: int) -> int:
    out = ffi.new("int32_t *")
    assert lib.mon_hist_index_of(scale, v, out) == 0
    return int(out[0])


def exact_index(scale: int, v: int) -> int:
    """ceil(2^scale * log2(v)) = smallest i with v^(2^scale) <= 2^i, by integer arithmetic."""
    k = 1 << scale
    p = v**k
    i = p.bit_length() - 1  # 2^i <= p < 2^(i+1)
    return i if p == 1 << i else i + 1


def test_generated_table_is_up_to_date() -> None:
    proc = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("scale", range(lib.MON_HIST_MIN_SCALE, lib.MON_HIST_MAX_SCALE + 1))
def test_every_threshold_is_exact(scale: int) -> None:
    k = 1 << scale
    top = 64 * k
    prev = 0
    for i in range(top):
        t = c_threshold(scale, i)
        # floor(2^(i/k)): t^k <= 2^i < (t+1)^k
        assert t**k <= 1 << i < (t + 1) ** k, (scale, i, t)
        assert t >= prev
        prev = t
    assert c_threshold(scale, top) == 2**64 - 1  # 2^64 capped
    assert c_threshold(scale, -1) == 0


@pytest.mark.parametrize("scale", range(lib.MON_HIST_MIN_SCALE, lib.MON_HIST_MAX_SCALE + 1))
def test_index_at_every_boundary(scale: int) -> None:
    top = 64 << scale
    prev = 0
    for i in range(top):
        t = c_threshold(scale, i)
        if t > prev:  # bucket i holds the integers prev+1 .. t
            assert c_index(scale, t) == i
            assert c_index(scale, prev + 1) == i
            if t + 1 < 2**64:
                assert c_index(scale, t + 1) > i
        prev = t


@given(v=st.one_of(st.integers(1, 2**64 - 1), st.integers(1, 2**20)), scale=st.integers(0, 8))
def test_index_matches_exact_definition(v: int, scale: int) -> None:
    assert c_index(scale, v) == exact_index(scale, v)


def test_index_rejects_bad_arguments() -> None:
    out = ffi.new("int32_t *")
    assert lib.mon_hist_index_of(9, 5, out) == lib.MON_E_CONFIG
    assert lib.mon_hist_index_of(3, 0, out) == lib.MON_E_VALUE
