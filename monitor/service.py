"""Service instrumentation: the four signals of the article (:mod:`monitor.article`) from a few
lines around the model call.

``ServiceMonitor`` ties together the C counters (received / processed / dropped / failed,
in-flight, errors per category, rate windows), a windowed latency histogram, the error
categoriser, an optional ``DriftMonitor`` and a :class:`~monitor.StructuredLogger`::

    svc = ServiceMonitor("fraud-model", "v3.2.1", capacity_rps=500)
    with svc.observe(request_id="req-1", input=payload) as obs:
        with obs.stage("validation"):
            x = validate(payload)
        with obs.stage("model"):
            y = model.predict(x)
        obs.record(prediction=y, confidence=0.91)
    snap = svc.snapshot()          # frozen; snap.get("latency.p99_ms"), snap.signals()

Time comes from the injectable ``clock`` (monotonic seconds, default ``time.monotonic``),
converted once to integer nanosecond ticks: windows, rates and tests are deterministic.
Monitoring never breaks the request: a failure inside the monitor is counted
(:attr:`ServiceMonitor.internal_errors`); the request's own exception is always re-raised.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar, cast

from . import signals
from .article import PredictionMetrics, predict_with_metrics
from .categories import Categoriser, ErrorCategory
from .counters import MAX_SLOTS, ServiceCounters
from .errors import EmptyWindowError, InvalidArgumentError, InvalidTypeError
from .latency import LatencyHistogram, WindowedLatencyHistogram
from .latency.window import RING_MAX_SLOTS, TickClock
from .logs import StructuredLogger
from .observation import Observation
from .shared import SharedSegment, finisher, resolve_segment
from .snapshot import (
    QUANTILES,
    DriftSignals,
    ErrorSignals,
    LatencySignals,
    Snapshot,
    ThroughputSignals,
    drift_signals,
    latency_signals,
    throughput_signals,
)

F = TypeVar("F", bound=Callable[..., Any])

_NS = 1_000_000_000
_QUANTILES = QUANTILES
_NAN = math.nan
_INF = math.inf
_new_observation = object.__new__


MAX_STAGES = 32
"""The most stage names whose latency a ServiceMonitor times (one histogram each, allocated on
first use); a further name is counted in ``internal_errors`` and not timed."""


def _float_or_nan(t: Any) -> float:
    try:
        return float(t)
    except Exception:
        return _NAN


# --------------------------------------------------------------------------------------------
# ServiceMonitor
# --------------------------------------------------------------------------------------------


def _positive_number(name: str, v: Any, *, allow_none: bool = True) -> float | None:
    if v is None and allow_none:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise InvalidTypeError(f"{name} must be a finite number > 0, got {type(v).__name__} {v!r:.40}")
    try:
        f = float(v)
    except (OverflowError, ValueError, TypeError):  # e.g. 10**400
        f = _INF
    if not math.isfinite(f) or f <= 0:
        raise InvalidArgumentError(f"{name} must be a finite number > 0, got {v!r:.40}")
    return f


class ServiceMonitor:
    """Latency, throughput and saturation, errors by category and (optionally) drift for one
    model service. See the module documentation for an example.

    Parameters: ``service``, ``model_version`` (strings on every log line); ``clock``
    (monotonic seconds); ``window_s`` and ``slots`` (rate / latency window: ``slots`` slots
    of ``window_s / slots`` seconds, the newest partial); ``capacity_rps`` and/or
    ``capacity_concurrency`` (saturation = max(received_rps / capacity_rps,
    in_flight / capacity_concurrency); NaN when neither is given); ``categoriser`` or
    ``confidence_threshold``; ``drift`` (a DriftMonitor: ``observe(features=...)`` is passed to
    its ``update``); ``logger`` (a StructuredLogger, default one for ``service``; ``False``
    disables logging); ``log_success`` (log every success, default True - errors and drops
    are always logged); ``latency_config`` (keyword arguments for LatencyHistogram);
    ``trace_context`` (a callable giving ``(trace_id, span_id)`` for the current request, e.g.
    :func:`monitor.logs.otel_trace_context`; explicit ``observe(trace_id=...)`` wins);
    ``shared`` (a :class:`~monitor.shared.SharedSegment`, or a directory for one: every process
    of a pre-fork server records its totals and cumulative latency there, and :meth:`totals`
    and the snapshot's totals are then those of all processes - its windows stay this
    process's; default: the directory in ``$MONITOR_SHARED_DIR`` when set, ``False``: never);
    ``safety`` (a :class:`~monitor.safety.SafetyMonitor`, judged by :meth:`check_safety` at
    this monitor's clock).
    """

    def __init__(
        self,
        service: str,
        model_version: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        window_s: float = 60.0,
        slots: int = 60,
        capacity_rps: float | None = None,
        capacity_concurrency: int | None = None,
        categoriser: Categoriser | None = None,
        confidence_threshold: float | None = None,
        drift: Any = None,
        logger: StructuredLogger | None | bool = None,
        log_success: bool = True,
        latency_config: Mapping[str, Any] | None = None,
        trace_context: Callable[[], tuple[str, str] | None] | None = None,
        shared: SharedSegment | str | os.PathLike[str] | bool | None = None,
        safety: Any = None,
    ) -> None:
        if safety is not None and not callable(getattr(safety, "step", None)):
            raise InvalidTypeError(f"safety must be a SafetyMonitor, got {safety!r}")
        self.safety = safety
        if not isinstance(service, str) or not service:
            raise InvalidTypeError(f"service must be a non-empty str, got {service!r}")
        if not isinstance(model_version, str):
            raise InvalidTypeError(f"model_version must be a str, got {model_version!r}")
        if not callable(clock):
            raise InvalidTypeError(f"clock must be callable (monotonic seconds), got {clock!r}")
        window = _positive_number("window_s", window_s, allow_none=False)
        assert window is not None
        # The latency window has one histogram per slot (allocated at once): it bounds the slots.
        max_slots = min(MAX_SLOTS, RING_MAX_SLOTS)
        if isinstance(slots, bool) or not isinstance(slots, int):
            raise InvalidTypeError(f"slots must be an int in 1..{max_slots}, got {slots!r}")
        if not (1 <= slots <= max_slots):
            raise InvalidArgumentError(
                f"slots must be an int in 1..{max_slots} (the latency window keeps one histogram "
                f"per slot), got {slots!r}"
            )
        ticks = window * _NS / slots
        slot_ticks = round(ticks) if ticks < 2.0**63 else 0
        if not 1 <= slot_ticks <= 2**62:
            raise InvalidArgumentError(
                f"window_s / slots must be between 1 ns and 2^62 ns, got {window}/{slots}"
            )
        self._capacity_rps = _positive_number("capacity_rps", capacity_rps)
        if capacity_concurrency is not None and (
            isinstance(capacity_concurrency, bool)
            or not isinstance(capacity_concurrency, int)
            or capacity_concurrency <= 0
        ):
            raise InvalidArgumentError(
                f"capacity_concurrency must be an int > 0, got {capacity_concurrency!r}"
            )
        self._capacity_conc = capacity_concurrency
        if categoriser is not None and not isinstance(categoriser, Categoriser):
            raise InvalidTypeError(f"categoriser must be a Categoriser, got {categoriser!r}")
        if categoriser is not None and confidence_threshold is not None:
            raise InvalidArgumentError(
                "give either categoriser or confidence_threshold (set the threshold on the Categoriser)"
            )
        self._categoriser = categoriser or Categoriser(confidence_threshold=confidence_threshold)
        if drift is not None and not (
            callable(getattr(drift, "update", None)) and callable(getattr(drift, "evaluate", None))
        ):
            raise InvalidTypeError(
                f"drift must be a DriftMonitor (with update() and evaluate()), got {drift!r}"
            )
        self._drift = drift
        if logger is None or logger is True:
            self._logger: StructuredLogger | None = StructuredLogger(service)
        elif logger is False:
            self._logger = None
        elif isinstance(logger, StructuredLogger):
            self._logger = logger
        else:
            raise InvalidTypeError(f"logger must be a StructuredLogger, None or False, got {logger!r}")
        self._log_success = bool(log_success)
        if trace_context is not None and not callable(trace_context):
            raise InvalidTypeError(
                f"trace_context must be a callable returning (trace_id, span_id) or None, "
                f"got {trace_context!r}"
            )
        self._trace_context = trace_context
        self.service = service
        self.model_version = model_version
        self._clock = clock

        if latency_config is not None and not isinstance(latency_config, Mapping):
            raise InvalidTypeError(
                f"latency_config must be a mapping of LatencyHistogram keyword arguments, got {latency_config!r}"
            )
        lat_kwargs = dict(latency_config or {})
        if any(not isinstance(k, str) for k in lat_kwargs):
            raise InvalidTypeError(f"latency_config keys must be str, got {sorted(map(repr, lat_kwargs))}")
        try:
            LatencyHistogram(**lat_kwargs)
        except TypeError as exc:
            raise InvalidArgumentError(f"latency_config: {exc}") from None

        try:
            t_start = clock()
            start = math.floor(t_start * 1e9)
        except Exception as exc:  # NaN, inf, not a number, the clock raising
            raise InvalidArgumentError(
                f"clock() must return finite monotonic seconds; its first reading failed: {exc!r}"
            ) from None
        start = min(max(start, 0), 2**64 - 1)
        # One clock-to-tick conversion for the counters and the latency windows (forward jumps,
        # steps back and non-finite readings: see TickClock); tolerance = one slot, >= 1 s.
        self._ticks = TickClock(clock, start, max(slot_ticks, _NS))
        self._tick_of = self._ticks.tick_of
        self._now = self._ticks.now
        self._counters = counters = ServiceCounters(slot_ticks, start, slots)
        # Bound once: the request path calls these directly.
        self._begin = counters.begin_raw  # ticks come from self._ticks: always valid
        self._ok = counters.ok_raw
        self._drop = counters.drop_raw
        self._fail = counters.fail_status  # codes come from ErrorCategory: no check needed
        self._slot_ticks = slot_ticks
        self._slots = slots
        # Latency windows on the same C ring configuration as the counters (csrc/mon_window.h):
        # the snapshot's percentiles and its rates cover exactly the same slots.
        self._latency = WindowedLatencyHistogram(
            slots=slots, slot_ns=slot_ticks, start_ns=start, clock=clock, **lat_kwargs
        )
        self._record_latency = self._latency.record_ns_at_raw
        # Since start, for the exports (a Prometheus histogram is cumulative), and the newest
        # traced request per power-of-two latency (at most 64 entries: the exemplars).
        self._latency_total = LatencyHistogram(**lat_kwargs)
        self._record_total = self._latency_total.record_ns
        self._exemplars: dict[int, tuple[int, str]] = {}
        # Latency per stage name (obs.stage(...)), at most MAX_STAGES names (fixed memory).
        self._lat_kwargs = lat_kwargs
        self._stages: dict[str, LatencyHistogram] = {}
        self._shared = resolve_segment(shared, service, model_version, lat_kwargs)
        # With a shared segment the request path records into it too (csrc/mon_shared.h):
        # both begins in one C call, the outcome in both counters (chained), and the
        # cumulative latency in the segment's histogram instead of a private one.
        if self._shared is not None:
            self._begin = self._shared.begin_with(counters)
            self._ok, self._drop, self._fail = self._shared.chain(self._ok, self._drop, self._fail)
            self._latency_total = self._shared.histogram()
            self._record_total = self._latency_total.record_ns
        # The common end of a request (a success whose latency is known): the windowed latency,
        # the latency since start and the outcome in one C call (mon_shared_finish_ring on the
        # process's own objects); with a shared segment, its steps (the window, the segment's
        # histogram, both counters).
        if self._shared is None:
            self._finish = finisher(counters, self._latency_total, self._latency)
        else:
            record_latency, record_total, ok = self._record_latency, self._record_total, self._ok

            def finish(tick: int, outcome: int, code: int, ns: int) -> int:
                record_latency(tick, ns)
                record_total(ns)
                return ok(tick)

            self._finish = finish
        self._lock = threading.Lock()
        self._internal_errors = 0
        self._cat_codes = {c: c.code for c in ErrorCategory}
        thr = self._categoriser.confidence_threshold
        self._conf_lo = -_INF if thr is None else thr

    # -- properties ------------------------------------------------------------------------
    @property
    def logger(self) -> StructuredLogger | None:
        return self._logger

    @property
    def categoriser(self) -> Categoriser:
        return self._categoriser

    @property
    def drift(self) -> Any:
        return self._drift

    @property
    def shared(self) -> SharedSegment | None:
        """The shared segment this monitor records into (None when it has none)."""
        return self._shared

    @property
    def internal_errors(self) -> int:
        """Failures inside the monitor (never raised into the request path)."""
        return self._internal_errors

    def _count_internal_error(self) -> None:
        with self._lock:
            self._internal_errors += 1

    # -- instrumentation -------------------------------------------------------------------
    def observe(
        self,
        request_id: str | None = None,
        input: Any = None,
        *,
        trace_id: str | None = None,
        span_id: str | None = None,
        features: Any = None,
        context: Mapping[str, Any] | None = None,
    ) -> Observation:
        """A request observation: ``with svc.observe(request_id=..., input=...) as obs:``
        (or ``async with``). The raw input is only hashed for the logs."""
        if trace_id is None and self._trace_context is not None:
            try:
                ids = self._trace_context()
                if ids is not None:
                    trace_id, span_id = ids
            except Exception:
                self._count_internal_error()
        # Observation.__init__'s stores, inline (one Python call less per request)
        obs = _new_observation(Observation)
        obs._svc = self
        obs.request_id = request_id
        obs.input = input
        obs.trace_id = trace_id
        obs.span_id = span_id
        obs.features = obs._drift_rows = features
        obs.context = context
        obs.stage_name = obs.prediction = obs.confidence = obs.fields = obs._t0 = None
        obs._category = obs._error_type = obs._error_message = None
        obs._latency_ms = obs._error_category = None
        obs._tick0 = -1
        obs._outcome = 0
        if features is not None and self._drift is not None:
            # Checked here, before the request starts: a shape or names the drift monitor cannot
            # take is the caller's error, raised now (not an internal error at every exit).
            prepare = getattr(self._drift, "prepare", None)
            if prepare is not None:
                obs._drift_rows = prepare(features, one_request=True, what="features")
        return obs

    def instrument(self, fn: F | None = None, *, stage: str = "model") -> Any:
        """Decorator: every call of ``fn`` (sync or async) is observed, its body is the stage
        ``stage`` and its return value the prediction. ``@svc.instrument`` or
        ``@svc.instrument(stage="model")``. InvalidArgumentError for a non-callable."""
        if fn is None:
            return functools.partial(self.instrument, stage=stage)
        if not callable(fn):
            raise InvalidTypeError(f"instrument() needs a callable, got {fn!r}")

        if inspect.iscoroutinefunction(fn):
            afn = cast(Callable[..., Awaitable[Any]], fn)

            @functools.wraps(fn)
            async def awrapper(*args: Any, **kwargs: Any) -> Any:
                async with self.observe() as obs:
                    with obs.stage(stage):
                        result = await afn(*args, **kwargs)
                    obs.record(prediction=result)
                    return result

            return awrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.observe() as obs:
                with obs.stage(stage):
                    result = fn(*args, **kwargs)
                obs.record(prediction=result)
                return result

        return wrapper

    def reject(self, request_id: str | None = None, reason: str | None = None) -> None:
        """Count a request received and dropped at admission (never in flight)."""
        try:
            self._counters.reject_raw(self._now())
            if self._shared is not None:
                self._shared.counters.reject_raw(0)
            if self._logger is not None:
                self._logger.log(
                    "request_rejected",
                    level="warning",
                    request_id=request_id,
                    model_version=self.model_version,
                    error_message=reason,
                )
        except Exception:
            self._count_internal_error()

    def record_error(
        self, category: ErrorCategory | str, request_id: str | None = None, message: str | None = None
    ) -> None:
        """Count an error that does not finish a request, e.g. a business-logic error found
        downstream later. InvalidArgumentError for an unknown category."""
        cat = ErrorCategory.parse(category)
        self._counters.error(self._now(), cat.code)
        if self._shared is not None:
            self._shared.counters.error(0, cat.code)
        if self._logger is not None:
            self._logger.log(
                "late_error",
                level="error",
                request_id=request_id,
                model_version=self.model_version,
                error_category=cat.value,
                error_type=cat.value,
                error_message=message,
            )

    def _end_anyway(self, obs: Observation, exc: BaseException | None, tick: int) -> None:
        """End a request whose accounting raised: processed if it succeeded, dropped if it was
        dropped or interrupted, failed (the categoriser's default category) if it raised."""
        if exc is None and obs._outcome == 0:
            self._ok(tick)
        elif obs._outcome == 2 or (exc is not None and not isinstance(exc, Exception)):
            self._drop(tick)
        else:
            self._fail(tick, self._cat_codes[self._categoriser.default])

    def _bad_latency(self, t0: Any, t1: Any, tick: int) -> float:
        """A request whose latency is unknown (a reading NaN, infinite, not a number, or a step
        back between its two readings): counted invalid in the latency window; NaN."""
        self._latency.record_invalid_at(tick)
        self._latency_total.record_invalid()  # since start too (and in a shared segment)
        if not (-_INF < _float_or_nan(t1) < _INF and -_INF < _float_or_nan(t0) < _INF):
            self._count_internal_error()  # a broken clock reading (a step back is not one)
        return _NAN

    def _outcome(
        self, obs: Observation, exc: BaseException | None, tick: int
    ) -> tuple[int, str, str, ErrorCategory | None]:
        """Count the request's end: (C status, log event, level, category)."""
        category: ErrorCategory | None = None
        if exc is not None:
            obs._error_type = type(exc).__name__
            if not isinstance(exc, Exception):  # cancelled, interrupted: abandoned
                return self._drop(tick), "prediction_dropped", "warning", None
            try:
                ctx: dict[str, Any] = dict(obs.context or {})
                ctx["stage"] = obs.stage_name
                ctx["request_id"] = obs.request_id
                category = self._categoriser.categorise(exc, ctx)
                code = self._cat_codes[category]
            except Exception:  # a broken context mapping or categoriser: the default category
                self._count_internal_error()
                category = self._categoriser.default
                code = self._cat_codes[category]
            status = self._fail(tick, code)
            try:
                obs._error_message = str(exc)
            except Exception:
                obs._error_message = "<unprintable exception>"
            return status, "prediction_error", "error", category
        if obs._outcome == 2:
            return self._drop(tick), "prediction_dropped", "warning", None
        if obs._outcome == 1:
            category = obs._category
            assert category is not None
            return self._fail(tick, self._cat_codes[category]), "prediction_error", "error", category
        p, c = obs.prediction, obs.confidence
        # Fast path for the common outputs (None, int, finite float, confidence at or above the
        # threshold); anything else goes through categorise_output.
        if (p is None or type(p) is int or (type(p) is float and -_INF < p < _INF)) and (
            c is None or (type(c) is float and self._conf_lo <= c < _INF)
        ):
            bad = None
        else:
            try:
                bad = self._categoriser.categorise_output(p, c)
            except Exception:  # counted; the request itself succeeded
                self._count_internal_error()
                bad = None
        if bad is None:
            return self._ok(tick), "prediction_complete", "info", None
        category, obs._error_type, obs._error_message = bad
        return self._fail(tick, self._cat_codes[category]), "prediction_error", "error", category

    def _after(
        self,
        obs: Observation,
        event: str,
        level: str,
        category: ErrorCategory | None,
        latency_ms: float,
        line: bool,
    ) -> None:
        """Drift update and (``line``: the caller's log gate said so) the log line of a counted
        request (failures counted, not raised)."""
        if (
            self._drift is not None
            and obs._drift_rows is not None
            and (category is not ErrorCategory.INPUT_VALIDATION)
        ):
            try:
                self._drift.update(obs._drift_rows)
            except Exception:  # counted; the log line below is still written
                self._count_internal_error()
        log = self._logger
        if line and log is not None:
            rec: dict[str, Any] = {}
            if obs.request_id is not None:
                rec["request_id"] = obs.request_id
            rec["model_version"] = self.model_version
            rec["latency_ms"] = round(latency_ms, 3)
            if obs.input is not None:
                rec["input"] = obs.input
            if obs.prediction is not None:
                rec["prediction"] = obs.prediction
            if obs.confidence is not None:
                rec["confidence"] = obs.confidence
            if level != "info":
                if obs._error_type is not None:
                    rec["error_type"] = obs._error_type
                if obs._error_message is not None:
                    rec["error_message"] = obs._error_message
                if category is not None:
                    rec["error_category"] = category.value
            if obs.trace_id is not None:
                rec["trace_id"] = obs.trace_id
            if obs.span_id is not None:
                rec["span_id"] = obs.span_id
            if obs.fields:
                for k, v in obs.fields.items():
                    if k not in _RESERVED and v is not None:
                        rec[k] = v
            log.emit(event, level, rec)

    def _new_stage(self, name: str, ns: int) -> None:
        """The first value of a stage name: its histogram, if the bound allows one more."""
        with self._lock:
            h = self._stages.get(name)
            if h is None:
                if len(self._stages) >= MAX_STAGES or not isinstance(name, str):
                    self._internal_errors += 1  # a stage beyond the bound: not timed
                    return
                h = self._stages[name] = LatencyHistogram(**self._lat_kwargs)
        h.record_ns(ns if ns > 0 else 0)

    # -- reading ---------------------------------------------------------------------------
    def stage_latency(self) -> dict[str, LatencyHistogram]:
        """Copies of the latency histogram of each stage (``obs.stage(name)``) since start."""
        with self._lock:
            items = list(self._stages.items())
        return {k: h.copy() for k, h in items}

    def latency_histogram(self) -> LatencyHistogram:
        """A copy of the latency histogram of every request finished since start (ns), in
        every process when the monitor has a shared segment."""
        return self._latency_total.copy()

    def latency_exemplars(self) -> tuple[tuple[int, str], ...]:
        """``(latency_ns, trace_id)`` of the newest traced request per power-of-two latency
        range (the exports' exemplars), by increasing latency."""
        return tuple(v for _, v in sorted(self._exemplars.copy().items()))

    def totals(self) -> dict[str, int]:
        """Exact totals since start: received, processed, dropped, failed, in_flight and
        errors per category value (of every process when the monitor has a shared segment)."""
        c = (self._counters if self._shared is None else self._shared).totals()
        out = {
            "received": c.received,
            "processed": c.processed,
            "dropped": c.dropped,
            "failed": c.failed,
            "in_flight": c.in_flight,
        }
        for cat in ErrorCategory:
            out[cat.value] = c.errors[cat.value]
        return out

    def check_safety(self, inputs: Any, outputs: Any = None, **kwargs: Any) -> Any:
        """Judge one inference with the attached SafetyMonitor at this monitor's clock tick
        (``latency_ns``, ``activations``, ``fault_flags`` as :meth:`SafetyMonitor.step`); returns
        its Verdict."""
        if self.safety is None:
            raise InvalidArgumentError(
                "no safety monitor: pass ServiceMonitor(..., safety=SafetyMonitor(...))"
            )
        return self.safety.step(inputs, outputs, tick=self._now(), **kwargs)

    def snapshot(self) -> Snapshot:
        """The four signals now, as one frozen :class:`Snapshot`."""
        try:
            now_s = self._clock()
        except Exception:
            now_s = _NAN
        now = self._tick_of(now_s)
        if not -_INF < _float_or_nan(now_s) < _INF:
            now_s = now / 1e9  # a broken reading: the snapshot is at the newest tick
        tot = (self._counters if self._shared is None else self._shared).totals()
        win = self._counters.window(now)
        w = win.counts
        thr = throughput_signals(tot, win, self._slot_ticks)
        w_received = w.received
        sat = _NAN
        if self._capacity_rps is not None:
            sat = thr.received_rps / self._capacity_rps
        if self._capacity_conc is not None:
            c_sat = thr.in_flight / self._capacity_conc
            sat = c_sat if math.isnan(sat) else max(sat, c_sat)

        counts = dict(tot.errors)  # every category value, in ErrorCategory's order
        wcounts = dict(w.errors)
        rates = {k: (v / w_received if w_received else 0.0) for k, v in wcounts.items()}
        errs = ErrorSignals(
            count=MappingProxyType(counts),
            window=MappingProxyType(wcounts),
            rate=MappingProxyType(rates),
            total_rate=(sum(wcounts.values()) / w_received) if w_received else 0.0,
        )
        lat = self._latency_signals(now)
        drift = self._drift_signals()

        flat: dict[str, float] = {signals.LATENCY_COUNT_NAME: float(lat.count)}
        for q, v in zip(_QUANTILES, (lat.p50_ms, lat.p90_ms, lat.p99_ms, lat.p999_ms)):
            flat[signals.latency_quantile_name(q)] = v
        for name in ThroughputSignals.__dataclass_fields__:
            flat[signals.throughput_name(name)] = float(getattr(thr, name))
        flat[signals.SATURATION_NAME] = sat
        for k, v in counts.items():
            flat[signals.error_count_name(k)] = float(v)
        for k, r in rates.items():
            flat[signals.error_rate_name(k)] = r
        flat[signals.ERRORS_TOTAL_RATE_NAME] = errs.total_rate
        for feat, d in drift.items():
            for metric in signals.DRIFT_METRICS:
                flat[signals.drift_name(feat, metric)] = getattr(d, metric)
        return Snapshot(
            service=self.service,
            model_version=self.model_version,
            time_s=now_s,
            latency=lat,
            throughput=thr,
            saturation=sat,
            errors=errs,
            drift=MappingProxyType(drift),
            _signals=MappingProxyType(flat),
        )

    def _latency_signals(self, now: int) -> LatencySignals:
        return latency_signals(self._latency.window_at(now))

    def _drift_signals(self) -> dict[str, DriftSignals]:
        if self._drift is None:
            return {}
        try:
            return drift_signals(self._drift.evaluate())
        except EmptyWindowError:  # no rows yet: every feature's signals are NaN (no data)
            pass
        except Exception:  # counted, never silent: the features' signals are NaN
            self._count_internal_error()
        names = getattr(self._drift, "names", None) or [
            f.name for f in getattr(getattr(self._drift, "reference", None), "features", ())
        ]
        return drift_signals([_NO_DRIFT(str(n)) for n in names])


class _NO_DRIFT:  # noqa: N801 - a feature without drift figures (all signals NaN)
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_RESERVED = frozenset(  # the fields _after writes itself: obs.record(**fields) cannot replace them
    "request_id model_version latency_ms input prediction confidence error_type error_message "
    "error_category trace_id span_id event level".split()
)


__all__ = [
    "ServiceMonitor",
    "Observation",
    # defined in monitor.snapshot and monitor.article; still importable from here, as before
    "Snapshot",
    "LatencySignals",
    "ThroughputSignals",
    "ErrorSignals",
    "DriftSignals",
    "PredictionMetrics",
    "predict_with_metrics",
]
