"""LatencyHistogram.buffered(): batched recording gives exactly the counts of the scalar calls,
loses nothing under 8 threads, and refuses what it cannot do."""

from __future__ import annotations

import math
import threading
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import monitor
from monitor.errors import InvalidArgumentError, InvalidTypeError
from monitor.latency.buffered import MAX_BUFFER, BufferedRecorder

UNITS = ("ns", "us", "ms", "s")

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0.0, max_value=1e7),
    st.sampled_from([0.0, -0.0, 5e-324, 1e-6, 0.0005, 0.5, 1.5, 2.5, 1.8446744073709552e19]),
    st.integers(min_value=-5, max_value=2**64 + 5),
    st.fractions(min_value=0, max_value=10**6),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(UNITS), values), max_size=80), st.integers(1, 7))
def test_same_bytes_as_the_scalar_calls(calls: list[tuple[str, object]], capacity: int) -> None:
    direct = monitor.LatencyHistogram()
    buffered = monitor.LatencyHistogram()
    rec = buffered.buffered(capacity)
    for unit, v in calls:
        getattr(direct, "record_" + unit)(v)
        getattr(rec, "record_" + unit)(v)
        assert rec.pending <= 4 * capacity
    assert rec.histogram.to_bytes() == direct.to_bytes()
    assert rec.pending == 0
    assert buffered.invalid == direct.invalid


def test_with_block_flushes_and_reads_through_the_recorder_flush() -> None:
    h = monitor.LatencyHistogram()
    with h.buffered(100) as rec:
        rec.record_ms(12.5)
        rec.record_ms(math.nan)
        assert h.count == 0 and rec.pending == 2  # pending until flushed
        assert rec.histogram.count == 1 and rec.pending == 0
        rec.record_us(3.0)
        assert rec.flush() == 0
        rec.record_s(Fraction(1, 3))  # not a float: recorded at once, after the pending floats
        assert h.count == 3
        rec.record_ms(-1.0)
    assert h.count == 3 and h.invalid == 2


def test_full_buffer_flushes() -> None:
    h = monitor.LatencyHistogram()
    rec = h.buffered(3)
    for _ in range(7):
        rec.record_ms(1.0)
    assert h.count == 6 and rec.pending == 1


def test_eight_threads_lose_nothing() -> None:
    h = monitor.LatencyHistogram()
    rec = h.buffered(64)
    per, nthreads = 5_000, 8
    start = threading.Barrier(nthreads)

    def work(k: int) -> None:
        start.wait()
        for i in range(per):
            rec.record_ms(0.001 * (k + 1) + i * 1e-6)
            if i % 997 == 0:
                rec.flush()  # concurrent flushes while the others append

    threads = [threading.Thread(target=work, args=(k,)) for k in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    ref = monitor.LatencyHistogram()
    for k in range(nthreads):
        for i in range(per):
            ref.record_ms(0.001 * (k + 1) + i * 1e-6)
    assert rec.histogram.to_bytes() == ref.to_bytes()


def test_refusals() -> None:
    with pytest.raises(InvalidArgumentError, match="strict=True"):
        monitor.LatencyHistogram(strict=True).buffered()
    h = monitor.LatencyHistogram()
    for bad in (0, MAX_BUFFER + 1):
        with pytest.raises(InvalidArgumentError, match="capacity"):
            h.buffered(bad)
    with pytest.raises(InvalidTypeError, match="capacity"):
        h.buffered(True)
    assert isinstance(h.buffered(), BufferedRecorder) and h.buffered(7).capacity == 7
    rec = h.buffered()
    with pytest.raises(InvalidTypeError):
        rec.record_ms("12")  # refused by the histogram's own scalar path, nothing pending
    assert rec.pending == 0 and h.count == 0
