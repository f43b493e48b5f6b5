"""The article's ``calculate_psi``, computed by the deterministic core.

Same arguments and, for NaN-free input, the same value (within 1e-9; in practice to the last
few ulps) as the article's numpy snippet::

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
:class:`InvalidInputError` (numpy would give NaN breakpoints and raise, or silently drop NaN
from the current counts while keeping them in ``len(current)``); empty inputs raise
:class:`EmptyWindowError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import drift
from .binning import Binner, as_float64
from .errors import EmptyWindowError, InvalidInputError
from .quantiles import Selector, percentile_of

__all__ = ["calculate_psi"]


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
    bins fitted on ``reference`` (the article's function; see the module doc).

    PSI < 0.1: no significant shift; 0.1-0.25: moderate shift, investigate; > 0.25:
    significant shift.
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise InvalidInputError(f"bins must be a positive integer, got {bins!r}")
    bins = int(bins)
    ref = _flat(reference, "reference")
    cur = _flat(current, "current")
    sel = Selector(ref)
    if sel.nan:
        raise InvalidInputError(f"reference contains {sel.nan} NaN values; PSI needs NaN-free samples")
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
            raise InvalidInputError("reference quantiles are undefined (too many -inf values in reference)")
        bp = np.concatenate((bp[:used], [np.inf]))
    if (bp[1:] < bp[:-1]).any():
        raise InvalidInputError("reference quantiles are not monotonic")
    # Repeated breakpoints: numpy.histogram gives every bin [v, v) but the last one of a run
    # zero counts; binning on the distinct edges and scattering the counts back to the bin that
    # starts at the last occurrence of each edge reproduces that exactly.
    last = np.nonzero(np.r_[bp[1:] != bp[:-1], True])[0]
    binner = Binner(bp[last])
    rc = binner.count(ref)
    cc = binner.count(cur)
    if cc.nan:
        raise InvalidInputError(f"current contains {cc.nan} NaN values; PSI needs NaN-free samples")
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
