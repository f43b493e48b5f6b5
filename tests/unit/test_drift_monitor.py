"""DriftMonitor windows against a brute-force recomputation on the retained rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import monitor
from monitor import ConfigMismatchError, DriftMonitor, EmptyWindowError, InvalidArgumentError, Reference


def _ref(F: int = 3, seed: int = 0, **kw: object) -> Reference:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4000, F))
    if F >= 3:
        X[:, 2] = rng.integers(0, 5, 4000)
    return Reference.fit(X, bins=8, **kw)  # type: ignore[arg-type]


def _brute(ref: Reference, rows: np.ndarray, dm: DriftMonitor) -> None:
    """Expected report for the given retained rows, from numpy.histogram and drift_scores, with
    the default out_of_range="score" rule spelled out: a finite outer edge gets an out-of-range
    bin, a categorical feature an unseen bin; the band is the worse of the PSI band and the
    data-quality band."""
    rep = dm.evaluate()
    assert rep.rows == rows.shape[0]
    order = ["none", "empty", "moderate", "significant"]
    for f, prof in enumerate(ref.features):
        col = rows[:, f]
        counts = np.histogram(col[~np.isnan(col)], prof.edges)[0]
        # numpy drops out-of-range values; count them like the monitor does
        below = int((col < prof.edges[0]).sum())
        above = int((col > prof.edges[-1]).sum())
        nan = int(np.isnan(col).sum())
        fd = rep.features[f]
        sel = prof.category_bins
        cur = counts[sel]
        refc = prof.counts[sel]
        assert fd.nan == nan
        n = len(col)
        ref_rows = int(prof.counts.sum()) + prof.nan + prof.below + prof.above
        if prof.kind == "categorical":
            unseen = int(counts.sum() - cur.sum()) + below + above
            assert fd.unseen == unseen
            cur = np.append(cur, unseen)
            refc = np.append(refc, int(prof.counts.sum() - refc.sum()) + prof.below + prof.above)
            inc = max(nan / n - prof.nan / ref_rows, unseen / n - refc[-1] / ref_rows)
        else:
            assert (fd.below, fd.above, fd.unseen) == (below, above, 0)
            inc = max(
                nan / n - prof.nan / ref_rows, (below + above) / n - (prof.below + prof.above) / ref_rows
            )
        assert fd.rows == n and fd.nan_rate == nan / n
        assert fd.quality_band == dm.quality_band_of(inc)
        assert fd.count == int(cur.sum())
        if cur.sum() == 0:
            assert fd.psi_band == "empty" and fd.psi is None
            assert fd.band == max("empty", fd.quality_band, key=order.index)
            continue
        want = monitor.drift.drift_scores(cur.astype(np.uint64), refc.astype(np.uint64))
        assert fd.scores == want
        assert fd.psi == want.psi and fd.tv == want.tv and fd.js_distance == want.js_distance
        assert fd.psi_band == dm.band_of(want.psi)
        assert fd.band == max(fd.psi_band, fd.quality_band, key=order.index)


@given(
    st.integers(1, 6).flatmap(lambda k: st.tuples(st.just(k), st.integers(1, 40).map(lambda s: s * k))),
    st.lists(st.integers(0, 120), min_size=1, max_size=12),
    st.integers(0, 2**32 - 1),
)
@pytest.mark.req("MON-REQ-PY-004")
def test_windows_match_brute_force(ks: tuple[int, int], batches: list[int], seed: int) -> None:
    slots, window = ks
    ref = _ref(categorical=[2])
    dm = DriftMonitor(ref, window=window, slots=slots)
    rng = np.random.default_rng(seed)
    stream = []
    for n in batches:
        b = rng.standard_normal((n, 3)) * 1.5
        b[:, 2] = rng.integers(-1, 7, n)  # includes unseen codes -1, 5, 6
        b[rng.random((n, 3)) < 0.05] = np.nan
        dm.update(b)
        stream.append(b)
        allrows = np.concatenate(stream)
        t = allrows.shape[0]
        if t == 0:
            with pytest.raises(EmptyWindowError):
                dm.evaluate()
            continue
        sub = window // slots
        start = max(0, ((t - 1) // sub - slots + 1) * sub)
        rep = dm.evaluate()
        assert (rep.start, rep.end) == (start, t)
        assert rep.complete == (t - start == window)
        _brute(ref, allrows[start:], dm)


@pytest.mark.req("MON-REQ-PY-004")
def test_tumbling_window_and_fixed_memory() -> None:
    ref = _ref()
    dm = DriftMonitor(ref, window=1000, slots=1)
    mem = dm.memory_bytes
    rng = np.random.default_rng(1)
    for _ in range(5):
        b = rng.standard_normal((1000, 3))
        dm.update(b)
        rep = dm.evaluate()
        assert rep.complete and rep.rows == 1000
        _brute(ref, b, dm)
    assert dm.memory_bytes == mem and dm.rows_seen == 5000
    dm.update(rng.standard_normal((1, 3)))
    assert dm.evaluate().rows == 1  # a new tumbling window started
    dm.reset()
    with pytest.raises(EmptyWindowError):
        dm.evaluate()


def test_one_feature_1d_batches_and_dtypes() -> None:
    ref = Reference.fit(np.random.default_rng(2).standard_normal(1000))
    dm = DriftMonitor(ref, window=100, slots=4)
    dm.update(np.arange(30, dtype=np.int32))
    dm.update(np.linspace(-2, 2, 30).astype(np.float32))
    dm.update([0.1, 0.2])
    assert dm.evaluate().rows == 62


def test_shift_is_detected_and_bands() -> None:
    rng = np.random.default_rng(3)
    ref = Reference.fit(rng.standard_normal((20000, 2)), names=["x", "y"])
    dm = DriftMonitor(ref, window=5000)
    b = rng.standard_normal((5000, 2))
    b[:, 1] += 1.0
    dm.update(b)
    rep = dm.evaluate()
    assert rep.feature("x").band == "none"
    assert rep.feature("y").band == "significant"
    assert rep.band == "significant"
    assert "significant" in rep.table()
    dm2 = DriftMonitor(ref, window=5000, bands=(0.5, 10.0))
    dm2.update(b)
    assert dm2.evaluate().feature("y").band == "moderate"
    assert dm.band_of(0.1) == "moderate" and dm.band_of(0.25) == "moderate"
    assert dm.band_of(0.0999) == "none" and dm.band_of(0.2501) == "significant"


def test_all_nan_feature_is_marked_empty() -> None:
    ref = _ref(F=2)
    dm = DriftMonitor(ref, window=10)
    b = np.zeros((4, 2))
    b[:, 1] = np.nan
    dm.update(b)
    f = dm.evaluate().features[1]
    assert f.psi_band == "empty" and f.psi is None and f.nan == 4 and f.scores is None
    assert f.band == "significant" and f.nan_rate == 1.0  # NaN went from 0% to 100%
    assert dm.evaluate().features[0].count == 4


@pytest.mark.req("MON-REQ-PY-002")
def test_bad_arguments() -> None:
    ref = _ref()
    with pytest.raises(InvalidArgumentError, match="multiple"):
        DriftMonitor(ref, window=10, slots=3)
    with pytest.raises(InvalidArgumentError, match="window"):
        DriftMonitor(ref, window=0)
    with pytest.raises(InvalidArgumentError, match="bands"):
        DriftMonitor(ref, bands=(0.3, 0.1))
    with pytest.raises(InvalidArgumentError, match="Reference"):
        DriftMonitor("ref")  # type: ignore[arg-type]
    dm = DriftMonitor(ref, window=10)
    with pytest.raises(ConfigMismatchError, match="3 features"):
        dm.update(np.zeros(3))
    with pytest.raises(ConfigMismatchError, match="columns"):
        dm.update(np.zeros((2, 4)))
    with pytest.raises(InvalidArgumentError, match="dtype"):
        dm.update(np.zeros((2, 3), dtype=bool))
    with pytest.raises(InvalidArgumentError, match="2-D"):
        dm.update(np.zeros((2, 3, 1)))
    dm.update(np.zeros((0, 3)))
    assert dm.rows_seen == 0
