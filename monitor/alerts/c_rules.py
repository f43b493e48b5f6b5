"""Rules evaluated by the C core (``csrc/mon_rules.h``): the engine's Threshold and RateOfChange rules.

Part of :mod:`monitor.alerts`, internal to it, and the only module of the package that calls
``mon_rule_*``. For a rule whose condition is a :class:`~monitor.alerts.Threshold` (static level
or fixed-mean :class:`~monitor.alerts.Baseline`, op ``>``, ``>=``, ``<``, ``<=``, optional
``clear``) or a :class:`~monitor.alerts.RateOfChange` (``resolution + 2 <=``
``MON_RULE_MAX_SAMPLES`` = 64), :func:`c_evaluator` returns a :class:`CRuleEval`: the C
evaluator decides the condition *and* the pending / firing / keep-firing-for state machine,
exactly as ``mon_rule_step`` does on a device. The engine puts all its C rules in one
:class:`CRuleBatch` (contiguous arrays, one ``mon_rule_step_many`` call per evaluation) and keeps
notification, silences, logging and the seconds shown in alerts. Other conditions (``==``, ``!=``, learned baselines,
composites, burn rates, rule references) stay on the Python evaluators.

Time: the engine's seconds become C ticks of one nanosecond, ``tick(t) = round(t * 1e9) +
2**63`` (the float product rounded half to even, clamped to [0, 2**64 - 1]), durations
``round(d * 1e9)``. So ``for_`` / ``keep_firing_for`` / windows are compared in exact integer
nanoseconds (the Python evaluators compared float differences ``now - since >= for_``, which
round: with times 0.1 and 0.4 and ``for_=0.3`` both fire; the integer rule is the exact one and
is the one the device uses). Values: a threshold rule passes the float of the value; a value
whose float is rounded (an integer beyond 2**53, ``Fraction``, ``Decimal``, ``longdouble``) is
passed as its float rounded toward the side that keeps the comparison exact (up for ``>`` and
``<=``, down for ``>=`` and ``<``: no double lies strictly between the value and that float, so
the C comparison with any double level gives the exact result).
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from .._ffi import check, ffi, lib, raise_status
from ..errors import CorruptDataError
from .conditions import Baseline, Condition, RateOfChange, Threshold, baseline_level
from .evaluators import Evaluator, Firing, Results, Signals
from .rules import AlertState

__all__ = ["CRuleBatch", "CRuleEval", "c_evaluator", "tick_of", "ticks_of", "seconds_of"]

TICK_BIAS = 1 << 63
_TICK_MAX = (1 << 64) - 1
_LIMIT = 9223372036854775808.0  # 2**63 as a float
MAX_SAMPLES: int = int(lib.MON_RULE_MAX_SAMPLES)
_OPS = {">": lib.MON_RULE_GT, ">=": lib.MON_RULE_GE, "<": lib.MON_RULE_LT, "<=": lib.MON_RULE_LE}
_PHASES = (AlertState.INACTIVE, AlertState.PENDING, AlertState.FIRING)
_PHASE_OF = {AlertState.INACTIVE: 0, AlertState.PENDING: 1, AlertState.FIRING: 2}
_COND = (False, True, None)
_UP = (">", "<=")  # ops whose exact comparison survives rounding the value up
_step_many = lib.mon_rule_step_many
MAX_BATCH: int = int(lib.MON_RULE_MAX_BATCH)
_EVENT = np.dtype(
    {
        "names": ["phase", "transition", "condition", "has_value", "value"],
        "formats": ["<u4", "<u4", "<u4", "<u4", "<f8"],
        "offsets": [
            ffi.offsetof("mon_rule_event", f)
            for f in ("phase", "transition", "condition", "has_value", "value")
        ],
        "itemsize": ffi.sizeof("mon_rule_event"),
    }
)
_NAN = math.nan
_FLOAT = {float}


def tick_of(t: float) -> int:
    """The C tick (nanoseconds + 2**63) of an evaluation time in seconds."""
    x = t * 1e9
    if x >= _LIMIT:
        return _TICK_MAX
    if x <= -_LIMIT:
        return 0
    return round(x) + TICK_BIAS


def ticks_of(d: float) -> int:
    """A duration in seconds (>= 0) as nanosecond ticks."""
    x = d * 1e9
    return _TICK_MAX if x >= 2 * _LIMIT else round(x)


def seconds_of(tick: int) -> float:
    """The seconds of a tick (correctly rounded; for display and saved state)."""
    return (tick - TICK_BIAS) / 10**9


def _directed(v: object, up: bool) -> float:
    """The float of an exact number, rounded toward +inf (up) or -inf."""
    f = float(v)  # type: ignore[arg-type]
    if up and f < v:  # type: ignore[operator]
        return math.nextafter(f, math.inf)
    if not up and f > v:  # type: ignore[operator]
        return math.nextafter(f, -math.inf)
    return f


class CRuleEval(Evaluator):
    """A rule's condition and state machine in one ``mon_rule_state`` (see the module). Until
    :class:`CRuleBatch` binds it, the rule owns its config and state; bound, they are slot
    ``index`` of the batch's arrays and its ``value`` is current after :meth:`CRuleBatch.sync`."""

    __slots__ = ("batch", "cfg", "event", "index", "rate", "signal", "st", "up")

    def __init__(self, signal: str, cfg: object, rate: bool, up: bool, level: float) -> None:
        self.batch: CRuleBatch | None = None
        self.index = 0
        super().__init__()
        self.signal = signal
        self.cfg = cfg
        self.rate = rate
        self.up = up
        self.level = level
        self.st = ffi.new("mon_rule_state *")
        self.event = ffi.new("mon_rule_event *")
        check(lib.mon_rule_init(cfg, self.st), f"rule on {signal}")

    def evaluate(self, sig: Signals, now: float, res: Results, firing: Firing, active: bool) -> bool | None:
        raise NotImplementedError("a C rule is stepped by the engine (CRuleBatch.step)")  # pragma: no cover

    @property
    def keep_running(self) -> bool:
        return bool(self.st.keep_running)

    def load(
        self,
        state: AlertState,
        active_at: float | None,
        fired_at: float | None,
        keep_since: float | None,
        last: float | None,
    ) -> None:
        """Set the C state from the engine's saved timers (seconds, already validated)."""
        st = self.st
        st.phase = _PHASE_OF[state]
        st.active_since = 0 if active_at is None else tick_of(active_at)
        st.fired_at = 0 if fired_at is None else tick_of(fired_at)
        st.keep_running = int(keep_since is not None)
        st.keep_since = 0 if keep_since is None else tick_of(keep_since)
        st.has_last = int(last is not None)
        st.last_tick = 0 if last is None else tick_of(last)
        if st.n_samples and last is None:
            raise CorruptDataError("rate-of-change samples without a last evaluation time")
        if st.n_samples and self._sample(st.n_samples - 1).tick > st.last_tick:
            raise CorruptDataError(
                "a rate-of-change sample is after the last evaluation time (samples in the future are refused)"
            )

    def _sample(self, i: int) -> Any:
        """The i-th oldest sample of the ring."""
        return self.st.samples[(self.st.head + i) % MAX_SAMPLES]

    def state(self) -> object:
        if not self.rate:
            return None
        rows = [self._sample(i) for i in range(self.st.n_samples)]
        return {
            "samples": [[seconds_of(s.tick), s.value] for s in rows],
            "ticks": [int(s.tick) for s in rows],
        }

    def restore(self, data: object) -> None:
        if not self.rate:
            super().restore(data)
            return
        if not isinstance(data, dict) or not isinstance(data.get("samples"), list):
            raise CorruptDataError("alert state: rate-of-change condition needs 'samples' (a list)")
        rows = data["samples"]
        if len(rows) > self.cfg.resolution + 2:  # type: ignore[attr-defined]
            raise CorruptDataError(
                f"alert state: {len(rows)} rate-of-change samples, more than resolution + 2"
            )
        values: list[float] = []
        times: list[float] = []
        for r in rows:
            if (
                not isinstance(r, list)
                or len(r) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in r)
                or not all(math.isfinite(x) for x in r)
            ):
                raise CorruptDataError(f"alert state: rate-of-change sample {r!r} is not [time, value]")
            times.append(float(r[0]))
            values.append(float(r[1]))
        ticks = data.get("ticks")
        if ticks is None:  # a state saved by the Python evaluator
            ticks = [tick_of(t) for t in times]
        if (
            not isinstance(ticks, list)
            or len(ticks) != len(rows)
            or not all(type(t) is int and 0 <= t <= _TICK_MAX for t in ticks)
        ):
            raise CorruptDataError("alert state: rate-of-change 'ticks' must be one tick per sample")
        if any(ticks[i] > ticks[i + 1] for i in range(len(ticks) - 1)):
            raise CorruptDataError("alert state: rate-of-change samples are not in time order")
        st = self.st
        st.n_samples = len(rows)
        st.head = 0
        for i, (t, v) in enumerate(zip(ticks, values)):
            st.samples[i].tick = t
            st.samples[i].value = v

    def times(self) -> list[float]:
        """None in seconds: :meth:`load` checks the sample ticks against the last evaluation's
        tick (the same mapping recorded them; seconds rebuilt from ticks may round past it)."""
        return []


def c_evaluator(c: Condition, for_: float, keep_firing_for: float, keep_data: bool) -> CRuleEval | None:
    """The C evaluator of a rule, or None when the C core does not cover its condition."""
    cfg = ffi.new("mon_rule_config *")
    if isinstance(c, Threshold):
        if c.op not in _OPS:
            return None
        if isinstance(c.value, Baseline):
            b = c.value
            if b.history > 0 or b.mean is None or b.sigma is None:
                return None
            mean, sigma = float(b.mean), float(b.sigma)
            level = baseline_level(mean, sigma, b.k, c.op)
            clear = None if b.clear_k is None else baseline_level(mean, sigma, b.clear_k, c.op)
        else:
            level = float(cast(float, c.value))
            clear = None if c.clear is None else float(cast(float, c.clear))
        if math.isnan(level) or (clear is not None and math.isnan(clear)):
            return None
        cfg.kind = lib.MON_RULE_THRESHOLD
        rate = False
    elif isinstance(c, RateOfChange):
        if c.op not in _OPS or c.resolution + 2 > MAX_SAMPLES:
            return None
        level, clear = float(cast(float, c.value)), None
        window = ticks_of(float(cast(float, c.window)))
        if window == 0:
            return None
        cfg.kind = lib.MON_RULE_RATE
        cfg.window_ticks = window
        cfg.resolution = c.resolution
        cfg.relative = int(c.relative)
        rate = True
    else:
        return None
    cfg.op = _OPS[c.op]
    cfg.threshold = level
    cfg.has_clear = int(clear is not None)
    cfg.clear_threshold = 0.0 if clear is None else clear
    cfg.no_data = lib.MON_RULE_NODATA_KEEP if keep_data else lib.MON_RULE_NODATA_FALSE
    cfg.for_ticks = ticks_of(for_)
    cfg.keep_firing_for_ticks = ticks_of(keep_firing_for)
    field = ffi.new("uint32_t *")
    if lib.mon_rule_config_check(cfg, field) != 0:  # pragma: no cover - the Python checks come first
        return None
    return CRuleEval(c.signal, cfg, rate, c.op in _UP, level)


class CRuleBatch:
    """The C rules of one engine in contiguous arrays (configs, states, events, values), stepped
    with one ``mon_rule_step_many`` call per evaluation (:meth:`step`).

    Binding moves each rule's config, state and value into slot ``i`` (the rule's ``cfg`` /
    ``st`` / ``event`` then point into the arrays, so its save / load / restore work as before).
    ``referenced`` and ``in_no_data`` are per-rule flags (index order): :meth:`step` reports a
    referenced rule every time, and a rule that was in no data at its next step."""

    __slots__ = (
        "cfgs",
        "condition",
        "done",
        "events",
        "ev_has",
        "ev_value",
        "exact",
        "has_last",
        "hlist",
        "vlist",
        "plist",
        "clist",
        "last",
        "n",
        "names",
        "nans",
        "phase",
        "rules",
        "states",
        "sticky",
        "transition",
        "vals",
        "vp",
        "watch",
    )

    def __init__(self, rules: list[CRuleEval], referenced: list[bool], in_no_data: list[bool]) -> None:
        n = len(rules)
        if not 0 < n <= MAX_BATCH:
            raise ValueError(f"a C rule batch holds 1 to {MAX_BATCH} rules, got {n}")
        self.n = n
        self.rules = rules
        self.cfgs = ffi.new("mon_rule_config[]", n)
        self.states = ffi.new("mon_rule_state[]", n)
        self.events = ffi.new("mon_rule_event[]", n)
        self.done = ffi.new("size_t *")
        self.vals = np.full(n, _NAN)
        self.vp = ffi.from_buffer("double[]", self.vals)
        ev = np.frombuffer(ffi.buffer(self.events), dtype=_EVENT)
        self.phase = ev["phase"]
        self.transition = ev["transition"]
        self.condition = ev["condition"]
        self.ev_value = ev["value"]
        self.ev_has = ev["has_value"]
        self.last = np.zeros(n)
        self.has_last = np.zeros(n, dtype=bool)
        # the same as Python lists (cheap to index): last values, and after a step phases, conditions
        self.vlist: list[float] = [0.0] * n
        self.hlist: list[bool] = [False] * n
        self.plist: list[int] = [0] * n
        self.clist: list[int] = [0] * n
        self.watch = np.array(referenced, dtype=bool)
        self.sticky = self.watch | np.array(in_no_data, dtype=bool)  # referenced or in no data
        self.nans = [_NAN] * n
        self.names = [r.signal for r in rules]
        # (index, rate, up) of every rule: the conversion of a value that is not a float
        self.exact = [(i, r.rate, r.up) for i, r in enumerate(rules)]
        for i, r in enumerate(rules):
            v = r.value
            self.cfgs[i] = r.cfg[0]  # type: ignore[index]
            self.states[i] = r.st[0]
            r.cfg = self.cfgs + i
            r.st = self.states + i
            r.event = self.events + i
            r.batch = self
            r.index = i
            if v is not None:
                self.last[i] = self.vlist[i] = v
                self.has_last[i] = self.hlist[i] = True

    def sync(self) -> None:
        """Set every rule's ``value`` to its last compared quantity (the steps keep them in the
        batch's arrays; the engine sets those of the rules it works on itself)."""
        for r, h, v in zip(self.rules, self.hlist, self.vlist):
            if h:
                r.value = v

    def step(self, sig: Signals, tick: int) -> list[int]:
        """Step every rule at ``tick`` on its signal's value in ``sig`` (absent: no data); the
        indices of the rules that need the engine's attention, in index order: a transition, a
        firing rule (keep-firing-for timer, renotification), no data now or at the last step, or
        a rule other rules reference. Raises the failing rule's status (the rules before it are
        stepped, it and those after unchanged)."""
        xs = list(map(sig.get, self.names, self.nans))
        vals = self.vals
        fix = None
        if set(map(type, xs)) == _FLOAT:  # floats only (missing: NaN)
            vals[:] = xs
        else:  # exact numbers: thresholds get the directed float (see the module)
            fix = []
            for (i, rate, up), x in zip(self.exact, xs):
                if type(x) is float:
                    vals[i] = x
                else:
                    vals[i] = float(x) if rate else _directed(x, up)
                    if not rate:
                        fix.append((i, float(x)))
        s = _step_many(self.cfgs, self.states, self.n, tick, self.vp, self.events, self.done)
        value, has = self.ev_value, self.ev_has
        if s == 0:
            hv = has != 0
            np.copyto(self.last, value, where=hv)
            np.logical_or(self.has_last, hv, out=self.has_last)
        else:
            done = int(self.done[0])
            hv = has[:done] != 0
            np.copyto(self.last[:done], value[:done], where=hv)
            self.has_last[:done] |= hv
        if fix:
            for i, f in fix:
                if has[i] and (s == 0 or i < int(self.done[0])):
                    self.last[i] = f
        if s:
            raise_status(s, f"rule on {self.names[int(self.done[0])]}")
        need = self.transition != 0
        need |= self.phase == 2
        nodata = self.condition == 2
        need |= nodata
        need |= self.sticky
        np.logical_or(nodata, self.watch, out=self.sticky)
        self.vlist = self.last.tolist()
        self.hlist = self.has_last.tolist()
        self.plist = self.phase.tolist()
        self.clist = self.condition.tolist()
        return np.flatnonzero(need).tolist()
