"""The HTML report in a real browser: headless Chromium (Debian package ``chromium``) opens the
file from disk, renders it without console errors or exceptions and without any network request,
and a screenshot is taken and checked not to be blank. Driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: stdlib only). Skipped, with the reason, when Chromium is absent."""

from __future__ import annotations

import json
import os
import select
import shutil
import struct
import subprocess
import time
import zlib
from typing import Any

import numpy as np
import pytest

from monitor import DriftMonitor, LatencyHistogram, Reference
from monitor.report import drift_document, drift_window, latency_document, write_report

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]


class DevTools:
    """A minimal Chrome DevTools Protocol client over the pipe (fd 3 in, fd 4 out, NUL-framed)."""

    def __init__(self, profile: str) -> None:
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()

        def fds() -> None:  # in the child: the protocol's fixed descriptors
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        assert CHROMIUM is not None
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "about:blank",
            ],
            preexec_fn=fds,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the pipe")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)  # type: ignore[no-any-return]

    def call(
        self, method: str, session: str | None = None, timeout: float = 30, **params: Any
    ) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})  # type: ignore[no-any-return]
            self.events.append(m)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            m = self._read(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (TimeoutError, EOFError, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its handle
            self.proc.wait(timeout=10)
        os.close(self._r)
        os.close(self._w)


def _png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (the screenshot) to an (h, w, channels) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            ch = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * ch
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int32)
        cur = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            a = cur[x - ch] if x >= ch else 0
            b = prev[x]
            c = prev[x - ch] if x >= ch else 0
            if f == 0:
                p = 0
            elif f == 1:
                p = a
            elif f == 2:
                p = b
            elif f == 3:
                p = (a + b) // 2
            else:
                pa_, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa_ <= pb and pa_ <= pc else b if pb <= pc else c
            cur[x] = (line[x] + p) & 0xFF
        out[y] = cur
        prev = cur
    return out.reshape(height, width, ch)


def _report(path: str) -> None:
    rng = np.random.default_rng(3)
    train = {"amount": rng.lognormal(3, 1, 5000), "merchant": rng.choice(["a", "b", "c"], 5000)}
    ref = Reference.fit(train)
    dm = DriftMonitor(ref, window=10_000)
    dm.update(
        ref.encode({"amount": rng.lognormal(3.4, 1, 3000), "merchant": rng.choice(["a", "b", "d"], 3000)})
    )
    w = drift_window(ref, dm)
    doc = drift_document(
        ref, [w], reference_source="train", current_source="today", fail_on="significant", drift_found=True
    )
    h = LatencyHistogram()
    h.record_many(rng.lognormal(np.log(20), 0.6, 20_000), "ms")
    write_report(path, doc, latency_document(h, "ms", "latencies"), title="browser test report")


def test_report_renders_in_headless_chromium(tmp_path: Any) -> None:
    path = str(tmp_path / "report.html")
    _report(path)
    dt = DevTools(str(tmp_path / "profile"))
    try:
        targets = dt.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        session = dt.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            dt.call(f"{domain}.enable", session)
        dt.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=1100,
            height=1400,
            deviceScaleFactor=1,
            mobile=False,
        )
        dt.events.clear()
        dt.call("Page.navigate", session, url="file://" + path)
        dt.wait_for("Page.loadEventFired")
        time.sleep(0.3)  # let late console messages arrive
        shot = dt.call("Page.captureScreenshot", session, format="png")
        clip = dt.call(
            "Page.captureScreenshot",
            session,
            format="png",
            clip={"x": 0, "y": 0, "width": 400, "height": 240, "scale": 1},
        )
        title = dt.call("Runtime.evaluate", session, expression="document.title")["result"]["value"]
        svgs = dt.call("Runtime.evaluate", session, expression="document.querySelectorAll('svg').length")
        dt.call("Page.navigate", session, url="about:blank")
        time.sleep(0.5)
        blank = dt.call("Page.captureScreenshot", session, format="png")
    finally:
        dt.close()
    import base64

    png = base64.b64decode(shot["data"])
    (tmp_path / "screenshot.png").write_bytes(png)
    assert title == "browser test report" and svgs["result"]["value"] >= 5
    errors = [
        e
        for e in dt.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (
            e.get("method") == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "warning", "assert")
        )
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))
    ]
    assert errors == [], errors
    requests = [
        e["params"]["request"]["url"] for e in dt.events if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests and all(u.startswith("file://") for u in requests), requests  # only the file itself
    assert len(requests) == 1
    # not blank: the full page compresses far worse than a blank page of the same size, and the
    # top-left corner (title, verdict, the summary table's start) has dark text pixels
    assert len(png) > 5 * len(base64.b64decode(blank["data"])), (len(png), len(blank["data"]))
    px = _png_pixels(base64.b64decode(clip["data"]))[:, :, :3]
    assert px.shape[:2] == (240, 400)
    dark = (px.max(axis=2) < 100).mean()
    not_white = (px.min(axis=2) < 240).mean()
    assert dark > 0.005 and not_white > 0.02, (dark, not_white)
