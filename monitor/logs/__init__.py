"""Structured JSON logs: one line per event, safe to feed any log pipeline.

- :mod:`monitor.logs.render`: the line format and its encoders (identical bytes);
- :mod:`monitor.logs.canonical`: canonical bytes of a value and the keyed ``input_hash``;
- :mod:`monitor.logs.logger`: the article's :class:`StructuredLogger` (and
  :func:`otel_trace_context`);
- :mod:`monitor.logs.stdlib`: :class:`JsonFormatter` and :class:`StructuredAdapter` for the
  standard library's ``logging``.
"""

from __future__ import annotations

from .canonical import canonical_bytes, input_hash
from .logger import StructuredLogger, otel_trace_context
from .render import KNOWN_FIELDS, render_json
from .stdlib import JsonFormatter, StructuredAdapter

__all__ = [
    "StructuredLogger",
    "JsonFormatter",
    "StructuredAdapter",
    "input_hash",
    "canonical_bytes",
    "render_json",
    "otel_trace_context",
    "KNOWN_FIELDS",
]
