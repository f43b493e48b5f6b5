"""Latency over a sliding time window on the C window ring (``csrc/mon_window.h``, through
``mon_hist_ring_*``): :class:`WindowedLatencyHistogram`. Part of :mod:`monitor.latency`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from .._ffi import check, ffi, lib
from ..errors import InvalidArgumentError
from .histogram import LatencyHistogram, Timer, record_many_into, record_slow, reject_value, ring_window
from .layout import (
    DEFAULT_HIGHEST_NS,
    DEFAULT_LOWEST_NS,
    DEFAULT_RELATIVE_ERROR,
    STRICT_FLAG,
    U64_MAX,
    UNIT_CODES,
    UNIT_NS,
    Unit,
    hist_config,
)

_floor = math.floor

RING_MAX_SLOTS: int = int(lib.MON_HIST_RING_MAX_SLOTS)
"""The most slots a window ring has (its memory is one histogram per slot, allocated at once)."""


def _late_values(values: Any, unit: str, strict: bool, proto: LatencyHistogram) -> int:
    """Number of values a late record_many call stands for, validated as a histogram would
    (strict: raises without counting). A scratch histogram does the checking (rare path)."""
    tmp = LatencyHistogram(proto.lowest_ns, proto.highest_ns, scale=proto.scale, strict=strict)
    bad = tmp.record_many(values, unit)  # type: ignore[arg-type]
    return tmp.count + bad


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

    The clock-driven methods use the newest tick seen so far: a clock that steps back keeps
    recording into the current slot, and a reading that is NaN, infinite or not representable
    in ns (< 2**64) is ignored - the value is recorded in the current slot and counted. The
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
        "_tick",
        "_proto",
        "_rec",
        "_rec_f64",
        "_u",
        "_strict",
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
            raise InvalidArgumentError("clock must be a callable returning monotonic seconds")
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
        self._mem = ffi.new("uint64_t[]", size // 8)
        self._ring = ffi.cast("mon_hist_ring *", self._mem)
        check(lib.mon_hist_ring_init(self._ring, size, cfg, win), "WindowedLatencyHistogram")
        self._slots = slots
        self._slot_s = float(window_s) / slots
        self._slot_ns = slot_ns
        self._start_ns = start_ns
        self._clock = clock
        self._tick = start_ns
        self._now()
        self._rec = lib.mon_hist_ring_record
        self._rec_f64 = lib.mon_hist_ring_record_f64
        self._strict = bool(strict)
        self._u = {k: v | (STRICT_FLAG if strict else 0) for k, v in UNIT_CODES.items()}

    def _now(self) -> int:
        """The newest clock tick seen (a reading that steps back, or is not a finite number of
        ns below 2**64, leaves it unchanged)."""
        tick = self._tick
        try:
            t = math.floor(self._clock() * 1e9)
        except (ValueError, OverflowError, TypeError):  # NaN, +-inf, not a number
            return tick
        if tick < t <= U64_MAX:
            self._tick = tick = t
        return tick

    @staticmethod
    def _tick_arg(now_ns: object) -> int:
        if (
            isinstance(now_ns, bool)
            or not isinstance(now_ns, (int, np.integer))
            or not 0 <= int(now_ns) <= U64_MAX
        ):
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

    @property
    def late(self) -> int:
        """Values not in any window because their epoch had already left it when recorded."""
        out = ffi.new("uint64_t *")
        check(lib.mon_hist_ring_info(self._ring, ffi.NULL, ffi.NULL, out), "late")
        return int(out[0])

    # -- recording ---------------------------------------------------------------------------
    # The clock-driven record methods inline _now() (one Python call less per value).
    def record_ns(self, value: int) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            self._rec(self._ring, tick, value)
        except (OverflowError, TypeError):
            self._slow(tick, value, "ns")

    def record_ns_at(self, now_ns: int, value_ns: int) -> None:
        """Record ``value_ns`` at the caller's tick ``now_ns`` (ns, the clock's time base)."""
        try:
            self._rec(self._ring, now_ns, value_ns)
            return
        except (OverflowError, TypeError):
            pass
        self._slow(self._tick_arg(now_ns), value_ns, "ns")

    def record_ms(self, value: float) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            if self._rec_f64(self._ring, tick, value, self._u["ms"]) and self._strict:
                reject_value(value, "ms")
        except (OverflowError, TypeError):
            self._slow(tick, value, "ms")

    def record_s(self, value: float) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            if self._rec_f64(self._ring, tick, value, self._u["s"]) and self._strict:
                reject_value(value, "s")
        except (OverflowError, TypeError):
            self._slow(tick, value, "s")

    def record_us(self, value: float) -> None:
        tick = self._tick
        try:
            t = _floor(self._clock() * 1e9)
            if tick < t <= U64_MAX:
                self._tick = tick = t
        except (ValueError, OverflowError, TypeError):
            pass
        try:
            if self._rec_f64(self._ring, tick, value, self._u["us"]) and self._strict:
                reject_value(value, "us")
        except (OverflowError, TypeError):
            self._slow(tick, value, "us")

    def _slow(self, tick: int, value: object, unit: str) -> None:
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:  # the epoch has left the window: validate, then count it as late
            _check_late_scalar(value, unit, self._strict)
            lib.mon_hist_ring_add_late(self._ring, 1)
            return
        try:
            record_slow(h, value, unit, self._strict)
        finally:
            lib.mon_hist_ring_release(self._ring, h)

    def record_many(self, values: Any, unit: Unit = "ns") -> int:
        return self._record_many_at(self._now(), values, unit)

    def _record_many_at(self, tick: int, values: Any, unit: Unit) -> int:
        # Convert first (it may run arbitrary Python, e.g. an __array__): a slot is pinned only
        # around the C work, since a claim of the slot waits for its pins.
        values = np.asarray(values)
        h = lib.mon_hist_ring_acquire(self._ring, tick)
        if h == ffi.NULL:
            n = _late_values(values, unit, self._strict, self._proto)
            lib.mon_hist_ring_add_late(self._ring, n)
            return 0
        try:
            return record_many_into(h, values, unit, self._strict)
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


def _check_late_scalar(value: object, unit: str, strict: bool) -> None:
    """Validate one value that will only be counted as late, as record_slow would: a TypeError
    for a non-number; with strict=True an InvalidArgumentError for an invalid latency."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"latency must be a real number, got {type(value).__name__}")
    if isinstance(value, (int, np.integer)):
        ok = 0 <= int(value) * UNIT_NS[unit] <= U64_MAX
    else:
        ok = lib.mon_hist_f64_to_ns(float(value), UNIT_CODES[unit], ffi.new("uint64_t *")) == 0
    if strict and not ok:
        reject_value(value, unit)
