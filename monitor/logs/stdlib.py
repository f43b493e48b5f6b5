"""Integration with the standard library's ``logging``: :class:`JsonFormatter` writes the same
JSON lines as :class:`~monitor.StructuredLogger` from ordinary logging calls, and
:class:`StructuredAdapter` takes the fields as keyword arguments."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import InvalidArgumentError
from .canonical import check_hash_key, input_hash
from .render import JsonLine, TimestampCache, build_record, render_json

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
    :class:`StructuredLogger` pass through unchanged. Never raises."""

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
            raise InvalidArgumentError(f"clock must be callable, got {clock!r}")
        self._service = service
        self._clock = clock
        self._key = check_hash_key(hash_key)
        self._fields = dict(fields or {})
        self._ts = TimestampCache()

    def _hash(self, value: Any) -> str | None:
        try:
            return input_hash(value, self._key)
        except Exception:
            return None

    def format(self, record: logging.LogRecord) -> str:
        try:
            if isinstance(record.msg, JsonLine):
                return str(record.msg)
            context: dict[str, Any] = dict(self._fields)
            for k, v in record.__dict__.items():
                if k not in _RECORD_ATTRS:
                    context[k] = v
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                context.setdefault("error_type", type(exc).__name__)
                context.setdefault("error_message", str(exc))
                context.setdefault("traceback", self.formatException(record.exc_info))
            t = self._clock() if self._clock is not None else record.created
            rec = build_record(
                self._ts.format(t),
                self._service or record.name,
                record.getMessage(),
                record.levelname.lower(),
                context,
                self._hash,
            )
            return render_json(rec)
        except Exception as exc:
            return render_json({"event": "log_format_failed", "error_type": type(exc).__name__})


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
