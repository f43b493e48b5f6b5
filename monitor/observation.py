"""One request, measured at the boundary: :class:`Observation` (what
:meth:`monitor.ServiceMonitor.observe` returns) and its stages.

The request path is the hot path of the service instrumentation, so ``__enter__`` / ``__exit__``
inline the common case (the forward tick of :class:`~monitor.latency.window.TickClock`, the
success outcome) and hand everything else to the monitor that owns them. The monitor is
:class:`monitor.service.ServiceMonitor`; this module does not import it (the monitor imports
this one), so it is typed ``Any`` here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from .article import PredictionMetrics
from .categories import ErrorCategory

_NAN = math.nan
_INF = math.inf
_floor = math.floor
_U64_MAX = 2**64 - 1
#: the stdlib level of each outcome's log line (the service's events: info, warning, error)
LEVELNO = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class _Stage:
    __slots__ = ("_obs", "_name", "_prev", "_t0")

    def __init__(self, obs: Observation, name: str) -> None:
        self._obs = obs
        self._name = name
        self._prev: str | None = None
        self._t0: float | None = None

    def __enter__(self) -> _Stage:
        self._prev = self._obs.stage_name
        self._obs.stage_name = self._name
        svc = self._obs._svc
        try:
            self._t0 = svc._clock()
        except Exception:  # a broken clock must not break the request
            svc._count_internal_error()
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        t0 = self._t0
        if t0 is not None:
            svc = self._obs._svc
            h = svc._stages.get(self._name)
            try:
                ns = int((svc._clock() - t0) * 1e9)
                if h is not None:
                    h.record_ns(ns if ns > 0 else 0)
                else:
                    svc._new_stage(self._name, ns)
            except Exception:
                svc._count_internal_error()
        if et is None:  # on an exception, keep the stage where it was raised
            self._obs.stage_name = self._prev


class Observation:
    """One request, measured at the boundary. Use as ``with`` / ``async with``; mark stages
    with ``obs.stage("validation" | "model" | "business")``; record outputs with
    :meth:`record`; :meth:`drop` or :meth:`fail` to end it without an exception."""

    __slots__ = (
        "_svc",
        "request_id",
        "input",
        "trace_id",
        "span_id",
        "features",
        "stage_name",
        "prediction",
        "confidence",
        "fields",
        "_t0",
        "_outcome",
        "_category",
        "_error_type",
        "_error_message",
        "_latency_ms",
        "_error_category",
        "context",
        "_drift_rows",
        "_tick0",
    )

    def __init__(
        self,
        svc: Any,  # the ServiceMonitor that owns this request
        request_id: str | None,
        input: Any,
        trace_id: str | None,
        span_id: str | None,
        features: Any,
        context: Mapping[str, Any] | None,
    ) -> None:
        self._svc = svc
        self.request_id = request_id
        self.input = input
        self.trace_id = trace_id
        self.span_id = span_id
        self.features = features
        self._drift_rows: Any = features  # the drift monitor's validated rows (see observe)
        self.context = context
        self.stage_name: str | None = None
        self.prediction: Any = None
        self.confidence: Any = None
        self.fields: dict[str, Any] | None = None
        self._t0: Any = None  # the clock reading at entry (set once counted in flight)
        self._tick0 = -1  # the tick at entry; -1 before entry, -2 once ended
        self._outcome = 0  # 0 ok, 1 fail, 2 drop
        self._category: ErrorCategory | None = None
        self._error_type: str | None = None
        self._error_message: str | None = None
        self._latency_ms: float | None = None
        self._error_category: ErrorCategory | None = None

    @property
    def latency_ms(self) -> float | None:
        """Latency at the boundary (set on exit)."""
        return self._latency_ms

    @property
    def error_category(self) -> ErrorCategory | None:
        """The category of the error that ended this request, if any (set on exit)."""
        return self._error_category

    @property
    def metrics(self) -> PredictionMetrics | None:
        """The article's :class:`PredictionMetrics` for this request (None before exit)."""
        if self._latency_ms is None:
            return None
        try:
            size = len(self.input) if self.input is not None else 0
        except Exception:
            size = 1
        return PredictionMetrics(
            latency_ms=self._latency_ms,
            model_version=self._svc.model_version,
            input_size=size,
            cache_hit=bool(self.fields.get("cache_hit", False)) if self.fields else False,
            error=self._error_type,
            error_category=self._error_category,
            request_id=self.request_id,
        )

    def stage(self, name: str) -> _Stage:
        """Context manager naming the current stage (the categoriser's ``context["stage"]``)."""
        return _Stage(self, name)

    def record(self, prediction: Any = None, confidence: Any = None, **fields: Any) -> None:
        """The model's output (checked for NaN / inf / low confidence) and extra log fields."""
        self.prediction = prediction
        self.confidence = confidence
        if fields:
            self.fields = fields

    def drop(self, reason: str | None = None) -> None:
        """End this request as dropped (shed / abandoned) instead of processed."""
        self._outcome = 2
        self._error_message = reason

    def fail(self, category: ErrorCategory | str, message: str = "", error_type: str | None = None) -> None:
        """End this request as failed with ``category`` without raising (e.g. a business rule
        rejected the prediction). InvalidArgumentError for an unknown category."""
        self._category = ErrorCategory.parse(category)
        self._outcome = 1
        self._error_type = error_type or self._category.value
        self._error_message = message

    def __enter__(self) -> Observation:
        # Counted in flight whatever the clock does (a bad reading uses the newest tick; its
        # latency is then invalid); from here on the request always ends counted.
        svc = self._svc
        if self._tick0 != -1:  # entered twice (or after its end): counted, not begun again
            svc._count_internal_error()
            return self
        try:
            t = svc._clock()
        except Exception:
            t = _NAN
        tc = svc._ticks
        try:  # TickClock.tick_of's forward case inline (hot path); every other case: tick_of
            tick = _floor(t * 1e9) + tc.offset
            if tc.newest <= tick <= _U64_MAX:
                tc.newest = tick
            else:
                tick = tc.tick_of(t)
        except Exception:
            tick = tc.tick_of(t)
        svc._begin(tick)
        self._tick0 = tick
        self._t0 = t
        return self

    def __exit__(
        self,
        et: type[BaseException] | None,
        ev: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Returns None: the request's own exception, if any, always propagates. A failure of
        # the monitor is counted; a BaseException raised inside it (e.g. KeyboardInterrupt, a
        # categoriser rule raising SystemExit) propagates, after the request was counted.
        # (ServiceMonitor's end of a request, inline: one Python call less per request.)
        svc = self._svc
        try:
            tick0 = self._tick0
            if tick0 < 0:  # never entered, or ended already: nothing in flight to end
                svc._count_internal_error()
                return
            self._tick0 = -2  # a second exit is refused here, not miscounted
            tick = tick0
            ended = False
            try:
                try:
                    t1 = svc._clock()
                except Exception:
                    t1 = _NAN
                tc = svc._ticks
                try:  # as in __enter__: the forward case inline, every other case tick_of
                    tick = _floor(t1 * 1e9) + tc.offset
                    if tc.newest <= tick <= _U64_MAX:
                        tc.newest = tick
                    else:
                        tick = tc.tick_of(t1)
                except Exception:
                    tick = tc.tick_of(t1)
                try:  # the latency is the request's own two readings apart (never the ticks,
                    # which another thread's newer reading may hold): floor(d * 1e9) ns
                    d = t1 - self._t0
                    ok = 0.0 <= d < 1.8e10  # NaN, inf, a step back, ~2**64 ns or more: not ok
                except Exception:
                    ok = False
                if ok:
                    ns = int(d * 1e9)
                    if self.trace_id is not None:  # the newest traced request per 2**k ns: exemplars
                        svc._exemplars[ns.bit_length()] = (ns, self.trace_id)
                    latency_ms = ns / 1e6
                else:
                    ns = -1
                    latency_ms = svc._bad_latency(self._t0, t1, tick)
                p, c = self.prediction, self.confidence
                if (
                    ev is None
                    and self._outcome == 0
                    and (p is None or type(p) is int or (type(p) is float and -_INF < p < _INF))
                    and (c is None or (type(c) is float and svc._conf_lo <= c < _INF))
                ):  # the common success, inline (anything else: _outcome)
                    if ns >= 0:  # the windowed latency, since start and the outcome: one C call
                        status = svc._finish(tick, 0, 0, ns)
                    else:
                        status = svc._ok(tick)
                    event = "prediction_complete"
                    level = "info"
                    category = None
                else:
                    if ns >= 0:
                        svc._record_latency(tick, ns)  # the window
                        svc._record_total(ns)  # since start (the exports' cumulative histogram)
                    status, event, level, category = svc._outcome(self, ev, tick)
                ended = True
            finally:
                if not ended:  # the monitor itself raised: the request still ends, counted
                    svc._end_anyway(self, ev, tick)
            if status != 0:
                svc._count_internal_error()
            self._latency_ms = latency_ms
            self._error_category = category
            # the log gate (here only: _after trusts it): a request that wants neither a drift
            # update nor a log line (e.g. the stdlib logger disabled at its level, a check that
            # logging caches) makes no further call
            log = svc._logger
            line = (
                log is not None
                and (level != "info" or svc._log_success)
                and (log.stream is not None or log.logger.isEnabledFor(LEVELNO[level]))
            )
            if line or svc._drift is not None:
                svc._after(self, event, level, category, latency_ms, line)
        except Exception:
            svc._count_internal_error()

    async def __aenter__(self) -> Observation:
        return self.__enter__()

    async def __aexit__(
        self,
        et: type[BaseException] | None,
        ev: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(et, ev, tb)


__all__ = ["Observation"]
