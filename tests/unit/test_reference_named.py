"""Reference.fit on named data (dicts, DataFrames, record arrays, Arrow tables: matched by name),
string categories (top K plus "other", unseen counted), encode(), and the reference file's
persistence (over-long integers, concurrent saves)."""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import monitor.reference
from monitor import DriftMonitor, Reference
from monitor.errors import ConfigMismatchError, CorruptDataError, InvalidArgumentError


def _cols(n: int = 4000, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"amount": rng.lognormal(3, 1, n), "age": rng.integers(18, 90, n).astype(np.float64)}


@pytest.mark.req("MON-REQ-PY-001")
def test_every_named_container_keeps_its_names_and_order_does_not_matter() -> None:
    cols = _cols()
    expected = Reference.fit(np.column_stack([cols["amount"], cols["age"]]), names=["amount", "age"])
    df = pd.DataFrame(cols)
    rec = np.rec.fromarrays([cols["amount"], cols["age"]], names="amount,age")
    table = pa.table(cols)
    for data in (cols, df, rec, table, table.to_batches()[0]):
        ref = Reference.fit(data)
        assert ref.names == ("amount", "age") and ref == expected
    # columns in another order: the fitted features are the same, named the same
    swapped = Reference.fit(df[["age", "amount"]])
    assert swapped.names == ("age", "amount")
    for name in ("amount", "age"):
        assert np.array_equal(swapped[name].edges, expected[name].edges)
        assert np.array_equal(swapped[name].counts, expected[name].counts)
    # names= selects and orders the columns of named data; a missing one is an error
    assert Reference.fit(df[["age", "amount"]], names=["amount", "age"]) == expected
    with pytest.raises(ConfigMismatchError, match="missing"):
        Reference.fit(df, names=["amount", "income"])


@pytest.mark.req("MON-REQ-PY-001")
def test_encode_matches_by_name_and_refuses_renamed_columns() -> None:
    cols = _cols()
    ref = Reference.fit(cols)
    df = pd.DataFrame(cols)
    a = ref.encode(df)
    b = ref.encode(df[["age", "amount"]])
    assert np.array_equal(a, b) and np.array_equal(a[:, 0], cols["amount"])
    with pytest.raises(ConfigMismatchError, match="renamed"):
        ref.encode(df.rename(columns={"age": "age_years"}))
    with pytest.raises(ConfigMismatchError, match="unexpected"):
        ref.encode(df.assign(extra=1.0))
    assert ref.encode(df.assign(extra=1.0), allow_extra=True).shape == (4000, 2)
    with pytest.raises(InvalidArgumentError, match=r"column 'age', row 3: 'x' is not a number"):
        ref.encode({"amount": [1.0, 2.0, 3.0], "age": np.array([1, 2, "x"], dtype=object)})
    # positional data: only where no names exist
    assert np.array_equal(ref.encode(np.column_stack([cols["amount"], cols["age"]])), a)


def test_string_categories_top_k_other_and_unseen() -> None:
    rng = np.random.default_rng(1)
    labels = np.array([f"m{i}" for i in range(8)])
    p = np.array([0.3, 0.2, 0.15, 0.12, 0.09, 0.06, 0.05, 0.03])
    train = {"merchant": rng.choice(labels, 10_000, p=p).astype(object), "x": rng.normal(size=10_000)}
    train["merchant"][:25] = None  # missing values count as NaN
    ref = Reference.fit(train, top_k=5)
    f = ref["merchant"]
    assert f.kind == "categorical" and f.labels is not None
    assert f.labels[:5] == ("m0", "m1", "m2", "m3", "m4") and f.labels[5] is None  # + "other"
    assert f.nan == 25
    kept = f.counts[f.category_bins]
    vals = train["merchant"][25:]
    assert kept[:5].tolist() == [int((vals == f"m{i}").sum()) for i in range(5)]
    assert int(kept[5]) == int(np.isin(vals, ["m5", "m6", "m7"]).sum())
    # all kept (top_k large): a new label in current data is unseen, counted, and scored in the
    # feature's unseen bin (DriftMonitor's default out_of_range='score'), so count holds it too
    full = Reference.fit(train)
    assert full["merchant"].labels is not None and None not in full["merchant"].labels
    cur = {"merchant": np.array(["m0", "m1", "new", "new", None], dtype=object), "x": np.zeros(5)}
    dm = DriftMonitor(full, window=100)
    dm.update(full.encode(cur))
    fd = dm.evaluate().feature("merchant")
    assert fd.unseen == 2 and fd.nan == 1 and fd.count == 4
    # with "other", a label beyond the kept ones goes to "other"
    enc = ref.encode(cur)
    assert enc[:, 0].tolist()[:4] == [0.0, 1.0, 5.0, 5.0] and np.isnan(enc[4, 0])
    # pandas category dtype is categorical by dtype too
    cat = Reference.fit(pd.DataFrame({"c": pd.Categorical(["a", "b", "a"])}))
    assert cat["c"].labels == ("a", "b")


def test_labelled_reference_round_trips_and_stays_version_1_without_labels(tmp_path: Any) -> None:
    rng = np.random.default_rng(2)
    train = {"c": rng.choice(["a", "b", "c", "d"], 500), "x": rng.normal(size=500)}
    ref = Reference.fit(train, top_k=2)
    path = str(tmp_path / "r.json")
    ref.save(path)
    back = Reference.load(path)
    assert back == ref and back["c"].labels == ref["c"].labels
    assert json.load(open(path))["version"] == 2
    plain = Reference.fit({"x": train["x"]})
    assert json.loads(plain.to_json())["version"] == 1
    doc = json.loads(ref.to_json())
    doc.pop("digest")
    doc["features"][0]["labels"] = ["a", "a", None]
    doc["digest"] = monitor.reference._digest(doc)
    with open(path, "w") as fh:
        json.dump(doc, fh)
    with pytest.raises(CorruptDataError, match="labels"):
        Reference.load(path)


@pytest.mark.parametrize("field", ["rows", "counts", "nan", "version"])
@pytest.mark.req("MON-REQ-REF-001")
def test_a_5000_digit_integer_is_corrupt_data_naming_the_field(tmp_path: Any, field: str) -> None:
    ref = Reference.fit(np.arange(100.0), bins=4)
    text = ref.to_json()
    huge = "9" * 5000
    doc = json.loads(text)
    if field == "counts":
        doc["features"][0]["counts"][2] = 0
    else:
        doc["features"][0][field] = 0 if field == "nan" else None
    body = json.dumps(doc)
    if field == "counts":
        body = body.replace('"counts": [25, 25, 0', f'"counts": [25, 25, {huge}')
        where = "features[0].counts[2]"
    elif field == "nan":
        body = body.replace('"nan": 0', f'"nan": {huge}')
        where = "features[0].nan"
    elif field == "rows":
        body = body.replace('"rows": 100', f'"rows": {huge}')
        where = "rows"
    else:
        body = body.replace('"version": 1', f'"version": -{huge}')
        where = "version"
    path = tmp_path / "r.json"
    path.write_text(body)
    with pytest.raises(CorruptDataError, match=re.escape(f"{where} is an integer of 5000 digits")):
        Reference.load(str(path))


def test_concurrent_saves_to_one_path_never_fail(tmp_path: Any) -> None:
    refs = [Reference.fit(np.random.default_rng(i).normal(size=300), bins=5) for i in range(8)]
    path = str(tmp_path / "ref.json")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(r: Reference) -> None:
        start.wait()
        for _ in range(20):
            try:
                r.save(path)
            except BaseException as exc:  # pragma: no cover - the failure being tested
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(r,)) for r in refs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Reference.load(path) in refs  # one complete profile, never a mix
    assert os.listdir(tmp_path) == ["ref.json"]  # no temporary file left behind
    assert (os.stat(path).st_mode & 0o777) == (0o666 & ~_umask())


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m
