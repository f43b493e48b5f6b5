"""Top-K categories for integer codes as for labels: which categories a reference keeps, how
"other" and "unseen" are counted (monitor.reference's module doc), in Reference.fit, DriftMonitor,
DriftProfile, the CLI's JSON and report."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
import pytest

from monitor import DriftMonitor, Reference
from monitor.cli import main
from monitor.profile import profile_batch

# code -> frequency; 7 and 9 tie (the smaller code is kept first), 3 and 5 tie
_FREQ = {7: 50, 9: 50, 2: 40, 3: 20, 5: 20, -4: 5, 100: 1}


def _codes(freq: dict[int, int], seed: int) -> np.ndarray:
    x = np.concatenate([np.full(n, float(c)) for c, n in freq.items()])
    return np.random.default_rng(seed).permutation(x)


def _by_brute_force(codes: np.ndarray, k: int) -> list[float]:
    cnt = Counter(codes[~np.isnan(codes)].tolist())
    order = sorted(cnt, key=lambda c: (-cnt[c], c))
    return sorted(order[:k])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 50])
def test_integer_codes_keep_the_top_k_and_the_rest_is_other(k: int) -> None:
    x = _codes(_FREQ, 1)
    x[:3] = np.nan
    ref = Reference.fit({"c": x, "v": np.arange(x.size, dtype=float)}, categorical=["c"], top_k=k)
    f = ref["c"]
    kept = _by_brute_force(x, k)
    assert f.kind == "categorical" and f.labels is None
    assert f.categories is not None and f.categories.tolist() == kept
    valid = x[~np.isnan(x)]
    assert f.counts[f.category_bins].tolist() == [int((valid == c).sum()) for c in kept]
    assert f.other == int((~np.isin(valid, kept)).sum())
    assert f.nan == 3 and int(f.counts.sum()) + f.nan + f.below + f.above == x.size
    if k >= len(_FREQ):  # every code kept: as before, nothing is "other"
        assert f.other == 0 and json.loads(ref.to_json())["version"] == 1


def test_strings_and_codes_follow_the_same_top_k_rule() -> None:
    x = _codes(_FREQ, 2)
    s = np.array([f"c{int(v)}" for v in x], dtype=object)
    ref = Reference.fit({"s": s, "c": x}, categorical=["c"], top_k=3)
    kept_codes = ref["c"].categories
    assert kept_codes is not None
    # same categories kept, same other mass (labels keep the frequency order, ties by label:
    # "c7" < "c9" as 7 < 9)
    assert ref["s"].labels == ("c7", "c9", "c2", None)
    assert sorted(kept_codes.tolist()) == [2.0, 7.0, 9.0]
    assert ref["s"].other == ref["c"].other == 20 + 20 + 5 + 1


def test_other_and_unseen_in_drift_monitor_and_profiles() -> None:
    x = _codes(_FREQ, 3)
    ref = Reference.fit({"c": x}, categorical=["c"], top_k=3)
    cur = np.array([7, 9, 2, 3, 5, -4, 100, 555, 2.5, np.nan], dtype=float)  # tail, new, non-code
    dm = DriftMonitor(ref, window=100)
    dm.update({"c": cur})
    fd = dm.evaluate().feature("c")
    # integer codes: every value that is not a kept code is counted once, in unseen
    assert (fd.count, fd.unseen, fd.nan) == (3 + 6, 6, 1)
    assert fd.ref_unseen_rate == ref["c"].other / ref.rows  # the reference's tail: the baseline
    prof = profile_batch(ref, {"c": cur})
    assert prof.report(ref).feature("c") == fd
    # a reference that kept every code: the same values, the reference baseline is 0
    full = Reference.fit({"c": x}, categorical=["c"])
    dm = DriftMonitor(full, window=100)
    dm.update({"c": cur})
    assert dm.evaluate().feature("c").unseen == 2 and full["c"].other == 0


def test_minus_zero_code_is_written_as_plus_zero() -> None:
    a = Reference.fit({"c": np.array([-0.0, 0.0, 1.0])}, categorical=["c"])
    b = Reference.fit({"c": np.array([0.0, -0.0, 1.0])}, categorical=["c"])
    assert a.digest == b.digest and np.signbit(a["c"].edges[0]) == np.False_


def test_profile_batch_encodes_labels_of_a_labelled_feature() -> None:
    rng = np.random.default_rng(4)
    s = rng.choice(["a", "b", "c", "d", "e"], 2000).astype(object)
    ref = Reference.fit({"s": s}, top_k=3)
    cur = np.array(["a", "e", "zz", None, "b"], dtype=object)
    by_labels = profile_batch(ref, {"s": cur})
    by_codes = profile_batch(ref, {"s": ref.encode({"s": cur})[:, 0]})
    assert by_labels.to_bytes() == by_codes.to_bytes()


def test_cli_top_k_for_integer_codes(tmp_path: Any, capsys: Any) -> None:
    x = _codes(_FREQ, 5)
    tr, cu = tmp_path / "train.csv", tmp_path / "cur.csv"
    tr.write_text("c\n" + "\n".join(str(int(v)) for v in x) + "\n")
    cu.write_text("c\n" + "\n".join(["7", "9", "2", "3", "100", "555"]) + "\n")
    refp, out = tmp_path / "ref.json", tmp_path / "out.json"
    assert main(["fit", str(tr), "-o", str(refp), "--categorical", "c", "--top-k", "3", "--quiet"]) == 0
    ref = Reference.load(refp)
    assert ref["c"].categories is not None and ref["c"].categories.tolist() == [2.0, 7.0, 9.0]
    rc = main(["drift", str(refp), str(cu), "--json", str(out), "--quiet"])
    assert rc in (0, 3)
    f = json.loads(out.read_text())["windows"][0]["features"][0]
    assert f["unseen"] == 3 and f["reference"]["other"] == 46
    assert f["bins"]["labels"] == ["2", "7", "9", "(other / unseen)"]
    assert f["bins"]["current"] == [1, 1, 1, 3] and f["bins"]["reference"][-1] == 46
    capsys.readouterr()
