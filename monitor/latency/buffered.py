"""A buffered recorder: single latencies from Python appended to a bounded Python list and
recorded into a :class:`~monitor.latency.LatencyHistogram` in batches (one ``record_many`` C
call per batch). Part of :mod:`monitor.latency`; made by :meth:`LatencyHistogram.buffered`.

Why: one C call through cffi costs about as much as everything else in ``record_ms`` (measured
in ``benchmarks/bench_latency.py``); a list append does not. The counts are exactly those of
calling ``hist.record_ms`` (``_us``, ``_s``) per value: a float goes through the C core's
float64 batch conversion, which is the scalar one value by value (same rounding, same invalid
counting); any other value (an int, a Fraction, a numpy number...) is recorded at once through
the histogram's own scalar method, after the pending floats. Nothing is lost or counted twice
when threads share a recorder (appends are atomic list operations; a flush takes exactly the
values it saw, under a lock, and leaves newer ones pending).

The pending values are in the histogram only once flushed: :meth:`BufferedRecorder.flush` (at
most ``capacity`` values wait, per unit), the end of a ``with`` block, and every read made
through the recorder (:attr:`BufferedRecorder.histogram`) flush first. Reading the histogram
object directly sees only what was flushed. Not for ``strict=True`` histograms (an invalid
value would raise at the flush, not at the call that recorded it).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, InvalidTypeError

__all__ = ["BufferedRecorder", "MAX_BUFFER"]

_as_f64 = np.array
_F64 = np.dtype(np.float64)

MAX_BUFFER = 1 << 16
"""The largest ``capacity`` of a buffered recorder (values pending per unit)."""


class BufferedRecorder:
    """``record_ns`` / ``record_us`` / ``record_ms`` / ``record_s`` of a histogram, buffered (see
    the module). Use as ``with hist.buffered() as rec: rec.record_ms(x)``, or call
    :meth:`flush` before reading the histogram itself."""

    __slots__ = ("_hist", "_cap", "_lock", "_b_ns", "_b_us", "_b_ms", "_b_s")

    def __init__(self, hist: Any, capacity: int = 4096) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise InvalidTypeError(
                f"capacity must be an int in [1, {MAX_BUFFER}], got {type(capacity).__name__}"
            )
        if not 1 <= capacity <= MAX_BUFFER:
            raise InvalidArgumentError(f"capacity must be an int in [1, {MAX_BUFFER}], got {capacity}")
        if hist.strict:
            raise InvalidArgumentError(
                "a strict=True histogram cannot be buffered (an invalid value would raise at the "
                "flush instead of at its record call); record into it directly"
            )
        self._hist = hist
        self._cap = capacity
        self._lock = threading.Lock()
        self._b_ns: list[Any] = []
        self._b_us: list[Any] = []
        self._b_ms: list[Any] = []
        self._b_s: list[Any] = []

    @property
    def capacity(self) -> int:
        """Values pending per unit before a flush."""
        return self._cap

    @property
    def pending(self) -> int:
        """Values recorded but not flushed yet."""
        return len(self._b_ns) + len(self._b_us) + len(self._b_ms) + len(self._b_s)

    @property
    def histogram(self) -> Any:
        """The histogram, every pending value flushed into it first."""
        self.flush()
        return self._hist

    def record_ms(self, value: float) -> None:
        """As :meth:`LatencyHistogram.record_ms <monitor.latency.LatencyHistogram.record_ms>`."""
        if value.__class__ is float:
            b = self._b_ms
            b.append(value)
            if len(b) >= self._cap:
                self.flush()
        else:
            self._direct("ms", value)

    def record_us(self, value: float) -> None:
        """As ``LatencyHistogram.record_us``."""
        if value.__class__ is float:
            b = self._b_us
            b.append(value)
            if len(b) >= self._cap:
                self.flush()
        else:
            self._direct("us", value)

    def record_s(self, value: float) -> None:
        """As ``LatencyHistogram.record_s``."""
        if value.__class__ is float:
            b = self._b_s
            b.append(value)
            if len(b) >= self._cap:
                self.flush()
        else:
            self._direct("s", value)

    def record_ns(self, value: float) -> None:
        """As ``LatencyHistogram.record_ns`` (an int is recorded exactly, at once)."""
        if value.__class__ is float:
            b = self._b_ns
            b.append(value)
            if len(b) >= self._cap:
                self.flush()
        else:
            self._direct("ns", value)

    def _direct(self, unit: str, value: Any) -> None:
        self.flush()
        getattr(self._hist, "record_" + unit)(value)

    def flush(self) -> int:
        """Record every pending value into the histogram (one C call per unit); the number of
        invalid values among them (counted in the histogram's ``invalid``)."""
        bad = 0
        with self._lock:
            for unit, b in (("ns", self._b_ns), ("us", self._b_us), ("ms", self._b_ms), ("s", self._b_s)):
                n = len(b)
                if n:
                    vals = b[:n]  # exactly these n: values appended meanwhile stay pending
                    del b[:n]
                    # only Python floats are buffered: float64 holds them exactly
                    bad += self._hist.record_many(_as_f64(vals, dtype=_F64), unit)
        return bad

    def __enter__(self) -> BufferedRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()
