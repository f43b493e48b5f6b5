"""Issue 10, drift side: exact integer binning (item 4), out-of-range mass in the scores
(item 5), matching by name (item 18), the natural shapes of one request's features (item 19)
and data-quality verdicts (item 21)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor import (
    AlertEngine,
    ConfigMismatchError,
    DriftMonitor,
    Reference,
    Rule,
    ServiceMonitor,
    bin_counts,
    drift,
)
from monitor.reference import FeatureProfile

# ---- item 4: integers are never binned through float64 ---------------------------------------


def _oracle(values: np.ndarray, edges: list[int]) -> tuple[list[int], int, int]:
    """numpy.histogram with exact integer edges (same dtype as the values: exact comparisons),
    plus the out-of-range counts."""
    e = np.array(edges, dtype=values.dtype)
    counts = np.histogram(values, e)[0].tolist()
    ints = [int(v) for v in values.tolist()]
    return counts, sum(v < edges[0] for v in ints), sum(v > edges[-1] for v in ints)


def test_int64_beyond_2_53_example() -> None:
    v = np.array([2**53 + 1, 2**53 + 2, 2**53 + 3], dtype=np.int64)
    e = [2**53, 2**53 + 2, 2**53 + 4]  # exactly doubles (even)
    bc = bin_counts(v, np.array(e, dtype=np.int64))
    assert bc.counts.tolist() == np.histogram(v, np.array(e, dtype=np.int64))[0].tolist() == [1, 2]


@given(
    st.sampled_from([np.int64, np.uint64]),
    st.lists(st.integers(0, 2**11), min_size=2, max_size=6, unique=True),
    st.lists(st.tuples(st.integers(0, 5), st.integers(-3, 3)), min_size=0, max_size=60),
    st.integers(54, 63),
)
def test_big_integers_match_numpy_exactly(
    dtype: type, steps: list[int], offs: list[tuple[int, int]], exp: int
) -> None:
    """Edges near 2**exp that are exactly doubles; values a few units from them (not doubles,
    so rounding them to float64 would cross the edge): the counts equal numpy's exact integer
    histogram."""
    if dtype is np.int64 and exp == 63:
        exp = 62
    base = 2**exp
    ulp = 2 ** (exp - 52)
    edges = sorted(base + s * ulp for s in steps)
    info = np.iinfo(dtype)
    vals = [min(max(edges[i % len(edges)] + d, info.min), info.max) for i, d in offs]
    v = np.array(vals, dtype=dtype)
    bc = bin_counts(v, np.array(edges, dtype=dtype))
    counts, below, above = _oracle(v, edges)
    assert bc.counts.tolist() == counts
    assert (bc.below, bc.above, bc.nan) == (below, above, 0)


def test_uint64_near_2_64_and_float_edges() -> None:
    v = np.array([2**64 - 1, 2**64 - 2049, 2**64 - 2048, 2**63 + 1], dtype=np.uint64)
    bc = bin_counts(v, [0.0, 2.0**63, 2.0**64 - 2048, 2.0**64])
    assert bc.counts.tolist() == [0, 2, 2] and bc.above == 0
    bc = bin_counts(v, [0.0, 2.0**63, 2.0**64 - 4096])
    assert bc.counts.tolist() == [0, 1] and bc.above == 3
    bc = bin_counts(v, [0.0, 2.0**64 - 2048])  # the last edge is in; 2**64 - 1 (a double 2**64) is not
    assert bc.counts.tolist() == [3] and bc.above == 1


def test_longdouble_is_compared_exactly() -> None:
    ld = np.longdouble
    if np.finfo(ld).nmant <= 52:
        pytest.skip("long double is double on this platform")
    x = np.array([ld(1) - ld(2) ** -60, ld(1), ld(2) + ld(2) ** -60, ld("nan")], dtype=ld)
    bc = bin_counts(x, [0.0, 1.0, 2.0])
    assert bc.counts.tolist() == [1, 1] and bc.above == 1 and bc.nan == 1


def test_int64_edges_that_collide_as_doubles_get_the_right_message() -> None:
    with pytest.raises(ValueError, match=r"edges\[1\] = 9007199254740993 is not exactly representable"):
        bin_counts([1], np.array([2**53, 2**53 + 1], dtype=np.int64))


def test_drift_monitor_big_integer_columns() -> None:
    big = 2**60
    prof = FeatureProfile(
        "id", "numeric", np.array([-np.inf, float(big), np.inf]), np.array([5, 5], np.uint64), 0, 0, 0
    )
    dm = DriftMonitor(Reference([prof], 10), window=100)
    dm.update(np.array([[big - 1], [big], [big + 1]], dtype=np.int64))  # big - 1 is not a double
    dm.update({"id": np.array([big - 1], dtype=np.int64)})
    assert dm.window_counts()[0].tolist() == [2, 2]


# ---- item 5: out-of-range mass is part of the scores -----------------------------------------


def _finite_ref() -> Reference:
    edges = np.linspace(0.0, 10.0, 11)
    prof = FeatureProfile("x", "numeric", edges, np.full(10, 1000, np.uint64), 0, 0, 0)
    return Reference([prof], 10_000)


def test_out_of_range_mass_drives_the_scores_by_default() -> None:
    rng = np.random.default_rng(1)
    cur = rng.uniform(0, 10, 9000)
    cur = np.concatenate([cur, rng.uniform(11, 12, 1000)])  # 10% above the finite range
    dm = DriftMonitor(_finite_ref(), window=10_000)
    dm.update(cur)
    f = dm.evaluate().features[0]
    inside = np.histogram(cur, np.linspace(0, 10, 11))[0]
    want = drift.drift_scores(
        np.concatenate([[0], inside, [1000]]).astype(np.uint64),
        np.array([0] + [1000] * 10 + [0], np.uint64),
    )
    assert f.scores == want and f.above == 1000
    assert f.js_distance is not None and f.js_distance > 0.2
    assert f.band == "significant" and f.out_of_range_rate == 0.1
    old = DriftMonitor(_finite_ref(), window=10_000, out_of_range="ignore")
    old.update(cur)
    g = old.evaluate().features[0]
    assert g.scores == drift.drift_scores(inside.astype(np.uint64), np.full(10, 1000, np.uint64))
    assert g.js is not None and g.js < 0.01 and g.psi_band == "none"
    assert g.band == "significant"  # the data-quality band still sees the 10% out of range


def test_infinite_outer_edges_score_as_before() -> None:
    rng = np.random.default_rng(2)
    ref = Reference.fit(rng.normal(size=(5000, 2)), bins=8)
    x = rng.normal(0.3, 1, size=(3000, 2))
    a, b = DriftMonitor(ref, window=3000), DriftMonitor(ref, window=3000, out_of_range="ignore")
    a.update(x)
    b.update(x)
    assert [f.scores for f in a.evaluate().features] == [f.scores for f in b.evaluate().features]


# ---- item 18: by name, never by position ------------------------------------------------------


def test_reordered_named_columns_are_matched_by_name() -> None:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    ref = Reference.fit(rng.normal(size=(4000, 2)) * [1, 100], names=["age", "amount"])
    x = rng.normal(size=(2000, 2)) * [1, 100]
    a, b = DriftMonitor(ref, window=2000), DriftMonitor(ref, window=2000)
    a.update(x)
    b.update(pd.DataFrame({"amount": x[:, 1], "age": x[:, 0]}))
    assert [f.scores for f in a.evaluate().features] == [f.scores for f in b.evaluate().features]
    pa = pytest.importorskip("pyarrow")
    c = DriftMonitor(ref, window=2000)
    c.update(pa.table({"amount": x[:, 1], "age": x[:, 0]}))
    assert [f.scores for f in c.evaluate().features] == [f.scores for f in a.evaluate().features]
    with pytest.raises(ConfigMismatchError, match="renamed"):
        c.update(pd.DataFrame({"amt": x[:, 1], "age": x[:, 0]}))
    assert c.rows_seen == 2000  # nothing counted from the refused batch


# ---- item 19: one request's natural shapes ----------------------------------------------------


def test_observe_accepts_the_natural_shapes_of_one_request() -> None:
    rng = np.random.default_rng(4)
    ref = Reference.fit(rng.normal(size=(1000, 3)), names=["a", "b", "c"])
    dm = DriftMonitor(ref, window=10_000)
    svc = ServiceMonitor("svc", "v1", drift=dm, logger=False)
    shapes = [
        {"c": 3.0, "a": 1.0, "b": 2.0},  # mapping by name, any order
        [1.0, 2.0, 3.0],  # a flat list: one row
        np.array([1.0, 2.0, 3.0]),  # a 1-D row
        np.array([[1.0, 2.0, 3.0]]),  # (1, F)
        np.ones((4, 3), dtype=np.int32),  # (n, F) batch
        [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
        {"a": [1.0, 2.0], "b": [2.0, 3.0], "c": [3.0, 4.0]},  # columns by name
        np.zeros(1, dtype=[("b", "f8"), ("a", "f8"), ("c", "f8")]),  # record array
    ]
    for feats in shapes:
        with svc.observe(features=feats) as obs:
            obs.record(prediction=0.5)
    pd = pytest.importorskip("pandas")
    extra = [
        [{"b": 2.0, "a": 1.0, "c": 3.0}, {"a": 4.0, "b": 5.0, "c": 6.0}],  # records by name
        pd.Series({"c": 3.0, "b": 2.0, "a": 1.0}),  # one row indexed by feature name
        pd.DataFrame({"c": [3.0], "b": [2.0], "a": [1.0]}),
    ]
    for feats in extra:
        with svc.observe(features=feats) as obs:
            obs.record(prediction=0.5)
    assert svc.internal_errors == 0
    assert dm.rows_seen == 1 + 1 + 1 + 1 + 4 + 2 + 2 + 1 + 2 + 1 + 1
    one = DriftMonitor(ref, window=10)
    one.update(np.array([[1.0, 2.0, 3.0]]))
    for named in (pd.Series({"c": 3.0, "b": 2.0, "a": 1.0}), [{"c": 3.0, "a": 1.0, "b": 2.0}]):
        dm2 = DriftMonitor(ref, window=10)
        svc2 = ServiceMonitor("svc", "v1", drift=dm2, logger=False)
        with svc2.observe(features=named) as obs:
            obs.record(prediction=0.5)
        # by name: a=1, b=2, c=3 land in each feature's own bins, whatever the order given
        assert dm2.window_counts()[0].tolist() == one.window_counts()[0].tolist()
    with pytest.raises(ConfigMismatchError, match="record 1"):
        svc.observe(features=[{"a": 1.0, "b": 2.0, "c": 3.0}, {"a": 1.0, "b": 2.0}])
    with pytest.raises(ConfigMismatchError, match="missing"):
        svc.observe(features={"a": 1.0})
    assert svc.internal_errors == 0
    assert svc.snapshot().throughput.received == len(shapes) + len(extra)


# ---- item 21: data quality is part of the verdict ---------------------------------------------


def _quality_ref() -> Reference:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(20_000, 2))
    x[:, 1] = rng.integers(0, 5, 20_000)
    x[rng.random(20_000) < 0.02, 0] = np.nan  # 2% NaN in the reference
    return Reference.fit(x, bins=10, names=["amount", "category"], categorical=["category"])


def test_nan_and_unseen_shares_set_the_band_and_the_signals() -> None:
    rng = np.random.default_rng(6)
    n = 10_000
    x = rng.normal(size=(n, 2))
    x[:, 1] = rng.integers(0, 5, n)
    x[rng.random(n) < 0.15, 0] = np.nan  # NaN 2% -> 15%
    x[rng.random(n) < 0.105, 1] = 7  # 10.5% of rows an unseen category
    for mode in ("score", "ignore"):
        dm = DriftMonitor(_quality_ref(), window=n, out_of_range=mode)
        dm.update(x)
        rep = dm.evaluate()
        amount, cat = rep.features
        assert amount.psi_band == "none"  # the values that are there did not move
        assert amount.quality_band == "significant" and amount.band == "significant"
        assert abs(amount.nan_rate - 0.15) < 0.01 and abs(amount.ref_nan_rate - 0.02) < 0.005
        assert cat.quality_band == "significant" and abs(cat.unseen_rate - 0.105) < 0.01
        assert rep.band == "significant"
    # a small rise is "moderate", none is "none"
    assert dm.quality_band_of(0.02) == "moderate" and dm.quality_band_of(0.005) == "none"
    assert dm.quality_band_of(0.0501) == "significant"

    svc = ServiceMonitor("svc", "v1", drift=DriftMonitor(_quality_ref(), window=n), logger=False)
    with svc.observe(features=x) as obs:
        obs.record(prediction=0.5)
    snap = svc.snapshot()
    assert abs(snap.get("drift.amount.nan_rate") - 0.15) < 0.01
    assert abs(snap.get("drift.category.unseen_rate") - 0.105) < 0.01
    assert snap.get("drift.amount.out_of_range_rate") == 0.0
    eng = AlertEngine([Rule("nan", "drift.amount.nan_rate", ">", 0.05, severity="ticket")])
    eng.validate_against(snap)
    assert [a.rule for a in eng.evaluate(snap, now=0.0)] == ["nan"]


def test_quality_signals_are_nan_without_data() -> None:
    svc = ServiceMonitor("svc", "v1", drift=DriftMonitor(_quality_ref(), window=10), logger=False)
    snap = svc.snapshot()
    assert math.isnan(snap.get("drift.amount.nan_rate")) and svc.internal_errors == 0
