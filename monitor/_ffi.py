"""The compiled C core (``ffi``, ``lib``) and the one place where a status becomes an exception."""

from __future__ import annotations

from typing import Any, NoReturn

from . import errors
from .errors import InvalidArgumentError

try:
    from ._monitor_cffi import ffi, lib
except ImportError as exc:  # pragma: no cover - only on a broken install or a shadowing checkout
    import os as _os

    _here = _os.path.dirname(_os.path.abspath(__file__))
    if _os.path.isdir(_os.path.join(_os.path.dirname(_here), "csrc")):
        _hint = (
            f"monitor was imported from a source checkout ({_here}) that has no compiled core; "
            "the current directory shadows any installed copy. Run from another directory or "
            "use the `monitor` command (e.g. `monitor demo`), or build in place with "
            "`pip install -e .`"
        )
    else:
        _hint = "monitor's compiled core is missing: reinstall the package (`pip install monitor`)"
    raise ImportError(_hint) from exc

_STATUS_ERRORS: dict[int, type[errors.MonitorError]] = {
    lib.MON_E_NULL: errors.InvalidArgumentError,
    lib.MON_E_SIZE: errors.InvalidArgumentError,
    lib.MON_E_LENGTH: errors.InvalidArgumentError,
    lib.MON_E_EMPTY: errors.EmptyWindowError,
    lib.MON_E_EDGES: errors.InvalidArgumentError,
    lib.MON_E_VALUE: errors.InvalidArgumentError,
    lib.MON_E_OVERFLOW: errors.InvalidArgumentError,
    lib.MON_E_CONFIG: errors.InvalidArgumentError,
    lib.MON_E_MISMATCH: errors.ConfigMismatchError,
    lib.MON_E_FORMAT: errors.CorruptDataError,
    lib.MON_E_CHECKSUM: errors.CorruptDataError,
    lib.MON_E_TRUNCATED: errors.CorruptDataError,
    lib.MON_E_STATE: errors.CorruptDataError,
    lib.MON_E_ALIGN: errors.InvalidArgumentError,
}


def status_message(status: int) -> str:
    """The C core's message for a status code."""
    return str(ffi.string(lib.mon_status_str(status)).decode("ascii"))


def status_name(status: int) -> str:
    """The C core's name for a status code, e.g. ``"MON_E_EMPTY"``."""
    return str(ffi.string(lib.mon_status_name(status)).decode("ascii"))


def raise_status(status: int, context: str) -> NoReturn:
    """Raise the exception for a non-OK status: ``context`` says what was being done."""
    cls = _STATUS_ERRORS.get(status, errors.MonitorError)
    exc = cls(f"{context}: {status_message(status)} ({status_name(status)})")
    exc.status = status
    raise exc


def check(status: int, context: str) -> None:
    """Return if ``status`` is MON_OK, else raise the matching :class:`MonitorError`."""
    if status != 0:
        raise_status(status, context)


def buffer_of(array: Any, ctype: str) -> Any:
    """Zero-copy pointer to a C-contiguous numpy array's data, cast to ``ctype``."""
    return ffi.cast(ctype, ffi.from_buffer(array))


def caller_memory(buffer: Any, size: int, context: str) -> Any:
    """A writable, 8-byte aligned caller buffer of exactly ``size`` bytes as a cffi
    ``uint64_t[]`` (zero-copy; it keeps the buffer alive). InvalidArgumentError otherwise."""
    try:
        mv = memoryview(buffer)
    except TypeError:
        raise InvalidArgumentError(
            f"{context}: buffer must support the buffer protocol, got {buffer!r}"
        ) from None
    if mv.readonly or mv.nbytes != size:
        raise InvalidArgumentError(
            f"{context}: buffer must be writable and exactly {size} bytes, got "
            f"{mv.nbytes} bytes{' (read-only)' if mv.readonly else ''}"
        )
    mem = ffi.from_buffer("uint64_t[]", mv, require_writable=True)
    if int(ffi.cast("uintptr_t", mem)) % 8:
        raise InvalidArgumentError(f"{context}: buffer must be 8-byte aligned")
    return mem


__all__ = [
    "ffi",
    "lib",
    "check",
    "raise_status",
    "status_message",
    "status_name",
    "buffer_of",
    "caller_memory",
]
