"""Drift on Apache Spark, exact for any partitioning (``pip install 'monitor[spark]'``).

- :func:`profile` — the :class:`~monitor.DriftProfile` of a DataFrame against a reference,
  counted in the JVM (default, ``engine="sql"``: each value's bin as a Spark SQL expression of
  the edges, one ``groupBy().count()`` of the (feature, bin) keys; nothing to install on the
  executors); or ``engine="arrow"``: each partition's Arrow batches go to the C binner through
  ``mapInArrow`` and come back as profile bytes, merged exactly. The result is byte-identical to :func:`monitor.profile.profile_batch` on the
  collected rows, for any number of partitions and any row order.
- :func:`fit_reference` — a :class:`~monitor.Reference` fitted on a DataFrame, bit-identical to
  :meth:`Reference.fit <monitor.Reference.fit>` on the collected rows (same edges, counts and
  digest), without collecting them.

How :func:`fit_reference` finds exact quantiles: every non-NaN double maps to an
order-preserving 64-bit key (the C selection's key: ``-0.0`` and ``+0.0`` share one). The first
scan counts each column's values, NaN and the histogram of the keys' top 12 bits (sign and
exponent: one bucket per binade) and, for categorical columns, their distinct codes. Each
wanted rank then lies in one bucket; a bucket holding at most :data:`COLLECT_LIMIT` values is
collected to the driver and the rank selected there exactly; a larger one is split by the next
12 key bits in the next scan. So a quantile is resolved after at most six splitting scans (64
key bits; a bucket of one key is resolved without collecting) and one collecting scan, usually
two or three in all; a last scan counts the reference's bins with the final edges. Each task
holds, per column, one 4,096-bucket histogram (32 KiB) per unresolved bucket (at most two per
wanted percentile), and the driver at most :data:`COLLECT_LIMIT` keys per collected bucket.
Cache the DataFrame (``df.cache()``) if computing it is expensive: it is scanned several times.

Columns: integer, floating-point and boolean Spark types (nulls count as NaN, as pandas and
Arrow nulls do everywhere in monitor), and strings for labelled categorical features (fitted
with their top K labels plus "other", as :meth:`Reference.fit <monitor.Reference.fit>` fits
them); other types are refused naming the column (cast decimals with ``col.cast("double")``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import ConfigMismatchError, InvalidArgumentError, InvalidTypeError
from .profile import DriftProfile, Profiler, merge_profiles
from .quantiles import interpolate, percentile_ranks
from .reference import (
    MAX_BINS,
    TOP_K_DEFAULT,
    FeatureProfile,
    Reference,
    code_edges,
    edge_percentiles,
    fit_labels,
    quantile_edges,
    top_codes,
)
from .tabular import select_columns

__all__ = [
    "profile",
    "fit_reference",
    "COLLECT_LIMIT",
    "DIGIT_BITS",
    "SQL_MAX_COUNTERS",
    "ARROW_BATCH_ROWS",
    "DEFAULT_ENGINE",
]

DIGIT_BITS = 12
"""Key bits resolved per splitting scan of :func:`fit_reference`."""
COLLECT_LIMIT = 1 << 16
"""A bucket holding at most this many values is collected to the driver and selected there."""
_MAX_CATEGORIES = 1 << 16
ARROW_BATCH_ROWS = 1 << 17
"""Rows per Arrow batch of ``engine="arrow"``: ``spark.sql.execution.arrow.maxRecordsPerBatch``
is set to it for the call and unset after, unless the session sets it (then the session's value
is kept). A task holds about one batch: 8 bytes per row and column (10 MiB for 10 columns)."""
SQL_MAX_COUNTERS = 8192
"""The most counters (bins + 3 per feature) :func:`profile` counts with Spark SQL (beyond: the
Arrow path, whose expressions stay small)."""
_SQL_PAIR_KEYS = 4096  # the most keys of a feature pair counted together (else one per feature)
_SIGN = np.uint64(1 << 63)
_MAG = np.uint64((1 << 63) - 1)


def _require_spark() -> Any:
    try:
        from pyspark.sql import types as T  # noqa: N812 (Spark's own convention)
    except ImportError:
        raise ImportError(
            "monitor.spark needs PySpark: pip install 'monitor[spark]' (and a Java runtime)"
        ) from None
    return T


def _collect_python(frame: Any) -> list[Any]:
    """``frame.collect()`` for a frame whose tasks run monitor in the executors' Python workers
    (``mapInArrow``); a worker that cannot import monitor (or pyarrow) becomes one clear error
    instead of a JVM stack trace."""
    try:
        return list(frame.collect())
    except Exception as e:
        text = str(e)
        for mod in ("monitor", "pyarrow"):
            if f"No module named '{mod}'" in text:
                raise ImportError(
                    f"the Spark executors' Python workers cannot import {mod}: install "
                    "'monitor[spark]' in the interpreter they run, or point PYSPARK_PYTHON "
                    "(spark.pyspark.python under spark-submit) at one that has it; "
                    "profile(engine='sql') runs in the JVM only"
                ) from e
        raise


def _check_columns(df: Any, names: Sequence[str], strings: Sequence[str] = ()) -> set[str]:
    """Every name is a column of ``df`` of a numeric (or boolean) Spark type, or a string column
    when it is in ``strings`` (a labelled feature; ``"*"``: any). Returns the string columns."""
    T = _require_spark()  # noqa: N806
    if not hasattr(df, "schema") or not hasattr(df, "mapInArrow"):
        raise InvalidTypeError(f"df must be a pyspark.sql.DataFrame, got {type(df).__name__}")
    fields = {f.name: f.dataType for f in df.schema.fields}
    missing = [n for n in names if n not in fields]
    if missing:
        raise ConfigMismatchError(f"DataFrame has no column(s) {missing!r}; its columns are {list(fields)!r}")
    ok = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.BooleanType)
    found = set()
    for n in names:
        if isinstance(fields[n], T.StringType) and ("*" in strings or n in strings):
            found.add(n)
        elif not isinstance(fields[n], ok):
            what = "a number or a string" if "*" in strings else "a number"
            hint = ""
            if isinstance(fields[n], T.StringType):
                hint = " (a string column needs a reference feature fitted on labels)"
            raise InvalidTypeError(
                f"column {n!r} has Spark type {fields[n].simpleString()}, expected {what} "
                f"(integer, float, double or boolean; cast it, e.g. col({n!r}).cast('double')){hint}"
            )
    return found


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# ---------------------------------------------------------------------------- profiles
DEFAULT_ENGINE = "sql"
"""The engine :func:`profile` uses by default: the one that used the least CPU per row in
benchmarks/bench_spark.py (10^6 and 10^7 rows x 10 columns, local[2]), and needs nothing
installed on the executors."""


def profile(
    df: Any, reference: Reference, columns: Sequence[str] | None = None, *, engine: str = DEFAULT_ENGINE
) -> DriftProfile:
    """The drift profile of ``df``'s rows against ``reference`` (see the module doc). Columns
    are matched by name: ``columns`` (default: every feature of the reference) must be features
    of the reference and columns of ``df``; other columns of ``df`` are ignored.

    ``engine="arrow"``: each partition's Arrow batches
    (:data:`ARROW_BATCH_ROWS` rows each) go to the C binner in the Python worker (``mapInArrow``;
    float64 columns without nulls zero-copy; integers never rounded, nulls counted as NaN,
    booleans as 0/1, labels encoded as :meth:`Reference.fit <monitor.Reference.fit>` encodes
    them) and each partition's profile travels back as bytes, merged exactly on the driver. It
    needs monitor (and pyarrow) installed where the executors run Python.

    ``engine="sql"`` (default, :data:`DEFAULT_ENGINE`) counts in the JVM, with nothing installed
    on the executors: each feature's bin index is a Spark SQL
    expression built from the edges (a binary search of comparisons that follows the C binner's
    rules: null and NaN count as NaN, ``-0.0 == +0.0``, bin i is ``[e_i, e_i+1)`` and the last
    one closed, integer columns compared with exact integer thresholds, so integers beyond 2**53
    are never rounded), and one aggregation counts every (feature, bin) pair: one pass over
    ``df`` (each row's keys, one per pair of features, exploded and counted by one
    ``groupBy().count()``)
    and no rows sent to Python. Labels are matched as strings the same way. When the
    features have more than :data:`SQL_MAX_COUNTERS` bins in all, or with
    ``engine="arrow"``, the Arrow path is taken. Both give the same bytes as
    :func:`~monitor.profile.profile_batch` on the collected rows."""
    if not isinstance(reference, Reference):
        raise InvalidTypeError(f"reference must be a monitor.Reference, got {type(reference).__name__}")
    if engine not in ("sql", "arrow"):
        raise InvalidArgumentError(f"engine must be 'sql' or 'arrow', got {engine!r}")
    names = list(reference.names) if columns is None else _feature_subset(reference, columns)
    strings = _check_columns(df, names, [f.name for f in reference.features if f.labels is not None])
    counters = sum(reference[n].nbins + 3 for n in names)
    if engine == "sql" and counters <= SQL_MAX_COUNTERS:
        return _sql_profile(df, reference, names, strings)
    ref_json = reference.to_json()

    def task(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        yield pa.RecordBatch.from_pydict({"profile": [_arrow_task(ref_json, names, batches)]})

    conf = df.sparkSession.conf
    key = "spark.sql.execution.arrow.maxRecordsPerBatch"
    mine = conf.get(key, None) is None  # the session's own setting, when it has one, is kept
    if mine:
        conf.set(key, str(ARROW_BATCH_ROWS))
    try:
        rows = _collect_python(df.select(*[_quote(n) for n in names]).mapInArrow(task, "profile binary"))
    finally:
        if mine:
            conf.unset(key)
    return merge_profiles(DriftProfile.from_bytes(r["profile"]) for r in rows)


def _arrow_task(ref_json: str, names: list[str], batches: Iterator[Any]) -> bytes:
    """One partition's profile bytes: :meth:`Profiler.add` on each Arrow batch (float64
    without nulls: zero-copy; nulls counted as NaN; integers never rounded through float64,
    exact beyond 2**53; booleans as 0 / 1)."""
    acc = Profiler(Reference.from_json(ref_json), names)
    for b in batches:
        if b.num_rows:
            acc.add(b)
    return acc.profile().to_bytes()


_NAN, _BELOW, _ABOVE = -1, -2, -3  # bin indices of the SQL path's non-bin outcomes
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _bin_index(F: Any, c: Any, edges: npt.NDArray[np.float64], integer: bool) -> Any:  # noqa: N803
    """A Spark SQL expression: the C binner's outcome for column ``c`` (bin index, or _NAN,
    _BELOW, _ABOVE). ``integer``: ``c`` is a long; it is compared with exact integer thresholds
    (an integer v is >= e exactly when v >= ceil(e), > e exactly when v > floor(e))."""
    nb = edges.size - 1

    def less(i: int) -> Any:  # c < edges[i]
        if not integer:
            return c < F.lit(float(edges[i]))
        e = float(edges[i])
        if e == np.inf:
            return F.lit(True)
        if e == -np.inf:
            return F.lit(False)
        t = math.ceil(e)
        return F.lit(True) if t > _LONG_MAX else F.lit(False) if t <= _LONG_MIN else c < F.lit(t)

    def greater_last() -> Any:  # c > edges[-1]
        e = float(edges[-1])
        if not integer:
            return c > F.lit(e)
        if e == np.inf:
            return F.lit(False)
        if e == -np.inf:
            return F.lit(True)
        t = math.floor(e)
        return F.lit(False) if t >= _LONG_MAX else F.lit(True) if t < _LONG_MIN else c > F.lit(t)

    def tree(lo: int, hi: int) -> Any:  # edges[lo] <= c <= edges[hi] (hi closed only at nb)
        if hi - lo == 1:
            return F.lit(lo)
        mid = (lo + hi) // 2
        return F.when(less(mid), tree(lo, mid)).otherwise(tree(mid, hi))

    missing = c.isNull() if integer else (c.isNull() | F.isnan(c))
    return (
        F.when(missing, F.lit(_NAN))
        .when(less(0), F.lit(_BELOW))
        .when(greater_last(), F.lit(_ABOVE))
        .otherwise(tree(0, nb))
    )


def _label_index(F: Any, c: Any, labels: tuple[str | None, ...]) -> Any:  # noqa: N803
    """A Spark SQL expression: the bin of a label as :func:`~monitor.reference.encode_labels`
    and the binner put it (label i: bin 2i; a label not kept: "other"'s bin, or below its first
    edge, i.e. unseen; null: NaN)."""
    e = F.when(c.isNull(), F.lit(_NAN))
    for i, lab in enumerate(labels):
        if lab is not None:
            e = e.when(c == F.lit(lab), F.lit(2 * i))
    return e.otherwise(F.lit(2 * (len(labels) - 1) if labels[-1] is None else _BELOW))


def _sql_profile(df: Any, reference: Reference, names: list[str], strings: set[str]) -> DriftProfile:
    from pyspark.sql import functions as F  # noqa: N812 (Spark's own convention)

    T = _require_spark()  # noqa: N806
    types = {f.name: f.dataType for f in df.schema.fields}
    idx = []
    for n in names:
        fp = reference[n]
        c = F.col(_quote(n))
        if n in strings:
            assert fp.labels is not None
            e = _label_index(F, c, fp.labels)
        else:
            t = types[n]
            integer = not isinstance(t, (T.FloatType, T.DoubleType))
            if isinstance(t, T.BooleanType):
                c = c.cast("long")
            elif isinstance(t, T.FloatType):
                c = c.cast("double")  # exact
            e = _bin_index(F, c, fp.edges, integer)
        idx.append(e)
    # Features go in pairs (when a pair's outcomes fit _SQL_PAIR_KEYS): one key per (pair,
    # outcome of the first, outcome of the second), j-th key = base_j + (o_a + 3) + s (o_b + 3)
    # with s = the most outcomes of a feature; every row gives one key per pair, exploded and
    # counted by one groupBy (Spark's partial aggregation keeps it to a few thousand keys per
    # partition before the shuffle), and each feature's counts are the sums over its partner's
    # outcomes: exact integers, half the rows through the aggregate of one key per feature.
    s_out = max(reference[n].nbins for n in names) + 3
    width = s_out * s_out if s_out * s_out <= _SQL_PAIR_KEYS else s_out
    groups = [idx[i : i + 2] for i in range(0, len(idx), 2)] if width > s_out else [[e] for e in idx]
    keys = []
    for g, members in enumerate(groups):
        k = F.lit(g * width + 3).cast("long") + members[0]
        if len(members) == 2:
            k = k + (members[1] + F.lit(3)) * F.lit(s_out)
        keys.append(k)
    tally = np.zeros((len(names), s_out), dtype=np.uint64)  # [feature, outcome + 3]
    for r in df.select(F.explode(F.array(*keys)).alias("k")).groupBy("k").count().collect():
        g, rest = divmod(int(r[0]), width)
        j = g * len(groups[0])
        tally[j, rest % s_out] += np.uint64(r[1])
        if len(groups[g]) == 2:
            tally[j + 1, rest // s_out] += np.uint64(r[1])
    counts, extra = [], []
    rows = 0
    for j, n in enumerate(names):
        nb = reference[n].nbins
        counts.append(tally[j, 3 : 3 + nb].copy())
        extra.append((int(tally[j, _NAN + 3]), int(tally[j, _BELOW + 3]), int(tally[j, _ABOVE + 3])))
        rows = int(counts[-1].sum(dtype=np.uint64)) + sum(extra[-1])  # every feature: every row
    return Profiler(reference, names).add_counts(counts, extra, rows).profile()


def _feature_subset(reference: Reference, columns: Sequence[str]) -> list[str]:
    if isinstance(columns, str):
        columns = [columns]
    cols = list(columns)
    unknown = [c for c in cols if c not in reference.names]
    if unknown:
        raise ConfigMismatchError(
            f"columns {unknown!r} are not features of the reference {list(reference.names)!r}"
        )
    return [n for n in reference.names if n in set(cols)]


# ---------------------------------------------------------------------------- exact quantiles
def _keys(x: npt.NDArray[np.float64]) -> npt.NDArray[np.uint64]:
    """Order-preserving keys of non-NaN doubles (the C selection's ``key_of``)."""
    u = x.view(np.uint64)
    mag = u & _MAG
    neg = (u >> np.uint64(63)).astype(bool)
    k = np.where(neg, np.uint64(0) - mag, mag)
    return k ^ _SIGN


def _double_of_key(k: int) -> float:
    s = (k ^ (1 << 63)) & ((1 << 64) - 1)
    bits = ((1 << 63) | ((-s) & ((1 << 64) - 1))) if s & (1 << 63) else s
    return float(np.array([bits], dtype=np.uint64).view(np.float64)[0])


def _column_values(batch: Any, name: str) -> npt.NDArray[np.float64]:
    cols = select_columns(batch, [name], what="partition", allow_extra=True)
    if cols is None:  # pragma: no cover - mapInArrow hands Arrow record batches (named)
        raise InvalidTypeError(f"a partition batch carries no column names: {type(batch).__name__}")
    return np.ascontiguousarray(cols[0], dtype=np.float64)


def _scan(df: Any, requests: list[tuple[Any, ...]]) -> list[npt.NDArray[np.uint64]]:
    """One scan of ``df``: for each request, the sum (histograms, counts) or concatenation
    (collected keys, distinct codes) over every partition. Requests:

    - ``("count", col)`` -> ``[non-NaN, NaN]``;
    - ``("hist", col, prefix, bits)`` -> histogram of the next DIGIT_BITS bits of the keys whose
      top ``bits`` bits are ``prefix``;
    - ``("collect", col, prefix, bits)`` -> those keys, unsorted;
    - ``("codes", col)`` -> ``(distinct non-NaN values, their counts)``.
    """
    reqs = list(requests)
    width = 1 << DIGIT_BITS

    def task(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        acc: dict[int, Any] = {}
        for b in batches:
            if not b.num_rows:
                continue
            cache: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.uint64]]] = {}
            for i, r in enumerate(reqs):
                kind, col = r[0], r[1]
                if col not in cache:
                    x = _column_values(b, col)
                    valid = x[~np.isnan(x)]
                    cache[col] = (x, _keys(valid))
                x, keys = cache[col]
                if kind == "count":
                    v = np.array([keys.size, x.size - keys.size], dtype=np.uint64)
                    acc[i] = acc[i] + v if i in acc else v
                elif kind == "codes":
                    u, c = np.unique(x[~np.isnan(x)], return_counts=True)
                    acc[i] = _merge_codes(acc[i], (u, c.astype(np.uint64))) if i in acc else (u, c)
                    if acc[i][0].size > _MAX_CATEGORIES:
                        raise InvalidArgumentError(
                            f"categorical column {col!r} has more than {_MAX_CATEGORIES} distinct codes"
                        )
                else:
                    prefix, bits = r[2], r[3]
                    sel = keys if bits == 0 else keys[(keys >> np.uint64(64 - bits)) == np.uint64(prefix)]
                    if kind == "hist":
                        step = min(DIGIT_BITS, 64 - bits)
                        digit = (sel >> np.uint64(64 - bits - step)) & np.uint64((1 << step) - 1)
                        h = np.bincount(digit.astype(np.intp), minlength=width).astype(np.uint64)
                        acc[i] = acc[i] + h if i in acc else h
                    else:
                        acc.setdefault(i, []).append(sel)
        ids, blobs = [], []
        for i, v in acc.items():
            if isinstance(v, list):
                v = np.concatenate(v)
            if reqs[i][0] == "codes":  # the codes' bits, then their counts
                v = np.concatenate((v[0].view(np.uint64), v[1].astype(np.uint64)))
            ids.append(i)
            blobs.append(np.ascontiguousarray(v, dtype="<u8").tobytes())
        yield pa.RecordBatch.from_pydict(
            {"req": pa.array(ids, pa.int32()), "data": pa.array(blobs, pa.binary())}
        )

    cols = sorted({r[1] for r in reqs})
    rows = _collect_python(df.select(*[_quote(c) for c in cols]).mapInArrow(task, "req int, data binary"))
    out: list[Any] = [None] * len(reqs)
    for row in rows:
        i = row["req"]
        v = np.frombuffer(row["data"], dtype="<u8").astype(np.uint64)
        kind = reqs[i][0]
        if kind == "codes":
            m = v.size // 2
            got = (v[:m].view(np.float64), v[m:])
            out[i] = got if out[i] is None else _merge_codes(out[i], got)
        elif out[i] is None:
            out[i] = v
        elif kind in ("count", "hist"):
            out[i] = out[i] + v
        else:
            out[i] = np.concatenate((out[i], v))
    for i, r in enumerate(reqs):
        if out[i] is None and r[0] == "codes":
            out[i] = (np.zeros(0), np.zeros(0, dtype=np.uint64))
        elif out[i] is None:  # no partition had a row
            out[i] = np.zeros(2 if r[0] == "count" else (width if r[0] == "hist" else 0), dtype=np.uint64)
    return out


def _merge_codes(
    a: tuple[npt.NDArray[np.float64], npt.NDArray[np.uint64]],
    b: tuple[npt.NDArray[np.float64], npt.NDArray[np.uint64]],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint64]]:
    """Distinct codes with their counts, summed exactly (uint64)."""
    codes, inv = np.unique(np.concatenate((a[0], b[0])), return_inverse=True)
    counts = np.zeros(codes.size, dtype=np.uint64)
    np.add.at(counts, inv.reshape(-1), np.concatenate((a[1], b[1])).astype(np.uint64))
    return codes, counts


def _code_counts(
    edges: npt.NDArray[np.float64], cats: npt.NDArray[np.float64], counts: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.uint64], int, int]:
    """Bin counts, below and above of values ``cats`` seen ``counts`` times, by the binner's
    rule (bin i is ``[e_i, e_i+1)``, the last one closed)."""
    full = np.zeros(edges.size - 1, dtype=np.uint64)
    idx = np.searchsorted(edges, cats, side="right") - 1
    idx[cats == edges[-1]] = edges.size - 2
    below = cats < edges[0]
    above = cats > edges[-1]
    inside = ~(below | above)
    np.add.at(full, idx[inside], counts[inside])
    return full, int(counts[below].sum(dtype=np.uint64)), int(counts[above].sum(dtype=np.uint64))


class _Target:
    """One wanted rank of one column while its key is being narrowed down."""

    __slots__ = ("col", "rank", "prefix", "bits", "size", "value")

    def __init__(self, col: str, rank: int, size: int) -> None:
        self.col = col
        self.rank = rank  # rank within the keys having this prefix
        self.prefix = 0
        self.bits = 0
        self.size = size  # how many keys have this prefix
        self.value: float | None = None


def _select(df: Any, targets: list[_Target], limit: int) -> int:
    """Resolve every target's value; returns the number of scans used."""
    scans = 0
    while True:
        open_ = [t for t in targets if t.value is None]
        if not open_:
            return scans
        keyof = {}
        reqs: list[tuple[Any, ...]] = []
        for t in open_:
            kind = "collect" if t.size <= limit else "hist"
            k = (kind, t.col, t.prefix, t.bits)
            if k not in keyof:
                keyof[k] = len(reqs)
                reqs.append(k)
        res = _scan(df, reqs)
        scans += 1
        for t in open_:
            kind = "collect" if t.size <= limit else "hist"
            v = res[keyof[(kind, t.col, t.prefix, t.bits)]]
            if kind == "collect":
                t.value = _double_of_key(int(np.sort(v)[t.rank]))
                continue
            cum = np.cumsum(v, dtype=np.uint64)
            b = int(np.searchsorted(cum, np.uint64(t.rank), side="right"))
            below = int(cum[b - 1]) if b else 0
            step = min(DIGIT_BITS, 64 - t.bits)
            t.prefix = (t.prefix << step) | b
            t.bits += step
            t.rank -= below
            t.size = int(v[b])
            if t.bits == 64:  # one key: the value itself
                t.value = _double_of_key(t.prefix)


def fit_reference(
    df: Any,
    bins: int = 10,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    *,
    top_k: int = TOP_K_DEFAULT,
    collect_limit: int = COLLECT_LIMIT,
    stats: dict[str, int] | None = None,
) -> Reference:
    """A :class:`~monitor.Reference` fitted on ``df`` (see the module doc), equal — edges,
    counts, digest — to ``Reference.fit`` on the collected columns (``names=columns``,
    ``categorical=categorical``, ``top_k=top_k``). String columns are labelled categorical
    features (their ``top_k`` most frequent labels plus "other", found by one Spark
    ``groupBy().count()`` per column). ``columns``: default every column of ``df``.
    ``collect_limit``: the largest bucket collected to the driver (default :data:`COLLECT_LIMIT`;
    smaller means more scans and less driver memory). ``stats``: a dict that receives
    ``"scans"``, the number of scans of ``df`` used (counting the last one and the label counts)."""
    _require_spark()
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 1 <= bins <= MAX_BINS:
        raise InvalidArgumentError(f"bins must be an integer in [1, {MAX_BINS}], got {bins!r}")
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or not 1 <= top_k <= 2048:
        raise InvalidArgumentError(f"top_k must be an integer in [1, 2048], got {top_k!r}")
    if not hasattr(df, "schema"):
        raise InvalidTypeError(f"df must be a pyspark.sql.DataFrame, got {type(df).__name__}")
    names = [f.name for f in df.schema.fields] if columns is None else [str(c) for c in columns]
    if isinstance(columns, str):
        names = [columns]
    if not names:
        raise InvalidArgumentError("no columns to fit")
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"columns repeat: {names!r}")
    strings = _check_columns(df, names, ("*",))
    if (
        isinstance(collect_limit, bool)
        or not isinstance(collect_limit, (int, np.integer))
        or collect_limit < 1
    ):
        raise InvalidArgumentError(f"collect_limit must be a positive integer, got {collect_limit!r}")
    cats = set()
    for c in categorical or ():
        if not isinstance(c, str) or c not in names:
            raise InvalidArgumentError(f"categorical: unknown feature {c!r} (features: {names!r})")
        cats.add(c)
    numeric = [n for n in names if n not in strings]
    # scan 1: counts, binade histograms, categorical codes with their counts
    first: list[tuple[Any, ...]] = []
    for n in numeric:
        first.append(("count", n))
        first.append(("codes", n) if n in cats else ("hist", n, 0, 0))
    res = _scan(df, first) if first else []
    scans = 1 if first else 0
    rows = None
    targets: dict[str, tuple[list[_Target], Any]] = {}
    edges: dict[str, npt.NDArray[np.float64]] = {}
    done: dict[str, FeatureProfile] = {}
    for j, n in enumerate(numeric):
        nvalid, nan = (int(v) for v in res[2 * j])
        if rows is None:
            rows = nvalid + nan
        if nvalid + nan == 0:
            raise InvalidArgumentError("data has no rows")
        if n in cats:
            codes, counts = res[2 * j + 1]
            if codes.size == 0:
                raise InvalidArgumentError(f"categorical feature {n!r}: every value is NaN")
            e = code_edges(top_codes(codes, counts, n, int(top_k)))
            full, below, above = _code_counts(e, codes, counts)
            done[n] = FeatureProfile(n, "categorical", _ro(e), _ro(full), nan, below, above)
            continue
        if nvalid == 0:
            raise InvalidArgumentError(
                f"cannot fit quantile edges of {n!r}: every value of the feature is NaN"
            )
        if bins == 1:
            edges[n] = np.array([-np.inf, np.inf])
            continue
        ranks, gamma = percentile_ranks(edge_percentiles(int(bins)), nvalid)
        hist = res[2 * j + 1]
        ts = []
        cum = np.cumsum(hist, dtype=np.uint64)
        for r in np.unique(ranks):
            t = _Target(n, int(r), nvalid)
            b = int(np.searchsorted(cum, np.uint64(t.rank), side="right"))
            t.prefix, t.bits = b, DIGIT_BITS
            t.rank -= int(cum[b - 1]) if b else 0
            t.size = int(hist[b])
            ts.append(t)
        targets[n] = (ts, (ranks, gamma))
    if strings:
        rows, labelled = _fit_label_columns(df, [n for n in names if n in strings], int(top_k), rows)
        done.update(labelled)
        scans += 1 + len(strings)
    if rows == 0:
        raise InvalidArgumentError("data has no rows")
    scans += _select(df, [t for ts, _ in targets.values() for t in ts], int(collect_limit))
    for n, (ts, (ranks, gamma)) in targets.items():
        by_rank = dict(zip(np.unique(ranks).tolist(), [t.value for t in ts], strict=True))
        vals = np.array([by_rank[int(r)] for r in ranks], dtype=np.float64)
        edges[n] = quantile_edges(interpolate(vals, gamma))
    # last scan: the numeric features' reference counts over the final edges
    quant = [n for n in numeric if n not in cats]
    if quant:
        zero = Reference(
            [
                FeatureProfile(
                    n, "numeric", _ro(edges[n]), _ro(np.zeros(edges[n].size - 1, np.uint64)), 0, 0, 0
                )
                for n in quant
            ],
            0,
        )
        prof = profile(df, zero, quant)
        scans += 1
        for n in quant:
            fc = prof.feature(n)
            done[n] = FeatureProfile(
                n, "numeric", zero[n].edges, _ro(fc.counts.copy()), fc.nan, fc.below, fc.above
            )
    if stats is not None:
        stats["scans"] = scans
    assert rows is not None
    return Reference([done[n] for n in names], rows)


def _fit_label_columns(
    df: Any, names: list[str], top_k: int, rows: int | None
) -> tuple[int, dict[str, FeatureProfile]]:
    """Labelled features of string columns, as :meth:`Reference.fit` fits them: per column the
    ``top_k + 1`` most frequent labels (Spark orders strings by their UTF-8 bytes, which is the
    code-point order of ``np.unique``) and the count of non-null values; nulls count as NaN."""
    from pyspark.sql import functions as F  # noqa: N812 (Spark's own convention)

    agg = df.agg(F.count(F.lit(1)).alias("__rows"), *[F.count(_col(F, n)) for n in names]).collect()[0]
    total = int(agg[0])
    if rows is not None and rows != total:  # pragma: no cover - one DataFrame, one row count
        raise AssertionError(f"row counts differ: {rows} vs {total}")
    out = {}
    for j, n in enumerate(names):
        nonnull = int(agg[j + 1])
        if total and nonnull == 0:
            raise InvalidArgumentError(f"categorical feature {n!r}: every value is missing")
        c = _col(F, n)
        top = (
            df.where(c.isNotNull())
            .groupBy(c.alias("label"))
            .count()
            .orderBy(F.desc("count"), F.asc("label"))
            .limit(top_k + 1)
            .collect()
        )
        labels = fit_labels([r["label"] for r in top], [int(r["count"]) for r in top], top_k)
        kept = [int(r["count"]) for r in top[: len(labels) - (labels[-1] is None)]]
        if labels[-1] is None:
            kept.append(nonnull - sum(kept))
        e = code_edges(np.arange(len(labels), dtype=np.float64))
        full = np.zeros(e.size - 1, dtype=np.uint64)
        full[0::2] = kept
        out[n] = FeatureProfile(n, "categorical", _ro(e), _ro(full), total - nonnull, 0, 0, labels)
    return total, out


def _col(F: Any, name: str) -> Any:  # noqa: N803
    return F.col(_quote(name))


def _ro(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.setflags(write=False)
    return a
