"""The alert engine: evaluates rules against snapshots, keeps their state, returns transitions.

Part of :mod:`monitor.alerts` (import the public names from there). The engine owns one
evaluator per rule (:mod:`monitor.alerts.evaluators`), the Prometheus state machine (inactive,
pending, firing; ``for_``, ``keep_firing_for``, no data), silences, callbacks and logging, and
the JSON state that :meth:`AlertEngine.state` saves and :meth:`AlertEngine.restore` resumes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import (
    Protocol,
    cast,
)

from ..errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError
from ..signals import check_signal
from .evaluators import (
    Firing,
    Results,
    SnapshotLike,
    compile_condition,
    read_signal,
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
    from_json_number,
    to_json_number,
)


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


class _Runtime:
    __slots__ = (
        "active_at",
        "ev",
        "eval_base",
        "fired_at",
        "for_",
        "in_no_data",
        "keep",
        "keep_data",
        "keep_since",
        "name",
        "no_data",
        "notified",
        "referenced",
        "route",
        "rule",
        "state",
    )

    def __init__(self, rule: Rule, route: str) -> None:
        self.rule = rule
        self.name = rule.name
        self.referenced = False
        self.ev = compile_condition(rule.cond)
        self.route = route
        self.for_ = cast(float, rule.for_)
        self.keep = cast(float, rule.keep_firing_for)
        self.keep_data = rule.no_data == "keep"
        self.state = AlertState.INACTIVE
        self.active_at: float | None = None
        self.fired_at: float | None = None
        self.keep_since: float | None = None
        self.notified = False
        self.eval_base = 0
        self.no_data = 0
        self.in_no_data = False


_STATE_FORMAT = "monitor.alerts.state"
_STATE_VERSION = 1


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

        self._rules = list(rules)
        self._clock: Callable[[], float] = clock if clock is not None else time.time
        self._logger: EventLogger = (
            logger if logger is not None else _StdlibLogger(logging.getLogger("monitor.alerts"))
        )
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
                raise InvalidArgumentError(f"AlertEngine takes Rule objects, got {r!r}")
            if r.name in names:
                raise InvalidArgumentError(f"duplicate rule name {r.name!r}")
            names[r.name] = r
            if validate_signals:
                for s in r.cond.signals():
                    check_signal(s, self._extra, f"rule {r.name!r}")
        self._order = dependency_order(self._rules, names)
        self._rt: dict[str, _Runtime] = {r.name: _Runtime(r, self._router.route(r)) for r in self._order}
        self._runtimes = [self._rt[r.name] for r in self._order]
        self._referenced = {ref for r in self._rules for ref in r.cond.refs()}
        for rt in self._runtimes:
            rt.referenced = rt.name in self._referenced
        self._last_now: float | None = None
        self._evaluations = 0
        self._results: Results = {}
        self._firing: Firing = {}
        if state is not None:
            self.restore(state)

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
        """Raise :class:`InvalidArgumentError` naming every rule signal the snapshot does not have."""
        keys = set(signals_of(snapshot))
        missing = sorted({f"{r.name}: {s}" for r in self._rules for s in r.cond.signals() if s not in keys})
        if missing:
            raise InvalidArgumentError("signals missing from the snapshot: " + "; ".join(missing))

    # -- evaluation ---------------------------------------------------------------------------

    def evaluate(self, snapshot: SnapshotLike, now: float | None = None) -> list[Alert]:
        """Evaluate every rule at ``now`` (default: the clock) and return the transitions.

        Times must not go backwards (equal times are allowed)."""
        sig = signals_of(snapshot)
        if now is None:
            now = self._clock()
        now = float(now)
        if not math.isfinite(now):
            raise InvalidArgumentError(f"evaluation time must be finite, got {now!r}")
        if self._last_now is not None and now < self._last_now:
            raise InvalidArgumentError(f"evaluation time went backwards: {now!r} < {self._last_now!r}")
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
                    missing = [s for s in rt.rule.cond.signals() if read_signal(sig, s) is None]
                    self._logger.log(
                        "alert_no_data",
                        level="warning" if missing else "info",
                        rule=rt.rule.name,
                        at=now,
                        state=state.value,
                        missing_signals=missing,
                        reason="signal missing or NaN" if missing else "not enough history yet",
                    )
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

    def _transition(
        self, rt: _Runtime, old: AlertState, new: AlertState, now: float, out: list[Alert]
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

    def _renotify(self, rt: _Runtime, now: float, out: list[Alert]) -> None:
        if self._silences and self._silenced(rt, now):
            return
        rt.notified = True
        self._emit(self._alert(rt, AlertState.FIRING, now, False), out)

    def _alert(self, rt: _Runtime, old: AlertState, now: float, silenced: bool) -> Alert:
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
        self._logger.log(f"alert_{kind}", level=level, **ctx)
        if alert.silenced:
            return
        for cb in self._callbacks:
            try:
                cb(alert)
            except Exception as exc:  # noqa: BLE001 - a broken pager must not stop evaluation of other rules
                self._logger.log(
                    "alert_callback_error",
                    level="error",
                    rule=alert.rule,
                    error_type=type(exc).__name__,
                    error_message=str(exc),
                )

    # -- inspection ---------------------------------------------------------------------------

    def active(self) -> list[Alert]:
        """Rules currently pending or firing, as alerts (``previous`` equals ``state``)."""
        out = []
        now = self._last_now if self._last_now is not None else 0.0
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
        rt = self._rt.get(name)
        if rt is None:
            raise InvalidArgumentError(f"no rule named {name!r}")
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
                "value": to_json_number(rt.ev.value),
                "level": to_json_number(rt.ev.level),
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
        skipped = sorted(set(rules) ^ set(self._rt))
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
                rt.ev.value = from_json_number(data["value"], "value")
                rt.ev.level = from_json_number(data["level"], "level")
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
        except (TypeError, InvalidArgumentError) as exc:
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


def _opt_time(x: object, what: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise CorruptDataError(f"alert state: {what} must be a finite number or null, got {x!r}")
    return float(x)


__all__ = ["AlertEngine", "EventLogger", "RuleStatus"]
