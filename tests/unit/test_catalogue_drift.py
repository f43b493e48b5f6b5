"""Bad-input catalogue of the drift entry points: every entry point x every class of bad input
(types, shapes, dtypes, byte order, alignment, masks, non-finite, huge, empty, mismatched,
options) raises a monitor.errors class that is also the matching builtin, and the message names
what was wrong. Inputs that look odd but are legal (byte-swapped, misaligned, masked values)
must give the same result as a clean copy. ``test_catalogue_counts`` prints the cases per
class for the issue note."""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from monitor import (
    ConfigMismatchError,
    DriftMonitor,
    EmptyWindowError,
    InvalidArgumentError,
    InvalidTypeError,
    Reference,
    ServiceMonitor,
    drift,
)
from monitor.binning import Binner, bin_codes, bin_counts

REF = Reference.fit(np.random.default_rng(0).normal(size=(500, 2)), bins=5, names=["a", "b"])


def _dm(**kw: Any) -> DriftMonitor:
    return DriftMonitor(REF, window=100, **kw)


def _misaligned(a: np.ndarray) -> np.ndarray:
    buf = b"\0" + np.ascontiguousarray(a).tobytes()
    out = np.frombuffer(buf, a.dtype, offset=1)
    assert not out.flags.aligned
    return out


COUNTS_FNS: dict[str, Callable[..., Any]] = {
    "tv": drift.tv,
    "js": drift.js,
    "psi": drift.psi,
    "drift_scores": drift.drift_scores,
    "psi_contributions": drift.psi_contributions,
}

# (class, value, exception, message regex) for a count vector argument
BAD_COUNTS: list[tuple[str, Any, type[Exception], str]] = [
    ("types", None, InvalidTypeError, "sequence or numpy array of counts, got NoneType"),
    ("types", "12", InvalidTypeError, "got str"),
    ("types", b"12", InvalidTypeError, "got bytes"),
    ("types", 3, InvalidTypeError, "got int"),
    ("types", {0: 1, 1: 2}, InvalidTypeError, "got dict"),
    ("types", [1, None], InvalidTypeError, r"\[1\] = None"),
    ("types", [1, "2"], InvalidTypeError, "dtype|not an integer"),
    ("dtypes", np.array([1.0, 2.0], dtype=complex), InvalidTypeError, "dtype complex128"),
    ("dtypes", np.array([True, False]), InvalidTypeError, "dtype bool"),
    ("dtypes", np.array(["1", "2"]), InvalidTypeError, "dtype <U1"),
    ("dtypes", np.array([1.5, 2.0]), InvalidArgumentError, r"\[0\] = 1.5 is not an integer"),
    ("shapes", np.ones((2, 1)), InvalidArgumentError, "must be 1-D"),
    ("shapes", [[1, 2], [3]], InvalidArgumentError, "not a 1-D sequence|1-D"),
    ("empty", [], InvalidArgumentError, "is empty"),
    ("empty", [0, 0], EmptyWindowError, "total count 0"),
    ("non-finite", [np.nan, 1.0], InvalidArgumentError, "is not finite"),
    ("non-finite", [np.inf, 1.0], InvalidArgumentError, "is not finite"),
    ("huge", [2**70, 1], InvalidArgumentError, "exceeds 2\\*\\*53|2\\*\\*53"),
    ("huge", np.array([2**62, 2**62], dtype=np.uint64), InvalidArgumentError, "2\\*\\*53"),
    ("huge", [-1, 2], InvalidArgumentError, "negative count"),
    ("masks", np.ma.array([1, 2], mask=[0, 1]), InvalidArgumentError, "masked"),
    ("mismatched", [1, 2, 3], InvalidArgumentError, "bins but"),
]

CASES: list[tuple[str, str, Callable[[], Any], type[Exception], str]] = []
for fname, fn in COUNTS_FNS.items():
    for cls, value, exc, msg in BAD_COUNTS:
        CASES.append((cls, f"{fname}(actual={value!r:.30})", lambda fn=fn, v=value: fn(v, [3, 4]), exc, msg))

# options of the PSI functions and DriftMonitor
for fname in ("psi", "drift_scores", "psi_contributions"):
    fn = COUNTS_FNS[fname]
    CASES += [
        (
            "options",
            f"{fname} smoothing=bogus",
            lambda fn=fn: fn([1, 2], [2, 1], "bogus"),
            InvalidArgumentError,
            "unknown smoothing 'bogus'",
        ),
        (
            "options",
            f"{fname} smoothing=None",
            lambda fn=fn: fn([1, 2], [2, 1], None),
            InvalidTypeError,
            "smoothing",
        ),
        (
            "options",
            f"{fname} epsilon=str",
            lambda fn=fn: fn([1, 2], [2, 1], "floor", "x"),
            InvalidTypeError,
            "epsilon must be a real number",
        ),
        (
            "options",
            f"{fname} epsilon=2",
            lambda fn=fn: fn([1, 2], [2, 1], "floor", 2.0),
            InvalidArgumentError,
            "0 < epsilon < 1",
        ),
        (
            "non-finite",
            f"{fname} epsilon=nan",
            lambda fn=fn: fn([1, 2], [2, 1], "floor", float("nan")),
            InvalidArgumentError,
            "finite",
        ),
        (
            "options",
            f"{fname} epsilon with laplace",
            lambda fn=fn: fn([1, 2], [2, 1], "laplace", 0.1),
            InvalidArgumentError,
            "only to smoothing='floor'",
        ),
    ]


DM_OPTIONS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("options", {"smoothing": "bogus"}, InvalidArgumentError, "unknown smoothing 'bogus'"),
    ("types", {"smoothing": None}, InvalidTypeError, "smoothing"),
    ("types", {"smoothing": "floor", "epsilon": "1e-4"}, InvalidTypeError, "epsilon"),
    ("options", {"smoothing": "floor", "epsilon": 0.0}, InvalidArgumentError, "0 < epsilon < 1"),
    ("options", {"epsilon": 0.1}, InvalidArgumentError, "only to smoothing='floor'"),
    ("types", {"bands": None}, InvalidTypeError, "bands must be a pair"),
    ("types", {"bands": "ab"}, InvalidTypeError, "bands must be a pair"),
    ("shapes", {"bands": (0.1,)}, InvalidTypeError, "bands must be a pair"),
    ("types", {"bands": (0.1, "x")}, InvalidTypeError, "bands must be a pair"),
    ("non-finite", {"bands": (float("nan"), 1.0)}, InvalidArgumentError, "finite thresholds"),
    ("non-finite", {"bands": (0.1, float("inf"))}, InvalidArgumentError, "finite thresholds"),
    ("options", {"bands": (0.3, 0.1)}, InvalidArgumentError, "0 <= low <= high"),
    ("options", {"quality_bands": (0.1, 2.0)}, InvalidArgumentError, "<= 1"),
    ("options", {"out_of_range": "drop"}, InvalidArgumentError, "out_of_range must be one of"),
    ("types", {"window": None}, InvalidTypeError, "window must be a positive integer"),
    ("types", {"window": 2.5}, InvalidTypeError, "window"),
    ("types", {"slots": True}, InvalidTypeError, "slots"),
    ("options", {"window": 0}, InvalidArgumentError, r"window must be an integer in \[1, "),
    ("huge", {"window": 10**20}, InvalidArgumentError, "2\\*\\*53"),
    (
        "huge",
        {"slots": 10**7, "window": 10**7},
        InvalidArgumentError,
        r"slots must be an integer in \[1, 1024\]",
    ),
    ("options", {"window": 10, "slots": 3}, InvalidArgumentError, "multiple of slots"),
]


def _build(kw: dict[str, Any]) -> DriftMonitor:
    return DriftMonitor(REF, **{"window": 100, **kw})


for cls, kw, exc, msg in DM_OPTIONS:
    CASES.append((cls, f"DriftMonitor({kw})", lambda kw=kw: _build(kw), exc, msg))
CASES.append(
    (
        "types",
        "DriftMonitor(reference=str)",
        lambda: DriftMonitor("ref"),
        InvalidTypeError,
        "monitor.Reference",
    )
)  # type: ignore[arg-type]

# DriftMonitor.update / prepare
BAD_BATCH: list[tuple[str, Any, type[Exception], str]] = [
    ("types", None, InvalidTypeError, "got NoneType"),
    ("types", "1,2", InvalidTypeError, "got str"),
    ("types", 3.5, InvalidTypeError, "got float"),
    ("types", object(), InvalidTypeError, "got object"),
    ("dtypes", np.zeros((2, 2), dtype=bool), InvalidTypeError, "dtype bool"),
    ("dtypes", np.zeros((2, 2), dtype=complex), InvalidTypeError, "dtype complex128"),
    ("dtypes", np.array([["a", "b"]]), InvalidTypeError, "dtype <U1"),
    ("dtypes", np.zeros((2, 2), dtype="datetime64[s]"), InvalidTypeError, "datetime64"),
    ("dtypes", [[1, None]], InvalidTypeError, "dtype object"),
    ("shapes", np.zeros((2, 2, 2)), InvalidArgumentError, "1-D or 2-D"),
    ("shapes", [[1.0, 2.0], [3.0]], InvalidArgumentError, "not a rectangular array"),
    ("shapes", np.zeros(3), ConfigMismatchError, "1-D batch of 3 values"),
    ("mismatched", np.zeros((2, 3)), ConfigMismatchError, "3 columns, the reference has 2"),
    (
        "mismatched",
        {"a": [1.0], "c": [2.0]},
        ConfigMismatchError,
        r"missing \['b'\].*unexpected \['c'\].*renamed",
    ),
    ("mismatched", {"a": [1.0]}, ConfigMismatchError, r"missing \['b'\]"),
    ("mismatched", {"a": [1.0], "b": [2.0], "c": [3.0]}, ConfigMismatchError, r"unexpected \['c'\]"),
    ("mismatched", {"a": [1.0, 2.0], "b": [2.0]}, InvalidArgumentError, "differ in length"),
    ("mismatched", np.zeros(2, dtype=[("a", "f8"), ("z", "f8")]), ConfigMismatchError, "renamed"),
    ("types", {"a": ["x"], "b": [1.0]}, InvalidTypeError, "column 'a' must hold real numbers"),
    ("shapes", {"a": [[1.0]], "b": [[1.0]]}, InvalidArgumentError, "column 'a' must be 1-D"),
    ("types", {1: [1.0], 2: [2.0]}, InvalidTypeError, "column names must be strings"),
]
for cls, value, exc, msg in BAD_BATCH:
    CASES.append((cls, f"DriftMonitor.update({value!r:.30})", lambda v=value: _dm().update(v), exc, msg))

# Binner, bin_counts, bin_codes
BAD_VALUES: list[tuple[str, Any, type[Exception], str]] = [
    ("types", None, InvalidTypeError, "got NoneType"),
    ("types", "abc", InvalidTypeError, "got str"),
    ("types", 3.5, InvalidTypeError, "got float"),
    ("types", {"a": 1}, InvalidTypeError, "got dict"),
    ("dtypes", np.array([True]), InvalidTypeError, "dtype bool"),
    ("dtypes", np.array([1j]), InvalidTypeError, "dtype complex128"),
    ("dtypes", np.array(["1"]), InvalidTypeError, "dtype <U1"),
    ("dtypes", [1, None], InvalidTypeError, "dtype object"),
    ("shapes", np.zeros((2, 2)), InvalidArgumentError, "must be a 1-D array, got shape"),
    ("shapes", [[1.0], [2.0, 3.0]], InvalidArgumentError, "not a rectangular array"),
]
for cls, value, exc, msg in BAD_VALUES:
    CASES.append(
        (cls, f"bin_counts(values={value!r:.30})", lambda v=value: bin_counts(v, [0, 1, 2]), exc, msg)
    )
    CASES.append((cls, f"Binner({value!r:.30})", lambda v=value: Binner(v), exc, msg))
BAD_EDGES: list[tuple[str, Any, type[Exception], str]] = [
    ("empty", [], InvalidArgumentError, "at least 2 values"),
    ("empty", [1.0], InvalidArgumentError, "at least 2 values"),
    ("non-finite", [0.0, np.nan, 1.0], InvalidArgumentError, "must not contain NaN"),
    ("mismatched", [0.0, 2.0, 1.0], InvalidArgumentError, "strictly increasing"),
    ("mismatched", [0.0, 0.0], InvalidArgumentError, "strictly increasing"),
    (
        "huge",
        np.array([0, 2**53, 2**53 + 1], dtype=np.int64),
        InvalidArgumentError,
        r"edges\[2\] = 9007199254740993 is not exactly representable",
    ),
    ("huge", np.array([0, 2**64 - 1], dtype=np.uint64), InvalidArgumentError, "not exactly representable"),
    ("huge", np.arange(2_000_000, dtype=np.float64), InvalidArgumentError, "at most 1048576 edges"),
]
for cls, value, exc, msg in BAD_EDGES:
    CASES.append((cls, f"bin_counts(edges={value!r:.30})", lambda v=value: bin_counts([1.0], v), exc, msg))
BAD_CODES: list[tuple[str, Any, Any, type[Exception], str]] = [
    ("types", None, 3, InvalidTypeError, "got NoneType"),
    ("types", 3, 3, InvalidTypeError, "got int"),
    ("dtypes", np.array([1.0]), 3, InvalidTypeError, "integer dtype, got float64"),
    ("shapes", np.zeros((2, 2), dtype=int), 3, InvalidArgumentError, "1-D"),
    ("masks", np.ma.array([1, 2], mask=[0, 1]), 3, InvalidArgumentError, "masked"),
    ("types", [1], "3", InvalidTypeError, "ncodes must be a positive integer"),
    ("types", [1], True, InvalidTypeError, "ncodes"),
    ("empty", [1], 0, InvalidArgumentError, r"ncodes must be an integer in \[1, "),
    ("huge", [1], 10**12, InvalidArgumentError, r"ncodes must be an integer in \[1, 16777216\]"),
]
for cls, codes, nc, exc, msg in BAD_CODES:
    CASES.append((cls, f"bin_codes({codes!r:.20}, {nc!r})", lambda c=codes, n=nc: bin_codes(c, n), exc, msg))

# ServiceMonitor.observe(features=...)
BAD_FEATURES: list[tuple[str, Any, type[Exception], str]] = [
    ("types", "1,2", InvalidTypeError, "features must be an array"),
    ("types", 3.0, InvalidTypeError, "features must be an array"),
    ("shapes", [1.0, 2.0, 3.0], ConfigMismatchError, "1-D features of 3 values"),
    ("shapes", np.zeros((1, 2, 1)), InvalidArgumentError, "1-D or 2-D"),
    ("mismatched", np.zeros((1, 3)), ConfigMismatchError, "3 columns"),
    ("mismatched", {"a": 1.0, "x": 2.0}, ConfigMismatchError, r"missing \['b'\]"),
    ("dtypes", {"a": "1", "b": 2.0}, InvalidTypeError, "column 'a' must hold real numbers"),
    ("dtypes", [True, False], InvalidTypeError, "dtype bool"),
]


def _observe(features: Any) -> None:
    svc = ServiceMonitor("svc", "v1", drift=_dm(), logger=False)
    with svc.observe(features=features) as obs:
        obs.record(prediction=0.5)


for cls, value, exc, msg in BAD_FEATURES:
    CASES.append((cls, f"observe(features={value!r:.30})", lambda v=value: _observe(v), exc, msg))

BUILTIN = {InvalidTypeError: TypeError, InvalidArgumentError: ValueError}


@pytest.mark.parametrize(("cls", "label", "call", "exc", "msg"), CASES, ids=[c[1] for c in CASES])
def test_bad_input_is_refused_clearly(
    cls: str, label: str, call: Callable[[], Any], exc: type[Exception], msg: str
) -> None:
    with pytest.raises(exc) as info:
        call()
    assert re.search(msg, str(info.value)), (label, str(info.value))
    assert isinstance(info.value, ValueError)
    for sub, builtin in BUILTIN.items():
        if issubclass(exc, sub):
            assert isinstance(info.value, builtin)


# ---- legal but unusual layouts: same result as a clean copy, and C never sees a bad pointer ----

LAYOUT_COUNTS = {
    "byte-swapped >u8": lambda a: a.astype(">u8"),
    "byte-swapped >i8": lambda a: a.astype(">i8"),
    "misaligned u8": lambda a: _misaligned(a.astype(np.uint64)),
    "misaligned i8": lambda a: _misaligned(a.astype(np.int64)),
    "strided": lambda a: np.repeat(a.astype(np.uint64), 2)[::2],
    "masked, no mask set": lambda a: np.ma.array(a),
    "uint32": lambda a: a.astype(np.uint32),
}


@pytest.mark.parametrize("layout", list(LAYOUT_COUNTS))
@pytest.mark.parametrize("fname", list(COUNTS_FNS))
def test_counts_layouts_match_clean_copy(layout: str, fname: str) -> None:
    p = np.array([5, 0, 9, 2], dtype=np.uint64)
    q = np.array([3, 4, 4, 1], dtype=np.uint64)
    fn = COUNTS_FNS[fname]
    want = fn(p, q)
    got = fn(LAYOUT_COUNTS[layout](p), LAYOUT_COUNTS[layout](q))
    assert np.array_equal(np.asarray(got), np.asarray(want)) if fname == "psi_contributions" else got == want


LAYOUT_VALUES = {
    "byte-swapped >f8": lambda a: a.astype(">f8"),
    "misaligned f8": lambda a: _misaligned(a),
    "fortran 2-D column": lambda a: np.asfortranarray(np.stack([a, a], axis=1))[:, 0],
    "float32": lambda a: a.astype(np.float32).astype(np.float64),
}


@pytest.mark.parametrize("layout", list(LAYOUT_VALUES))
def test_value_layouts_match_clean_copy(layout: str) -> None:
    x = np.random.default_rng(3).normal(size=101)
    x[::7] = np.nan
    e = np.array([-1.0, 0.0, 0.5, 2.0])
    v = LAYOUT_VALUES[layout](x)
    want = np.histogram(np.asarray(v, dtype=np.float64)[~np.isnan(v)], e)[0]
    assert bin_counts(v, e).counts.tolist() == want.tolist()
    assert (
        bin_counts(x, LAYOUT_VALUES[layout](e)).counts.tolist()
        == np.histogram(x[~np.isnan(x)], e)[0].tolist()
    )
    dm = _dm()
    dm.update(np.stack([v, v], axis=1).astype(">f8") if "swapped" in layout else np.stack([v, v], axis=1))
    ref_dm = _dm()
    ref_dm.update(np.stack([np.asarray(v, np.float64)] * 2, axis=1))
    assert [a.tolist() for a in dm.window_counts()] == [a.tolist() for a in ref_dm.window_counts()]


def test_misaligned_matrix_through_drift_monitor() -> None:
    x = np.random.default_rng(4).normal(size=(50, 2))
    mis = _misaligned(x.reshape(-1)).reshape(50, 2)
    a, b = _dm(), _dm()
    a.update(mis)
    b.update(x)
    assert [c.tolist() for c in a.window_counts()] == [c.tolist() for c in b.window_counts()]


def test_masked_values_count_as_nan() -> None:
    x = np.ma.array([0.5, 1.5, 2.5, 3.5], mask=[0, 1, 0, 0])
    bc = bin_counts(x, [0.0, 1.0, 2.0, 3.0])
    assert bc.counts.tolist() == [1, 0, 1] and bc.nan == 1 and bc.above == 1
    big = np.ma.array(np.array([2**60 + 1, 5], dtype=np.int64), mask=[0, 1])
    bc = bin_counts(big, [0.0, 2.0**60, 2.0**61])
    assert bc.counts.tolist() == [0, 1] and bc.nan == 1


def test_catalogue_counts() -> None:
    per = collections.Counter(c[0] for c in CASES)
    per["byte order / alignment layouts"] = len(LAYOUT_COUNTS) * len(COUNTS_FNS) + len(LAYOUT_VALUES) + 1
    print("\ncatalogue cases per class:", dict(sorted(per.items())), "total", sum(per.values()))
    assert min(per.values()) >= 1 and sum(per.values()) > 150
