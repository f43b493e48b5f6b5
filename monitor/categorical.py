"""Categorical features of a reference: the integer codes it keeps (all, or the top K plus
"other") and their bins ``{c}``, and labelled features (strings): the labels kept, and a column
of labels as category codes. The rules are described in :mod:`monitor.reference`'s module doc;
:meth:`monitor.reference.Reference.fit`, :mod:`monitor.profile`, :mod:`monitor.spark` and the
command line all use these functions (re-exported by :mod:`monitor.reference`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InvalidArgumentError

#: At most this many integer codes without ``top_k`` (each code is a bin ``{c}`` and the gaps
#: between them bins too: ``2 * MAX_CODES`` = :data:`monitor.reference.MAX_BINS`).
MAX_CODES = 2048

__all__ = [
    "MAX_CODES",
    "categorical_edges",
    "code_edges",
    "encode_labels",
    "fit_label_column",
    "fit_labels",
    "is_label_column",
    "is_missing",
    "missing_mask",
    "top_codes",
]


def categorical_edges(
    col: npt.NDArray[np.float64], name: str, top_k: int | None = None
) -> npt.NDArray[np.float64]:
    """A categorical feature's edges: one bin ``{c}`` per integer code ``c`` in ``col`` (NaN
    ignored). With ``top_k``, only the ``top_k`` most frequent codes (ties: the smaller code
    first) get a bin when ``col`` has more; the other codes fall between the bins, in "other"
    (see the module doc). Without it, at most ``MAX_CODES`` codes."""
    vals = col[~np.isnan(col)]
    if vals.size == 0:
        raise InvalidArgumentError(f"categorical feature {name!r}: every value is NaN")
    cats, counts = np.unique(vals, return_counts=True)
    return code_edges(top_codes(cats, counts, name, top_k))


def top_codes(
    cats: npt.NDArray[np.float64], counts: npt.NDArray[Any], name: str, top_k: int | None
) -> npt.NDArray[np.float64]:
    """The codes an integer-coded feature keeps from its distinct reference codes ``cats``
    (sorted) and their ``counts``: all of them, or the ``top_k`` most frequent (ties: the
    smaller code first), sorted. The one rule of :meth:`Reference.fit` and
    :func:`monitor.spark.fit_reference`."""
    if not (np.isfinite(cats).all() and (cats == np.round(cats)).all() and (np.abs(cats) <= 2**53).all()):
        raise InvalidArgumentError(
            f"categorical feature {name!r} must hold integer codes with |code| <= 2**53"
        )
    cats = cats + 0.0  # -0.0 and +0.0 are one code, written as +0.0 whichever came first
    if top_k is None:
        if cats.size > MAX_CODES:
            raise InvalidArgumentError(
                f"categorical feature {name!r} has {cats.size} distinct codes, at most {MAX_CODES} "
                "are supported (give top_k to keep the most frequent plus 'other')"
            )
        return cats
    if cats.size <= top_k:
        return cats
    order = np.lexsort((cats, -np.asarray(counts, dtype=np.int64)))  # most frequent first
    return np.sort(cats[order[:top_k]])


def code_edges(cats: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The edges of the bins ``{c}`` of the sorted integer codes ``cats``."""
    up = np.nextafter(cats, np.inf)
    edges = np.empty(2 * cats.size + 1)
    edges[0:-1:2] = cats
    edges[1::2] = up
    edges[-1] = np.nextafter(up[-1], np.inf)
    return edges


def is_missing(v: Any) -> bool:
    """True for a missing value: None, a float NaN, pandas' NA / NaT."""
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(v != v)
    return type(v).__name__ in ("NAType", "NaTType")


def missing_mask(col: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """The missing values of a column (:func:`is_missing`); a string column has none."""
    if col.dtype.kind in "US":
        return np.zeros(col.shape, dtype=bool)
    return np.fromiter((is_missing(v) for v in col), dtype=bool, count=col.size)


def is_label_column(col: npt.NDArray[Any]) -> bool:
    """True when a column holds labels (strings) rather than numbers: a string dtype, or an
    object column with a non-missing value that is not a real number."""
    if col.dtype.kind in "US":
        return True
    if col.dtype.kind != "O":
        return False
    for v in col:
        if not is_missing(v) and not isinstance(v, (int, float, np.integer, np.floating)):
            return True
    return False


def fit_label_column(col: npt.NDArray[Any], name: str, top_k: int) -> tuple[str | None, ...]:
    """The labels a labelled feature keeps from a column of labels (:func:`fit_labels`)."""
    miss = missing_mask(col)
    vals = col[~miss].astype(str)
    if vals.size == 0:
        raise InvalidArgumentError(f"categorical feature {name!r}: every value is missing")
    uniq, counts = np.unique(vals, return_counts=True)
    return fit_labels(uniq, counts, top_k)


def fit_labels(uniq: Any, counts: Any, top_k: int) -> tuple[str | None, ...]:
    """The labels a labelled feature keeps from its distinct reference labels ``uniq`` (sorted)
    and their ``counts``: the ``top_k`` most frequent (ties by label), then ``None`` ("other")
    when there are more. The one rule of :meth:`Reference.fit` and
    :func:`monitor.spark.fit_reference`."""
    uniq, counts = np.asarray(uniq), np.asarray(counts, dtype=np.int64)
    order = np.lexsort((uniq, -counts))  # most frequent first, ties by label
    kept: list[str | None] = [str(u) for u in uniq[order[:top_k]]]
    if uniq.size > top_k:
        kept.append(None)  # "other": the reference's labels beyond the top K
    return tuple(kept)


def encode_labels(col: npt.NDArray[Any], labels: tuple[str | None, ...]) -> npt.NDArray[np.float64]:
    """A column of labels as the category codes of a labelled feature (see the module doc): a
    kept label its code, any other label "other" when ``labels`` ends with it (``None``) or
    ``-1`` (unseen) otherwise, a missing value NaN."""
    lookup = {lab: float(i) for i, lab in enumerate(labels) if lab is not None}
    fallback = float(len(labels) - 1) if labels[-1] is None else -1.0  # "other", or unseen
    out = np.full(col.shape[0], np.nan)
    miss = missing_mask(col)
    vals = col[~miss].astype(str)
    if vals.size:
        uniq, inv = np.unique(vals, return_inverse=True)
        codes = np.array([lookup.get(str(u), fallback) for u in uniq], dtype=np.float64)
        out[~miss] = codes[inv.reshape(-1)]
    return out
