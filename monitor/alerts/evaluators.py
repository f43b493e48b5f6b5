"""Compiled conditions: the evaluators that hold one engine's histories and decide each rule.

Part of :mod:`monitor.alerts`, internal to it: :func:`compile_condition` turns a
:class:`~monitor.alerts.Condition` into an :class:`Evaluator`; the engine calls
``evaluate(signals, now, results, firing, active)`` once per rule and evaluation, and
``state()`` / ``restore()`` to persist the histories. :func:`signals_of` and
:data:`SnapshotLike` say what a snapshot is (a mapping, or an object with ``signals()``).
"""

from __future__ import annotations

import math
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Protocol, Union, cast

from ..errors import CorruptDataError, InvalidArgumentError, InvalidTypeError
from .conditions import (
    OPS,
    AllOf,
    AnyOf,
    Baseline,
    BurnRate,
    Condition,
    Not,
    RateOfChange,
    RuleRef,
    Threshold,
    baseline_level,
)
from .stats import Moments
from .units import format_duration, is_number_type, real_number, show

SnapshotLike = Union[Mapping[str, float], "SupportsSignals"]


class SupportsSignals(Protocol):
    def signals(self) -> Mapping[str, float]: ...


def signals_of(snapshot: object) -> Mapping[str, float]:
    """The signal mapping of a snapshot (a mapping, or an object whose ``signals()`` returns one);
    :class:`InvalidTypeError` otherwise. Exceptions raised by ``signals()`` propagate."""
    if isinstance(snapshot, Mapping):
        return snapshot
    try:
        fn = getattr(snapshot, "signals", None)
    except Exception:  # noqa: BLE001 - a hostile __getattr__: not a snapshot
        fn = None
    if callable(fn):
        sig = fn()
        if isinstance(sig, Mapping):
            return sig
        raise InvalidTypeError(
            f"a snapshot's signals() must return a mapping of signal names to values, got {type(sig).__name__}"
        )
    raise InvalidTypeError(
        f"a snapshot must be a mapping of signal names to values or have signals(), got {type(snapshot).__name__}"
    )


def _exact(raw: object) -> object:
    """The exact value of a number whose float is (possibly) rounded, for exact comparisons with
    a threshold (Python compares int, Fraction and Decimal with a float exactly); None when the
    float is the value."""
    t = type(raw)
    if t is int:
        return raw if not -(2**53) <= raw <= 2**53 else None  # type: ignore[operator]
    if isinstance(raw, (float, bool)):
        return None
    if isinstance(raw, int):
        return int(raw) if not -(2**53) <= raw <= 2**53 else None
    np = sys.modules.get("numpy")
    if np is not None and isinstance(raw, np.integer) and not isinstance(raw, np.timedelta64):
        v = int(raw)
        return v if not -(2**53) <= v <= 2**53 else None
    if np is not None and isinstance(raw, np.floating):
        if raw.dtype.itemsize > 8 and np.isfinite(raw):
            return Fraction(*raw.as_integer_ratio())
        return None
    return raw  # Fraction, Decimal


def describe(raw: object) -> str:
    """Why a snapshot value is no data, for the ``alert_no_data`` log event."""
    try:
        shown = repr(raw)
    except Exception:  # noqa: BLE001 - a hostile __repr__
        shown = "<unrepresentable>"
    if len(shown) > 60:
        shown = shown[:40] + f"... ({len(shown)} characters)"
    if is_number_type(raw):
        f = real_number(raw)
        return f"{shown}: NaN" if f is not None else f"{shown}: beyond the double range"
    return f"{type(raw).__name__} {shown}: not a number"


def read_snapshot(
    sig: Mapping[str, object], names: Iterable[str]
) -> tuple[dict[str, object], dict[str, str]]:
    """The values of ``names`` in ``sig``, cleaned: ``(values, problems)``.

    ``values`` maps each name whose value is a real number (:func:`monitor.alerts.units.real_number`)
    other than NaN to its float, or - when the float is rounded (integers beyond 2**53,
    ``longdouble``, ``Fraction``, ``Decimal``) - to the exact number, so thresholds compare
    exactly. Names that are missing are absent; names whose value is not a number, NaN, beyond the
    double range, or whose lookup raised are absent and listed in ``problems`` (name -> reason).
    Never raises."""
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    plain = type(sig) is dict  # dict.get of a str never raises: the hot path
    get = sig.get
    for name in names:
        if plain:
            raw = get(name)
        else:
            try:
                raw = get(name)
            except Exception as exc:  # noqa: BLE001 - a hostile mapping is no data, not a crash
                problems[name] = f"reading it raised {type(exc).__name__}"
                continue
        if type(raw) is float:
            if raw == raw:  # noqa: PLR0124 - not NaN
                values[name] = raw
            else:
                problems[name] = "NaN"
            continue
        if raw is None:
            continue
        f = real_number(raw)
        if f is None or f != f:  # noqa: PLR0124
            problems[name] = describe(raw)
            continue
        ex = _exact(raw)
        values[name] = f if ex is None else ex
    return values, problems


Signals = Mapping[str, float]
Results = dict[str, bool | None]
Firing = dict[str, bool]


class Evaluator:
    """A compiled condition. ``evaluate`` returns True, False or None ("no data") and leaves the
    observed quantity and the level it was compared with in ``value`` / ``level``."""

    __slots__ = ("level", "value")

    def __init__(self) -> None:
        self.value: float | None = None
        self.level: float | None = None

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        raise NotImplementedError

    def state(self) -> object:
        return None

    def restore(self, data: object) -> None:
        if data is not None:
            raise CorruptDataError(f"unexpected condition state {show(data)}")

    def details(self) -> dict[str, object]:
        return {}

    def times(self) -> list[float]:
        """Times held in the histories (a restore checks none is after the last evaluation)."""
        return []


def read_signal(sig: Signals, name: str) -> float | None:
    """A cleaned value (:func:`read_snapshot`) as a float, None when absent."""
    v = sig.get(name)
    if v is None or type(v) is float:
        return v
    return float(v)


class _ThresholdEval(Evaluator):
    __slots__ = ("clear", "cmp", "signal", "trigger")

    def __init__(self, signal: str, op: str, trigger: float, clear: float | None) -> None:
        super().__init__()
        self.signal = signal
        self.cmp = OPS[op]
        self.trigger = trigger
        self.clear = clear
        self.level = trigger

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        v = sig.get(self.signal)
        if v is None:
            return None
        level = self.clear if (active and self.clear is not None) else self.trigger
        if type(v) is float:
            self.value = v
        else:  # an exact number whose float is rounded: compare exactly
            self.value = float(v)  # type: ignore[arg-type, unused-ignore]
        return bool(self.cmp(v, level))


class _HistoryBaselineEval(Evaluator):
    __slots__ = ("clear_k", "cmp", "freeze", "k", "min_n", "moments", "op", "signal", "size", "values")

    def __init__(self, signal: str, op: str, b: Baseline) -> None:
        super().__init__()
        self.signal = signal
        self.op = op
        self.cmp = OPS[op]
        self.k = float(b.k)
        self.clear_k = None if b.clear_k is None else float(b.clear_k)
        self.size = b.history
        self.min_n = b.min_history if b.min_history is not None else max(2, b.history // 2)
        self.freeze = b.freeze_when_active
        self.values: deque[float] = deque()
        self.moments = Moments()

    def _learn(self, v: float) -> None:
        if len(self.values) == self.size:
            self.moments.pop(self.values.popleft())
        self.values.append(v)
        self.moments.push(v)

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        v = read_signal(sig, self.signal)
        if v is None:
            return None
        self.value = v
        result: bool | None = None
        if self.moments.n >= self.min_n:
            mean, sigma = self.moments.mean_sigma()
            self.level = baseline_level(mean, sigma, self.k, self.op)
            if active and self.clear_k is not None:
                result = bool(self.cmp(v, baseline_level(mean, sigma, self.clear_k, self.op)))
            else:
                result = bool(self.cmp(v, self.level))
        if math.isfinite(v) and not (self.freeze and (active or result)):
            self._learn(v)
        return result

    def state(self) -> object:
        return {"values": list(self.values)}

    def restore(self, data: object) -> None:
        vals = _float_list(_field(data, "values"), "baseline values")
        if len(vals) > self.size:
            raise CorruptDataError(
                f"baseline history holds {len(vals)} values, more than history={self.size}"
            )
        self.values.clear()
        self.moments = Moments()
        for v in vals:
            self._learn(v)

    def details(self) -> dict[str, object]:
        d: dict[str, object] = {"history": len(self.values)}
        if self.moments.n >= 1:
            d["mean"], d["sigma"] = self.moments.mean_sigma()
        return d


class _RateEval(Evaluator):
    __slots__ = (
        "change",
        "cmp",
        "relative",
        "resolution",
        "samples",
        "signal",
        "step",
        "threshold",
        "window",
    )

    def __init__(self, c: RateOfChange) -> None:
        super().__init__()
        self.signal = c.signal
        self.cmp = OPS[c.op]
        self.threshold = float(cast(float, c.value))
        self.window = float(cast(float, c.window))
        self.step = self.window / c.resolution
        self.resolution = c.resolution
        self.relative = c.relative
        self.samples: deque[tuple[float, float]] = deque()
        self.level = self.threshold

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        v = read_signal(sig, self.signal)
        if v is None or not math.isfinite(v):
            return None
        s = self.samples
        cutoff = now - self.window
        while len(s) >= 2 and s[1][0] <= cutoff:
            s.popleft()
        result: bool | None = None
        if s and s[0][0] <= cutoff:
            past = s[0][1]
            if self.relative:
                if past != 0:
                    change = (v - past) / abs(past)
                else:
                    change = math.inf if v > 0 else (-math.inf if v < 0 else 0.0)
            else:
                change = v - past
            self.value = change
            result = bool(self.cmp(change, self.threshold))
        if not s or now - s[-1][0] >= self.step:
            s.append((now, v))
        return result

    def state(self) -> object:
        return {"samples": [[t, v] for t, v in self.samples]}

    def restore(self, data: object) -> None:
        rows = _rows(_field(data, "samples"), 2, "rate-of-change samples")
        if len(rows) > self.resolution + 2:
            raise CorruptDataError(
                f"alert state: {len(rows)} rate-of-change samples, more than resolution + 2"
            )
        self.samples = deque((r[0], r[1]) for r in rows)

    def times(self) -> list[float]:
        return [t for t, _ in self.samples]


class _BurnEval(Evaluator):
    __slots__ = (
        "bad",
        "budget",
        "burns",
        "good",
        "hist",
        "last",
        "partial",
        "resets",
        "resolution",
        "rows",
        "steps",
        "total",
        "windows",
    )

    def __init__(self, c: BurnRate) -> None:
        super().__init__()
        self.total = cast(tuple[str, ...], c.total)
        self.good = cast(tuple[str, ...] | None, c.good)
        self.bad = cast(tuple[str, ...] | None, c.bad)
        budget = 1 - Fraction(repr(float(cast(float, c.objective))))
        self.budget = (budget.numerator, budget.denominator)
        self.rows = cast(tuple[tuple[float, float, float], ...], c.windows)
        self.windows = sorted({w for row in self.rows for w in row[:2]})
        self.steps = [w / c.resolution for w in self.windows]
        self.resolution = c.resolution
        self.hist: list[deque[tuple[float, float, float]]] = [deque() for _ in self.windows]
        self.last: tuple[float, float] | None = None
        self.resets = 0
        self.burns: dict[float, float | None] = {}
        self.partial = c.partial_windows

    def _read(self, sig: Signals) -> tuple[float, float] | None:
        total = 0.0
        for n in self.total:
            v = read_signal(sig, n)
            if v is None or not math.isfinite(v):
                return None
            total += v
        part = 0.0
        for n in self.good if self.good is not None else cast(tuple[str, ...], self.bad):
            v = read_signal(sig, n)
            if v is None or not math.isfinite(v):
                return None
            part += v
        bad = total - part if self.good is not None else part
        return bad, total

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        cur = self._read(sig)
        if cur is None:
            return None
        bad, total = cur
        if self.last is not None and (total < self.last[1] or bad < self.last[0]):
            for h in self.hist:
                h.clear()
            self.resets += 1
        self.last = cur
        burns: dict[float, float | None] = {}
        for w, step, h in zip(self.windows, self.steps, self.hist):
            cutoff = now - w
            while len(h) >= 2 and h[1][0] <= cutoff:
                h.popleft()
            burn: float | None = None
            if h and (self.partial or h[0][0] <= cutoff):
                _, b0, t0 = h[0]
                if total > t0:
                    burn = _burn(bad - b0, total - t0, self.budget)
            burns[w] = burn
            if not h or now - h[-1][0] >= step:
                h.append((now, bad, total))
        self.burns = burns
        result = False
        best: float | None = None
        best_factor = 1.0
        for long_w, short_w, factor in self.rows:
            bl, bs = burns[long_w], burns[short_w]
            if bl is None or bs is None:
                continue
            m = min(bl, bs)
            if best is None or m / factor > best / best_factor:
                best, best_factor = m, factor
            if bl > factor and bs > factor:
                result = True
        if best is not None:
            self.value, self.level = best, best_factor
        return result

    def state(self) -> object:
        return {
            "last": None if self.last is None else list(self.last),
            "resets": self.resets,
            "windows": [[w, [list(s) for s in h]] for w, h in zip(self.windows, self.hist)],
        }

    def restore(self, data: object) -> None:
        last = _field(data, "last")
        last_v = None if last is None else cast(tuple[float, float], tuple(_float_list(last, "burn last", 2)))
        hist: list[deque[tuple[float, float, float]]] = []
        resets = _field(data, "resets")
        if not isinstance(resets, int) or isinstance(resets, bool) or not 0 <= resets < 2**63:
            raise CorruptDataError(
                f"alert state: burn-rate resets must be a count in [0, 2**63), got {show(resets)}"
            )
        wins = _field(data, "windows")
        if not isinstance(wins, list) or len(wins) != len(self.windows):
            raise CorruptDataError("burn-rate state has a different set of windows")
        for i, item in enumerate(wins):
            if not isinstance(item, list) or len(item) != 2 or item[0] != self.windows[i]:
                raise CorruptDataError("burn-rate state has a different set of windows")
            rows = _rows(item[1], 3, "burn-rate samples")
            if len(rows) > self.resolution + 2:
                raise CorruptDataError(
                    f"alert state: {len(rows)} burn-rate samples, more than resolution + 2"
                )
            hist.append(deque((r[0], r[1], r[2]) for r in rows))
        self.last, self.resets, self.hist = last_v, resets, hist

    def times(self) -> list[float]:
        return [s[0] for h in self.hist for s in h]

    def details(self) -> dict[str, object]:
        return {
            "burn_rates": {format_duration(w): b for w, b in self.burns.items()},
            "counter_resets": self.resets,
        }


def _burn(bad: float, total: float, budget: tuple[int, int]) -> float:
    """(bad / total) / budget, correctly rounded (exact integer arithmetic for integer counts)."""
    num, den = budget
    if bad.is_integer() and total.is_integer():
        return (int(bad) * den) / (int(total) * num)
    return float(Fraction(bad) * den / (Fraction(total) * num))


class _RefEval(Evaluator):
    __slots__ = ("firing", "rule")

    def __init__(self, rule: str, firing: bool) -> None:
        super().__init__()
        self.rule = rule
        self.firing = firing

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        if self.firing:
            return firing.get(self.rule, False)
        return res.get(self.rule)


class _AllEval(Evaluator):
    __slots__ = ("children",)

    def __init__(self, children: list[Evaluator]) -> None:
        super().__init__()
        self.children = children

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        out: bool | None = True
        for c in self.children:
            r = c.evaluate(sig, now, res, firing, active)
            if r is False:
                out = False
            elif r is None and out is True:
                out = None
        return out

    def state(self) -> object:
        return {"children": [c.state() for c in self.children]}

    def restore(self, data: object) -> None:
        kids = _field(data, "children")
        if not isinstance(kids, list) or len(kids) != len(self.children):
            raise CorruptDataError("composite state has a different number of children")
        for c, d in zip(self.children, kids):
            c.restore(d)

    def details(self) -> dict[str, object]:
        return {"children": [c.details() for c in self.children]}

    def times(self) -> list[float]:
        return [t for c in self.children for t in c.times()]


class _AnyEval(_AllEval):
    __slots__ = ()

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        out: bool | None = False
        for c in self.children:
            r = c.evaluate(sig, now, res, firing, active)
            if r is True:
                out = True
            elif r is None and out is False:
                out = None
        return out


class _NotEval(_AllEval):
    __slots__ = ()

    def __init__(self, child: Evaluator) -> None:
        super().__init__([child])

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        r = self.children[0].evaluate(sig, now, res, firing, active)
        return None if r is None else not r


def _field(data: object, key: str) -> object:
    if not isinstance(data, dict) or key not in data:
        raise CorruptDataError(f"alert state: expected an object with key {show(key)}, got {show(data)}")
    return data[key]


def _float_list(data: object, what: str, n: int | None = None) -> list[float]:
    if not isinstance(data, list) or (n is not None and len(data) != n):
        raise CorruptDataError(f"alert state: {what} must be a list" + (f" of {n} numbers" if n else ""))
    out = []
    for x in data:
        f = None if isinstance(x, bool) or not isinstance(x, (int, float)) else real_number(x)
        if f is None or not math.isfinite(f):
            raise CorruptDataError(f"alert state: {what} holds {show(x)}, not a finite number")
        out.append(f)
    return out


def _rows(data: object, width: int, what: str) -> list[list[float]]:
    if not isinstance(data, list):
        raise CorruptDataError(f"alert state: {what} must be a list")
    rows = [_float_list(r, what, width) for r in data]
    if any(rows[i][0] > rows[i + 1][0] for i in range(len(rows) - 1)):
        raise CorruptDataError(f"alert state: {what} are not in time order")
    return rows


def compile_condition(c: Condition) -> Evaluator:
    """A fresh evaluator (empty histories) of condition ``c``."""
    if isinstance(c, Threshold):
        if isinstance(c.value, Baseline):
            b = c.value
            if b.history > 0:
                return _HistoryBaselineEval(c.signal, c.op, b)
            assert b.mean is not None and b.sigma is not None
            mean, sigma = float(b.mean), float(b.sigma)
            level = baseline_level(mean, sigma, b.k, c.op)
            clear = None if b.clear_k is None else baseline_level(mean, sigma, b.clear_k, c.op)
            return _ThresholdEval(c.signal, c.op, level, clear)
        return _ThresholdEval(
            c.signal,
            c.op,
            float(cast(float, c.value)),
            None if c.clear is None else float(cast(float, c.clear)),
        )
    if isinstance(c, RateOfChange):
        return _RateEval(c)
    if isinstance(c, BurnRate):
        return _BurnEval(c)
    if isinstance(c, RuleRef):
        return _RefEval(c.rule, c.firing)
    if isinstance(c, AllOf):
        return _AllEval([compile_condition(x) for x in c.conditions])
    if isinstance(c, AnyOf):
        return _AnyEval([compile_condition(x) for x in c.conditions])
    if isinstance(c, Not):
        return _NotEval(compile_condition(c.condition))
    raise InvalidArgumentError(
        f"no evaluator for condition type {type(c).__name__} (see monitor.alerts.evaluators)"
    )


__all__ = [
    "Evaluator",
    "Firing",
    "Results",
    "Signals",
    "SnapshotLike",
    "SupportsSignals",
    "compile_condition",
    "read_signal",
    "signals_of",
]
