"""The binary reference format (version 1): :meth:`Reference.to_bytes
<monitor.Reference.to_bytes>` / :meth:`Reference.from_bytes <monitor.Reference.from_bytes>`
encode and decode through this module, and ``csrc/mon_reference.c`` loads the same bytes on a
device without a JSON parser. The layout is in ``csrc/mon_reference.h`` and docs/ledger.md.

This module works on plain values (no :class:`~monitor.Reference`), so ``reference`` can use it
without an import cycle.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .errors import CorruptDataError, InvalidArgumentError, InvalidTypeError
from .latency import crc32c

__all__ = ["MAGIC", "VERSION", "RawFeature", "encode", "decode"]

MAGIC = b"MONREFB\0"
VERSION = 1
MAX_FEATURES = 65536
MAX_EDGES = 4097
_HEAD = struct.Struct("<8sHHIQ32s")
_FEAT = struct.Struct("<BBHIQQQ")
_NO_LABEL = 0xFFFFFFFF
_KINDS = ("numeric", "categorical")


@dataclass(frozen=True, slots=True)
class RawFeature:
    """One feature as the byte format holds it."""

    name: str
    kind: str
    edges: npt.NDArray[np.float64]
    counts: npt.NDArray[np.uint64]
    nan: int
    below: int
    above: int
    labels: tuple[str | None, ...] | None


def encode(rows: int, digest: bytes, features: list[RawFeature]) -> bytes:
    """The bytes of a reference: header, features, SHA-256, CRC-32C."""
    parts = [_HEAD.pack(MAGIC, VERSION, 0, len(features), rows, digest)]
    for f in features:
        name = f.name.encode("utf-8")
        if len(name) > 0xFFFF:
            raise InvalidArgumentError(
                f"feature name of {len(name)} bytes: the byte format holds at most 65535"
            )
        parts.append(struct.pack("<H", len(name)) + name)
        parts.append(
            _FEAT.pack(
                _KINDS.index(f.kind),
                1 if f.labels is not None else 0,
                0,
                f.edges.size,
                f.nan,
                f.below,
                f.above,
            )
        )
        parts.append(np.ascontiguousarray(f.edges, dtype="<f8").tobytes())
        parts.append(np.ascontiguousarray(f.counts, dtype="<u8").tobytes())
        if f.labels is not None:
            parts.append(struct.pack("<I", len(f.labels)))
            for lab in f.labels:
                if lab is None:
                    parts.append(struct.pack("<I", _NO_LABEL))
                else:
                    b = lab.encode("utf-8")
                    parts.append(struct.pack("<I", len(b)) + b)
    body = b"".join(parts)
    body += hashlib.sha256(body).digest()
    return body + struct.pack("<I", crc32c(body))


def _bad(what: str) -> CorruptDataError:
    return CorruptDataError(f"binary reference: {what}")


def decode(data: bytes | bytearray | memoryview) -> tuple[int, bytes, list[RawFeature]]:
    """(rows, JSON digest, features) of the bytes, checked in the C loader's order: length,
    magic, version, CRC-32C, SHA-256, then every field. Raises :class:`CorruptDataError`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidTypeError(f"data must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    if len(raw) < _HEAD.size + 36:
        raise _bad(f"{len(raw)} bytes is shorter than header + trailer ({_HEAD.size + 36}): truncated")
    magic, version, flags, nfeat, rows, digest = _HEAD.unpack_from(raw, 0)
    if magic != MAGIC:
        raise _bad(f"bad magic {magic!r}, expected {MAGIC!r} (not a binary reference)")
    if version != VERSION:
        raise _bad(f"unsupported version {version} (this build reads {VERSION})")
    (crc,) = struct.unpack_from("<I", raw, len(raw) - 4)
    if crc32c(raw[:-4]) != crc:
        raise _bad("CRC-32C mismatch (the bytes were truncated or modified)")
    end = len(raw) - 36
    if hashlib.sha256(raw[:end]).digest() != raw[end : end + 32]:
        raise _bad("SHA-256 mismatch (the bytes were modified)")
    if flags != 0:
        raise _bad(f"unknown flags 0x{flags:04x}")
    if not 1 <= nfeat <= MAX_FEATURES:
        raise _bad(f"{nfeat} features, expected 1..{MAX_FEATURES}")
    pos = _HEAD.size
    feats: list[RawFeature] = []

    def take(n: int, what: str) -> bytes:
        nonlocal pos
        if n > end - pos:
            raise _bad(f"{what} runs past the end (truncated)")
        out = raw[pos : pos + n]
        pos += n
        return out

    for k in range(nfeat):
        (nlen,) = struct.unpack("<H", take(2, f"feature {k}"))
        try:
            name = take(nlen, f"feature {k}'s name").decode("utf-8")
        except UnicodeDecodeError:
            raise _bad(f"feature {k}'s name is not UTF-8") from None
        kind, labelled, res, nedges, nan, below, above = _FEAT.unpack(take(_FEAT.size, f"feature {name!r}"))
        if kind > 1 or labelled > 1 or res != 0 or (labelled and kind != 1):
            raise _bad(f"feature {name!r}: bad kind {kind} / labelled {labelled} / reserved {res}")
        if not 2 <= nedges <= MAX_EDGES or (kind == 1 and nedges % 2 == 0):
            raise _bad(f"feature {name!r}: {nedges} edges (2..{MAX_EDGES}, odd when categorical)")
        edges = np.frombuffer(take(8 * nedges, f"feature {name!r}'s edges"), dtype="<f8").astype(np.float64)
        counts = np.frombuffer(take(8 * (nedges - 1), f"feature {name!r}'s counts"), dtype="<u8").astype(
            np.uint64
        )
        if np.isnan(edges).any() or not (edges[1:] > edges[:-1]).all():
            raise _bad(f"feature {name!r}: edges must be strictly increasing and not NaN")
        if sum(int(c) for c in counts) + nan + below + above != rows:
            raise _bad(f"feature {name!r}: counts + nan + below + above differ from rows ({rows})")
        labels: tuple[str | None, ...] | None = None
        if labelled:
            (nl,) = struct.unpack("<I", take(4, f"feature {name!r}'s labels"))
            if nl != (nedges - 1) // 2:
                raise _bad(f"feature {name!r}: {nl} labels for {(nedges - 1) // 2} categories")
            labs: list[str | None] = []
            for i in range(nl):
                (ll,) = struct.unpack("<I", take(4, f"feature {name!r}'s label {i}"))
                if ll == _NO_LABEL:
                    if i + 1 != nl:
                        raise _bad(f"feature {name!r}: only the last label may be 'other' (none)")
                    labs.append(None)
                    continue
                try:
                    labs.append(take(ll, f"feature {name!r}'s label {i}").decode("utf-8"))
                except UnicodeDecodeError:
                    raise _bad(f"feature {name!r}: label {i} is not UTF-8") from None
            labels = tuple(labs)
        feats.append(RawFeature(name, _KINDS[kind], edges, counts, nan, below, above, labels))
    if pos != end:
        raise _bad(f"{end - pos} unexpected bytes after the last feature")
    return rows, digest, feats
