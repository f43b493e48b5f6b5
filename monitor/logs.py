"""Structured JSON logs: one line per event, safe to feed any log pipeline.

Every line is one JSON object with a stable key order: ``timestamp`` (UTC, ISO 8601, ``Z``),
``service``, ``event``, ``level``, then the article's fields when present (``request_id``,
``model_version``, ``latency_ms``, ``input_hash``, ``prediction``, ``confidence``,
``error_type``, ``error_message``, ``error_category``, and OpenTelemetry's ``trace_id`` /
``span_id``), then any other fields sorted by name. The output is ASCII (``ensure_ascii``), so
newlines, control characters, U+2028/9 and lone surrogates are escaped and a value can never
start a new line (no log injection). Values JSON cannot hold are rendered safely: NaN and
infinities as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; numpy values as numbers
or lists; non-string keys as strings; cycles and excessive nesting as markers; other objects
by ``repr``. A raw input passed as ``input=`` is never logged: it becomes ``input_hash``, a
keyed BLAKE2b hash of a canonical encoding (:func:`canonical_bytes`).

A failure to render or emit is counted (:attr:`StructuredLogger.failures`) and never raised.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import os
import struct
import threading
import time
from collections.abc import Callable, Mapping
from enum import Enum
from typing import IO, Any

from .errors import InvalidInputError

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

_MAX_DEPTH = 32
_MAX_REPR = 2000

# --------------------------------------------------------------------------------------------
# Canonical encoding and keyed input hash
# --------------------------------------------------------------------------------------------


def _u64(n: int) -> bytes:
    return struct.pack("<Q", n)


def _enc_str(value: str) -> bytes:
    raw = value.encode("utf-8", "surrogatepass")
    return b"s" + _u64(len(raw)) + raw


def _enc_float(value: float) -> bytes:
    return b"fnan" if value != value else b"f" + struct.pack("<d", value)


def _enc_int(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"i" + _u64(len(raw)) + raw


# Exact builtin scalar types (subclasses take the general path below, with the same bytes).
_SCALAR: dict[type, Callable[[Any], bytes]] = {
    str: _enc_str,
    float: _enc_float,
    int: _enc_int,
    bool: lambda v: b"T" if v else b"F",
    type(None): lambda v: b"N",
}


def _encode(value: Any, out: list[bytes], depth: int) -> None:
    enc = _SCALAR.get(type(value))
    if enc is not None:
        out.append(enc(value))
        return
    if depth > _MAX_DEPTH:
        raise ValueError("input nested too deeply to hash")
    if type(value) is dict:
        _encode_mapping(value, out, depth)
        return
    if value is None:
        out.append(b"N")
    elif value is True:
        out.append(b"T")
    elif value is False:
        out.append(b"F")
    elif isinstance(value, int):
        n = int(value)
        raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
        out.append(b"i" + _u64(len(raw)) + raw)
    elif isinstance(value, float):
        out.append(b"fnan" if math.isnan(value) else b"f" + struct.pack("<d", value))
    elif isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
        out.append(b"s" + _u64(len(raw)) + raw)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        out.append(b"b" + _u64(len(raw)) + raw)
    elif isinstance(value, (list, tuple)):
        out.append(b"l" + _u64(len(value)))
        for v in value:
            _encode(v, out, depth + 1)
    elif isinstance(value, Mapping):
        _encode_mapping(value, out, depth)
    elif isinstance(value, (set, frozenset)):
        members = []
        for v in value:
            part: list[bytes] = []
            _encode(v, part, depth + 1)
            members.append(b"".join(part))
        out.append(b"S" + _u64(len(members)))
        out.extend(sorted(members))
    elif isinstance(value, Enum):
        _encode(value.value, out, depth + 1)
    else:
        _encode_other(value, out, depth)


def _encode_mapping(value: Mapping[Any, Any], out: list[bytes], depth: int) -> None:
    items = []
    for k, v in value.items():
        ek = _SCALAR.get(type(k))
        ev = _SCALAR.get(type(v))
        if ek is not None and ev is not None:
            items.append(ek(k) + ev(v))
            continue
        part: list[bytes] = []
        _encode(k, part, depth + 1)
        _encode(v, part, depth + 1)
        items.append(b"".join(part))
    items.sort()
    out.append(b"d" + _u64(len(items)))
    out.extend(items)


def _encode_other(value: Any, out: list[bytes], depth: int) -> None:
    import numpy as np

    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            out.append(b"A" + _u64(value.ndim) + b"".join(_u64(d) for d in value.shape))
            _encode(value.tolist(), out, depth + 1)
            return
        le = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<"))
        dt = le.dtype.str.encode("ascii")
        out.append(b"a" + _u64(len(dt)) + dt + _u64(value.ndim))
        out.append(b"".join(_u64(d) for d in value.shape))
        out.append(le.tobytes())
    elif isinstance(value, np.generic):
        _encode(value.item(), out, depth + 1)
    else:
        # Not canonical across processes when repr shows an address: documented.
        raw = (type(value).__qualname__ + ":" + repr(value)).encode("utf-8", "surrogatepass")
        out.append(b"r" + _u64(len(raw)) + raw)


def canonical_bytes(value: Any) -> bytes:
    """A canonical, type-tagged, length-prefixed byte encoding of ``value``: equal inputs give
    equal bytes in every process (dicts and sets are order-independent, lists and tuples
    encode alike, numpy arrays by dtype, shape and little-endian data). Objects of other types
    are encoded by their type name and ``repr``. ValueError when nested deeper than 32."""
    out: list[bytes] = []
    _encode(value, out, 0)
    return b"".join(out)


def _keyed(key: bytes, digest_size: int = 16) -> Any:
    return hashlib.blake2b(key=key, digest_size=digest_size, person=b"monitor-input")


def input_hash(value: Any, key: bytes, *, digest_size: int = 16) -> str:
    """Keyed BLAKE2b hash (hex) of :func:`canonical_bytes` of ``value``: reproducible for the
    holder of ``key``, not reversible to the input, so no raw input or PII reaches the logs."""
    h = _keyed(key, digest_size)
    h.update(canonical_bytes(value))
    return str(h.hexdigest())


def _check_key(key: bytes | None) -> bytes:
    if key is None:
        return os.urandom(32)
    if not isinstance(key, (bytes, bytearray)) or not 1 <= len(key) <= 64:
        raise InvalidInputError(f"hash_key must be 1..64 bytes (BLAKE2b key), got {key!r}")
    return bytes(key)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


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


_FAST = json.JSONEncoder(
    ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=_default
).encode


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


class _TimestampCache:
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


class _JsonLine(str):
    """A rendered line travelling through stdlib logging: JsonFormatter passes it through."""

    __slots__ = ()


def _build(
    ts: str,
    service: str,
    event: str,
    level: str,
    context: dict[str, Any],
    hasher: Callable[[Any], str | None] | None,
) -> dict[str, Any]:
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


def _line(
    ts: str,
    service: str,
    event: str,
    level: str,
    context: Mapping[str, Any],
    hasher: Callable[[Any], str | None] | None,
) -> str:
    """One pass over ``context`` when its known fields already come in canonical order (the
    usual case: callers write them in the article's order); otherwise _line_general. Both give
    exactly the bytes of ``render_json(_build(...))``. Raises for non-str keys."""
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
    out = ['{"timestamp":"' + ts + '","service":' + _esc(service) + ',"event":'
           + _esc(event) + ',"level":' + _esc(level)]
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
    """Fast path giving exactly the bytes of ``render_json(_build(...))`` when every key is a
    str (raises otherwise; the caller then takes the general path). Does not modify context."""
    # ts is ASCII digits and punctuation from _TimestampCache: no escaping needed.
    out = ['{"timestamp":"' + ts + '","service":' + _esc(service) + ',"event":'
           + _esc(event) + ',"level":' + _esc(level)]
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
            raise InvalidInputError(f"service_name must be a non-empty str, got {service_name!r}")
        if not callable(clock):
            raise InvalidInputError(f"clock must be callable, got {clock!r}")
        if stream is not None and not callable(getattr(stream, "write", None)):
            raise InvalidInputError(f"stream must have a write() method, got {stream!r}")
        if (
            isinstance(success_sample_rate, bool)
            or not isinstance(success_sample_rate, (int, float))
            or not 0.0 <= success_sample_rate <= 1.0
        ):
            raise InvalidInputError(
                f"success_sample_rate must be a number in [0, 1], got {success_sample_rate!r}"
            )
        self.service = service_name
        self.logger = logger if logger is not None else logging.getLogger(service_name)
        self.stream = stream
        self._clock = clock
        self._key = _check_key(hash_key)
        self._h0 = _keyed(self._key)
        self._fields = dict(fields or {})
        self._rate = float(success_sample_rate)
        self._ts = _TimestampCache()
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
            return render_json(
                {"event": "log_render_failed", "error_type": type(exc).__name__}
            )

    def _render(self, event: str, level: str, context: dict[str, Any]) -> str:
        if self._fields:
            context = {**self._fields, **context}
        ts = self._ts.format(self._clock())
        try:
            return _line(ts, self.service, event, level, context, self.input_hash)
        except Exception:
            pass
        rec = _build(ts, self.service, event, level, dict(context), self.input_hash)
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
            self._write(event, level, levelno, context)
        except Exception:
            with self._lock:
                self._failures += 1

    def _write(self, event: str, level: str, levelno: int, context: dict[str, Any]) -> None:
        """Sample, render and emit; the caller has checked that ``levelno`` is enabled and
        catches exceptions (the ServiceMonitor hot path calls this directly)."""
        if self._rate < 1.0 and level in _SAMPLED_LEVELS and "error_type" not in context:
            if not self._keep():
                return
        line = self._render(event, level, context)
        stream = self.stream
        if stream is not None:
            stream.write(line + "\n")
        else:
            # makeRecord + handle: the stdlib path without findCaller's stack walk (the
            # caller would be this module anyway). Filters and handlers apply as usual.
            lg = self.logger
            lg.handle(lg.makeRecord(lg.name, levelno, "(monitor)", 0, _JsonLine(line), (), None))

    def _count_failure(self) -> None:
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
        for name in ("service", "logger", "stream", "_clock", "_key", "_h0", "_rate", "_ts",
                     "_seen", "_lock"):
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


# --------------------------------------------------------------------------------------------
# stdlib logging integration
# --------------------------------------------------------------------------------------------

_RECORD_ATTRS = frozenset(
    logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None).__dict__
) | {"message", "asctime", "taskName"}


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
            raise InvalidInputError(f"clock must be callable, got {clock!r}")
        self._service = service
        self._clock = clock
        self._key = _check_key(hash_key)
        self._fields = dict(fields or {})
        self._ts = _TimestampCache()

    def _hash(self, value: Any) -> str | None:
        try:
            return input_hash(value, self._key)
        except Exception:
            return None

    def format(self, record: logging.LogRecord) -> str:
        try:
            if isinstance(record.msg, _JsonLine):
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
            rec = _build(
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
