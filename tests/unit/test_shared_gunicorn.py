"""The example (examples/service_app.py) under a real gunicorn with 4 workers sharing one segment
(``MONITOR_SHARED_DIR``), scraped by a real Prometheus: after N requests the totals on /metrics,
whichever worker answers, and the counters in PromQL equal the requests served exactly, also
when a worker is SIGKILLed during the run (gunicorn replaces it). Loopback only, bounded waits,
every process stopped by its pid."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from oracles import ROOT

pytestmark = pytest.mark.slow

pytest.importorskip("gunicorn", reason="gunicorn is not installed (pip install 'monitor[test]')")
EXAMPLES = os.path.join(ROOT, "examples")
WORKERS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def _predict(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def _wait(what: str, cond, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _workers(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


_SAMPLE = re.compile(r'^monitor_requests_total\{[^}]*flow="(\w+)"\} (\d+)$', re.M)
_LAT_COUNT = re.compile(r"^monitor_latency_seconds_count\{[^}]*\} (\d+)$", re.M)
_IN_FLIGHT = re.compile(r"^monitor_in_flight_requests\{[^}]*\} ([0-9.]+)$", re.M)


def _scrape(port: int) -> dict[str, int]:
    status, body = _get(port, "/metrics")
    assert status == 200
    text = body.decode()
    out = {flow: int(v) for flow, v in _SAMPLE.findall(text)}
    out["latency_count"] = int(_LAT_COUNT.search(text).group(1))  # type: ignore[union-attr]
    out["in_flight"] = int(float(_IN_FLIGHT.search(text).group(1)))  # type: ignore[union-attr]
    return out


class Stack:
    def __init__(self, port: int, master: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.master = master
        self.ok = 0  # 200 responses so far
        self.bad = 0  # 400 responses (counted as input_validation failures)
        self.lost = 0  # connections a killed worker dropped


@contextlib.contextmanager
def _gunicorn(shared: Path, *extra: str) -> Iterator[Stack]:
    port = _free_port()
    env = dict(os.environ, MONITOR_SHARED_DIR=str(shared))
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "--chdir", EXAMPLES, *extra]
    cmd += ["-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", "service_app:app"]
    # started in examples/, not the repository root: `python -m` puts the start directory on
    # sys.path, and the root's source tree would shadow the installed package (no compiled core)
    master = subprocess.Popen(
        cmd, env=env, cwd=EXAMPLES, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait("gunicorn", lambda: len(_workers(master.pid)) == WORKERS and _get(port, "/metrics")[0] == 200)
        # one segment, not one file per worker (a worker that lost the creation race may still be
        # removing its temporary file)
        _wait("one segment file", lambda: os.listdir(shared) == ["example-model@v1.seg"], timeout=10)
        yield Stack(port, master)
    finally:
        _stop(master, signal.SIGINT)  # gunicorn's quick shutdown (it stops its workers)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with _gunicorn(tmp_path_factory.mktemp("shm")) as st:
        yield st


def _load(st: Stack, n: int, threads: int = 4, kill_at: int | None = None) -> None:
    """n requests from `threads` clients (one in ten invalid); SIGKILL a worker at kill_at."""
    lock = threading.Lock()
    counter = [0]
    good = json.dumps({"x": [1.0, 2.0, 3.0]}).encode()
    bad = json.dumps({"x": [1.0]}).encode()

    def client() -> None:
        while True:
            with lock:
                if counter[0] >= n:
                    return
                i = counter[0]
                counter[0] += 1
            try:
                status = _predict(st.port, bad if i % 10 == 9 else good)
            except (OSError, http.client.HTTPException):
                with lock:
                    st.lost += 1
                continue
            with lock:
                if status == 200:
                    st.ok += 1
                elif status == 400:
                    st.bad += 1
                else:
                    raise AssertionError(f"unexpected status {status}")

    ts = [threading.Thread(target=client) for _ in range(threads)]
    for t in ts:
        t.start()
    if kill_at is not None:
        _wait("requests", lambda: counter[0] >= kill_at)
        victim = _workers(st.master.pid)[0]
        os.kill(victim, signal.SIGKILL)
    for t in ts:
        t.join(120)
        assert not t.is_alive()
    if kill_at is not None:
        _wait(
            "gunicorn to replace the killed worker",
            lambda: victim not in _workers(st.master.pid) and len(_workers(st.master.pid)) == WORKERS,
        )


def _check_exact(st: Stack, m: dict[str, int]) -> None:
    # Every request answered, by any worker, dead or alive, is counted. A request the killed
    # worker was serving may have been counted processed (response lost on the way), or be
    # left in flight (never finished), or never have reached it: at most one per lost
    # connection, each in exactly one of these.
    assert m["received"] == m["processed"] + m["failed"] + m["dropped"] + m["in_flight"]
    assert m["dropped"] == 0
    assert m["processed"] >= st.ok and m["failed"] >= st.bad
    assert (m["processed"] - st.ok) + (m["failed"] - st.bad) + m["in_flight"] <= st.lost
    assert m["processed"] + m["failed"] <= m["latency_count"] <= m["received"]


def test_gunicorn_workers_share_exact_totals_across_a_sigkill(stack: Stack) -> None:
    _load(stack, 200)
    first = _scrape(stack.port)
    assert first["received"] == first["processed"] + first["failed"] == 200
    _load(stack, 600, kill_at=300)
    m = _scrape(stack.port)
    _check_exact(stack, m)
    assert stack.ok + stack.bad + stack.lost == 800
    # whichever worker answers, the same totals (the scrapes are spread over the workers)
    assert all(_scrape(stack.port) == m for _ in range(12))


def test_gunicorn_preload_shares_the_monitor_made_before_the_fork(tmp_path: Path) -> None:
    # --preload: the app (and its ServiceMonitor and segment) is made once in the master; the
    # workers inherit the mapping
    with _gunicorn(tmp_path, "--preload") as st:
        _load(st, 200)
        m = _scrape(st.port)
        assert (m["received"], m["processed"], m["failed"], m["in_flight"]) == (200, 180, 20, 0)
        assert (st.ok, st.bad, st.lost) == (180, 20, 0)
        assert all(_scrape(st.port) == m for _ in range(8))


def _prometheus(tmp: Path, target_port: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    cfg = tmp / "prometheus.yml"
    cfg.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: example\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
    )
    cmd = ["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={tmp / 'data'}"]
    # protobuf scrapes with native histograms (monitor.exposition negotiates the format)
    cmd += ["--enable-feature=native-histograms"]
    cmd += [f"--web.listen-address=127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def _api(port: int, path: str, **params: str) -> object:
    url = f"http://127.0.0.1:{port}/api/v1/{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=5) as r:
        out = json.loads(r.read())
    assert out["status"] == "success", out
    return out["data"]


def _scalar(port: int, query: str) -> int:
    data = _api(port, "query", query=query)
    res = data["result"]  # type: ignore[index]
    assert len(res) == 1, (query, res)
    return int(res[0]["value"][1])


@pytest.mark.skipif(
    shutil.which("prometheus") is None, reason="prometheus is not installed (Debian: prometheus)"
)
def test_prometheus_counts_equal_requests_exactly(stack: Stack, tmp_path: Path) -> None:
    prom, pport = _prometheus(tmp_path, stack.port)
    try:
        _wait("prometheus", lambda: _get(pport, "/-/ready")[0] == 200, timeout=60)
        m0 = _scrape(stack.port)
        _load(stack, 300)
        m = _scrape(stack.port)
        _check_exact(stack, m)
        assert m["received"] - m0["received"] == 300  # no worker killed here: exactly N more
        assert (m["processed"] - m0["processed"], m["failed"] - m0["failed"]) == (270, 30)
        t_end = time.time()

        def scraped_after_load() -> bool:
            active = _api(pport, "targets")["activeTargets"]  # type: ignore[index]
            return any(
                t["health"] == "up" and _iso_to_epoch(t["lastScrape"]) > t_end + 0.05
                for t in active  # type: ignore[union-attr]
            )

        _wait("a scrape after the load", scraped_after_load, timeout=30)
        sel = '{job="example",service="example-model",model_version="v1"'
        assert _scalar(pport, f'sum(monitor_requests_total{sel},flow="processed"}})') == m["processed"]
        assert _scalar(pport, f'sum(monitor_requests_total{sel},flow="failed"}})') == m["failed"]
        assert _scalar(pport, f'sum(monitor_requests_total{sel},flow="received"}})') == m["received"]
        assert _scalar(pport, f'sum(monitor_errors_total{sel},category="input_validation"}})') == m["failed"]
        assert _scalar(pport, f"histogram_count(sum(monitor_latency_seconds{sel}}}))") == m["latency_count"]
    finally:
        _stop(prom)


def _iso_to_epoch(s: str) -> float:
    # Prometheus writes RFC 3339 with nanoseconds and a zone: 2026-12-01T12:00:00.123456789Z
    from datetime import datetime

    s = s.replace("Z", "+00:00")
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$", s)
    assert m is not None, s
    frac = (m.group(2) or ".0")[:7]
    return datetime.fromisoformat(m.group(1) + frac + m.group(3)).timestamp()
