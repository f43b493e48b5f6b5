"""monitor.calculate_psi against the article's numpy code (copied verbatim as the oracle)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import monitor
from monitor import EmptyWindowError, InvalidArgumentError

from oracles import article_calculate_psi  # the article's snippet, verbatim


def _agree(ref: np.ndarray, cur: np.ndarray, bins: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = float(article_calculate_psi(ref, cur, bins))
    got = monitor.calculate_psi(ref, cur, bins)
    assert isinstance(got, float)
    assert abs(got - want) <= 1e-9, (got, want)


def _sample(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    if kind == 0:
        return rng.standard_normal(n)
    if kind == 1:  # heavy ties: repeated quantiles, empty bins
        return rng.integers(0, 4, n).astype(np.float64)
    if kind == 2:  # a share of +inf: inf - inf in numpy's interpolation
        x = rng.standard_normal(n)
        x[: int(n * rng.random())] = np.inf
        return x
    return rng.exponential(size=n) * 10.0 ** int(rng.integers(-30, 30))


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
@pytest.mark.req("MON-REQ-DRIFT-007")
def test_matches_article_on_random_inputs(kind: int) -> None:
    rng = np.random.default_rng(100 + kind)
    for _ in range(60):
        ref = _sample(rng, kind, int(rng.integers(1, 1500)))
        cur = _sample(rng, kind, int(rng.integers(1, 1500)))
        if kind == 0:
            cur = cur * rng.uniform(0.5, 2) + rng.uniform(-1, 1)
        _agree(ref, cur, int(rng.integers(1, 40)))


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200),
    st.integers(1, 25),
)
@pytest.mark.req("MON-REQ-DRIFT-007")
def test_matches_article_hypothesis(ref: list[float], cur: list[float], bins: int) -> None:
    _agree(np.array(ref), np.array(cur), bins)


def test_large_sample_and_default_bins() -> None:
    rng = np.random.default_rng(7)
    ref = rng.standard_normal(200_000)
    cur = rng.standard_normal(150_000) * 1.1 + 0.2
    _agree(ref, cur, 10)
    assert monitor.calculate_psi(ref, cur) == monitor.calculate_psi(ref, cur, 10)


@pytest.mark.parametrize("bins", [255, 256, 300, 1000])
def test_many_bins(bins: int) -> None:
    rng = np.random.default_rng(bins)
    ref = rng.standard_normal(20_000)
    cur = rng.standard_normal(9_000) + 0.1
    _agree(ref, cur, bins)


def test_integer_and_float32_inputs_are_converted() -> None:
    rng = np.random.default_rng(8)
    ref = rng.integers(-50, 50, 3000)
    cur = rng.integers(-40, 60, 2000)
    _agree(ref, cur, 10)
    f32 = rng.standard_normal(1000).astype(np.float32)
    _agree(f32.astype(np.float64), f32[::-1].astype(np.float64) + 0.5, 7)
    assert monitor.calculate_psi(f32, f32[::-1] + np.float32(0.5), 7) == monitor.calculate_psi(
        f32.astype(np.float64), (f32[::-1] + np.float32(0.5)).astype(np.float64), 7
    )


def test_identical_samples_give_zero() -> None:
    x = np.random.default_rng(9).standard_normal(5000)
    assert abs(monitor.calculate_psi(x, x)) <= 1e-12


@pytest.mark.req("MON-REQ-PY-002")
def test_nan_is_rejected() -> None:
    x = np.arange(100.0)
    y = x.copy()
    y[3] = np.nan
    with pytest.raises(InvalidArgumentError, match="reference contains 1 NaN"):
        monitor.calculate_psi(y, x)
    with pytest.raises(InvalidArgumentError, match="current contains 1 NaN"):
        monitor.calculate_psi(x, y)


def test_bad_arguments() -> None:
    x = np.arange(10.0)
    with pytest.raises(EmptyWindowError):
        monitor.calculate_psi(np.array([]), x)
    with pytest.raises(EmptyWindowError):
        monitor.calculate_psi(x, [])
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(InvalidArgumentError, match="bins"):
            monitor.calculate_psi(x, x, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="dtype"):
        monitor.calculate_psi(np.array(["a", "b"]), x)
