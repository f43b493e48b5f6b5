"""Streaming input-drift monitor: rows in, per-feature drift scores against a reference out.

``DriftMonitor(reference, window=W, slots=K)`` keeps a ring of K sub-window count arrays
(``W / K`` rows each), allocated once: memory never grows with the stream. Row ``t`` of the
stream (0-based, counting every row passed to :meth:`DriftMonitor.update`) belongs to
sub-window ``t // (W / K)``; when the first row of a new sub-window arrives, the oldest
sub-window's counts are cleared and reused. The window therefore holds the current
sub-window plus the K - 1 before it: exactly W rows once a sub-window completes, between
``W - W/K + 1`` and W rows in between. ``slots=1`` is a tumbling count window of W rows
(evaluate after every W rows to get disjoint windows); ``slots=K > 1`` a sliding window
advancing by W/K rows. Batches are split across sub-window boundaries exactly. ``slots`` is at
most :data:`MAX_SLOTS` and the ring at most :data:`MAX_RING_BYTES`.

Input is matched by name wherever it carries names (a mapping of feature name to values, a
pandas DataFrame, a record array, a pyarrow Table; see :mod:`monitor.tabular`): a missing, extra
or renamed column is a :class:`ConfigMismatchError`. Only unnamed input (an ``(n, F)`` array or
a list of rows) is read by position, in the reference's feature order. Values are binned exactly
whatever their real dtype (:mod:`monitor.binning`).

Thread safety: :meth:`~DriftMonitor.update`, :meth:`~DriftMonitor.evaluate` and
:meth:`~DriftMonitor.reset` may be called from many threads. A batch first reserves its rows'
stream positions (a short lock), is binned outside the lock into a per-thread scratch count
array (the C binner runs without the GIL, so threads bin in parallel), and is then added to the
ring under the lock; a small batch (< 4,096 values) is binned straight into the ring under the
lock. No count is lost: after the updates return, every feature's window counts (bins, NaN,
out of range, unseen) add up to the window's rows. While updates are still running, an
evaluation may not yet include rows that another thread has reserved but not finished binning.

Scores. :meth:`DriftMonitor.evaluate` sums the ring and scores every feature with
:func:`monitor.drift_scores` (TV, JS divergence and distance in bits, PSI with the article's
+1 smoothing or the ``floor`` option; see :mod:`monitor.article`). Out-of-range rule
(``out_of_range="score"``, the default): the mass outside the reference's range is part of the
scores. A numeric feature whose outer edge is finite gets an extra bin on that side (values
below ``e_0``, values above ``e_B``), holding the window's and the reference's own out-of-range
counts; a categorical feature gets one extra "unseen" bin (codes not in the reference). An
outer edge of -inf/+inf (the fitted default) cannot be left, so it gets no extra bin, and such
features score exactly as before. ``out_of_range="ignore"`` keeps these values out of the scores
(counted and reported only): the behaviour before 0.2. NaN never enters the scores.

Verdict (band). The PSI band is the article's: below ``bands[0]`` "none", up to ``bands[1]``
"moderate", above "significant". The data-quality band compares the window's shares of rows
that are NaN, out of range (numeric) and unseen (categorical) with the reference's shares of
the same: the largest increase (in share of rows, e.g. NaN 2% -> 15% is 0.13) below
``quality_bands[0]`` (default 0.01) is "none", up to ``quality_bands[1]`` (default 0.05)
"moderate", above "significant". A feature's band is the worse of the two (``psi_band``,
``quality_band`` and the shares are reported in :class:`FeatureDrift`, and in a
:class:`ServiceMonitor`'s snapshot as ``drift.<feature>.nan_rate``, ``.out_of_range_rate`` and
``.unseen_rate``). A feature whose window values are all NaN gets the PSI band "empty" and
``None`` scores; evaluating a window with no rows raises :class:`EmptyWindowError`. The shares
are window proportions: on small windows, sampling noise of a few percent is normal.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import drift
from .binning import Binner, MatrixCounter, exact_float64
from .drift_input import DriftBatch, check_int, check_pair, prepare_rows
from .errors import (
    EmptyWindowError,
    InvalidArgumentError,
    InvalidTypeError,
)
from .reference import Reference

__all__ = [
    "DriftMonitor",
    "DriftReport",
    "FeatureDrift",
    "DriftBatch",
    "BANDS",
    "QUALITY_BANDS",
    "OUT_OF_RANGE_MODES",
    "MAX_SLOTS",
    "MAX_RING_BYTES",
]

#: The article's PSI thresholds: < 0.1 no significant shift, 0.1-0.25 moderate, > 0.25 significant.
BANDS = (0.1, 0.25)
#: Data-quality thresholds: increase of the NaN / out-of-range / unseen share of rows over the
#: reference's (absolute, in share of rows): < 0.01 none, 0.01-0.05 moderate, > 0.05 significant.
QUALITY_BANDS = (0.01, 0.05)
#: Accepted values of ``out_of_range``: "score" (default: extra bins) or "ignore" (reported only).
OUT_OF_RANGE_MODES = ("score", "ignore")
#: Largest ``slots`` (sub-windows of the ring).
MAX_SLOTS = 1024
#: Largest count ring (slots x bins x 8 bytes), 64 MiB.
MAX_RING_BYTES = 64 << 20
_MAX_WINDOW = 1 << 53  # drift_scores' largest total
_SMALL = 4096  # values: below this a batch is binned straight into the ring under the lock
_BAND_ORDER = {"none": 0, "empty": 1, "moderate": 2, "significant": 3}


@dataclass(frozen=True, slots=True)
class FeatureDrift:
    """Drift of one feature over the evaluated window. ``band`` is the worse of ``psi_band``
    (the scores) and ``quality_band`` (the NaN / out-of-range / unseen shares against the
    reference's); the ``*_rate`` fields are shares of the window's rows, ``ref_*_rate`` of the
    reference's."""

    name: str
    band: str  # "none" | "moderate" | "significant" | "empty"
    psi: float | None
    js_distance: float | None
    js: float | None
    tv: float | None
    count: int  # window values in a scored bin (out-of-range / unseen bins included when scored)
    nan: int
    below: int
    above: int
    unseen: int  # categorical: codes not in the reference (0 for numeric features)
    scores: drift.DriftScores | None  # None when the feature's window is empty
    psi_band: str = "none"
    quality_band: str = "none"
    rows: int = 0  # window rows (count + NaN + out of range + unseen, whatever is scored)
    nan_rate: float = 0.0
    out_of_range_rate: float = 0.0
    unseen_rate: float = 0.0
    ref_nan_rate: float = 0.0
    ref_out_of_range_rate: float = 0.0
    ref_unseen_rate: float = 0.0


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
        *,
        out_of_range: str = "score",
        quality_bands: tuple[float, float] = QUALITY_BANDS,
    ) -> None:
        if not isinstance(reference, Reference):
            raise InvalidTypeError(
                f"reference must be a monitor.Reference (Reference.fit / Reference.load), got "
                f"{type(reference).__name__}"
            )
        window = check_int(window, "window", 1, _MAX_WINDOW, "rows; the scores take totals up to 2**53")
        slots = check_int(slots, "slots", 1, MAX_SLOTS, "sub-windows of the fixed ring")
        if window % slots:
            raise InvalidArgumentError(f"window ({window}) must be a multiple of slots ({slots})")
        self.bands = check_pair(bands, "bands")
        self.quality_bands = check_pair(quality_bands, "quality_bands", upper=1.0)
        if not isinstance(out_of_range, str) or out_of_range not in OUT_OF_RANGE_MODES:
            raise InvalidArgumentError(
                f"out_of_range must be one of {', '.join(map(repr, OUT_OF_RANGE_MODES))}, got "
                f"{out_of_range!r}"
            )
        if not isinstance(smoothing, str):
            raise InvalidTypeError(
                f"smoothing must be one of {', '.join(map(repr, drift.PSI_SMOOTHINGS))}, got "
                f"{type(smoothing).__name__} {smoothing!r}"
            )
        if epsilon is not None and (isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real)):
            raise InvalidTypeError(f"epsilon must be a real number or None, got {type(epsilon).__name__}")
        # the options evaluate() will use, checked now by drift's own validation
        drift.drift_scores([1], [1], smoothing=smoothing, epsilon=epsilon)
        self.reference = reference
        self.window = window
        self.slots = slots
        self.sub = self.window // self.slots
        self.out_of_range = out_of_range
        self._smoothing = smoothing
        self._epsilon = epsilon
        self._binners = [Binner(f.edges) for f in reference.features]
        self._nfeat = len(self._binners)
        self.names: tuple[str, ...] = tuple(f.name for f in reference.features)
        nb = [b.nbins for b in self._binners]
        self._offsets = np.concatenate(([0], np.cumsum(nb))).astype(np.intp)
        self._total_bins = int(self._offsets[-1])
        ring = self.slots * (self._total_bins + 3 * self._nfeat) * 8
        if ring > MAX_RING_BYTES:
            raise InvalidArgumentError(
                f"slots={slots} x {self._total_bins} bins needs a {ring} byte count ring, above "
                f"the bound MAX_RING_BYTES = {MAX_RING_BYTES}; use fewer slots"
            )
        # The ring: allocated once, never grown.
        self._counts = np.zeros((self.slots, self._total_bins), dtype=np.uint64)
        self._extra = np.zeros((self.slots, self._nfeat, 3), dtype=np.uint64)  # nan, below, above
        self._slot_id = [-1] * self.slots  # sub-window index held by each slot (-1: none)
        self._counter = MatrixCounter(self._binners, self._counts, self._extra)
        self._lock = threading.Lock()
        self._local = threading.local()  # per-thread scratch counts (big batches)
        self._gen = 0  # bumped by reset(): a batch reserved before it is not added after it
        self._rows = 0
        self._ref = [self._reference_vectors(f) for f in reference.features]
        # per feature: bin range in the ring, categorical?, scored below / above bins?
        score = out_of_range == "score"
        self._plan = [
            (
                int(self._offsets[i]),
                int(self._offsets[i + 1]),
                f.category_bins if f.kind == "categorical" else None,
                score and f.kind != "categorical" and bool(np.isfinite(f.edges[0])),
                score and f.kind != "categorical" and bool(np.isfinite(f.edges[-1])),
            )
            for i, f in enumerate(reference.features)
        ]

    def _reference_vectors(self, prof: Any) -> tuple[npt.NDArray[np.uint64], float, float, float]:
        """(scored reference counts, reference NaN / out-of-range / unseen shares)."""
        counts = prof.counts
        sel = prof.category_bins
        cur = counts[sel]
        rows = int(counts.sum(dtype=np.uint64)) + prof.nan + prof.below + prof.above
        rows = max(rows, 1)
        if prof.kind == "categorical":
            unseen = int(counts.sum(dtype=np.uint64) - cur.sum(dtype=np.uint64)) + prof.below + prof.above
            vec = cur if self.out_of_range == "ignore" else np.append(cur, np.uint64(unseen))
            return np.ascontiguousarray(vec, dtype=np.uint64), prof.nan / rows, 0.0, unseen / rows
        parts = [cur]
        if self.out_of_range == "score":
            if np.isfinite(prof.edges[0]):
                parts.insert(0, np.array([prof.below], dtype=np.uint64))
            if np.isfinite(prof.edges[-1]):
                parts.append(np.array([prof.above], dtype=np.uint64))
        vec = np.ascontiguousarray(np.concatenate(parts), dtype=np.uint64)
        return vec, prof.nan / rows, (prof.below + prof.above) / rows, 0.0

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
        with self._lock:
            self._counts.fill(0)
            self._extra.fill(0)
            self._slot_id = [-1] * self.slots
            self._rows = 0
            self._gen += 1

    def prepare(self, data: Any, *, one_request: bool = False, what: str = "batch") -> DriftBatch:
        """Validate ``data`` for :meth:`update` (which calls this itself): the checks and the
        conversion, without counting. Named data (mapping, DataFrame, record array, Arrow) is
        matched by name; unnamed data is an ``(n, F)`` array / list of rows, or 1-D values of a
        single-feature reference; a list of mappings (records) is matched by name too. With
        ``one_request=True`` (a service request's features), a mapping of name to scalar, a
        pandas Series indexed by feature name and a 1-D row of F values are one row. Raises
        :class:`ConfigMismatchError` (columns or names do not match the reference),
        :class:`InvalidTypeError` (not real numbers), :class:`InvalidArgumentError` (shape)."""
        return prepare_rows(self, self.names, data, one_request=one_request, what=what)

    def update(self, batch: Any) -> None:
        """Add rows: an ``(n, F)`` array (F = the reference's features, in its order), named
        data matched by name (mapping, DataFrame, record array, Arrow table), a
        :class:`DriftBatch` from :meth:`prepare` or, for a single-feature reference, a 1-D
        array. float64 C-contiguous input is read in place; other real dtypes are binned
        exactly. Thread-safe (see the module doc)."""
        if (
            type(batch) is np.ndarray
            and batch.dtype == _F64
            and batch.ndim == 2
            and batch.shape[1] == self._nfeat
            and batch.flags.c_contiguous
            and batch.flags.aligned
        ):
            x: npt.NDArray[np.float64] | None = batch  # the hot path: read in place
            n = batch.shape[0]
            b = None
        else:
            b = batch if type(batch) is DriftBatch and batch.owner is self else self.prepare(batch)
            x, n = b.matrix, b.rows
        if n == 0:
            return
        if x is not None and n * self._nfeat < _SMALL:
            with self._lock:  # small: bin straight into the ring
                pos0 = self._rows
                self._rows = pos0 + n
                sw = pos0 // self.sub
                if pos0 + n <= (sw + 1) * self.sub:  # one sub-window (the common case)
                    k = sw % self.slots
                    if self._slot_id[k] == sw or self._claim(k, sw):
                        self._counter.count(x, 0, n, k)
                    return
                for done, m, k, sw in self._segments(pos0, n):
                    if self._claim(k, sw):
                        self._counter.count(x, done, m, k)
            return
        with self._lock:
            pos0 = self._rows
            self._rows = pos0 + n
            gen = self._gen
        scratch = self._scratch()
        sc, se, counter = scratch
        for done, m, k, sw in self._segments(pos0, n):
            sc.fill(0)
            se.fill(0)
            if x is not None:
                counter.count(x, done, m, 0)
            else:
                self._count_exact(b.columns if b is not None and b.columns else [], done, m, sc[0], se[0])
            with self._lock:
                if gen == self._gen and self._claim(k, sw):
                    self._counts[k] += sc[0]
                    self._extra[k] += se[0]

    def _segments(self, pos0: int, n: int) -> list[tuple[int, int, int, int]]:
        """(offset in the batch, rows, slot, sub-window) of each sub-window the rows span."""
        out = []
        done = 0
        sub, slots = self.sub, self.slots
        while done < n:
            pos = pos0 + done
            sw = pos // sub
            m = min(n - done, (sw + 1) * sub - pos)
            out.append((done, m, sw % slots, sw))
            done += m
        return out

    def _claim(self, k: int, sw: int) -> bool:
        """Under the lock: make slot k hold sub-window sw (recycling an older one); False when
        the slot already holds a later sub-window (sw has left the window: its rows are not
        in any window any more)."""
        held = self._slot_id[k]
        if held == sw:
            return True
        if held > sw:
            return False
        self._counts[k].fill(0)
        self._extra[k].fill(0)
        self._slot_id[k] = sw
        return True

    def _scratch(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], MatrixCounter]:
        got = getattr(self._local, "s", None)
        if got is None:
            sc = np.zeros((1, self._total_bins), dtype=np.uint64)
            se = np.zeros((1, self._nfeat, 3), dtype=np.uint64)
            got = (sc, se, MatrixCounter(self._binners, sc, se))
            self._local.s = got
        return got

    def _count_exact(
        self,
        cols: list[npt.NDArray[Any]],
        start: int,
        m: int,
        counts: npt.NDArray[np.uint64],
        extra: npt.NDArray[np.uint64],
    ) -> None:
        for f, (b, col) in enumerate(zip(self._binners, cols)):
            seg = col[start : start + m]
            lo, hi = int(self._offsets[f]), int(self._offsets[f + 1])
            e = exact_float64(seg)
            if e is not None:
                bc = b.count(e)
                counts[lo:hi] += bc.counts
                got = (bc.nan, bc.below, bc.above)
            else:
                got = b.add_exact(seg, counts[lo:hi])
            extra[f] += np.array(got, dtype=np.uint64)

    # ------------------------------------------------------------------ evaluation
    def _window_bounds(self) -> tuple[int, int]:
        if self._rows == 0:
            return 0, 0
        last_sw = (self._rows - 1) // self.sub
        first_sw = max(0, last_sw - self.slots + 1)
        return first_sw * self.sub, self._rows

    def window_counts(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        """(concatenated bin counts, per-feature [nan, below, above]) of the current window."""
        with self._lock:
            return self._counts.sum(axis=0, dtype=np.uint64), self._extra.sum(axis=0, dtype=np.uint64)

    def band_of(self, psi: float) -> str:
        lo, hi = self.bands
        if psi < lo:
            return "none"
        return "moderate" if psi <= hi else "significant"

    def quality_band_of(self, increase: float) -> str:
        """The data-quality band of an increase of a NaN / out-of-range / unseen share."""
        lo, hi = self.quality_bands
        if increase < lo:
            return "none"
        return "moderate" if increase <= hi else "significant"

    @property
    def window_bounds(self) -> tuple[int, int]:
        """``[start, end)``: the stream rows the current window holds (``(0, 0)`` before any)."""
        with self._lock:
            return self._window_bounds()

    def window_state(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], int, int]:
        """``(counts, extra, start, end)``: :meth:`window_counts` and :attr:`window_bounds` read
        together, as one consistent state."""
        with self._lock:
            start, end = self._window_bounds()
            return (
                self._counts.sum(axis=0, dtype=np.uint64),
                self._extra.sum(axis=0, dtype=np.uint64),
                start,
                end,
            )

    def evaluate(self) -> DriftReport:
        """Scores and verdicts of the current window against the reference (see the module
        doc). Raises :class:`EmptyWindowError` when no row has been added yet."""
        with self._lock:
            start, end = self._window_bounds()
            counts = self._counts.sum(axis=0, dtype=np.uint64)
            extra = self._extra.sum(axis=0, dtype=np.uint64)
        if end == start:
            raise EmptyWindowError("the drift window holds no rows yet: call update() first")
        return self.score_counts(counts, extra, start=start, end=end)

    def _vectors(
        self, f: int, seg: npt.NDArray[np.uint64], below: int, above: int
    ) -> tuple[npt.NDArray[np.uint64], int, int, int]:
        """Feature ``f``'s scored window vector from its bin counts ``seg`` (the one rule of
        the out-of-range bins), and its unseen, below and above counts as reported."""
        _lo, _hi, cat, lo_bin, hi_bin = self._plan[f]
        if cat is not None:
            cur = seg[cat]
            unseen = int(seg.sum(dtype=np.uint64)) - int(cur.sum(dtype=np.uint64)) + below + above
            if self.out_of_range == "score":
                cur = np.append(cur, np.uint64(unseen))
            return cur, unseen, 0, 0
        if lo_bin or hi_bin:
            parts = ([below] if lo_bin else [], seg, [above] if hi_bin else [])
            return np.concatenate(parts).astype(np.uint64), 0, below, above
        return seg, 0, below, above

    def scored_vectors(
        self, name: str, counts: npt.NDArray[np.uint64], extra: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], list[str], list[str]]:
        """``(window, reference, before, after)``: the two count vectors the scores of feature
        ``name`` compare (from counts laid out as :meth:`window_counts` gives them), and the names
        of the extra bins the out-of-range rule puts before and after the reference's own bins
        (``"below"``, ``"above"``, ``"unseen"``), for a report that shows every scored bin."""
        f = self.names.index(name)
        lo, hi, cat, lo_bin, hi_bin = self._plan[f]
        _nan, below, above = (int(v) for v in extra[f])
        cur, _, _, _ = self._vectors(f, counts[lo:hi], below, above)
        score = self.out_of_range == "score"
        if cat is not None:
            return cur, self._ref[f][0], [], (["unseen"] if score else [])
        return cur, self._ref[f][0], (["below"] if lo_bin else []), (["above"] if hi_bin else [])

    def score_counts(
        self,
        counts: npt.NDArray[np.uint64],
        extra: npt.NDArray[np.uint64],
        *,
        start: int,
        end: int,
        complete: bool | None = None,
        features: Sequence[str] | None = None,
    ) -> DriftReport:
        """Score window counts laid out as :meth:`window_counts` returns them (every bin of every
        feature, and per feature ``[nan, below, above]``) with this monitor's options: the one
        scoring path of :meth:`evaluate` and :meth:`DriftProfile.report
        <monitor.DriftProfile.report>`. ``features``: score only these (default all)."""
        only = None if features is None else set(features)
        out = []
        ex = extra.tolist()
        for f, (prof, (lo, hi, _cat, _lo_bin, _hi_bin)) in enumerate(
            zip(self.reference.features, self._plan)
        ):
            if only is not None and prof.name not in only:
                continue
            seg = counts[lo:hi]
            nan, below, above = ex[f]
            ref_vec, r_nan, r_oor, r_unseen = self._ref[f]
            seg_total = int(seg.sum(dtype=np.uint64))
            cur, unseen, below, above = self._vectors(f, seg, below, above)
            total = int(cur.sum(dtype=np.uint64))
            rows = seg_total + nan + ex[f][1] + ex[f][2]
            den = max(rows, 1)
            nan_rate, oor_rate, unseen_rate = nan / den, (below + above) / den, unseen / den
            inc = max(nan_rate - r_nan, oor_rate - r_oor, unseen_rate - r_unseen)
            qband = self.quality_band_of(inc)
            rates = (rows, nan_rate, oor_rate, unseen_rate, r_nan, r_oor, r_unseen)
            if total == 0:
                band = max("empty", qband, key=_BAND_ORDER.__getitem__)
                out.append(
                    FeatureDrift(
                        prof.name,
                        band,
                        None,
                        None,
                        None,
                        None,
                        0,
                        nan,
                        below,
                        above,
                        unseen,
                        None,
                        "empty",
                        qband,
                        *rates,
                    )
                )
                continue
            sc = drift.drift_scores(cur, ref_vec, smoothing=self._smoothing, epsilon=self._epsilon)
            pband = self.band_of(sc.psi)
            out.append(
                FeatureDrift(
                    prof.name,
                    max(pband, qband, key=_BAND_ORDER.__getitem__),
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
                    pband,
                    qband,
                    *rates,
                )
            )
        whole = end - start == self.window if complete is None else complete
        return DriftReport(tuple(out), end - start, start, end, whole)


_F64 = np.dtype(np.float64)
