"""Reference profiles: per-feature bin edges fitted once from reference data, plus the reference
counts, saved to a versioned JSON file with exact edges and a digest.

Numeric features get the quantile edges of the article (:mod:`monitor.article`):
``np.percentile(column, linspace(0, 100, bins + 1))`` (numpy's 'linear' method, reproduced bit
for bit by an exact C selection), with the outer edges replaced by ``-inf`` and ``+inf``. Heavily tied or constant features give repeated
quantiles: the repeats are dropped, so such a feature has fewer than ``bins`` bins (a constant
feature ``c`` gets the two bins ``[-inf, c)`` and ``[c, +inf]``). NaN values are ignored when
fitting the quantiles and counted in the feature's ``nan`` counter.

Categorical features (values are integer codes stored as numbers, ``|code| <= 2**53``) get one
bin per code seen in the reference: edges ``c, nextafter(c, inf)`` make the bin ``{c}``; the
bins in between catch codes never seen in the reference ("unseen"), as do ``below``/``above``.

String categories (a string, object or pandas ``category`` column of named data, categorical by
its dtype) are *labelled*: the reference keeps its ``top_k`` most frequent labels (ties by
label), in that order, as the codes ``0 .. k-1``; when the reference has more labels, the rest
share one more code, ``k``, the label ``None`` ("other"). :meth:`Reference.encode` turns named
data into the float64 rows :class:`~monitor.DriftMonitor` bins: a label gets its code; a label
the reference never kept goes to "other" when the reference has that bin (its tail is not stored,
so a new label cannot be told from a rare one) and is otherwise *unseen* (code ``-1``, counted as
unseen); a missing value (None, NaN) counts as NaN.

Integer-coded categories (``categorical=`` or a boolean column) follow the same top-K rule: the
reference keeps its ``top_k`` most frequent codes (ties: the smaller code first) as bins ``{c}``;
a reference with at most ``top_k`` codes keeps them all. The values are binned as they are (no
encoding step), so "other" and "unseen" share one counter, ``unseen``: every value that is not
a kept code -- a code of the reference's tail ("other") or a code it never had, which cannot be
told apart since the tail is not stored, as for labels. The reference's own count of such values
(:attr:`FeatureProfile.other`, 0 when every code was kept) is the baseline of that counter: the
scores compare the window's ``unseen`` with it as one more bin (``out_of_range="score"``), and
the data-quality band compares the shares. So for both kinds: a reference that kept every
category counts any new one as unseen (reference baseline 0); a reference that cut a tail puts
rare and new categories together in "other" (labels: a category bin; codes: the unseen bin with
the reference's tail as its baseline).

Named data (a mapping of columns, a DataFrame, a record array, an Arrow table:
:mod:`monitor.tabular`) keeps its column names in :meth:`Reference.fit`, and
:meth:`Reference.encode` matches columns by name.

File format (version 1), UTF-8 JSON::

    {"format": "monitor.reference", "version": 1, "rows": <int>,
     "features": [{"name": str, "kind": "numeric" | "categorical",
                   "edges": [float.hex strings], "counts": [int, ...],
                   "nan": int, "below": int, "above": int}, ...],
     "digest": "sha256:<64 hex digits>"}

Version 2 is the same plus, for labelled categorical features only, ``"labels": [str, ...,
null?]`` (one label per category code, ``null`` last for "other"); a file without labels is
written as version 1, byte for byte as before. Integers in the file are limited to 2**64 - 1
(JSON integers of more than 20 digits are refused naming the field, never parsed).

The digest is SHA-256 over the canonical encoding of every other field
(``json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)``). Loading
checks the structure, the version, the digest and then every value; any failure raises
:class:`CorruptDataError` saying what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .binning import Binner, as_float64
from .categorical import (
    MAX_CODES,
    categorical_edges,
    code_edges,
    encode_labels,
    fit_label_column,
    fit_labels,
    is_label_column,
    missing_mask,
    top_codes,
)
from .errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError
from .files import write_text_atomic
from .quantiles import Selector, percentile_of
from .reference_bytes import RawFeature, decode, encode
from .tabular import column_names, named_columns, select_columns

__all__ = [
    "FeatureProfile",
    "Reference",
    "FORMAT",
    "VERSION",
    "TOP_K_DEFAULT",
    "MAX_BINS",
    "edge_percentiles",
    "quantile_edges",
    "categorical_edges",
    "top_codes",
    "code_edges",
    "encode_labels",
    "fit_labels",
]

FORMAT = "monitor.reference"
VERSION = 2  # the newest version this build writes (files without labels are written as 1)
_VERSIONS = (1, 2)
#: Default number of string categories a reference keeps per feature (the rest is "other").
TOP_K_DEFAULT = 50
_MAX_DIGITS = 20  # 2**64 - 1 has 20 digits
MAX_BINS = 2 * MAX_CODES  # 4096
_TOP_KEYS = {"format", "version", "rows", "features", "digest"}
_FEATURE_KEYS = {"name", "kind", "edges", "counts", "nan", "below", "above"}
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")
_U64 = 2**64


@dataclass(frozen=True, slots=True)
class FeatureProfile:
    """One feature of a reference: its edges, the reference counts per bin and the values of
    the reference data that fell in no bin. For a categorical feature, :attr:`category_bins`
    lists the bins that hold a category (the others collect unseen codes)."""

    name: str
    kind: str
    edges: npt.NDArray[np.float64]
    counts: npt.NDArray[np.uint64]
    nan: int
    below: int
    above: int
    labels: tuple[str | None, ...] | None = None  # labelled categories: code i is labels[i]

    @property
    def nbins(self) -> int:
        return int(self.edges.size - 1)

    @property
    def category_bins(self) -> npt.NDArray[np.intp]:
        """Indices of the bins compared by the drift scores (every bin for numeric features;
        the category bins, 0, 2, 4, ..., for categorical ones)."""
        if self.kind == "categorical":
            return np.arange(0, self.nbins, 2, dtype=np.intp)
        return np.arange(self.nbins, dtype=np.intp)

    @property
    def other(self) -> int:
        """Reference values of a categorical feature in no kept category: the tail beyond the top
        K of an integer-coded feature (its "other", counted as unseen), or the count of the "other"
        label of a labelled one; 0 for numeric features and when every category was kept."""
        if self.kind != "categorical":
            return 0
        if self.labels is not None:
            return int(self.counts[self.category_bins[-1]]) if self.labels[-1] is None else 0
        kept = int(self.counts[self.category_bins].sum(dtype=np.uint64))
        return int(self.counts.sum(dtype=np.uint64)) - kept + self.below + self.above

    @property
    def categories(self) -> npt.NDArray[np.float64] | None:
        """The category codes of a categorical feature (None for numeric)."""
        if self.kind != "categorical":
            return None
        return self.edges[0:-1:2].copy()


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.setflags(write=False)
    return a


def edge_percentiles(bins: int) -> npt.NDArray[np.float64]:
    """The percentiles whose values become a numeric feature's edges (the article's
    ``linspace(0, 100, bins + 1)``)."""
    return np.linspace(0, 100, bins + 1)


def quantile_edges(quantiles: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A numeric feature's edges from its :func:`edge_percentiles` values: the inner ones,
    repeats dropped, between ``-inf`` and ``+inf``. The one rule of every fitting path
    (:meth:`Reference.fit`, :func:`monitor.spark.fit_reference`)."""
    inner = quantiles[1:-1]
    inner = inner[~np.isnan(inner)]  # only possible with +-inf data (inf - inf)
    inner = np.unique(inner)  # drops repeated quantiles (ties), sorted
    inner = inner[np.isfinite(inner)]
    return np.concatenate(([-np.inf], inner, [np.inf]))


def _quantile_edges(col: npt.NDArray[np.float64], bins: int) -> tuple[npt.NDArray[np.float64], int]:
    sel = Selector(col)
    nvalid = sel.n - sel.nan
    if nvalid == 0:
        raise InvalidArgumentError("cannot fit quantile edges: every value of the feature is NaN")
    if bins == 1:
        return np.array([-np.inf, np.inf]), sel.nan
    return quantile_edges(percentile_of(sel, edge_percentiles(bins), nvalid)), sel.nan


def _numeric(col: npt.NDArray[Any], name: str, row_offset: int = 0) -> npt.NDArray[np.float64]:
    """A numeric feature's column as float64; a value that is not a number is an error naming
    the column and the row (1-based, counting from ``row_offset``)."""
    if col.dtype.kind in "iufb":
        return as_float64(col, f"column {name!r}")
    miss = missing_mask(col)
    out = np.full(col.shape[0], np.nan)
    for i in np.flatnonzero(~miss):
        v = col[i]
        try:
            if isinstance(v, (bytes, bool)) or isinstance(v, np.bool_):
                raise ValueError
            out[i] = float(v)
        except (TypeError, ValueError, OverflowError):
            raise InvalidArgumentError(
                f"column {name!r}, row {row_offset + int(i) + 1}: {v!r} is not a number "
                "(the feature is numeric)"
            ) from None
    return out


class Reference:
    """A reference profile: per-feature edges and reference counts (see the module doc)."""

    __slots__ = ("features", "rows")

    def __init__(self, features: Sequence[FeatureProfile], rows: int) -> None:
        if not features:
            raise InvalidArgumentError("a reference needs at least one feature")
        names = [f.name for f in features]
        if len(set(names)) != len(names):
            raise InvalidArgumentError(f"feature names must be unique, got {names}")
        self.features: tuple[FeatureProfile, ...] = tuple(features)
        self.rows = int(rows)

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        data: Any,
        bins: int = 10,
        names: Sequence[str] | None = None,
        categorical: Iterable[str | int] | None = None,
        top_k: int = TOP_K_DEFAULT,
    ) -> Reference:
        """Fit edges and counts from ``data``.

        Named data (a mapping of columns, a DataFrame, a record array, an Arrow table) keeps its
        column names; ``names`` then selects and orders the columns to fit (missing names are an
        error). String (object, ``category``) columns are categorical by their dtype and keep
        their ``top_k`` most frequent labels plus "other" (see the module doc). Unnamed data is
        1-D (one feature) or 2-D ``(n, F)`` of a real dtype, named ``names`` (default ``"f0"``,
        ``"f1"``, ...).

        ``bins``: quantile bins per numeric feature (1..4096; repeated quantiles are dropped).
        ``categorical``: names or column indices of the features that hold integer category codes
        (or labels). ``top_k`` (1..2048, default 50): categories kept per categorical feature,
        labels and integer codes alike; the rest is "other" (see the module doc).
        """
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 1 <= bins <= MAX_BINS:
            raise InvalidArgumentError(f"bins must be an integer in [1, {MAX_BINS}], got {bins!r}")
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or not 1 <= top_k <= 2048:
            raise InvalidArgumentError(f"top_k must be an integer in [1, 2048], got {top_k!r}")
        if column_names(data) is not None:
            if names is None:
                cnames, cols = named_columns(data)
                assert cnames is not None
            else:
                cnames = [names] if isinstance(names, str) else [str(s) for s in names]
                picked = select_columns(data, cnames, what="data", allow_extra=True)
                assert picked is not None
                cols = picked
            cols = [np.asarray(c).reshape(-1) if np.ndim(c) != 1 else np.asarray(c) for c in cols]
            lens = {c.shape[0] for c in cols}
            if len(lens) > 1:
                raise InvalidArgumentError(f"columns have different lengths {sorted(lens)}")
        else:
            x = as_float64(data, "data", ndim=(1, 2))
            if x.ndim == 1:
                x = x.reshape(-1, 1)
            if names is None:
                names = [f"f{i}" for i in range(x.shape[1])]
            cnames = [str(s) for s in names] if not isinstance(names, str) else [names]
            if len(cnames) != x.shape[1]:
                raise InvalidArgumentError(f"names has {len(cnames)} entries for {x.shape[1]} features")
            cols = [np.ascontiguousarray(x[:, f]) for f in range(x.shape[1])]
        nfeat = len(cols)
        n = cols[0].shape[0] if cols else 0
        if nfeat == 0:
            raise InvalidArgumentError("data has no columns")
        if n == 0:
            raise InvalidArgumentError("data has no rows")
        cat_idx: set[int] = set()
        for c in categorical or ():
            if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
                if not 0 <= c < nfeat:
                    raise InvalidArgumentError(f"categorical index {c} out of range for {nfeat} features")
                cat_idx.add(int(c))
            elif isinstance(c, str) and c in cnames:
                cat_idx.add(cnames.index(c))
            else:
                raise InvalidArgumentError(f"categorical: unknown feature {c!r} (features: {cnames})")
        feats = []
        for f in range(nfeat):
            raw = cols[f]
            labels: tuple[str | None, ...] | None = None
            if is_label_column(raw):
                labels = fit_label_column(raw, cnames[f], int(top_k))
                col = encode_labels(raw, labels)
                edges = code_edges(np.arange(len(labels), dtype=np.float64))
                kind = "categorical"
            else:
                col = np.ascontiguousarray(_numeric(raw, cnames[f]))
                if f in cat_idx or raw.dtype.kind == "b":
                    edges = categorical_edges(col, cnames[f], int(top_k))
                    kind = "categorical"
                else:
                    try:
                        edges, _ = _quantile_edges(col, int(bins))
                    except InvalidArgumentError as exc:
                        raise InvalidArgumentError(f"feature {cnames[f]!r}: {exc}") from None
                    kind = "numeric"
            bc = Binner(edges).count(col)
            feats.append(
                FeatureProfile(
                    cnames[f],
                    kind,
                    _readonly(edges),
                    _readonly(bc.counts),
                    bc.nan,
                    bc.below,
                    bc.above,
                    labels,
                )
            )
        return cls(feats, n)

    def encode(self, data: Any, *, allow_extra: bool = False, row_offset: int = 0) -> npt.NDArray[np.float64]:
        """The rows of ``data`` as the ``(n, F)`` float64 matrix :class:`~monitor.DriftMonitor`
        bins, in the reference's feature order: named data is matched by name (a missing
        column, or an extra one unless ``allow_extra``, is a
        :class:`~monitor.errors.ConfigMismatchError`), labelled features are encoded (see the
        module doc), numeric columns converted (a value that is not a number is an error
        naming the column and its row, counted from ``row_offset``)."""
        picked = select_columns(data, self.names, what="data", allow_extra=allow_extra)
        if picked is None:
            x = np.asarray(data)
            if x.ndim == 1 and len(self.features) == 1:
                x = x.reshape(-1, 1)
            if x.ndim != 2 or x.shape[1] != len(self.features):
                raise ConfigMismatchError(
                    f"data of shape {x.shape} does not match the reference's {len(self.features)} "
                    f"features {list(self.names)}"
                )
            picked = [x[:, i] for i in range(x.shape[1])]
        cols = [np.asarray(c) for c in picked]
        n = cols[0].shape[0]
        if any(c.ndim != 1 or c.shape[0] != n for c in cols):
            raise InvalidArgumentError("every column must be 1-D and of the same length")
        out = np.empty((n, len(cols)), dtype=np.float64)
        for i, (prof, col) in enumerate(zip(self.features, cols)):
            if prof.labels is not None:
                out[:, i] = encode_labels(col, prof.labels)
            else:
                out[:, i] = _numeric(col, prof.name, row_offset)
        return out

    # ------------------------------------------------------------------ accessors
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, name: str) -> FeatureProfile:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reference):
            return NotImplemented
        return self._body() == other._body()

    def __repr__(self) -> str:
        return f"Reference(rows={self.rows}, features={list(self.names)})"

    # ------------------------------------------------------------------ file format
    def _body(self) -> dict[str, Any]:
        feats: list[dict[str, Any]] = []
        for f in self.features:
            fd: dict[str, Any] = {
                "name": f.name,
                "kind": f.kind,
                "edges": [float(e).hex() for e in f.edges],
                "counts": [int(c) for c in f.counts],
                "nan": f.nan,
                "below": f.below,
                "above": f.above,
            }
            if f.labels is not None:
                fd["labels"] = list(f.labels)
            feats.append(fd)
        labelled = any(f.labels is not None for f in self.features)
        return {"format": FORMAT, "version": 2 if labelled else 1, "rows": self.rows, "features": feats}

    @property
    def digest(self) -> str:
        """``"sha256:<hex>"``: the digest a saved file of this profile carries."""
        return _digest(self._body())

    def to_json(self) -> str:
        """The file content (see the module doc): canonical JSON plus the digest."""
        body = self._body()
        doc = dict(body, digest=_digest(body))
        return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=True) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the profile to ``path`` atomically: a temporary file of a unique name in the
        same folder, then ``os.replace`` (concurrent saves to one path never collide; the file
        is always one complete profile)."""
        text = self.to_json()
        write_text_atomic(path, text)

    def to_bytes(self) -> bytes:
        """The binary form (version 1, little-endian, SHA-256 and CRC-32C checked; layout in
        ``csrc/mon_reference.h``) that ``mon_reference_load`` reads on a device: the same
        edges, counts and labels, and the same digest as :meth:`to_json`'s file."""
        raw = [
            RawFeature(f.name, f.kind, f.edges, f.counts, f.nan, f.below, f.above, f.labels)
            for f in self.features
        ]
        return encode(self.rows, bytes.fromhex(self.digest[7:]), raw)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Reference:
        """Decode :meth:`to_bytes` output: length, magic, version, CRC-32C, SHA-256, every field,
        and the carried JSON digest recomputed; raises :class:`CorruptDataError`."""
        rows, digest, raw = decode(data)
        feats = [
            FeatureProfile(
                f.name, f.kind, _readonly(f.edges), _readonly(f.counts), f.nan, f.below, f.above, f.labels
            )
            for f in raw
        ]
        try:
            ref = cls(feats, rows)
        except InvalidArgumentError as exc:
            raise CorruptDataError(f"binary reference: {exc}") from None
        if ref.digest != "sha256:" + digest.hex():
            raise CorruptDataError(
                "binary reference: the carried digest is not the digest of its content "
                f"(carried sha256:{digest.hex()}, content {ref.digest})"
            )
        return ref

    @classmethod
    def from_json(cls, text: str) -> Reference:
        """Parse and validate file content; raises :class:`CorruptDataError`."""
        try:
            doc = json.loads(text, parse_int=_parse_int)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise CorruptDataError(
                f"reference file is not valid JSON (truncated or damaged?): {exc}"
            ) from None
        if not isinstance(doc, dict):
            raise CorruptDataError("reference file: the top level must be a JSON object")
        unknown = set(doc) - _TOP_KEYS
        missing = _TOP_KEYS - set(doc)
        if unknown:
            raise CorruptDataError(f"reference file: unknown field(s) {sorted(unknown)}")
        if missing:
            raise CorruptDataError(f"reference file: missing field(s) {sorted(missing)}")
        if doc["format"] != FORMAT:
            raise CorruptDataError(f"reference file: format is {doc['format']!r}, expected {FORMAT!r}")
        huge = _find_huge(doc, "")
        if huge is not None:
            raise CorruptDataError(
                f"reference file: {huge[0]} is an integer of {huge[1]} digits; values in a reference "
                f"file are integers below 2**64 (at most {_MAX_DIGITS} digits)"
            )
        if isinstance(doc["version"], bool) or doc["version"] not in _VERSIONS:
            raise CorruptDataError(
                f"reference file: unsupported version {doc['version']!r} (this build reads versions "
                f"{', '.join(map(str, _VERSIONS))})"
            )
        digest = doc.pop("digest")
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            raise CorruptDataError("reference file: digest must be 'sha256:' followed by 64 hex digits")
        if _digest(doc) != digest:
            raise CorruptDataError("reference file: digest mismatch, the content was modified or corrupted")
        return cls._from_body(doc)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Reference:
        """Read a profile written by :meth:`save`; raises :class:`CorruptDataError` for a
        truncated, modified, wrong-version or unknown-field file."""
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CorruptDataError("reference file is not UTF-8 text") from None
        return cls.from_json(text)

    @classmethod
    def _from_body(cls, doc: dict[str, Any]) -> Reference:
        rows = _uint(doc["rows"], "rows")
        feats_doc = doc["features"]
        if not isinstance(feats_doc, list) or not feats_doc:
            raise CorruptDataError("reference file: features must be a non-empty list")
        feats = []
        total_check = []
        for i, fd in enumerate(feats_doc):
            where = f"features[{i}]"
            keys = set(fd) if isinstance(fd, dict) else None
            if keys is None or not (
                keys == _FEATURE_KEYS or (doc["version"] >= 2 and keys == _FEATURE_KEYS | {"labels"})
            ):
                got = sorted(fd) if isinstance(fd, dict) else type(fd).__name__
                raise CorruptDataError(
                    f"reference file: {where} must have exactly the fields {sorted(_FEATURE_KEYS)}"
                    f"{' (and labels, version 2)' if doc['version'] >= 2 else ''}, got {got}"
                )
            if not isinstance(fd["name"], str):
                raise CorruptDataError(f"reference file: {where}.name must be a string")
            if fd["kind"] not in ("numeric", "categorical"):
                raise CorruptDataError(f"reference file: {where}.kind must be 'numeric' or 'categorical'")
            edges_doc = fd["edges"]
            if (
                not isinstance(edges_doc, list)
                or len(edges_doc) < 2
                or not all(isinstance(e, str) for e in edges_doc)
            ):
                raise CorruptDataError(
                    f"reference file: {where}.edges must be a list of >= 2 float.hex strings"
                )
            try:
                edges = np.array([float.fromhex(e) for e in edges_doc], dtype=np.float64)
            except (ValueError, OverflowError):
                raise CorruptDataError(
                    f"reference file: {where}.edges holds a value that is not a float.hex string"
                ) from None
            if np.isnan(edges).any() or not (edges[1:] > edges[:-1]).all():
                raise CorruptDataError(
                    f"reference file: {where}.edges must be strictly increasing and not NaN"
                )
            if fd["kind"] == "categorical" and edges.size % 2 == 0:
                raise CorruptDataError(
                    f"reference file: {where}: a categorical feature has an odd number of edges"
                )
            counts_doc = fd["counts"]
            if not isinstance(counts_doc, list) or len(counts_doc) != edges.size - 1:
                raise CorruptDataError(
                    f"reference file: {where}.counts must list one count per bin ({edges.size - 1})"
                )
            counts = np.array([_uint(c, f"{where}.counts") for c in counts_doc], dtype=np.uint64)
            nan, below, above = (_uint(fd[k], f"{where}.{k}") for k in ("nan", "below", "above"))
            total_check.append(sum(int(c) for c in counts_doc) + nan + below + above)
            labels = _labels_of(fd, edges, where) if "labels" in fd else None
            feats.append(
                FeatureProfile(
                    fd["name"], fd["kind"], _readonly(edges), _readonly(counts), nan, below, above, labels
                )
            )
        if any(t != rows for t in total_check):
            raise CorruptDataError(
                "reference file: per-feature totals (counts + nan + below + above) differ from rows"
            )
        try:
            return cls(feats, rows)
        except InvalidArgumentError as exc:
            raise CorruptDataError(f"reference file: {exc}") from None


def _uint(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < _U64:
        raise CorruptDataError(f"reference file: {what} must be an integer in [0, 2**64)")
    return v


def _digest(body: dict[str, Any]) -> str:
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()


class _HugeInt:
    """A JSON integer too long to be a count (parsed lazily: never handed to int())."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _HugeInt:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= _MAX_DIGITS else _HugeInt(digits)


def _find_huge(node: Any, path: str) -> tuple[str, int] | None:
    """(field path, digits) of the first over-long integer in a parsed document, or None."""
    stack: list[tuple[Any, str]] = [(node, path)]
    while stack:
        v, where = stack.pop()
        if isinstance(v, _HugeInt):
            return where or "the document", v.digits
        if isinstance(v, dict):
            stack.extend((v[k], f"{where}.{k}" if where else str(k)) for k in reversed(list(v)))
        elif isinstance(v, list):
            stack.extend((x, f"{where}[{i}]") for i, x in reversed(list(enumerate(v))))
    return None


def _labels_of(fd: dict[str, Any], edges: npt.NDArray[np.float64], where: str) -> tuple[str | None, ...]:
    labels = fd["labels"]
    ncat = (edges.size - 1) // 2
    ok = (
        fd["kind"] == "categorical"
        and isinstance(labels, list)
        and len(labels) == ncat
        and all(isinstance(x, str) for x in labels[:-1])
        and (isinstance(labels[-1], str) or labels[-1] is None)
        and len(set(labels)) == len(labels)
    )
    if not ok:
        raise CorruptDataError(
            f"reference file: {where}.labels must list one unique string per category ({ncat}), "
            "the last one may be null ('other'), on a categorical feature"
        )
    if not np.array_equal(edges[0:-1:2], np.arange(ncat, dtype=np.float64)):
        raise CorruptDataError(
            f"reference file: {where}: labelled categories must be the codes 0..{ncat - 1}"
        )
    return tuple(labels)
