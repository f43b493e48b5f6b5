"""DriftMonitor under 8 threads: no count is lost, directly and through ServiceMonitor(drift=...).

Every feature's window counts (bins + NaN + below + above) must add up exactly to the rows of
the window, whatever mix of big batches (binned in per-thread scratch outside the lock) and
small ones (binned into the ring under the lock) the threads send.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from monitor import DriftMonitor, Reference, ServiceMonitor

THREADS = 8


def _ref() -> Reference:
    rng = np.random.default_rng(0)
    return Reference.fit(rng.normal(size=(5000, 4)), bins=10, names=["a", "b", "c", "d"])


def _per_feature(dm: DriftMonitor) -> list[int]:
    counts, extra = dm.window_counts()
    off = np.concatenate(([0], np.cumsum([f.nbins for f in dm.reference.features])))
    return [int(counts[off[i] : off[i + 1]].sum() + extra[i].sum()) for i in range(len(off) - 1)]


def _run(target: Any) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    ts = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in ts)
    assert not errors, errors


@pytest.mark.req("MON-REQ-THREAD-001")
def test_8_threads_big_batches_lose_nothing() -> None:
    dm = DriftMonitor(_ref(), window=10**7)

    def work(i: int) -> None:
        rng = np.random.default_rng(i)
        for _ in range(6):
            dm.update(rng.normal(size=(10000, 4)))

    _run(work)
    assert dm.rows_seen == THREADS * 6 * 10000
    assert _per_feature(dm) == [dm.rows_seen] * 4
    rep = dm.evaluate()
    assert rep.rows == dm.rows_seen and all(f.rows == dm.rows_seen for f in rep.features)


@pytest.mark.req("MON-REQ-THREAD-001")
def test_8_threads_mixed_sizes_sliding_window() -> None:
    """Big, small and one-row batches into a sliding ring: after the threads join, the window
    holds exactly the rows of its sub-windows (no count lost, none from a recycled slot)."""
    dm = DriftMonitor(_ref(), window=40_000, slots=8)
    sizes = [1, 7, 3000, 1, 12000, 250, 1, 5000]

    def work(i: int) -> None:
        rng = np.random.default_rng(100 + i)
        for k in range(40):
            x = rng.normal(size=(sizes[(i + k) % len(sizes)], 4))
            x[rng.random(x.shape) < 0.01] = np.nan
            dm.update(x)

    _run(work)
    rep = dm.evaluate()
    # every row of the window is in exactly one bin / counter of every feature
    assert _per_feature(dm) == [rep.rows] * 4
    sub = dm.sub
    assert rep.end == dm.rows_seen and rep.start == max(0, ((rep.end - 1) // sub - 7) * sub)


@pytest.mark.req("MON-REQ-THREAD-001")
def test_8_threads_update_while_evaluating_and_resetting() -> None:
    """evaluate() and reset() interleaved with updates never raise and never corrupt the ring:
    after a final reset and one more batch the counts are exact."""
    dm = DriftMonitor(_ref(), window=10**6, slots=4)

    def work(i: int) -> None:
        rng = np.random.default_rng(200 + i)
        for k in range(20):
            if i == 0 and k % 5 == 4:
                dm.reset()
            elif i == 1:
                try:
                    dm.evaluate()
                except Exception as exc:  # only an empty window right after a reset
                    assert type(exc).__name__ == "EmptyWindowError"
            else:
                dm.update(rng.normal(size=((k % 3) * 3000 + 1, 4)))

    _run(work)
    dm.reset()
    dm.update(np.zeros((1234, 4)))
    assert _per_feature(dm) == [1234] * 4 and dm.rows_seen == 1234


@pytest.mark.parametrize("shape", ["row", "batch"])
@pytest.mark.req("MON-REQ-THREAD-001")
def test_8_threads_through_service_monitor(shape: str) -> None:
    dm = DriftMonitor(_ref(), window=10**7)
    svc = ServiceMonitor("svc", "v1", drift=dm, logger=False)
    per = 300

    def work(i: int) -> None:
        rng = np.random.default_rng(300 + i)
        for _ in range(per):
            feats = rng.normal(size=4) if shape == "row" else rng.normal(size=(50, 4))
            with svc.observe(features=feats) as obs:
                obs.record(prediction=0.5)

    _run(work)
    rows = THREADS * per * (1 if shape == "row" else 50)
    assert svc.internal_errors == 0
    assert dm.rows_seen == rows
    assert _per_feature(dm) == [rows] * 4
