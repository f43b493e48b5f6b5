"""DriftProfile: exact, order-independent merges; checked bytes; the same scores as DriftMonitor."""

from __future__ import annotations

import concurrent.futures
import itertools
import struct

import numpy as np
import pytest

import monitor
from monitor.errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError, InvalidTypeError
from monitor.profile import DriftProfile, merge_profiles, profile_batch


@pytest.fixture(scope="module")
def ref():
    rng = np.random.default_rng(7)
    data = np.column_stack([rng.normal(size=2000), rng.exponential(size=2000), rng.integers(0, 5, 2000)])
    return monitor.Reference.fit(data, bins=8, names=["a", "b", "cat"], categorical=["cat"])


@pytest.fixture(scope="module")
def cur():
    rng = np.random.default_rng(8)
    x = np.column_stack(
        [rng.normal(0.4, size=3001), rng.exponential(1.3, size=3001), rng.integers(0, 7, 3001)]
    )
    x[::97, 0] = np.nan
    return x


@pytest.mark.req("MON-REQ-REF-003")
def test_split_anyhow_merge_any_order_is_byte_identical(ref, cur):
    whole = profile_batch(ref, cur)
    rng = np.random.default_rng(1)
    for parts in (1, 2, 7, 64):
        cuts = np.sort(rng.choice(np.arange(1, cur.shape[0]), size=parts - 1, replace=False))
        profs = [profile_batch(ref, p) for p in np.split(cur, cuts)]
        rng.shuffle(profs)
        assert merge_profiles(profs).to_bytes() == whole.to_bytes()
    a, b, c = (profile_batch(ref, p) for p in np.array_split(cur, 3))
    assert ((a + b) + c).to_bytes() == (a + (b + c)).to_bytes() == (c + a + b).to_bytes()
    perm = rng.permutation(cur.shape[0])
    assert profile_batch(ref, cur[perm]) == whole
    assert DriftProfile.empty(ref) + whole == whole


def test_report_equals_drift_monitor(ref, cur):
    dm = monitor.DriftMonitor(ref, window=cur.shape[0])
    dm.update(cur)
    assert profile_batch(ref, cur).report(ref).features == dm.evaluate().features
    exported = DriftProfile.from_monitor(dm)
    assert exported.window == (0, cur.shape[0])
    assert exported.report(ref).features == dm.evaluate().features


def test_pods_of_a_fleet_merge_to_the_single_stream(ref, cur):
    pods = []
    for part in np.array_split(cur, 4):
        dm = monitor.DriftMonitor(ref, window=10_000)
        dm.update(part)
        pods.append(DriftProfile.from_monitor(dm))
    merged = merge_profiles(pods)
    assert merged.rows == cur.shape[0]
    assert merged.report(ref).features == profile_batch(ref, cur).report(ref).features


def test_thread_pool_is_one_primitive(ref, cur):
    chunks = np.array_split(cur, 16)
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        profs = list(ex.map(lambda c: profile_batch(ref, c), chunks))
    assert merge_profiles(profs) == profile_batch(ref, cur)
    assert merge_profiles(iter(profs)) == profile_batch(ref, cur)


@pytest.mark.req("MON-REQ-PY-001")
def test_named_input_matched_by_name(ref, cur):
    named = {"cat": cur[:, 2], "b": cur[:, 1], "a": cur[:, 0]}
    assert profile_batch(ref, named) == profile_batch(ref, cur)
    with pytest.raises(ConfigMismatchError, match="missing"):
        profile_batch(ref, {"a": cur[:, 0], "b": cur[:, 1]})
    sub = profile_batch(ref, {"a": cur[:, 0], "id": np.arange(cur.shape[0])}, columns=["a"])
    assert sub.names == ("a",)
    assert sub.report(ref).features[0] == profile_batch(ref, cur).report(ref).feature("a")


def test_counts_categorical_unseen(ref, cur):
    p = profile_batch(ref, cur)
    cat = p.feature("cat")
    assert cat.unseen == int(np.sum(cur[:, 2] >= 5)) and cat.below == cat.above == 0
    assert cat.counts.size == 5
    a = p.feature("a")
    assert a.nan == int(np.isnan(cur[:, 0]).sum())
    assert all(f.total == cur.shape[0] for f in p.features)


@pytest.mark.req("MON-REQ-REF-003")
def test_bytes_round_trip_and_every_corruption_refused(ref, cur):
    p = profile_batch(ref, cur)
    raw = p.to_bytes()
    assert DriftProfile.from_bytes(raw) == p
    assert DriftProfile.from_bytes(memoryview(raw)) == p
    for cut in range(0, len(raw), 7):
        with pytest.raises(CorruptDataError):
            DriftProfile.from_bytes(raw[:cut])
    rng = np.random.default_rng(3)
    for pos in rng.choice(len(raw), size=200, replace=False):
        bad = bytearray(raw)
        bad[pos] ^= 1 << int(rng.integers(8))
        with pytest.raises(CorruptDataError):
            DriftProfile.from_bytes(bytes(bad))
    with pytest.raises(InvalidTypeError):
        DriftProfile.from_bytes("text")


def _recrc(body: bytes) -> bytes:
    return body + struct.pack("<I", monitor.latency.crc32c(body))


@pytest.mark.req("MON-REQ-REF-003")
def test_consistency_checked_even_with_a_valid_crc(ref, cur):
    raw = bytearray(profile_batch(ref, cur).to_bytes()[:-4])
    struct.pack_into("<H", raw, 8, 2)  # version 2
    with pytest.raises(CorruptDataError, match="version"):
        DriftProfile.from_bytes(_recrc(bytes(raw)))
    raw = bytearray(profile_batch(ref, cur).to_bytes()[:-4])
    struct.pack_into("<Q", raw, 16, cur.shape[0] + 1)  # rows no longer the counts' sum
    with pytest.raises(CorruptDataError, match="add up"):
        DriftProfile.from_bytes(_recrc(bytes(raw)))


def test_merge_refusals(ref, cur):
    other = monitor.Reference.fit(cur, bins=4, names=["a", "b", "cat"])
    p, q = profile_batch(ref, cur), profile_batch(other, cur)
    with pytest.raises(ConfigMismatchError, match="different references"):
        p.merge(q)
    with pytest.raises(ConfigMismatchError, match="not this one"):
        p.report(other)
    with pytest.raises(ConfigMismatchError, match="different features"):
        p.merge(profile_batch(ref, {"a": cur[:, 0]}, columns=["a"]))
    with pytest.raises(InvalidArgumentError):
        merge_profiles([])
    with pytest.raises(InvalidTypeError):
        merge_profiles([p, "x"])
    big = DriftProfile(
        p.digest, [f.__class__(f.name, f.counts * 0, 2**64 - 1, 0, 0, 0) for f in p.features], 2**64 - 1
    )
    with pytest.raises(InvalidArgumentError, match="2\\*\\*64"):
        big.merge(big)


def test_windows_merge_to_their_hull(ref, cur):
    p = profile_batch(ref, cur[:10])
    a = DriftProfile(p.digest, p.features, p.rows, (0, 10))
    b = DriftProfile(p.digest, p.features, p.rows, (30, 40))
    assert (a + b).window == (0, 40)
    assert (a + p).window is None
    assert DriftProfile.from_bytes((a + b).to_bytes()).window == (0, 40)


@pytest.mark.parametrize("perm", list(itertools.permutations(range(3))))
@pytest.mark.req("MON-REQ-REF-003")
def test_merge_commutes_for_every_order(ref, cur, perm):
    parts = [profile_batch(ref, c) for c in np.array_split(cur, 3)]
    assert merge_profiles([parts[i] for i in perm]).to_bytes() == profile_batch(ref, cur).to_bytes()


def _profile_bytes(args):
    ref_json, chunk = args
    return profile_batch(monitor.Reference.from_json(ref_json), chunk).to_bytes()


def test_process_pool_profiles_travel_as_bytes(ref, cur):
    chunks = np.array_split(cur, 6)
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        blobs = list(ex.map(_profile_bytes, [(ref.to_json(), c) for c in chunks]))
    assert merge_profiles(DriftProfile.from_bytes(b) for b in blobs) == profile_batch(ref, cur)


def test_profiler_accumulates_like_merge_and_refuses_without_loss(ref, cur):
    acc = monitor.profile.Profiler(ref)
    for c in np.array_split(cur, 5):
        acc.add(c)
    assert acc.profile() == profile_batch(ref, cur)
    before = acc.profile()
    with pytest.raises(InvalidTypeError):
        acc.add({"a": cur[:, 0], "b": cur[:, 1], "cat": np.array(["x"] * cur.shape[0])})
    assert acc.profile() == before  # a refused batch counted nothing


def test_big_integers_counted_exactly_as_drift_monitor_counts_them():
    edges = np.array([-np.inf, 2.0**53, 2.0**53 + 4, np.inf])
    ref = monitor.Reference(
        [monitor.FeatureProfile("n", "numeric", edges, np.array([1, 1, 1], np.uint64), 0, 0, 0)], 3
    )
    x = np.array([2**53 + 3, 2**53 - 1, 2**53 + 5, 2**53 + 4], dtype=np.int64)
    p = profile_batch(ref, {"n": x})
    # 2**53 + 3 is in [2**53, 2**53 + 4); through float64 it would round to 2**53 + 4
    assert p.feature("n").counts.tolist() == [1, 1, 2]
    dm = monitor.DriftMonitor(ref, window=4)
    dm.update({"n": x})
    assert DriftProfile.from_monitor(dm).features == p.features


@pytest.mark.req("MON-REQ-REF-003")
def test_digest_must_be_exactly_sha256_hex(ref, cur):
    p = profile_batch(ref, cur)
    for bad in (
        "sha256:" + "A" * 64,
        "sha256:" + "ab " * 21 + "a",
        "sha1:" + "a" * 64,
        "sha256:" + "a" * 63,
        5,
    ):
        with pytest.raises(InvalidArgumentError, match="digest"):
            DriftProfile(bad, p.features, p.rows)


def _exact_profile(ref, name: str, values: list) -> tuple[list[int], int]:
    """Brute force: (bin counts, NaN count) of ``values`` (None = null) by exact comparison
    with the reference's edges (Fractions, so integers beyond 2**53 are never rounded)."""
    from fractions import Fraction

    raw = [float(e) for e in ref[name].edges]
    edges = [e if np.isinf(e) else Fraction(e) for e in raw]
    counts = [0] * (len(edges) - 1)
    nan = 0
    for v in values:
        if v is None:
            nan += 1
            continue
        x = Fraction(int(v))
        for i in range(len(counts)):
            if edges[i] <= x < edges[i + 1] or (i == len(counts) - 1 and x == edges[-1]):
                counts[i] += 1
    return counts, nan


def test_nulls_of_integer_columns_are_nan_and_integers_are_never_rounded():
    """A null is a NaN and an integer beyond 2**53 keeps its value, whatever carries the
    column: an Arrow table (whose to_numpy rounds a nullable int64 through float64), a pandas
    nullable Int64 column, a numpy masked array; booleans count as 0 / 1."""
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    big = 2**53
    # edges at 2**53 + 2 and 2**53 + 4: 2**53 + 1 and + 3 fall on different sides only exactly
    train = np.array([0.0, float(big), float(big + 2), float(big + 4), 1e18], dtype=np.float64)
    ref = monitor.Reference.fit({"x": train}, bins=4, names=["x"])
    values = [big + 1, None, big + 3, 5, None, big + 5, -(2**62)]
    want_counts, want_nan = _exact_profile(ref, "x", values)
    assert want_nan == 2
    arrow = pa.table({"x": pa.array(values, type=pa.int64())})
    frame = pd.DataFrame({"x": pd.array(values, dtype="Int64")})
    masked = np.ma.masked_array(
        [0 if v is None else v for v in values], mask=[v is None for v in values], dtype=np.int64
    )
    for batch in (arrow, frame, {"x": masked}, {"x": arrow.column("x")}):
        fc = profile_batch(ref, batch).feature("x")
        assert [int(c) for c in fc.counts] == want_counts, type(batch)
        assert fc.nan == want_nan, type(batch)
        assert fc.below + fc.above + int(fc.counts.sum()) + fc.nan == len(values)
    flags = profile_batch(
        monitor.Reference.fit({"b": np.array([0.0, 0.0, 1.0, 1.0])}, bins=2, names=["b"]),
        pa.table({"b": pa.array([True, False, None, True])}),
    ).feature("b")
    assert (fc.nan, int(flags.counts.sum()) + flags.below + flags.above) == (want_nan, 3)
    assert flags.nan == 1
