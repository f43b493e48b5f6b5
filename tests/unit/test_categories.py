"""Error categories: the default mapping table, user rules and their order, never raising."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor import (
    BusinessRuleError,
    Categoriser,
    ErrorCategory,
    InputValidationError,
    InvalidArgumentError,
    categorise_error,
)
from monitor._ffi import ffi, lib

C = ErrorCategory
V = {"stage": "validation"}
M = {"stage": "model"}
B = {"stage": "business"}

TABLE = [
    # timeouts, whatever the stage
    (TimeoutError("t"), None, C.TIMEOUT),
    (asyncio.TimeoutError(), M, C.TIMEOUT),
    (concurrent.futures.TimeoutError(), V, C.TIMEOUT),
    (TimeoutError("read"), None, C.TIMEOUT),
    # infrastructure
    (MemoryError(), M, C.INFRASTRUCTURE),
    (OSError(errno.ENOSPC, "No space left on device"), None, C.INFRASTRUCTURE),
    (ConnectionRefusedError(), M, C.INFRASTRUCTURE),
    (ConnectionResetError(), V, C.INFRASTRUCTURE),
    (FileNotFoundError(), None, C.INFRASTRUCTURE),
    # input validation
    (InputValidationError("amount < 0"), None, C.INPUT_VALIDATION),
    (InputValidationError("amount < 0"), M, C.INPUT_VALIDATION),
    (ValueError("bad"), V, C.INPUT_VALIDATION),
    (TypeError("bad"), V, C.INPUT_VALIDATION),
    (KeyError("amount"), V, C.INPUT_VALIDATION),
    (ValueError("Invalid INPUT shape"), None, C.INPUT_VALIDATION),  # the article's heuristic
    # model inference
    (RuntimeError("cuda"), M, C.MODEL_INFERENCE),
    (RuntimeError("cuda"), {"in_model": True}, C.MODEL_INFERENCE),  # the article's key
    (ValueError("shape mismatch"), M, C.MODEL_INFERENCE),
    (KeyError("x"), M, C.MODEL_INFERENCE),
    (FloatingPointError(), M, C.MODEL_INFERENCE),
    # business logic
    (BusinessRuleError("limit exceeded"), None, C.BUSINESS_LOGIC),
    (BusinessRuleError("limit exceeded"), M, C.BUSINESS_LOGIC),
    (RuntimeError("rule"), B, C.BUSINESS_LOGIC),
    # defaults (the article: unknown -> infrastructure)
    (RuntimeError("?"), None, C.INFRASTRUCTURE),
    (ValueError("bad value"), None, C.INFRASTRUCTURE),
    (RuntimeError("cuda"), {"in_model": "yes"}, C.INFRASTRUCTURE),  # only True counts
    (KeyboardInterrupt(), None, C.INFRASTRUCTURE),
]


@pytest.mark.parametrize("exc,context,expected", TABLE, ids=lambda x: repr(x)[:40])
def test_default_table(exc: BaseException, context: dict | None, expected: ErrorCategory) -> None:
    assert categorise_error(exc, context) is expected


@pytest.mark.req("MON-REQ-SVC-004")
def test_article_values_and_c_codes() -> None:
    assert [c.value for c in ErrorCategory] == [
        "infrastructure",
        "input_validation",
        "model_inference",
        "business_logic",
        "timeout",
    ]
    for c in ErrorCategory:
        assert c.code == getattr(lib, "MON_ERR_" + c.name)
        assert ffi.string(lib.mon_error_category_name(c.code)).decode() == c.value
        assert ErrorCategory.from_code(c.code) is c
    assert sorted(c.code for c in ErrorCategory) == list(range(lib.MON_ERROR_CATEGORY_COUNT))


def test_parse() -> None:
    assert ErrorCategory.parse("timeout") is C.TIMEOUT
    assert ErrorCategory.parse("TIMEOUT") is C.TIMEOUT
    assert ErrorCategory.parse(C.TIMEOUT) is C.TIMEOUT
    with pytest.raises(InvalidArgumentError, match="unknown error category 'timeouts'"):
        ErrorCategory.parse("timeouts")
    with pytest.raises(InvalidArgumentError):
        ErrorCategory.from_code(99)


def test_user_rules_first_and_in_order() -> None:
    class QuotaError(Exception):
        pass

    cat = Categoriser(
        rules=[
            (QuotaError, "business_logic"),
            (lambda e, ctx: ctx.get("tenant") == "noisy", C.INPUT_VALIDATION),
            (TimeoutError, C.INFRASTRUCTURE),  # overrides the built-in timeout mapping
            (lambda e, ctx: True, C.MODEL_INFERENCE),  # never reached for the cases above
        ]
    )
    assert cat(QuotaError()) is C.BUSINESS_LOGIC
    assert cat(RuntimeError(), {"tenant": "noisy"}) is C.INPUT_VALIDATION
    assert cat(TimeoutError()) is C.INFRASTRUCTURE
    assert cat(RuntimeError()) is C.MODEL_INFERENCE
    # with_rules puts new rules before existing ones
    cat2 = cat.with_rules(((QuotaError, KeyError), C.TIMEOUT))
    assert cat2(QuotaError()) is C.TIMEOUT
    assert cat2(KeyError()) is C.TIMEOUT
    assert cat(QuotaError()) is C.BUSINESS_LOGIC  # immutable


def test_explicit_tag_on_any_exception() -> None:
    class Rejected(Exception):
        error_category = "business_logic"

    class Weird(Exception):
        error_category = "not-a-category"

    assert categorise_error(Rejected()) is C.BUSINESS_LOGIC
    assert categorise_error(Weird()) is C.INFRASTRUCTURE


@pytest.mark.req("MON-REQ-SVC-004")
def test_never_raises() -> None:
    def boom(e: BaseException, ctx: object) -> bool:
        raise RuntimeError("rule bug")

    class Hostile(Exception):
        def __getattribute__(self, name: str) -> object:
            raise RuntimeError("no attributes for you")

        def __str__(self) -> str:
            raise RuntimeError("no str either")

    class BadMapping(dict):  # type: ignore[type-arg]
        def get(self, *a: object) -> object:
            raise RuntimeError("broken")

    cat = Categoriser(rules=[(boom, C.TIMEOUT)], default="model_inference")
    assert cat(RuntimeError()) is C.MODEL_INFERENCE  # failing rule = no match
    assert cat(Hostile()) is C.MODEL_INFERENCE
    assert cat(RuntimeError(), BadMapping()) is C.MODEL_INFERENCE
    assert categorise_error(ValueError(Hostile())) in set(C)  # str(exc) raises


def test_construction_errors() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown error category"):
        Categoriser(rules=[(KeyError, "oops")])
    with pytest.raises(InvalidArgumentError, match="match must be"):
        Categoriser(rules=[("KeyError", "timeout")])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError, match="pair"):
        Categoriser(rules=[KeyError])  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError):
        Categoriser(default="nope")
    with pytest.raises(InvalidArgumentError, match="confidence_threshold"):
        Categoriser(confidence_threshold=math.nan)


def test_output_checks() -> None:
    cat = Categoriser(confidence_threshold=0.6)
    assert cat.categorise_output(0.7, 0.9) is None
    assert cat.categorise_output(0.7, 0.6) is None  # threshold is inclusive
    assert cat.categorise_output(0.7, 0.59)[:2] == (C.MODEL_INFERENCE, "LowConfidence")  # type: ignore[index]
    assert cat.categorise_output(math.nan, 0.9)[1] == "NonFiniteOutput"  # type: ignore[index]
    assert cat.categorise_output([0.1, math.inf])[1] == "NonFiniteOutput"  # type: ignore[index]
    assert cat.categorise_output(np.array([0.1, np.nan]))[1] == "NonFiniteOutput"  # type: ignore[index]
    assert cat.categorise_output(np.array([1, 2]), None) is None
    assert cat.categorise_output({"score": 0.2}, math.nan)[1] == "NonFiniteConfidence"  # type: ignore[index]
    assert Categoriser().categorise_output(0.5, 0.01) is None  # no threshold configured
    assert cat.categorise_output(0.5, object()) is None  # never raises


@given(
    st.sampled_from(
        [
            ValueError,
            TypeError,
            KeyError,
            RuntimeError,
            OSError,
            TimeoutError,
            MemoryError,
            ArithmeticError,
            LookupError,
            Exception,
        ]
    ),
    st.text(max_size=30),
    st.dictionaries(
        st.text(max_size=8), st.one_of(st.none(), st.booleans(), st.text(max_size=8)), max_size=4
    ),
)
@pytest.mark.req("MON-REQ-SVC-004")
def test_total_and_deterministic(cls: type[Exception], msg: str, ctx: dict) -> None:
    exc = cls(msg)
    got = categorise_error(exc, ctx)
    assert isinstance(got, ErrorCategory)
    assert categorise_error(exc, dict(ctx)) is got
