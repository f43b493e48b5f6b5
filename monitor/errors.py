"""Exceptions of the monitor package.

Every error derives from :class:`MonitorError`; each subclass also derives from the matching
builtin (``ValueError`` for bad input, corrupt bytes and mismatched configurations), so callers
can catch either.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base class of every error raised by monitor. ``status`` is the C core's status code
    when the error is a status the core returned (named by
    :func:`monitor.categories.status_name`), else None."""

    status: int | None = None


class InvalidInputError(MonitorError, ValueError):
    """An argument has the wrong type, shape, dtype or value."""


class EmptyWindowError(InvalidInputError):
    """A window or count vector holds no observations (total count 0)."""


class ConfigMismatchError(InvalidInputError):
    """Two objects that must share a configuration (edges, bins, scale) do not."""


class CorruptDataError(MonitorError, ValueError):
    """Serialized bytes or a saved file failed validation (format, version, checksum)."""


__all__ = [
    "MonitorError",
    "InvalidInputError",
    "EmptyWindowError",
    "ConfigMismatchError",
    "CorruptDataError",
]
