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
- **No data**: a signal missing from a snapshot, NaN, or a value that is no real number (a
  string, a bool, None, a container, a number beyond the double range such as ``10**400``, a
  lookup that raises) makes the condition "no data": it counts as false (the Prometheus
  behaviour: a pending rule is cancelled, a firing one resolves) unless the rule says
  ``no_data="keep"`` (state and timers unchanged). Each rule counts its no-data evaluations and
  logs ``alert_no_data`` once when it enters that condition. Never an exception. Numbers of
  every type (numpy scalars of any dtype, ``Decimal``, ``Fraction``, big integers) are compared
  with thresholds exactly.
- **Clock faults** (the injected clock raising, returning NaN/inf or stepping back) never raise:
  the evaluation runs at the last evaluation time, counted in ``AlertEngine.clock_faults``.
- **Thread-safe**: :class:`AlertEngine` serialises its methods with a lock.
- **The same evaluators as the device**: Threshold rules (ops ``>``, ``>=``, ``<``, ``<=``) and
  RateOfChange rules run on the C core's ``mon_rules`` (condition and state machine per tick,
  :mod:`~monitor.alerts.c_rules`); their durations are compared in integer nanoseconds.
  Golden vectors (``monitor/data/golden_rules_v1.json``) show the engine and the C core agree.

Units: durations in seconds (or strings "500ms", "5m", "1h30m"), thresholds in the signal's unit
(milliseconds for ``*_ms`` signals, also as "500ms"/"0.5s"; fractions elsewhere, also as "2%").

Layout (each module imports only those before it; ``AlertEngine.from_file`` imports
``config`` when called): :mod:`~monitor.alerts.units` (durations, quantities) <-
:mod:`~monitor.alerts.stats` (exact moments) <- :mod:`~monitor.alerts.conditions` (what a rule
tests) <- :mod:`~monitor.alerts.evaluators` (compiled conditions and their histories) <-
:mod:`~monitor.alerts.rules` (Rule, Alert, Silence) <- :mod:`~monitor.alerts.c_rules` (rules on
the C core) <- :mod:`~monitor.alerts.state` (per-rule runtime, saved-state codec) <-
:mod:`~monitor.alerts.routing` <- :mod:`~monitor.alerts.engine` (<- ``golden_rules``) and
:mod:`~monitor.alerts.presets` <- :mod:`~monitor.alerts.config`
(rule files). Signal names, units and the error categories come from :mod:`monitor.signals`.
"""

from __future__ import annotations

from ..signals import ERROR_CATEGORIES, KNOWN_SIGNAL_PATTERNS, check_signal
from .conditions import (
    AllOf,
    AnyOf,
    Baseline,
    BurnRate,
    BurnWindow,
    Condition,
    Not,
    RateOfChange,
    RuleRef,
    Threshold,
)
from .config import AlertConfig, load_config, load_rules, parse_config
from .engine import AlertEngine, EventLogger, RuleStatus
from .evaluators import SnapshotLike, SupportsSignals
from .presets import (
    ARTICLE_ERROR_THRESHOLDS,
    SRE_WORKBOOK_PAGE,
    SRE_WORKBOOK_TICKET,
    burn_rate_factor,
    error_rate_rules,
    slo_burn_rate_rules,
)
from .routing import DEFAULT_ROUTES, Router
from .rules import Alert, AlertState, Labels, Rule, Severity, Silence
from .stats import Moments, mean_sigma
from .units import Quantity, format_duration, parse_duration, parse_quantity

_Moments = Moments  # the name the property tests import

__all__ = [
    "ARTICLE_ERROR_THRESHOLDS",
    "DEFAULT_ROUTES",
    "ERROR_CATEGORIES",
    "KNOWN_SIGNAL_PATTERNS",
    "SRE_WORKBOOK_PAGE",
    "SRE_WORKBOOK_TICKET",
    "Alert",
    "AlertConfig",
    "AlertEngine",
    "AlertState",
    "AllOf",
    "AnyOf",
    "Baseline",
    "BurnRate",
    "BurnWindow",
    "Condition",
    "EventLogger",
    "Labels",
    "Not",
    "Quantity",
    "RateOfChange",
    "Router",
    "Rule",
    "RuleRef",
    "RuleStatus",
    "Severity",
    "Silence",
    "SnapshotLike",
    "SupportsSignals",
    "Threshold",
    "burn_rate_factor",
    "check_signal",
    "error_rate_rules",
    "format_duration",
    "load_config",
    "load_rules",
    "mean_sigma",
    "parse_config",
    "parse_duration",
    "parse_quantity",
    "slo_burn_rate_rules",
]
