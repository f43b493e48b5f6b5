"""Error categories: the five classes of failure of the article (:mod:`monitor.article`) and a
categoriser that never raises.

``categorise_error(exc, context)`` applies these steps in order; the first that matches wins:

1. the categoriser's own rules, in the order given (``Categoriser(rules=...)``): an exception
   class (or tuple of classes) matched with ``isinstance``, or a predicate
   ``(exc, context) -> bool``; a rule whose predicate raises is treated as not matching;
2. an explicit tag: ``exc.error_category`` (an :class:`ErrorCategory` or its string value), as
   set by :class:`InputValidationError` and :class:`BusinessRuleError`;
3. the timeout family (``TimeoutError``, ``asyncio.TimeoutError``,
   ``concurrent.futures.TimeoutError``, ``socket.timeout``) -> TIMEOUT;
4. ``ValueError`` / ``TypeError`` / ``KeyError`` raised while validating input
   (``context["stage"] == "validation"``) -> INPUT_VALIDATION;
5. ``MemoryError`` and ``OSError`` (disk full, connection failures, ...) -> INFRASTRUCTURE;
6. any other exception raised inside the model call (``context["stage"] == "model"`` or the
   article's ``context["in_model"]``) -> MODEL_INFERENCE;
7. any other exception raised in a business rule (``context["stage"] == "business"``)
   -> BUSINESS_LOGIC;
8. the article's heuristic: a ``ValueError`` whose message mentions "input" -> INPUT_VALIDATION;
9. the default (INFRASTRUCTURE, the article's choice for unknown errors; configurable).

Model outputs are categorised by :meth:`Categoriser.categorise_output`: a NaN or infinite
prediction or confidence, or a confidence below the configured threshold, is a MODEL_INFERENCE
error.
"""

from __future__ import annotations

import asyncio
import cmath
import concurrent.futures
import math
import socket
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from ._ffi import ffi, lib, status_message, status_name
from .errors import InvalidArgumentError


class ErrorCategory(Enum):
    """The article's error categories. ``.value`` is the article's string; ``.code`` is the C
    core's stable integer (``mon_error_category``)."""

    INFRASTRUCTURE = "infrastructure"
    INPUT_VALIDATION = "input_validation"
    MODEL_INFERENCE = "model_inference"
    BUSINESS_LOGIC = "business_logic"
    TIMEOUT = "timeout"

    @property
    def code(self) -> int:
        """The C enum value (read from the compiled core, never retyped)."""
        return _CODES[self]

    @classmethod
    def parse(cls, value: ErrorCategory | str) -> ErrorCategory:
        """An :class:`ErrorCategory` from itself, its value ("timeout") or its name
        ("TIMEOUT"); :class:`~monitor.InvalidArgumentError` for anything else."""
        if isinstance(value, ErrorCategory):
            return value
        if isinstance(value, str):
            for member in cls:
                if value == member.value or value == member.name:
                    return member
        raise InvalidArgumentError(
            f"unknown error category {value!r}: expected an ErrorCategory or one of "
            + ", ".join(repr(m.value) for m in cls)
        )

    @classmethod
    def from_code(cls, code: int) -> ErrorCategory:
        """The category of a C ``mon_error_category`` value."""
        try:
            return _BY_CODE[code]
        except KeyError:
            raise InvalidArgumentError(f"unknown mon_error_category code {code!r}") from None


def _read_codes() -> dict[ErrorCategory, int]:
    codes = {m: int(getattr(lib, "MON_ERR_" + m.name)) for m in ErrorCategory}
    if len(codes) != lib.MON_ERROR_CATEGORY_COUNT or sorted(codes.values()) != list(
        range(lib.MON_ERROR_CATEGORY_COUNT)
    ):  # pragma: no cover - a build mismatch
        raise ImportError("ErrorCategory does not match the C core's mon_error_category")
    for m, c in codes.items():
        name = lib.mon_error_category_name(c)
        if name == ffi.NULL or ffi.string(name).decode("ascii") != m.value:  # pragma: no cover
            raise ImportError(f"C core names category {c} differently from {m}")
    return codes


_CODES = _read_codes()
_BY_CODE = {c: m for m, c in _CODES.items()}


def category_name(code: int) -> str | None:
    """The C core's name of a ``mon_error_category`` code (the :class:`ErrorCategory` value,
    e.g. ``"timeout"``), or None when the core knows no such category."""
    name = lib.mon_error_category_name(code)
    return None if name == ffi.NULL else str(ffi.string(name).decode("ascii"))


class InputValidationError(ValueError):
    """Raise this when a request's input fails validation: always INPUT_VALIDATION."""

    error_category = ErrorCategory.INPUT_VALIDATION


class BusinessRuleError(Exception):
    """Raise this when a business rule rejects a prediction: always BUSINESS_LOGIC."""

    error_category = ErrorCategory.BUSINESS_LOGIC


Predicate = Callable[[BaseException, Mapping[str, Any]], bool]
Match = type[BaseException] | tuple[type[BaseException], ...] | Predicate
Rule = tuple[Match, ErrorCategory | str]

_TIMEOUTS: tuple[type[BaseException], ...] = tuple(
    {TimeoutError, asyncio.TimeoutError, concurrent.futures.TimeoutError, socket.timeout}
)
_VALIDATION_TYPES = (ValueError, TypeError, KeyError)
_INFRA_TYPES = (MemoryError, OSError)
_EMPTY: Mapping[str, Any] = {}


def _is_exc_class(x: object) -> bool:
    return isinstance(x, type) and issubclass(x, BaseException)


class Categoriser:
    """An immutable error categoriser: user rules first, then the default mapping (see the
    module documentation for the order). Construction validates everything; categorising
    never raises."""

    __slots__ = ("_rules", "_default", "_threshold")

    def __init__(
        self,
        rules: Iterable[Rule] = (),
        *,
        default: ErrorCategory | str = ErrorCategory.INFRASTRUCTURE,
        confidence_threshold: float | None = None,
    ) -> None:
        checked: list[tuple[Any, ErrorCategory, bool]] = []
        for i, rule in enumerate(rules):
            if not isinstance(rule, tuple) or len(rule) != 2:
                raise InvalidArgumentError(f"rule {i}: expected a (match, category) pair, got {rule!r}")
            match, category = rule
            if _is_exc_class(match):
                checked.append((match, ErrorCategory.parse(category), True))
            elif isinstance(match, tuple) and match and all(_is_exc_class(m) for m in match):
                checked.append((match, ErrorCategory.parse(category), True))
            elif callable(match):
                checked.append((match, ErrorCategory.parse(category), False))
            else:
                raise InvalidArgumentError(
                    f"rule {i}: match must be an exception class, a tuple of them or a "
                    f"predicate (exc, context) -> bool, got {match!r}"
                )
        self._rules = tuple(checked)
        self._default = ErrorCategory.parse(default)
        if confidence_threshold is not None:
            if (
                isinstance(confidence_threshold, bool)
                or not isinstance(confidence_threshold, (int, float))
                or not math.isfinite(confidence_threshold)
            ):
                raise InvalidArgumentError(
                    f"confidence_threshold must be a finite number or None, got {confidence_threshold!r}"
                )
            confidence_threshold = float(confidence_threshold)
        self._threshold = confidence_threshold

    @property
    def confidence_threshold(self) -> float | None:
        return self._threshold

    @property
    def default(self) -> ErrorCategory:
        return self._default

    def with_rules(self, *rules: Rule) -> Categoriser:
        """A new categoriser with ``rules`` tried before this one's rules."""
        mine: list[Rule] = [(m, c) for m, c, _ in self._rules]
        return Categoriser(list(rules) + mine, default=self._default, confidence_threshold=self._threshold)

    def categorise(self, exception: BaseException, context: Mapping[str, Any] | None = None) -> ErrorCategory:
        """The category of ``exception`` raised in ``context``. Never raises."""
        try:
            return self._categorise(exception, _EMPTY if context is None else context)
        except Exception:  # a hostile __getattr__, a broken Mapping, ...
            return self._default

    __call__ = categorise

    def _categorise(self, exc: BaseException, ctx: Mapping[str, Any]) -> ErrorCategory:
        for match, category, is_class in self._rules:
            if is_class:
                if isinstance(exc, match):
                    return category
            else:
                try:
                    if match(exc, ctx):
                        return category
                except Exception:
                    continue
        tag = getattr(exc, "error_category", None)
        if tag is not None:
            if isinstance(tag, ErrorCategory):
                return tag
            try:
                return ErrorCategory.parse(tag)
            except InvalidArgumentError:
                pass
        if isinstance(exc, _TIMEOUTS):
            return ErrorCategory.TIMEOUT
        stage = ctx.get("stage")
        if stage == "validation" and isinstance(exc, _VALIDATION_TYPES):
            return ErrorCategory.INPUT_VALIDATION
        if isinstance(exc, _INFRA_TYPES):
            return ErrorCategory.INFRASTRUCTURE
        if stage == "model" or ctx.get("in_model", False) is True:
            return ErrorCategory.MODEL_INFERENCE
        if stage == "business":
            return ErrorCategory.BUSINESS_LOGIC
        if isinstance(exc, ValueError) and "input" in str(exc).lower():
            return ErrorCategory.INPUT_VALIDATION
        return self._default

    def categorise_output(
        self, prediction: Any = None, confidence: Any = None
    ) -> tuple[ErrorCategory, str, str] | None:
        """``(MODEL_INFERENCE, error_type, message)`` when a model output is unusable (NaN or
        infinite prediction or confidence; confidence below the threshold), else None.
        Never raises."""
        try:
            if confidence is not None:
                c = float(confidence)
                if not math.isfinite(c):
                    return (ErrorCategory.MODEL_INFERENCE, "NonFiniteConfidence", f"confidence is {c!r}")
                if self._threshold is not None and c < self._threshold:
                    return (
                        ErrorCategory.MODEL_INFERENCE,
                        "LowConfidence",
                        f"confidence {c!r} below threshold {self._threshold!r}",
                    )
            if prediction is not None and not _all_finite(prediction):
                return (
                    ErrorCategory.MODEL_INFERENCE,
                    "NonFiniteOutput",
                    "prediction contains NaN or infinity",
                )
        except Exception:
            return None
        return None


def _all_finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (bool, int, str, bytes)):
        return True
    if isinstance(value, complex):
        return cmath.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        import numpy as np

        arr = np.asarray(value)
        if arr.dtype.kind in "fc":
            return bool(np.isfinite(arr).all())
        return True
    if isinstance(value, (list, tuple)):
        return all(_all_finite(v) for v in value)
    if isinstance(value, Mapping):
        return all(_all_finite(v) for v in value.values())
    return True


_DEFAULT = Categoriser()


def categorise_error(exception: BaseException, context: Mapping[str, Any] | None = None) -> ErrorCategory:
    """The article's ``categorise_error(exception, context)``, with the default mapping
    described in this module's documentation. Never raises."""
    return _DEFAULT.categorise(exception, context)


# The C core's own names for its status codes (the MonitorError.status of an error raised
# from a C status), here with the other names that come from C.
__all__ = [
    "ErrorCategory",
    "category_name",
    "status_name",
    "status_message",
    "Categoriser",
    "categorise_error",
    "InputValidationError",
    "BusinessRuleError",
]
