"""monitor.spark on PySpark in local mode: byte identity with the single-process profile and
bit identity with Reference.fit, for any partitioning and row order."""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import pytest

import monitor
from monitor.errors import ConfigMismatchError, CorruptDataError, InvalidTypeError
from monitor.profile import DriftProfile, merge_profiles, profile_batch

pyspark = pytest.importorskip("pyspark", reason="PySpark not installed: pip install 'monitor[spark]'")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

import monitor.spark as mspark  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    # PySpark 4 warns about pandas 3 on import of its Arrow helpers; not ours to fix
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    # The JVM and its Python workers start in the current directory, which Python puts on the
    # workers' sys.path: from the repository root the source tree would shadow the installed
    # package (no compiled core there). Start them elsewhere.
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("spark"))
    # The Python workers run this interpreter (the one with monitor installed), whatever
    # "python3" is on PATH; a PYSPARK_PYTHON of the caller's own is kept.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    s = (
        SparkSession.builder.master("local[2]")
        .appName("monitor-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        # small Arrow batches, so each partition hands the binner several batches
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "997")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    try:
        yield s
    finally:
        s.stop()
        os.chdir(here)


N = 20_000


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    a = rng.normal(size=N)
    a[::53] = np.nan
    b = np.round(rng.exponential(size=N), 2)  # heavy ties
    c = rng.integers(0, 6, N).astype(np.int64)
    d = np.where(rng.random(N) < 0.5, -0.0, 0.0) * (rng.random(N) < 0.3) + rng.normal(size=N) * (
        rng.random(N) < 0.7
    )
    return {"a": a, "b": b, "c": c, "d": d}


def _df(spark, cols, parts, seed=0):
    import pandas as pd

    pdf = pd.DataFrame(cols)
    if seed:
        pdf = pdf.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return spark.createDataFrame(pdf).repartition(parts)


def test_fit_reference_bit_identical_to_reference_fit(spark, data):
    expect = monitor.Reference.fit(
        np.column_stack([data[k].astype(np.float64) for k in "abcd"]),
        bins=10,
        names=list("abcd"),
        categorical=["c"],
    )
    for parts, seed in ((1, 0), (7, 3)):
        stats: dict[str, int] = {}
        got = mspark.fit_reference(_df(spark, data, parts, seed), bins=10, categorical=["c"], stats=stats)
        assert got.digest == expect.digest
        assert got.to_json() == expect.to_json()
        assert 3 <= stats["scans"] <= 8


def test_fit_reference_forces_every_splitting_scan(spark):
    # values crowded into one binade, ties, and buckets beyond the collect limit: every wanted
    # rank is narrowed by several splitting scans, some down to a single key (64 bits)
    rng = np.random.default_rng(5)
    x = 1.0 + rng.integers(0, 2**40, 3000) * 2.0**-52
    x[:400] = 1.5  # a tie wider than the limit: resolved at 64 bits without collecting
    stats: dict[str, int] = {}
    got = mspark.fit_reference(_df(spark, {"x": x}, 3, seed=2), bins=8, collect_limit=16, stats=stats)
    assert got.digest == monitor.Reference.fit(x, bins=8, names=["x"]).digest
    assert stats["scans"] >= 5


def test_profile_byte_identical_for_any_partitioning_and_order(spark, data):
    ref = monitor.Reference.fit(
        np.column_stack([data["a"][:5000], data["b"][:5000], data["c"][:5000]]),
        names=["a", "b", "c"],
        categorical=["c"],
    )
    cur = {k: data[k] for k in "abc"}
    expect = profile_batch(ref, cur).to_bytes()
    for parts, seed in ((1, 0), (2, 1), (7, 2), (64, 3)):
        df = _df(spark, dict(cur, extra=np.arange(N)), parts, seed)
        assert mspark.profile(df, ref).to_bytes() == expect, (parts, seed)
        if parts == 7:
            assert mspark.profile(df, ref, engine="arrow").to_bytes() == expect
    assert mspark.profile(_df(spark, cur, 3), ref, columns=["b"]) == profile_batch(
        ref, {"b": cur["b"]}, columns=["b"]
    )
    # features counted in pairs (above), and with too many outcomes for a pair's keys: one key
    # per feature (100 bins: 103^2 > the pair limit)
    wide = monitor.Reference.fit(
        np.column_stack([data["a"][:5000], data["b"][:5000]]), bins=100, names=["a", "b"]
    )
    two = {k: data[k] for k in "ab"}
    assert mspark.profile(_df(spark, two, 5, 4), wide).to_bytes() == profile_batch(wide, two).to_bytes()


def test_nulls_count_as_nan_and_bad_input(spark, data):
    ref = monitor.Reference.fit(data["a"][~np.isnan(data["a"])], names=["a"])
    df = spark.createDataFrame([(1.0,), (None,), (float("nan"),), (0.5,)], "a double")
    p = mspark.profile(df, ref)
    assert p.feature("a").nan == 2 and p.rows == 4
    with pytest.raises(ConfigMismatchError, match="no column"):
        mspark.profile(spark.createDataFrame([(1.0,)], "z double"), ref)
    with pytest.raises(InvalidTypeError, match="Spark type string"):
        mspark.profile(spark.createDataFrame([("x",)], "a string"), ref)
    with pytest.raises(InvalidTypeError, match="DataFrame"):
        mspark.profile([[1.0]], ref)
    with pytest.raises(ConfigMismatchError, match="not features"):
        mspark.profile(df, ref, columns=["q"])
    other = monitor.Reference.fit(np.arange(10.0), names=["a"])
    with pytest.raises(ConfigMismatchError, match="different references"):
        p.merge(mspark.profile(df, other))
    with pytest.raises(CorruptDataError):
        DriftProfile.from_bytes(p.to_bytes()[:-1])


def test_string_and_top_k_categoricals_equal_reference_fit(spark):
    # labels (with nulls, ties in frequency, more labels than top_k) and integer codes cut to
    # the top K: fit_reference equals Reference.fit on the same rows, and profile equals
    # profile_batch for any partitioning
    rng = np.random.default_rng(8)
    n = 3000
    s = rng.choice(["b", "a", "é", "c", "d", "e", "f"], n, p=[0.25, 0.25, 0.2, 0.1, 0.1, 0.05, 0.05])
    s = s.astype(object)
    s[::41] = None
    cols = {
        "s": s,
        "c": rng.integers(-3, 12, n).astype(np.int64),
        "x": rng.normal(size=n),
    }
    expect = monitor.Reference.fit(cols, bins=5, categorical=["c"], top_k=4)
    assert expect["s"].labels is not None and expect["s"].labels[-1] is None and expect["c"].other > 0
    for parts, seed in ((1, 0), (7, 3)):
        got = mspark.fit_reference(_df(spark, cols, parts, seed), bins=5, categorical=["c"], top_k=4)
        assert got.to_json() == expect.to_json(), parts
    cur = dict(cols, s=np.where(rng.random(n) < 0.1, "new", s).astype(object))
    want = profile_batch(expect, cur).to_bytes()
    for parts, seed in ((2, 1), (64, 3)):  # (1, 7 partitions: the numeric test above)
        df = _df(spark, cur, parts, seed)
        for engine in ("sql", "arrow"):
            assert mspark.profile(df, expect, engine=engine).to_bytes() == want, (parts, engine)


def test_sql_engine_follows_the_binner_on_adversarial_values(spark):
    # edges and values where a comparison could go wrong: NaN (Spark orders it above +inf),
    # nulls, -0.0 / +0.0, +-inf, values on and next to edges, integers beyond 2**53 next to
    # edges that are doubles, float32 values, booleans; labels with null and a new label
    from pyspark.sql import types as T  # noqa: N812

    from monitor.reference import FeatureProfile

    big = 2**53
    nxt = np.nextafter
    fe = {
        "d": [-2.0, -0.0, 1.0, 3.0],
        "L": [-(2.0**63), -1.5, float(big), float(big + 4), 2.0**63],  # 2**53 + 3 rounds to an edge
        "Ln": [-np.inf, 2.5, np.inf],
        "Lb": [-(2.0**63), float(big), float(big + 4), 2.0**63],  # nullable longs beyond 2**53
        "f": [-np.inf, 0.1, np.inf],
        "b": [0.0, float(nxt(0.0, 1)), 1.0, float(nxt(1.0, 2)), float(nxt(nxt(1.0, 2), 2))],
        "bn": [0.0, float(nxt(0.0, 1)), 1.0, float(nxt(1.0, 2)), float(nxt(nxt(1.0, 2), 2))],
    }
    feats = [
        FeatureProfile(
            n,
            "categorical" if n in ("b", "bn") else "numeric",
            np.array(e),
            np.zeros(len(e) - 1, np.uint64),
            0,
            0,
            0,
        )
        for n, e in fe.items()
    ]
    lab = monitor.Reference.fit({"s": np.array(["a", "b", "c", "a"], dtype=object)}, top_k=2)
    ls = lab["s"]
    ref = monitor.Reference(
        [*feats, FeatureProfile("s", ls.kind, ls.edges, np.zeros(ls.nbins, np.uint64), 0, 0, 0, ls.labels)], 0
    )
    d = [
        -np.inf,
        -2.0,
        nxt(-2.0, -3),
        -0.0,
        0.0,
        nxt(0.0, 1),
        1.0,
        nxt(1.0, 0),
        3.0,
        nxt(3.0, 4),
        np.inf,
        np.nan,
    ]
    d = [float(v) for v in d] + [None]
    L = [-(2**63), -2, -1, 0, big - 1, big, big + 1, big + 2, big + 3, 2**63 - 1]
    Ln = [None, 2, 3, -5]
    Lb = [None, big + 1, big + 3, big - 1, big + 4, big + 5, -(2**63)]
    f = [0.1, 0.2, -1.0, None, float("nan"), float("inf"), float("-inf"), -0.0]
    b = [True, False, None]
    bn = [True, False, False, True, True]
    s = ["a", "b", "c", None, "zz", ""]
    rows = [
        (d[i % 13], L[i % 10], Ln[i % 4], Lb[i % 7], f[i % 8], b[i % 3], bn[i % 5], s[i % 6])
        for i in range(5460)  # every combination of positions (5460 = lcm of the lengths)
    ]
    schema = T.StructType(
        [
            T.StructField("d", T.DoubleType()),
            T.StructField("L", T.LongType(), False),
            T.StructField("Ln", T.LongType()),
            T.StructField("Lb", T.LongType()),
            T.StructField("f", T.FloatType()),
            T.StructField("b", T.BooleanType()),
            T.StructField("bn", T.BooleanType(), False),
            T.StructField("s", T.StringType()),
        ]
    )
    base = spark.createDataFrame(rows, schema)
    np_cols = {
        "d": np.array([np.nan if r[0] is None else r[0] for r in rows]),
        "L": np.array([r[1] for r in rows], dtype=np.int64),
        "Ln": np.array([np.nan if r[2] is None else r[2] for r in rows]),
        "Lb": np.array([r[3] or 0 for r in rows], dtype=np.int64),
        "f": np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=np.float32),
        "b": np.array([np.nan if r[5] is None else float(r[5]) for r in rows]),
        "bn": np.array([r[6] for r in rows], dtype=np.uint8),
        "s": np.array([r[7] for r in rows], dtype=object),
    }
    # the oracle: the rows with a Lb (int64 kept exact) and those without (Lb all NaN), merged
    null = np.array([r[3] is None for r in rows])
    part = {k: v[null] for k, v in np_cols.items()}
    part["Lb"] = np.full(int(null.sum()), np.nan)
    want = merge_profiles(
        [profile_batch(ref, {k: v[~null] for k, v in np_cols.items()}), profile_batch(ref, part)]
    ).to_bytes()
    for parts in (1, 2, 7, 64):
        df = base.repartition(parts)
        for engine in ("sql", "arrow"):
            assert mspark.profile(df, ref, engine=engine).to_bytes() == want, (parts, engine)


def test_a_worker_without_monitor_is_one_clear_error():
    # what a Python worker's import failure reaches the driver as: a JVM error whose text holds
    # the worker's traceback
    class Frame:
        def __init__(self, text):
            self.text = text

        def collect(self):
            raise RuntimeError(self.text)

    worker = "PythonException: ... ModuleNotFoundError: No module named '{}' ..."
    for mod in ("monitor", "pyarrow"):
        with pytest.raises(ImportError, match=f"cannot import {mod}: install 'monitor\\[spark\\]'") as e:
            mspark._collect_python(Frame(worker.format(mod)))
        assert isinstance(e.value.__cause__, RuntimeError)
    with pytest.raises(RuntimeError, match="something else"):  # anything else: unchanged
        mspark._collect_python(Frame("something else"))
