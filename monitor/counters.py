"""Service counters (the C ``mon_service`` unit): received / processed / dropped / failed, the
in-flight gauge, errors per category, and rate windows rotated by a caller-supplied tick.

Accounting: :meth:`ServiceCounters.begin` announces a request (received + 1, in flight + 1);
it is finished exactly once by :meth:`~ServiceCounters.ok` (processed + 1),
:meth:`~ServiceCounters.fail` (failed + 1, errors[category] + 1) or
:meth:`~ServiceCounters.drop` (dropped + 1). :meth:`~ServiceCounters.reject` counts a request
received and dropped at admission (never in flight); :meth:`~ServiceCounters.error` an error
that finishes no request. Hence, for the totals, received = processed + failed + dropped +
in_flight.

Time is an unsigned integer tick (0 .. 2**64 - 1) passed to every call; the counters never
read a clock. The window is a ring of ``slots`` slots of ``slot_ticks`` ticks each: a query at
``now`` covers the slot of ``now`` (partial) and the ``slots - 1`` before it; ticks before
``start_tick`` belong to the first slot. Every recording method may be called from any number
of threads; the totals are exact (see ``csrc/mon_service.h``).

The recording methods check their tick (an int in 0 .. 2**64 - 1: InvalidTypeError /
InvalidArgumentError otherwise, nothing counted); ``ok`` / ``drop`` return the C status instead
of raising (0, or ``STATUS_NOT_IN_FLIGHT`` when no request is in flight and nothing was
counted). Their ``*_raw`` twins (``begin_raw``, ``ok_raw``, ``drop_raw``, ``reject_raw``,
``fail_status``) are the C functions bound once to this object's state (no Python frame, no
check: a bad tick raises cffi's own error), for a request path whose ticks come from a
:class:`~monitor.latency.window.TickClock`.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ._ffi import caller_memory, check, ffi, lib, raise_status
from .categories import ErrorCategory
from .errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError, InvalidTypeError

__all__ = [
    "ServiceCounters",
    "CounterTotals",
    "CounterWindow",
    "MAX_SLOTS",
    "STATUS_NOT_IN_FLIGHT",
]

MAX_SLOTS: int = int(lib.MON_SERVICE_MAX_SLOTS)
"""Largest ring (slots) a configuration may ask for (from C)."""
STATUS_NOT_IN_FLIGHT: int = int(lib.MON_E_STATE)
"""Status of ``ok`` / ``fail`` / ``drop`` when no request is in flight (nothing counted)."""

_U64 = 2**64
_E_VALUE = int(lib.MON_E_VALUE)
# (value, C code) of every category, in ErrorCategory's order (the order of ``errors``); read
# once, as the Enum properties are slow on the snapshot path.
_CATEGORIES = tuple((c.value, c.code) for c in ErrorCategory)


@dataclass(frozen=True, slots=True)
class CounterTotals:
    """Counts of ``mon_service_counts``: since start (:meth:`ServiceCounters.totals`) or in a
    window (:attr:`CounterWindow.counts`, where ``in_flight`` is 0). ``errors`` maps every
    :class:`~monitor.ErrorCategory` value to its count, in ErrorCategory's order."""

    received: int
    processed: int
    dropped: int
    failed: int
    in_flight: int
    errors: Mapping[str, int]

    @property
    def gap(self) -> int:
        """The article's gap: received - processed (= failed + dropped + in_flight)."""
        return self.received - self.processed


@dataclass(frozen=True, slots=True)
class CounterWindow:
    """``mon_service_window``: the counts of the events whose slot is in the window ending at
    ``to_tick`` (the query tick), which covers ``from_tick`` .. ``to_tick``
    (``span_ticks`` = to_tick - from_tick, 0 when now <= from_tick)."""

    counts: CounterTotals
    from_tick: int
    to_tick: int
    span_ticks: int


def _layout() -> tuple[struct.Struct, struct.Struct]:
    # The C structs are uint64 fields only, in declaration order, no padding (checked here):
    # one struct.unpack of their bytes reads them all, far cheaper than a cffi read per field
    # on the snapshot path.
    names = ["received", "processed", "dropped", "failed", "in_flight"]
    ncat = int(lib.MON_ERROR_CATEGORY_COUNT)
    counts = struct.Struct(f"={len(names) + ncat}Q")
    window = struct.Struct(f"={len(names) + ncat + 3}Q")
    ok = all(ffi.offsetof("mon_service_counts", name) == 8 * i for i, name in enumerate(names))
    ok = ok and ffi.offsetof("mon_service_counts", "errors") == 8 * len(names)
    ok = ok and ffi.sizeof("mon_service_counts") == counts.size
    ok = ok and all(
        ffi.offsetof("mon_service_window", name) == counts.size + 8 * i
        for i, name in enumerate(("from_tick", "to_tick", "span_ticks"))
    )
    ok = ok and ffi.offsetof("mon_service_window", "counts") == 0
    ok = ok and ffi.sizeof("mon_service_window") == window.size
    if not ok:  # pragma: no cover - a C core whose structs do not match this reader
        raise ImportError("monitor.counters: the C core's mon_service_counts layout is not the one expected")
    return counts, window


_COUNTS, _WINDOW = _layout()


def _totals_of(v: tuple[int, ...]) -> CounterTotals:
    return CounterTotals(
        v[0], v[1], v[2], v[3], v[4], MappingProxyType({value: v[5 + code] for value, code in _CATEGORIES})
    )


def _uint(name: str, v: Any, limit: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise InvalidTypeError(f"{name} must be an int in 0..{limit - 1}, got {v!r}")
    if not 0 <= v < limit:
        raise InvalidArgumentError(f"{name} must be an int in 0..{limit - 1}, got {v!r}")
    return int(v)


class ServiceCounters:
    """Fixed-memory service counters over ``mon_service`` (memory owned by this object, or the
    caller's: ``buffer`` is a writable, 8-byte aligned buffer of exactly
    :meth:`nbytes_for` bytes, e.g. a slice of a shared ``mmap``, initialised here unless
    ``attach=True``, which uses the counters already there after checking their magic
    (CorruptDataError) and configuration (ConfigMismatchError)).

    ``slot_ticks`` (>= 1) and ``slots`` (1 .. :data:`MAX_SLOTS`) shape the rate window,
    ``start_tick`` is where it starts (rates are not diluted before it). InvalidArgumentError
    (with the C status in ``.status``) for a configuration the core refuses.

    Recording (the request path; ``now`` is the tick of the event):

    - ``begin(now) -> None``: a request arrives and goes in flight;
    - ``ok(now) -> int``, ``drop(now) -> int``: it finished / was dropped; returns the C
      status (0, or :data:`STATUS_NOT_IN_FLIGHT`), never raises;
    - ``fail(now, category_code) -> int``: it finished with an error of that
      :attr:`ErrorCategory.code <monitor.ErrorCategory.code>`; returns the status like ``ok``;
      InvalidArgumentError for an unknown category (nothing counted);
    - ``reject(now) -> None``: received and dropped at admission;
    - ``error(now, category_code) -> None``: an error that finishes no request;
      InvalidArgumentError for an unknown category.
    """

    __slots__ = (
        "slot_ticks",
        "start_tick",
        "slots",
        "_mem",
        "_s",
        "_fail",
        "_error",
        "begin_raw",
        "ok_raw",
        "drop_raw",
        "reject_raw",
        "fail_status",
    )

    begin_raw: Callable[[int], None]
    ok_raw: Callable[[int], int]
    drop_raw: Callable[[int], int]
    reject_raw: Callable[[int], None]
    fail_status: Callable[[int, int], int]

    def __init__(
        self, slot_ticks: int, start_tick: int, slots: int, *, buffer: Any = None, attach: bool = False
    ) -> None:
        cfg = ffi.new("mon_service_config *")
        cfg.slot_ticks = _uint("slot_ticks", slot_ticks, _U64)
        cfg.start_tick = _uint("start_tick", start_tick, _U64)
        cfg.slots = _uint("slots", slots, 2**32)
        cfg.flags = 0
        check(lib.mon_service_check_config(cfg), "ServiceCounters")
        size = int(lib.mon_service_size(cfg))
        if buffer is None:
            self._mem = ffi.new("uint64_t[]", (size + 7) // 8)  # 8-byte aligned, owned here
        else:
            self._mem = caller_memory(buffer, size, "ServiceCounters")
        if buffer is None or not attach:
            check(lib.mon_service_init(self._mem, size, cfg), "ServiceCounters")
        else:
            got = ffi.new("mon_service_config *")
            if lib.mon_service_config_of(ffi.cast("mon_service *", self._mem), got) != 0:
                raise CorruptDataError("ServiceCounters: the buffer holds no service counters (bad magic)")
            have = (got.slot_ticks, got.start_tick, got.slots, got.flags)
            if have != (slot_ticks, start_tick, slots, 0):
                raise ConfigMismatchError(
                    f"ServiceCounters: the buffer holds counters with (slot_ticks, start_tick, "
                    f"slots, flags) = {have}, expected {(slot_ticks, start_tick, slots, 0)}"
                )
        s = self._s = ffi.cast("mon_service *", self._mem)
        self.slot_ticks = int(slot_ticks)
        self.start_tick = int(start_tick)
        self.slots = int(slots)
        # Bound once (C-level partials: no Python frame on the request path).
        self.begin_raw = functools.partial(lib.mon_service_begin, s)
        self.ok_raw = functools.partial(lib.mon_service_ok, s)
        self.drop_raw = functools.partial(lib.mon_service_drop, s)
        self.reject_raw = functools.partial(lib.mon_service_reject, s)
        self._fail = functools.partial(lib.mon_service_fail, s)
        # fail() without the category check, for callers whose codes come from ErrorCategory
        # (the service's request path): the C status, never an exception for a valid code.
        self.fail_status = self._fail
        self._error = functools.partial(lib.mon_service_error, s)

    def c_object(self) -> Any:
        """The ``mon_service *`` of these counters, for another C unit's binding that takes
        one (e.g. ``mon_shared_finish``); valid while this object lives."""
        return self._s

    @staticmethod
    def nbytes_for(slots: int) -> int:
        """Bytes of C state of counters with ``slots`` window slots (``mon_service_size``)."""
        cfg = ffi.new("mon_service_config *", {"slot_ticks": 1, "start_tick": 0, "slots": slots, "flags": 0})
        size = int(lib.mon_service_size(cfg))
        if size == 0:
            raise InvalidArgumentError(f"slots must be an int in 1..{MAX_SLOTS}, got {slots!r}")
        return size

    def begin(self, now: int) -> None:
        """A request arrives at tick ``now`` and goes in flight."""
        self.begin_raw(_uint("now", now, _U64))

    def ok(self, now: int) -> int:
        """The request finished successfully: the C status (0 or STATUS_NOT_IN_FLIGHT)."""
        return self.ok_raw(_uint("now", now, _U64))

    def drop(self, now: int) -> int:
        """The request was dropped: the C status (0 or STATUS_NOT_IN_FLIGHT)."""
        return self.drop_raw(_uint("now", now, _U64))

    def reject(self, now: int) -> None:
        """A request received and dropped at admission (never in flight)."""
        self.reject_raw(_uint("now", now, _U64))

    def fail(self, now: int, category_code: int) -> int:
        """A request in flight finished with an error of category ``category_code``: the C
        status (0, or :data:`STATUS_NOT_IN_FLIGHT`); InvalidArgumentError for an unknown
        category."""
        _uint("now", now, _U64)
        try:
            status: int = self._fail(now, category_code)
        except (TypeError, OverflowError):
            status = _E_VALUE
        if status == _E_VALUE:
            raise_status(status, f"fail: error category {category_code!r}")
        return status

    def error(self, now: int, category_code: int) -> None:
        """An error of category ``category_code`` that finishes no request (errors + 1 only).
        InvalidArgumentError for an unknown category."""
        _uint("now", now, _U64)
        try:
            status: int = self._error(now, category_code)
        except (TypeError, OverflowError):
            status = _E_VALUE
        check(status, f"error: error category {category_code!r}")

    def totals(self) -> CounterTotals:
        """Exact totals since start."""
        buf = bytearray(_COUNTS.size)
        check(lib.mon_service_totals(self._s, ffi.from_buffer("mon_service_counts *", buf)), "totals")
        return _totals_of(_COUNTS.unpack(buf))

    def window(self, now: int) -> CounterWindow:
        """Counts of the window ending at tick ``now`` (read-only: any tick may be queried)."""
        buf = bytearray(_WINDOW.size)
        out = ffi.from_buffer("mon_service_window *", buf)
        check(lib.mon_service_window_counts(self._s, _uint("now", now, _U64), out), "window")
        v = _WINDOW.unpack(buf)
        n = _COUNTS.size // 8
        return CounterWindow(_totals_of(v), v[n], v[n + 1], v[n + 2])

    def __repr__(self) -> str:
        return (
            f"ServiceCounters(slot_ticks={self.slot_ticks}, start_tick={self.start_tick}, slots={self.slots})"
        )
