"""monitor.shared in one process: creation, attach, exact totals, the fixed size, and every way a
segment file can be wrong (corrupted, truncated, another configuration or format), which must
be a clear error and leave the file untouched. The multi-process tests are in
test_shared_processes.py and test_shared_gunicorn.py."""

from __future__ import annotations

import math
import os
import struct
import threading
from pathlib import Path

import pytest

from monitor import ServiceMonitor
from monitor.errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError
from monitor.latency import LatencyHistogram, histogram_nbytes
from monitor.shared import ENV_VAR, HEADER_BYTES, SharedSegment, segment_path, shared_segment_size


def _open(path: Path, **kw: object) -> SharedSegment:
    kw.setdefault("service", "svc")
    kw.setdefault("model_version", "v1")
    return SharedSegment.open(path, **kw)  # type: ignore[arg-type]


def test_size_is_fixed_and_stated(tmp_path: Path) -> None:
    seg = _open(tmp_path / "a.seg")
    assert seg.created
    size = shared_segment_size()
    assert size == seg.nbytes == os.path.getsize(tmp_path / "a.seg")
    assert size == HEADER_BYTES + seg.counters.nbytes_for(1) + histogram_nbytes()
    two = shared_segment_size(histograms=("request", "model"))
    assert two - size == histogram_nbytes()
    for i in range(1000):
        seg.counters.begin(0)
        seg.counters.ok(0)
        seg.histogram().record_ns(i)
    assert os.path.getsize(tmp_path / "a.seg") == size  # never grows
    assert sorted(os.listdir(tmp_path)) == ["a.seg"]  # no temporary file left behind


@pytest.mark.req("MON-REQ-SHARED-001")
def test_attach_sees_the_same_state(tmp_path: Path) -> None:
    a = _open(tmp_path / "a.seg")
    b = _open(tmp_path / "a.seg")
    assert a.created and not b.created
    assert b.totals().received == 0 and b.totals().dropped == 0  # the claiming reject is hidden
    a.counters.begin(0)
    a.counters.fail_status(0, 4)
    b.counters.reject(0)
    a.histogram().record_ns(1_500)
    for s in (a, b):
        t = s.totals()
        assert (t.received, t.processed, t.dropped, t.failed, t.in_flight) == (2, 0, 1, 1, 0)
        assert t.errors["timeout"] == 1
        h = s.latency()
        assert h.count == 1 and h.sum == 1_500


def test_service_monitor_records_into_the_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "dir"))
    t = [100.0]
    svc = ServiceMonitor("fraud model", "v/3", logger=False, clock=lambda: t[0])
    assert svc.shared is not None
    assert svc.shared.path == segment_path(tmp_path / "dir", "fraud model", "v/3")
    other = ServiceMonitor("fraud model", "v/3", logger=False, clock=lambda: t[0])  # a second "worker"
    for m in (svc, other):
        with m.observe() as obs:
            t[0] += 0.25
            obs.record(prediction=1.0)
        with pytest.raises(KeyError), m.observe():
            raise KeyError("x")
        with m.observe() as obs:
            obs.drop("shed")
        m.reject()
        m.record_error("business_logic")
    for m in (svc, other):
        tot = m.totals()
        assert tot["received"] == 8 and tot["processed"] == 2 and tot["dropped"] == 4 and tot["failed"] == 2
        assert tot["business_logic"] == 2 and tot["infrastructure"] == 2 and tot["in_flight"] == 0
        snap = m.snapshot()
        assert snap.throughput.received == 8  # totals: every process
        assert snap.throughput.window_received == 4  # windows: this process
        assert snap.latency.count == 3
    assert svc.shared.latency().count == 6
    # the exports' cumulative histogram is the segment's (recorded once, by the segment)
    assert svc.latency_histogram() == other.latency_histogram() == svc.shared.latency()
    assert svc.shared.latency().max == 250_000_000
    assert ServiceMonitor("fraud model", "v/3", logger=False, shared=False).shared is None


def test_explicit_segment_must_match_the_service(tmp_path: Path) -> None:
    seg = _open(tmp_path / "a.seg")
    ServiceMonitor("svc", "v1", logger=False, shared=seg)
    with pytest.raises(ConfigMismatchError, match="model_version"):
        ServiceMonitor("svc", "v2", logger=False, shared=seg)
    with pytest.raises(ConfigMismatchError, match="scale"):
        ServiceMonitor("svc", "v1", logger=False, shared=seg, latency_config={"relative_error": 0.05})
    with pytest.raises(InvalidArgumentError, match="shared must be"):
        ServiceMonitor("svc", "v1", logger=False, shared=3)  # type: ignore[arg-type]


@pytest.mark.req("MON-REQ-SHARED-001", "MON-REQ-THREAD-001")
def test_threads_record_exactly(tmp_path: Path) -> None:
    seg = _open(tmp_path / "a.seg")
    n, k = 8, 5_000
    c, h = seg.counters, seg.histogram()
    barrier = threading.Barrier(n)

    def work(i: int) -> None:
        barrier.wait()
        for j in range(k):
            c.begin(0)
            c.ok(0)
            h.record_ns(1_000 + i * k + j)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t = seg.totals()
    assert t.received == t.processed == n * k and t.in_flight == 0
    lat = seg.latency()
    assert lat.count == n * k and lat.sum == sum(range(1_000, 1_000 + n * k))


# -- files that are not a valid segment of this configuration: a clear error, file untouched ---
def _corrupt(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.mark.parametrize(
    ("damage", "error", "match"),
    [
        (lambda p: _corrupt(p, 0, b"XXXX"), CorruptDataError, "bad magic"),
        (lambda p: _corrupt(p, 100, b"\xff"), CorruptDataError, "checksum"),
        (lambda p: _corrupt(p, HEADER_BYTES, b"\0" * 8), CorruptDataError, "no service counters"),
        (
            lambda p: _corrupt(p, shared_segment_size() - histogram_nbytes(), b"\0"),
            CorruptDataError,
            "histogram",
        ),
        # a histogram header field (its bucket count) overwritten: refused, never used to index
        (
            lambda p: _corrupt(p, shared_segment_size() - histogram_nbytes() + 36, b"\x07"),
            CorruptDataError,
            "buckets",
        ),
        (lambda p: os.truncate(p, shared_segment_size() - 8), CorruptDataError, "truncated"),
        (lambda p: os.truncate(p, 100), CorruptDataError, "truncated"),
        (lambda p: os.truncate(p, 0), CorruptDataError, "truncated"),
        (lambda p: os.truncate(p, shared_segment_size() + 4096), CorruptDataError, "header says"),
        (lambda p: _corrupt(p, 8, struct.pack("<I", 2)), ConfigMismatchError, "format version 2"),
    ],
)
@pytest.mark.req("MON-REQ-SHARED-001")
def test_bad_files_are_refused_and_left_alone(tmp_path: Path, damage, error, match) -> None:  # type: ignore[no-untyped-def]
    path = Path(segment_path(tmp_path, "svc", "v1"))
    seg = _open(path)
    seg.counters.begin(0)
    del seg
    damage(path)
    before = path.read_bytes()
    with pytest.raises(error, match=match):
        _open(path)
    with pytest.raises(error, match=match):
        ServiceMonitor("svc", "v1", logger=False, shared=str(tmp_path))
    assert path.read_bytes() == before  # never reinitialised


@pytest.mark.req("MON-REQ-SHARED-001")
def test_differently_configured_file(tmp_path: Path) -> None:
    path = tmp_path / "a.seg"
    _open(path)
    before = path.read_bytes()
    with pytest.raises(ConfigMismatchError, match="latency"):
        _open(path, latency_config={"highest_ns": 10**9})
    with pytest.raises(ConfigMismatchError, match="histograms"):
        _open(path, histograms=("request", "model"))
    with pytest.raises(ConfigMismatchError, match="service"):
        _open(path, service="other")
    assert path.read_bytes() == before


def test_not_initialised_flag(tmp_path: Path) -> None:
    from monitor.latency import crc32c

    path = tmp_path / "a.seg"
    _open(path)
    raw = bytearray(path.read_bytes())
    raw[12:16] = struct.pack("<I", 0)  # state: being initialised
    raw[HEADER_BYTES - 4 : HEADER_BYTES] = struct.pack("<I", crc32c(bytes(raw[: HEADER_BYTES - 4])))
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptDataError, match="not initialised"):
        _open(path)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        SharedSegment()
    with pytest.raises(InvalidArgumentError):
        _open(tmp_path / "a.seg", histograms=())
    with pytest.raises(InvalidArgumentError):
        _open(tmp_path / "a.seg", latency_config={"colour": 1})
    seg = _open(tmp_path / "a.seg")
    with pytest.raises(InvalidArgumentError, match="holds the histograms"):
        seg.histogram("model")
    with pytest.raises(InvalidArgumentError, match="exactly"):
        LatencyHistogram.in_buffer(bytearray(8), scale=6, attach=False)
    with pytest.raises(InvalidArgumentError, match="writable"):
        LatencyHistogram.in_buffer(bytes(histogram_nbytes()), scale=6, attach=False)
    with pytest.raises(CorruptDataError, match="magic"):
        LatencyHistogram.in_buffer(bytearray(histogram_nbytes()), scale=6, attach=True)
    with pytest.raises(InvalidArgumentError, match="8-byte aligned"):
        LatencyHistogram.in_buffer(memoryview(bytearray(histogram_nbytes() + 1))[1:], scale=6, attach=False)


@pytest.mark.req("MON-REQ-CLOCK-001")
def test_clock_that_jumps_steps_back_and_returns_nan(tmp_path: Path) -> None:
    # The segment's counters use tick 0 only: whatever the clock does, the segment counts
    # exactly what the process counts (one process here), and a latency for every request
    # finished (invalid when it is not a number of ns below 2**64).
    t = [1000.0]
    svc = ServiceMonitor("svc", "v1", logger=False, clock=lambda: t[0], shared=str(tmp_path))
    assert svc.shared is not None
    steps = [5.0, 1e13, -2e13, 0.001, math.nan, 1.0, 1e-9, 3.0]  # forward, jump, back, NaN
    for dt in steps:
        with svc.observe() as obs:
            t[0] = t[0] + dt if not math.isnan(dt) else math.nan
            obs.record(prediction=1.0)
        if not math.isfinite(t[0]) or t[0] > 1e12 or t[0] < 0:
            t[0] = 2000.0
    shared = svc.shared.totals()
    local = svc.snapshot().throughput
    assert (shared.received, shared.processed, shared.failed, shared.dropped, shared.in_flight) == (
        local.received,
        local.processed,
        local.failed,
        local.dropped,
        local.in_flight,
    )
    assert shared.received >= 4  # the steady steps at least
    lat = svc.shared.latency()
    assert lat.count + lat.invalid == shared.processed + shared.failed + shared.dropped


def test_shared_true_needs_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(InvalidArgumentError, match=ENV_VAR):
        ServiceMonitor("svc", "v1", logger=False, shared=True)
    assert ServiceMonitor("svc", "v1", logger=False).shared is None


def test_recording_straight_into_a_segment(tmp_path: Path) -> None:
    # For a host without ServiceMonitor: begin(0), then finish(outcome, category, ns) in one call.
    from monitor.shared import OUTCOME_DROPPED, OUTCOME_FAILED, OUTCOME_OK

    seg = _open(tmp_path / "a.seg")
    for _ in range(4):
        seg.begin(0)
    assert seg.finish(OUTCOME_OK, 0, 1_000) == 0
    assert seg.finish(OUTCOME_FAILED, 4, 2_000) == 0
    assert seg.finish(OUTCOME_DROPPED, 0, 3_000) == 0
    with pytest.raises(OverflowError):
        seg.finish(OUTCOME_OK, 0, 2**64)
    assert seg.finish_slow(OUTCOME_OK, 0, 2**64) == 0  # the latency counted as invalid
    assert seg.finish(7, 0, 1) != 0 and seg.finish(OUTCOME_FAILED, 9, 1) != 0  # refused, nothing counted
    t = seg.totals()
    assert (t.received, t.processed, t.failed, t.dropped, t.in_flight) == (4, 2, 1, 1, 0)
    assert t.errors["timeout"] == 1
    lat = seg.latency()
    assert (lat.count, lat.invalid, lat.sum) == (3, 1, 6_000)


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    old = tmp_path / ".tmp-dead.seg"  # left by a creator killed mid-creation
    young = tmp_path / ".tmp-busy.seg"  # another creator at work right now
    other = tmp_path / "notes.txt"
    for p in (old, young, other):
        p.write_bytes(b"x")
    os.utime(old, (0, 0))
    os.utime(other, (0, 0))
    _open(tmp_path / "a.seg")
    assert sorted(os.listdir(tmp_path)) == [".tmp-busy.seg", "a.seg", "notes.txt"]
