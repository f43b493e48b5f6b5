"""Integration with the standard library's ``logging``: :class:`JsonFormatter` writes the same
JSON lines as :class:`~monitor.StructuredLogger` from ordinary logging calls, and
:class:`StructuredAdapter` takes the fields as keyword arguments."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import InvalidTypeError
from .canonical import check_hash_key, input_hash
from .render import JsonLine, TimestampCache, build_record, check_fields, placeholder, render_json

__all__ = ["JsonFormatter", "StructuredAdapter"]


_RECORD_ATTRS = frozenset(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """A ``logging.Formatter`` writing the same JSON lines from ordinary logging calls:
    ``logger.info("prediction_complete", extra={"latency_ms": 47.3})`` gives
    ``{"timestamp":...,"service":...,"event":"prediction_complete","level":"info",
    "latency_ms":47.3}``. ``service`` defaults to the record's logger name; the timestamp is
    the record's creation time unless ``clock`` is given. An exception attached to the record
    fills ``error_type``/``error_message`` (and ``traceback``). Lines already rendered by a
    :class:`StructuredLogger` pass through unchanged. Never raises and never loses a line: a
    field that cannot be rendered (a message whose ``%`` arguments do not match, an exception
    whose ``__str__`` raises, an object whose ``__repr__`` raises) is replaced by a placeholder
    such as ``"<unrenderable message 'a %d': TypeError: ...>"`` and counted in
    :attr:`render_errors`; a clock that fails (raises, NaN, inf) gives the system clock's time,
    a ``clock_error`` field and a count in :attr:`clock_errors`. Thread-safe."""

    def __init__(
        self,
        service: str | None = None,
        *,
        clock: Callable[[], float] | None = None,
        hash_key: bytes | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if clock is not None and not callable(clock):
            raise InvalidTypeError(f"clock must be callable, got {type(clock).__name__}")
        if service is not None and not isinstance(service, str):
            raise InvalidTypeError(f"service must be a str or None, got {type(service).__name__}")
        self._service = service
        self._clock = clock
        self._key = check_hash_key(hash_key)
        self._fields = check_fields(fields)
        self._ts = TimestampCache()
        self._lock = threading.Lock()
        self.render_errors = 0
        """Fields replaced by a placeholder (the line was written)."""
        self.clock_errors = 0
        """Clock readings that were not a time (the system clock's time was used)."""

    def _count(self, name: str, n: int) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def _hash(self, value: Any) -> str | None:
        try:
            return input_hash(value, self._key)
        except Exception as exc:  # noqa: BLE001 - the input is replaced by a placeholder, counted
            self._count("render_errors", 1)
            return "<unhashable input" + placeholder("input", exc)[len("<unrenderable input") :]

    def format(self, record: logging.LogRecord) -> str:
        errs: list[str] = []
        try:
            if isinstance(record.msg, JsonLine):
                return str(record.msg)
            context: dict[str, Any] = dict(self._fields)
            for k, v in record.__dict__.items():
                if k not in _RECORD_ATTRS:
                    context[k] = v
            info = record.exc_info
            exc = info[1] if isinstance(info, tuple) and len(info) == 3 else None
            if exc is not None:
                context.setdefault("error_type", type(exc).__name__)
                context.setdefault("error_message", _field(lambda: str(exc), "exception message", errs))
                context.setdefault(
                    "traceback",
                    _field(lambda: self.formatException(record.exc_info), "traceback", errs),  # type: ignore[arg-type]
                )
            ts = self._timestamp(record, context)
            message = _field(record.getMessage, "", errs, record)
            rec = build_record(
                ts,
                self._service or _field(lambda: str(record.name), "logger name", errs),
                message,
                _field(lambda: str(record.levelname).lower(), "level", errs),
                context,
                self._hash,
            )
            return render_json(rec, errs)
        except Exception as exc:  # noqa: BLE001 - pragma: no cover - the fields above are guarded
            errs.append(placeholder("record", exc))
            return render_json(
                {"timestamp": self._ts.format(time.time()), "event": "log_format_failed", "error": errs[-1]}
            )
        finally:
            if errs:
                self._count("render_errors", len(errs))

    def _timestamp(self, record: logging.LogRecord, context: dict[str, Any]) -> str:
        try:
            return self._ts.format(self._clock() if self._clock is not None else record.created)
        except Exception as exc:  # noqa: BLE001 - a broken clock must not lose the line
            context["clock_error"] = placeholder("clock reading", exc) + "; timestamp from the system clock"
            self._count("clock_errors", 1)
            return self._ts.format(time.time())


def _field(
    get: Callable[[], Any], what: str, errs: list[str], record: logging.LogRecord | None = None
) -> Any:
    """``get()``, or a placeholder naming ``what`` when it raises (for the message, the
    unformatted template is named: ``<unrenderable message 'a %d': TypeError: ...>``)."""
    try:
        v = get()
        if isinstance(v, str):
            return str.__str__(v)
        raise TypeError(f"{what or 'message'} is a {type(v).__name__}, not a string")
    except Exception as exc:  # noqa: BLE001
        if record is not None:
            try:
                template = repr(record.msg)
            except Exception:  # noqa: BLE001
                template = f"<{type(record.msg).__name__}>"
            what = f"message {template[:200]}"
        p = placeholder(what, exc)
        errs.append(p)
        return p


class StructuredAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """``logging.LoggerAdapter`` taking fields as keyword arguments:
    ``StructuredAdapter(logging.getLogger("svc"), {"model_version": "v3"}).info(
    "prediction_complete", latency_ms=47.3)``. Use with :class:`JsonFormatter` on the handler.
    Field names that clash with ``LogRecord`` attributes get a trailing underscore."""

    _PASS = frozenset(("exc_info", "stack_info", "stacklevel", "extra"))

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra: dict[str, Any] = dict(self.extra or {})
        extra.update(kwargs.pop("extra", None) or {})
        for k in [k for k in kwargs if k not in self._PASS]:
            extra[k] = kwargs.pop(k)
        kwargs["extra"] = {(k + "_" if k in _RECORD_ATTRS else k): v for k, v in extra.items()}
        return msg, kwargs
