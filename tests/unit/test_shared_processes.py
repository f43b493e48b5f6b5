"""monitor.shared across real processes: 8 processes recording at once give exact totals, whether
the segment is opened before the fork (gunicorn --preload) or by each process after it (8
processes racing to create it: one wins, the others attach); processes SIGKILLed while they
record lose nothing already recorded and leave a valid segment that others keep using."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from monitor import ServiceMonitor
from monitor.shared import SharedSegment, segment_path

pytestmark = pytest.mark.slow

N_PROC = 8
K = 20_000


def _requests(svc: ServiceMonitor, k: int, progress: Any = None, slot: int = 0) -> None:
    for j in range(k):
        try:
            with svc.observe() as obs:
                if j % 10 == 9:
                    raise RuntimeError("model failed")
                obs.record(prediction=float(j))
        except RuntimeError:
            pass
        if progress is not None:
            progress[slot] = j + 1  # after the request finished: it is recorded


def _child_after_fork(directory: str, barrier: Any, k: int, created: Any, slot: int) -> None:
    barrier.wait(60)  # all processes create/attach at the same instant
    svc = ServiceMonitor("svc", "v1", logger=False, shared=directory)
    assert svc.shared is not None
    created[slot] = int(svc.shared.created)
    _requests(svc, k)


def _totals_ok(tot: dict[str, int], n: int) -> None:
    fails = n // 10
    assert tot["received"] == n
    assert tot["processed"] == n - fails
    assert tot["failed"] == fails and tot["infrastructure"] == fails  # a RuntimeError
    assert tot["in_flight"] == 0 and tot["dropped"] == 0


@pytest.mark.req("MON-REQ-SHARED-001")
def test_eight_processes_created_after_the_fork(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")  # the monitor is created in each child, after the fork
    barrier = ctx.Barrier(N_PROC)
    created = ctx.RawArray("q", [-1] * N_PROC)
    procs = [
        ctx.Process(target=_child_after_fork, args=(str(tmp_path), barrier, K, created, i))
        for i in range(N_PROC)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join(10)
    assert [p.exitcode for p in procs] == [0] * N_PROC
    assert sorted(created) == [0] * (N_PROC - 1) + [1]  # one creator; the others attached to its file
    assert os.listdir(tmp_path) == [os.path.basename(segment_path(tmp_path, "svc", "v1"))]
    svc = ServiceMonitor("svc", "v1", logger=False, shared=str(tmp_path))
    _totals_ok(svc.totals(), N_PROC * K)
    assert svc.shared is not None and svc.shared.latency().count == N_PROC * K


_PRELOADED: ServiceMonitor | None = None


def _child_preloaded(k: int) -> int:
    assert _PRELOADED is not None
    _requests(_PRELOADED, k)
    return os.getpid()


def test_eight_processes_sharing_a_monitor_made_before_the_fork(tmp_path: Path) -> None:
    global _PRELOADED
    _PRELOADED = ServiceMonitor("svc", "v1", logger=False, shared=str(tmp_path))
    try:
        ctx = mp.get_context("fork")
        with ctx.Pool(N_PROC) as pool:
            pids = pool.map_async(_child_preloaded, [K] * N_PROC).get(120)
        assert len(set(pids)) > 1
        _totals_ok(_PRELOADED.totals(), N_PROC * K)
        assert _PRELOADED.shared is not None and _PRELOADED.shared.latency().count == N_PROC * K
    finally:
        _PRELOADED = None


def _victim(directory: str, progress: Any, slot: int) -> None:
    svc = ServiceMonitor("svc", "v1", logger=False, shared=directory)
    _requests(svc, 10**9, progress, slot)  # until killed


def _steady(directory: str, k: int) -> None:
    svc = ServiceMonitor("svc", "v1", logger=False, shared=directory)
    _requests(svc, k)


@pytest.mark.req("MON-REQ-SHARED-001")
def test_sigkill_loses_nothing_recorded(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    victims = 3
    progress = ctx.RawArray("q", victims)
    d = str(tmp_path)
    SharedSegment.open(segment_path(d, "svc", "v1"), service="svc", model_version="v1")
    steady = [ctx.Process(target=_steady, args=(d, K)) for _ in range(N_PROC - victims)]
    doomed = [ctx.Process(target=_victim, args=(d, progress, i)) for i in range(victims)]
    for p in steady + doomed:
        p.start()
    try:
        for i, p in enumerate(doomed):
            deadline = time.monotonic() + 60
            while progress[i] < 500 + 300 * i and time.monotonic() < deadline:
                time.sleep(0.005)
            assert p.pid is not None
            os.kill(p.pid, signal.SIGKILL)  # wherever it is: Python, the C core, between calls
            p.join(10)
            assert p.exitcode == -signal.SIGKILL
        for p in steady:
            p.join(120)  # the survivors never wait for the dead (no claim, no lock)
            assert p.exitcode == 0
    finally:
        for p in steady + doomed:
            if p.is_alive():
                p.kill()
                p.join(10)
    reported = sum(progress[i] for i in range(victims))
    svc = ServiceMonitor("svc", "v1", logger=False, shared=d)
    tot = svc.totals()
    done = tot["processed"] + tot["failed"]
    base = (N_PROC - victims) * K
    # every request a victim reported finished is counted; at most one more per victim was
    # finishing when it died
    assert base + reported <= done <= base + reported + victims
    assert tot["received"] == done + tot["in_flight"] and tot["in_flight"] <= victims
    assert svc.shared is not None
    assert done <= svc.shared.latency().count <= done + victims
    # the segment is still valid: a new process attaches and its requests are counted exactly
    p = ctx.Process(target=_steady, args=(d, 100))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    after = svc.totals()
    assert after["processed"] + after["failed"] == done + 100
    assert after["received"] == tot["received"] + 100
