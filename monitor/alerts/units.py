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
from fractions import Fraction

from .. import signals
from ..errors import InvalidArgumentError

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


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise InvalidArgumentError(f"{what}: expected a finite number, got {value!r}")
    return value


def parse_duration(value: object, what: str = "duration") -> float:
    """Seconds from a number of seconds or a string such as ``"5m"``, ``"500ms"``, ``"1h30m"``.

    Negative and non-finite durations are rejected with an error naming ``what``.
    """
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{what}: expected a duration such as '5m' or seconds, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = _finite(float(value), what)
    elif isinstance(value, str):
        text = value.strip()
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
                    f"{what}: bad duration {value!r}; expected e.g. '500ms', '30s', '5m', '1h', '3d' "
                    "or a number of seconds"
                )
    else:
        raise InvalidArgumentError(
            f"{what}: expected a duration such as '5m' or seconds, got {type(value).__name__}"
        )
    if seconds < 0:
        raise InvalidArgumentError(f"{what}: duration must be >= 0, got {value!r}")
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
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return _finite(float(value), what)
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{what}: expected a number or a string with a unit, got {type(value).__name__}"
        )
    text = value.strip()
    if _NUMBER.fullmatch(text):
        return _finite(float(text), what)
    if text.endswith("%"):
        if unit != DIMENSIONLESS:
            raise InvalidArgumentError(
                f"{what}: {value!r} is a percentage but the signal is in {unit}; use e.g. '500ms'"
            )
        num = text[:-1].strip()
        if not _NUMBER.fullmatch(num):
            raise InvalidArgumentError(f"{what}: bad percentage {value!r}; expected e.g. '2%' or '0.5%'")
        return _finite(float(Fraction(num) / 100), what)
    if unit == MS:
        sign = -1.0 if text.startswith("-") else 1.0
        body = text[1:] if text[:1] in "+-" else text
        try:
            return sign * parse_duration(body, what) * 1000.0
        except InvalidArgumentError:
            raise InvalidArgumentError(
                f"{what}: bad latency {value!r}; expected e.g. '500ms', '0.3s' or a number of milliseconds"
            ) from None
    raise InvalidArgumentError(
        f"{what}: bad value {value!r} for a dimensionless signal; expected a number or a percentage such as '2%'"
    )


def format_duration(seconds: float) -> str:
    """Short human form of a duration in seconds (``300.0`` -> ``"5m"``)."""
    for name, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{name}"
    if seconds < 1 and (seconds * 1000) % 1 == 0:
        return f"{int(seconds * 1000)}ms"
    return f"{seconds:g}s"
