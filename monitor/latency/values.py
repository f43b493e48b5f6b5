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

Also here: the value-to-C helpers shared by :class:`~monitor.latency.LatencyHistogram` and
:class:`~monitor.latency.WindowedLatencyHistogram` (the slow path of a scalar, arrays to the C
``record_many`` functions) and the exact fractions of the quantiles and percentiles they read.
"""

from __future__ import annotations

import datetime
import functools
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .._ffi import ffi, lib
from ..errors import InvalidArgumentError, InvalidTypeError
from .layout import STRICT_FLAG, U64_MAX, UNIT_CODES, UNIT_NS, raw_f64_to_ns

__all__ = [
    "latency_ns",
    "latency_arrays",
    "TIMEDELTA_UNIT_NS",
    "reject_value",
    "record_slow",
    "record_many_into",
    "record_parts",
    "quantile_ratio",
    "percentile_ratio",
    "tuple_of",
    "quantile_c_arrays",
]

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


# ---- values to the C core, quantile fractions (shared by both histogram classes) -------------


@functools.lru_cache(maxsize=1024)
def quantile_ratio(q: Any) -> tuple[int, int]:
    """q in [0, 1] as the exact fraction the caller wrote (decimal of repr for floats)."""
    if isinstance(q, bool) or not isinstance(q, (int, float, Fraction, np.integer, np.floating)):
        raise InvalidTypeError(f"quantile must be a number in [0, 1], got {q!r}")
    if isinstance(q, np.integer):
        q = int(q)
    elif isinstance(q, np.floating):
        q = float(q)
    if isinstance(q, float):
        if not math.isfinite(q):
            raise InvalidArgumentError(f"quantile must be a number in [0, 1], got {q!r}")
        f = Fraction(float.__repr__(q))  # shortest repr (also for numpy float64)
    elif isinstance(q, (int, Fraction)):
        f = Fraction(q)
    else:
        f = Fraction(float(q))
    if not 0 <= f <= 1:
        raise InvalidArgumentError(f"quantile must be in [0, 1], got {q!r}")
    if f.denominator > U64_MAX:
        f = f.limit_denominator(U64_MAX)
    return f.numerator, f.denominator


@functools.lru_cache(maxsize=1024)
def percentile_ratio(p: Any) -> tuple[int, int]:
    if isinstance(p, bool) or not isinstance(p, (int, float, Fraction, np.integer, np.floating)):
        raise InvalidTypeError(f"percentile must be a number in [0, 100], got {p!r}")
    if isinstance(p, np.integer):
        p = int(p)
    elif isinstance(p, np.floating):
        p = float(p)
    if isinstance(p, float) and not math.isfinite(p):
        raise InvalidArgumentError(f"percentile must be a number in [0, 100], got {p!r}")
    f = (Fraction(float.__repr__(p)) if isinstance(p, float) else Fraction(p)) / 100
    if not 0 <= f <= 1:
        raise InvalidArgumentError(f"percentile must be in [0, 100], got {p!r}")
    if f.denominator > U64_MAX:
        f = f.limit_denominator(U64_MAX)
    return f.numerator, f.denominator


def tuple_of(xs: Any, what: str) -> tuple[Any, ...]:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise InvalidTypeError(f"{what} must be an iterable of numbers, got {type(xs).__name__}")
    out = tuple(xs)
    if len(out) > 1 << 20:
        raise InvalidArgumentError(f"{what}: at most 2**20 values per call, got {len(out)}")
    return out


def reject_value(value: object, unit: str) -> None:
    raise InvalidArgumentError(
        f"latency {value!r} {unit} is not a finite, non-negative value below 2**64 ns (strict=True)"
    )


def record_slow(h: Any, value: object, unit: str, strict: bool) -> None:
    """Every value that is not an exact ``int`` (``record_ns``) or ``float`` (the others):
    converted exactly by :func:`~monitor.latency.values.latency_ns` or refused."""
    ns = latency_ns(value, unit)
    if ns is not None:
        lib.mon_hist_record(h, ns)
        return
    if strict:
        reject_value(value, unit)
    lib.mon_hist_add_invalid(h, 1)


_NS_CODE = int(lib.MON_HIST_NS)
_MANY = {
    "f": (lib.mon_hist_record_many_f64, "double *"),
    "i": (lib.mon_hist_record_many_i64, "int64_t *"),
    "u": (lib.mon_hist_record_many_u64, "uint64_t *"),
    "ns": (lib.mon_hist_record_many_u64, "uint64_t *"),
}


def _reject_many(bad: int, n: int) -> None:
    raise InvalidArgumentError(
        f"{bad} of {n} latencies are NaN, infinite, negative or >= 2**64 ns (strict=True); nothing recorded"
    )


def record_many_into(h: Any, values: Any, unit: str, strict: bool) -> int:
    """Record an array-like of latencies; the number of invalid values (strict: raises and
    records nothing)."""
    parts, pre_bad = latency_arrays(values, unit)
    return record_parts(h, parts, pre_bad, unit, strict)


def record_parts(h: Any, parts: list[tuple[str, Any]], pre_bad: int, unit: str, strict: bool) -> int:
    """Record the C-ready arrays of :func:`~monitor.latency.values.latency_arrays` (and count
    its ``pre_bad`` invalid values); the number of invalid values (strict: raises, and records
    nothing)."""
    n = pre_bad + sum(int(a.shape[0]) for _, a in parts)
    if strict and pre_bad:
        _reject_many(pre_bad, n)
    u = UNIT_CODES[unit] | (STRICT_FLAG if strict else 0)
    bad = 0
    for kind, arr in parts:
        if arr.shape[0]:
            fn, ctype = _MANY[kind]
            code = _NS_CODE if kind == "ns" else u
            got = int(fn(h, ffi.cast(ctype, ffi.from_buffer(arr)), arr.shape[0], code))
            if got and strict:
                _reject_many(got, n)
            bad += got
    if pre_bad:
        lib.mon_hist_add_invalid(h, pre_bad)
    return bad + pre_bad


@functools.lru_cache(maxsize=256)
def quantile_arrays(qs: tuple[Any, ...]) -> tuple[Any, Any, int]:
    """Read-only C arrays of the fractions of a tuple of quantiles (cached: percentiles are
    usually asked with the same few tuples)."""
    ratios = [quantile_ratio(q) for q in qs]
    return (
        ffi.new("uint64_t[]", [a for a, _ in ratios] or [0]),
        ffi.new("uint64_t[]", [b for _, b in ratios] or [1]),
        len(ratios),
    )


@functools.lru_cache(maxsize=256)
def percentile_arrays(ps: tuple[Any, ...]) -> tuple[Any, Any, int]:
    ratios = [percentile_ratio(p) for p in ps]
    return (
        ffi.new("uint64_t[]", [a for a, _ in ratios] or [0]),
        ffi.new("uint64_t[]", [b for _, b in ratios] or [1]),
        len(ratios),
    )


def quantile_c_arrays(qs: tuple[Any, ...], percent: bool) -> tuple[Any, Any, int]:
    try:
        return percentile_arrays(qs) if percent else quantile_arrays(qs)
    except TypeError:  # unhashable (a list, a dict, ...): not a number
        what = "percentile must be a number in [0, 100]" if percent else "quantile must be a number in [0, 1]"
        raise InvalidTypeError(f"{what}, got {qs!r:.80}") from None
