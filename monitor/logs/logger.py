"""The article's ``StructuredLogger`` (see :mod:`monitor.article`): one JSON line per event
(:mod:`monitor.logs.render`), to a stdlib logger or straight to a stream; a raw input becomes a
keyed ``input_hash`` (:mod:`monitor.logs.canonical`). A failure to render or emit is counted
(:attr:`StructuredLogger.failures`) and never raised.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

from ..errors import InvalidArgumentError
from .canonical import canonical_bytes, check_hash_key, keyed_blake2b
from .render import JsonLine, TimestampCache, build_record, render_json, render_line

__all__ = ["StructuredLogger", "LEVELS", "otel_trace_context"]

LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
}
_SAMPLED_LEVELS = frozenset(("debug", "info"))


class StructuredLogger:
    """The article's ``StructuredLogger``: ``log(event, level="info", **context)`` writes one
    JSON line. Lines go to the stdlib logger ``logging.getLogger(service_name)`` (the article's
    behaviour; the message is the JSON line, so any handler emits it as is), or, when
    ``stream`` is given, straight to that text stream (fastest).

    Options: ``clock`` (epoch seconds, default ``time.time``) makes the bytes deterministic;
    ``hash_key`` (bytes; default random per logger) keys ``input_hash`` - pass a stable secret
    to compare hashes across processes; ``fields`` are added to every line (e.g.
    ``model_version``); ``success_sample_rate`` in [0, 1] keeps that fraction of debug/info
    events without ``error_type`` (deterministically: the k-th such event is kept when
    floor(k * rate) increases); warnings and errors are always kept.
    """

    def __init__(
        self,
        service_name: str,
        *,
        logger: logging.Logger | None = None,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.time,
        hash_key: bytes | None = None,
        fields: Mapping[str, Any] | None = None,
        success_sample_rate: float = 1.0,
    ) -> None:
        if not isinstance(service_name, str) or not service_name:
            raise InvalidArgumentError(f"service_name must be a non-empty str, got {service_name!r}")
        if not callable(clock):
            raise InvalidArgumentError(f"clock must be callable, got {clock!r}")
        if stream is not None and not callable(getattr(stream, "write", None)):
            raise InvalidArgumentError(f"stream must have a write() method, got {stream!r}")
        if (
            isinstance(success_sample_rate, bool)
            or not isinstance(success_sample_rate, (int, float))
            or not 0.0 <= success_sample_rate <= 1.0
        ):
            raise InvalidArgumentError(
                f"success_sample_rate must be a number in [0, 1], got {success_sample_rate!r}"
            )
        self.service = service_name
        self.logger = logger if logger is not None else logging.getLogger(service_name)
        self.stream = stream
        self._clock = clock
        self._key = check_hash_key(hash_key)
        self._h0 = keyed_blake2b(self._key)
        self._fields = dict(fields or {})
        self._rate = float(success_sample_rate)
        self._ts = TimestampCache()
        self._seen = itertools.count(1)
        self._lock = threading.Lock()
        self._failures = 0
        self._sampled_out = 0

    # -- counters ------------------------------------------------------------------------
    @property
    def failures(self) -> int:
        """Log calls that failed (rendering or emitting raised); they never propagate."""
        return self._failures

    @property
    def sampled_out(self) -> int:
        """Success events skipped by sampling."""
        return self._sampled_out

    def input_hash(self, value: Any) -> str | None:
        """This logger's keyed hash of ``value`` (None if it cannot be encoded)."""
        try:
            h = self._h0.copy()  # the keyed state, computed once
            h.update(canonical_bytes(value))
            return str(h.hexdigest())
        except Exception:
            return None

    # -- logging -------------------------------------------------------------------------
    def render(self, event: str, level: str = "info", **context: Any) -> str:
        """The JSON line ``log`` would write (without newline). Never raises."""
        try:
            return self._render(event, level, context)
        except Exception as exc:
            return render_json({"event": "log_render_failed", "error_type": type(exc).__name__})

    def _render(self, event: str, level: str, context: dict[str, Any]) -> str:
        if self._fields:
            context = {**self._fields, **context}
        ts = self._ts.format(self._clock())
        try:
            return render_line(ts, self.service, event, level, context, self.input_hash)
        except Exception:
            pass
        rec = build_record(ts, self.service, event, level, dict(context), self.input_hash)
        return render_json(rec)

    def enabled(self, level: str = "info") -> bool:
        """Whether a line at ``level`` would be written (stream given, or the stdlib logger
        enabled for it): callers can skip building fields otherwise."""
        if self.stream is not None:
            return True
        return self.logger.isEnabledFor(LEVELS.get(level, logging.INFO))

    def log(self, event: str, level: str = "info", **context: Any) -> None:
        """Write one JSON line for ``event``; unknown levels are logged at INFO with the given
        level name. Never raises: failures are counted in :attr:`failures`."""
        self._log(event, level, context)

    def _log(self, event: str, level: str, context: dict[str, Any]) -> None:
        try:
            levelno = LEVELS.get(level, logging.INFO) if isinstance(level, str) else logging.INFO
            if self.stream is None and not self.logger.isEnabledFor(levelno):
                return
        except Exception:
            with self._lock:
                self._failures += 1
            return
        self.emit(event, level, context)

    def emit(self, event: str, level: str, record: dict[str, Any]) -> None:
        """Write one line for ``record`` (the fields, as for :meth:`log`; the dict is the
        logger's from here on), without checking the level: the caller has asked
        :meth:`enabled` (``ServiceMonitor`` builds its records only then). Sampling applies.
        Never raises: failures are counted in :attr:`failures`."""
        try:
            if self._rate < 1.0 and level in _SAMPLED_LEVELS and "error_type" not in record:
                if not self._keep():
                    return
            line = self._render(event, level, record)
            stream = self.stream
            if stream is not None:
                stream.write(line + "\n")
            else:
                # makeRecord + handle: the stdlib path without findCaller's stack walk (the
                # caller would be this module anyway). Filters and handlers apply as usual.
                lg = self.logger
                levelno = LEVELS.get(level, logging.INFO) if isinstance(level, str) else logging.INFO
                lg.handle(lg.makeRecord(lg.name, levelno, "(monitor)", 0, JsonLine(line), (), None))
        except Exception:
            with self._lock:
                self._failures += 1

    def _keep(self) -> bool:
        k = next(self._seen)
        keep = math.floor(k * self._rate) > math.floor((k - 1) * self._rate)
        if not keep:
            with self._lock:
                self._sampled_out += 1
        return keep

    def bind(self, **fields: Any) -> StructuredLogger:
        """A logger sharing this one's output, key, clock and sampling rate, with extra
        fields on every line."""
        other = StructuredLogger.__new__(StructuredLogger)
        for name in (
            "service",
            "logger",
            "stream",
            "_clock",
            "_key",
            "_h0",
            "_rate",
            "_ts",
            "_seen",
            "_lock",
        ):
            setattr(other, name, getattr(self, name))
        other._fields = {**self._fields, **fields}
        other._failures = 0
        other._sampled_out = 0
        return other


def otel_trace_context() -> tuple[str, str] | None:
    """``(trace_id, span_id)`` of OpenTelemetry's current span as lowercase hex (32 and 16
    digits, the W3C / OTel log field format), or None when opentelemetry is not installed or
    no valid span is active. Pass as ``ServiceMonitor(trace_context=otel_trace_context)``."""
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"
