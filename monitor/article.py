"""The seed article's helpers, the ones that are whole functions of their own.

The article is "The Observability Blind Spot: What ML Metrics Don't Tell You" (AI
Architecture, 23 January 2026), in the project's ``shared/seed`` folder: production ML systems
need four operational signals - latency distribution, throughput and saturation, errors by
category, input drift - plus structured logs, rather than accuracy and loss. Its code snippets
are a contract: their public names exist and do what the article describes, better.

This module holds:

- ``PredictionMetrics`` and ``predict_with_metrics(model, input_data)`` (latency at the
  boundary, "Latency Distribution"): :class:`PredictionMetrics`, :func:`predict_with_metrics`,
  recorded through a :class:`monitor.ServiceMonitor` when one is given;
- ``calculate_psi(reference, current, bins=10)`` ("Input Drift"): :func:`calculate_psi`,
  computed by the deterministic core.

The other snippets live with the concept they implement: ``ErrorCategory`` and
``categorise_error`` in :mod:`monitor.categories`, ``StructuredLogger`` in :mod:`monitor.logs`.
The signals themselves are :class:`monitor.ServiceMonitor` (service), :class:`monitor.DriftMonitor`
(drift_monitor) and :class:`monitor.LatencyHistogram` (latency).

``calculate_psi``: same arguments and, for NaN-free input, the same value (within 1e-9; in
practice to the last few ulps) as the article's numpy snippet::

    breakpoints = np.percentile(reference, np.linspace(0, 100, bins + 1))
    breakpoints[0], breakpoints[-1] = -np.inf, np.inf
    ref_counts = np.histogram(reference, bins=breakpoints)[0]
    cur_counts = np.histogram(current, bins=breakpoints)[0]
    ref_pct = (ref_counts + 1) / (len(reference) + bins)
    cur_pct = (cur_counts + 1) / (len(current) + bins)
    psi = np.sum((cur_pct - ref_pct) * np.log(cur_pct / ref_pct))

How: the quantile breakpoints come from an exact C selection of the needed order statistics
followed by numpy's own interpolation formula (bit-identical breakpoints); both samples are
binned in C; the PSI itself is :func:`monitor.psi` with the article's +1 smoothing over
``bins`` bins. Repeated breakpoints (tied data) give empty bins, exactly as numpy.histogram
does. Differences from the snippet, on purpose: NaN in either input raises
:class:`InvalidArgumentError` (numpy would give NaN breakpoints and raise, or silently drop NaN
from the current counts while keeping them in ``len(current)``); empty inputs raise
:class:`EmptyWindowError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from . import drift
from .binning import Binner, as_float64
from .categories import Categoriser, ErrorCategory
from .errors import EmptyWindowError, InvalidArgumentError
from .logs import StructuredLogger
from .quantiles import Selector, percentile_of

__all__ = ["PredictionMetrics", "predict_with_metrics", "calculate_psi"]


class RequestObserver(Protocol):
    """What :func:`predict_with_metrics` needs of its ``monitor`` (a
    :class:`monitor.ServiceMonitor`): its model version and ``observe()``."""

    model_version: str

    def observe(self, request_id: str | None = None, input: Any = None) -> Any: ...


# --------------------------------------------------------------------------------------------
# PredictionMetrics and predict_with_metrics
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PredictionMetrics:
    """The article's ``PredictionMetrics`` (same fields, same order) plus the error category
    and request id."""

    latency_ms: float
    model_version: str
    input_size: int
    cache_hit: bool = False
    error: str | None = None
    error_category: ErrorCategory | None = None
    request_id: str | None = None


_module_logger = logging.getLogger("monitor.service")


def predict_with_metrics(
    model: Any,
    input_data: Any,
    *,
    monitor: RequestObserver | None = None,
    request_id: str | None = None,
    logger: StructuredLogger | logging.Logger | None = None,
    clock: Callable[[], float] = time.monotonic,
    categoriser: Categoriser | None = None,
) -> tuple[Any, PredictionMetrics]:
    """The article's function: ``result, metrics = predict_with_metrics(model, input_data)``
    calls ``model.predict(input_data)``, measures latency at the boundary and returns the
    result with a :class:`PredictionMetrics` (``model_version`` from ``model.version``).

    With ``monitor`` the call is recorded as one observed request (latency, counters, errors,
    logs). Otherwise a ``prediction_complete`` line goes to ``logger`` (a StructuredLogger, or
    a stdlib logger given ``extra`` fields - the article's call; default
    ``logging.getLogger("monitor.service")``). An exception from the model is categorised,
    its metrics attached as ``exc.prediction_metrics`` where possible, and re-raised.
    InvalidArgumentError, before anything runs, when ``model.predict`` is not callable.
    """
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise InvalidArgumentError(
            f"model must have a callable predict(input_data) method, got {type(model).__name__}"
        )
    version = str(getattr(model, "version", monitor.model_version if monitor else "unknown"))
    if monitor is not None:
        obs = monitor.observe(request_id=request_id, input=input_data)
        try:
            with obs:
                with obs.stage("model"):
                    result = predict(input_data)
                obs.record(prediction=result)
        except Exception as exc:
            _attach(exc, obs.metrics)
            raise
        assert obs.metrics is not None
        return result, obs.metrics

    cat = categoriser or Categoriser()
    start = clock()
    error: str | None = None
    category: ErrorCategory | None = None
    result = None
    try:
        result = predict(input_data)
    except Exception as exc:
        error = type(exc).__name__
        category = cat.categorise(exc, {"stage": "model", "in_model": True})
        latency_ms = (clock() - start) * 1000.0
        metrics = _metrics(latency_ms, version, input_data, error, category, request_id)
        _attach(exc, metrics)
        _emit(logger, metrics)
        raise
    latency_ms = (clock() - start) * 1000.0
    metrics = _metrics(latency_ms, version, input_data, error, category, request_id)
    _emit(logger, metrics)
    return result, metrics


def _metrics(
    latency_ms: float,
    version: str,
    input_data: Any,
    error: str | None,
    category: ErrorCategory | None,
    request_id: str | None,
) -> PredictionMetrics:
    try:
        size = len(input_data)
    except Exception:
        size = 1
    return PredictionMetrics(
        latency_ms=latency_ms,
        model_version=version,
        input_size=size,
        cache_hit=False,
        error=error,
        error_category=category,
        request_id=request_id,
    )


def _attach(exc: BaseException, metrics: PredictionMetrics | None) -> None:
    try:
        setattr(exc, "prediction_metrics", metrics)  # noqa: B010 (not a declared attribute of exceptions)
    except Exception:
        pass


def _emit(logger: StructuredLogger | logging.Logger | None, m: PredictionMetrics) -> None:
    try:
        fields = {
            "request_id": m.request_id,
            "latency_ms": round(m.latency_ms, 3),
            "model_version": m.model_version,
            "status": "error" if m.error else "success",
            "error_type": m.error,
            "error_category": None if m.error_category is None else m.error_category.value,
        }
        if isinstance(logger, StructuredLogger):
            logger.log("prediction_complete", level="error" if m.error else "info", **fields)
        else:
            lg = logger if logger is not None else _module_logger
            lg.log(
                logging.ERROR if m.error else logging.INFO,
                "prediction_complete",
                extra={k: v for k, v in fields.items() if v is not None},
            )
    except Exception:
        pass


# --------------------------------------------------------------------------------------------
# calculate_psi
# --------------------------------------------------------------------------------------------


def _flat(a: Any, name: str) -> npt.NDArray[np.float64]:
    arr = np.asarray(a)
    if arr.ndim != 1:
        arr = arr.reshape(-1)  # the snippet's numpy calls flatten N-D input too
    x = as_float64(arr, name)
    if x.size == 0:
        raise EmptyWindowError(f"{name} is empty")
    return x


def calculate_psi(reference: Any, current: Any, bins: int = 10) -> float:
    """Population Stability Index of ``current`` against ``reference`` with ``bins`` quantile
    bins fitted on ``reference`` (the article's function; see the module documentation).

    PSI < 0.1: no significant shift; 0.1-0.25: moderate shift, investigate; > 0.25:
    significant shift.
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise InvalidArgumentError(f"bins must be a positive integer, got {bins!r}")
    bins = int(bins)
    ref = _flat(reference, "reference")
    cur = _flat(current, "current")
    sel = Selector(ref)
    if sel.nan:
        raise InvalidArgumentError(f"reference contains {sel.nan} NaN values; PSI needs NaN-free samples")
    with np.errstate(invalid="ignore"):
        bp = percentile_of(sel, np.linspace(0, 100, bins + 1), ref.size)
    bp[0] = -np.inf
    bp[-1] = np.inf
    ref_counts = np.zeros(bins, dtype=np.uint64)
    cur_counts = np.zeros(bins, dtype=np.uint64)
    nan_at = np.nonzero(np.isnan(bp))[0]
    used = bins
    if nan_at.size:
        # inf - inf in the interpolation: with >= 1/bins of the reference at +inf the top
        # breakpoints are NaN. numpy.histogram treats a NaN edge as above every value (NaN
        # sorts last), so the bin before the first NaN edge runs to +inf inclusive and the
        # bins from there on stay empty. NaN anywhere else (-inf data) has no meaningful
        # numpy result: refuse it.
        used = int(nan_at[0])
        if nan_at.size != bins - used:
            raise InvalidArgumentError(
                "reference quantiles are undefined (too many -inf values in reference)"
            )
        bp = np.concatenate((bp[:used], [np.inf]))
    if (bp[1:] < bp[:-1]).any():
        raise InvalidArgumentError("reference quantiles are not monotonic")
    # Repeated breakpoints: numpy.histogram gives every bin [v, v) but the last one of a run
    # zero counts; binning on the distinct edges and scattering the counts back to the bin that
    # starts at the last occurrence of each edge reproduces that exactly.
    last = np.nonzero(np.r_[bp[1:] != bp[:-1], True])[0]
    binner = Binner(bp[last])
    rc = binner.count(ref)
    cc = binner.count(cur)
    if cc.nan:
        raise InvalidArgumentError(f"current contains {cc.nan} NaN values; PSI needs NaN-free samples")
    ref_counts[last[:-1]] = rc.counts
    cur_counts[last[:-1]] = cc.counts
    if used > 1 and bp[-2] == bp[-1]:
        # A run ending at the last edge (+inf): numpy's closed last bin [inf, inf] holds the
        # +inf values and the bin before it excludes them.
        for counts, x in ((ref_counts, ref), (cur_counts, cur)):
            ninf = np.uint64(np.count_nonzero(x == np.inf))
            counts[last[-2]] -= ninf
            counts[used - 1] += ninf
    return float(drift.psi(cur_counts, ref_counts, smoothing="laplace"))
