"""Reference.fit (article's quantile edges), save/load round trip and tamper detection."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import monitor
from monitor import CorruptDataError, InvalidArgumentError, Reference

from oracles import DATA


def _data(n: int = 5000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.standard_normal(n),
            rng.exponential(size=n) * 1e-3,
            rng.integers(0, 3, n).astype(np.float64),  # heavy ties
            np.full(n, 7.0),  # constant
            rng.integers(0, 4, n).astype(np.float64),  # categorical codes
        ]
    )
    X[::17, 0] = np.nan
    return X


@pytest.mark.req("MON-REQ-REF-002")
def test_fit_uses_the_articles_quantiles() -> None:
    X = _data()
    ref = Reference.fit(X, bins=10, names=["a", "b", "c", "d", "e"], categorical=["e"])
    assert ref.names == ("a", "b", "c", "d", "e")
    for j, name in enumerate("ab"):
        col = X[:, j]
        bp = np.percentile(col[~np.isnan(col)], np.linspace(0, 100, 11))
        bp[0], bp[-1] = -np.inf, np.inf
        f = ref[name]
        assert f.kind == "numeric"
        assert f.edges.tobytes() == bp.tobytes()  # distinct quantiles: exactly the article's
        assert f.counts.tolist() == np.histogram(col[~np.isnan(col)], bp)[0].tolist()
        assert f.nan == int(np.isnan(col).sum())
        assert f.counts.sum() + f.nan == X.shape[0]


@pytest.mark.req("MON-REQ-REF-002")
def test_ties_and_constant_features_drop_repeated_edges() -> None:
    X = _data()
    ref = Reference.fit(X, names=list("abcde"))
    c = ref["c"]
    assert c.edges.tolist() == [-np.inf, 0.0, 1.0, 2.0, np.inf]
    assert c.counts.tolist() == [0] + [int((X[:, 2] == v).sum()) for v in (0, 1, 2)]
    d = ref["d"]
    assert d.edges.tolist() == [-np.inf, 7.0, np.inf]
    assert d.counts.tolist() == [0, X.shape[0]]
    assert all((f.edges[1:] > f.edges[:-1]).all() for f in ref.features)


@pytest.mark.req("MON-REQ-REF-002")
def test_categorical_feature() -> None:
    X = _data()
    ref = Reference.fit(X, categorical=[4])
    e = ref["f4"]
    assert e.kind == "categorical"
    assert e.categories is not None and e.categories.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert e.counts[e.category_bins].tolist() == [int((X[:, 4] == v).sum()) for v in range(4)]
    assert e.counts.sum() == X.shape[0]
    with pytest.raises(InvalidArgumentError, match="integer codes"):
        Reference.fit(np.array([0.5, 1.0]), categorical=[0])
    with pytest.raises(InvalidArgumentError, match="unknown feature"):
        Reference.fit(X, categorical=["nope"])


def test_one_dimensional_and_bad_inputs() -> None:
    ref = Reference.fit(np.arange(100.0), bins=4)
    assert ref.names == ("f0",) and ref["f0"].edges.tolist() == [-np.inf, 24.75, 49.5, 74.25, np.inf]
    with pytest.raises(InvalidArgumentError, match="bins"):
        Reference.fit(np.arange(10.0), bins=0)
    with pytest.raises(InvalidArgumentError, match="names"):
        Reference.fit(np.zeros((5, 2)), names=["a"])
    with pytest.raises(InvalidArgumentError, match="unique"):
        Reference.fit(np.zeros((5, 2)), names=["a", "a"])
    with pytest.raises(InvalidArgumentError, match="NaN"):
        Reference.fit(np.full(5, np.nan))
    with pytest.raises(InvalidArgumentError, match="rows"):
        Reference.fit(np.zeros((0, 2)))
    with pytest.raises(InvalidArgumentError, match="dtype"):
        Reference.fit(np.array(["x"]))


@pytest.mark.req("MON-REQ-REF-001")
def test_round_trip_is_bit_exact(tmp_path: object) -> None:
    X = _data(seed=3)
    X[:, 1] *= np.pi  # edges with full 53-bit mantissas
    ref = Reference.fit(X, bins=17, names=list("abcde"), categorical=["e"])
    path = os.path.join(str(tmp_path), "ref.json")
    ref.save(path)
    back = Reference.load(path)
    assert back == ref
    for a, b in zip(ref.features, back.features):
        assert a.edges.tobytes() == b.edges.tobytes()
        assert a.counts.tobytes() == b.counts.tobytes()
        assert (a.name, a.kind, a.nan, a.below, a.above) == (b.name, b.kind, b.nan, b.below, b.above)
    assert back.rows == ref.rows
    # Saving the loaded profile gives the same bytes (canonical encoding).
    assert back.to_json() == ref.to_json()


def _saved(tmp_path: object) -> tuple[str, str]:
    ref = Reference.fit(_data(500, seed=4), names=list("abcde"))
    path = os.path.join(str(tmp_path), "r.json")
    ref.save(path)
    with open(path, encoding="utf-8") as fh:
        return path, fh.read()


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


@pytest.mark.req("MON-REQ-REF-001")
def test_tampering_is_detected(tmp_path: object) -> None:
    path, text = _saved(tmp_path)
    doc = json.loads(text)
    # flip one digit of a count
    c = doc["features"][0]["counts"]
    c[1] += 1
    _write(path, json.dumps(doc))
    with pytest.raises(CorruptDataError, match="digest mismatch"):
        Reference.load(path)
    # change an edge by one ulp
    doc = json.loads(text)
    e = float.fromhex(doc["features"][1]["edges"][3])
    doc["features"][1]["edges"][3] = np.nextafter(e, np.inf).hex()
    _write(path, json.dumps(doc))
    with pytest.raises(CorruptDataError, match="digest mismatch"):
        Reference.load(path)
    # flip a digit in the raw text
    i = text.index('"counts": [') + len('"counts": [') + 3
    while not text[i].isdigit():
        i += 1
    flipped = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
    _write(path, flipped)
    with pytest.raises(CorruptDataError):
        Reference.load(path)


@pytest.mark.parametrize("cut", [1, 10, 100, 0.5])
@pytest.mark.req("MON-REQ-REF-001")
def test_truncation_is_detected(tmp_path: object, cut: float) -> None:
    path, text = _saved(tmp_path)
    n = int(len(text) * cut) if isinstance(cut, float) else len(text) - cut - 2
    _write(path, text[:n])
    with pytest.raises(CorruptDataError, match="not valid JSON"):
        Reference.load(path)


@pytest.mark.req("MON-REQ-REF-001")
def test_version_format_and_unknown_fields(tmp_path: object) -> None:
    path, text = _saved(tmp_path)
    for mutate, msg in [
        (lambda d: d.__setitem__("version", 3), "unsupported version 3"),
        (lambda d: d.__setitem__("format", "other"), "format"),
        (lambda d: d.__setitem__("extra", 1), "unknown field"),
        (lambda d: d.pop("digest"), "missing field"),
        (lambda d: d.__setitem__("digest", "md5:00"), "digest must be"),
    ]:
        doc = json.loads(text)
        mutate(doc)
        _write(path, json.dumps(doc))
        with pytest.raises(CorruptDataError, match=msg):
            Reference.load(path)
    # a structurally wrong but correctly digested file is still rejected
    doc = json.loads(text)
    doc.pop("digest")
    doc["features"][0]["edges"] = doc["features"][0]["edges"][::-1]
    doc["digest"] = monitor.reference._digest(doc)
    _write(path, json.dumps(doc))
    with pytest.raises(CorruptDataError, match="strictly increasing"):
        Reference.load(path)
    doc = json.loads(text)
    doc.pop("digest")
    doc["features"][0]["surprise"] = 1
    doc["digest"] = monitor.reference._digest(doc)
    _write(path, json.dumps(doc))
    with pytest.raises(CorruptDataError, match="exactly the fields"):
        Reference.load(path)
    _write(path, "[]")
    with pytest.raises(CorruptDataError, match="object"):
        Reference.load(path)
    with open(path, "wb") as fh:
        fh.write(b"\xff\xfe")
    with pytest.raises(CorruptDataError, match="UTF-8"):
        Reference.load(path)


def test_many_bins_match_numpy_percentile() -> None:
    x = np.random.default_rng(11).standard_normal(20_000)
    ref = Reference.fit(x, bins=600)
    bp = np.percentile(x, np.linspace(0, 100, 601))
    assert ref["f0"].edges[1:-1].tobytes() == bp[1:-1].tobytes()
    assert ref["f0"].counts.sum() == x.size


GOLDEN = os.path.join(DATA, "binning_reference_golden.json")


def _golden_data() -> np.ndarray:
    # Integer sequences and IEEE divisions only: the same bits on every platform.
    i = np.arange(5000, dtype=np.int64)
    a = ((i * 7919) % 5003).astype(np.float64) / 17.0 - 100.0
    a[i % 97 == 0] = np.nan
    b = ((i * i) % 101).astype(np.float64)  # ties
    c = (i % 7).astype(np.float64)  # categorical
    d = ((i * 31337) % 65521).astype(np.float64) * 1e-300  # tiny values, subnormal range
    return np.column_stack([a, b, c, d])


def test_golden_reference_file() -> None:
    """Fit on platform-independent data must give this exact file, byte for byte (edges,
    counts, digest): the certification vector for quantile fitting and binning."""
    ref = Reference.fit(_golden_data(), bins=10, names=["a", "b", "c", "d"], categorical=["c"])
    with open(GOLDEN, encoding="utf-8") as fh:
        golden = fh.read()
    assert ref.to_json() == golden
    assert Reference.load(GOLDEN) == ref
