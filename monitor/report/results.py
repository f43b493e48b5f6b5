"""The documents behind the drift and latency output: plain dicts of JSON types (raw integers
kept as integers), built from the public API only (:class:`~monitor.DriftMonitor`,
:class:`~monitor.Reference`, :func:`monitor.drift.psi_contributions`,
:class:`~monitor.LatencyHistogram`). The command line prints them, writes them as ``--json``
and draws them in the HTML report, so the three always agree."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import drift
from ..drift_monitor import DriftMonitor
from ..latency import LatencyHistogram
from ..reference import FeatureProfile, Reference

__all__ = ["BAND_SEVERITY", "drift_window", "drift_document", "latency_document", "UNITS_NS"]

#: Bands from worst to best: the summary sorts by this.
BAND_SEVERITY = {"significant": 0, "moderate": 1, "empty": 2, "none": 3}
UNITS_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}


def _f(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _bin_labels(prof: FeatureProfile) -> list[str]:
    if prof.kind == "categorical":
        if prof.labels is not None:
            return ["(other)" if lab is None else lab for lab in prof.labels]
        cats = prof.categories
        assert cats is not None
        return [str(int(c)) for c in cats]
    e = prof.edges

    def g(x: float) -> str:
        return "-inf" if x == -np.inf else "+inf" if x == np.inf else f"{x:.4g}"

    return [f"[{g(e[i])}, {g(e[i + 1])}{']' if i == len(e) - 2 else ')'}" for i in range(len(e) - 1)]


def drift_window(
    reference: Reference,
    dm: DriftMonitor,
    counts: npt.NDArray[np.uint64] | None = None,
    extra: npt.NDArray[np.uint64] | None = None,
    *,
    start: int = 0,
    end: int = 0,
) -> dict[str, Any]:
    """The monitor's current window scored against ``reference`` (``dm.evaluate()``), with the
    per-bin counts of both sides and the per-bin PSI contributions. With ``counts`` and
    ``extra`` (laid out as ``dm.window_counts()`` gives them, e.g. by
    :meth:`monitor.profile.Profiler.window_counts`): those counts, of the stream rows ``start ..
    end - 1``, scored by ``dm`` (:meth:`DriftMonitor.score_counts`, the same scoring)."""
    if counts is None or extra is None:
        rep = dm.evaluate()
        counts, extra = dm.window_counts()
    else:
        rep = dm.score_counts(counts, extra, start=start, end=end, complete=end - start == dm.window)
    feats = []
    for prof, fd in zip(reference.features, rep.features, strict=True):
        # every bin the scores compare, the out-of-range rule's extra bins included, so the
        # per-bin contributions add up to the feature's PSI
        cur, ref, before, after = dm.scored_vectors(prof.name, counts, extra)
        cur, ref = np.ascontiguousarray(cur), np.ascontiguousarray(ref)
        if prof.kind == "categorical" and prof.labels is None and prof.other:
            after = ["other / unseen" if a == "unseen" else a for a in after]  # integer codes' tail
        labels = [f"({b})" for b in before] + _bin_labels(prof) + [f"({a})" for a in after]
        contrib = drift.psi_contributions(cur, ref) if int(cur.sum()) > 0 and int(ref.sum()) > 0 else None
        raw = None
        if fd.scores is not None:
            s = fd.scores
            raw = {
                "psi_raw": s.psi_raw,
                "js_raw": s.js_raw,
                "js_distance_raw": s.js_distance_raw,
                "tv_num": s.tv_num,
                "tv_den": s.tv_den,
            }
        feats.append(
            {
                "name": prof.name,
                "kind": prof.kind,
                "band": fd.band,
                # the band is the worse of the PSI's and the data quality's (the rise of the
                # NaN / out-of-range / unseen shares over the reference's; DriftMonitor's rule)
                "psi_band": fd.psi_band,
                "quality_band": fd.quality_band,
                "rates": {
                    "nan": _f(fd.nan_rate),
                    "out_of_range": _f(fd.out_of_range_rate),
                    "unseen": _f(fd.unseen_rate),
                    "reference_nan": _f(fd.ref_nan_rate),
                    "reference_out_of_range": _f(fd.ref_out_of_range_rate),
                    "reference_unseen": _f(fd.ref_unseen_rate),
                },
                "psi": _f(fd.psi),
                "js_distance": _f(fd.js_distance),
                "js": _f(fd.js),
                "tv": _f(fd.tv),
                "raw": raw,
                "count": fd.count,
                "nan": fd.nan,
                "below": fd.below,
                "above": fd.above,
                "unseen": fd.unseen,
                "reference": {
                    "rows": reference.rows,
                    "nan": prof.nan,
                    "below": prof.below,
                    "above": prof.above,
                    # categorical: reference values in no kept category ("other"; for integer
                    # codes counted with the unseen ones, see monitor.reference)
                    "other": prof.other,
                },
                "bins": {
                    "labels": labels,
                    "reference": [int(c) for c in ref],
                    "current": [int(c) for c in cur],
                    "psi_contributions": None if contrib is None else [float(c) for c in contrib],
                },
            }
        )
    return {
        "start": rep.start,
        "end": rep.end,
        "rows": rep.rows,
        "band": rep.band,
        "features": feats,
    }


def drift_document(
    reference: Reference,
    windows: list[dict[str, Any]],
    *,
    reference_source: str,
    current_source: str,
    fail_on: str,
    drift_found: bool,
) -> dict[str, Any]:
    """The ``monitor drift`` JSON: the reference's digest and rows, every window, the verdict."""
    return {
        "format": "monitor.drift-report",
        "version": 1,
        "reference": {"source": reference_source, "digest": reference.digest, "rows": reference.rows},
        "current": {"source": current_source, "rows": sum(w["rows"] for w in windows)},
        "psi_bands": {"moderate": 0.1, "significant": 0.25},
        "fail_on": fail_on,
        "drift": drift_found,
        "windows": windows,
    }


def latency_document(hist: LatencyHistogram, unit: str, source: str) -> dict[str, Any]:
    """Count, min, P50/P90/P99/P99.9, max (raw ns and in ``unit``), the histogram's bound and its
    non-empty buckets, for the ``monitor latency`` output and the report."""
    scale = UNITS_NS[unit]
    count = hist.count
    q = hist.percentiles((50, 90, 99, 99.9)) if count else {}
    ns = {
        "min": hist.min,
        "p50": q.get(50),
        "p90": q.get(90),
        "p99": q.get(99),
        "p999": q.get(99.9),
        "max": hist.max,
    }
    return {
        "format": "monitor.latency-report",
        "version": 1,
        "source": source,
        "unit": unit,
        "count": count,
        "invalid": hist.invalid,
        "underflow": hist.underflow,
        "overflow": hist.overflow,
        "relative_error": hist.relative_error,
        "ns": ns,
        "values": {k: (None if v is None else v / scale) for k, v in ns.items()},
        "buckets": [[b.lower_ns, b.upper_ns, b.count] for b in hist.buckets()],
    }
