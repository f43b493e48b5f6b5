"""Drift metrics (monitor.tv / js / psi / drift_scores): accuracy against exact mathematics,
golden raw integers, properties, input validation, and the generated C tables.

Run ``python -m pytest -q -s tests/unit/test_drift_metrics.py`` to see the maximum errors measured
against mpmath (printed by test_accuracy_report)."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import monitor
from monitor import DriftScores, EmptyWindowError, InvalidArgumentError, MonitorError

from oracles import ROOT

GOLDEN = os.path.join(ROOT, "tests", "data", "drift_golden.json")

MAX_TOTAL = 2**53
BOUND = 1e-12  # the contract (docs/drift_metrics.md)
TIGHT = 2.0**-55  # what the implementation guarantees comfortably (docs/drift_metrics.md)


# ---- exact reference -------------------------------------------------------------------------


def exact(a: list[int], e: list[int], smoothing: str = "laplace", eps: float | None = None) -> dict[str, Any]:
    """TV as a Fraction; JS, JS distance and PSI with mpmath at 256 bits."""
    with mpmath.workprec(256):
        na, ne, b = sum(a), sum(e), len(a)
        tv = Fraction(sum(abs(x * ne - y * na) for x, y in zip(a, e)), 2 * na * ne)
        js = mpmath.mpf(0)
        for x, y in zip(a, e):
            p = mpmath.mpf(x) / na
            q = mpmath.mpf(y) / ne
            m = (p + q) / 2
            if x:
                js += p * mpmath.log(p / m, 2) / 2
            if y:
                js += q * mpmath.log(q / m, 2) / 2
        if smoothing == "laplace":
            pt = [mpmath.mpf(x + 1) / (na + b) for x in a]
            qt = [mpmath.mpf(y + 1) / (ne + b) for y in e]
        else:
            ep = mpmath.mpf(eps if eps is not None else monitor.PSI_FLOOR_EPSILON_DEFAULT)
            pt = [max(mpmath.mpf(x) / na, ep) for x in a]
            qt = [max(mpmath.mpf(y) / ne, ep) for y in e]
        psi = mpmath.fsum((u - v) * mpmath.log(u / v) for u, v in zip(pt, qt))
        js = max(js, mpmath.mpf(0))
        return {"tv": tv, "js": js, "jsd": mpmath.sqrt(js), "psi": psi}


def errors(s: DriftScores, ref: dict[str, Any]) -> dict[str, float]:
    with mpmath.workprec(256):
        return {
            "tv_raw": float(
                abs(mpmath.mpf(s.tv_raw) / 2**64 - mpmath.mpf(ref["tv"].numerator) / ref["tv"].denominator)
            ),
            "js": float(abs(mpmath.mpf(s.js_raw) / 2**126 - ref["js"])),
            "js_distance": float(abs(mpmath.mpf(s.js_distance_raw) / 2**63 - ref["jsd"])),
            "psi": float(abs(mpmath.mpf(s.psi_raw) / 2**64 - ref["psi"]) / max(1, ref["psi"])),
            "js_float": float(abs(mpmath.mpf(s.js) - ref["js"])),
            "psi_float": float(abs(mpmath.mpf(s.psi) - ref["psi"]) / max(1, ref["psi"])),
            "js_distance_float": float(abs(mpmath.mpf(s.js_distance) - ref["jsd"])),
        }


def check_documented_bounds(s: DriftScores, ref: dict[str, Any]) -> None:
    """The bounds stated in csrc/mon_drift.h (relative for JS, so the distance stays accurate
    however small JS is)."""
    with mpmath.workprec(256):
        js = ref["js"]
        assert abs(mpmath.mpf(s.js_raw) / 2**126 - js) <= js * 2.0**-55 + 2.0**-127
        jsd = ref["jsd"]
        assert abs(mpmath.mpf(s.js_distance_raw) / 2**63 - jsd) <= jsd * 2.0**-56 + 2.0**-63
        psi = ref["psi"]
        assert abs(mpmath.mpf(s.psi_raw) / 2**64 - psi) <= max(1, psi) * 2.0**-58


def check_exact_tv(s: DriftScores, ref: dict[str, Any]) -> None:
    tv = ref["tv"]
    assert Fraction(s.tv_num, s.tv_den) == tv
    assert s.tv == float(tv)  # Fraction -> float is correctly rounded, like int / int
    # tv_raw = round(TV * 2^64), ties up
    assert s.tv_raw == (tv.numerator * 2**64 * 2 + tv.denominator) // (2 * tv.denominator)


def adversarial_cases() -> list[tuple[str, list[int], list[int]]]:
    rng = random.Random(12345)
    cases: list[tuple[str, list[int], list[int]]] = []
    add = cases.append
    add(("B=1", [5], [9]))
    add(("B=2 disjoint", [1, 0], [0, 1]))
    add(("B=2 max totals", [MAX_TOTAL - 1, 1], [1, MAX_TOTAL - 1]))
    add(("B=2 max total vs tiny", [MAX_TOTAL, 0], [1, 1]))
    add(("dominant 99.99%", [999_900] + [1] * 100, [999_950] + [0, 1] * 25 + [0] * 50))
    add(("dominant bin, 10 bins", [9999, 1, 0, 0, 0, 0, 0, 0, 0, 0], [1000] * 10))
    add(("empty bins", [0, 0, 7, 0, 3, 0], [2, 0, 0, 0, 8, 1]))
    add(("disjoint supports", [3, 4, 0, 0], [0, 0, 5, 6]))
    add(("P = 3Q", [3 * x for x in (4, 9, 1, 0, 7)], [4, 9, 1, 0, 7]))
    base = [rng.randrange(2**40, 2**44) for _ in range(100)]
    near = list(base)
    near[17] += 1
    add(("near-identical, 1 count in 2^50", base, near))
    add(("near-identical large totals", [2**51, 2**51 - 1], [2**51 - 1, 2**51]))
    add(
        (
            "near-identical 10 bins",
            [10**14 + i for i in range(10)],
            [10**14 + i + (1 if i == 3 else 0) for i in range(10)],
        )
    )
    for b in (1, 2, 10, 100, 10_000):
        for scale in (1, 2**10, 2**40 // max(b, 1)):
            a = [rng.randrange(0, scale + 1) for _ in range(b)]
            e = [max(0, x + rng.randrange(-scale // 8 - 1, scale // 8 + 2)) for x in a]
            a[0] += 1
            e[-1] += 1
            add((f"random B={b} scale={scale}", a, e))
    big = [rng.randrange(0, 2**39) for _ in range(10_000)]
    add(("B=10000 totals near 2^53", big, big[::-1]))
    return cases


# ---- accuracy --------------------------------------------------------------------------------


_MAX_ERR: dict[str, float] = {}


@pytest.mark.parametrize("name,a,e", adversarial_cases(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.req("MON-REQ-DRIFT-001", "MON-REQ-DRIFT-002", "MON-REQ-DRIFT-003")
def test_accuracy_laplace(name: str, a: list[int], e: list[int]) -> None:
    s = monitor.drift_scores(np.array(a, dtype=np.uint64), np.array(e, dtype=np.uint64))
    ref = exact(a, e)
    check_exact_tv(s, ref)
    check_documented_bounds(s, ref)
    err = errors(s, ref)
    for k, v in err.items():
        _MAX_ERR[k] = max(_MAX_ERR.get(k, 0.0), v)
    assert err["js"] <= TIGHT and err["js_distance"] <= TIGHT and err["psi"] <= TIGHT, err
    assert max(err.values()) <= BOUND


@pytest.mark.parametrize("eps", [None, 1e-2, 0.3, 2.0**-40, 2.0**-64])
@pytest.mark.parametrize("name,a,e", adversarial_cases()[:16], ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.req("MON-REQ-DRIFT-003")
def test_accuracy_floor(name: str, a: list[int], e: list[int], eps: float | None) -> None:
    s = monitor.drift_scores(a, e, smoothing="floor", epsilon=eps)
    ref = exact(a, e, "floor", eps)
    check_documented_bounds(s, ref)
    err = errors(s, ref)
    _MAX_ERR["psi_floor"] = max(_MAX_ERR.get("psi_floor", 0.0), err["psi"])
    assert err["psi"] <= TIGHT, err
    assert monitor.psi(a, e, smoothing="floor", epsilon=eps) == s.psi


@pytest.mark.req("MON-REQ-DRIFT-001", "MON-REQ-DRIFT-002", "MON-REQ-DRIFT-003")
def test_accuracy_random_small() -> None:
    rng = random.Random(777)
    for _ in range(300):
        b = rng.choice([1, 2, 3, 5, 10, 30])
        top = rng.choice([1, 3, 100, 10**6, 2**40])
        a = [rng.randrange(0, top + 1) for _ in range(b)]
        e = [rng.randrange(0, top + 1) for _ in range(b)]
        if rng.random() < 0.4:
            e = [x + rng.randrange(0, 2) for x in a]
        a[rng.randrange(b)] += 1
        e[rng.randrange(b)] += 1
        s = monitor.drift_scores(a, e)
        ref = exact(a, e)
        check_exact_tv(s, ref)
        check_documented_bounds(s, ref)
        err = errors(s, ref)
        for k, v in err.items():
            _MAX_ERR[k] = max(_MAX_ERR.get(k, 0.0), v)
        assert err["js"] <= TIGHT and err["js_distance"] <= TIGHT and err["psi"] <= TIGHT


def test_js_distance_near_identical_beats_scipy() -> None:
    """JS ~ 1e-30: the distance stays accurate (scipy returns NaN or ~1e-8 noise here)."""
    a = [2**50, 2**50 + 1, 2**49, 12345]
    e = [2**50 + 1, 2**50, 2**49, 12345]
    s = monitor.drift_scores(a, e)
    ref = exact(a, e)
    assert 0 < ref["js"] < 1e-28
    assert abs(mpmath.mpf(s.js_distance) - ref["jsd"]) <= 1e-18
    assert s.js_distance > 0
    assert monitor.js(a, e, distance=True) == s.js_distance


def test_accuracy_report(capsys: pytest.CaptureFixture[str]) -> None:
    """Print the largest errors seen by the accuracy tests of this module (run with -s)."""
    with capsys.disabled():
        if _MAX_ERR:
            print(
                "\nmax errors vs mpmath (256 bits): "
                + ", ".join(f"{k}={v:.3g}" for k, v in sorted(_MAX_ERR.items()))
            )
    assert all(v <= BOUND for v in _MAX_ERR.values())


# ---- golden vectors --------------------------------------------------------------------------


def _golden_counts(case: dict[str, Any]) -> tuple[list[int], list[int]]:
    if "generated" not in case:
        return case["actual"], case["expected"]
    sys.path.insert(0, os.path.join(ROOT, "tools", "gen"))
    try:
        from gen_drift_golden import generated
    finally:
        sys.path.pop(0)
    return generated(case["generated"])


def test_golden_vectors() -> None:
    with open(GOLDEN, encoding="utf-8") as fh:
        doc = json.load(fh)
    assert len(doc["cases"]) >= 20
    for case in doc["cases"]:
        a, e = _golden_counts(case)
        s = monitor.drift_scores(a, e, smoothing=case["smoothing"], epsilon=case["epsilon"])
        got = {
            "tv_raw": s.tv_raw,
            "tv_num": s.tv_num,
            "tv_den": s.tv_den,
            "js_raw": s.js_raw,
            "js_distance_raw": s.js_distance_raw,
            "psi_raw": s.psi_raw,
        }
        want = {k: int(case[k]) for k in got}
        assert got == want, case["name"]


def test_generated_tables_are_reproducible() -> None:
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "gen", "gen_drift_tables.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


# ---- properties ------------------------------------------------------------------------------

counts = st.lists(st.integers(min_value=0, max_value=2**30), min_size=1, max_size=40)


@st.composite
def pairs(draw: Any) -> tuple[list[int], list[int]]:
    a = draw(counts)
    mode = draw(st.sampled_from(["independent", "close", "scaled"]))
    if mode == "independent":
        e = draw(st.lists(st.integers(0, 2**30), min_size=len(a), max_size=len(a)))
    elif mode == "close":
        e = [
            max(0, x + d)
            for x, d in zip(a, draw(st.lists(st.integers(-2, 2), min_size=len(a), max_size=len(a))))
        ]
    else:
        e = [x * draw(st.integers(1, 5)) for x in a]
    assume(sum(a) > 0 and sum(e) > 0)
    return a, e


@given(pairs())
@pytest.mark.req("MON-REQ-DRIFT-006")
def test_symmetry_and_bounds(pe: tuple[list[int], list[int]]) -> None:
    a, e = pe
    s = monitor.drift_scores(a, e)
    r = monitor.drift_scores(e, a)
    assert (s.tv_raw, s.tv_num, s.js_raw, s.js_distance_raw) == (
        r.tv_raw,
        r.tv_num,
        r.js_raw,
        r.js_distance_raw,
    )
    assert s.psi_raw == r.psi_raw  # PSI is symmetric in (p~, q~), and so is the computation
    assert 0 <= s.tv <= 1 and 0 <= s.js <= 1 and 0 <= s.js_distance <= 1
    assert s.tv_raw <= 2**64 and s.js_raw <= 2**126 and s.js_distance_raw <= 2**63
    # the distance is the nearest integer square root of the divergence
    d = s.js_distance_raw
    assert (d - 1) * d < s.js_raw <= d * (d + 1) or (d == 0 and s.js_raw == 0)
    # TV is an exact rational
    assert Fraction(s.tv_num, s.tv_den) == exact_tv(a, e)


def exact_tv(a: list[int], e: list[int]) -> Fraction:
    na, ne = sum(a), sum(e)
    return Fraction(sum(abs(x * ne - y * na) for x, y in zip(a, e)), 2 * na * ne)


@given(counts)
@pytest.mark.req("MON-REQ-DRIFT-006")
def test_identical_is_exactly_zero(a: list[int]) -> None:
    assume(sum(a) > 0)
    for smoothing in ("laplace", "floor"):
        s = monitor.drift_scores(a, list(a), smoothing=smoothing)
        assert (s.tv_raw, s.tv_num, s.js_raw, s.js_distance_raw, s.psi_raw) == (0, 0, 0, 0, 0)
        assert s.tv == s.js == s.js_distance == s.psi == 0.0


@given(pairs(), st.randoms(use_true_random=False))
def test_permutation_invariance(pe: tuple[list[int], list[int]], rnd: random.Random) -> None:
    a, e = pe
    idx = list(range(len(a)))
    rnd.shuffle(idx)
    s = monitor.drift_scores(a, e)
    t = monitor.drift_scores([a[i] for i in idx], [e[i] for i in idx])
    assert s == t  # every raw integer identical
    f1 = monitor.drift_scores(a, e, smoothing="floor", epsilon=1e-3)
    f2 = monitor.drift_scores([a[i] for i in idx], [e[i] for i in idx], smoothing="floor", epsilon=1e-3)
    assert f1 == f2


@given(pairs(), st.integers(1, 20))
@pytest.mark.req("MON-REQ-DRIFT-006")
def test_power_of_two_scaling(pe: tuple[list[int], list[int]], k: int) -> None:
    """Scaling both vectors by 2^k: TV, JS and floor-PSI raws identical (the distributions are
    identical); Laplace PSI is not scale invariant (the +1 weighs less), so it only moves toward
    the unsmoothed value - checked against exact arithmetic instead."""
    a, e = pe
    assume(max(sum(a), sum(e)) << k <= MAX_TOTAL)
    s = monitor.drift_scores(a, e, smoothing="floor", epsilon=1e-3)
    t = monitor.drift_scores([x << k for x in a], [y << k for y in e], smoothing="floor", epsilon=1e-3)
    assert (s.tv_raw, s.js_raw, s.js_distance_raw, s.psi_raw) == (
        t.tv_raw,
        t.js_raw,
        t.js_distance_raw,
        t.psi_raw,
    )
    assert Fraction(s.tv_num, s.tv_den) == Fraction(t.tv_num, t.tv_den)


@given(pairs(), st.integers(2, 7))
def test_integer_scaling_close(pe: tuple[list[int], list[int]], k: int) -> None:
    """Scaling by a non power of two: the same distributions, so TV is exactly equal and JS
    agrees to the accuracy bound (the fixed-point rounding differs)."""
    a, e = pe
    s = monitor.drift_scores(a, e)
    t = monitor.drift_scores([x * k for x in a], [y * k for y in e])
    assert s.tv_raw == t.tv_raw
    # compare the raw values (the floats may differ by their own rounding, one ulp)
    assert abs(s.js_raw - t.js_raw) <= 2 * TIGHT * 2**126
    assert abs(s.js_distance_raw - t.js_distance_raw) <= 2 * TIGHT * 2**63


@given(pairs())
@pytest.mark.req("MON-REQ-DRIFT-004")
def test_single_metric_functions_agree(pe: tuple[list[int], list[int]]) -> None:
    a, e = pe
    s = monitor.drift_scores(a, e)
    assert monitor.tv(a, e) == s.tv
    assert monitor.js(a, e) == s.js
    assert monitor.js(a, e, distance=True) == s.js_distance
    assert monitor.psi(a, e) == s.psi


def test_scipy_secondary_check() -> None:
    scipy_distance = pytest.importorskip("scipy.spatial.distance")
    rng = np.random.default_rng(5)
    for b in (2, 10, 100):
        a = rng.integers(0, 1000, b)
        e = rng.integers(0, 1000, b)
        a[0] += 1
        e[0] += 1
        ref = scipy_distance.jensenshannon(a, e, base=2)
        assert abs(monitor.js(a, e, distance=True) - ref) < 1e-12
        assert abs(monitor.js(a, e) - ref**2) < 1e-12


def test_article_calculate_psi_formula() -> None:
    """The article's numpy formula on counts, as an independent float check of the default."""
    rng = np.random.default_rng(9)
    ref_counts = rng.integers(50, 150, 10)
    cur_counts = rng.integers(30, 170, 10)
    n_ref, n_cur, bins = ref_counts.sum(), cur_counts.sum(), 10
    ref_pct = (ref_counts + 1) / (n_ref + bins)
    cur_pct = (cur_counts + 1) / (n_cur + bins)
    article = float(np.sum((cur_pct - ref_pct) * np.log(cur_pct / ref_pct)))
    assert math.isclose(monitor.psi(cur_counts, ref_counts), article, rel_tol=1e-12)


# ---- input handling --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32, np.int64]
)
def test_integer_dtypes(dtype: Any) -> None:
    a = np.array([3, 0, 5, 2], dtype=dtype)
    e = np.array([1, 4, 5, 0], dtype=dtype)
    assert monitor.drift_scores(a, e) == monitor.drift_scores([3, 0, 5, 2], [1, 4, 5, 0])


def test_float_arrays_holding_integers() -> None:
    assert monitor.tv(np.array([3.0, 1.0]), [1, 3]) == 0.5
    with pytest.raises(InvalidArgumentError, match="not an integer"):
        monitor.tv(np.array([3.5, 1.0]), [1, 3])
    with pytest.raises(InvalidArgumentError, match="not finite"):
        monitor.tv(np.array([np.nan, 1.0]), [1, 3])
    with pytest.raises(InvalidArgumentError, match="not finite"):
        monitor.tv([np.inf, 1.0], [1, 3])
    with pytest.raises(InvalidArgumentError, match="negative"):
        monitor.tv([-1.0, 1.0], [1, 3])


def test_non_contiguous_and_tuple_inputs() -> None:
    big = np.arange(20, dtype=np.int64)
    a = big[::2]
    assert not a.flags.c_contiguous
    assert monitor.drift_scores(a, big[1::2]) == monitor.drift_scores(list(a), list(big[1::2]))
    assert monitor.tv((1, 2), (2, 1)) == monitor.tv([1, 2], [2, 1])


def test_python_ints_beyond_int64() -> None:
    with pytest.raises(InvalidArgumentError, match="2\\*\\*53"):
        monitor.tv([2**70, 1], [1, 1])
    with pytest.raises(InvalidArgumentError, match="negative"):
        monitor.tv([-(2**70), 1], [1, 1])


@pytest.mark.parametrize(
    "a,e,exc,match",
    [
        ([1, 2], [1, 2, 3], InvalidArgumentError, "2 bins but expected has 3"),
        ([[1, 2]], [[1, 2]], InvalidArgumentError, "1-D"),
        ([], [], InvalidArgumentError, "empty"),
        (5, [5], InvalidArgumentError, "1-D sequence"),
        ("ab", [1, 2], InvalidArgumentError, "1-D sequence"),
        ([1, -2], [1, 2], InvalidArgumentError, "negative"),
        (np.array([1, -2]), np.array([1, 2]), InvalidArgumentError, "negative"),
        ([0, 0], [1, 2], EmptyWindowError, "actual has total count 0"),
        ([1, 2], np.zeros(2, dtype=np.int64), EmptyWindowError, "expected has total count 0"),
        ([2**53, 1], [1, 1], InvalidArgumentError, "2\\*\\*53"),
        (np.array([2**52, 2**52, 1], dtype=np.uint64), [1, 1, 1], InvalidArgumentError, "total"),
        ([1.5, 2], [1, 2], InvalidArgumentError, "not an integer"),
        ([True, False], [1, 2], InvalidArgumentError, "dtype bool"),
        (["a", "b"], [1, 2], InvalidArgumentError, "dtype"),
        ([1, None], [1, 2], InvalidArgumentError, "not an integer"),
    ],
)
@pytest.mark.req("MON-REQ-DRIFT-005", "MON-REQ-PY-002")
def test_input_errors(a: Any, e: Any, exc: type[Exception], match: str) -> None:
    for fn in (monitor.drift_scores, monitor.psi):
        with pytest.raises(exc, match=match):
            fn(a, e)
    # every error is a MonitorError and a ValueError
    with pytest.raises(MonitorError):
        monitor.drift_scores(a, e)
    with pytest.raises(ValueError):
        monitor.drift_scores(a, e)


@pytest.mark.req("MON-REQ-DRIFT-005", "MON-REQ-STATUS-003")
def test_tv_js_error_names() -> None:
    with pytest.raises(EmptyWindowError, match="q has total count 0"):
        monitor.tv([1], [0])
    with pytest.raises(InvalidArgumentError, match="p has a negative count"):
        monitor.js(np.array([-1, 3]), np.array([1, 3]))


@pytest.mark.req("MON-REQ-DRIFT-005")
def test_exact_max_total_accepted() -> None:
    s = monitor.drift_scores([2**52, 2**52], [1, 0])
    assert s.tv == 0.5


@pytest.mark.parametrize(
    "smoothing,eps,match",
    [
        ("laplacian", None, "unknown smoothing"),
        (None, None, "unknown smoothing"),
        ("laplace", 0.1, "only to smoothing='floor'"),
        ("floor", 0.0, "0 < epsilon < 1"),
        ("floor", 1.0, "0 < epsilon < 1"),
        ("floor", -0.1, "0 < epsilon < 1"),
        ("floor", float("nan"), "0 < epsilon < 1"),
        ("floor", float("inf"), "0 < epsilon < 1"),
        ("floor", 1e-30, "below the supported minimum"),
        ("floor", "0.1", "real number"),
        ("floor", True, "real number"),
    ],
)
def test_smoothing_errors(smoothing: Any, eps: Any, match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        monitor.psi([1, 2], [2, 1], smoothing=smoothing, epsilon=eps)
    with pytest.raises(InvalidArgumentError, match=match):
        monitor.drift_scores([1, 2], [2, 1], smoothing=smoothing, epsilon=eps)


def test_floor_default_epsilon() -> None:
    assert monitor.PSI_FLOOR_EPSILON_DEFAULT == 1e-4
    assert monitor.psi([1, 0], [0, 1], smoothing="floor") == monitor.psi(
        [1, 0], [0, 1], smoothing="floor", epsilon=1e-4
    )
    # an integer epsilon type other than float is accepted when in range
    assert monitor.psi([1, 0], [0, 1], smoothing="floor", epsilon=Fraction(1, 4)) == monitor.psi(
        [1, 0], [0, 1], smoothing="floor", epsilon=0.25
    )


def test_result_object() -> None:
    s = monitor.drift_scores([1, 0], [0, 1])
    assert (s.tv, s.js, s.js_distance) == (1.0, 1.0, 1.0)
    assert s.TV_FRAC_BITS == 64 and s.JS_FRAC_BITS == 126
    assert s.JS_DISTANCE_FRAC_BITS == 63 and s.PSI_FRAC_BITS == 64
    assert s.as_dict()["tv_raw"] == 2**64
    assert "tv=1.0" in repr(s)
    with pytest.raises(AttributeError):
        s.tv_raw = 0  # type: ignore[misc]
    assert s == DriftScores(
        s.tv_raw,
        s.tv_num,
        s.tv_den,
        s.js_raw,
        s.js_distance_raw,
        s.psi_raw,
        s.js_mant,
        s.js_exp2,
        s.js_distance_mant,
        s.js_distance_exp2,
    )
    # without the relative-precision fields the floats come from the fixed-point raw values
    t = DriftScores(s.tv_raw, s.tv_num, s.tv_den, s.js_raw, s.js_distance_raw, s.psi_raw)
    assert (t.js, t.js_distance) == (1.0, 1.0)


# ---- bit identity across builds -------------------------------------------------------------


def _m32_available() -> bool:
    import shutil
    import tempfile

    if shutil.which("gcc") is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "t.c")
        with open(src, "w", encoding="utf-8") as fh:
            fh.write("#include <stdio.h>\nint main(void){return 0;}\n")
        proc = subprocess.run(["gcc", "-m32", src, "-o", os.path.join(tmp, "t")], capture_output=True)
        return proc.returncode == 0


@pytest.mark.toolchain
@pytest.mark.parametrize(
    "variant,args",
    [
        ("drift-gcc-O0", ["CC=gcc", "OPT=-O0"]),
        ("drift-clang-O3", ["CC=clang", "OPT=-O3"]),
        ("drift-gcc-m32", ["CC=gcc", "CFLAGS=-m32", "TEST_LIBS=-m32"]),
    ],
)
def test_c_golden_in_other_builds(variant: str, args: list[str]) -> None:
    """csrc/tests/test_drift.c pins golden raw integers: they must come out identical with other
    compilers, optimisation levels and a 32-bit target (no __int128 there: the portable path).
    The 32-bit run needs a host gcc that links -m32; it is skipped when -m32 cannot link (the
    i686 cross-compiler run of tests/cert/test_cross.py covers 32-bit x86)."""
    import shutil

    cc = args[0].split("=", 1)[1]
    if shutil.which(cc) is None or shutil.which("make") is None:
        pytest.skip(f"needs make and {cc}")
    if "-m32" in " ".join(args) and not _m32_available():
        pytest.skip(
            "gcc -m32 cannot link here (no 32-bit host libc); 32-bit x86 is covered by the i686 cross "
            "compiler in tests/cert/test_cross.py (do not install gcc-multilib: it removes the cross "
            "compilers, docs/certification.md)"
        )
    proc = subprocess.run(
        ["make", "-s", "-C", os.path.join(ROOT, "csrc"), "test", f"VARIANT={variant}", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout


# ---- per-bin PSI contributions ---------------------------------------------------------------


@pytest.mark.parametrize("smoothing,eps", [("laplace", None), ("floor", None), ("floor", 0.05)])
@pytest.mark.parametrize("name,a,e", adversarial_cases()[:12], ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.req("MON-REQ-DRIFT-003")
def test_psi_contributions(name: str, a: list[int], e: list[int], smoothing: str, eps: float | None) -> None:
    raw = monitor.psi_contributions_raw(a, e, smoothing=smoothing, epsilon=eps)
    total = monitor.drift_scores(a, e, smoothing=smoothing, epsilon=eps).psi_raw
    assert len(raw) == len(a) and all(r >= 0 for r in raw)
    assert abs(sum(raw) - total) <= len(a)
    floats = monitor.psi_contributions(a, e, smoothing=smoothing, epsilon=eps)
    assert floats.tolist() == [r / 2**64 for r in raw]
    # each term against exact arithmetic
    with mpmath.workprec(256):
        na, ne, b = sum(a), sum(e), len(a)
        for i, (x, y) in enumerate(zip(a, e)):
            if smoothing == "laplace":
                u, v = mpmath.mpf(x + 1) / (na + b), mpmath.mpf(y + 1) / (ne + b)
            else:
                ep = mpmath.mpf(eps if eps is not None else monitor.PSI_FLOOR_EPSILON_DEFAULT)
                u, v = max(mpmath.mpf(x) / na, ep), max(mpmath.mpf(y) / ne, ep)
            exact_term = (u - v) * mpmath.log(u / v)
            assert abs(mpmath.mpf(raw[i]) / 2**64 - exact_term) <= TIGHT * max(1, exact_term)


def test_psi_contributions_errors() -> None:
    with pytest.raises(EmptyWindowError):
        monitor.psi_contributions([0, 0], [1, 1])
    with pytest.raises(InvalidArgumentError, match="unknown smoothing"):
        monitor.psi_contributions([1, 0], [1, 1], smoothing="x")


@given(
    st.lists(st.integers(2**20, 2**45), min_size=2, max_size=12),
    st.lists(st.integers(-3, 3), min_size=12, max_size=12),
)
@pytest.mark.req("MON-REQ-DRIFT-002")
def test_near_identical_relative_accuracy(base: list[int], jitter: list[int]) -> None:
    """Vectors that differ by a few counts in 2^45: JS ~ 1e-25 or less; the documented relative
    bounds hold, so the JS distance is accurate where float formulas return noise or NaN."""
    a = base
    e = [max(0, x + d) for x, d in zip(base, jitter)]
    s = monitor.drift_scores(a, e)
    ref = exact(a, e)
    check_documented_bounds(s, ref)
    check_exact_tv(s, ref)


def test_raw_entry_points_never_read_past_the_counts() -> None:
    """The raw (certification) entry points pass nbins to C unchecked by design, but never
    more than the counts given: C must not read past them."""
    from monitor import drift_raw

    assert drift_raw.raw_tv([1, 2], [2, 1], 2)[2] > 0
    for fn in (drift_raw.raw_tv, drift_raw.raw_js, drift_raw.raw_psi, drift_raw.raw_drift_scores):
        for nbins in (3, 6, -1):
            with pytest.raises(InvalidArgumentError, match="nbins"):
                fn([1, 2], [2, 1], nbins)
