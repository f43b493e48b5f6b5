"""Names, label values and numbers as the exposition formats write them: escaping and the checks
that keep every exported string encodable (part of :mod:`monitor.exposition`)."""

from __future__ import annotations

import math
import re

from ..errors import InvalidArgumentError

_METRIC_OK = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_OK = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_BAD_METRIC_CHARS = re.compile(r"[^a-zA-Z0-9_:]")
_BAD_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")
_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")

MAX_LABELS = 64
"""The most labels one series may carry (the formats have no limit; a scrape with thousands of
labels per series is a bug in the caller, refused with a clear error)."""

MAX_LABEL_VALUE_CHARS = 4096
"""The longest label value accepted (longer values are refused)."""


def escape_metric_name(name: str) -> str:
    """A valid metric name: characters outside ``[a-zA-Z0-9_:]`` become ``_``, and a leading
    digit gets a ``_`` prefix (text format 0.0.4 has no quoting for names)."""
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"metric name must be a non-empty str, got {name!r}")
    if _METRIC_OK.match(name):
        return name
    out = _BAD_METRIC_CHARS.sub("_", name)
    return "_" + out if out[0].isdigit() else out


def escape_label_name(name: str) -> str:
    """A valid label name (same rule as metric names, without ``:``). ``le`` and names starting
    with ``__`` are reserved and rejected."""
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"label name must be a non-empty str, got {name!r}")
    out = name if _LABEL_OK.match(name) else _BAD_LABEL_CHARS.sub("_", name)
    if out[0].isdigit():
        out = "_" + out
    if out in ("le", "quantile_le") or out.startswith("__"):
        raise InvalidArgumentError(f"label name {name!r} is reserved in a Prometheus histogram")
    return out


def check_label_value(what: str, value: object) -> str:
    """``value`` if it is a str every format can encode, else :class:`InvalidArgumentError`:
    NUL and lone surrogates (which no UTF-8 encoder accepts) are refused, as are values over
    :data:`MAX_LABEL_VALUE_CHARS`. Quotes, backslashes and newlines are fine (escaped)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be a str, got {type(value).__name__}")
    m = _UNENCODABLE.search(value)
    if m is not None:
        raise InvalidArgumentError(
            f"{what} {value!r} has {'a NUL' if m.group() == chr(0) else 'a lone surrogate'} at "
            f"position {m.start()}: label values must be text that encodes as UTF-8"
        )
    if len(value) > MAX_LABEL_VALUE_CHARS:
        raise InvalidArgumentError(
            f"{what} is {len(value)} characters long; at most {MAX_LABEL_VALUE_CHARS} are exported"
        )
    return value


def clean_label_value(value: str) -> str:
    """A label value that came from data (a feature name): NUL and lone surrogates become
    U+FFFD, so a scrape never fails on one bad name and never emits an unencodable string."""
    return _UNENCODABLE.sub("\ufffd", value) if _UNENCODABLE.search(value) else value


def check_labels(what: str, labels: object) -> tuple[tuple[str, str], ...]:
    """Constant labels (a mapping name -> value) checked and escaped, in their order."""
    if labels is None:
        return ()
    if not hasattr(labels, "items"):
        raise InvalidArgumentError(f"{what} must be a mapping of label name -> str, got {labels!r}")
    items = list(labels.items())
    if len(items) > MAX_LABELS:
        raise InvalidArgumentError(f"{what}: {len(items)} labels; at most {MAX_LABELS} per series")
    out = []
    for k, v in items:
        out.append((escape_label_name(k), check_label_value(f"{what}: label {k!r}", v)))
    names = [k for k, _ in out]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"{what}: duplicate label names after escaping: {names}")
    return tuple(out)


def escape_label_value(value: str) -> str:
    """A label value for the text formats: backslash, newline and double quote escaped."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    """A HELP text for the text format: backslash and newline escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def ns_to_seconds_str(ns: int) -> str:
    """Exact decimal of ns / 10^9 (e.g. 1024 -> '0.000001024')."""
    q, r = divmod(ns, 1_000_000_000)
    if r == 0:
        return f"{q}.0"
    return f"{q}.{r:09d}".rstrip("0")


def format_value(v: float | int) -> str:
    """A sample value: integers exactly, floats by ``repr`` (shortest round trip), ``NaN``,
    ``+Inf``, ``-Inf``."""
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == int(v) and abs(v) < 2**53:
        return f"{int(v)}.0" if v or math.copysign(1.0, v) > 0 else "-0.0"
    return repr(v)


def label_block(pairs: tuple[tuple[str, str], ...], extra: str = "") -> str:
    """``{a="x",b="y"}`` (empty string for no labels); ``extra`` is appended inside (``le=..``)."""
    body = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in pairs)
    if extra:
        body = body + "," + extra if body else extra
    return "{" + body + "}" if body else ""
