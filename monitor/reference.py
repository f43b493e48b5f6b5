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

File format (version 1), UTF-8 JSON::

    {"format": "monitor.reference", "version": 1, "rows": <int>,
     "features": [{"name": str, "kind": "numeric" | "categorical",
                   "edges": [float.hex strings], "counts": [int, ...],
                   "nan": int, "below": int, "above": int}, ...],
     "digest": "sha256:<64 hex digits>"}

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
from .errors import CorruptDataError, InvalidArgumentError
from .quantiles import Selector, percentile_of

__all__ = [
    "FeatureProfile",
    "Reference",
    "FORMAT",
    "VERSION",
    "edge_percentiles",
    "quantile_edges",
    "categorical_edges",
    "MAX_BINS",
]

FORMAT = "monitor.reference"
VERSION = 1
MAX_BINS = 4096
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
    repeats dropped, between ``-inf`` and ``+inf``. The one rule for every fitting path
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


def categorical_edges(col: npt.NDArray[np.float64], name: str) -> npt.NDArray[np.float64]:
    """A categorical feature's edges: one bin ``{c}`` per code ``c`` in ``col`` (NaN ignored)."""
    vals = col[~np.isnan(col)]
    if vals.size == 0:
        raise InvalidArgumentError(f"categorical feature {name!r}: every value is NaN")
    cats = np.unique(vals)
    if not (np.isfinite(cats).all() and (cats == np.round(cats)).all() and (np.abs(cats) <= 2**53).all()):
        raise InvalidArgumentError(
            f"categorical feature {name!r} must hold integer codes with |code| <= 2**53"
        )
    up = np.nextafter(cats, np.inf)
    edges = np.empty(2 * cats.size + 1)
    edges[0:-1:2] = cats
    edges[1::2] = up
    edges[-1] = np.nextafter(up[-1], np.inf)
    return edges


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
    ) -> Reference:
        """Fit edges and counts from ``data``: 1-D (one feature) or 2-D ``(n, F)``, real dtype.

        ``bins``: quantile bins per numeric feature (1..4096; repeated quantiles are dropped).
        ``names``: F unique names (default ``"f0"``, ``"f1"``, ...). ``categorical``: names or
        column indices of the features that hold integer category codes.
        """
        x = as_float64(data, "data", ndim=(1, 2))
        if x.ndim == 1:
            x = x.reshape(-1, 1)
        n, nfeat = x.shape
        if n == 0:
            raise InvalidArgumentError("data has no rows")
        if nfeat == 0:
            raise InvalidArgumentError("data has no columns")
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 1 <= bins <= MAX_BINS:
            raise InvalidArgumentError(f"bins must be an integer in [1, {MAX_BINS}], got {bins!r}")
        if names is None:
            names = [f"f{i}" for i in range(nfeat)]
        names = [str(s) for s in names] if not isinstance(names, str) else [names]
        if len(names) != nfeat:
            raise InvalidArgumentError(f"names has {len(names)} entries for {nfeat} features")
        cat_idx: set[int] = set()
        for c in categorical or ():
            if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
                if not 0 <= c < nfeat:
                    raise InvalidArgumentError(f"categorical index {c} out of range for {nfeat} features")
                cat_idx.add(int(c))
            elif isinstance(c, str) and c in names:
                cat_idx.add(names.index(c))
            else:
                raise InvalidArgumentError(f"categorical: unknown feature {c!r}")
        feats = []
        for f in range(nfeat):
            col = np.ascontiguousarray(x[:, f])
            if f in cat_idx:
                edges = categorical_edges(col, names[f])
                kind = "categorical"
            else:
                edges, _ = _quantile_edges(col, int(bins))
                kind = "numeric"
            bc = Binner(edges).count(col)
            feats.append(
                FeatureProfile(
                    names[f], kind, _readonly(edges), _readonly(bc.counts), bc.nan, bc.below, bc.above
                )
            )
        return cls(feats, n)

    # ------------------------------------------------------------------ accessors
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def __len__(self) -> int:
        return len(self.features)

    @property
    def digest(self) -> str:
        """``"sha256:..."``: the digest its file carries (over the canonical body), which
        identifies the reference in drift profiles."""
        return _digest(self._body())

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
        return {
            "format": FORMAT,
            "version": VERSION,
            "rows": self.rows,
            "features": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "edges": [float(e).hex() for e in f.edges],
                    "counts": [int(c) for c in f.counts],
                    "nan": f.nan,
                    "below": f.below,
                    "above": f.above,
                }
                for f in self.features
            ],
        }

    def to_json(self) -> str:
        """The file content (see the module doc): canonical JSON plus the digest."""
        body = self._body()
        doc = dict(body, digest=_digest(body))
        return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=True) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the profile to ``path`` atomically (temporary file, then rename)."""
        text = self.to_json()
        tmp = f"{os.fspath(path)}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)

    @classmethod
    def from_json(cls, text: str) -> Reference:
        """Parse and validate file content; raises :class:`CorruptDataError`."""
        try:
            doc = json.loads(text)
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
        if doc["version"] != VERSION or isinstance(doc["version"], bool):
            raise CorruptDataError(
                f"reference file: unsupported version {doc['version']!r} (this build reads version {VERSION})"
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
            if not isinstance(fd, dict) or set(fd) != _FEATURE_KEYS:
                got = sorted(fd) if isinstance(fd, dict) else type(fd).__name__
                raise CorruptDataError(
                    f"reference file: {where} must have exactly the fields {sorted(_FEATURE_KEYS)}, got {got}"
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
            feats.append(
                FeatureProfile(fd["name"], fd["kind"], _readonly(edges), _readonly(counts), nan, below, above)
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
