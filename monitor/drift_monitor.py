"""Streaming input-drift monitor: rows in, per-feature drift scores against a reference out.

``DriftMonitor(reference, window=W, slots=K)`` keeps a ring of K sub-window count arrays
(``W / K`` rows each), allocated once: memory never grows with the stream. Row ``t`` of the
stream (0-based, counting every row passed to :meth:`DriftMonitor.update`) belongs to
sub-window ``t // (W / K)``; when the first row of a new sub-window arrives, the oldest
sub-window's counts are cleared and reused. The window therefore holds the current
sub-window plus the K - 1 before it: exactly W rows once a sub-window completes, between
``W - W/K + 1`` and W rows in between. ``slots=1`` is a tumbling count window of W rows
(evaluate after every W rows to get disjoint windows); ``slots=K > 1`` a sliding window
advancing by W/K rows. Batches are split across sub-window boundaries exactly.

Binning runs in C over the whole batch (one call per sub-window segment, no per-row Python).
:meth:`DriftMonitor.evaluate` sums the ring and scores every feature with
:func:`monitor.drift_scores` (TV, JS divergence and distance in bits, PSI with the article's
+1 smoothing; see :mod:`monitor.article`) and the article's PSI band: below ``bands[0]``
"none", up to ``bands[1]`` "moderate", above "significant". NaN, below/above-range and (categorical) unseen values are
reported per feature and do not enter the scores. Evaluating a window with no rows raises
:class:`EmptyWindowError`; a feature whose window values are all NaN / out of range gets
band "empty" and ``None`` scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import drift
from .binning import Binner, MatrixCounter
from .errors import ConfigMismatchError, EmptyWindowError, InvalidArgumentError
from .reference import Reference

__all__ = ["DriftMonitor", "DriftReport", "FeatureDrift", "BANDS", "band_of", "score_window"]

#: The article's PSI thresholds: < 0.1 no significant shift, 0.1-0.25 moderate, > 0.25 significant.
BANDS = (0.1, 0.25)
_BAND_ORDER = {"none": 0, "empty": 1, "moderate": 2, "significant": 3}


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    """Drift of one feature over the evaluated window."""

    name: str
    band: str  # "none" | "moderate" | "significant" | "empty"
    psi: float | None
    js_distance: float | None
    js: float | None
    tv: float | None
    count: int  # window values that fell in a compared bin
    nan: int
    below: int
    above: int
    unseen: int  # categorical: codes not in the reference (0 for numeric features)
    scores: drift.DriftScores | None  # None when the feature's window is empty


@dataclass(frozen=True, slots=True)
class DriftReport:
    """Result of :meth:`DriftMonitor.evaluate`: rows ``[start, end)`` of the stream."""

    features: tuple[FeatureDrift, ...]
    rows: int
    start: int
    end: int
    complete: bool  # the window holds exactly `window` rows

    @property
    def band(self) -> str:
        """The worst band over the features."""
        return max((f.band for f in self.features), key=_BAND_ORDER.__getitem__)

    def feature(self, name: str) -> FeatureDrift:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)

    def table(self) -> str:
        """A compact fixed-width text table (one line per feature)."""
        lines = [
            f"{'feature':<14} {'PSI':>8} {'JS dist':>8} {'TV':>7} {'band':<11} {'n':>7} {'nan':>5} {'out':>5}"
        ]
        for f in self.features:

            def fmt(v: float | None, w: int, p: int) -> str:
                return f"{'-':>{w}}" if v is None else f"{v:>{w}.{p}f}"

            lines.append(
                f"{f.name:<14} {fmt(f.psi, 8, 4)} {fmt(f.js_distance, 8, 4)} {fmt(f.tv, 7, 4)} "
                f"{f.band:<11} {f.count:>7} {f.nan:>5} {f.below + f.above + f.unseen:>5}"
            )
        return "\n".join(lines)


class DriftMonitor:
    """Fixed-memory streaming drift monitor (see the module doc)."""

    def __init__(
        self,
        reference: Reference,
        window: int = 10_000,
        slots: int = 1,
        bands: tuple[float, float] = BANDS,
        smoothing: str = "laplace",
        epsilon: float | None = None,
    ) -> None:
        if not isinstance(reference, Reference):
            raise InvalidArgumentError(
                f"reference must be a monitor.Reference, got {type(reference).__name__}"
            )
        for nm, v in (("window", window), ("slots", slots)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise InvalidArgumentError(f"{nm} must be a positive integer, got {v!r}")
        if window % slots:
            raise InvalidArgumentError(f"window ({window}) must be a multiple of slots ({slots})")
        lo, hi = (float(b) for b in bands)
        if not (0 <= lo <= hi) or not np.isfinite(hi):
            raise InvalidArgumentError(f"bands must be two finite thresholds 0 <= low <= high, got {bands!r}")
        self.reference = reference
        self.window = int(window)
        self.slots = int(slots)
        self.sub = self.window // self.slots
        self.bands = (lo, hi)
        self._smoothing = smoothing
        self._epsilon = epsilon
        self._binners = [Binner(f.edges) for f in reference.features]
        self._nfeat = len(self._binners)
        nb = [b.nbins for b in self._binners]
        self._offsets = np.concatenate(([0], np.cumsum(nb))).astype(np.intp)
        self._total_bins = int(self._offsets[-1])
        # The ring: allocated once, never grown.
        self._counts = np.zeros((self.slots, self._total_bins), dtype=np.uint64)
        self._extra = np.zeros((self.slots, self._nfeat, 3), dtype=np.uint64)  # nan, below, above
        self._slot_id = [-1] * self.slots  # sub-window index held by each slot (-1: none)
        self._counter = MatrixCounter(self._binners, self._counts, self._extra)
        self._rows = 0

    # ------------------------------------------------------------------ streaming
    @property
    def rows_seen(self) -> int:
        """Rows passed to :meth:`update` since construction (or :meth:`reset`)."""
        return self._rows

    @property
    def memory_bytes(self) -> int:
        """Bytes of the fixed count ring (independent of the stream length)."""
        return int(self._counts.nbytes + self._extra.nbytes)

    def reset(self) -> None:
        """Forget every row (the ring is zeroed, not reallocated)."""
        self._counts.fill(0)
        self._extra.fill(0)
        self._slot_id = [-1] * self.slots
        self._rows = 0

    def _as_batch(self, batch: Any) -> npt.NDArray[np.float64]:
        arr = np.asarray(batch)
        if arr.ndim == 1:
            if self._nfeat != 1:
                raise ConfigMismatchError(
                    f"a 1-D batch is for a single-feature reference; this reference has "
                    f"{self._nfeat} features: pass an (n, {self._nfeat}) array "
                    f"(batch.reshape(1, -1) for one row)"
                )
            arr = arr.reshape(-1, 1)
        elif arr.ndim != 2:
            raise InvalidArgumentError(f"batch must be 1-D or 2-D (n, F), got shape {arr.shape}")
        if arr.shape[1] != self._nfeat:
            raise ConfigMismatchError(
                f"batch has {arr.shape[1]} columns, the reference has {self._nfeat} features "
                f"{list(self.reference.names)}"
            )
        if arr.dtype.kind not in "iuf":
            raise InvalidArgumentError(
                f"batch must hold real numbers (integer or float dtype), got {arr.dtype}"
            )
        return np.ascontiguousarray(arr, dtype=np.float64)

    def update(self, batch: Any) -> None:
        """Add rows: an ``(n, F)`` array (F = the reference's features, in its order) or, for a
        single-feature reference, a 1-D array. float64 C-contiguous input is read in place;
        other real dtypes are converted to float64 once."""
        x = self._as_batch(batch)
        n = x.shape[0]
        if n == 0:
            return
        done = 0
        counter = self._counter
        while done < n:
            pos = self._rows + done
            sw = pos // self.sub
            k = sw % self.slots
            if self._slot_id[k] != sw:  # first row of a new sub-window: recycle the slot
                self._counts[k].fill(0)
                self._extra[k].fill(0)
                self._slot_id[k] = sw
            m = min(n - done, (sw + 1) * self.sub - pos)
            counter.count(x, done, m, k)
            done += m
        self._rows += n

    # ------------------------------------------------------------------ evaluation
    def _window_bounds(self) -> tuple[int, int]:
        if self._rows == 0:
            return 0, 0
        last_sw = (self._rows - 1) // self.sub
        first_sw = max(0, last_sw - self.slots + 1)
        return first_sw * self.sub, self._rows

    def window_counts(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        """(concatenated bin counts, per-feature [nan, below, above]) of the current window."""
        return self._counts.sum(axis=0, dtype=np.uint64), self._extra.sum(axis=0, dtype=np.uint64)

    def band_of(self, psi: float) -> str:
        return band_of(psi, self.bands)

    @property
    def window_bounds(self) -> tuple[int, int]:
        """``[start, end)``: the stream rows the current window holds (``(0, 0)`` before any)."""
        return self._window_bounds()

    def evaluate(self) -> DriftReport:
        """Scores of the current window against the reference (see the module doc).
        Raises :class:`EmptyWindowError` when no row has been added yet."""
        start, end = self._window_bounds()
        if end == start:
            raise EmptyWindowError("the drift window holds no rows yet: call update() first")
        counts, extra = self.window_counts()
        items = []
        for f, prof in enumerate(self.reference.features):
            seg = counts[self._offsets[f] : self._offsets[f + 1]]
            sel = prof.category_bins
            cur = np.ascontiguousarray(seg[sel])
            unseen = int(seg.sum(dtype=np.uint64) - cur.sum(dtype=np.uint64))
            nan, below, above = (int(v) for v in extra[f])
            if prof.kind == "categorical":
                unseen += below + above
                below = above = 0
            items.append((prof.name, cur, nan, below, above, unseen))
        return score_window(
            self.reference,
            items,
            rows=end - start,
            start=start,
            end=end,
            complete=end - start == self.window,
            bands=self.bands,
            smoothing=self._smoothing,
            epsilon=self._epsilon,
        )


def band_of(psi: float, bands: tuple[float, float]) -> str:
    """The article's band of a PSI value: below ``bands[0]`` "none", up to ``bands[1]``
    "moderate", above "significant"."""
    lo, hi = bands
    if psi < lo:
        return "none"
    return "moderate" if psi <= hi else "significant"


def score_window(
    reference: Reference,
    items: Sequence[tuple[str, npt.NDArray[np.uint64], int, int, int, int]],
    *,
    rows: int,
    start: int,
    end: int,
    complete: bool,
    bands: tuple[float, float] = BANDS,
    smoothing: str = "laplace",
    epsilon: float | None = None,
) -> DriftReport:
    """Score window counts against ``reference``: ``items`` holds, per feature (by name, any
    subset of the reference's), the counts of its compared bins (``category_bins``) and its NaN,
    below, above and unseen counts. The one scoring path of :meth:`DriftMonitor.evaluate` and
    :meth:`DriftProfile.report <monitor.DriftProfile.report>`."""
    out = []
    for name, cur, nan, below, above, unseen in items:
        prof = reference[name]
        ref_counts = prof.counts[prof.category_bins]
        total = int(cur.sum(dtype=np.uint64))
        if total == 0:
            out.append(
                FeatureDrift(name, "empty", None, None, None, None, 0, nan, below, above, unseen, None)
            )
            continue
        sc = drift.drift_scores(cur, ref_counts, smoothing=smoothing, epsilon=epsilon)
        out.append(
            FeatureDrift(
                name,
                band_of(sc.psi, bands),
                sc.psi,
                sc.js_distance,
                sc.js,
                sc.tv,
                total,
                nan,
                below,
                above,
                unseen,
                sc,
            )
        )
    return DriftReport(tuple(out), rows, start, end, complete)
