"""The alert engine's per-rule runtime state and the codec of its saved state.

Part of :mod:`monitor.alerts`, internal to it: :class:`RuleRuntime` is what the engine keeps per
rule (the compiled evaluator - the C rule of :mod:`~monitor.alerts.c_rules` where it covers the
condition -, the phase and timers in seconds, the no-data counts); :func:`save_rule` /
:func:`restore_rule` turn it into the JSON of :meth:`AlertEngine.state` and back, checking every
field (:class:`CorruptDataError` naming the rule and the field), :func:`read_silences` the
saved silences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import cast

from ..errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError
from .c_rules import c_evaluator
from .evaluators import compile_condition
from .rules import AlertState, Rule, Silence, from_json_number, to_json_number
from .units import real_number, show

STATE_FORMAT = "monitor.alerts.state"
STATE_VERSION = 1


class RuleRuntime:
    """One rule's runtime state in an engine: its evaluator (C or Python), phase, timers, counts."""

    __slots__ = (
        "active_at",
        "c",
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
        self.route = route
        self.for_ = cast(float, rule.for_)
        self.keep = cast(float, rule.keep_firing_for)
        self.keep_data = rule.no_data == "keep"
        self.c = c_evaluator(rule.cond, self.for_, self.keep, self.keep_data)
        self.ev = self.c if self.c is not None else compile_condition(rule.cond)
        self.state = AlertState.INACTIVE
        self.active_at: float | None = None
        self.fired_at: float | None = None
        self.keep_since: float | None = None
        self.notified = False
        self.eval_base = 0
        self.no_data = 0
        self.in_no_data = False


def save_rule(rt: RuleRuntime, evaluations: int) -> dict[str, object]:
    """The saved state of one rule (strict JSON)."""
    return {
        "fingerprint": rt.rule.fingerprint(),
        "state": rt.state.value,
        "active_at": rt.active_at,
        "fired_at": rt.fired_at,
        "keep_firing_since": rt.keep_since,
        "notified": rt.notified,
        "evaluations": evaluations,
        "no_data": rt.no_data,
        "in_no_data": rt.in_no_data,
        "value": to_json_number(rt.ev.value),
        "level": to_json_number(rt.ev.level),
        "condition": rt.ev.state(),
    }


def read_silences(sil: object) -> list[Silence]:
    """The silences of a saved state."""
    if not isinstance(sil, list):
        raise CorruptDataError("alert state: 'silences' must be a list")
    silences = []
    for i, x in enumerate(sil):
        if not isinstance(x, dict):
            raise CorruptDataError(f"alert state: silences[{i}] must be an object")
        try:
            silences.append(Silence(**cast(dict[str, object], x)))  # type: ignore[arg-type]
        except (TypeError, InvalidArgumentError) as exc:
            raise CorruptDataError(f"alert state: bad silence {i}: {exc}") from None
    return silences


_MAX_COUNT = 2**63 - 1


def _count(x: object, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise CorruptDataError(f"alert state: {what} must be an integer count, got {show(x)}")
    if not 0 <= x <= _MAX_COUNT:
        raise CorruptDataError(f"alert state: {what} must be a count in [0, 2**63 - 1], got {show(x)}")
    return x


def _flag(x: object, what: str) -> bool:
    if not isinstance(x, bool):
        raise CorruptDataError(f"alert state: {what} must be true or false, got {show(x)}")
    return x


def restore_rule(rt: RuleRuntime, name: str, data: Mapping[str, object], last: float | None) -> None:
    """Fill a fresh runtime from its saved state; CorruptDataError naming the rule and field."""
    where = f"rule {show(name)}"
    missing = [k for k in _RULE_FIELDS if k not in data]
    if missing:
        raise CorruptDataError(f"alert state of {where} is missing {', '.join(missing)}")
    try:
        rt.state = AlertState(data["state"]) if isinstance(data["state"], str) else None  # type: ignore[assignment]
        if rt.state is None:
            raise TypeError
    except (ValueError, TypeError):
        raise CorruptDataError(
            f"alert state of {where}: state must be inactive, pending or firing, got {show(data['state'])}"
        ) from None
    rt.active_at = opt_time(data["active_at"], f"{where} active_at")
    rt.fired_at = opt_time(data["fired_at"], f"{where} fired_at")
    rt.keep_since = opt_time(data["keep_firing_since"], f"{where} keep_firing_since")
    rt.notified = _flag(data["notified"], f"{where} notified")
    evaluations = _count(data["evaluations"], f"{where} evaluations")
    rt.eval_base = -evaluations
    rt.no_data = _count(data["no_data"], f"{where} no_data")
    if rt.no_data > evaluations:
        raise CorruptDataError(
            f"alert state of {where}: no_data {rt.no_data} exceeds evaluations {evaluations}"
        )
    rt.in_no_data = _flag(data["in_no_data"], f"{where} in_no_data")
    try:
        rt.ev.restore(data["condition"])
    except (KeyError, ValueError, TypeError, OverflowError) as exc:
        if isinstance(exc, CorruptDataError):
            raise CorruptDataError(f"alert state of {where}: {exc}") from None
        raise CorruptDataError(f"alert state of {where}: condition state is malformed: {exc}") from None
    rt.ev.value = from_json_number(data["value"], f"{where} value")
    rt.ev.level = from_json_number(data["level"], f"{where} level")
    inactive = rt.state is AlertState.INACTIVE
    if not inactive and rt.active_at is None:
        raise CorruptDataError(f"alert state of {where}: active rule without active_at")
    if inactive and (rt.active_at, rt.fired_at, rt.keep_since) != (None, None, None):
        raise CorruptDataError(f"alert state of {where}: inactive rule with timers set")
    if rt.state is AlertState.FIRING and rt.fired_at is None:
        raise CorruptDataError(f"alert state of {where}: firing rule without fired_at")
    if rt.state is not AlertState.FIRING and (rt.fired_at is not None or rt.keep_since is not None):
        raise CorruptDataError(
            f"alert state of {where}: fired_at/keep_firing_since set on a {rt.state.value} rule"
        )
    if rt.state is not AlertState.FIRING and rt.notified:
        raise CorruptDataError(f"alert state of {where}: notified set on a {rt.state.value} rule")
    if rt.fired_at is not None and rt.active_at is not None and rt.fired_at < rt.active_at:
        raise CorruptDataError(f"alert state of {where}: fired_at is before active_at")
    times = [t for t in (rt.active_at, rt.fired_at, rt.keep_since) if t is not None] + rt.ev.times()
    if times and last is None:
        raise CorruptDataError(f"alert state of {where}: timers or history without a last evaluation time")
    if last is not None and times and max(times) > last:
        raise CorruptDataError(
            f"alert state of {where}: a timer or history sample at {show(max(times))} is after the last "
            f"evaluation time {show(last)} (timers in the future are refused)"
        )
    if rt.c is not None:
        try:
            rt.c.load(rt.state, rt.active_at, rt.fired_at, rt.keep_since, last)
        except CorruptDataError as exc:
            raise CorruptDataError(f"alert state of {where}: {exc}") from None


_RULE_FIELDS = (
    "state",
    "active_at",
    "fired_at",
    "keep_firing_since",
    "notified",
    "evaluations",
    "no_data",
    "in_no_data",
    "condition",
    "value",
    "level",
)


def opt_time(x: object, what: str) -> float | None:
    if x is None:
        return None
    f = None if isinstance(x, bool) or not isinstance(x, (int, float)) else real_number(x)
    if f is None or not math.isfinite(f):
        raise CorruptDataError(f"alert state: {what} must be a finite number or null, got {show(x)}")
    return f


def read_state(
    state: Mapping[str, object], order: Sequence[Rule], routes: Mapping[str, str], strict: bool
) -> tuple[dict[str, RuleRuntime], float | None, list[Silence], list[str]]:
    """Decode and check a saved engine state against the engine's rules (``order``, and each
    rule's route by name), changing nothing: the fresh runtimes restored from it, the last
    evaluation time, the silences and the rule names skipped (``strict``: a difference in rule
    names or a changed rule is a ConfigMismatchError instead). Any malformed field is a
    CorruptDataError naming it."""
    if not isinstance(state, Mapping) or state.get("format") != STATE_FORMAT:
        raise CorruptDataError("not a monitor alert-engine state (format field missing or wrong)")
    if state.get("version") != STATE_VERSION:
        raise CorruptDataError(f"unsupported alert state version {show(state.get('version'))}")
    rules = state.get("rules")
    if not isinstance(rules, dict):
        raise CorruptDataError("alert state: 'rules' must be an object")
    if not all(isinstance(k, str) for k in rules):
        raise CorruptDataError("alert state: rule names must be strings")
    last = opt_time(state.get("last_now"), "last_now")
    skipped = sorted(set(rules) ^ set(routes))
    if strict and skipped:
        shown = ", ".join(skipped[:20]) + (f", ... ({len(skipped)} names)" if len(skipped) > 20 else "")
        raise ConfigMismatchError(f"alert state and rules differ in rule names: {shown}")
    fresh = {r.name: RuleRuntime(r, routes[r.name]) for r in order}
    for name, data in rules.items():
        if name not in fresh:
            continue
        rt = fresh[name]
        if not isinstance(data, dict):
            raise CorruptDataError(f"alert state of rule {show(name)} must be an object")
        if not isinstance(data.get("fingerprint"), str):
            raise CorruptDataError(f"alert state of rule {show(name)} has no fingerprint")
        if data["fingerprint"] != rt.rule.fingerprint():
            if strict:
                raise ConfigMismatchError(f"rule {show(name)} changed since the state was saved")
            skipped.append(name)
            continue
        restore_rule(rt, name, data, last)
    silences = read_silences(state.get("silences", []))
    return fresh, last, silences, skipped


__all__ = [
    "read_state",
    "STATE_FORMAT",
    "STATE_VERSION",
    "RuleRuntime",
    "opt_time",
    "read_silences",
    "restore_rule",
    "save_rule",
]
