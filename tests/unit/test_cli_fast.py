"""`monitor drift` counts column by column (Profiler) with the file read ahead in a thread
(monitor.io.prefetch): the documents must equal, number for number, what DriftMonitor.update +
evaluate give on the same rows, for every window and batch split; prefetch keeps order, raises
the reader's error in place and stops its thread when the caller stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import monitor.io.readers as readers
from monitor import DriftMonitor, Reference
from monitor.cli.drift import run_drift
from monitor.io import prefetch
from monitor.report import drift_window


def _data(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[::97] = np.nan
    return {
        "x": x,
        "k": rng.integers(0, 9, n).astype(np.float64),
        "s": rng.choice(["a", "b", "c", "d", "e"], n).astype(object),
    }


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("window", [None, 700, 1000, 2500])
def test_cli_windows_equal_drift_monitor(
    tmp_path: Any, monkeypatch: Any, window: int | None, fmt: str
) -> None:
    ref = Reference.fit(_data(3000, 1), bins=7, categorical=["k"], top_k=3)
    rp = str(tmp_path / "ref.json")
    ref.save(rp)
    cur = _data(2500, 2)
    cur["s"][5] = "new"
    path = str(tmp_path / f"cur.{fmt}")
    if fmt == "parquet":
        pq.write_table(pa.table(cur), path)
    else:  # float repr round-trips: the CSV holds the same values
        pacsv.write_csv(pa.table(cur), path)
    monkeypatch.setattr(readers, "BATCH_ROWS", 333)  # windows cross batch boundaries
    monkeypatch.setattr(readers, "BATCH_BYTES", 1)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 9_000)  # ~330 rows: CSV blocks cross them too
    assert readers.batch_rows(3) == 333
    if fmt == "csv":
        blocks = [len(b[1]["x"]) for b in readers.open_table(path).batches()]
        assert len(blocks) > 5 and len(set(blocks)) > 1 and sum(blocks) == 2500
    doc = run_drift(rp, path, None, window, True, "significant")
    size = window or 2**53
    dm = DriftMonitor(ref, window=size)
    x = ref.encode(cur)
    want = []
    for lo in range(0, 2500, size if window else 2500):
        dm.update(x[lo : lo + size])
        want.append(drift_window(ref, dm))
    assert doc["windows"] == want


def test_prefetch_order_error_and_early_stop() -> None:
    assert list(prefetch(iter(range(100)), ahead=3)) == list(range(100))

    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("line 3 is bad")

    got = []
    with pytest.raises(ValueError, match="line 3"):
        for v in prefetch(failing()):
            got.append(v)
    assert got == [1, 2]
    produced = []

    def endless() -> Iterator[int]:
        for i in range(10**9):
            produced.append(i)
            yield i

    before = threading.active_count()
    it = prefetch(endless(), ahead=2)
    assert next(it) == 0
    it.close()  # the consumer stops: the thread ends after its current item
    assert threading.active_count() == before and len(produced) <= 5
