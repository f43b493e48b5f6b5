"""RFC 8785 JSON Canonicalization Scheme (JCS): the one canonical byte form of a JSON value,
so that a hash over it names the data, not its spelling.

- objects: members sorted by their names' UTF-16 code units, no whitespace;
- strings: UTF-8, escaping only ``"``, ``\\`` and the control characters (``\\b \\f \\n \\r
  \\t`` by name, the others as lowercase ``\\u00xx``);
- numbers: IEEE-754 doubles printed as ECMAScript's ``Number.prototype.toString`` (shortest
  round-trip digits; ``1e+21`` style above 1e21 and below 1e-6); NaN and infinities are
  refused. Python ints must be exactly representable as doubles (|n| <= 2**53).

Tested against the RFC's examples (tests/unit/test_jcs.py)."""

from __future__ import annotations

from typing import Any

from .errors import InvalidArgumentError, InvalidTypeError

__all__ = ["canonicalize", "format_number"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MAX_EXACT_INT = 2**53


def format_number(x: float | int) -> str:
    """ECMAScript Number.prototype.toString of the double ``x`` (RFC 8785, section 3.2.2.3)."""
    if isinstance(x, bool):
        raise InvalidTypeError("a bool is not a JSON number")
    if isinstance(x, int):
        if abs(x) > _MAX_EXACT_INT:
            raise InvalidArgumentError(f"integer {x} is not exactly representable in JSON (|n| <= 2**53)")
        x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        raise InvalidArgumentError(f"{x!r} has no JSON form (RFC 8785 refuses NaN and infinities)")
    if x == 0.0:
        return "0"
    sign = "-" if x < 0 else ""
    r = repr(abs(x))  # shortest round-trip digits (David Gay / Ryu-like): what ECMAScript uses
    mant, _, exp = r.partition("e")
    e10 = int(exp) if exp else 0
    whole, _, frac = mant.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    # position of the decimal point relative to the first significant digit
    n = len(whole.lstrip("0")) + e10 if whole.lstrip("0") else e10 - (len(frac) - len(frac.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return sign + out


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _encode(v: Any, out: list[str], depth: int) -> None:
    if depth > 64:
        raise InvalidArgumentError("JSON value nested deeper than 64 levels")
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, (int, float)):
        out.append(format_number(v))
    elif isinstance(v, str):
        out.append(_string(v))
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _encode(item, out, depth + 1)
        out.append("]")
    elif isinstance(v, dict):
        for key in v:
            if not isinstance(key, str):
                raise InvalidTypeError(f"JSON object names must be str, got {type(key).__name__}")
        out.append("{")
        for i, key in enumerate(sorted(v, key=lambda s: s.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _encode(v[key], out, depth + 1)
        out.append("}")
    else:
        raise InvalidTypeError(f"{type(v).__name__} is not a JSON value")


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value (dict, list, str, int, float, bool,
    None)."""
    out: list[str] = []
    _encode(value, out, 0)
    return "".join(out).encode("utf-8")
