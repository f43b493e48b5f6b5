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


class InvalidArgumentError(MonitorError, ValueError):
    """An argument given to the library has the wrong type, shape, dtype or value (not to be
    confused with :class:`monitor.InputValidationError`, the article's error category for a
    service's bad *request*)."""


class InvalidTypeError(InvalidArgumentError, TypeError):
    """An argument has the wrong type (a string where a number is expected, a mapping where a
    sequence is). Also a ``TypeError``, so ``except TypeError`` keeps catching it."""


InvalidInputError = InvalidArgumentError
"""The former name of :class:`InvalidArgumentError` (the same class), kept for one release
(removed in 0.3): ``except InvalidInputError`` keeps working until then."""


class EmptyWindowError(InvalidArgumentError):
    """A window or count vector holds no observations (total count 0)."""


class ConfigMismatchError(InvalidArgumentError):
    """Two objects that must share a configuration (edges, bins, scale) do not."""


class CorruptDataError(MonitorError, ValueError):
    """Serialized bytes or a saved file failed validation (format, version, checksum)."""


__all__ = [
    "MonitorError",
    "InvalidArgumentError",
    "InvalidInputError",
    "InvalidTypeError",
    "EmptyWindowError",
    "ConfigMismatchError",
    "CorruptDataError",
]
