"""SHA-256 from the C core (``mon_sha256``): the one implementation behind the golden digest,
the binary formats' digests and the audit ledger's hash chain on a device. In Python,
:mod:`hashlib` gives the same bytes (the tests check it); this module exists so the core's own
code can be checked and used where the device's result must be reproduced exactly."""

from __future__ import annotations

from typing import Any

from ._ffi import check, ffi, lib
from .errors import InvalidTypeError

__all__ = ["sha256", "Sha256", "DIGEST_LEN"]

DIGEST_LEN: int = int(lib.MON_SHA256_DIGEST_LEN)


def _bytes_view(data: Any) -> memoryview:
    if isinstance(data, str) or not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidTypeError(f"data must be bytes, bytearray or memoryview, got {type(data).__name__}")
    mv = memoryview(data)
    if not mv.c_contiguous:
        mv = memoryview(mv.tobytes())
    return mv.cast("B")


class Sha256:
    """Streaming digest: ``Sha256().update(a).update(b).digest()``. Not thread-safe."""

    __slots__ = ("_ctx", "_done")

    def __init__(self, data: Any = b"") -> None:
        self._ctx = ffi.new("mon_sha256_ctx *")
        check(lib.mon_sha256_init(self._ctx), "starting a SHA-256 digest")
        self._done: bytes | None = None
        if data:
            self.update(data)

    def update(self, data: Any) -> Sha256:
        if self._done is not None:
            raise InvalidTypeError("this digest is finished: start a new Sha256")
        mv = _bytes_view(data)
        buf = ffi.from_buffer(mv) if mv.nbytes else ffi.NULL
        check(lib.mon_sha256_update(self._ctx, buf, mv.nbytes), "hashing")
        return self

    def digest(self) -> bytes:
        """The 32-byte digest (the message ends here; asking again gives the same bytes)."""
        if self._done is None:
            out = ffi.new("uint8_t[32]")
            check(lib.mon_sha256_final(self._ctx, out), "finishing a SHA-256 digest")
            self._done = bytes(ffi.buffer(out, DIGEST_LEN))
        return self._done

    def hexdigest(self) -> str:
        return self.digest().hex()


def sha256(data: Any) -> bytes:
    """The SHA-256 digest of ``data`` (bytes-like), computed by the C core."""
    return Sha256(data).digest()
