"""Rule conditions: what a rule tests (configuration only: frozen, comparable, hashable).

Part of :mod:`monitor.alerts` (import the public names from there). A condition says what to
compare; :mod:`monitor.alerts.evaluators` compiles it into an evaluator that holds the state
(histories) of one engine. :data:`OPS` and :func:`baseline_level` are shared with the evaluators
and internal to the subpackage.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from ..errors import InvalidArgumentError, InvalidTypeError
from .stats import mean_sigma
from .units import (
    DIMENSIONLESS,
    Quantity,
    check_bool,
    check_int,
    check_str,
    finite_number,
    is_number_type,
    parse_duration,
    parse_quantity,
    show,
    signal_unit,
)

MAX_DEPTH = 32
"""The deepest nesting of composite conditions (:class:`AllOf`, :class:`AnyOf`, :class:`Not`)
a rule accepts; deeper nesting is refused at construction (and in rule files)."""
MAX_HISTORY = 100_000
"""The largest ``Baseline(history=N)``: the engine keeps N values per rule."""
MAX_RESOLUTION = 10_000
"""The largest ``resolution`` of :class:`RateOfChange` and :class:`BurnRate` (samples kept per window)."""
MAX_BURN_ROWS = 64
"""The most ``(long, short, factor)`` rows of one :class:`BurnRate`."""

OPS: dict[str, Callable[[float, float], bool]] = {
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
    if not isinstance(op, str):
        raise InvalidTypeError(
            f"{what}: comparator must be a string, one of {', '.join(OPS)}; got {type(op).__name__}"
        )
    if op not in OPS:
        raise InvalidArgumentError(f"{what}: unknown comparator {show(op)}; expected one of {', '.join(OPS)}")
    return str(op)


class Condition:
    """Base class of rule conditions. Conditions are configuration only; the engine keeps the
    state (histories) that some of them need, in the evaluator that
    :func:`monitor.alerts.evaluators.compile_condition` makes for each kind (a new kind of
    condition needs a case there, and a key in :mod:`monitor.alerts.config` to be written in
    rule files)."""

    __slots__ = ()

    def signals(self) -> tuple[str, ...]:
        """Signal names this condition reads."""
        raise NotImplementedError

    def refs(self) -> tuple[str, ...]:
        """Names of other rules this condition refers to."""
        return ()


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
    mean: Quantity | None = None
    sigma: Quantity | None = None
    history: int = 0
    min_history: int | None = None
    clear_k: float | None = None
    freeze_when_active: bool = True

    def __post_init__(self) -> None:
        k = finite_number(self.k, "baseline k")
        if k < 0:
            raise InvalidArgumentError(f"baseline k must be a finite number >= 0, got {show(self.k)}")
        object.__setattr__(self, "k", k)
        for key in ("mean", "sigma"):
            v = getattr(self, key)
            if v is not None and not isinstance(v, str) and not is_number_type(v):
                raise InvalidTypeError(
                    f"baseline {key}: expected a number or a string with a unit, got {type(v).__name__}"
                )
        history = check_int(self.history, "baseline history", 0, MAX_HISTORY)
        object.__setattr__(self, "history", history)
        check_bool(self.freeze_when_active, "baseline freeze_when_active")
        object.__setattr__(self, "freeze_when_active", bool(self.freeze_when_active))
        has_stats = self.mean is not None or self.sigma is not None
        if has_stats == (history > 0):
            raise InvalidArgumentError(
                "a baseline needs either mean and sigma, or history=N (N >= 2), not both"
            )
        if has_stats and (self.mean is None or self.sigma is None):
            raise InvalidArgumentError("a baseline needs both mean and sigma")
        if not has_stats:
            if history < 2:
                raise InvalidArgumentError(
                    f"baseline history must be an integer >= 2, got {show(self.history)}"
                )
            if self.min_history is not None:
                mh = check_int(
                    self.min_history, f"baseline min_history (in [2, history={history}])", 2, history
                )
                object.__setattr__(self, "min_history", mh)
        elif self.min_history is not None:
            raise InvalidArgumentError("baseline min_history needs history=N")
        if self.clear_k is not None:
            ck = finite_number(self.clear_k, "baseline clear_k")
            if not 0 <= ck <= k:
                raise InvalidArgumentError(
                    f"baseline clear_k must be in [0, k={k:g}], got {show(self.clear_k)}"
                )
            object.__setattr__(self, "clear_k", ck)

    @classmethod
    def from_reference(
        cls, values: Iterable[float], k: float = 3.0, clear_k: float | None = None
    ) -> Baseline:
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
        clear_k: float | None = None,
    ) -> Baseline:
        """Baseline over chunks of reference data: ``statistic`` (e.g. a P99) of each full chunk of
        ``chunk_size`` consecutive values, then :meth:`from_reference` over those."""
        chunk_size = check_int(chunk_size, "chunk_size", 1, 2**62)
        if not callable(statistic):
            raise InvalidTypeError(f"statistic must be callable, got {type(statistic).__name__}")
        if not isinstance(data, Sequence) or isinstance(data, (str, bytes)):
            try:
                data = list(data)  # type: ignore[call-overload, unused-ignore]
            except TypeError:
                raise InvalidTypeError(
                    f"data must be a sequence of numbers, got {type(data).__name__}"
                ) from None
        chunks = [data[i : i + chunk_size] for i in range(0, len(data) - chunk_size + 1, chunk_size)]
        return cls.from_reference([statistic(c) for c in chunks], k=k, clear_k=clear_k)

    def level(self, op: str) -> float:
        """The static trigger level (only for mean/sigma baselines)."""
        _check_op(op, "baseline level")
        if op not in _UPWARD + _DOWNWARD:
            raise InvalidArgumentError(
                f"baseline level: needs an ordering comparator (>, >=, <, <=), got {op!r}"
            )
        if self.mean is None or self.sigma is None:
            raise InvalidArgumentError("a history baseline has no static level")
        if isinstance(self.mean, str) or isinstance(self.sigma, str):
            raise InvalidArgumentError(
                "baseline level: mean and sigma with units are resolved against a signal; use the "
                "baseline in a Rule or Threshold (or give numbers)"
            )
        return baseline_level(
            finite_number(self.mean, "baseline mean"),
            finite_number(self.sigma, "baseline sigma"),
            float(self.k),
            op,
        )


def baseline_level(mean: float, sigma: float, k: float, op: str) -> float:
    if k == 0:  # also when sigma is inf (0 * inf is NaN)
        return mean
    return mean + k * sigma if op in _UPWARD else mean - k * sigma


@dataclass(frozen=True, slots=True)
class Threshold(Condition):
    """``signal op value``: a static threshold, or a :class:`Baseline`. ``clear`` is the
    hysteresis clear level, used while the rule is pending or firing (for ``>``: the rule stays
    active while ``signal > clear``; ``clear`` must be on the safe side of the trigger level)."""

    signal: str
    op: str
    value: Quantity | Baseline
    clear: Quantity | None = None

    def __post_init__(self) -> None:
        check_str(self.signal, "threshold signal (a dotted name such as 'latency.p99_ms')", empty=False)
        what = f"threshold on {show(self.signal)}"
        _check_op(self.op, what)
        unit = signal_unit(self.signal)
        if isinstance(self.value, Baseline):
            b = self.value
            if self.op not in _UPWARD + _DOWNWARD:
                raise InvalidArgumentError(f"{what}: a baseline needs an ordering comparator (>, >=, <, <=)")
            if b.mean is not None and b.sigma is not None:
                mean = parse_quantity(b.mean, unit, f"{what}: baseline mean")
                sigma = parse_quantity(b.sigma, unit, f"{what}: baseline sigma")
                if sigma < 0:
                    raise InvalidArgumentError(f"{what}: baseline sigma must be >= 0, got {show(b.sigma)}")
                object.__setattr__(
                    self, "value", Baseline(b.k, mean, sigma, 0, None, b.clear_k, b.freeze_when_active)
                )
            if self.clear is not None:
                raise InvalidArgumentError(f"{what}: use Baseline(clear_k=...) for hysteresis on a baseline")
        else:
            level = parse_quantity(self.value, unit, f"{what}: threshold")
            object.__setattr__(self, "value", level)
            if self.clear is not None:
                clear = parse_quantity(self.clear, unit, f"{what}: clear")
                object.__setattr__(self, "clear", clear)
                if self.op in _UPWARD and clear > level or self.op in _DOWNWARD and clear < level:
                    raise InvalidArgumentError(
                        f"{what}: clear level {clear:g} must be on the safe side of the trigger "
                        f"{level:g} (for {show(self.op)}: clear {'<=' if self.op in _UPWARD else '>='} trigger)"
                    )
                if self.op not in _UPWARD + _DOWNWARD:
                    raise InvalidArgumentError(
                        f"{what}: hysteresis needs an ordering comparator (>, >=, <, <=)"
                    )

    def signals(self) -> tuple[str, ...]:
        return (self.signal,)


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
        check_str(self.signal, "rate of change signal (a dotted name)", empty=False)
        what = f"rate of change of {show(self.signal)}"
        _check_op(self.op, what)
        object.__setattr__(self, "relative", check_bool(self.relative, f"{what}: relative"))
        unit = DIMENSIONLESS if self.relative else signal_unit(self.signal)
        object.__setattr__(self, "value", parse_quantity(self.value, unit, f"{what}: change"))
        window = parse_duration(self.window, f"{what}: window")
        if window <= 0:
            raise InvalidArgumentError(f"{what}: window must be > 0")
        object.__setattr__(self, "window", window)
        res = check_int(self.resolution, f"{what}: resolution", 1, MAX_RESOLUTION)
        object.__setattr__(self, "resolution", res)

    def signals(self) -> tuple[str, ...]:
        return (self.signal,)


BurnWindow = tuple[Quantity, Quantity, float]


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

    total: str | tuple[str, ...]
    objective: Quantity
    windows: tuple[BurnWindow, ...]
    good: str | tuple[str, ...] | None = None
    bad: str | tuple[str, ...] | None = None
    resolution: int = 60
    partial_windows: bool = True

    def __post_init__(self) -> None:
        what = "burn rate"
        object.__setattr__(self, "total", _names(self.total, f"{what}: total"))
        if (self.good is None) == (self.bad is None):
            raise InvalidArgumentError(f"{what}: give exactly one of good= or bad= counters")
        if self.good is not None:
            object.__setattr__(self, "good", _names(self.good, f"{what}: good"))
        if self.bad is not None:
            object.__setattr__(self, "bad", _names(self.bad, f"{what}: bad"))
        obj = parse_quantity(self.objective, DIMENSIONLESS, f"{what}: objective")
        if not 0 < obj < 1:
            raise InvalidArgumentError(
                f"{what}: objective must be in (0, 1) (e.g. '99.9%'), got {show(self.objective)}"
            )
        object.__setattr__(self, "objective", obj)
        if not isinstance(self.windows, (tuple, list)):
            raise InvalidTypeError(
                f"{what}: windows must be a list of (long, short, factor) rows, got {type(self.windows).__name__}"
            )
        if not self.windows:
            raise InvalidArgumentError(f"{what}: needs at least one (long, short, factor) window row")
        if len(self.windows) > MAX_BURN_ROWS:
            raise InvalidArgumentError(
                f"{what}: at most {MAX_BURN_ROWS} window rows, got {len(self.windows)}"
            )
        rows = []
        for i, row in enumerate(self.windows):
            if not isinstance(row, (tuple, list)) or len(row) != 3:
                raise InvalidArgumentError(
                    f"{what}: windows[{i}] must be (long, short, factor), got {show(row)}"
                )
            long_w = parse_duration(row[0], f"{what}: windows[{i}] long")
            short_w = parse_duration(row[1], f"{what}: windows[{i}] short")
            factor = parse_quantity(row[2], DIMENSIONLESS, f"{what}: windows[{i}] factor")
            if not 0 < short_w <= long_w:
                raise InvalidArgumentError(f"{what}: windows[{i}] needs 0 < short <= long, got {show(row)}")
            if factor <= 0:
                raise InvalidArgumentError(f"{what}: windows[{i}] factor must be > 0")
            rows.append((long_w, short_w, factor))
        object.__setattr__(self, "windows", tuple(rows))
        res = check_int(self.resolution, f"{what}: resolution", 1, MAX_RESOLUTION)
        object.__setattr__(self, "resolution", res)
        object.__setattr__(
            self, "partial_windows", check_bool(self.partial_windows, f"{what}: partial_windows")
        )

    def signals(self) -> tuple[str, ...]:
        names = cast(tuple[str, ...], self.total) + cast(tuple[str, ...], self.good or self.bad or ())
        return names


def _names(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    err = InvalidArgumentError if isinstance(value, (str, list, tuple)) else InvalidTypeError
    raise err(f"{what}: expected a signal name or a non-empty list of names, got {show(value)}")


@dataclass(frozen=True, slots=True)
class RuleRef(Condition):
    """The condition of another rule at this evaluation (``firing=False``), or whether that rule
    is firing after this evaluation (``firing=True``). Rules are evaluated in dependency order;
    cycles are rejected."""

    rule: str
    firing: bool = False

    def __post_init__(self) -> None:
        check_str(self.rule, "rule reference (a rule name)", empty=False)
        check_bool(self.firing, f"reference to rule {show(self.rule)}: firing")
        object.__setattr__(self, "firing", bool(self.firing))

    def signals(self) -> tuple[str, ...]:
        return ()

    def refs(self) -> tuple[str, ...]:
        return (self.rule,)


def _as_condition(c: object) -> Condition:
    if isinstance(c, Condition):
        return c
    if isinstance(c, str):
        return RuleRef(c)
    raise InvalidTypeError(
        f"composite conditions take Condition objects or rule names, got {type(c).__name__}"
    )


def children(c: Condition) -> tuple[Condition, ...]:
    """The direct sub-conditions of ``c`` (empty for a leaf)."""
    if isinstance(c, _Composite):
        return c.conditions
    if isinstance(c, Not):
        return (c.condition,)
    return ()


def depth(c: Condition) -> int:
    """Nesting depth of ``c`` (a leaf is 1), computed without recursion."""
    best = 0
    stack = [(c, 1)]
    while stack:
        x, d = stack.pop()
        best = max(best, d)
        if d > MAX_DEPTH:
            break
        stack.extend((ch, d + 1) for ch in children(x))
    return best


def _check_depth(kids: tuple[Condition, ...], what: str) -> None:
    d = 1 + max((depth(k) for k in kids), default=0)
    if d > MAX_DEPTH:
        raise InvalidArgumentError(
            f"{what}: conditions nested {d} deep; at most {MAX_DEPTH} levels of all/any/not are allowed"
        )


@dataclass(frozen=True, slots=True, init=False)
class _Composite(Condition):
    """A combination of conditions (strings are :class:`RuleRef` names); subclasses say how."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition | str) -> None:
        if len(conditions) < 1:
            raise InvalidArgumentError(f"{type(self).__name__} needs at least one condition")
        kids = tuple(_as_condition(c) for c in conditions)
        _check_depth(kids, type(self).__name__)
        object.__setattr__(self, "conditions", kids)

    def signals(self) -> tuple[str, ...]:
        return tuple(s for c in self.conditions for s in c.signals())

    def refs(self) -> tuple[str, ...]:
        return tuple(r for c in self.conditions for r in c.refs())


@dataclass(frozen=True, slots=True, init=False)
class AllOf(_Composite):
    """AND of conditions (strings are :class:`RuleRef` names). "no data" if none is false and some
    has no data. Every child is evaluated every time, so their histories stay complete."""


@dataclass(frozen=True, slots=True, init=False)
class AnyOf(_Composite):
    """OR of conditions (strings are :class:`RuleRef` names). "no data" if none is true and some
    has no data."""


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """Negation ("no data" stays "no data")."""

    condition: Condition

    def __post_init__(self) -> None:
        kid = _as_condition(self.condition)
        _check_depth((kid,), "Not")
        object.__setattr__(self, "condition", kid)

    def signals(self) -> tuple[str, ...]:
        return self.condition.signals()

    def refs(self) -> tuple[str, ...]:
        return self.condition.refs()


__all__ = [
    "OPS",
    "AllOf",
    "AnyOf",
    "Baseline",
    "BurnRate",
    "BurnWindow",
    "Condition",
    "Not",
    "RateOfChange",
    "RuleRef",
    "MAX_BURN_ROWS",
    "MAX_DEPTH",
    "MAX_HISTORY",
    "MAX_RESOLUTION",
    "Threshold",
    "baseline_level",
    "children",
    "depth",
]
