"""The C core's SHA-256 gives hashlib's bytes for any message and any split into updates."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import InvalidTypeError
from monitor.sha256 import Sha256, sha256


@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=4))
@pytest.mark.req("MON-REQ-SHA-001")
def test_equals_hashlib_for_any_split(data, cuts):
    h = Sha256()
    prev = 0
    for c in sorted(min(c, len(data)) for c in cuts):
        h.update(data[prev:c])
        prev = c
    h.update(data[prev:])
    assert h.digest() == hashlib.sha256(data).digest() == sha256(data)


@pytest.mark.req("MON-REQ-SHA-001")
def test_buffers_of_every_kind():
    raw = np.arange(1000, dtype="<u4").tobytes()
    want = hashlib.sha256(raw).digest()
    assert sha256(bytearray(raw)) == want
    assert sha256(memoryview(raw)[1:]) == hashlib.sha256(raw[1:]).digest()  # unaligned
    arr = np.frombuffer(raw, dtype="<u4")[::2]  # not contiguous
    assert sha256(memoryview(arr)) == hashlib.sha256(arr.tobytes()).digest()
    assert sha256(b"") == hashlib.sha256(b"").digest()


@pytest.mark.req("MON-REQ-SHA-001")
def test_bad_input_and_finished_digest():
    with pytest.raises(InvalidTypeError, match="bytes"):
        sha256("text")
    with pytest.raises(InvalidTypeError):
        sha256([1, 2])
    h = Sha256(b"abc")
    d = h.digest()
    assert h.digest() == d and h.hexdigest() == d.hex()
    with pytest.raises(InvalidTypeError, match="finished"):
        h.update(b"x")
