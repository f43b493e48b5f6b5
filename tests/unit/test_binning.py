"""bin_counts / bin_codes / percentile against numpy, exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import monitor
from monitor import InvalidArgumentError
from monitor._ffi import ffi, lib
from monitor.binning import Binner

SPECIAL = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.5,
    np.inf,
    -np.inf,
    np.nan,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    1e300,
    -1e300,
]


def numpy_reference(values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, int, int, int]:
    """numpy.histogram's counts, and the counters numpy drops, computed independently."""
    counts = np.histogram(values, bins=edges)[0]
    nan = int(np.isnan(values).sum())
    finite_first = edges[0]
    below = int((values < finite_first).sum())
    above = int((values > edges[-1]).sum())
    return counts, nan, below, above


def _check(values: np.ndarray, edges: np.ndarray) -> None:
    got = monitor.bin_counts(values, edges)
    counts, nan, below, above = numpy_reference(values, edges)
    assert got.counts.dtype == np.uint64
    assert got.counts.tolist() == counts.tolist()
    assert (got.nan, got.below, got.above) == (nan, below, above)
    assert got.total + nan + below + above == values.size
    assert np.array_equal(got.edges, edges)


edge_lists = (
    st.lists(
        st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.5])),
        min_size=2,
        max_size=40,
        unique=True,
    )
    .map(lambda v: np.array(sorted(set(v)), dtype=np.float64))
    .filter(lambda e: e.size >= 2)
)


@given(
    edge_lists,
    st.lists(st.one_of(st.floats(), st.sampled_from(SPECIAL)), max_size=300),
    st.booleans(),
    st.booleans(),
)
@pytest.mark.req("MON-REQ-BIN-001", "MON-REQ-BIN-002")
def test_matches_numpy_histogram(edges: np.ndarray, values: list[float], lo_inf: bool, hi_inf: bool) -> None:
    e = edges.copy()
    if lo_inf:
        e[0] = -np.inf
    if hi_inf:
        e[-1] = np.inf
    if not (e[1:] > e[:-1]).all():
        return
    x = np.array(values + e.tolist(), dtype=np.float64)  # always include values exactly on edges
    _check(x, e)


@pytest.mark.parametrize("nbins", [1, 2, 3, 10, 13, 29, 61, 62, 100, 1000])
@pytest.mark.req("MON-REQ-BIN-001")
def test_many_sizes_random(nbins: int) -> None:
    rng = np.random.default_rng(nbins)
    x = np.concatenate([rng.standard_normal(20_000), np.array(SPECIAL)])
    edges = np.unique(rng.standard_normal(nbins + 1))
    while edges.size < nbins + 1:
        edges = np.unique(np.concatenate([edges, rng.standard_normal(1)]))
    x = np.concatenate([x, edges, -edges])
    _check(x, edges)
    e2 = edges.copy()
    e2[0], e2[-1] = -np.inf, np.inf
    _check(x, e2)


def test_quantile_edges_ten_bins_million() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(1_000_000)
    e = np.percentile(x, np.linspace(0, 100, 11))
    e[0], e[-1] = -np.inf, np.inf
    _check(x, e)


def test_negative_zero_and_subnormals_on_edges() -> None:
    e = np.array([-5e-324, 0.0, 5e-324])
    x = np.array([-0.0, 0.0, -5e-324, 5e-324, 1e-320, -1e-320])
    got = monitor.bin_counts(x, e)
    assert got.counts.tolist() == [1, 3]
    assert (got.below, got.above) == (1, 1)
    _check(x, e)
    e2 = np.array([-0.0, 1.0])  # -0.0 as an edge equals 0.0
    assert monitor.bin_counts(np.array([0.0, -0.0]), e2).counts.tolist() == [2]


def test_int_and_float32_values_are_converted() -> None:
    e = np.array([0.0, 1.5, 3.0])
    assert monitor.bin_counts(np.array([0, 1, 2, 3, 4], dtype=np.int16), e).counts.tolist() == [2, 2]
    assert monitor.bin_counts(np.array([0, 1, 2], dtype=np.uint64), e).counts.tolist() == [2, 1]
    assert monitor.bin_counts(np.array([1.5, np.nan], dtype=np.float32), e).nan == 1
    assert monitor.bin_counts([0.5, 2.0], [0, 1, 3]).counts.tolist() == [1, 1]
    strided = np.arange(20.0)[::3]
    _check(strided, np.array([0.0, 5.0, 20.0]))


@pytest.mark.parametrize(
    "edges, msg",
    [
        ([1.0], "at least 2"),
        ([0.0, 0.0, 1.0], "strictly increasing"),
        ([0.0, 2.0, 1.0], "strictly increasing"),
        ([0.0, np.nan, 1.0], "NaN"),
        ([[0.0, 1.0]], "1-D"),
        (["a", "b"], "dtype"),
    ],
)
@pytest.mark.req("MON-REQ-BIN-003")
def test_bad_edges(edges: object, msg: str) -> None:
    with pytest.raises(InvalidArgumentError, match=msg):
        monitor.bin_counts([1.0], edges)


@pytest.mark.req("MON-REQ-PY-002")
def test_bad_values() -> None:
    with pytest.raises(InvalidArgumentError, match="1-D"):
        monitor.bin_counts(np.zeros((2, 2)), [0, 1])
    with pytest.raises(InvalidArgumentError, match="dtype"):
        monitor.bin_counts(np.array([True, False]), [0, 1])
    with pytest.raises(InvalidArgumentError, match="dtype"):
        monitor.bin_counts(np.array([1 + 2j]), [0, 1])
    assert monitor.bin_counts(np.array([]), [0, 1]).counts.tolist() == [0]


def test_results_are_frozen() -> None:
    r = monitor.bin_counts([1.0], [0, 2])
    with pytest.raises(AttributeError):
        r.nan = 3  # type: ignore[misc]


@pytest.mark.req("MON-REQ-BIN-004")
def test_matrix_equals_per_column() -> None:
    rng = np.random.default_rng(3)
    n, F = 3001, 6
    X = rng.standard_normal((n, F))
    X[rng.random((n, F)) < 0.01] = np.nan
    X[5, 2] = np.inf
    binners = []
    for f in range(F):
        e = np.sort(rng.standard_normal(2 + 7 * f if f < F - 1 else 150))  # last: direct path
        if f % 2:
            e[0], e[-1] = -np.inf, np.inf
        e = np.unique(e)
        binners.append(Binner(e))
    total = sum(b.nbins for b in binners)
    counts = np.zeros(total, dtype=np.uint64)
    extra = np.zeros((F, 3), dtype=np.uint64)
    ptrs = ffi.new("mon_binner *[]", [b.ptr for b in binners])
    st_ = lib.mon_bin_count_matrix(
        ptrs,
        F,
        ffi.cast("double *", ffi.from_buffer(X)),
        n,
        F,
        ffi.cast("uint64_t *", ffi.from_buffer(counts)),
        ffi.cast("mon_bin_extra *", ffi.from_buffer(extra)),
    )
    assert st_ == 0
    off = 0
    for f, b in enumerate(binners):
        one = monitor.bin_counts(X[:, f], b.edges)
        assert counts[off : off + b.nbins].tolist() == one.counts.tolist()
        assert extra[f].tolist() == [one.nan, one.below, one.above]
        off += b.nbins


@pytest.mark.req("MON-REQ-BIN-005")
def test_bin_codes() -> None:
    codes = np.array([0, 1, 1, 2, -1, 3, 7, np.iinfo(np.int64).min], dtype=np.int64)
    r = monitor.bin_codes(codes, 3)
    assert r.counts.tolist() == [1, 2, 1] and r.unseen == 4
    u = monitor.bin_codes(np.array([0, 2**64 - 1, 2], dtype=np.uint64), 3)
    assert u.counts.tolist() == [1, 0, 1] and u.unseen == 1
    rng = np.random.default_rng(4)
    c = rng.integers(-3, 20, 5000)
    r = monitor.bin_codes(c, 15)
    assert r.counts.tolist() == np.bincount(c[(c >= 0) & (c < 15)], minlength=15).tolist()
    assert r.unseen == int(((c < 0) | (c >= 15)).sum())
    with pytest.raises(InvalidArgumentError):
        monitor.bin_codes(np.array([1.0]), 3)
    with pytest.raises(InvalidArgumentError):
        monitor.bin_codes(np.array([1]), 0)


# ---- percentile: numpy.percentile bit for bit -----------------------------------------------


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    # numpy may return -0.0 where the C selection returns +0.0 (equal values; the sign of a zero
    # order statistic depends on numpy's partition order): compare zeros by value.
    a = np.where(a == 0, 0.0, a)
    b = np.where(b == 0, 0.0, b)
    return bool((a.view(np.uint64) == b.view(np.uint64)).all())


@pytest.mark.parametrize("kind", range(5))
@pytest.mark.req("MON-REQ-SELECT-001")
def test_percentile_bit_exact_random(kind: int) -> None:
    rng = np.random.default_rng(10 + kind)
    for _ in range(80):
        n = int(rng.integers(1, 4000))
        if kind == 0:
            x = rng.standard_normal(n)
        elif kind == 1:
            x = rng.integers(0, 5, n).astype(np.float64)  # ties
        elif kind == 2:
            x = np.round(rng.standard_normal(n) * 1e3) / 7
        elif kind == 3:
            x = rng.exponential(size=n) * 10.0 ** int(rng.integers(-300, 300))
        else:
            x = 1.0 + rng.integers(0, 50, n) * 1e-12  # everything in one radix bucket
        q = np.sort(rng.uniform(0, 100, int(rng.integers(1, 40))))
        q = np.concatenate([q, np.linspace(0, 100, int(rng.integers(2, 30)))])
        assert _same_bits(monitor.percentile(x, q), np.percentile(x, q))


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=300),
    st.lists(st.floats(0, 100), min_size=1, max_size=20),
)
@pytest.mark.req("MON-REQ-SELECT-001")
def test_percentile_bit_exact_hypothesis(values: list[float], q: list[float]) -> None:
    x = np.array(values)
    with np.errstate(all="ignore"):
        want = np.percentile(x, q)
    got = monitor.percentile(x, q)
    assert _same_bits(np.nan_to_num(got, nan=1.5), np.nan_to_num(want, nan=1.5))


def test_percentile_nan_policy() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal(5000)
    x[::13] = np.nan
    q = np.linspace(0, 100, 11)
    with pytest.raises(InvalidArgumentError, match="NaN"):
        monitor.percentile(x, q)
    assert _same_bits(monitor.percentile(x, q, nan_policy="omit"), np.nanpercentile(x, q))
    with pytest.raises(InvalidArgumentError):
        monitor.percentile(np.full(3, np.nan), q, nan_policy="omit")
    with pytest.raises(InvalidArgumentError, match="range"):
        monitor.percentile(x, [101])
    with pytest.raises(InvalidArgumentError, match="empty"):
        monitor.percentile([], [50])


def test_percentile_more_quantiles_than_one_c_call() -> None:
    x = np.random.default_rng(6).standard_normal(30_000)
    q = np.linspace(0, 100, 1001)  # > MON_SELECT_MAX_RANKS ranks: selected in several calls
    assert _same_bits(monitor.percentile(x, q), np.percentile(x, q))


def test_read_only_input() -> None:
    x = np.frombuffer(np.arange(10.0).tobytes(), dtype=np.float64)
    assert not x.flags.writeable
    assert monitor.bin_counts(x, [0, 5, 9]).counts.tolist() == [5, 5]


# ---- matrix counting (DriftMonitor's path) ---------------------------------------------------


@pytest.mark.req("MON-REQ-BIN-004")
def test_count_matrix_equals_per_column_counts() -> None:
    from monitor.binning import MatrixCounter

    rng = np.random.default_rng(7)
    x = np.ascontiguousarray(rng.normal(size=(1000, 3)))
    x[5, 1] = np.nan
    x[6, 2] = 99.0
    edges = [np.array([-np.inf, -1.0, 0.0, 1.0, np.inf]), np.array([-2.0, 0.0, 2.0]), np.linspace(-3, 3, 7)]
    binners = [Binner(e) for e in edges]
    total = sum(b.nbins for b in binners)
    counts = np.zeros(total, dtype=np.uint64)
    extra = np.zeros((3, 3), dtype=np.uint64)
    Binner.count_matrix(binners, x, counts, extra)
    off = 0
    for f, b in enumerate(binners):
        want = monitor.bin_counts(x[:, f], edges[f])
        assert np.array_equal(counts[off : off + b.nbins], want.counts)
        assert list(extra[f]) == [want.nan, want.below, want.above]
        off += b.nbins
    # a ring of two slots, filled from row ranges
    ring = np.zeros((2, total), dtype=np.uint64)
    ring_extra = np.zeros((2, 3, 3), dtype=np.uint64)
    mc = MatrixCounter(binners, ring, ring_extra)
    mc.count(x, 0, 400, 0)
    mc.count(x, 400, 600, 1)
    mc.count(x, 0, 0, 1)  # nothing
    assert np.array_equal(ring.sum(axis=0, dtype=np.uint64), counts)
    assert np.array_equal(ring_extra.sum(axis=0, dtype=np.uint64), extra)
    with pytest.raises(InvalidArgumentError):
        mc.count(x, 900, 200, 0)  # beyond the matrix
    with pytest.raises(InvalidArgumentError):
        MatrixCounter(binners, np.zeros((2, total + 1), dtype=np.uint64), ring_extra)
    with pytest.raises(InvalidArgumentError):
        MatrixCounter(binners, ring.astype(np.int64), ring_extra)


def test_matrix_counting_refuses_what_c_would_misread() -> None:
    """float32, 1-D, wrong-width and non-contiguous input never reaches C as float64 rows."""
    from monitor.binning import MatrixCounter

    binners = [Binner(np.array([0.0, 1.0, 2.0])), Binner(np.array([0.0, 1.0, 2.0]))]
    x32 = np.array([[0.5, 1.5], [1.5, 0.5]], dtype=np.float32)
    counts = np.zeros(4, dtype=np.uint64)
    extra = np.zeros((2, 3), dtype=np.uint64)
    Binner.count_matrix(binners, x32, counts, extra)  # converted, not read as float64 bytes
    assert counts.tolist() == [1, 1, 1, 1] and extra.sum() == 0
    with pytest.raises(InvalidArgumentError, match="2-D"):
        Binner.count_matrix(binners, np.zeros(4), counts, extra)
    with pytest.raises(InvalidArgumentError, match="columns"):
        Binner.count_matrix(binners, np.zeros((3, 3)), counts, extra)
    mc = MatrixCounter(binners, np.zeros((2, 4), dtype=np.uint64), np.zeros((2, 2, 3), dtype=np.uint64))
    for bad in (x32, np.zeros((4, 2))[::2], np.zeros(4), [[0.5, 1.5]]):
        with pytest.raises(InvalidArgumentError, match="C-contiguous float64"):
            mc.count(bad, 0, 1, 0)  # type: ignore[arg-type]
    for slot in (-1, 2):
        with pytest.raises(InvalidArgumentError, match="slot"):
            mc.count(np.zeros((1, 2)), 0, 1, slot)


def test_unchecked_binner_reports_the_c_status() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Binner.unchecked(np.array([0.0, 1.0, 1.0]))
    assert info.value.status == lib.MON_E_EDGES
    b = Binner.unchecked(np.array([0.0, 1.0, 2.0]))
    assert list(b.count(np.array([0.5, 1.5, 2.0])).counts) == [1, 2]


def test_quantiles_two_phase_api() -> None:
    from monitor.quantiles import Selector, percentile_of

    rng = np.random.default_rng(3)
    x = rng.normal(size=1001)
    sel = Selector(x)
    q = np.array([0.0, 10.0, 50.0, 99.9, 100.0])
    assert np.array_equal(percentile_of(sel, q, x.size), np.percentile(x, q))
    s = np.sort(x)
    assert np.array_equal(sel.select_ranks([0, 500, 1000]), s[[0, 500, 1000]])
    assert np.array_equal(sel.select_ranks([1, 2]), s[[1, 2]])  # ready again after a selection
    with pytest.raises(InvalidArgumentError) as info:
        sel.select_ranks([2, 1])  # not increasing: the C core refuses
    assert info.value.status == lib.MON_E_VALUE
