"""drift_scores' hot path (pooled result structs, no alignment pre-check): the same scores for
misaligned views, and for 8 threads sharing the pool."""

from __future__ import annotations

import threading

import numpy as np

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
