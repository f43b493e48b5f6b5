"""Exact statistics for learned baselines: running moments and mean / sample sigma.

Part of :mod:`monitor.alerts` (:func:`mean_sigma` is public there; :class:`Moments` is used by
the evaluators and is internal to the subpackage).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..errors import InvalidArgumentError, InvalidTypeError
from .units import finite_number


class Moments:
    """Exact running count, sum and sum of squares of a multiset of doubles.

    Every finite double is an integer multiple of a power of two, so the values are kept as
    integers scaled by ``2**bits`` (``bits`` grows to the finest value seen; the sums are shifted
    when it does). Mean and sample standard deviation are derived by one correctly rounded
    division each, so the result depends only on the multiset, never on the order of pushes and
    pops or on ``bits`` (a restored engine computes bit-identical levels)."""

    __slots__ = ("bits", "n", "s1", "s2")

    def __init__(self) -> None:
        self.n = 0
        self.s1 = 0
        self.s2 = 0
        self.bits = 0

    def _scaled(self, x: float) -> int:
        num, den = x.as_integer_ratio()
        need = den.bit_length() - 1
        if need > self.bits:
            grow = need - self.bits
            self.s1 <<= grow
            self.s2 <<= 2 * grow
            self.bits = need
        return num << (self.bits - need)

    def push(self, x: float) -> None:
        v = self._scaled(x)
        self.n += 1
        self.s1 += v
        self.s2 += v * v

    def pop(self, x: float) -> None:
        v = self._scaled(x)
        self.n -= 1
        self.s1 -= v
        self.s2 -= v * v

    def mean_sigma(self) -> tuple[float, float]:
        """Mean and sample sigma, each correctly rounded; sigma is inf when it is beyond the
        double range (values near +-1.8e308). Never raises for n >= 1."""
        n = self.n
        mean = self.s1 / (n << self.bits)  # |mean| <= max |x|: always a double
        if n < 2:
            return mean, 0.0
        num = n * self.s2 - self.s1 * self.s1
        den = (n * (n - 1)) << (2 * self.bits)
        excess = num.bit_length() - den.bit_length() - 1000
        if excess <= 0:
            return mean, math.sqrt(num / den)
        half = excess // 2 + 1  # sigma = sqrt(num / (den * 4**half)) * 2**half
        try:
            return mean, math.ldexp(math.sqrt(num / (den << (2 * half))), half)
        except OverflowError:
            return mean, math.inf


def mean_sigma(values: Iterable[float]) -> tuple[float, float]:
    """Exact mean and sample standard deviation (n - 1) of ``values``, each correctly rounded
    before the final square root. Raises on fewer than two or non-finite values."""
    m = Moments()
    try:
        items = iter(values)
    except TypeError:
        raise InvalidTypeError(
            f"baseline reference values: expected an iterable of numbers, got {type(values).__name__}"
        ) from None
    for i, x in enumerate(items):
        m.push(finite_number(x, f"baseline reference values[{i}]"))
    if m.n < 2:
        raise InvalidArgumentError(f"a baseline needs at least 2 reference values, got {m.n}")
    return m.mean_sigma()


__all__ = ["Moments", "mean_sigma"]
