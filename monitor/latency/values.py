"""Latency inputs to exact integer nanoseconds: the one conversion of every value a histogram
records (scalars on the slow path of ``record_*``, arrays of ``record_many``). Part of
:mod:`monitor.latency`.

A value is taken as the number it is, in the ``unit`` the caller names, and rounded once to
integer ns, half to even (the C core's rule for float64):

- ``int``, numpy integers, ``Fraction``, ``Decimal``: exact (``Decimal('1.5')`` ns is 2 ns);
- ``float`` and numpy float16/32/64: the exact binary value (``np.float32(1.5)`` is 1.5,
  ``np.float32(-0.7)`` is negative, ``np.float32('nan')`` is NaN, as for the Python float);
  ``np.longdouble``: its exact value;
- ``numpy.timedelta64`` and ``datetime.timedelta`` carry their own unit, which wins over
  ``unit`` (``np.timedelta64(5, 'ns')`` is 5 ns in every ``record_*``); month / year and
  unit-less timedelta64 are refused (no fixed length); NaT is invalid;
- a 0-d array is its element; masked values (``numpy.ma``) are skipped by ``record_many`` and
  refused as scalars.

Refused with :class:`~monitor.errors.InvalidTypeError` (also a ``TypeError``), naming the type:
``bool``, complex numbers, strings, None, arrays given as one value, datetimes, objects. NaN,
infinities, negative values and values of 2**64 ns or more are *invalid*: counted (or raised
with ``strict=True``), never recorded. Arrays go to C as native-byte-order, aligned,
C-contiguous copies when they are not already (never a misaligned or byte-swapped pointer).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, InvalidTypeError
from .layout import U64_MAX, UNIT_CODES, UNIT_NS, raw_f64_to_ns

__all__ = ["latency_ns", "latency_arrays", "TIMEDELTA_UNIT_NS"]

TIMEDELTA_UNIT_NS: dict[str, int | Fraction] = {
    "W": 7 * 86_400 * 10**9,
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
    "ps": Fraction(1, 10**3),
    "fs": Fraction(1, 10**6),
    "as": Fraction(1, 10**9),
}
"""ns per unit of the numpy timedelta64 units of fixed length."""

_EXPECTED = "a real number (int, float, numpy number, Decimal, Fraction) or a timedelta"


def _unit_ns(unit: Any) -> int:
    if not isinstance(unit, str) or unit not in UNIT_NS:
        raise InvalidArgumentError(f"unit must be one of {sorted(UNIT_CODES)}, got {unit!r}")
    return UNIT_NS[unit]


def _exact(f: Fraction) -> int | None:
    if f < 0:
        return None
    v = round(f)  # half to even
    return v if v <= U64_MAX else None


def _timedelta64_ns(value: np.timedelta64) -> int | None:
    unit, mult = np.datetime_data(value.dtype)
    per = TIMEDELTA_UNIT_NS.get(unit)
    if per is None:
        raise InvalidArgumentError(
            f"latency {value!r}: a timedelta64 in {unit!r} has no fixed length in ns; "
            "give it in a fixed unit (W, D, h, m, s, ms, us, ns, ps, fs, as)"
        )
    if np.isnat(value):
        return None
    return _exact(Fraction(int(value.astype(np.int64))) * mult * per)


def latency_ns(value: Any, unit: str) -> int | None:
    """The exact integer ns of one latency ``value`` given in ``unit`` (see the module
    documentation); None when it is invalid (NaN, infinite, negative, >= 2**64 ns).
    InvalidTypeError for a value that is not a latency, InvalidArgumentError for a bad unit."""
    per = _unit_ns(unit)
    cls = value.__class__
    if cls is int:
        v = value * per
        return v if 0 <= v <= U64_MAX else None
    if cls is float or cls is np.float64 or cls is np.float32 or cls is np.float16:
        try:
            return raw_f64_to_ns(float(value), int(UNIT_CODES[unit]))
        except InvalidArgumentError:
            return None
    if isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"latency must be {_EXPECTED}, got a bool ({value!r})")
    if isinstance(value, np.timedelta64):
        return _timedelta64_ns(value)
    if isinstance(value, datetime.timedelta):
        return _exact(Fraction((value.days * 86_400 + value.seconds) * 10**6 + value.microseconds) * 1000)
    if isinstance(value, (int, np.integer)):
        v = int(value) * per
        return v if 0 <= v <= U64_MAX else None
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return None
        return _exact(Fraction(*value.as_integer_ratio()) * per)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return _exact(Fraction(value) * per)
    if isinstance(value, Fraction):
        return _exact(value * per)
    if isinstance(value, np.ma.MaskedArray) and value.ndim == 0:
        if value.mask:
            raise InvalidArgumentError(f"latency {value!r} is masked (no value to record)")
        return latency_ns(value.data[()], unit)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return latency_ns(value[()], unit)
    if isinstance(value, np.ndarray):
        raise InvalidTypeError(
            f"latency must be {_EXPECTED}, got an array of shape {value.shape} (use record_many)"
        )
    raise InvalidTypeError(f"latency must be {_EXPECTED}, got {type(value).__name__} ({value!r:.60})")


def latency_arrays(values: Any, unit: str) -> tuple[list[tuple[str, Any]], int]:
    """``values`` (any array-like of latencies) as C-ready 1-D arrays: a list of ``(kind,
    array)`` with kind ``"f"`` (float64 in ``unit``), ``"i"`` (int64 in ``unit``), ``"u"``
    (uint64 in ``unit``) or ``"ns"`` (uint64 ns, from timedeltas and exact conversions), each
    native-endian, aligned and C-contiguous; and the number of values already known to be
    invalid (NaT, negative or too large timedeltas). Masked entries are left out.
    InvalidTypeError / InvalidArgumentError for what is not an array of latencies."""
    _unit_ns(unit)
    if isinstance(values, np.ma.MaskedArray):
        values = values.compressed()  # the mask is honoured: masked entries are not latencies
    elif values is None or isinstance(values, (str, bytes, dict)):
        raise InvalidTypeError(f"record_many expects an array of latencies, got {type(values).__name__}")
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError(f"record_many expects an array of latencies: {exc}") from None
    kind = arr.dtype.kind
    if kind == "f":
        if arr.dtype.itemsize > 8:  # longdouble: exact when every value fits a float64
            a64 = arr.astype(np.float64)
            if not np.array_equal(a64.astype(arr.dtype), arr, equal_nan=True):
                raise InvalidArgumentError(
                    f"record_many: {arr.dtype} values that float64 cannot hold exactly; "
                    "record them one by one (record_ns/us/ms/s convert them exactly)"
                )
            arr = a64
        return [("f", np.require(arr, np.float64, ["C", "A"]).reshape(-1))], 0
    if kind == "i":
        return [("i", np.require(arr, np.int64, ["C", "A"]).reshape(-1))], 0
    if kind == "u":
        return [("u", np.require(arr, np.uint64, ["C", "A"]).reshape(-1))], 0
    if kind == "m":
        return _timedelta_array(arr)
    if kind == "O":
        flat = arr.reshape(-1)
        ns = [latency_ns(v, unit) for v in flat if v is not np.ma.masked]
        good = np.array([v for v in ns if v is not None], dtype=np.uint64)
        return [("ns", good)], len(ns) - good.size
    what = {"b": "bool", "c": "complex", "U": "str", "S": "bytes", "M": "datetime64", "V": "void"}
    raise InvalidTypeError(
        f"record_many expects real numbers or timedeltas, got dtype {arr.dtype} "
        f"({what.get(kind, 'not a number')})"
    )


def _timedelta_array(arr: Any) -> tuple[list[tuple[str, Any]], int]:
    unit, mult = np.datetime_data(arr.dtype)
    per = TIMEDELTA_UNIT_NS.get(unit)
    if per is None or not isinstance(per, int):
        raise InvalidArgumentError(
            f"record_many: timedelta64 in {unit!r} is refused (no fixed length in ns, or finer "
            "than 1 ns); convert it to a unit of ns or coarser"
        )
    per *= mult
    c = np.require(arr, arr.dtype.newbyteorder("="), ["C", "A"]).reshape(-1).view(np.int64)
    ok = (c >= 0) & (c <= U64_MAX // per)  # NaT is the most negative int64: excluded here
    good = c[ok].astype(np.uint64) * np.uint64(per)
    return [("ns", good)], int(c.size - good.size)
