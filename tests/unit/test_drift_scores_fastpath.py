"""drift_scores' hot path (pooled result structs, no alignment pre-check, the result built in a
twin class): the same scores for misaligned views and for 8 threads sharing the pool and reading
the same results, and an ordinary frozen dataclass for every other use (fields, equality, hash,
repr, pickles old and new). These are also the contracts any faster result (e.g. one decoding
its fields on first read, docs/performance.md) has to keep."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import monitor


def _misaligned(a: np.ndarray) -> np.ndarray:
    raw = bytearray(a.nbytes + 1)
    v = np.frombuffer(raw, dtype=a.dtype, count=a.size, offset=1)
    v[:] = a
    assert not v.flags.aligned
    return v


def test_misaligned_views_give_the_same_scores() -> None:
    p = np.array([5, 0, 7, 11, 3], dtype=np.uint64)
    q = np.array([4, 2, 6, 12, 1], dtype=np.int64)
    want = monitor.drift_scores(p, q)
    assert monitor.drift_scores(_misaligned(p), q) == want
    assert monitor.drift_scores(p, _misaligned(q)) == want
    assert monitor.drift_scores(_misaligned(p), _misaligned(q), "floor", 1e-4) == monitor.drift_scores(
        p, q, "floor", 1e-4
    )


def test_eight_threads_share_the_result_pool() -> None:
    rng = np.random.default_rng(7)
    pairs = [(rng.integers(0, 1000, 10), rng.integers(1, 1000, 10)) for _ in range(8)]
    want = [monitor.drift_scores(p, q) for p, q in pairs]
    got: list[list[object]] = [[] for _ in pairs]
    start = threading.Barrier(len(pairs))

    def work(k: int) -> None:
        start.wait()
        for _ in range(300):
            got[k].append(monitor.drift_scores(*pairs[k]))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(pairs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(g == [w] * 300 for g, w in zip(got, want))


def test_hot_path_result_is_an_ordinary_drift_scores() -> None:
    # drift_scores builds its result in a non-frozen twin class and then sets its __class__:
    # the object must be indistinguishable from one built by the DriftScores constructor.
    import dataclasses
    import pickle

    s = monitor.drift_scores(np.array([5, 0, 7, 11, 3], dtype=np.int64), np.array([4, 2, 6, 12, 1]))
    fields = [f.name for f in dataclasses.fields(monitor.DriftScores)]
    t = monitor.DriftScores(*(getattr(s, f) for f in fields))
    assert type(s) is monitor.DriftScores and s == t and hash(s) == hash(t) and repr(s) == repr(t)
    assert dataclasses.asdict(s) == dataclasses.asdict(t) and s.as_dict() == t.as_dict()
    u = pickle.loads(pickle.dumps(s))
    assert type(u) is monitor.DriftScores and u == s
    try:
        s.psi_raw = 0  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a DriftScores from drift_scores must stay frozen")
    assert not hasattr(s, "__dict__")


def test_indexed_result_reading_matches_the_direct_unpack(monkeypatch) -> None:
    # another build's mon_drift_result layout is read by index (_DIRECT_ORDER False)
    from monitor import drift

    p, q = np.array([5, 0, 7, 11, 3], dtype=np.int64), np.array([4, 2, 6, 12, 1], dtype=np.int64)
    assert drift._DIRECT_ORDER  # this build's layout
    want = monitor.drift_scores(p, q)
    monkeypatch.setattr(drift, "_DIRECT_ORDER", False)
    assert monitor.drift_scores(p, q) == want


P5 = np.array([5, 0, 7, 11, 3], dtype=np.int64)
Q5 = np.array([4, 2, 6, 12, 1], dtype=np.int64)
#: pickle.dumps(drift_scores(P5, Q5), protocol=2) made by DriftScores as of commit 132d96f (ten
#: slot fields): such pickles must keep loading, and a result must pickle to the same bytes.
OLD_PICKLE = (
    b"\x80\x02cmonitor.drift\nDriftScores\nq\x00)\x81q\x01]q\x02(\x8a\x08\xdao\xcas\td\r#K\xb2M"
    b"\x14\x05\x8a\x10\xe9\xf8\xf4\xb5\xc5\xc1\x82\x02\xac\xd0K\x8b\xc8\x8a\xa1\x03\x8a\x08\xf8"
    b'\x05\xbb\xefV\x07}\x1e\x8a\x08\x0eV\x04\x12D\x85*!\x8a\t\x00+\xf4\xd2"\xb2b\xe8\x00J\xbc'
    b"\xff\xff\xff\x8a\t\xba/\xd8}\xb7:\xe8\xf3\x00J\xbe\xff\xff\xffeb."
)


def _eager(s: monitor.DriftScores) -> monitor.DriftScores:
    import dataclasses

    return monitor.DriftScores(*(getattr(s, f.name) for f in dataclasses.fields(s)))


def test_old_pickles_load_and_results_pickle_the_same_bytes() -> None:
    import pickle

    old = pickle.loads(OLD_PICKLE)
    assert type(old) is monitor.DriftScores and old == monitor.drift_scores(P5, Q5)
    assert repr(old) == repr(monitor.drift_scores(P5, Q5))
    # a fresh result (no field read yet) pickles its ten field values
    assert pickle.dumps(monitor.drift_scores(P5, Q5), protocol=2) == OLD_PICKLE
    fresh = monitor.drift_scores(P5, Q5)
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.dumps(fresh, protocol=proto) == pickle.dumps(old, protocol=proto)
        u = pickle.loads(pickle.dumps(monitor.drift_scores(P5, Q5), protocol=proto))
        assert u == old and hash(u) == hash(old)


def test_fresh_result_with_dataclass_functions_and_copies() -> None:
    import copy
    import dataclasses

    s = monitor.drift_scores(P5, Q5)
    assert dataclasses.asdict(monitor.drift_scores(P5, Q5)) == dataclasses.asdict(_eager(s))
    assert dataclasses.astuple(monitor.drift_scores(P5, Q5)) == dataclasses.astuple(_eager(s))
    r = dataclasses.replace(monitor.drift_scores(P5, Q5), psi_raw=7)
    assert type(r) is monitor.DriftScores and r.psi_raw == 7 and r.tv_raw == s.tv_raw
    assert copy.copy(monitor.drift_scores(P5, Q5)) == s
    assert copy.deepcopy(monitor.drift_scores(P5, Q5)) == s
    fresh = monitor.drift_scores(P5, Q5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fresh.tv_num = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del fresh.psi_raw
    assert fresh == s  # a refused write leaves the result intact
    for obj in (monitor.drift_scores(P5, Q5), _eager(s)):
        with pytest.raises(AttributeError, match="no attribute 'tv_rwa'"):
            _ = obj.tv_rwa  # type: ignore[attr-defined]
        assert not hasattr(obj, "__dict__")
    # every field and float of a fresh result, read first, equals the eager one
    for name in [f.name for f in dataclasses.fields(s)] + ["tv", "js", "js_distance", "psi"]:
        assert getattr(monitor.drift_scores(P5, Q5), name) == getattr(_eager(s), name)
    # floor smoothing and a large total (high words set) decode the same as the raw entry point
    from monitor.drift_raw import raw_drift_scores

    big_p, big_q = [2**52, 1, 0], [0, 3, 2**52]
    want, _, _ = raw_drift_scores(big_p, big_q, 3)
    assert monitor.drift_scores(np.array(big_p), np.array(big_q)) == want
    assert want.tv_num >= 2**64 and want.psi_raw >= 2**64  # the shifted high words were read


def test_eight_threads_read_the_same_fresh_results() -> None:
    rng = np.random.default_rng(11)
    pairs = [(rng.integers(0, 10**6, 10), rng.integers(1, 10**6, 10)) for _ in range(50)]
    want = [_eager(monitor.drift_scores(p, q)) for p, q in pairs]
    names = ["psi", "js_distance", "tv_raw", "js_mant", "tv", "js", "psi_raw", "js_distance_exp2"]
    # threads 0-5 read psi or js_distance first, the others a field each
    first = [names[k % 2 if k < 6 else k] for k in range(8)]

    def work(k: int, shared: list[monitor.DriftScores], seen: list[object], start: threading.Barrier) -> None:
        start.wait()
        for s, w in zip(shared, want):  # all threads read the same object at once
            seen.append(getattr(s, first[k]))
            seen.append(s == w)

    for _ in range(20):
        shared = [monitor.drift_scores(p, q) for p, q in pairs]  # no field read yet
        seen: list[list[object]] = [[] for _ in range(8)]
        start = threading.Barrier(8)
        threads = [threading.Thread(target=work, args=(k, shared, seen[k], start)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        for k in range(8):
            assert seen[k] == [v for w in want for v in (getattr(w, first[k]), True)]
        assert shared == want
