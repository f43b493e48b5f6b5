"""RFC 8785 (JCS) against the RFC's own examples (sections 3.2.2, 3.2.3 and appendix B)."""

from __future__ import annotations

import json
import struct

import pytest

from monitor.errors import InvalidArgumentError, InvalidTypeError
from monitor.jcs import canonicalize, format_number

# Appendix B: IEEE-754 bits -> ECMAScript form
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_appendix_b_numbers(bits: str, text: str) -> None:
    (x,) = struct.unpack(">d", bytes.fromhex(bits))
    assert format_number(x) == text


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinity_refused(bits: str) -> None:
    (x,) = struct.unpack(">d", bytes.fromhex(bits))
    with pytest.raises(InvalidArgumentError):
        format_number(x)


@pytest.mark.req("MON-REQ-POLICY-001")
def test_section_3_2_2_example() -> None:
    src = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    want = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert canonicalize(json.loads(src)) == want.encode("utf-8")


def test_section_3_2_3_sorting() -> None:
    src = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    want = "{" + ",".join(f'{json.dumps(k, ensure_ascii=False)}:"{src[k]}"' for k in keys) + "}"
    want = want.replace('"\\r"', '"\\r"')
    assert canonicalize(src) == want.encode("utf-8")


def test_integers_and_types() -> None:
    assert canonicalize({"b": 2**53, "a": -1}) == b'{"a":-1,"b":9007199254740992}'
    with pytest.raises(InvalidArgumentError):
        canonicalize(2**53 + 1)
    with pytest.raises(InvalidTypeError):
        canonicalize({1: 2})
    with pytest.raises(InvalidTypeError):
        canonicalize(b"x")
