"""JSON lines: one object per event, safe to feed any log pipeline.

Every line is one JSON object with a stable key order: ``timestamp`` (UTC, ISO 8601, ``Z``),
``service``, ``event``, ``level``, then the known fields when present (:data:`KNOWN_FIELDS`:
``request_id``, ``model_version``, ``latency_ms``, ``input_hash``, ``prediction``,
``confidence``, ``error_type``, ``error_message``, ``error_category``, and OpenTelemetry's
``trace_id`` / ``span_id``), then any other fields sorted by name. The output is ASCII
(``ensure_ascii``), so newlines, control characters, U+2028/9 and lone surrogates are escaped
and a value can never start a new line (no log injection). Values JSON cannot hold are
rendered safely: NaN and infinities as the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"``; numpy values as numbers or lists; non-string keys as strings; cycles and
excessive nesting as markers; other objects by ``repr``.

Two encoders give identical bytes: :func:`render_line` (one pass over the fields, the
loggers' fast path) and ``render_json(build_record(...))`` (the general path, also used by
:class:`~monitor.logs.JsonFormatter`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

__all__ = [
    "HEAD_FIELDS",
    "KNOWN_FIELDS",
    "render_json",
    "render_line",
    "build_record",
    "TimestampCache",
    "JsonLine",
]

HEAD_FIELDS = ("timestamp", "service", "event", "level")
KNOWN_FIELDS = (
    "request_id",
    "model_version",
    "latency_ms",
    "input_hash",
    "prediction",
    "confidence",
    "error_type",
    "error_message",
    "error_category",
    "trace_id",
    "span_id",
)
_KNOWN_SET = frozenset(KNOWN_FIELDS)
_HEAD_SET = frozenset(HEAD_FIELDS)
_INPUT_KEYS = ("input", "input_data")

_MAX_DEPTH = 32
_MAX_REPR = 2000


def _default(o: Any) -> Any:
    if isinstance(o, Enum):
        return o.value
    item = getattr(o, "item", None)
    if item is not None and type(o).__module__ == "numpy":
        tolist = getattr(o, "tolist", None)
        return tolist() if tolist is not None else item()
    if isinstance(o, (set, frozenset)):
        return sorted(o, key=_safe_repr)
    if isinstance(o, (bytes, bytearray, memoryview)):
        return _safe_repr(bytes(o))
    if isinstance(o, BaseException):
        return f"{type(o).__name__}: {o}"
    isoformat = getattr(o, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return _safe_repr(o)


def _safe_repr(o: Any) -> str:
    try:
        r = repr(o)
    except Exception:
        return f"<unrepresentable {type(o).__name__}>"
    return r if len(r) <= _MAX_REPR else r[:_MAX_REPR] + "..."


_FAST = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=_default).encode


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, bool):
        return json.dumps(k)
    if isinstance(k, int):
        if k.bit_length() > 4000:  # beyond int->str conversion limits
            return f"<int of {k.bit_length()} bits>"
        return str(int(k))
    if isinstance(k, float):
        return str(_float(k)) if not math.isfinite(k) else repr(k)
    return _safe_repr(k)


def _sanitise(v: Any, depth: int, seen: set[int]) -> Any:
    """A JSON-safe copy of v (slow path, used only when the fast encoder refused)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        if v.bit_length() > 4000:  # beyond int->str conversion limits
            return f"<int of {v.bit_length()} bits>"
        return int(v)
    if isinstance(v, float):
        return _float(float(v))
    if depth >= _MAX_DEPTH:
        return "<max depth>"
    if isinstance(v, (dict, list, tuple, set, frozenset)) or isinstance(v, Mapping):
        if id(v) in seen:
            return "<cycle>"
        seen.add(id(v))
        try:
            if isinstance(v, Mapping):
                return {_key(k): _sanitise(x, depth + 1, seen) for k, x in v.items()}
            if isinstance(v, (set, frozenset)):
                return [_sanitise(x, depth + 1, seen) for x in _default(v)]
            return [_sanitise(x, depth + 1, seen) for x in v]
        finally:
            seen.discard(id(v))
    try:
        d = _default(v)
    except Exception:
        return f"<unrepresentable {type(v).__name__}>"
    if isinstance(d, str):
        return d
    return _sanitise(d, depth + 1, seen)


def render_json(record: Mapping[str, Any]) -> str:
    """One line of JSON for ``record`` (no trailing newline); never raises."""
    try:
        return _FAST(record)
    except Exception:
        pass
    try:
        return _FAST(_sanitise(record, 0, set()))
    except Exception as exc:  # pragma: no cover - _sanitise output is always encodable
        return _FAST({"event": "log_render_failed", "error_type": type(exc).__name__})


class TimestampCache:
    """UTC ISO 8601 with microseconds and ``Z``; the date-time prefix is cached per second."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[int, str] = (-1, "")

    def format(self, t: float) -> str:
        us = round(t * 1_000_000)
        sec, frac = divmod(us, 1_000_000)
        last = self._last
        if last[0] == sec:
            prefix = last[1]
        else:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
            self._last = (sec, prefix)
        return f"{prefix}.{frac:06d}Z"


class JsonLine(str):
    """A rendered line travelling through stdlib logging: JsonFormatter passes it through."""

    __slots__ = ()


def build_record(
    ts: str,
    service: str,
    event: str,
    level: str,
    context: dict[str, Any],
    hasher: Callable[[Any], str | None] | None,
) -> dict[str, Any]:
    """The record of one line, in canonical key order (head fields, the known fields, the
    others sorted; a raw ``input``/``input_data`` replaced by ``hasher``'s ``input_hash``):
    the general path, ``render_json(build_record(...))``. Consumes ``context``."""
    rec: dict[str, Any] = {"timestamp": ts, "service": service, "event": event, "level": level}
    if hasher is not None:
        for k in _INPUT_KEYS:
            if k in context:
                raw = context.pop(k)
                if "input_hash" not in context:
                    h = hasher(raw)
                    if h is not None:
                        context["input_hash"] = h
    for k in KNOWN_FIELDS:
        if k in context:
            rec[k] = context.pop(k)
    if context:
        for k in sorted(context, key=_key):
            name = _key(k)
            rec[name + "_" if name in _HEAD_SET or name in rec else name] = context[k]
    return rec


_c_esc = getattr(json.encoder, "c_encode_basestring_ascii", None)
_esc: Callable[[str], str] = _c_esc or json.encoder.py_encode_basestring_ascii
_INF = math.inf
_MISSING = object()
_KEY_PREFIX = {k: ',"' + k + '":' for k in KNOWN_FIELDS}


def _value(v: Any) -> str:
    """JSON text of one value: the common scalar types directly, anything else through the
    encoder (and the sanitiser when the encoder refuses)."""
    t = type(v)
    if t is str:
        return _esc(v)
    if t is float:
        if -_INF < v < _INF:
            return float.__repr__(v)
        return '"NaN"' if v != v else ('"Infinity"' if v > 0 else '"-Infinity"')
    if t is int:
        if v.bit_length() <= 4000:
            return int.__repr__(v)
        return _esc(f"<int of {v.bit_length()} bits>")
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    try:
        return _FAST(v)
    except Exception:
        return _FAST(_sanitise(v, 1, set()))


class _Unordered(Exception):
    """Known fields out of canonical order: take the general path."""


_RANK = {k: i for i, k in enumerate(KNOWN_FIELDS)}
_RANK_INPUT_HASH = _RANK["input_hash"]


def render_line(
    ts: str,
    service: str,
    event: str,
    level: str,
    context: Mapping[str, Any],
    hasher: Callable[[Any], str | None] | None,
) -> str:
    """One pass over ``context`` when its known fields already come in canonical order (the
    usual case: callers write them in the article's order); otherwise _line_general. Both give
    exactly the bytes of ``render_json(build_record(...))``. Raises for non-str keys."""
    try:
        return _line_ordered(ts, service, event, level, context, hasher)
    except _Unordered:
        return _line_general(ts, service, event, level, context, hasher)


def _line_ordered(
    ts: str,
    service: str,
    event: str,
    level: str,
    context: Mapping[str, Any],
    hasher: Callable[[Any], str | None] | None,
) -> str:
    out = [
        '{"timestamp":"'
        + ts
        + '","service":'
        + _esc(service)
        + ',"event":'
        + _esc(event)
        + ',"level":'
        + _esc(level)
    ]
    last = -1
    extras: list[str] | None = None
    rank = _RANK.get
    for k, v in context.items():
        r = rank(k)
        if r is None:
            if hasher is not None and (k == "input" or k == "input_data"):
                if "input_hash" in context:
                    continue
                r = _RANK_INPUT_HASH
                if r <= last:  # e.g. both input and input_data given
                    raise _Unordered
                last = r
                digest = hasher(v)
                if digest is not None:
                    out.append(',"input_hash":' + _esc(digest))
                continue
            if extras is None:
                extras = [k]
            else:
                extras.append(k)
            continue
        if r <= last:
            raise _Unordered
        last = r
        t = type(v)
        if t is str:
            out.append(_KEY_PREFIX[k] + _esc(v))
        elif t is float and -_INF < v < _INF:
            out.append(_KEY_PREFIX[k] + float.__repr__(v))
        else:
            out.append(_KEY_PREFIX[k] + _value(v))
    if extras is not None:
        extras.sort()
        for k in extras:
            if type(k) is not str or k in _HEAD_SET:
                raise TypeError("non-str or renamed key: general path")
            out.append("," + _esc(k) + ":" + _value(context[k]))
    out.append("}")
    return "".join(out)


def _line_general(
    ts: str,
    service: str,
    event: str,
    level: str,
    context: Mapping[str, Any],
    hasher: Callable[[Any], str | None] | None,
) -> str:
    """Fast path giving exactly the bytes of ``render_json(build_record(...))`` when every key is a
    str (raises otherwise; the caller then takes the general path). Does not modify context."""
    # ts is ASCII digits and punctuation from TimestampCache: no escaping needed.
    out = [
        '{"timestamp":"'
        + ts
        + '","service":'
        + _esc(service)
        + ',"event":'
        + _esc(event)
        + ',"level":'
        + _esc(level)
    ]
    skip_input = False
    digest = None
    if hasher is not None:
        for k in _INPUT_KEYS:
            if k in context:
                skip_input = True
                if digest is None and "input_hash" not in context:
                    digest = hasher(context[k])
    get = context.get
    for k in KNOWN_FIELDS:
        v = get(k, _MISSING)
        if v is _MISSING:
            if k == "input_hash" and digest is not None:
                out.append(',"input_hash":' + _esc(digest))
            continue
        t = type(v)
        if t is str:
            out.append(_KEY_PREFIX[k] + _esc(v))
        elif t is float and -_INF < v < _INF:
            out.append(_KEY_PREFIX[k] + float.__repr__(v))
        else:
            out.append(_KEY_PREFIX[k] + _value(v))
    extras = [k for k in context if k not in _KNOWN_SET]
    if extras:
        extras.sort()
        for k in extras:
            if type(k) is not str or k in _HEAD_SET:
                raise TypeError("non-str or renamed key: general path")
            if skip_input and k in _INPUT_KEYS:
                continue
            out.append("," + _esc(k) + ":")
            out.append(_value(context[k]))
    out.append("}")
    return "".join(out)
