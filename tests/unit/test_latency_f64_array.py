"""record_many on float64 arrays: the C array path converts every double to the exact integer
ns (half to even), the same integer as exact rational arithmetic, and the histogram bytes equal
those of the integer ns recorded directly. Doubles of every kind: ties, subnormals, huge values,
negative values, -0.0, NaN and infinities."""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import LatencyHistogram

U64 = 2**64 - 1
MULT = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9}


def exact_ns(x: float, unit: str) -> int | None:
    """The ns integer of x in unit (None when invalid), by exact rational arithmetic."""
    if math.isnan(x) or math.isinf(x) or x < 0:
        return None
    v = round(Fraction(x) * MULT[unit])  # Fraction rounds half to even
    return v if v <= U64 else None


def same_as_exact(xs: list[float], unit: str) -> None:
    got = LatencyHistogram(lowest_ns=1_000, highest_ns=10**13, scale=5)
    bad = got.record_many(np.array(xs, dtype=np.float64), unit)  # type: ignore[arg-type]
    ns = [exact_ns(x, unit) for x in xs]
    good = [v for v in ns if v is not None]
    want = LatencyHistogram(lowest_ns=1_000, highest_ns=10**13, scale=5)
    want.record_many(np.array(good, dtype=np.uint64))
    want.record_invalid(len(ns) - len(good))
    assert bad == len(ns) - len(good)
    assert got.sum == sum(good)
    assert got.to_bytes() == want.to_bytes()


def _tie(odd: int, unit: str) -> float:
    # odd * 2^-(a+1) with 10^a the unit's multiplier: x * 10^a is an odd multiple of 1/2
    a = {"ns": 0, "us": 3, "ms": 6, "s": 9}[unit]
    return math.ldexp(2 * odd + 1, -(a + 1))


@settings(max_examples=100, deadline=None)
@given(
    xs=st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(min_value=0, max_value=2e10),
            st.floats(min_value=2.0**-11, max_value=2.0**33),  # the C fast path's range
            st.integers(0, 2**64 - 1).map(lambda b: struct.unpack("<d", struct.pack("<Q", b))[0]),
            st.floats(min_value=0, max_value=2.0**-1022),  # subnormals
        ),
        max_size=100,
    ),
    unit=st.sampled_from(["ns", "us", "ms", "s"]),
)
@pytest.mark.req("MON-REQ-HIST-004")
def test_float64_array_is_the_exact_conversion(xs: list[float], unit: str) -> None:
    same_as_exact(xs, unit)


@pytest.mark.req("MON-REQ-HIST-004")
def test_float64_array_random_differential() -> None:
    rng = np.random.default_rng(20261201)
    for unit in ("ns", "us", "ms", "s"):
        bits = rng.integers(0, 2**63, 8_000, dtype=np.uint64)
        # exponents around the latency range (biased 1000..1070), both signs now and then
        expo = rng.integers(1000, 1070, bits.size, dtype=np.uint64)
        bits = (bits & np.uint64(2**52 - 1)) | (expo << np.uint64(52))
        bits[::97] |= np.uint64(2**63)
        xs = bits.view(np.float64).tolist()
        xs += [_tie(int(k), unit) for k in rng.integers(0, 2**40, 1_000)]
        xs += [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 2.0**-1074 * 3, 1.8e19, 2.0**64]
        same_as_exact(xs, unit)
