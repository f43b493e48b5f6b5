"""Canonical bytes of any value and the keyed input hash of the logs.

A raw input passed to a logger as ``input=`` is never logged: it becomes ``input_hash``, a keyed
BLAKE2b hash of :func:`canonical_bytes` - a type-tagged, length-prefixed encoding in which equal
values give equal bytes in every process.
"""

from __future__ import annotations

import hashlib
import math
import os
import struct
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from ..errors import InvalidArgumentError, InvalidTypeError

__all__ = ["canonical_bytes", "input_hash", "keyed_blake2b", "check_hash_key"]

_MAX_DEPTH = 32


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
        raise InvalidArgumentError(f"input nested more than {_MAX_DEPTH} deep (or a cycle): cannot hash it")
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
    are encoded by their type name and ``repr``. :class:`~monitor.InvalidArgumentError` (a
    ValueError) when nested deeper than 32 or when reading the value raises."""
    out: list[bytes] = []
    try:
        _encode(value, out, 0)
    except InvalidArgumentError:
        raise
    except RecursionError:
        raise InvalidArgumentError("input nested too deeply to hash") from None
    except Exception as exc:  # noqa: BLE001 - a hostile __repr__ / items(): say what failed
        raise InvalidArgumentError(
            f"input cannot be encoded: {type(exc).__name__} while reading a value of the input"
        ) from exc
    return b"".join(out)


def keyed_blake2b(key: bytes, digest_size: int = 16) -> Any:
    """A keyed BLAKE2b state (personalised ``monitor-input``); copy it to hash many values."""
    return hashlib.blake2b(key=key, digest_size=digest_size, person=b"monitor-input")


def input_hash(value: Any, key: bytes, *, digest_size: int = 16) -> str:
    """Keyed BLAKE2b hash (hex) of :func:`canonical_bytes` of ``value``: reproducible for the
    holder of ``key``, not reversible to the input, so no raw input or PII reaches the logs."""
    if isinstance(digest_size, bool) or not isinstance(digest_size, int):
        raise InvalidTypeError(f"digest_size must be an integer in [1, 64], got {type(digest_size).__name__}")
    if not 1 <= digest_size <= 64:
        raise InvalidArgumentError(f"digest_size must be an integer in [1, 64], got {digest_size}")
    if key is None:
        raise InvalidTypeError("input_hash needs key: 1..64 bytes (a BLAKE2b key)")
    h = keyed_blake2b(check_hash_key(key), digest_size)
    h.update(canonical_bytes(value))
    return str(h.hexdigest())


def check_hash_key(key: bytes | None) -> bytes:
    """A validated BLAKE2b key (1..64 bytes); a random 32-byte key for None."""
    if key is None:
        return os.urandom(32)
    if not isinstance(key, (bytes, bytearray)):
        raise InvalidTypeError(f"hash_key must be 1..64 bytes (a BLAKE2b key), got {type(key).__name__}")
    if not 1 <= len(key) <= 64:
        raise InvalidArgumentError(f"hash_key must be 1..64 bytes (a BLAKE2b key), got {len(key)} bytes")
    return bytes(key)
