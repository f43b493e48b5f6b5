"""Threshold checks and alerting over the four signals (latency, throughput/saturation, errors, drift).

The design follows the article's "Alert Design" section and Prometheus' alerting-rule semantics:

- **Rules** compare a dotted signal of a snapshot (``latency.p99_ms``, ``errors.rate.timeout``,
  ``drift.amount.psi``, ...) with a static threshold, a threshold learned from data
  (:class:`Baseline`: mean + k * sigma over past windows or reference chunks), a rate of change
  over an explicit window (:class:`RateOfChange`), an SLO burn rate over several windows
  (:class:`BurnRate`), or a composite of those and of other rules (:class:`AllOf`, :class:`AnyOf`,
  :class:`Not`, :class:`RuleRef`).
- **Duration**: a rule whose condition becomes true is *pending*; it *fires* once the condition has
  held at every evaluation for ``for_`` seconds (``for_=0`` fires at once); it *resolves* at the
  first evaluation where the condition is false, or ``keep_firing_for`` seconds later. A pending
  rule whose condition turns false goes back to inactive (a "cancelled" transition).
- **Hysteresis**: a ``clear`` level different from the trigger level; while the rule is pending
  or firing the condition is evaluated against the clear level.
- **Evaluation is deterministic**: a pure function of (rules, the sequence of snapshots, the
  evaluation times). Time comes from an injected clock (or ``evaluate(..., now=t)``); all state
  is per engine, explicit and serialisable (:meth:`AlertEngine.state` / :meth:`AlertEngine.restore`).
- **No data**: a signal missing from a snapshot (or NaN) makes the condition "no data": it counts
  as false (the Prometheus behaviour: a pending rule is cancelled, a firing one resolves) unless
  the rule says ``no_data="keep"`` (state and timers unchanged). Each rule counts its no-data
  evaluations and logs ``alert_no_data`` once when it enters that condition. Never an exception.

Units: durations in seconds (or strings "500ms", "5m", "1h30m"), thresholds in the signal's unit
(milliseconds for ``*_ms`` signals, also as "500ms"/"0.5s"; fractions elsewhere, also as "2%").
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import math
import operator
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import Callable, Iterable, Mapping, Optional, Protocol, Sequence, Union, cast

from ._alert_units import Quantity, format_duration, parse_duration, parse_quantity, signal_unit
from .errors import ConfigMismatchError, CorruptDataError, InvalidInputError

# --------------------------------------------------------------------------------------------
# Enums, signals, routing
# --------------------------------------------------------------------------------------------


class Severity(str, Enum):
    """How an alert is delivered: page a human now, open a ticket, or just record it."""

    PAGE = "page"
    TICKET = "ticket"
    INFO = "info"


class AlertState(str, Enum):
    """State of a rule (Prometheus: inactive, pending, firing)."""

    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"


ERROR_CATEGORIES: tuple[str, ...] = (
    "infrastructure",
    "input_validation",
    "model_inference",
    "business_logic",
    "timeout",
)

_IDENT = r"[A-Za-z0-9_\-]+"
_CATS = "(?:" + "|".join(ERROR_CATEGORIES) + ")"
_FLOWS = r"(?:received|processed|dropped|failed)"
KNOWN_SIGNAL_PATTERNS: tuple[str, ...] = (
    r"latency\.p[0-9]+_ms",
    r"latency\.count",
    r"throughput\." + _FLOWS + r"(?:_rps)?",
    r"throughput\.window_" + _FLOWS,
    r"throughput\.(?:in_flight|gap|gap_ratio|window_s)",
    r"saturation",
    r"errors\.(?:rate|count)\." + _CATS,
    r"errors\.total_rate",
    r"drift\." + _IDENT + r"\.(?:psi|tv|js)",
    r"slo\." + _IDENT + r"\.(?:good|bad|total)",
)
"""Regular expressions of the signal names rules may use: the service snapshot's names
(``monitor.Snapshot.signals()``: latency quantiles and count, throughput counters, window counts
and rates, saturation, error rates and counts per category, drift per feature), plus
``slo.<name>.good|bad|total`` counters for burn-rate rules. Extend with ``extra_signals``."""

_KNOWN_RE = re.compile("|".join(f"(?:{p})" for p in KNOWN_SIGNAL_PATTERNS))

DEFAULT_ROUTES: Mapping[str, str] = {
    "infrastructure": "platform",
    "timeout": "platform",
    "input_validation": "platform",
    "model_inference": "ml",
    "business_logic": "product",
    "drift": "ml",
    "latency": "platform",
    "throughput": "platform",
    "saturation": "platform",
}
"""The article's routing: infrastructure errors to the platform team, model errors to the ML team,
business errors to product. Timeouts and input validation (the API boundary), latency,
throughput and saturation go to platform; drift (model inputs) goes to the ML team."""


def check_signal(signal: str, extra_signals: Iterable[str] = (), what: str = "signal") -> str:
    """Return ``signal`` if it is a known dotted signal name, else raise :class:`InvalidInputError`.

    ``extra_signals`` are additional allowed names or shell-style globs (``"custom.*"``).
    """
    if not isinstance(signal, str) or not signal:
        raise InvalidInputError(f"{what}: expected a dotted signal name such as 'latency.p99_ms', got {signal!r}")
    if _KNOWN_RE.fullmatch(signal):
        return signal
    for pat in extra_signals:
        if fnmatch.fnmatchcase(signal, pat):
            return signal
    hint = ""
    if signal.startswith(("errors.rate.", "errors.count.")):
        hint = f" (error categories: {', '.join(ERROR_CATEGORIES)})"
    raise InvalidInputError(
        f"{what}: unknown signal {signal!r}{hint}; known: latency.p<N>_ms, latency.count, "
        "throughput.received|processed|dropped|failed[_rps], throughput.window_<flow>, throughput.in_flight|"
        "gap|gap_ratio|window_s, saturation, errors.rate|count.<category>, errors.total_rate, "
        "drift.<feature>.psi|tv|js, slo.<name>.good|bad|total (pass extra_signals=[...] to allow others)"
    )


class Router:
    """Routes an alert to a team: the rule's explicit ``route``, else its ``category`` label, else
    the category of the first signal it reads (``errors.rate.<category>``, ``drift``,
    ``latency``, ...), looked up in ``routes``; ``default`` when nothing matches."""

    __slots__ = ("routes", "default")

    def __init__(self, routes: Mapping[str, str] = DEFAULT_ROUTES, default: str = "platform") -> None:
        self.routes = dict(routes)
        self.default = default

    def route(self, rule: Rule) -> str:
        if rule.route:
            return rule.route
        labels = dict(rule.labels)
        if "category" in labels and labels["category"] in self.routes:
            return self.routes[labels["category"]]
        for sig in rule.cond.signals():
            parts = sig.split(".")
            if parts[0] == "errors" and len(parts) == 3 and parts[2] in self.routes:
                return self.routes[parts[2]]
            if parts[0] in self.routes:
                return self.routes[parts[0]]
        return self.default


# --------------------------------------------------------------------------------------------
# Exact statistics for baselines
# --------------------------------------------------------------------------------------------

class _Moments:
    """Exact running count, sum and sum of squares of a multiset of doubles.

    Every finite double is an integer multiple of a power of two, so the values are kept as
    integers scaled by ``2**bits`` (``bits`` grows to the finest value seen; the sums are shifted
    when it does). Mean and sample standard deviation are derived by one correctly rounded
    division each, so the result depends only on the multiset, never on the order of pushes and
    pops or on ``bits`` (a restored engine computes bit-identical levels)."""

    __slots__ = ("n", "s1", "s2", "bits")

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
        n = self.n
        mean = self.s1 / (n << self.bits)
        if n < 2:
            return mean, 0.0
        var = (n * self.s2 - self.s1 * self.s1) / ((n * (n - 1)) << (2 * self.bits))
        return mean, math.sqrt(var)


def mean_sigma(values: Iterable[float]) -> tuple[float, float]:
    """Exact mean and sample standard deviation (n - 1) of ``values``, each correctly rounded
    before the final square root. Raises on fewer than two or non-finite values."""
    m = _Moments()
    for x in values:
        xf = float(x)
        if not math.isfinite(xf):
            raise InvalidInputError(f"baseline reference values must be finite, got {x!r}")
        m.push(xf)
    if m.n < 2:
        raise InvalidInputError(f"a baseline needs at least 2 reference values, got {m.n}")
    return m.mean_sigma()


# --------------------------------------------------------------------------------------------
# Conditions (configuration: frozen, comparable, hashable)
# --------------------------------------------------------------------------------------------

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_UPWARD = (">", ">=")
_DOWNWARD = ("<", "<=")


def _check_op(op: object, what: str) -> str:
    if op not in _OPS:
        raise InvalidInputError(f"{what}: unknown comparator {op!r}; expected one of {', '.join(_OPS)}")
    return str(op)


class Condition:
    """Base class of rule conditions. Conditions are configuration only; the engine keeps the
    state (histories) that some of them need."""

    __slots__ = ()

    def signals(self) -> tuple[str, ...]:
        """Signal names this condition reads."""
        raise NotImplementedError

    def refs(self) -> tuple[str, ...]:
        """Names of other rules this condition refers to."""
        return ()

    def _compile(self) -> _Eval:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Baseline:
    """A threshold learned from data: ``mean + k * sigma`` (``mean - k * sigma`` for ``<``/``<=``).

    Exactly one source:

    - ``mean`` and ``sigma`` given (e.g. from :meth:`from_reference` or :meth:`from_chunks`);
    - ``history=N``: the engine learns mean and sample sigma from the rule's signal over the last
      N evaluations (each snapshot is one window), excluding the current one; until
      ``min_history`` values are in (default ``max(2, N // 2)``) the condition is "no data". With
      ``freeze_when_active`` (default) values that meet the condition, and values seen while the
      rule is pending or firing, are not learned, so an incident does not become the new normal.

    ``clear_k`` (optional) is the hysteresis clear level in sigmas (``clear_k < k``). Mean and sigma
    may be strings with units ("180ms"), resolved against the rule's signal.
    """

    k: float = 3.0
    mean: Optional[Quantity] = None
    sigma: Optional[Quantity] = None
    history: int = 0
    min_history: Optional[int] = None
    clear_k: Optional[float] = None
    freeze_when_active: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, (int, float)) or not math.isfinite(self.k) or self.k < 0:
            raise InvalidInputError(f"baseline k must be a finite number >= 0, got {self.k!r}")
        has_stats = self.mean is not None or self.sigma is not None
        if has_stats == (self.history > 0):
            raise InvalidInputError("a baseline needs either mean and sigma, or history=N (N >= 2), not both")
        if has_stats and (self.mean is None or self.sigma is None):
            raise InvalidInputError("a baseline needs both mean and sigma")
        if not has_stats:
            if isinstance(self.history, bool) or not isinstance(self.history, int) or self.history < 2:
                raise InvalidInputError(f"baseline history must be an integer >= 2, got {self.history!r}")
            if self.min_history is not None and not (2 <= self.min_history <= self.history):
                raise InvalidInputError(
                    f"baseline min_history must be in [2, history={self.history}], got {self.min_history!r}"
                )
        if self.clear_k is not None and not (0 <= self.clear_k <= self.k):
            raise InvalidInputError(f"baseline clear_k must be in [0, k={self.k}], got {self.clear_k!r}")

    @classmethod
    def from_reference(cls, values: Iterable[float], k: float = 3.0, clear_k: Optional[float] = None) -> Baseline:
        """Baseline from the signal measured over reference windows (e.g. the P99 of each hour of
        a normal week): exact mean and sample standard deviation of ``values``."""
        mean, sigma = mean_sigma(values)
        return cls(k=k, mean=mean, sigma=sigma, clear_k=clear_k)

    @classmethod
    def from_chunks(
        cls,
        data: Sequence[float],
        chunk_size: int,
        statistic: Callable[[Sequence[float]], float],
        k: float = 3.0,
        clear_k: Optional[float] = None,
    ) -> Baseline:
        """Baseline over chunks of reference data: ``statistic`` (e.g. a P99) of each full chunk of
        ``chunk_size`` consecutive values, then :meth:`from_reference` over those."""
        if chunk_size < 1:
            raise InvalidInputError(f"chunk_size must be >= 1, got {chunk_size}")
        chunks = [data[i : i + chunk_size] for i in range(0, len(data) - chunk_size + 1, chunk_size)]
        return cls.from_reference([float(statistic(c)) for c in chunks], k=k, clear_k=clear_k)

    def level(self, op: str) -> float:
        """The static trigger level (only for mean/sigma baselines)."""
        if self.mean is None or self.sigma is None:
            raise InvalidInputError("a history baseline has no static level")
        return _baseline_level(float(self.mean), float(self.sigma), self.k, op)


def _baseline_level(mean: float, sigma: float, k: float, op: str) -> float:
    return mean + k * sigma if op in _UPWARD else mean - k * sigma


@dataclass(frozen=True, slots=True)
class Threshold(Condition):
    """``signal op value``: a static threshold, or a :class:`Baseline`. ``clear`` is the
    hysteresis clear level, used while the rule is pending or firing (for ``>``: the rule stays
    active while ``signal > clear``; ``clear`` must be on the safe side of the trigger level)."""

    signal: str
    op: str
    value: Union[Quantity, Baseline]
    clear: Optional[Quantity] = None

    def __post_init__(self) -> None:
        what = f"threshold on {self.signal!r}"
        _check_op(self.op, what)
        if not isinstance(self.signal, str) or not self.signal:
            raise InvalidInputError(f"{what}: signal must be a non-empty dotted name")
        unit = signal_unit(self.signal)
        if isinstance(self.value, Baseline):
            b = self.value
            if self.op not in _UPWARD + _DOWNWARD:
                raise InvalidInputError(f"{what}: a baseline needs an ordering comparator (>, >=, <, <=)")
            if b.mean is not None and b.sigma is not None:
                mean = parse_quantity(b.mean, unit, f"{what}: baseline mean")
                sigma = parse_quantity(b.sigma, unit, f"{what}: baseline sigma")
                if sigma < 0:
                    raise InvalidInputError(f"{what}: baseline sigma must be >= 0, got {b.sigma!r}")
                object.__setattr__(self, "value", Baseline(b.k, mean, sigma, 0, None, b.clear_k, b.freeze_when_active))
            if self.clear is not None:
                raise InvalidInputError(f"{what}: use Baseline(clear_k=...) for hysteresis on a baseline")
        else:
            level = parse_quantity(self.value, unit, f"{what}: threshold")
            object.__setattr__(self, "value", level)
            if self.clear is not None:
                clear = parse_quantity(self.clear, unit, f"{what}: clear")
                object.__setattr__(self, "clear", clear)
                if self.op in _UPWARD and clear > level or self.op in _DOWNWARD and clear < level:
                    raise InvalidInputError(
                        f"{what}: clear level {clear:g} must be on the safe side of the trigger "
                        f"{level:g} (for {self.op!r}: clear {'<=' if self.op in _UPWARD else '>='} trigger)"
                    )
                if self.op not in _UPWARD + _DOWNWARD:
                    raise InvalidInputError(f"{what}: hysteresis needs an ordering comparator (>, >=, <, <=)")

    def signals(self) -> tuple[str, ...]:
        return (self.signal,)

    def _compile(self) -> _Eval:
        if isinstance(self.value, Baseline):
            b = self.value
            if b.history > 0:
                return _HistoryBaselineEval(self.signal, self.op, b)
            assert b.mean is not None and b.sigma is not None
            mean, sigma = float(b.mean), float(b.sigma)
            level = _baseline_level(mean, sigma, b.k, self.op)
            clear = None if b.clear_k is None else _baseline_level(mean, sigma, b.clear_k, self.op)
            return _ThresholdEval(self.signal, self.op, level, clear)
        return _ThresholdEval(
            self.signal, self.op, float(cast(float, self.value)), None if self.clear is None else float(cast(float, self.clear))
        )


@dataclass(frozen=True, slots=True)
class RateOfChange(Condition):
    """``change(signal over window) op value``, the article's "error rate increased 300% in 10
    minutes": ``RateOfChange("errors.rate.infrastructure", ">=", "300%", "10m")``.

    The change compares the current value with the value of the newest recorded sample at least
    ``window`` old: relative (default) ``(now - past) / |past|`` as a fraction ("300%" = 3.0; from
    a past value of 0 any increase is +inf), or absolute ``now - past`` with ``relative=False``.
    Samples are recorded at most every ``window / resolution`` seconds, so the past value is at
    most ``window / resolution`` + one evaluation interval older than ``now - window``; memory is
    bounded by ``resolution + 2`` samples. Until a sample is ``window`` old the condition is
    "no data". A drop is a negative change: ``RateOfChange("throughput.processed_rps", "<=", "-30%", "10m")``.
    """

    signal: str
    op: str
    value: Quantity
    window: Quantity
    relative: bool = True
    resolution: int = 60

    def __post_init__(self) -> None:
        what = f"rate of change of {self.signal!r}"
        _check_op(self.op, what)
        unit = "1" if self.relative else signal_unit(self.signal)
        object.__setattr__(self, "value", parse_quantity(self.value, unit, f"{what}: change"))
        window = parse_duration(self.window, f"{what}: window")
        if window <= 0:
            raise InvalidInputError(f"{what}: window must be > 0")
        object.__setattr__(self, "window", window)
        if isinstance(self.resolution, bool) or not isinstance(self.resolution, int) or self.resolution < 1:
            raise InvalidInputError(f"{what}: resolution must be an integer >= 1")

    def signals(self) -> tuple[str, ...]:
        return (self.signal,)

    def _compile(self) -> _Eval:
        return _RateEval(self)


BurnWindow = tuple[Quantity, Quantity, float]

SRE_WORKBOOK_PAGE: tuple[tuple[str, str, str], ...] = (("2%", "1h", "5m"), ("5%", "6h", "30m"))
"""The SRE workbook's paging rows: (budget consumed, long window, short window)."""
SRE_WORKBOOK_TICKET: tuple[tuple[str, str, str], ...] = (("10%", "3d", "6h"),)
"""The SRE workbook's ticket row."""


def burn_rate_factor(budget_fraction: Quantity, long_window: Quantity, period: Quantity = "30d") -> float:
    """Burn-rate threshold that consumes ``budget_fraction`` of the error budget of an SLO
    ``period`` in ``long_window``: budget * period / window (2% of 30 d in 1 h -> 14.4), computed
    exactly and rounded once."""
    frac = Fraction(str(parse_quantity(budget_fraction, "1", "budget fraction")))
    per = Fraction(str(parse_duration(period, "SLO period")))
    win = Fraction(str(parse_duration(long_window, "burn window")))
    if win <= 0:
        raise InvalidInputError("burn window must be > 0")
    return float(frac * per / win)


@dataclass(frozen=True, slots=True)
class BurnRate(Condition):
    """Multi-window SLO burn rate (Google SRE workbook, ch. 5): true when, for at least one
    ``(long, short, factor)`` row of ``windows``, the burn rate over both windows exceeds
    ``factor``.

    Input: cumulative event counters read from the snapshot - ``total`` and exactly one of
    ``good`` or ``bad`` (each a signal name or a list of names that are summed), e.g.
    ``slo.checkout.good`` / ``slo.checkout.total``, or ``total="throughput.received"`` with
    ``bad=["throughput.dropped", ...]``. For a latency SLO, ``good`` counts requests faster than
    the SLO threshold. The burn rate over a window is ``(bad events in window / events in
    window) / (1 - objective)``. The engine keeps, per window, at most ``resolution + 2`` counter
    samples taken at least ``window / resolution`` apart; the window start is the newest sample at
    least ``window`` old, or, while less than ``window`` of history exists, the oldest sample (a
    partial window, as Prometheus' ``rate`` over a range longer than the data does; with
    ``partial_windows=False`` such a window has no burn rate until it is full, so e.g. the 3 d
    ticket needs 3 days of history after a start without saved state). A counter that decreases
    is a reset: the history is dropped and counted. No events in a window means no burn (false).
    """

    total: Union[str, tuple[str, ...]]
    objective: Quantity
    windows: tuple[BurnWindow, ...]
    good: Union[str, tuple[str, ...], None] = None
    bad: Union[str, tuple[str, ...], None] = None
    resolution: int = 60
    partial_windows: bool = True

    def __post_init__(self) -> None:
        what = "burn rate"
        object.__setattr__(self, "total", _names(self.total, f"{what}: total"))
        if (self.good is None) == (self.bad is None):
            raise InvalidInputError(f"{what}: give exactly one of good= or bad= counters")
        if self.good is not None:
            object.__setattr__(self, "good", _names(self.good, f"{what}: good"))
        if self.bad is not None:
            object.__setattr__(self, "bad", _names(self.bad, f"{what}: bad"))
        obj = parse_quantity(self.objective, "1", f"{what}: objective")
        if not 0 < obj < 1:
            raise InvalidInputError(f"{what}: objective must be in (0, 1) (e.g. '99.9%'), got {self.objective!r}")
        object.__setattr__(self, "objective", obj)
        if not self.windows:
            raise InvalidInputError(f"{what}: needs at least one (long, short, factor) window row")
        rows = []
        for i, row in enumerate(self.windows):
            if not isinstance(row, (tuple, list)) or len(row) != 3:
                raise InvalidInputError(f"{what}: windows[{i}] must be (long, short, factor), got {row!r}")
            long_w = parse_duration(row[0], f"{what}: windows[{i}] long")
            short_w = parse_duration(row[1], f"{what}: windows[{i}] short")
            factor = parse_quantity(row[2], "1", f"{what}: windows[{i}] factor")
            if not 0 < short_w <= long_w:
                raise InvalidInputError(f"{what}: windows[{i}] needs 0 < short <= long, got {row!r}")
            if factor <= 0:
                raise InvalidInputError(f"{what}: windows[{i}] factor must be > 0")
            rows.append((long_w, short_w, factor))
        object.__setattr__(self, "windows", tuple(rows))
        if isinstance(self.resolution, bool) or not isinstance(self.resolution, int) or self.resolution < 1:
            raise InvalidInputError(f"{what}: resolution must be an integer >= 1")

    def signals(self) -> tuple[str, ...]:
        names = cast(tuple[str, ...], self.total) + cast(tuple[str, ...], self.good or self.bad or ())
        return names

    def _compile(self) -> _Eval:
        return _BurnEval(self)


def _names(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise InvalidInputError(f"{what}: expected a signal name or a non-empty list of names, got {value!r}")


@dataclass(frozen=True, slots=True)
class RuleRef(Condition):
    """The condition of another rule at this evaluation (``firing=False``), or whether that rule
    is firing after this evaluation (``firing=True``). Rules are evaluated in dependency order;
    cycles are rejected."""

    rule: str
    firing: bool = False

    def signals(self) -> tuple[str, ...]:
        return ()

    def refs(self) -> tuple[str, ...]:
        return (self.rule,)

    def _compile(self) -> _Eval:
        return _RefEval(self.rule, self.firing)


def _as_condition(c: object) -> Condition:
    if isinstance(c, Condition):
        return c
    if isinstance(c, str):
        return RuleRef(c)
    raise InvalidInputError(f"composite conditions take Condition objects or rule names, got {c!r}")


@dataclass(frozen=True, slots=True, init=False)
class _Composite(Condition):
    """A combination of conditions (strings are :class:`RuleRef` names); subclasses say how."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Union[Condition, str]) -> None:
        if len(conditions) < 1:
            raise InvalidInputError(f"{type(self).__name__} needs at least one condition")
        object.__setattr__(self, "conditions", tuple(_as_condition(c) for c in conditions))

    def signals(self) -> tuple[str, ...]:
        return tuple(s for c in self.conditions for s in c.signals())

    def refs(self) -> tuple[str, ...]:
        return tuple(r for c in self.conditions for r in c.refs())


@dataclass(frozen=True, slots=True, init=False)
class AllOf(_Composite):
    """AND of conditions (strings are :class:`RuleRef` names). "no data" if none is false and some
    has no data. Every child is evaluated every time, so their histories stay complete."""

    def _compile(self) -> _Eval:
        return _AllEval([c._compile() for c in self.conditions])


@dataclass(frozen=True, slots=True, init=False)
class AnyOf(_Composite):
    """OR of conditions (strings are :class:`RuleRef` names). "no data" if none is true and some
    has no data."""

    def _compile(self) -> _Eval:
        return _AnyEval([c._compile() for c in self.conditions])


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """Negation ("no data" stays "no data")."""

    condition: Condition

    def __post_init__(self) -> None:
        object.__setattr__(self, "condition", _as_condition(self.condition))

    def signals(self) -> tuple[str, ...]:
        return self.condition.signals()

    def refs(self) -> tuple[str, ...]:
        return self.condition.refs()

    def _compile(self) -> _Eval:
        return _NotEval(self.condition._compile())


# --------------------------------------------------------------------------------------------
# Compiled evaluators (per engine, hold the histories)
# --------------------------------------------------------------------------------------------

_Signals = Mapping[str, float]
_Results = dict[str, Optional[bool]]
_Firing = dict[str, bool]


class _Eval:
    """A compiled condition. ``evaluate`` returns True, False or None ("no data") and leaves the
    observed quantity and the level it was compared with in ``value`` / ``level``."""

    __slots__ = ("value", "level")

    def __init__(self) -> None:
        self.value: Optional[float] = None
        self.level: Optional[float] = None

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        raise NotImplementedError

    def state(self) -> object:
        return None

    def restore(self, data: object) -> None:
        if data is not None:
            raise CorruptDataError(f"unexpected condition state {data!r}")

    def details(self) -> dict[str, object]:
        return {}


def _get(sig: _Signals, name: str) -> Optional[float]:
    v = sig.get(name)
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


class _ThresholdEval(_Eval):
    __slots__ = ("signal", "cmp", "trigger", "clear")

    def __init__(self, signal: str, op: str, trigger: float, clear: Optional[float]) -> None:
        super().__init__()
        self.signal = signal
        self.cmp = _OPS[op]
        self.trigger = trigger
        self.clear = clear
        self.level = trigger

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        v = sig.get(self.signal)
        if v is None or v != v:
            return None
        self.value = v
        return bool(self.cmp(v, self.clear if (active and self.clear is not None) else self.trigger))


class _HistoryBaselineEval(_Eval):
    __slots__ = ("signal", "op", "cmp", "k", "clear_k", "size", "min_n", "freeze", "values", "moments")

    def __init__(self, signal: str, op: str, b: Baseline) -> None:
        super().__init__()
        self.signal = signal
        self.op = op
        self.cmp = _OPS[op]
        self.k = float(b.k)
        self.clear_k = None if b.clear_k is None else float(b.clear_k)
        self.size = b.history
        self.min_n = b.min_history if b.min_history is not None else max(2, b.history // 2)
        self.freeze = b.freeze_when_active
        self.values: deque[float] = deque()
        self.moments = _Moments()

    def _learn(self, v: float) -> None:
        if len(self.values) == self.size:
            self.moments.pop(self.values.popleft())
        self.values.append(v)
        self.moments.push(v)

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        v = _get(sig, self.signal)
        if v is None:
            return None
        self.value = v
        result: Optional[bool] = None
        if self.moments.n >= self.min_n:
            mean, sigma = self.moments.mean_sigma()
            self.level = _baseline_level(mean, sigma, self.k, self.op)
            if active and self.clear_k is not None:
                result = bool(self.cmp(v, _baseline_level(mean, sigma, self.clear_k, self.op)))
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
            raise CorruptDataError(f"baseline history holds {len(vals)} values, more than history={self.size}")
        self.values.clear()
        self.moments = _Moments()
        for v in vals:
            self._learn(v)

    def details(self) -> dict[str, object]:
        d: dict[str, object] = {"history": len(self.values)}
        if self.moments.n >= 1:
            d["mean"], d["sigma"] = self.moments.mean_sigma()
        return d


class _RateEval(_Eval):
    __slots__ = ("signal", "cmp", "threshold", "window", "step", "relative", "samples", "change")

    def __init__(self, c: RateOfChange) -> None:
        super().__init__()
        self.signal = c.signal
        self.cmp = _OPS[c.op]
        self.threshold = float(cast(float, c.value))
        self.window = float(cast(float, c.window))
        self.step = self.window / c.resolution
        self.relative = c.relative
        self.samples: deque[tuple[float, float]] = deque()
        self.level = self.threshold

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        v = _get(sig, self.signal)
        if v is None or not math.isfinite(v):
            return None
        s = self.samples
        cutoff = now - self.window
        while len(s) >= 2 and s[1][0] <= cutoff:
            s.popleft()
        result: Optional[bool] = None
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
        self.samples = deque((r[0], r[1]) for r in rows)


class _BurnEval(_Eval):
    __slots__ = ("total", "good", "bad", "budget", "rows", "windows", "steps", "hist", "last", "resets", "burns",
                 "partial")

    def __init__(self, c: BurnRate) -> None:
        super().__init__()
        self.total = cast(tuple[str, ...], c.total)
        self.good = cast(Optional[tuple[str, ...]], c.good)
        self.bad = cast(Optional[tuple[str, ...]], c.bad)
        budget = 1 - Fraction(repr(float(cast(float, c.objective))))
        self.budget = (budget.numerator, budget.denominator)
        self.rows = cast(tuple[tuple[float, float, float], ...], c.windows)
        self.windows = sorted({w for row in self.rows for w in row[:2]})
        self.steps = [w / c.resolution for w in self.windows]
        self.hist: list[deque[tuple[float, float, float]]] = [deque() for _ in self.windows]
        self.last: Optional[tuple[float, float]] = None
        self.resets = 0
        self.burns: dict[float, Optional[float]] = {}
        self.partial = c.partial_windows

    def _read(self, sig: _Signals) -> Optional[tuple[float, float]]:
        total = 0.0
        for n in self.total:
            v = _get(sig, n)
            if v is None or not math.isfinite(v):
                return None
            total += v
        part = 0.0
        for n in self.good if self.good is not None else cast(tuple[str, ...], self.bad):
            v = _get(sig, n)
            if v is None or not math.isfinite(v):
                return None
            part += v
        bad = total - part if self.good is not None else part
        return bad, total

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        cur = self._read(sig)
        if cur is None:
            return None
        bad, total = cur
        if self.last is not None and (total < self.last[1] or bad < self.last[0]):
            for h in self.hist:
                h.clear()
            self.resets += 1
        self.last = cur
        burns: dict[float, Optional[float]] = {}
        for w, step, h in zip(self.windows, self.steps, self.hist):
            cutoff = now - w
            while len(h) >= 2 and h[1][0] <= cutoff:
                h.popleft()
            burn: Optional[float] = None
            if h and (self.partial or h[0][0] <= cutoff):
                _, b0, t0 = h[0]
                if total > t0:
                    burn = _burn(bad - b0, total - t0, self.budget)
            burns[w] = burn
            if not h or now - h[-1][0] >= step:
                h.append((now, bad, total))
        self.burns = burns
        result = False
        best: Optional[float] = None
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
        self.last = None if last is None else cast(tuple[float, float], tuple(_float_list(last, "burn last", 2)))
        resets = _field(data, "resets")
        if not isinstance(resets, int) or isinstance(resets, bool) or resets < 0:
            raise CorruptDataError(f"burn-rate resets must be a count, got {resets!r}")
        self.resets = resets
        wins = _field(data, "windows")
        if not isinstance(wins, list) or len(wins) != len(self.windows):
            raise CorruptDataError("burn-rate state has a different set of windows")
        for i, item in enumerate(wins):
            if not isinstance(item, list) or len(item) != 2 or item[0] != self.windows[i]:
                raise CorruptDataError("burn-rate state has a different set of windows")
            rows = _rows(item[1], 3, "burn-rate samples")
            self.hist[i] = deque((r[0], r[1], r[2]) for r in rows)

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


class _RefEval(_Eval):
    __slots__ = ("rule", "firing")

    def __init__(self, rule: str, firing: bool) -> None:
        super().__init__()
        self.rule = rule
        self.firing = firing

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        if self.firing:
            return firing.get(self.rule, False)
        return res.get(self.rule)


class _AllEval(_Eval):
    __slots__ = ("children",)

    def __init__(self, children: list[_Eval]) -> None:
        super().__init__()
        self.children = children

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        out: Optional[bool] = True
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


class _AnyEval(_AllEval):
    __slots__ = ()

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        out: Optional[bool] = False
        for c in self.children:
            r = c.evaluate(sig, now, res, firing, active)
            if r is True:
                out = True
            elif r is None and out is False:
                out = None
        return out


class _NotEval(_AllEval):
    __slots__ = ()

    def __init__(self, child: _Eval) -> None:
        super().__init__([child])

    def evaluate(self, sig: _Signals, now: float, res: _Results, firing: _Firing, active: bool) -> Optional[bool]:
        r = self.children[0].evaluate(sig, now, res, firing, active)
        return None if r is None else not r


def _field(data: object, key: str) -> object:
    if not isinstance(data, dict) or key not in data:
        raise CorruptDataError(f"alert state: expected an object with key {key!r}, got {data!r:.80}")
    return data[key]


def _float_list(data: object, what: str, n: Optional[int] = None) -> list[float]:
    if not isinstance(data, list) or (n is not None and len(data) != n):
        raise CorruptDataError(f"alert state: {what} must be a list" + (f" of {n} numbers" if n else ""))
    out = []
    for x in data:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise CorruptDataError(f"alert state: {what} holds a non-number {x!r}")
        out.append(float(x))
    return out


def _rows(data: object, width: int, what: str) -> list[list[float]]:
    if not isinstance(data, list):
        raise CorruptDataError(f"alert state: {what} must be a list")
    rows = [_float_list(r, what, width) for r in data]
    if any(rows[i][0] > rows[i + 1][0] for i in range(len(rows) - 1)):
        raise CorruptDataError(f"alert state: {what} are not in time order")
    return rows


# --------------------------------------------------------------------------------------------
# Rules, alerts, silences
# --------------------------------------------------------------------------------------------

Labels = tuple[tuple[str, str], ...]


def _labels(value: object, what: str) -> Labels:
    if value is None:
        return ()
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        items = list(value)
    elif isinstance(value, Mapping):
        items = list(value.items())
    else:
        raise InvalidInputError(f"{what}: labels must be a mapping of strings to strings, got {value!r}")
    for k, v in items:
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidInputError(f"{what}: labels must map strings to strings, got {k!r}: {v!r}")
    return tuple(sorted(items))


@dataclass(frozen=True, slots=True)
class Rule:
    """An alerting rule.

    Either the short form ``Rule(name, signal, op, threshold)`` - a :class:`Threshold`; the
    threshold may be a number, a string with a unit ("500ms", "2%") or a :class:`Baseline` - or
    ``Rule(name, condition=...)`` with any :class:`Condition`.

    - ``for_``: seconds (or "5m") the condition must hold at every evaluation before the rule
      fires; 0 fires at the first true evaluation.
    - ``keep_firing_for``: a firing rule keeps firing this long after its condition turns false.
    - ``clear``: hysteresis clear level of a threshold rule (see :class:`Threshold`).
    - ``severity``: page, ticket or info; ``route``: the team (default: :class:`Router`).
    - ``no_data``: ``"inactive"`` (default; missing signal counts as false) or ``"keep"``.
    """

    name: str
    signal: Optional[str] = None
    op: Optional[str] = None
    threshold: Union[Quantity, Baseline, None] = None
    for_: Quantity = 0.0
    severity: Union[Severity, str] = Severity.PAGE
    keep_firing_for: Quantity = 0.0
    clear: Optional[Quantity] = None
    condition: Optional[Condition] = None
    route: Optional[str] = None
    labels: Union[Mapping[str, str], Labels] = ()
    summary: str = ""
    no_data: str = "inactive"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.:\-]*", self.name):
            raise InvalidInputError(f"rule name must be an identifier-like string, got {self.name!r}")
        what = f"rule {self.name!r}"
        short = (self.signal, self.op, self.threshold)
        if self.condition is None:
            if any(x is None for x in short):
                raise InvalidInputError(f"{what}: give signal, op and threshold, or condition=")
            cond: Condition = Threshold(cast(str, self.signal), cast(str, self.op), cast(Quantity, self.threshold), self.clear)
            object.__setattr__(self, "condition", cond)
            object.__setattr__(self, "threshold", cast(Threshold, cond).value)
            object.__setattr__(self, "clear", cast(Threshold, cond).clear)
        else:
            if not isinstance(self.condition, Condition):
                raise InvalidInputError(f"{what}: condition must be a Condition, got {self.condition!r}")
            if any(x is not None for x in short) or self.clear is not None:
                if not (
                    isinstance(self.condition, Threshold)
                    and (self.signal, self.op, self.threshold, self.clear)
                    == (self.condition.signal, self.condition.op, self.condition.value, self.condition.clear)
                ):
                    raise InvalidInputError(f"{what}: give either signal/op/threshold/clear or condition=, not both")
            if isinstance(self.condition, Threshold):  # one normal form: equal rules compare equal
                c = self.condition
                for key, val in (("signal", c.signal), ("op", c.op), ("threshold", c.value), ("clear", c.clear)):
                    object.__setattr__(self, key, val)
        object.__setattr__(self, "for_", parse_duration(self.for_, f"{what}: for_"))
        object.__setattr__(self, "keep_firing_for", parse_duration(self.keep_firing_for, f"{what}: keep_firing_for"))
        try:
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError:
            raise InvalidInputError(
                f"{what}: unknown severity {self.severity!r}; expected page, ticket or info"
            ) from None
        object.__setattr__(self, "labels", _labels(self.labels, what))
        if self.no_data not in ("inactive", "keep"):
            raise InvalidInputError(f"{what}: no_data must be 'inactive' or 'keep', got {self.no_data!r}")
        if self.route is not None and not isinstance(self.route, str):
            raise InvalidInputError(f"{what}: route must be a string")

    @property
    def cond(self) -> Condition:
        return cast(Condition, self.condition)

    def fingerprint(self) -> str:
        """Digest of what decides the rule's state (condition, durations, no-data policy);
        restoring state checks it so that timers are never resumed for a rule whose meaning
        changed. Severity, route, labels and summary may change freely."""
        key = (self.condition, self.for_, self.keep_firing_for, self.no_data)
        return hashlib.sha256(repr(key).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Alert:
    """One transition of a rule (or, from :meth:`AlertEngine.active`, a currently active rule).

    ``kind`` is ``"pending"``, ``"firing"``, ``"resolved"`` (firing -> inactive) or
    ``"cancelled"`` (pending -> inactive). ``value`` is the observed quantity (signal, change or
    burn rate) and ``threshold`` the level it was compared with, both from the last evaluation
    that had data. ``silenced`` alerts matched a :class:`Silence` and were not sent to callbacks.
    """

    rule: str
    state: AlertState
    previous: AlertState
    at: float
    severity: Severity
    route: str
    value: Optional[float]
    threshold: Optional[float]
    active_since: Optional[float]
    labels: Labels = ()
    summary: str = ""
    silenced: bool = False

    @property
    def kind(self) -> str:
        if self.state is AlertState.INACTIVE:
            return "resolved" if self.previous is AlertState.FIRING else "cancelled"
        return str(self.state.value)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able fields (the structured log event's context)."""
        return {
            "rule": self.rule,
            "state": self.state.value,
            "previous": self.previous.value,
            "kind": self.kind,
            "at": self.at,
            "severity": self.severity.value,
            "route": self.route,
            "value": _jsonable(self.value),
            "threshold": _jsonable(self.threshold),
            "active_since": self.active_since,
            "labels": dict(self.labels),
            "summary": self.summary,
            "silenced": self.silenced,
        }


def _jsonable(x: Optional[float]) -> object:
    if x is None or math.isfinite(x):
        return x
    return "inf" if x > 0 else ("-inf" if x < 0 else "nan")


def _unjsonable(x: object, what: str) -> Optional[float]:
    if x is None:
        return None
    if x in ("inf", "-inf"):
        return float(str(x))
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise CorruptDataError(f"alert state: {what} must be a number or null, got {x!r}")
    return float(x)


def _timestamp(value: object, what: str) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInputError(f"{what}: datetime must be timezone-aware")
        return value.timestamp()
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInputError(f"{what}: bad timestamp {value!r}; expected ISO 8601 such as '2026-01-23T18:00:00Z'") from None
        return _timestamp(dt, what)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInputError(f"{what}: expected a timestamp (seconds, ISO 8601 string or datetime), got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence / maintenance window: during ``[start, end)`` (clock seconds; ISO strings and
    aware datetimes are converted to epoch seconds, for a wall clock) transitions of matching
    rules are marked ``silenced`` and not sent to callbacks. Rules keep being evaluated, so state
    stays correct; a rule still firing when the silence ends is then notified once.

    A rule matches when its name matches one of ``rules`` (shell globs; empty = every rule) and
    every ``labels`` item equals the rule's label (``severity`` and ``route`` count as labels).
    """

    start: Union[float, str, datetime]
    end: Union[float, str, datetime]
    rules: tuple[str, ...] = ()
    labels: Union[Mapping[str, str], Labels] = ()
    comment: str = ""

    def __post_init__(self) -> None:
        start = _timestamp(self.start, "silence start")
        end = _timestamp(self.end, "silence end")
        if end <= start:
            raise InvalidInputError(f"silence end must be after start ({self.start!r} .. {self.end!r})")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if isinstance(self.rules, str):
            object.__setattr__(self, "rules", (self.rules,))
        object.__setattr__(self, "rules", tuple(self.rules))
        object.__setattr__(self, "labels", _labels(self.labels, "silence"))

    def matches(self, rule: Rule, route: str, now: float) -> bool:
        if not cast(float, self.start) <= now < cast(float, self.end):
            return False
        if self.rules and not any(fnmatch.fnmatchcase(rule.name, p) for p in self.rules):
            return False
        have = dict(rule.labels)
        have.setdefault("severity", cast(Severity, rule.severity).value)
        have.setdefault("route", route)
        return all(have.get(k) == v for k, v in cast(Labels, self.labels))

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "rules": list(self.rules), "labels": dict(cast(Labels, self.labels)), "comment": self.comment}


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


class EventLogger(Protocol):
    """The article's ``StructuredLogger.log`` interface (duck typed)."""

    def log(self, event: str, level: str = "info", **context: object) -> None: ...


class _StdlibLogger:
    __slots__ = ("logger",)

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def log(self, event: str, level: str = "info", **context: object) -> None:
        lvl = logging.getLevelName(level.upper())
        if not isinstance(lvl, int):
            lvl = logging.INFO
        if self.logger.isEnabledFor(lvl):
            self.logger.log(lvl, "%s %s", event, context.get("rule", ""), extra={"event": event, **context})


@dataclass(frozen=True, slots=True)
class RuleStatus:
    """Current state of one rule (:meth:`AlertEngine.status`)."""

    rule: str
    state: AlertState
    active_since: Optional[float]
    fired_at: Optional[float]
    value: Optional[float]
    threshold: Optional[float]
    evaluations: int
    no_data: int
    details: Mapping[str, object] = field(default_factory=dict)


class _Runtime:
    __slots__ = (
        "rule", "ev", "route", "for_", "keep", "keep_data", "state", "active_at", "fired_at",
        "keep_since", "notified", "eval_base", "no_data", "in_no_data", "name", "referenced",
    )

    def __init__(self, rule: Rule, route: str) -> None:
        self.rule = rule
        self.name = rule.name
        self.referenced = False
        self.ev = rule.cond._compile()
        self.route = route
        self.for_ = cast(float, rule.for_)
        self.keep = cast(float, rule.keep_firing_for)
        self.keep_data = rule.no_data == "keep"
        self.state = AlertState.INACTIVE
        self.active_at: Optional[float] = None
        self.fired_at: Optional[float] = None
        self.keep_since: Optional[float] = None
        self.notified = False
        self.eval_base = 0
        self.no_data = 0
        self.in_no_data = False


_STATE_FORMAT = "monitor.alerts.state"
_STATE_VERSION = 1

SnapshotLike = Union[Mapping[str, float], "SupportsSignals"]


class SupportsSignals(Protocol):
    def signals(self) -> Mapping[str, float]: ...


class AlertEngine:
    """Evaluates rules against snapshots and returns the transitions.

    ``clock`` returns seconds (default :func:`time.time`; use a wall clock if silences or state
    must survive restarts). ``logger`` has the article's ``log(event, level="info", **context)``
    interface (default: the stdlib logger ``monitor.alerts`` with the context in ``extra``).
    ``on_alert`` callbacks receive every non-silenced transition; an exception in a callback is
    logged (``alert_callback_error``) and does not stop evaluation. ``extra_signals`` extends
    the known-signal patterns (globs); ``validate_signals=False`` accepts any name.
    The engine is not thread-safe: evaluate from one thread (or hold a lock).
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        clock: Optional[Callable[[], float]] = None,
        *,
        state: Optional[Mapping[str, object]] = None,
        logger: Optional[EventLogger] = None,
        on_alert: Union[Callable[[Alert], None], Sequence[Callable[[Alert], None]], None] = None,
        silences: Iterable[Silence] = (),
        router: Optional[Router] = None,
        extra_signals: Iterable[str] = (),
        validate_signals: bool = True,
    ) -> None:
        import time

        self._rules = list(rules)
        self._clock: Callable[[], float] = clock if clock is not None else time.time
        self._logger: EventLogger = logger if logger is not None else _StdlibLogger(logging.getLogger("monitor.alerts"))
        if on_alert is None:
            self._callbacks: list[Callable[[Alert], None]] = []
        elif callable(on_alert):
            self._callbacks = [on_alert]
        else:
            self._callbacks = list(on_alert)
        self._silences: list[Silence] = list(silences)
        self._router = router if router is not None else Router()
        self._extra = tuple(extra_signals)
        names: dict[str, Rule] = {}
        for r in self._rules:
            if not isinstance(r, Rule):
                raise InvalidInputError(f"AlertEngine takes Rule objects, got {r!r}")
            if r.name in names:
                raise InvalidInputError(f"duplicate rule name {r.name!r}")
            names[r.name] = r
            if validate_signals:
                for s in r.cond.signals():
                    check_signal(s, self._extra, f"rule {r.name!r}")
        self._order = _topological(self._rules, names)
        self._rt: dict[str, _Runtime] = {r.name: _Runtime(r, self._router.route(r)) for r in self._order}
        self._runtimes = [self._rt[r.name] for r in self._order]
        self._referenced = {ref for r in self._rules for ref in r.cond.refs()}
        for rt in self._runtimes:
            rt.referenced = rt.name in self._referenced
        self._last_now: Optional[float] = None
        self._evaluations = 0
        self._results: _Results = {}
        self._firing: _Firing = {}
        if state is not None:
            self.restore(state)

    # -- configuration ------------------------------------------------------------------------

    @classmethod
    def from_file(
        cls,
        path: str,
        clock: Optional[Callable[[], float]] = None,
        *,
        extra_signals: Iterable[str] = (),
        snapshot: Optional[SnapshotLike] = None,
        **kwargs: object,
    ) -> AlertEngine:
        """An engine with the rules and silences of a TOML/JSON rule file (see :func:`load_rules`);
        other keyword arguments go to the constructor."""
        from ._alert_config import load_config

        cfg = load_config(path, extra_signals=extra_signals, snapshot=snapshot)
        silences = list(cast(Iterable[Silence], kwargs.pop("silences", ()))) + cfg.silences
        return cls(cfg.rules, clock, silences=silences, extra_signals=cfg.extra_signals, **kwargs)  # type: ignore[arg-type]


    @property
    def rules(self) -> list[Rule]:
        return list(self._rules)

    def add_silence(self, silence: Silence) -> None:
        """Add a silence (kept in :meth:`state` until it expires)."""
        self._silences.append(silence)

    @property
    def silences(self) -> list[Silence]:
        return list(self._silences)

    def validate_against(self, snapshot: SnapshotLike) -> None:
        """Raise :class:`InvalidInputError` naming every rule signal the snapshot does not have."""
        keys = set(_signals_of(snapshot))
        missing = sorted({f"{r.name}: {s}" for r in self._rules for s in r.cond.signals() if s not in keys})
        if missing:
            raise InvalidInputError("signals missing from the snapshot: " + "; ".join(missing))

    # -- evaluation ---------------------------------------------------------------------------

    def evaluate(self, snapshot: SnapshotLike, now: Optional[float] = None) -> list[Alert]:
        """Evaluate every rule at ``now`` (default: the clock) and return the transitions.

        Times must not go backwards (equal times are allowed)."""
        sig = _signals_of(snapshot)
        if now is None:
            now = self._clock()
        now = float(now)
        if not math.isfinite(now):
            raise InvalidInputError(f"evaluation time must be finite, got {now!r}")
        if self._last_now is not None and now < self._last_now:
            raise InvalidInputError(f"evaluation time went backwards: {now!r} < {self._last_now!r}")
        self._last_now = now
        self._evaluations += 1
        if self._silences and any(cast(float, x.end) <= now for x in self._silences):
            self._silences = [x for x in self._silences if cast(float, x.end) > now]  # expired
        res = self._results
        firing = self._firing
        out: list[Alert] = []
        INACTIVE, PENDING, FIRING = AlertState.INACTIVE, AlertState.PENDING, AlertState.FIRING
        for rt in self._runtimes:
            state = rt.state
            ev = rt.ev
            try:
                truth = ev.evaluate(sig, now, res, firing, state is not INACTIVE)
            except (TypeError, ValueError, OverflowError):  # a non-numeric value: no data, not a crash
                truth = None
            if rt.referenced:
                res[rt.name] = truth
            if truth is False and state is INACTIVE:  # the common case: nothing to do
                rt.in_no_data = False
                continue
            if truth is None:
                rt.no_data += 1
                if not rt.in_no_data:
                    rt.in_no_data = True
                    missing = [s for s in rt.rule.cond.signals() if _get(sig, s) is None]
                    self._logger.log("alert_no_data", level="warning" if missing else "info", rule=rt.rule.name,
                                     at=now, state=state.value, missing_signals=missing,
                                     reason="signal missing or NaN" if missing else "not enough history yet")
                if rt.keep_data:
                    if state is FIRING and not rt.notified:
                        self._renotify(rt, now, out)
                    continue
                cond = False
            else:
                rt.in_no_data = False
                cond = truth
            new = state
            if cond:
                rt.keep_since = None
                if state is INACTIVE:
                    rt.active_at = now
                    new = FIRING if rt.for_ <= 0 else PENDING
                elif state is PENDING and now - cast(float, rt.active_at) >= rt.for_:
                    new = FIRING
            elif state is PENDING:
                new = INACTIVE
            elif state is FIRING:
                if rt.keep > 0:
                    if rt.keep_since is None:
                        rt.keep_since = now
                    if now - rt.keep_since < rt.keep:
                        new = FIRING
                    else:
                        new = INACTIVE
                else:
                    new = INACTIVE
            if new is not state:
                self._transition(rt, state, new, now, out)
            elif state is FIRING and not rt.notified:
                self._renotify(rt, now, out)
        return out

    def _silenced(self, rt: _Runtime, now: float) -> bool:
        for s in self._silences:
            if s.matches(rt.rule, rt.route, now):
                return True
        return False

    def _transition(self, rt: _Runtime, old: AlertState, new: AlertState, now: float, out: list[Alert]) -> None:
        silenced = self._silenced(rt, now) if self._silences else False
        if new is AlertState.FIRING:
            rt.fired_at = now
            rt.notified = not silenced
        elif new is AlertState.INACTIVE:
            if old is AlertState.FIRING and not rt.notified:
                silenced = True  # the firing was never notified: neither is its resolution
            rt.notified = False
            rt.keep_since = None
        rt.state = new
        self._firing[rt.name] = new is AlertState.FIRING
        alert = self._alert(rt, old, now, silenced)
        if new is AlertState.INACTIVE:
            rt.active_at = None
            rt.fired_at = None
        self._emit(alert, out)

    def _renotify(self, rt: _Runtime, now: float, out: list[Alert]) -> None:
        if self._silences and self._silenced(rt, now):
            return
        rt.notified = True
        self._emit(self._alert(rt, AlertState.FIRING, now, False), out)

    def _alert(self, rt: _Runtime, old: AlertState, now: float, silenced: bool) -> Alert:
        r = rt.rule
        return Alert(
            rule=r.name, state=rt.state, previous=old, at=now, severity=cast(Severity, r.severity),
            route=rt.route, value=rt.ev.value, threshold=rt.ev.level, active_since=rt.active_at,
            labels=cast(Labels, r.labels), summary=r.summary, silenced=silenced,
        )

    def _emit(self, alert: Alert, out: list[Alert]) -> None:
        out.append(alert)
        kind = alert.kind
        if kind == "firing":
            level = "error" if alert.severity is Severity.PAGE else ("warning" if alert.severity is Severity.TICKET else "info")
        else:
            level = "info"
        ctx = alert.to_dict()
        self._logger.log(f"alert_{kind}", level=level, **ctx)
        if alert.silenced:
            return
        for cb in self._callbacks:
            try:
                cb(alert)
            except Exception as exc:  # a broken pager must not stop evaluation of other rules
                self._logger.log("alert_callback_error", level="error", rule=alert.rule,
                                 error_type=type(exc).__name__, error_message=str(exc))

    # -- inspection ---------------------------------------------------------------------------

    def active(self) -> list[Alert]:
        """Rules currently pending or firing, as alerts (``previous`` equals ``state``)."""
        out = []
        now = self._last_now if self._last_now is not None else 0.0
        for rt in self._runtimes:
            if rt.state is not AlertState.INACTIVE:
                silenced = not rt.notified if rt.state is AlertState.FIRING else (
                    bool(self._silences) and self._silenced(rt, now))
                a = self._alert(rt, rt.state, now, silenced)
                out.append(a)
        return out

    def status(self, name: str) -> RuleStatus:
        """State, timers, last value and condition details (baseline mean/sigma, burn rates)."""
        rt = self._rt.get(name)
        if rt is None:
            raise InvalidInputError(f"no rule named {name!r}")
        return RuleStatus(name, rt.state, rt.active_at, rt.fired_at, rt.ev.value, rt.ev.level,
                          self._evaluations - rt.eval_base, rt.no_data, rt.ev.details())

    # -- persistence --------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        """All mutable state as a JSON-able dict (strict JSON: no NaN/inf)."""
        rules: dict[str, object] = {}
        for rt in self._runtimes:
            rules[rt.rule.name] = {
                "fingerprint": rt.rule.fingerprint(),
                "state": rt.state.value,
                "active_at": rt.active_at,
                "fired_at": rt.fired_at,
                "keep_firing_since": rt.keep_since,
                "notified": rt.notified,
                "evaluations": self._evaluations - rt.eval_base,
                "no_data": rt.no_data,
                "in_no_data": rt.in_no_data,
                "value": _jsonable(rt.ev.value),
                "level": _jsonable(rt.ev.level),
                "condition": rt.ev.state(),
            }
        return {
            "format": _STATE_FORMAT,
            "version": _STATE_VERSION,
            "last_now": self._last_now,
            "rules": rules,
            "silences": [s.to_dict() for s in self._silences],
        }

    def restore(self, state: Mapping[str, object], strict: bool = True) -> list[str]:
        """Resume from :meth:`state` (pending timers included). With ``strict`` (default) a rule
        missing from either side or whose definition changed raises
        :class:`ConfigMismatchError`; otherwise those rules start fresh and their names are
        returned. Malformed state raises :class:`CorruptDataError`. Silences in the state are
        added to the engine's."""
        if not isinstance(state, Mapping) or state.get("format") != _STATE_FORMAT:
            raise CorruptDataError("not a monitor alert-engine state (format field missing or wrong)")
        if state.get("version") != _STATE_VERSION:
            raise CorruptDataError(f"unsupported alert state version {state.get('version')!r}")
        rules = state.get("rules")
        if not isinstance(rules, dict):
            raise CorruptDataError("alert state: 'rules' must be an object")
        skipped = sorted((set(rules) ^ set(self._rt)))
        if strict and skipped:
            raise ConfigMismatchError(f"alert state and rules differ in rule names: {', '.join(skipped)}")
        fresh = {r.name: _Runtime(r, self._rt[r.name].route) for r in self._order}
        for name, data in rules.items():
            if name not in fresh:
                continue
            rt = fresh[name]
            if not isinstance(data, dict):
                raise CorruptDataError(f"alert state of rule {name!r} must be an object")
            if not isinstance(data.get("fingerprint"), str):
                raise CorruptDataError(f"alert state of rule {name!r} has no fingerprint")
            if data["fingerprint"] != rt.rule.fingerprint():
                if strict:
                    raise ConfigMismatchError(f"rule {name!r} changed since the state was saved")
                skipped.append(name)
                continue
            try:
                rt.state = AlertState(data["state"])
                rt.active_at = _opt_time(data["active_at"], "active_at")
                rt.fired_at = _opt_time(data["fired_at"], "fired_at")
                rt.keep_since = _opt_time(data["keep_firing_since"], "keep_firing_since")
                rt.notified = bool(data["notified"])
                rt.eval_base = -int(data["evaluations"])
                rt.no_data = int(data["no_data"])
                rt.in_no_data = bool(data["in_no_data"])
                rt.ev.restore(data["condition"])
                rt.ev.value = _unjsonable(data["value"], "value")
                rt.ev.level = _unjsonable(data["level"], "level")
            except (KeyError, ValueError, TypeError) as exc:
                if isinstance(exc, CorruptDataError):
                    raise
                raise CorruptDataError(f"alert state of rule {name!r} is malformed: {exc}") from None
            if rt.state is not AlertState.INACTIVE and rt.active_at is None:
                raise CorruptDataError(f"alert state of rule {name!r}: active rule without active_at")
        last = state.get("last_now")
        self._last_now = _opt_time(last, "last_now")
        sil = state.get("silences", [])
        if not isinstance(sil, list):
            raise CorruptDataError("alert state: 'silences' must be a list")
        try:
            silences = [Silence(**cast(dict[str, object], s)) for s in sil]  # type: ignore[arg-type]
        except (TypeError, InvalidInputError) as exc:
            raise CorruptDataError(f"alert state: bad silence: {exc}") from None
        self._silences = silences + [x for x in self._silences if x not in silences]
        self._rt = fresh
        self._evaluations = 0
        self._runtimes = [fresh[r.name] for r in self._order]
        for rt in self._runtimes:
            rt.referenced = rt.name in self._referenced
        self._results = {}
        self._firing = {n: rt.state is AlertState.FIRING for n, rt in fresh.items()}
        return sorted(set(skipped))


def _opt_time(x: object, what: str) -> Optional[float]:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise CorruptDataError(f"alert state: {what} must be a finite number or null, got {x!r}")
    return float(x)


def _signals_of(snapshot: object) -> Mapping[str, float]:
    if isinstance(snapshot, Mapping):
        return snapshot
    fn = getattr(snapshot, "signals", None)
    if callable(fn):
        sig = fn()
        if isinstance(sig, Mapping):
            return sig
    raise InvalidInputError(
        f"a snapshot must be a mapping of signal names to values or have signals(), got {type(snapshot).__name__}"
    )


def _topological(rules: list[Rule], names: Mapping[str, Rule]) -> list[Rule]:
    order: list[Rule] = []
    mark: dict[str, int] = {}

    def visit(r: Rule, path: list[str]) -> None:
        m = mark.get(r.name)
        if m == 2:
            return
        if m == 1:
            raise InvalidInputError("rules refer to each other in a cycle: " + " -> ".join(path + [r.name]))
        mark[r.name] = 1
        for ref in r.cond.refs():
            if ref not in names:
                raise InvalidInputError(f"rule {r.name!r} refers to unknown rule {ref!r}")
            visit(names[ref], path + [r.name])
        mark[r.name] = 2
        order.append(r)

    for r in rules:
        visit(r, [])
    return order


# --------------------------------------------------------------------------------------------
# Helpers: the article's per-category error thresholds, SRE workbook burn-rate rules
# --------------------------------------------------------------------------------------------

ARTICLE_ERROR_THRESHOLDS: Mapping[str, tuple[str, Severity]] = {
    "infrastructure": ("2%", Severity.PAGE),
    "input_validation": ("5%", Severity.TICKET),
}
"""The article: infrastructure errors at 2% might be critical; input validation errors at 5% might
just mean a misbehaving client."""


def error_rate_rules(
    thresholds: Mapping[str, Union[Quantity, tuple[Quantity, Union[Severity, str]]]] = ARTICLE_ERROR_THRESHOLDS,
    *,
    for_: Quantity = "5m",
    prefix: str = "error_rate_",
    router: Optional[Router] = None,
) -> list[Rule]:
    """One rule per error category: ``errors.rate.<category> > threshold`` for ``for_``, with a
    per-category severity (default page) and the category's route."""
    rules = []
    for cat, spec in thresholds.items():
        if cat not in ERROR_CATEGORIES:
            raise InvalidInputError(f"unknown error category {cat!r}; expected one of {', '.join(ERROR_CATEGORIES)}")
        if isinstance(spec, tuple):
            thr, sev = spec
        else:
            thr, sev = spec, Severity.PAGE
        rules.append(Rule(f"{prefix}{cat}", f"errors.rate.{cat}", ">", thr, for_=for_, severity=sev,
                          labels={"category": cat}, summary=f"{cat} error rate above {thr}"))
    return rules


def slo_burn_rate_rules(
    name: str,
    objective: Quantity,
    *,
    total: Union[str, Sequence[str]],
    good: Union[str, Sequence[str], None] = None,
    bad: Union[str, Sequence[str], None] = None,
    period: Quantity = "30d",
    route: Optional[str] = None,
    labels: Optional[Mapping[str, str]] = None,
    resolution: int = 60,
    partial_windows: bool = True,
) -> list[Rule]:
    """The SRE workbook's multiwindow, multi-burn-rate alerts for one SLO: a page rule (1 h and
    5 m burn > 14.4, or 6 h and 30 m burn > 6, for a 30-day period) and a ticket rule (3 d and 6 h
    burn > 1). Factors scale with ``period`` (budget fraction * period / long window)."""

    def rows(table: tuple[tuple[str, str, str], ...]) -> tuple[BurnWindow, ...]:
        return tuple((lw, sw, burn_rate_factor(frac, lw, period)) for frac, lw, sw in table)

    def tup(x: Union[str, Sequence[str], None]) -> Union[str, tuple[str, ...], None]:
        return x if x is None or isinstance(x, str) else tuple(x)

    lab = dict(labels or {})
    lab.setdefault("slo", name)
    out = []
    for suffix, table, sev in (("page", SRE_WORKBOOK_PAGE, Severity.PAGE), ("ticket", SRE_WORKBOOK_TICKET, Severity.TICKET)):
        cond = BurnRate(total=cast(Union[str, tuple[str, ...]], tup(total)), objective=objective, windows=rows(table),
                        good=tup(good), bad=tup(bad), resolution=resolution, partial_windows=partial_windows)
        out.append(Rule(f"{name}_burn_{suffix}", condition=cond, severity=sev, route=route, labels=lab,
                        summary=f"SLO {name} error budget burning ({suffix})"))
    return out


def load_rules(path: str, *, extra_signals: Iterable[str] = (), snapshot: Optional[SnapshotLike] = None) -> list[Rule]:
    """Rules from a TOML or JSON file (see :mod:`monitor._alert_config` for the format).
    Unknown fields, unknown signals and bad units raise :class:`InvalidInputError` naming the key
    (and the line for syntax errors). With ``snapshot``, every signal must also be one of its keys."""
    from ._alert_config import load_config

    return load_config(path, extra_signals=extra_signals, snapshot=snapshot).rules


__all__ = [
    "Alert",
    "AlertEngine",
    "AlertState",
    "AllOf",
    "AnyOf",
    "ARTICLE_ERROR_THRESHOLDS",
    "Baseline",
    "BurnRate",
    "Condition",
    "DEFAULT_ROUTES",
    "ERROR_CATEGORIES",
    "KNOWN_SIGNAL_PATTERNS",
    "Not",
    "RateOfChange",
    "Router",
    "Rule",
    "RuleRef",
    "RuleStatus",
    "SRE_WORKBOOK_PAGE",
    "SRE_WORKBOOK_TICKET",
    "Severity",
    "Silence",
    "Threshold",
    "burn_rate_factor",
    "check_signal",
    "error_rate_rules",
    "load_rules",
    "mean_sigma",
    "slo_burn_rate_rules",
]
