"""The drift metrics' raw entry points, for certification (the golden vectors of ``monitor
verify``): the C functions of ``csrc/mon_drift.c`` on plain integers, with no Python-side checks,
so the C core's own status is what a bad input gives (a MonitorError whose ``.status`` is that
status), and the raw integers they return. ``psi_options`` is the raw ``mon_psi_options``:
(smoothing code, eps_mant, eps_exp2); None for the default. The checked API on counts is
:mod:`monitor.drift`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._ffi import ffi, lib, raise_status
from .drift import DriftScores
from .errors import InvalidArgumentError

__all__ = ["raw_drift_scores", "raw_js", "raw_log2", "raw_psi", "raw_tv"]


def _raw_counts(p: Sequence[int], q: Sequence[int], nbins: int) -> tuple[Any, Any]:
    # The C functions read nbins counts of each: never more than the caller gave.
    if isinstance(nbins, bool) or not isinstance(nbins, int) or not 0 <= nbins <= min(len(p), len(q)):
        raise InvalidArgumentError(
            f"nbins must be an int in [0, {min(len(p), len(q))}] (the shorter count vector), got {nbins!r}"
        )
    return (
        ffi.new("uint64_t[]", [int(x) for x in p] or [0]),
        ffi.new("uint64_t[]", [int(x) for x in q] or [0]),
    )


def _raw_options(psi_options: tuple[int, int, int] | None) -> Any:
    if psi_options is None:
        return ffi.NULL
    opt = ffi.new("mon_psi_options *")
    opt.smoothing, opt.eps_mant, opt.eps_exp2 = (int(v) for v in psi_options)
    return opt


def _u128_of(v: Any) -> int:
    return (int(v.hi) << 64) | int(v.lo)


def raw_drift_scores(
    p: Sequence[int],
    q: Sequence[int],
    nbins: int,
    psi_options: tuple[int, int, int] | None = None,
) -> tuple[DriftScores, int, int]:
    """``mon_drift_scores`` of the first ``nbins`` counts: (scores, total actual, total
    expected)."""
    pp, qp = _raw_counts(p, q, nbins)
    res = ffi.new("mon_drift_result *")
    status = lib.mon_drift_scores(pp, qp, nbins, _raw_options(psi_options), res)
    if status != 0:
        raise_status(status, "raw_drift_scores")
    scores = DriftScores(
        _u128_of(res.tv_raw),
        _u128_of(res.tv_num),
        _u128_of(res.tv_den),
        _u128_of(res.js_raw),
        int(res.js_distance_raw),
        _u128_of(res.psi_raw),
        int(res.js_fp.mant),
        int(res.js_fp.exp2),
        int(res.js_distance_fp.mant),
        int(res.js_distance_fp.exp2),
    )
    return scores, int(res.total_actual), int(res.total_expected)


def raw_tv(p: Sequence[int], q: Sequence[int], nbins: int) -> tuple[int, int, int]:
    """``mon_drift_tv``: (tv_raw, tv_num, tv_den)."""
    pp, qp = _raw_counts(p, q, nbins)
    a, b, c = ffi.new("mon_u128 *"), ffi.new("mon_u128 *"), ffi.new("mon_u128 *")
    status = lib.mon_drift_tv(pp, qp, nbins, a, b, c)
    if status != 0:
        raise_status(status, "raw_tv")
    return _u128_of(a[0]), _u128_of(b[0]), _u128_of(c[0])


def raw_js(p: Sequence[int], q: Sequence[int], nbins: int) -> tuple[int, int]:
    """``mon_drift_js``: (js_raw, js_distance_raw)."""
    pp, qp = _raw_counts(p, q, nbins)
    raw, dist = ffi.new("mon_u128 *"), ffi.new("uint64_t *")
    status = lib.mon_drift_js(pp, qp, nbins, raw, dist)
    if status != 0:
        raise_status(status, "raw_js")
    return _u128_of(raw[0]), int(dist[0])


def raw_psi(
    p: Sequence[int], q: Sequence[int], nbins: int, psi_options: tuple[int, int, int] | None = None
) -> int:
    """``mon_drift_psi``: psi_raw."""
    pp, qp = _raw_counts(p, q, nbins)
    out = ffi.new("mon_u128 *")
    status = lib.mon_drift_psi(pp, qp, nbins, _raw_options(psi_options), out)
    if status != 0:
        raise_status(status, "raw_psi")
    return _u128_of(out[0])


def raw_log2(x: int) -> int:
    """``mon_drift_log2_u64``: the core's fixed-point log2 of ``x`` in 2**-64 units."""
    return _u128_of(lib.mon_drift_log2_u64(x))
