"""Mergeable drift profiles: the counts of a batch (or a window) against one reference.

A :class:`DriftProfile` holds, per feature of a :class:`~monitor.Reference`, the counts of the
bins the drift scores compare, and the values that fell in none of them (NaN, below and above
the reference range, unseen categories), plus the row count, the reference's digest and optional
window bounds. Counts are integers, so merging is exact, commutative and associative: the profile
of a dataset is the same object, byte for byte, however the dataset was split into batches,
partitions or pods and in whatever order the parts are merged. That is what makes drift over a
cluster (:mod:`monitor.spark`), a fleet of services or a thread pool exact.

The two primitives any engine needs (Spark, Dask, Ray, ``concurrent.futures``):

- :func:`profile_batch` — profile one batch of rows (any named container or an ``(n, F)`` array),
- :func:`merge_profiles` — merge any number of profiles (or :meth:`DriftProfile.merge`).

:meth:`DriftProfile.report` scores a profile against its reference with the same code as
:meth:`DriftMonitor.evaluate <monitor.DriftMonitor.evaluate>`, so the scores are those of one
process seeing all the rows.

Byte format (version 1, every integer little-endian)::

    magic      8 bytes  b"MONDPRF\\0"
    version    u16      1
    flags      u16      bit 0: window bounds present (other bits 0)
    features   u32      F
    rows       u64      rows profiled
    digest     32 bytes SHA-256 of the reference (the digest of its JSON file)
    window     2 x i64  [start, end) of the window (0, 0 when absent)
    F times:   u16 name length, the name in UTF-8, u32 bins B,
               u64 nan, u64 below, u64 above, u64 unseen, B x u64 bin counts
    crc        u32      CRC-32C (the histogram codec's) of every byte before it

:meth:`DriftProfile.from_bytes` checks the magic, version, flags, lengths, the CRC and that the
counts add up (each feature's counts sum to the rows profiled); any failure raises
:class:`~monitor.errors.CorruptDataError` naming what is wrong.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .binning import Binner
from .drift_monitor import BANDS, QUALITY_BANDS, DriftMonitor, DriftReport
from .errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError, InvalidTypeError
from .latency import crc32c
from .reference import Reference, encode_labels
from .tabular import select_values

__all__ = ["DriftProfile", "FeatureCounts", "Profiler", "profile_batch", "merge_profiles", "MAGIC", "VERSION"]

MAGIC = b"MONDPRF\0"
VERSION = 1
_HEAD = struct.Struct("<8sHHIQ32sqq")
_FEAT = struct.Struct("<QQQQ")
_U64_MAX = 2**64 - 1
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")


@dataclass(frozen=True, slots=True, eq=False)
class FeatureCounts:
    """One feature of a profile: ``counts[i]`` for the i-th compared bin of the reference
    feature (every bin of a numeric feature, the category bins of a categorical one), and the
    values that fell in none (``unseen``: categorical codes not in the reference)."""

    name: str
    counts: npt.NDArray[np.uint64]
    nan: int
    below: int
    above: int
    unseen: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureCounts):
            return NotImplemented
        return (self.name, self.nan, self.below, self.above, self.unseen) == (
            other.name,
            other.nan,
            other.below,
            other.above,
            other.unseen,
        ) and bool(np.array_equal(self.counts, other.counts))

    __hash__ = None  # type: ignore[assignment]  # mutable-looking array field: not hashable

    @property
    def total(self) -> int:
        """Values of this feature profiled (in a bin or not)."""
        return int(self.counts.sum(dtype=np.uint64)) + self.nan + self.below + self.above + self.unseen


def _readonly(a: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    a = np.ascontiguousarray(a, dtype=np.uint64)
    a.setflags(write=False)
    return a


def _split(
    reference: Reference, f: int, bins: npt.NDArray[np.uint64], nan: int, below: int, above: int
) -> FeatureCounts:
    """The compared bins and the rest, from the counts of every bin of the feature's binner."""
    prof = reference.features[f]
    sel = prof.category_bins
    cur = bins[sel]
    unseen = int(bins.sum(dtype=np.uint64) - cur.sum(dtype=np.uint64))
    if prof.kind == "categorical":
        unseen += below + above
        below = above = 0
    return FeatureCounts(prof.name, _readonly(cur), int(nan), int(below), int(above), unseen)


class DriftProfile:
    """Counts of rows against one reference (see the module doc). Immutable; compare with ``==``
    (equal profiles have equal :meth:`to_bytes`)."""

    __slots__ = ("_digest", "_features", "_rows", "_window")

    def __init__(
        self,
        digest: str,
        features: Sequence[FeatureCounts],
        rows: int,
        window: tuple[int, int] | None = None,
    ) -> None:
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            raise InvalidArgumentError(
                f"digest must be 'sha256:' + 64 lowercase hex digits, got {digest!r:.80}"
            )
        if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or not 0 <= rows <= _U64_MAX:
            raise InvalidArgumentError(f"rows must be an integer in [0, 2**64), got {rows!r}")
        feats = tuple(features)
        if not feats:
            raise InvalidArgumentError("a profile needs at least one feature")
        for fc in feats:
            if not isinstance(fc, FeatureCounts):
                raise InvalidTypeError(f"features must be FeatureCounts, got {type(fc).__name__}")
            if fc.total != rows:
                raise InvalidArgumentError(
                    f"feature {fc.name!r}: its counts add up to {fc.total}, the profile has {rows} rows"
                )
        if window is not None:
            lo, hi = (int(v) for v in window)
            if not -(2**63) <= lo <= hi < 2**63:
                raise InvalidArgumentError(f"window must be (start, end) with start <= end, got {window!r}")
            window = (lo, hi)
        self._digest = digest
        self._features = feats
        self._rows = int(rows)
        self._window = window

    # ------------------------------------------------------------------ accessors
    @property
    def digest(self) -> str:
        """The digest of the reference the counts are against (``"sha256:..."``)."""
        return self._digest

    @property
    def features(self) -> tuple[FeatureCounts, ...]:
        return self._features

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self._features)

    @property
    def rows(self) -> int:
        return self._rows

    @property
    def window(self) -> tuple[int, int] | None:
        """``[start, end)`` of the window the counts cover, when known (stream rows of a
        :class:`~monitor.DriftMonitor`, or whatever unit the producer states)."""
        return self._window

    def feature(self, name: str) -> FeatureCounts:
        for f in self._features:
            if f.name == name:
                return f
        raise KeyError(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DriftProfile):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return f"DriftProfile(rows={self._rows}, features={list(self.names)}, digest={self._digest[:15]}...)"

    # ------------------------------------------------------------------ building
    @classmethod
    def empty(cls, reference: Reference) -> DriftProfile:
        """The profile of no rows (the identity of :meth:`merge`)."""
        _check_reference(reference)
        feats = [
            FeatureCounts(p.name, _readonly(np.zeros(p.category_bins.size, np.uint64)), 0, 0, 0, 0)
            for p in reference.features
        ]
        return cls(reference.digest, feats, 0)

    @classmethod
    def from_monitor(cls, monitor: DriftMonitor) -> DriftProfile:
        """The current window of a :class:`~monitor.DriftMonitor` (its ``window`` is the stream
        rows ``[start, end)`` it covers), e.g. one pod's window to merge with the fleet's."""
        if not isinstance(monitor, DriftMonitor):
            raise InvalidTypeError(f"monitor must be a monitor.DriftMonitor, got {type(monitor).__name__}")
        ref = monitor.reference
        counts, extra, start, end = monitor.window_state()
        off = 0
        feats = []
        for f, p in enumerate(ref.features):
            nb = p.nbins
            nan, below, above = (int(v) for v in extra[f])
            feats.append(_split(ref, f, counts[off : off + nb], nan, below, above))
            off += nb
        return cls(ref.digest, feats, end - start, (start, end))

    # ------------------------------------------------------------------ merging
    def merge(self, *others: DriftProfile) -> DriftProfile:
        """This profile plus ``others``: exact sums (see :func:`merge_profiles`)."""
        return merge_profiles((self, *others))

    def __add__(self, other: object) -> DriftProfile:
        if not isinstance(other, DriftProfile):
            return NotImplemented
        return merge_profiles((self, other))

    # ------------------------------------------------------------------ scoring
    def report(
        self,
        reference: Reference,
        *,
        bands: tuple[float, float] = BANDS,
        smoothing: str = "laplace",
        epsilon: float | None = None,
        out_of_range: str = "score",
        quality_bands: tuple[float, float] = QUALITY_BANDS,
    ) -> DriftReport:
        """Drift of the profiled rows against ``reference`` (which must be the profile's own:
        same digest), scored exactly as :meth:`DriftMonitor.evaluate` scores a window with the
        same options (the same code: :meth:`DriftMonitor.score_counts`)."""
        _check_reference(reference)
        if reference.digest != self._digest:
            raise ConfigMismatchError(
                f"the profile was made against reference {self._digest[:19]}..., "
                f"not this one ({reference.digest[:19]}...)"
            )
        scorer = DriftMonitor(
            reference,
            window=1,
            bands=bands,
            smoothing=smoothing,
            epsilon=epsilon,
            out_of_range=out_of_range,
            quality_bands=quality_bands,
        )
        counts, extra = self._raw(reference)
        start, end = self._window if self._window is not None else (0, self._rows)
        rep = scorer.score_counts(counts, extra, start=start, end=end, complete=True, features=self.names)
        if end - start != self._rows:  # a merged window hull may hold more rows than were profiled
            rep = DriftReport(rep.features, self._rows, start, end, rep.complete)
        return rep

    def _raw(self, reference: Reference) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        """The counts laid out as :meth:`DriftMonitor.window_counts` gives them: every bin of
        every reference feature (an unseen categorical code is put in the feature's first gap
        bin, which is where unseen codes between categories land), ``[nan, below, above]``."""
        sizes = [p.nbins for p in reference.features]
        counts = np.zeros(sum(sizes), dtype=np.uint64)
        extra = np.zeros((len(sizes), 3), dtype=np.uint64)
        off = np.concatenate(([0], np.cumsum(sizes))).astype(np.intp)
        for fc in self._features:
            f = reference.names.index(fc.name)
            p = reference.features[f]
            seg = counts[off[f] : off[f + 1]]
            if fc.counts.size != p.category_bins.size:
                raise ConfigMismatchError(
                    f"feature {fc.name!r}: the profile has {fc.counts.size} bins, the reference {p.category_bins.size}"
                )
            seg[p.category_bins] = fc.counts
            if fc.unseen:
                seg[1] = np.uint64(fc.unseen)  # categorical: bin 1 is a gap between categories
            extra[f] = (fc.nan, fc.below, fc.above)
        return counts, extra

    # ------------------------------------------------------------------ bytes
    def to_bytes(self) -> bytes:
        """The versioned, checksummed byte form (see the module doc)."""
        flags = 1 if self._window is not None else 0
        lo, hi = self._window if self._window is not None else (0, 0)
        parts = [
            _HEAD.pack(
                MAGIC,
                VERSION,
                flags,
                len(self._features),
                self._rows,
                bytes.fromhex(self._digest[7:]),
                lo,
                hi,
            )
        ]
        for f in self._features:
            name = f.name.encode("utf-8")
            parts.append(struct.pack("<H", len(name)) + name + struct.pack("<I", f.counts.size))
            parts.append(_FEAT.pack(f.nan, f.below, f.above, f.unseen))
            parts.append(f.counts.astype("<u8", copy=False).tobytes())
        body = b"".join(parts)
        return body + struct.pack("<I", crc32c(body))

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> DriftProfile:
        """Decode and validate :meth:`to_bytes` output; raises :class:`CorruptDataError`."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidTypeError(f"data must be bytes, got {type(data).__name__}")
        raw = bytes(data)
        if len(raw) < _HEAD.size + 4:
            raise CorruptDataError(f"drift profile: {len(raw)} bytes is shorter than the header (truncated?)")
        magic, version, flags, nfeat, rows, dig, lo, hi = _HEAD.unpack_from(raw, 0)
        if magic != MAGIC:
            raise CorruptDataError("drift profile: bad magic (not a monitor drift profile)")
        if version != VERSION:
            raise CorruptDataError(
                f"drift profile: unsupported version {version} (this build reads {VERSION})"
            )
        (crc,) = struct.unpack_from("<I", raw, len(raw) - 4)
        if crc32c(raw[:-4]) != crc:
            raise CorruptDataError("drift profile: CRC mismatch (the bytes were truncated or modified)")
        if flags & ~1:
            raise CorruptDataError(f"drift profile: unknown flags 0x{flags:04x}")
        if nfeat == 0:
            raise CorruptDataError("drift profile: no features")
        pos = _HEAD.size
        end = len(raw) - 4
        feats = []
        for k in range(nfeat):
            if pos + 2 > end:
                raise CorruptDataError(f"drift profile: feature {k} is truncated")
            (nlen,) = struct.unpack_from("<H", raw, pos)
            pos += 2
            if pos + nlen + 4 + _FEAT.size > end:
                raise CorruptDataError(f"drift profile: feature {k} is truncated")
            try:
                name = raw[pos : pos + nlen].decode("utf-8")
            except UnicodeDecodeError:
                raise CorruptDataError(f"drift profile: feature {k}'s name is not UTF-8") from None
            pos += nlen
            (nb,) = struct.unpack_from("<I", raw, pos)
            pos += 4
            nan, below, above, unseen = _FEAT.unpack_from(raw, pos)
            pos += _FEAT.size
            if nb == 0 or pos + 8 * nb > end:
                raise CorruptDataError(f"drift profile: feature {name!r} has a bad bin count {nb}")
            counts = np.frombuffer(raw, dtype="<u8", count=nb, offset=pos).astype(np.uint64)
            pos += 8 * nb
            feats.append(FeatureCounts(name, _readonly(counts), nan, below, above, unseen))
        if pos != end:
            raise CorruptDataError(f"drift profile: {end - pos} unexpected trailing bytes")
        names = [f.name for f in feats]
        if len(set(names)) != len(names):
            raise CorruptDataError("drift profile: feature names repeat")
        for f in feats:
            if f.total != rows:  # also catches a sum past 2**64 (Python integers do not wrap)
                raise CorruptDataError(
                    f"drift profile: feature {f.name!r} counts add up to {f.total}, not the {rows} rows"
                )
        window = (lo, hi) if flags & 1 else None
        if window is None and (lo or hi):
            raise CorruptDataError("drift profile: window bounds set without the window flag")
        if window is not None and lo > hi:
            raise CorruptDataError(f"drift profile: window start {lo} after its end {hi}")
        return cls("sha256:" + dig.hex(), feats, rows, window)


def _check_reference(reference: Any) -> None:
    if not isinstance(reference, Reference):
        raise InvalidTypeError(f"reference must be a monitor.Reference, got {type(reference).__name__}")


class Profiler:
    """Accumulates batches into one profile without building a profile per batch (the
    binners are built once): ``Profiler(reference).add(b1).add(b2).profile()`` equals
    ``merge_profiles([profile_batch(reference, b1), profile_batch(reference, b2)])``.
    Not thread-safe: use one per thread and merge their profiles."""

    __slots__ = ("_ref", "_names", "_allow_extra", "_index", "_binners", "_counts", "_extra", "_rows")

    def __init__(self, reference: Reference, columns: Sequence[str] | None = None) -> None:
        _check_reference(reference)
        names = list(reference.names)
        if columns is not None:
            if isinstance(columns, str):
                columns = [columns]
            unknown = [c for c in columns if c not in names]
            if unknown:
                raise ConfigMismatchError(f"columns {unknown!r} are not features of the reference {names!r}")
            wanted = set(columns)
            names = [n for n in names if n in wanted]  # the reference's order
        self._ref = reference
        self._names = names
        self._allow_extra = columns is not None
        self._index = [reference.names.index(n) for n in names]
        self._binners = [Binner(reference.features[f].edges) for f in self._index]
        self._counts = [np.zeros(b.nbins, dtype=np.uint64) for b in self._binners]
        self._extra = [[0, 0, 0] for _ in names]
        self._rows = 0

    def add(self, batch: Any) -> Profiler:
        """Count one batch (see :func:`profile_batch` for what a batch may be)."""
        names = self._names
        cols = select_values(batch, names, what="batch", allow_extra=self._allow_extra)
        if cols is None:
            arr = np.asarray(batch)
            if arr.ndim == 1 and len(names) == 1:
                arr = arr.reshape(-1, 1)
            if arr.ndim != 2 or arr.shape[1] != len(names):
                raise ConfigMismatchError(
                    f"batch of shape {arr.shape} does not hold the {len(names)} features {names!r} "
                    f"(pass an (n, {len(names)}) array in that order, or a named container)"
                )
            cols = [(arr[:, j], 0) for j in range(arr.shape[1])]
        n = -1
        conv: list[npt.NDArray[Any]] = []
        nulls: list[int] = []
        for name, (col, null) in zip(names, cols, strict=True):
            c = np.asarray(col)
            if c.ndim != 1:
                raise InvalidArgumentError(f"column {name!r} must be 1-D, got shape {c.shape}")
            labels = self._ref.features[self._index[len(conv)]].labels
            if labels is not None and c.dtype.kind not in "iufb":
                c = encode_labels(c, labels)  # labels of a labelled feature (codes pass as they are)
            elif c.dtype.kind == "O" and all(v is None or type(v) is bool for v in c):
                c = np.array([np.nan if v is None else float(v) for v in c])  # booleans with nulls
            elif c.dtype.kind not in "iufb":
                raise InvalidTypeError(f"column {name!r} must hold numbers, got dtype {c.dtype}")
            if c.dtype.kind == "b":
                c = c.astype(np.uint8)  # False / True count as 0 / 1, as the Spark engines do
            if n < 0:
                n = c.size + null
            elif c.size + null != n:
                raise InvalidArgumentError(f"column {name!r} has {c.size + null} rows, the others {n}")
            conv.append(c)
            nulls.append(null)
        # every column is checked before any is counted: a refused batch changes nothing
        for k, c in enumerate(conv):
            bc = self._binners[k].count_values(c, names[k])
            self._counts[k] += bc.counts
            e = self._extra[k]
            e[0] += bc.nan + nulls[k]  # a null counts as NaN
            e[1] += bc.below
            e[2] += bc.above
        self._rows += max(n, 0)
        return self

    def add_counts(
        self,
        counts: Sequence[npt.NDArray[np.uint64]],
        extra: Sequence[tuple[int, int, int]],
        rows: int,
    ) -> Profiler:
        """Add counts made elsewhere over the reference's own bins (e.g. by Spark SQL,
        :func:`monitor.spark.profile`): per profiled feature, in the reference's order, every
        bin's count and ``(nan, below, above)``, and the rows they came from (each feature's
        counts must add up to ``rows``)."""
        if len(counts) != len(self._names) or len(extra) != len(self._names):
            raise InvalidArgumentError(
                f"add_counts needs the counts of the {len(self._names)} features {self._names!r}"
            )
        for k, (c, e) in enumerate(zip(counts, extra, strict=True)):
            c = np.asarray(c, dtype=np.uint64)
            if c.shape != self._counts[k].shape:
                raise InvalidArgumentError(
                    f"feature {self._names[k]!r}: {c.size} bin counts, the reference has {self._counts[k].size} bins"
                )
            if int(c.sum(dtype=np.uint64)) + sum(int(v) for v in e) != rows:
                raise InvalidArgumentError(
                    f"feature {self._names[k]!r}: the counts do not add up to {rows} rows"
                )
        for k, (c, e) in enumerate(zip(counts, extra, strict=True)):
            self._counts[k] += np.asarray(c, dtype=np.uint64)
            for j in range(3):
                self._extra[k][j] += int(e[j])
        self._rows += int(rows)
        return self

    @property
    def rows(self) -> int:
        """Rows added since construction (or :meth:`reset`)."""
        return self._rows

    def reset(self) -> None:
        """Forget every row (the counts are zeroed, not reallocated)."""
        for c in self._counts:
            c.fill(0)
        self._extra = [[0, 0, 0] for _ in self._names]
        self._rows = 0

    def window_counts(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        """The counts laid out as :meth:`DriftMonitor.window_counts
        <monitor.DriftMonitor.window_counts>` gives them (every bin of every profiled feature,
        per feature ``[nan, below, above]``), exactly what a monitor fed the same rows holds, for
        :meth:`DriftMonitor.score_counts <monitor.DriftMonitor.score_counts>`. Needs every
        feature of the reference to be profiled."""
        if len(self._names) != len(self._ref.features):
            raise InvalidArgumentError("window_counts needs a Profiler of every feature of the reference")
        return np.concatenate(self._counts), np.array(self._extra, dtype=np.uint64).reshape(-1, 3)

    def profile(self) -> DriftProfile:
        """The profile of every row added so far."""
        feats = [
            _split(self._ref, f, self._counts[k].copy(), *self._extra[k]) for k, f in enumerate(self._index)
        ]
        return DriftProfile(self._ref.digest, feats, self._rows)


def profile_batch(reference: Reference, batch: Any, *, columns: Sequence[str] | None = None) -> DriftProfile:
    """The profile of one batch of rows against ``reference``.

    ``batch``: a named container (mapping, DataFrame, record array, Arrow table or record
    batch), matched to the reference's features by name, or an ``(n, F)`` (1-D for one feature)
    array in the reference's feature order. ``columns``: the features to profile, default all of
    the reference's; a named batch must hold exactly those, unless ``columns`` is given, when
    its other columns are ignored. Values are converted to float64 as
    :meth:`Reference.fit <monitor.Reference.fit>` converts them (integers beyond 2**53 are
    compared exactly, as :class:`~monitor.DriftMonitor` compares them); nulls of Arrow and pandas
    columns count as NaN.
    """
    return Profiler(reference, columns).add(batch).profile()


def merge_profiles(profiles: Iterable[DriftProfile]) -> DriftProfile:
    """The exact sum of ``profiles`` (at least one), byte-identical in any order and grouping.

    Refuses profiles of different references or features (:class:`ConfigMismatchError`) and sums
    past 2**64 - 1 (:class:`InvalidArgumentError`). Window bounds merge to the smallest window
    holding all of them; a profile without bounds makes the result's bounds unknown.
    """
    it = iter(profiles)
    try:
        first = next(it)
    except StopIteration:
        raise InvalidArgumentError("merge_profiles needs at least one profile") from None
    if not isinstance(first, DriftProfile):
        raise InvalidTypeError(f"profiles must be DriftProfile, got {type(first).__name__}")
    shape = [(f.name, f.counts.size) for f in first.features]
    counts = [f.counts.copy() for f in first.features]
    extra = [[f.nan, f.below, f.above, f.unseen] for f in first.features]
    rows = first.rows
    window = first.window
    for p in it:
        if not isinstance(p, DriftProfile):
            raise InvalidTypeError(f"profiles must be DriftProfile, got {type(p).__name__}")
        if p.digest != first.digest:
            raise ConfigMismatchError(
                f"cannot merge profiles of different references ({first.digest[:19]}... and {p.digest[:19]}...)"
            )
        if [(f.name, f.counts.size) for f in p.features] != shape:
            raise ConfigMismatchError(
                f"cannot merge profiles of different features: {[s[0] for s in shape]} and {list(p.names)}"
            )
        for k, f in enumerate(p.features):
            total = counts[k] + f.counts  # uint64: wraps modulo 2**64, detected below
            if (total < f.counts).any():
                raise InvalidArgumentError(f"merged counts of feature {f.name!r} would pass 2**64 - 1")
            counts[k] = total
            e = extra[k]
            e[0] += f.nan
            e[1] += f.below
            e[2] += f.above
            e[3] += f.unseen
        rows += p.rows
        if window is not None and p.window is not None:
            window = (min(window[0], p.window[0]), max(window[1], p.window[1]))
        else:
            window = None
    if rows > _U64_MAX:
        raise InvalidArgumentError(f"merged profile would hold {rows} rows, more than 2**64 - 1")
    feats = [
        FeatureCounts(name, _readonly(c), *e) for (name, _), c, e in zip(shape, counts, extra, strict=True)
    ]
    return DriftProfile(first.digest, feats, rows, window)
