"""Latency over a sliding time window on the C window ring (``csrc/mon_window.h``, through
``mon_hist_ring_*``): :class:`WindowedLatencyHistogram`. Part of :mod:`monitor.latency`."""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from .._ffi import check, ffi, lib
from ..errors import InvalidArgumentError, InvalidTypeError
from .histogram import LatencyHistogram, Timer
from .layout import (
    DEFAULT_HIGHEST_NS,
    DEFAULT_LOWEST_NS,
    DEFAULT_RELATIVE_ERROR,
    STRICT_FLAG,
    U64_MAX,
    UNIT_CODES,
    Unit,
    hist_config,
)
from .values import latency_arrays, latency_ns, record_parts, reject_value

_floor = math.floor

RING_MAX_SLOTS: int = int(lib.MON_HIST_RING_MAX_SLOTS)
"""The most slots a window ring has (its memory is one histogram per slot, allocated at once)."""

_NS_PER_S = 1_000_000_000
RING_MAX_BYTES = 1 << 26
"""The most memory (bytes) one window ring may take: a larger configuration is refused."""


def ring_window(ring: Any, tick: int, slots: int, like: LatencyHistogram) -> LatencyHistogram:
    """A new histogram of ``like``'s configuration holding the last ``slots`` slots of the C
    window ring ``ring`` (``mon_hist_ring *``) at ``tick``: the one place outside
    :class:`LatencyHistogram` that fills a histogram's C state."""
    out = LatencyHistogram._empty_like(like._lowest, like._highest, like._scale, like._strict)  # noqa: SLF001
    check(lib.mon_hist_ring_window(ring, tick, slots, out._h), "window")  # noqa: SLF001
    return out


class TickClock:
    """Integer nanosecond ticks from a clock of seconds: the one clock-to-tick conversion of the
    windowed objects (:class:`WindowedLatencyHistogram`, :class:`~monitor.ServiceMonitor`).

    A reading ``t`` becomes ``floor(t * 1e9)`` (``t * 1e9`` computed in float64, then floored;
    exact for ints) plus an offset that is 0 until the clock first steps back far. Ticks never
    go back, and time never freezes:

    - **forward** (any amount, a jump included): the tick follows the clock; values older than
      a window leave it, as after idle time;
    - **a step back of at most** ``tolerance_ns`` (thread jitter, a small correction): the tick
      holds at the newest one until the clock catches up;
    - **a step back of more than** ``tolerance_ns`` (e.g. the return after a jump ahead): the
      clock is re-anchored - ticks continue from the newest tick at the clock's rate (counted in
      :attr:`steps_back`), so one bad reading a year ahead costs one window, not a year;
    - **NaN, infinite, not a number, or a tick outside [0, 2**64)**: ignored, the newest tick is
      used (counted in :attr:`faults`).

    Thread-safe: the fast path (a forward or equal reading) is lock-free; under concurrent calls
    the newest-tick mark may lag one reading of another thread (the tick then holds, as for a
    small step back). Re-anchoring takes a lock and re-checks, so it happens once per step.
    """

    __slots__ = ("clock", "tolerance_ns", "offset", "newest", "_lock", "faults", "steps_back")

    def __init__(self, clock: Callable[[], float], start_ns: int = 0, tolerance_ns: int = _NS_PER_S) -> None:
        if not callable(clock):
            raise InvalidTypeError(f"clock must be a callable returning monotonic seconds, got {clock!r}")
        self.clock = clock
        self.tolerance_ns = int(tolerance_ns)
        self.offset = 0  # ns added to floor(t * 1e9); moved only by a re-anchor
        self.newest = int(start_ns)  # the newest tick given so far
        self._lock = threading.Lock()
        self.faults = 0
        self.steps_back = 0

    def now(self) -> int:
        """The tick of a fresh clock reading (a clock that raises counts as a fault)."""
        try:
            t = self.clock()
        except Exception:
            return self._fault()
        try:  # the forward fast path of tick_of, inline (one call less per value)
            tick: int = _floor(t * 1e9) + self.offset
        except (TypeError, ValueError, OverflowError):
            return self._fault()
        if self.newest <= tick <= U64_MAX:
            self.newest = tick
            return tick
        return self.tick_of(t)

    def tick_of(self, t: Any) -> int:
        """The tick of the reading ``t`` (seconds), by the rules of the class documentation."""
        try:
            tick: int = _floor(t * 1e9) + self.offset
        except (TypeError, ValueError, OverflowError):  # not a number, NaN, +-inf
            return self._fault()
        hw = self.newest
        if tick >= hw:
            if tick <= U64_MAX:
                self.newest = tick
                return tick
            return self._fault()
        if tick >= hw - self.tolerance_ns:
            return hw
        with self._lock:  # re-anchor, once: re-read the offset another thread may have moved
            tick = _floor(t * 1e9) + self.offset
            hw = self.newest
            if tick < hw - self.tolerance_ns:
                self.offset += hw - tick
                self.steps_back += 1
            elif hw < tick <= U64_MAX:
                self.newest = hw = tick
            return hw

    def _fault(self) -> int:
        with self._lock:
            self.faults += 1
        return self.newest


class WindowedLatencyHistogram:
    """Latency over a sliding time window: the C window ring of ``csrc/mon_hist.h``
    (``mon_hist_ring_*``, the epoch-tagged slot ring that the service counters use too), with
    ``slots`` histograms each covering ``slot_s = window_s / slots`` seconds (or exactly
    ``slot_ns`` ns when given, as :class:`~monitor.ServiceMonitor` does to share the slots of its
    request counters; ``window_s`` is then ``slot_ns * slots / 1e9``).

    Time is an integer tick in ns: the injected ``clock`` (monotonic seconds; default
    ``time.monotonic``) is read as ``floor(clock() * 1e9)``, and tick t belongs to slot epoch
    ``(t - start_ns) // slot_ns`` (``slot_ns = round(slot_s * 1e9)``; ticks at or before
    ``start_ns``, default 0, are epoch 0), held by slot ``epoch mod slots``. The first value of
    a new epoch empties its slot (deterministic for a given clock). :meth:`window` merges the
    last ``last_s`` seconds (rounded up to whole slots, so it covers between ``last_s - slot_s``
    and ``last_s`` seconds of history plus the current partial slot).

    The clock-driven methods read time through a :class:`TickClock` (:attr:`ticks`): ticks never
    go back and never freeze. A forward jump moves the window ahead (as idle time would); a step
    back of at most one slot (and at least 1 s) holds the tick until the clock catches up; a
    larger step back (e.g. the return after a jump ahead) re-anchors the clock, so ticks go on
    from the newest one at the clock's rate - one bad reading costs at most one window of
    history, never a frozen window; a NaN, infinite or non-number reading is ignored (the value
    is recorded at the newest tick, the reading counted in ``ticks.faults``). The
    explicit-time methods (:meth:`record_ns_at`, :meth:`window_at`) take the caller's tick as it
    is: a value whose epoch has already left the window (its slot holds a newer epoch) is
    counted in :attr:`late` only.

    Thread-safe without a lock: recording, rotation and windows are thread-safe in C (a value is
    counted in its epoch's slot or in :attr:`late`, never lost or misplaced; see
    docs/latency.md). The newest-tick mark is kept without a lock; under concurrent calls it may
    lag one reading, which only moves a value to an adjacent tick of the same clock.
    """

    __slots__ = (
        "_mem",
        "_ring",
        "_slots",
        "_slot_s",
        "_slot_ns",
        "_start_ns",
        "_clock",
        "_ticks",
        "_now",
        "_proto",
        "_rec",
        "_rec_f64",
        "_u_us",
        "_u_ms",
        "_u_s",
        "_strict",
        "record_ns_at_raw",
    )

    def __init__(
        self,
        window_s: float = 60.0,
        slots: int = 6,
        *,
        clock: Callable[[], float] = time.monotonic,
        lowest_ns: int = DEFAULT_LOWEST_NS,
        highest_ns: int = DEFAULT_HIGHEST_NS,
        relative_error: float | None = DEFAULT_RELATIVE_ERROR,
        scale: int | None = None,
        strict: bool = False,
        start_ns: int = 0,
        slot_ns: int | None = None,
    ) -> None:
        max_slots = RING_MAX_SLOTS
        if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= max_slots:
            raise InvalidArgumentError(f"slots must be an int in [1, {max_slots}], got {slots!r}")
        if (
            isinstance(window_s, bool)
            or not isinstance(window_s, (int, float))
            or not math.isfinite(window_s)
            or window_s <= 0
        ):
            raise InvalidArgumentError(f"window_s must be a positive number of seconds, got {window_s!r}")
        if not callable(clock):
            raise InvalidTypeError(f"clock must be a callable returning monotonic seconds, got {clock!r}")
        if isinstance(start_ns, bool) or not isinstance(start_ns, int) or not 0 <= start_ns <= U64_MAX:
            raise InvalidArgumentError(f"start_ns must be an int tick in [0, 2**64), got {start_ns!r}")
        if slot_ns is None:
            slot_ns = round(float(window_s) / slots * 1e9)
        elif isinstance(slot_ns, bool) or not isinstance(slot_ns, int):
            raise InvalidArgumentError(f"slot_ns must be an int number of ns, got {slot_ns!r}")
        else:
            window_s = slot_ns * slots / 1e9
        if not 1 <= slot_ns <= U64_MAX:
            raise InvalidArgumentError(
                f"window_s / slots must be between 1 ns and 2**64 ns, got {window_s}/{slots}"
            )
        self._proto = LatencyHistogram(lowest_ns, highest_ns, relative_error, scale=scale, strict=strict)
        cfg = hist_config(lowest_ns, highest_ns, self._proto.scale)
        win = ffi.new(
            "mon_window_config *", {"slot_ticks": slot_ns, "start_tick": start_ns, "slots": slots, "flags": 0}
        )
        size = int(lib.mon_hist_ring_size(cfg, win))
        if size > RING_MAX_BYTES:
            raise InvalidArgumentError(
                f"a window of {slots} slots of {self._proto.nbytes} bytes is {size} bytes, more than "
                f"{RING_MAX_BYTES} (64 MiB): use fewer slots, a narrower range or a coarser scale"
            )
        self._mem = ffi.new("uint64_t[]", size // 8)
        self._ring = ffi.cast("mon_hist_ring *", self._mem)
        check(lib.mon_hist_ring_init(self._ring, size, cfg, win), "WindowedLatencyHistogram")
        self._slots = slots
        self._slot_s = float(window_s) / slots
        self._slot_ns = slot_ns
        self._start_ns = start_ns
        self._clock = clock
        self._ticks = TickClock(clock, start_ns, max(slot_ns, _NS_PER_S))
        self._now = self._ticks.now
        self._now()
        self._rec = lib.mon_hist_ring_record
        self._rec_f64 = lib.mon_hist_ring_record_f64
        # record_ns_at without a Python frame or a check: for callers whose ticks and values
        # are ints in [0, 2**64) by construction (ServiceMonitor's TickClock ticks).
        self.record_ns_at_raw: Callable[[int, int], None] = functools.partial(
            lib.mon_hist_ring_record, self._ring
        )
        self._strict = bool(strict)
        flag = STRICT_FLAG if strict else 0
        self._u_us = UNIT_CODES["us"] | flag
        self._u_ms = UNIT_CODES["ms"] | flag
        self._u_s = UNIT_CODES["s"] | flag

    @property
    def ticks(self) -> TickClock:
        """The clock-to-tick conversion of the clock-driven methods (its ``faults`` and
        ``steps_back`` count the clock's bad readings)."""
        return self._ticks

    @staticmethod
    def _tick_arg(now_ns: object) -> int:
        if isinstance(now_ns, bool) or not isinstance(now_ns, (int, np.integer)):
            raise InvalidTypeError(f"now_ns must be an int tick in [0, 2**64), got {now_ns!r}")
        if not 0 <= int(now_ns) <= U64_MAX:
            raise InvalidArgumentError(f"now_ns must be an int tick in [0, 2**64), got {now_ns!r}")
        return int(now_ns)

    @property
    def slot_s(self) -> float:
        return self._slot_s

    @property
    def slot_ns(self) -> int:
        """Width of one slot in ns ticks (``round(slot_s * 1e9)``)."""
        return self._slot_ns

    @property
    def start_ns(self) -> int:
        return self._start_ns

    @property
    def window_s(self) -> float:
        return self._slot_s * self._slots

    @property
    def slots(self) -> int:
        return self._slots

    @property
    def nbytes(self) -> int:
        return len(self._mem) * 8

    def c_object(self) -> Any:
        """The ``mon_hist_ring *`` of this window, for another C unit's binding that takes one
        (e.g. ``mon_shared_finish_ring``); valid while this object lives."""
        return self._ring

    @property
    def late(self) -> int:
        """Values not in any window because their epoch had already left it when recorded."""
        out = ffi.new("uint64_t *")
        check(lib.mon_hist_ring_info(self._ring, ffi.NULL, ffi.NULL, out), "late")
        return int(out[0])

    # -- recording ---------------------------------------------------------------------------
    # An exact int (ns) / float (us, ms, s) goes straight to C; anything else is converted
    # exactly, or refused, by monitor.latency.values (record_slow).
    def record_ns(self, value: int) -> None:
        tick = self._now()
        if value.__class__ is int:
            try:
                self._rec(self._ring, tick, value)
                return
            except OverflowError:
                pass
        self._slow(tick, value, "ns")

    def record_ns_at(self, now_ns: int, value_ns: int) -> None:
        """Record ``value_ns`` at the caller's tick ``now_ns`` (ns, the clock's time base)."""
        if now_ns.__class__ is int and value_ns.__class__ is int:
            try:
                self._rec(self._ring, now_ns, value_ns)
                return
            except OverflowError:
                pass
        self._slow(self._tick_arg(now_ns), value_ns, "ns")

    def record_ms(self, value: float) -> None:
        tick = self._now()
        if value.__class__ is float:
            if self._rec_f64(self._ring, tick, value, self._u_ms) and self._strict:
                reject_value(value, "ms")
        else:
            self._slow(tick, value, "ms")

    def record_s(self, value: float) -> None:
        tick = self._now()
        if value.__class__ is float:
            if self._rec_f64(self._ring, tick, value, self._u_s) and self._strict:
                reject_value(value, "s")
        else:
            self._slow(tick, value, "s")

    def record_us(self, value: float) -> None:
        tick = self._now()
        if value.__class__ is float:
            if self._rec_f64(self._ring, tick, value, self._u_us) and self._strict:
                reject_value(value, "us")
        else:
            self._slow(tick, value, "us")

    def record_invalid_at(self, now_ns: int, n: int = 1) -> None:
        """Count ``n`` invalid latencies at tick ``now_ns`` (e.g. a request whose end time is
        unknown because the clock failed): in the slot's ``invalid``, or in :attr:`late`."""
        tick = self._tick_arg(now_ns)
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:
            lib.mon_hist_ring_add_late(self._ring, n)
            return
        try:
            lib.mon_hist_add_invalid(h, n)
        finally:
            lib.mon_hist_ring_release(self._ring, h)

    def _slow(self, tick: int, value: object, unit: str) -> None:
        ns = latency_ns(value, unit)  # refuses a non-latency before a slot is pinned
        if ns is None and self._strict:
            reject_value(value, unit)
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:  # the epoch has left the window: counted as late
            lib.mon_hist_ring_add_late(self._ring, 1)
            return
        try:
            if ns is None:
                lib.mon_hist_add_invalid(h, 1)
            else:
                lib.mon_hist_record(h, ns)
        finally:
            lib.mon_hist_ring_release(self._ring, h)

    def record_many(self, values: Any, unit: Unit = "ns") -> int:
        return self._record_many_at(self._now(), values, unit)

    def _record_many_at(self, tick: int, values: Any, unit: Unit) -> int:
        # Validate and convert first (it may run arbitrary Python, e.g. an __array__): a slot is
        # pinned only around the C work, since a claim of the slot waits for its pins.
        parts, pre_bad = latency_arrays(values, unit)
        n = pre_bad + sum(int(a.shape[0]) for _, a in parts)
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:  # the epoch has left the window: validated on a scratch, counted late
            p = self._proto
            tmp = LatencyHistogram(p.lowest_ns, p.highest_ns, scale=p.scale, strict=self._strict)
            bad = record_parts(tmp._h, parts, pre_bad, unit, self._strict)  # noqa: SLF001
            lib.mon_hist_ring_add_late(self._ring, n)
            return bad
        try:
            return record_parts(h, parts, pre_bad, unit, self._strict)
        finally:
            lib.mon_hist_ring_release(self._ring, h)

    def timer(self) -> Timer:
        return Timer(self)  # type: ignore[arg-type]

    # -- reading -----------------------------------------------------------------------------
    def window(self, last_s: float | None = None) -> LatencyHistogram:
        """Merged histogram of the last ``last_s`` seconds (whole window when None)."""
        tick = self._now()
        if last_s is None:
            n = self._slots
        else:
            if (
                isinstance(last_s, bool)
                or not isinstance(last_s, (int, float))
                or not math.isfinite(last_s)
                or last_s <= 0
            ):
                raise InvalidArgumentError(f"last_s must be a positive number of seconds, got {last_s!r}")
            n = min(self._slots, max(1, math.ceil(last_s / self._slot_s - 1e-9)))
        return self._window(tick, n)

    def window_at(self, now_ns: int, last_slots: int | None = None) -> LatencyHistogram:
        """Merged histogram of the last ``last_slots`` slots (all when None) at the caller's tick
        ``now_ns``: the epochs ``e(now_ns) - last_slots + 1 .. e(now_ns)``."""
        tick = self._tick_arg(now_ns)
        if last_slots is None:
            n = self._slots
        elif (
            isinstance(last_slots, bool)
            or not isinstance(last_slots, int)
            or not 1 <= last_slots <= self._slots
        ):
            raise InvalidArgumentError(f"last_slots must be an int in [1, {self._slots}], got {last_slots!r}")
        else:
            n = last_slots
        return self._window(tick, n)

    def _window(self, tick: int, n: int) -> LatencyHistogram:
        return ring_window(self._ring, tick, n, self._proto)

    def quantile(self, q: float | Fraction, last_s: float | None = None) -> int:
        return self.window(last_s).quantile(q)

    def percentiles(
        self, ps: Iterable[float] = (50, 90, 99, 99.9), last_s: float | None = None
    ) -> dict[float, int]:
        return self.window(last_s).percentiles(ps)

    @property
    def count(self) -> int:
        return self.window().count
