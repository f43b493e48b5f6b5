"""LatencyHistogram: recording, invalid inputs, exact conversions, quantile accuracy against the
exact nearest-rank value, merges, serialisation and its validation, windows, timer."""

from __future__ import annotations

import math
import struct
import threading
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import monitor
from monitor import LatencyHistogram, WindowedLatencyHistogram
from monitor.errors import (
    ConfigMismatchError,
    CorruptDataError,
    EmptyWindowError,
    InvalidArgumentError,
    MonitorError,
)
from monitor.latency import error_bound, histogram_layout, histogram_nbytes, scale_for

from oracles import crc32c

U64 = 2**64 - 1
DEFAULT_LO, DEFAULT_HI = 1_000, 3_600 * 10**9


def exact_rank_value(sorted_vals: list[int], q: Fraction) -> int:
    n = len(sorted_vals)
    rank = max(1, math.ceil(q * n))
    return sorted_vals[rank - 1]


def hist_of(values: list[int], **kw: object) -> LatencyHistogram:
    h = LatencyHistogram(**kw)  # type: ignore[arg-type]
    for v in values:
        h.record_ns(v)
    return h


# ---- configuration and memory -----------------------------------------------------------------
@pytest.mark.req("MON-REQ-HIST-001")
def test_default_configuration_memory_and_error() -> None:
    h = LatencyHistogram()
    assert h.scale == 6
    lay = h.layout
    assert lay.buckets == 2033
    assert 8 * lay.buckets <= 16 * 1024  # counts fit in 16 KiB
    assert h.nbytes == 128 + 8 * lay.buckets == histogram_nbytes() == lay.nbytes
    assert lay.range_lo_ns <= DEFAULT_LO and lay.range_hi_ns >= DEFAULT_HI
    assert h.relative_error <= 0.01
    # the exact bound: at least the continuous (base-1)/(base+1), at most that + 1/(2 lowest)
    base = 2 ** (2**-6)
    assert (
        (base - 1) / (base + 1) <= h.relative_error <= (base - 1) / (base + 1) + 0.5 / lay.range_lo_ns + 1e-12
    )


@pytest.mark.req("MON-REQ-HIST-001")
def test_scale_choice_from_relative_error() -> None:
    assert scale_for(0.01) == 6
    assert scale_for(0.02) == 5
    assert scale_for(0.003) == 7
    for s in range(0, 9):
        b = error_bound(DEFAULT_LO, DEFAULT_HI, s)
        assert 0 < b < 1
    with pytest.raises(InvalidArgumentError, match="finer than the finest scale"):
        LatencyHistogram(relative_error=1e-6)
    with pytest.raises(InvalidArgumentError):
        LatencyHistogram(relative_error=0)
    assert LatencyHistogram(scale=3).scale == 3
    with pytest.raises(InvalidArgumentError, match="scale must be"):
        LatencyHistogram(scale=9)
    with pytest.raises(InvalidArgumentError, match="lowest_ns"):
        LatencyHistogram(lowest_ns=0)
    with pytest.raises(InvalidArgumentError):
        LatencyHistogram(lowest_ns=10, highest_ns=5)
    with pytest.raises(InvalidArgumentError):
        LatencyHistogram(lowest_ns=1.5)  # type: ignore[arg-type]


@pytest.mark.req("MON-REQ-HIST-001")
def test_layout_formula() -> None:
    for lo, hi, s in [(1, 2**64 - 1, 8), (1, 1, 0), (1000, 10**9, 4), (7, 7_000_000, 2)]:
        lay = histogram_layout(lo, hi, s)
        assert lay.buckets == lay.index_hi - lay.index_lo + 1
        assert lay.nbytes == 128 + 8 * lay.buckets
        assert lay.range_lo_ns <= lo and lay.range_hi_ns >= hi


# ---- recording and invalid inputs -----------------------------------------------------------
@pytest.mark.req("MON-REQ-HIST-003")
def test_counts_sum_min_max_exact() -> None:
    h = LatencyHistogram()
    vals = [0, 1, 999, 1_000, 12_345, 10**12, 2**64 - 1, 4 * 10**12]
    for v in vals:
        h.record_ns(v)
    assert h.count == len(vals)
    assert h.sum == sum(vals)  # > 2^64: exact 128-bit sum
    assert h.min == 0 and h.max == 2**64 - 1
    assert h.mean == sum(vals) / len(vals)
    assert h.underflow == 2  # 0 and 1; 999 is in range (range_lo_ns = 992, the bucket edge)
    assert h.overflow == 2


@pytest.mark.req("MON-REQ-HIST-002", "MON-REQ-HIST-003")
def test_underflow_boundary_is_the_bucket_edge() -> None:
    h = LatencyHistogram()
    lo = h.layout.range_lo_ns
    h.record_ns(lo - 1)
    assert h.underflow == 1
    h.record_ns(lo)
    assert h.underflow == 1 and h.count == 2
    hi = h.layout.range_hi_ns
    h.record_ns(hi)
    assert h.overflow == 0
    h.record_ns(hi + 1)
    assert h.overflow == 1


@pytest.mark.req("MON-REQ-HIST-003", "MON-REQ-HIST-004")
def test_invalid_values_are_counted_never_poison() -> None:
    h = LatencyHistogram()
    h.record_ms(2.0)
    for bad in (math.nan, math.inf, -math.inf, -1.0, -1e-300, 1e300):
        h.record_ms(bad)
        h.record_s(bad)
        h.record_us(bad)
    h.record_ns(-5)
    h.record_ns(2**64)
    assert h.invalid == 3 * 6 + 2
    assert h.count == 1 and h.sum == 2_000_000 and h.mean == 2_000_000.0
    assert h.record_many(np.array([1.0, math.nan, -2.0, math.inf, 3.0]), unit="ms") == 3
    assert h.record_many(np.array([-1, 5, 7], dtype=np.int64), unit="us") == 1
    assert h.invalid == 24 and h.count == 5
    h.record_ms(-0.0)  # negative zero is zero
    assert h.underflow == 1
    with pytest.raises(TypeError):
        h.record_ms("12")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        h.record_ns(None)  # type: ignore[arg-type]


@pytest.mark.req("MON-REQ-HIST-004")
def test_strict_raises_and_does_not_count() -> None:
    h = LatencyHistogram(strict=True)
    for bad in (math.nan, math.inf, -1.0):
        with pytest.raises(InvalidArgumentError, match="strict"):
            h.record_ms(bad)
    with pytest.raises(InvalidArgumentError):
        h.record_ns(-1)
    with pytest.raises(InvalidArgumentError, match="nothing recorded"):
        h.record_many([1.0, math.nan], unit="ms")
    assert h.invalid == 0 and h.count == 0
    h.record_many([1.0, 2.0], unit="ms")
    h.record_ms(1.5)
    assert h.count == 3
    assert isinstance(InvalidArgumentError("x"), ValueError) and isinstance(
        InvalidArgumentError("x"), MonitorError
    )


@pytest.mark.req("MON-REQ-HIST-004")
def test_record_many_dtypes_and_units_agree_with_scalars() -> None:
    rng = np.random.default_rng(7)
    ms = rng.lognormal(2, 1, 5000)
    a, b = LatencyHistogram(), LatencyHistogram()
    a.record_many(ms, unit="ms")
    for x in ms.tolist():
        b.record_ms(x)
    assert a == b
    ns = (ms * 1e6).astype(np.int64)
    c, d, e = LatencyHistogram(), LatencyHistogram(), LatencyHistogram()
    c.record_many(ns)
    d.record_many(ns.astype(np.uint64))
    e.record_many(ns.tolist())
    assert c == d == e
    f = LatencyHistogram()
    f.record_many((ns // 1000).astype(np.int32), unit="us")
    g = LatencyHistogram()
    for x in (ns // 1000).tolist():
        g.record(x * 1000, "ns")
    assert f == g
    s = LatencyHistogram()
    s.record_many(np.array([[1, 2], [3, 4]], dtype=np.float32), unit="s")  # any shape, float32
    assert s.count == 4 and s.sum == 10 * 10**9
    with pytest.raises(InvalidArgumentError, match="dtype"):
        s.record_many(np.array(["a"]))
    with pytest.raises(InvalidArgumentError, match="unit"):
        s.record_many([1], unit="h")  # type: ignore[arg-type]
    assert s.record_many([]) == 0


@given(
    x=st.floats(min_value=0, max_value=2e19, allow_nan=False), unit=st.sampled_from(["ns", "us", "ms", "s"])
)
@pytest.mark.req("MON-REQ-HIST-004")
def test_float_conversion_is_exact_round_half_even(x: float, unit: str) -> None:
    mult = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9}[unit]
    expect = round(Fraction(x) * mult)  # Fraction rounds half to even
    h = LatencyHistogram(lowest_ns=1, highest_ns=U64, scale=0)
    h.record(x, unit)  # type: ignore[arg-type]
    if expect > U64:
        assert h.invalid == 1 and h.count == 0
    else:
        assert h.invalid == 0 and h.sum == expect


@pytest.mark.req("MON-REQ-HIST-004")
def test_float_conversion_ties() -> None:
    h = LatencyHistogram(lowest_ns=1, highest_ns=U64, scale=0)
    for x, expect in [(0.5, 0), (1.5, 2), (2.5, 2), (3.5, 4), (0.0000005, 0)]:
        h.reset()
        h.record(x, "ns")
        assert h.sum == expect, x
    h.reset()
    h.record_ms(0.1)  # 0.1 is 0.1000000000000000055...: exactly 100000.0000000000055 ns -> 100000
    assert h.sum == 100_000


# ---- quantiles ------------------------------------------------------------------------------
def _datasets() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(12345)
    n = 200_000
    lognormal = rng.lognormal(np.log(20e6), 0.8, n)
    bimodal = np.concatenate([rng.normal(5e6, 3e5, n // 2), rng.normal(250e6, 2e7, n // 2)])
    pareto = (rng.pareto(1.2, n) + 1) * 2e6
    pareto = np.minimum(pareto, 3e12)
    constant = np.full(n, 47_300_000.0)
    tiny_and_huge = np.concatenate([rng.uniform(1000, 2000, n // 2), rng.uniform(1e12, 3.5e12, n // 2)])
    return {
        "lognormal": lognormal,
        "bimodal": np.abs(bimodal),
        "pareto": pareto,
        "constant": constant,
        "edges": tiny_and_huge,
    }


QS = [
    Fraction(0),
    Fraction(1, 1000),
    Fraction(1, 100),
    Fraction(1, 10),
    Fraction(1, 4),
    Fraction(1, 2),
    Fraction(3, 4),
    Fraction(9, 10),
    Fraction(99, 100),
    Fraction(999, 1000),
    Fraction(9999, 10000),
    Fraction(1),
]


@pytest.mark.parametrize("name", ["lognormal", "bimodal", "pareto", "constant", "edges"])
@pytest.mark.parametrize("relative_error", [0.01, 0.02, 0.003])
@pytest.mark.req("MON-REQ-HIST-006")
def test_quantile_error_bound_on_distributions(name: str, relative_error: float) -> None:
    data = np.rint(_datasets()[name]).astype(np.int64)
    h = LatencyHistogram(relative_error=relative_error)
    h.record_many(data)
    assert h.count == len(data) and h.underflow == 0 and h.overflow == 0
    bound = h.relative_error_exact
    assert bound <= Fraction(relative_error)
    srt = sorted(data.tolist())
    got = h.quantiles(QS)
    for q, est in zip(QS, got):
        x = exact_rank_value(srt, q)
        assert abs(est - x) <= bound * x, (name, q, est, x, float(abs(est - x) / x))
    assert srt[0] <= min(got) and max(got) <= srt[-1]  # clamped to the exact min and max


@given(
    values=st.lists(st.integers(1_000, 3_600 * 10**9), min_size=1, max_size=300),
    q=st.fractions(min_value=0, max_value=1),
    scale=st.integers(0, 8),
)
@pytest.mark.req("MON-REQ-HIST-006")
def test_quantile_error_bound_property(values: list[int], q: Fraction, scale: int) -> None:
    assume(q.denominator < 2**64)
    h = hist_of(values, scale=scale)
    bound = h.relative_error_exact
    x = exact_rank_value(sorted(values), q)
    est = h.quantile(q)  # type: ignore[arg-type]
    assert min(values) <= est <= max(values)
    assert abs(est - x) <= bound * x


def test_quantile_decimal_semantics_and_validation() -> None:
    h = hist_of([10_000 * i for i in range(1, 11)], scale=8)
    # 0.9 * 10 = 9 exactly (as written), so rank 9, not 10
    assert h.quantile(0.9) == h.quantile(Fraction(9, 10)) < 100_000 * 0.999
    assert h.percentiles((90,))[90] == h.quantile(0.9)
    ps = h.percentiles()
    assert list(ps) == [50, 90, 99, 99.9]
    for bad in (-0.1, 1.1, math.nan, "0.5"):
        with pytest.raises(InvalidArgumentError):
            h.quantile(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        h.percentiles((101,))
    with pytest.raises(EmptyWindowError):
        LatencyHistogram().quantile(0.5)
    assert h.quantile(np.float64(0.9)) == h.quantile(np.float32(0.9)) == h.quantile(0.9)
    assert h.percentiles([np.float64(99.9), np.int64(50)]) == {99.9: h.quantile(0.999), 50: h.quantile(0.5)}
    many = h.quantiles([i / 200 for i in range(201)])  # more than 64 quantiles: batched
    assert many == sorted(many) and len(many) == 201


@pytest.mark.req("MON-REQ-HIST-006")
def test_underflow_and_overflow_ranks_return_exact_extremes() -> None:
    h = LatencyHistogram()
    h.record_ns(3)
    h.record_ns(10**6)
    h.record_ns(10**15)
    assert h.quantile(0) == 3
    assert h.quantile(1) == 10**15


@pytest.mark.req("MON-REQ-HIST-006")
def test_count_at_or_below() -> None:
    h = LatencyHistogram()
    vals = list(range(1_000, 2_000_000, 997))
    h.record_many(vals)
    for b in list(h.buckets())[::17]:
        c, exact = h.count_at_or_below(b.upper_ns)
        assert exact and c == sum(1 for v in vals if v <= b.upper_ns)
    c, exact = h.count_at_or_below(1_500_001)
    truth = sum(1 for v in vals if v <= 1_500_001)
    assert c <= truth
    assert h.count_at_or_below(10**15) == (len(vals), True)
    assert h.count_at_or_below(5) == (0, True)
    with pytest.raises(InvalidArgumentError):
        h.count_at_or_below(-1)


@pytest.mark.req("MON-REQ-HIST-006")
def test_buckets_iteration_and_bounds() -> None:
    h = LatencyHistogram()
    vals = [1_000, 1_000, 5_000, 123_456_789]
    h.record_many(vals)
    bs = list(h.buckets())
    assert sum(b.count for b in bs) == 4
    for b in bs:
        assert (b.lower_ns, b.upper_ns) == h.bucket_bounds(b.index)
        assert b.count == sum(1 for v in vals if b.lower_ns < v <= b.upper_ns)
    counts = h.bucket_counts()
    assert counts.sum() == 4 and counts.dtype == np.uint64


# ---- merge ----------------------------------------------------------------------------------
values_st = st.lists(st.one_of(st.integers(0, 2**64 - 1), st.integers(500, 10**7)), max_size=60)


@given(a=values_st, b=values_st, c=values_st)
@pytest.mark.req("MON-REQ-HIST-007")
def test_merge_commutative_associative_bytes(a: list[int], b: list[int], c: list[int]) -> None:
    ha, hb, hc = hist_of(a), hist_of(b), hist_of(c)
    ab, ba = ha + hb, hb + ha
    assert ab.to_bytes() == ba.to_bytes()
    left = (ha + hb) + hc
    right = ha + (hb + hc)
    assert left.to_bytes() == right.to_bytes()
    assert left.to_bytes() == hist_of(a + b + c).to_bytes()  # same as recording everything once
    assert left.sum == sum(a + b + c)


@pytest.mark.req("MON-REQ-HIST-007", "MON-REQ-STATUS-003")
def test_merge_mismatch_and_in_place() -> None:
    a, b = LatencyHistogram(), LatencyHistogram(scale=5)
    with pytest.raises(ConfigMismatchError, match="different configurations"):
        a.merge(b)
    with pytest.raises(TypeError):
        a.merge(3)  # type: ignore[arg-type]
    a.record_ns(5_000)
    c = LatencyHistogram()
    c += a
    c.merge(a, a)
    assert c.count == 3
    assert (a + a).count == 2 and a.count == 1


# ---- serialisation --------------------------------------------------------------------------
@given(values=values_st, invalid=st.integers(0, 5), scale=st.integers(0, 8))
@pytest.mark.req("MON-REQ-CODEC-001")
def test_bytes_round_trip(values: list[int], invalid: int, scale: int) -> None:
    h = hist_of(values, scale=scale, lowest_ns=7, highest_ns=10**10)
    for _ in range(invalid):
        h.record_ms(math.nan)
    b = h.to_bytes()
    g = LatencyHistogram.from_bytes(b)
    assert g.to_bytes() == b and g == h
    assert (g.count, g.sum, g.invalid, g.min, g.max) == (h.count, h.sum, h.invalid, h.min, h.max)
    assert (g.lowest_ns, g.highest_ns, g.scale) == (7, 10**10, scale)


def _sample_bytes() -> bytes:
    h = LatencyHistogram()
    h.record_many(np.arange(1, 50_000, 37) * 1000)
    h.record_ms(math.nan)
    return h.to_bytes()


@pytest.mark.req("MON-REQ-CODEC-001")
def test_golden_layout_of_bytes() -> None:
    h = LatencyHistogram(lowest_ns=1000, highest_ns=10**6, scale=2)
    h.record_ns(0)
    h.record_ns(2048)
    b = h.to_bytes()
    assert b[:4] == b"MONH" and b[4] == 1 and b[5] == 2
    lowest, highest, count, under, over, inv, mn, mx, slo, shi, nz, res = struct.unpack_from(
        "<QQQQQQQQQQII", b, 8
    )
    assert (lowest, highest, count, under, over, inv, mn, mx, slo, shi, nz, res) == (
        1000,
        10**6,
        2,
        1,
        0,
        0,
        0,
        2048,
        2048,
        0,
        1,
        0,
    )
    assert len(b) == 96 + 12 + 4
    off, cnt = struct.unpack_from("<IQ", b, 96)
    assert cnt == 1 and off == 44 - h.layout.index_lo  # index of 2048 at scale 2 is 11 * 4 = 44
    import zlib  # noqa: F401  (CRC-32C is not zlib's CRC-32: check against an independent implementation)

    assert struct.unpack_from("<I", b, len(b) - 4)[0] == crc32c(b[:-4])


@pytest.mark.req("MON-REQ-CODEC-002")
def test_corrupted_bytes_rejected_with_clear_errors() -> None:
    b = _sample_bytes()
    with pytest.raises(CorruptDataError, match="magic"):
        LatencyHistogram.from_bytes(b"XXXX" + b[4:])
    with pytest.raises(CorruptDataError, match="version 2"):
        LatencyHistogram.from_bytes(b[:4] + bytes([2]) + b[5:])
    with pytest.raises(CorruptDataError, match="truncated"):
        LatencyHistogram.from_bytes(b[:50])
    with pytest.raises(CorruptDataError, match="truncated"):
        LatencyHistogram.from_bytes(b[:-5])
    with pytest.raises(CorruptDataError, match="checksum"):
        LatencyHistogram.from_bytes(b[:30] + bytes([b[30] ^ 1]) + b[31:])
    with pytest.raises(CorruptDataError):
        LatencyHistogram.from_bytes(b + b"\0")
    with pytest.raises(TypeError):
        LatencyHistogram.from_bytes("abc")  # type: ignore[arg-type]
    assert isinstance(CorruptDataError("x"), ValueError)


def _refresh_crc(body: bytes) -> bytes:
    return body + struct.pack("<I", crc32c(body))


@pytest.mark.req("MON-REQ-CODEC-002")
def test_semantic_corruption_with_valid_checksum_rejected() -> None:
    b = bytearray(_sample_bytes()[:-4])
    cases = []
    bad = bytearray(b)
    struct.pack_into("<Q", bad, 24, 12345)  # count inconsistent with buckets
    cases.append(bad)
    bad = bytearray(b)
    bad[5] = 9  # scale out of range
    cases.append(bad)
    bad = bytearray(b)
    struct.pack_into("<Q", bad, 8, 0)  # lowest 0
    cases.append(bad)
    bad = bytearray(b)
    struct.pack_into("<I", bad, 96 + 12, 0)  # bucket offsets not increasing
    cases.append(bad)
    bad = bytearray(b)
    struct.pack_into("<I", bad, 96, 10**6)  # bucket offset out of range
    cases.append(bad)
    bad = bytearray(b)
    struct.pack_into("<QQ", bad, 56, 10, 5)  # min > max
    cases.append(bad)
    bad = bytearray(b)
    bad[6] = 1  # reserved field
    cases.append(bad)
    for c in cases:
        with pytest.raises(CorruptDataError, match="MON_E_FORMAT"):
            LatencyHistogram.from_bytes(_refresh_crc(bytes(c)))


@given(data=st.binary(max_size=400), cut=st.integers(0, 2000))
@pytest.mark.req("MON-REQ-CODEC-002")
def test_fuzzed_bytes_never_crash(data: bytes, cut: int) -> None:
    good = _sample_bytes()
    for blob in (data, good[:cut] + data, b"MONH\x01" + data):
        try:
            LatencyHistogram.from_bytes(blob)
        except CorruptDataError:
            pass


# ---- windows --------------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.req("MON-REQ-RING-001")
def test_windowed_histogram_rotates_deterministically() -> None:
    clk = FakeClock()
    w = WindowedLatencyHistogram(window_s=300, slots=5, clock=clk)
    assert w.slot_s == 60 and w.window_s == 300
    for minute in range(7):
        for _ in range(minute + 1):
            w.record_ms(float(minute + 1))
        clk.t += 60
    clk.t -= 60  # stay in the last minute
    last_min = w.window(60)
    assert last_min.count == 7 and last_min.min == 7_000_000
    five = w.window()
    assert five.count == 3 + 4 + 5 + 6 + 7
    assert w.window(120).count == 6 + 7
    assert w.count == five.count
    assert w.quantile(1.0) == 7_000_000
    assert w.percentiles((50,), last_s=60) == {50: 7_000_000}
    clk.t += 10_000
    assert w.window().count == 0
    clk.t -= 5_000  # clock going backwards: records stay in the current slot
    w.record_ns(5_000)
    assert w.window(60).count == 1
    w.record_many([1, 2, 3])
    with w.timer():
        pass
    assert w.window().count == 5
    w.record_ms(math.nan)
    assert w.window().invalid == 1
    with pytest.raises(InvalidArgumentError):
        WindowedLatencyHistogram(window_s=0)
    with pytest.raises(InvalidArgumentError):
        WindowedLatencyHistogram(slots=0)


@pytest.mark.req("MON-REQ-RING-001")
def test_windowed_histogram_explicit_ticks() -> None:
    """record_ns_at / window_at take the caller's ns tick: epoch (t - start_ns) // slot_ns."""
    w = WindowedLatencyHistogram(window_s=4.0, slots=4, clock=lambda: 0.0, start_ns=10**9)
    assert w.slot_ns == 10**9 and w.start_ns == 10**9 and w.late == 0
    for e in range(8):  # epochs 0..7, e + 1 values of (e + 1) us each
        for _ in range(e + 1):
            w.record_ns_at(10**9 + e * 10**9 + 5, (e + 1) * 1_000)
    now = 10**9 + 7 * 10**9 + 999
    full = w.window_at(now)
    assert full.count == 5 + 6 + 7 + 8 and full.min == 5_000 and full.max == 8_000
    assert w.window_at(now, 1).count == 8 and w.window_at(now, 2).count == 15
    assert w.window_at(0).count == 0  # epoch 0 only: its slot now holds epoch 4
    # a value whose epoch has left the window (its slot holds a newer epoch) is only late
    w.record_ns_at(10**9 + 2 * 10**9, 1_000)
    assert w.late == 1 and w.window_at(now).count == 26
    # an epoch that left the window but whose slot was not reused yet is still recorded
    w.record_ns_at(10**9 + 4 * 10**9, 1_000)  # epoch 4: slot 0 holds epoch 4
    assert w.window_at(10**9 + 4 * 10**9, 1).count == 6 and w.late == 1
    w.record_ns_at(now, -5)  # invalid values are counted as invalid in the slot
    assert w.window_at(now, 1).invalid == 1
    for bad in (-1, 2**64, 1.5, None, "1"):
        with pytest.raises(InvalidArgumentError):
            w.window_at(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        w.record_ns_at(-1, 5)
    for bad_n in (0, 5, True, 1.0):
        with pytest.raises(InvalidArgumentError):
            w.window_at(now, bad_n)  # type: ignore[arg-type]
    late = w.late
    w._record_many_at(10**9, [1, 2, 3], "ns")  # a late array counts every value as late
    assert w.late == late + 3
    with pytest.raises(InvalidArgumentError):
        WindowedLatencyHistogram(start_ns=-1)
    s = WindowedLatencyHistogram(window_s=4.0, slots=4, clock=lambda: 0.0, strict=True)
    s.record_ns_at(100 * 10**9, 1)
    with pytest.raises(InvalidArgumentError):
        s.record_ns_at(10**9, -1)  # late and invalid: strict raises, nothing counted
    assert s.late == 0
    with pytest.raises(InvalidArgumentError):
        s.record_ns_at(10**9, 2**70)  # late, and not strict-valid either: still raises
    assert s.late == 0
    w.record_ns_at(10**9, 2**70)  # not strict: late values are counted whatever they are
    w.record_ns_at(10**9, 1.5)
    assert w.late == late + 5
    with pytest.raises(TypeError):
        w.record_ns_at(10**9, "5")  # type: ignore[arg-type]


@pytest.mark.req("MON-REQ-RING-001", "MON-REQ-CLOCK-001")
def test_windowed_histogram_clock_jumps_steps_back_and_nan() -> None:
    clk = FakeClock()
    w = WindowedLatencyHistogram(window_s=60, slots=6, clock=clk)
    w.record_ms(1.0)
    clk.t += 3600  # jump forward an hour: the old values leave the window
    assert w.count == 0
    w.record_ms(2.0)
    clk.t -= 1800  # a far step back: re-anchored, ticks go on from the newest one
    w.record_ms(3.0)
    assert w.window(10).count == 2 and w.window(10).min == 2_000_000
    assert w.ticks.steps_back == 1
    for reading in (math.nan, math.inf, -math.inf, 1e300):  # faults: the newest tick is used
        clk.t = reading
        w.record_ms(4.0)
        w.record_many([5, 6])
        assert w.window(10).count >= 3
    assert w.window(10).count == 2 + 4 * 3 and w.late == 0
    assert w.ticks.faults == 4 * 3 + 1  # 3 readings a round (record_ms, record_many, window) + 1
    clk.t = -5.0  # a far step back again (a negative reading is a reading): re-anchored
    w.record_ms(4.0)
    assert w.ticks.steps_back == 2 and w.window(10).count == 15
    clk.t = 0.0  # 5 s later on the re-anchored clock: everything is still in the minute
    assert w.count == 15
    clk.t = 600.0  # and on: the window moves at the clock's rate (it never freezes)
    assert w.count == 0
    w.record_ns(7)
    assert w.count == 1


@pytest.mark.req("MON-REQ-RING-001", "MON-REQ-THREAD-001")
def test_windowed_histogram_threads_record_exactly() -> None:
    import threading

    clk = FakeClock()
    w = WindowedLatencyHistogram(window_s=60, slots=6, clock=clk)
    per, nthreads = 2_000, 8
    go = threading.Barrier(nthreads)

    def work(k: int) -> None:
        go.wait()
        for i in range(per):
            if i % 4 == 0:
                w.record_ms(1.0 + k)
            elif i % 4 == 1:
                w.record_many([1_000 * (k + 1), 2_000])
            else:
                w.record_ns(1_000 * (k + 1))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    h = w.window()
    assert h.count == nthreads * (per + per // 4) and h.invalid == 0 and w.late == 0
    expect = sum(
        per // 4 * (1_000_000 * (1 + k) + 1_000 * (k + 1) + 2_000 + 2 * 1_000 * (k + 1))
        for k in range(nthreads)
    )
    assert h.sum == expect


def test_timer_measures_with_perf_counter() -> None:
    h = LatencyHistogram()
    with h.timer() as t:
        sum(range(1000))
    assert h.count == 1 and t.elapsed_ns > 0 and h.sum == t.elapsed_ns
    with pytest.raises(RuntimeError):
        with h.timer():
            raise RuntimeError("boom")
    assert h.count == 2  # a failing block is still timed


def test_pickle_and_copy_module() -> None:
    import copy
    import pickle

    h = hist_of([5_000, 6_000, 0])
    h.record_ms(math.nan)
    for g in (pickle.loads(pickle.dumps(h)), copy.copy(h), copy.deepcopy(h)):
        assert g == h and g is not h and g.invalid == 1
    s = pickle.loads(pickle.dumps(LatencyHistogram(strict=True)))
    assert s.strict
    with pytest.raises(InvalidArgumentError):
        s.record_ms(math.nan)


def test_copy_reset_repr_eq() -> None:
    h = hist_of([5_000, 6_000])
    c = h.copy()
    assert c == h and c is not h
    h.reset()
    assert h.count == 0 and c.count == 2 and h != c
    assert "scale=6" in repr(c)
    assert h.min is None and h.max is None and h.mean is None


# ---- concurrency ----------------------------------------------------------------------------
@pytest.mark.req("MON-REQ-THREAD-001")
def test_threads_lose_no_values() -> None:
    """8 threads x 1e6 values through the GIL-releasing cffi calls: exact count and sum."""
    h = LatencyHistogram()
    per_thread = 1_000_000
    chunk = np.arange(1_000, 1_000 + 10_000, dtype=np.int64) * 37
    singles = 20_000

    def work() -> None:
        for _ in range((per_thread - singles) // len(chunk)):
            h.record_many(chunk)
        rec = h.record_ns
        for i in range(singles):
            rec(5_000 + i)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert h.count == 8 * per_thread
    expect = 8 * (
        (per_thread - singles) // len(chunk) * int(chunk.sum()) + sum(range(5_000, 5_000 + singles))
    )
    assert h.sum == expect


@pytest.mark.req("MON-REQ-THREAD-001")
def test_readers_see_consistent_snapshots_while_writers_record() -> None:
    h = LatencyHistogram()
    stop = threading.Event()
    data = np.arange(1, 5_001, dtype=np.int64) * 997  # 997 ns .. ~5 ms, some underflow

    def writer() -> None:
        while not stop.is_set():
            h.record_many(data)

    ws = [threading.Thread(target=writer) for _ in range(3)]
    for w in ws:
        w.start()
    try:
        last = 0
        for _ in range(200):
            snap = h.copy()
            c = snap.count
            assert c == int(snap.bucket_counts().sum()) + snap.underflow + snap.overflow
            assert c >= last  # counts only grow
            last = c
            if c:
                lo, hi = snap.min, snap.max
                assert lo is not None and hi is not None
                assert lo <= snap.quantile(0.5) <= hi
                assert snap.sum >= c * lo  # the sum covers every counted value
                assert snap == LatencyHistogram.from_bytes(snap.to_bytes())
                live = h.percentiles((50, 99))  # live reads work while writers run
                assert all(997 <= v <= 5_000 * 997 for v in live.values())
    finally:
        stop.set()
        for w in ws:
            w.join()
    assert h.count % len(data) == 0


def test_public_names_exported() -> None:
    for name in (
        "LatencyHistogram",
        "WindowedLatencyHistogram",
        "OtelExponentialHistogramPoint",
        "NativeHistogram",
    ):
        assert hasattr(monitor, name) and name in monitor.__all__
