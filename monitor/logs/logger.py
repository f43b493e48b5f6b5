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

from ..errors import InvalidArgumentError, InvalidTypeError
from .canonical import canonical_bytes, check_hash_key, keyed_blake2b
from .render import (
    JsonLine,
    TimestampCache,
    build_record,
    check_fields,
    placeholder,
    render_json,
    render_line,
)

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

    Never raises and never loses a line to bad data: a field that cannot be rendered is
    replaced by a placeholder (:attr:`render_errors`), a failing clock gives the system time
    (:attr:`clock_errors`); only a failing write loses the line (:attr:`failures`).
    **Thread-safe**: counters are exact and each line is written whole (one ``write`` under a
    lock shared with :meth:`bind`'s loggers).
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
        if not isinstance(service_name, str):
            raise InvalidTypeError(f"service_name must be a non-empty str, got {type(service_name).__name__}")
        if not service_name:
            raise InvalidArgumentError("service_name must be a non-empty str, got ''")
        if not callable(clock):
            raise InvalidTypeError(f"clock must be callable, got {type(clock).__name__}")
        if stream is not None and not callable(getattr(stream, "write", None)):
            raise InvalidTypeError(f"stream must have a write() method, got {type(stream).__name__}")
        if logger is not None and not isinstance(logger, logging.Logger):
            raise InvalidTypeError(f"logger must be a logging.Logger, got {type(logger).__name__}")
        if (
            isinstance(success_sample_rate, bool)
            or not isinstance(success_sample_rate, (int, float))
            or not 0.0 <= success_sample_rate <= 1.0
        ):
            number = isinstance(success_sample_rate, (int, float)) and not isinstance(
                success_sample_rate, bool
            )
            raise (InvalidArgumentError if number else InvalidTypeError)(
                f"success_sample_rate must be a number in [0, 1], got {type(success_sample_rate).__name__}"
                + (f" {success_sample_rate!r}" if number else "")
            )
        self.service = service_name
        self.logger = logger if logger is not None else logging.getLogger(service_name)
        self.stream = stream
        self._clock = clock
        self._key = check_hash_key(hash_key)
        self._h0 = keyed_blake2b(self._key)
        self._fields = check_fields(fields)
        self._rate = float(success_sample_rate)
        self._ts = TimestampCache()
        self._seen = itertools.count(1)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._counts = _Counts()

    # -- counters ------------------------------------------------------------------------
    @property
    def failures(self) -> int:
        """Lines lost: writing to the stream or the stdlib handler raised (never propagated)."""
        return self._counts.failures

    @property
    def render_errors(self) -> int:
        """Fields that could not be rendered (a mapping whose ``items()`` raises, an object
        whose ``__repr__`` raises, a non-string event name...) and were replaced by a
        placeholder such as ``"<unrenderable dict: RuntimeError: boom>"``; the line itself,
        with its timestamp and other fields, was written."""
        return self._counts.render_errors

    @property
    def clock_errors(self) -> int:
        """Clock readings that were not a time (raised, NaN, inf, out of range): the line was
        written with the system clock's time and a ``clock_error`` field saying why."""
        return self._counts.clock_errors

    @property
    def sampled_out(self) -> int:
        """Success events skipped by sampling."""
        return self._counts.sampled_out

    def input_hash(self, value: Any) -> str | None:
        """This logger's keyed hash of ``value`` (None if it cannot be encoded)."""
        try:
            h = self._h0.copy()  # the keyed state, computed once
            h.update(canonical_bytes(value))
            return str(h.hexdigest())
        except Exception:
            return None

    def _hash_field(self, value: Any) -> str:
        """``input_hash`` of a raw input for a line: the hash, or a placeholder when the input
        cannot be encoded (a hostile ``__repr__``, nesting deeper than 32), counted in
        :attr:`render_errors`."""
        try:
            h = self._h0.copy()
            h.update(canonical_bytes(value))
            return str(h.hexdigest())
        except Exception as exc:  # noqa: BLE001
            return _UNHASHABLE + placeholder("input", exc)[len("<unrenderable input") :]

    # -- logging -------------------------------------------------------------------------
    def render(self, event: str, level: str = "info", **context: Any) -> str:
        """The JSON line ``log`` would write (without newline). Never raises; failing fields
        are replaced and counted as for :meth:`log`."""
        return self._render(event, level, context)

    def _timestamp(self) -> tuple[str, str | None]:
        try:
            return self._ts.format(self._clock()), None
        except Exception as exc:  # noqa: BLE001 - a broken clock must not lose the line
            why = placeholder("clock reading", exc)
        self._counts.add("clock_errors")
        return self._ts.format(time.time()), why + "; timestamp from the system clock"

    def _render(self, event: str, level: str, context: dict[str, Any]) -> str:
        errs: list[str] = []
        try:
            if self._fields:
                context = {**self._fields, **context}
            ts, clock_error = self._timestamp()
            if clock_error is not None:
                context = {**context, "clock_error": clock_error}
            if type(event) is not str:
                event = _text(event, "event", errs)
            if type(level) is not str:
                level = _text(level, "level", errs)
            try:
                line = render_line(ts, self.service, event, level, context, self._hash_field)
            except Exception:  # noqa: BLE001 - the general path below renders anything
                rec = build_record(ts, self.service, event, level, dict(context), self._hash_field)
                line = render_json(rec, errs)
            if _UNHASHABLE in line and ("input" in context or "input_data" in context):
                errs.append(_UNHASHABLE)
            return line
        except Exception as exc:  # noqa: BLE001 - pragma: no cover - the paths above do not raise
            errs.append(placeholder("record", exc))
            return render_json(
                {
                    "timestamp": self._ts.format(time.time()),
                    "service": self.service,
                    "event": "log_render_failed",
                    "level": "error",
                    "error": errs[-1],
                }
            )
        finally:
            if errs:
                self._counts.add("render_errors", len(errs))

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
            self._counts.add("failures")
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
                with self._write_lock:  # one write per line, never interleaved between threads
                    stream.write(line + "\n")
            else:
                # makeRecord + handle: the stdlib path without findCaller's stack walk (the
                # caller would be this module anyway). Filters and handlers apply as usual.
                lg = self.logger
                levelno = LEVELS.get(level, logging.INFO) if isinstance(level, str) else logging.INFO
                lg.handle(lg.makeRecord(lg.name, levelno, "(monitor)", 0, JsonLine(line), (), None))
        except Exception:
            self._counts.add("failures")

    def _keep(self) -> bool:
        k = next(self._seen)
        keep = math.floor(k * self._rate) > math.floor((k - 1) * self._rate)
        if not keep:
            self._counts.add("sampled_out")
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
            "_write_lock",
            "_counts",
        ):
            setattr(other, name, getattr(self, name))
        other._fields = {**self._fields, **fields}
        return other


_UNHASHABLE = "<unhashable input"


class _Counts:
    """A logger's counters, shared with the loggers :meth:`StructuredLogger.bind` makes (they
    write to the same output)."""

    __slots__ = ("clock_errors", "failures", "lock", "render_errors", "sampled_out")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures = 0
        self.render_errors = 0
        self.clock_errors = 0
        self.sampled_out = 0

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


def _text(value: Any, what: str, errs: list[str]) -> str:
    """``str(value)`` for a head field given as another type; a placeholder if that raises."""
    try:
        text = str(value)
        if isinstance(text, str):
            return str.__str__(text)
        raise TypeError(f"__str__ returned {type(text).__name__}")
    except Exception as exc:  # noqa: BLE001
        p = placeholder(what, exc)
        errs.append(p)
        return p


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
