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

from ..errors import InvalidArgumentError, InvalidTypeError

__all__ = [
    "HEAD_FIELDS",
    "KNOWN_FIELDS",
    "render_json",
    "render_line",
    "build_record",
    "TimestampCache",
    "JsonLine",
    "check_fields",
    "placeholder",
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


def placeholder(what: str, exc: BaseException) -> str:
    """The clear marker that replaces a field that could not be rendered:
    ``<unrenderable dict: RuntimeError: items() failed>``."""
    try:
        msg = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises too
        msg = ""
    if len(msg) > 200:
        msg = msg[:200] + "..."
    return f"<unrenderable {what}: {type(exc).__name__}" + (f": {msg}>" if msg else ">")


def _type_name(o: Any) -> str:
    try:
        return str(type(o).__name__)
    except Exception:  # noqa: BLE001 - pragma: no cover
        return "object"


def _strict_repr(o: Any) -> str:
    r = repr(o)
    if not isinstance(r, str):
        raise TypeError(f"__repr__ returned {_type_name(r)}")
    return r if len(r) <= _MAX_REPR else r[:_MAX_REPR] + "..."


def _default(o: Any) -> Any:
    """The encoder's hook for values JSON has no type for. May raise (a hostile ``__repr__``,
    ``tolist``, ``isoformat``): the caller then takes the sanitising path, which replaces that
    field only and counts it."""
    if isinstance(o, Enum):
        return o.value
    item = getattr(o, "item", None)
    if item is not None and type(o).__module__ == "numpy":
        tolist = getattr(o, "tolist", None)
        return tolist() if tolist is not None else item()
    if isinstance(o, (set, frozenset)):
        return sorted(o, key=_safe_repr)
    if isinstance(o, Mapping):  # a mapping that is not a dict (MappingProxyType, ...): an object
        return {_key(k): v for k, v in o.items()}
    if isinstance(o, (bytes, bytearray, memoryview)):
        return _strict_repr(bytes(o))
    if isinstance(o, BaseException):
        return f"{type(o).__name__}: {o}"
    isoformat = getattr(o, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return _strict_repr(o)


def _safe_repr(o: Any) -> str:
    try:
        return _strict_repr(o)
    except Exception:  # noqa: BLE001
        return f"<unrepresentable {_type_name(o)}>"


_FAST = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=_default).encode


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _key(k: Any) -> str:
    if isinstance(k, str):
        return str.__str__(k)
    if k is None or isinstance(k, bool):
        return json.dumps(bool(k) if k is not None else None)
    if isinstance(k, int):
        n = int(k)
        if n.bit_length() > 4000:  # beyond int->str conversion limits
            return f"<int of {n.bit_length()} bits>"
        return str(n)
    if isinstance(k, float):
        x = float(k)
        return str(_float(x)) if not math.isfinite(x) else repr(x)
    return _safe_repr(k)


def _sanitise(v: Any, depth: int, seen: set[int], errs: list[str] | None = None) -> Any:
    """A JSON-safe copy of v (slow path, used only when the fast encoder refused). A value that
    cannot be read (a mapping whose ``items()`` raises, an object whose ``__repr__`` raises) is
    replaced by a :func:`placeholder` and its description appended to ``errs``. Never raises
    (but for BaseExceptions that are not Exceptions)."""
    try:
        return _sanitise_value(v, depth, seen, errs)
    except Exception as exc:  # noqa: BLE001 - the field is replaced, the line survives
        text = placeholder(_type_name(v), exc)
        if errs is not None:
            errs.append(text)
        return text


def _sanitise_value(v: Any, depth: int, seen: set[int], errs: list[str] | None) -> Any:
    if v is None or isinstance(v, bool):
        return bool(v) if v is not None else None
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int):
        n = int(v)
        if n.bit_length() > 4000:  # beyond int->str conversion limits
            return f"<int of {n.bit_length()} bits>"
        return n
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
                items = list(v.items())
                return {_key(k): _sanitise(x, depth + 1, seen, errs) for k, x in items}
            if isinstance(v, (set, frozenset)):
                return [_sanitise(x, depth + 1, seen, errs) for x in sorted(v, key=_safe_repr)]
            return [_sanitise(x, depth + 1, seen, errs) for x in list(v)]
        finally:
            seen.discard(id(v))
    d = _default(v)
    if isinstance(d, str):
        return str.__str__(d)
    return _sanitise(d, depth + 1, seen, errs)


def render_json(record: Mapping[str, Any], errors: list[str] | None = None) -> str:
    """One line of JSON for ``record`` (no trailing newline), always one JSON object. Never
    raises for any field: a field that cannot be rendered is replaced by a
    :func:`placeholder` (the others are kept) and described in ``errors`` when given.
    :class:`~monitor.InvalidTypeError` if ``record`` is not a mapping."""
    if not isinstance(record, Mapping):
        raise InvalidTypeError(
            f"render_json takes a mapping of field names to values, got {_type_name(record)}"
        )
    try:
        return _FAST(record)
    except Exception:  # noqa: BLE001
        pass
    errs = errors if errors is not None else []
    try:
        items = list(record.items())
    except Exception as exc:  # noqa: BLE001 - the record itself cannot be read
        text = placeholder("record", exc)
        errs.append(text)
        return _FAST({"event": "log_render_failed", "error": text})
    out: dict[str, Any] = {}
    for k, v in items:
        out[_key(k)] = _sanitise(v, 1, set(), errs)
    try:
        return _FAST(out)
    except Exception as exc:  # noqa: BLE001 - pragma: no cover - _sanitise output is always encodable
        text = placeholder("record", exc)
        errs.append(text)
        return _FAST({"event": "log_render_failed", "error": text})


def check_fields(fields: object) -> dict[str, Any]:
    """``fields`` (a mapping of str to anything, or None) as a dict; a clear error otherwise."""
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        raise InvalidTypeError(
            f"fields must be a mapping of field names to values, got {type(fields).__name__}"
        )
    try:
        out = dict(fields.items())
    except Exception as exc:  # noqa: BLE001
        raise InvalidArgumentError(f"fields could not be read ({type(exc).__name__}: {exc})") from None
    for k in out:
        if not isinstance(k, str):
            raise InvalidTypeError(f"field names must be strings, got {type(k).__name__}")
    return out


class TimestampCache:
    """UTC ISO 8601 with microseconds and ``Z``; the date-time prefix is cached per second."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[int, str] = (-1, "")

    def format(self, t: float) -> str:
        """ISO 8601 of epoch seconds ``t``; ValueError for a value that is no time (not a
        finite real number, or outside the years 1..9999)."""
        if type(t) is not float:
            if isinstance(t, bool) or not isinstance(t, (int, float)):
                try:
                    t = float(t)  # numpy scalars, Decimal, Fraction
                except (TypeError, ValueError, OverflowError):
                    raise ValueError(f"the clock returned {_type_name(t)}, not a number") from None
            else:
                t = float(t)
        if not -62135596800.0 <= t < 253402300800.0:  # years 1 .. 9999; NaN fails too
            raise ValueError(f"the clock returned {t!r}, not a time in the years 1..9999")
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
    return _FAST(v)  # raises for what only the sanitising path can render: the general path then


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
