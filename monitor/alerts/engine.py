"""The alert engine: evaluates rules against snapshots, keeps their state, returns transitions.

Part of :mod:`monitor.alerts` (import the public names from there). The engine owns one
evaluator per rule (:mod:`monitor.alerts.evaluators`), the Prometheus state machine (inactive,
pending, firing; ``for_``, ``keep_firing_for``, no data), silences, callbacks and logging, and
the JSON state that :meth:`AlertEngine.state` saves and :meth:`AlertEngine.restore` resumes.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import (
    Protocol,
    cast,
)

from ..errors import InvalidArgumentError, InvalidTypeError
from ..signals import check_signal
from .c_rules import CRuleBatch, tick_of
from .evaluators import (
    Firing,
    Results,
    SnapshotLike,
    read_snapshot,
    signals_of,
)
from .routing import Router
from .rules import (
    Alert,
    AlertState,
    Labels,
    Rule,
    Severity,
    Silence,
    dependency_order,
)
from .state import STATE_FORMAT, STATE_VERSION, RuleRuntime, read_state, save_rule
from .units import check_bool, finite_number, real_number, show

_COND = (False, True, None)  # mon_rule_cond
_PHASES = (AlertState.INACTIVE, AlertState.PENDING, AlertState.FIRING)  # mon_rule_phase


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
    active_since: float | None
    fired_at: float | None
    value: float | None
    threshold: float | None
    evaluations: int
    no_data: int
    details: Mapping[str, object] = field(default_factory=dict)


class AlertEngine:
    """Evaluates rules against snapshots and returns the transitions.

    ``clock`` returns seconds (default :func:`time.time`; use a wall clock if silences or state
    must survive restarts). ``logger`` has the article's ``log(event, level="info", **context)``
    interface (default: the stdlib logger ``monitor.alerts`` with the context in ``extra``).
    ``on_alert`` callbacks receive every non-silenced transition; an exception in a callback is
    logged (``alert_callback_error``) and does not stop evaluation; a callback must not call
    :meth:`evaluate` or :meth:`restore` (refused with an error, which is logged). ``extra_signals``
    extends the known-signal patterns (globs); ``validate_signals=False`` accepts any name.

    **Bad data never raises from** :meth:`evaluate`: a snapshot value that is not a real number
    (strings, bools, None, containers), NaN, a number beyond the double range (``10**400``) or a
    lookup that raises is "no data" for the rules reading it (logged in ``alert_no_data`` with the
    reason); numbers of every type (numpy scalars of any dtype, ``Decimal``, ``Fraction``,
    integers beyond 2**53) are compared with thresholds exactly. The clock: a reading that is
    not a finite number, that raises, or that is earlier than the last evaluation is a *clock
    fault* (counted in :attr:`clock_faults`, logged as ``alert_clock_fault``): the evaluation
    runs at the last evaluation time (time holds still, so a rule whose condition cleared still
    resolves) or, before the first evaluation, is skipped. A forward jump is time passing.

    **Thread-safe**: every method holds the engine's lock, so evaluations from many threads are
    serialised (each reads the clock inside the lock, so times never go backwards because of a
    race); callbacks and the logger run inside it.
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        clock: Callable[[], float] | None = None,
        *,
        state: Mapping[str, object] | None = None,
        logger: EventLogger | None = None,
        on_alert: Callable[[Alert], None] | Sequence[Callable[[Alert], None]] | None = None,
        silences: Iterable[Silence] = (),
        router: Router | None = None,
        extra_signals: Iterable[str] = (),
        validate_signals: bool = True,
    ) -> None:
        import time

        self._lock = threading.RLock()
        self._busy = False  # inside evaluate/restore (a callback calling back is refused)
        self._clock_faults = 0
        self._in_clock_fault = False
        self._log_errors = 0
        if isinstance(rules, (str, bytes, Mapping)) or not isinstance(rules, Iterable):
            raise InvalidTypeError(
                f"AlertEngine rules: expected an iterable of Rule, got {type(rules).__name__}"
            )
        self._rules = list(rules)
        if clock is not None and not callable(clock):
            raise InvalidTypeError(
                f"AlertEngine clock: expected a callable returning seconds, got {type(clock).__name__}"
            )
        self._clock: Callable[[], float] = clock if clock is not None else time.time
        if logger is not None and not callable(getattr(logger, "log", None)):
            raise InvalidTypeError(
                f"AlertEngine logger: expected an object with log(event, level, **context), got {type(logger).__name__}"
            )
        self._logger: EventLogger = (
            logger if logger is not None else _StdlibLogger(logging.getLogger("monitor.alerts"))
        )
        if on_alert is None:
            self._callbacks: list[Callable[[Alert], None]] = []
        elif callable(on_alert):
            self._callbacks = [on_alert]
        elif isinstance(on_alert, (list, tuple)) and all(callable(cb) for cb in on_alert):
            self._callbacks = list(on_alert)
        else:
            raise InvalidTypeError(
                f"AlertEngine on_alert: expected a callable or a list of callables, got {type(on_alert).__name__}"
            )
        if isinstance(silences, (str, bytes, Mapping)) or not isinstance(silences, Iterable):
            raise InvalidTypeError(
                f"AlertEngine silences: expected an iterable of Silence, got {type(silences).__name__}"
            )
        self._silences: list[Silence] = list(silences)
        for x in self._silences:
            if not isinstance(x, Silence):
                raise InvalidTypeError(
                    f"AlertEngine silences: expected Silence objects, got {type(x).__name__}"
                )
        if router is not None and not isinstance(router, Router):
            raise InvalidTypeError(f"AlertEngine router: expected a Router, got {type(router).__name__}")
        self._router = router if router is not None else Router()
        if isinstance(extra_signals, str):
            extra_signals = (extra_signals,)
        if not isinstance(extra_signals, Iterable):
            raise InvalidTypeError(
                f"AlertEngine extra_signals: expected a list of names or globs, got {type(extra_signals).__name__}"
            )
        self._extra = tuple(extra_signals)
        for pat in self._extra:
            if not isinstance(pat, str):
                raise InvalidTypeError(
                    f"AlertEngine extra_signals: expected strings, got {type(pat).__name__}"
                )
        check_bool(validate_signals, "AlertEngine validate_signals")
        if state is not None and not isinstance(state, Mapping):
            raise InvalidTypeError(
                f"AlertEngine state: expected a mapping from state(), got {type(state).__name__}"
            )
        names: dict[str, Rule] = {}
        for r in self._rules:
            if not isinstance(r, Rule):
                raise InvalidTypeError(f"AlertEngine takes Rule objects, got {type(r).__name__}")
            if r.name in names:
                raise InvalidArgumentError(f"duplicate rule name {show(r.name)}")
            names[r.name] = r
            if validate_signals:
                for s in r.cond.signals():
                    check_signal(s, self._extra, f"rule {show(r.name)}")
        self._order = dependency_order(self._rules, names)
        self._rt: dict[str, RuleRuntime] = {
            r.name: RuleRuntime(r, self._router.route(r)) for r in self._order
        }
        self._runtimes = [self._rt[r.name] for r in self._order]
        self._referenced = {ref for r in self._rules for ref in r.cond.refs()}
        self._needed = tuple(sorted({s for r in self._rules for s in r.cond.signals()}))
        for rt in self._runtimes:
            rt.referenced = rt.name in self._referenced
        self._bind()
        self._last_now: float | None = None
        self._evaluations = 0
        self._results: Results = {}
        self._firing: Firing = {}
        if state is not None:
            self.restore(state)

    def _bind(self) -> None:
        """Put the C rules of the runtimes in one :class:`CRuleBatch` (one C call per evaluation)
        and note where the C and Python rules are in the evaluation order."""
        crts = [rt for rt in self._runtimes if rt.c is not None]
        self._batch = (
            CRuleBatch([rt.c for rt in crts], [rt.referenced for rt in crts], [rt.in_no_data for rt in crts])  # type: ignore[misc]
            if crts
            else None
        )
        self._c_rts = crts
        pos = {rt.name: k for k, rt in enumerate(self._runtimes)}
        self._c_pos = [pos[rt.name] for rt in crts]
        self._py_rts = [rt for rt in self._runtimes if rt.c is None]
        self._py_pos = [pos[rt.name] for rt in self._py_rts]

    def _sync(self) -> None:
        """The C rules' last values into their evaluators (for status, state, active)."""
        if self._batch is not None:
            self._batch.sync()

    # -- configuration ------------------------------------------------------------------------

    @classmethod
    def from_file(
        cls,
        path: str,
        clock: Callable[[], float] | None = None,
        *,
        extra_signals: Iterable[str] = (),
        snapshot: SnapshotLike | None = None,
        **kwargs: object,
    ) -> AlertEngine:
        """An engine with the rules and silences of a TOML/JSON rule file (see :func:`monitor.alerts.load_rules`);
        other keyword arguments go to the constructor."""
        from .config import load_config

        cfg = load_config(path, extra_signals=extra_signals, snapshot=snapshot)
        given = kwargs.pop("silences", ())
        if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
            raise InvalidTypeError(
                f"AlertEngine silences: expected an iterable of Silence, got {type(given).__name__}"
            )
        silences = list(cast(Iterable[Silence], given)) + cfg.silences
        return cls(cfg.rules, clock, silences=silences, extra_signals=cfg.extra_signals, **kwargs)  # type: ignore[arg-type]

    @property
    def rules(self) -> list[Rule]:
        return list(self._rules)

    def add_silence(self, silence: Silence) -> None:
        """Add a silence (kept in :meth:`state` until it expires)."""
        if not isinstance(silence, Silence):
            raise InvalidTypeError(f"add_silence takes a Silence, got {type(silence).__name__}")
        with self._lock:
            self._silences.append(silence)

    @property
    def silences(self) -> list[Silence]:
        with self._lock:
            return list(self._silences)

    @property
    def clock_faults(self) -> int:
        """Clock readings refused so far (not a finite number, raised, or earlier than the last
        evaluation): the evaluation ran at the last evaluation time, or was skipped. The first
        fault of a run is logged (``alert_clock_fault``), the others only counted."""
        return self._clock_faults

    @property
    def log_errors(self) -> int:
        """Calls to the logger that raised (the event was lost; evaluation went on)."""
        return self._log_errors

    def validate_against(self, snapshot: SnapshotLike) -> None:
        """Raise :class:`InvalidArgumentError` naming every rule signal the snapshot does not have."""
        keys = set(signals_of(snapshot))
        missing = sorted({f"{r.name}: {s}" for r in self._rules for s in r.cond.signals() if s not in keys})
        if missing:
            raise InvalidArgumentError("signals missing from the snapshot: " + "; ".join(missing))

    # -- evaluation ---------------------------------------------------------------------------

    def _log(self, event: str, level: str = "info", **context: object) -> None:
        try:
            self._logger.log(event, level=level, **context)
        except Exception:  # noqa: BLE001 - a broken logger must not stop evaluation
            self._log_errors += 1

    def _time(self, now: object) -> float | None:
        """The evaluation time: ``now`` checked (bad input raises), or the clock's reading with
        clock faults absorbed (None: no usable time yet, skip)."""
        last = self._last_now
        if now is not None:
            given = finite_number(now, "evaluation time (now=, seconds)")
            if last is not None and given < last:
                raise InvalidArgumentError(
                    f"evaluation time went backwards: {show(given)} < {show(last)} (the last evaluation time); "
                    "times must not decrease"
                )
            return given
        problem: str | None = None
        try:
            raw = self._clock()
        except Exception as exc:  # noqa: BLE001 - a broken clock is a fault, not a crash
            raw = None
            problem = f"the clock raised {type(exc).__name__}: {exc}"
        t = None if problem is not None else real_number(raw)
        if problem is None:
            if t is None or isinstance(raw, bool):
                t, problem = None, f"the clock returned {type(raw).__name__}, not a number"
            elif not math.isfinite(t):
                t, problem = None, f"the clock returned {show(t)}"
            elif last is not None and t < last:
                t, problem = None, f"the clock stepped back from {show(last)} to {show(t)}"
        if problem is None:
            self._in_clock_fault = False
            return t
        self._clock_faults += 1
        if self._in_clock_fault:  # logged once per run of faults; every fault is counted
            return last
        self._in_clock_fault = True
        self._log(
            "alert_clock_fault",
            level="warning",
            reason=problem,
            at=last,
            action="evaluated at the last evaluation time" if last is not None else "evaluation skipped",
            clock_faults=self._clock_faults,
        )
        return last

    def evaluate(self, snapshot: SnapshotLike, now: float | None = None) -> list[Alert]:
        """Evaluate every rule at ``now`` (default: the clock) and return the transitions.

        An explicit ``now`` must be a finite number not before the last evaluation (else
        :class:`InvalidArgumentError`, nothing changed); clock faults and bad snapshot values
        never raise (see the class). ``snapshot`` that is neither a mapping nor has
        ``signals()`` is an :class:`InvalidTypeError`; a ``signals()`` that raises is no data for
        every rule."""
        if not isinstance(snapshot, Mapping) and not _has_signals(snapshot):
            signals_of(snapshot)  # raises the InvalidTypeError
        with self._lock:
            if self._busy:
                raise InvalidArgumentError(
                    "AlertEngine.evaluate called from inside an alert callback or logger"
                )
            self._busy = True
            try:
                return self._evaluate(snapshot, now)
            finally:
                self._busy = False

    def _evaluate(self, snapshot: SnapshotLike, now_arg: object) -> list[Alert]:
        if isinstance(snapshot, Mapping):
            raw: Mapping[str, object] = snapshot
        else:
            try:
                raw = signals_of(snapshot)
            except InvalidTypeError:
                raise
            except Exception as exc:  # noqa: BLE001 - the snapshot failed: no data
                self._log(
                    "alert_snapshot_error",
                    level="error",
                    error_type=type(exc).__name__,
                    error_message=_safe_str(exc),
                )
                raw = {}
        t = self._time(now_arg)
        if t is None:
            return []
        now = t
        sig, problems = read_snapshot(raw, self._needed)
        self._last_now = now
        self._evaluations += 1
        if self._silences and any(cast(float, x.end) <= now for x in self._silences):
            self._silences = [x for x in self._silences if cast(float, x.end) > now]  # expired
        res = self._results
        firing = self._firing
        out: list[Alert] = []
        INACTIVE, PENDING, FIRING = AlertState.INACTIVE, AlertState.PENDING, AlertState.FIRING
        batch = self._batch
        todo = self._py_rts
        if batch is not None:  # every C rule in one mon_rule_step_many call
            idx = batch.step(sig, tick_of(now))  # type: ignore[arg-type]
            if idx:
                crts = self._c_rts
                if not todo:
                    todo = [crts[i] for i in idx]
                else:  # in evaluation order (a Python rule may read a C rule's result)
                    cpos, runtimes = self._c_pos, self._runtimes
                    todo = [runtimes[p] for p in sorted([cpos[i] for i in idx] + self._py_pos)]
            phases, conds, hl, vl = batch.plist, batch.clist, batch.hlist, batch.vlist
        for rt in todo:
            state = rt.state
            c = rt.c
            if c is not None:  # condition and state machine in C (mon_rule_step_many)
                i = c.index
                if hl[i]:
                    c.value = vl[i]
                truth = _COND[conds[i]]
                new = _PHASES[phases[i]]
                if rt.referenced:
                    res[rt.name] = truth
                if truth is None:
                    self._no_data(rt, state, sig, problems, now)
                else:
                    rt.in_no_data = False
                if new is not state:
                    if state is INACTIVE:
                        rt.active_at = now
                    rt.keep_since = None
                    self._transition(rt, state, new, now, out)
                else:
                    if new is FIRING:
                        if not c.keep_running:
                            rt.keep_since = None
                        elif rt.keep_since is None:
                            rt.keep_since = now
                        if not rt.notified:
                            self._renotify(rt, now, out)
                continue
            ev = rt.ev
            try:
                truth = ev.evaluate(sig, now, res, firing, state is not INACTIVE)  # type: ignore[arg-type]
            except (ArithmeticError, TypeError, ValueError):  # pragma: no cover - values are clean
                truth = None
            if rt.referenced:
                res[rt.name] = truth
            if truth is False and state is INACTIVE:  # the common case: nothing to do
                rt.in_no_data = False
                continue
            if truth is None:
                self._no_data(rt, state, sig, problems, now)
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

    def _no_data(
        self,
        rt: RuleRuntime,
        state: AlertState,
        sig: Mapping[str, object],
        problems: Mapping[str, str],
        now: float,
    ) -> None:
        """Count a no-data evaluation; log ``alert_no_data`` when the rule enters that condition."""
        rt.no_data += 1
        if rt.in_no_data:
            return
        rt.in_no_data = True
        names = rt.rule.cond.signals()
        missing = [s for s in names if s not in sig]
        bad = {s: problems[s] for s in names if s in problems}
        self._log(
            "alert_no_data",
            level="warning" if missing else "info",
            rule=rt.rule.name,
            at=now,
            state=state.value,
            missing_signals=missing,
            bad_values=bad,
            reason=(
                "bad signal value"
                if bad
                else ("signal missing or NaN" if missing else "not enough history yet")
            ),
        )

    def _silenced(self, rt: RuleRuntime, now: float) -> bool:
        for s in self._silences:
            if s.matches(rt.rule, rt.route, now):
                return True
        return False

    def _transition(
        self, rt: RuleRuntime, old: AlertState, new: AlertState, now: float, out: list[Alert]
    ) -> None:
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

    def _renotify(self, rt: RuleRuntime, now: float, out: list[Alert]) -> None:
        if self._silences and self._silenced(rt, now):
            return
        rt.notified = True
        self._emit(self._alert(rt, AlertState.FIRING, now, False), out)

    def _alert(self, rt: RuleRuntime, old: AlertState, now: float, silenced: bool) -> Alert:
        r = rt.rule
        return Alert(
            rule=r.name,
            state=rt.state,
            previous=old,
            at=now,
            severity=cast(Severity, r.severity),
            route=rt.route,
            value=rt.ev.value,
            threshold=rt.ev.level,
            active_since=rt.active_at,
            labels=cast(Labels, r.labels),
            summary=r.summary,
            silenced=silenced,
        )

    def _emit(self, alert: Alert, out: list[Alert]) -> None:
        out.append(alert)
        kind = alert.kind
        if kind == "firing":
            level = (
                "error"
                if alert.severity is Severity.PAGE
                else ("warning" if alert.severity is Severity.TICKET else "info")
            )
        else:
            level = "info"
        ctx = alert.to_dict()
        self._log(f"alert_{kind}", level=level, **ctx)
        if alert.silenced:
            return
        for cb in self._callbacks:
            try:
                cb(alert)
            except Exception as exc:  # noqa: BLE001 - a broken pager must not stop evaluation of other rules
                self._log(
                    "alert_callback_error",
                    level="error",
                    rule=alert.rule,
                    error_type=type(exc).__name__,
                    error_message=_safe_str(exc),
                )

    # -- inspection ---------------------------------------------------------------------------

    def active(self) -> list[Alert]:
        """Rules currently pending or firing, as alerts (``previous`` equals ``state``)."""
        with self._lock:
            out = []
            now = self._last_now if self._last_now is not None else 0.0
            self._sync()
            for rt in self._runtimes:
                if rt.state is not AlertState.INACTIVE:
                    silenced = (
                        not rt.notified
                        if rt.state is AlertState.FIRING
                        else (bool(self._silences) and self._silenced(rt, now))
                    )
                    a = self._alert(rt, rt.state, now, silenced)
                    out.append(a)
            return out

    def status(self, name: str) -> RuleStatus:
        """State, timers, last value and condition details (baseline mean/sigma, burn rates)."""
        if not isinstance(name, str):
            raise InvalidTypeError(f"status takes a rule name (a string), got {type(name).__name__}")
        with self._lock:
            rt = self._rt.get(name)
            if rt is None:
                raise InvalidArgumentError(
                    f"no rule named {show(name)}; rules: {', '.join(sorted(self._rt))[:200]}"
                )
            self._sync()
            return RuleStatus(
                name,
                rt.state,
                rt.active_at,
                rt.fired_at,
                rt.ev.value,
                rt.ev.level,
                self._evaluations - rt.eval_base,
                rt.no_data,
                rt.ev.details(),
            )

    # -- persistence --------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        """All mutable state as a JSON-able dict (strict JSON: no NaN/inf; plain floats, ints,
        strings, lists and dicts only, so ``json.dumps(engine.state(), allow_nan=False)`` works)."""
        with self._lock:
            rules: dict[str, object] = {}
            self._sync()
            for rt in self._runtimes:
                rules[rt.rule.name] = save_rule(rt, self._evaluations - rt.eval_base)
            return {
                "format": STATE_FORMAT,
                "version": STATE_VERSION,
                "last_now": self._last_now,
                "rules": rules,
                "silences": [s.to_dict() for s in self._silences],
            }

    def restore(self, state: Mapping[str, object], strict: bool = True) -> list[str]:
        """Resume from :meth:`state` (pending timers included). With ``strict`` (default) a rule
        missing from either side or whose definition changed raises
        :class:`ConfigMismatchError`; otherwise those rules start fresh and their names are
        returned. Malformed state raises :class:`CorruptDataError`: counts that are not integers
        in [0, 2**63) (``Infinity``, ``1e400``), times that are not finite, timers or history
        samples later than the saved last evaluation time, an active rule without its timers.
        Atomic: the whole state is checked before anything changes, so a failed restore leaves
        the engine as it was. Silences in the state are added to the engine's."""
        check_bool(strict, "restore strict")
        with self._lock:
            if self._busy:
                raise InvalidArgumentError(
                    "AlertEngine.restore called from inside an alert callback or logger"
                )
            return self._restore(state, bool(strict))

    def _restore(self, state: Mapping[str, object], strict: bool) -> list[str]:
        routes = {name: rt.route for name, rt in self._rt.items()}
        fresh, last, silences, skipped = read_state(state, self._order, routes, strict)
        # Everything checked: commit.
        self._last_now = last
        self._silences = silences + [x for x in self._silences if x not in silences]
        self._rt = fresh
        self._evaluations = 0
        self._runtimes = [fresh[r.name] for r in self._order]
        for rt in self._runtimes:
            rt.referenced = rt.name in self._referenced
        self._bind()
        self._results = {}
        self._firing = {n: rt.state is AlertState.FIRING for n, rt in fresh.items()}
        return sorted(set(skipped))


def _has_signals(snapshot: object) -> bool:
    try:
        return callable(getattr(snapshot, "signals", None))
    except Exception:  # noqa: BLE001 - a hostile __getattr__
        return False


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        return f"<{type(exc).__name__} with an unprintable message>"


__all__ = ["AlertEngine", "EventLogger", "RuleStatus"]
