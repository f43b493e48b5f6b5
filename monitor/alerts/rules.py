"""Rules, the alerts they produce, and silences.

Part of :mod:`monitor.alerts` (import the public names from there). :func:`dependency_order`
(the order rules are evaluated in; unknown references and cycles are errors) and the JSON helpers
:func:`to_json_number` / :func:`from_json_number` are shared with the engine and the rule-file
parser and internal to the subpackage.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import cast

from ..errors import CorruptDataError, InvalidArgumentError, InvalidTypeError
from .conditions import Baseline, Condition, Threshold
from .units import Quantity, check_str, is_number_type, parse_duration, real_number, show

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:\-]*")


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


Labels = tuple[tuple[str, str], ...]


def _labels(value: object, what: str) -> Labels:
    if value is None:
        return ()
    try:
        if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
            items = list(value)
        elif isinstance(value, Mapping):
            items = list(value.items())
        else:
            raise InvalidTypeError(
                f"{what}: labels must be a mapping of strings to strings, got {type(value).__name__}"
            )
    except InvalidArgumentError:
        raise
    except Exception as exc:  # noqa: BLE001 - a mapping whose items() raises
        raise InvalidArgumentError(
            f"{what}: labels could not be read ({type(exc).__name__}: {exc})"
        ) from None
    for k, v in items:
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidTypeError(
                f"{what}: labels must map strings to strings, got {type(k).__name__} {show(k)}: "
                f"{type(v).__name__} {show(v)}"
            )
    if len({k for k, _ in items}) != len(items):
        raise InvalidArgumentError(f"{what}: labels name a key twice")
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
    signal: str | None = None
    op: str | None = None
    threshold: Quantity | Baseline | None = None
    for_: Quantity = 0.0
    severity: Severity | str = Severity.PAGE
    keep_firing_for: Quantity = 0.0
    clear: Quantity | None = None
    condition: Condition | None = None
    route: str | None = None
    labels: Mapping[str, str] | Labels = ()
    summary: str = ""
    no_data: str = "inactive"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InvalidTypeError(f"rule name must be a string, got {type(self.name).__name__}")
        if not _NAME.fullmatch(self.name):
            raise InvalidArgumentError(
                f"rule name must be an identifier-like string ([A-Za-z_][A-Za-z0-9_.:-]*), got {show(self.name)}"
            )
        what = f"rule {show(self.name)}"
        short = (self.signal, self.op, self.threshold)
        if self.condition is None:
            if any(x is None for x in short):
                raise InvalidArgumentError(f"{what}: give signal, op and threshold, or condition=")
            cond: Condition = Threshold(
                cast(str, self.signal), cast(str, self.op), cast(Quantity, self.threshold), self.clear
            )
            object.__setattr__(self, "condition", cond)
            object.__setattr__(self, "threshold", cast(Threshold, cond).value)
            object.__setattr__(self, "clear", cast(Threshold, cond).clear)
        else:
            if not isinstance(self.condition, Condition):
                raise InvalidTypeError(
                    f"{what}: condition must be a Condition, got {type(self.condition).__name__}"
                )
            if (any(x is not None for x in short) or self.clear is not None) and not (
                isinstance(self.condition, Threshold)
                and (self.signal, self.op, self.threshold, self.clear)
                == (self.condition.signal, self.condition.op, self.condition.value, self.condition.clear)
            ):
                raise InvalidArgumentError(
                    f"{what}: give either signal/op/threshold/clear or condition=, not both"
                )
            if isinstance(self.condition, Threshold):  # one normal form: equal rules compare equal
                c = self.condition
                for key, val in (
                    ("signal", c.signal),
                    ("op", c.op),
                    ("threshold", c.value),
                    ("clear", c.clear),
                ):
                    object.__setattr__(self, key, val)
        object.__setattr__(self, "for_", parse_duration(self.for_, f"{what}: for_"))
        object.__setattr__(
            self, "keep_firing_for", parse_duration(self.keep_firing_for, f"{what}: keep_firing_for")
        )
        if not isinstance(self.severity, str):
            raise InvalidTypeError(
                f"{what}: severity must be page, ticket or info, got {type(self.severity).__name__}"
            )
        try:
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError:
            raise InvalidArgumentError(
                f"{what}: unknown severity {show(self.severity)}; expected page, ticket or info"
            ) from None
        object.__setattr__(self, "labels", _labels(self.labels, what))
        check_str(self.no_data, f"{what}: no_data ('inactive' or 'keep')")
        if self.no_data not in ("inactive", "keep"):
            raise InvalidArgumentError(
                f"{what}: no_data must be 'inactive' or 'keep', got {show(self.no_data)}"
            )
        if self.route is not None:
            check_str(self.route, f"{what}: route (a team name)")
        check_str(self.summary, f"{what}: summary")

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
    value: float | None
    threshold: float | None
    active_since: float | None
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
            "value": to_json_number(self.value),
            "threshold": to_json_number(self.threshold),
            "active_since": self.active_since,
            "labels": dict(self.labels),
            "summary": self.summary,
            "silenced": self.silenced,
        }


def to_json_number(x: float | None) -> object:
    if x is None or math.isfinite(x):
        return x
    return "inf" if x > 0 else ("-inf" if x < 0 else "nan")


def from_json_number(x: object, what: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, str) and x in ("inf", "-inf", "nan"):
        return float(x)
    f = None if isinstance(x, bool) or not isinstance(x, (int, float)) else real_number(x)
    if f is None or not math.isfinite(f):
        raise CorruptDataError(f"alert state: {what} must be a number or null, got {show(x)}")
    return f


def _timestamp(value: object, what: str) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidArgumentError(f"{what}: datetime must be timezone-aware")
        return value.timestamp()
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidArgumentError(
                f"{what}: bad timestamp {show(value)}; expected ISO 8601 such as '2026-01-23T18:00:00Z'"
            ) from None
        return _timestamp(dt, what)
    f = real_number(value)
    if f is None and not is_number_type(value):
        raise InvalidTypeError(
            f"{what}: expected a timestamp (seconds, ISO 8601 string or datetime), got {type(value).__name__}"
        )
    if f is None or not math.isfinite(f):
        raise InvalidArgumentError(f"{what}: expected a finite timestamp in seconds, got {show(value)}")
    return f


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence / maintenance window: during ``[start, end)`` (clock seconds; ISO strings and
    aware datetimes are converted to epoch seconds, for a wall clock) transitions of matching
    rules are marked ``silenced`` and not sent to callbacks. Rules keep being evaluated, so state
    stays correct; a rule still firing when the silence ends is then notified once.

    A rule matches when its name matches one of ``rules`` (shell globs; empty = every rule) and
    every ``labels`` item equals the rule's label (``severity`` and ``route`` count as labels).
    """

    start: float | str | datetime
    end: float | str | datetime
    rules: tuple[str, ...] = ()
    labels: Mapping[str, str] | Labels = ()
    comment: str = ""

    def __post_init__(self) -> None:
        start = _timestamp(self.start, "silence start")
        end = _timestamp(self.end, "silence end")
        if end <= start:
            raise InvalidArgumentError(
                f"silence end must be after start ({show(self.start)} .. {show(self.end)})"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        rules = self.rules
        if isinstance(rules, str):
            rules = (rules,)
        if not isinstance(rules, (tuple, list)):
            raise InvalidTypeError(
                f"silence rules: expected a rule name, a glob or a list of them, got {type(rules).__name__}"
            )
        for i, p in enumerate(rules):
            if not isinstance(p, str) or not p:
                raise InvalidTypeError(
                    f"silence rules[{i}]: expected a rule name or glob (a non-empty string), got {show(p)}"
                )
        object.__setattr__(self, "rules", tuple(rules))
        object.__setattr__(self, "labels", _labels(self.labels, "silence"))
        check_str(self.comment, "silence comment")

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
        return {
            "start": self.start,
            "end": self.end,
            "rules": list(self.rules),
            "labels": dict(cast(Labels, self.labels)),
            "comment": self.comment,
        }


def dependency_order(rules: list[Rule], names: Mapping[str, Rule]) -> list[Rule]:
    """``rules`` in an order where every rule comes after the rules its condition refers to;
    :class:`InvalidArgumentError` for a reference to a rule not in ``names`` or a cycle. An
    iterative depth-first search: chains and cycles of any length (no recursion limit)."""
    order: list[Rule] = []
    mark: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in rules:
        if mark.get(root.name) == 2:
            continue
        path: list[str] = [root.name]
        mark[root.name] = 1
        stack = [(root, iter(root.cond.refs()))]
        while stack:
            r, refs = stack[-1]
            ref = next(refs, None)
            if ref is None:
                stack.pop()
                path.pop()
                mark[r.name] = 2
                order.append(r)
                continue
            if ref not in names:
                raise InvalidArgumentError(f"rule {show(r.name)} refers to unknown rule {show(ref)}")
            m = mark.get(ref)
            if m == 2:
                continue
            if m == 1:
                cycle = path[path.index(ref) :] + [ref]
                shown = cycle if len(cycle) <= 12 else cycle[:5] + ["..."] + cycle[-5:]
                raise InvalidArgumentError(
                    f"rules refer to each other in a cycle of {len(cycle) - 1} rule(s): " + " -> ".join(shown)
                )
            mark[ref] = 1
            path.append(ref)
            nxt = names[ref]
            stack.append((nxt, iter(nxt.cond.refs())))
    return order


__all__ = [
    "Alert",
    "AlertState",
    "Labels",
    "Rule",
    "Severity",
    "Silence",
    "dependency_order",
    "from_json_number",
    "to_json_number",
]
