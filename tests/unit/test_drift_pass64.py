"""The drift metrics' 64-bit pass (csrc/mon_drift_series.c, golden v2) against exact arithmetic.

Every branch of the pass is driven and checked against mpmath at 256 bits with the bounds of
csrc/mon_drift.h (TV exactly, as a Fraction): the JS and PSI series (mild drift, Horner term
counts from 1 to 16: near-identical to |d| just below 1/4), the log branches (strong drift),
one-sided bins (T_b = X), the common power of two (TV / JS on the reduced counts, Laplace PSI on
the counts themselves), floor smoothing (JS from this pass, PSI from mon_drift.c's) and totals
on both sides of the pass's limit N_P N_Q < 2^62. The JS floating values keep their relative
bound 2^-54. Power-of-two scaling leaves TV and JS bit-identical also across the pass's limit.
"""

from __future__ import annotations

import random

import mpmath
import pytest
from test_drift_metrics import check_documented_bounds, check_exact_tv, exact

import monitor
from monitor import drift_raw


def _cases() -> list[tuple[str, list[int], list[int]]]:
    rng = random.Random(2026_12_02)
    out: list[tuple[str, list[int], list[int]]] = []
    for i in range(60):
        b = rng.choice([1, 2, 3, 10, 32, 64, 200])
        kind = ["mild", "moderate", "strong", "near", "zeros", "shifted", "edge"][i % 7]
        per = rng.choice([3, 100, 10**4, 10**6, 2**24])
        q = [per + rng.randrange(per // 2 + 1) for _ in range(b)]
        if kind == "mild":
            p = [max(0, x + rng.randrange(-(x // 16) - 1, x // 16 + 2)) for x in q]
        elif kind == "moderate":  # |d| up to ~1/4: the long Horner sums
            p = [max(0, x + rng.randrange(-(x // 3) - 1, x // 3 + 2)) for x in q]
        elif kind == "strong":
            p = [rng.randrange(0, 4 * x + 2) for x in q]
        elif kind == "near":  # z tiny: one or two Horner terms
            p = list(q)
            p[rng.randrange(b)] += 1
        elif kind == "zeros":
            p = [x if rng.random() < 0.5 else 0 for x in q]
        elif kind == "shifted":  # a common power of two: TV / JS reduced, PSI not
            k = rng.randrange(1, 12)
            p = [max(0, x + rng.randrange(-(x // 8) - 1, x // 8 + 2)) << k for x in q]
            q = [x << k for x in q]
        else:  # totals around the pass's limit N_P N_Q = 2^62
            t = 2**31 + rng.randrange(-(2**20), 2**20)
            q = [t // b] * b
            p = [max(0, x + rng.randrange(-(x // 10), x // 10 + 1)) for x in q]
        if sum(p) == 0:
            p[0] = 1
        if sum(q) == 0:
            q[-1] = 1
        out.append((f"{kind}-{i}-B{b}", p, q))
    return out


CASES = _cases()


@pytest.mark.parametrize("smoothing", ["laplace", "floor"])
@pytest.mark.parametrize("name,a,e", CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_pass64_within_the_documented_bounds(name: str, a: list[int], e: list[int], smoothing: str) -> None:
    s = monitor.drift_scores(a, e, smoothing=smoothing)
    ref = exact(a, e, smoothing)
    check_exact_tv(s, ref)
    check_documented_bounds(s, ref)
    with mpmath.workprec(256):
        js = ref["js"]
        if js > 0:
            got = mpmath.mpf(s.js_mant) * mpmath.mpf(2) ** s.js_exp2
            got_d = mpmath.mpf(s.js_distance_mant) * mpmath.mpf(2) ** s.js_distance_exp2
            assert abs(got - js) / js < 2.0**-54
            assert abs(got_d - ref["jsd"]) / ref["jsd"] < 2.0**-54
    # every entry point takes the same pass: the same raw values
    assert drift_raw.raw_js(a, e, len(a)) == (s.js_raw, s.js_distance_raw)
    assert drift_raw.raw_tv(a, e, len(a)) == (s.tv_raw, s.tv_num, s.tv_den)


@pytest.mark.parametrize("name,a,e", CASES[::3], ids=lambda v: v if isinstance(v, str) else "")
def test_power_of_two_scaling_is_bit_identical_across_the_pass_limit(
    name: str, a: list[int], e: list[int]
) -> None:
    s = monitor.drift_scores(a, e)
    for k in (1, 5, 11, 20):
        if max(sum(a), sum(e)) << k > 2**53:
            continue
        t = monitor.drift_scores([x << k for x in a], [y << k for y in e])
        assert (t.tv_raw, t.js_raw, t.js_distance_raw) == (s.tv_raw, s.js_raw, s.js_distance_raw)
        assert (t.js_mant, t.js_exp2, t.js_distance_mant, t.js_distance_exp2) == (
            s.js_mant,
            s.js_exp2,
            s.js_distance_mant,
            s.js_distance_exp2,
        )
