"""Units of alert rules: durations ("5m", "500ms"), percentages ("2%") and threshold units.

Part of :mod:`monitor.alerts` (import the public names from there). Every quantity in a rule is
stored as a plain float in a fixed unit:

- durations (``for_``, ``keep_firing_for``, windows): seconds. A bare number is seconds.
- thresholds: the unit of the signal they are compared with, from :func:`monitor.signals.unit_of`.
  Latency signals are in milliseconds, so ``"500ms"``, ``"0.5s"`` and ``500`` are the same
  threshold there; every other signal is parsed as dimensionless: ``"2%"`` is the fraction 0.02
  (error rates, saturation, drift, SLO ratios, relative changes). A duration unit on a
  dimensionless signal, or a percentage on a latency, is an error.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .. import signals
from ..errors import InvalidArgumentError, InvalidTypeError

Quantity = int | float | str
"""A number in the quantity's unit, or a string with a unit ("5m", "500ms", "2%")."""

MS = signals.MILLISECONDS.symbol
"""Threshold unit of latency signals (milliseconds)."""
DIMENSIONLESS = signals.RATIO.symbol
"""Threshold unit of every other signal (numbers and percentages)."""

_DURATION_UNITS: dict[str, float] = {
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}
# One or more <number><unit> terms, e.g. "1h30m", "500ms", "2.5s".
_TERM = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d|w)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

MAX_DURATION = 100 * 365 * 86400.0
"""The longest duration a rule accepts (``for_``, ``keep_firing_for``, windows, SLO periods):
100 years of 365 days, 3,153,600,000 s. Longer durations (``"9" * 400 + "d"`` would be inf) are
refused: a rule waiting longer could never fire."""

_MAX_LEN = 1000  # characters of a number or unit string (a 5,000-digit string is not a threshold)


def show(value: object) -> str:
    """``repr`` of a value for a message, at most ~80 characters, never raising."""
    try:
        r = repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not hide the real error
        return f"<{type(value).__name__} object>"
    return r if len(r) <= 80 else r[:60] + f"... ({len(r)} characters)"


def real_number(value: object) -> float | None:
    """``value`` as the nearest float if it is a real number, else None.

    Real numbers are ``int``, ``float``, numpy integer and floating scalars (every dtype,
    ``longdouble`` included), ``Fraction`` and ``Decimal``; each is converted by one correct
    rounding (exact for every value a double holds: float32/float16, integers up to 2**53).
    ``bool`` (and ``numpy.bool_``), strings, bytes, complex numbers, containers and other objects
    are not numbers. A number outside the double range (``10**400``, ``Decimal("1e400")``) gives
    None too: it is no value any signal or threshold can hold. NaN and infinities are returned
    as such (callers decide). Never raises."""
    t = type(value)
    if t is float:
        return value  # type: ignore[return-value]
    try:
        if t is int:
            return float(value)  # type: ignore[arg-type]
        if isinstance(value, (bool, str, bytes, bytearray, complex)):
            return None
        if isinstance(value, (int, float, Fraction)):
            return float(value)
        if isinstance(value, Decimal):
            if value.is_nan():
                return math.nan
            f = float(value)
            return None if math.isinf(f) and value.is_finite() else f
        np = _numpy()
        if np is not None and isinstance(value, (np.integer, np.floating)):
            if isinstance(value, np.timedelta64):  # a duration of some unit, not a number
                return None
            if isinstance(value, np.integer):
                return float(int(value))
            if value.dtype.itemsize > 8:  # longdouble: exact ratio, one rounding
                if not np.isfinite(value):
                    return float(value)
                return float(Fraction(*value.as_integer_ratio()))
            return float(value)
    except (OverflowError, ValueError, TypeError, ArithmeticError):
        return None
    return None


def _numpy() -> Any:
    import sys

    return sys.modules.get("numpy")  # never imported here: a numpy scalar means numpy is loaded


def _finite(value: float, what: str, given: object = None) -> float:
    if not math.isfinite(value):
        shown = show(value if given is None else given)
        raise InvalidArgumentError(f"{what}: expected a finite number (within about 1.8e308), got {shown}")
    return value


def is_number_type(value: object) -> bool:
    """Whether ``value`` is of a real-number type :func:`real_number` reads (bool is not)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Fraction, Decimal)):
        return True
    np = _numpy()
    return (
        np is not None
        and isinstance(value, (np.integer, np.floating))
        and not isinstance(value, np.timedelta64)
    )


def finite_number(value: object, what: str) -> float:
    """A finite real number (see :func:`real_number`) as a float; :class:`InvalidTypeError` for
    a non-number (bool included), :class:`InvalidArgumentError` for NaN, infinities and numbers
    beyond the double range."""
    f = real_number(value)
    if f is None:
        if is_number_type(value):
            raise InvalidArgumentError(
                f"{what}: {show(value)} is beyond the range of a double (about 1.8e308); "
                "expected a finite number"
            )
        raise InvalidTypeError(f"{what}: expected a number, got {type(value).__name__} {show(value)}")
    return _finite(f, what, value)


def check_int(value: object, what: str, lo: int, hi: int) -> int:
    """An integer (Python or numpy, not bool) in ``[lo, hi]``."""
    np = _numpy()
    if isinstance(value, bool) or not (
        isinstance(value, int) or (np is not None and isinstance(value, np.integer))
    ):
        raise InvalidTypeError(
            f"{what}: expected an integer in [{lo}, {hi}], got {type(value).__name__} {show(value)}"
        )
    v = int(value)  # type: ignore[call-overload, unused-ignore]
    if not lo <= v <= hi:
        raise InvalidArgumentError(f"{what}: expected an integer in [{lo}, {hi}], got {show(v)}")
    return v


def check_bool(value: object, what: str) -> bool:
    """A bool (Python or numpy): strings such as ``"false"`` are refused, never read as true."""
    np = _numpy()
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return bool(value)
    raise InvalidTypeError(f"{what}: expected true or false, got {type(value).__name__} {show(value)}")


def check_str(value: object, what: str, *, empty: bool = True) -> str:
    """A ``str`` (non-empty unless ``empty``)."""
    if not isinstance(value, str):
        raise InvalidTypeError(f"{what}: expected a string, got {type(value).__name__} {show(value)}")
    if not empty and not value:
        raise InvalidArgumentError(f"{what}: expected a non-empty string")
    return value


def parse_duration(value: object, what: str = "duration") -> float:
    """Seconds from a number of seconds or a string such as ``"5m"``, ``"500ms"``, ``"1h30m"``.

    Negative and non-finite durations are rejected with an error naming ``what``.
    """
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_LEN:
            raise InvalidArgumentError(
                f"{what}: duration string of {len(text)} characters; expected e.g. '5m' (at most {_MAX_LEN})"
            )
        if _NUMBER.fullmatch(text):
            seconds = float(text)
        else:
            pos = 0
            seconds = 0.0
            for m in _TERM.finditer(text):
                if m.start() != pos:
                    break
                seconds += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
                pos = m.end()
            if pos != len(text) or not text:
                raise InvalidArgumentError(
                    f"{what}: bad duration {show(value)}; expected e.g. '500ms', '30s', '5m', '1h', '3d' "
                    "or a number of seconds"
                )
    else:
        f = real_number(value)
        if f is None and is_number_type(value):
            f = math.inf  # a number beyond the double range: too long, said below
        if f is None:
            raise InvalidTypeError(
                f"{what}: expected a duration such as '5m' or a number of seconds, got "
                f"{type(value).__name__} {show(value)}"
            )
        if f != f:  # noqa: PLR0124
            raise InvalidArgumentError(f"{what}: expected a finite duration, got {show(value)}")
        seconds = f
    if seconds < 0:
        raise InvalidArgumentError(f"{what}: duration must be >= 0, got {show(value)}")
    if not seconds <= MAX_DURATION:
        raise InvalidArgumentError(
            f"{what}: duration {show(value)} is too long; the maximum is {MAX_DURATION:.0f} s "
            f"({format_duration(MAX_DURATION)}, 100 years)"
        )
    return seconds


def signal_unit(signal: str) -> str:
    """The unit a threshold on ``signal`` is parsed in: ``"ms"`` for a signal in milliseconds
    (:func:`monitor.signals.unit_of`), else ``"1"`` (dimensionless)."""
    return MS if signals.unit_of(signal) is signals.MILLISECONDS else DIMENSIONLESS


def parse_quantity(value: object, unit: str, what: str) -> float:
    """A threshold in ``unit`` (:data:`MS` or :data:`DIMENSIONLESS`) from a number or a string with a unit.

    ``unit="ms"`` accepts bare numbers (milliseconds) and durations (``"500ms"``, ``"0.3s"``);
    ``unit="1"`` accepts bare numbers and percentages (``"2%"`` -> 0.02).
    """
    if unit not in (MS, DIMENSIONLESS):
        raise InvalidArgumentError(f"unit must be {show(MS)} or {show(DIMENSIONLESS)}, got {show(unit)}")
    if not isinstance(value, str):
        if not is_number_type(value):
            raise InvalidTypeError(
                f"{what}: expected a number or a string with a unit, got {type(value).__name__} {show(value)}"
            )
        return finite_number(value, what)
    text = value.strip()
    if len(text) > _MAX_LEN:
        raise InvalidArgumentError(
            f"{what}: a number string of {len(text)} characters; expected e.g. '500ms' or '2%' "
            f"(at most {_MAX_LEN} characters)"
        )
    if _NUMBER.fullmatch(text):
        return _finite(float(text), what, value)
    if text.endswith("%"):
        if unit != DIMENSIONLESS:
            raise InvalidArgumentError(
                f"{what}: {show(value)} is a percentage but the signal is in {unit}; use e.g. '500ms'"
            )
        num = text[:-1].strip()
        if not _NUMBER.fullmatch(num):
            raise InvalidArgumentError(f"{what}: bad percentage {show(value)}; expected e.g. '2%' or '0.5%'")
        exp = num.lower().partition("e")[2]
        if exp and abs(int(exp)) > 400:  # no 10**(10**8) Fraction: the double decides
            return _finite(float(num) / 100, what, value)
        try:
            return _finite(float(Fraction(num) / 100), what, value)
        except OverflowError:
            return _finite(math.inf, what, value)
    if unit == MS:
        sign = -1.0 if text.startswith("-") else 1.0
        body = text[1:] if text[:1] in "+-" else text
        try:
            return sign * parse_duration(body, what) * 1000.0
        except InvalidArgumentError:
            raise InvalidArgumentError(
                f"{what}: bad latency {show(value)}; expected e.g. '500ms', '0.3s' or a number of milliseconds"
            ) from None
    raise InvalidArgumentError(
        f"{what}: bad value {show(value)} for a dimensionless signal; expected a number or a percentage such as '2%'"
    )


def format_duration(seconds: float) -> str:
    """Short human form of a duration in seconds (``300.0`` -> ``"5m"``)."""
    seconds = finite_number(seconds, "format_duration")
    for name, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{name}"
    if seconds < 1 and (seconds * 1000) % 1 == 0:
        return f"{int(seconds * 1000)}ms"
    return f"{seconds:g}s"
